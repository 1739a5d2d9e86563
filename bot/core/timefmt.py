"""Show an instant the way people read it: their zone, the event's zone beside it, weekday,
countdown. Pure: ``now`` is always a parameter.

The words are English; ``relative`` and ``describe`` also take a ``Wording`` (a
``bot.core.language.Language`` is one), so that one piece of code says a date in every
language, and says it in English exactly as before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as time_of_day
from functools import lru_cache
from typing import Protocol

from bot.core.model import ImportantDate, check_aware
from bot.core.zones import Zone
from bot.errors import ZoneError


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def two_units(delta: timedelta) -> list[tuple[int, str]]:
    """The largest unit of ``delta`` and the next one if not zero: ``[(9, "day"), (18, "hour")]``;
    ``[]`` under a minute. Each language's countdown words these."""
    seconds = int(abs(delta).total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    for big, small in (((days, "day"), (hours, "hour")), ((hours, "hour"), (minutes, "minute")),
                       ((minutes, "minute"), (0, ""))):
        if big[0]:
            return [big, small] if small[0] else [big]
    return []


def countdown(delta: timedelta) -> str:
    """``9 days 18 hours``, ``3 hours 5 minutes``, ``12 minutes``: two units at most."""
    units = two_units(delta)
    return " ".join(_plural(n, unit) for n, unit in units) if units else "less than a minute"


_ONE_DAY = timedelta(days=1)


def calendar_delta(later: datetime, earlier: datetime, zone: Zone) -> timedelta:
    """``later - earlier`` as a person counts it in ``zone``: from a day or more on, whole
    calendar days and the wall-clock rest (noon to noon a week later is 7 days, also over a
    change to summer time, when only 6 days 23 hours pass; the planner places day leads so);
    under a day, the exact elapsed time (the hours one has left to work). On days without a
    change it is ``later - earlier`` itself."""
    elapsed = check_aware(later) - check_aware(earlier)
    try:
        wall = zone.local(later).replace(tzinfo=None) - zone.local(earlier).replace(tzinfo=None)
    except ZoneError:  # out of the range the zone can show: the elapsed time is still true
        return elapsed
    return wall if abs(wall) >= _ONE_DAY or abs(elapsed) >= _ONE_DAY else elapsed


def relative(instant: datetime, now: datetime, words: Wording | None = None,
             zone: Zone | None = None) -> str:
    """``9 days 18 hours from now`` or ``passed 3 days ago``; with ``zone``, days counted on its
    calendar (``calendar_delta``)."""
    words = words or ENGLISH_WORDS
    delta = check_aware(instant) - check_aware(now)
    time = {"time": words.countdown(delta if zone is None
                                    else calendar_delta(instant, now, zone))}
    if delta > timedelta(0):  # at the instant itself a deadline has passed
        return words.gettext("%(time)s from now") % time
    return words.gettext("passed %(time)s ago") % time


# The words of an instant depend on the instant and the zone only (never on ``now``): each is
# built once and kept, so a reply builds only its countdown. Keys are UTC instants: an aware
# datetime compares by its wall time within one tzinfo, which would merge the two readings of a
# fold.
_KEPT = 4096


def _key(instant: datetime) -> datetime:
    """The instant in UTC, the key of the kept words (out of range: as given, for the zone's
    own error to name)."""
    aware = check_aware(instant)
    try:
        return aware.astimezone(UTC)
    except OverflowError:
        return aware


@lru_cache(maxsize=_KEPT)
def format_day(day: date) -> str:
    """``Wednesday 20 September 2017``: weekday first, month spelled out, no ambiguity."""
    return f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"


_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
"""What ``%A`` and ``%B`` print in the C locale (Python's unless a program sets another), without
two strftime calls per date: every date is formatted at least once at start-up."""


def format_instant(instant: datetime, zone: Zone, day_end: bool = False) -> str:
    """``Monday 11 September 2017, 14:59 CST``: the wall-clock time in ``zone``. ``day_end``:
    the instant was written "24:00" (``ImportantDate.is_day_end``); where it begins a day in
    ``zone``, it is said as the end of the day before, ``Friday 1 May 2026, end of day, 24:00
    CEST``, not as ``Saturday 2 May 2026, 00:00 CEST``, which readers take as a day late."""
    return _format_instant(_key(instant), zone, day_end)


def ended_day(instant: datetime, zone: Zone, day_end: bool = True) -> date | None:
    """The day that ``instant`` ends in ``zone`` when it was written "24:00" and begins a day
    there (also where the clocks skip that midnight: Santiago goes from 24:00 to 01:00); else
    None, and the instant is said as the clock shows it."""
    if not day_end:
        return None
    aware = check_aware(instant)
    following = zone.local(aware).date()
    if zone.start_of_day(following) != aware:
        return None
    return following - _ONE_DAY


def closing_reading(instant: datetime, zone: Zone) -> datetime:
    """The moment whose offset ``zone`` had as a day ended at ``instant``: the instant itself,
    or just before it where the clocks jumped at that midnight (Santiago's 24:00 is -04, the
    -03 begins with the next day), so that "24:00 UTC-04:00" names the right instant."""
    aware = check_aware(instant)
    if zone.local(aware).time() == time_of_day(0):
        return aware
    return aware - timedelta(microseconds=1)


def ends_written_day(when: ImportantDate, instant: datetime | None, zone: Zone) -> bool:
    """Whether ``instant`` of ``when`` is to be said as a day's 24:00 in ``zone``: it was
    written so, and ``zone`` is the date's own or shows its clock. A reader elsewhere sees
    their own clock (at 24:00 in Berlin, Toronto's is 18:00 that day)."""
    return (instant is not None and when.is_day_end(instant)
            and same_wall_clock(zone, when.zone, instant))


def date_instant(when: ImportantDate, instant: datetime, zone: Zone,
                 words: Wording | None = None) -> str:
    """One of ``when``'s instants in ``zone`` (``format_instant``), a "24:00" as its day's end."""
    return (words or ENGLISH_WORDS).instant(instant, zone, ends_written_day(when, instant, zone))


def date_captioned(when: ImportantDate, instant: datetime, zone: Zone,
                   words: Wording | None = None) -> str:
    """``captioned`` for one of ``when``'s instants, a "24:00" as its day's end."""
    return captioned(instant, zone, words, ends_written_day(when, instant, zone))


@lru_cache(maxsize=_KEPT)
def _format_instant(instant: datetime, zone: Zone, day_end: bool = False) -> str:
    ended = ended_day(instant, zone, day_end)
    if ended is not None:
        closing = closing_reading(instant, zone)
        return f"{format_day(ended)}, end of day, 24:00 {zone.abbreviation(closing)}"
    local = zone.local(instant)
    return f"{format_day(local.date())}, {local:%H:%M} {zone.abbreviation(instant)}"


def same_wall_clock(a: Zone, b: Zone, instant: datetime) -> bool:
    """Whether two zones show ``instant`` alike: the same wall time and abbreviation."""
    return _same_wall_clock(a, b, _key(instant))


@lru_cache(maxsize=_KEPT)
def _same_wall_clock(a: Zone, b: Zone, instant: datetime) -> bool:
    return (a.local(instant).replace(tzinfo=None) == b.local(instant).replace(tzinfo=None)
            and a.abbreviation(instant) == b.abbreviation(instant))


def zone_caption(zone: Zone, instant: datetime) -> str:
    """``Asia/Shanghai, UTC+08:00``: enough to tell zones apart whatever the abbreviation."""
    return _zone_caption(zone, _key(instant))


@lru_cache(maxsize=_KEPT)
def _zone_caption(zone: Zone, instant: datetime) -> str:
    if zone.kind == "aoe":
        return "Anywhere on Earth, UTC-12:00"
    if zone.kind in ("offset",) or zone.key == "UTC":
        return zone.key
    if zone.kind == "abbreviation":
        return f"fixed {zone.offset_at(instant)}"
    name = zone.region or zone.key
    return f"{name}, {zone.offset_at(instant)}"


def caption_beside(zone: Zone, instant: datetime, words: Wording | None = None) -> str:
    """The zone's caption for a time that ends with its abbreviation; "" where the caption
    would only say the abbreviation again (``UTC``, ``UTC+08:00``): "06:59 UTC (UTC)" tells
    a reader nothing twice; nor the offset after the name where the abbreviation is it."""
    caption = (words or ENGLISH_WORDS).caption(zone, instant)
    abbreviation = zone.abbreviation(instant)
    if caption == abbreviation:
        return ""
    # "23:59 UTC-03:00 (America/Sao_Paulo, UTC-03:00)": a zone whose abbreviation is its
    # offset is captioned by its name alone.
    return caption.removesuffix(f", {abbreviation}")


def caption_after(zone: Zone, instant: datetime, words: Wording | None = None) -> str:
    """`` (Asia/Shanghai, UTC+08:00)`` to follow a time that ends with the zone's
    abbreviation; "" where it would repeat it (``caption_beside``)."""
    words = words or ENGLISH_WORDS
    caption = caption_beside(zone, instant, words)
    return words.paren(caption) if caption else ""


def captioned(instant: datetime, zone: Zone, words: Wording | None = None,
              day_end: bool = False) -> str:
    """``Monday 11 September 2017, 14:59 CST (Asia/Shanghai, UTC+08:00)``; for a zone whose
    caption is its abbreviation, the time alone (``..., 06:59 UTC``). ``day_end``: as in
    ``format_instant``."""
    words = words or ENGLISH_WORDS
    named = closing_reading(instant, zone) if ended_day(instant, zone, day_end) else instant
    return words.instant(instant, zone, day_end) + caption_after(zone, named, words)


class Wording(Protocol):
    """What ``describe`` needs of a language: its messages and its way with dates."""

    def gettext(self, message: str) -> str: ...
    def day(self, value: date) -> str: ...
    def instant(self, moment: datetime, zone: Zone, day_end: bool = False) -> str:
        """The wall-clock time, ending with the zone's abbreviation (``caption_after``);
        ``day_end`` as in ``format_instant``."""
    def caption(self, zone: Zone, moment: datetime) -> str: ...
    def countdown(self, delta: timedelta) -> str: ...
    def paren(self, text: str) -> str: ...


class _English:
    """This module's own words: the messages as written, the formats above."""

    def gettext(self, message: str) -> str:
        return message

    def day(self, value: date) -> str:
        return format_day(value)

    def instant(self, moment: datetime, zone: Zone, day_end: bool = False) -> str:
        return format_instant(moment, zone, day_end)

    def caption(self, zone: Zone, moment: datetime) -> str:
        return zone_caption(zone, moment)

    def countdown(self, delta: timedelta) -> str:
        return countdown(delta)

    def paren(self, text: str) -> str:
        return f" ({text})"


ENGLISH_WORDS: Wording = _English()


@dataclass(frozen=True, kw_only=True)
class When:
    """The parts of a date's description, for front ends that lay them out themselves."""

    reader_text: str
    event_text: str
    relation: str
    passed: bool
    same_zone: bool
    words: Wording = field(default=ENGLISH_WORDS, compare=False, repr=False)

    def sentence(self, relation: bool = True) -> str:
        """``Monday 11 September 2017, 14:59 CST (...); that is ... (9 days from now)``;
        ``relation=False`` leaves the time left out (a reply that leads with it already)."""
        tail = self.words.paren(self.relation) if relation else ""
        if self.same_zone:
            return self.reader_text + tail
        return self.words.gettext("%(here)s; that is %(there)s") % {
            "here": self.reader_text, "there": self.event_text} + tail


def day_span(when: ImportantDate, words: Wording | None = None) -> str:
    """An all-day date's day, or its first and last day."""
    words = words or ENGLISH_WORDS
    assert when.day is not None
    days = words.day(when.day)
    if when.end_day is not None and when.end_day != when.day:
        days = words.gettext("%(first)s to %(last)s") % {"first": days,
                                                         "last": words.day(when.end_day)}
    return days


def describe(when: ImportantDate, now: datetime, reader: Zone | None = None,
             words: Wording | None = None) -> When:
    """A date in the reader's zone with the date's own zone beside it and the time left."""
    words = words or ENGLISH_WORDS
    _ = words.gettext
    reader = reader or when.zone
    if when.all_day:
        starts, ends = when.starts, when.ends
        if ends <= now:
            relation = _("passed %(time)s ago") % {
                "time": words.countdown(calendar_delta(now, ends, when.zone))}
        elif starts <= now:
            relation = _("today") if when.end_day is None else _("under way now")
        else:
            relation = _("%(time)s from now") % {
                "time": words.countdown(calendar_delta(starts, now, when.zone))}
        text = _("%(days)s (all day, %(zone)s)") % {
            "days": day_span(when, words), "zone": words.caption(when.zone, starts)}
        return When(reader_text=text, event_text=text, relation=relation,
                    passed=ends <= now, same_zone=True, words=words)
    assert when.at is not None
    instant = when.at
    reader_text = date_captioned(when, instant, reader, words)
    event_text = date_captioned(when, instant, when.zone, words)
    same = same_wall_clock(reader, when.zone, instant)
    return When(reader_text=reader_text, event_text=event_text,
                relation=relative(instant, now, words, when.zone), passed=instant <= now,
                same_zone=same, words=words)
