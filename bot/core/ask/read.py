"""Understanding a question: every topic asked, in order, the zone named, the form, relative words.

Pure and small steps over the index of one schedule (``index.py``): find the zone named in the
raw text (IANA names, offsets, abbreviations), match word runs and Chinese terms against the
phrase table (typos forgiven by rapidfuzz, never guessed), cut the question into clauses, and
give each clause its form and its topics. Nothing here knows any instant: that is the reply's
business, from the schedule alone.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field, replace
from itertools import pairwise
from typing import Any, Literal, cast

from bot.core.ask import lexicon as lx
from bot.core.ask import negation
from bot.core.ask.index import Index, Meaning, _stem, faq_weight, title_terms
from bot.core.ask.text import Language, Piece, has_cjk, language, normalize, pieces
from bot.core.model import ImportantDate
from bot.core.places import ABBREVIATIONS, in_region, lookup, region_after

__all__ = ["Clause", "Match", "NamedZone", "Reading", "Topic", "has_length", "read"]

Form = Literal["when", "yesno", "howlong", "where", "how", "what"]
TopicKind = Literal["date", "field", "faq", "not_held", "next", "social"]

def _is_kind(hit: _Hit) -> bool:
    concept = lx.BY_ID.get(hit.meaning[1]) if hit.meaning[0] == "concept" else None
    return concept is not None and concept.cls == "kind"


def _split_words(text: str) -> list[str]:
    return text.split()


_FIELDS = ("pages", "format", "anonymity", "how_submit", "contact", "venue", "all_dates", "late")
_CUE_BEFORE = frozenset({"in", "for", "at", "to", "into", "from", "using", "use", "via", "as",
                         "like", "on"})
_CUE_AFTER = frozenset({"time", "timezone", "tz", "zone", "hours"})
_FILLER = frozenset({"and", "what", "about", "how", "ok", "okay", "so", "then", "for", "me",
                     "in", "the", "that", "it", "is", "at", "please", "pls", "also", "whats",
                     "what's", "again", "same", "but", "of", "that's", "thats", "there", "oh"})
_ZH_CUE_BEFORE = ("在", "按", "按照", "换成", "换算成", "用", "以", "对于", "我在", "人在",
                  "转换成", "折合")
_ZH_CUE_AFTER = ("时间", "时区", "时")
# "I'm in Shanghai", "我在上海": where the asker is (their zone), never "is the event there?".
_SELF_EN = re.compile(r"\b(?:i'?m|i am|we'?re|we are|i live|we live|i'?m based|i am based|"
                      r"i'?m located|i am located|i'?m staying|i am staying|living|based)"
                      r"\s+(?:in|at)\s+$")
_SELF_ZH = ("我在", "我人在", "我们在", "本人在")
_STATEMENT = re.compile(r"\s*(?:i|we)(?:'m|'ve|'d|'re)?\s(?![^?]*\?)")
"""A clause the asker says of themselves ("I'm not registered yet", "we haven't submitted"),
with no question mark of its own."""
_DONE = re.compile(r"\s*(?:i|we)(?:'m|'ve|'re)?\s+(?:(?:am|are|have|had|did|do)\s+)?(?:not|never|"
                   r"already|just|haven't|didn't|don't|missed|registered|submitted|got)\b")
"""A statement of what the asker did or did not do ("I'm not registered yet", "we already
submitted the abstract"): context for the question after it, not a question."""
_CANNOT = re.compile(r"\s*(?:if\s+|since\s+|as\s+)?(?:(?:i|we)(?:'ll)?\s+)?(?:probably\s+)?"
                     r"(?:can't|cannot|can not|won't|will not|couldn't|could not|might not|"
                     r"may not|am not going to|are not going to|not going to|unable to)\s+"
                     r"(?:be able to\s+)?(?:make|meet|hit|finish|manage|do)\b"
                     r"|\s*(?:(?:i|we)\s+)?(?:just\s+)?(?:missed|didn't make|did not make|"
                     r"didn't meet|did not meet)\b")
"""What the asker cannot do or did not do ("can't make the abstract deadline", "if we won't
meet it", "missed the abstract"), even with no "I" or a "can" of a yes-no form: context for
the question after it."""
_MISSED = re.compile(r"\s*(?:(?:i|we)\s+)?(?:just\s+)?(?:missed|didn't make|did not make|"
                     r"didn't meet|did not meet|didn't do|did not do)\b")
"""A statement that a date went by undone ("I missed the paper registration")."""
_NOT_THERE = re.compile(r"(?:\bnot|n't|\bnowhere near)\s+(?:(?:based|located|living|staying)\s+)?"
                        r"(?:in|at|from|near)\s+(?:the\s+)?$|\boutside(?:\s+of)?\s+(?:the\s+)?$")
"""What puts the asker away from the place named next ("I'm not in Boston", "outside
Berlin")."""
# "Dear organizers," / "Hi team,": a letter's salutation, not a question about the contact.
_SALUTATION = re.compile(r"(?:dear|hi|hello|hey|greetings)\b")
_SPLIT_EN = frozenset({"and", "also", "plus", "btw", "additionally"})
_SPLIT_ZH = ("以及", "另外", "还有", "并且", "同时", "和", "与", "跟")
_LENGTH_WORDS = frozenset({"can", "should", "may", "must", "could", "be", "is", "are",
                           "allowed"})
_COUNTDOWN_WORDS = frozenset({"until", "till", "til", "left", "before", "remain", "remaining",
                              "have", "go", "away", "we", "i", "do"})
_ABBR_NEEDS_CAPS = frozenset({"PT", "MT", "CT", "ET", "WET", "WEST", "AST", "EAT", "ART",
                              "SAST", "MSK", "WIB", "PKT", "BRT", "HKT"})
_ABBR_WORDS = frozenset({"IST", "EST", "CET", "EET"})
"""Abbreviations that are common words in other languages (German "ist", French "est" and
"cet", Dutch "eet"): in lower case a zone only where the words around say so."""
_ABBR_CUE_BEFORE = frozenset({"in", "at", "for", "to", "into", "from", "using", "use", "via",
                              "as", "like", "or", "and", "vs", "versus", "is", "it", "it's"})
_ABBR_CUE_AFTER = frozenset({"time", "timezone", "tz", "zone", "or", "and", "vs"})


def _zone_cued(text: str, start: int, end: int) -> bool:
    """Whether a lower-case abbreviation stands where a zone is named ("in ist", "ist or
    cet", "est time"), or alone, rather than in a sentence of another language."""
    before = re.findall(r"[a-z']+", text[:start].lower())
    after = re.findall(r"[a-z']+", text[end:].lower())
    if not before and not after:
        return True  # "ist?"
    return bool(before and before[-1] in _ABBR_CUE_BEFORE) or bool(
        after and after[0] in _ABBR_CUE_AFTER)


_ZH_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9, "十": 10, "十一": 11, "十二": 12}
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                 "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15,
                 "twenty": 20, "first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1,
                 "2nd": 2, "3rd": 3, "4th": 4}


@dataclass(frozen=True)
class Match:
    """One span of the question and what it was read as (for ``--explain``)."""

    text: str
    start: int
    end: int
    meaning: str
    score: float = 1.0


@dataclass(frozen=True)
class NamedZone:
    """A zone the question names: one zone, or several for an ambiguous abbreviation."""

    text: str
    zones: tuple[str, ...]
    """Zone keys ``parse_zone`` reads (IANA names, ``AoE``, ``UTC+05:30``); empty for "my time"."""
    kind: str
    meanings: tuple[str, ...] = ()

    @property
    def ambiguous(self) -> bool:
        return len(self.zones) > 1


@dataclass(frozen=True)
class Topic:
    kind: TopicKind
    ids: tuple[str, ...]
    """Date ids, a field name, an FAQ id, or what the schedule does not hold."""
    label: str = ""
    score: float = 1.0
    start: int = 0
    span: str = ""
    weak: bool = False
    """Dates chosen by generic words alone ("when does it start?"): a pronoun's subject said
    in an earlier clause wins over them."""


@dataclass(frozen=True)
class Clause:
    text: str
    form: Form
    topics: tuple[Topic, ...]
    relative: tuple[str, ...] = ()
    weekday: int | None = None
    pages: int | None = None
    length: bool = False
    """ "how long can it be": the length of a text, not the time left."""
    single_blind: bool = False
    venue_check: str = ""
    """A place the question asks the event to be in ("is it in Shanghai?")."""
    exists: bool = False
    """ "is there an industry track?": a yes when the schedule holds the date asked."""
    hour: bool = False
    """ "what time does the workshop start?": the hour asked, which an all-day date lacks."""
    asks_zone: bool = False
    """ "what time zone is the deadline in?": the zone the schedule gives it in."""
    clock: tuple[int, int] | None = None
    """ "is the deadline at 11:59pm?": the wall-clock time asked (hour, minute)."""
    day: tuple[int, int] | None = None
    """ "is the deadline on September 10?", "是9月10日吗": the (month, day) asked."""
    future_ext: bool = False
    """ "can the deadline be extended?": a future extension, which no schedule can promise."""
    unknown: tuple[str, ...] = ()
    """Words of the clause nothing read (typos and the event's own names left out)."""
    compare: str = ""
    """Two dates compared: ``before`` / ``after`` ("is X before Y?"), ``first`` / ``last``
    ("which comes first, X or Y?"), ``between`` ("how long between X and Y?")."""
    ordinal: int = 0
    """ "the 2nd deadline": 2; "the last date": -1; the place in the schedule's dated order."""
    ordinal_of: str = ""
    """What the ordinal counts: ``deadline``, ``notification``, ``event`` or ``date``."""
    daypart: str = ""
    """ "is the workshop in the morning?": ``morning``, ``afternoon``, ``evening`` or ``night``."""
    month: int | None = None
    """ "is the school in July?", "是7月吗": a month asked with no day."""
    span_asked: tuple[int, str] | None = None
    """ "is the workshop two days?": (2, "day"); "how many days is it?": (0, "day"): the
    length asked of a date, in days, weeks or hours."""
    clocks: bool = False
    """ "is the excursion on the day the clocks change?": whether the clocks change then."""
    ahead: tuple[int, int] | None = None
    """ "is the workshop two days away?", "in 2 days?", "within a week?": the days from today
    the date's day must be (first, last): a countdown asked, not a length."""
    excluded: tuple[str, ...] = ()
    """Dates the question sets aside ("registration, not paper registration", "anything
    other than the poster deadline?"): never the answer, whatever else the words name."""
    missed: tuple[str, ...] = ()
    """Registrations the asker said before the question they missed ("I missed the paper
    registration. can I still submit the paper?"): what the answer says the schedule's
    policy on is, or that it does not say."""


@dataclass(frozen=True)
class Reading:
    """How a question was read: what ``--explain`` prints and what the reply is planned from."""

    question: str
    normalized: str
    language: Language
    matches: tuple[Match, ...]
    zone: NamedZone | None
    clauses: tuple[Clause, ...]
    unknown: tuple[str, ...] = ()
    followup: bool = False
    also: tuple[NamedZone, ...] = ()
    """Further zones named ("in AoE and Beijing time", "PST or UTC?"): each answered too."""

    @property
    def topics(self) -> tuple[Topic, ...]:
        return tuple(t for c in self.clauses for t in c.topics)

    @property
    def understood(self) -> bool:
        return bool(self.topics)

    def as_dict(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "normalized": self.normalized,
            "zone": None if self.zone is None else {
                "text": self.zone.text, "zones": list(self.zone.zones), "kind": self.zone.kind,
                "meanings": list(self.zone.meanings)},
            "followup": self.followup,
            "also_zones": [{"text": z.text, "zones": list(z.zones), "kind": z.kind}
                           for z in self.also],
            "unknown_words": list(self.unknown),
            "matches": [{"text": m.text, "span": [m.start, m.end], "meaning": m.meaning,
                         "score": round(m.score, 2)} for m in self.matches],
            "clauses": [{
                "text": c.text, "form": c.form, "relative": list(c.relative),
                "weekday": c.weekday, "pages": c.pages, "length": c.length,
                "exists": c.exists, "hour": c.hour, "asks_zone": c.asks_zone,
                "clock": list(c.clock) if c.clock else None,
                "day": list(c.day) if c.day else None, "future_extension": c.future_ext,
                "compare": c.compare, "ordinal": c.ordinal, "ordinal_of": c.ordinal_of,
                "daypart": c.daypart, "month": c.month, "excluded": list(c.excluded),
                "span_asked": list(c.span_asked) if c.span_asked else None,
                "clocks_change": c.clocks, "ahead": list(c.ahead) if c.ahead else None,
                "unread": list(c.unknown),
                "topics": [{"kind": t.kind, "ids": list(t.ids), "label": t.label,
                            "score": round(t.score, 2), "span": t.span} for t in c.topics],
            } for c in self.clauses],
        }


# --- zones named in the raw text ------------------------------------------------------------

# ASCII-letter boundaries, not \b: in "是AoE吗" a Chinese character is a word character too.
_IANA = re.compile(r"(?<![A-Za-z])[A-Za-z]+(?:/[A-Za-z_\-]+){1,2}(?![A-Za-z])")
_OFFSET = re.compile(r"(?<![a-z])(?:utc|gmt)\s*(?P<sign>[+\-−])\s*(?P<h>\d{1,2})"
                     r"(?::?(?P<m>\d{2}))?(?!\d)"
                     r"|(?<![\w:.])(?P<sign2>[+\-])(?P<h2>\d{2}):(?P<m2>\d{2})\b", re.IGNORECASE)
_UTC = re.compile(r"(?<![a-z])(?:utc|gmt|zulu)(?![a-z])(?!\s*[+\-−]\s*\d)", re.IGNORECASE)
_AOE = re.compile(r"(?<![a-z])aoe(?![a-z])|anywhere[\s\-_]on[\s\-_]earth|任何地方|地球任何",
                  re.IGNORECASE)
_ZH_OFFSET = re.compile(r"(?P<side>东|西)(?P<n>十[一二]?|[一二三四五六七八九]|\d{1,2})区")
_ABBR = re.compile(r"(?<![A-Za-z])[A-Za-z]{2,5}(?![A-Za-z])")
_US_TIME = re.compile(r"(?<![\w.])U\.?S\.?(?:A\.?)?(?=\s*(?:time|time\s*zones?|timezones?)\b)")
""""US time", "U.S. time": the country, in capitals (the pronoun "us" never is one)."""
_LA_TIME = re.compile(r"(?<![\w.])(?:LA|DC)(?=\s*time\b)|(?<=\bin )(?:LA|DC)(?![\w.])")
""""LA time", "in LA": Los Angeles in capitals ("la" is also an article); DC likewise."""


def _offset_key(sign: str, hours: int, minutes: int) -> str | None:
    if hours > 14 or minutes >= 60:
        return None
    return f"UTC{'-' if sign in '-−' else '+'}{hours:02d}:{minutes:02d}"


def _zones_in_text(original: str, norm: str, china_first: bool
                   ) -> list[tuple[int, int, NamedZone, int]]:
    """Zones named by their form alone: (start, end, zone, priority)."""
    found: list[tuple[int, int, NamedZone, int]] = []
    for m in _AOE.finditer(norm):
        found.append((m.start(), m.end(), NamedZone(m.group(0), ("AoE",), "aoe",
                                                    ("Anywhere on Earth",)), 3))
    for m in _OFFSET.finditer(norm):
        sign = m["sign"] or m["sign2"]
        key = _offset_key(sign, int(m["h"] or m["h2"]), int(m["m"] or m["m2"] or 0))
        if key:
            found.append((m.start(), m.end(), NamedZone(m.group(0), (key,), "offset"), 3))
    for m in _UTC.finditer(norm):
        found.append((m.start(), m.end(), NamedZone(m.group(0), ("UTC",), "utc"), 3))
    for m in _ZH_OFFSET.finditer(norm):
        n = m["n"]
        hours = int(n) if n.isdigit() else _ZH_DIGITS.get(n, 0)
        key = _offset_key("+" if m["side"] == "东" else "-", hours, 0)
        if key and hours:
            found.append((m.start(), m.end(), NamedZone(m.group(0), (key,), "offset"), 3))
    for m in _IANA.finditer(original):
        place = lookup(m.group(0))
        if place is not None and place.kind == "iana":
            found.append((m.start(), m.end(), NamedZone(m.group(0), place.zones, "iana"), 3))
    for m in _LA_TIME.finditer(original):
        key = "America/Los_Angeles" if m.group(0) == "LA" else "America/New_York"
        found.append((m.start(), m.end(), NamedZone(m.group(0), (key,), "city"), 2))
    for m in _US_TIME.finditer(original):
        place = lookup("united states")
        if place is not None:
            found.append((m.start(), m.end(), NamedZone(m.group(0), place.zones, "country"), 2))
    for m in _ABBR.finditer(original):
        word = m.group(0)
        upper = word.upper()
        if upper in ("UTC", "GMT", "AOE") or upper not in lx_abbreviations():
            continue
        if word != upper and (upper in _ABBR_NEEDS_CAPS or len(word) < 3):
            continue  # "et", "pt", "west": ordinary words unless written in capitals
        if word != upper and upper in _ABBR_WORDS and not _zone_cued(original, m.start(),
                                                                      m.end()):
            continue  # "Wann ist die Deadline?", "quelle est la date": a verb, not a zone
        place = lookup(upper)
        if place is None:
            continue
        zones, meanings = list(place.zones), list(place.meanings)
        if china_first and "Asia/Shanghai" in zones:
            i = zones.index("Asia/Shanghai")  # "CST" asked in Chinese, or of a China event
            zones.insert(0, zones.pop(i))
            meanings.insert(0, meanings.pop(i))
        found.append((m.start(), m.end(), NamedZone(word, tuple(zones), "abbreviation",
                                                    tuple(meanings)), 2))
    return found


def lx_abbreviations() -> frozenset[str]:
    return ABBREVIATIONS


# --- the phrase table over the question -----------------------------------------------------

@dataclass
class _Hit:
    meaning: Meaning
    start: int
    end: int
    text: str
    score: float = 1.0
    word_index: int = -1
    """Position among the English words (cue checks look at neighbours)."""


@dataclass
class _Scan:
    hits: list[_Hit] = field(default_factory=list)
    unknown: list[tuple[str, int]] = field(default_factory=list)
    leftover_zh: list[tuple[str, int]] = field(default_factory=list)
    splits: list[int] = field(default_factory=list)
    words: list[Piece] = field(default_factory=list)


def _scan(norm: str, index: Index, taken: list[tuple[int, int]]) -> _Scan:
    scan = _Scan()

    def free(piece: Piece) -> bool:
        return not any(s <= piece.start < e for s, e in taken)

    runs: list[list[Piece]] = [[]]
    # A full stop before the next sentence ("I got accepted. When do I confirm?") ends a
    # clause, as "?" does; "11.59pm" and "e.g" have none after a space.
    stops = [m.start() for m in re.finditer(r"\.(?=\s+[a-z\u3400-\u9fff])", norm)]
    # "abstract + full paper deadlines", "tutorial & workshop": each its own topic.
    stops = sorted(stops + [m.start() for m in re.finditer(r"(?<=\s)[+&](?=\s)", norm)])
    last = 0
    for piece in pieces(norm):
        stop = next((p for p in stops if last <= p < piece.start), None)
        if stop is not None:
            scan.splits.append(stop)
            runs.append([])
        last = piece.end
        if piece.separator:
            scan.splits.append(piece.start)
            runs.append([])
        elif piece.cjk:
            runs.append([piece])
            runs.append([])
        elif free(piece):
            runs[-1].append(piece)
        else:
            runs.append([])
    for run in runs:
        if run and run[0].cjk:
            _scan_zh(run[0], index, scan, taken)
        elif run:
            _scan_en(run, index, scan)
    scan.hits.sort(key=lambda h: h.start)
    if scan.leftover_zh:
        polite = {p for m in _ZH_POLITE.finditer(norm) for p in range(*m.span())}
        scan.leftover_zh = [(c, p) for c, p in scan.leftover_zh if p not in polite]
    return scan


_PRONOUN_ONE = frozenset({"next", "following", "another", "other", "which", "that", "this",
                          "same", "later", "earlier", "new", "last", "first"})
_ZH_POLITE = re.compile("烦请|敬请|恳请|麻烦|劳驾|请告知|告知|告诉|想问|想知道|知道|请教|"
                        "发布|公布|具体|大概|一下|夏令时|冬令时|夏时制|冬时制|正式|分别|各自")
"""Words a formal or polite question wraps its subject in ("烦请告知录用通知的发布日期"), and
the clocks asked of (``_ASKS_ZONE``: "是夏令时吗"): no subject of their own, never "the
schedule does not say anything about 告知"."""


def _scan_en(run: Sequence[Piece], index: Index, scan: _Scan) -> None:
    # "round two" names "Round 2": number words read as the digits titles use.
    # "the next one", "which one" is a pronoun, not "Round 1".
    words = [str(_NUMBER_WORDS[p.text]) if p.text in _NUMBER_WORDS and (str(
        _NUMBER_WORDS[p.text]),) in index.en and not (
        p.text == "one" and j > 0 and run[j - 1].text in _PRONOUN_ONE) else p.text
        for j, p in enumerate(run)]
    i = 0
    base = len(scan.words)
    scan.words.extend(run)
    while i < len(words):
        for n in range(min(4, len(words) - i), 0, -1):
            meanings = index.en.get(tuple(words[i:i + n]))
            if n == 1 and words[i] in lx.TITLE_QUALIFIERS and not _qualifies(words, i):
                meanings = None  # "as long as", "long enough": the stopword it is
            if meanings:
                text = norm_text(run, i, n)
                for meaning in meanings:
                    scan.hits.append(_Hit(meaning, run[i].start, run[i + n - 1].end, text,
                                          1.0, base + i))
                i += n
                break
        else:
            word = words[i]
            short = _initial_number(word, index)
            if short:
                # "C2" of "Cycle 2", "R1" of "Round 1": the title's word and its number.
                for part in short:
                    for meaning in index.en.get((part,), ()):
                        scan.hits.append(_Hit(meaning, run[i].start, run[i].end, word, 1.0,
                                              base + i))
            elif word in _SPLIT_EN and words[i + 1:i + 3] != ["a", "half"]:
                # ("a week and a half" is one length, not two questions)
                scan.splits.append(run[i].start)
            elif word not in lx.STOPWORDS and not word.isdigit() and len(word) > 1:
                stem = _stem(word)  # "hackathons" is the title's "Hackathon": no typo
                fixed = stem if (stem,) in index.en else index.correct(word)
                if fixed in _NUMBER_WORDS and (str(_NUMBER_WORDS[fixed]),) in index.en:
                    fixed = str(_NUMBER_WORDS[fixed])  # "secnd round" -> "2"
                meanings = index.en.get((fixed,)) if fixed != word else None
                if meanings and len(word) <= 4 and fixed != stem:
                    # "span" is no typo of "Spain": a short word names no place by a typo.
                    meanings = tuple(m for m in meanings if m[0] not in ("place", "venuename"))
                if meanings:
                    for meaning in meanings:
                        scan.hits.append(_Hit(meaning, run[i].start, run[i].end, word,
                                              1.0 if fixed == stem else 0.8, base + i))
                elif fixed == word or fixed not in lx.STOPWORDS:
                    scan.unknown.append((word, run[i].start))
            i += 1


def _know_of_other(scan: _Scan, end: int) -> None:
    """ "when will we know?" asks for the decision; "do we know if the paper deadline will be
    extended?", "when will we know the venue?" ask of the kind or field named after the
    "know": that "know" is no notification (it named the notification date instead)."""
    for hit in [h for h in scan.hits if h.meaning == ("concept", "notify")
                and "know" in h.text.split()]:
        stop = min((s for s in scan.splits if s >= hit.end), default=end)
        if any(hit.end <= h.start < stop and h.meaning[0] == "concept"
               and h.meaning[1] != "notify" and by_kind(h.meaning[1]) in ("kind", "field")
               for h in scan.hits):
            scan.hits.remove(hit)


_NOT_QUALIFYING_BEFORE = frozenset({"how", "as", "so", "too", "for", "very", "that", "this",
                                    "day", "days", "week", "weeks", "hour", "hours", "minutes"})
_NOT_QUALIFYING_AFTER = frozenset({"as", "enough", "time", "is", "are", "was", "were", "will",
                                   "does", "do", "did", "ago", "before", "after", "until", "till",
                                   "to", "it", "can", "should", "would", "could", "has", "have"})


def _qualifies(words: Sequence[str], i: int) -> bool:
    """Whether a ``lx.TITLE_QUALIFIERS`` word of a question says which date, as a title's
    word ("the long paper deadline", "the long and short papers"), not how long something
    is ("how long", "3 days long", "as long as", "long enough")."""
    before = words[i - 1] if i else ""
    after = words[i + 1] if i + 1 < len(words) else ""
    return bool(after) and before not in _NOT_QUALIFYING_BEFORE \
        and after not in _NOT_QUALIFYING_AFTER


def _initial_number(word: str, index: Index) -> tuple[str, str] | None:
    """ "c2" read as the title words "cycle 2" where exactly one word of the schedule's
    titles starts with that letter and is followed by a number; None otherwise."""
    m = re.fullmatch(r"([a-z])(\d{1,2})", word)
    if m is None:
        return None
    key = ("initials",)
    table = index.memo.get(key)
    if table is None:
        found: dict[str, set[str]] = {}
        for title in index.titles.values():
            for w, _ in re.findall(r"\b([a-z]{3,}) (\d{1,2})\b", title):
                found.setdefault(w[0], set()).add(w)
        table = {k: next(iter(v)) for k, v in found.items() if len(v) == 1}
        index.memo[key] = table
    full = cast("dict[str, str]", table).get(m[1])
    if full is None or (full,) not in index.en or (m[2],) not in index.en:
        return None
    return full, m[2]


def norm_text(run: Sequence[Piece], i: int, n: int) -> str:
    return " ".join(p.text for p in run[i:i + n])


def _scan_zh(piece: Piece, index: Index, scan: _Scan, taken: list[tuple[int, int]]) -> None:
    text = piece.text
    i = 0
    while i < len(text):
        pos = piece.start + i
        if any(s <= pos < e for s, e in taken):
            i += 1
            continue
        for n in range(min(8, len(text) - i), 0, -1):
            meanings = index.zh.get(text[i:i + n])
            if meanings and _dangles(text, i, n, index):
                # "离开学": 离 (from) and 开学, not 离开 (depart) and a dangling 学.
                scan.leftover_zh.append((text[i], pos))
                i += 1
                break
            if meanings:
                for meaning in meanings:
                    scan.hits.append(_Hit(meaning, pos, pos + n, text[i:i + n]))
                i += n
                break
        else:
            two = text[i:i + 2]
            if two in _SPLIT_ZH or text[i] in _SPLIT_ZH:
                scan.splits.append(pos)
            else:
                scan.leftover_zh.append((text[i], pos))
            i += 1


_ZH_LEADING = frozenset("离距从到在给跟对")
"""Characters that begin a phrase before a word ("离开学还有几天" is 离 + 开学): left alone
when the word they start would leave the next character dangling."""


def _known(text: str, index: Index) -> bool:
    return bool(index.zh.get(text))


def _longest(text: str, i: int, index: Index) -> int:
    return next((n for n in range(min(8, len(text) - i), 0, -1) if _known(text[i:i + n], index)),
                0)


def _dangles(text: str, i: int, n: int, index: Index) -> bool:
    """Whether the word ``text[i:i+n]`` should give way to one starting a character later:
    its first character is one that starts phrases, nothing known starts where it ends (a
    character would dangle), and the word a character later takes that character in."""
    end = i + n
    if text[i] not in _ZH_LEADING or n < 2 or end >= len(text) or \
            _longest(text, end, index) or text[end] in _SPLIT_ZH:
        return False
    return i + 1 + _longest(text, i + 1, index) > end


# --- clauses, forms, topics -----------------------------------------------------------------

def _place_cued(hit: _Hit, scan: _Scan, norm: str) -> bool:
    if hit.word_index >= 0:
        before = scan.words[hit.word_index - 1].text if hit.word_index > 0 else ""
        after_i = hit.word_index + len(hit.text.split())
        after = scan.words[after_i].text if after_i < len(scan.words) else ""
        return before in _CUE_BEFORE or after in _CUE_AFTER
    prefix = norm[max(0, hit.start - 3):hit.start]
    return norm[hit.end:].startswith(_ZH_CUE_AFTER) or prefix.endswith(_ZH_CUE_BEFORE)


# "in Berlin and Tokyo time": the "time" said once after both names both as zones.
_PAIRED_TIME = re.compile(
    r"\s*(?:,\s*)?(?:and|or|&|/)\s*(?:in\s+)?(?!(?:what|when|which|how|is|are|does|do|the|it|"
    r"at|by|local|my|your)\b)[a-z]+(?:\s+[a-z]+)?\s+time\b|\s*(?:和|或|或者|还是|与)\s*"
    r"[\u4e00-\u9fff]{2,4}?时间")


def _either(said: str, value: str, venue_names: frozenset[str]) -> str:
    """ "Is it in Tokyo or Osaka?": the place asked that is the event's wins."""
    return said if said in venue_names else value


def _word_before(hit: _Hit, scan: _Scan) -> str:
    return scan.words[hit.word_index - 1].text if hit.word_index > 0 else ""


def _self_located(norm: str, start: int) -> bool:
    before = norm[:start]
    return bool(_SELF_EN.search(before)) or before.rstrip().endswith(_SELF_ZH)


def _page_count(norm: str) -> int | None:
    m = re.search(r"(\d{1,3})\s*-?\s*(?:pages?|pp\b|page\b|页)", norm)
    if m:
        return int(m.group(1))
    m = re.search(r"\b(" + "|".join(_NUMBER_WORDS) + r")[\s\-]+pages?\b", norm)
    if m:
        return _NUMBER_WORDS[m.group(1)]
    m = re.search(r"(十[一二]?|[一二两三四五六七八九])页", norm)
    if m:
        return _ZH_DIGITS[m.group(1)]
    return None


def _form_of(hits: Sequence[_Hit], text: str, lang: Language) -> Form | None:
    strong: Form | None = None
    weak = False
    for hit in hits:
        kind, value = hit.meaning
        if kind != "form":
            continue
        if value == "when" and hit.text in ("date", "time", "日期", "时间"):
            weak = True
            continue
        if value == "yesno":
            continue
        if value == "how" and strong is None:
            strong = "how"
            continue
        if strong is None or strong == "how":
            strong = value  # type: ignore[assignment]
    first = re.findall(r"[a-z']+", text)
    while first and first[0] in ("and", "so", "ok", "okay", "but", "then", "also", "hmm",
                                 "um", "wait", "sorry", "just", "quick", "question"):
        first = first[1:]
    yes_no = bool(first) and first[0] in lx.YES_NO_START
    yes_no = yes_no or any(h.meaning == ("form", "yesno") for h in hits)
    yes_no = yes_no or bool(re.search(r"\b(right|correct|yes or no|isn't it|is it)\s*$",
                                      text.strip(" ?？!")))
    # "截止了吗？": a 吗 that a longer term took in ("截止了吗" is "has it passed") still asks.
    yes_no = yes_no or (lang == "zh" and text.strip(" ?？!！。").endswith(("吗", "嘛")))
    # "全文截止了没" (no question mark, as chats write it): "has it ... or not?" asks too.
    yes_no = yes_no or (lang == "zh" and text.strip(" ?？!！。~").endswith(("了没", "了没有")))
    # Cantonese: "截咗未？" (了未, has it ... yet?), "嚟唔嚟得切？" (A-not-A with 唔).
    yes_no = yes_no or (lang == "zh" and (text.strip(" ?？!！。~").endswith("了未")
                                          or bool(re.search(r"(.)唔\1", text))))
    if strong is not None and strong != "how":
        return strong
    if yes_no and not (strong == "how" and first and first[0] == "how"):
        return "yesno"
    if strong is not None:
        return strong
    if weak:
        return "when"
    return None


def _is_length(words: Sequence[str]) -> bool:
    """ "how long can the abstract be" asks for a length; "how long until" for time left."""
    for i, word in enumerate(words):
        if word == "how" and i + 1 < len(words) and words[i + 1] == "long":
            after = set(words[i + 2:i + 6])
            return bool(after & _LENGTH_WORDS) and not (after & _COUNTDOWN_WORDS)
    return False


_SPAN_EN = frozenset({"is", "are", "was", "will", "does", "do", "last", "lasts", "run", "runs",
                      "take", "takes", "be", "go", "goes"})
_ZH_SPAN = re.compile(r"几天|多少天|多久|多长时间|几个小时|多少小时|为期|持续|开几天")
_ZH_COUNTDOWN = re.compile(r"还|剩|距|离|到|后|开始|截止|才")


def _asks_span(words: Sequence[str], text: str, lang: Language) -> bool:
    """ "how many days is the workshop", "会议有几天": how long a date lasts, if it has a
    length; unlike ``_is_length`` never the page limit, and never "how many days until"."""
    if lang == "zh" and _ZH_SPAN.search(text) and not _ZH_COUNTDOWN.search(text):
        return True
    if len(words) >= 2 and words[-2:] == ["how", "long"] and len(words) > 2:
        return True  # "rebuttal how long?": the span of what was named before
    for i, word in enumerate(words[:-2]):
        if word == "how" and words[i + 1] in ("long", "many"):
            after = set(words[i + 2:i + 7])
            return bool(after & _SPAN_EN) and not (after & (_COUNTDOWN_WORDS - {"do"}))
    return False


_CLOCKS_CHANGE = re.compile(
    r"\b(?:clocks?|time)\s+(?:change|changes|changing|changed|switch|switches|go(?:es)?\s+"
    r"(?:forward|back))|\bspring forward|\bfall back|\b(?:dst|daylight saving(?: time)?)\s+"
    r"(?:change|switch|transition|starts?|ends?)|\bswitch (?:to|from) (?:summer|winter) time")
"""The change of the clocks asked about ("on the day the clocks change?", "the DST switch")."""
_SPAN_UNITS = {"day": "day", "days": "day", "week": "week", "weeks": "week", "hour": "hour",
               "hours": "hour"}
_SPAN_ASKED = re.compile(
    r"(?<!\bin )(?<!\bwithin )(?<!\bfor the next )(?<!\bnext )(?<!\blast )"
    r"\b(?P<n>\d{1,2}|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
    r"(?P<half>\.5|\s+and\s+a\s+half)?[\s-]+(?P<u>days?|weeks?|hours?)\b(?:[\s-]+long)?"
    r"(?!\s+(?:away|from|left|later|earlier|before|after|until|till|to go|ahead|ago|of|"
    r"notice|in advance|before|early|late|extension|more|until)\b)"
    r"|\bhow many (?P<u0>days|weeks|hours)\b(?!\s+(?:until|till|left|to go|before|after|"
    r"from|since|between|away|remain|are left|do i have|do we have)\b)")


_N = r"\d{1,3}|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
_AHEAD = re.compile(
    rf"\b(?P<within>within(?:\s+the\s+next)?|(?:in|over|during)\s+the\s+(?:next|coming)|in)"
    rf"\s+(?P<n>{_N})(?P<hn>\.5|\s+and\s+a\s+half)?\s+(?P<u>days?|weeks?|months?)\b"
    rf"(?P<h>\s+and\s+a\s+half\b)?(?!\s+(?:long|of|after|before|later|earlier)\b)"
    rf"|\b(?P<n2>{_N})(?P<hn2>\.5|\s+and\s+a\s+half)?\s+(?P<u2>days?|weeks?|months?)"
    rf"(?P<h2>\s+and\s+a\s+half)?\s+(?:away|from now|from today|ahead|out)\b")
"""A countdown asked: "in 2 days", "within a week", "a week and a half away", "two and a
half weeks from now", "in 2.5 weeks"."""


def _ahead(text: str) -> tuple[int, int] | None:
    """The days from today a countdown asks ("two days away", "in 2 days": 2 to 2; "within a
    week": 0 to 7; "in two weeks": 11 to 17; "within a month": 0 to 31), or None."""
    m = _AHEAD.search(text)
    if m is None:
        return None
    raw, unit = (m["n"], m["u"]) if m["n"] else (m["n2"], m["u2"])
    n = int(raw) if raw.isdigit() else (1 if raw in ("a", "an") else _NUMBER_WORDS[raw])
    days = {"d": 1, "w": 7, "m": 30}[unit[0]]
    # "a week and a half", "one and a half weeks", "1.5 weeks": 10 days
    half = days // 2 if m["h"] or m["h2"] or m["hn"] or m["hn2"] else 0
    if m["within"] and m["within"] != "in":  # "within a week", "in the next two weeks"
        return 0, n * days + half + (n if days == 30 else 0)  # a month: up to 31 days
    if days == 1 and not half:
        return n, n
    slack = {1: 0, 7: 3, 30: 4}[days]  # "a week and a half": 7 to 13 days, not 6
    return n * days + half - slack, n * days + half + slack


def _span_asked(text: str) -> tuple[int, str] | None:
    """The length a question asks of a date ("is the workshop two days?", "one week long?",
    "how many days is it?"), or None; "in two days" and "3 days left" ask the time left."""
    m = _SPAN_ASKED.search(text)
    if m is None:
        return None
    if m["u0"]:
        return 0, _SPAN_UNITS[m["u0"]]
    raw = m["n"]
    n = int(raw) if raw.isdigit() else (1 if raw in ("a", "an") else _NUMBER_WORDS[raw])
    unit = _SPAN_UNITS[m["u"]]
    if not n:
        return None
    if m["half"] and unit != "hour":
        # "two and a half weeks long", "1.5 days": said in hours, as no whole unit holds it
        per = 24 if unit == "day" else 168
        return n * per + per // 2, "hour"
    return n, unit


def _date_scores(terms: Mapping[str, float], index: Index) -> dict[str, float]:
    """Each date's score for these terms: the sum of what it shares, rare terms weighing more.
    Memoized per schedule: the same few questions come again and again."""
    key = ("scores", tuple(sorted(terms.items())))
    hit = index.memo.get(key)
    if hit is not None:
        return hit  # type: ignore[return-value]
    scores = _score(terms, index)
    if len(index.memo) < 4096:
        index.memo[key] = scores
    return scores


def _pick_dates(terms: Mapping[str, float], wants_next: bool, index: Index
                ) -> tuple[float, tuple[str, ...], bool] | None:
    """The best score, the dates that reach it (in schedule order) and whether only common
    words chose them. Memoized per schedule, like the scores."""
    key = ("pick", tuple(sorted(terms.items())), wants_next)
    hit = index.memo.get(key)
    if hit is not None or key in index.memo:
        return hit  # type: ignore[return-value]
    scores = _date_scores(terms, index)
    result: tuple[float, tuple[str, ...], bool] | None = None
    if scores:
        best = max(scores.values())
        floor = best * 0.5 if wants_next else best - 1e-9  # "the next deadline": any of them
        group = tuple(sorted((d for d, s in scores.items() if s >= floor),
                             key=index.position.__getitem__))
        held = {t for d in group for t in index.date_terms[d]}
        generic_only = all((c := lx.BY_ID.get(t)) is not None and c.cls == "generic"
                           for t in terms if t in held)
        result = (best, group, generic_only)
    if len(index.memo) < 4096:
        index.memo[key] = result
    return result


def _score(terms: Mapping[str, float], index: Index) -> dict[str, float]:
    scores: dict[str, float] = {}
    for term, strength in terms.items():
        for date_id in index.postings.get(term, ()):
            scores[date_id] = (scores.get(date_id, 0.0)
                               + index.weight[term] * strength * index.date_terms[date_id][term])
    return scores


def _specific(term: str) -> bool:
    concept = lx.BY_ID.get(term)
    return concept is None or concept.cls not in ("kind", "generic")


def _faq_weight(term: str) -> float:
    return faq_weight(term)


def _faq_topic(terms: set[str], index: Index, start: int, span: str) -> Topic | None:
    form = next((t for t in terms if t.startswith("form:")), "form:what")
    content = {t for t in terms if not t.startswith("form:")}
    if not content or not index.faqs:
        return None
    best: tuple[float, str] = (0.0, "")
    for entry in index.faqs:
        for phrasing, words, total in zip(entry.phrasings, entry.words, entry.totals,
                                          strict=True):
            shared = content & words
            # A shared kind word alone ("workshop") is no match: something specific must be.
            if not words or not shared:
                continue
            if not any(_specific(t) for t in shared) and not (
                    shared == content == words and form in phrasing):
                continue  # only common words shared: no match unless that is all it asks
            got = sum(_faq_weight(t) for t in shared)
            recall = got / total
            precision = got / sum(_faq_weight(t) for t in content)
            if recall < 0.5 or precision < 0.3:
                continue
            # Recall counts most: a question may say more than the phrasing ("my work on GPUs").
            score = (2 * recall + precision) / 3
            if form not in phrasing:
                score *= 0.9
            if score > best[0]:
                best = (score, entry.faq.id)
    if best[0] >= 0.7:
        return Topic("faq", (best[1],), best[1], best[0], start, span)
    return None


_PLAIN_MODIFIERS = frozenset(_split_words("""
real hard firm updated update current latest revised revision strict true main overall cfp
call actual exact big important key upcoming official absolute last initial general formal
normal regular usual standard same whole entire specific precise correct right proper
"""))
"""Words before "deadline" that name no other date: "the real deadline" is the deadline."""


def _neutral(index: Index) -> frozenset[str]:
    """The event's own names (its name, id, venue, town, system): never an unknown subject."""
    found = index.memo.get(("neutral",))
    if found is None:
        event = index.event
        text = " ".join((event.name, event.id, event.venue, event.city, event.country,
                         event.submission.system, event.url))
        # A word of a date's title or of a kind's phrases ("ready" of "camera ready", when
        # "camra" was the typo) is no subject of its own either.
        text += " " + " ".join(d.title for d in event.dates) + " " + " ".join(
            w for c in lx.CONCEPTS if c.cls == "kind" for w in c.en)
        found = frozenset(re.findall(r"[a-z0-9]+", normalize(text))) | _PLAIN_MODIFIERS
        index.memo[("neutral",)] = found
    return cast("frozenset[str]", found)


_WHERE_WORDS = frozenset({"在哪", "在哪里", "在哪儿", "哪里", "哪儿", "where"})
"""Words that ask where, and no more: with a submission asked, they ask where to submit."""
_TRACK_GENERIC = frozenset({"poster", "round"})
"""Generic words that also name a kind of submission: where no date holds one, a date asked
by it ("the poster deadline", "is there a poster track?") is not held."""
_HOUR = re.compile(r"\bwhat time\b(?!\s*zones?\b)|\b(?:start|starting|end|ending|opening) time\b|"
                   r"\bwhat hours?\b|\bat what time\b|几点|什么时间|开始时间|结束时间|几时")
_ASKS_ZONE = re.compile(r"\b(?:what|which)\s+(?:time\s*zone|tz|zone)\b|\bin what (?:time\s*)?"
                        r"zone\b|哪个时区|什么时区|哪一个时区|时区是|夏令时|冬令时|夏时制|冬时制|"
                        r"\bdaylight saving|\bsummer time\b|\bwinter time\b|\bdst\b")
_CLOCK_EN = re.compile(r"\b(?P<h>\d{1,2})(?::(?P<m>\d{2}))?\s*(?P<ap>a\.?m\.?|p\.?m\.?)(?!\w)"
                       r"|\b(?P<h24>\d{1,2}):(?P<m24>\d{2})\b|\b(?P<word>noon|midday|midnight)\b")
_CLOCK_ZH = re.compile(r"(?P<part>上午|早上|中午|下午|晚上|凌晨|夜里)?"
                       r"(?P<h>\d{1,2}|[一二两三四五六七八九十]+)"
                       r"点(?:(?P<m>\d{1,2}|[一二三四五六七八九十]+)分?|(?P<half>半))?"
                       r"|(?P<word>中午十二点|午夜|半夜十二点)")


def _clock(text: str) -> tuple[int, int] | None:
    """The time of day a question asks about ("11:59pm", "noon", "晚上11点59"), or None."""
    m = _CLOCK_EN.search(text)
    if m:
        if m["word"]:
            return (0, 0) if m["word"] == "midnight" else (12, 0)
        if m["h24"] is not None:
            hour, minute = int(m["h24"]), int(m["m24"])
        else:
            hour, minute = int(m["h"]) % 12, int(m["m"] or 0)
            hour += 12 if m["ap"].startswith("p") else 0
        return (hour, minute) if hour < 24 and minute < 60 else None
    m = _CLOCK_ZH.search(text)
    if m is None:
        return None
    if m["word"]:
        return (0, 0) if "夜" in m["word"] else (12, 0)
    raw = m["h"]
    if not raw.isdigit() and not (m["part"] or m["m"] or m["half"]):
        return None  # "晚一点" is "a bit later", not one o'clock
    hour = int(raw) if raw.isdigit() else _zh_number(raw)
    raw_m = m["m"] or "0"
    minute = 30 if m["half"] else (int(raw_m) if raw_m.isdigit() else _zh_number(raw_m))
    if m["part"] in ("下午", "晚上", "夜里") and hour < 12:
        hour += 12
    return (hour, minute) if hour < 24 and minute < 60 else None


_MONTHS = {m: i for i, names in enumerate(
    ("jan january", "feb february", "mar march", "apr april", "may", "jun june", "jul july",
     "aug august", "sep sept september", "oct october", "nov november", "dec december"), 1)
    for m in names.split()}
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DAY_EN = re.compile(rf"\b(?P<m1>{_MONTH_RE})\.?\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\b"
                     rf"|\b(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m2>{_MONTH_RE})\b")
_DAY_ZH = re.compile(r"(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]")
_FUTURE_EXT = re.compile(r"\b(?:can|could|will|would|might|may|going to)\b[^?.]*\bextend|"
                         r"\bchance of (?:an? )?extension|\bextension (?:possible|likely)|"
                         r"\banother extension|\bextended again|\bextend(?:ed)? further|"
                         r"还会延期|会延期吗|能延期吗|可以延期吗|会不会延期|能不能延期|再延期")


_MONTH_ALONE_EN = re.compile(rf"\b(?:in|during|by|before|until|of)\s+(?P<m>{_MONTH_RE})\b"
                             rf"(?!\.?\s*\d)")
_MONTH_ALONE_ZH = re.compile(r"(?<![\d年])(?P<m>1[0-2]|[1-9]|十[一二]?|[一二三四五六七八九])月"
                             r"(?![\d一二三四五六七八九十]|份?[\d一二三四五六七八九十]+[日号])")


def _month_alone(text: str) -> int | None:
    """The month a question names without a day ("in July", "7月"), or None."""
    if _month_day(text) is not None:
        return None
    m = _MONTH_ALONE_EN.search(text)
    if m:
        return _MONTHS[m["m"]]
    z = _MONTH_ALONE_ZH.search(text)
    if z is None:
        return None
    raw = z["m"]
    return int(raw) if raw.isdigit() else _zh_number(raw)


_DAY_ALONE_EN = re.compile(r"\b(?:on|is|starts?|begins?|ends?|falls?|opens?|closes?|due)\s+"
                           r"the (?P<d>\d{1,2})(?:st|nd|rd|th)\b(?!\s+(?:of\s+)?[a-z])")
_DAY_ALONE_ZH = re.compile(r"(?<![\d月])(?P<d>[1-9]|[12]\d|3[01])\s*[日号](?!\d)")


def _month_day(text: str) -> tuple[int, int] | None:
    """The calendar day a question names ("September 10", "10th of Sept", "9月10日"); a day
    of the month alone ("on the 26th", "26号") is (0, day): any month."""
    m = _DAY_EN.search(text)
    if m:
        month = _MONTHS[(m["m1"] or m["m2"])]
        day = int(m["d1"] or m["d2"])
    else:
        z = _DAY_ZH.search(text)
        if z is None:
            alone = _DAY_ALONE_EN.search(text) or _DAY_ALONE_ZH.search(text)
            return (0, int(alone["d"])) if alone and 1 <= int(alone["d"]) <= 31 else None
        month, day = int(z["m"]), int(z["d"])
    return (month, day) if 1 <= month <= 12 and 1 <= day <= 31 else None


# --- ordinals: "the 2nd deadline", "the last date", "第二个截止日期" --------------------------

_ORDINAL_WORDS = {"first": 1, "1st": 1, "earliest": 1, "second": 2, "2nd": 2, "third": 3,
                  "3rd": 3, "fourth": 4, "4th": 4, "fifth": 5, "5th": 5, "sixth": 6, "6th": 6,
                  "seventh": 7, "7th": 7, "eighth": 8, "8th": 8, "last": -1}
_ONE_ORDINAL = (r"(?:(?:second|2nd|third|3rd)[\s\-]+(?:to[\s\-]+)?last|penultimate|"
                + "|".join(_ORDINAL_WORDS) + r"|\d{1,3}(?:st|nd|rd|th))")
_ONE_ORDINAL_RE = re.compile(r"\b" + _ONE_ORDINAL + r"\b")
# "the first and second deadlines": each ordinal of a list, the noun said once after it.
_ORDINAL_EN = re.compile(
    r"\b(?P<o>" + _ONE_ORDINAL + r"(?:\s*(?:,|and|or|&)\s*(?:the\s+)?" + _ONE_ORDINAL + r")*)"
    r"\s+(?P<mid>(?:[a-z][a-z\-']*\s+){0,3}?)"
    r"(?P<noun>deadlines?|dates?|due dates?|cut-?offs?|notifications?|events?)\b")
# Words a number names in a title ("the second round deadline" is Round 2's): no ordinal.
_ORDINAL_NOT = frozenset({"round", "rounds", "cycle", "phase", "stage", "call", "track", "year",
                          "year's", "years", "week", "month", "time", "minute", "day", "days",
                          "of", "and", "or", *_ORDINAL_WORDS})
_ORDINAL_WINNER = re.compile(
    r"\bwhich\s+(?:one\s+of\s+the\s+|of\s+the\s+)?(?P<noun>deadline|date|notification|event)s?"
    r"\s+(?:comes?|is|happens?|falls?|will\s+be|closes?|ends?)\s+(?P<o>first|last|earliest)\b")
_ORDINAL_ZH = re.compile(
    r"(?:(?P<back>倒数)?第(?P<n>\d{1,2}|十[一二]?|[一二两三四五六七八九十])(?:个|项|次)?(?![轮阶期届])"
    r"|(?P<last>最后(?:一个|的|一项|一次))|(?P<first>最早的?|首个))"
    r"(?=[^,，。?？;；]{0,4}?(?P<noun>截止|截稿|期限|ddl|deadline|日期|通知|会议|时间))")
_NOUN_OF = {"deadline": "deadline", "due": "deadline", "cut": "deadline", "cutoff": "deadline",
            "notification": "notification", "event": "event", "date": "date", "截止": "deadline",
            "截稿": "deadline", "期限": "deadline", "ddl": "deadline", "通知": "notification",
            "会议": "event", "日期": "date", "时间": "date"}


_DAYPART = {"morning": "morning", "afternoon": "afternoon", "evening": "evening",
            "night": "night", "上午": "morning", "早上": "morning", "下午": "afternoon",
            "晚上": "evening", "夜里": "night"}
_DAYPART_RE = re.compile(r"\b(?:in the|this|on the)\s+(?P<w>morning|afternoon|evening)\b|"
                         r"\bat (?P<w2>night)\b|(?P<w3>上午|早上|下午|晚上|夜里)"
                         r"(?![\d一二两三四五六七八九十])")


def _ordinals(norm: str) -> list[tuple[int, int, int, str]]:
    """Each ordinal said before a kind of date: (start, end, place, what it counts)."""
    found: list[tuple[int, int, int, str]] = []
    for m in _ORDINAL_EN.finditer(norm):
        if set(m["mid"].split()) & _ORDINAL_NOT:
            continue
        noun = m["noun"].rstrip("s").split()[0].replace("-", "")
        if re.search(rf"\b(?:{_MONTH_RE})\.?\s*$", norm[:m.start("o")]):
            continue  # "the September 10th deadline" is a day, not the tenth deadline
        for one in _ONE_ORDINAL_RE.finditer(norm, m.start("o"), m.end("o")):
            word = one.group(0)
            if word[:1].isdigit() and word[:-2].isdigit():
                place = int(word[:-2])
            else:
                place = _ORDINAL_WORDS.get(word) or (
                    -2 if word == "penultimate" else
                    -_ORDINAL_WORDS[word.split()[0].split("-")[0]])
            found.append((one.start(), one.end(), place, _NOUN_OF.get(noun, "date")))
    for m in _ORDINAL_WINNER.finditer(norm):  # "which deadline comes first?"
        found.append((m.start("o"), m.end("o"), _ORDINAL_WORDS[m["o"]],
                      _NOUN_OF.get(m["noun"], "date")))
    for m in _ORDINAL_ZH.finditer(norm):
        if m["n"]:
            n = m["n"]
            place = int(n) if n.isdigit() else _zh_number(n)
            place = -place if m["back"] else place  # "倒数第二个": the second from the end
        else:
            place = -1 if m["last"] else 1
        found.append((m.start(), m.end(), place, _NOUN_OF.get(m["noun"], "date")))
    return [f for f in found if f[2] != 0]


_NTH_DAY_ZH = re.compile(r"第(?P<n>\d{1,2}|十[一二]?|[一二两三四五六七八九十])天")


def _day_ordinals(norm: str, index: Index) -> list[tuple[int, int, int, str]]:
    """ "研讨会第二天几点结束？" of an event given day by day: its second event date (of one
    event over several days, no date of its own: nothing)."""
    if len(index.of_kind("event")) < 2:
        return []
    return [(m.start(), m.end(), int(n) if (n := m["n"]).isdigit() else _zh_number(n), "event")
            for m in _NTH_DAY_ZH.finditer(norm)]


# --- two dates compared -----------------------------------------------------------------

_CMP_HARD = re.compile(r"[?？;；。!！\n]")
_CMP_BETWEEN_EN = re.compile(r"\b(?:between|betwen|bewteen|beetween)\s+(?P<x>.+?)\s+(?:and|&)\s+"
                             r"(?P<y>.+)$")
_CMP_FROM_EN = re.compile(r"\bfrom\s+(?P<x>.+?)\s+(?:to|until|till|and)\s+(?P<y>.+)$")
_CMP_HOW_AFTER_EN = re.compile(r"\bhow (?:long|soon|many \w+|much time|much later|much earlier)"
                               r"\s+(?:after|before)\s+(?P<x>.+?)\s+(?:is|are|does|do|will|"
                               r"comes?|can|should|must)\s+(?P<y>.+)$")
_CMP_SPAN_EN = re.compile(r"\bhow (?:long|many|much)\b|\bgap\b|\bdays?\b|\bweeks?\b")
_CMP_ORDER_EN = re.compile(r"\b(?P<w>first|earlier|earliest|sooner|before|later|latest|last|"
                           r"after)\b")
_CMP_OR_EN = re.compile(r"\s(?:or|vs\.?|versus)\s")
# With the usual typos of the two words ("befor", "aftr"): a missed cue reads one date only.
_CMP_SIDE_EN = re.compile(r"\b(?P<w>before|befor|bfore|beofre|b4|earlier than|prior to|ahead of|"
                          r"sooner than|after|aftr|afer|atfer|later than)\b")
_CMP_BETWEEN_ZH = (
    re.compile(r"从(?P<x>.+?)到(?P<y>.+?)(?:之间)?(?:有|要|相差|间隔|相隔|隔|差|共|一共)?"
               r"(?:多少天|几天|多久|多长|几周|几个星期|多少时间)"),
    re.compile(r"^(?P<x>.+?)(?:和|与|跟|到|离|距)(?P<y>.+?)(?:之间)?(?:还有|有|要|相差|间隔|相隔|"
               r"隔了?|差|相距)(?:多少天|几天|多久|多长|几周|几个星期|多少时间)"),
    re.compile(r"^(?P<x>.+?)(?:之后|以后|后)(?:多久|多少天|几天|多长时间|几周)(?:才|会|就)?"
               r"(?P<y>.+)$"))
_BY_WHEN_ZH = re.compile(r"(?:什么时候|何时|几号|哪天|哪一天|几点|什么时间|几月几[号日])"
                         r"(?:之前|以前|前|之后|以后|后)$")
"""A when-word before 之前 ("在什么时候之前"): by when, no order asked."""
_CMP_SAME_ZH = re.compile(r"^(?P<x>.+?)(?:和|与|跟|同)(?P<y>.+?)(?:是不是|是否|是)?(?:在)?"
                          r"同一天")
_CMP_SAME_EN = re.compile(r"^(?:is|are|do|does)\s+(?P<x>.+?)\s+(?:and|&)\s+(?P<y>.+?)\s+"
                          r"(?:(?:on|fall on|happen on)\s+)?the same (?:day|date)\b")
"""Two dates asked to fall on one day ("推荐信和申请截止是同一天吗？")."""
_CMP_WHICH_ZH = (
    re.compile(r"^(?P<x>.+?)(?:和|与|跟|还是)(?P<y>.+?)[,，]?(?:哪个|哪一个|谁|哪项)(?:更)?"
               r"(?P<w>先|早|在前|前|晚|在后|后|迟)"),
    re.compile(r"^(?P<x>.+?)(?P<w>先)还是(?P<y>.+?)先"))
_CMP_SIDE_ZH = (
    re.compile(r"^(?P<x>.+?)(?:是)?在(?P<y>.+?)(?P<w>之前|以前|前面|前|之后|以后|后面|后)"),
    re.compile(r"^(?P<x>.+?)比(?P<y>.+?)(?P<w>早|晚|先|迟)"),
    re.compile(r"^(?P<x>.+?)(?P<w>早于|晚于|先于|后于)(?P<y>.+)$"))
_EARLY = ("first", "earlier", "earliest", "sooner", "before", "befor", "bfore", "beofre", "b4",
          "先", "早", "在前", "前", "之前",
          "以前", "前面", "prior", "ahead", "早于", "先于")


def _compare_sides(text: str, lang: Language
                   ) -> tuple[str, Form, tuple[int, int], tuple[int, int]] | None:
    """How a sentence compares two things, and the spans of the two (offsets in ``text``)."""
    same = (_CMP_SAME_ZH if lang == "zh" else _CMP_SAME_EN).search(text)
    if same is not None:
        return "same", "yesno", same.span("x"), same.span("y")
    if lang == "zh":
        for pattern in _CMP_BETWEEN_ZH:
            if (m := pattern.search(text)) is not None:
                return "between", "howlong", m.span("x"), m.span("y")
        for pattern in _CMP_WHICH_ZH:
            if (m := pattern.search(text)) is not None:
                return ("first" if m["w"] in _EARLY else "last"), "what", m.span("x"), \
                    m.span("y")
        for pattern in _CMP_SIDE_ZH:
            if (m := pattern.search(text)) is not None:
                if re.search(r"[前后]还是[之以]?[前后]", text):
                    return "first", "what", m.span("x"), m.span("y")  # "之前还是之后？"
                return ("before" if m["w"] in _EARLY else "after"), "yesno", m.span("x"), \
                    m.span("y")
        return None
    if (m := _CMP_BETWEEN_EN.search(text)) is not None:
        return "between", "howlong", m.span("x"), m.span("y")
    if (m := _CMP_FROM_EN.search(text)) is not None and _CMP_SPAN_EN.search(text):
        return "between", "howlong", m.span("x"), m.span("y")
    if (m := _CMP_HOW_AFTER_EN.search(text)) is not None:
        return "between", "howlong", m.span("x"), m.span("y")
    first = re.findall(r"[a-z']+", text)[:1]
    order = _CMP_ORDER_EN.search(text)
    ors = list(_CMP_OR_EN.finditer(text))
    if order is not None and ors and (re.search(r"\b(?:which|what|who)\b", text) or (
            first and first[0] in lx.YES_NO_START)):
        o = ors[-1]
        return ("first" if order["w"] in _EARLY else "last"), "what", (0, o.start()), \
            (o.end(), len(text))
    side = _CMP_SIDE_EN.search(text)
    if side is not None and not (first and first[0] in ("what", "when", "which", "how", "where",
                                                        "whats", "what's", "who")):
        early = side["w"].split()[0] in _EARLY
        return ("before" if early else "after"), "yesno", (0, side.start()), \
            (side.end(), len(text))
    return None


def _comparison(norm: str, lang: Language, scan: _Scan, index: Index
                ) -> tuple[list[Clause], int, int] | None:
    """A sentence that compares two dates, read as one clause holding both, in the order said
    (a further "and before Z" is a second such clause);
    None unless each side names a date of the schedule (else each is read as usual)."""
    start = 0
    for cut in [*(m.start() for m in _CMP_HARD.finditer(norm)), len(norm)]:
        text = norm[start:cut]
        found = _compare_sides(text, lang) if text.strip() else None
        if found is not None:
            how, form, x, y = found
            sides = [_side_topic(start + a, start + b, scan, index, norm) for a, b in (x, y)]
            nows = [bool(_NOW_SIDE.match(text[a:b].strip(" ,，"))) for a, b in (x, y)]
            if sides[0] is not None and sides[1] is not None and "not_held" in (
                    sides[0].kind, sides[1].kind):
                # "is the notification before the camera-ready?" where no notification is:
                # that one said to be missing, the other given; nothing compared.
                return [Clause(text.strip(" ,，"), "when", (sides[0], sides[1]))], start, cut
            if how == "between" and any(nows) and (sides[0] or sides[1]) is not None \
                    and all(s is None or s.kind == "date" for s in sides):
                # "how long between now and the deadline?": the time left, said once.
                only = sides[1] if nows[0] else sides[0]
                assert only is not None
                return [Clause(text.strip(" ,，"), "howlong", (only,))], start, cut
            further = _further_side(text, how, y) if lang == "en" else \
                _further_side_zh(text, how, y)
            if further is not None and lang == "en":
                # "is X after Y and before Z?": Y ends where "and before" starts; each side
                # compared with X, each answered (never only the first).
                y = (y[0], further[1][0])
                sides[1] = _side_topic(start + y[0], start + y[1], scan, index, norm)
            if sides[0] is not None and sides[1] is not None and sides[0].ids != sides[1].ids \
                    and not (how in ("before", "after") and (sides[0].weak or sides[1].weak)):
                # "can I update my paper after the deadline?" names no date by "paper" alone.
                out = [Clause(text[:further[1][0]].strip(" ,，") if further else
                              text.strip(" ,，"), form, (sides[0], sides[1]), compare=how)]
                if further is not None:
                    how2, (_, z0), z = further
                    third = _side_topic(start + z[0], start + z[1], scan, index, norm)
                    if third is not None and third.kind == "date" and third.ids != sides[0].ids:
                        out.append(Clause(text[z0:].strip(" ,，"), form, (sides[0], third),
                                          compare=how2))
                return out, start, cut
        start = cut + 1
    return None


_FURTHER_ZH = re.compile(r"(?P<w0>之前|以前|前面|之后|以后|后面|前|后)\s*[,，、]?\s*"
                         r"(?:并且|而且|但是|但|又|也|且)?(?:是)?(?:在)?(?P<z>[^,，、]+?)"
                         r"(?P<w>之前|以前|前面|之后|以后|后面|前|后)")


def _further_side_zh(text: str, how: str, y: tuple[int, int]
                     ) -> tuple[str, tuple[int, int], tuple[int, int]] | None:
    """ "X在Y之后、Z之前吗？": the second comparison after the first's 之后 (see
    ``_further_side``)."""
    if how not in ("before", "after"):
        return None
    m = _FURTHER_ZH.match(text, y[1])
    if m is None:
        return None
    early = m["w"] in _EARLY
    return ("before" if early else "after"), (m.end("w0"), m.start("z")), m.span("z")


def _further_side(text: str, how: str, y: tuple[int, int]
                  ) -> tuple[str, tuple[int, int], tuple[int, int]] | None:
    """ "... and before Z" after the second side of a before/after comparison: how it
    compares, the span of "and before" and the span of Z; None when the question has none."""
    if how not in ("before", "after"):
        return None
    m = re.compile(r"\s(?:and|but|&)\s+(?:is it\s+|also\s+)?").search(text, y[0])
    if m is None:
        return None
    side = _CMP_SIDE_EN.match(text, m.end())
    if side is None or side.end() >= y[1]:
        return None
    early = side["w"].split()[0] in _EARLY
    return ("before" if early else "after"), (m.start(), side.end()), (side.end(), y[1])


_NOW_SIDE = re.compile(r"(?:right )?now|today|here|现在|今天|目前|此刻$")


def _side_topic(a: int, b: int, scan: _Scan, index: Index, norm: str) -> Topic | None:
    """The one date (or group of dates) a span of the question names, and nothing else."""
    hits = [h for h in scan.hits if a <= h.start < b and h.meaning[0] not in
            ("place", "mytime", "venuetime")]
    if not any(h.meaning[0] == "concept" for h in hits) and not left_of(scan, a, b):
        return None
    unknown = [(w, p) for w, p in scan.unknown if a <= p < b]
    text = norm[a:b].strip(" ,，")
    topics = _clause_topics(hits, unknown, left_of(scan, a, b), "when", False, index, text, a,
                            norm)
    return topics[0] if len(topics) == 1 and topics[0].kind in ("date", "not_held") else None


def left_of(scan: _Scan, a: int, b: int) -> list[tuple[str, int]]:
    return [(c, p) for c, p in scan.leftover_zh if a <= p < b]


def _clause_unknown(scan: _Scan, zh_left: Sequence[tuple[str, int]], a: int, b: int,
                    index: Index) -> tuple[str, ...]:
    """What a clause says that nothing read: long English words that are no typo of a known
    word and no name of the event's, and Chinese runs of two or more characters."""
    neutral = _neutral(index)
    words = [w for w, p in scan.unknown if a <= p < b and len(w) >= 4 and w not in neutral
             and index.correct(w) == w and w not in _MONTHS
             and not any(ch.isdigit() for ch in w)]  # "59pm" of "11:59pm" is a time
    return (*words, *(w for w, _ in _zh_runs(zh_left)))


def _zh_number(text: str) -> int:
    if text in _ZH_DIGITS:
        return _ZH_DIGITS[text]
    if text.startswith("十"):
        return 10 + _ZH_DIGITS.get(text[1:], 0)
    if text.endswith("十"):
        return 10 * _ZH_DIGITS.get(text[:-1], 0)
    tens, _, ones = text.partition("十")
    return 10 * _ZH_DIGITS.get(tens, 0) + _ZH_DIGITS.get(ones, 0)


_EXISTS = re.compile(r"\b(?:is|are) there\b|\bdo you (?:have|offer|accept|provide|give|issue|"
                     r"send|support)\b|\bdoes it have\b"
                     r"|有没有|是否有")


def _modifier(hits: Sequence[_Hit], unknown: Sequence[tuple[str, int]],
              zh_left: Sequence[tuple[str, int]], whole: str, index: Index,
              exists: bool = False, plain: bool = False) -> tuple[str, int] | None:
    """What the question names that no date of the schedule holds, and where it starts:
    unknown words beside the kind or generic word that chose the dates ("the industry track
    deadline", "the industry paper deadline", "the poster session", "工业界论文") when only such
    words chose them, or a kind of submission no date holds ("the poster deadline"). Such a
    date must be said to be missing, never answered with another one."""
    neutral = _neutral(index)
    # A schedule no date of which takes a submission (a summer school's): "the paper
    # deadline" is not held, as "the poster deadline" is where no date holds posters.
    submitted = bool({"paper", "submit", "abstract", "poster"} & index.date_held)
    for hit in hits:
        if hit.meaning[0] == "concept" and (hit.meaning[1] in _TRACK_GENERIC or (
                hit.meaning[1] == "paper" and not submitted)) and \
                hit.meaning[1] not in index.date_held and (exists or any(
                    h.start > hit.start and _is_kind(h) for h in hits)):
            return "", hit.start  # "the poster deadline" with no posters: the concept's
    # A short unknown word, or one a letter away from a known one, is a typo ("teh", "redy").
    # A day named ("the September 10th deadline") names which date, not a date of its own.
    words = [(w, p) for w, p in unknown if len(w) >= 4 and w not in neutral
             and index.correct(w) == w and w not in _MONTHS
             and not any(ch.isdigit() for ch in w)]
    if exists and words:
        return words[0]  # "is there an industry track?" where none is
    if not plain:
        return None
    # Short words nothing read ("PC" of "the shadow PC deadline") join a name, never make one
    # ("teh deadline" is a typo's).
    bridges = [(p, p + len(w), "") for w, p in unknown if 2 <= len(w) < 4 and w not in neutral
               and not w.isdigit()]
    items = sorted([(p, p + len(w), w) for w, p in words] + bridges
                   + [(h.start, h.end, "") for h in hits if _is_generic(h)])
    for anchor in (h for h in hits if _is_kind(h) or _is_generic(h)):
        found: list[tuple[int, str]] = []
        cur = anchor.start
        for s_, e_, w in reversed([i for i in items if i[1] <= anchor.start]):
            if whole[e_:cur].strip(" -"):
                break
            if w:
                found.insert(0, (s_, w))
            cur = s_
        cur = anchor.end
        for s_, e_, w in (i for i in items if i[0] >= anchor.end):
            gap = whole[cur:s_].strip(" -")
            # After a kind word only "for the ...": "decisions sent" is a verb, not a name.
            linked = cur == anchor.end and gap in ("for", "for the", "of", "of the")
            if (gap and not linked) or (not gap and cur == anchor.end and _is_kind(anchor)):
                break
            if w:
                found.append((s_, w))
            cur = e_
        if found:
            if _is_generic(anchor):  # "the poster session": the thing asked, said whole
                first = min(found[0][0], anchor.start)
                last = max(found[-1][0] + len(found[-1][1]), anchor.end)
                return " ".join(whole[first:last].split()), first
            return " ".join(w for _, w in found), found[0][0]
        if _is_kind(anchor) or _is_generic(anchor):
            for word, pos in _zh_runs(zh_left):
                if pos + len(word) == anchor.start:
                    return word, pos  # "工业界论文什么时候截止": an industry paper, unheld
    return None


def _proposed(hits: Sequence[_Hit], group: Sequence[str], whole: str, index: Index
              ) -> tuple[str, int] | None:
    """ "the workshop proposal deadline" where the proposals the schedule takes are the demo
    track's: what is proposed is said right before "proposal", and no date chosen holds it;
    that thing is not held, never the other proposals' date."""
    for i, hit in enumerate(hits):
        if hit.meaning != ("concept", "proposal") or i == 0:
            continue
        before = hits[i - 1]
        if before.meaning[0] != "concept" or whole[before.end:hit.start].strip(" -"):
            continue
        if not any(before.meaning[1] in index.date_terms[d] for d in group):
            return f"{before.text} {hit.text}", before.start
    return None


_A_WEEKEND = re.compile(r"\b(?:a|any)\s+weekend\b|\bweekends\b|"
                        r"(?:是|在|逢)(?:不是)?周末(?!前|后|之前|之后)")
"""A weekend of no week in particular: ``this weekend``, ``周末前`` stay this weekend's."""


_WINDOW_RELS = frozenset({"today", "tonight", "tomorrow", "yesterday", "this_week",
                          "next_week", "this_weekend", "this_month", "next_month", "day_after",
                          "last_week", "last_month"})
_ZH_EVENT = {"研讨会": "workshop", "工作坊": "workshop", "大会": "conference"}


def by_kind(term: str) -> str:
    """The class of a term's concept (``generic``, ``kind``...), or ``title`` for a title's
    own word."""
    concept = lx.BY_ID.get(term)
    return concept.cls if concept is not None else "title"


def _title_concepts(date_id: str, index: Index) -> frozenset[str]:
    """The concepts a date's title itself says (not its kind), memoized per schedule."""
    key = ("title", date_id)
    found = index.memo.get(key)
    if found is None:
        found = frozenset(title_terms(index.date(date_id).title, index.en))
        index.memo[key] = found
    return cast("frozenset[str]", found)


_KIND_OF = {"deadline": ("deadline", "camera-ready"), "notify": ("notification",),
            "camera": ("camera-ready",), "event": ("event",)}


def _narrow(group: tuple[str, ...], concepts: Mapping[str, tuple[float, int, str]],
            index: Index) -> tuple[str, ...]:
    """A tie of dates that each hold the same words of the question, broken by those words,
    each step only where it leaves some date:
    the kind named ("the conference" is the event, not "Early-bird conference registration
    ends"); the event's word in the title ("the workshop" is "Dependable Systems Workshop",
    not the tutorial before it); and, when the question names the date by two or more
    words that each date holds alike, the title that says nothing more ("conference
    registration" is "Conference registration closes", not "Early-bird conference
    registration ends")."""
    if "submit" in concepts and "register" not in concepts:
        # "can I still submit the paper?" beside "Paper registration" and "Paper deadline":
        # the paper is handed in by the deadline; registering it is another step.
        handed = tuple(d for d in group if "register" not in index.date_terms[d])
        group = handed or group
    asked = [frozenset(concepts) & index.date_terms[d].keys() for d in group]
    strong = [any(by_kind(t) != "generic" for t in a) for a in asked]
    if any(strong) and not all(strong):
        # "camera-ready papers uploaded": the camera-ready, not the paper submission that
        # "papers" and "uploaded" (generic words) tie with it.
        group = tuple(d for d, s in zip(group, strong, strict=True) if s)
        asked = [a for a, s in zip(asked, strong, strict=True) if s]
    if any(a != asked[0] for a in asked):
        return group  # each date answers a different part of the question
    kinds = {k for c in concepts if c in _KIND_OF for k in _KIND_OF[c]}
    same = tuple(d for d in group if index.date(d).kind in kinds)
    if same:
        group = same
    if "event" in concepts and len(group) > 1:
        titled = tuple(d for d in group if "event" in _title_concepts(d, index))
        group = titled or group
        said = concepts["event"][2].split()[-1]
        word = re.escape(_stem(_ZH_EVENT.get(said, said)))
        literal = tuple(d for d in group if re.search(rf"\b{word}s?\b", index.titles[d]))
        group = literal or group
    words = [t for t in asked[0] if by_kind(t) != "kind"]
    if len(group) > 1 and len(words) == 1:
        group = _plain(group, words[0], concepts, index)
    if len(group) > 1 and len(asked[0]) >= 2:
        def extra(d: str) -> int:
            # "registration" says how an abstract is handed in ("Paper abstract
            # registration"), not which abstract: no more than "Poster abstract submission".
            # A title's own word before the one asked ("Short paper submission") says which,
            # as "full" does ("Full paper submission"): neither is the bare "paper".
            return sum(1 for t in index.date_terms[d] if t not in concepts
                       and t not in ("deadline", "register") and (c := lx.BY_ID.get(t)) is not None
                       and (c.cls in ("word", "subject") or (c.cls == "kind" and t != "event"))
                       ) + sum(1 for t in index.date_terms[d] if _says_which(t, d, concepts, index))
        # The event's own word in a date's title ("Conference registration closes") names
        # whose the date is, not a kind of registration apart ("Early-bird ...", "Paper ...").
        whole = tuple(d for d in group if extra(d) == 0)
        group = whole or group
    return group


def _says_which(term: str, date_id: str, concepts: Mapping[str, tuple[float, int, str]],
                index: Index) -> bool:
    """A title's own word (no concept's) right before a word of the question in that title:
    "short" of "Short paper submission" asked as "the paper deadline"."""
    if not term.startswith("w:") or term[2:] in _PLAIN_MODIFIERS or term[2:].isdigit():
        return False
    said = [concepts[c][2] for c in concepts]
    words = re.findall(r"[a-z0-9]+", index.titles[date_id])
    return any(_stem(a) == term[2:] and any(_stem(b) == _stem(w) for w in said)
               for a, b in pairwise(words))


def _handed_in_too(group: tuple[str, ...], concepts: Mapping[str, tuple[float, int, str]],
                   index: Index) -> tuple[str, ...]:
    """ "the paper deadline" where every date naming the paper registers it ("Abstract and
    paper registration") and a bare "Submission deadline" is where a paper is handed in:
    that one too, in the schedule's order (the registration alone read as the paper's
    deadline). The group otherwise."""
    asked = {c for c in concepts if by_kind(c) != "kind"}
    if asked != {"paper"} or not group or not all(
            "register" in index.date_terms[d] for d in group):
        return group
    bare = [d.id for d in index.of_kind("deadline") if d.id not in group
            and "submit" in index.date_terms[d.id]
            and not set(index.date_terms[d.id]) - {"submit", "deadline"}]
    if not bare:
        return group
    return tuple(sorted((*group, *bare), key=lambda d: index.position[d]))


_HAND_IN = re.compile(r"\b(?:submit|submission|hand in|send in|upload)")


def _handed_in_after(prev: list[Topic], start: int, span: str, index: Index
                     ) -> tuple[list[Topic], tuple[str, ...]]:
    """ "I missed the paper registration, can I still submit?": the deadlines that hand in
    what the missed registrations named (the "Paper deadline"), and the registrations
    missed; the previous subject and none where no such deadline is held."""
    ids = [d for t in prev if t.kind == "date" for d in t.ids]
    if not ids or not all("register" in index.date_terms[d] for d in ids):
        return prev, ()
    what = {t for d in ids for t in index.date_terms[d]} - {"register", "deadline"}
    handed = tuple(d.id for d in index.of_kind("deadline") if d.id not in ids
                   and "register" not in index.date_terms[d.id]
                   and what & index.date_terms[d.id].keys())
    if not handed:
        return prev, ()
    return [Topic("date", handed, prev[0].label, prev[0].score, start, span)], tuple(ids)


def _titled(span: str, text: str, index: Index) -> bool:
    """A field's word said as some date's title says it, with the word after it ("late
    registration" of "Late registration closes"), or alone as the first word of a title:
    the title's word, not the field."""
    m = re.search(rf"(?<!\w){re.escape(span)}[\s-]+([a-z]+)", text)
    if m is None:
        # "and late?" after "when is early registration?": the word alone, as a title says it
        alone = re.fullmatch(rf"(?:and|or|what about|how about)?\s*(?:the\s+)?"
                             rf"{re.escape(span)}(?:\s+one)?", text.strip())
        return alone is not None and any(
            re.match(rf"{re.escape(span)}\b", title) for title in index.titles.values())
    pair = re.compile(rf"(?<!\w){re.escape(span)}[\s-]+{re.escape(_stem(m[1]))}")
    return any(pair.search(title) for title in index.titles.values() if title)


_HANDED_IN = frozenset({"abstract", "paper", "poster", "camera", "demo", "artifact", "tutorial",
                        "proposal", "doctoral", "full"})
"""What a title's own word may say is handed in: "Abstract registration" registers an
abstract, "Camera-ready papers" are the final ones."""


def _plain(group: tuple[str, ...], said: str, concepts: Mapping[str, tuple[float, int, str]],
           index: Index) -> tuple[str, ...]:
    """A tie that one word of the question names ("registration", "paper"), where one
    date's title is that word alone ("Registration deadline", "Full paper submission": a
    bare "paper" is the full one): not the dates whose titles name something else handed
    in ("Abstract registration", "Camera-ready papers due"). A kind of the same thing
    ("Early registration deadline") stays."""
    def more(d: str, classes: tuple[str, ...]) -> set[str]:
        return {t for t in index.date_terms[d] if t not in concepts and t != "deadline"
                and not (t == "full" and said == "paper")
                and (c := lx.BY_ID.get(t)) is not None and c.cls in classes}
    if not any(not more(d, ("word", "subject", "kind")) for d in group):
        return group
    # A paper's own steps ("Paper registration (title and abstract)") are the paper's.
    other = _HANDED_IN - {"abstract", "full"} if said == "paper" else _HANDED_IN
    plain = tuple(d for d in group if not more(d, ("word", "subject", "kind", "generic"))
                  & other)
    return plain or group


def _is_field(hit: _Hit) -> bool:
    concept = lx.BY_ID.get(hit.meaning[1]) if hit.meaning[0] == "concept" else None
    return concept is not None and concept.cls in ("field", "social")


def _is_generic(hit: _Hit) -> bool:
    concept = lx.BY_ID.get(hit.meaning[1]) if hit.meaning[0] == "concept" else None
    return concept is not None and concept.cls == "generic"


def _zh_runs(left: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
    """Every run of two or more Chinese characters nothing read, with where it starts."""
    runs: list[tuple[str, int]] = []
    run: list[tuple[str, int]] = []
    for ch, pos in [*left, ("", -9)]:
        if ch and ch not in _ZH_FUNCTION and (not run or pos == run[-1][1] + 1):
            run.append((ch, pos))
            continue
        if len(run) >= 2:
            runs.append(("".join(c for c, _ in run), run[0][1]))
        run = [(ch, pos)] if ch and ch not in _ZH_FUNCTION else []
    return runs


def _only_other_handed_in(concepts: Mapping[str, tuple[float, int, str]],
                          group: Sequence[str], index: Index) -> tuple[str, int] | None:
    """The one word a question names a date by ("registration"), where every date it
    reaches is that of something else handed in, which the question does not say
    ("Abstract registration"): that word and where it is; None otherwise."""
    words = [c for c in concepts if by_kind(c) == "word"]
    if words != ["register"] or not group or _HANDED_IN & set(concepts) or any(
            by_kind(c) not in ("kind", "generic") for c in concepts if c != "register"):
        return None
    if all(set(index.date_terms[d]) - set(concepts) & (_HANDED_IN - {"full"}) for d in group):
        return words[0], concepts[words[0]][1]
    return None


def _named_apart(concepts: Mapping[str, tuple[float, int, str]], group: Sequence[str],
                 index: Index) -> tuple[str, int] | None:
    """Two or more words naming one date ("paper submission"), where no date reached holds
    them all and each is that of something else handed in, which the question does not say
    ("Abstract submission", "Camera-ready paper"): the words as said and where; else None."""
    asked = {c for c in concepts if by_kind(c) != "kind"}
    if len(asked) < 2 or not group or not asked & _HANDED_IN:
        return None
    if any(asked <= index.date_terms[d].keys() for d in group) or not all(
            any(c in index.date_terms[d] for d in group) for c in asked):
        return None  # one date is all of it, or a word is no date's (a field's: pages)
    if not all(set(index.date_terms[d]) - set(concepts) & (_HANDED_IN - {"full"})
               for d in group):
        return None
    said = sorted(asked, key=lambda c: concepts[c][1])
    joiner = "" if any(has_cjk(concepts[c][2]) for c in said) else " "
    return joiner.join(concepts[c][2] for c in said), concepts[said[0]][1]


def _decision_missing(concepts: Mapping[str, tuple[float, int, str]], group: Sequence[str],
                      index: Index) -> tuple[str, int] | None:
    """What a question asks the decision on ("travel grant" of "when will I hear about the
    travel grant?"), where the dates it names hold no decision (no notification among them)
    and no other kind of date is asked; None otherwise."""
    kinds = {"deadline", "camera", "event"}
    if "notify" not in concepts or kinds & set(concepts) or not group or any(
            index.date(d).kind == "notification" for d in group):
        return None
    subjects = [(cid, span, pos) for cid, (_, pos, span) in concepts.items()
                if cid not in ("notify", "happen")
                and ((c := lx.BY_ID.get(cid)) is None or c.cls in ("subject", "word", "generic"))]
    if not subjects:
        return None
    cid, span, pos = min(subjects, key=lambda s: s[2])
    return cid if cid in lx.BY_ID else span, pos


def _clause_topics(hits: Sequence[_Hit], unknown: Sequence[tuple[str, int]],
                   zh_left: Sequence[tuple[str, int]], form: Form | None, length: bool,
                   index: Index, text: str, start: int, whole: str = "") -> list[Topic]:
    clause_pages = _page_count(text)
    concepts: dict[str, tuple[float, int, str]] = {}
    for hit in hits:
        kind, value = hit.meaning
        if kind == "concept" and value not in concepts:
            concepts[value] = (hit.score, hit.start, hit.text)
    if "full" in concepts and "full" not in index.date_held and "paper" in index.date_held:
        # "全文截止" of a schedule whose paper is just "Paper submission": that paper.
        full = concepts.pop("full")
        concepts.setdefault("paper", full)
    topics: list[Topic] = []
    by_id = lx.BY_ID
    # FAQ first: the organizers' own answer to this very question.
    faq_terms = set(concepts) | {f"w:{_stem(w)}" for w, _ in unknown}
    faq_terms |= {f"w:{n}" for n in re.findall(r"\d+", text)}
    faq_terms.add(f"form:{form or 'what'}")
    left = "".join(ch for ch, _ in zh_left)
    faq_terms |= {f"zh:{left[j:j + 2]}" for j in range(max(0, len(left) - 1))}
    # The pairs of every Chinese run, as an FAQ's phrasing is indexed (``title_terms``):
    # "注册费多少钱？" shares 注册, 册费, 费多, 多少 with "注册费多少？", not only its concept.
    faq_terms |= {f"zh:{run[j:j + 2]}" for run in re.findall(r"[\u3400-\u9fff]+", text)
                  for j in range(max(1, len(run) - 1))}
    only_fields = all((c := by_id.get(t)) is not None and c.cls in ("field", "social")
                      for t in concepts) and bool(concepts) and not unknown \
        and not re.search(r"\d", text)
    # "can I submit late?": the late part quotes the organizers' own word on it (their FAQ)
    # and gives the deadline beside it, so no FAQ answers it alone.
    # "what comes after the workshop?" asks the schedule's order, not what happens there.
    ordering = form in (None, "what", "when") and any(
        h.meaning in (("rel", "after"), ("rel", "before")) for h in hits)
    faq = None if only_fields or ordering or "late" in concepts else _faq_topic(
        faq_terms, index, start, text)
    if faq is not None:  # "how many pages?" is the page limit's, not an FAQ's
        return [faq]
    for cid, (score, pos, span) in list(concepts.items()):
        # "when are the poster sessions?" of "Poster session 12 in hall B": a subject's
        # spelling that titles hold as their own word (w:session) is that word, not the
        # subject (the program) the schedule lacks.
        concept = by_id.get(cid)
        one = span.split()
        word = f"w:{_stem(one[0])}" if len(one) == 1 and not has_cjk(span) else ""
        if concept is not None and concept.declines_if_absent and word in index.date_held \
                and cid not in index.date_held:
            del concepts[cid]
            concepts.setdefault(word, (score, pos, span))
    # "late registration" of "Late registration closes": a title's own word, said with another
    # word of that title (in any language: "晚期注册"), or as the title says it, names the
    # date, not the field ("can I submit late?" still asks about late submissions).
    titled = {cid for cid in concepts if cid == "late" and any(
        cid in terms and any(c != cid and c in terms for c in concepts)
        for terms in index.date_terms.values())}
    titled |= {cid for cid, (_, _, span) in concepts.items() if cid in _FIELDS
               and cid in index.date_held and _titled(span, text, index)}
    fields: list[Topic] = []
    for cid, (score, pos, span) in concepts.items():
        concept = by_id.get(cid)
        if concept is not None and concept.cls == "field" and cid in _FIELDS \
                and cid not in titled:
            fields.append(Topic("field", (cid,), concept.label_en, score, pos, span))
    subject_named = any((c := by_id.get(cid)) is not None and c.cls == "subject"
                        for cid in concepts)
    # "how do I apply?" is how to submit; "签证邀请函怎么申请" asks how to get a visa letter
    # (its date where the schedule has one, never the paper's submission system).
    if ("submit" in concepts or ("apply" in concepts and not subject_named)) and form in (
            "how", "where") and not any(
            f.ids == ("how_submit",) for f in fields):
        verb = concepts.get("submit") or concepts["apply"]
        fields.append(Topic("field", ("how_submit",), "how to submit", 1.0, verb[1], verb[2]))
    if length and not any(f.ids == ("pages",) for f in fields):
        fields.append(Topic("field", ("pages",), "length", 1.0, start, text))
    # The camera-ready named ("when is the camera ready due?") where the schedule has none
    # is said to be missing, as a word of a title is: never answered with another deadline.
    missing = [cid for cid in concepts if (c := by_id.get(cid)) is not None
               and (c.declines_if_absent or (cid == "camera" and concepts[cid][2] != "final"))
               and cid not in index.date_held]
    # A subject some date's title holds ("Visa invitation letter requests", "Travel grant
    # application") names that date, as a title's word does.
    date_terms = {cid: s * (0.5 if c is not None and c.cls == "generic" else 1.0)
                  for cid, (s, _, _) in concepts.items()
                  if (c := by_id.get(cid)) is None or c.cls in ("kind", "word", "generic")
                  or (c.cls == "subject" and cid in index.date_held) or cid in titled}
    for j in range(max(0, len(left) - 1)):
        date_terms.setdefault(f"zh:{left[j:j + 2]}", 1.0)
    wants_next = any(h.meaning == ("rel", "next") for h in hits)
    # "can I still get the early bird price?": whether a date is still open, asked with a
    # subject the schedule does not hold (fees): the date answered, the subject declined.
    window = any(h.meaning[0] == "rel" and h.meaning[1] in ("still", "open", "passed", "started",
                                                           "out")
                 for h in hits) and form == "yesno"
    subjects_only = all(by_id[cid].cls == "subject" for cid in missing)
    picked = _pick_dates(date_terms, wants_next, index) if not missing or (
        window and subjects_only and any(
            t in index.date_held and (c := by_id.get(t)) is not None and c.cls == "word"
            for t in date_terms)) else None
    if picked is not None:
        best, group, generic_only = picked
        # "can I submit the paper late?": the late part speaks of the paper's deadline, so
        # common words name it beside that part as they do alone.
        asked_fields = [f for f in fields if f.ids != ("late",)]
        keep = best >= 0.5 and not (generic_only and (asked_fields or form in ("how", "where")))
        if keep and length:
            # "how long is the rebuttal phase" is a date's span; "how long can it be" is pages.
            ranged = tuple(d for d in group if has_length(index.date(d)))
            keep = bool(ranged)
            if ranged:
                group = ranged
                fields = [f for f in fields if f.ids != ("pages",)]
        if keep and form in ("how", "where") and any(f.ids == ("how_submit",) for f in fields):
            keep = False  # "where do I upload my abstract": the how-to part names the date
        if keep and form not in ("when", "howlong") and "deadline" not in concepts and any(
                f.ids[0] in ("pages", "format", "anonymity") for f in fields):
            keep = False  # "摘要几页？" asks the abstract's page limit, not its date
        if keep and len(group) > 1:
            # A tie that one title breaks by being in the question word for word.
            said = [d for d in group if index.titles[d] and index.titles[d] in text]
            if len(said) == 1:
                group = (said[0],)
            elif not wants_next:
                group = _narrow(group, concepts, index)
        if keep:
            group = _handed_in_too(group, concepts, index)
        held = {t for d in group for t in index.date_terms[d]}
        plain = all((c := by_id.get(t)) is not None and c.cls in ("kind", "generic")
                    for t in date_terms if t in held)
        unheld = _modifier(hits, unknown, zh_left, whole, index, bool(_EXISTS.search(text)),
                           plain) if keep and whole else None
        if unheld is None and keep and whole:
            unheld = _proposed(hits, group, whole, index)
        if unheld is not None:
            keep = False  # "the industry track deadline" where no date is the industry's
            word, pos = unheld
            if word:
                topics.append(Topic("not_held", (f"w:{word}",), word, 0.5, pos, word))
            else:
                cid = next((c for c in concepts if concepts[c][1] == pos and (
                    c in _TRACK_GENERIC or c == "paper")),
                    next(c for c in concepts if c in _TRACK_GENERIC or c == "paper"))
                topics.append(Topic("not_held", (cid,), by_id[cid].label_en, 1.0, pos,
                                    concepts[cid][2]))
        parted = _named_apart(concepts, group, index) if keep and not fields else None
        if parted is not None:
            # "when is the paper submission deadline?" of only an "Abstract submission" and
            # a "Camera-ready paper": each holds one word, neither is the paper's submission.
            keep = False
            topics.append(Topic("not_held", ("no_date", parted[0]), parted[0], 1.0, parted[1],
                                parted[0]))
        if keep:
            pos = min((concepts[t][1] for t in concepts if t in date_terms), default=start)
            other = _only_other_handed_in(concepts, group, index)
            if other is not None:
                # "when does registration open?" where the one registration is the
                # abstract's: the participants' is said to be missing, the abstract's given.
                topics.append(Topic("not_held", (other[0],), by_id[other[0]].label_en, 1.0,
                                    other[1], concepts[other[0]][2]))
            about = _decision_missing(concepts, group, index)
            if about is not None:
                # "when will I hear about the travel grant?" where the schedule gives only
                # the grant's application deadline: the decision is said to be missing first.
                topics.append(Topic("not_held", ("decision", about[0]), about[0], 1.0,
                                    min(pos, about[1]), about[0]))
            topics.append(Topic("date", group, "", best, pos, text, generic_only))
    if any(f.ids == ("how_submit",) for f in fields):
        # "在哪投稿？" ("where do I submit?"): its 在哪 asks where to submit, not the venue.
        fields = [f for f in fields if not (f.ids == ("venue",) and f.span in _WHERE_WORDS)]
    late = next((i for i, f in enumerate(fields) if f.ids == ("late",)), None)
    if late is not None:
        # "can I send the camera-ready late?": the late part speaks of the dates named.
        # Only what is due: "are late submissions accepted" names no notification.
        named = tuple(d for t in topics if t.kind == "date" for d in t.ids
                      if index.date(d).kind in ("deadline", "camera-ready"))
        fields[late] = replace(fields[late], ids=("late", *named))
        topics = [t for t in topics if t.kind != "date"]
    if fields and topics and topics[0].kind == "date":
        # "when is the Country Reports deadline": a field's word inside a date's title, said
        # word for word, is the title's word, not a question about the venue.
        said = [index.titles[d] for d in topics[0].ids if index.titles[d]
                and index.titles[d] in text]
        # A Chinese title's term ("系统教程"'s 系统) is the title's too, when said with it.
        said += [normalize(index.date(d).title) for d in topics[0].ids[:50]
                 if has_cjk(index.date(d).title) and any(
                     run in text for run in re.findall(r"[\u3400-\u9fff]{2,}",
                                                       normalize(index.date(d).title)))]
        fields = [f for f in fields if not any(
            (re.search(rf"(?<!\w){re.escape(f.span)}(?!\w)", title) if not has_cjk(f.span)
             else f.span in title) for title in said)]
    if topics and topics[0].kind == "date" and not topics[0].weak:
        # "what are the dates of the main conference?": that date's, not every date.
        fields = [f for f in fields if not (f.ids == ("all_dates",)
                                            and f.span in ("dates", "date", "日期"))]
    if form == "where" and not fields and not topics and not missing:
        fields.append(Topic("field", ("venue",), "venue", 1.0, start, text))
    if form == "where" and topics and topics[0].kind == "date" and any(
            index.date(d).kind == "event" for d in topics[0].ids):
        # "where is the workshop": the venue part lists the event's dates too (a deadline
        # titled "Workshop proposals" in the same group is no place).
        topics = [Topic("field", ("venue",), "venue", 1.0, topics[0].start, text)]
    if not topics and not fields:
        # "when is the deadline?" on a schedule without one: said so, never another date;
        # "when do I submit my paper?" where nothing takes a submission, too.
        submitted = bool({"paper", "submit", "abstract", "poster"} & index.date_held)
        missing += [cid for cid in concepts if (c := by_id.get(cid)) is not None
                    and (c.cls == "kind" or cid in _TRACK_GENERIC
                         or (cid == "paper" and not submitted))
                    and cid not in index.date_held]
    if clause_pages is not None and any(f.ids == ("pages",) for f in fields):
        topics = [t for t in topics if t.kind != "date"]  # "can I submit 3 pages?"
    if any(f.ids == ("venue",) for f in fields) and topics and topics[0].kind == "date" and any(
            index.date(d).kind == "event" for d in topics[0].ids):
        topics = []  # the venue part names the event's dates itself
    if missing and fields:
        # "how long is the rebuttal?" where none is: no page limit for a length never asked.
        fields = [f for f in fields if not (f.ids == ("pages",) and f.label == "length")]
    last_end = -2
    for cid in sorted(missing, key=lambda c: concepts[c][1]):
        concept = by_id[cid]
        pos, span = concepts[cid][1], concepts[cid][2]
        if topics and topics[-1].kind == "not_held" and pos - last_end <= 1:
            last_end = pos + len(span)  # "early bird registration", "早鸟注册": one thing asked
            if concept.cls == "subject":  # "registration fee" asks the fee
                topics[-1] = replace(topics[-1], ids=(cid,), label=concept.label_en)
            continue
        topics.append(Topic("not_held", (cid,), concept.label_en, 1.0, pos, span))
        last_end = pos + len(span)
    topics.extend(fields)
    if not topics:
        socials = [cid for cid in concepts if cid in ("help", "greeting", "thanks")]
        if socials and not unknown:
            topics.append(Topic("social", (socials[0],), socials[0], 1.0, start, text))
    if not topics and unknown and form is not None:
        word, pos = unknown[0]
        end = pos + len(word)
        for more, at in unknown[1:]:  # "multiple tracks": the words said together, together
            if not whole or whole[end:at].strip(" -"):
                break
            word, end = f"{word} {more}", at + len(more)
        topics.append(Topic("not_held", (f"w:{word}",), word, 0.5, pos, word))
    elif not topics and form is not None and (found := _zh_unknown(zh_left)) is not None:
        word, pos = found  # "今天天气怎么样": the weather, not the dates of today
        topics.append(Topic("not_held", (f"w:{word}",), word, 0.5, pos, word))
    if _NEAR.search(text) and any(t.kind == "not_held" for t in topics):
        # "会场附近有酒店吗？", "hotels near the venue?": the hotels asked, not the venue.
        topics = [t for t in topics if t.ids != ("venue",)]
    topics.sort(key=lambda t: t.start)
    return topics


_NEAR = re.compile(r"附近|周边|旁边|周围|\b(?:near|nearby|around|close to)\b")


def _kinds_only(scan: _Scan, a: int, b: int) -> bool:
    """A clause that names dates by kind words alone (截止, 开始, deadline), no subject of its
    own: what it asks is of a subject said before it."""
    concepts = [lx.BY_ID.get(h.meaning[1]) for h in scan.hits
                if a <= h.start < b and h.meaning[0] == "concept"]
    return bool(concepts) and all(c is not None and c.cls in ("kind", "generic")
                                  for c in concepts) and not _zh_runs(left_of(scan, a, b))


_ZH_ASKS = re.compile("什么|什麼|哪|几|多少|多久|吗|呢|怎么|是否|有没有|是不是")
"""The words of a Chinese clause that asks something itself ("全文什么时候截止，..."): no
mere subject said before a comma."""
_ZH_FUNCTION = frozenset("的了吗呢吧啊呀哦嘛么是我你您他她它们这那有在要会能可请问和与及或距离"
                         "就都也还又很太最更什啥哪谁几多少个些把被给对从到向为于之其得地着"
                         "过一不没吃做去来说看想好换成算转按照")
"""Characters that carry no topic of their own (particles, pronouns, common verbs)."""


def _zh_unknown(left: Sequence[tuple[str, int]]) -> tuple[str, int] | None:
    """The first word of two or more Chinese characters that nothing in the lexicon or the
    schedule read (``天气``), and where it starts: what a question asks about when none of its
    words is known, as English's unknown words are; None when only particles are left."""
    run: list[tuple[str, int]] = []
    for ch, pos in [*left, ("", -9)]:
        if ch and ch not in _ZH_FUNCTION and (not run or pos == run[-1][1] + 1):
            run.append((ch, pos))
            continue
        if len(run) >= 2:
            return "".join(c for c, _ in run), run[0][1]
        run = [(ch, pos)] if ch and ch not in _ZH_FUNCTION else []
    return None


def has_length(when: ImportantDate) -> bool:
    """A date one can ask "how long is it" of: a range, or an event (a day is a length)."""
    return (when.end is not None and when.end != when.at) or (
        when.end_day is not None and when.end_day != when.day) or (
        when.kind == "event" and (when.all_day or when.end is not None))


# "registration, not paper registration", "not the abstract, the full paper", "anything other
# than the poster deadline?": the words after the cue name what is set aside, up to the next
# punctuation, dash or "but".
_NEGATION = re.compile(r"(?<![a-z'])(?P<cue>not counting|not including|leaving aside|"
                       r"leaving out|setting aside|ignoring|skipping|not|other than|"
                       r"except(?: for)?|besides|apart from|aside from|excluding|rather than|"
                       r"instead of)\s+"
                       r"(?P<x>[^,;:?!()\n，；：？！（）]+?)"
                       r"(?=\s*(?:[,;:?!()\n，；：？！（）]|\s-+\s|\s+but\b|\s+please\b|$))")
_NOT_AFTER = frozenset(_split_words("""
do does did is are was were can could will would should shall has have had may might must am
i'm i it it's that's they we you he she why if or whether yet still hopefully isn't
"""))
"""A "not" after these is the verb's ("I did not get...", "why not", "or not"), no date set
aside."""


def _negations(norm: str, lang: Language, scan: _Scan, index: Index
               ) -> list[tuple[int, int, tuple[str, ...]]]:
    """Each span a question sets aside and the dates it names: (cue start, span end, ids)."""
    found: list[tuple[int, int, tuple[str, ...]]] = []
    if lang != "en":
        return found  # a Chinese question's are ``negation.excluded``'s, read once in _read
    for m in _NEGATION.finditer(norm):
        if m["cue"] == "not":
            before = re.findall(r"[a-z']+", norm[:m.start()])
            if before and before[-1] in _NOT_AFTER:
                continue
        first = m["x"].split()[0]
        if first not in ("the", "a", "an", "my", "our", "any", "that", "this") and not any(
                h.start == m.start("x") and h.meaning[0] == "concept" for h in scan.hits):
            continue  # "not sure when the deadline is": no date named right after the cue
        side = _side_topic(m.start("x"), m.end("x"), scan, index, norm)
        if side is not None and side.kind == "date":
            found.append((m.start(), m.end("x"), side.ids))
    return found


def _set_aside(scan: _Scan, negations: Sequence[tuple[int, int, tuple[str, ...]]],
               norm: str) -> None:
    """The words of what is set aside read as nothing, and the question not cut at the
    commas around it ("registration, not paper registration - when does it close?" is one
    question about registration)."""
    for a, b, _ in negations:
        scan.hits = [h for h in scan.hits if not a <= h.start < b]
        scan.unknown = [(w, p) for w, p in scan.unknown if not a <= p < b]
        scan.splits = [s for s in scan.splits if not (
            (s < a and not norm[s:a].strip(" ,;，；、")) or
            (s >= b and norm[s:s + 1] in ",;，；、" and not norm[b:s].strip()))]


_READINGS_KEPT = 1024
_LONGEST_KEPT = 400


def read(question: str, index: Index) -> Reading:
    """Read a question against one schedule's index. Never raises; never looks at a clock.

    Memoized per index (the reading depends on nothing else): a question asked again costs a
    dict lookup. Kept least recently used first, at most ``_READINGS_KEPT``; long texts (a
    mail's whole body) are read each time rather than kept."""
    kept = index.readings
    hit = kept.pop(question, None)
    if hit is not None:
        kept[question] = hit  # now the most recently used
        return cast("Reading", hit)
    reading = _read(question, index)
    if len(question) <= _LONGEST_KEPT:
        if len(kept) >= _READINGS_KEPT:
            # Answers run in worker threads: another may have changed it meanwhile.
            with suppress(RuntimeError, StopIteration):
                kept.pop(next(iter(kept)), None)
        kept[question] = reading
    return reading


def _read(question: str, index: Index) -> Reading:
    norm = normalize(question)
    lang = language(norm)
    original = question[:len(norm)] if len(question) >= len(norm) else question
    event = index.event
    china_first = lang == "zh" or "Asia/Shanghai" in (
        event.zone.key, event.venue_zone.key if event.venue_zone else "")
    zones = _zones_in_text(original if len(original) == len(norm) else norm, norm, china_first)
    taken = [(s, e) for s, e, _, _ in zones]
    ordinals = [o for o in [*_ordinals(norm), *_day_ordinals(norm, index)]
                if not any(s <= o[0] < e for s, e in taken)]
    taken += [(s, e) for s, e, _, _ in ordinals]
    dayparts = [(m.start(), m.end(), _DAYPART[m["w"] or m["w2"] or m["w3"]])
                for m in _DAYPART_RE.finditer(norm)
                if not any(s <= m.start() < e for s, e in taken)]
    taken += [(s, e) for s, e, _ in dayparts]
    # A time of day said in Chinese ("下午三点", "9点半") is the clock asked, never a subject.
    clocks = [m.span() for m in _CLOCK_ZH.finditer(norm)
              if not any(s <= m.start() < e for s, e in taken)]
    # So is an English one with its "am"/"pm" ("is it before 8 pm?" asks of the next date).
    clocks += [m.span() for m in _CLOCK_EN.finditer(norm)
               if m["ap"] and not any(s <= m.start() < e for s, e in taken)]
    # And a day said with its month ("on sept 11"): the day asked, never a subject "sept".
    clocks += [m.span() for m in _DAY_EN.finditer(norm)
               if not any(s <= m.start() < e for s, e in taken)]
    # "is the workshop two days?": a length asked, never "Workshop day 2" by its number.
    lengths = [m.span() for m in _SPAN_ASKED.finditer(norm) if m["n"]
               and not any(s <= m.start() < e for s, e in taken)]
    # "注册（不是论文注册）", "全文（而不是摘要）": the words a Chinese question excludes name
    # no topic; the dates they name are taken out of the topics below. An English question's
    # ("registration (not paper registration)", "rather than the abstract") are set aside by
    # ``_negations`` instead: one mechanism per question, never both.
    unwanted = [] if lang == "en" else [
        (s, e, ids) for s, e, words in negation.excluded(norm)
        if (ids := _dates_named(words, index))]
    taken += [(s, e) for s, e, _ in unwanted]
    scan = _scan(norm, index, taken + clocks + lengths)
    _know_of_other(scan, len(norm))
    negations = _negations(norm, lang, scan, index)
    _set_aside(scan, negations, norm)
    excluded = tuple(dict.fromkeys([*(i for *_, ids in negations for i in ids),
                                    *(i for *_, ids in unwanted for i in sorted(ids))]))
    matches = [Match(z.text, s, e, f"zone {'/'.join(z.zones)}") for s, e, z, _ in zones]
    matches += [Match(norm[s:e], s, e, f"ordinal {n} of {what}") for s, e, n, what in ordinals]
    candidates = list(zones)
    venue_names = index.venue_names
    asks_venue = any(h.meaning in (("concept", "event"), ("concept", "venue"))
                     for h in scan.hits)
    # "the deadline in Tokyo or London?": a place beside a deadline, not the event, is a zone.
    of_due = not asks_venue and any(h.meaning in (("concept", "deadline"), ("concept", "notify"),
                                                  ("concept", "camera")) for h in scan.hits)
    asks_time = any(h.meaning in (("form", "when"), ("form", "howlong")) for h in scan.hits
                    if h.text not in ("date", "dates", "日期")) or bool(_HOUR.search(norm))
    venue_check = ""
    content_words = [w.text for w in scan.words if w.text not in _FILLER]
    zh_filler = all(ch in "那呢的吗和还有么嗯啊呀" for ch, _ in scan.leftover_zh)
    for hit in scan.hits:
        kind, value = hit.meaning
        if kind in ("venuename", "place") and _NOT_THERE.search(norm[:hit.start]):
            # "I'm not in Boston, what time is it for me?": a place the asker is not in
            # names no zone to answer in (and no place the event is asked to be in).
            matches.append(Match(hit.text, hit.start, hit.end, "a place the asker is not in"))
            continue
        if kind == "venuename":
            if _self_located(norm, hit.start) or (asks_time and _place_cued(hit, scan, norm)):
                # The place hit of the same words makes it the asker's zone, or the zone a
                # time is asked in ("what time does the tutorial start in Munich?").
                continue
            if of_due:
                continue  # read as the place it is, a zone (below)
            if not norm[hit.end:].lstrip().startswith(("time", "时间", "时区")) and \
                    not _PAIRED_TIME.match(norm, hit.end):
                venue_check = _either(venue_check, value, venue_names)
                matches.append(Match(hit.text, hit.start, hit.end, "the event's own place"))
            continue
        if kind == "place":
            place = lookup(value)
            if place is None:
                continue
            written = region_after(norm[hit.end:]) if place.kind in ("city", "alias") else None
            if written is not None:  # "Cambridge, Massachusetts": the state says which
                place = in_region(place, value, written[1])
            # "北京时间" names a zone by itself: never "is the workshop in Beijing?".
            timed = norm[hit.end:].lstrip().startswith(("time", "时间", "时区")) or \
                value.endswith(("时间", "时区", " time")) or bool(_PAIRED_TIME.match(
                    norm, hit.end))
            mine = _self_located(norm, hit.start)
            # "when does the workshop start in London?": a time asked in a place that is not
            # the event's own is the zone to answer in, never "is it held in London?".
            elsewhere = asks_time and _place_cued(hit, scan, norm)
            if not timed and not mine and not elsewhere and place.kind in (
                    "city", "country", "alias") and (
                    asks_venue or (value in venue_names and not of_due)):
                venue_check = _either(venue_check, value, venue_names)
                matches.append(Match(hit.text, hit.start, hit.end, "a place the event may be in"))
                continue
            alone = (len(content_words) <= len(hit.text.split()) and zh_filler
                     and not any(h.meaning[0] == "concept" for h in scan.hits))
            cued = (place.kind == "zone-name" or value.endswith(("时间", " time"))
                    or alone or mine or timed or _place_cued(hit, scan, norm)
                    or (_word_before(hit, scan) in ("or", "and", "&") and any(
                        c[3] >= 1 for c in candidates)))  # "in Tokyo or London"
            if cued:
                candidates.append((hit.start, hit.end, NamedZone(
                    hit.text, place.zones, place.kind, place.meanings),
                    2 if place.kind == "zone-name" else 1))
                matches.append(Match(hit.text, hit.start, hit.end,
                                     f"zone {'/'.join(place.zones)} ({place.kind})"))
            else:
                matches.append(Match(hit.text, hit.start, hit.end, "a place, not as a zone"))
        elif kind in ("mytime", "venuetime"):
            candidates.append((hit.start, hit.end, NamedZone(hit.text, (), kind), 0))
            matches.append(Match(hit.text, hit.start, hit.end, kind))
        else:
            matches.append(Match(hit.text, hit.start, hit.end, f"{kind} {value}", hit.score))
    zone = None
    if candidates:
        top = max(p for *_, p in candidates)
        zone = min((c for c in candidates if c[3] == top), key=lambda c: c[0])[2]
    also = _also_zones(zone, candidates)
    # Clauses: cut at separators and "and".
    cuts = sorted({0, *scan.splits, len(norm)})
    clauses: list[Clause] = []
    at: list[tuple[int, int]] = []  # where each clause is in the question
    last_form: Form | None = None
    raw: list[tuple[int, int, Form | None, list[Topic], tuple[str, ...], int | None, bool,
                    bool]] = []
    masked = norm  # the clock asked, read where no zone was ("+05:30" is no time of day)
    for s_, e_ in taken:
        masked = masked[:s_] + " " * (e_ - s_) + masked[e_:]
    spans = list(pairwise(cuts))
    seg_hits = [[h for h in scan.hits if a <= h.start < b and h.meaning[0] not in
                 ("place", "mytime", "venuetime")] for a, b in spans]
    for i in reversed(range(len(spans) - 1)):  # "cycle 1, cycle 2 and industry deadlines"
        # "when are the research and industry deadlines?": the kind word said once, after
        # both, belongs to both (a clause of its own with no form of its own).
        # Only the kind that heads the words after ("and camera-ready deadlines": the
        # deadline, not the camera-ready; "and camera-ready" alone is no head).
        kinds = [h for h in seg_hits[i + 1] if _is_kind(h)][-1:]
        if kinds and not any(h.meaning[0] == "concept" and h.start < kinds[0].start
                             for h in seg_hits[i + 1]):
            kinds = []
        # Only a clause that names a date's words ("the research"), not a field alone
        # ("Dear organizers," before "... the deadline for registration?").
        if kinds and not any(_is_kind(h) for h in seg_hits[i]) and any(
                h.meaning[0] == "concept" and not _is_field(h) for h in seg_hits[i]) and not any(
                h.meaning[0] == "form" for h in seg_hits[i + 1]):
            seg_hits[i] = [*seg_hits[i], *kinds]
    for (a, b), hits in zip(spans, seg_hits, strict=True):
        # "最终版本要在什么时候之前上传？" asks by when, not what comes before it.
        hits = [h for h in hits if h.meaning not in (("rel", "before"), ("rel", "after"))
                or not _BY_WHEN_ZH.search(norm[max(a, h.start - 5):h.end])]
        unknown = [(w, p) for w, p in scan.unknown if a <= p < b]
        left = [(c, p) for c, p in scan.leftover_zh if a <= p < b]
        text = norm[a:b].strip(" ?？,，;；。!！\n")
        lead = b - len(norm[a:b].lstrip(" ?？,，;；。!！\n"))
        if not text or any(s <= lead and b <= e + 1 for s, e, _ in unwanted):
            continue  # nothing, or only what the question excludes ("，而不是论文摘要，")
        form = _form_of(hits, norm[a:b], lang)
        words = [w.text for w in scan.words if a <= w.start < b]
        length = form == "howlong" and (_is_length(words) or (
            lang == "zh" and "多长" in norm[a:b] and not re.search("还有|剩|距离|到", norm[a:b])))
        topics = _clause_topics(hits, unknown, left, form, length, index, text, a, norm)
        if form == "howlong" and not length and _asks_span(words, norm[a:b], lang):
            # "how many days is the workshop": its length, not the time left.
            lasting = [replace(t, ids=tuple(d for d in t.ids if has_length(index.date(d))))
                       if t.kind == "date" else t for t in topics]
            if any(t.kind == "date" and t.ids for t in lasting):
                topics = [t for t in lasting if t.kind != "date" or t.ids]
                length = True
        if _SALUTATION.match(text) and len(text.split()) <= 3 and topics and all(
                t.ids == ("contact",) for t in topics):
            continue  # "Dear organizers, could you tell me ...": whom the letter is to
        if form is None and "?" in norm[a:b + 1] and any(
                t.ids == ("anonymity",) for t in topics):
            form = "yesno"  # "single blind?"
        said = [index.titles[d] for t in topics if t.kind == "date" for d in t.ids[:50]
                if index.titles[d] and index.titles[d] in norm[a:b]]
        # "when is the Following talk?": a word of a title said whole is the title's.
        relative = tuple(dict.fromkeys(v for h in hits if h.meaning[0] == "rel"
                                       for v in (h.meaning[1],)
                                       if not any(re.search(rf"(?<!\w){re.escape(h.text)}(?!\w)",
                                                            title) for title in said)))
        if "passed" in relative and {"started", "out"} & set(relative) and all(
                h.text == "已经" for h in hits if h.meaning == ("rel", "passed")):
            # "研讨会已经开始了吗？": 已经 ("already") says when of the verb after it.
            relative = tuple(r for r in relative if r != "passed")
        weekday = next((int(h.meaning[1]) for h in hits if h.meaning[0] == "weekday"), None)
        if _CLOCKS_CHANGE.search(norm[a:b]):
            relative = tuple(r for r in relative if r != "extended")  # the clocks' change
        if "this_weekend" in relative and _A_WEEKEND.search(norm[a:b]) and any(
                t.kind == "date" for t in topics):
            # "is the workshop on a weekend?", "摘要截止是周末吗？": a Saturday or Sunday,
            # whichever week, not this weekend.
            relative = tuple("weekend" if r == "this_weekend" else r for r in relative)
        blind = any(n in norm[a:b] for n in lx.NEGATIVE_BLIND)
        raw.append((a, b, form, topics, relative, weekday, length, blind))
    pages_asked = _page_count(norm)
    missed: tuple[str, ...] = ()
    for i, (a, b, form, topics, relative, weekday, length, blind) in enumerate(raw):
        # "missed the research deadline. short paper deadline?": a question by its mark too
        asked_later = any((r[2] is not None or norm[r[1]:r[1] + 1] == "?") and r[3]
                          for r in raw[i + 1:])
        if asked_later and ((form is None and (norm[b:b + 1] == "." or (
                norm[b:b + 1] == "," and _DONE.match(norm[a:b]))))
                or (norm[b:b + 1] in ",.;" and _CANNOT.match(norm[a:b]))):
            # "I got accepted. When do I need to confirm?", "we registered the abstract
            # already, when is the full paper due?", "can't make the abstract deadline,
            # when's the full paper due?": the statement is context
            if _MISSED.match(norm[a:b]):
                missed = tuple(d for t in topics if t.kind == "date" for d in t.ids
                               if "register" in index.date_terms[d])
            continue
        wh = re.match(r"\s*(?:and\s+|so\s+)?(?:what|what's|whats|which|who|how|when|where)\b",
                      norm[a:b])
        if form is None and not wh and "?" in norm[a:b + 1] and (
                weekday is not None or _clock(masked[a:b]) is not None
                or _month_day(masked[a:b]) is not None or set(relative) & _WINDOW_RELS
                or set(relative) & {"passed", "still", "started", "out", "extended"}):
            # "what time is the deadline? 12 noon?", "registration closes today?", "too late
            # for the abstract?": asks whether it is.
            form = "yesno"
        if form is None:
            form = last_form or next((r[2] for r in raw[i + 1:] if r[2] is not None), None)
        counted = any(a <= s_ < b for s_, _, _, _ in ordinals)  # "the 2nd and 3rd deadlines"
        has_any = bool(topics) or bool(relative) or weekday is not None or form is not None \
            or counted or _month_day(masked[a:b]) is not None
        if not has_any:
            continue
        later = next((r[3] for r in raw[i + 1:] if r[3]), None)
        if not topics and not relative and weekday is None and later and i + 1 < len(raw) \
                and raw[i + 1][3] != [] and (form is not None or counted):
            # "when and where is the workshop?": the subject comes after both forms.
            topics = [t for t in raw[i + 1][3] if t.kind == "date"] or list(later)
        if length and clauses and all(t.kind == "field" and t.label == "length"
                                      for t in topics) and topics:
            prev = [t for t in clauses[-1].topics if t.kind == "date" and any(
                has_length(index.date(d)) for d in t.ids)]
            if prev:
                topics = prev  # "when is the conference and how long is it?": its length
        if topics and clauses and all(t.kind == "date" and t.weak for t in topics) and \
                re.search(r"\b(?:it|they|that|this)\b|它|这个|那个", norm[a:b]):
            prev = [t for t in clauses[-1].topics if t.kind == "date"]
            if prev:
                topics = prev  # "how long is the discussion phase and when does it start?"
        if lang == "zh" and topics and all(t.kind == "date" for t in topics) and \
                i > 0 and raw[i - 1][2] in (None, "what") and at and at[-1][0] == raw[i - 1][0] \
                and not norm[raw[i - 1][1]:a].strip(" ,、") \
                and "," in norm[max(0, raw[i - 1][1] - 1):a + 1] \
                and not _ZH_ASKS.search(norm[raw[i - 1][0]:raw[i - 1][1]]) \
                and _kinds_only(scan, a, b):
            prev = [t for t in clauses[-1].topics if t.kind == "date" and not t.weak]
            asked = {d for t in topics for d in t.ids}
            weak = all(t.weak for t in topics)
            if prev and (weak or {d for t in prev for d in t.ids} <= asked):
                # "全文，什么时候截止？", "摘要和全文，截止分别是几号？": the subject said before
                # the comma (no question of its own) is what the question after it asks of;
                # every clause of it ("摘要" "和全文").
                clauses.pop()
                at.pop()
                j = i - 1
                while j > 0 and clauses and at and at[-1][0] == raw[j - 1][0] \
                        and raw[j - 1][2] in (None, "what") and all(
                        t.kind == "date" and not t.weak and (weak or set(t.ids) <= asked)
                        for t in clauses[-1].topics) \
                        and clauses[-1].topics and not norm[raw[j - 1][1]:raw[j][0]].strip(" ,、") \
                        and not _ZH_ASKS.search(norm[raw[j - 1][0]:raw[j - 1][1]]):
                    prev = [*clauses.pop().topics, *prev]
                    at.pop()
                    j -= 1
                topics = prev
        if topics and all(t.kind == "date" and t.weak for t in topics) and \
                set(relative) & _WINDOW_RELS:
            # "what's happening next week?": any date then, not the event "happening" names.
            topics = [Topic("next", (), "the next date", 0.5, a, norm[a:b].strip())]
        if not topics and clauses and (form is not None or relative or weekday is not None):
            # "... and when is it?": the previous clause's subject.
            prev = [t for t in clauses[-1].topics if t.kind in ("date", "next")]
            topics = prev
            if prev and i > 0 and raw[i - 1][2] is None and at and at[-1][0] == raw[i - 1][0] \
                    and _STATEMENT.match(norm[raw[i - 1][0]:raw[i - 1][1]]):
                # "I'm not registered yet, is it too late?": the statement (its "yet" no
                # "still") only names what the question after it asks about.
                clauses.pop()
                at.pop()
                if _MISSED.match(norm[raw[i - 1][0]:raw[i - 1][1]]) and \
                        _HAND_IN.search(norm[a:b]):
                    topics, missed = _handed_in_after(prev, a, norm[a:b].strip(), index)
            if "next" in relative and any(t.kind == "date" for t in prev) and re.search(
                    r"\b(?:next|following|another|other)\s+one\b", norm[a:b]):
                # "missed cycle 1, when's the next one?": the next date of its kind after it;
                # the statement before, with no form of its own, is the context.
                relative = (*relative, "next_one")
                if i > 0 and raw[i - 1][2] is None and at and at[-1][0] == raw[i - 1][0]:
                    clauses.pop()
                    at.pop()
            words = [w.text for w in scan.words if a <= w.start < b]
            if form == "howlong" and not length and _asks_span(words, norm[a:b], lang) and any(
                    t.kind == "date" and any(has_length(index.date(d)) for d in t.ids)
                    for t in topics):
                length = True  # "when is the workshop and how many days is it?"
        elif not topics and "passed" in relative and (due := _due_said(norm[a:b], a, index)):
            topics = [due]  # "截止了吗？": the deadlines, each passed or not
        elif not topics and (relative or weekday is not None or form is not None
                             or _month_day(masked[a:b]) is not None):
            topics = [Topic("next", (), "the next date", 0.5, a, norm[a:b].strip())]
        ordinal = next(((n, what) for s_, _, n, what in ordinals if a <= s_ < b), (0, ""))
        if ordinal[0] and ordinal[1] == "date" and topics and all(
                t.kind == "next" or t.ids == ("all_dates",) for t in topics):
            # "the last date": counted over every date of the schedule.
            topics = [Topic("date", tuple(d.id for d in index.ordered if not d.cancelled),
                            "dates", 0.5, a, norm[a:b].strip())]
        at.append((a, b))
        clauses.append(Clause(norm[a:b].strip(" ?？,，;；。!！\n"), form or "what",
                              tuple(topics), relative, weekday, pages_asked, length, blind,
                              venue_check, bool(_EXISTS.search(norm[a:b])),
                              bool(_HOUR.search(norm[a:b])),
                              bool(_ASKS_ZONE.search(norm[a:b])),
                              _clock(masked[a:b]), _month_day(masked[a:b]),
                              bool(_FUTURE_EXT.search(norm[a:b])),
                              _clause_unknown(scan, left_of(scan, a, b), a, b, index),
                              ordinal=ordinal[0] if any(t.kind == "date" for t in topics)
                              else 0, ordinal_of=ordinal[1],
                              daypart=next((w for s_, _, w in dayparts if a <= s_ < b), ""),
                              month=_month_alone(masked[a:b]),
                              span_asked=_span_asked(masked[a:b]),
                              clocks=bool(_CLOCKS_CHANGE.search(norm[a:b])),
                              ahead=_ahead(masked[a:b]), missed=missed))
        missed = ()
        last_form = form
    if unwanted:
        clauses, at = _excluding(clauses, at, unwanted)
    compared = _comparison(norm, lang, scan, index)
    if compared is not None:
        # "is the notification before the camera-ready?": one clause holding both dates.
        compares, a, b = compared
        first = next((i for i, (s_, _) in enumerate(at) if a <= s_ < b), len(clauses))
        kept = [(c, span) for c, span in zip(clauses, at, strict=True)
                if not a <= span[0] < b]
        clauses = [c for c, _ in kept[:first]] + compares + [c for c, _ in kept[first:]]
    # Socials only when nothing else was asked: "hi, when is the deadline?" asks a date.
    if any(t.kind != "social" for c in clauses for t in c.topics):
        clauses = [c for c in clauses if any(t.kind != "social" for t in c.topics)]
    if not clauses and not re.search(r"[a-z0-9]|[\u3400-\u9fff]", norm):
        # Nothing but spaces or punctuation: the question is "what can you do?".
        clauses = [Clause(norm.strip(), "what", (Topic("social", ("help",), "help"),))]
    if zone is not None and all(t.kind == "social" for c in clauses for t in c.topics):
        clauses = []  # "Thanks! And in IST?": a zone asks for a date, not for a greeting
    if excluded:
        clauses = _without(clauses, excluded, norm, index)
    if not clauses and zone is not None:
        clauses = [Clause(norm.strip(), "when", (Topic("next", (), "the next date", 0.5),),
                          (), None, pages_asked, False, False, venue_check)]
    if venue_check and any(t.kind == "not_held" and (c := lx.BY_ID.get(t.ids[0])) is not None
                           and c.cls == "subject" for cl in clauses for t in cl.topics):
        # "do I need a visa for Canada?": the place says whose visa, not "is it held there?"
        # (a "Yes: it is held at ..." would read as "yes, you need one").
        venue_check = ""
    if venue_check:
        # "is the workshop in Shanghai?" asks where, not when: the venue part answers it.
        clauses = [replace(c, topics=tuple(t for t in c.topics if not (
            (t.kind == "next" and not t.ids) or (t.kind == "date" and any(
                index.date(d).kind == "event" for d in t.ids))))) for c in clauses]
    if venue_check and not any(t.ids == ("venue",) for c in clauses for t in c.topics):
        clauses = [replace(c, topics=(*c.topics, Topic("field", ("venue",), "venue", 1.0,
                                                       len(norm), venue_check)))
                   if i == 0 else c for i, c in enumerate(clauses)]
    return Reading(question=question, normalized=norm, language=lang,
                   matches=tuple(sorted(matches, key=lambda m: m.start)), zone=zone,
                   clauses=tuple(clauses), unknown=tuple(w for w, _ in scan.unknown),
                   also=also)


def _without(clauses: Sequence[Clause], excluded: tuple[str, ...], norm: str, index: Index
             ) -> list[Clause]:
    """Clauses with the dates set aside taken out of their topics; a clause left with no
    subject (or a question that was only "anything other than X?") asks for the rest."""
    out: list[Clause] = []
    for clause in clauses or [Clause(norm.strip(), "what", ())]:
        topics: list[Topic] = []
        for t in clause.topics:
            if t.kind != "date":
                topics.append(t)
            else:
                # Named by words outside what is set aside ("not the application, the travel
                # grant deadline" where "application" is in both titles): the words said win.
                kept = _less(t.ids, excluded)
                if re.search(r"\bones?\b", clause.text):
                    # "not the industry notification, the research one": "one" is a date of
                    # the kind set aside.
                    kinds = {index.date(i).kind for i in excluded}
                    kept = tuple(i for i in kept if index.date(i).kind in kinds) or kept
                topics.append(replace(t, ids=kept))
        if not topics:
            topics = [Topic("next", (), "the other dates", 0.5, 0, clause.text)]
        out.append(replace(clause, topics=tuple(topics), excluded=excluded))
    return out


def _less(ids: tuple[str, ...], gone: Collection[str]) -> tuple[str, ...]:
    """The dates not set aside; all of them when none would be left (a topic that names only
    dates set aside is what is left to answer: the words said win)."""
    return tuple(i for i in ids if i not in gone) or ids


def _due_said(text: str, start: int, index: Index) -> Topic | None:
    """The deadlines a Chinese "has it closed?" names by its verb alone: 截止 every deadline
    (as "has the deadline passed?"), 截稿 the manuscripts' (a paper or a submission), else
    every deadline. None for a schedule without deadlines, or a question with neither."""
    if "截止" not in text and "截稿" not in text:
        return None
    due = [d for d in index.ordered if d.kind in ("deadline", "camera-ready")
           and not d.cancelled]
    if "截稿" in text:
        due = [d for d in due if d.kind == "deadline"
               and {"paper", "submit"} & index.date_terms[d.id].keys()] or due
    if not due:
        return None
    return Topic("date", tuple(d.id for d in due), "deadline", 1.0, start, text.strip())


def _dates_named(words: str, index: Index) -> frozenset[str]:
    """The dates some words name on their own ("论文注册": the paper registration)."""
    reading = read(words, index)
    return frozenset(d for c in reading.clauses for t in c.topics if t.kind == "date"
                     for d in t.ids)


_RESTATED = ("是", "而是", "只是", "but ", "i mean ", "just ")


def _excluding(clauses: Sequence[Clause], at: Sequence[tuple[int, int]],
               unwanted: Sequence[tuple[int, int, frozenset[str]]]
               ) -> tuple[list[Clause], list[tuple[int, int]]]:
    """The clauses without the dates the question excludes, where others are left (a topic
    that names only excluded dates is what is left to answer). A clause right after an
    exclusion that names some of the dates of the one before ("不是摘要注册，是会议注册";
    "我问的是海报摘要，而不是论文摘要，几号截止？") says that one again: the two are one, on the
    dates both name."""
    gone = {d for _, _, ids in unwanted for d in ids}
    out: list[Clause] = []
    spans: list[tuple[int, int]] = []
    for clause, span in zip(clauses, at, strict=True):
        topics = tuple(replace(t, ids=_less(t.ids, gone)) if t.kind == "date" else t
                       for t in clause.topics)
        clause = replace(clause, topics=topics)
        if out and any(spans[-1][1] <= s <= e <= span[0] + 1 for s, e, _ in unwanted):
            before = [d for t in out[-1].topics if t.kind == "date" for d in t.ids]
            now = {d for t in topics if t.kind == "date" for d in t.ids}
            both = tuple(d for d in before if d in now)
            if both:
                kept_topics = tuple(replace(t, ids=tuple(d for d in t.ids if d in both))
                                    for t in out[-1].topics
                                    if t.kind != "date" or any(d in both for d in t.ids))
                out[-1] = replace(out[-1], topics=kept_topics)
                spans[-1] = (spans[-1][0], span[1])
                continue
            if before and clause.text.startswith(_RESTATED):
                continue  # "是会议注册": what the clause before, less the excluded, asks
        out.append(clause)
        spans.append(span)
    return out, spans


def _also_zones(zone: NamedZone | None,
                candidates: Sequence[tuple[int, int, NamedZone, int]]) -> tuple[NamedZone, ...]:
    """The other zones a question names beside the one it is answered in ("in AoE and Beijing
    time", "PST or UTC?", "in UTC and my time"): each distinct, each answered too. A weak "for
    me" is no second zone ("the deadline for me in Bangalore" names one)."""
    if zone is None:
        return ()
    out: list[NamedZone] = []
    for _, _, z, priority in sorted(candidates, key=lambda c: c[0]):
        strong = z.kind == "mytime" and any(w in z.text for w in ("time", "时间", "时区"))
        if z is zone or (priority < 1 and not strong):
            continue
        if any(z.kind == o.kind and z.zones == o.zones and _same_name(z, o)
               for o in (zone, *out)):
            continue
        out.append(z)
    return tuple(out[:3])


def _same_name(a: NamedZone, b: NamedZone) -> bool:
    """Whether two zones named are one: "CET or CEST?" names two (Paris's winter and summer
    clocks, asked which), "PST or Pacific time?" one."""
    return a.kind != "abbreviation" or a.text.upper() == b.text.upper()


def inherit(reading: Reading, previous: Mapping[str, Any] | None, index: Index) -> Reading:
    """A follow-up ("and in IST?", "is it AoE?") takes the thread's last topics and zone."""
    if not previous:
        return reading
    known = {d.id for d in index.event.dates}
    topics = tuple(Topic(t["kind"], tuple(t["ids"]), t.get("label", ""))
                   for t in previous.get("topics", ())
                   if t.get("kind") in ("date", "field", "faq", "not_held")
                   and (t["kind"] != "date" or all(i in known for i in t["ids"])))
    zone = reading.zone
    if zone is None and previous.get("zone"):
        z = previous["zone"]
        zone = NamedZone(z["text"], tuple(z["zones"]), z["kind"], tuple(z.get("meanings", ())))
    only_next = all(t.kind == "next" or (t.kind == "field" and t.label == "length")
                    for t in reading.topics)
    narrowed = _pronoun_of_kind(reading, topics) or _plain_one(reading, topics, index)
    if narrowed is not None:
        return replace(reading, zone=zone, clauses=narrowed, followup=True)
    if not topics or not only_next:
        return replace(reading, zone=zone, followup=zone is not reading.zone)
    form = previous.get("form", "when")
    compare = str(previous.get("compare", ""))
    if compare and not (len(topics) == 2 and all(t.kind == "date" for t in topics)):
        compare = ""
    lasting = any(t.kind == "date" and any(has_length(index.date(d)) for d in t.ids)
                  for t in topics)
    clauses = tuple(_followed(replace(c, topics=topics, form=form if compare or c.form == "what"
                                      else c.form, compare=compare,
                                      # "有几天？" after "反驳期什么时候？": how long it lasts
                                      length=c.length or (c.form == "howlong" and lasting
                                                          and _asks_span(c.text.split(), c.text,
                                                                         reading.language))),
                              index)
                    for c in reading.clauses[:1]) or (
        Clause(reading.normalized, form, topics, compare=compare),)
    return replace(reading, zone=zone, clauses=clauses, followup=True)


def _pronoun_of_kind(reading: Reading, topics: tuple[Topic, ...]) -> tuple[Clause, ...] | None:
    """ "and when does it close?" after "when does registration open?": "it" is the thread's
    dates, and the kind word ("close") picks those of its kind among them (the registration
    deadlines, not every deadline). None when the question names more than a kind, or no
    date of the thread is of it."""
    if not reading.clauses or not re.search(r"\b(?:it|they|them|that|this)\b",
                                            reading.clauses[0].text):
        return None
    said = [m.meaning.split()[-1] for m in reading.matches if m.meaning.startswith("concept ")]
    if not said or any(by_kind(c) != "kind" for c in said):
        return None
    first = reading.clauses[0]
    now_ids = {d for t in first.topics if t.kind == "date" for d in t.ids}
    if not now_ids or any(t.kind != "date" for t in first.topics):
        return None
    both = tuple(d for t in topics if t.kind == "date" for d in t.ids if d in now_ids)
    if not both:
        return None
    return (replace(first, topics=(Topic("date", both, "", 1.0, 0, first.text),)),
            *reading.clauses[1:])


_PLAIN_ONE = re.compile(r"^(?:and|what about|how about|or)?\s*(?:for\s+)?(?:the\s+)?"
                        r"(?:regular|normal|standard|general|usual|ordinary|plain|full)\s+"
                        r"(?:one|rate|price|deadline)?\W*$")


def _plain_one(reading: Reading, topics: tuple[Topic, ...], index: Index
               ) -> tuple[Clause, ...] | None:
    """ "and the regular one?" after "when is student registration?": the date of the
    same kind whose title says only what the thread's date says less its own modifier
    ("Registration deadline"). None when the question is no such follow-up or no date is."""
    if len(reading.clauses) > 1 or not _PLAIN_ONE.match(reading.normalized.strip()):
        return None
    before = [d for t in topics if t.kind == "date" for d in t.ids]
    if len(before) != 1:
        return None
    was = index.date(before[0])
    terms = index.date_terms[was.id].keys()
    plain = tuple(d.id for d in index.ordered if d.id != was.id and d.kind == was.kind
                  and set(index.date_terms[d.id]) < set(terms))
    if not plain:
        return None
    first = reading.clauses[0] if reading.clauses else Clause(reading.normalized, "when", ())
    return (replace(first, topics=(Topic("date", plain, "", 1.0, 0, first.text),),
                    form="when" if first.form in ("what", None) else first.form),)


def _followed(clause: Clause, index: Index) -> Clause:
    """A follow-up clause given the thread's dates: "and the next one?" is the next of their
    kind; "how many days?" of a range or an event is its length, as "how long is it?" is."""
    dated = [index.date(d) for t in clause.topics if t.kind == "date" for d in t.ids]
    if dated and re.search(r"\b(?:next|following|another|other)\s+one\b", clause.text):
        clause = replace(clause, relative=(*clause.relative, "next_one"))
    if clause.form == "howlong" and clause.span_asked == (0, "day") and not clause.length \
            and dated and all(has_length(d) for d in dated):
        clause = replace(clause, length=True)
    return clause


def remember(reading: Reading) -> dict[str, Any]:
    """What a thread keeps of a reading for its follow-ups: small, plain JSON."""
    topics = [{"kind": t.kind, "ids": list(t.ids[:8]), "label": t.label[:80]}
              for t in reading.topics if t.kind in ("date", "field", "faq", "not_held")][:6]
    form = next((c.form for c in reading.clauses), "when")
    zone = None if reading.zone is None else {
        "text": reading.zone.text[:40], "zones": list(reading.zone.zones[:4]),
        "kind": reading.zone.kind, "meanings": list(reading.zone.meanings[:4])}
    compare = next((c.compare for c in reading.clauses if c.compare), "")
    return {"topics": topics, "form": form, "zone": zone, "language": reading.language,
            **({"compare": compare} if compare else {})}


__all__ += ["inherit", "remember", "title_terms"]
