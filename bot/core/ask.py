"""Answer what participants ask ("when is the deadline?", "is it double blind?") from a schedule.

Two steps, both pure: ``classify`` turns free text (typos, any phrasing) into an intent with a
keyword scorer that forgives one or two letters; ``answer`` speaks of the right dates in the
reader's zone with the date's own zone beside. ``now`` is always a parameter: no clock, no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.core.model import Event, ImportantDate, check_aware
from bot.core.timefmt import countdown, describe, format_day, format_instant, relative, zone_caption
from bot.core.zones import Zone

__all__ = ["INTENTS", "Answer", "answer", "classify"]

INTENTS: tuple[str, ...] = (
    "deadline", "time_left", "notification", "camera_ready", "event", "submit", "page_limit",
    "format", "anonymize", "contact", "all_dates", "help", "greeting", "unknown",
)
"""Every intent ``classify`` can return; earlier ones win ties."""


@dataclass(frozen=True, kw_only=True)
class Answer:
    """A reply: what was understood, the plain text, and the dates it speaks of."""

    intent: str
    text: str
    dates: tuple[ImportantDate, ...]


# --- understanding the question -------------------------------------------------------------

# Word -> weight for each intent. Inflections and typos are folded onto these words first.
_KEYWORDS: Mapping[str, Mapping[str, float]] = {
    "deadline": {
        "deadline": 2, "due": 2, "cutoff": 3, "close": 1.5, "closes": 1.5, "closing": 1.5,
        "closed": 1.5, "extended": 3, "extension": 3, "extend": 3, "postponed": 2,
        "postpone": 2, "delayed": 1.5, "late": 1.5, "submission": 1, "abstract": 0.5,
        "paper": 0.5, "poster": 0.5, "open": 1, "passed": 1, "missed": 1.5, "over": 0.5,
    },
    "notification": {
        "notification": 3, "notify": 3, "notified": 3, "hear": 2, "decision": 3,
        "acceptance": 3, "accept": 2.5, "accepted": 2.5, "reject": 2.5, "rejected": 2.5,
        "rejection": 2.5, "result": 2, "outcome": 2.5, "reviews": 2, "review": 1,
        "response": 2, "know": 1, "feedback": 2, "accepts": 2.5,
    },
    "camera_ready": {
        "camera": 3, "cameraready": 4, "ready": 1, "final": 2.5, "version": 1,
        "proceedings": 2, "publication": 1.5, "upload": 1, "revised": 2, "crc": 3,
    },
    "event": {
        "workshop": 2.5, "event": 2.5, "held": 3, "venue": 3, "location": 3, "located": 2.5,
        "where": 2, "happen": 2, "happening": 2, "take": 0.5, "place": 1, "city": 2,
        "conference": 2, "attend": 2, "attending": 2, "sosp": 1, "session": 1.5,
        "symposium": 2.5, "meeting": 1.5,
    },
    "submit": {
        "submit": 3, "submission": 1, "link": 3, "url": 2.5, "website": 2, "site": 2,
        "portal": 3, "cmt": 3, "easychair": 3, "hotcrp": 3, "openreview": 3, "system": 1.5,
        "upload": 1.5, "send": 1.5, "uploading": 1.5,
    },
    "page_limit": {
        "page": 3, "pages": 3, "pp": 2, "limit": 2, "length": 3, "words": 1.5, "size": 1.5,
        "maximum": 1.5, "max": 1.5, "short": 1, "longer": 1, "extra": 1, "appendix": 2,
        "references": 1.5,
    },
    "format": {
        "format": 3, "formatting": 3, "formatted": 3, "template": 3.5, "latex": 3, "tex": 2.5,
        "style": 2, "font": 2.5, "pdf": 2, "word": 1, "sigplan": 3, "sigplanconf": 3,
        "acm": 2, "column": 2, "columns": 2, "margin": 2, "margins": 2, "docx": 2,
        "overleaf": 3, "guidelines": 2, "layout": 2.5,
    },
    "anonymize": {
        "anonymize": 4, "anonymise": 4, "anonymized": 4, "anonymised": 4, "anonymous": 4,
        "anonymity": 4, "anon": 3, "blind": 4, "doubleblind": 4, "singleblind": 4,
        "identity": 2, "names": 1.5, "authors": 1, "author": 1, "affiliation": 1.5,
        "affiliations": 1.5, "deanonymize": 3,
    },
    "contact": {
        "contact": 3.5, "email": 3, "mail": 2, "organizer": 3, "organiser": 3,
        "organizers": 3, "organisers": 3, "chair": 3, "chairs": 3, "who": 1.5, "ask": 1,
        "reach": 2, "question": 2, "questions": 2, "phone": 2,
    },
    "all_dates": {
        "dates": 3, "schedule": 3, "timeline": 3, "important": 1.5, "list": 1.5, "all": 1,
        "calendar": 2.5, "overview": 2, "key": 1, "milestones": 3, "agenda": 2, "program": 1.5,
        "every": 1,
    },
    "help": {
        "help": 2, "commands": 3, "command": 3, "usage": 2, "capabilities": 3, "bot": 1,
        "duebot": 2, "options": 1.5,
    },
    "greeting": {
        "hi": 1.5, "hello": 1.5, "hey": 1.5, "hiya": 1.5, "howdy": 1.5, "greetings": 1.5,
        "thanks": 1.5, "thank": 1.5, "thx": 1.5, "ty": 1, "cheers": 1.5, "morning": 1,
        "afternoon": 1, "evening": 1, "yo": 1, "bye": 1,
    },
}

# Runs of (folded) words that mean more together than apart.
_PHRASES: Mapping[tuple[str, ...], Mapping[str, float]] = {
    ("hear", "back"): {"notification": 2}, ("hear", "from"): {"notification": 1.5},
    ("find", "out"): {"notification": 2}, ("get", "back"): {"notification": 1},
    ("final", "version"): {"camera_ready": 2}, ("final", "paper"): {"camera_ready": 2},
    ("final", "file"): {"camera_ready": 2}, ("take", "place"): {"event": 3},
    ("takes", "place"): {"event": 3}, ("page", "limit"): {"page_limit": 2},
    ("word", "limit"): {"page_limit": 3}, ("how", "many", "pages"): {"page_limit": 2},
    ("how", "many", "page"): {"page_limit": 2}, ("double", "blind"): {"anonymize": 4},
    ("single", "blind"): {"anonymize": 4}, ("what", "can", "you", "do"): {"help": 5},
    ("what", "can", "you", "answer"): {"help": 5}, ("what", "do", "you", "know"): {"help": 4},
    ("who", "are", "you"): {"help": 4}, ("what", "are", "you"): {"help": 4},
    ("how", "does", "this", "work"): {"help": 4}, ("how", "do", "i", "use"): {"help": 3},
    ("too", "late"): {"deadline": 2}, ("how", "to", "submit"): {"submit": 1},
    ("good", "morning"): {"greeting": 1}, ("important", "dates"): {"all_dates": 2},
    ("key", "dates"): {"all_dates": 2}, ("poster", "session"): {"event": 1},
}

# Words that ask "when": they pull toward a date-shaped answer.
_WHEN_WORDS = frozenset({"when", "date"})
_WHEN_PHRASES: tuple[tuple[str, ...], ...] = (
    ("what", "time"), ("what", "day"), ("which", "day"), ("what", "date"), ("which", "date"),
    ("by", "when"), ("until", "when"), ("what", "month"),
)
_TIME_UNITS = frozenset({"days", "day", "hours", "hour", "weeks", "week", "minutes", "minute",
                         "mins", "min", "months"})
_DATE_INTENTS = ("notification", "camera_ready", "event")

# Spellings that are not typos of a keyword but mean one.
_ALIASES: Mapping[str, str] = {
    "whens": "when", "wen": "when", "whn": "when", "wheres": "where", "whos": "who",
    "dl": "deadline", "ddl": "deadline", "deadlines": "deadline", "duedate": "due",
    "cr": "cameraready", "camready": "cameraready", "submissions": "submission",
    "submitting": "submit", "submitted": "submit", "notifications": "notification",
    "decisions": "decision", "results": "result", "organising": "organizer",
    "organizing": "organizer", "emails": "email", "contacts": "contact", "templates": "template",
    "thankyou": "thanks", "thnx": "thanks", "tysm": "thanks", "pls": "please", "plz": "please",
    "u": "you", "r": "are", "ur": "your", "hrs": "hours", "wks": "weeks", "abstracts": "abstract",
    "papers": "paper", "posters": "poster", "workshops": "workshop", "events": "event",
    "anonymization": "anonymize", "anonymisation": "anonymize", "anonymizing": "anonymize",
    "anonymising": "anonymize", "extensions": "extension", "uploaded": "upload",
    "accepting": "accept", "notifying": "notify", "limits": "limit", "formats": "format",
    "columns": "column", "timelines": "timeline", "deadine": "deadline",
}

# Ordinary words a typo-fixer must leave alone (each is one letter from a keyword).
_PLAIN_WORDS = frozenset({
    "work", "works", "data", "form", "forms", "fine", "find", "kind", "mine", "more", "most",
    "made", "make", "same", "some", "sure", "tell", "then", "than", "that", "this", "what",
    "there", "here", "were", "will", "with", "word", "your", "yours", "have", "does", "done",
    "dont", "need", "next", "note", "nice", "ones", "open", "over", "page", "pass", "past",
    "plan", "read", "real", "sent", "sign", "site", "size", "soon", "still", "sync", "take",
    "talk", "task", "team", "text", "time", "type", "used", "user", "view", "wait", "want",
    "went", "wish", "long", "many", "much", "left", "list", "last", "late", "date", "days",
    "hours", "week", "weeks", "know", "knew", "back", "able", "also", "about", "above",
    "after", "again", "could", "would", "should", "their", "these", "those", "where", "which",
    "while", "whole", "whose", "today", "until", "cases", "close", "posted", "post", "lines",
    "line", "mind", "main", "mail", "maybe", "place", "plane", "paste", "part", "parts", "link",
    "lunch", "title", "files", "file", "final", "first", "hello", "held", "help", "hold",
})

_VOCABULARY: frozenset[str] = frozenset(
    {word for words in _KEYWORDS.values() for word in words}
    | {word for phrase in (*_PHRASES, *_WHEN_PHRASES) for word in phrase}
    | _WHEN_WORDS | _TIME_UNITS
    | {"how", "long", "much", "many", "left", "remaining", "countdown", "until", "till",
       "soon", "can", "should", "may", "must", "could", "allowed", "be", "is", "it"}
)
_FUZZY_TARGETS: tuple[str, ...] = tuple(sorted(w for w in _VOCABULARY if len(w) >= 4))

_NUMBER_WORDS: Mapping[str, int] = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
}
_MAX_QUESTION = 2000
"""Longer text is cut: nobody's question is longer, and the matcher's work stays bounded."""


def _edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein with adjacent swaps (``tempalte``); stops early once past ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def _fold(token: str) -> str:
    """The keyword a token stands for: alias, plural, or the nearest keyword within a typo."""
    if token in _ALIASES:
        return _ALIASES[token]
    if token in _VOCABULARY or token in _PLAIN_WORDS or token.isdigit():
        return token
    for suffix in ("es", "s"):
        if token.endswith(suffix) and token[: -len(suffix)] in _VOCABULARY:
            return token[: -len(suffix)]
    if len(token) < 4 or len(token) > 20:
        return token
    limit = 1 if len(token) < 8 else 2
    best, best_distance = token, limit + 1
    for target in _FUZZY_TARGETS:
        # Typos seldom change the first letter; requiring it keeps "late" from being "date".
        if target[0] != token[0]:
            continue
        distance = _edit_distance(token, target, min(limit, best_distance))
        if distance < best_distance:
            best, best_distance = target, distance
    return best if best_distance <= limit else token


def _tokens(question: str) -> list[str]:
    text = unicodedata.normalize("NFKD", question[:_MAX_QUESTION])
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    raw = re.findall(r"[a-z]+|\d+", text)
    merged: list[str] = []
    i = 0
    while i < len(raw):
        # "dead line", "camera-ready", "e-mail", "double-blind" are one word to us.
        if i + 1 < len(raw):
            joined = raw[i] + raw[i + 1]
            if joined in _VOCABULARY or _ALIASES.get(joined) in _VOCABULARY:
                merged.append(joined)
                i += 2
                continue
        merged.append(raw[i])
        i += 1
    return [_fold(token) for token in merged]


def _has_run(tokens: Sequence[str], run: Sequence[str]) -> bool:
    n = len(run)
    return any(tuple(tokens[i:i + n]) == tuple(run) for i in range(len(tokens) - n + 1))


def _asks_countdown(tokens: Sequence[str]) -> bool:
    """"how long until", "how much time", "how many days", "time left", "days to go"."""
    words = list(tokens)
    for i, token in enumerate(words):
        after = words[i + 1:i + 3]
        # "how long can the abstract be" asks about length, not time.
        if token == "how" and after[:1] == ["long"] and not (
                set(after[1:]) & {"can", "should", "may", "must", "could", "is"}):
            return True
        if token == "how" and after == ["much", "time"]:
            return True
        if token == "how" and after[:1] == ["many"] and set(after[1:]) & _TIME_UNITS:
            return True
        if token == "how" and after[:1] == ["soon"]:
            return True
        if token in ("left", "remaining", "countdown"):
            return True
        if token in _TIME_UNITS and set(after[:1]) & {"until", "till", "to", "before"}:
            return True
        if token == "much" and after[:1] == ["longer"]:
            return True
    return False


def _page_count(tokens: Sequence[str]) -> int | None:
    """The number of pages a question asks about: "can I submit 6 pages", "a six-page paper"."""
    for i, token in enumerate(tokens[:-1]):
        if tokens[i + 1] in ("page", "pages", "pp"):
            if token.isdigit() and len(token) <= 4:
                return int(token)
            if token in _NUMBER_WORDS:
                return _NUMBER_WORDS[token]
    return None


@dataclass(frozen=True)
class _Reading:
    """What a question was understood to ask, with the details answers need."""

    intent: str
    tokens: tuple[str, ...]

    @property
    def asks_extension(self) -> bool:
        return bool(set(self.tokens) & {"extended", "extension", "extend", "postponed",
                                        "postpone", "delayed"})

    @property
    def pages(self) -> int | None:
        return _page_count(self.tokens)

    @property
    def thanks(self) -> bool:
        return bool(set(self.tokens) & {"thanks", "thank", "thx", "ty", "cheers"})

    @property
    def asks_template(self) -> bool:
        return bool(set(self.tokens) & {"template", "latex", "tex", "style", "overleaf",
                                        "sigplan", "sigplanconf", "docx", "word"})


def _scores(tokens: Sequence[str]) -> dict[str, float]:
    scores = dict.fromkeys(INTENTS, 0.0)
    for word in set(tokens):
        for intent, weights in _KEYWORDS.items():
            scores[intent] += weights.get(word, 0.0)
    for run, weights in _PHRASES.items():
        if _has_run(tokens, run):
            for intent, weight in weights.items():
                scores[intent] += weight
    if _page_count(tokens) is not None:
        scores["page_limit"] += 2
    if re.search(r"\bhow long (can|should|may|must|could|is)\b", " ".join(tokens)):
        scores["page_limit"] += 2
    asks_when = bool(set(tokens) & _WHEN_WORDS) or any(_has_run(tokens, p)
                                                       for p in _WHEN_PHRASES)
    if asks_when:
        dated = [intent for intent in _DATE_INTENTS if scores[intent] >= 2]
        if dated:
            for intent in dated:
                scores[intent] += 1
        else:
            # "when?" with no other subject is the question everyone asks: the deadline.
            scores["deadline"] += 3.5
    if "where" in tokens:
        for intent in ("submit", "format", "contact"):
            if scores[intent] > 0:
                scores[intent] += 1
    return scores


def _read(question: str) -> _Reading:
    tokens = tuple(_tokens(question))
    if not tokens:
        return _Reading("help", tokens)
    scores = _scores(tokens)
    if _asks_countdown(tokens):
        dated = max(_DATE_INTENTS, key=lambda intent: scores[intent])
        subjects = ("page_limit", "format", "anonymize", "contact")
        if scores[dated] >= 2.5 and scores[dated] >= scores["deadline"]:
            return _Reading(dated, tokens)
        if max(scores[s] for s in subjects) < 4:
            return _Reading("time_left", tokens)
    ranked = [intent for intent in INTENTS if intent not in ("greeting", "unknown")]
    best = max(ranked, key=lambda intent: (scores[intent], -INTENTS.index(intent)))
    if scores[best] >= 2:
        return _Reading(best, tokens)
    if scores["greeting"] > 0:
        return _Reading("greeting", tokens)
    if scores["help"] > 0:
        return _Reading("help", tokens)
    return _Reading("unknown", tokens)


def classify(question: str) -> str:
    """The intent of a question (one of INTENTS); empty text is a request for help."""
    return _read(question).intent


# --- speaking of dates ----------------------------------------------------------------------

_DUE_KINDS = ("deadline", "camera-ready")
"""Kinds whose all-day dates mean "by the end of that day"."""


def _same_wall_clock(a: Zone, b: Zone, instant: datetime) -> bool:
    return (a.local(instant).replace(tzinfo=None) == b.local(instant).replace(tzinfo=None)
            and a.abbreviation(instant) == b.abbreviation(instant))


def _relation(when: ImportantDate, now: datetime) -> str:
    if when.ends <= now:
        return f"passed {countdown(now - when.ends)} ago"
    if when.starts <= now:
        return "under way now"
    return relative(when.starts, now)


def _when_text(when: ImportantDate, now: datetime, reader: Zone) -> str:
    """A date in the reader's zone, its own zone beside, and how far away it is."""
    if when.all_day and when.kind in _DUE_KINDS:
        # An all-day deadline closes when that day ends in its zone; count down to that.
        last = when.end_day or when.day
        assert last is not None
        days = format_day(last)
        ends = when.ends
        text = f"at the end of {days} ({zone_caption(when.zone, ends)})"
        if not _same_wall_clock(reader, when.zone, ends):
            text += (f"; that is {format_instant(ends, reader)} "
                     f"({zone_caption(reader, ends)})")
        return f"{text} ({relative(ends, now)})"
    if when.all_day:
        text = describe(when, now, reader).sentence()
        if when.kind != "event" and not (_same_wall_clock(reader, when.zone, when.starts)
                                         and _same_wall_clock(reader, when.zone, when.ends)):
            text += (f" (in {reader.name}: from {format_instant(when.starts, reader)} to "
                     f"{format_instant(when.ends, reader)})")
        return text
    if when.end is None or when.end == when.at:
        return describe(when, now, reader).sentence()
    assert when.at is not None
    reader_text = _span(when.at, when.end, reader)
    if _same_wall_clock(reader, when.zone, when.at):
        return f"{reader_text} ({_relation(when, now)})"
    own = _span(when.at, when.end, when.zone)
    return f"{reader_text}; that is {own} ({_relation(when, now)})"


def _span(start: datetime, end: datetime, zone: Zone) -> str:
    """``Monday 10 July 2024, 09:00 to 10:30 CEST (Europe/Vienna, UTC+02:00)``."""
    if zone.local(start).date() == zone.local(end).date():
        until = f"{zone.local(end):%H:%M} {zone.abbreviation(end)}"
    else:
        until = format_instant(end, zone)
    return f"{format_instant(start, zone)} to {until} ({zone_caption(zone, start)})"


def _was_text(when: ImportantDate, reader: Zone) -> str:
    """Where a cancelled date used to be, without a countdown that would make it look live."""
    if when.all_day:
        assert when.day is not None
        return f"{format_day(when.day)} ({zone_caption(when.zone, when.starts)})"
    assert when.at is not None
    return f"{format_instant(when.at, reader)} ({zone_caption(reader, when.at)})"


def _title(when: ImportantDate) -> str:
    return when.title + (" (extended)" if when.extended else "")


def _line(when: ImportantDate, now: datetime, reader: Zone) -> str:
    if when.cancelled:
        return f"{when.title}: CANCELLED (it was {_was_text(when, reader)})"
    return f"{_title(when)}: {_when_text(when, now, reader)}"


def _the(when: ImportantDate) -> str:
    """"the Poster abstract submission deadline", or "the deadline for Round 2"."""
    if re.search(r"deadline|due|cut-?off", when.title, re.IGNORECASE):
        return f"the {_title(when)}"
    return f"the deadline for {_title(when)}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _ask_whom(event: Event) -> str:
    contact = event.contact
    if contact.email and contact.name:
        return f"ask {contact.name} ({contact.email})"
    if contact.email or contact.url:
        return f"ask {contact.email or contact.url}"
    if event.url:
        return f"see {event.url}"
    return "ask the organizers"


def _not_said(what: str, event: Event) -> str:
    return f"The schedule does not say {what}; {_ask_whom(event)}."


@dataclass(frozen=True)
class _Reply:
    lines: tuple[str, ...]
    dates: tuple[ImportantDate, ...]


def _deadlines(event: Event, now: datetime) -> tuple[list[ImportantDate], list[ImportantDate],
                                                      list[ImportantDate]]:
    """Upcoming, passed and cancelled deadlines, each in order."""
    upcoming: list[ImportantDate] = []
    passed: list[ImportantDate] = []
    cancelled: list[ImportantDate] = []
    for when in event.in_order():
        if when.kind != "deadline":
            continue
        if when.cancelled:
            cancelled.append(when)
        elif when.ends > now:
            upcoming.append(when)
        else:
            passed.append(when)
    upcoming.sort(key=lambda d: (d.ends, d.id))
    return upcoming, passed, cancelled


def _after_deadlines(event: Event, now: datetime, reader: Zone) -> _Reply:
    nxt = [d for d in event.upcoming(now) if d.kind != "deadline"]
    if not nxt:
        return _Reply(("Nothing else in the schedule is still ahead.",), ())
    return _Reply((f"Next: {_line(nxt[0], now, reader)}.",), (nxt[0],))


def _extension_line(when: ImportantDate, reader: Zone) -> str:
    if when.extended_from is not None:
        return (f"Yes, it was extended; it was {format_instant(when.extended_from, reader)} "
                f"({zone_caption(reader, when.extended_from)}) before.")
    if when.extended_from_day is not None:
        return f"Yes, it was extended; it was {format_day(when.extended_from_day)} before."
    if when.extended_note:
        return "Yes, the schedule marks it as extended (it does not give the earlier date)."
    return "The schedule shows no extension for it."


def _deadline_reply(event: Event, now: datetime, reader: Zone, *, countdown_first: bool,
                    asks_extension: bool = False) -> _Reply:
    upcoming, passed, cancelled = _deadlines(event, now)
    lines: list[str] = []
    dates: list[ImportantDate] = []
    if upcoming:
        first = upcoming[0]
        when = _when_text(first, now, reader)
        if countdown_first:
            lines.append(f"{countdown(first.ends - now)} left until {_the(first)}: {when}.")
        elif len(upcoming) > 1:
            lines.append(f"The next deadline is {_the(first)}: {when}.")
        else:
            lines.append(f"{_capital(_the(first))} is {when}.")
        dates.append(first)
        if asks_extension:
            lines.append(_extension_line(first, reader))
        if len(upcoming) > 1:
            lines.append("After that:")
            for later in upcoming[1:]:
                lead = f"{countdown(later.ends - now)} left: " if countdown_first else ""
                lines.append(f"- {lead}{_line(later, now, reader)}")
                dates.append(later)
    elif passed:
        last = passed[-1]
        opening = "No deadline is still open. " if countdown_first else ""
        lines.append(f"{opening}{_capital(_the(last))} has passed: it was "
                     f"{_when_text(last, now, reader)}.")
        dates.append(last)
        if asks_extension:
            lines.append(_extension_line(last, reader))
    elif not cancelled:
        lines.append(_not_said("when submissions are due", event))
    for gone in cancelled:
        lines.append(f"{_capital(_the(gone))} has been cancelled (it was "
                     f"{_was_text(gone, reader)}).")
        dates.append(gone)
    if not upcoming:
        after = _after_deadlines(event, now, reader)
        lines.extend(after.lines)
        dates.extend(after.dates)
    return _Reply(tuple(lines), tuple(dates))


def _kind_reply(event: Event, now: datetime, reader: Zone, kind: str, missing: str) -> _Reply:
    found = [d for d in event.in_order() if d.kind == kind]
    if not found:
        return _Reply((_not_said(missing, event),), ())
    live = [d for d in found if not d.cancelled]
    if len(found) == 1:
        only = found[0]
        line = _line(only, now, reader)
        lines = [f"{line}."]
        if only.cancelled:
            lines.append(f"It has been cancelled; {_ask_whom(event)} for news.")
        return _Reply(tuple(lines), (only,))
    lines = [f"{_line(d, now, reader)}." for d in found]
    if not live:
        lines.append(f"All of them have been cancelled; {_ask_whom(event)} for news.")
    return _Reply(tuple(lines), tuple(found))


def _place(event: Event) -> str:
    where = ", ".join(p for p in (event.city, event.country) if p)
    if event.venue and where:
        return f"{event.venue} in {where}"
    return event.venue or where


def _event_reply(event: Event, now: datetime, reader: Zone) -> _Reply:
    found = [d for d in event.in_order() if d.kind == "event"]
    lines = [f"{_line(when, now, reader)}." for when in found]
    if not found:
        lines.append(_not_said(f"when {event.name} takes place", event))
    if event.location:
        lines.append(f"Where: {event.location}.")
    else:
        lines.append(_not_said("where it is held", event))
    live = [d for d in found if not d.cancelled]
    town = ", ".join(p for p in (event.city, event.country) if p)
    if len(found) == 1 and live and town:
        # The short form people repeat to each other: the day as it is where it happens.
        only = live[0]
        local_zone = event.venue_zone or only.zone
        day = only.day if only.day is not None else local_zone.local(only.starts).date()
        lines.append(f"In short: {format_day(day)} in {town}.")
    if event.venue_zone is not None and found:
        lines.append(f"Local time at the venue: {event.venue_zone.key} "
                     f"({event.venue_zone.offset_at(found[0].starts)}).")
    if len(found) > 1 and not live:
        lines.append(f"All of them have been cancelled; {_ask_whom(event)} for news.")
    elif len(found) == 1 and not live:
        lines.append(f"It has been cancelled; {_ask_whom(event)} for news.")
    if event.url:
        lines.append(f"More: {event.url}")
    return _Reply(tuple(lines), tuple(found))


def _submit_reply(event: Event, now: datetime, reader: Zone) -> _Reply:
    sub = event.submission
    if sub.system and sub.url:
        how = f"Submit via {sub.system}: {sub.url}"
    elif sub.url:
        how = f"Submit here: {sub.url}"
    elif sub.system:
        how = f"Submit via {sub.system} (the schedule gives no link; {_ask_whom(event)})."
    else:
        how = _not_said("how to submit", event)
    deadline = _deadline_reply(event, now, reader, countdown_first=False)
    return _Reply((how, *deadline.lines), deadline.dates)


def _format_reply(event: Event, reading: _Reading) -> _Reply:
    sub = event.submission
    lines: list[str] = []
    if sub.format:
        lines.append(f"Format: {sub.format}.")
    if sub.template and sub.template_url:
        lines.append(f"Template: {sub.template}: {sub.template_url}")
    elif sub.template or sub.template_url:
        lines.append(f"Template: {sub.template or sub.template_url}")
    elif reading.asks_template and lines:
        lines.append(_not_said("which template to use", event))
    if sub.notes and lines:
        lines.append(sub.notes)
    if not lines:
        lines.append(_not_said("what format submissions must follow", event))
        if sub.notes:
            lines.append(sub.notes)
    return _Reply(tuple(lines), ())


def _pages(n: int) -> str:
    return f"{n} page" if n == 1 else f"{n} pages"


def _page_reply(event: Event, reading: _Reading) -> _Reply:
    sub = event.submission
    lines: list[str] = []
    if sub.page_limit is not None:
        lines.append(f"The page limit is {_pages(sub.page_limit)}.")
    if sub.page_limit_note:
        lines.append(sub.page_limit_note)
    asked = reading.pages
    if sub.page_limit is not None and asked is not None:
        if asked > sub.page_limit:
            lines.append(f"So {_pages(asked)} is over the limit of {_pages(sub.page_limit)}.")
        else:
            lines.append(f"So {_pages(asked)} is within the limit.")
    if sub.page_limit is None:
        lines.append(_not_said("how many pages are allowed", event))
    return _Reply(tuple(lines), ())


def _anonymize_reply(event: Event) -> _Reply:
    flag = event.submission.anonymized
    if flag is True:
        text = ("Submissions must be anonymized (double-blind review): leave out author names "
                "and affiliations.")
    elif flag is False:
        text = "Submissions do not have to be anonymized: the review is not double-blind."
    else:
        text = _not_said("whether submissions must be anonymized", event)
    return _Reply((text,), ())


def _contact_reply(event: Event) -> _Reply:
    contact = event.contact
    lines: list[str] = []
    who = contact.name or "the organizers"
    if contact.email:
        lines.append(f"Contact {who} at {contact.email}.")
    elif contact.name:
        lines.append(f"Contact {who}.")
    if contact.url:
        lines.append(f"More: {contact.url}")
    if not contact.email and not contact.url:
        where = f"; see {event.url}" if event.url else ""
        lines.append(f"The schedule does not list a contact address{where}.")
    return _Reply(tuple(lines), ())


def _all_dates_reply(event: Event, now: datetime, reader: Zone) -> _Reply:
    ordered = event.in_order()
    if not ordered:
        return _Reply((_not_said("any dates", event),), ())
    lines = [f"Important dates for {event.name} (times in {reader.name}):"]
    for when in ordered:
        if when.cancelled:
            mark = "[cancelled] "
        elif when.ends <= now:
            mark = "[passed] "
        else:
            mark = ""
        lines.append(f"- {mark}{_line(when, now, reader)}")
    return _Reply(tuple(lines), ordered)


_CAN_ANSWER: tuple[tuple[str, str], ...] = (
    ("deadlines", "when is the deadline? has it been extended?"),
    ("time left", "how much time do I have left?"),
    ("notifications", "when will we hear back?"),
    ("camera-ready", "when is the final version due?"),
    ("the workshop", "when and where is the workshop?"),
    ("submitting", "how do I submit?"),
    ("format", "what template should I use?"),
    ("page limit", "how many pages can I submit?"),
    ("anonymity", "is the review double blind?"),
    ("contact", "who do I contact?"),
    ("all dates", "list the important dates"),
)


def _help_lines(event: Event) -> tuple[str, ...]:
    return (
        f"I answer questions about {event.name}. Ask me, for example:",
        *(f"- {topic}: \"{example}\"" for topic, example in _CAN_ANSWER),
        "Times are shown in your zone with the event's own zone beside them.",
    )


def _reply(reading: _Reading, event: Event, now: datetime, reader: Zone) -> _Reply:
    intent = reading.intent
    if intent == "deadline":
        return _deadline_reply(event, now, reader, countdown_first=False,
                               asks_extension=reading.asks_extension)
    if intent == "time_left":
        return _deadline_reply(event, now, reader, countdown_first=True)
    if intent == "notification":
        return _kind_reply(event, now, reader, "notification", "when notifications go out")
    if intent == "camera_ready":
        return _kind_reply(event, now, reader, "camera-ready", "when the final version is due")
    if intent == "event":
        return _event_reply(event, now, reader)
    if intent == "submit":
        return _submit_reply(event, now, reader)
    if intent == "format":
        return _format_reply(event, reading)
    if intent == "page_limit":
        return _page_reply(event, reading)
    if intent == "anonymize":
        return _anonymize_reply(event)
    if intent == "contact":
        return _contact_reply(event)
    if intent == "all_dates":
        return _all_dates_reply(event, now, reader)
    if intent == "greeting":
        opening = "You're welcome!" if reading.thanks else f"Hi! I'm duebot for {event.name}."
        return _Reply((opening, "Ask me \"when is the deadline?\", or say \"help\" to see "
                                "everything I can answer."), ())
    if intent == "help":
        return _Reply(_help_lines(event), ())
    return _Reply(("Sorry, I did not understand that question.", *_help_lines(event)), ())


def answer(question: str, event: Event, *, now: datetime, reader: Zone | None = None) -> Answer:
    """Answer a participant's question about ``event`` as of ``now``, in the reader's zone.

    ``reader=None`` shows times in the event's own zone. Never raises on odd text and never
    answers with nothing: what it cannot answer gets the list of what it can.
    """
    now = check_aware(now)
    reading = _read(question)
    reply = _reply(reading, event, now, reader or event.zone)
    return Answer(intent=reading.intent, text="\n".join(reply.lines), dates=reply.dates)

