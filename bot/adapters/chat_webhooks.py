"""What the webhook chat front ends (Discord, Zulip, Mattermost) share at their edge: the
request's token checked in constant time, a date's instant for the platform's own time mark,
text shown as typed (its Markdown escaped, mentions in it defused).
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from bot.core.model import ImportantDate
from bot.core.timefmt import date_captioned, ends_written_day

if TYPE_CHECKING:
    from bot.core.ask import Answer

__all__ = ["date_words", "defuse_mentions", "escape_markdown", "instant_of", "token_ok"]

_AT_MENTION = re.compile(r"(?<![\w.+-])@(?=[\w*_])")
_URL = re.compile(r"https?://[^\s<>]+")
_ANYWHERE = {
    "commonmark": re.compile(r"[\\*_~`|\[\]<>]"),
    # Python-Markdown (Zulip's) takes a backslash only before these; ``<``, ``~``, ``$`` are
    # kept apart from what follows instead (``<time:``, ``~~``, ``$$`` are Zulip syntax).
    "zulip": re.compile(r"[\\*_`\[\]>]"),
}
_ZERO_WIDTH = {"commonmark": None, "zulip": re.compile(r"[<~$]")}
_LINE_START = re.compile(r"^([ \t]*)([#+-]|\d+(?=[.)]))", re.MULTILINE)
"""A heading (Discord's ``#``, ``-#``), a list item: a backslash on their marker (a quote's
``>`` has one wherever it stands)."""


def instant_of(when: ImportantDate) -> datetime | None:
    """The instant a timed date's reader-local line speaks of; None for an all-day or cancelled
    date (the answer's own words say "at the end of Tuesday 10 October" better than a
    midnight the reader's client would show as the next day)."""
    if when.cancelled or when.all_day:
        return None
    return when.starts


def date_words(when: ImportantDate, instant: datetime, reply: Answer | None
               ) -> tuple[str, str, str]:
    """A date line's words in the answer's language (the question's): the time in the date's
    own zone, the "your time" label and the colon (and space) after the title."""
    if reply is None or reply.language != "zh":
        return (date_captioned(when, instant, when.zone),
                "your time", ": ")
    from bot.core.ask import in_script, zh  # here: importing the reader costs ~0.1 s a start

    day_end = ends_written_day(when, instant, when.zone)
    own = f"{zh.format_instant(instant, when.zone, day_end)}（{zh.zone_name(when.zone, instant)}）"
    return (in_script(reply, own, when.zone, instant), in_script(reply, "你的时间", when.zone,
                                                               instant), "：")


def _escaped(text: str, flavour: str) -> str:
    text = _ANYWHERE[flavour].sub(lambda m: "\\" + m[0], text)
    zero_width = _ZERO_WIDTH[flavour]
    return text if zero_width is None else zero_width.sub(lambda m: m[0] + "\u200b", text)


def _line_marker(match: re.Match[str]) -> str:
    marker = match[2]
    if marker.isdigit():  # "1. item": the dot after the number is the marker
        return f"{match[1]}{marker}\\"
    return f"{match[1]}\\{marker}"


def escape_markdown(text: str, flavour: str = "commonmark") -> str:
    """Organizer or user text shown as typed in Discord's, Mattermost's (``commonmark``) or
    Zulip's (``zulip``) Markdown: ``Call for *papers*``, ``[link](http://x)``, ``<t:0>``,
    ``# heading`` stay text. URLs are left whole (a backslash in one breaks the link).
    Mentions are not touched: see ``defuse_mentions`` and Discord's ``allowed_mentions``."""
    pieces: list[str] = []
    at = 0
    for url in _URL.finditer(text):
        pieces += [_escaped(text[at:url.start()], flavour), url[0]]
        at = url.end()
    pieces.append(_escaped(text[at:], flavour))
    return _LINE_START.sub(_line_marker, "".join(pieces))


def defuse_mentions(text: str) -> str:
    """``@channel``, ``@**all**`` and the like cannot ping anyone (e-mail addresses stay)."""
    return _AT_MENTION.sub("@\u200b", text)


def token_ok(given: str, tokens: Iterable[str]) -> bool:
    """Whether ``given`` is one of ``tokens``, in constant time per token (bytes: a str
    ``compare_digest`` refuses non-ASCII text with TypeError)."""
    offered = given.encode("utf-8", "replace")
    matched = False
    for token in tokens:
        matched |= hmac.compare_digest(offered, token.encode("utf-8"))
    return matched and bool(given)
