"""A real HTTP server on loopback that records every request and answers as scripted.

Stands in for the services Apprise posts to (a JSON webhook, Mattermost, ntfy, Matrix) and for
Discord's API when ``duebot discord register`` runs: the real client library talks to it over
TCP, nothing is patched.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")


Answer = tuple[int, Any]
Route = Callable[[Seen], Answer]


@dataclass
class HttpStub:
    """What arrived, and what to answer: per path prefix, a queue of statuses, then a route."""

    host: str = "127.0.0.1"
    port: int = 0
    seen: list[Seen] = field(default_factory=list)
    scripted: dict[str, list[int]] = field(default_factory=dict)
    routes: dict[str, Route] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    trickle: float = 0.0
    """Seconds between the bytes of each answer (0: at once): a service that answers one byte
    inside every read timeout, so only a deadline on the whole send ends it."""

    @property
    def base(self) -> str:
        return f"{self.host}:{self.port}"

    def script(self, prefix: str, *statuses: int) -> None:
        """The next requests under ``prefix`` get these statuses, one each, then 200."""
        with self.lock:
            self.scripted.setdefault(prefix, []).extend(statuses)

    def route(self, prefix: str, handler: Route) -> None:
        self.routes[prefix] = handler

    def to(self, prefix: str) -> list[Seen]:
        with self.lock:
            return [s for s in self.seen if s.path.startswith(prefix)]

    def answer(self, seen: Seen) -> Answer:
        with self.lock:
            self.seen.append(seen)
            for prefix, queue in self.scripted.items():
                if seen.path.startswith(prefix) and queue:
                    status = queue.pop(0)
                    return status, {"error": f"scripted {status}", "message": "nope"}
        for prefix in sorted(self.routes, key=len, reverse=True):
            if seen.path.startswith(prefix):
                return self.routes[prefix](seen)
        return 200, {"ok": True}


@contextmanager
def running_http() -> Iterator[HttpStub]:
    stub = HttpStub()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            seen = Seen(self.command, self.path, {k.lower(): v for k, v in self.headers.items()},
                        body)
            status, payload = stub.answer(seen)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if not stub.trickle:
                self.end_headers()
                self.wfile.write(data)
                return
            self._headers_buffer.append(b"\r\n")  # end_headers without its flush
            head, self._headers_buffer = b"".join(self._headers_buffer), []
            try:
                for byte in head + data:
                    time.sleep(stub.trickle)
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
            except OSError:  # the client cut it
                self.close_connection = True

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _any

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    stub.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, name="http-stub", daemon=True)
    thread.start()
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
