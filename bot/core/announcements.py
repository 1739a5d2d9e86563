"""Announcements, the pure half: which ones an event has, when each goes, what it says.

Two sources end in one list: ``[[announcements]]`` in the schedule file and those scheduled by
command (the ledger's ``announcements`` table, read by the caller and passed in). On an id
clash the file wins. ``at`` is kept as written; relative to a date (``abstract-2d``,
``notification+1h``, ``workshop``) it is read against the schedule as it is now, so it moves
when the date moves. Whole days keep the wall-clock time in the date's zone, as reminders do.
An announcement relative to a cancelled date has no time and is not sent.

The instant is read once, when the announcement is planned (``timed``); the ledger row then
carries it (``due``) with the announcement itself (``payload``), and sending reads the row
(``from_payload``), never the ``at`` text again.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any

from bot.core.language import ENGLISH, Language
from bot.core.model import Announcement, Event, ImportantDate
from bot.core.planner import due_at, target_of
from bot.core.render import Message, Renderer, moment_text, one_line
from bot.core.schedule import parse_when
from bot.core.slack_mrkdwn import escape, slack_date
from bot.core.timefmt import date_instant, format_instant
from bot.core.zones import Zone
from bot.errors import DuebotError, Problem, TemplateError

__all__ = [
    "EXTENDED_TEMPLATE", "KIND", "TEXT_TEMPLATE", "Timed", "check_file_announcements",
    "context", "from_payload", "id_of", "item_id", "merged", "payload", "render", "shadowed",
    "shift", "slack_text", "stored", "timed", "when_of",
]

KIND = "announcement"
TEXT_TEMPLATE = "announcement"
"""``announcement.subject.j2`` / ``.txt.j2`` / ``.html.j2``: the frame around ``text``."""
EXTENDED_TEMPLATE = "extended"
_DAY = timedelta(days=1)


def item_id(event_id: str, announcement_id: str) -> str:
    return f"{KIND[:3]}/{event_id}/{announcement_id}"


def id_of(event_id: str, item: str) -> str:
    """The announcement id in an item id (``item_id``'s inverse)."""
    return item.removeprefix(item_id(event_id, ""))


def _resolve(event: Event, at: str) -> tuple[datetime | None, str]:
    """``at`` read once: its instant (None: relative to a cancelled date) and its date id."""
    spec = parse_when(at, {d.id for d in event.dates})
    if spec.date_id:
        when = event.date(spec.date_id)
        if when.cancelled:
            return None, spec.date_id
        return shift(target_of(when), spec.offset, when.zone), spec.date_id
    local = spec.local
    assert local is not None
    if local.instant is not None:
        return local.instant, ""
    assert isinstance(local.value, datetime)
    return (local.zone or event.zone).localize(local.value), ""


def when_of(event: Event, at: str) -> datetime | None:
    """The instant ``at`` names for this event; None when it is relative to a cancelled date.

    ValueError (or ZoneError) when ``at`` cannot be read or names an unknown date.
    """
    return _resolve(event, at)[0]


def shift(moment: datetime, offset: timedelta, zone: Zone) -> datetime:
    """``moment + offset``: whole days on the wall clock of ``zone``, the rest elapsed."""
    if offset < timedelta(0):
        return due_at(moment, -offset, zone)
    days = offset // _DAY
    rest = offset - days * _DAY
    if days:
        wall = zone.local(moment).replace(tzinfo=None) + days * _DAY
        try:
            moment = zone.localize(wall, fold="earlier")
        except DuebotError:  # a DST gap: count real time instead
            moment = moment + days * _DAY
    return moment + rest


# -- the ledger row's payload, and the table's rows ----------------------------------------------

def payload(announcement: Announcement) -> str:
    """What the ledger row carries: enough to render it at send time, and to see it change."""
    return json.dumps({"at": announcement.at, "text": announcement.text,
                       "template": announcement.template,
                       "params": dict(announcement.params)}, sort_keys=True, ensure_ascii=False)


def from_payload(announcement_id: str, stored_payload: str) -> Announcement:
    """The announcement a ledger row carries (``payload``); ValueError when unreadable."""
    try:
        data = json.loads(stored_payload)
        params = {str(k): str(v) for k, v in dict(data.get("params") or {}).items()}
        return Announcement(id=announcement_id, at=str(data["at"]),
                            text=str(data.get("text") or ""),
                            template=str(data.get("template") or ""),
                            params=MappingProxyType(params))
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"unreadable announcement payload: {exc}") from None


def stored(rows: Sequence[Mapping[str, Any]]) -> list[Announcement]:
    """Announcements from the ledger's table (a template's params ride in ``text`` as JSON)."""
    out = []
    for row in rows:
        template = str(row["template"])
        text = str(row["text"])
        params: dict[str, str] = {}
        if template and text:
            params = {str(k): str(v) for k, v in json.loads(text).items()}
            text = ""
        out.append(Announcement(id=str(row["id"]), at=str(row["when_spec"]),
                                to=tuple(row["destinations"]), text=text, template=template,
                                params=MappingProxyType(params)))
    return out


def merged(event: Event, extra: Sequence[Announcement]) -> list[Announcement]:
    """The file's announcements, then the ledger's; on an id clash the file wins."""
    own = {a.id for a in event.announcements}
    return [*event.announcements, *(a for a in extra if a.id not in own)]


def shadowed(event: Event, extra: Sequence[Announcement]) -> list[str]:
    """Ids scheduled by command that the file's own announcements hide (``merged``)."""
    own = {a.id for a in event.announcements}
    return [a.id for a in extra if a.id in own]


@dataclass(frozen=True, kw_only=True)
class Timed:
    """One announcement with its instant, read once when it is planned."""

    announcement: Announcement
    due: datetime
    date_id: str
    """The date ``at`` is relative to; "" for an absolute time."""


def timed(event: Event, extra: Sequence[Announcement], *, renderer: Renderer | None = None
          ) -> tuple[list[Timed], list[tuple[str, str]]]:
    """Every announcement that goes, with its instant; and ``(id, why)`` for each that cannot.

    Relative to a cancelled date: neither (it is not sent, and that is no mistake). With a
    renderer, a file announcement whose template does not render cannot go: it is the file's
    error, reported by ``duebot validate``, never a 3 a.m. failure.
    """
    out: list[Timed] = []
    failed: list[tuple[str, str]] = []
    own = {a.id for a in event.announcements}
    for announcement in merged(event, extra):
        try:
            due, date_id = _resolve(event, announcement.at)
            if due is not None and renderer is not None and announcement.id in own:
                render(renderer, event, announcement, when=due)
        except (ValueError, DuebotError) as exc:
            failed.append((announcement.id, str(exc)))
            continue
        if due is not None:
            out.append(Timed(announcement=announcement, due=due, date_id=date_id))
    return out, failed


# -- rendering --------------------------------------------------------------------------------

def _moment_text(value: str, zone: Zone, lang: Language = ENGLISH,
                 reader: Zone | None = None, of: ImportantDate | None = None) -> str:
    """An ISO instant in ``zone`` and in UTC (in the reader's zone first, if they chose one);
    an ISO day as the day itself: the templates' ``moment`` filter, in the reader's language."""
    return moment_text(lang, value, zone, reader, of)


def context(event: Event, announcement: Announcement, *, when: datetime,
            now: datetime | None = None, lang: Language = ENGLISH,
            reader: Zone | None = None) -> dict[str, Any]:
    """What announcement templates see: the event, every date by id, the organizer's text;
    ``reader``: the zone the subscriber chose, if any."""
    dates: dict[str, ImportantDate] = {}
    for item in event.dates:
        dates[item.id] = item
        dates.setdefault(item.id.replace("-", "_").replace(".", "_"), item)
    text = announcement.text.strip()
    ctx: dict[str, Any] = {
        "event": event, "dates": dates, "submission": event.submission,
        "contact": event.contact, "zone": event.zone, "announcement": announcement,
        "text": text, "paragraphs": [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()],
        "headline": _headline(text), "params": dict(announcement.params), "when": when,
        "when_text": format_instant(when, event.zone), "now": now, "reader": reader,
    }
    params = announcement.params
    if "date" in params:  # an extension notice: the date, its old and its new time
        changed = event.date(params["date"])
        zone = changed.zone
        ctx.update({
            "date": changed,
            "old_text": _moment_text(params.get("old", ""), zone, lang, reader, changed)
            if params.get("old") else "",
            "new_text": _moment_text(params["new"], zone, lang, reader, changed),
            "later": params.get("later", "true") == "true",
        })
    return ctx


def _headline(text: str, limit: int = 78) -> str:
    first = one_line(text.splitlines()[0]) if text else ""
    return first if len(first) <= limit else first[:limit - 1].rstrip() + "…"


def render(renderer: Renderer, event: Event, announcement: Announcement, *, when: datetime,
           now: datetime | None = None, reader: Zone | None = None) -> Message:
    """The message; every template problem is a TemplateError, raised here."""
    base = announcement.template or TEXT_TEMPLATE
    ctx = context(event, announcement, when=when, now=now, lang=renderer.lang, reader=reader)
    return Message(subject=one_line(renderer.render(f"{base}.subject.j2", **ctx)),
                   text=renderer.render(f"{base}.txt.j2", **ctx),
                   html=renderer.render(f"{base}.html.j2", **ctx))


def slack_text(event: Event, announcement: Announcement) -> str:
    """For an extension notice, the times as ``<!date>`` tokens, which Slack shows in each
    reader's own zone (the fallback text is the date's own zone); "" for anything else."""
    params = announcement.params
    if "date" not in params or len(params.get("new", "")) <= 10:
        return ""
    changed = event.date(params["date"])

    def token(value: str) -> str:
        moment = datetime.fromisoformat(value)
        return slack_date(moment, date_instant(changed, moment, changed.zone))

    title = escape(changed.title)
    verb = "extended" if params.get("later", "true") == "true" else "moved"
    text = f"*{title}* has been {verb}: it is now {token(params['new'])}"
    if len(params.get("old", "")) > 10:
        text += f" (it was {token(params['old'])})"
    return text + "."


def check_file_announcements(event: Event, renderer: Renderer) -> list[Problem]:
    """Render each file announcement once: a field the schedule lacks is a load-time error."""
    problems = []
    for announcement in event.announcements:
        try:
            when = when_of(event, announcement.at)
            if when is not None:
                render(renderer, event, announcement, when=when)
        except (ValueError, DuebotError) as exc:
            message = exc.problem.message if isinstance(exc, DuebotError) else str(exc)
            where = exc.problem.file if isinstance(exc, TemplateError) else ""
            problems.append(Problem(
                message=f"announcement {announcement.id!r}: {message}"
                        + (f" (in {where})" if where else ""),
                file=event.source, line=announcement.line("template" if announcement.template
                                                          else "at"),
                field="announcements"))
    return problems
