"""duebot by e-mail, the conversation: what to answer a mail, and whether to answer at all.

The transports (``bot.adapters.mail_in``: the SMTP/LMTP listener, the IMAP job) hand each
message to ``MailConversation.handle`` with the time it came:

1. too large, unreadable, no reply address: kept as it came (``keep``, the spool) and answered
   with a short help text where there is someone to answer (not to an address longer than
   RFC 5321 allows: that one is only kept and logged);
2. a Message-ID seen before (``ledger.seen``): nothing (redelivery, a second replica);
3. auto-generated mail (RFC 3834, bounces, lists, our own address) or a sender the MTA's
   ``Authentication-Results`` call forged: nothing, logged;
4. more than ``rate_limit`` mails from one sender in the window, or more replies from all
   senders than ``reply_budget`` in the hour (counted in the database, so a restart does not
   reset them): nothing, logged;
5. subscribe / unsubscribe / confirm (``bot.app.subscriptions``), a settings command
   (``bot.app.preferences``), or a question answered by ``bot.core.ask.answer``.

The Message-ID is marked seen in the same transaction that queues the reply
(``ledger.record``): if the database fails in between, neither is written and the transport
tells the sender to retry (451).

Replies are not sent here: each is rendered once and put in the ledger as a delivery of kind
``reply`` (the message in its payload), which the delivery loop sends through ``[smtp]`` with
the usual retries. A reply that cannot go now is retried, and nothing is lost in a crash.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage, Message
from email.parser import BytesHeaderParser, BytesParser
from email.policy import default as default_policy
from email.utils import format_datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.app import preferences as settings
from bot.app import subscriptions, threads
from bot.app.threads import Conversation
from bot.config import MailConfig
from bot.core.digest import message_id, short_digest
from bot.core.language import N_, Language
from bot.core.mail_parse import (
    auto_reason,
    base_subject,
    body_text,
    date_zone,
    intent_of,
    problems,
    question_of,
    reader_zone,
    reply_address,
    reply_subject,
    sender_address,
    strip_quotes,
    subject_of,
    thread_ids,
)
from bot.core.model import Event
from bot.core.zones import Zone
from bot.errors import DuebotError
from bot.ports import Planned

if TYPE_CHECKING:
    from bot.app.running import Running

__all__ = ["BUDGET_KEY", "BUDGET_WINDOW", "Handled", "Keep", "MailConversation", "TryLater"]

log = logging.getLogger("duebot.mail")

_CONFIRM_ID = re.compile(r"<confirm\.([A-Za-z0-9_-]{16,64})@")
_HEADER_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
BUDGET_KEY = "mail-replies"
"""The ledger's hit key counting every reply and confirmation, for ``reply_budget``."""
BUDGET_WINDOW = timedelta(hours=1)
ECHOES = 2
"""Answers to the same words from one sender, in reply to ours, before we stop: a person may
ask again once; a bot that answers every mail repeats itself (``_echoes_us``)."""
ECHO_WINDOW = timedelta(days=1)
MAX_PATH = 254
"""The longest address a reply can go to: RFC 5321's path (4.5.3.1.3), angle brackets off.
Longer ones are not answered (their ``mailto:`` would not fit ``deliveries.destination``)."""

Keep = Callable[[bytes, datetime], Path | None]
"""Keeps a raw message as it came (the spool); returns where, or None if it could not."""


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


class MailConversation:
    """One mailbox's worth of duebot; thread-safe (the ledger is the only shared state)."""

    def __init__(self, service: Running, *, keep: Keep) -> None:
        self.service = service
        self.config: MailConfig = service.config.mail
        self._keep = keep
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

    def handle(self, raw: bytes, mail_from: str | None, rcpt_tos: Sequence[str],
               now: datetime) -> Handled:
        """Decide about one inbound message and queue its reply, if any.

        ``mail_from`` is the envelope sender when known (``""`` for a bounce's ``<>``). A
        ledger that cannot record raises; the transport makes that a 451 for the sender.
        """
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
        if len(to) > MAX_PATH:  # no server would take it; the reply's destination overflows
            path = self._keep(raw, now)
            log.warning("mail %s: its reply address (%s...) has %d characters, more than the "
                        "%d RFC 5321 allows in a path: not answered, kept as %s",
                        msgid or key, to[:40], len(to), MAX_PATH, path)
            ledger.record(now, inbound=key)
            return Handled("kept", f"reply address over {MAX_PATH} characters")
        faults = [f"{len(raw)} bytes, over the limit of {self.config.max_bytes}"] \
            if too_large else problems(message)
        if not sender_address(message):  # kept as it came, but answered where we can
            faults.append("no readable From")
        if faults or not to:
            path = self._keep(raw, now)
            log.warning("malformed mail %s (%s) from %s: kept as %s", msgid or "(no Message-ID)",
                        "; ".join(faults) or "no From or Reply-To", to or "nobody", path)
            if not to:
                ledger.record(now, inbound=key)
                return Handled("kept", "no reply address")
        if not self._within_rate(to, now):
            left = self._leave_unanswered(message, to, rcpt_tos, now)
            ledger.record(now, inbound=key, hits=[self._sender_hit(to)])
            return Handled("limited", f"over {self.config.rate_limit} per "
                                      f"{self.config.rate_window}{left}", to)
        if not self._within_budget(now):
            left = self._leave_unanswered(message, to, rcpt_tos, now)
            ledger.record(now, inbound=key, hits=[self._sender_hit(to)])
            return Handled("limited", f"over the reply budget of {self.config.reply_budget} "
                                      f"per hour{left}", to)
        event = self._event(message)
        if event is None:
            path = self._keep(raw, now)
            log.error("no schedule is loaded: kept mail from %s as %s", to, path)
            ledger.record(now, inbound=key, hits=[self._sender_hit(to)])
            return Handled("kept", "no schedule loaded", to)
        if too_large:
            return self._help(message, event, to, key, now, N_("it was larger than %(kb)s kB"),
                              kb=self.config.max_bytes // 1000)
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
        if self._echoes_us(references[:-1] if msgid else references, to, message, now):
            log.info("not answering mail %s from %s: it replies to our reply with what it "
                     "sent %d times already (another bot answering us: a loop)",
                     msgid or key, to, ECHOES)
            ledger.record(now, inbound=key, hits=[self._sender_hit(to)])
            return Handled("ignored", "the same text again in reply to our reply: a loop", to)
        if not question.strip():
            return self._help(message, event, to, key, now,
                              N_("I could not find a question in it") if not faults
                              else N_("I could not read it"))
        # The body on its own first: a subject such as "Can you change my zone?" above
        # "my zone is Asia/Tokyo" must not make the command a question.
        said = strip_quotes(body_text(message)).strip()
        tuned = None
        for text in dict.fromkeys(t for t in (said, question.strip()) if t):
            tuned = settings.handle(self.service, event, f"mailto:{to}", text, now,
                                    subscribe_if_needed=False,
                                    settings_url=self.service.config.http.base_url)
            if tuned is not None:
                break
        if tuned is not None:
            self._queue(message, event, to, key, now,
                        tuned.text + self._footer(event, self._speaking(message, event, to)))
            return Handled("answered", "preferences", to)
        zone = reader_zone(question) or self._sent_in(message, event)
        # A follow-up in the same thread ("and in IST?") reads against the thread's last
        # question about this event (one reading per event, as on Slack).
        from bot.core.ask import answer  # here: importing the reader costs ~0.1 s a start

        looked_up, kept = self._thread_keys(msgid, references, to, key, event)
        context = next((found for found in (threads.context_of(
            self.service.ledger, where, event.id, now) for where in looked_up) if found), None)
        reply = answer(question, event, now=now, reader=zone, context=context)
        for where in kept:
            threads.remember(self.service.ledger, where, event.id, reply.context, now)
        log.info("answering %s from %s (%s%s)", msgid or key, to, reply.intent,
                 f", reader in {zone.key}" if zone else "")
        # The signature in the answer's own language (the question's), not beside it in another.
        self._queue(message, event, to, key, now,
                    reply.text + self._footer(event, settings.speaking(self.service,
                                                                       reply.language)))
        return Handled("answered", reply.intent, to)

    # -- decisions ------------------------------------------------------------------------

    def _thread_keys(self, msgid: str, references: Sequence[str], to: str, key: str,
                     event: Event) -> tuple[list[str], list[str]]:
        """Where this mail's thread reading is looked up, and where this answer's is kept.

        Kept under the thread's first message and under our reply's own Message-ID; looked
        up under the message it replies to, then the first. So a reply that carries only
        ``In-Reply-To`` (some mobile and web clients) finds the answer it replies to, and
        one with the whole ``References`` the latest answer it saw."""
        def at(where: str) -> str:
            found = Conversation.of("mail", to.lower(), where)
            return found.key_for(event.id) if found else ""

        earlier = list(references[:-1] if msgid else references)
        looked_up = [at(earlier[-1])] if earlier else []
        if references:
            looked_up.append(at(references[0]))
        kept = [at(references[0])] if references else []
        kept.append(at(message_id("reply:" + key, self.domain)))
        return list(dict.fromkeys(k for k in looked_up if k)), list(dict.fromkeys(
            k for k in kept if k))

    def _leave_unanswered(self, message: Message, to: str, rcpt_tos: Sequence[str],
                          now: datetime) -> str:
        """An unsubscribe over the limits is done all the same, only not answered: the
        limits bound what we send, and "stop the reminders" dropped would mean more mail to
        someone who asked for none. Returns what to add to the log's reason."""
        if intent_of(message, recipients=rcpt_tos, own=self.own,
                     confirming=False) != "unsubscribe":
            return ""
        left = subscriptions.unsubscribe(self.service, now, destination=f"mailto:{to}",
                                         detail="by mail, over the rate limit: not answered")
        log.info("unsubscribed %s (%d subscription(s)) without an answer: over the limits",
                 to, len(left))
        return f"; unsubscribed {len(left)}, unanswered"

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

    def _echo_hit(self, sender: str, message: Message) -> tuple[str, timedelta]:
        """The new text of a sender's mail, as a key: numbers out (a ticket bot counts its
        tickets), the subject out (a reply's differs from the first mail's)."""
        text = strip_quotes(body_text(message))
        words = " ".join(re.sub(r"\d+", "#", text).casefold().split())
        return f"mail-said:{sender.lower()}:{short_digest(words)}", ECHO_WINDOW

    def _echoes_us(self, earlier: Sequence[str], sender: str, message: Message,
                   now: datetime) -> bool:
        """This mail replies to one of our mails and says what the sender said ``ECHOES``
        times already: another bot that answers every mail (without RFC 3834's headers)."""
        if not any(ref.endswith(f"@{self.domain}>") for ref in earlier):
            return False
        key, window = self._echo_hit(sender, message)
        return self.service.ledger.hits(key, now, window=window) >= ECHOES

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

    @staticmethod
    def _sent_in(message: Message, event: Event) -> Zone | None:
        """The offset the mail's ``Date`` was written in, when the question names no zone
        and it is not the event's own then (a participant in Beijing writes ``+0800``: the
        answer gives UTC+08:00 beside the event's zone; one in California, just the event's).
        """
        found = date_zone(message)
        if found is None:
            return None
        zone, sent = found
        return None if sent.astimezone(event.zone.tz).utcoffset() == sent.utcoffset() \
            else zone

    def _speaking(self, message: Message, event: Event, to: str) -> Language:
        """The language to answer in: the one the subscriber chose, else the one their mail
        asks for or is written in ("my language is zh", Chinese characters), else English."""
        _, prefs = settings.current(self.service.ledger, event.id, f"mailto:{to}")
        return settings.speaking(self.service, prefs.language or self._said(message, event))

    @staticmethod
    def _said(message: Message, event: Event) -> str | None:
        """The language the mail asks for or is written in; None when it says neither."""
        return settings.language_said(
            f"{base_subject(subject_of(message))}\n{question_of(message)}", event)

    def _subscribe(self, message: Message, event: Event, to: str, key: str,
                   now: datetime) -> Handled:
        lang = self._speaking(message, event, to)  # before: a pending subscriber has no choice
        _ = lang.gettext
        state, token = subscriptions.subscribe(self.service, event.id, f"mailto:{to}", now,
                                               source="mail", confirmed=False)
        base = self.service.config.http.public_url
        values = {"event": event.name, "address": to}
        note = ""
        if state != "active":  # a new subscriber: the language they wrote in is their choice
            note = settings.language_note(self.service, settings.adopt_language(
                self.service, event, f"mailto:{to}", self._said(message, event), now))
        if state == "active":
            text = (_("You are already subscribed: reminders for %(event)s come to "
                      "%(address)s.") % values + "\n\n" + self._stop_them(lang, token))
            self._queue(message, event, to, key, now, text + self._footer(event, lang))
            return Handled("subscribe", "already active", to)
        text = (_("Someone, hopefully you, asked for reminders of the important dates of "
                  "%(event)s to be sent to %(address)s.") % values + "\n\n"
                + _("To confirm, open this link:") + f"\n\n    {base}/confirm/{token}\n\n"
                + _("or reply \"yes\" to this mail. If it was not you, ignore this mail: "
                    "nothing more will be sent.") + (f"\n\n{note}" if note else ""))
        self._queue(message, event, to, key, now, text + self._footer(event, lang),
                    subject=_("Confirm: reminders for %(event)s") % values,
                    own_id=f"<confirm.{token}@{self.domain}>")
        return Handled("subscribe", "confirmation sent", to)

    def _stop_them(self, lang: Language, token: str) -> str:
        url = f"{self.service.config.http.public_url}/unsubscribe/{token}"
        return lang.gettext("To stop them, open %(url)s or reply \"unsubscribe\".") % {
            "url": url}

    def _confirm(self, message: Message, event: Event, to: str, key: str, now: datetime,
                 tokens: Sequence[str]) -> Handled:
        ledger = self.service.ledger
        for candidate in self.service.events().values():
            token = ledger.subscriber_token(candidate.id, f"mailto:{to}")
            row = ledger.subscriber(token) if token is not None and token in tokens else None
            if token is not None and row is not None and subscriptions.confirm(
                    self.service, token, now, detail="by reply"):
                note = ""
                if row["state"] == "pending":  # "确认" to an English "subscribe": Chinese
                    note = settings.language_note(self.service, settings.adopt_language(
                        self.service, candidate, f"mailto:{to}",
                        settings.language_said(question_of(message), candidate), now))
                lang = self._speaking(message, candidate, to)
                text = (lang.gettext("Confirmed: reminders for %(event)s will come to "
                                     "%(address)s.") % {"event": candidate.name, "address": to}
                        + "\n\n" + self._stop_them(lang, token)
                        + (f"\n\n{note}" if note else ""))
                self._queue(message, candidate, to, key, now,
                            text + self._footer(candidate, lang))
                return Handled("confirmed", candidate.id, to)
        return self._help(message, event, to, key, now, N_(
            "it confirms a subscription of another address (or one that was cancelled)"))

    def _unsubscribe(self, message: Message, event: Event, to: str, key: str,
                     now: datetime) -> Handled:
        lang = self._speaking(message, event, to)  # before: their choices go with them
        left = subscriptions.unsubscribe(self.service, now, destination=f"mailto:{to}",
                                         detail="by mail")
        text = (lang.gettext("Done: duebot sends no more reminders to %(address)s.") if left
                else lang.gettext("%(address)s was not subscribed to any reminders; nothing "
                                  "more will come.")) % {"address": to}
        self._queue(message, event, to, key, now, text + self._footer(event, lang))
        return Handled("unsubscribed", f"{len(left)} subscription(s)", to)

    def _help(self, message: Message, event: Event, to: str, key: str, now: datetime,
              why: str, **values: object) -> Handled:
        """``why``: an English message (marked ``N_``) and its ``values``, said in the
        sender's language; the log keeps the English."""
        lang = self._speaking(message, event, to)
        _ = lang.gettext
        text = (_("Sorry, I could not answer your mail: %(why)s.") % {"why": _(why) % values}
                + "\n\n"
                + _("Please write again in a short plain-text mail, for example \"When is the "
                    "deadline?\" or \"How many pages?\"; or write \"subscribe\" to get "
                    "reminders of the important dates by mail."))
        self._queue(message, event, to, key, now, text + self._footer(event, lang))
        return Handled("help", why % values, to)

    def _footer(self, event: Event, lang: Language) -> str:
        _ = lang.gettext
        people = (" " + _("A person: %(email)s.") % {"email": event.contact.email}
                  if event.contact.email else "")
        return ("\n\n-- \n" + _("duebot, the dates assistant of %(event)s. Ask me about the "
                                  "dates; reply \"subscribe\" for reminders by mail.")
                % {"event": event.name} + f"{people}\n")

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
        planned = Planned(key=f"reply|{short_digest(key)}|mailto:{to}", event_id=event.id,
                          date_id="",
                          item_id=f"reply:{base_subject(str(reply['Subject']))[:200]}",
                          destination=f"mailto:{to}", due=now, kind="reply",
                          payload=json.dumps({"message": reply.as_string(), "envelope_from": ""},
                                             ensure_ascii=False))
        # Seen, counted and queued in one transaction: all of it, or none and a 451.
        if self.service.ledger.record(now, inbound=key, planned=planned, hits=[
                self._sender_hit(to), (BUDGET_KEY, BUDGET_WINDOW),
                self._echo_hit(to, message)]):
            self.service.wake()  # the delivery job sends it now, not at its next poll
        else:
            log.info("mail %s was handled meanwhile (another replica): not answered twice", key)
