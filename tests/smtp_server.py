"""A real SMTP server for tests and benchmarks: aiosmtpd on a loopback port, scriptable.

    with running_smtp() as server:
        ...send to server.host:server.port...
        assert server.messages[0].message["Subject"] == "..."

Modes, globally (answered at DATA) or per recipient (answered at RCPT):
``accept``; ``451`` (temporary failure); ``550`` (permanent failure); ``hang`` (no answer until
``release()``, so the client times out); ``drop`` (the server closes the connection). A per-message
``delay`` slows each accepted DATA, as a real relay does. STARTTLS, implicit TLS and AUTH are
available with a self-signed certificate made by ``tls_pair()``.
"""

from __future__ import annotations

import asyncio
import datetime
import email.policy
import importlib
import ipaddress
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any, Literal

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

Mode = Literal["accept", "451", "550", "hang", "drop"]

REPLIES: dict[str, dict[str, str]] = {
    "RCPT": {"451": "451 4.2.1 mailbox busy, try again later",
             "550": "550 5.1.1 mailbox unavailable"},
    "DATA": {"451": "451 4.3.0 temporary local problem, try again later",
             "550": "550 5.7.1 message refused by policy"},
}


@dataclass(frozen=True)
class Received:
    """One message the server accepted, as it arrived."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes
    message: EmailMessage
    mail_options: tuple[str, ...]
    tls: bool
    login: str
    queue_id: str


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class _CountingSMTP(SMTP):  # type: ignore[misc,unused-ignore]
    def __init__(self, handler: Any, *, owner: SmtpTestServer, **kwargs: Any) -> None:
        super().__init__(handler, **kwargs)
        self._owner = owner

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        fresh = self._original_transport is None  # STARTTLS calls this again on the same socket
        super().connection_made(transport)
        if fresh:
            with self._owner._lock:
                self._owner.connections += 1
                self._owner._live.add(self)

    def connection_lost(self, error: Exception | None) -> None:
        with self._owner._lock:
            self._owner._live.discard(self)
        super().connection_lost(error)


class _Controller(Controller):  # type: ignore[misc,unused-ignore]
    def __init__(self, handler: Any, *, owner: SmtpTestServer, **kwargs: Any) -> None:
        super().__init__(handler, **kwargs)
        self._owner = owner

    def factory(self) -> SMTP:
        return _CountingSMTP(self.handler, owner=self._owner, **self.SMTP_kwargs)


class SmtpTestServer:
    """The server's state; change ``mode``/``recipient_modes``/``delay`` at any time."""

    def __init__(self, *, mode: Mode = "accept", recipient_modes: dict[str, Mode] | None = None,
                 delay: float = 0.0, starttls: ssl.SSLContext | None = None,
                 implicit_tls: ssl.SSLContext | None = None,
                 auth: tuple[str, str] | None = None, pipelining: bool = False) -> None:
        self.host = "127.0.0.1"
        self.port = free_port()
        self.mode: Mode = mode
        self.recipient_modes: dict[str, Mode] = {
            k.lower(): v for k, v in (recipient_modes or {}).items()}
        self.delay = delay
        self.pipelining = pipelining
        """Offer PIPELINING in the EHLO reply (aiosmtpd reads pipelined commands either way)."""
        self.messages: list[Received] = []
        self.connections = 0
        """Client connections so far (a STARTTLS upgrade is the same connection)."""
        self.hung = 0
        """How many commands are waiting in ``hang`` right now."""
        self._lock = threading.Lock()
        self._auth = auth
        self._release: asyncio.Event | None = None
        self._live: set[SMTP] = set()
        kwargs: dict[str, Any] = {}
        if starttls is not None:
            kwargs["tls_context"] = starttls
        if implicit_tls is not None:
            kwargs["ssl_context"] = implicit_tls
        if auth is not None:
            kwargs["authenticator"] = self._authenticate
            kwargs["auth_require_tls"] = starttls is not None or implicit_tls is not None
        self._controller = _Controller(_Handler(self), owner=self, hostname=self.host,
                                       port=self.port, **kwargs)

    def start(self) -> None:
        self._release = asyncio.Event()
        self._controller.start()
        with self._lock:
            self.connections = 0  # the controller's own readiness probe is not a client

    def stop(self) -> None:
        self.release()
        self._controller.stop()

    def release(self) -> None:
        """Let every hanging command go on (they then answer as if accepted)."""
        event = self._release
        if event is not None:
            self._controller.loop.call_soon_threadsafe(event.set)

    def disconnect_all(self) -> None:
        """Close every client connection from the server's side, as an idle timeout does."""

        async def close_all() -> None:
            with self._lock:
                live = list(self._live)
            for protocol in live:
                if protocol.transport is not None:
                    protocol.transport.close()
            for _ in range(3):  # let the closes reach the sockets
                await asyncio.sleep(0)

        asyncio.run_coroutine_threadsafe(close_all(), self._controller.loop).result(timeout=5)

    def _authenticate(self, server: SMTP, session: Session, envelope: Envelope,
                      mechanism: str, auth_data: Any) -> AuthResult:
        if isinstance(auth_data, LoginPassword) and self._auth == (
                auth_data.login.decode(), auth_data.password.decode()):
            return AuthResult(success=True, auth_data=auth_data.login.decode())
        return AuthResult(success=False, handled=False)

    async def _hang(self) -> None:
        assert self._release is not None
        with self._lock:
            self.hung += 1
        try:
            await self._release.wait()
        finally:
            with self._lock:
                self.hung -= 1


class _Handler:
    def __init__(self, owner: SmtpTestServer) -> None:
        self.owner = owner

    async def handle_EHLO(self, server: SMTP, session: Session, envelope: Envelope,
                          hostname: str, responses: list[str]) -> list[str]:
        session.host_name = hostname
        if self.owner.pipelining:
            responses.insert(-1, "250-PIPELINING")
        return responses

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope,
                          address: str, rcpt_options: list[str]) -> str:
        mode = self.owner.recipient_modes.get(address.lower(), "accept")
        answer = await _scripted(self.owner, server, "RCPT", mode)
        if answer:
            return answer
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        owner = self.owner
        answer = await _scripted(owner, server, "DATA", owner.mode)
        if answer:
            return answer
        if owner.delay:
            await asyncio.sleep(owner.delay)
        content = envelope.original_content
        raw = content if isinstance(content, bytes) else b""
        # Parsed as a mail reader sees it: with local line endings, as content is compared.
        parsed = BytesParser(policy=email.policy.default).parsebytes(raw.replace(b"\r\n", b"\n"))
        with owner._lock:
            queue_id = f"Q{len(owner.messages) + 1:06d}"
            owner.messages.append(Received(
                mail_from=envelope.mail_from or "", rcpt_tos=tuple(envelope.rcpt_tos),
                raw=raw, message=parsed,
                mail_options=tuple(envelope.mail_options), tls=session.ssl is not None,
                login=str(session.auth_data or ""), queue_id=queue_id))
        return f"250 2.0.0 Ok: queued as {queue_id}"


async def _scripted(owner: SmtpTestServer, server: SMTP, command: str, mode: Mode) -> str:
    """The scripted answer for ``mode`` at ``command``, or "" to go on as normal."""
    if mode in ("451", "550"):
        return REPLIES[command][mode]
    if mode == "hang":
        await owner._hang()
        return ""
    if mode == "drop":
        transport = server.transport
        assert isinstance(transport, asyncio.Transport)
        transport.abort()
        return "421 4.4.2 closing connection"  # never reaches the client: the socket is gone
    return ""


@contextmanager
def running_smtp(mode: Mode = "accept", **options: Any) -> Iterator[SmtpTestServer]:
    """A started server for the length of the ``with`` block; see ``SmtpTestServer``."""
    server = SmtpTestServer(mode=mode, **options)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@dataclass(frozen=True)
class TlsPair:
    """A self-signed certificate for 127.0.0.1: the server's context and a client trusting it."""

    server: ssl.SSLContext
    client: ssl.SSLContext
    cert: Path
    key: Path


def tls_pair(directory: Path) -> TlsPair | None:
    """Make a certificate with ``cryptography`` or ``openssl``; ``None`` if neither is here."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    if not (_cert_with_cryptography(cert, key) or _cert_with_openssl(cert, key)):
        return None
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert, key)
    client = ssl.create_default_context(cafile=str(cert))
    return TlsPair(server=server, client=client, cert=cert, key=key)


def _cert_with_openssl(cert: Path, key: Path) -> bool:
    openssl = shutil.which("openssl")
    if openssl is None:
        return False
    done = subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        capture_output=True, check=False, timeout=60)
    return done.returncode == 0


def _cert_with_cryptography(cert: Path, key: Path) -> bool:
    try:
        x509: Any = importlib.import_module("cryptography.x509")
        oid: Any = importlib.import_module("cryptography.x509.oid")
        hashes: Any = importlib.import_module("cryptography.hazmat.primitives.hashes")
        serialization: Any = importlib.import_module(
            "cryptography.hazmat.primitives.serialization")
        ec: Any = importlib.import_module("cryptography.hazmat.primitives.asymmetric.ec")
    except ImportError:
        return False
    private = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(oid.NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(private.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName(
            [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]),
            critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(private, hashes.SHA256()))
    key.write_bytes(private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return True
