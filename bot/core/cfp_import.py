"""Read a call for papers (Markdown, plain text or HTML) into a draft schedule TOML.

Pure: text in, ``(toml_text, warnings)`` out; no files, no clock. Every guess the importer makes
(a misspelt month, a year left over from last time, "PST" in September, a date with no zone) is
written as a TOML comment on the line it concerns and returned as a warning naming the call's
line, so the organizer checks exactly those. What it cannot read is left out with a comment,
never invented; the text it returns always passes ``bot.core.schedule.read_schedule``.
"""

from __future__ import annotations

import calendar
import difflib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as TimeOfDay  # `time(...)` reads like a clock call; it is not
from html.parser import HTMLParser
from typing import NamedTuple

import pytz
import tomlkit

from bot.core.model import Kind
from bot.core.schedule import read_schedule
from bot.core.zones import Zone, parse_zone
from bot.errors import DuebotError, Problem, ZoneError

__all__ = ["CITY_ZONES", "Imported", "import_cfp"]

# Conference cities -> (country, IANA zone). A city not listed here keeps no venue_zone.
CITY_ZONES: dict[str, tuple[str, str]] = {
    "Shanghai": ("China", "Asia/Shanghai"), "Beijing": ("China", "Asia/Shanghai"),
    "Shenzhen": ("China", "Asia/Shanghai"), "Hong Kong": ("China", "Asia/Hong_Kong"),
    "Taipei": ("Taiwan", "Asia/Taipei"), "Singapore": ("Singapore", "Asia/Singapore"),
    "Tokyo": ("Japan", "Asia/Tokyo"), "Kyoto": ("Japan", "Asia/Tokyo"),
    "Seoul": ("South Korea", "Asia/Seoul"), "Bangkok": ("Thailand", "Asia/Bangkok"),
    "Bangalore": ("India", "Asia/Kolkata"), "Mumbai": ("India", "Asia/Kolkata"),
    "New Delhi": ("India", "Asia/Kolkata"), "Dubai": ("United Arab Emirates", "Asia/Dubai"),
    "Abu Dhabi": ("United Arab Emirates", "Asia/Dubai"), "Tel Aviv": ("Israel", "Asia/Jerusalem"),
    "Sydney": ("Australia", "Australia/Sydney"), "Melbourne": ("Australia", "Australia/Melbourne"),
    "Auckland": ("New Zealand", "Pacific/Auckland"),
    "Vancouver": ("Canada", "America/Vancouver"), "Toronto": ("Canada", "America/Toronto"),
    "Montreal": ("Canada", "America/Toronto"), "Quebec City": ("Canada", "America/Toronto"),
    "San Francisco": ("USA", "America/Los_Angeles"), "Los Angeles": ("USA", "America/Los_Angeles"),
    "San Diego": ("USA", "America/Los_Angeles"), "San Jose": ("USA", "America/Los_Angeles"),
    "Santa Clara": ("USA", "America/Los_Angeles"), "Long Beach": ("USA", "America/Los_Angeles"),
    "Seattle": ("USA", "America/Los_Angeles"), "Portland": ("USA", "America/Los_Angeles"),
    "Las Vegas": ("USA", "America/Los_Angeles"), "Phoenix": ("USA", "America/Phoenix"),
    "Denver": ("USA", "America/Denver"), "Salt Lake City": ("USA", "America/Denver"),
    "Austin": ("USA", "America/Chicago"), "Chicago": ("USA", "America/Chicago"),
    "Minneapolis": ("USA", "America/Chicago"), "New Orleans": ("USA", "America/Chicago"),
    "Boston": ("USA", "America/New_York"), "New York": ("USA", "America/New_York"),
    "Washington": ("USA", "America/New_York"), "Philadelphia": ("USA", "America/New_York"),
    "Pittsburgh": ("USA", "America/New_York"), "Baltimore": ("USA", "America/New_York"),
    "Atlanta": ("USA", "America/New_York"), "Miami": ("USA", "America/New_York"),
    "Honolulu": ("USA", "Pacific/Honolulu"), "Anchorage": ("USA", "America/Anchorage"),
    "Mexico City": ("Mexico", "America/Mexico_City"), "Sao Paulo": ("Brazil", "America/Sao_Paulo"),
    "São Paulo": ("Brazil", "America/Sao_Paulo"),
    "Buenos Aires": ("Argentina", "America/Argentina/Buenos_Aires"),
    "London": ("UK", "Europe/London"), "Edinburgh": ("UK", "Europe/London"),
    "Dublin": ("Ireland", "Europe/Dublin"), "Lisbon": ("Portugal", "Europe/Lisbon"),
    "Paris": ("France", "Europe/Paris"), "Berlin": ("Germany", "Europe/Berlin"),
    "Munich": ("Germany", "Europe/Berlin"), "Amsterdam": ("Netherlands", "Europe/Amsterdam"),
    "Barcelona": ("Spain", "Europe/Madrid"), "Madrid": ("Spain", "Europe/Madrid"),
    "Rome": ("Italy", "Europe/Rome"), "Vienna": ("Austria", "Europe/Vienna"),
    "Zurich": ("Switzerland", "Europe/Zurich"), "Prague": ("Czech Republic", "Europe/Prague"),
    "Stockholm": ("Sweden", "Europe/Stockholm"), "Copenhagen": ("Denmark", "Europe/Copenhagen"),
    "Helsinki": ("Finland", "Europe/Helsinki"), "Athens": ("Greece", "Europe/Athens"),
    "Cape Town": ("South Africa", "Africa/Johannesburg"),
}

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
_OLD_MARK = re.compile(r"\b(?:was|previously|originally|formerly|extended from|postponed from|"
                       r"moved from)\b[\s:]*$", re.IGNORECASE)
_EXTENDED = re.compile(r"\b(?:extended|extension|postponed|new deadline)\b", re.IGNORECASE)
_STRUCK = re.compile(r"~~(.+?)~~")
_LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]+)\)")
_URL = re.compile(r"https?://[^\s<>()\[\]\"'`]+[^\s<>()\[\]\"'`.,;:!?]")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_ID_CHARS = re.compile(r"[^a-z0-9]+")
_DATES_HEADING = re.compile(r"\b(?:dates?|deadlines?|timeline|schedule|calendar)\b",
                            re.IGNORECASE)
_CALL_PREFIX = re.compile(
    r"^\s*(?:(?:call\s+for\s+[a-z]+(?:\s+and\s+[a-z]+)?|cfp)\b\s*(?:[-–—:|@]\s*)?(?:for\s+(?:the\s+)?)?)",
    re.IGNORECASE)
_SYSTEMS = (("cmt3.research.microsoft.com", "CMT"), ("hotcrp", "HotCRP"),
            ("easychair.org", "EasyChair"), ("openreview.net", "OpenReview"),
            ("softconf.com", "START"), ("precisionconference", "PCS"))
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
            "eight": 8, "nine": 9, "ten": 10, "twelve": 12}


_FROM_OTHER_DATES = "the zone the call gives its other times in"


class Imported(NamedTuple):
    """The draft schedule's TOML and the doubts to check, as ``FILE:LINE: warning:`` problems."""

    toml: str
    warnings: list[Problem]


# ---------------------------------------------------------------- the call as blocks of text


@dataclass
class _Block:
    """One logical line of the call: a heading, list item, table row or paragraph."""

    kind: str  # "heading" | "item" | "row" | "para"
    text: str
    starts: list[tuple[int, int]]  # (offset in text, line in the call)
    level: int = 0

    def line_at(self, offset: int) -> int:
        line = self.starts[0][1]
        for start, number in self.starts:
            if start <= offset:
                line = number
        return line


_HEADING_MD = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_ITEM_MD = re.compile(r"^\s*(?:[*+\-•]|\d+[.)])\s+")
_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")


def _markdown_blocks(text: str) -> list[_Block]:
    blocks: list[_Block] = []
    current: _Block | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        if not line.strip():
            current = None
            continue
        setext = _SETEXT.match(line)
        if setext and current is not None and current.kind == "para" and len(current.starts) == 1:
            current.kind, current.level = "heading", 1 if setext[1][0] == "=" else 2
            current = None
            continue
        heading = _HEADING_MD.match(line)
        if heading:
            blocks.append(_Block("heading", heading[2], [(0, number)], len(heading[1])))
            current = None
            continue
        stripped = line.strip()
        if stripped.startswith("|"):
            if not re.fullmatch(r"[|:\-\s]+", stripped):
                blocks.append(_Block("row", stripped, [(0, number)]))
            current = None
            continue
        item = _ITEM_MD.match(line)
        if item:
            current = _Block("item", line[item.end():].strip(), [(0, number)])
            blocks.append(current)
            continue
        if current is not None:
            current.starts.append((len(current.text) + 1, number))
            current.text += " " + stripped
            continue
        if re.fullmatch(r"(\*\*|__)[^*_]+\1:?", stripped) or (
                stripped.endswith(":") and len(stripped) < 40 and not _find_dates(stripped)):
            blocks.append(_Block("heading", stripped.strip("*_:").strip(), [(0, number)], 3))
            continue
        current = _Block("para", stripped, [(0, number)])
        blocks.append(current)
    return blocks


_BLOCK_TAGS = {"p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "dd",
               "title", "section", "article", "blockquote", "ul", "ol", "table", "br", "pre",
               "header", "footer", "main", "dl", "tbody", "thead", "body", "html", "head"}
_STRIKE_TAGS = {"del", "s", "strike"}
_SKIP_TAGS = {"script", "style"}


class _HTMLBlocks(HTMLParser):
    """HTML to the same blocks as Markdown, struck text as ``~~...~~`` and links as ``[t](u)``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[_Block] = []
        self.parts: list[str] = []
        self.first_line: int | None = None
        self.kind = "para"
        self.level = 0
        self.skip = 0
        self.href: list[str | None] = []
        self.cells = 0

    def flush(self) -> None:
        text = re.sub(r"\s+", " ", "".join(self.parts)).strip()
        if text and text.replace("~~", "").replace("*", "").strip() and self.first_line:
            kind = self.kind
            if kind == "row":
                text = "| " + text
            self.blocks.append(_Block(kind, text, [(0, self.first_line)], self.level))
        self.parts, self.first_line = [], None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.skip += 1
        elif tag in _BLOCK_TAGS:
            self.flush()
            self.kind, self.level = "para", 0
            if tag in ("h1", "h2", "h3", "h4", "h5", "h6", "title"):
                self.kind, self.level = "heading", 1 if tag == "title" else int(tag[1])
            elif tag in ("li", "dt", "dd"):
                self.kind = "item"
            elif tag == "tr":
                self.kind, self.cells = "row", 0
        elif tag in ("td", "th"):
            if self.cells:
                self.parts.append(" | ")
            self.cells += 1
        elif tag in _STRIKE_TAGS:
            self.parts.append("~~")
        elif tag in ("b", "strong"):
            self.parts.append("**")
        elif tag == "a":
            self.href.append(dict(attrs).get("href"))
            self.parts.append("[")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK_TAGS:
            self.flush()
            self.kind, self.level = "para", 0
        elif tag in _STRIKE_TAGS:
            self.parts.append("~~")
        elif tag in ("b", "strong"):
            self.parts.append("**")
        elif tag == "a":
            href = self.href.pop() if self.href else None
            self.parts.append(f"]({href})" if href else "]")

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if data.strip() and self.first_line is None:
            self.first_line = self.getpos()[0] + data[: len(data) - len(data.lstrip())].count(
                "\n")
        self.parts.append(data)


def _looks_like_html(text: str) -> bool:
    return bool(re.search(r"<(?:html|body|p|div|h[1-6]|table|ul|li|br)\b", text, re.IGNORECASE))


def _blocks(text: str) -> list[_Block]:
    if not _looks_like_html(text):
        return _markdown_blocks(text)
    parser = _HTMLBlocks()
    parser.feed(text)
    parser.close()
    parser.flush()
    return parser.blocks


# ---------------------------------------------------------------- dates, times, zones in text


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
        tz = pytz.timezone(zone.region)
        try:
            in_daylight = bool(tz.localize(local, is_dst=None).dst())
        except (pytz.NonExistentTimeError, pytz.AmbiguousTimeError):
            in_daylight = bool(tz.localize(local, is_dst=False).dst())
        if in_daylight == zone.daylight:
            return _Placed(zone.region)
        season = "daylight" if in_daylight else "standard"
        actual = tz.localize(local, is_dst=False).tzname()
        return _Placed(zone.region, f'"{written}" on a date in {season} time: read as '
                                    f"{_REGION_WORDS[zone.region]} time, {actual}")
    return _Placed(zone.key)


# ---------------------------------------------------------------- entries: one date each


@dataclass
class _Entry:
    line: int
    title: str
    kind: Kind
    found: _Found
    source_text: str
    clock: _Clock | None = None
    zone_text: str = ""
    old: _Found | None = None
    old_clock: _Clock | None = None
    range_end: _Found | None = None
    extended: bool = False
    day: date | None = None
    end_day: date | None = None
    old_day: date | None = None
    notes: dict[str, list[str]] = field(default_factory=dict)
    dropped: str = ""

    def note(self, key: str, message: str) -> None:
        self.notes.setdefault(key, []).append(message)


def _kind(title: str) -> Kind:
    lower = title.lower()
    if re.search(r"camera|final (?:version|file|paper|manuscript|copy|upload)|"
                 r"publication[- ]ready", lower):
        return "camera-ready"
    if re.search(r"notif|acceptance|decision|accept", lower):
        return "notification"
    if re.search(r"deadline|submi|due|registration|register|abstracts?\b|papers?\b", lower):
        return "deadline"
    if re.search(r"workshop|conference|symposium|event|meeting|held|takes? place|day\b|"
                 r"session|summit|school|tutorial|colloqui|forum|congress|showcase|meetup", lower):
        return "event"
    return "other"


def _plain(text: str) -> str:
    text = _LINK.sub(r"\1", text)
    text = text.replace("**", "").replace("__", "").replace("`", "")
    text = re.sub(r"(?<!\w)[*_](?!\s)|(?<!\s)[*_](?!\w)", "", text)
    return re.sub(r"\s+", " ", text).strip()


_TRIM = re.compile(r"^(?:[\s:;,.|–—\-()]|\b(?:on|by|at|before|until|is|are|due|no later than|"
                   r"and)\b)+|(?:[\s:;,.|–—\-()]|\b(?:on|by|at|before|until|is|are|of|"
                   r"no later than|and|the)\b)+$", re.IGNORECASE)


def _clean_title(text: str) -> str:
    text = _STRUCK.sub(" ", text).replace("~~", " ")
    text = _plain(text)
    text = re.sub(r"\(\s*\)|\[\s*\]", " ", text)
    text = re.sub(r"\b(?:EXTENDED|Extended|NEW|New)\s*[:!]?(?=\s*$|\s*[:–—-])", " ", text)
    text = re.sub(r"\(\s*(?:extended|new|firm|hard)\s*\)", " ", text, flags=re.IGNORECASE)
    previous = None
    while previous != text:
        previous = text
        text = _TRIM.sub("", text).strip()
    return re.sub(r"\s+", " ", text)


def _split_clauses(block: _Block) -> list[tuple[int, str]]:
    """Sentences and ';' clauses of a paragraph or item, with their offsets."""
    if block.kind == "row":
        return [(0, block.text)]
    pieces: list[tuple[int, str]] = []
    start = 0
    for match in re.finditer(r"(?<![ap]\.m\.)(?<=[.!?;])\s+(?=[A-Z*~\[])|;\s+", block.text):
        pieces.append((start, block.text[start:match.start()]))
        start = match.end()
    pieces.append((start, block.text[start:]))
    return [(offset, piece) for offset, piece in pieces if piece.strip()]


def _entries_in(block: _Block, heading_prefix: str) -> list[_Entry]:
    out: list[_Entry] = []
    for offset, piece in _split_clauses(block):
        dates = _find_dates(piece)
        if not dates:
            continue
        struck = [(m.start(), m.end()) for m in _STRUCK.finditer(piece)]
        old: list[_Found] = []
        current: list[_Found] = []
        for found in dates:
            before = piece[: found.start]
            if any(a <= found.start < b for a, b in struck) or _OLD_MARK.search(
                    before[-40:].rstrip("( ")):
                old.append(found)
            else:
                current.append(found)
        if not current:
            continue
        main = current[0]
        range_end: _Found | None = None
        if len(current) > 1 and re.fullmatch(_DASH, piece[main.end:current[1].start]):
            range_end = current[1]
        rest_start = (range_end or main).end
        following = [f.start for f in [*current, *old] if f.start >= rest_start]
        rest_end = min(following) if following else len(piece)
        after = piece[rest_start:rest_end]
        clock_hit = _find_time(after)
        zone_hit = _find_zone(after)
        title_text = piece
        if block.kind == "row":
            cells = [c for c in piece.strip().strip("|").split("|")]
            names = [c for c in cells if c.strip() and not _find_dates(c)
                     and not _find_time(c) and not _find_zone(c.strip().strip("()"))]
            title = _clean_title(names[0]) if names else ""
            if clock_hit is None or zone_hit is None:
                # A table may give time and zone in a cell of their own.
                for cell in cells:
                    if clock_hit is None and (hit := _find_time(cell)) and not _find_dates(cell):
                        clock_hit = hit
                    if zone_hit is None and (zhit := _find_zone(cell)):
                        zone_hit = zhit
        else:
            head = piece[: min(f.start for f in [*current, *old])]
            title = _clean_title(head)
            if not title:
                tail = after
                for span in (clock_hit[1:] if clock_hit else None,
                             zone_hit[1:] if zone_hit else None):
                    if span is not None:
                        tail = tail.replace(tail[span[0]:span[1]], " ", 1)
                title = _clean_title(_STRUCK.sub(" ", tail))
            title_text = title
        if not title:
            title = _clean_title(re.sub(r"\d", "", piece)) or "Date"
        kind = _kind(title if block.kind == "row" else title_text)
        if heading_prefix:
            title = f"{heading_prefix}: {title}"
        entry = _Entry(line=block.line_at(offset + main.start), title=title, kind=kind,
                       found=main, source_text=_plain(piece), range_end=range_end,
                       old=old[0] if old else None,
                       extended=bool(old) or bool(_EXTENDED.search(piece)))
        if old:
            old_after = [f.start for f in dates if f.start > old[0].end]
            old_hit = _find_time(piece[old[0].end:min(old_after, default=len(piece))]
                                 .split("~~")[0])
            if old_hit is not None:
                entry.old_clock = old_hit[0]
        if clock_hit is not None:
            entry.clock = clock_hit[0]
        if zone_hit is not None:
            entry.zone_text = zone_hit[0]
        for extra in current[1:]:
            if extra is not range_end:
                entry.note("at", f'the call also gives "{extra.text}" here; left out')
        out.append(entry)
    return out


# ---------------------------------------------------------------- the whole call


@dataclass
class _Call:
    blocks: list[_Block]
    name: str = ""
    name_line: int = 1
    name_guessed: bool = False
    venue: str = ""
    city: str = ""
    country: str = ""
    venue_zone: str = ""
    default_clock: _Clock | None = None
    default_zone: str = ""
    entries: list[_Entry] = field(default_factory=list)


def _event_name(call: _Call) -> None:
    for block in call.blocks:
        if block.kind == "heading":
            name = _plain(_CALL_PREFIX.sub("", block.text)).strip(" -–—:|")
            if name:
                call.name, call.name_line = name, block.starts[0][1]
                return
    for block in call.blocks:
        name = _plain(block.text)[:120].strip()
        if name:
            call.name, call.name_line, call.name_guessed = name, block.starts[0][1], True
            return
    call.name, call.name_guessed = "Untitled call", True


def _place_city(call: _Call) -> None:
    text = "\n".join(b.text for b in call.blocks)
    for block in call.blocks:
        match = re.match(r"^\**(?:location|venue|where|place)\**\s*:\**\s*(.+)$", block.text,
                         re.IGNORECASE)
        if match:
            parts = [p.strip() for p in _plain(match[1]).split(",") if p.strip()]
            for i, part in enumerate(parts):
                if part in CITY_ZONES:
                    call.city = part
                    call.country = parts[i + 1] if i + 1 < len(parts) else CITY_ZONES[part][0]
                    if i > 0:
                        call.venue = ", ".join(parts[:i])
                    call.venue_zone = CITY_ZONES[part][1]
                    break
            else:
                if parts:
                    call.city = parts[-2] if len(parts) > 1 else parts[0]
                    call.country = parts[-1] if len(parts) > 1 else ""
            break
    if not call.city:
        hits = sorted((m.start(), city) for city in CITY_ZONES
                      for m in re.finditer(rf"\bin {re.escape(city)}\b", text))
        if hits:
            city = hits[0][1]
            call.city = city
            call.country = CITY_ZONES[city][0]
            call.venue_zone = CITY_ZONES[city][1]
    elif call.city in CITY_ZONES:
        call.venue_zone = CITY_ZONES[call.city][1]
    if not call.venue:
        match = re.search(r"\b(?:in conjunction with|co-?located with|collocated with|"
                          r"held with|part of)\s+(?:the\s+)?([A-Z][^,.;()\n]*?)"
                          r"(?=\s+(?:on|in|at|from|and)\b|[,.;()\n]|$)", _plain(text))
        if match:
            call.venue = match[1].strip()


def _defaults(call: _Call) -> None:
    """``All deadlines are 23:59 AoE``: a time and zone for the dates that give none."""
    for block in call.blocks:
        for _, piece in _split_clauses(block):
            if _find_dates(piece) or not re.search(
                    r"\b(?:all|every|each)\b.*\b(?:deadlines?|dates?|times?)\b|"
                    r"\b(?:deadlines?|dates?|times?)\b.*\b(?:are|is)\b.*\b(?:in|at)\b",
                    piece, re.IGNORECASE):
                continue
            zone_hit = _find_zone(piece)
            clock_hit = _find_time(piece)
            if zone_hit and not call.default_zone:
                call.default_zone = zone_hit[0]
            if clock_hit and call.default_clock is None and re.search(
                    r"deadline", piece, re.IGNORECASE):
                call.default_clock = clock_hit[0]


def _collect(call: _Call) -> None:
    sections: list[tuple[int, str]] = []  # heading stack: (level, text)
    in_dates: list[tuple[_Block, str]] = []
    everywhere: list[tuple[_Block, str]] = []
    dates_level: int | None = None
    for block in call.blocks:
        if block.kind == "heading":
            while sections and sections[-1][0] >= block.level:
                sections.pop()
            sections.append((block.level, _plain(block.text)))
            if _DATES_HEADING.search(block.text):
                dates_level = block.level
            elif dates_level is not None and block.level <= dates_level:
                dates_level = None
            continue
        prefix = ""
        if dates_level is not None:
            deeper = [text for level, text in sections if level > dates_level]
            prefix = deeper[-1] if deeper else ""
            in_dates.append((block, prefix))
        everywhere.append((block, ""))
    chosen = [e for b, p in in_dates for e in _entries_in(b, p)]
    if not chosen:
        chosen = [e for b, p in everywhere for e in _entries_in(b, p)]
    elif not any(e.kind == "event" for e in chosen):
        # The event's own date is often only in the opening prose ("held on ... in ...").
        for block, _ in everywhere:
            if not re.search(r"\b(?:held|take[s]? place|will be|co-?located|conjunction)\b",
                             block.text, re.IGNORECASE):
                continue
            found = [e for e in _entries_in(block, "") if e.kind in ("event", "other")]
            if found:
                found[0].kind, found[0].title = "event", call.name
                chosen.append(found[0])
                break
    for entry in chosen:
        if entry.kind == "event" and re.search(r"\b(?:held|take[s]? place|will be)\b",
                                               entry.title, re.IGNORECASE):
            entry.title = call.name
    call.entries = chosen


def _resolve_years(call: _Call, year: int | None) -> None:
    entries = [e for e in call.entries if not e.dropped]
    written = [e.found.year for e in entries if e.found.year is not None]
    events = [e.found.year for e in entries if e.kind == "event" and e.found.year is not None]
    common: int | None
    if events:
        common = events[0]
    elif written:
        common = Counter(written).most_common(1)[0][0]
    else:
        common = year
    for entry in entries:
        found = entry.found
        end_year = entry.range_end.year if entry.range_end else None
        given = found.year or end_year
        if given is None:
            if common is None:
                entry.dropped = (f'"{found.text}" has no year and the call gives none; '
                                 f"pass --year")
                continue
            given = common
            if year is None:
                entry.note("at", f'"{found.text}" has no year: read as {given}, the year of '
                                 f"the other dates")
        entry.day = _safe_date(given, found.month, found.day)
        if entry.day is None:
            entry.dropped = f'"{found.text}": {calendar.month_name[found.month]} {given} has ' \
                            f"no day {found.day}"
    anchors = [(i, e.day) for i, e in enumerate(entries)
               if e.day is not None and e.found.year == common]

    def in_order(index: int, day: date) -> bool:
        return all(day >= d for i, d in anchors if i < index) and all(
            day <= d for i, d in anchors if i > index)

    previous: date | None = None
    for index, entry in enumerate(entries):
        if entry.day is None or common is None:
            continue
        if entry.found.year is None and entry.range_end is None and previous is not None \
                and entry.day < previous:
            # "Nov 20, Dec 18, Jan 15": a list that runs into the next year.
            later = _safe_date(entry.day.year + 1, entry.day.month, entry.day.day)
            if later is not None and later >= previous:
                entry.notes["at"] = [n for n in entry.notes.get("at", [])
                                     if "has no year" not in n]
                entry.note("at", f'"{entry.found.text}" has no year: read as {later.year}, '
                                 f"as it comes after the date before it")
                entry.day = later
        elif entry.found.year is not None and entry.found.year != common:
            fixed = _safe_date(common, entry.day.month, entry.day.day)
            if not in_order(index, entry.day) and fixed is not None and in_order(index, fixed):
                entry.note("at", f"call says {entry.found.year}; read as {common}, the year "
                                 f"of the other dates")
                entry.day = fixed
        previous = entry.day
    for entry in entries:
        if entry.day is None:
            continue
        if entry.found.typo:
            entry.note("at", f'"{entry.found.typo}" read as '
                             f"{calendar.month_name[entry.found.month]}")
        _check_weekday(entry, entry.found, entry.day)
        if entry.range_end is not None:
            end = entry.range_end
            entry.end_day = _safe_date(end.year or entry.day.year, end.month, end.day)
        elif entry.found.end_day is not None:
            entry.end_day = _safe_date(entry.day.year, entry.found.end_month or entry.day.month,
                                       entry.found.end_day)
        if entry.end_day is not None and entry.end_day < entry.day:
            earlier = _safe_date(entry.day.year - 1, entry.day.month, entry.day.day)
            if entry.range_end is not None and entry.range_end.year and not entry.found.year \
                    and earlier is not None:
                entry.day = earlier
            else:
                entry.note("end", f'the range "{entry.found.text} ..." ends before it starts; '
                                  f"end left out")
                entry.end_day = None
        if entry.end_day is not None and entry.range_end is not None:
            _check_weekday(entry, entry.range_end, entry.end_day)
        if entry.old is not None:
            entry.old_day = _safe_date(entry.old.year or entry.day.year, entry.old.month,
                                       entry.old.day)


def _check_weekday(entry: _Entry, found: _Found, day: date) -> None:
    if not found.weekday:
        return
    named = next((i for i, w in enumerate(_WEEKDAYS) if w.startswith(found.weekday.lower()[:3])),
                 None)
    if named is not None and named != day.weekday():
        entry.note("at", f'the call says "{found.weekday}", but {day.isoformat()} is a '
                         f"{calendar.day_name[day.weekday()]}")


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


# ---------------------------------------------------------------- writing the TOML


def _slug(text: str, limit: int = 48) -> str:
    slug = _ID_CHARS.sub("-", text.lower()).strip("-")[:limit].strip("-")
    return slug


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


@dataclass
class _Logistics:
    system: str = ""
    url: str = ""
    format: str = ""
    template: str = ""
    template_url: str = ""
    page_limit: int | None = None
    page_limit_note: str = ""
    anonymized: bool | None = None
    email: str = ""
    page_doubt: str = ""
    line: int = 0


def _logistics(call: _Call) -> _Logistics:
    found = _Logistics()
    links: list[tuple[str, str]] = []
    for block in call.blocks:
        links += [(m[1], m[2]) for m in _LINK.finditer(block.text)]
        links += [("", m[0]) for m in _URL.finditer(_LINK.sub("", block.text))]
    for needle, name in _SYSTEMS:
        for _, url in links:
            if needle in url.lower():
                found.system, found.url = name, url
                break
        if found.system:
            break
    if not found.system:
        full = "\n".join(b.text for b in call.blocks)
        for _, name in _SYSTEMS:
            if re.search(rf"\b{name}\b", full):
                found.system = name
                break
    for _, url in links:
        lower = url.lower()
        if re.search(r"template|\.(?:tex|cls|sty|zip|docx?)$", lower) and not found.template_url:
            found.template_url = url
    for text, _ in links:
        if re.search(r"template|format|style|class", text, re.IGNORECASE) and not re.search(
                r"guideline|instruction|rule|call|page|this", text, re.IGNORECASE):
            found.template = text.strip()
            break
    limits: list[tuple[int, str, int]] = []
    for block in call.blocks:
        plain = _plain(block.text)
        for match in re.finditer(r"\b(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|"
                                 r"twelve)[- ](?:page|pages)\b", plain, re.IGNORECASE):
            number = match[1].lower()
            pages = int(number) if number.isdigit() else _NUMBERS[number]
            before = plain[max(0, match.start() - 40):match.start()].lower()
            starts = [0, *(m.end() for m in re.finditer(r"(?<=[.!?])\s+", plain))]
            begin = max(i for i in starts if i <= match.start())
            sentence = re.split(r"(?<=[.!?])\s+", plain[begin:])[0]
            context = plain[max(0, match.start() - 60):match.end() + 20].lower()
            if re.search(r"\bnot\b|\bno\b", context) and not re.search(
                    r"no more than|not exceed|no longer than", context):
                continue
            score = 0 if re.search(r"up to|at most|maximum|no more than|limit|not exceed|"
                                   r"no longer than", before) else 1
            limits.append((score, sentence, pages))
            if not found.line:
                found.line = block.starts[0][1]
        if not found.email:
            emails = _EMAIL.findall(block.text)
            if emails and not block.text.lstrip().startswith("["):
                found.email = emails[0]
        if not found.format and re.search(r"\bformat\b", plain, re.IGNORECASE) and \
                re.search(r"\bPDF\b|\bpdf\b|LaTeX|template|style", plain):
            sentence = next((s for s in re.split(r"(?<=[.!?])\s+", plain)
                             if re.search(r"\bformat\b", s, re.IGNORECASE)), plain)
            found.format = sentence.strip()[:300]
        if found.anonymized is None:
            if re.search(r"\b(?:not|need not|don't|do not|no need to)\b[^.]{0,30}"
                         r"\b(?:anonymi[sz]ed|anonymous|blind)\b|\bnon-?anonymi[sz]ed\b|"
                         r"\bsingle-blind\b", plain, re.IGNORECASE):
                found.anonymized = False
            elif re.search(r"\banonymi[sz]ed\b|\bdouble-?blind\b|\banonymous\b", plain,
                           re.IGNORECASE):
                found.anonymized = True
    if limits:
        limits.sort(key=lambda item: item[0])
        found.page_limit, found.page_limit_note = limits[0][2], limits[0][1][:300]
        others = sorted({p for _, _, p in limits if p != found.page_limit})
        if others:
            found.page_doubt = (f"the call also mentions {', '.join(map(str, others))} pages; "
                                f"read the limit as {found.page_limit}")
    return found


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
        if entry.zone_text:
            try:
                probe = _naive(entry.day, entry.clock) if entry.clock else datetime.combine(
                    entry.day, TimeOfDay(12))
                placed = _place(entry.zone_text, probe)
            except ZoneError:
                entry.note("zone", f'zone "{entry.zone_text}" not understood; left out')
                entry.zone_text = ""
            else:
                if entry.clock is not None:
                    explicit[placed.key] += 1
    default_zone = ""
    default_why = ""
    if explicit:
        default_zone = explicit.most_common(1)[0][0]
        default_why = _FROM_OTHER_DATES
    elif call.default_zone:
        default_zone = _place(call.default_zone, datetime(2000, 1, 1)).key
        default_why = "the call's note on times"
    elif zone is not None:
        default_zone = parse_zone(zone).region or parse_zone(zone).key
        default_why = "--zone"
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
    event_id = _slug(call.name, 64) or "event"
    out.key("id", event_id)
    out.key("name", call.name, event_notes.get("name", ()))
    out.key("zone", default_zone, event_notes.get("zone", ()))
    if call.venue_zone:
        out.key("venue_zone", call.venue_zone)
    elif call.city:
        message = f"no zone known for {call.city!r}: venue_zone left out"
        out.comment(message)
        warnings.append(_problem(source, call.name_line, message))
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
    event_zone = parse_zone(default_zone)
    for entry in call.entries:
        out.blank()
        if entry.dropped or entry.day is None:
            message = entry.dropped or f'could not read "{entry.found.text}"'
            out.comment(f"left out (line {entry.line}): {entry.source_text[:100]}: {message}")
            warnings.append(_problem(source, entry.line, f"left out: {message}"))
            continue
        lines = _date_lines(entry, default_zone, default_why, call.venue_zone, event_zone)
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
        out.lines.append("[[dates]]")
        out.key("id", date_id)
        out.key("title", entry.title)
        out.key("kind", entry.kind)
        for key, value in lines:
            out.key(key, value, entry.notes.get(key, ()))
        for key, notes in entry.notes.items():
            for note in notes:
                warnings.append(_problem(source, entry.line, note))
            if key not in {k for k, _ in lines}:
                for note in notes:
                    out.comment(note)
    if not any(not e.dropped and e.day is not None for e in call.entries):
        reasons = [e.dropped for e in call.entries if e.dropped]
        why = f" ({reasons[0]})" if reasons else ""
        raise DuebotError(f"found no date in the call that could be read{why}; nothing to "
                          f"draft", file=source)
    result = out.text()
    _, problems = read_schedule(result, source)
    if problems:  # our bug: say so loudly rather than hand over a schedule that fails
        raise DuebotError("import-cfp produced an invalid schedule (a bug in duebot): "
                          + "; ".join(p.message for p in problems), file=source)
    return Imported(result, sorted(warnings, key=lambda p: (p.line or 0)))


def _date_lines(entry: _Entry, default_zone: str, default_why: str, venue_zone: str,
                event_zone: Zone) -> list[tuple[str, str | bool]] | None:
    """The keys of one [[dates]] table; None (with ``entry.dropped`` set) if it cannot be."""
    assert entry.day is not None
    clock = entry.clock
    lines: list[tuple[str, str | bool]] = []
    if clock is not None and clock.doubt:
        entry.note("at", clock.doubt.format(day=f"{entry.day:%B} {entry.day.day}"))
    key = ""
    if entry.zone_text:
        probe = _naive(entry.day, clock) if clock else datetime.combine(entry.day, TimeOfDay(12))
        placed = _place(entry.zone_text, probe)
        key = placed.key
        if placed.doubt:
            entry.note("zone", placed.doubt)
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
            zone.localize(_naive(entry.day, clock))
        except ZoneError as exc:
            if "twice" not in exc.problem.message:
                entry.dropped = exc.problem.message
                return None
            fold = "earlier"
            entry.note("fold", "the time happens twice (the clocks go back): read as the "
                               "earlier one")
    lines.append(("at", at_text))
    if key and (entry.zone_text or key != event_zone.key):
        lines.append(("zone", key))
    elif "zone" in entry.notes:
        lines.append(("zone", zone.key))
    if fold:
        lines.append(("fold", fold))
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
