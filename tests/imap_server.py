"""A small real IMAP4rev1 server for tests: a loopback port that ``imaplib`` talks to.

It speaks what duebot's IMAP job uses (CAPABILITY, LOGIN, SELECT, UID SEARCH UNSEEN,
UID FETCH BODY.PEEK[], UID STORE +FLAGS (\\Seen), NOOP, LOGOUT) over one mailbox, and can be
stopped and started again on the same port, as a mail server that goes away and comes back.
``trickle`` (seconds) makes it answer one byte at a time, each well inside a read timeout, from
the command named in ``trickle_from`` on (``""``: the greeting too): the server that holds a
poll for ever without a deadline.
"""

from __future__ import annotations

import contextlib
import re
import socket
import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass
class Stored:
    uid: int
    raw: bytes
    seen: bool = False


class ImapTestServer:
    def __init__(self, *, user: str = "dates", password: str = "s3cret") -> None:
        self.host = "127.0.0.1"
        with socket.socket() as probe:
            probe.bind((self.host, 0))
            self.port: int = probe.getsockname()[1]
        self.user, self.password = user, password
        self.mailbox: list[Stored] = []
        self.logins = 0
        self._lock = threading.Lock()
        self._server: socketserver.ThreadingTCPServer | None = None
        self._thread: threading.Thread | None = None
        self._live: set[socket.socket] = set()
        self.trickle = 0.0
        self.trickle_from = ""
        self._stopping = threading.Event()

    def add(self, raw: bytes) -> int:
        with self._lock:
            uid = len(self.mailbox) + 1
            self.mailbox.append(Stored(uid, raw))
            return uid

    def unseen(self) -> list[int]:
        with self._lock:
            return [m.uid for m in self.mailbox if not m.seen]

    def start(self) -> None:
        owner = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                with owner._lock:
                    owner._live.add(self.connection)
                try:
                    owner._session(self.rfile, self.wfile)
                except OSError:
                    pass  # cut by stop()
                finally:
                    with owner._lock:
                        owner._live.discard(self.connection)

        self._stopping.clear()
        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self._server = socketserver.ThreadingTCPServer((self.host, self.port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True,
                                        name="imap-under-test")
        self._thread.start()

    def stop(self) -> None:
        """Close the port (new connections are refused) and cut the sessions."""
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        with self._lock:
            live, self._live = list(self._live), set()
        for connection in live:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def _session(self, rfile: object, wfile: object) -> None:
        read = rfile.readline  # type: ignore[attr-defined]
        send = wfile.write  # type: ignore[attr-defined]
        trickling = [self.trickle > 0 and not self.trickle_from]

        def write(data: bytes) -> None:
            if not trickling[0]:
                send(data)
                return
            for byte in data:
                if self._stopping.wait(self.trickle):
                    raise OSError("stopping")
                send(bytes([byte]))

        write(b"* OK IMAP4rev1 test server ready\r\n")
        while self._server is not None:
            line = read()
            if not line:
                return
            tag, _, rest = line.decode("utf-8", "replace").strip().partition(" ")
            command, _, args = rest.partition(" ")
            command = command.upper()
            if command == "UID":
                command, _, args = args.partition(" ")
                command = "UID " + command.upper()
            if self.trickle > 0 and self.trickle_from == command:
                trickling[0] = True
            write(self._answer(tag, command, args))
            if command == "LOGOUT":
                return

    def _answer(self, tag: str, command: str, args: str) -> bytes:
        done = f"{tag} OK {command} completed\r\n".encode()
        if command == "CAPABILITY":
            return b"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n" + done
        if command == "LOGIN":
            user, _, password = args.partition(" ")
            if (user.strip('"'), password.strip('"')) != (self.user, self.password):
                return f"{tag} NO [AUTHENTICATIONFAILED] invalid credentials\r\n".encode()
            self.logins += 1
            return done
        if command == "SELECT":
            with self._lock:
                count = len(self.mailbox)
            return (f"* {count} EXISTS\r\n* FLAGS (\\Seen)\r\n"
                    f"{tag} OK [READ-WRITE] SELECT completed\r\n").encode()
        if command == "UID SEARCH":
            found = " ".join(str(uid) for uid in self.unseen())
            return f"* SEARCH {found}\r\n".replace(" \r\n", "\r\n").encode() + done
        if command == "UID FETCH":
            uid = int(args.split()[0])
            with self._lock:
                stored = next(m for m in self.mailbox if m.uid == uid)
            return (f"* {uid} FETCH (UID {uid} BODY[] {{{len(stored.raw)}}}\r\n".encode()
                    + stored.raw + b")\r\n" + done)
        if command == "UID STORE":
            uid = int(args.split()[0])
            if re.search(r"\+FLAGS \(\\Seen\)", args):
                with self._lock:
                    for m in self.mailbox:
                        if m.uid == uid:
                            m.seen = True
            return f"* {uid} FETCH (UID {uid} FLAGS (\\Seen))\r\n".encode() + done
        if command == "LOGOUT":
            return b"* BYE logging out\r\n" + done
        if command == "NOOP":
            return done
        return f"{tag} BAD unknown command {command}\r\n".encode()


@contextmanager
def running_imap() -> Iterator[ImapTestServer]:
    server = ImapTestServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
