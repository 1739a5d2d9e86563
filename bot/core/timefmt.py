"""Show an instant the way people read it: their zone, the event's zone beside it, weekday,
countdown. Pure: ``now`` is always a parameter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.core.model import ImportantDate, check_aware
from bot.core.zones import Zone


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def countdown(delta: timedelta) -> str:
    """``9 days 18 hours``, ``3 hours 5 minutes``, ``12 minutes``: two units at most."""
    seconds = int(abs(delta).total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return _plural(days, "day") + (f" {_plural(hours, 'hour')}" if hours else "")
    if hours:
        return _plural(hours, "hour") + (f" {_plural(minutes, 'minute')}" if minutes else "")
    if minutes:
        return _plural(minutes, "minute")
    return "less than a minute"


def relative(instant: datetime, now: datetime) -> str:
    """``9 days 18 hours from now`` or ``passed 3 days ago``."""
    delta = check_aware(instant) - check_aware(now)
    if delta > timedelta(0):  # at the instant itself a deadline has passed
        return f"{countdown(delta)} from now"
    return f"passed {countdown(delta)} ago"


def format_day(day: date) -> str:
    """``Wednesday 20 September 2017``: weekday first, month spelled out, no ambiguity."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def format_instant(instant: datetime, zone: Zone) -> str:
    """``Monday 11 September 2017, 14:59 CST``: the wall-clock time in ``zone``."""
    local = zone.local(check_aware(instant))
    return f"{format_day(local.date())}, {local:%H:%M} {zone.abbreviation(instant)}"


def zone_caption(zone: Zone, instant: datetime) -> str:
    """``Asia/Shanghai, UTC+08:00``: enough to tell zones apart whatever the abbreviation."""
    if zone.kind == "aoe":
        return "Anywhere on Earth, UTC-12:00"
    if zone.kind in ("offset",) or zone.key == "UTC":
        return zone.key
    if zone.kind == "abbreviation":
        return f"fixed {zone.offset_at(instant)}"
    name = zone.region or zone.key
    return f"{name}, {zone.offset_at(instant)}"


@dataclass(frozen=True, kw_only=True)
class When:
    """The parts of a date's description, for front ends that lay them out themselves."""

    reader_text: str
    event_text: str
    relation: str
    passed: bool
    same_zone: bool

    def sentence(self) -> str:
        if self.same_zone:
            return f"{self.reader_text} ({self.relation})"
        return f"{self.reader_text}; that is {self.event_text} ({self.relation})"


def describe(when: ImportantDate, now: datetime, reader: Zone | None = None) -> When:
    """A date in the reader's zone with the date's own zone beside it and the time left."""
    reader = reader or when.zone
    if when.all_day:
        assert when.day is not None
        days = format_day(when.day)
        if when.end_day and when.end_day != when.day:
            days = f"{days} to {format_day(when.end_day)}"
        starts, ends = when.starts, when.ends
        if ends <= now:
            relation = f"passed {countdown(now - ends)} ago"
        elif starts <= now:
            relation = "today" if when.end_day is None else "under way now"
        else:
            relation = f"{countdown(starts - now)} from now"
        text = f"{days} (all day, {zone_caption(when.zone, starts)})"
        return When(reader_text=text, event_text=text, relation=relation,
                    passed=ends <= now, same_zone=True)
    assert when.at is not None
    instant = when.at
    reader_text = f"{format_instant(instant, reader)} ({zone_caption(reader, instant)})"
    event_text = f"{format_instant(instant, when.zone)} ({zone_caption(when.zone, instant)})"
    same = reader.local(instant).replace(tzinfo=None) == when.zone.local(instant).replace(
        tzinfo=None) and reader.abbreviation(instant) == when.zone.abbreviation(instant)
    return When(reader_text=reader_text, event_text=event_text,
                relation=relative(instant, now), passed=instant <= now, same_zone=same)
