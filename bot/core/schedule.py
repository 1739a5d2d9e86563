"""Read a schedule's TOML text into an Event, reporting every error with its file and line.

Pure: takes the text and the name to report it under; reading files is the edge's job
(``bot.adapters.schedule_files``). Warnings that a careful organizer wants live in
``bot.core.lint``.
"""

from __future__ import annotations

import calendar
import re
import tomllib
import unicodedata
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as time_of_day
from types import MappingProxyType
from typing import Any, cast

from bot.core.destinations import check_destination
from bot.core.model import (
    DEFAULT_POLICY,
    KINDS,
    Announcement,
    Contact,
    Event,
    Faq,
    ImportantDate,
    Kind,
    Missed,
    ReminderPolicy,
    Submission,
)
from bot.core.toml_source import Path, TomlReader, nesting_problem, syntax_problem
from bot.core.toml_source import load as load_toml
from bot.core.zones import Fold, Zone, parse_zone
from bot.errors import Problem, ScheduleError, ZoneError, shown, suggest

TOP_KEYS = ("event", "dates", "submission", "contact", "reminders", "announcements", "faq")
EVENT_KEYS = ("id", "name", "zone", "venue_zone", "venue", "city", "country", "url",
              "description")
DATE_KEYS = ("id", "title", "kind", "at", "zone", "extended", "extended_from", "fold", "end",
             "description", "url", "reminders", "cancelled", "sequence")
SUBMISSION_KEYS = ("system", "url", "format", "template", "template_url", "page_limit",
                   "page_limit_note", "anonymized", "notes")
CONTACT_KEYS = ("email", "name", "url")
REMINDER_KEYS = (*KINDS, "final_call", "missed", "grace")
ANNOUNCEMENT_KEYS = ("id", "at", "to", "text", "template")
FAQ_KEYS = ("id", "ask", "answer", "translations")
_EVERY_KEY = frozenset((*TOP_KEYS, *EVENT_KEYS, *DATE_KEYS, *SUBMISSION_KEYS, *CONTACT_KEYS,
                        *ANNOUNCEMENT_KEYS, *FAQ_KEYS))
"""A key some table allows: never an unknown key's typo."""
_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:[_-][A-Za-z]{2,4})?$")

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_LOCAL = re.compile(
    r"^\s*(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:[ T](?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?"
    r"(?:\s+(?P<zone>\S.*?))?\s*$"
)
_ATTACHED_OFFSET = re.compile(r"(T\d{1,2}:\d{2}(?::\d{2})?)(?=(?:[Zz]|[+\-]\d{2}:?\d{2})\s*$)")
_DURATION = re.compile(
    r"(?P<n>\d+)\s*(?P<unit>weeks?|w|days?|d|hours?|hrs?|h|minutes?|mins?|m|seconds?|secs?|s)"
    r"(?![a-z])",
    re.IGNORECASE,
)
FIRST_YEAR, LAST_YEAR = 1970, 2100
"""Dates a schedule may name: wide enough for any workshop, narrow enough that every later
step (time zones, reminders days before, feeds, the database) can place them."""
MAX_DURATION = timedelta(days=3650)
"""The longest lead time, grace or interval: ten years (3650d, 521w)."""
_URL_SCHEMES = ("https", "http")
_MAX_SEQUENCE = 1_000_000  # a calendar's SEQUENCE and our counters stay small integers
_MAX_PAGES = 10_000
_KIND_ALIASES: Mapping[str, Kind] = {
    "camera_ready": "camera-ready", "cameraready": "camera-ready", "camera ready": "camera-ready",
    "final": "camera-ready", "notifications": "notification", "deadlines": "deadline",
    "workshop": "event", "conference": "event",
}


@dataclass(frozen=True)
class Local:
    """A time as written: a naive local datetime or a calendar date, maybe with its own zone."""

    value: datetime | date
    zone: Zone | None
    text: str
    instant: datetime | None = None
    """Set when the value carried its own UTC offset (a TOML offset datetime)."""
    end_of_day: bool = False
    """Written "24:00": the instant the day ends, even where the next one's midnight is skipped."""

    @property
    def all_day(self) -> bool:
        return not isinstance(self.value, datetime)


def parse_local(value: object) -> Local:
    """Read ``2017-09-10 23:59``, ``2017-10-28``, ``2017-09-10 23:59 AoE`` or a TOML date."""
    if isinstance(value, datetime):
        check_year(value.year, value.isoformat())
        if value.tzinfo is not None:
            return Local(value.replace(tzinfo=None), None, value.isoformat(),
                         instant=value.astimezone(UTC))
        return Local(value, None, value.isoformat(sep=" ", timespec="minutes"))
    if isinstance(value, date):
        check_year(value.year, value.isoformat())
        return Local(value, None, value.isoformat())
    if not isinstance(value, str):
        raise ValueError(f"expected a date such as \"2017-09-10 23:59\" or \"2017-10-28\", "
                         f"got {shown(value)}")
    # RFC 3339 as programs write it, "2027-05-01T23:59:00-07:00" / "...Z": the offset is the
    # zone, as in "2027-05-01 23:59 -07:00".
    match = _LOCAL.match(_ATTACHED_OFFSET.sub(r"\1 ", value))
    if not match:
        raise ValueError(f"{value!r} is not a date: expected \"YYYY-MM-DD HH:MM\" (local time) "
                         f"or \"YYYY-MM-DD\" (all day){_date_hint(value)}")
    year, month, day = int(match["y"]), int(match["m"]), int(match["d"])
    check_year(year, value)
    if not 1 <= month <= 12:
        raise ValueError(f"{value!r} is not a date: there is no month {month}")
    days_in_month = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days_in_month:
        raise ValueError(f"{value!r} is not a date: {calendar.month_name[month]} {year} has "
                         f"{days_in_month} days")
    if match["zone"] and match["H"] is None and match["zone"][0].isdigit():
        raise ValueError(_not_a_time(value, match["zone"].split()[0]))
    if match["zone"] and match["H"] is not None and _HALF_DAY.match(match["zone"]):
        half = match["zone"].split()[0]  # "12:00 p.m.": not a zone named "p.m."
        raise ValueError(_not_a_time(value, f"{match['H']}:{match['M']} {half}"))
    zone = parse_zone(match["zone"]) if match["zone"] else None
    if match["H"] is None:
        return Local(date(year, month, day), zone, value.strip())
    hour, minute, second = int(match["H"]), int(match["M"]), int(match["S"] or 0)
    if hour == 24 and minute == 0 and second == 0:
        # "24:00" is the end of the day: midnight at the start of the next one.
        moment = datetime(year, month, day) + timedelta(days=1)
        return Local(moment, zone, value.strip(), end_of_day=True)
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError(f"{value!r} has no such time of day: expected HH:MM from 00:00 to "
                         f"23:59 (or 24:00 for the end of the day)")
    return Local(datetime.combine(date(year, month, day), time_of_day(hour, minute, second)), zone,
                 value.strip())


_SLASHED_YMD = re.compile(r"^\s*(\d{4})[/.](\d{1,2})[/.](\d{1,2})(.*)$")
_SLASHED_DMY = re.compile(r"^\s*(\d{1,2})[/.](\d{1,2})[/.](\d{4})(.*)$")
_WORDED = re.compile(r"^\s*(?:(?P<m>[A-Za-z]{3,9})\.?\s+(?P<d>\d{1,2})|(?P<d2>\d{1,2})\s+"
                     r"(?P<m2>[A-Za-z]{3,9})\.?)(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})(?P<rest>.*)$")
_MONTHS = {name.lower()[:3]: number for number, name in enumerate(calendar.month_name) if name}


def _date_hint(value: str) -> str:
    """How a date written another way is written here: "2026/03/01" has one reading; with
    "01/03/2026" day and month are the writer's to say, never guessed."""
    ymd = _SLASHED_YMD.match(value)
    if ymd:
        return f': write "{ymd[1]}-{int(ymd[2]):02d}-{int(ymd[3]):02d}{ymd[4].rstrip()}"'
    dmy = _SLASHED_DMY.match(value)
    if dmy and dmy[1] != dmy[2] and max(int(dmy[1]), int(dmy[2])) <= 12:
        first, second, year, rest = int(dmy[1]), int(dmy[2]), dmy[3], dmy[4].rstrip()
        written = value[dmy.start(1):dmy.end(3)]
        return (f': "{written}" is {calendar.month_name[second]} {first} or '
                f"{calendar.month_name[first]} {second}: write "
                f'"{year}-{second:02d}-{first:02d}{rest}" or "{year}-{first:02d}-{second:02d}'
                f'{rest}"')
    if dmy:
        day, month = sorted((int(dmy[1]), int(dmy[2])), reverse=True)
        if 1 <= month <= 12:
            return f': write "{dmy[3]}-{month:02d}-{day:02d}{dmy[4].rstrip()}"'
    worded = _WORDED.match(value)
    if worded:
        named = _MONTHS.get((worded["m"] or worded["m2"]).lower()[:3])
        if named is not None:
            day = int(worded["d"] or worded["d2"])
            return f': write "{worded["y"]}-{named:02d}-{day:02d}{worded["rest"].rstrip()}"'
    return ""


_HALF_DAY = re.compile(r"[ap]\.?m\.?(?!\w)", re.IGNORECASE)
_TWELVE_HOUR = re.compile(r"(?P<H>\d{1,2})(?:[:.](?P<M>\d{2}))?\s*(?P<half>[ap])\.?m\.?",
                          re.IGNORECASE)


def _not_a_time(value: str, written: str) -> str:
    """A time after the date that is not HH:MM ("11:59pm", "9h"): said as a time, never read
    as an unknown zone; a 12-hour one is told its 24-hour spelling."""
    said = f"{value!r}: {written!r} is not a time of day: write HH:MM on the 24-hour clock"
    twelve = _TWELVE_HOUR.fullmatch(written)
    if twelve and 1 <= int(twelve["H"]) <= 12 and int(twelve["M"] or 0) <= 59:
        hour = int(twelve["H"]) % 12 + (12 if twelve["half"].lower() == "p" else 0)
        return f"{said} ({written} is {hour:02d}:{int(twelve['M'] or 0):02d})"
    return f"{said}, such as \"2017-09-10 23:59\""


def check_year(year: int, written: object) -> None:
    """ValueError for a year outside FIRST_YEAR..LAST_YEAR (``9999-12-31`` crashed delivery)."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"{written!r}: year {year} is out of range; duebot reads dates from "
                         f"{FIRST_YEAR} to {LAST_YEAR}")


def parse_duration(value: object) -> timedelta:
    """``7d``, ``3h``, ``90m``, ``1w``, ``1d 12h``, ``30s``: a lead time or an interval."""
    if isinstance(value, int) and not isinstance(value, bool):
        raise ValueError(f"{value!r} has no unit: write \"{value}d\", \"{value}h\" or "
                         f"\"{value}m\"")
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"expected a duration such as \"7d\", \"3h\" or \"30m\", got "
                         f"{shown(value)}")
    total = timedelta()
    rest = value.strip()
    position = 0
    for match in _DURATION.finditer(rest):
        if rest[position:match.start()].strip(" ,+"):
            break
        if len(match["n"].lstrip("0")) > 7:  # beyond any bound, and int() of a huge string is slow
            raise ValueError(_too_long(value))
        n = int(match["n"])
        unit = match["unit"].lower()
        if unit.startswith("w"):
            total += timedelta(weeks=n)
        elif unit.startswith("d"):
            total += timedelta(days=n)
        elif unit.startswith("h"):
            total += timedelta(hours=n)
        elif unit.startswith("s"):
            total += timedelta(seconds=n)
        else:
            total += timedelta(minutes=n)
        position = match.end()
        if total > MAX_DURATION:
            raise ValueError(_too_long(value))
    if position == 0 or rest[position:].strip():
        raise ValueError(f"{value!r} is not a duration: expected a number and a unit, such as "
                         f"\"7d\", \"1d 12h\", \"3h\" or \"30m\"" + _duration_hint(rest))
    return total


def _duration_hint(text: str) -> str:
    """What to write instead of "1 month", "1.5d", "1y" (the forms people reach for)."""
    if re.search(r"\d\s*(?:months?|mo)\b", text, re.IGNORECASE):
        return "; months differ in length: write days, such as \"30d\""
    if re.search(r"\d\s*(?:y|yrs?|years?)\b", text, re.IGNORECASE):
        return "; write days, such as \"365d\""
    fraction = re.fullmatch(r"(\d+)[.,](\d+)\s*(d|days?|h|hours?)", text, re.IGNORECASE)
    if fraction:
        whole, unit = int(fraction[1]), fraction[3][0].lower()
        part = float(f"0.{fraction[2]}") * (24 if unit == "d" else 60)
        if part.is_integer():
            small = "h" if unit == "d" else "m"
            return f"; whole numbers only: write \"{whole}{unit} {int(part)}{small}\""
        return "; whole numbers only"
    return ""


def _too_long(value: str) -> str:
    return (f"{value!r} is too long: durations run up to {MAX_DURATION.days}d (ten years)")


def format_duration(lead: timedelta) -> str:
    """The short form that parse_duration reads back: ``7d``, ``1d12h``, ``90m`` -> ``1h30m``."""
    minutes = int(lead.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{days}d" if days else "", f"{hours}h" if hours else "", f"{mins}m" if mins else ""]
    return "".join(parts) or "0m"


class _Reader(TomlReader):
    """The schedule's reader: TomlReader plus text, zone and id fields as schedules use them."""

    def text(self, data: Mapping[str, Any], path: Path, key: str, *,
             required: bool = False) -> str:
        value = data.get(key)
        if value is None:
            if required and not any(suggest(k, (key,)) for k in data
                                    if isinstance(k, str) and k not in _EVERY_KEY):
                # "titel = ...": the unknown key's "did you mean 'title'?" says it all.
                self.error(path, f"missing required key {key!r}")
            return ""
        if not isinstance(value, str):
            self.error((*path, key), f"expected text, got {shown(value)}")
            return ""
        if required and not value.strip():
            self.error((*path, key), f"{key!r} must not be empty")
        return value.strip()

    def zone(self, data: Mapping[str, Any], path: Path, key: str) -> Zone | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            self.error((*path, key), f"expected a zone name, got {shown(value)}")
            return None
        try:
            return parse_zone(value)
        except ZoneError as exc:
            self.error((*path, key), exc.problem.message)
            return None

    def ident(self, data: Mapping[str, Any], path: Path) -> str:
        value = self.text(data, path, "id", required=True)
        if value and not _ID.match(value):
            self.error((*path, "id"), f"id {value!r} must start with a letter or digit and use "
                       f"only letters, digits, '-', '_' and '.' (at most 64 characters)")
        return value


def read_schedule(text: str, source: str = "<schedule>") -> tuple[Event | None, list[Problem]]:
    """Parse and check a schedule; returns the event (None if unusable) and every error."""
    try:
        data, where = load_toml(text)
    except tomllib.TOMLDecodeError as exc:
        return None, [syntax_problem(exc, text, source)]
    except RecursionError:
        return None, [nesting_problem(text, source)]
    reader = _Reader(text, source, where)
    reader.table(data, (), TOP_KEYS)
    event_data = data.get("event")
    said = len(reader.problems)
    no_event = not isinstance(event_data, dict)
    if event_data is None:
        reader.error((), "missing the [event] table (with id, name and zone)")
        event_data = {}
    elif not isinstance(event_data, dict):
        got = ("a list (write [event], once, not [[event]])" if isinstance(event_data, list)
               else shown(event_data))
        reader.error(("event",), f"event must be a table, [event] with id, name and zone; "
                                 f"got {got}")
        event_data = {}
    reader.table(event_data, ("event",), EVENT_KEYS)
    event_id = reader.ident(event_data, ("event",))
    name = reader.text(event_data, ("event",), "name", required=True)
    if "zone" not in event_data:
        reader.error(("event",), "missing required key 'zone' (for example "
                                 "\"America/Los_Angeles\" or \"AoE\")")
    if no_event:
        # No [event] at all ("[evnt]"): one error says so; its three keys are not three more.
        reader.problems[said + 1:] = []
    zone = reader.zone(event_data, ("event",), "zone")
    venue_zone = reader.zone(event_data, ("event",), "venue_zone")
    submission = _submission(reader, data.get("submission", {}))
    contact = _contact(reader, data.get("contact", {}))
    policy = _policy(reader, data.get("reminders", {}))
    dates = _dates(reader, data.get("dates", []), zone)
    announcements = _announcements(reader, data.get("announcements", []), dates)
    faq = _faq(reader, data.get("faq", []))
    event_url = _url(reader, event_data, ("event",), "url")
    if reader.problems or zone is None:
        return None, reader.problems
    event = Event(
        id=event_id, name=name, zone=zone, venue_zone=venue_zone,
        venue=reader.text(event_data, ("event",), "venue"),
        city=reader.text(event_data, ("event",), "city"),
        country=reader.text(event_data, ("event",), "country"),
        url=event_url,
        description=reader.text(event_data, ("event",), "description"),
        submission=submission, contact=contact, policy=policy, dates=dates,
        announcements=announcements, faq=faq, source=source,
    )
    return event, []


def parse_schedule(text: str, source: str = "<schedule>") -> Event:
    """Like read_schedule, but raises ScheduleError carrying every problem."""
    event, problems = read_schedule(text, source)
    if event is None:
        raise ScheduleError(problems)
    return event


def check_url(value: str) -> str:
    """An absolute http(s) URL on one line, as links, mail and feeds need; else ValueError."""
    if any(ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf") for ch in value):
        raise ValueError(f"{shown(value)}: a URL cannot contain spaces, line breaks or control "
                         f"characters (write %20 for a space)")
    scheme, colon, rest = value.partition(":")
    if colon and re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", scheme) and (
            scheme.lower() not in _URL_SCHEMES):
        raise ValueError(f"{shown(value)}: only https:// and http:// links are allowed, not "
                         f"{scheme}:")
    if not colon or scheme.lower() not in _URL_SCHEMES or not rest.startswith("//") or (
            len(rest) < 3):
        example = "https://example.org/..." if colon else f"https://{value.removeprefix('//')}"
        raise ValueError(f"{shown(value)} is not an absolute URL: expected \"{example}\"")
    return value


def _url(reader: _Reader, data: Mapping[str, Any], path: Path, key: str) -> str:
    value = reader.text(data, path, key)
    if not value:
        return ""
    try:
        return check_url(value)
    except ValueError as exc:
        reader.error((*path, key), str(exc))
        return ""


def _submission(reader: _Reader, data: object) -> Submission:
    path: Path = ("submission",)
    if not isinstance(data, dict):
        reader.error(path, "[submission] must be a table")
        return Submission()
    reader.table(data, path, SUBMISSION_KEYS)
    page_limit = data.get("page_limit")
    if page_limit is not None and (not isinstance(page_limit, int) or isinstance(page_limit, bool)
                                   or not 0 < page_limit <= _MAX_PAGES):
        reader.error((*path, "page_limit"), f"expected a whole number of pages (1 to "
                                            f"{_MAX_PAGES}), got {shown(page_limit)}")
        page_limit = None
    anonymized = data.get("anonymized")
    if anonymized is not None and not isinstance(anonymized, bool):
        reader.error((*path, "anonymized"), f"expected true or false, got {shown(anonymized)}")
        anonymized = None
    return Submission(
        system=reader.text(data, path, "system"), url=_url(reader, data, path, "url"),
        format=reader.text(data, path, "format"), template=reader.text(data, path, "template"),
        template_url=_url(reader, data, path, "template_url"), page_limit=page_limit,
        page_limit_note=reader.text(data, path, "page_limit_note"), anonymized=anonymized,
        notes=reader.text(data, path, "notes"),
    )


def _contact(reader: _Reader, data: object) -> Contact:
    path: Path = ("contact",)
    if not isinstance(data, dict):
        reader.error(path, "[contact] must be a table")
        return Contact()
    reader.table(data, path, CONTACT_KEYS)
    email = reader.text(data, path, "email")
    if email and "@" not in email:
        reader.error((*path, "email"), f"{email!r} is not an e-mail address")
    return Contact(email=email, name=reader.text(data, path, "name"),
                   url=_url(reader, data, path, "url"))


def _durations(reader: _Reader, path: Path, value: object) -> tuple[timedelta, ...] | None:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        reader.error(path, f"expected a list of durations such as [\"7d\", \"1d\", \"3h\"], "
                           f"got {shown(value)}")
        return None
    leads: list[timedelta] = []
    for item in value:
        try:
            lead = parse_duration(item)
        except ValueError as exc:
            reader.error(path, str(exc))
            continue
        if lead <= timedelta(0):
            reader.error(path, f"{item!r}: a reminder must come before the date (more than 0)")
            continue
        leads.append(lead)
    return tuple(leads)


def _kind_name(key: str) -> str:
    return key.replace("_", "-")


def _policy(reader: _Reader, data: object) -> ReminderPolicy:
    path: Path = ("reminders",)
    if not isinstance(data, dict):
        reader.error(path, "[reminders] must be a table")
        return DEFAULT_POLICY
    allowed = (*REMINDER_KEYS, "camera_ready")
    reader.table(data, path, allowed)
    lead_times: dict[Kind, tuple[timedelta, ...]] = dict(DEFAULT_POLICY.lead_times)
    for key, value in data.items():
        kind = _kind_name(key)
        if kind in KINDS:
            leads = _durations(reader, (*path, key), value)
            if leads is not None:
                lead_times[kind] = leads
    final_call: timedelta | None = None
    if "final_call" in data:
        raw = data["final_call"]
        if raw is False:
            final_call = None
        elif raw is True:
            final_call = timedelta(hours=1)
        else:
            try:
                final_call = parse_duration(raw)
            except ValueError as exc:
                reader.error((*path, "final_call"), f"{exc} (or true for one hour)")
    grace: timedelta | None = None
    if "grace" in data:
        try:
            grace = parse_duration(data["grace"])
        except ValueError as exc:
            reader.error((*path, "grace"), str(exc))
    missed: dict[Kind, Missed] = {}
    raw_missed = data.get("missed", {})
    if isinstance(raw_missed, str):
        raw_missed = dict.fromkeys(KINDS, raw_missed)
    if not isinstance(raw_missed, dict):
        reader.error((*path, "missed"), "expected \"late\" or \"skip\", or a table of kind = "
                                        "\"late\" | \"skip\"")
        raw_missed = {}
    for key, value in raw_missed.items():
        kind = _kind_name(key)
        if kind not in KINDS:
            reader.error((*path, "missed", key), f"unknown kind {key!r}{suggest(kind, KINDS)}")
        elif value not in ("late", "skip"):
            reader.error((*path, "missed", key), f"expected \"late\" (send with a note) or "
                                                 f"\"skip\", got {shown(value)}")
        else:
            missed[kind] = cast(Missed, value)
    return ReminderPolicy(lead_times=MappingProxyType(lead_times), final_call=final_call,
                          missed=MappingProxyType(missed), grace=grace)


def _kind(reader: _Reader, path: Path, value: object) -> Kind:
    if not isinstance(value, str):
        reader.error((*path, "kind"), f"expected one of {', '.join(KINDS)}, got {shown(value)}")
        return "other"
    normal = value.strip().lower()
    if normal in KINDS:
        return normal
    if normal in _KIND_ALIASES:
        return _KIND_ALIASES[normal]
    reader.error((*path, "kind"), f"unknown kind {value!r}{suggest(normal, KINDS)} "
                                  f"(expected one of {', '.join(KINDS)})")
    return "other"


def _instant(reader: _Reader, path: Path, local: Local, zone: Zone, fold: Fold | None
             ) -> datetime | None:
    if local.instant is not None:
        return local.instant
    assert isinstance(local.value, datetime)
    try:
        if local.end_of_day:
            # Where DST starts at midnight (Santiago, Havana) the day ends when the clocks jump:
            # 24:00 is that instant, not "00:00 does not exist".
            return zone.start_of_day(local.value.date())
        return zone.localize(local.value, fold=fold)
    except ZoneError as exc:
        reader.error(path, exc.problem.message)
        return None


def _dates(reader: _Reader, data: object, event_zone: Zone | None
           ) -> tuple[ImportantDate, ...]:
    if not isinstance(data, list):
        reader.error(("dates",), "dates must be an array of tables: write each as [[dates]]")
        return ()
    if not data:
        reader.error(("dates",) if ("dates",) in reader.map.lines else (),
                     "the schedule has no dates: add at least one [[dates]] table")
    out: list[ImportantDate] = []
    for path, item, date_id in _entries(reader, data, "dates", DATE_KEYS, "date"):
        title = reader.text(item, path, "title", required=True)
        kind = _kind(reader, path, item.get("kind", "other")) if "kind" in item else None
        if kind is None:
            reader.error(path, f"missing required key 'kind' (one of {', '.join(KINDS)})")
            kind = "other"
        own_zone = reader.zone(item, path, "zone")
        fold = item.get("fold")
        if fold is not None and fold not in ("earlier", "later"):
            reader.error((*path, "fold"), f"expected \"earlier\" or \"later\", got {shown(fold)}")
            fold = None
        when = _one_date(reader, item, path, date_id, title, kind, own_zone or event_zone,
                         cast("Fold | None", fold))
        if when is not None:
            out.append(when)
    return tuple(out)


def _entries(reader: _Reader, data: list[Any], name: str, keys: tuple[str, ...], what: str
             ) -> Iterator[tuple[Path, dict[str, Any], str]]:
    """Each ``[[name]]`` table with its path and id; checks keys and duplicate ids on the way."""
    seen: dict[str, int] = {}
    for index, item in enumerate(data):
        path: Path = (name, index)
        if not isinstance(item, dict):
            reader.error(path, f"each [[{name}]] entry must be a table")
            continue
        reader.table(item, path, keys)
        ident = reader.ident(item, path)
        if ident in seen:
            reader.error((*path, "id"), f"duplicate {what} id {ident!r} (first used on line "
                                        f"{seen[ident]})")
        elif ident:
            seen[ident] = reader.map.line((*path, "id")) or 0
        yield path, item, ident


def _read_local(reader: _Reader, path: Path, key: str, value: object) -> Local | None:
    try:
        return parse_local(value)
    except ZoneError as exc:
        reader.error((*path, key), exc.problem.message)
    except ValueError as exc:
        reader.error((*path, key), str(exc))
    return None


def _one_date(reader: _Reader, item: Mapping[str, Any], path: Path, date_id: str, title: str,
              kind: Kind, zone: Zone | None, fold: Fold | None) -> ImportantDate | None:
    # Read first, so that their mistakes are reported even when ``at`` is wrong.
    url = _url(reader, item, path, "url")
    lead_times = (_durations(reader, (*path, "reminders"), item["reminders"])
                  if "reminders" in item else None)
    if "at" not in item:
        reader.error(path, "missing required key 'at' (for example \"2017-09-10 23:59\", or "
                           "\"2017-10-28\" for an all-day date)")
        return None
    at = _read_local(reader, path, "at", item["at"])
    if at is None:
        return None
    zone = at.zone or zone
    stand_in = zone is None  # the event's zone is missing or wrong: already reported
    if zone is None:
        # Read the rest in UTC all the same, so that its other mistakes are said in this run
        # too (not one file-fix-rerun round per cascade); the date itself is not kept.
        zone = parse_zone("UTC")
    # Only keys the entry has: a missing key falls back to the entry's header line, and
    # lint can tell a date's own zone from the event's.
    lines = {key: line for key in (*DATE_KEYS, "") if key in item or not key
             if (line := reader.map.line((*path, key) if key else path)) is not None}
    fields: dict[str, Any] = {
        "id": date_id, "title": title, "kind": kind, "zone": zone, "local_text": at.text,
        "lines": MappingProxyType(lines),
        "description": reader.text(item, path, "description"),
        "url": url,
    }
    day_ends: set[datetime] = set()  # the instants written "24:00"
    if at.all_day:
        assert not isinstance(at.value, datetime)
        fields["day"] = at.value
    else:
        instant = _instant(reader, (*path, "at"), at, zone, fold)
        if instant is None:
            return None
        fields["at"] = instant
        if at.end_of_day:
            day_ends.add(instant)
    for key in ("end", "extended_from"):
        if key not in item:
            continue
        other = _read_local(reader, path, key, item[key])
        if other is None:
            continue
        if other.all_day != at.all_day:
            reader.error((*path, key), f"{key} {other.text!r} and at {at.text!r} must both have "
                                       f"a time of day, or both be all-day dates")
            continue
        if other.all_day:
            assert not isinstance(other.value, datetime)
            fields[f"{key}_day" if key == "extended_from" else "end_day"] = other.value
        else:
            instant = _instant(reader, (*path, key), other, other.zone or zone, fold)
            if instant is None:
                continue
            fields[key] = instant
            if other.end_of_day:
                day_ends.add(instant)
    fields["day_ends"] = frozenset(day_ends)
    if "end" in item:
        starts = fields.get("at") or fields.get("day")
        ends = fields.get("end") or fields.get("end_day")
        if starts is not None and ends is not None and ends < starts:
            reader.error((*path, "end"), f"end {item['end']!r} is before at {at.text!r}")
    if "reminders" in item:
        fields["lead_times"] = lead_times
    for key, attr in (("cancelled", "cancelled"), ("extended", "extended_note")):
        flag = item.get(key, False)
        if not isinstance(flag, bool):
            reader.error((*path, key), f"expected true or false, got {shown(flag)}")
            flag = False
        fields[attr] = flag
    if item.get("extended") is False and "extended_from" in item:
        reader.error((*path, "extended"), "extended = false, but extended_from gives the time "
                                          "before the extension: remove one of them")
    sequence = item.get("sequence")
    if sequence is not None and (not isinstance(sequence, int) or isinstance(sequence, bool)
                                 or not 0 <= sequence <= _MAX_SEQUENCE):
        reader.error((*path, "sequence"), f"expected a whole number from 0 to {_MAX_SEQUENCE}, "
                                          f"got {shown(sequence)}")
        sequence = None
    if sequence is None:
        # An extension is a change subscribers' calendars must pick up.
        sequence = 1 if ("extended_from" in item or item.get("extended") is True) else 0
    fields["sequence"] = sequence
    return None if stand_in else ImportantDate(**fields)


@dataclass(frozen=True)
class WhenSpec:
    """When an announcement goes, as written: relative to a date, or a time of its own."""

    date_id: str = ""
    """Relative to this date (its close for a deadline, else its start); "" for a time."""
    offset: timedelta = timedelta(0)
    local: Local | None = None
    """A time of its own; without a zone it is in the event's zone, as dates are."""


_RELATIVE = re.compile(r"^(?P<id>.+?)\s*(?P<sign>[+-])\s*(?P<duration>\d.*)$")


def parse_when(value: object, date_ids: Collection[str]) -> WhenSpec:
    """``abstract``, ``abstract-2d``, ``notification+1h``, ``2017-09-11 09:00 UTC`` or an
    ISO instant with its offset; ValueError (with a suggestion) otherwise."""
    if isinstance(value, datetime | date):
        local = parse_local(value)
    elif not isinstance(value, str) or not value.strip():
        raise ValueError(f"expected a time such as \"abstract-2d\" or \"2017-09-01 09:00 "
                         f"America/Los_Angeles\", got {shown(value)}")
    else:
        text = value.strip()
        if text in date_ids:
            return WhenSpec(date_id=text)
        match = _RELATIVE.match(text)
        if match and match["id"] in date_ids:
            offset = parse_duration(match["duration"])
            return WhenSpec(date_id=match["id"],
                            offset=-offset if match["sign"] == "-" else offset)
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            moment = None
        if moment is not None:
            check_year(moment.year, text)
        if moment is not None and moment.tzinfo is not None:
            local = Local(moment.replace(tzinfo=None), None, text,
                          instant=moment.astimezone(UTC))
        else:
            try:
                local = parse_local(text)
            except ValueError:
                head = match["id"] if match else text
                known = ", ".join(sorted(date_ids)) or "none"
                raise ValueError(
                    f"{text!r} is neither a time (\"2017-09-01 09:00 America/Los_Angeles\") "
                    f"nor a date id with an optional offset (\"abstract-2d\", "
                    f"\"notification+1h\"){suggest(head, date_ids)} (dates: {known})"
                ) from None
    if local.all_day:
        raise ValueError(f"{local.text!r} has no time of day: an announcement goes at a time, "
                         f"e.g. \"{local.text} 09:00\"")
    return WhenSpec(local=local)


def _faq(reader: _Reader, data: object) -> tuple[Faq, ...]:
    """``[[faq]]``: a few phrasings (``ask``), the ``answer``, optional ``translations``."""
    if not isinstance(data, list):
        reader.error(("faq",), "write each FAQ entry as a [[faq]] table with id, ask and answer")
        return ()
    out: list[Faq] = []
    seen: dict[str, int] = {}
    for path, item, faq_id in _entries(reader, data, "faq", FAQ_KEYS, "FAQ"):
        asks = item.get("ask")
        if isinstance(asks, str):
            asks = [asks]
        phrasings: list[str] = []
        if asks is None:
            reader.error(path, "missing required key 'ask': a list of the ways people ask "
                               "it, e.g. ask = [\"Can I present remotely?\"]")
        elif not isinstance(asks, list) or not asks:
            reader.error((*path, "ask"), "expected a non-empty list of questions")
        else:
            for value in asks:
                if not isinstance(value, str) or not value.strip():
                    reader.error((*path, "ask"), f"each phrasing must be non-empty text, got "
                                                 f"{value!r}")
                    continue
                key = " ".join(value.casefold().split())
                if key in seen:
                    reader.error((*path, "ask"), f"phrasing {value!r} is already used by the "
                                                 f"FAQ entry on line {seen[key]}")
                    continue
                seen[key] = reader.map.line((*path, "ask")) or 0
                phrasings.append(value.strip())
        answer = reader.text(item, path, "answer", required=True)
        translations: dict[str, str] = {}
        raw = item.get("translations", {})
        if not isinstance(raw, dict):
            reader.error((*path, "translations"), "expected a table of language = \"answer\", "
                                                  "e.g. translations = { zh = \"...\" }")
            raw = {}
        for lang, text in raw.items():
            if not _LANGUAGE.match(lang):
                reader.error((*path, "translations", lang), f"{lang!r} is not a language "
                                                            f"code (expected e.g. zh or zh_CN)")
            elif not isinstance(text, str) or not text.strip():
                reader.error((*path, "translations", lang), f"the {lang} answer must be "
                                                            f"non-empty text")
            else:
                translations[lang.split("_")[0].split("-")[0].lower()] = text.strip()
        lines = {key: line for key in (*FAQ_KEYS, "") if key in item or not key
                 if (line := reader.map.line((*path, key) if key else path)) is not None}
        out.append(Faq(id=faq_id, phrasings=tuple(phrasings), answer=answer,
                       translations=MappingProxyType(translations),
                       lines=MappingProxyType(lines)))
    return tuple(out)


def _announcements(reader: _Reader, data: object, dates: tuple[ImportantDate, ...]
                   ) -> tuple[Announcement, ...]:
    if not isinstance(data, list):
        reader.error(("announcements",), "write each announcement as an [[announcements]] "
                                         "table")
        return ()
    date_ids = {d.id for d in dates}
    out: list[Announcement] = []
    for path, item, ann_id in _entries(reader, data, "announcements", ANNOUNCEMENT_KEYS,
                                       "announcement"):
        at = item.get("at")
        if at is None:
            reader.error(path, "missing required key 'at' (for example \"abstract-2d\" or "
                               "\"2017-09-01 09:00 America/Los_Angeles\")")
        else:
            try:
                parse_when(at, date_ids)
            except ZoneError as exc:
                reader.error((*path, "at"), exc.problem.message)
            except ValueError as exc:
                reader.error((*path, "at"), str(exc))
        destinations = item.get("to", [])
        if isinstance(destinations, str):
            destinations = [destinations]
        checked: list[str] = []
        if not isinstance(destinations, list):
            reader.error((*path, "to"), "expected a list of destinations")
            destinations = []
        for value in destinations:
            try:
                checked.append(check_destination(value))
            except ValueError as exc:
                reader.error((*path, "to"), str(exc))
        text = reader.text(item, path, "text")
        template = reader.text(item, path, "template")
        if bool(text) == bool(template):
            reader.error(path, "an announcement needs exactly one of 'text' (the message) or "
                               "'template' (a template name under templates/)")
        lines = {key: line for key in (*ANNOUNCEMENT_KEYS, "") if key in item or not key
                 if (line := reader.map.line((*path, key) if key else path)) is not None}
        at_text = at.isoformat() if isinstance(at, datetime | date) else str(at or "").strip()
        out.append(Announcement(id=ann_id, at=at_text, to=tuple(dict.fromkeys(checked)),
                                text=text, template=template,
                                lines=MappingProxyType(lines)))
    return tuple(out)
