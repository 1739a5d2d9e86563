"""Which organizer URLs may become links: one rule for the mails, the page and the feed."""

from __future__ import annotations

__all__ = ["LINK_SCHEMES", "safe_link"]

LINK_SCHEMES = ("https://", "http://", "mailto:")


def safe_link(url: str) -> str:
    """The URL if it is safe to put in an ``href`` (http, https, mailto); else empty.

    An allowlist: ``javascript:``, ``data:`` and every other scheme a browser might run are
    out, whatever their case or the whitespace around them (browsers drop tabs and newlines
    inside a scheme: ``java\tscript:`` is refused too, as it starts with none of these).
    """
    clean = url.strip()
    if any(ord(c) < 0x20 or c == "\x7f" for c in clean):
        return ""
    return clean if clean.lower().startswith(LINK_SCHEMES) else ""
