"""Slack's mrkdwn as text: its three control characters, ``<!date>`` tokens, section-sized pieces.

Pure, so the Slack front end, the Slack channel and the extension notices
(``bot.core.announcements.slack_text``) write it one way.
"""

from __future__ import annotations

import re
from datetime import datetime

__all__ = ["SECTION_LIMIT", "escape", "mrkdwn_chunks", "slack_date", "unescape"]

SECTION_LIMIT = 3000
"""Slack's limit on one section block's text."""


_ZWSP = "\u200b"
_URL = re.compile(r"(?:https?://|mailto:)[^\s<>]+")
_MARKUP = re.compile(r"[*_~`]")
_QUOTE = re.compile(r"^(?=&gt;)", re.MULTILINE)


def _entities(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _inert(text: str) -> str:
    """Text that is no URL, each ``*_~``` that could open or close bold, italics, a strike or
    code (one not inside a word: Slack formats only at word boundaries, so ``Los_Angeles``
    is left alone) put between zero-width spaces. Slack has no escape for them, and a marker
    touching one is at no boundary: ``Call for *papers*`` shows its asterisks."""

    def inert(match: re.Match[str]) -> str:
        at = match.start()
        inside = (0 < at < len(text) - 1 and text[at - 1].isalnum()
                  and text[at + 1].isalnum())
        return match[0] if inside else f"{_ZWSP}{match[0]}{_ZWSP}"

    return _entities(_MARKUP.sub(inert, text))


def escape(text: str, *, markup: bool = True) -> str:
    """Text shown as typed in mrkdwn: Slack's three control characters (without this,
    ``<!channel>`` pings everyone), and with ``markup`` its formatting too: ``*_~``` outside
    URLs (which Slack links as they are) and a line's leading ``>`` (a quote) made inert.
    ``markup=False`` inside a code span, where they are inert already."""
    if not markup:
        return _entities(text)
    pieces: list[str] = []
    at = 0
    for url in _URL.finditer(text):
        pieces += [_inert(text[at:url.start()]), _entities(url[0])]
        at = url.end()
    pieces.append(_inert(text[at:]))
    return _QUOTE.sub(_ZWSP, "".join(pieces))


_LINK = re.compile(r"<((?:https?://|mailto:|#C)[^<>|\s]*)(?:\|([^<>]*))?>")


def _readable(match: re.Match[str]) -> str:
    target, label = match[1], match[2]
    if target.startswith("#"):
        return f"#{label}" if label else target
    return label or target.removeprefix("mailto:")


def unescape(text: str) -> str:
    """What a person typed, from Slack's message text: links as they read (the label of
    ``<https://...|label>``, ``a@b`` of ``<mailto:a@b|a@b>``, ``#general`` of
    ``<#C1|general>``; Slack makes them of what looks like a domain or an address), then
    ``&``, ``<``, ``>`` from the entities Slack sends for the ones typed. Mentions and
    ``<!channel>`` stay as they are (and are escaped when echoed)."""
    readable = _LINK.sub(_readable, text)
    return readable.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def slack_date(instant: datetime, fallback: str, *, with_time: bool = True) -> str:
    """``<!date^UNIX^{date_long_pretty} {time}|fallback>``: each reader sees their own time."""
    tokens = "{date_long_pretty} {time}" if with_time else "{date_long_pretty}"
    return f"<!date^{int(instant.timestamp())}^{tokens}|{escape(fallback)}>"


def _cut(line: str, limit: int) -> int:
    """Where to cut a line longer than ``limit``: at a space outside any ``<...>`` token
    (``<!date^...|...>``, links, mentions) if there is one, else before the token."""
    inside = -1  # where the open token started, or -1
    best_space = best_token = 0
    for index, char in enumerate(line[:limit + 1]):
        if char == "<":
            inside = index
            best_token = index
        elif char == ">":
            inside = -1
        elif char == " " and inside < 0 and index > 0:
            best_space = index
    if inside >= 0 and best_token > 0:  # the limit falls inside a token: cut before it
        return best_space if best_space > 0 and best_space < best_token else best_token
    return best_space or best_token or limit


def mrkdwn_chunks(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """Split at line ends into pieces Slack accepts in one section each; a longer line is cut
    at a space, never inside a ``<...>`` token."""
    pieces: list[str] = []
    current = ""
    for line in text.splitlines() or [""]:
        while len(line) > limit:
            if current:
                pieces.append(current)
                current = ""
            cut = _cut(line, limit)
            pieces.append(line[:cut])
            line = line[cut:].lstrip(" ")
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            pieces.append(current)
            candidate = line
        current = candidate
    pieces.append(current)
    return [p for p in pieces if p.strip()] or [" "]
