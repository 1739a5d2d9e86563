"""Writing the draft: TOML lines with a comment on every guess, and the keys of each [[dates]]."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from datetime import time as TimeOfDay
from zoneinfo import ZoneInfo

import tomlkit

from bot.core.cfp.assemble import _Entry
from bot.core.cfp.dates import _Clock, _place
from bot.core.zones import Zone, offset_text, parse_zone
from bot.errors import Problem, ZoneError

_FROM_OTHER_DATES = "the zone the call gives its other times in"


def _value(value: str | int | bool) -> str:
    return tomlkit.item(value).as_string()


def _comment(text: str) -> str:
    return re.sub(r"[\x00-\x08\x0a-\x1f\x7f]", " ", text)


class _Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def key(self, key: str, value: str | int | bool, notes: Sequence[str] = ()) -> None:
        line = f"{key} = {_value(value)}"
        if notes:
            line = f"{line:<34} # {_comment('; '.join(notes))}"
        self.lines.append(line)

    def comment(self, text: str) -> None:
        self.lines.append(f"# {_comment(text)}")

    def blank(self) -> None:
        self.lines.append("")

    def text(self) -> str:
        return "\n".join(self.lines).rstrip() + "\n"


def _problem(source: str, line: int, message: str) -> Problem:
    return Problem(message=message, file=source, line=line, severity="warning")


def _local_text(day: date, clock: _Clock | None) -> str:
    if clock is None:
        return day.isoformat()
    if clock.next_day:
        return f"{day.isoformat()} 24:00"
    return f"{day.isoformat()} {clock.value:%H:%M}"


def _naive(day: date, clock: _Clock) -> datetime:
    moment = datetime.combine(day, clock.value)
    return moment + timedelta(days=1) if clock.next_day else moment


# Abbreviations of clocks no longer kept: what they were, and the zone whose local time a call
# that still writes them means.
_RETIRED = {"BRST": ("Brazil's summer time, UTC-02:00, not kept since 2019",
                     "America/Sao_Paulo")}


def zone_offset(key: str, day: date) -> str:
    """ "UTC-03:00 that day": the offset a zone keeps at noon of ``day``, for a doubt."""
    moment = datetime.combine(day, TimeOfDay(12)).replace(tzinfo=ZoneInfo(key))
    return f"{offset_text(moment.utcoffset())} that day"


def _date_lines(entry: _Entry, default_zone: str, default_why: str, venue_zone: str,
                event_zone: Zone, countries: tuple[str, ...] = ()
                ) -> list[tuple[str, str | bool]] | None:
    """The keys of one [[dates]] table; None (with ``entry.dropped`` set) if it cannot be."""
    assert entry.day is not None
    clock = entry.clock
    lines: list[tuple[str, str | bool]] = []
    if clock is not None and clock.doubt:
        entry.note("at", clock.doubt.format(day=f"{entry.day:%B} {entry.day.day}"))
    key = ""
    if entry.zone_text:
        probe = _naive(entry.day, clock) if clock else datetime.combine(entry.day, TimeOfDay(12))
        placed = _place(entry.zone_text, probe, countries, venue_zone)
        key = placed.key
        if placed.doubt:
            entry.note("zone", placed.doubt)
    elif entry.unknown_zone in _RETIRED and clock is not None:
        what, key = _RETIRED[entry.unknown_zone]
        entry.note("zone", f'"{entry.unknown_zone}" ({what}): read as local time in {key}, '
                           f"{zone_offset(key, entry.day)}")
    elif entry.unknown_zone and clock is not None:
        entry.note("zone", f'"{entry.unknown_zone}" is no time zone duebot knows: read in '
                           f"{default_zone} ({default_why}); CHECK THIS and write the zone meant")
        key = default_zone
    elif entry.kind == "event" and venue_zone:
        key = venue_zone
    elif clock is not None and default_why == _FROM_OTHER_DATES:
        entry.note("zone", f"no zone on this line: read in {default_zone}, {default_why}")
        key = default_zone
    zone = parse_zone(key) if key else event_zone
    at_text = _local_text(entry.day, clock)
    fold = ""
    if clock is not None:
        try:
            if clock.next_day:  # 24:00: the day's end, even where the next midnight is skipped
                zone.start_of_day(_naive(entry.day, clock).date())
            else:
                zone.localize(_naive(entry.day, clock))
        except ZoneError as exc:
            if "twice" not in exc.problem.message:
                entry.dropped = exc.problem.message
                return None
            fold = "earlier"
            first, second = zone.readings(_naive(entry.day, clock))
            entry.note("fold", f"{_naive(entry.day, clock):%Y-%m-%d %H:%M} happens twice in "
                               f"{zone.key} (the clocks go back): read as the earlier, "
                               f"{first:%H:%M} UTC ({zone.abbreviation(first)}); for the later, "
                               f'{second:%H:%M} UTC ({zone.abbreviation(second)}), write fold = '
                               f'"later"')
    lines.append(("at", at_text))
    if key and (entry.zone_text or key != event_zone.key):
        lines.append(("zone", key))
    elif "zone" in entry.notes:
        lines.append(("zone", zone.key))
    if fold:
        lines.append(("fold", fold))
    if entry.end_clock is not None and clock is not None and entry.end_day in (None, entry.day):
        if (entry.end_clock.value > clock.value and not clock.next_day) or entry.end_clock.next_day:
            lines.append(("end", _local_text(entry.day, entry.end_clock)))
        else:
            entry.note("at", f"the call gives an end at {entry.end_clock.text.strip()}, not after "
                             f"the start: end left out")
    if entry.end_day is not None and entry.end_day != entry.day:
        if clock is None:
            lines.append(("end", entry.end_day.isoformat()))
        else:
            entry.note("at", f"the call gives a range ending {entry.end_day.isoformat()}; "
                             f"end left out (the start has a time of day)")
    if entry.old_day is not None:
        old_clock = clock
        if clock is not None and entry.old_clock is not None:
            old_clock = entry.old_clock
        elif clock is not None:
            entry.note("extended_from", f"the call gives the old date "
                                        f"\"{entry.old.text if entry.old else ''}\" without "
                                        f"its time: assumed the same time of day")
        try:
            if old_clock is not None:
                zone.localize(_naive(entry.old_day, old_clock), fold="earlier")
        except ZoneError:
            entry.notes.pop("extended_from", None)
            lines.append(("extended", True))
        else:
            lines.append(("extended_from", _local_text(entry.old_day, old_clock)))
    elif entry.extended:
        lines.append(("extended", True))
    return lines
