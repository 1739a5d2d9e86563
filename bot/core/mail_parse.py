"""Reading a participant's e-mail: what they asked, whether to answer at all, in which zone.

Pure: takes a parsed ``EmailMessage`` (and the envelope's return path when known), does no
I/O and reads no clock, so every rule against mail loops is testable on its own. What to
answer, and what the ledger keeps of it, is ``bot.app.mail_conversation``; the transports (the
SMTP/LMTP listener, the IMAP poll) are ``bot.adapters.mail_in``. ``reader_zone`` also serves the
chats (``bot.app.chat_conversation``): a zone a message names is read the same way.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from email.message import Message
from email.utils import getaddresses, parseaddr, parsedate_to_datetime
from html.parser import HTMLParser
from typing import Literal

from bot.core.places import lookup
from bot.core.zones import Zone, parse_zone
from bot.errors import ZoneError

__all__ = [
    "MAX_MARKER_LINE",
    "MAX_TEXT",
    "SUBJECT_ECHO",
    "Intent",
    "authentication_failure",
    "auto_reason",
    "body_text",
    "date_zone",
    "html_to_text",
    "intent_of",
    "problems",
    "question_of",
    "reader_zone",
    "reply_address",
    "reply_subject",
    "short_subject",
    "strip_quotes",
    "subject_of",
    "thread_ids",
]

Intent = Literal["subscribe", "unsubscribe", "confirm", "question"]

# -- text ------------------------------------------------------------------------------------


class _TextOfHtml(HTMLParser):
    """Visible text of an HTML mail: blocks become lines, scripts, styles and quotes vanish."""

    _BLOCKS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6",
                         "table", "ul", "ol", "pre", "hr", "section", "article"})
    _HIDDEN = frozenset({"script", "style", "head", "title", "blockquote"})
    _VOID = frozenset({"br", "hr", "img", "meta", "link", "input", "wbr", "col", "area", "base"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._open: list[str] = []
        self._hidden_at: int | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._BLOCKS:
            self.parts.append("\n")
        if tag in self._VOID:
            return
        classes = " ".join(v or "" for k, v in attrs if k == "class")
        self._open.append(tag)
        # Gmail's and Thunderbird's quoted earlier thread is a div, not a blockquote.
        if self._hidden_at is None and (tag in self._HIDDEN or "gmail_quote" in classes
                                        or "moz-cite-prefix" in classes):
            self._hidden_at = len(self._open)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._BLOCKS:
            self.parts.append("\n")
        if tag not in self._open:
            return
        while self._open:
            if self._hidden_at is not None and len(self._open) <= self._hidden_at:
                self._hidden_at = None
            if self._open.pop() == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._hidden_at is None:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """Readable text of an HTML body (stdlib ``html.parser``; never raises on broken markup)."""
    parser = _TextOfHtml()
    try:
        parser.feed(html)
        parser.close()
    except (AssertionError, ValueError):  # very broken markup: keep what was read so far
        pass
    lines = [" ".join(line.split()) for line in "".join(parser.parts).splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# Mail programs label text with a charset its bytes outgrow: GB2312 for GBK text (a common
# name such as 镕 or 喆 is not in GB2312), Big5 for HKSCS, ISO-8859-1 for Windows-1252 quotes.
# Each is read with the superset that is a strict extension of it (same bytes, more of them),
# so what the label covers reads the same and nothing the sender typed becomes U+FFFD.
_SUPERSETS = {
    "gb2312": "gb18030", "gbk": "gb18030", "cp936": "gb18030", "euc-cn": "gb18030",
    "x-gbk": "gb18030", "gb_2312-80": "gb18030", "csgb2312": "gb18030", "x-euc-cn": "gb18030",
    "big5": "big5hkscs", "x-big5": "big5hkscs", "cp950": "big5hkscs", "csbig5": "big5hkscs",
    "ks_c_5601-1987": "cp949", "euc-kr": "cp949", "ks_c_5601": "cp949",
    "shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "x-sjis": "cp932",
    "iso-8859-1": "cp1252", "latin-1": "cp1252", "latin1": "cp1252", "us-ascii": "utf-8",
    "ascii": "utf-8",
}


def _charsets(declared: str | None) -> list[str]:
    """The charsets to try for text declared ``declared``, best first; UTF-8 last but one
    (a wrong label on UTF-8 text is common), and the label itself after its superset."""
    name = (declared or "").strip().strip("\"'").lower()
    found = [c for c in (_SUPERSETS.get(name), name or None, "utf-8") if c]
    return list(dict.fromkeys(found))


def decode_text(raw: bytes, declared: str | None) -> str:
    """Bytes labelled ``declared`` as text: the label's superset, the label, UTF-8, and only
    then Latin-1 (which reads any bytes, so nothing is lost)."""
    for charset in _charsets(declared):
        try:
            return raw.decode(charset)
        except (LookupError, UnicodeError):
            continue
    return raw.decode("latin-1")


def _decoded(part: Message) -> str:
    """A text part's content, whatever its declared charset claims (unknown ones included).

    The bytes are decoded here rather than by ``get_content``, which decodes with the label
    alone and turns what does not fit it into U+FFFD (GBK text labelled GB2312 lost its
    characters)."""
    try:
        raw = part.get_payload(decode=True)
    except (LookupError, UnicodeError, ValueError, AssertionError):
        raw = None
    if not isinstance(raw, bytes):
        payload = part.get_payload()
        return payload if isinstance(payload, str) else ""
    return decode_text(raw, part.get_content_charset())


def problems(message: Message) -> list[str]:
    """What is malformed about a message (parser defects, charsets nobody knows), for the log."""
    found: list[str] = []
    for part in message.walk():
        found.extend(type(d).__name__ for d in part.defects)
        charset = part.get_content_charset()
        if charset and part.get_content_maintype() == "text":
            try:
                "".encode(_SUPERSETS.get(charset.lower(), charset))  # x-gbk is read as GBK
            except LookupError:
                found.append(f"unknown charset {charset!r}")
    return list(dict.fromkeys(found))


def body_text(message: Message) -> str:
    """The question's text: the first inline text/plain part, else HTML turned into text."""
    plain: Message | None = None
    html: Message | None = None
    for part in message.walk():
        if part.is_multipart() or part.get_content_disposition() == "attachment":
            continue
        if part.get_content_maintype() == "message":
            continue
        kind = part.get_content_type()
        if kind == "text/plain" and plain is None:
            plain = part
        elif kind == "text/html" and html is None:
            html = part
    if plain is not None:
        text = _decoded(plain)
        if text.strip():
            return text.replace("\r\n", "\n")
    if html is not None:
        return html_to_text(_decoded(html))
    return ""


_WROTE = re.compile(r"^\s*(?:(?:on|am|le|el)\b.*|.*\b(?:19|20)\d\d\b.*)\b(?:wrote|schrieb|"
                    r"a écrit|escribió)\b.*:\s*$", re.IGNORECASE)
_WROTE_ZH = re.compile(r"^.*(?:写道|寫道)\s*[:：]\s*$")
"""Gmail's and Apple Mail's Chinese attributions, which end in 写道 or 寫道 and a colon:
``在 2017年8月28日 周一 09:00，Bob <b@x> 写道：``, ``Bob <b@x> 於 2017年8月28日 寫道：``."""
_CUT = re.compile(r"^\s*(?:-{2,}\s*(?:original message|forwarded message|ursprüngliche "
                  r"nachricht|original|原始邮件|原始郵件|邮件原件|郵件原件|转发邮件|轉寄郵件|"
                  r"转发的邮件|轉寄的郵件)\s*-{2,}|_{20,}|sent from my \w+.*|get outlook for \w+.*"
                  r"|(?:发自|來自|来自)我的\s*\S+.*|從我的\s*\S+\s*傳送.*)\s*$",
                  re.IGNORECASE)
"""Separators before a quoted or forwarded mail, and phone signatures; with QQ Mail's and
Outlook's Chinese ones (``------------------ 原始邮件 ------------------``, ``-----邮件原件-----``,
``发自我的iPhone``)."""
_OUTLOOK = re.compile(r"^\s*\**(?:from|发件人|寄件者|寄件人)\s*\**\s*[:：]\**\s*.+",
                      re.IGNORECASE)
_CLOSING = re.compile(r"^\s*(?:(?:best|kind|warm|warmest|many)\s+(?:regards|wishes|thanks)|"
                      r"regards|cheers|sincerely|yours(?: sincerely| truly)?|thanks(?: a lot| "
                      r"in advance)?|thank you(?: in advance| very much)?|many thanks|best|"
                      r"all the best|bests?|祝好|此致|此致敬礼|顺祝(?:商祺|研安|时祺|安好)?|"
                      r"順祝(?:商祺|研安|時祺|安好)?|敬上|敬礼|敬禮)"
                      r"\s*[,.!，。！]?\s*$", re.IGNORECASE)


# What is read of a mail's text at all: the new part of a reply is on top, and a question is
# a few lines. Beyond this, text is neither parsed nor answered (a 10 MB body took minutes).
MAX_TEXT = 20_000
# Attributions, separators and sign-offs are short lines; a longer line is text. The marker
# patterns backtrack on long lines ("On x 2017 x 2017 ...": seconds for 20 kB), so they only
# ever see lines up to this length.
MAX_MARKER_LINE = 300
_WRAPPED_ON = re.compile(r"^\s*on\s.+", re.IGNORECASE)
_WRAPPED_WROTE = re.compile(r"^\s*\S*\s*wrote:\s*$", re.IGNORECASE)
_OUTLOOK_NEXT = re.compile(r"^\s*\**(?:sent|date|发送时间|发送日期|日期|时间|寄件日期|傳送時間|"
                           r"收件人|收件者|主题|主旨)\s*\**\s*[:：]", re.IGNORECASE)
_SIGN_OFF_TAIL = 4
"""Lines of name and affiliation a sign-off ("Best regards,") may have after it."""


def _short(line: str) -> bool:
    return len(line) <= MAX_MARKER_LINE


def _thread_starts(lines: Sequence[str], index: int) -> bool:
    """Line ``index`` begins what is not new text: a signature, a quote header, a forward."""
    line = lines[index]
    if not _short(line):
        return False
    plain = line.replace("&nbsp;", " ").replace("\u00a0", " ")  # QQ Mail's separator
    if (line.rstrip() in ("--", "-- ") or _CUT.match(plain) or _WROTE.match(line)
            or _WROTE_ZH.match(line)):
        return True
    # An attribution wrapped over two lines: "On Tue, 5 Sep 2017, Alice <a@b>\nwrote:"
    nxt = lines[index + 1] if index + 1 < len(lines) else ""
    if _short(nxt) and _WRAPPED_ON.match(line) and _WRAPPED_WROTE.match(nxt):
        return True
    return bool(_OUTLOOK.match(line)) and any(
        _short(n) and _OUTLOOK_NEXT.match(n) for n in lines[index + 1:index + 4])


def _attribution_of_quote(lines: Sequence[str], index: int) -> int:
    """Lines of an "On ... wrote:" at ``index`` (1, or 2 when wrapped) whose next non-blank
    line is quoted with ``>``; else 0 (a forward, a signature, an Outlook block: the end)."""
    line = lines[index]
    size = 1 if (_WROTE.match(line) or _WROTE_ZH.match(line)) else 0
    if not size and index + 1 < len(lines) and _WRAPPED_ON.match(line) \
            and _WRAPPED_WROTE.match(lines[index + 1]):
        size = 2
    if not size:
        return 0
    following = next((n for n in itertools.islice(lines, index + size, None) if n.strip()), "")
    return size if following.lstrip().startswith(">") else 0


def strip_quotes(text: str) -> str:
    """The new part of a reply: no quoted thread, no "On ... wrote:", no signature, no sign-off.

    Quoted lines (``>``) go wherever they are; everything from an attribution line, an
    Outlook header block, a forwarded-message marker or the ``-- `` signature separator on is cut
    (but an attribution of a ``>`` quote with nothing new above it is a bottom-posted reply:
    the text below the quote is the new part);
    a closing ("Best regards,") and the few lines of name after it are dropped. Linear in the
    text, of which only the first ``MAX_TEXT`` characters are read; every line break Python
    knows (``\r`` alone too) ends a line.
    """
    lines = text[:MAX_TEXT].splitlines()
    kept: list[str] = []
    skip_to = 0
    for index, line in enumerate(lines):
        if index < skip_to:
            continue
        if _thread_starts(lines, index):
            quoted = _attribution_of_quote(lines, index)
            if quoted and not any(k.strip() for k in kept):
                skip_to = index + quoted  # bottom-posting: the new text is below the quote
                continue
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line)
    # The first closing followed by at most a few non-blank lines: scan from the end, where
    # the count of non-blank lines after each line is known without rescanning.
    cut: int | None = None
    after = 0
    for index in range(len(kept) - 1, -1, -1):
        if after > _SIGN_OFF_TAIL:
            break
        line = kept[index]
        if _short(line) and _CLOSING.match(line):
            cut = index
        if line.strip():
            after += 1
    if cut is not None:
        kept = kept[:cut]
    return "\n".join(kept).strip()


SUBJECT_ECHO = 40
"""Characters of a sender's subject our reply repeats at most: spam must not ride on it."""
_URLISH = re.compile(r"<[^<>]*>|\S*(?:://|www\.|@)\S*|\S+\.[a-z]{2,}\b\S*", re.IGNORECASE)
_UNECHOED = re.compile(r"[^\w\s?!.,:;'()\-]+")


def short_subject(subject: str) -> str:
    """A sender's subject as our reply may repeat it: no links, addresses or domains, no
    symbols, at most ``SUBJECT_ECHO`` characters (cut at a word); ``""`` if nothing is left."""
    text = _UNECHOED.sub(" ", _URLISH.sub(" ", subject))
    text = " ".join(text.split()).strip(" .,:;-")
    if len(text) > SUBJECT_ECHO:
        cut = text[:SUBJECT_ECHO].rsplit(" ", 1)[0] or text[:SUBJECT_ECHO]
        text = cut.rstrip(" .,:;-") + "..."
    return text


def reply_subject(subject: str) -> str:
    """``Re: <subject>``, never ``Re: Re: ...`` (also folds ``RE:``, ``Re[2]:``, ``AW:``,
    ``回复：``); the subject only in its short, cleaned form (``short_subject``)."""
    bare = short_subject(base_subject(subject))
    return f"Re: {bare}" if bare else "Re: your question"


def base_subject(subject: str) -> str:
    """The subject without reply and forward prefixes."""
    text = " ".join(subject.split())
    prefix = re.compile(r"^(?:re|aw|sv|antw|réf|fwd?|wg|回复|回覆|答复|答覆|转发|轉寄|转寄|轉發)"
                        r"(?:\[\d+\])?\s*[:：]\s*", re.IGNORECASE)  # QQ Mail, Foxmail: 回复：
    while True:
        shorter = prefix.sub("", text, count=1)
        if shorter == text:
            return text
        text = shorter


def is_reply(subject: str) -> bool:
    return base_subject(subject) != " ".join(subject.split())


def question_of(message: Message) -> str:
    """What the sender asks: the new text of the body, with a fresh subject in front."""
    subject = subject_of(message)
    body = strip_quotes(body_text(message))
    if subject and not is_reply(subject):
        return f"{base_subject(subject)}\n{body}".strip()
    return body or base_subject(subject)


# -- addresses and threads -------------------------------------------------------------------


def _header(message: Message, name: str) -> str:
    """A header's value as text; when the policy cannot parse it (``From: 0@``), as it came."""
    try:
        value = message.get(name)
    except (IndexError, ValueError, TypeError, AttributeError, LookupError):
        # get_all() goes through the same parser: read the raw value instead.
        value = next((v for k, v in message.raw_items() if k.lower() == name.lower()), None)
    return "" if value is None else str(value)


_ENCODED_WORD = re.compile(r"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")


def _raw_header(message: Message, name: str) -> str | None:
    return next((v for k, v in message.raw_items() if k.lower() == name.lower()), None)


def decoded_header(raw: str) -> str:
    """An unstructured header's text: RFC 2047 words each decoded as ``decode_text`` does
    (``=?gb2312?B?...?=`` holding GBK read in full, not with U+FFFD for what GB2312 lacks)."""
    from email.header import decode_header

    unfolded = re.sub(r"\r?\n[ \t]", " ", raw)
    try:
        pieces = decode_header(unfolded)
    except (ValueError, LookupError, UnicodeError, AssertionError):
        return unfolded.strip()
    out: list[str] = []
    for chunk, charset in pieces:
        if isinstance(chunk, str):
            out.append(chunk)
        elif isinstance(chunk, bytes):
            out.append(decode_text(chunk, charset) if charset else decode_text(chunk, "utf-8"))
    return "".join(out).strip()


def subject_of(message: Message) -> str:
    """The Subject header as text (``""`` if none or unreadable): RFC 2047 words decoded
    with ``decode_text``, and raw 8-bit bytes (against RFC 5322, but GBK subjects come so)
    read as the body's charset or UTF-8."""
    raw = _raw_header(message, "Subject")
    if isinstance(raw, str) and re.search("[\udc80-\udcff]", raw):
        body = next((p.get_content_charset() for p in message.walk()
                     if p.get_content_maintype() == "text"), None)
        return " ".join(decode_text(raw.encode("utf-8", "surrogateescape"), body).split())
    if isinstance(raw, str) and _ENCODED_WORD.search(raw):
        return decoded_header(raw)
    return _header(message, "Subject")


def _addr_spec(text: str) -> str:
    """``user@domain`` from a header or envelope value (domain lower-cased), or ``""``."""
    _, address = parseaddr(text.replace("\r", " ").replace("\n", " "))
    address = address.strip().strip("<>")
    if "@" not in address or any(c.isspace() for c in address):
        return ""
    local, _, domain = address.rpartition("@")
    if not local or not domain or "." not in domain:
        return ""
    return f"{local}@{domain.lower()}"


def reply_address(message: Message, *, envelope: str | None = None) -> str:
    """Where a reply goes: ``Reply-To`` if it names an address, else ``From``, else the
    envelope sender (``MAIL FROM``, when known); ``""`` if none can be read."""
    for name in ("Reply-To", "From"):
        pairs = getaddresses([_header(message, name)])
        found = [_addr_spec(f"<{addr}>") for _, addr in pairs]
        found = [a for a in found if a]
        if found:
            return found[0]
    return _addr_spec(envelope) if envelope else ""


def sender_address(message: Message) -> str:
    return _addr_spec(_header(message, "From"))


def thread_ids(message: Message) -> tuple[str, tuple[str, ...]]:
    """(Message-ID, References): the ids our reply's ``In-Reply-To``/``References`` carry."""
    msgid = " ".join(_header(message, "Message-ID").split())
    found = re.findall(r"<[^<>\s]+>", msgid)
    msgid = found[0] if found else ""
    earlier = re.findall(r"<[^<>\s]+>", _header(message, "References"))
    if not earlier:
        earlier = re.findall(r"<[^<>\s]+>", _header(message, "In-Reply-To"))
    chain = [*earlier, msgid] if msgid else earlier
    return msgid, tuple(dict.fromkeys(chain))[-20:]


def _local_base(address: str) -> tuple[str, str, str]:
    """(local part without +tag, tag, domain) of ``user+tag@domain``."""
    local, _, domain = address.lower().rpartition("@")
    base, _, tag = local.partition("+")
    return base, tag, domain


def is_own(address: str, own: Iterable[str]) -> bool:
    """``address`` is one of ours, or any ``+tag`` of one of ours."""
    if not address:
        return False
    base, _, domain = _local_base(address)
    return any(_local_base(o)[::2] == (base, domain) for o in own if o)


# -- mail we must not answer -----------------------------------------------------------------

_DAEMONS = frozenset({"mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon",
                      "noreply", "no-reply", "do-not-reply", "donotreply", "bounce", "bounces"})


_AUTO_SUBJECT = re.compile(
    r"^\s*(?:automatic reply|auto(?:matic)?[- ]?(?:reply|response|answer)|autoreply|"
    r"out of (?:the )?office|abwesenheitsnotiz|automatische antwort|réponse automatique|"
    r"respuesta automática|自动回复|自動回覆|自動回复|自动答复)\b", re.IGNORECASE)
"""Out-of-office and auto-reply subjects ("Automatic reply: ...", "自动回复：..."), from the
responders that send them without ``Auto-Submitted`` (Exchange's and Outlook's do send it)."""
_REPORTS = frozenset({"message/delivery-status", "message/disposition-notification",
                      "message/feedback-report"})


def auto_reason(message: Message, *, return_path: str | None,
                own: Sequence[str]) -> str | None:
    """Why this mail must get no answer (RFC 3834, loops, bounces), or None to answer it.

    ``return_path`` is the envelope sender (``MAIL FROM``) when known: ``""`` is the null
    return path of a bounce; None means unknown (then a ``Return-Path`` header is used).
    """
    auto = _header(message, "Auto-Submitted").split(";", 1)[0].strip().lower()
    if auto and auto != "no":
        return f"Auto-Submitted: {auto}"
    precedence = _header(message, "Precedence").strip().lower()
    if precedence in ("bulk", "list", "junk", "auto_reply"):
        return f"Precedence: {precedence}"
    for name in ("List-Id", "List-Post", "Mailing-List", "X-Autoreply", "X-Autorespond",
                 "X-Auto-Reply", "X-Autogenerated", "X-Mailing-List"):
        if name in message:
            return f"{name} header"
    subject = subject_of(message)
    if _AUTO_SUBJECT.match(subject):
        return f"an automatic reply by its subject ({subject[:60]!r})"
    if return_path is None and "Return-Path" in message:
        return_path = _header(message, "Return-Path")
    if return_path is not None and return_path.strip().strip("<>").strip() == "":
        return "null return path (<>): a bounce or an auto-reply"
    if message.get_content_type() == "multipart/report":
        return "multipart/report: a delivery or read report"
    for part in message.walk():
        if part.get_content_type() in _REPORTS:
            return f"{part.get_content_type()}: a delivery report"
    forged = authentication_failure(message)
    if forged:
        return forged
    sender = sender_address(message)
    if not sender:
        return None  # malformed: the caller decides (no reply address, nothing to answer)
    if is_own(sender, own) or any(is_own(a, own) for a in (
            _addr_spec(_header(message, "Reply-To")), _addr_spec(return_path or ""))):
        return f"from our own address {sender}"
    base, _, _ = _local_base(sender)
    if base in _DAEMONS or base.startswith("mailer-daemon"):
        return f"from {sender}: an automated sender"
    loop = _header(message, "X-Loop")
    if loop and any(is_own(_addr_spec(f"<{a}>"), own) or o.lower() in loop.lower()
                    for a in re.findall(r"[^\s<>,]+@[^\s<>,]+", loop) for o in own if o):
        return "X-Loop names us"
    return None


_AUTH_RESULT = re.compile(r"\b(spf|dkim|dmarc)\s*=\s*([a-z]+)", re.IGNORECASE)


def authentication_failure(message: Message) -> str | None:
    """Why the receiving MTA's ``Authentication-Results`` say the sender is forged, or None.

    Only the topmost header counts (the one our own MTA added; RFC 8601 5); only failures
    are used, so a header a sender forged can only stop its own answer. DMARC fail, or SPF
    fail without a DKIM pass, means the From is not the sender's: no answer goes there.
    """
    header = re.sub(r"\([^()]*\)", " ", _header(message, "Authentication-Results"))
    results: dict[str, set[str]] = {}
    for method, result in _AUTH_RESULT.findall(header):
        results.setdefault(method.lower(), set()).add(result.lower())
    if "fail" in results.get("dmarc", set()):
        return "Authentication-Results: dmarc=fail (the From address is forged)"
    if "fail" in results.get("spf", set()) and "pass" not in results.get("dkim", set()):
        return "Authentication-Results: spf=fail and no dkim=pass (the sender is forged)"
    return None


# -- what they want --------------------------------------------------------------------------

_SUBSCRIBE = re.compile(r"^\s*(?:please\s+)?(un)?subscribe(?:\s+me)?(?:\s+please)?\s*[.!]*\s*$"
                        r"|^\s*(?:请|我要)?(取消)?订阅(?:提醒)?\s*[。！!.]*\s*$", re.IGNORECASE)
"""English, or Chinese ("订阅", "取消订阅"): the help and settings replies tell a Chinese
reader to write "subscribe", but "订阅" is what they will write."""
_STOP = re.compile(r"^\s*(?:please\s+)?(?:stop|remove me|退订|停止提醒|(?:stop(?:\s+sending"
                   r"(?:\s+me)?)?|no\s+more)\s+(?:the\s+|my\s+|all\s+|any\s+)?reminders"
                   r"(?:,?\s*please)?|(?:请)?(?:不要再?提醒我了?|别再?提醒我了?))\s*[.!。！]*\s*$",
                   re.IGNORECASE)
"""``stop``, ``stop the reminders``, ``no more reminders``, ``不要再提醒我了``; not ``stop the
reminders for posters``, a settings command that keeps the other dates."""
_CONFIRM = re.compile(r"^\s*(?:confirm(?:ed)?|yes(?:\s+please)?|yes,?\s+confirm|ok(?:ay)?|"
                      r"i\s+confirm|确认|是|是的|好|好的|同意)\s*[.!。！]*\s*$", re.IGNORECASE)


def intent_of(message: Message, *, recipients: Sequence[str], own: Sequence[str],
              confirming: bool) -> Intent:
    """subscribe / unsubscribe (by ``+tag`` address, subject or first line) / confirm / question.

    ``confirming``: the mail replies to one of our confirmation mails, so a bare "yes" or
    "confirm" confirms the subscription.
    """
    addresses = [*recipients]
    for name in ("To", "Cc", "Delivered-To", "X-Original-To"):
        addresses.extend(a for _, a in getaddresses([_header(message, name)]))
    for address in addresses:
        spec = _addr_spec(f"<{address}>")
        if spec and is_own(spec, own):
            tag = _local_base(spec)[1]
            if tag in ("subscribe", "unsubscribe"):
                return "subscribe" if tag == "subscribe" else "unsubscribe"
    subject = base_subject(subject_of(message))
    first = next((line for line in strip_quotes(body_text(message)).splitlines()
                  if line.strip()), "")
    for text in (subject, first):
        match = _SUBSCRIBE.match(text)
        if match:
            return "unsubscribe" if match.group(1) or match.group(2) else "subscribe"
        if _STOP.match(text):
            return "unsubscribe"
    if confirming and (_CONFIRM.match(first) or (not first and _CONFIRM.match(subject))):
        return "confirm"
    return "question"


# -- the reader's zone -----------------------------------------------------------------------


_PLACE = r"(?P<place>[^\s,;!?()]+(?:[ ][^\s,;!?()]+){0,2})"
_ZONE_PHRASES = [re.compile(p, re.IGNORECASE) for p in (
    r"\b(?:i'?m|i am|we'?re|we are)\s+(?:currently\s+|now\s+)?(?:based\s+|located\s+|living\s+"
    r"|staying\s+)?in\s+" + _PLACE,
    r"\b(?:i|we)\s+(?:live|work|am based|are based)\s+in\s+" + _PLACE,
    r"\bhere\s+in\s+" + _PLACE,
    r"\bmy\s+time\s*zone\s+(?:is\s+)?" + _PLACE,
    r"\b(?:tz|time\s*zone)\s*[:=]\s*" + _PLACE,
    r"\bin\s+" + _PLACE + r"\s+time\b",
    r"(?:我|我们|人)(?:现在|目前)?(?:在|住在|位于)(?P<place>[\u4e00-\u9fff]{2,8})",
)]


def _zone_of_place(place: str) -> Zone | None:
    """A zone for what follows "I'm in": a city or country (CLDR, both languages), an IANA
    name, an offset or an abbreviation; None for a name that says several zones ("the US")."""
    if re.match(r"[\u4e00-\u9fff]", place):  # "北京工作": the longest name it starts with
        for n in range(min(6, len(place)), 1, -1):
            found = lookup(place[:n])
            if found is not None and not found.ambiguous:
                return parse_zone(found.zones[0])
        return None
    words = [w.rstrip(".:") for w in place.split()]
    for n in range(len(words), 0, -1):  # longest first: "new york" before "new"
        text = " ".join(words[:n]).strip("'\"")
        found = lookup(text)
        if found is not None and not found.ambiguous:
            return parse_zone(found.zones[0])
        if n == 1 and re.match(r"^(?:utc|gmt)?[+\u2212-]\d", text, re.I):
            try:
                return parse_zone(text)
            except ZoneError:
                return None
    return None


def date_zone(message: Message) -> tuple[Zone, datetime] | None:
    """The fixed offset the sender's mail program wrote its ``Date`` in (``+0800``) and that
    instant; None when there is none to read: no or an unreadable Date, ``-0000`` (RFC 5322:
    the local zone is unknown) or ``+0000`` (as often a program that writes UTC for everyone
    as a reader in UTC). Only an offset: it says nothing of the sender's daylight time."""
    raw = _header(message, "Date").strip()
    try:
        sent = parsedate_to_datetime(raw) if raw else None
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    offset = sent.utcoffset() if sent is not None else None
    if sent is None or offset is None or not offset:
        return None
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    try:
        return parse_zone(f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"), sent
    except ZoneError:
        return None


def reader_zone(text: str) -> Zone | None:
    """The zone the sender says they are in ("I'm in Shanghai", "my timezone is Europe/Paris")."""
    for phrase in _ZONE_PHRASES:
        for match in phrase.finditer(text):
            zone = _zone_of_place(match.group("place"))
            if zone is not None:
                return zone
    for token in re.findall(r"\b[A-Z][A-Za-z_]+/[A-Za-z_]+(?:/[A-Za-z_]+)?\b", text):
        try:
            return parse_zone(token)
        except ZoneError:
            continue
    return None
