"""What changed and what was announced, as an Atom feed (RFC 4287) that RSS readers follow.

Pure: the caller says when each change was recorded (the audit log, else the schedule file's
time) and which announcements have gone out; nothing here reads a clock. Entry ids are stable
per change (a date's id and its SEQUENCE), so a reader shows an extension once, and a second
extension as a new entry.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from bot.core.ical import clean_text, when_text
from bot.core.model import Event, ImportantDate
from bot.core.timefmt import date_instant, format_day

ATOM = "http://www.w3.org/2005/Atom"


@dataclass(frozen=True, kw_only=True)
class Update:
    """One entry: a date moved or cancelled, or an announcement that went out."""

    id: str
    title: str
    summary: str
    updated: datetime
    link: str = ""


def date_changes(event: Event, *, recorded: Mapping[str, datetime], fallback: datetime,
                 base_url: str = "") -> list[Update]:
    """An entry for each extended, moved or cancelled date, and for each the ledger revised
    (a hand edit of `at`, `end`, the title, the zone ...: what raised its calendar SEQUENCE).

    ``recorded`` maps a date id to when its latest change was recorded (`duebot extend`,
    `cancel-date`); else a date the ledger revised is dated when duebot first served that
    revision (the same on every replica), and any other the time the schedule file last
    changed (``fallback``). The entry id carries the SEQUENCE calendars get, so a reader shows
    each new revision once, as a calendar does.
    """
    base = base_url.rstrip("/")
    out = []
    for when in event.dates:
        if not (when.cancelled or when.extended or when.modified is not None):
            continue
        state = "cancelled" if when.cancelled else "extended" if when.extended else "changed"
        out.append(Update(
            id=f"urn:duebot:{event.id}:{when.id}:{state}:{when.calendar_sequence}",
            title=clean_text(f"{_headline(when)}: {when.title}"),
            summary=_change_text(when),
            updated=recorded.get(when.id) or when.modified or fallback,
            link=f"{base}/e/{event.id}/{when.id}.ics" if base else ""))
    return out


def _headline(when: ImportantDate) -> str:
    return "Cancelled" if when.cancelled else "Extended" if when.extended else "Changed"


def _change_text(when: ImportantDate) -> str:
    if when.cancelled:
        return clean_text(f"{when.title} ({when_text(when)}) no longer applies.")
    text = f"{when.title} is now {when_text(when)}."
    if when.extended_from is not None:
        text += f" It was {date_instant(when, when.extended_from, when.zone)}."
    elif when.extended_from_day is not None:
        text += f" It was {format_day(when.extended_from_day)}."
    return clean_text(text)


def announcement_update(event: Event, announcement_id: str, *, title: str, text: str,
                        sent: datetime, base_url: str = "") -> Update:
    """An announcement as an entry, dated when it was due to go out."""
    base = base_url.rstrip("/")
    return Update(id=f"urn:duebot:{event.id}:announcement:{announcement_id}",
                  title=clean_text(title), summary=clean_text(text), updated=sent,
                  link=f"{base}/e/{event.id}" if base else "")


def build_atom(event: Event, updates: Sequence[Update], *, fallback: datetime,
               feed_url: str = "", page_url: str = "") -> bytes:
    """The feed, newest entry first; ``fallback`` dates it when there is no entry yet."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    entries = sorted(updates, key=lambda u: (u.updated, u.id), reverse=True)
    newest = max((u.updated for u in entries), default=fallback)
    _text(feed, "id", f"urn:duebot:{event.id}:updates")
    _text(feed, "title", clean_text(f"{event.name}: changes and announcements"))
    _text(feed, "updated", _stamp(newest))
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, "name", clean_text(event.contact.name or event.name))
    if event.contact.email:
        _text(author, "email", event.contact.email)
    if feed_url:
        ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=feed_url,
                      type="application/atom+xml")
    if page_url:
        ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", href=page_url,
                      type="text/html")
    _text(feed, "generator", "duebot")
    for update in entries:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        _text(entry, "id", update.id)
        _text(entry, "title", update.title)
        _text(entry, "updated", _stamp(update.updated))
        if update.link:
            ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", href=update.link)
        _text(entry, "summary", update.summary)
    return bytes(ET.tostring(feed, encoding="utf-8", xml_declaration=True)) + b"\n"


def _text(parent: ET.Element, tag: str, value: str) -> None:
    ET.SubElement(parent, f"{{{ATOM}}}{tag}").text = value


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


__all__ = ["Update", "announcement_update", "build_atom", "date_changes"]
