"""Dates, times of day and zones as calls write them, found in a piece of text."""

from __future__ import annotations

import calendar
import difflib
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as TimeOfDay  # `time(...)` reads like a clock call; it is not
from zoneinfo import ZoneInfo

from bot.core.places import city_zone
from bot.core.zones import (
    ABBREVIATIONS,
    AREA_NAMES,
    REGIONS,
    SEASONAL,
    offset_text,
    parse_zone,
    season_offset,
)

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


_ISO = re.compile(r"(?<![\d/.-])(?P<y>\d{4})(?P<sep>[-/.])(?P<mo>\d{1,2})(?P=sep)(?P<d>\d{1,2})"
                  r"(?![\d/]|\.\d)")
# 10/09/2017, 10.09.2017, 10-09-2017: day and month in an order the call does not say.
_NUMERIC = re.compile(_WEEKDAY_RE + r"(?<![\d/.-])(?P<a>\d{1,2})(?P<sep>[-/.])(?P<b>\d{1,2})"
                      r"(?P=sep)(?P<y>\d{4})(?![\d/]|\.\d)")
# 2026年3月13日, 3月13日, 3月13日-15日, 3月30日至4月2日 (NFKC has made the digits ASCII).
_CJK_DAY = r"(?:(?P<{y}>\d{{4}})\s*年\s*)?(?P<{m}>\d{{1,2}})\s*月\s*(?P<{d}>\d{{1,2}})\s*[日号]"
_CJK = re.compile(
    _CJK_DAY.format(y="y", m="m", d="d")
    + r"(?:\s*[(（]?\s*(?P<wd>(?:星期|周|礼拜)[一二三四五六日天])\s*[)）]?)?"
    + r"(?:\s*(?:-|–|—|~|～|至|到)\s*(?:(?P<y2>\d{4})\s*年\s*)?(?:(?P<m2>\d{1,2})\s*月\s*)?"
    + r"(?P<d2>\d{1,2})\s*[日号])?")
_CJK_WEEKDAYS = "一二三四五六日"


_TIME = re.compile(
    r"(?<![\d.:])(?:(?P<h>\d{1,2})(?:[:.](?P<min>\d{2}))?\s*(?P<ampm>[ap])\.?\s?m\b\.?"
    r"|(?P<h24>\d{1,2})[:h](?P<min24>\d{2})(?!\d)"
    r"|(?P<word>midnight|noon|midday|(?<![A-Za-z])(?:end\s+of\s+(?:the\s+)?day|EOD)"
    r"(?![A-Za-z]))"  # whole words: "Theodore" holds no "EOD"
    r"|(?P<cn_pre>上午|下午|晚上|中午|凌晨)\s*(?P<cn_hc>\d{1,2}):(?P<cn_mc>\d{2})"
    r"|(?P<cn_pre2>上午|下午|晚上|中午|凌晨)?\s*(?P<cn_h>\d{1,2})\s*[点時时](?!间|間|区)"
    r"(?:\s*(?P<cn_m>\d{1,2})\s*分?|(?P<cn_half>半))?)", re.IGNORECASE)


# Abbreviations that name more than one zone: each reading, with the country it belongs to.
# The first reading is the one taken when nothing in the call points elsewhere.
COLLIDING: dict[str, tuple[tuple[str, str, str], ...]] = {
    "CST": (("USA", "CT", "US Central time"), ("China", "Asia/Shanghai", "China Standard Time"),
            ("Taiwan", "Asia/Taipei", "Taiwan time"), ("Cuba", "America/Havana", "Cuba time")),
    "IST": (("India", "Asia/Kolkata", "India Standard Time"),
            ("Israel", "Asia/Jerusalem", "Israel time"),
            ("Ireland", "Europe/Dublin", "Irish time")),
    "BST": (("UK", "Europe/London", "British Summer Time"),
            ("Bangladesh", "Asia/Dhaka", "Bangladesh Standard Time")),
    "AST": (("Canada", "America/Halifax", "Atlantic time"),
            ("Saudi Arabia", "Asia/Riyadh", "Arabia Standard Time")),
    "MST": (("USA", "MT", "US Mountain time"),
            ("Malaysia", "Asia/Kuala_Lumpur", "Malaysia time")),
    "SST": (("Singapore", "Asia/Singapore", "Singapore time"),
            ("American Samoa", "Pacific/Pago_Pago", "Samoa time")),
    "GST": (("United Arab Emirates", "Asia/Dubai", "Gulf Standard Time"),
            ("South Georgia", "Atlantic/South_Georgia", "South Georgia time")),
}
# Abbreviations outside the US that name one zone only.
OTHER_ABBREVIATIONS: dict[str, str] = {
    "JST": "Asia/Tokyo", "KST": "Asia/Seoul", "HKT": "Asia/Hong_Kong", "SGT": "Asia/Singapore",
    "MSK": "Europe/Moscow", "AWST": "UTC+08:00", "PKT": "Asia/Karachi", "WIB": "Asia/Jakarta",
    "BRT": "America/Sao_Paulo", "ART": "America/Argentina/Buenos_Aires",
    "SAST": "Africa/Johannesburg", "EAT": "Africa/Nairobi",
}
# "Central European (Summer) Time" and the like, written out: the abbreviation they stand for.
_EUROPEAN_WORDS = {"central": "CE", "eastern": "EE", "western": "WE"}
# Names in Chinese for the zone of mainland China.
CJK_ZONES = {"Beijing time": "Asia/Shanghai", "China Standard Time": "Asia/Shanghai",
             "北京时间": "Asia/Shanghai", "北京時間": "Asia/Shanghai",
             "中国标准时间": "Asia/Shanghai", "东八区": "UTC+08:00", "東八區": "UTC+08:00"}
_ABBRS = sorted({"PST", "PDT", "MST", "MDT", "CST", "CDT", "EST", "EDT", "AKST", "AKDT", "HST",
                 "PT", "MT", "CT", "ET", "UTC", "GMT", *COLLIDING, *OTHER_ABBREVIATIONS,
                 *SEASONAL},
                key=len, reverse=True)
_ZONE = re.compile(
    r"(?<![A-Za-z])(?:"
    r"(?P<aoe>(?i:AoE|anywhere[ -]on[ -]earth))"
    r"|(?P<offset>(?i:UTC|GMT)\s*[+\-−–]\s*\d{1,2}(?::?\d{2})?)"
    r"|(?P<euro>(?i:central|eastern|western)\s+(?i:european)(?:\s+(?i:summer|standard))?"
    r"(?:\s+(?i:time))?)"
    r"|(?P<words>(?i:pacific|mountain|central|eastern)(?:\s+(?i:standard|daylight))?"
    r"(?:\s+(?i:time))?)"
    r"|(?P<cjk>(?i:" + "|".join(CJK_ZONES) + "))"
    r"|(?P<abbr>" + "|".join(_ABBRS) + r"))(?![A-Za-z])")


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
    numeric: tuple[int, int] | None = None
    """For 10/09/2017: the two numbers as written, before the call's day/month order is known."""

    @property
    def ambiguous(self) -> bool:
        """Both numbers could be the month: 10/09/2017 (but not 25/09/2017 or 09/09/2017)."""
        return self.numeric is not None and self.numeric[0] != self.numeric[1] and max(
            self.numeric) <= 12


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


def _overlaps(found: list[_Found], match: re.Match[str]) -> bool:
    return any(f.start < match.end() and match.start() < f.end for f in found)


def _find_dates(text: str) -> list[_Found]:
    """Every date expression in a piece of text, left to right, without overlaps."""
    found: list[_Found] = []
    for match in _ISO.finditer(text):
        iso = _safe_date(int(match["y"]), int(match["mo"]), int(match["d"]))
        if iso is not None:
            found.append(_Found(match.start(), match.end(), match[0], iso.month, iso.day,
                                iso.year))
    for match in _NUMERIC.finditer(text):
        first, second, numeric_year = int(match["a"]), int(match["b"]), int(match["y"])
        readings = [(m, d) for m, d in ((second, first), (first, second))
                    if _safe_date(numeric_year, m, d) is not None]
        if readings and not _overlaps(found, match):
            # Day first until the call-wide order is settled (assemble._numeric_order).
            found.append(_Found(match.start(), match.end(), match[0][match.start("a")
                                                                   - match.start():],
                                *readings[0], numeric_year, numeric=(first, second),
                                weekday=match["wd"] or ""))
    for match in _CJK.finditer(text):
        if _overlaps(found, match):
            continue
        cjk_year = int(match["y"]) if match["y"] else None
        cjk_month, cjk_day = int(match["m"]), int(match["d"])
        if _safe_date(cjk_year or 2000, cjk_month, cjk_day) is None:
            continue
        item = _Found(match.start(), match.end(), match[0], cjk_month, cjk_day, cjk_year)
        if match["wd"]:
            item.weekday = calendar.day_name[_CJK_WEEKDAYS.index(match["wd"][-1].replace(
                "天", "日"))]
        if match["d2"]:
            item.end_month, item.end_day = int(match["m2"] or cjk_month), int(match["d2"])
        found.append(item)
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
    said = re.match(r"\s*\(?\s*(midnight|noon|midday)\b", text[match.end():], re.IGNORECASE)
    if said and (match["h24"] or match["h"]) and int(match["h24"] or match["h"]) == 12 and int(
            match["min24"] or match["min"] or 0) == 0:
        # "12:00 midnight", "12:00 (noon)": the word says which twelve o'clock.
        spoken = _find_time(said[1])
        assert spoken is not None
        return spoken[0], match.start(), match.end() + said.end()
    if match["word"]:
        word = match["word"].lower()
        if word == "midnight":
            return (_Clock(TimeOfDay(0, 0), match[0], next_day=True,
                           doubt='"midnight" read as the end of {day} (24:00)'),
                    match.start(), match.end())
        if word.startswith("end") or word == "eod":  # as a deadline given as a day: 23:59
            return (_Clock(TimeOfDay(23, 59), match[0],
                           doubt=f'"{match[0]}" read as 23:59 on {{day}}'),
                    match.start(), match.end())
        return _Clock(TimeOfDay(12, 0), match[0]), match.start(), match.end()
    if match["h24"] is not None:
        hour, minute = int(match["h24"]), int(match["min24"])
        if hour == 24 and minute == 0:
            return _Clock(TimeOfDay(0, 0), match[0], next_day=True), match.start(), match.end()
        if hour > 23 or minute > 59:
            return None
        return _Clock(TimeOfDay(hour, minute), match[0]), match.start(), match.end()
    if match["cn_h"] is not None or match["cn_hc"] is not None:
        return _chinese_clock(match)
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


def _chinese_clock(match: re.Match[str]) -> tuple[_Clock, int, int] | None:
    """下午5点, 晚上11点59分, 下午5:00, 24时: a 12-hour clock when a part of the day is named."""
    if match["cn_hc"] is not None:
        hour, minute = int(match["cn_hc"]), int(match["cn_mc"])
    else:
        hour = int(match["cn_h"])
        minute = 30 if match["cn_half"] else int(match["cn_m"] or 0)
    part = match["cn_pre"] or match["cn_pre2"] or ""
    if (part in ("下午", "晚上") and 1 <= hour < 12) or (part == "中午" and hour < 6):
        hour += 12
    if hour == 24 and minute == 0:
        return _Clock(TimeOfDay(0, 0), match[0], next_day=True), match.start(), match.end()
    if hour > 23 or minute > 59:
        return None
    return _Clock(TimeOfDay(hour, minute), match[0]), match.start(), match.end()


def _zone_name(match: re.Match[str]) -> str:
    if match["aoe"]:
        return "AoE"
    if match["cjk"]:
        return next(k for k in CJK_ZONES if k.lower() == match["cjk"].lower())
    if match["offset"]:
        return re.sub(r"\s+", "", match["offset"]).replace("−", "-").replace("–", "-")
    if match["euro"]:
        words = match["euro"].lower().split()
        return _EUROPEAN_WORDS[words[0]] + ("S" if "summer" in words else "") + "T"
    if match["words"]:
        words = match["words"].lower().split()
        region = _ZONE_WORDS[words[0]]
        if len(words) > 1 and words[1] in ("standard", "daylight"):
            return region[0] + ("S" if words[1] == "standard" else "D") + "T"
        return region
    return match["abbr"]


# "12:00 Lisbon time", "New York time": up to three capitalized words, then "time".
_PLACE_TIME = re.compile(r"(?<![\w'’-])((?:[A-Z][\w'’.-]*\s+){0,2}[A-Z][\w'’.-]*)\s+"
                         r"(?i:time)(?![A-Za-z])")


# "British Summer Time", "Hawaii time", "Korean time": what people call a place's time by,
# where it is not the name of a city or a country of one zone.
_PLACE_WORDS = {"british": "Europe/London", "irish": "Europe/Dublin",
                "hawaii": "Pacific/Honolulu", "hawaiian": "Pacific/Honolulu",
                "korea": "Asia/Seoul", "korean": "Asia/Seoul", "japanese": "Asia/Tokyo",
                "indian": "Asia/Kolkata", "israeli": "Asia/Jerusalem", "chinese": "Asia/Shanghai",
                "taiwanese": "Asia/Taipei", "singaporean": "Asia/Singapore"}


def _place_time(text: str) -> tuple[str, int, int] | None:
    """A city or country the call names with "time" after it ("Standard", "Summer" or
    "Daylight" between), as its zone's IANA key; the longest name that is a place of one zone
    ("New York time", not "York time"; "India Standard Time")."""
    for match in _PLACE_TIME.finditer(text):
        words = match[1].split()
        if len(words) > 1 and words[-1].lower() in ("standard", "summer", "daylight"):
            words = words[:-1]
        for first in range(len(words)):
            name = " ".join(words[first:])
            zone = _PLACE_WORDS.get(name.lower()) or city_zone(name)
            if zone is not None:
                return zone, match.start(1) + match[1].index(words[first]), match.end()
    return None


# "2027-02-08T23:59:00-05:00", "23:59 +08:00", "...T23:59Z": an offset written onto the time.
_TIME_OFFSET = re.compile(r"(?<![\d:])\d{1,2}:\d{2}(?::\d{2})?(?P<off>\s?[+\-−]\d{2}:?\d{2}|Z)"
                          r"(?![\w:])")


def _find_zone(text: str) -> tuple[str, int, int] | None:
    match = _ZONE.search(text)
    offset = _TIME_OFFSET.search(text)
    if offset is not None and (match is None or offset.start("off") < match.start()):
        written = offset["off"].strip().replace("−", "-")
        if written == "Z":
            return "UTC", offset.start("off"), offset.end("off")
        digits = written[1:].replace(":", "")
        return f"UTC{written[0]}{digits[:2]}:{digits[2:]}", offset.start("off"), offset.end("off")
    if match is None:
        return _place_time(text)
    name = _zone_name(match)
    partner = re.match(r"\s*/\s*([A-Z]{3,4})(?![A-Za-z])", text[match.end():])
    if match["abbr"] and partner and _season_pair(name, partner[1]):
        # "11:59 PM PST/PDT", "23:59 CET/CEST": both halves named, the local time meant.
        return f"{name}/{partner[1]}", match.start(), match.end() + partner.end()
    if name.upper() in COLLIDING:
        # "23:59 CST (UTC+8)": the offset beside it says which CST is meant.
        gap = len(text[match.end():]) - len(text[match.end():].lstrip(" (,/"))
        beside = _ZONE.match(text, match.end() + gap)
        if beside is not None and beside["offset"]:
            return _zone_name(beside), match.start(), beside.end()
    return name, match.start(), match.end()


@dataclass
class _Placed:
    """A zone written for one local time, and the doubt it took, if any."""

    key: str
    doubt: str = ""


def _season_pair(first: str, second: str) -> bool:
    """ "PST" and "PDT", "CET" and "CEST": the two seasons of one zone's clocks."""
    a, b = first.upper(), second.upper()
    if a == b:
        return False
    if a in ABBREVIATIONS and b in ABBREVIATIONS:
        return ABBREVIATIONS[a][1] == ABBREVIATIONS[b][1]
    return a in SEASONAL and b in SEASONAL and SEASONAL[a][1] == SEASONAL[b][1]


def _place(written: str, local: datetime, countries: tuple[str, ...] = (),
           venue_zone: str = "") -> _Placed:
    """The zone to write for a local time, reading standard/daylight mix-ups ("PST" in
    September, "CET" in July) as local time, flagged.

    ``countries`` are the ones the call points to (its venue first): an abbreviation that names
    zones in several countries ("CST": US Central or China) is read as the one there, and the
    reading is flagged either way. ``venue_zone`` is the venue's zone: a seasonal abbreviation
    ("CET") is read in it when it keeps the same clocks.
    """
    if written in CJK_ZONES:
        return _Placed(CJK_ZONES[written])
    halves = written.upper().split("/")
    if len(halves) == 2 and _season_pair(*halves):
        if halves[0] in SEASONAL:  # the local time, in the season the date falls in: no doubt
            return _Placed(_place_seasonal(halves[0], local, venue_zone).key)
        return _Placed(REGIONS[ABBREVIATIONS[halves[0]][1]])
    upper = written.upper()
    if upper in SEASONAL:
        return _place_seasonal(upper, local, venue_zone)
    if upper in OTHER_ABBREVIATIONS:
        return _Placed(OTHER_ABBREVIATIONS[upper])
    if upper in COLLIDING:
        readings = COLLIDING[upper]
        chosen = next((r for c in countries for r in readings if r[0] == c), None)
        why = f"as the call points to {chosen[0]}" if chosen else "as nothing in the call " \
            "points elsewhere"
        pick = chosen or readings[0]
        others = "; ".join(f"in {c} it is {n} ({_zone_word(z)})" for c, z, n in readings
                           if (c, z, n) != pick)
        if chosen and chosen[0] == "USA":
            return _place_us(upper, local)
        doubt = f'"{written}" read as {pick[2]} ({_zone_word(pick[1])}), {why}; {others}'
        if pick[1] in REGIONS:
            placed = _place_us(upper, local)
            return _Placed(placed.key, "; ".join(d for d in (doubt, placed.doubt) if d))
        return _Placed(pick[1], doubt)
    return _place_us(written, local)


def _zone_word(key: str) -> str:
    return REGIONS.get(key, key)


def _place_us(written: str, local: datetime) -> _Placed:
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
                                    f"{AREA_NAMES[zone.region]} time, {actual}")
    return _Placed(zone.key)


def _place_seasonal(written: str, local: datetime, venue_zone: str) -> _Placed:
    """ "CET", "AEDT": the local time of a zone with those clocks (the venue's if it keeps
    them), flagged when the date is in the other season; the offset as written stays one
    line away in the doubt."""
    name, default, summer = SEASONAL[written]
    region = ZoneInfo(default)
    written_offset = season_offset(region, local.year, summer)
    key = default
    venue = _zone_info(venue_zone)
    if venue is not None:
        if all(_offset_of(venue, datetime(local.year, m, 1)) == written_offset
               for m in range(1, 13)):
            # Brisbane's AEST all year, Lagos's UTC+01:00 as "CET"; not London, whose summer
            # clock is CET's offset only by the season.
            return _Placed(venue_zone)
        if all(_offset_of(venue, datetime(local.year, m, 1)) == _offset_of(
                region, datetime(local.year, m, 1)) for m in range(1, 13)):
            key, region = venue_zone, venue
    readings = [local.replace(tzinfo=region, fold=f) for f in (0, 1)]
    standard = [r for r in readings if not r.dst()]
    in_summer = not standard
    if in_summer == summer:
        return _Placed(key)
    season = "summer" if in_summer else "standard"
    actual = (standard or readings)[0]
    fixed = offset_text(written_offset)
    return _Placed(key, f'"{written}" ({fixed}) on a date in {season} time: read as {name} '
                        f"in {key}, {actual.tzname()} ({offset_text(actual.utcoffset())}); if "
                        f'{fixed} all year is meant, write zone = "{fixed}"')


def _zone_info(key: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(key) if "/" in key else None
    except (ValueError, KeyError):  # ZoneInfoNotFoundError is a KeyError
        return None


def _offset_of(zone: ZoneInfo, local: datetime) -> timedelta | None:
    return local.replace(tzinfo=zone, fold=0).utcoffset()


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
