"""duebot by e-mail: answers mailed questions, keeps mail subscriptions, never loops.

Mail arrives by an SMTP/LMTP listener (aiosmtpd) that a mail server or a forwarding rule
delivers to, or by polling an IMAP mailbox. Each message goes through ``MailBot.handle``:

1. too large, unreadable, no reply address: logged, the raw message kept in the spool
   (``[mail] spool``), and answered with a short help text where there is someone to answer;
2. a Message-ID seen before (``ledger.seen``): nothing (redelivery, a second replica);
3. auto-generated mail (RFC 3834, bounces, lists, our own address) or a sender the MTA's
   ``Authentication-Results`` call forged: nothing, logged;
4. more than ``rate_limit`` mails from one sender in the window, or more replies from all
   senders than ``reply_budget`` in the hour (counted in the database, so a restart does not
   reset them): nothing, logged;
5. subscribe / unsubscribe / confirm, or a question answered by ``bot.core.ask.answer``.

The Message-ID is marked seen in the same transaction that queues the reply
(``ledger.record``): if the database fails in between, neither is written and the sender
hears 451 and retries. Any database failure, the clock read included, is a 4xx, never a 5xx.

Replies are not sent here: each is rendered once and put in the ledger as a delivery of kind
``reply`` (the message in its payload), which the delivery loop sends through ``[smtp]`` with
the usual retries. A reply that cannot go now is retried, and nothing is lost in a crash.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import html
import imaplib
import json
import logging
import re
import ssl
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage, Message
from email.parser import BytesHeaderParser, BytesParser
from email.policy import default as default_policy
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP, Envelope, Session

from bot.adapters.clock import Waiting
from bot.adapters.retry import Backoff
from bot.adapters.smtp import message_id
from bot.app import preferences as settings
from bot.app.running import Running
from bot.config import MailConfig
from bot.core.ask import answer
from bot.core.mail_parse import (
    auto_reason,
    base_subject,
    intent_of,
    problems,
    question_of,
    reader_zone,
    reply_address,
    reply_subject,
    sender_address,
    subject_of,
    thread_ids,
)
from bot.core.model import Event
from bot.errors import DuebotError, StorageError
from bot.ports import Planned

__all__ = ["Handled", "MailBot", "MailListener", "TryLater", "http_routes", "start_background"]

log = logging.getLogger("duebot.mail")
IMAP_JOB = "imap"  # its name in /healthz and /metrics

_CONFIRM_ID = re.compile(r"<confirm\.([A-Za-z0-9_-]{16,64})@")
_HEADER_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_DATABASE_ERRORS = (StorageError,)
BUDGET_KEY = "mail-replies"
"""The ledger's hit key counting every reply and confirmation, for ``reply_budget``."""
BUDGET_WINDOW = timedelta(hours=1)


class TryLater(DuebotError):
    """The ledger cannot record right now: the mail must stay with the sender (SMTP 451)."""


@dataclass(frozen=True)
class Handled:
    """What became of one inbound mail (for logs and tests)."""

    action: str
    """answered | subscribe | confirmed | unsubscribed | help | ignored | limited | duplicate
    | kept (spooled, nobody to answer)"""
    reason: str = ""
    to: str = ""


def _one_line(text: str) -> str:
    return _HEADER_UNSAFE.sub(" ", text).strip()


class MailBot:
    """One mailbox's worth of duebot; thread-safe (the ledger is the only shared state)."""

    def __init__(self, service: Running, *,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.service = service
        self.config: MailConfig = service.config.mail
        self.clock = clock or (lambda: service.clock())
        sender = Address()
        try:
            parsed = default_policy.header_factory("From", service.config.smtp.sender)
            sender = getattr(parsed, "addresses", (sender,))[0]
        except (IndexError, ValueError, TypeError, AttributeError):
            pass
        self.own = tuple(a for a in (self.config.address, sender.addr_spec) if "@" in a)
        self.domain = (self.config.address or sender.addr_spec or "@localhost").rpartition(
            "@")[2]

    # -- the one entry point --------------------------------------------------------------

    def handle(self, raw: bytes, *, mail_from: str | None = None,
               rcpt_tos: Sequence[str] = ()) -> Handled:
        """Handle one inbound message; never raises but ``TryLater`` (the database is away).

        ``mail_from`` is the envelope sender when known (``""`` for a bounce's ``<>``).
        """
        now: datetime | None = None
        try:
            now = self.clock()  # the database's clock on PostgreSQL: it can fail too
            return self._handle(raw, mail_from, rcpt_tos, now)
        except _DATABASE_ERRORS as exc:
            log.error("ledger unavailable while handling mail (%s): asking the sender to retry",
                      str(getattr(exc, "orig", None) or exc).strip()[:300])
            raise TryLater("the ledger database is unavailable") from None
        except Exception:  # a bug of ours: keep the mail, log it, never drop the connection
            path = self._spool(raw, now or datetime.now(UTC))
            log.exception("could not handle a mail; kept it as %s", path)
            return Handled("kept", "internal error")

    def _handle(self, raw: bytes, mail_from: str | None, rcpt_tos: Sequence[str],
                now: datetime) -> Handled:
        too_large = len(raw) > self.config.max_bytes
        message: Message
        if too_large:  # the headers are enough to decide whether (and whom) to answer
            head = raw[:256 * 1024].replace(b"\r\n", b"\n")
            message = BytesHeaderParser(policy=default_policy).parsebytes(head)
        else:
            message = BytesParser(policy=default_policy).parsebytes(raw.replace(b"\r\n", b"\n"))
        msgid, references = thread_ids(message)
        key = "mail:" + (msgid[:400] if msgid else "sha256:" + hashlib.sha256(raw).hexdigest())
        ledger = self.service.ledger
        if ledger.seen(key):
            log.info("mail %s seen before: not answered again", msgid or key)
            return Handled("duplicate", key)
        reason = auto_reason(message, return_path=mail_from, own=self.own)
        if reason:
            log.info("not answering mail %s: %s", msgid or "(no Message-ID)", reason)
            ledger.record(now, inbound=key)
            return Handled("ignored", reason)
        to = reply_address(message, envelope=mail_from)
        faults = [f"{len(raw)} bytes, over the limit of {self.config.max_bytes}"] \
            if too_large else problems(message)
        if not sender_address(message):  # kept as it came, but answered where we can
            faults.append("no readable From")
        if faults or not to:
            path = self._spool(raw, now)
            log.warning("malformed mail %s (%s) from %s: kept as %s", msgid or "(no Message-ID)",
                        "; ".join(faults) or "no From or Reply-To", to or "nobody", path)
            if not to:
                ledger.record(now, inbound=key)
                return Handled("kept", "no reply address")
        if not self._within_rate(to, now):
            ledger.record(now, inbound=key, hits=[self._sender_hit(to)])
            return Handled("limited", f"over {self.config.rate_limit} per "
                                      f"{self.config.rate_window}", to)
        if not self._within_budget(now):
            ledger.record(now, inbound=key, hits=[self._sender_hit(to)])
            return Handled("limited", f"over the reply budget of {self.config.reply_budget} "
                                      f"per hour", to)
        event = self._event(message)
        if event is None:
            path = self._spool(raw, now)
            log.error("no schedule is loaded: kept mail from %s as %s", to, path)
            ledger.record(now, inbound=key, hits=[self._sender_hit(to)])
            return Handled("kept", "no schedule loaded", to)
        if too_large:
            return self._help(message, event, to, key, now,
                              f"it was larger than {self.config.max_bytes // 1000} kB")
        confirming = [t for t in (_CONFIRM_ID.match(r) for r in references) if t]
        intent = intent_of(message, recipients=rcpt_tos, own=self.own,
                           confirming=bool(confirming))
        if intent == "subscribe":
            return self._subscribe(message, event, to, key, now)
        if intent == "unsubscribe":
            return self._unsubscribe(message, event, to, key, now)
        if intent == "confirm":
            return self._confirm(message, event, to, key, now,
                                 [m.group(1) for m in confirming])
        question = question_of(message)
        if not question.strip():
            return self._help(message, event, to, key, now,
                              "I could not find a question in it" if not faults
                              else "I could not read it")
        tuned = settings.handle(self.service, event, f"mailto:{to}", question.strip(), now,
                                subscribe_if_needed=False,
                                settings_url=self.service.config.http.base_url)
        if tuned is not None:
            self._queue(message, event, to, key, now, tuned.text + self._footer(event))
            return Handled("answered", "preferences", to)
        zone = reader_zone(question)
        # A follow-up in the same thread ("and in IST?") reads against the thread's last one.
        thread = f"mail:{to.lower()}:{references[0]}" if references else ""
        reply = answer(question, event, now=now, reader=zone,
                       context=self._thread_context(thread, event.id, now))
        self._remember_thread(thread, event.id, reply.context, now)
        log.info("answering %s from %s (%s%s)", msgid or key, to, reply.intent,
                 f", reader in {zone.key}" if zone else "")
        self._queue(message, event, to, key, now, reply.text + self._footer(event))
        return Handled("answered", reply.intent, to)

    # -- decisions ------------------------------------------------------------------------

    def _thread_context(self, key: str, event_id: str, now: datetime
                        ) -> dict[str, Any] | None:
        if not key:
            return None
        try:
            return self.service.ledger.thread_context(key, event_id, now)
        except (DuebotError, StorageError) as exc:  # answer anyway, as a new question
            log.warning("thread context for %s unavailable: %s", key, exc)
            return None

    def _remember_thread(self, key: str, event_id: str, context: Mapping[str, Any],
                         now: datetime) -> None:
        if not key or not context:
            return
        try:
            self.service.ledger.remember_thread(key, event_id, context, now)
        except (DuebotError, StorageError) as exc:
            log.warning("could not keep the thread context of %s: %s", key, exc)

    def _sender_hit(self, sender: str) -> tuple[str, timedelta]:
        return "mail:" + sender.lower(), self.config.rate_window

    def _within_rate(self, sender: str, now: datetime) -> bool:
        """This mail (not yet counted) keeps the sender within ``rate_limit``."""
        key, window = self._sender_hit(sender)
        count = self.service.ledger.hits(key, now, window=window) + 1
        if count > self.config.rate_limit:
            log.warning("rate limit: mail %d from %s within %s; not answered", count, sender,
                        self.config.rate_window)
            return False
        return True

    def _within_budget(self, now: datetime) -> bool:
        """One more reply keeps all senders together within ``reply_budget`` per hour."""
        sent = self.service.ledger.hits(BUDGET_KEY, now, window=BUDGET_WINDOW)
        if sent >= self.config.reply_budget:
            log.warning("reply budget: %d replies and confirmations within the hour already "
                        "([mail] reply_budget = %d); not answering", sent,
                        self.config.reply_budget)
            return False
        return True

    def _event(self, message: Message) -> Event | None:
        """The event a mail is about: the only one, the one it names, else the first."""
        events = self.service.events()
        if len(events) <= 1:
            return next(iter(events.values()), None)
        text = f"{subject_of(message)}\n{question_of(message)}".lower()
        for event in events.values():
            if event.id.lower() in text or event.name.lower() in text:
                return event
        return events[sorted(events)[0]]

    def _subscribe(self, message: Message, event: Event, to: str, key: str,
                   now: datetime) -> Handled:
        ledger = self.service.ledger
        state, token = ledger.subscribe(event.id, f"mailto:{to}", now, source="mail",
                                        confirmed=False)
        base = self.service.config.http.public_url
        if state == "active":
            text = (f"You are already subscribed: reminders for {event.name} come to {to}.\n\n"
                    f"To stop them, open {base}/unsubscribe/{token} or reply \"unsubscribe\".")
            self._queue(message, event, to, key, now, text + self._footer(event))
            return Handled("subscribe", "already active", to)
        ledger.audit(now, actor=f"mailto:{to}", action="subscribe-requested", event_id=event.id)
        text = (f"Someone, hopefully you, asked for reminders of the important dates of "
                f"{event.name} to be sent to {to}.\n\n"
                f"To confirm, open this link:\n\n    {base}/confirm/{token}\n\n"
                f"or reply \"yes\" to this mail. If it was not you, ignore this mail: nothing "
                f"more will be sent.")
        self._queue(message, event, to, key, now, text + self._footer(event),
                    subject=f"Confirm: reminders for {event.name}",
                    own_id=f"<confirm.{token}@{self.domain}>")
        return Handled("subscribe", "confirmation sent", to)

    def _confirm(self, message: Message, event: Event, to: str, key: str, now: datetime,
                 tokens: Sequence[str]) -> Handled:
        ledger = self.service.ledger
        for candidate in self.service.events().values():
            token = ledger.subscriber_token(candidate.id, f"mailto:{to}")
            if token is not None and token in tokens and ledger.confirm(token, now):
                ledger.audit(now, actor=f"mailto:{to}", action="subscribe-confirmed",
                             event_id=candidate.id, detail="by reply")
                self.service.subscribers_changed()
                base = self.service.config.http.public_url
                text = (f"Confirmed: reminders for {candidate.name} will come to {to}.\n\n"
                        f"To stop them, open {base}/unsubscribe/{token} or reply "
                        f"\"unsubscribe\".")
                self._queue(message, candidate, to, key, now, text + self._footer(candidate))
                return Handled("confirmed", candidate.id, to)
        return self._help(message, event, to, key, now, "it confirms a subscription of "
                          "another address (or one that was cancelled)")

    def _unsubscribe(self, message: Message, event: Event, to: str, key: str,
                     now: datetime) -> Handled:
        left = self.service.ledger.unsubscribe(now, destination=f"mailto:{to}")
        for event_id, _ in left:
            self.service.ledger.audit(now, actor=f"mailto:{to}", action="unsubscribed",
                                      event_id=event_id, detail="by mail")
        if left:
            self.service.subscribers_changed()
        text = (f"Done: duebot sends no more reminders to {to}." if left else
                f"{to} was not subscribed to any reminders; nothing more will come.")
        self._queue(message, event, to, key, now, text + self._footer(event))
        return Handled("unsubscribed", f"{len(left)} subscription(s)", to)

    def _help(self, message: Message, event: Event, to: str, key: str, now: datetime,
              why: str) -> Handled:
        text = (f"Sorry, I could not answer your mail: {why}.\n\n"
                f"Please write again in a short plain-text mail, for example "
                f"\"When is the deadline?\" or \"How many pages?\"; or write \"subscribe\" to "
                f"get reminders of the important dates by mail.")
        self._queue(message, event, to, key, now, text + self._footer(event))
        return Handled("help", why, to)

    def _footer(self, event: Event) -> str:
        people = (f" A person: {event.contact.email}." if event.contact.email else "")
        return (f"\n\n-- \nduebot, the dates assistant of {event.name}. Ask me about the "
                f"dates; reply \"subscribe\" for reminders by mail.{people}\n")

    # -- replies --------------------------------------------------------------------------

    def _queue(self, message: Message, event: Event, to: str, key: str, now: datetime,
               text: str, *, subject: str = "", own_id: str = "") -> None:
        """Render the reply once and hand it to the ledger; the delivery loop sends it."""
        msgid, references = thread_ids(message)
        reply = EmailMessage(policy=default_policy)
        reply["From"] = Address(display_name=_one_line(event.name), addr_spec=self.config.address
                                or self.own[0])
        reply["To"] = Address(addr_spec=to)
        reply["Subject"] = _one_line(subject or reply_subject(_one_line(subject_of(message))))
        reply["Date"] = format_datetime(now)
        reply["Message-ID"] = own_id or message_id("reply:" + key, self.domain)
        if msgid:
            reply["In-Reply-To"] = msgid
            reply["References"] = " ".join(references)
        reply["Auto-Submitted"] = "auto-replied"
        reply["X-Auto-Response-Suppress"] = "All"  # Exchange: no out-of-office back to us
        reply["X-Loop"] = self.config.address or self.own[0]
        reply.set_content(text)
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
        planned = Planned(key=f"reply|{digest}|mailto:{to}", event_id=event.id, date_id="",
                          item_id=f"reply:{base_subject(str(reply['Subject']))[:200]}",
                          destination=f"mailto:{to}", due=now, kind="reply",
                          payload=json.dumps({"message": reply.as_string(), "envelope_from": ""},
                                             ensure_ascii=False))
        # Seen, counted and queued in one transaction: all of it, or none and a 451.
        if self.service.ledger.record(now, inbound=key, planned=planned, hits=[
                self._sender_hit(to), (BUDGET_KEY, BUDGET_WINDOW)]):
            self.service.wake()  # the delivery job sends it now, not at its next poll
        else:
            log.info("mail %s was handled meanwhile (another replica): not answered twice", key)

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


class _LmtpController(Controller):  # type: ignore[misc,unused-ignore]
    def factory(self) -> SMTP:
        return LMTP(self.handler, **self.SMTP_kwargs)


class MailListener:
    """The SMTP (or LMTP) listener a mail server or forwarding rule delivers to."""

    def __init__(self, bot: MailBot, host: str, port: int, *, lmtp: bool = False) -> None:
        cls = _LmtpController if lmtp else Controller
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
                 connect: Callable[[], imaplib.IMAP4] | None = None) -> None:
        self.bot = bot
        self.config = bot.config
        self.should_stop = should_stop
        self._connect = connect or self.connect
        self._client: imaplib.IMAP4 | None = None

    def connect(self) -> imaplib.IMAP4:
        c = self.config
        client: imaplib.IMAP4
        if c.imap_security == "ssl":
            client = imaplib.IMAP4_SSL(c.imap_host, c.imap_port,
                                       ssl_context=self.tls_context(), timeout=60)
        else:
            client = imaplib.IMAP4(c.imap_host, c.imap_port, timeout=60)
            if c.imap_security == "starttls":
                client.starttls(self.tls_context())
        client.login(c.imap_user, c.imap_password)
        return client

    def tls_context(self) -> ssl.SSLContext:
        """Verifying, against ``[mail] imap_ca_file`` when set (a private CA), else the
        system's CAs."""
        ca = self.config.imap_ca_file
        return ssl.create_default_context(cafile=str(ca) if ca is not None else None)

    def poll_once(self, client: imaplib.IMAP4) -> int:
        """Handle every unseen message once; returns how many. Stops at the first TryLater."""
        typ, data = client.select(_quote(self.config.imap_folder))
        if typ != "OK":
            raise imaplib.IMAP4.error(f"cannot select {self.config.imap_folder!r}: {data!r}")
        typ, data = client.uid("SEARCH", "UNSEEN")
        uids = data[0].split() if typ == "OK" and data and data[0] else []
        handled = 0
        for uid in uids:
            if self.should_stop():
                break
            typ, parts = client.uid("FETCH", uid.decode(), "(BODY.PEEK[])")
            raw = next((p[1] for p in parts or () if isinstance(p, tuple) and len(p) > 1
                        and isinstance(p[1], bytes)), None)
            if typ != "OK" or raw is None:
                log.warning("IMAP: could not fetch message %s: %r", uid, parts)
                continue
            try:
                self.bot.handle(raw, mail_from=None)
            except TryLater:
                break  # left unseen: the next poll tries again
            client.uid("STORE", uid.decode(), "+FLAGS", "(\\Seen)")
            handled += 1
        return handled

    def poll(self) -> None:
        """One run of the job: log in if needed, then handle what is unseen."""
        try:
            if self._client is None:
                self._client = self._connect()
            self.poll_once(self._client)
        except (imaplib.IMAP4.error, OSError) as exc:
            self.close()
            raise Waiting(f"IMAP {self.config.imap_host}: {exc}") from None

    def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(imaplib.IMAP4.error, OSError):
                client.logout()


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


# -- HTTP: confirm and one-click unsubscribe --------------------------------------------------

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<meta name="robots" content="noindex"><title>{title}</title></head>
<body style="font-family: sans-serif; max-width: 36em; margin: 3em auto">
<h1>{title}</h1>{body}</body></html>
"""


def _page(title: str, body: str, status: int = 200) -> Any:
    from starlette.responses import HTMLResponse

    return HTMLResponse(_PAGE.format(title=html.escape(title), body=body), status_code=status,
                        headers={"Cache-Control": "no-store"})


def http_routes(service: Running) -> list[Any]:
    """``GET /confirm/<token>`` (double opt-in) and ``GET``/``POST /unsubscribe/<token>``.

    A ``POST`` unsubscribes at once (RFC 8058 one-click: mail clients post
    ``List-Unsubscribe=One-Click``); a ``GET`` only shows a button, since link scanners
    fetch every link in a mail.
    """
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import Request
    from starlette.routing import Route

    def confirm(token: str) -> Any:
        now = service.clock()
        found = service.ledger.confirm(token, now)
        if found is None:
            return _page("Link not valid", "<p>This confirmation link is unknown, or the "
                         "subscription was cancelled. Write \"subscribe\" to subscribe "
                         "again.</p>", 404)
        event_id, destination = found
        service.ledger.audit(now, actor=destination, action="subscribe-confirmed",
                             event_id=event_id, detail="by link")
        service.subscribers_changed()
        event = service.events().get(event_id)
        name = event.name if event else event_id
        address = destination.split(":", 1)[1]
        return _page("Subscribed", f"<p>Reminders for {html.escape(name)} will come to "
                     f"{html.escape(address)}.</p><p>Every reminder has a link to stop "
                     f"them.</p>")

    def unsubscribe(token: str, one_click: bool) -> Any:
        now = service.clock()
        left = service.ledger.unsubscribe(now, token=token)
        for event_id, destination in left:
            service.ledger.audit(now, actor=destination, action="unsubscribed",
                                 event_id=event_id,
                                 detail="one-click" if one_click else "by link")
        if left:
            service.subscribers_changed()
        return _page("Unsubscribed", "<p>No more reminders will be sent to this address.</p>")

    async def confirm_endpoint(request: Request) -> Any:
        return await run_in_threadpool(confirm, str(request.path_params["token"]))

    async def unsubscribe_endpoint(request: Request) -> Any:
        token = str(request.path_params["token"])
        if request.method == "POST":
            body = (await request.body())[:4096].decode("utf-8", "replace")
            return await run_in_threadpool(unsubscribe, token,
                                           "List-Unsubscribe=One-Click" in body)
        action = html.escape(str(request.url.path), quote=True)
        return _page("Stop reminders?", f"<p>Stop the reminders sent to this address?</p>"
                     f"<form method=\"post\" action=\"{action}\"><input type=\"hidden\" "
                     f"name=\"List-Unsubscribe\" value=\"One-Click\"><button type=\"submit\">"
                     f"Unsubscribe</button></form>")

    return [Route("/confirm/{token}", confirm_endpoint, methods=["GET"]),
            Route("/unsubscribe/{token}", unsubscribe_endpoint, methods=["GET", "POST"])]
