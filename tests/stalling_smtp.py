"""An SMTP server on a raw loopback socket that stalls where it is told: the 3 am mail server.

``stall`` is read at each connection: ``banner`` takes the connection and never greets;
``ehlo``, ``mail``, ``rcpt`` never answer that command; ``data`` answers 354 and then reads
nothing; ``dot`` reads the whole message and never answers its final dot; ``starttls`` says 220
to STARTTLS and never starts the handshake; ``trickle`` answers everything correctly, one byte
every ``trickle_every`` seconds (a per-read timeout never fires; its answer to the final dot
is 21 lines long), ``trickle_dot`` so only that answer, ``trickle_later`` behaves for the
connection's first message and trickles from then on; ``""`` behaves. Messages whose
final dot arrived are kept in ``messages`` (their ``X-Duebot-Key``), answered or not.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager

from tests.raw_smtp import RawSmtp


class StallingSmtp(RawSmtp):
    backlog = 100

    def __init__(self) -> None:
        self.stall = ""
        self.trickle_every = 0.2
        super().__init__()

    def _setting(self) -> str:
        return self.stall

    def _handle(self, conn: socket.socket, stall: str) -> None:
        conn.settimeout(None)
        reader = conn.makefile("rb")
        answered = [0]  # final dots answered on this connection

        def say(text: bytes, *, last: bool = False) -> None:
            trickling = stall == "trickle" or (stall == "trickle_later" and answered[0] > 0)
            if not trickling and not (last and stall == "trickle_dot"):
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
                        self._keep(body)
                        body = []
                        if stall == "dot":
                            hang()
                        # Trickled, a long answer (a cut one must not read as a 250).
                        say(b"250-queued\r\n" * 20 * stall.startswith("trickle")
                            + b"250 2.0.0 queued as Q1\r\n", last=True)
                        answered[0] += 1
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


@contextmanager
def stalling_smtp() -> Iterator[StallingSmtp]:
    server = StallingSmtp()
    try:
        yield server
    finally:
        server.close()
