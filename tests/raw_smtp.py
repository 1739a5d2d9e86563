"""The part the scripted SMTP servers share: a loopback socket, a thread per connection.

aiosmtpd is too polite to misbehave, so ``bad_smtp`` and ``stalling_smtp`` speak SMTP on a raw
socket; this listens, counts ``connections``, hands each one to the subclass's ``_handle`` with
its setting as it was when the connection arrived, and keeps the ``X-Duebot-Key`` of each
message whose final dot arrived in ``messages``.
"""

from __future__ import annotations

import re
import socket
import threading


class RawSmtp:
    backlog = 50

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.connections = 0
        self._stop = threading.Event()
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(self.backlog)
        self._sock.settimeout(0.1)
        self.host, self.port = "127.0.0.1", int(self._sock.getsockname()[1])
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _setting(self) -> str:
        """How the next connection is to be treated (read when it arrives)."""
        raise NotImplementedError

    def _handle(self, conn: socket.socket, setting: str) -> None:
        raise NotImplementedError

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._handle, args=(conn, self._setting()),
                             daemon=True).start()

    def _keep(self, body: list[bytes]) -> None:
        found = re.search(rb"(?im)^x-duebot-key:\s*(.*?)\r?$", b"".join(body))
        self.messages.append(found.group(1).decode() if found else "-")

    def close(self) -> None:
        self._stop.set()
        self._sock.close()
        self._thread.join(5)
