"""A misbehaving SMTP server on loopback, on a raw socket (aiosmtpd is too polite for this).

``mode`` is read at each connection: ``silent`` takes the connection and never greets,
``stall_data`` takes the whole message and never answers the final dot, ``421`` greets with
421 and hangs up, ``ok`` accepts everything. Messages whose final dot arrived are kept in
``messages`` (their ``X-Duebot-Key``), whether or not they were answered.
"""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class BadSmtp:
    def __init__(self) -> None:
        self.mode = "ok"
        self.messages: list[str] = []
        self.connections = 0
        self._stop = threading.Event()
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(50)
        self._sock.settimeout(0.1)
        self.host, self.port = "127.0.0.1", int(self._sock.getsockname()[1])
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._handle, args=(conn, self.mode), daemon=True).start()

    def _handle(self, conn: socket.socket, mode: str) -> None:
        conn.settimeout(None)
        reader = conn.makefile("rb")

        def say(line: str) -> None:
            conn.sendall(line.encode() + b"\r\n")

        try:
            if mode == "silent":
                self._stop.wait()
                return
            if mode == "421":
                say("421 4.3.2 service shutting down, try later")
                return
            say("220 bad.test ESMTP")
            body: list[bytes] = []
            in_data = False
            while True:
                line = reader.readline()
                if not line:
                    return
                if in_data:
                    if line in (b".\r\n", b".\n"):
                        in_data = False
                        found = re.search(rb"(?im)^x-duebot-key:\s*(.*?)\r?$", b"".join(body))
                        self.messages.append(found.group(1).decode() if found else "-")
                        body = []
                        if mode == "stall_data":
                            self._stop.wait()
                            return
                        say("250 2.0.0 queued")
                    else:
                        body.append(line)
                    continue
                command = line.decode(errors="replace").strip().upper()
                if command.startswith("EHLO"):
                    conn.sendall(b"250-bad.test\r\n250 8BITMIME\r\n")
                elif command.startswith(("HELO", "MAIL", "RCPT", "RSET", "NOOP")):
                    say("250 ok")
                elif command == "DATA":
                    say("354 go")
                    in_data = True
                elif command == "QUIT":
                    say("221 bye")
                    return
                else:
                    say("502 no")
        except OSError:
            pass
        finally:
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._sock.close()
        self._thread.join(5)


@contextmanager
def bad_smtp() -> Iterator[BadSmtp]:
    server = BadSmtp()
    try:
        yield server
    finally:
        server.close()
