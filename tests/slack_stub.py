"""A stand-in for Slack's Web API: a real HTTP server on loopback that the real ``slack_sdk``
``WebClient`` talks to through ``base_url`` (bolt-python's own tests work the same way).

    with running_slack() as slack:
        client = WebClient(token="xoxb-test", base_url=slack.api_url, retry_handlers=[])
        slack.script("chat.postMessage", ratelimited(3))   # the next post gets a 429
        ...
        slack.wait_for("chat.postMessage")
        assert slack.calls_to("chat.postMessage")[0].args["channel"] == "C0GENERAL"

It keeps what it was told (posted messages with their metadata, DM channels) so that
``conversations.history`` answers like Slack does, and it can be scripted, per method, to answer
an error (``not_in_channel``, ``invalid_auth``), a 429 with ``Retry-After``, to drop the
connection, or to take the message and then drop the connection (the crash window).
``/response/<id>`` stands in for ``response_url`` (slash commands, interactivity).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

BOT_USER = "UDUEBOT"
BOT_ID = "BDUEBOT"
TEAM = "T0TEAM"


@dataclass(frozen=True)
class Call:
    """One request the stand-in received."""

    method: str
    args: dict[str, Any]
    token: str
    at: float


@dataclass(frozen=True)
class Scripted:
    """How to answer one call instead of the normal reply."""

    error: str = ""
    status: int = 200
    retry_after: int | None = None
    drop: bool = False
    """Close the connection without an answer."""
    land: bool = False
    """With ``drop``: keep the message as posted first (Slack had it; we never heard)."""
    hold: threading.Event | None = None
    """Answer (normally, or as scripted) only once the test sets this: a slow Slack."""
    trickle: float = 0.0
    """Take the call as normal, then write the answer one byte every this many seconds (each
    inside any read timeout: only a deadline on the whole send ends it)."""


def error(code: str, status: int = 200) -> Scripted:
    return Scripted(error=code, status=status)


def ratelimited(seconds: int) -> Scripted:
    return Scripted(error="ratelimited", status=429, retry_after=seconds)


def held(until: threading.Event) -> Scripted:
    return Scripted(hold=until)


def dropped(*, land: bool = False) -> Scripted:
    return Scripted(drop=True, land=land)


def trickled(every: float) -> Scripted:
    return Scripted(trickle=every)


@dataclass
class SlackState:
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    channels: dict[str, str] = field(default_factory=lambda: {"general": "C0GENERAL",
                                                              "random": "C0RANDOM"})
    """Channel name -> id."""
    outside: set[str] = field(default_factory=set)
    """Channel ids the bot is not a member of (``not_in_channel``)."""
    usergroups: dict[str, list[str]] = field(default_factory=dict)
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    responses: list[dict[str, Any]] = field(default_factory=list)
    socket_url: str = ""
    """What ``apps.connections.open`` answers (Socket Mode): a ``ws://`` stand-in's URL."""


class SlackStub:
    """The server's state, its call log and its script; thread-safe."""

    def __init__(self) -> None:
        self.state = SlackState()
        self.calls: list[Call] = []
        self._scripts: dict[str, list[Scripted]] = {}
        self._lock = threading.Condition()
        self._ts = 0.0
        self.server: ThreadingHTTPServer | None = None

    # -- for tests ----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def response_url(self, name: str = "r1") -> str:
        return f"{self.url}/response/{name}"

    def add_user(self, user_id: str, tz: str = "UTC", *, is_bot: bool = False) -> None:
        self.state.users[user_id] = {"id": user_id, "name": user_id.lower(), "tz": tz,
                                     "is_bot": is_bot}

    def script(self, method: str, *answers: Scripted) -> None:
        with self._lock:
            self._scripts.setdefault(method, []).extend(answers)

    def unscript(self, method: str) -> None:
        """Forget what is left of ``method``'s script: it answers normally again."""
        with self._lock:
            self._scripts.pop(method, None)

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def posted(self, channel: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            if channel is not None:
                return list(self.state.messages.get(channel, []))
            return [m for msgs in self.state.messages.values() for m in msgs]

    def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        """Block until ``count`` calls to ``method`` arrived (a test's only wait)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                found = [c for c in self.calls if c.method == method]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{method}: {len(found)} of {count} calls arrived; "
                                         f"calls so far: {[c.method for c in self.calls]}")
                self._lock.wait(left)

    def reset_calls(self) -> None:
        with self._lock:
            self.calls.clear()

    # -- serving ------------------------------------------------------------------------------

    def _record(self, method: str, args: dict[str, Any], token: str) -> Scripted | None:
        with self._lock:
            self.calls.append(Call(method, args, token, time.monotonic()))
            self._lock.notify_all()
            queue = self._scripts.get(method)
            return queue.pop(0) if queue else None

    def _next_ts(self) -> str:
        with self._lock:
            self._ts = max(time.time(), self._ts + 0.000001)  # Slack's ts: when it was posted
            return f"{self._ts:.6f}"

    def _channel_id(self, channel: str) -> str | None:
        if channel.startswith("#"):
            return self.state.channels.get(channel[1:])
        if channel[:1] in ("U", "W"):
            return "D" + channel if channel in self.state.users else None
        if channel[:1] == "D" or channel in self.state.channels.values():
            return channel
        return None

    def answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        """The reply of a well-behaved Slack for ``method``."""
        state = self.state
        if method == "auth.test":
            return {"ok": True, "user_id": BOT_USER, "bot_id": BOT_ID, "team_id": TEAM,
                    "user": "duebot", "team": "Workshop", "url": "https://example.slack.com/"}
        if method == "apps.connections.open":
            if not state.socket_url:
                return {"ok": False, "error": "not_allowed_token_type"}
            return {"ok": True, "url": state.socket_url}
        if method == "users.info":
            user = state.users.get(str(args.get("user", "")))
            if user is None:
                return {"ok": False, "error": "user_not_found"}
            return {"ok": True, "user": user}
        if method == "usergroups.users.list":
            members = state.usergroups.get(str(args.get("usergroup", "")))
            if members is None:
                return {"ok": False, "error": "no_such_subteam"}
            return {"ok": True, "users": members}
        if method == "conversations.open":
            users = str(args.get("users", ""))
            if users not in state.users:
                return {"ok": False, "error": "user_not_found"}
            return {"ok": True, "channel": {"id": "D" + users}}
        if method == "conversations.list":
            return {"ok": True, "channels": [{"id": cid, "name": name, "is_archived": False}
                                             for name, cid in state.channels.items()],
                    "response_metadata": {"next_cursor": ""}}
        if method == "conversations.history":
            cid = str(args.get("channel", ""))
            oldest = float(args.get("oldest", 0) or 0)
            include = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
            with self._lock:
                found = [dict(m) for m in state.messages.get(cid, [])
                         if float(m["ts"]) >= oldest]
            if not include:
                for m in found:
                    m.pop("metadata", None)
            return {"ok": True, "messages": list(reversed(found)), "has_more": False}
        if method in ("chat.postMessage", "chat.postEphemeral"):
            cid = self._channel_id(str(args.get("channel", "")))
            if cid is None:
                return {"ok": False, "error": "channel_not_found"}
            if cid in state.outside:
                return {"ok": False, "error": "not_in_channel"}
            ts = self._next_ts()
            if method == "chat.postEphemeral":
                return {"ok": True, "message_ts": ts}
            message = {"type": "message", "ts": ts, "text": args.get("text", ""),
                       "blocks": args.get("blocks"), "bot_id": BOT_ID, "user": BOT_USER}
            metadata = args.get("metadata")
            if isinstance(metadata, str):
                metadata = json.loads(metadata)
            if metadata:
                message["metadata"] = metadata
            with self._lock:
                state.messages.setdefault(cid, []).append(message)
            return {"ok": True, "channel": cid, "ts": ts, "message": message}
        return {"ok": False, "error": "unknown_method"}


def _handler(stub: SlackStub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def _args(self) -> dict[str, Any]:
            args: dict[str, Any] = dict(parse_qsl(urlsplit(self.path).query))
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            kind = self.headers.get("Content-Type", "")
            if body and "json" in kind:
                args.update(json.loads(body))
            elif body:
                args.update(parse_qsl(body.decode("utf-8")))
            return args

        def _reply(self, status: int, payload: dict[str, Any],
                   headers: dict[str, str] | None = None, trickle: float = 0.0) -> None:
            raw = json.dumps(payload).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(raw)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            if not trickle:
                self.end_headers()
                self.wfile.write(raw)
                return
            self._headers_buffer.append(b"\r\n")  # end_headers without its flush
            head = b"".join(self._headers_buffer)
            self._headers_buffer = []
            try:
                for byte in head + raw:  # status line, headers and body, a byte at a time
                    time.sleep(trickle)
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
            except OSError:  # the client cut it
                self.close_connection = True

        def _serve(self) -> None:
            path = urlsplit(self.path).path
            args = self._args()
            if path.startswith("/response/"):
                scripted = stub._record("response_url", {**args, "path": path}, "")
                with stub._lock:
                    stub.state.responses.append(args)
                self._reply(200, {"ok": True},
                            trickle=scripted.trickle if scripted is not None else 0.0)
                return
            method = path.removeprefix("/api/")
            token = self.headers.get("Authorization", "").removeprefix("Bearer ")
            scripted = stub._record(method, args, token)
            if scripted is not None and scripted.hold is not None:
                scripted.hold.wait(30)
            if scripted is not None and scripted.drop:
                if scripted.land:
                    stub.answer(method, args)
                self.close_connection = True
                self.connection.shutdown(2)  # SHUT_RDWR: the client sees the connection die
                return
            if scripted is not None and scripted.error:
                headers = ({"Retry-After": str(scripted.retry_after)}
                           if scripted.retry_after is not None else {})
                self._reply(scripted.status, {"ok": False, "error": scripted.error}, headers)
                return
            self._reply(200, stub.answer(method, args),
                        trickle=scripted.trickle if scripted is not None else 0.0)

        do_GET = _serve
        do_POST = _serve

    return Handler


@contextmanager
def running_slack() -> Iterator[SlackStub]:
    stub = SlackStub()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(stub))
    server.daemon_threads = True
    stub.server = server
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02},
                              name="slack-stub", daemon=True)
    thread.start()
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()


# --- the other direction: Slack calling us ------------------------------------------------------

def sign(secret: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """The headers Slack sends: v0 HMAC-SHA256 over ``v0:{timestamp}:{body}``."""
    import hashlib
    import hmac

    stamp = str(int(time.time()) if timestamp is None else timestamp)
    base = b"v0:" + stamp.encode() + b":" + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}


def event_body(event: dict[str, Any], event_id: str) -> bytes:
    return json.dumps({"token": "legacy", "team_id": TEAM, "api_app_id": "A0DUEBOT",
                       "type": "event_callback", "event_id": event_id, "event_time": 1,
                       "authorizations": [{"team_id": TEAM, "user_id": BOT_USER,
                                           "is_bot": True}],
                       "event": event}).encode()


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """Serve an ASGI app with uvicorn on a loopback port; yields its base URL."""
    import socket

    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
