"""From blocks to dated entries: what each date is, its title, time, zone and year; the
event's name and place; the submission logistics."""

from __future__ import annotations

import calendar
import itertools
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from bot.core.cfp.blocks import _LINK, _PLAIN_HEADING, _STRUCK, _Block, _plain
from bot.core.cfp.dates import (
    _DASH,
    _WEEKDAYS,
    _Clock,
    _find_dates,
    _find_time,
    _find_zone,
    _Found,
    _safe_date,
)
from bot.core.cfp.venue import (
    CITY_COUNTRIES,
    acronym_id,
    city_named,
    countries_in,
    country_key,
    split_name_line,
    venue_place,
    venue_zone,
)
from bot.core.model import Kind
from bot.core.places import Located, city_zone, locate

_OLD_MARK = re.compile(r"\b(?:was|previously|originally|formerly|extended from|postponed from|"
                       r"moved from)\b[\s:]*$", re.IGNORECASE)


# "... -- extended to Mar 12", "postponed until", "moved to": the date after is the new one.
_NEW_MARK = re.compile(r"^[^\n]{0,40}?\b(?:extended|postponed|moved|pushed(?:\s+back)?|"
                       r"changed|delayed)\s+(?:to|until|till)\b[\s:]*$", re.IGNORECASE)


# "Extended abstract due" names a kind of paper, not a deadline that moved.
_EXTENDED = re.compile(r"\b(?:extended(?!\s+(?:abstracts?|papers?|versions?|summar(?:y|ies)|"
                       r"talks?|posters?|journal|submissions? (?:format|type))\b)|extension|"
                       r"postponed|new deadline)\b", re.IGNORECASE)


_URL = re.compile(r"https?://[^\s<>()\[\]\"'`]+[^\s<>()\[\]\"'`.,;:!?]")


_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


_DATES_HEADING = re.compile(r"\b(?:dates?|deadlines?|timeline|schedule|calendar)\b|"
                            r"重要日期|日期|时间安排|日程|截止",
                            re.IGNORECASE)


_CALL_PREFIX = re.compile(
    r"^\s*(?:(?:call\s+for\s+[a-z]+(?:\s+and\s+[a-z]+)?|cfp)\b\s*(?:[-–—:|@]\s*)?(?:for\s+(?:the\s+)?)?)",
    re.IGNORECASE)


_SYSTEMS = (("cmt3.research.microsoft.com", "CMT"), ("hotcrp", "HotCRP"),
            ("easychair.org", "EasyChair"), ("openreview.net", "OpenReview"),
            ("softconf.com", "START"), ("precisionconference", "PCS"))


_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
            "eight": 8, "nine": 9, "ten": 10, "twelve": 12}


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
    by_phrase: bool = False
    subject_after: bool = False
    """Its words follow the date ("May 8 (full paper)"): they may name only a part."""
    block_kind: str = ""
    """The kind of block it came from: "para" for prose ("FMR'24 takes place on ...")."""
    end_clock: _Clock | None = None
    """ "9:00 AM – 5:00 PM": when it ends, the same day."""
    unknown_zone: str = ""
    """An abbreviation written after the time that is no zone duebot knows ("BRST")."""
    """Written as "by <date>" / "due <date>": a deadline at the end of that day."""

    def note(self, key: str, message: str) -> None:
        self.notes.setdefault(key, []).append(message)


def _kind(title: str) -> Kind:
    lower = title.lower()
    if re.search(r"\b(?:open(?:s|ing)?|starts?|begins?)\b|开放|开始", lower):
        return "other"  # "submissions open": a start, not a deadline
    if re.search(r"camera|final posters?\b|final (?:(?:poster|paper|abstract|extended abstract) )?"
                 r"(?:version|file|paper|manuscript|copy|upload|pdf|slides)|"
                 r"publication[- ]ready|revised (?:version|paper|manuscript)s?|"
                 r"最终|终稿|定稿|修改稿", lower):
        return "camera-ready"
    if re.search(r"notif|acceptance|decision|accept|hear back|\bresults?\b|\boutcomes?\b|"
                 r"录用|接收|通知", lower):
        return "notification"
    if re.search(r"deadline|submi|due|registration|register|abstracts?\b|papers?\b|proposals?|"
                 r"(?:posters?|demos?)\b(?!\s+(?:session|presentation|day))|artifacts?\b|"
                 r"supplement|applications?\b|apply\b|requests?\b|nominations?\b|"
                 r"截稿|截止|投稿|提交|摘要|注册", lower):
        return "deadline"
    if re.search(r"workshop|conference|symposium|event|meeting|held|takes? place|day\b|"
                 r"co-?located|collocated|"
                 r"session|summit|school|tutorial|colloqui|forum|congress|showcase|meetup|"
                 r"会议|研讨会|论坛|举办|举行|召开|大会", lower):
        return "event"
    return "other"


_TRIM = re.compile(r"^(?:[\s:;,.|–—\-()]|[于在为是]|"
                   r"\b(?:on|by|at|before|until|is|are|due|no later than|"
                   r"and)\b)+|(?:[\s:;,.|–—\-()]|\b(?:on|by|at|before|until|is|are|of|"
                   r"no later than|and|the|(?:has been |is |was )?(?:extended|postponed|moved|"
                   r"pushed back|delayed) (?:to|until))\b)+$", re.IGNORECASE)


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
    for match in re.finditer(r"(?<![ap]\.m\.)(?<=[.!?;])\s+(?=[A-Z*~\[])|;\s*|。\s*",
                             block.text):
        pieces.append((start, block.text[start:match.start()]))
        start = match.end()
    pieces.append((start, block.text[start:]))
    return [(offset, piece) for offset, piece in pieces if piece.strip()]


_BY = re.compile(r"(?:\b(?:by|before|no later than|not later than|until|till|"
                 r"due(?:\s+(?:on|by|at))?)|截止|之前)\s*[:(]?\s*$", re.IGNORECASE)
# Where one date's words end and the next one's begin: ", and", "while", "|", ",".
_JOINS = re.compile(r",?\s+(?:and|while|whereas|but|then|with)\s+|,\s*|\s+[-–—|]\s+|、|\s{2,}")
_DEADLINE_LIKE = ("deadline", "camera-ready")


def _without_old(piece: str, old: list[_Found], start: int, end: int) -> str:
    """The text after a date with its old dates blanked out: "(was May 5), 23:59 AoE" keeps
    the time and zone that follow for the new date, not the old one's parenthesis."""
    chars = list(piece)
    for found in old:
        left, right = found.start, found.end
        opened = piece.rfind("(", 0, left)
        if opened != -1 and ")" not in piece[opened:left]:
            closed = piece.find(")", right)
            left, right = opened, (closed + 1 if closed != -1 else right)
        for i in range(left, min(right, len(chars))):
            chars[i] = " "
    return "".join(chars)[start:end]


def _current_dates(piece: str, dates: list[_Found] | None = None
                   ) -> tuple[list[_Found], list[_Found]]:
    """The dates a piece gives now, and the old ones (struck out, "was ...")."""
    struck = [(m.start(), m.end()) for m in _STRUCK.finditer(piece)]
    old: list[_Found] = []
    current: list[_Found] = []
    for found in _find_dates(piece) if dates is None else dates:
        before = piece[: found.start]
        if any(a <= found.start < b for a, b in struck) or _OLD_MARK.search(
                before[-40:].rstrip("( ")):
            old.append(found)
        else:
            current.append(found)
    for earlier, later in itertools.pairwise(list(current)):
        # "Fri, Mar 5 (11:59pm PT) -- extended to Mar 12": the date before it is the old one.
        if _NEW_MARK.search(piece[earlier.end:later.start]):
            current.remove(earlier)
            old.append(earlier)
    return current, sorted(old, key=lambda f: f.start)


def _segments(block: _Block, clause: str) -> list[tuple[int, str]]:
    """A clause cut so that each part holds one date (or one range) and its own words.

    "Decisions go out on June 3, and revised versions must reach us by June 24" holds two
    dates of two kinds: each becomes its own entry. The cut falls at the last join between two
    dates after which no time or zone follows (those belong to the date before).
    """
    if block.kind == "row":
        return [(0, clause)]
    current, old = _current_dates(clause)
    groups: list[tuple[int, int]] = []
    for found in current:
        if groups and re.fullmatch(_DASH, clause[groups[-1][1]:found.start]):
            groups[-1] = (groups[-1][0], found.end)
        else:
            groups.append((found.start, found.end))
    if len(groups) < 2:
        return [(0, clause)]
    spans = [(f.start, f.end) for f in [*current, *old]]
    cuts = [0]
    for (_, prev_end), (next_start, _) in itertools.pairwise(groups):
        between = clause[prev_end:next_start]
        cut = None
        for join in _JOINS.finditer(between):
            at = prev_end + join.start()
            if any(a <= at < b for a, b in spans):
                continue
            rest = between[join.end():]
            if _find_time(rest) is None and _find_zone(rest) is None and rest.count(
                    "(") <= rest.count(")") + 1:
                cut = at
        if cut is None:
            ends = [hit[2] for hit in (_find_time(between), _find_zone(between)) if hit]
            cut = prev_end + max(ends, default=0)
        cuts.append(cut)
    cuts.append(len(clause))
    return [(a, clause[a:b]) for a, b in itertools.pairwise(cuts)
            if clause[a:b].strip()]


def _share_time_and_zone(entries: list[_Entry]) -> None:
    """"Abstracts due May 1 and papers May 8, both 23:59 AoE": the time and zone hold for both."""
    for entry in entries:
        if entry.kind not in _DEADLINE_LIKE:
            continue
        others = [e for e in entries if e is not entry and e.kind in _DEADLINE_LIKE]
        if not entry.zone_text:
            entry.zone_text = next((e.zone_text for e in others if e.zone_text), "")
        if entry.clock is None:
            entry.clock = next((e.clock for e in others if e.clock is not None), None)


def _entries_in(block: _Block, heading_prefix: str) -> list[_Entry]:
    out: list[_Entry] = []
    for clause_offset, clause in _split_clauses(block):
        siblings = [_one_entry(block, heading_prefix, clause_offset + offset, piece)
                    for offset, piece in _segments(block, clause)]
        found = [e for e in siblings if e is not None]
        _share_time_and_zone(found)
        if found and not found[0].subject_after:
            # "Submission deadline: May 1 (abstract), May 8 (full paper)": the lead names both.
            lead = re.sub(r"\s*\([^()]*\)$", "", found[0].title)
            for entry in found[1:]:
                if entry.subject_after and _kind(entry.title) in ("other", found[0].kind):
                    entry.title = f"{lead} ({entry.title[0].lower()}{entry.title[1:]})"
                    entry.kind = found[0].kind
        out += found
    return out


def _one_entry(block: _Block, heading_prefix: str, offset: int, piece: str) -> _Entry | None:
    """The entry for one date (or range) and the words around it."""
    dates = _find_dates(piece)
    if not dates:
        return None
    current, old = _current_dates(piece, dates)
    if not current:
        return None
    main = current[0]
    range_end: _Found | None = None
    if len(current) > 1 and re.fullmatch(_DASH, piece[main.end:current[1].start]):
        range_end = current[1]
    rest_start = (range_end or main).end
    following = [f.start for f in current if f.start >= rest_start]
    rest_end = min(following) if following else len(piece)
    after = _without_old(piece, old, rest_start, rest_end)
    clock_hit = after_clock = _find_time(after)
    zone_hit = after_zone = _find_zone(after)
    title_text = piece
    subject_after = False
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
        head_clock, head_zone = _find_time(head), _find_zone(head)
        if head_clock is not None or head_zone is not None:
            # "23:59 AoE, May 14, 2027: supplementary material": time and zone come first.
            clock_hit = clock_hit or head_clock
            zone_hit = zone_hit or head_zone
            spans = [(h[1], h[2]) for h in (head_clock, head_zone) if h is not None]
            for start, end in sorted(spans, reverse=True):
                head = head[:start] + " " * (end - start) + head[end:]
            # "Notification: noon (12:00 CEST) on 30 October": every time and zone of it.
            while (more := _find_time(head) or _find_zone(head)) is not None:
                head = head[:more[1]] + " " * (more[2] - more[1]) + head[more[2]:]
            head = re.sub(r"\(\s*\)", " ", head)
        title = _clean_title(head)
        aside = re.match(r"\s*\(([^()]{1,40})\)", after)
        if aside and not main.weekday and re.fullmatch(
                r"\s*(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*\.?\s*", aside[1], re.IGNORECASE):
            # "January 9, 2027 (Friday)": the weekday, checked against the date.
            main.weekday, aside = aside[1].strip(), None
        if title and aside and not (_find_time(aside[1]) or _find_zone(aside[1]) or re.search(
                r"extended|new|firm|hard|was|previously", aside[1], re.IGNORECASE)):
            title += f" ({aside[1].strip()})"  # "May 1 (abstract), May 8 (full paper)"
        if not title:
            tail = after
            spans = [(h[1], h[2]) for h in (after_clock, after_zone) if h is not None]
            for start, end in spans:  # blank them in place: the offsets stay true
                tail = tail[:start] + " " * (end - start) + tail[end:]
            title = _clean_title(_STRUCK.sub(" ", tail).replace("(", " ").replace(")", " "))
            subject_after = bool(title)
        title_text = title
    if not title:
        title = _clean_title(re.sub(r"\d", "", piece)) or "Date"
    kind = _kind(title if block.kind == "row" else title_text)
    if kind == "other" and block.kind != "row":
        # "请作者于6月1日前提交论文": the words that say what it is may follow the date.
        kind = _kind(_STRUCK.sub(" ", piece))
    if title[:1].islower():
        title = title[0].upper() + title[1:]
    if heading_prefix:
        title = f"{heading_prefix}: {title}"
    entry = _Entry(subject_after=subject_after, block_kind=block.kind,
                   line=block.line_at(offset + main.start),
                   title=title, kind=kind,
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
        if clock_hit is after_clock:
            # "9:00 AM – 5:00 PM": the time it ends, on the same day.
            until = re.match(_DASH, after[clock_hit[2]:])
            end_hit = _find_time(after[clock_hit[2] + until.end():]) if until else None
            if until and end_hit is not None and end_hit[1] == 0:
                entry.end_clock = end_hit[0]
    if zone_hit is not None:
        entry.zone_text = zone_hit[0]
    elif after_clock is not None:
        # "23:59 BRST": an abbreviation after the time that names no zone we know.
        unknown = re.match(r"\s*\(?([A-Z]{2,4}T)(?![A-Za-z])", after[after_clock[2]:])
        if unknown:
            entry.unknown_zone = unknown[1]
    for extra in current[1:]:
        if extra is not range_end:
            entry.note("at", f'the call also gives "{extra.text}" here; left out')
    head_raw = piece[: min(f.start for f in [*current, *old])]
    entry.by_phrase = bool(_BY.search(_STRUCK.sub(" ", head_raw))) or bool(
        re.match(r"\s*(?:之前|以前|前)", after))
    return entry


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
    venue_doubt: str = ""
    """Why a written "CITY, REGION" gives no zone ("Portland, USA": Oregon or Maine)."""
    venue_line: int = 0
    """The call's line that names the place, when it is not the name's."""
    default_clock: _Clock | None = None
    default_zone: str = ""
    entries: list[_Entry] = field(default_factory=list)
    event_id: str = ""
    name_date: _Block | None = None
    """The name line's date ("... -- May 3-5, 2027"), the event's own when nothing else is."""
    name_year: int | None = None
    """That date's year: the year of dates printed without one, when no other gives one."""
    countries: tuple[str, ...] = ()
    name_lines: set[int] = field(default_factory=set)
    """The call's lines its title took (a plain-text title and the place and date under it):
    the date there is the event's own (``name_date``), never a deadline of the title's words."""


_CALL_SUFFIX = re.compile(r"\s*[-–—:|]?\s*(?:call for (?:papers|posters|proposals|abstracts|"
                          r"contributions|submissions|talks(?: and posters)?|demos|"
                          r"participation)|cfp|征稿通知|征稿启事|征文通知|论文征集|征稿)\s*$",
                          re.IGNORECASE)
_EVENT_WORDS = re.compile(r"workshop|conference|symposium|summit|forum|colloquium|congress|"
                          r"meeting|seminar|school|\bday\b|showcase|call for|"
                          r"征稿|征文|会议|研讨会|论坛|大会", re.IGNORECASE)


def _event_name(call: _Call) -> None:
    """The name from the first heading (or a title-like first line), without place and date."""
    chosen: _Block | None = next((b for b in call.blocks if b.kind == "heading"
                                  and _name_text(b.text) and not _PLAIN_HEADING.fullmatch(
                                      b.text.strip())), None)
    title_line = _title_line(call)
    if title_line is not None and title_line[0] is not chosen:
        chosen = title_line[1]  # a plain-text or PDF call's title line
    if chosen is None:
        for block in call.blocks:
            name = _plain(block.text)[:120].strip()
            if name:
                call.name, call.name_line, call.name_guessed = name, block.starts[0][1], True
                break
        else:
            call.name, call.name_guessed = "Untitled call", True
        call.event_id = _slug(call.name, 64)
        return
    line = split_name_line(_name_text(chosen.text))
    call.name, call.name_line = line.name, chosen.starts[0][1]
    if line.when is not None and re.search(
            r"\b(?:deadlines?|due|submissions?|extended|closes?)\b|截稿|截止",
            line.place + line.name[-30:], re.IGNORECASE):
        # "[CFP] Workshop X - deadline 10/09/2026": the subject names a deadline, not the
        # event's day; the call's own line gives it.
        line.when, line.when_text = None, ""
        call.name = line.name = re.sub(r"[\s\-–—:|,]+(?:deadlines?|due|submissions?)\s*$", "",
                                       line.name, flags=re.IGNORECASE)
    if title_line is not None and title_line[1] is chosen:
        call.name_lines = {chosen.starts[0][1]}
        rest = title_line[2]
        if not line.place:
            # The title's next line: "co-located with MobiSys 2025, Lisbon, Portugal", or
            # "Tokyo, Japan, July 12, 2027" under it in the same paragraph.
            city = city_named(rest) if rest.strip() else None
            if city is not None:
                line.place = rest[rest.find(city):]
                rest_dates = _find_dates(line.place)
                if line.when is None and rest_dates and "\n" not in rest.strip() and len(
                        rest) <= 80:
                    line.when, line.when_text = rest_dates[0], rest_dates[0].text
                    line.place = line.place[:rest_dates[0].start].rstrip(" ,-–—·|")
                    call.name_lines |= {ln for _, ln in title_line[0].starts}
    index = call.blocks.index(title_line[0] if title_line and title_line[1] is chosen
                              else chosen)
    after = call.blocks[index + 1] if index + 1 < len(call.blocks) else None
    if not line.place and line.when is None and after is not None and after.kind == "para" \
            and len(after.starts) == 1 and len(after.text) <= 80 \
            and city_named(after.text) and _find_dates(after.text) \
            and not re.match(r"^[^:]{1,40}:", after.text) \
            and not re.search(r"\b(?i:will|is|are|be|held|takes?)\b|[。]|将|召开|举行|举办",
                              after.text):
        # A title line, then "Boston, MA, USA -- September 20, 2027" under it.
        place_line = split_name_line("X " + after.text)
        line.place, line.when, line.when_text = place_line.place or after.text, \
            place_line.when, place_line.when_text
        if line.place.startswith("X "):
            line.place = ""
        call.blocks.remove(after)
    if line.place:
        _set_place(call, line.place)
    if line.when is not None:
        call.name_date = _Block("para", f"{line.name}: {line.when_text}",
                                [(0, chosen.starts[0][1])])
        call.name_year = line.when.year
    slug = _slug(line.name, 64)
    call.event_id = acronym_id(line.name) or (slug if re.search(r"[a-z]", slug) else "")


def _title_line(call: _Call) -> tuple[_Block, _Block, str] | None:
    """A plain-text call's title: the first line, before any heading, that names an event, as
    a block of its own, the block it is in, and the rest of that block after it. "CALL FOR
    PAPERS" alone on its line names none: the next line does ("The 5th International Workshop
    on ..."), in its own block or the same one. A mail's "Subject: [CFP] ..." line is a title."""
    for block in call.blocks[:3]:
        if block.kind == "heading":
            return None
        ends = [start for start, _ in block.starts[1:]] + [len(block.text)]
        for index, (start, line) in enumerate(block.starts):
            first = block.text[start:ends[index]].strip()
            bare = _SUBJECT.sub("", first)
            if len(first) > 200 or not _EVENT_WORDS.search(first) or re.match(
                    r"^[^:]{1,40}:\s*\S", bare):
                return None
            if _name_text(first):
                rest = block.text[ends[index]:]
                if index == 0 and not rest:
                    return block, block, ""
                return block, _Block("para", first, [(0, line)]), rest
            if not _CALL_PREFIX.match(bare):
                return None  # a line naming an event but not the event: not a title
    return None


# "Subject: [CFP] ...", "Re: Fwd: [ANN] ...": a mail's subject, as its call's title.
_SUBJECT = re.compile(r"^\s*(?:(?:subject|re|fwd?|aw|wg)\s*:\s*)*(?:\[[^\]\n]{1,30}\]\s*)*",
                      re.IGNORECASE)


def _name_text(text: str) -> str:
    name = _CALL_SUFFIX.sub("", _plain(_CALL_PREFIX.sub("", _SUBJECT.sub("", text))))
    return name.strip(" -–—:|")


def _words(text: str) -> str:
    """A name's lower-case words joined by "-", uncut: what ``_slug`` shortens."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _slug(text: str, limit: int = 48) -> str:
    """An id from a name: its lower-case words joined by "-", within ``limit`` characters (a
    schedule's ids run to 64), cut after the last whole word that fits, never inside one
    ("...-for-software-engineering", not "...-for-software-engin"); a first word longer than
    ``limit`` alone is cut inside it."""
    slug = _words(text)
    if len(slug) <= limit:
        return slug
    whole = slug[:limit + 1].rpartition("-")[0]  # the character after the limit may be "-"
    while (shorter := _TRAILING_WORD.sub("", whole)) and shorter != whole:
        whole = shorter  # "...-replicability-of": the "of" leads nowhere
    return (whole or slug[:limit]).strip("-")


_TRAILING_WORD = re.compile(r"-(?:a|an|the|of|on|in|for|and|or|to|with|at|by|from)$")


def slug_cut(text: str, limit: int = 48) -> str:
    """What to say beside an id ``_slug`` shortened ("" if it kept the whole name)."""
    full = _words(text)
    if len(full) <= limit:
        return ""
    why = ("ids run to 64 characters" if limit >= 64 else
           f"an id made from a title keeps to {limit}; ids run to 64")
    return (f"shortened at a word to {len(_slug(text, limit))} characters ({why}): an id of "
            f"your own, shorter, reads better in links and feeds")


def _country_after(parts: list[str], known: str) -> str:
    """"Austin, TX" -> USA (a state names its country); "Shanghai, China" -> the call's word."""
    # "Seattle, WA, on July 13": words after the place are no country ("on" is no Ontario).
    parts = [p for p in parts if not p[:1].islower()]
    given = parts[-1] if parts else ""
    if not given:
        return known
    key = country_key(given)
    if key in ("USA", "Canada") and given not in ("USA", "Canada"):
        return key
    if not key and known and not re.fullmatch(r"[A-Z][A-Za-z .'-]{1,40}|[\u4e00-\u9fff]{2,6}",
                                              given):
        return known  # not a country's name: words that followed the city
    return given


def _set_place(call: _Call, place: str) -> None:
    """City and country from "Austin, TX", "Shanghai, China", "北京"."""
    parts = [p.strip() for p in re.split(r"[,，]", _plain(place)) if p.strip()]
    if not parts:
        return
    city = city_named(parts[0]) or (city_named(place) if len(parts) == 1 else None)
    if city is not None:
        call.city = city
        call.country = _country_after(parts[1:], CITY_COUNTRIES[city])
        _set_venue_zone(call, venue_place(city, parts[1:]))
    else:
        call.city = parts[0]
        call.country = parts[-1] if len(parts) > 1 else ""


def _set_venue_zone(call: _Call, located: Located) -> None:
    """"Cambridge, MA" is Massachusetts' Cambridge; "Portland, USA" a doubt, said."""
    call.venue_zone, call.venue_doubt = located.zone or "", located.doubt


def _place_city(call: _Call) -> None:
    text = "\n".join(b.text for b in call.blocks)
    _find_city(call, text)
    call.countries = countries_in(text, call.country)


def _find_city(call: _Call, text: str) -> None:
    if not (call.city and call.venue_zone):
        _find_place(call, text)
    if not call.venue:
        match = re.search(r"\b(?i:in conjunction with|co-?located with|collocated with|"
                          r"held with|part of)\s+(?:the\s+)?([A-Z][^,.;()\n]*?)"
                          r"(?=\s+(?:on|in|at|from|and)\b|[,.;()\n]|$)", _plain(text))
        if match:
            call.venue = match[1].strip()


def _find_place(call: _Call, text: str) -> None:
    for block in call.blocks:
        match = re.match(r"^\**(?:location|venue|where|place|会议地点|举办地点|地点)\**\s*[:：]"
                         r"\**\s*(.+)$", block.text, re.IGNORECASE)
        if match:
            # "Lisbon, Portugal"; "中国·杭州", country first, parted by a middle dot.
            parts = [p.strip() for p in re.split(r"[,，·・]", _plain(match[1])) if p.strip()]
            for i, part in enumerate(parts):
                if part in CITY_COUNTRIES:
                    call.city = part
                    call.country = _country_after(parts[i + 1:], CITY_COUNTRIES[part])
                    if i > 0:
                        call.venue = ", ".join(parts[:i])
                    _set_venue_zone(call, venue_place(part, parts[i + 1:]))
                    break
            else:
                if parts:
                    call.city = parts[-2] if len(parts) > 1 else parts[0]
                    call.country = parts[-1] if len(parts) > 1 else ""
            break
    if not call.city:
        hits = sorted((m.start(), city) for city in CITY_COUNTRIES
                      for m in re.finditer(rf"\bin {re.escape(city)}\b|"
                                           rf"(?:[在于]|地点[:：]\s*)(?:中国|中國)?"
                                           rf"{re.escape(city)}", text))
        if hits:
            city = hits[0][1]
            call.city = city
            call.country = CITY_COUNTRIES[city]
            call.venue_zone = venue_zone(city)
        else:
            _held_in(call)
    elif call.city in CITY_COUNTRIES and not call.venue_doubt:
        call.venue_zone = venue_zone(call.city)


# "held in Lyon, France", "takes place in Brisbane, Australia": a place our city table lacks.
# "Co-located with ICSE 2027 in Rio de Janeiro, Brazil": the host conference's place;
# "held at MIT, Cambridge, Massachusetts": a campus, then its city and state.
_PLACE_WORD = (r"[A-Z][\w'’.-]+(?:\s+(?:(?:de|da|do|dos|das|del|la|le|am|upon|of)\s+)?"
               r"[A-Z][\w'’.-]+){0,3}")
_HELD_IN = re.compile(r"\b(?:(?i:held|take[s]? place|taking place|located|hosted)|"
                      r"(?i:co-?located|collocated|held|in conjunction)\s+with\s+"
                      r"[A-Z][\w'’&+-]*(?:\s+[\w'’&+-]+){0,4}?)(?:\s+(?P<at>in|at)\s+|"
                      r"(?<=\d{4}),\s+)"  # "Co-located with EuroSys 2027, Rotterdam, ..."
                      r"(?P<parts>" + _PLACE_WORD + r"(?:,\s*" + _PLACE_WORD + r"){0,3})")


def _held_in(call: _Call) -> None:
    """The venue from "held in CITY, COUNTRY" (or "held at CAMPUS, CITY, STATE") when the city
    table does not know the city: bot.core.places reads it (the city's zone only in that
    country or state, else the region's if it has one: "Perth, Scotland", "Lyon, France", not
    "Springfield, USA"). A place it cannot give a zone is kept with why, at its line."""
    doubted: tuple[str, str, str, int] | None = None
    for block in call.blocks:
        plain = _plain(block.text)
        for match in _HELD_IN.finditer(plain):
            # A sentence's "." ends the place: "Rio de Janeiro, Brazil. Workshop day: ...".
            parts = [p.strip() for p in re.split(r",", re.split(r"\.\s", match["parts"])[0])]
            parts = [p.rstrip(".") for p in parts if p.strip()]
            # "..., Rotterdam, The Netherlands, March 30, 2027": the date is no place.
            parts = list(itertools.takewhile(lambda p: not _month_name(p.split()[0]), parts))
            if not parts:
                continue
            line = block.starts[0][1]
            # "in CITY, COUNTRY"; "at CAMPUS, CITY, STATE": its last two parts first.
            firsts = range(len(parts) - 2, -1, -1) if match["at"] != "in" and len(parts) > 1 \
                else range(1)
            for first in firsts:
                city = parts[first]
                country = parts[first + 1] if first + 1 < len(parts) else ""
                country = re.sub(r"^(?i:the)\s+", "", country)  # "The Netherlands"
                located = locate(city, country) if country else Located(city_zone(city))
                if located.zone is not None:
                    # "Cambridge, Massachusetts": the state names its country.
                    call.city, call.venue_zone = city, located.zone
                    call.country = _country_after([country], "") if country else ""
                    return
                if located.doubt and doubted is None and first == firsts[0]:
                    doubted = (city, country, located.doubt, line)
    if doubted is not None:
        # "in Rio de Janeiro, Brazil": a country of several zones and a city no table holds;
        # the draft says so (venue_zone left out) instead of keeping silent.
        call.city, call.country, call.venue_doubt, call.venue_line = doubted


# A note on the times of every date: "All deadlines are 23:59 AoE", "Deadlines are 11:59pm PT",
# "Time zone: UTC-12", "deadlines expire at 23:59 AoE", "所有时间均为北京时间". It holds no date
# (or is the tail of a Chinese sentence that does) and names a zone.
_NOTE = re.compile(r"\b(?:deadlines?|dates?|times?|time[ -]?zones?|due|expires?|closes?)\b|"
                   r"(?:所有|全部|以上)?(?:时间|日期|截止时间)均为|以北京时间为准|时区",
                   re.IGNORECASE)


def _defaults(call: _Call) -> None:
    """``All deadlines are 23:59 AoE``: a time and zone for the dates that give none."""
    for block in call.blocks:
        if block.kind == "row" and not call.default_zone and not _find_dates(block.text) and (
                zone_hit := _find_zone(block.text)):
            # A table's header row: "| What | When (Anywhere on Earth) |", "| Deadline (PT) |".
            call.default_zone = zone_hit[0]
            continue
        for _, piece in _split_clauses(block):
            if not _NOTE.search(piece):
                continue
            if _find_dates(piece):
                # "..., 所有时间均为北京时间": the note may share a sentence with a date.
                note = re.search(r"[,;]?\s*(?:所有|全部|以上)?(?:时间|日期|截止时间)均为.*$|"
                                 r"[,;]?\s*以北京时间为准.*$", piece)
                if note is None:
                    continue
                piece = note[0]
            zone_hit = _find_zone(piece)
            clock_hit = _find_time(piece)
            if zone_hit and not call.default_zone:
                call.default_zone = zone_hit[0]
            if clock_hit and call.default_clock is None and re.search(
                    r"deadline|\ball\b", piece, re.IGNORECASE):
                # "All deadlines are 5pm ET", "Important dates (all 11:59 PM PDT)"
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
    from_dates = bool(chosen)
    undated = [e for b, p in in_dates if (e := _undated(b, p, in_dates=True)) is not None]
    if not chosen:
        chosen = [e for b, p in everywhere for e in _entries_in(b, p)
                  if e.line not in call.name_lines]
        undated = [e for b, p in everywhere if (e := _undated(b, p, in_dates=False)) is not None]
    if not any(e.kind == "event" for e in chosen) and call.name_date is not None:
        named = _entries_in(call.name_date, "")
        if named:
            named[0].kind, named[0].title = "event", call.name
            chosen.append(named[0])
    if from_dates and not any(e.kind == "event" for e in chosen):
        # The event's own date is often only in the opening prose ("held on ... in ...").
        for block, _ in everywhere:
            if not re.search(r"\b(?:held|take[s]? place|will be|co-?located|conjunction)\b|"
                             r"举行|召开|举办|会议(?:时间|日期)|会期",
                             block.text, re.IGNORECASE):
                continue
            found = [e for e in _entries_in(block, "") if e.kind in ("event", "other")]
            if found:
                found[0].kind, found[0].title = "event", call.name
                chosen.append(found[0])
                break
    for entry in chosen:
        if entry.kind == "event" and re.search(r"\b(?:held|take[s]? place|will be|"
                                               r"co-?located)\b", entry.title, re.IGNORECASE):
            entry.title = call.name
    chosen = _without_repeated_events(chosen)
    for entry in undated:  # in the call's order, among the dated ones
        at = next((i for i, e in enumerate(chosen) if e.line > entry.line), len(chosen))
        chosen.insert(at, entry)
    call.entries = chosen
    if not call.venue_zone:
        # "Conference dates: May 30 - June 2, 2028 (Montreal, Canada)": the place is on the
        # event's own line.
        for entry in chosen:
            city = city_named(entry.source_text) if entry.kind == "event" else None
            if city is not None:
                at = entry.source_text.find(city)
                _set_place(call, entry.source_text[at:].split(")")[0].split(";")[0])
                call.countries = countries_in("\n".join(b.text for b in call.blocks),
                                              call.country)
                break


# "Notification: TBD", "| Camera-ready | to be announced |": a date the call does not give yet.
_NOT_YET = re.compile(r"\**(?:TBD|TBA|TBC|to be (?:announced|determined|confirmed|decided)|"
                      r"coming soon|later|soon|待定|另行通知|待公布|另行公布)\**\.?", re.IGNORECASE)
# "Notification: mid-June", "Camera-ready: June 2026": a month without its day.
_MONTH_ONLY = re.compile(r"(?:(?:early|mid|late|end of|beginning of|the end of)[- ]+)?"
                         r"(?P<m>[A-Za-z]{3,9})\.?(?:,?\s+\d{4})?", re.IGNORECASE)


# "2025年5月上旬", "5月中旬", "6月底": a month, or a part of one, without its day.
_CJK_MONTH_ONLY = re.compile(r"(?:\d{4}\s*年\s*)?\d{1,2}\s*月\s*(?:上旬|中旬|下旬|初|中|底|末|份)?"
                             r"(?:左右|前后)?")


# What a date line's value holds when it means a date the importer could not read: a month or
# weekday, a season, a span relative to another date ("two weeks after the deadline").
_DATEISH = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?(?!\w)|"
                      r"\b(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\b|\b(?:weeks?|days?|months?|"
                      r"before|after|prior|spring|summer|autumn|fall|winter)\b|[月日周]|星期",
                      re.IGNORECASE)


def _undated(block: _Block, heading_prefix: str, *, in_dates: bool) -> _Entry | None:
    """A line that names a date of the call but gives none ("Notification: TBD"): an entry left
    out with why, so the draft says what it lacks instead of dropping it without a word."""
    if block.kind not in ("item", "row", "para") or _find_dates(block.text):
        return None
    if block.kind == "row":
        cells = [c.strip() for c in block.text.strip().strip("|").split("|") if c.strip()]
        if len(cells) < 2:
            return None
        label, value = cells[0], cells[-1]
    else:
        # At the first colon that is not a time's ("All deadlines are 11:59 PM ...").
        parts = re.split(r"\s*(?:(?<!\d)[:：]|[:：](?!\d))\s*", _plain(block.text).strip(),
                         maxsplit=1)
        if len(parts) != 2:
            return None
        label, value = parts
    label, value = _clean_title(label), _plain(value).strip()
    if not label or len(label) > 80 or _kind(label) == "other":
        return None
    month_only = _MONTH_ONLY.fullmatch(value)
    if _NOT_YET.fullmatch(value):
        why = f'no date yet ("{value}")'
    elif in_dates and ((month_only and _month_name(month_only["m"]))
                       or _CJK_MONTH_ONLY.fullmatch(value)):
        why = f'"{value}" gives no day'
    elif in_dates and block.kind != "para" and len(value) <= 80 and _DATEISH.search(
            value) and not re.search(r"https?:|@|\bwww\.", block.text):
        why = f'no date duebot can read in "{value}"'
    else:
        return None
    title = f"{heading_prefix}: {label}" if heading_prefix else label
    return _Entry(line=block.line_at(0), title=title, kind=_kind(label),
                  found=_Found(0, 0, value, 1, 1, None), source_text=_plain(block.text),
                  block_kind=block.kind,
                  dropped=f'"{title}": {why}; add it to the schedule when the call gives it')


def _month_name(word: str) -> bool:
    return word.lower().rstrip(".") in {m.lower() for m in calendar.month_name if m} | {
        m.lower() for m in calendar.month_abbr if m} | {"sept"}


def _without_repeated_events(entries: list[_Entry]) -> list[_Entry]:
    """The event's date said twice, in the opening prose ("FMR'24 takes place ... on 9 September
    2024") and in the list ("Workshop: 9 September 2024"): the list's line is kept."""
    def when(entry: _Entry) -> tuple[object, ...]:
        end = entry.range_end
        return (entry.found.year, entry.found.month, entry.found.day, entry.found.end_day,
                (end.year, end.month, end.day) if end else None)

    listed = {when(e) for e in entries if e.kind == "event" and e.block_kind != "para"}
    return [e for e in entries
            if not (e.kind == "event" and e.block_kind == "para" and when(e) in listed)]


def _numeric_order(call: _Call) -> None:
    """Settle day/month for 10/09/2017-style dates, once for the whole call, and flag each.

    Evidence in order: a numeric date elsewhere that reads only one way (25/09/2017); the order
    that keeps the call's dates in sequence; the venue's country (the USA writes month first).
    """
    entries = [e for e in call.entries if not e.dropped]
    founds = [f for e in entries for f in (e.found, e.old, e.range_end)
              if f is not None and f.numeric is not None]
    if not any(f.ambiguous for f in founds):
        return
    day_first = [f for f in founds if f.numeric and f.numeric[0] > 12]
    month_first = [f for f in founds if f.numeric and f.numeric[1] > 12]
    # "Friday, 10/09/2026": a weekday that falls on one reading only (9 October is a Friday).
    by_weekday = {o: [f for f in founds if f.ambiguous and f.year is not None
                      and _weekday_fits(f, o) and not _weekday_fits(f, _OTHER[o])]
                  for o in ("dmy", "mdy")}
    order: str
    if day_first and not month_first:
        order, why = "dmy", f'as "{day_first[0].text}" in the call reads only day first'
    elif month_first and not day_first:
        order, why = "mdy", f'as "{month_first[0].text}" in the call reads only month first'
    elif bool(by_weekday["dmy"]) != bool(by_weekday["mdy"]):
        order = "dmy" if by_weekday["dmy"] else "mdy"
        seen = by_weekday[order][0]
        why = f'as the call says "{seen.weekday}" beside "{seen.text}"'
    else:
        inversions = {o: _inversions(entries, o) for o in ("dmy", "mdy")}
        if inversions["dmy"] != inversions["mdy"]:
            order = min(inversions, key=lambda o: inversions[o])
            why = "as that keeps the call's dates in order"
        elif "USA" in call.countries[:1]:
            order, why = "mdy", "as the call is from the USA"
        else:
            order, why = "dmy", "day first, as most of the world writes it"
    for entry in entries:
        for found in (entry.found, entry.old, entry.range_end):
            if found is None or found.numeric is None:
                continue
            first, second = found.numeric
            if found.ambiguous:
                found.month, found.day = (second, first) if order == "dmy" else (first, second)
                other = (first, second) if order == "dmy" else (second, first)
                shown = date(found.year or 2000, found.month, found.day)
                entry.note("at", f'"{found.text}" read as {shown:%d %B %Y} '
                                 f'({"day/month" if order == "dmy" else "month/day"}), {why}; '
                                 f"it could also be {calendar.month_name[other[0]]} {other[1]}")


_OTHER = {"dmy": "mdy", "mdy": "dmy"}


def _weekday_fits(found: _Found, order: str) -> bool:
    """Does the weekday written beside 10/09/2026 fall on its ``order`` reading?"""
    assert found.numeric is not None and found.year is not None
    month, day = found.numeric[::-1] if order == "dmy" else found.numeric
    when = _safe_date(found.year, month, day)
    return when is not None and _weekday_is(found, when) is True


def _inversions(entries: list[_Entry], order: str) -> int:
    """How many pairs of dates come out of order when numeric dates are read in ``order``."""
    days: list[date] = []
    for entry in entries:
        found = entry.found
        if found.year is None:
            continue
        month, day = found.month, found.day
        if found.numeric is not None and found.ambiguous:
            month, day = found.numeric[::-1] if order == "dmy" else found.numeric
        when = _safe_date(found.year, month, day)
        if when is not None:
            days.append(when)
    return sum(1 for i, a in enumerate(days) for b in days[i + 1:] if b < a)


def _resolve_years(call: _Call, year: int | None) -> None:
    entries = [e for e in call.entries if not e.dropped]
    written = [e.found.year for e in entries if e.found.year is not None]
    events = [e.found.year for e in entries if e.kind == "event" and e.found.year is not None]
    common: int | None
    whose = "the year of the other dates"
    if events:
        common = events[0]
    elif written:
        common = Counter(written).most_common(1)[0][0]
    elif year is None and call.name_year is not None:
        # "WX '27 / Austin, TX -- June 20, 2027" over date lines that print no year.
        common, whose = call.name_year, "the year the call's title line gives"
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
                entry.note("at", f'"{found.text}" has no year: read as {given}, {whose}')
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
            if fixed is not None and in_order(index, fixed) and not in_order(index, entry.day):
                entry.note("at", f"call says {entry.found.year}; read as {common}, the year "
                                 f"of the other dates")
                entry.day = fixed
            elif fixed is not None and in_order(index, fixed) and _weekday_is(
                    entry.found, fixed) and _weekday_is(entry.found, entry.day) is False:
                # "Wednesday, July 31, 2018" among 2019 dates: 31 July is a Wednesday in 2019.
                printed = entry.day
                entry.note("at", f'call says "{entry.found.text.strip()}", but {printed:%B} '
                                 f"{printed.day}, {printed.year} is a {printed:%A}; it is a "
                                 f"{fixed:%A} in {common}, the year of the other dates: read as "
                                 f"{common}")
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


def _weekday_is(found: _Found, day: date) -> bool | None:
    """Does the weekday the call wrote beside a date fall on ``day``? None if it wrote none."""
    if not found.weekday:
        return None
    named = next((i for i, w in enumerate(_WEEKDAYS) if w.startswith(found.weekday.lower()[:3])),
                 None)
    return None if named is None else named == day.weekday()


def _check_weekday(entry: _Entry, found: _Found, day: date) -> None:
    if not found.weekday:
        return
    named = next((i for i, w in enumerate(_WEEKDAYS) if w.startswith(found.weekday.lower()[:3])),
                 None)
    if named is not None and named != day.weekday():
        entry.note("at", f'the call says "{found.weekday}", but {day.isoformat()} is a '
                         f"{calendar.day_name[day.weekday()]}")


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


# A clause past the limit that is about something else: where to submit, a link.
_NOT_THE_LIMIT = re.compile(r"https?://|\bwww\.|^(?:and\s+|to\s+be\s+|must\s+be\s+)?"
                            r"(?:submitted|submit|sent|uploaded|via|through|using)\b",
                            re.IGNORECASE)


def _limit_note(sentence: str) -> str:
    """The part of the page limit's sentence about the limit: "4 pages (Papers are limited to
    4 pages excluding references)", without the ", submitted via HotCRP: https://..." after."""
    kept = ""
    for piece in re.split(r"(?<=[,;])\s+|\s+(?=\()", sentence):
        if kept and _NOT_THE_LIMIT.search(piece.lstrip("(").strip()):
            break
        kept = f"{kept} {piece}" if kept else piece
    kept = kept.rstrip(" ,;")
    return kept + ")" * (kept.count("(") - kept.count(")"))


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
        found.page_limit, found.page_limit_note = limits[0][2], _limit_note(limits[0][1])[:300]
        others = sorted({p for _, _, p in limits if p != found.page_limit})
        if others:
            found.page_doubt = (f"the call also mentions {', '.join(map(str, others))} pages; "
                                f"read the limit as {found.page_limit}")
    return found
