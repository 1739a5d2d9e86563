"""An SMTP server on a raw loopback socket that stalls where it is told: the 3 am mail server.

``stall`` is read at each connection: ``banner`` takes the connection and never greets;
``ehlo``, ``mail``, ``rcpt`` never answer that command; ``data`` answers 354 and then reads
nothing; ``dot`` reads the whole message and never answers its final dot; ``starttls`` says 220
to STARTTLS and never starts the handshake; ``trickle`` answers everything correctly, one byte
every ``trickle_every`` seconds (a per-read timeout never fires; its answer to the final dot
is 21 lines long), ``trickle_dot`` so only that answer; ``""`` behaves. Messages whose
final dot arrived are kept in ``messages`` (their ``X-Duebot-Key``), answered or not.
"""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class StallingSmtp:
    def __init__(self) -> None:
        self.stall = ""
        self.trickle_every = 0.2
        self.messages: list[str] = []
        self.connections = 0
        self._stop = threading.Event()
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(100)
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
            threading.Thread(target=self._handle, args=(conn, self.stall), daemon=True).start()

    def _handle(self, conn: socket.socket, stall: str) -> None:
        conn.settimeout(None)
        reader = conn.makefile("rb")

        def say(text: bytes, *, last: bool = False) -> None:
            if stall != "trickle" and not (last and stall == "trickle_dot"):
                conn.sendall(text)
                return
            for byte in text:
                if self._stop.wait(self.trickle_every):
                    raise OSError("stopping")
                conn.sendall(bytes([byte]))

        def hang() -> None:
            self._stop.wait()
            raise OSError("stopping")

        try:
            if stall == "banner":
                hang()
            say(b"220 stall.test ESMTP\r\n")
            body: list[bytes] = []
            in_data = False
            while True:
                line = reader.readline()
                if not line:
                    return
                if in_data:
                    if line == b".\r\n":
                        in_data = False
                        found = re.search(rb"(?im)^x-duebot-key:\s*(.*?)\r?$", b"".join(body))
                        self.messages.append(found.group(1).decode() if found else "-")
                        body = []
                        if stall == "dot":
                            hang()
                        # Trickled, a long answer (a cut one must not read as a 250).
                        say(b"250-queued\r\n" * 20 * stall.startswith("trickle")
                            + b"250 2.0.0 queued as Q1\r\n", last=True)
                    else:
                        body.append(line)
                    continue
                command = line.strip().upper()
                if command.startswith((b"EHLO", b"HELO")):
                    if stall == "ehlo":
                        hang()
                    say(b"250-stall.test\r\n250-STARTTLS\r\n250 8BITMIME\r\n")
                elif command == b"STARTTLS":
                    say(b"220 2.0.0 ready to start TLS\r\n")
                    hang()
                elif command.startswith(b"MAIL"):
                    if stall == "mail":
                        hang()
                    say(b"250 ok\r\n")
                elif command.startswith(b"RCPT"):
                    if stall == "rcpt":
                        hang()
                    say(b"250 ok\r\n")
                elif command == b"DATA":
                    say(b"354 go ahead\r\n")
                    if stall == "data":
                        hang()
                    in_data = True
                elif command == b"QUIT":
                    say(b"221 bye\r\n")
                    return
                else:
                    say(b"250 ok\r\n")
        except OSError:
            pass
        finally:
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._sock.close()
        self._thread.join(5)


@contextmanager
def stalling_smtp() -> Iterator[StallingSmtp]:
    server = StallingSmtp()
    try:
        yield server
    finally:
        server.close()
