"""E-mail over SMTP with the standard library: one message per delivery, one session per batch.

The channel builds the e-mail (text, optional HTML alternative, optional ``.ics`` attachment)
whose ``Message-ID`` is derived from the delivery key, and sends it over one SMTP session that
is opened on the first send and reused until ``close()``. A fan-out sends the same content to
thousands of addresses, so the MIME content is serialized once per distinct content and only
the per-recipient headers are folded per message; the bytes are those one ``EmailMessage``
holding everything would give (``tests/test_smtp_wire.py`` holds the two side by side).
Every failure is mapped to an ``Outcome`` here, once, so the engine never sees an ``smtplib``
exception:

- 250 after DATA: ``sent`` (``remote_id`` = the server's queue id when it names one).
  Some recipients refused, others accepted: ``sent``, and ``reason`` names the refused ones.
- 4xx at MAIL, RCPT or DATA, 421 anywhere, connection refused or lost, timeout, TLS trouble:
  ``retry``; the connection is dropped and the next send reconnects. When the server as a whole
  is away (no connection, no greeting, 421, lost before ``MAIL FROM``) the retry is marked
  ``server_down``: it uses up none of the delivery's attempts (``bot.app.delivery``).
- No answer to the final dot (a timeout), or a send cut at its deadline once MAIL was
  answered: ``Outcome.silence``, a counted retry (the message may have been delivered) after
  which the engine holds the run's other deliveries to this server for its next try, so a
  server that takes each message and never answers costs one timeout a session, not one a
  message. (Silence at RCPT may be one recipient's: an ordinary counted retry.)
- 5xx at MAIL, at DATA, or at RCPT for every recipient: ``dead``, with the server's words
  ("550 5.1.1 mailbox unavailable"); the session is kept after RSET.
- 530/534/535/538 or refused credentials; 5xx at the greeting, EHLO or STARTTLS; STARTTLS or
  AUTH not offered; a certificate we do not trust: ``stop``. The channel cannot work as
  configured and an operator must act (we never fall back to sending in clear).

A connection that the server closed while we were idle is noticed at ``MAIL FROM`` (nothing of
the message has been transmitted yet) and is reopened once, transparently.

A server that offers PIPELINING (RFC 2920; Postfix and most relays do) gets ``MAIL``, every
``RCPT`` and ``DATA`` in one write and answers them together: two round trips a message instead
of four, a quarter to a third less time a message against a fast server. The message itself
still goes only after the server's 354, and the outcomes are the same as one command at a time
(``tests/test_smtp.py`` runs every failure both ways). The message goes in one write too, made
transparent once per content (RFC 5321 4.5.2: CRLF line ends, a leading dot doubled) with its
final dot; the per-recipient headers never start a line with a dot.

When the caller knows the message it sends next (``send_overlapped``'s ``upcoming``), that
message's MAIL, RCPT and DATA follow this one's final dot in the same write (RFC 2920 lets
message content open a group), and its send finds the answers waiting: one round trip a
message. This message's verdict is still the 250 to its own dot, read before anything of the
next; the next message's answers are read in its own send, after ``meanwhile`` (so a 354 that
never comes holds up only that message), and mapped exactly as above. The transaction left open
is in DATA, where RSET and QUIT would be message text: a refused dot, a send for another
envelope, or ``close()`` closes that connection instead, and a message without its final dot
is discarded by the server. A server that hangs up after the 250, having read on into the next
envelope, is reconnected to as when it closed an idle session, and so is one that ended the
session while the open envelope waited for a slow next message (an idle timeout: its 421, or
the end, after the 354): that is looked for before the body goes
(``tests/test_smtp_next_envelope.py`` misbehaves at each point of the group).

The crash window. The ledger records a delivery as sent only after ``send`` returns, and the
server has taken responsibility for the message as soon as it answers 250 to the final dot of
DATA. If the process dies (or the ledger write fails) between those two instants, the ledger
still holds the delivery as claimed, its lease expires, and it is sent again: the recipient gets
a duplicate. The same holds when the server stalls after the final dot and we time out (it may
still deliver; RFC 1047). This is the one place where duebot can send twice; no SMTP client can
close it, because the server's 250 and our record cannot be one atomic step. The window stays
narrow if the engine records the outcome before the session's next final dot (with
``send_overlapped`` it is written before the next message goes: never more than one message a
session accepted and unrecorded, ``tests/test_overlapped_record.py``), and a duplicate is
recognizable: the ``Message-ID`` is a hash of the delivery key, so a resent copy carries the
same ``Message-ID`` and ``X-Duebot-Key`` as the first, and mail stores or list servers that drop
repeated Message-IDs can collapse the two.

Sessions. The channel keeps a pool of up to ``connections`` SMTP sessions and is safe to call
from that many threads at once (``concurrency`` tells the engine so): each ``send`` takes an
idle session (or opens one), carries one message on it, and puts it back unless it failed.
A relay that takes 50 ms a message carries about 20 a second per session, so the pool, not
the client, sets the pace. Each session's messages stay one at a time, so the crash window is
still one message per session in flight, recorded before that session's next final dot.
"""

from __future__ import annotations

import contextlib
import email.policy
import logging
import re
import select
import smtplib
import socket
import ssl
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime
from types import TracebackType
from typing import TYPE_CHECKING, Literal, NamedTuple, TypeVar

from bot.adapters import send_deadline
from bot.config import SmtpConfig
from bot.core.digest import message_id
from bot.errors import ConfigError, DuebotError, Problem
from bot.ports import Outcome, Outgoing

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

__all__ = ["InvalidRecipient", "SmtpChannel", "SmtpSettings", "message_id"]

log = logging.getLogger(__name__)

# C0 and C1 controls, DEL, and the Unicode line/paragraph separators: none may reach a header.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_QUEUE_ID = re.compile(r"(?:queued as|\bid=)\s*([^\s;,]+)", re.IGNORECASE)
# Replies that mean "you are not (properly) authenticated": no other message will fare better.
_AUTH_CODES = frozenset({530, 534, 535, 538})
_WIRE_POLICY = email.policy.default.clone(linesep="\r\n")
# Unstructured headers (no syntax inside) that duebot writes per message, and when such a
# value is folded to itself; a bare dot-atom address. Each is a shortcut around the email
# package's parser for the common case; tests check it gives the same bytes as the parser.
_UNSTRUCTURED = frozenset({"subject", "x-duebot-key", "list-unsubscribe"})
_PLAIN_TEXT = re.compile(r"[!-~]+")
_PLAIN_ADDRESS = re.compile(r"([A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*)"
                            r"@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
_MAX_LINE = 78  # the policy's max_line_length
# DATA's transparency (RFC 5321 2.3.8, 4.5.2): lines end in CRLF (a bare CR or LF becomes
# one) and a line's leading dot is doubled.
_LINE_END = re.compile(rb"\r\n|\r|\n")
_PERIOD_AT_START = re.compile(rb"(?m)^\.")
# Distinct contents (with their Subject) kept serialized: a batch rarely holds more.
_CACHE_SIZE = 64
# A bare address as the envelope takes it between < and > (smtplib.quoteaddr, without its
# general parser): the usual case, checked against quoteaddr in the tests.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_ENVELOPE_ADDRESS = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*")


DEADLINE_FACTOR = 4
"""A send (opening the session when it needs one, then its message) ends within this many
``timeout``s. ``timeout`` bounds each read; a server that trickles its answers, each byte
inside it, would hold a session for hours without this (``_Deadlines``)."""

SmtpSettings = SmtpConfig
"""The channel takes ``[smtp]`` as the config loader built it: one type, no field-by-field copy."""


class InvalidRecipient(DuebotError):
    """A ``mailto:`` destination that is not a usable list of e-mail addresses."""


def _fold(name: str, value: object) -> bytes:
    """One header as ``EmailMessage`` would write it: parsed, checked and folded by the policy
    (encoded words for non-ASCII, a ValueError for CR or LF in a value)."""
    if (isinstance(value, str) and name.lower() in _UNSTRUCTURED and _plain(name, value)):
        return f"{name}: {value}\r\n".encode("ascii")  # what the policy makes of it, faster
    name, header = _WIRE_POLICY.header_store_parse(name, value)
    return _WIRE_POLICY.fold_binary(name, header)


def _plain(name: str, value: str) -> bool:
    """Printable ASCII without spaces or encoded words, short: folded by the policy as is."""
    return (len(name) + len(value) + 2 <= _MAX_LINE and _PLAIN_TEXT.fullmatch(value) is not None
            and "=?" not in value)


def _plain_address(text: str) -> Address | None:
    """A bare ``user@example.org`` (the usual destination), without the general parser."""
    found = _PLAIN_ADDRESS.fullmatch(text)
    return Address(username=found[1], domain=found[2]) if found else None


def _one_line(text: str) -> str:
    """Header text with each run of control characters turned into a space: no way out."""
    return _CONTROL.sub(" ", text).strip()


def _transparent(raw: bytes) -> bytes:
    """``raw`` as DATA carries it: CRLF line ends only, leading dots doubled, a final CRLF
    (the terminating ``.`` CRLF is the caller's)."""
    lines = _PERIOD_AT_START.sub(b"..", _LINE_END.sub(b"\r\n", raw))
    return lines if lines.endswith(b"\r\n") else lines + b"\r\n"


def _envelope_address(address: str) -> bytes:
    """``<address>`` for MAIL FROM or RCPT TO; the null return path is ``<>``."""
    if not address or _ENVELOPE_ADDRESS.fullmatch(address):
        return f"<{address}>".encode("ascii")
    return smtplib.quoteaddr(address).encode("ascii")


class _Content(NamedTuple):
    """One content serialized: its shared headers, the MIME part as is and as DATA sends it."""

    shared: bytes
    """Reply-To (when set) and Subject, folded: the same for every recipient of it."""
    plain: bytes
    wire: bytes
    """``plain`` made transparent, with the final ``.`` CRLF."""
    ascii: bool


class _Data(NamedTuple):
    """One message as DATA sends it, its size before transparency, and whether it is ASCII."""

    wire: bytes
    size: int
    ascii: bool


def _text(address: bytes) -> str:
    """An envelope address as the reasons name it: without its angle brackets."""
    return address.decode("ascii").removeprefix("<").removesuffix(">")


def _server_words(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    return " ".join(_one_line(text).split())


def _reply_text(code: int, reply: bytes | str) -> str:
    words = _server_words(reply)
    return f"{code} {words}".strip() if code > 0 else words


def _accepted(code: int, reply: bytes, refused: dict[str, tuple[int, bytes]]) -> Outcome:
    """The 250 after DATA: sent, with the server's queue id and any recipients it refused."""
    words = _reply_text(code, reply)
    found = _QUEUE_ID.search(words)
    note = words
    if refused:
        note += "; refused: " + "; ".join(
            f"{r}: {_reply_text(c, t)}" for r, (c, t) in refused.items())
    return Outcome.sent(remote_id=found.group(1) if found else "", reason=note)


def _outcome(kind: Literal["retry", "dead", "stop"], reason: str) -> Outcome:
    return Outcome(kind=kind, reason=reason)


def _parse_addresses(text: str, *, what: str) -> tuple[Address, ...]:
    """Addresses from ``Name <a@b>, c@d``; anything odd is refused rather than guessed."""
    if _CONTROL.search(text):
        raise ValueError(f"{what} {text!r} contains control characters")
    if not text.strip():
        raise ValueError(f"{what} is empty")
    try:
        header = email.policy.default.header_factory("To", text)
    except (IndexError, ValueError, TypeError, AttributeError) as exc:
        # The standard parser trips over some malformed input ("user@") instead of flagging it.
        raise ValueError(f"{what} {text!r} is not an e-mail address") from exc
    addresses: tuple[Address, ...] = getattr(header, "addresses", ())
    if header.defects or not addresses:
        found = "; ".join(str(d) for d in header.defects) or "no address found"
        raise ValueError(f"{what} {text!r} is not an e-mail address ({found})")
    for address in addresses:
        if not address.username or not address.domain or "." not in address.domain.strip("."):
            raise ValueError(f"{what} {text!r}: {address.addr_spec!r} is not user@domain")
        if not address.addr_spec.isascii():
            raise ValueError(f"{what} {text!r}: non-ASCII addresses are not supported "
                             f"(write the domain in punycode)")
    return addresses


def _config_error(field: str, message: str) -> ConfigError:
    return ConfigError([Problem(message=message, field=field)])


class SmtpChannel:
    """The ``mailto:`` channel: builds the e-mail for an ``Outgoing`` and hands it to SMTP."""

    scheme = "mailto"
    builds_ahead = True
    """``send_overlapped`` takes ``following``: the next message, built while the server
    reads this one's final dot."""

    def __init__(self, settings: SmtpSettings, *,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.settings = settings
        self._clock = clock
        if settings.connections < 1:
            raise _config_error("smtp.connections", f"{settings.connections}: expected 1 or more")
        self.concurrency = settings.connections
        """How many ``send`` calls may run at once (the engine's workers for ``mailto:``)."""
        self._idle: list[smtplib.SMTP] = []
        # Per thread: a session whose next envelope is open (``send_overlapped``'s upcoming).
        self._primed: dict[int, tuple[smtplib.SMTP, _Envelope]] = {}
        # Per thread: the next message made ready while the server read the last final dot.
        self._ready: dict[int, tuple[Outgoing, _Data, tuple[bytes, ...]]] = {}
        self._slots = threading.BoundedSemaphore(settings.connections)
        self._lock = threading.Lock()  # the idle list and the serialized-content cache
        try:
            senders = _parse_addresses(settings.sender, what="sender")
        except ValueError as exc:
            raise _config_error("smtp.sender", f"{exc}; expected e.g. "
                                "\"AI Systems Workshop <noreply@example.org>\"") from None
        if len(senders) != 1:
            raise _config_error("smtp.sender", f"{settings.sender!r}: give exactly one address")
        self._sender = senders[0]
        self._sender_envelope = _envelope_address(self._sender.addr_spec)
        self._reply_to: tuple[Address, ...] = ()
        if settings.reply_to:
            try:
                self._reply_to = _parse_addresses(settings.reply_to, what="reply_to")
            except ValueError as exc:
                raise _config_error("smtp.reply_to", str(exc)) from None
        self._unsubscribe, self._one_click = _unsubscribe_header(settings.list_unsubscribe)
        # Headers that are the same in every message of this channel, folded once.
        self._fixed: dict[str, bytes] = {
            "From": _fold("From", self._sender),
            "Auto-Submitted": _fold("Auto-Submitted", "auto-generated"),
            "List-Unsubscribe-Post": _fold("List-Unsubscribe-Post",
                                           "List-Unsubscribe=One-Click"),
        }
        if self._reply_to:
            self._fixed["Reply-To"] = _fold("Reply-To", self._reply_to)
        if self._unsubscribe:
            self._fixed["List-Unsubscribe"] = _fold("List-Unsubscribe", self._unsubscribe)
        self._dates: tuple[tuple[int, timedelta | None], bytes] | None = None
        # Ids differ only in 32 hex digits: if one is folded as is, all of them are.
        sample = message_id("", self._sender.domain)
        self._plain_message_id = _fold("Message-ID", sample) == (
            f"Message-ID: {sample}\r\n".encode("ascii"))
        self._contents: OrderedDict[tuple[str, str, str, bytes, str], _Content] = OrderedDict()
        if settings.security not in ("none", "starttls", "ssl"):
            raise _config_error("smtp.security", f"{settings.security!r}: expected none, "
                                "starttls or ssl")
        if not 0 < settings.port < 65536:
            raise _config_error("smtp.port", f"{settings.port}: expected 1..65535")
        if not settings.timeout > 0:
            raise _config_error("smtp.timeout", f"{settings.timeout}: expected seconds > 0")
        self._deadlines = _Deadlines(DEADLINE_FACTOR * settings.timeout)

    # -- building -------------------------------------------------------------------------

    def recipients(self, message: Outgoing) -> tuple[Address, ...]:
        """The envelope recipients of a ``mailto:`` destination; ``InvalidRecipient`` if none."""
        return self._recipients_of(message.destination)

    def _recipients_of(self, destination: str) -> tuple[Address, ...]:
        scheme, colon, address = destination.partition(":")
        if scheme != self.scheme or not colon:
            raise InvalidRecipient(f"invalid address {destination!r}: not a mailto: "
                                   "destination")
        if "?" in address:
            raise InvalidRecipient(f"invalid address {destination!r}: mailto: "
                                   "query parts are not supported")
        plain = _plain_address(address)
        if plain is not None:
            return (plain,)
        try:
            return _parse_addresses(address, what="recipient")
        except ValueError as exc:
            raise InvalidRecipient(f"invalid address: {exc}") from None

    def build(self, message: Outgoing) -> EmailMessage:
        """The e-mail for one delivery, parsed back from the very bytes ``send`` would send."""
        raw = self.wire_bytes(message)
        # Parsed as a mail reader sees it (local line endings), so content compares plainly.
        return BytesParser(policy=email.policy.default).parsebytes(raw.replace(b"\r\n", b"\n"))

    def wire_bytes(self, message: Outgoing) -> bytes:
        """The e-mail for one delivery as it goes over SMTP (CRLF line endings)."""
        return self._compose(message, self.recipients(message))

    def _compose(self, message: Outgoing, recipients: tuple[Address, ...]) -> bytes:
        """Per-recipient headers, then the MIME content shared by every recipient of it.

        A fan-out sends one reminder to thousands of addresses: the content (parts, encodings,
        boundary) is built and serialized once per distinct content, and only the headers
        below are folded per message. The bytes equal what an ``EmailMessage`` holding all
        of it would give with the same policy: headers in this order, then the content's.
        """
        lines, content = self._headers_of(message, self._to(recipients))
        lines.append(content.plain)
        return b"".join(lines)

    def _data(self, message: Outgoing, to: bytes) -> _Data:
        """What DATA carries for ``_compose``'s e-mail: the same bytes made transparent
        (RFC 5321 4.5.2), ending in CRLF.CRLF. Only the shared content needs it: every header
        line starts with its name or, folded, with a space, never with a dot, and ends in CRLF
        (``tests/test_smtp_wire.py`` holds this against ``_transparent`` of the whole)."""
        lines, content = self._headers_of(message, to)
        size = sum(map(len, lines)) + len(content.plain)
        lines.append(content.wire)
        return _Data(b"".join(lines), size, content.ascii)

    def _headers_of(self, message: Outgoing, to: bytes) -> tuple[list[bytes], _Content]:
        """The header lines of one message (each folded, CRLF-terminated) and its content;
        ``to``: its To header, folded.

        What every recipient of one content shares (Reply-To, Subject, and the content) is
        looked up once; per recipient only To, Message-ID, the own List-Unsubscribe and
        X-Duebot-Key are made, and Date once per second of the clock.
        """
        now = self._clock()
        if now.tzinfo is None or now.utcoffset() is None:
            raise ValueError(f"naive datetime from the clock: {now!r}")
        content = self._content(message)
        fixed = self._fixed
        lines = [fixed["From"], to, content.shared, self._date(now),
                 self._message_id(message.key), fixed["Auto-Submitted"]]
        own = message.list_unsubscribe
        if own:  # this recipient's own link (a subscriber)
            try:
                unsubscribe, one_click = _unsubscribe_header(own)
            except ConfigError:
                log.warning("ignoring a malformed list_unsubscribe for %s", message.key)
                own = ""
            else:
                if unsubscribe:
                    lines.append(_fold("List-Unsubscribe", unsubscribe))
                    if one_click:
                        lines.append(fixed["List-Unsubscribe-Post"])
        if not own and "List-Unsubscribe" in fixed:
            lines.append(fixed["List-Unsubscribe"])
            if self._one_click:
                lines.append(fixed["List-Unsubscribe-Post"])
        key = message.key
        if len(key) <= _MAX_LINE - 14 and _PLAIN_TEXT.fullmatch(key) and "=?" not in key:
            lines.append(b"X-Duebot-Key: %s\r\n" % key.encode("ascii"))  # as _fold makes it
        else:
            lines.append(_fold("X-Duebot-Key", _one_line(key)))
        return lines, content

    def _date(self, now: datetime) -> bytes:
        """The Date header, folded once per second (it shows whole seconds and the offset)."""
        key = (int(now.timestamp()), now.utcoffset())
        found = self._dates
        if found is None or found[0] != key:
            found = self._dates = (key, _fold("Date", format_datetime(now)))
        return found[1]

    def _to(self, recipients: tuple[Address, ...]) -> bytes:
        if len(recipients) == 1 and not recipients[0].display_name:
            addr_spec = recipients[0].addr_spec
            if len(addr_spec) + 4 <= _MAX_LINE and _PLAIN_ADDRESS.fullmatch(addr_spec):
                return f"To: {addr_spec}\r\n".encode("ascii")
        return _fold("To", recipients)

    def _plain_recipient(self, destination: str) -> str | None:
        """The address of ``mailto:user@example.org`` (one bare dot-atom address, the usual
        destination), or None for anything else: its To header and envelope address are
        then made from the text as they are (what ``_to`` and ``_envelope_address`` make of
        it), with no ``Address`` parsed and none quoted."""
        scheme, colon, address = destination.partition(":")
        if (scheme == self.scheme and colon and len(address) + 4 <= _MAX_LINE
                and _PLAIN_ADDRESS.fullmatch(address)):
            return address
        return None

    def _message_id(self, key: str) -> bytes:
        value = message_id(key, self._sender.domain)
        if self._plain_message_id:  # every id of this domain has the same shape
            return f"Message-ID: {value}\r\n".encode("ascii")
        return _fold("Message-ID", value)

    def _content(self, message: Outgoing) -> _Content:
        """The MIME headers and body of the message's content, with the headers that go with
        it (Reply-To, Subject), serialized once per content."""
        key = (message.subject, message.text, message.html, message.ics, message.ics_name)
        with self._lock:
            content = self._contents.get(key)
            if content is not None:
                self._contents.move_to_end(key)
                return content
        subject, text, html, ics, ics_name = key
        mail = EmailMessage(policy=email.policy.default)
        mail.set_content(text)
        if html:
            mail.add_alternative(html, subtype="html")
        if ics:
            mail.add_attachment(ics, maintype="text", subtype="calendar",
                                filename=_one_line(ics_name) or "date.ics",
                                params={"method": "PUBLISH", "charset": "utf-8"})
        plain = mail.as_bytes(policy=_WIRE_POLICY)
        shared = self._fixed.get("Reply-To", b"") + _fold("Subject", _one_line(subject))
        content = _Content(shared=shared, plain=plain, wire=_transparent(plain) + b".\r\n",
                           ascii=plain.isascii())
        with self._lock:
            self._contents[key] = content
            if len(self._contents) > _CACHE_SIZE:
                self._contents.popitem(last=False)
        return content

    # -- sending --------------------------------------------------------------------------

    def send(self, message: Outgoing) -> Outcome:
        """Send one delivery; never raises for delivery trouble (see the module docstring).

        Safe from up to ``concurrency`` threads at once: each send has a session to itself.
        """
        return self._send(message, _Meanwhile(None), None)

    def send_overlapped(self, message: Outgoing, meanwhile: Callable[[], None], *,
                        upcoming: str | None = None,
                        following: Callable[[], Outgoing | None] | None = None) -> Outcome:
        """``send``, calling ``meanwhile()`` once, before this message's final dot: on a
        pipelining server while it reads this message's envelope, else before ``MAIL``.

        The engine passes the previous message's record: it is made before this message's
        final dot, so at most one message per session is ever accepted and not recorded. If
        ``meanwhile`` raises, this message is abandoned before its final dot (the session is
        dropped, so the server discards it) and the error goes to the caller.

        ``upcoming``: the destination of the message this thread sends next, when the caller
        has it in hand. On a pipelining server its envelope (MAIL, RCPT, DATA) goes in the
        same write as this message's final dot (RFC 2920: message content may open a group),
        and this thread's next send, for that envelope, finds the server's answers waiting:
        one round trip a message. That transaction stays open (in DATA: no RSET or QUIT can
        end it) until the next send from this thread; a send for another envelope, or
        ``close()``, closes the connection instead, and the server discards it.

        ``following``: gives that next message (or None). Called once that envelope went,
        after this message's final dot and before its verdict is read, so the next e-mail is
        composed while the server reads this one; this thread's next send of that very
        message takes it as made. It writes nothing: the record still waits for the verdict.
        """
        once = _Meanwhile(meanwhile)
        try:
            return self._send(message, once, upcoming, following)
        finally:
            try:
                once()  # a send that ended before it (a bad address, no session): now
            except _MeanwhileFailed as failed:
                raise failed.error from None

    def _prepare(self, message: Outgoing) -> tuple[_Data, tuple[bytes, ...]]:
        """What DATA carries for ``message`` and its RCPT TO addresses; ``InvalidRecipient``
        for a destination that is not one."""
        prepared = message.prepared_message
        plain = None if prepared else self._plain_recipient(message.destination)
        if plain is not None:  # the usual fan-out: one bare address
            address = plain.encode("ascii")
            return self._data(message, b"To: %s\r\n" % address), (b"<%s>" % address,)
        addresses = self.recipients(message)
        recipients = tuple(_envelope_address(a.addr_spec) for a in addresses)
        if not prepared:
            return self._data(message, self._to(addresses)), recipients
        # Rendered before (a mail reply kept in the ledger): sent as it is.
        raw = email.message_from_string(
            prepared, _class=EmailMessage, policy=email.policy.default,
        ).as_bytes(policy=_WIRE_POLICY)
        return _Data(_transparent(raw) + b".\r\n", len(raw), raw.isascii()), recipients

    def _send(self, message: Outgoing, meanwhile: _Meanwhile, upcoming: str | None,
              following: Callable[[], Outgoing | None] | None = None) -> Outcome:
        ready = self._ready.pop(threading.get_ident(), None)
        if ready is not None and ready[0] is message:  # made while the last dot was read
            data, recipients = ready[1], ready[2]
        else:
            try:
                data, recipients = self._prepare(message)
            except InvalidRecipient as exc:
                return _outcome("dead", exc.problem.message)
        # An auto-reply goes with the null return path (RFC 3834 3.3): nothing bounces back.
        sender = (self._sender_envelope if message.envelope_from is None
                  else _envelope_address(message.envelope_from))
        session = self._session_for(_Envelope(sender, recipients, not data.ascii))
        session.following = following
        try:
            return self._send_on(session, data, recipients, sender, meanwhile,
                                 self._next_envelope(upcoming, data))
        except _MeanwhileFailed as failed:
            session.drop()  # this message's envelope is out; its final dot never goes
            raise failed.error from None
        finally:
            self._put_back(session)

    def _next_envelope(self, upcoming: str | None, data: _Data) -> _Envelope | None:
        """The envelope to open after this message's final dot (None: open none).

        The next message is not built yet: it is taken to be like this one in its need of
        8BITMIME, and goes without SIZE (optional, RFC 1870); its send checks that."""
        if not upcoming:
            return None
        scheme, _, address = upcoming.partition(":")
        if scheme == self.scheme and _PLAIN_ADDRESS.fullmatch(address):
            # What its send makes of a bare address (``_envelope_address`` of its addr_spec).
            return _Envelope(self._sender_envelope, (f"<{address}>".encode("ascii"),),
                             not data.ascii)
        try:
            addresses = self._recipients_of(upcoming)
        except InvalidRecipient:
            return None  # its own send says why
        return _Envelope(self._sender_envelope,
                         tuple(_envelope_address(a.addr_spec) for a in addresses),
                         not data.ascii)

    def _session_for(self, envelope: _Envelope) -> _Session:
        """This thread's session opened for ``envelope`` by its last send, or an idle one
        (or a new one) under a connection slot. An open envelope for another message is
        abandoned by closing its connection: the server drops a message without its dot."""
        with self._lock:
            primed = self._primed.pop(threading.get_ident(), None)
        if primed is not None:
            conn, opened = primed
            if opened.fits(envelope):
                session = _Session(conn)
                session.opened = True
                return session
            conn.close()
            self._slots.release()
        self._slots.acquire()
        return _Session(self._take_idle())

    def _put_back(self, session: _Session) -> None:
        """The session back in the pool, kept for this thread's next send if it holds that
        send's envelope (with its connection slot), or closed."""
        conn = session.conn
        if conn is not None and session.next is not None:
            with self._lock:
                self._primed[threading.get_ident()] = (conn, session.next)
            return
        if conn is not None:
            with self._lock:
                self._idle.append(conn)
        self._slots.release()

    def _send_on(self, session: _Session, data: _Data, recipients: Sequence[bytes],
                 sender: bytes, meanwhile: _Meanwhile, then: _Envelope | None) -> Outcome:
        self._deadlines.arm(session.conn)
        # The previous message's record (our database, maybe retrying) is not the server's time.
        meanwhile.around(self._deadlines.pause, self._deadlines.resume)
        try:
            outcome = self._send_within(session, data, recipients, sender, meanwhile, then)
        finally:
            cut = self._deadlines.disarm()
        if cut is None:
            return outcome
        session.drop()  # a cut session never goes back to the pool, whatever was read on it
        if outcome.kind == "retry" and getattr(cut, _BROKEN, False):
            # Cut at the deadline: say so, not "lost". A reply read in full just before the
            # cut (a 451 at RCPT) is the outcome as the server said it.
            reason = self._deadlines.words(self.settings)
            if outcome.server_down:
                return replace(outcome, reason=reason)
            return Outcome.silence(f"{reason}: the message may have been delivered")
        return outcome

    def _send_within(self, session: _Session, data: _Data, recipients: Sequence[bytes],
                     sender: bytes, meanwhile: _Meanwhile, then: _Envelope | None) -> Outcome:
        reused = session.conn is not None
        try:
            conn = self._connect(session)
        except (smtplib.SMTPException, OSError) as exc:
            session.drop()
            return _session_outcome(exc, self.settings, away=True)
        try:
            try:
                return self._transact(conn, session, data, recipients, sender, meanwhile, then)
            except _StaleConnection:
                if not reused or self._deadlines.fired():  # a new session would have no deadline
                    raise
                log.debug("SMTP connection closed by the server while idle; reconnecting")
                session.drop()
                try:
                    conn = self._connect(session)
                except (smtplib.SMTPException, OSError) as exc:
                    session.drop()
                    return _session_outcome(exc, self.settings, away=True)
                return self._transact(conn, session, data, recipients, sender, meanwhile,
                                      then)
        except _StaleConnection as exc:
            session.drop()
            return Outcome.outage(str(exc) if isinstance(exc, _NoAnswer)
                                  else f"connection lost before MAIL FROM: {exc}")
        except smtplib.SMTPRecipientsRefused as exc:
            return self._refused(session, exc.recipients)
        except smtplib.SMTPResponseException as exc:
            return self._rejected(session, exc.smtp_code, exc.smtp_error)
        except (smtplib.SMTPException, OSError) as exc:
            session.drop()
            return _session_outcome(exc, self.settings)

    def close(self) -> None:
        """End the idle SMTP sessions politely; the next send opens a new one. A session
        holding an open envelope (``upcoming``) is closed without a word: in DATA, a QUIT
        would be message text."""
        with self._lock:
            idle, self._idle = self._idle, []
            primed, self._primed = list(self._primed.values()), {}
            self._ready = {}
        for conn, _ in primed:
            conn.close()
            self._slots.release()
        for conn in idle:
            self._deadlines.arm(conn)  # a server that trickles its 221 is cut too
            try:
                conn.quit()
            except (smtplib.SMTPException, OSError):
                pass
            finally:
                self._deadlines.disarm()
                conn.close()

    def __enter__(self) -> SmtpChannel:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    # -- internals ------------------------------------------------------------------------

    def _take_idle(self) -> smtplib.SMTP | None:
        with self._lock:
            return self._idle.pop() if self._idle else None

    def _connect(self, session: _Session) -> smtplib.SMTP:
        if session.conn is not None:
            return session.conn
        s = self.settings
        context = s.ssl_context
        if s.security != "none" and context is None:
            context = ssl.create_default_context()
        conn: smtplib.SMTP
        deadlines = self._deadlines
        try:
            if s.security == "ssl":
                conn = _SmtpSsl(s.host, s.port, timeout=s.timeout, context=context,
                                deadlines=deadlines)
            else:
                conn = _Smtp(s.host, s.port, timeout=s.timeout, deadlines=deadlines)
        except smtplib.SMTPServerDisconnected as exc:
            if isinstance(exc.__context__, TimeoutError):  # took the connection, said nothing
                raise _Silent(f"no greeting from {s.host}:{s.port} within {s.timeout:g} s"
                              ) from exc
            raise
        try:
            try:
                conn.ehlo_or_helo_if_needed()
            except smtplib.SMTPServerDisconnected as exc:
                if isinstance(exc.__context__, TimeoutError):
                    raise _Silent(f"no answer to EHLO from {s.host}:{s.port} within "
                                  f"{s.timeout:g} s") from exc
                raise
            if s.security == "starttls":
                conn.starttls(context=context)
                conn.ehlo_or_helo_if_needed()
            if s.username:
                conn.login(s.username, s.password)
        except BaseException:
            conn.close()
            raise
        session.conn = conn
        return conn

    def _transact(self, conn: smtplib.SMTP, session: _Session, data: _Data,
                  recipients: Sequence[bytes], sender: bytes, meanwhile: _Meanwhile,
                  then: _Envelope | None) -> Outcome:
        """MAIL, RCPT..., DATA: ``smtplib.sendmail`` split so we know how far we got."""
        options = b""
        if conn.does_esmtp:
            if not data.ascii and conn.has_extn("8bitmime"):
                options += b" BODY=8BITMIME"
            if conn.has_extn("size"):
                options += b" SIZE=%d" % data.size
        if conn.has_extn("pipelining"):
            return self._pipelined(conn, session, data, recipients, sender, options,
                                   meanwhile, then)
        meanwhile()  # one command at a time: nothing to overlap it with
        try:
            code, reply = self._command(conn, b"MAIL FROM:" + sender + options)
        except smtplib.SMTPServerDisconnected as exc:
            raise _stale(exc, self.settings) from exc
        if code == 421:
            raise _StaleConnection(_reply_text(code, reply))
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, reply, _text(sender))
        refused: dict[str, tuple[int, bytes]] = {}
        for recipient in recipients:
            code, reply = self._command(conn, b"RCPT TO:" + recipient)
            if code not in (250, 251):
                refused[_text(recipient)] = (code, reply)
            if code == 421:
                raise smtplib.SMTPRecipientsRefused(refused)
        if len(refused) == len(recipients):
            raise smtplib.SMTPRecipientsRefused(refused)
        code, reply = self._command(conn, b"DATA")
        if code != 354:
            raise smtplib.SMTPDataError(code, reply)
        return self._message(conn, session, data, refused, None)

    @staticmethod
    def _command(conn: smtplib.SMTP, line: bytes) -> tuple[int, bytes]:
        conn.send(line + b"\r\n")
        return conn.getreply()

    def _message(self, conn: smtplib.SMTP, session: _Session, data: _Data,
                 refused: dict[str, tuple[int, bytes]], then: _Envelope | None) -> Outcome:
        """After the 354: the message with its final dot in one write (and after it the
        envelope of ``then``, the next message), and the verdict on this message."""
        wire = data.wire
        if then is not None:
            options = b" BODY=8BITMIME" if then.eight_bit and conn.has_extn("8bitmime") else b""
            wire += _envelope_commands(then.sender, then.recipients, options)
        try:
            conn.send(wire)
            if then is not None and session.following is not None:
                self._make_ready(session.following)
            code, reply = conn.getreply()
        except smtplib.SMTPServerDisconnected as exc:
            raise _after_data(exc, self.settings) from exc
        if code != 250:
            if then is not None:  # the next envelope's answers are on their way: no RSET
                session.drop()
            raise smtplib.SMTPDataError(code, reply)
        session.next = then
        return _accepted(code, reply, refused)

    def _pipelined(self, conn: smtplib.SMTP, session: _Session, data: _Data,
                   recipients: Sequence[bytes], sender: bytes, options: bytes,
                   meanwhile: _Meanwhile, then: _Envelope | None) -> Outcome:
        """MAIL, every RCPT and DATA in one write, their replies read in order (RFC 2920,
        offered by the server): two round trips a message instead of three or more, with
        the same outcomes as one command at a time. Nothing of the message is sent before
        the server has answered 354 with a sender and a recipient accepted. When the last
        send opened this envelope already (``session.opened``), its replies are waiting
        and the message, with the next envelope, takes the one round trip."""
        ahead = session.opened
        try:
            if not ahead:
                conn.send(_envelope_commands(sender, recipients, options))
            session.opened = False
            meanwhile()  # while the server reads the envelope: the previous message's record
            mail_code, mail_reply = conn.getreply()
        except smtplib.SMTPServerDisconnected as exc:
            raise _stale(exc, self.settings) from exc
        if mail_code == 421:
            raise _StaleConnection(_reply_text(mail_code, mail_reply))
        refused: dict[str, tuple[int, bytes]] = {}
        try:
            for recipient in recipients:
                code, reply = conn.getreply()
                if code not in (250, 251):
                    refused[_text(recipient)] = (code, reply)
            data_code, data_reply = conn.getreply()
        except smtplib.SMTPServerDisconnected as exc:
            if any(code == 421 for code, _ in refused.values()):
                raise smtplib.SMTPRecipientsRefused(refused) from None
            if ahead and not isinstance(exc.__context__, TimeoutError):
                # A server that hangs up after the last message's 250 had read on into
                # this envelope: nothing of this message went, as with a closed idle session.
                raise _StaleConnection(str(exc)) from exc
            raise
        if data_code == 354 and (mail_code != 250 or len(refused) == len(recipients)):
            # A server that takes DATA with nothing to deliver: end it empty (RFC 2920 3.1).
            conn.send(b".\r\n")
            conn.getreply()
        if mail_code != 250:
            raise smtplib.SMTPSenderRefused(mail_code, mail_reply, _text(sender))
        if len(refused) == len(recipients) or any(c == 421 for c, _ in refused.values()):
            raise smtplib.SMTPRecipientsRefused(refused)
        if data_code != 354:
            raise smtplib.SMTPDataError(data_code, data_reply)
        if ahead and _spoke_unasked(conn):
            # In DATA a server speaks unasked only to end the session (an idle timeout while
            # the next message was slow to come: Postfix's 421 after smtpd_timeout): the body
            # would go nowhere and its 421 would count an attempt. Nothing of it went yet.
            raise _StaleConnection("the server ended the session waiting in DATA")
        return self._message(conn, session, data, refused, then)

    def _make_ready(self, following: Callable[[], Outgoing | None]) -> None:
        """Compose the next message while the server reads this one (``following``). Any
        trouble (a bad address, a build that failed) is left for that message's own send,
        which composes it again and says why."""
        try:
            message = following()
            if message is not None:
                data, recipients = self._prepare(message)
                self._ready[threading.get_ident()] = (message, data, recipients)
        except Exception:  # repeated, and reported, by the message's own send
            return

    def _rejected(self, session: _Session, code: int, reply: bytes | str) -> Outcome:
        """A refusal of the whole message at MAIL or DATA."""
        text = _reply_text(code, reply)
        if code in _AUTH_CODES:
            session.drop()
            return _outcome("stop", f"the server wants authentication: {text}")
        if 500 <= code < 600:
            session.reset()
            return _outcome("dead", text)
        session.drop()
        return _outcome("retry", text)

    def _refused(self, session: _Session,
                 refused: dict[str, tuple[int, bytes]]) -> Outcome:
        """Every recipient refused: dead only if every refusal was permanent."""
        codes = [code for code, _ in refused.values()]
        reason = "; ".join(f"{_reply_text(c, t)} ({r})" for r, (c, t) in refused.items())
        if any(code in _AUTH_CODES for code in codes):
            session.drop()
            return _outcome("stop", f"the server wants authentication: {reason}")
        if codes and all(500 <= code < 600 for code in codes):
            session.reset()
            return _outcome("dead", reason)
        session.drop()
        if 421 in codes:  # "service not available, closing": the server, not the address
            return Outcome.outage(reason)
        return _outcome("retry", reason)


class _Envelope(NamedTuple):
    """A message's MAIL FROM and RCPT TO addresses, and whether it wants 8BITMIME."""

    sender: bytes
    recipients: tuple[bytes, ...]
    eight_bit: bool

    def fits(self, message: _Envelope) -> bool:
        """Opened like this, the transaction can carry ``message``."""
        return (self.sender == message.sender and self.recipients == message.recipients
                and (self.eight_bit or not message.eight_bit))


def _envelope_commands(sender: bytes, recipients: Sequence[bytes], options: bytes) -> bytes:
    """MAIL, RCPT for each recipient, DATA: one pipelined group (RFC 2920)."""
    commands = [b"MAIL FROM:", sender, options, b"\r\n"]
    for recipient in recipients:
        commands += (b"RCPT TO:", recipient, b"\r\n")
    commands.append(b"DATA\r\n")
    return b"".join(commands)


class _Session:
    """One send's hold on a pooled connection; ``conn`` is None once it is dropped.

    ``opened``: the envelope of this send went out with the last message's final dot, its
    replies unread. ``next``: the envelope sent after this message's final dot, for the
    thread's next send."""

    __slots__ = ("conn", "following", "next", "opened")

    def __init__(self, conn: smtplib.SMTP | None) -> None:
        self.conn = conn
        self.opened = False
        self.next: _Envelope | None = None
        self.following: Callable[[], Outgoing | None] | None = None
        """``send_overlapped``'s: the next message, made ready after this one's dot."""

    def drop(self) -> None:
        self.opened, self.next = False, None
        conn, self.conn = self.conn, None
        if conn is not None:
            conn.close()

    def reset(self) -> None:
        """Clear a failed transaction so the session can carry the next message."""
        if self.conn is None:
            return
        try:
            code, _ = self.conn.rset()
        except (smtplib.SMTPException, OSError):
            code = 0
        if code != 250:
            self.drop()


class _Meanwhile:
    """``send_overlapped``'s callback, run at most once; its error wrapped so no handler of
    SMTP trouble on the way mistakes it for the server's."""

    __slots__ = ("_call",)

    def __init__(self, call: Callable[[], None] | None) -> None:
        self._call = call

    def __call__(self) -> None:
        call, self._call = self._call, None
        if call is None:
            return
        try:
            call()
        except BaseException as exc:
            raise _MeanwhileFailed(exc) from exc

    def around(self, before: Callable[[], None], after: Callable[[], None]) -> None:
        """Run ``before`` and ``after`` around the callback, if it is still to run."""
        call = self._call
        if call is None:
            return

        def framed() -> None:
            before()
            try:
                call()
            finally:
                after()

        self._call = framed


class _MeanwhileFailed(Exception):
    """``meanwhile`` raised: the message in hand is abandoned and its error re-raised."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error


class _StaleConnection(Exception):
    """The session died before any of the message was sent: safe to reconnect and go on."""


class _NoAnswer(_StaleConnection):
    """No answer to MAIL FROM within the timeout: nothing of the message went."""


def _stale(exc: smtplib.SMTPServerDisconnected, settings: SmtpSettings) -> _StaleConnection:
    """The session ended (or fell silent) before MAIL FROM was answered, in words for it."""
    if isinstance(exc.__context__, TimeoutError):
        return _NoAnswer(f"no answer to MAIL FROM from {settings.host}:{settings.port} within "
                         f"{settings.timeout:g} s")
    return _StaleConnection(str(exc))


class _Silent(smtplib.SMTPServerDisconnected):
    """The server stopped answering (a timeout), in words that say where."""


class _Smtp(smtplib.SMTP):
    """``smtplib.SMTP`` whose socket, once made, is watched for the send's deadline (the
    greeting is read right after, and a trickled one must be cut too)."""

    def __init__(self, host: str, port: int, *, timeout: float,
                 deadlines: _Deadlines) -> None:
        self._deadlines = deadlines
        super().__init__(host, port, timeout=timeout)

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        return _open(self, host, port, timeout, self._deadlines)

    def getreply(self) -> tuple[int, bytes]:
        return _uncut(self, _interrupted(self, super().getreply))

    def send(self, s: ReadableBuffer | str) -> None:
        _interrupted(self, lambda: smtplib.SMTP.send(self, s))


class _SmtpSsl(smtplib.SMTP_SSL):
    """``smtplib.SMTP_SSL`` watched as ``_Smtp``."""

    def __init__(self, host: str, port: int, *, timeout: float,
                 context: ssl.SSLContext | None, deadlines: _Deadlines) -> None:
        self._deadlines = deadlines
        super().__init__(host, port, timeout=timeout, context=context)

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        plain = _open(self, host, port, timeout, self._deadlines)
        sock = self.context.wrap_socket(plain, server_hostname=self._host,  # type: ignore[attr-defined]
                                        do_handshake_on_connect=False)
        self.sock = sock  # the TLS handshake is the server's time too: cut at the deadline
        _interrupted(self, sock.do_handshake)
        return sock

    def getreply(self) -> tuple[int, bytes]:
        return _uncut(self, _interrupted(self, super().getreply))

    def send(self, s: ReadableBuffer | str) -> None:
        _interrupted(self, lambda: smtplib.SMTP.send(self, s))


class _Unanswered(OSError):
    """No session had at the send's deadline: the name lookup or every connect was cut."""


def _open(conn: smtplib.SMTP, host: str, port: int, timeout: float,
          deadlines: _Deadlines) -> socket.socket:
    """``socket.create_connection`` within what is left of the send's deadline: the name
    looked up in a thread given up at the deadline (``getaddrinfo`` has no timeout), each
    address's socket watched before its connect (a SYN never answered is shut at the
    deadline), and no address tried after it. ``conn.sock`` is each one as it is tried."""
    where = f"{host}:{port}"

    def unanswered(what: str) -> _Unanswered:
        return _Unanswered(f"{where} did not answer within {deadlines.seconds:g} s (the "
                           f"send's deadline): {what}")

    try:
        found = send_deadline.lookup(host, port, 0, socket.SOCK_STREAM,
                                     within=deadlines.left())
    except send_deadline.Unresolved as exc:
        raise unanswered(str(exc)) from None
    tried: list[str] = []
    error: OSError | None = None
    for family, kind, proto, _name, address in found:
        left = deadlines.left()
        if left <= 0:
            break
        sock = socket.socket(family, kind, proto)
        tried.append(str(address[0]))
        conn.sock = sock
        deadlines.watch(conn)
        try:
            sock.settimeout(min(timeout, left))
            if conn.source_address:
                sock.bind(conn.source_address)
            sock.connect(address)
        except OSError as exc:
            sock.close()
            conn.sock = None
            error = exc
            if deadlines.fired():
                break
            continue
        sock.settimeout(timeout)
        return sock
    if deadlines.fired() or deadlines.left() <= 0 or not tried:
        shown = ", ".join(tried[:3]) + (", ..." if len(tried) > 3 else "")
        raise unanswered(f"no connection to {shown} (tried {len(tried)} "
                         f"address{'es' if len(tried) != 1 else ''}, none answered)"
                         if tried else "its name lookup gave no address")
    assert error is not None
    raise error


def _uncut(conn: smtplib.SMTP, reply: tuple[int, bytes]) -> tuple[int, bytes]:
    """A reply read on a session cut at its deadline may be a line cut short ("250 o" reads
    as 250): the session ended there, whatever the reply says."""
    if getattr(conn, _CUT, False):
        setattr(conn, _BROKEN, True)
        raise smtplib.SMTPServerDisconnected("cut at the send's deadline")
    return reply


T = TypeVar("T")


def _interrupted(conn: smtplib.SMTP, call: Callable[[], T]) -> T:
    """``call()`` (a read or a write on the session); one that fails once the session was cut
    is marked as ended by the cut (``_BROKEN``), not by the server."""
    try:
        return call()
    except (smtplib.SMTPServerDisconnected, OSError):
        if getattr(conn, _CUT, False):
            setattr(conn, _BROKEN, True)
        raise


_CUT = "duebot_cut"
"""Set on a session by ``_Deadlines`` when it cuts it (before the shutdown)."""
_BROKEN = "duebot_cut_broke"
"""Set on a cut session when a read or write of the send failed for it: only then does the
send's outcome come from the cut (an answer read in full just before it stands)."""


class _Deadlines:
    """Cuts a send that outlives its deadline: one thread per channel shuts the socket of an
    overdue send down, so the read in progress ends at once (a trickle never trips the
    per-read timeout). Each send arms its thread's deadline and disarms it after. The
    deadline covers opening the session too (``_open``): the relay's name lookup gives up
    at it, and each address's socket is watched before its connect."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._tick = min(1.0, max(seconds / 20, 0.02))
        self._lock = threading.Lock()
        self._due: dict[int, tuple[float, smtplib.SMTP | None]] = {}
        self._fired: dict[int, smtplib.SMTP] = {}
        self._paused: dict[int, float] = {}
        self._thread: threading.Thread | None = None

    def arm(self, conn: smtplib.SMTP | None) -> None:
        """This thread's send begins, on ``conn`` if it has a session already."""
        with self._lock:
            self._due[threading.get_ident()] = (time.monotonic() + self.seconds, conn)
            if self._thread is None:
                self._thread = threading.Thread(target=self._watch, daemon=True,
                                                name="duebot-smtp-deadlines")
                self._thread.start()

    def watch(self, conn: smtplib.SMTP) -> None:
        """The session this thread's send opened: the one to cut when it is overdue."""
        ident = threading.get_ident()
        with self._lock:
            found = self._due.get(ident)
            if found is not None:
                self._due[ident] = (found[0], conn)

    def pause(self) -> None:
        """This thread's send waits on something else than the server: its clock stops."""
        ident = threading.get_ident()
        with self._lock:
            found = self._due.get(ident)
            if found is not None:
                self._paused[ident] = found[0] - time.monotonic()
                self._due[ident] = (float("inf"), found[1])

    def resume(self) -> None:
        """The server's turn again: what was left of the deadline, from now."""
        ident = threading.get_ident()
        with self._lock:
            found, left = self._due.get(ident), self._paused.pop(ident, None)
            if found is not None and left is not None:
                self._due[ident] = (time.monotonic() + left, found[1])

    def disarm(self) -> smtplib.SMTP | None:
        """This thread's send ended; the session it cut at its deadline, if it did. After
        this no cut lands on that send (the watchdog cuts under the same lock)."""
        ident = threading.get_ident()
        with self._lock:
            self._due.pop(ident, None)
            self._paused.pop(ident, None)
            return self._fired.pop(ident, None)

    def left(self) -> float:
        """Seconds left of this thread's send (none once it was cut; unbounded unarmed)."""
        ident = threading.get_ident()
        with self._lock:
            if ident in self._fired:
                return 0.0
            found = self._due.get(ident)
        return float("inf") if found is None else found[0] - time.monotonic()

    def fired(self) -> bool:
        """This thread's send was cut at its deadline (no time left for a new session)."""
        with self._lock:
            return threading.get_ident() in self._fired

    def words(self, settings: SmtpSettings) -> str:
        return (f"{settings.host}:{settings.port} did not finish within {self.seconds:g} s "
                f"(each answer came slowly, never {settings.timeout:g} s apart)")

    def _watch(self) -> None:
        while True:
            time.sleep(self._tick)
            now = time.monotonic()
            with self._lock:
                if not self._due:  # nothing in flight: end; the next arm starts another
                    self._thread = None
                    return
                overdue = [(ident, conn) for ident, (due, conn) in self._due.items()
                           if due <= now and conn is not None]
                # (a send with no session yet is looking its relay's name up: that wait
                # gives up at the deadline by itself, ``_open``)
                for ident, conn in overdue:
                    del self._due[ident]
                    self._fired[ident] = conn
                    setattr(conn, _CUT, True)  # before the shutdown: a cut reply is no reply
                    # Under the lock: a send that disarmed is never cut after (on a session
                    # put back in the pool, or its next send's).
                    sock = conn.sock
                    if sock is not None:  # the plain socket's shutdown, under TLS too: the fd
                        with contextlib.suppress(OSError):
                            socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _after_data(exc: smtplib.SMTPServerDisconnected,
                settings: SmtpSettings) -> smtplib.SMTPServerDisconnected:
    """A timeout once the message went: it is retried like any lost connection (the crash
    window, RFC 1047), but the reason must not read as if it surely was not delivered."""
    if not isinstance(exc.__context__, TimeoutError):
        return exc
    return _Silent(f"no answer after DATA from {settings.host}:{settings.port} within "
                   f"{settings.timeout:g} s: the message may have been delivered")


def _spoke_unasked(conn: smtplib.SMTP) -> bool:
    """Whether the server has said more (or hung up) than the replies read so far: in its
    read buffer, TLS's, or the socket's. Never waits."""
    sock, file = conn.sock, conn.file
    if sock is None or file is None:
        return True
    pending = getattr(sock, "pending", None)  # TLS: decrypted, not yet read
    if (callable(pending) and pending()) or select.select([sock], [], [], 0)[0]:
        return True
    previous = sock.gettimeout()
    sock.settimeout(0)  # the socket has nothing: peek sees only what smtplib buffered
    try:
        return bool(file.peek(1))
    except OSError:  # nothing buffered (TLS wants to read: the socket has nothing)
        return False
    finally:
        sock.settimeout(previous)


def _session_outcome(exc: BaseException, settings: SmtpSettings, *,
                     away: bool = False) -> Outcome:
    """Failures in opening the session or of the transport, mapped to retry or stop.

    ``away``: the session could not be had at all, so a retry is the server's outage
    (``Outcome.outage``: it uses up none of the attempts); a stop stays a stop."""
    where = f"{settings.host}:{settings.port}"

    def _mapped(kind: Literal["retry", "dead", "stop"], reason: str) -> Outcome:
        if kind == "retry" and away:
            return Outcome.outage(reason)
        return Outcome(kind=kind, reason=reason)

    if isinstance(exc, _Unanswered):  # no session at the deadline: the server's outage
        return _mapped("retry", str(exc))
    if isinstance(exc, _Silent):
        # No answer to the final dot: the server fell silent with the message in hand (a
        # silence at RCPT may be one recipient's: ``connection ... lost`` below, not held).
        return _mapped("retry", str(exc)) if away else Outcome.silence(str(exc))
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return _mapped("stop", f"login refused by {where}: "
                       f"{_reply_text(exc.smtp_code, exc.smtp_error)}")
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return _mapped("stop", f"{where}: {exc} (security={settings.security!r}, "
                       f"username={'set' if settings.username else 'unset'})")
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return _mapped("retry", f"connection to {where} lost: {exc}")
    if isinstance(exc, smtplib.SMTPResponseException):
        text = _reply_text(exc.smtp_code, exc.smtp_error)
        if exc.smtp_code in _AUTH_CODES or 500 <= exc.smtp_code < 600:
            return _mapped("stop", f"{where} refused the session: {text}")
        return _mapped("retry", f"{where}: {text}")
    if isinstance(exc, ssl.SSLCertVerificationError):
        return _mapped("stop", f"TLS certificate of {where} not trusted: "
                       f"{exc.verify_message or exc}")
    if isinstance(exc, smtplib.SMTPException):
        # e.g. "No suitable authentication method found": configuration, not weather.
        return _mapped("stop", f"{where}: {exc}")
    if isinstance(exc, TimeoutError):
        return _mapped("retry", f"{where} timed out after {settings.timeout:g} s")
    return _mapped("retry", f"cannot talk to {where}: {exc}")


def _unsubscribe_header(uri: str) -> tuple[str, bool]:
    """``List-Unsubscribe`` value and whether one-click (RFC 8058) applies."""
    text = uri.strip()
    if not text:
        return "", False
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1].strip()
    if _CONTROL.search(text) or any(c in text for c in " <>,\"") or not text.isascii():
        raise _config_error("smtp.list_unsubscribe",
                            f"{uri!r}: expected one mailto: or https: URI without spaces")
    scheme = text.split(":", 1)[0].lower()
    if scheme not in ("mailto", "https", "http") or ":" not in text:
        raise _config_error("smtp.list_unsubscribe",
                            f"{uri!r}: expected a mailto: or https: URI")
    return f"<{text}>", scheme == "https"
