"""Dates, times of day and zones as calls write them, found in a piece of text."""

from __future__ import annotations

import calendar
import difflib
import re
from dataclasses import dataclass
from datetime import date, datetime
from datetime import time as TimeOfDay  # `time(...)` reads like a clock call; it is not
from zoneinfo import ZoneInfo

from bot.core.zones import parse_zone

_REGION_WORDS = {
    "America/Los_Angeles": "Pacific", "America/Denver": "Mountain",
    "America/Chicago": "Central", "America/New_York": "Eastern",
    "America/Anchorage": "Alaska", "Pacific/Honolulu": "Hawaii",
}


_ZONE_WORDS = {"pacific": "PT", "mountain": "MT", "central": "CT", "eastern": "ET"}


_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_WEEKDAYS = [name.lower() for name in calendar.day_name]

_ORD = r"(?:st|nd|rd|th)?"


_DASH = r"\s*(?:-|–|—|to|through|until|till)\s*"


_WEEKDAY_RE = r"(?:(?P<wd>(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*)\.?,?\s+)?"


_MDY = re.compile(
    _WEEKDAY_RE + r"(?P<m>[A-Za-z]{3,9})\.?\s+(?P<d>\d{1,2})" + _ORD + r"(?![\d:.]\d)"
    r"(?:\s*(?:-|–|—)\s*(?P<d2>\d{1,2})" + _ORD + r"(?![\d:]))?"
    r"(?:,?\s+(?P<y>\d{4})(?!\d))?")


_DMY = re.compile(
    _WEEKDAY_RE + r"(?<![\d.:])(?P<d>\d{1,2})" + _ORD
    + r"(?:\s*(?:-|–|—)\s*(?P<d2>\d{1,2})" + _ORD + r")?\s+(?:of\s+)?"
    r"(?P<m>[A-Za-z]{3,9})\.?(?:,?\s+(?P<y>\d{4})(?!\d))?")


_ISO = re.compile(r"(?<![\d/.-])(?P<y>\d{4})[-/](?P<mo>\d{1,2})[-/](?P<d>\d{1,2})(?![\d/])")


_TIME = re.compile(
    r"(?<![\d.:])(?:(?P<h>\d{1,2})(?:[:.](?P<min>\d{2}))?\s*(?P<ampm>[ap])\.?\s?m\b\.?"
    r"|(?P<h24>\d{1,2})[:h](?P<min24>\d{2})(?!\d)"
    r"|(?P<word>midnight|noon|midday))", re.IGNORECASE)


_ZONE = re.compile(
    r"(?<![A-Za-z])(?:"
    r"(?P<aoe>(?i:AoE|anywhere[ -]on[ -]earth))"
    r"|(?P<offset>(?i:UTC|GMT)\s*[+\-−–]\s*\d{1,2}(?::?\d{2})?)"
    r"|(?P<words>(?i:pacific|mountain|central|eastern)(?:\s+(?i:standard|daylight))?"
    r"(?:\s+(?i:time))?)"
    r"|(?P<abbr>[PMCE][SD]T|AK[SD]T|HST|PT|MT|CT|ET|UTC|GMT))(?![A-Za-z])")


@dataclass
class _Found:
    """A date as written in the call."""

    start: int
    end: int
    text: str
    month: int
    day: int
    year: int | None
    end_month: int | None = None
    end_day: int | None = None
    typo: str = ""
    weekday: str = ""


def _month(word: str) -> tuple[int, str] | None:
    """The month a word names, and the misspelling if it took a guess to read it."""
    lower = word.lower().rstrip(".")
    if lower in _MONTHS:
        return _MONTHS[lower], ""
    if len(lower) < 5:
        return None
    close = difflib.get_close_matches(lower, [n.lower() for n in calendar.month_name if n],
                                      n=1, cutoff=0.8)
    return (_MONTHS[close[0]], word) if close else None


def _read_date(text: str) -> date | None:
    """Let dateparser read one date expression; the caller supplies a missing year."""
    # Imported here: dateparser pulls in logging.config (and with it socket) at import time,
    # which the core's other users (ask, validate) need not pay for.
    import dateparser  # type: ignore[import-untyped]

    # A fixed base: dateparser never consults the clock, and for a date printed without a
    # year (only its month and day are used) a leap year keeps 29 February readable.
    settings: dict[str, object] = {"REQUIRE_PARTS": ["day", "month"],
                                   "PREFER_DAY_OF_MONTH": "first", "DATE_ORDER": "MDY",
                                   "RELATIVE_BASE": datetime(2000, 1, 1),
                                   "PREFER_DATES_FROM": "current_period"}
    parsed = dateparser.parse(text, languages=["en"], settings=settings)
    return parsed.date() if parsed is not None else None


def _find_dates(text: str) -> list[_Found]:
    """Every date expression in a piece of text, left to right, without overlaps."""
    found: list[_Found] = []
    for match in _ISO.finditer(text):
        try:
            day = date(int(match["y"]), int(match["mo"]), int(match["d"]))
        except ValueError:
            continue
        parsed = _read_date(match[0].replace("/", "-"))
        if parsed == day:
            found.append(_Found(match.start(), match.end(), match[0], day.month, day.day,
                                day.year))
    for pattern in (_MDY, _DMY):
        for match in pattern.finditer(text):
            month = _month(match["m"])
            if month is None or any(f.start < match.end() and match.start() < f.end
                                    for f in found):
                continue
            number, typo = month
            year = int(match["y"]) if match["y"] else None
            span = match[0]
            if match["d2"]:  # "October 28-29, 2017": read the first day; the range ends at d2
                span = span.replace(match.group("d2"), "", 1)
                span = re.sub(r"\s*(?:-|–|—)\s*(?:st|nd|rd|th)?", " ", span, count=1)
            if typo:
                span = span.replace(match["m"], calendar.month_name[number], 1)
            if match["wd"]:
                span = span[span.index(match["wd"]) + len(match["wd"]):].lstrip(". ,")
            parsed = _read_date(span)
            if parsed is None or parsed.month != number or parsed.day != int(match["d"]):
                continue
            item = _Found(match.start(), match.end(), match[0], number, int(match["d"]), year,
                          typo=typo, weekday=match["wd"] or "")
            if match["d2"]:
                item.end_month, item.end_day = number, int(match["d2"])
            found.append(item)
    found.sort(key=lambda f: f.start)
    return found


@dataclass
class _Clock:
    value: TimeOfDay
    text: str
    next_day: bool = False  # "midnight": the end of the day, 24:00
    doubt: str = ""


def _find_time(text: str) -> tuple[_Clock, int, int] | None:
    match = _TIME.search(text)
    if match is None:
        return None
    if match["word"]:
        word = match["word"].lower()
        if word == "midnight":
            return (_Clock(TimeOfDay(0, 0), match[0], next_day=True,
                           doubt='"midnight" read as the end of {day} (24:00)'),
                    match.start(), match.end())
        return _Clock(TimeOfDay(12, 0), match[0]), match.start(), match.end()
    if match["h24"] is not None:
        hour, minute = int(match["h24"]), int(match["min24"])
        if hour == 24 and minute == 0:
            return _Clock(TimeOfDay(0, 0), match[0], next_day=True), match.start(), match.end()
        if hour > 23 or minute > 59:
            return None
        return _Clock(TimeOfDay(hour, minute), match[0]), match.start(), match.end()
    hour, minute = int(match["h"]), int(match["min"] or 0)
    if not 1 <= hour <= 12 or minute > 59:
        return None
    doubt = ""
    if match["ampm"].lower() == "p":
        hour = hour % 12 + 12
    elif hour == 12:
        hour = 0
        doubt = f'"{match[0].strip()}" read as 00:{minute:02d} at the start of the day'
    return _Clock(TimeOfDay(hour, minute), match[0], doubt=doubt), match.start(), match.end()


def _zone_name(match: re.Match[str]) -> str:
    if match["aoe"]:
        return "AoE"
    if match["offset"]:
        return re.sub(r"\s+", "", match["offset"]).replace("−", "-").replace("–", "-")
    if match["words"]:
        words = match["words"].lower().split()
        region = _ZONE_WORDS[words[0]]
        if len(words) > 1 and words[1] in ("standard", "daylight"):
            return region[0] + ("S" if words[1] == "standard" else "D") + "T"
        return region
    return match["abbr"]


def _find_zone(text: str) -> tuple[str, int, int] | None:
    match = _ZONE.search(text)
    return (_zone_name(match), match.start(), match.end()) if match else None


@dataclass
class _Placed:
    """A zone written for one local time, and the doubt it took, if any."""

    key: str
    doubt: str = ""


def _place(written: str, local: datetime) -> _Placed:
    """The zone to write for a local time, reading US standard/daylight mix-ups as local time."""
    zone = parse_zone(written)
    if zone.kind == "region" and zone.region:
        return _Placed(zone.region)
    if zone.kind == "abbreviation" and zone.region:
        tz = ZoneInfo(zone.region)
        # In a gap or a fold the two readings differ: take standard time, as the region does
        # on one side of the change.
        readings = [local.replace(tzinfo=tz, fold=f) for f in (0, 1)]
        standard = [r for r in readings if not r.dst()]
        in_daylight = not standard
        if in_daylight == zone.daylight:
            return _Placed(zone.region)
        season = "daylight" if in_daylight else "standard"
        actual = (standard or readings)[0].tzname()
        return _Placed(zone.region, f'"{written}" on a date in {season} time: read as '
                                    f"{_REGION_WORDS[zone.region]} time, {actual}")
    return _Placed(zone.key)


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
