"""Zone names as organizers write them, and local times turned into instants without guessing.

Accepted names, and exactly what each means:

* IANA names (``America/Los_Angeles``, ``Asia/Shanghai``, ``UTC``): the tz database's rules,
  daylight saving included. Beware the POSIX-style ``Etc/GMT+5``: it is UTC-05:00 (the sign is
  inverted by the tz database's convention).
* ``AoE`` ("Anywhere on Earth"): UTC-12:00, all year. A deadline of 23:59 AoE has passed
  everywhere on Earth.
* Offsets: ``UTC+05:30``, ``UTC-7``, ``GMT+2``, ``+08:00``: that fixed offset, all year.
* US zone names: ``PT``, ``MT``, ``CT``, ``ET``, ``AKT``, ``HT`` follow the local rules of
  ``America/Los_Angeles``, ``America/Denver``, ``America/Chicago``, ``America/New_York``,
  ``America/Anchorage`` and ``Pacific/Honolulu`` (standard time in winter, daylight time in
  summer).
* US abbreviations name one fixed offset, as they literally say: ``PST`` UTC-08:00,
  ``PDT`` UTC-07:00, ``MST`` UTC-07:00, ``MDT`` UTC-06:00, ``CST`` UTC-06:00 (US Central, not
  China), ``CDT`` UTC-05:00, ``EST`` UTC-05:00, ``EDT`` UTC-04:00, ``AKST`` UTC-09:00,
  ``AKDT`` UTC-08:00, ``HST`` UTC-10:00. ``duebot validate`` warns when a standard-time
  abbreviation is used on a date when that region observes daylight time ("PST" in September),
  because the organizer almost always meant local time (``PT``).

Rules come from ``zoneinfo`` (the system's tz files, else the ``tzdata`` package), which
applies each zone's current rule for any year: pytz stopped at 2037. A local time in a DST gap
or fold is an error unless the caller says which of the two instants is meant.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from typing import Literal
from zoneinfo import ZoneInfo, available_timezones

from bot.errors import ZoneError

ZoneKind = Literal["iana", "offset", "aoe", "abbreviation", "region"]
Fold = Literal["earlier", "later"]

# Region names follow the rules of one IANA zone.
REGIONS: dict[str, str] = {
    "PT": "America/Los_Angeles",
    "MT": "America/Denver",
    "CT": "America/Chicago",
    "ET": "America/New_York",
    "AKT": "America/Anchorage",
    "HT": "Pacific/Honolulu",
}
AREA_NAMES: dict[str, str] = {
    "America/Los_Angeles": "Pacific",
    "America/Denver": "Mountain",
    "America/Chicago": "Central",
    "America/New_York": "Eastern",
    "America/Anchorage": "Alaska",
    "Pacific/Honolulu": "Hawaii",
}
"""What people call each region's time: "Pacific time" (lint's warnings, import-cfp's doubts)."""

# Abbreviation -> (fixed offset in minutes, the region it belongs to, is it daylight time).
ABBREVIATIONS: dict[str, tuple[int, str, bool]] = {
    "PST": (-8 * 60, "PT", False),
    "PDT": (-7 * 60, "PT", True),
    "MST": (-7 * 60, "MT", False),
    "MDT": (-6 * 60, "MT", True),
    "CST": (-6 * 60, "CT", False),
    "CDT": (-5 * 60, "CT", True),
    "EST": (-5 * 60, "ET", False),
    "EDT": (-4 * 60, "ET", True),
    "AKST": (-9 * 60, "AKT", False),
    "AKDT": (-8 * 60, "AKT", True),
    "HST": (-10 * 60, "HT", False),
}

# Abbreviations of one season of a zone outside the US that changes its clocks: (what people
# call that time, a zone with those rules, is it the summer-time name). Like "PST" in
# September, "CET" on a July date almost always means the local time of the place (CEST
# then): read so, and flagged, as the US ones are.
SEASONAL: dict[str, tuple[str, str, bool]] = {
    "CET": ("Central European time", "Europe/Paris", False),
    "CEST": ("Central European time", "Europe/Paris", True),
    "EET": ("Eastern European time", "Europe/Athens", False),
    "EEST": ("Eastern European time", "Europe/Athens", True),
    "WET": ("Western European time", "Europe/Lisbon", False),
    "WEST": ("Western European time", "Europe/Lisbon", True),
    "AEST": ("Australian Eastern time", "Australia/Sydney", False),
    "AEDT": ("Australian Eastern time", "Australia/Sydney", True),
    "ACST": ("Australian Central time", "Australia/Adelaide", False),
    "ACDT": ("Australian Central time", "Australia/Adelaide", True),
    "NZST": ("New Zealand time", "Pacific/Auckland", False),
    "NZDT": ("New Zealand time", "Pacific/Auckland", True),
}


def season_offset(region: ZoneInfo, year: int, summer: bool) -> timedelta | None:
    """The offset a season's abbreviation names: CET is Paris in January, AEDT Sydney then."""
    for month in (1, 7):
        probe = datetime(year, month, 1, 12, tzinfo=region)
        if bool(probe.dst()) == summer:
            return probe.utcoffset()
    return datetime(year, 1, 1, 12, tzinfo=region).utcoffset()


_UTC_NAMES = {"UTC", "GMT", "Z", "ZULU", "UT", "ETC/UTC", "ETC/GMT"}
_AOE_NAMES = {"AOE", "ANYWHERE ON EARTH", "ANYWHERE-ON-EARTH", "ANYWHERE_ON_EARTH"}
_OFFSET = re.compile(
    r"^(?:UTC|GMT|UT)?\s*(?P<sign>[+\-\u2212])\s*(?P<hours>\d{1,2})(?::?(?P<minutes>\d{2}))?$",
    re.IGNORECASE,
)
_MAX_OFFSET = 14 * 60


def offset_text(offset: timedelta | None) -> str:
    """``UTC+08:00`` / ``UTC-12:00`` / ``UTC``: how we print a fixed offset."""
    if offset is None:
        return "UTC"
    minutes = int(offset.total_seconds() // 60)
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{mins:02d}"


@dataclass(frozen=True)
class Zone:
    """A zone as the organizer named it, with the tzinfo that gives it meaning."""

    key: str
    """The canonical spelling we write back: ``America/Los_Angeles``, ``AoE``, ``UTC-07:00``."""
    kind: ZoneKind
    tz: tzinfo = field(compare=False, repr=False)
    region: str | None = None
    """For ``PST``/``PT``-style names: the IANA zone whose rules the region follows."""
    daylight: bool | None = None
    """For abbreviations: whether it names the daylight-time offset."""

    @property
    def is_fixed(self) -> bool:
        return self.kind in ("offset", "aoe", "abbreviation") or self.key == "UTC"

    @property
    def name(self) -> str:
        """A human name: ``America/Los_Angeles``, ``Anywhere on Earth``, ``PT (America/...)``."""
        if self.kind == "aoe":
            return "AoE (Anywhere on Earth, UTC-12:00)"
        if self.kind == "region" and self.region:
            return f"{self.key} ({self.region})"
        if self.kind == "abbreviation":
            return f"{self.key} ({offset_text(self._fixed_offset())})"
        return self.key

    def _fixed_offset(self) -> timedelta | None:
        return self.tz.utcoffset(datetime(2000, 1, 1))

    def readings(self, local: datetime) -> tuple[datetime, datetime]:
        """A naive wall time read with the offset before and after any change (UTC, in order).

        Equal outside gaps and folds. In a fold: the first and the second occurrence. In a gap
        (where the wall time does not exist): the later one reads it with the offset in force
        before the jump, which is the instant a clock that did not jump would show.
        """
        if local.tzinfo is not None:
            raise ValueError("readings() takes a naive local time")
        try:
            first = local.replace(tzinfo=self.tz, fold=0).astimezone(UTC)
            second = local.replace(tzinfo=self.tz, fold=1).astimezone(UTC)
        except (OverflowError, ValueError):
            raise ZoneError(f"{local:%Y-%m-%d %H:%M} is out of the range of dates duebot "
                            f"can place in {self.key}") from None
        return (first, second) if first <= second else (second, first)

    def in_gap(self, local: datetime) -> bool:
        """True if the clocks skip ``local`` (DST starts): no instant reads back as it."""
        return self.local(self.readings(local)[0]).replace(tzinfo=None) != local

    def gap_end(self, local: datetime) -> datetime:
        """The first instant after the gap ``local`` falls in: the true next valid time."""
        before, after = self.readings(local)
        offset = self.local(before).utcoffset()
        # The jump lies in (before, after]; find the first second with the new offset.
        low, high = 0, int((after - before).total_seconds())
        while high - low > 1:
            middle = (low + high) // 2
            if self.local(before + timedelta(seconds=middle)).utcoffset() == offset:
                low = middle
            else:
                high = middle
        return before + timedelta(seconds=high)

    def localize(self, local: datetime, *, fold: Fold | None = None) -> datetime:
        """Turn a naive local time into an aware UTC instant; gaps and folds raise ZoneError."""
        if local.tzinfo is not None:
            raise ValueError("localize() takes a naive local time")
        tz = self.tz
        if type(tz) in _PEP495:
            # Nearly every wall time reads the same with either fold: then it is neither in a
            # gap nor in a fold, and its one instant is the wall time less that offset (what
            # astimezone(UTC) computes, without the two round trips of readings()).
            try:
                offset = tz.utcoffset(local)
                if offset is not None and offset == tz.utcoffset(local.replace(fold=1)):
                    return (local - offset).replace(tzinfo=UTC)
            except (OverflowError, ValueError):
                pass  # out of range: readings() below says so
        first, second = self.readings(local)
        if self.local(first).replace(tzinfo=None) != local:  # a gap: see in_gap()
            jump = self.gap_end(local)
            wall = self.local(jump)
            # aware + timedelta is wall-clock arithmetic: the wall time the clocks jump from
            skipped_from = self.local(jump - timedelta(seconds=1)) + timedelta(seconds=1)
            day = "" if wall.date() == local.date() else f"{wall:%Y-%m-%d} "
            since = "" if skipped_from.date() == wall.date() else f"{skipped_from:%Y-%m-%d} "
            why = ("daylight saving starts" if (wall.dst() or timedelta(0))
                   > (skipped_from.dst() or timedelta(0)) else "the zone moves its clocks ahead")
            after = f"{day}{wall:%H:%M} {self.abbreviation(jump)}"
            # fold picks one of a time's two readings; a time in a gap has none to pick.
            fold_note = (f'; fold = "{fold}" only chooses between the two readings of a time '
                         f"that happens twice, and this one does not happen at all: write the "
                         f"time meant" if fold is not None else "")
            raise ZoneError(
                f"{local:%Y-%m-%d %H:%M} does not exist in {self.key}: the clocks jump from "
                f"{since}{skipped_from:%H:%M} to {after} ({why}); the next valid time is "
                f"{after}{fold_note}",
            )
        if first == second:
            return first
        if fold is None:
            raise ZoneError(
                f"{local:%Y-%m-%d %H:%M} happens twice in {self.key} (the clocks go back): "
                f"first at {first:%H:%M} UTC ({self.abbreviation(first)}), then at "
                f"{second:%H:%M} UTC ({self.abbreviation(second)}); "
                f'say which with fold = "earlier" or fold = "later"',
            )
        return first if fold == "earlier" else second

    def start_of_day(self, day: date) -> datetime:
        """The first instant of a local calendar day, even where the clocks skip its midnight.

        Where DST starts at 00:00 (Brazil until 2019), the day begins when the clocks jump, so
        an all-day date there is still a valid date. A midnight that happens twice begins at the
        first occurrence.
        """
        midnight = datetime(day.year, day.month, day.day)
        if self.in_gap(midnight):
            return self.gap_end(midnight)
        return self.readings(midnight)[0]

    def local(self, instant: datetime) -> datetime:
        """The wall-clock time of an aware instant in this zone."""
        if instant.tzinfo is None:
            raise ValueError("naive datetime: every instant must be timezone-aware")
        try:
            return instant.astimezone(self.tz)
        except OverflowError:
            raise ZoneError(f"{instant:%Y-%m-%d %H:%M} UTC is out of the range of dates "
                            f"duebot can show in {self.key}") from None

    def abbreviation(self, instant: datetime) -> str:
        """What a reader sees beside a time: ``PDT``, ``AoE``, ``UTC+08:00``."""
        if self.kind == "aoe":
            return "AoE"
        if self.kind == "abbreviation":
            return self.key
        local = self.local(instant)
        tzname = local.tzname() or ""
        if self.key == "UTC":
            return "UTC"
        if tzname.isalpha() and self.kind in ("iana", "region"):
            return tzname
        return offset_text(local.utcoffset())

    def offset_at(self, instant: datetime) -> str:
        return offset_text(self.local(instant).utcoffset())

    def observes_daylight_at(self, instant: datetime) -> bool | None:
        """For abbreviations: does the region they belong to observe daylight time then?"""
        if self.kind != "abbreviation" or self.region is None:
            return None
        return bool(instant.astimezone(ZoneInfo(self.region)).dst())


_PEP495 = (ZoneInfo, timezone)
"""tzinfo types whose ``utcoffset`` reads a naive wall time and its ``fold`` (PEP 495)."""


def _fixed(minutes: int) -> tzinfo:
    return timezone(timedelta(minutes=minutes)) if minutes else UTC


# Keys in the tz database that are not zones a schedule should name.
_NOT_ZONES = frozenset({"localtime", "posixrules", "Factory"})


@functools.cache
def _iana_keys() -> dict[str, str]:
    """Every IANA key, by its casefolded spelling (names are case-insensitive for us)."""
    return {key.casefold(): key for key in sorted(available_timezones() - _NOT_ZONES)}


def iana_names() -> tuple[str, ...]:
    """Every IANA zone name this machine's rules know (the ``tzdata`` package at least)."""
    return tuple(_iana_keys().values())


# The tz database's POSIX-style legacy names ("PST8PDT", "EST5EDT"): valid, but no suggestion
# for a name mistyped ("PST PDT" means Pacific time: America/Los_Angeles).
_LEGACY = re.compile(r"^[A-Z]{3,4}\d{1,2}(?:[A-Z]{3,4})?$")


@functools.cache
def _preferred() -> dict[str, str]:
    """CLDR's canonical name for each legacy IANA key (the tz database's ``backward`` links
    such as "US/Pacific", "Asia/Calcutta"), via Babel; the ``Etc/`` ones are left alone (a
    reader writes "UTC", not "Etc/UTC")."""
    from babel.core import get_global

    aliases: Mapping[str, str] = get_global("zone_aliases")
    keys = set(_iana_keys().values())
    return {old: new for old, new in aliases.items()
            if new in keys and old != new and not new.startswith("Etc/")}


def canonical_zone(key: str) -> str:
    """The name to suggest for an IANA key: its current name where ``key`` is a legacy link
    ("US/Pacific" -> "America/Los_Angeles", "Europe/Kiev" -> "Europe/Kyiv"), else ``key``."""
    return _preferred().get(key, key)


def _all_names() -> list[str]:
    return [*(n for n in iana_names() if not _LEGACY.match(n)), *REGIONS, *ABBREVIATIONS,
            "AoE", "UTC"]


def parse_zone(text: str) -> Zone:
    """Read a zone name; unknown names raise ZoneError with a suggestion when one is close."""
    raw = text.strip()
    if not raw:
        raise ZoneError("empty time zone; expected an IANA name such as America/Los_Angeles, "
                        "AoE, or an offset such as UTC-07:00")
    upper = raw.upper()
    if upper in _AOE_NAMES:
        return Zone(key="AoE", kind="aoe", tz=_fixed(-12 * 60))
    if upper in _UTC_NAMES:
        return Zone(key="UTC", kind="iana", tz=UTC)
    if upper in REGIONS:
        region = REGIONS[upper]
        return Zone(key=upper, kind="region", tz=ZoneInfo(region), region=region)
    pair = re.split(r"\s*/\s*|\s+", upper)
    if len(pair) == 2 and all(p in ABBREVIATIONS for p in pair) and len(
            {ABBREVIATIONS[p][1] for p in pair}) == 1 and pair[0] != pair[1]:
        upper = ABBREVIATIONS[pair[0]][1]  # "PST/PDT": both halves of Pacific time, i.e. PT
        region = REGIONS[upper]
        return Zone(key=upper, kind="region", tz=ZoneInfo(region), region=region)
    if upper in ABBREVIATIONS:
        minutes, region_key, daylight = ABBREVIATIONS[upper]
        return Zone(key=upper, kind="abbreviation", tz=_fixed(minutes),
                    region=REGIONS[region_key], daylight=daylight)
    match = _OFFSET.match(raw)
    if match:
        sign = -1 if match["sign"] in "-\u2212" else 1
        minutes = int(match["hours"]) * 60 + int(match["minutes"] or 0)
        if int(match["minutes"] or 0) >= 60 or minutes > _MAX_OFFSET:
            raise ZoneError(f"offset {raw!r} is out of range; offsets run from UTC-14:00 "
                            f"to UTC+14:00")
        td = timedelta(minutes=sign * minutes)
        return Zone(key=offset_text(td), kind="offset", tz=_fixed(sign * minutes))
    key = _iana_keys().get(raw.casefold())
    if key is not None:
        return Zone(key=key, kind="iana", tz=ZoneInfo(key))
    raise ZoneError(f"unknown time zone {raw!r}: expected an IANA name such as "
                    f"America/Los_Angeles, AoE, an offset such as UTC-07:00, or a US zone "
                    f"such as PT{_hint(raw)}")


def _hint(raw: str) -> str:
    """What an unknown zone name may have meant: the zones of a place or abbreviation people
    write ("Beijing", "IST": each reading named, since IST is India, Israel or Ireland), else
    the closest spelling."""
    from bot.core.places import lookup, place_zone, territory  # only on this error path

    if "," in raw or "，" in raw:  # "Portland, USA": Oregon or Maine, said
        located = place_zone(raw)
        if located.doubt:
            return f"; {located.doubt}"
        if located.zone:
            return f"; did you mean {canonical_zone(located.zone)!r}?"

    if raw.upper() in SEASONAL:  # "CEST": one season of a zone that changes its clocks
        name, region, summer = SEASONAL[raw.upper()]
        fixed = offset_text(season_offset(ZoneInfo(region), 2024, summer))
        return (f"; {raw.upper()} is {fixed}, {name} {'in' if summer else 'outside'} "
                f"summer: for the local time all year (summer time included), write the zone "
                f'of the place, such as "{region}"; for {fixed} all year, write "{fixed}"')

    place = lookup(raw) or territory(raw)
    if place is not None and place.zones:
        if place.ambiguous:
            if place.meanings:  # an abbreviation: "IST" is India, Israel or Ireland
                readings = [f"{meaning} ({canonical_zone(zone)})" for zone, meaning
                            in zip(place.zones, place.meanings, strict=False)]
                said, last = "can mean", "or"
            else:  # a country of several zones: "United States", "US" (its main ones)
                readings = list(dict.fromkeys(canonical_zone(z) for z in place.zones))
                said, last = "has several zones, among them", "and"
            listed = ", ".join(readings[:-1]) + f" {last} {readings[-1]}"
            return f"; {raw} {said} {listed}: write the IANA name of the one meant"
        return f"; did you mean {canonical_zone(place.zones[0])!r}?"
    close = difflib.get_close_matches(raw, _all_names(), n=1, cutoff=0.6)
    return f"; did you mean {canonical_zone(close[0])!r}?" if close else ""


UTC_ZONE = parse_zone("UTC")
