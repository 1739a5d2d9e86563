"""duebot by e-mail, the transports: an SMTP/LMTP listener and an IMAP poller.

Mail arrives by an SMTP/LMTP listener (aiosmtpd) that a mail server or a forwarding rule
delivers to, or by polling an IMAP mailbox. Each message goes through ``MailBot.handle``, which
reads the clock and hands it to the conversation (``bot.app.mail_conversation``: what to
answer, and whether). Here, at the edge, a database failure (the clock read included) becomes
``TryLater``, a 4xx the sender retries, never a 5xx; a bug of ours keeps the raw message in
the spool (``[mail] spool``) so that nothing is lost. The confirm and unsubscribe links are
served by ``bot.adapters.mail_pages``.

The IMAP poll bounds each exchange with the server (logging in, SELECT, SEARCH, each FETCH
and STORE, the logout) by a deadline as well as each read by ``TIMEOUT``: a server that
trickles its answers, one byte inside every read timeout, would otherwise hold the ``imap``
job for ever (and no new poll starts while it runs). A cut exchange makes the job wait
(``Waiting``: down on ``/healthz``, with why), its mail left unseen for the next poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import imaplib
import logging
import socket
import ssl
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from bot.adapters.clock import Waiting
from bot.adapters.mail_pages import http_routes
from bot.adapters.retry import Backoff
from bot.adapters.send_deadline import SendDeadline
from bot.app.mail_conversation import Handled, MailConversation, TryLater
from bot.app.running import Running
from bot.config import MailConfig
from bot.errors import StorageError

if TYPE_CHECKING:  # aiosmtpd (and attrs under it) is imported when a listener is built
    from aiosmtpd.smtp import SMTP, Envelope, Session

__all__ = ["Handled", "ImapPoller", "MailBot", "MailListener", "TryLater", "http_routes",
           "start_background"]

log = logging.getLogger("duebot.mail")
IMAP_JOB = "imap"  # its name in /healthz and /metrics
TIMEOUT = 60.0
"""Seconds the IMAP poll waits for each read from the server."""
DEADLINE_FACTOR = 4
"""One exchange of the poll (logging in, a FETCH ...) ends within this many ``TIMEOUT``s."""
T = TypeVar("T")
_DATABASE_ERRORS = (StorageError,)


class MailBot:
    """One mailbox's worth of duebot as the transports see it: the conversation, the clock
    and the spool; thread-safe (the ledger is the only shared state)."""

    def __init__(self, service: Running, *,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.service = service
        self.config: MailConfig = service.config.mail
        self.clock = clock or (lambda: service.clock())
        self.conversation = MailConversation(service, keep=self._spool)
        self.domain = self.conversation.domain

    def handle(self, raw: bytes, *, mail_from: str | None = None,
               rcpt_tos: Sequence[str] = ()) -> Handled:
        """Handle one inbound message; never raises but ``TryLater`` (the database is away).

        ``mail_from`` is the envelope sender when known (``""`` for a bounce's ``<>``).
        """
        now: datetime | None = None
        try:
            now = self.clock()  # the database's clock on PostgreSQL: it can fail too
            return self.conversation.handle(raw, mail_from, rcpt_tos, now)
        except _DATABASE_ERRORS as exc:
            log.error("ledger unavailable while handling mail (%s): asking the sender to retry",
                      str(getattr(exc, "orig", None) or exc).strip()[:300])
            raise TryLater("the ledger database is unavailable") from None
        except Exception:  # a bug of ours: keep the mail, log it, never drop the connection
            path = self._spool(raw, now or datetime.now(UTC))
            log.exception("could not handle a mail; kept it as %s", path)
            return Handled("kept", "internal error")

    def _spool(self, raw: bytes, now: datetime) -> Path | None:
        """Keep a raw message we could not handle as it came, so nothing is lost."""
        folder = self.config.spool
        path = folder / f"{now:%Y%m%dT%H%M%SZ}-{hashlib.sha256(raw).hexdigest()[:16]}.eml"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path.write_bytes(raw)
        except OSError as exc:
            log.error("cannot keep a mail in %s: %s", folder, exc)
            return None
        return path


# -- inbound: SMTP / LMTP listener ------------------------------------------------------------


class _Handler:
    def __init__(self, bot: MailBot, *, lmtp: bool) -> None:
        self.bot = bot
        self.lmtp = lmtp

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or envelope.content or b""
        raw = content if isinstance(content, bytes) else content.encode("utf-8", "replace")
        loop = asyncio.get_running_loop()
        rcpts = tuple(envelope.rcpt_tos)
        try:
            await loop.run_in_executor(None, lambda: self.bot.handle(
                raw, mail_from=envelope.mail_from or "", rcpt_tos=rcpts))
            status = "250 2.0.0 OK: received"
        except TryLater:
            status = "451 4.3.0 temporary problem, try again later"
        except Exception:  # never a permanent 5xx for a failure of ours: the sender retries
            log.exception("could not take a mail; asking the sender to retry")
            status = "451 4.3.0 temporary problem, try again later"
        # LMTP answers DATA once per accepted recipient (RFC 2033 4.2).
        return "\r\n".join([status] * max(len(rcpts), 1)) if self.lmtp else status


def _controller(lmtp: bool) -> Any:
    """aiosmtpd's Controller, or one that speaks LMTP (aiosmtpd has no switch for it)."""
    from aiosmtpd.controller import Controller

    if not lmtp:
        return Controller
    from aiosmtpd.lmtp import LMTP

    class _LmtpController(Controller):  # type: ignore[misc,unused-ignore]
        def factory(self) -> SMTP:
            return LMTP(self.handler, **self.SMTP_kwargs)

    return _LmtpController


class MailListener:
    """The SMTP (or LMTP) listener a mail server or forwarding rule delivers to."""

    def __init__(self, bot: MailBot, host: str, port: int, *, lmtp: bool = False) -> None:
        cls = _controller(lmtp)
        # Larger mail than max_bytes is still taken (kept and answered with help), up to 4x.
        self._controller = cls(_Handler(bot, lmtp=lmtp), hostname=host, port=port,
                               data_size_limit=bot.config.max_bytes * 4,
                               server_hostname=bot.domain)
        self.host, self.port, self.lmtp = host, port, lmtp

    def start(self) -> None:
        self._controller.start()
        log.info("listening for mail (%s) on %s:%d", "LMTP" if self.lmtp else "SMTP",
                 self.host, self.port)

    def stop(self) -> None:
        self._controller.stop()


# -- inbound: IMAP polling --------------------------------------------------------------------


class ImapPoller:
    """The ``imap`` job (``bot.adapters.clock``): every ``imap_poll``, fetch unseen mail from
    an IMAP folder and mark what was handled seen. The login is kept between runs; a server
    that is away makes the job wait (5 s, doubling to 5 min) without counting as a crash."""

    BACKOFF = Backoff(first=5.0, cap=300.0)

    def __init__(self, bot: MailBot, *, should_stop: Callable[[], bool] = lambda: False,
                 connect: Callable[[], imaplib.IMAP4] | None = None,
                 timeout: float | None = None) -> None:
        self.bot = bot
        self.config = bot.config
        self.should_stop = should_stop
        self._connect = connect or self.connect
        self._client: imaplib.IMAP4 | None = None
        self.timeout = TIMEOUT if timeout is None else timeout
        self.deadline = SendDeadline(DEADLINE_FACTOR * self.timeout,
                                     platform=f"IMAP {self.config.imap_host}",
                                     read_timeout=self.timeout)
        """Each exchange's: its sockets (the login's made inside it) shut when it passes."""

    def connect(self) -> imaplib.IMAP4:
        c = self.config
        client: imaplib.IMAP4
        if c.imap_security == "ssl":
            client = imaplib.IMAP4_SSL(c.imap_host, c.imap_port,
                                       ssl_context=self.tls_context(), timeout=self.timeout)
        else:
            client = imaplib.IMAP4(c.imap_host, c.imap_port, timeout=self.timeout)
            if c.imap_security == "starttls":
                client.starttls(self.tls_context())
        client.login(c.imap_user, c.imap_password)
        return client

    def tls_context(self) -> ssl.SSLContext:
        """Verifying, against ``[mail] imap_ca_file`` when set (a private CA), else the
        system's CAs."""
        ca = self.config.imap_ca_file
        return ssl.create_default_context(cafile=str(ca) if ca is not None else None)

    def _within(self, what: str, call: Callable[[], T],
                client: imaplib.IMAP4 | None = None) -> T:
        """``call()``, one exchange with the server, within the deadline; cut, it raises
        ``_Overdue`` in words that say what and where (``what``: "fetching message 3")."""
        sock = getattr(client, "sock", None)
        with self.deadline.bounded(sockets=(sock,) if isinstance(sock, socket.socket)
                                   else ()) as send:
            try:
                return call()
            except (imaplib.IMAP4.error, OSError) as exc:
                if not send.cut:
                    raise
                failure: Exception = exc
        d = self.deadline
        how = (f": {send.waited}," if send.waited else f" (the server answered slowly, each "
               f"read inside {d.read_timeout:g} s):")
        raise _Overdue(f"{what} did not finish within {d.seconds:g} s{how} cut at the poll's "
                       f"deadline; unseen mail waits for the next poll") from failure

    def poll_once(self, client: imaplib.IMAP4) -> int:
        """Handle every unseen message once; returns how many. Stops at the first TryLater."""
        folder = self.config.imap_folder
        typ, data = self._within(f"selecting {folder!r}",
                                 lambda: client.select(_quote(folder)), client)
        if typ != "OK":
            raise imaplib.IMAP4.error(f"cannot select {folder!r}: {data!r}")
        typ, data = self._within("searching for unseen mail",
                                 lambda: client.uid("SEARCH", "UNSEEN"), client)
        uids = data[0].split() if typ == "OK" and data and data[0] else []
        handled = 0
        for uid in uids:
            if self.should_stop():
                break
            number = uid.decode()
            typ, parts = self._within(f"fetching message {number}", functools.partial(
                client.uid, "FETCH", number, "(BODY.PEEK[])"), client)
            raw = next((p[1] for p in parts or () if isinstance(p, tuple) and len(p) > 1
                        and isinstance(p[1], bytes)), None)
            if typ != "OK" or raw is None:
                log.warning("IMAP: could not fetch message %s: %r", uid, parts)
                continue
            try:
                self.bot.handle(raw, mail_from=None)
            except TryLater:
                break  # left unseen: the next poll tries again
            self._within(f"marking message {number} seen", functools.partial(
                client.uid, "STORE", number, "+FLAGS", "(\\Seen)"), client)
            handled += 1
        return handled

    def poll(self) -> None:
        """One run of the job: log in if needed, then handle what is unseen."""
        try:
            if self._client is None:
                self._client = self._within(f"logging in to {self.config.imap_host}",
                                            self._connect)
            self.poll_once(self._client)
        except (imaplib.IMAP4.error, OSError) as exc:
            self.close()
            raise Waiting(f"IMAP {self.config.imap_host}: {exc}") from None

    def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(imaplib.IMAP4.error, OSError):
                self._within("logging out", client.logout, client)


class _Overdue(OSError):
    """An exchange with the IMAP server cut at its deadline (the words say which)."""


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


# -- wiring: ``duebot run`` -------------------------------------------------------------------


def start_background(service: Running) -> Callable[[], None] | None:
    """Start the listener and/or the IMAP poller ``[mail]`` asks for; returns how to stop."""
    mail = service.config.mail
    if not mail.enabled:
        return None
    bot = MailBot(service)
    stops: list[Callable[[], None]] = []
    if mail.listen:
        host, port = mail.listen_at
        listener = MailListener(bot, host, port, lmtp=mail.lmtp)
        listener.start()
        stops.append(listener.stop)
    if mail.imap_host:
        poller = ImapPoller(bot, should_stop=service.stop_event.is_set)
        service.jobs.add(IMAP_JOB, poller.poll, mail.imap_poll, backoff=ImapPoller.BACKOFF)

        def stop_imap() -> None:
            service.jobs.remove(IMAP_JOB)
            poller.close()

        stops.append(stop_imap)

    def stop_all() -> None:
        for item in reversed(stops):
            item()

    return stop_all
