"""A misbehaving SMTP server on loopback, on a raw socket (aiosmtpd is too polite for this).

``mode`` is read at each connection: ``silent`` takes the connection and never greets,
``stall_data`` takes the whole message and never answers the final dot, ``421`` greets with
421 and hangs up, ``ok`` accepts everything. Messages whose final dot arrived are kept in
``messages`` (their ``X-Duebot-Key``), whether or not they were answered.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager

from tests.raw_smtp import RawSmtp


class BadSmtp(RawSmtp):
    def __init__(self) -> None:
        self.mode = "ok"
        super().__init__()

    def _setting(self) -> str:
        return self.mode

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
                        self._keep(body)
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


@contextmanager
def bad_smtp() -> Iterator[BadSmtp]:
    server = BadSmtp()
    try:
        yield server
    finally:
        server.close()
