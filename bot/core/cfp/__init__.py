"""Read a call for papers (Markdown, plain text, HTML; PDF via bot.adapters.pdf_text) as TOML.

The steps, one module each: ``blocks`` (the call as headings, items, rows, paragraphs),
``dates`` (dates, times and zones as written, English and Chinese), ``venue`` (name, place,
countries), ``assemble`` (one entry per date: kind, title, year, doubts) and ``write`` (the
TOML with a comment on every guess).

Pure: text in, ``Imported(toml, warnings, summary)`` out; no files, no clock. Every guess the
importer makes (a misspelt month, a year left over from last time, "PST" in September, a date
with no zone) is written as a TOML comment on the line it concerns and returned as a warning
naming the call's line, so the organizer checks exactly those. What it cannot read is left out
with a comment, never invented; what it returns always passes ``bot.core.schedule.read_schedule``.
"""


from __future__ import annotations

import re
from collections import Counter
from datetime import datetime
from datetime import time as TimeOfDay
from typing import NamedTuple

from bot.core.cfp.assemble import (
    _Call,
    _collect,
    _defaults,
    _event_name,
    _logistics,
    _numeric_order,
    _place_city,
    _resolve_years,
    _slug,
    slug_cut,
)
from bot.core.cfp.blocks import _blocks
from bot.core.cfp.dates import _Clock, _place
from bot.core.cfp.venue import CITY_COUNTRIES
from bot.core.cfp.write import _FROM_OTHER_DATES, _date_lines, _naive, _problem, _Writer
from bot.core.model import ImportantDate
from bot.core.schedule import read_schedule
from bot.core.timefmt import ended_day
from bot.core.zones import parse_zone
from bot.errors import DuebotError, Problem, ZoneError

__all__ = ["CITY_COUNTRIES", "Imported", "SummaryRow", "import_cfp"]

_END_OF_DAY = "no time given: assumed the end of the day, 23:59"


class SummaryRow(NamedTuple):
    """One [[dates]] entry as a chair checks it at a glance."""

    id: str
    kind: str
    local: str
    """As written in the TOML: ``2027-05-02 23:59 AoE`` or ``2027-05-03 .. 2027-05-05``."""
    utc: str
    """The instant in UTC (an all-day date: when its day begins there)."""
    doubts: tuple[str, ...]


class Imported(NamedTuple):
    """The draft's TOML, the doubts to check (``FILE:LINE: warning:``), and a summary table."""

    toml: str
    warnings: list[Problem]
    summary: list[SummaryRow]


def import_cfp(text: str, *, source: str = "<call>", zone: str | None = None,
               year: int | None = None) -> Imported:
    """Read a call for papers; return a draft schedule's TOML and the doubts it flagged.

    ``zone`` is the default for times the call gives without one (else the call's own note
    such as "All deadlines are AoE", else AoE, flagged); ``year`` is the year of dates printed
    without one. Raises DuebotError when the call holds no date at all: there is nothing to
    draft, and an empty schedule would not validate.
    """
    if zone is not None:
        parse_zone(zone)  # a bad --zone is the user's mistake: ZoneError says which
    call = _Call(blocks=_blocks(text))
    _event_name(call)
    _place_city(call)
    _defaults(call)
    _collect(call)
    _numeric_order(call)
    _resolve_years(call, year)
    warnings: list[Problem] = []
    event_notes: dict[str, list[str]] = {}

    # Times and zones for each kept date.
    explicit: Counter[str] = Counter()
    for entry in call.entries:
        if entry.dropped or entry.day is None:
            continue
        if entry.clock is None and call.default_clock is not None and entry.kind in (
                "deadline", "camera-ready"):
            entry.clock = call.default_clock
            if entry.old is not None and entry.old_clock is None:
                # "~~May 1~~ May 8" under "all 11:59 PM PDT": the note times the old date too.
                entry.old_clock = call.default_clock
        if entry.clock is None and (entry.kind == "deadline" or (entry.kind == "camera-ready" and (
                entry.zone_text or entry.by_phrase or call.default_zone))):
            # A deadline given as a date is due by the end of that day, not at its start.
            entry.clock = _Clock(TimeOfDay(23, 59), "", doubt=_END_OF_DAY)
        if entry.zone_text:
            try:
                probe = _naive(entry.day, entry.clock) if entry.clock else datetime.combine(
                    entry.day, TimeOfDay(12))
                placed = _place(entry.zone_text, probe, call.countries, call.venue_zone)
            except ZoneError:
                entry.note("zone", f'zone "{entry.zone_text}" not understood; left out')
                entry.zone_text = ""
            else:
                if entry.clock is not None:
                    explicit[placed.key] += 1
    default_zone = ""
    default_why = ""
    if explicit and not call.default_zone:
        # Only without the call's own note: "All deadlines are 23:59 AoE" holds for the lines
        # that name no zone, whatever one line names ("Camera-ready: 5 PM NZDT").
        default_zone = explicit.most_common(1)[0][0]
        default_why = _FROM_OTHER_DATES
    elif call.default_zone:
        default_zone = _place(call.default_zone, datetime(2000, 1, 1), call.countries,
                              call.venue_zone).key
        default_why = "the call's note on times"
        for entry in call.entries:
            # "All deadlines are 11:59 PM PST" over a September date: the doubt of that date,
            # as if its own line said "PST".
            if entry.zone_text or entry.clock is None or entry.dropped or entry.day is None:
                continue
            placed = _place(call.default_zone, _naive(entry.day, entry.clock), call.countries,
                            call.venue_zone)
            if placed.doubt:
                entry.note("zone", placed.doubt)
    elif zone is not None:
        default_zone = parse_zone(zone).region or parse_zone(zone).key
        default_why = "--zone"
    elif _written_in_chinese(text):
        default_zone = "Asia/Shanghai"
        message = ("the call names no time zone and no --zone was given; it is written in "
                   "Chinese: times read as Beijing time (Asia/Shanghai); CHECK THIS")
        event_notes.setdefault("zone", []).append(message)
        warnings.append(_problem(source, call.name_line, message))
    else:
        default_zone = "AoE"
        message = ("the call names no time zone and no --zone was given: times written in "
                   "AoE (UTC-12:00); CHECK THIS")
        event_notes.setdefault("zone", []).append(message)
        warnings.append(_problem(source, call.name_line, message))
    if call.name_guessed:
        message = f"no heading names the event: took its first line, {call.name!r}"
        event_notes.setdefault("name", []).append(message)
        warnings.append(_problem(source, call.name_line, message))

    out = _Writer()
    out.comment(f"Draft schedule imported by `duebot import-cfp` from {source}.")
    out.comment("Every line with a comment is a guess or a gap: check it against the call, "
                "then run `duebot validate`.")
    out.blank()
    out.lines.append("[event]")
    event_id = call.event_id if re.search(r"[a-z]", call.event_id) else _fallback_id(call)
    cut = slug_cut(call.name, 64) if event_id == _slug(call.name, 64) else ""
    out.key("id", event_id, (cut,) if cut else ())
    out.key("name", call.name, event_notes.get("name", ()))
    out.key("zone", default_zone, event_notes.get("zone", ()))
    if call.venue_zone:
        out.key("venue_zone", call.venue_zone)
    elif call.city:
        message = (f"{call.venue_doubt}: venue_zone left out" if call.venue_doubt
                   else f"no zone known for {call.city!r}: venue_zone left out")
        out.comment(message)
        warnings.append(_problem(source, call.venue_line or call.name_line, message))
    for key in ("venue", "city", "country"):
        value = getattr(call, key)
        if value:
            out.key(key, value)

    details = _logistics(call)
    submission: list[tuple[str, str | int | bool, list[str]]] = []
    for key in ("system", "url", "format", "template", "template_url"):
        value = getattr(details, key)
        if value:
            submission.append((key, value, []))
    if details.page_limit is not None:
        notes = [details.page_doubt] if details.page_doubt else []
        if details.page_doubt:
            warnings.append(_problem(source, details.line, details.page_doubt))
        submission.append(("page_limit", details.page_limit, notes))
        submission.append(("page_limit_note", details.page_limit_note, []))
    if details.anonymized is not None:
        submission.append(("anonymized", details.anonymized, []))
    if submission:
        out.blank()
        out.lines.append("[submission]")
        for key, value, notes in submission:
            out.key(key, value, notes)
    if details.email:
        out.blank()
        out.lines.append("[contact]")
        out.key("email", details.email)

    used: set[str] = set()
    doubts: dict[str, tuple[str, ...]] = {}
    event_zone = parse_zone(default_zone)
    for entry in call.entries:
        out.blank()
        if entry.dropped or entry.day is None:
            message = entry.dropped or f'could not read "{entry.found.text}"'
            out.comment(f"left out (line {entry.line}): {entry.source_text[:100]}: {message}")
            warnings.append(_problem(source, entry.line, f"left out: {message}"))
            continue
        lines = _date_lines(entry, default_zone, default_why, call.venue_zone, event_zone,
                            call.countries)
        if lines is None:
            message = entry.dropped
            out.comment(f"left out (line {entry.line}): {entry.source_text[:100]}: {message}")
            warnings.append(_problem(source, entry.line, f"left out: {message}"))
            continue
        base = _slug(entry.title) or entry.kind
        date_id, n = base, 2
        while date_id in used:
            date_id, n = f"{base}-{n}", n + 1
        used.add(date_id)
        if entry.kind == "other":
            entry.note("kind", f'what "{entry.title}" is was not clear: kind = "other" gets no '
                               f'reminders; if it is a deadline, write kind = "deadline" (or '
                               f'"notification", "camera-ready", "event")')
        doubts[date_id] = tuple(n for notes in entry.notes.values() for n in notes)
        out.lines.append("[[dates]]")
        cut = slug_cut(entry.title) if base == _slug(entry.title) else ""
        out.key("id", date_id, (cut,) if cut else ())
        out.key("title", entry.title)
        out.key("kind", entry.kind, entry.notes.get("kind", ()))
        for key, value in lines:
            out.key(key, value, entry.notes.get(key, ()))
        for key, notes in entry.notes.items():
            for note in notes:
                warnings.append(_problem(source, entry.line, note))
            if key not in {k for k, _ in lines} | {"kind"}:
                for note in notes:
                    out.comment(note)
    if not any(not e.dropped and e.day is not None for e in call.entries):
        reasons = [e.dropped for e in call.entries if e.dropped]
        why = f" ({reasons[0]})" if reasons else ""
        raise DuebotError(f"found no date in the call that could be read{why}; nothing to "
                          f"draft", file=source)
    result = out.text()
    event, problems = read_schedule(result, source)
    if problems or event is None:  # our bug: say so loudly, never hand over a failing schedule
        raise DuebotError("import-cfp produced an invalid schedule (a bug in duebot): "
                          + "; ".join(p.message for p in problems), file=source)
    summary = [SummaryRow(d.id, d.kind, _local_of(d), f"{d.starts:%Y-%m-%d %H:%M} UTC",
                          doubts.get(d.id, ())) for d in event.dates]
    return Imported(result, sorted(warnings, key=lambda p: (p.line or 0)), summary)


def _local_of(when: ImportantDate) -> str:
    written = when.local_text
    if when.end_day is not None:
        written += f" .. {when.end_day.isoformat()}"
    elif when.end is not None:  # "9:00 AM – 5:00 PM": the end on the date's own clock
        # An end written "24:00" is that day's end, as everywhere else (not the next 00:00).
        ended = ended_day(when.end, when.zone, when.is_day_end(when.end))
        local = when.zone.local(when.end)
        day, clock = (ended, "24:00") if ended is not None else (local.date(), f"{local:%H:%M}")
        begun = when.zone.local(when.starts).date()
        written += f" .. {clock}" if day == begun else f" .. {day.isoformat()} {clock}"
    return f"{written} {when.zone.key}"


def _written_in_chinese(text: str) -> bool:
    return len(re.findall(r"[\u4e00-\u9fff]", text)) > 20


def _fallback_id(call: _Call) -> str:
    """An id for a name with no Latin letters (a Chinese call without an acronym)."""
    years = sorted({e.day.year for e in call.entries if e.day is not None})
    return f"event-{years[-1]}" if years else "event"
