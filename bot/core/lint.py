"""Warnings a careful organizer wants before a schedule goes out: things that parse but are
probably not what was meant ("PST" in September, a 2016 among 2017s, a notification before the
deadline, a deadline with no time of day).

Pure: takes an Event, never reads the clock (a date far in the past is not a doubt), returns
``Problem``s with ``severity="warning"``. Errors are ``bot.core.schedule``'s job.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.core.model import Event, ImportantDate
from bot.core.schedule import format_duration, parse_local
from bot.core.timefmt import date_instant, format_day
from bot.core.zones import AREA_NAMES, REGIONS, Zone, offset_text, parse_zone
from bot.errors import DuebotError, Problem

# Abbreviations that are also read another way somewhere: (what that reading is, what to write).
_OTHER_READINGS: dict[str, tuple[str, str]] = {
    "MST": ("Arizona keeps MST all year: if Arizona is meant", "America/Phoenix"),
    "CST": ("CST here is US Central; for China Standard Time (UTC+08:00)", "Asia/Shanghai"),
}
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
# A date this far outside the span of the other dates' year is a typo, not a plan.
_FAR = timedelta(days=180)


def lint(event: Event) -> list[Problem]:
    """Every warning about ``event``, in the order of the dates in the file."""
    found: list[Problem] = []
    indexes = {id(when): i for i, when in enumerate(event.dates)}
    active = [d for d in event.dates if not d.cancelled]
    from_event: list[tuple[ImportantDate, Problem]] = []
    noted: set[tuple[str, str]] = set()
    for when in active:
        zone_warning = (_zone_warning(event, when, indexes[id(when)])
                        or _zone_reading(event, when, indexes[id(when)])
                        or _offset_against_zone(event, when, indexes[id(when)]))
        if zone_warning is not None:
            problem, uses_event_zone = zone_warning
            if uses_event_zone:
                from_event.append((when, problem))
            elif (problem.field, problem.message) not in noted:
                noted.add((problem.field, problem.message))
                found.append(problem)
        found.extend(_all_day_deadline(event, when, indexes[id(when)]))
        found.extend(_extension_order(event, when, indexes[id(when)]))
        found.extend(_idle_fold(event, when, indexes[id(when)]))
        found.extend(_same_leads(event, when, indexes[id(when)]))
        found.extend(_zone_twice(event, when, indexes[id(when)]))
    if from_event:
        # One mistake in [event], one warning: at the first date it shifts, naming the rest.
        first = from_event[0][1]
        rest = ", ".join(repr(when.id) for when, _ in from_event[1:])
        also = f". The event's zone shifts these dates too: {rest}." if rest else ""
        found.append(dataclasses.replace(first, message=first.message + also))
    for kind, leads in event.policy.lead_times.items():
        found.extend(Problem(message=message, file=event.source, line=None,
                             field=f"reminders.{kind.replace('-', '_')}", severity="warning")
                     for message in _same_lead_messages(leads))
    outliers = _year_outliers(event, active)
    for when, warning in outliers.items():
        found.append(_problem(event, when, indexes[id(when)], "at", warning))
    in_order = [d for d in active if d not in outliers]
    for broken in _order_violations(in_order):
        found.append(_problem(event, broken.date, indexes[id(broken.date)], "at",
                              broken.message()))
    return sorted(found, key=lambda p: (p.line or 0))


def _zone_twice(event: Event, when: ImportantDate, index: int) -> list[Problem]:
    """``at = "... AoE"`` beside ``zone = "Europe/Zurich"``: at's zone wins, silently."""
    inline, _ = _inline_zone(when)
    if inline is None or when.lines.get("zone") is None or re.search(
            r"(?:[+-]\d{2}:?\d{2}|Z)$", when.local_text.strip()):
        return []  # a numeric offset is checked against the key's zone (_offset_against_zone)
    return [_problem(event, when, index, "zone",
                     f"not used: at names its own zone ({inline.key}), which gives the instant "
                     f"and the zone shown; write the zone once, in at or in zone")]


def _problem(event: Event, when: ImportantDate, index: int, key: str, message: str
             ) -> Problem:
    return Problem(message=message, file=event.source, line=when.line(key),
                   field=f"dates[{index}].{key}", severity="warning")


def _when_text(when: ImportantDate) -> str:
    """``Sunday 10 September 2017, 23:59 PDT`` or ``Wednesday 20 September 2017 (all day)``."""
    if when.at is not None:
        return date_instant(when, when.at, when.zone)
    assert when.day is not None
    return f"{format_day(when.day)}, all day"


def _named(when: ImportantDate) -> str:
    return f"{when.kind} {when.id!r} ({_when_text(when)})"


# -- 1. a standard-time abbreviation in summer, a daylight-time one in winter -------------------

def _inline_zone(when: ImportantDate) -> tuple[Zone | None, str]:
    """The zone written inside ``at`` itself, and ``at`` without it."""
    try:
        written = parse_local(when.local_text)
    except (ValueError, DuebotError):
        return None, when.local_text
    value = written.value
    bare = f"{value:%Y-%m-%d %H:%M}" if isinstance(value, datetime) else value.isoformat()
    return written.zone, bare


def _zone_warning(event: Event, when: ImportantDate, index: int
                  ) -> tuple[Problem, bool] | None:
    """The warning, and whether the zone came from [event] rather than the date itself."""
    zone = when.zone
    if zone.kind != "abbreviation" or zone.region is None or zone.daylight is None:
        return None
    instant = when.at if when.at is not None else when.starts
    observes = zone.observes_daylight_at(instant)
    if observes is None or observes == zone.daylight:
        return None
    region_key = next((k for k, v in REGIONS.items() if v == zone.region), zone.region)
    region = parse_zone(zone.region)
    area = AREA_NAMES.get(zone.region, zone.region)
    written_day = zone.local(instant).date()
    meant = region.abbreviation(instant)
    head = (f"{zone.key} is {offset_text(zone.local(instant).utcoffset())} but on "
            f"{format_day(written_day)} {area} time is {meant} ({region.offset_at(instant)})")
    if when.at is not None:
        there = region.local(instant)
        moment = (f"{zone.local(instant):%H:%M} {zone.key} is {there:%H:%M} {meant} on "
                  f"{_short_day(there.date())} ({instant:%Y-%m-%d %H:%M} UTC)")
    else:
        starts, ends = region.local(when.starts), region.local(when.ends)
        moment = (f"the all-day date in {zone.key} runs from {starts:%H:%M} {meant} on "
                  f"{_short_day(starts.date())} to {ends:%H:%M} "
                  f"{region.abbreviation(when.ends)} on {_short_day(ends.date())}")
    spot = _zone_spot(event, when)
    key, where, uses_event_zone = spot.key, spot.where, spot.uses_event_zone
    fix = f"{spot.write(zone.region)} (or {spot.value(region_key)})"
    written_offset = offset_text(zone.local(instant).utcoffset())
    fixed = f'; if the fixed offset is meant, write "{written_offset}"'
    other = ""
    if zone.key in _OTHER_READINGS:
        reading, meant_zone = _OTHER_READINGS[zone.key]
        other = f"; {reading}, {spot.write(meant_zone)}"
    message = f"{where}{head}; {moment}. If {area} local time is meant, {fix}{fixed}{other}"
    return _problem(event, when, index, key, message), uses_event_zone


@dataclass(frozen=True)
class _ZoneSpot:
    """Where a date's zone was written: inside ``at``, in its own ``zone``, or in [event]."""

    key: str
    where: str
    uses_event_zone: bool
    bare: str = ""
    """``at`` without its zone, when the zone was written inside it."""

    def value(self, zone_text: str) -> str:
        return f'"{self.bare} {zone_text}"' if self.bare else f'"{zone_text}"'

    def write(self, zone_text: str) -> str:
        if self.bare:
            return f"write at = {self.value(zone_text)}"
        return (f"write zone = {self.value(zone_text)}"
                + (" in [event]" if self.uses_event_zone else ""))


def _zone_spot(event: Event, when: ImportantDate) -> _ZoneSpot:
    inline, bare = _inline_zone(when)
    if inline is not None:
        return _ZoneSpot("at", "", False, bare)
    if when.zone == event.zone and when.lines.get("zone") is None:
        return _ZoneSpot("at", f"this date uses the event's zone {when.zone.key!r}: ", True)
    return _ZoneSpot("zone", "", False)


_ETC_GMT = re.compile(r"^Etc/GMT(?P<sign>[+-])(?P<hours>\d+)$")


def _zone_reading(event: Event, when: ImportantDate, index: int
                  ) -> tuple[Problem, bool] | None:
    """A zone that reads one way and is often meant another: ``Etc/GMT+5``, ``CST``."""
    zone = when.zone
    spot = _zone_spot(event, when)
    etc = _ETC_GMT.match(zone.key) if zone.kind == "iana" else None
    if etc is not None:
        hours = int(etc["hours"])
        actual = f"UTC{'-' if etc['sign'] == '+' else '+'}{hours:02d}:00"
        inverted = f"UTC{etc['sign']}{hours:02d}:00"
        message = (f"{spot.where}{zone.key} is {actual}, not {inverted}: the tz database "
                   f"inverts the sign of Etc/GMT zones (POSIX style). duebot reads it as "
                   f"{actual}; if {inverted} is meant, {spot.write(inverted)}; to keep "
                   f"{actual}, {spot.write(actual)}, which says so plainly")
    elif zone.kind == "abbreviation" and zone.key == "CST":
        message = (f"{spot.where}CST could be China Standard Time (UTC+08:00) or US Central "
                   f"Standard Time (UTC-06:00): duebot reads it as US Central, UTC-06:00 all "
                   f"year. If China is meant, {spot.write('Asia/Shanghai')} (or "
                   f"{spot.value('UTC+08:00')}); for US Central with daylight saving, "
                   f"{spot.write('America/Chicago')} (or {spot.value('CT')}); to keep "
                   f"UTC-06:00 all year and say so plainly, {spot.write('UTC-06:00')}")
    elif zone.kind == "iana" and zone.key in _LEGACY_DAYLIGHT:
        instant = when.at if when.at is not None else when.starts
        if not zone.local(instant).dst():
            return None  # in winter the name reads as it is meant
        standard, city = _LEGACY_DAYLIGHT[zone.key]
        local = zone.local(instant)
        message = (f"{spot.where}{zone.key} in the tz database keeps summer time: on "
                   f"{_short_day(local.date())} it is {zone.abbreviation(instant)} "
                   f"({zone.offset_at(instant)}), so {local:%H:%M} reads as "
                   f"{instant:%H:%M} UTC. If {standard} all year is meant, "
                   f"{spot.write(standard)}; for these rules said plainly, "
                   f"{spot.write(city)}")
    else:
        return None
    return _problem(event, when, index, spot.key, message), spot.uses_event_zone


# A bare numeric offset at the end of ``at`` ("-07:00", "T23:59:00-0700"); "UTC-07:00" says
# a fixed offset is meant in so many words, and "Z" is how programs write UTC on purpose.
_BARE_OFFSET = re.compile(r"(?<![A-Za-z\s])\s*[+\-\u2212]\d{1,2}(?::?\d{2})?\s*$")


def _offset_against_zone(event: Event, when: ImportantDate, index: int
                         ) -> tuple[Problem, bool] | None:
    """A numeric offset in ``at`` that is not the event's zone's offset on that date: most
    likely the organizer meant the wall time there (PDT's -07:00 written in December), and
    duebot reads the offset, an hour or more away, silently."""
    inline, bare = _inline_zone(when)
    zone = event.zone
    if (inline is None or inline.kind != "offset" or zone.is_fixed
            or when.lines.get("zone") is not None or not _BARE_OFFSET.search(when.local_text)):
        return None  # in an AoE or UTC+01:00 event another offset is another place, on purpose
    instant = when.at if when.at is not None else when.starts
    written, there = inline.local(instant).utcoffset(), zone.local(instant)
    if written == there.utcoffset():
        return None
    written_text, zone_offset = offset_text(written), zone.offset_at(instant)
    named = zone.abbreviation(instant)
    day = when.day if when.day is not None else there.date()
    head = (f"{bare} is written with the offset {written_text.removeprefix('UTC')} "
            f"({written_text}), but on {format_day(day)} the event's zone "
            f"{zone.key} is {named} ({zone_offset})")
    if when.at is not None:
        moment = (f"duebot reads it as {there:%H:%M} {named} on {_short_day(there.date())} "
                  f"({instant:%Y-%m-%d %H:%M} UTC), not {inline.local(instant):%H:%M} {named}")
        instead = (f'if that instant is meant, write at = "{there:%Y-%m-%d %H:%M}" (or '
                   f'"{bare} {written_text}", which says the fixed offset plainly)')
    else:
        starts, ends = zone.local(when.starts), zone.local(when.ends)
        moment = (f"duebot reads the all-day date as running from {starts:%H:%M} {named} on "
                  f"{_short_day(starts.date())} to {ends:%H:%M} {zone.abbreviation(when.ends)} "
                  f"on {_short_day(ends.date())}")
        instead = (f'if the day in {written_text} is meant, write at = "{bare} '
                   f'{written_text}", which says the fixed offset plainly')
    message = (f"{head}; {moment}. If {bare} {zone.key} local time is meant, write at = "
               f'"{bare}" (the event\'s zone); {instead}')
    return _problem(event, when, index, "at", message), False


# The tz database's old names that look like a fixed offset but keep daylight saving time:
# their standard offset, and a city whose rules they follow.
_LEGACY_DAYLIGHT: dict[str, tuple[str, str]] = {
    "CET": ("UTC+01:00", "Europe/Paris"),
    "MET": ("UTC+01:00", "Europe/Paris"),
    "EET": ("UTC+02:00", "Europe/Athens"),
    "WET": ("UTC+00:00", "Europe/Lisbon"),
    "EST5EDT": ("UTC-05:00", "America/New_York"),
    "CST6CDT": ("UTC-06:00", "America/Chicago"),
    "MST7MDT": ("UTC-07:00", "America/Denver"),
    "PST8PDT": ("UTC-08:00", "America/Los_Angeles"),
}


def _short_day(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B}"


# -- 4. a deadline without a time of day ----------------------------------------------------

def _all_day_deadline(event: Event, when: ImportantDate, index: int) -> list[Problem]:
    if when.kind != "deadline" or not when.all_day:
        return []
    assert when.day is not None
    closes = when.ends
    message = (f"deadline {when.id!r} has no time of day (at = {when.local_text!r}): duebot "
               f"takes it to close at the end of {format_day(when.end_day or when.day)} in "
               f"{when.zone.key} ({closes:%Y-%m-%d %H:%M} UTC), but it is unclear at which "
               f"instant it closes; write a time, e.g. at = "
               f"\"{(when.end_day or when.day).isoformat()} 23:59\" with zone = \"AoE\"")
    return [_problem(event, when, index, "at", message)]


# -- a fold for a time that happens once ---------------------------------------------------

def _idle_fold(event: Event, when: ImportantDate, index: int) -> list[Problem]:
    """``fold`` on a time the clocks do not repeat chooses nothing: most likely the organizer
    expected a fold there (a wrong date or zone), so it is said, never passed over."""
    if "fold" not in when.lines:
        return []
    for instant in (when.at, when.end, when.extended_from):
        if instant is None:
            continue
        first, second = when.zone.readings(when.zone.local(instant).replace(tzinfo=None))
        if first != second:
            return []  # one of its times happens twice: fold says which
    what = "an all-day date" if when.all_day else f"{when.local_text!r}"
    message = (f"fold has no effect: {what} happens once in {when.zone.key} (the clocks do not "
               f"go back then); fold only chooses between the two readings of a time that "
               f"happens twice: remove it, or check the date and zone")
    return [_problem(event, when, index, "fold", message)]


def _same_leads(event: Event, when: ImportantDate, index: int) -> list[Problem]:
    """``reminders = ["1d", "24h"]`` is one instant written twice: the planner sends one
    reminder for it, so the organizer who meant two (say 2d and 1d) hears it here."""
    return [_problem(event, when, index, "reminders", message)
            for message in _same_lead_messages(when.lead_times or ())]


def _same_lead_messages(leads: Sequence[timedelta]) -> list[str]:
    found: list[str] = []
    for later, lead in enumerate(leads):
        first = leads.index(lead)
        if first == later:
            continue
        short = format_duration(lead)
        found.append(f"the {_nth(first + 1)} and {_nth(later + 1)} lead times are the "
                     f"same, {short} before the date: one reminder goes out for both, the "
                     f"{_nth(first + 1)} ({short}); remove the {_nth(later + 1)} or change it "
                     f"to the lead time you meant")
    return found


def _nth(number: int) -> str:
    tail = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{tail}"


# -- 5. an extension that moves a deadline earlier -----------------------------------------

def _extension_order(event: Event, when: ImportantDate, index: int) -> list[Problem]:
    if when.extended_from is not None and when.at is not None:
        if when.extended_from < when.at:
            return []
        earlier = date_instant(when, when.extended_from, when.zone)
        same = when.extended_from == when.at
    elif when.extended_from_day is not None and when.day is not None:
        if when.extended_from_day < when.day:
            return []
        earlier = format_day(when.extended_from_day)
        same = when.extended_from_day == when.day
    else:
        return []
    relation = "the same as" if same else "later than"
    message = (f"extended_from ({earlier}) is {relation} at ({_when_text(when)}): an extension "
               f"moves a deadline later, so extended_from should be the earlier, original "
               f"time; swap them if they are the wrong way round")
    return [_problem(event, when, index, "extended_from", message)]


# -- 3. dates out of the usual order --------------------------------------------------------

@dataclass(frozen=True)
class _Violation:
    date: ImportantDate
    other: ImportantDate
    why: str

    def message(self) -> str:
        return f"{_named(self.date)} {self.why}, {_named(self.other)}; check both dates"


def _main_event(dates: Sequence[ImportantDate]) -> ImportantDate | None:
    """The workshop itself: the last date of kind event (an earlier one is a kick-off)."""
    events = [d for d in dates if d.kind == "event"]
    return max(events, key=lambda d: (d.starts, d.id)) if events else None


def _order_violations(dates: Sequence[ImportantDate]) -> list[_Violation]:
    """Pairs that break deadline -> notification -> camera-ready -> event.

    Conservative, because schedules vary: a registration deadline may follow the
    notification, and a two-stage review has a notification between two deadlines.
    """
    deadlines = sorted((d for d in dates if d.kind == "deadline"), key=lambda d: d.ends)
    notifications = sorted((d for d in dates if d.kind == "notification"),
                           key=lambda d: d.starts)
    camera_ready = sorted((d for d in dates if d.kind == "camera-ready"), key=lambda d: d.ends)
    main = _main_event(dates)
    found: list[_Violation] = []
    submission: ImportantDate | None = None
    if deadlines:
        # The deadline a notification answers: the last one before the camera-ready, if any.
        first_final = camera_ready[0].ends if camera_ready else None
        before = [d for d in deadlines if first_final is not None and d.ends <= first_final]
        submission = before[-1] if before else deadlines[0]
    if notifications and submission is not None:
        for note in notifications:
            against = submission if note is notifications[-1] else deadlines[0]
            if note.ends <= against.ends:
                found.append(_Violation(note, against,
                                        "comes before the deadline it notifies about"))
    for final in camera_ready:
        if deadlines and final.ends <= deadlines[0].ends:
            found.append(_Violation(final, deadlines[0], "is due before the submission deadline"))
        elif notifications and final.ends <= notifications[0].starts:
            found.append(_Violation(final, notifications[0], "is due before the notification"))
        if main is not None and final.ends > main.starts:
            found.append(_Violation(final, main, "is due after the event starts"))
    if main is not None:
        for deadline in deadlines:
            if deadline.starts >= main.ends:
                found.append(_Violation(deadline, main, "is after the event is over"))
    return found


# -- 2. a year that stands out -------------------------------------------------------------

def _year(when: ImportantDate) -> int:
    if when.day is not None:
        return when.day.year
    assert when.at is not None
    return when.zone.local(when.at).year


def _reference_year(event: Event, dates: Sequence[ImportantDate]) -> int | None:
    """The year most dates are in; on a tie, the year in the event's name ("SOSP 2017"),
    then the workshop's year, then the last deadline's."""
    counts = Counter(_year(d) for d in dates)
    if len(counts) < 2:
        return None
    top = max(counts.values())
    tied = {year for year, n in counts.items() if n == top}
    if len(tied) == 1:
        return tied.pop()
    named = {int(y) for y in _YEAR.findall(f"{event.name} {event.id}")} & tied
    if len(named) == 1:
        return named.pop()
    main = _main_event(dates)
    for anchor in (main, *sorted((d for d in dates if d.kind == "deadline"),
                                 key=lambda d: d.ends, reverse=True)):
        if anchor is not None and _year(anchor) in tied:
            return _year(anchor)
    return max(tied)


def _in_year(when: ImportantDate, year: int) -> ImportantDate | None:
    """The same date and local time in another year (None if it does not exist there)."""
    try:
        if when.day is not None:
            end_day = when.end_day
            shift = year - when.day.year
            moved = dataclasses.replace(
                when, day=when.day.replace(year=year),
                end_day=end_day.replace(year=end_day.year + shift) if end_day else None,
                extended_from=None, extended_from_day=None)
        else:
            assert when.at is not None
            local = when.zone.local(when.at).replace(tzinfo=None)
            at = when.zone.localize(local.replace(year=year), fold="earlier")
            end = at + (when.end - when.at) if when.end is not None else None
            moved = dataclasses.replace(when, at=at, end=end, extended_from=None,
                                        extended_from_day=None, day_ends=frozenset())
    except (ValueError, DuebotError):
        return None
    try:
        _ = (moved.starts, moved.ends)  # that year's midnight may fall in a DST gap
    except DuebotError:
        return None
    return moved


def _outside(when: ImportantDate, others: Iterable[ImportantDate]) -> timedelta:
    """How far ``when`` lies outside the span the other dates cover (zero if inside)."""
    spans = [(d.starts, d.ends) for d in others]
    first = min(s for s, _ in spans)
    last = max(e for _, e in spans)
    return max(first - when.ends, when.starts - last, timedelta(0))


def _side(when: ImportantDate, others: Sequence[ImportantDate]) -> int:
    """-1 before the span the other dates cover, 1 after it, 0 within it."""
    if when.ends < min(d.starts for d in others):
        return -1
    return 1 if when.starts > max(d.ends for d in others) else 0


def _involving(when: ImportantDate, anchors: Sequence[ImportantDate]) -> list[_Violation]:
    """The order ``when`` breaks among the anchors, whichever side of the pair it is on."""
    return [v for v in _order_violations([*anchors, when]) if when in (v.date, v.other)]


def _year_outliers(event: Event, dates: Sequence[ImportantDate]
                   ) -> dict[ImportantDate, str]:
    reference = _reference_year(event, dates)
    if reference is None:
        return {}
    found: dict[ImportantDate, str] = {}
    anchors = [d for d in dates if _year(d) == reference]
    for when in dates:
        year = _year(when)
        if year == reference:
            continue
        moved = _in_year(when, reference)
        if moved is None:
            continue
        broken = _involving(when, anchors)
        if _involving(moved, anchors):
            continue
        far = _outside(when, anchors)
        # Far outside the others' span, and in their year inside it, or near it on the same
        # side: a first deadline printed with last year's number lies before them either way
        # (a call that opens months before would land after them: not a typo).
        near, side = _outside(moved, anchors), _side(moved, anchors)
        if not broken and not (far > _FAR and (side == 0 or (
                near <= _FAR and side == _side(when, anchors)))):
            continue
        if broken and broken[0].date is when:
            reason = f"it {broken[0].why}, {_named(broken[0].other)}"
        elif broken:
            reason = f"{_named(broken[0].date)} {broken[0].why}"
        else:
            reason = f"it lies {far.days} days outside the span of the other dates"
        suggested = (f"{reference}{when.local_text[4:]}"
                     if when.local_text[:4] == str(year) else str(reference))
        message = (f"year {year} stands out: {_named(when)} is in {year} while the other "
                   f"dates are in {reference}, and {reason}. With {reference} it falls in "
                   f"order with the others: {reference} was probably meant "
                   f"(at = \"{suggested}\")")
        found[when] = message
    return found
