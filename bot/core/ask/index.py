"""The index of one schedule, built once when it loads, so asking is a lookup, not a scan.

It holds one phrase table (English word runs and Chinese terms -> what they mean: a concept,
a form word, a relative word, a place), the concepts of every date (from its title, id and
kind), how rare each concept is among the dates (a word every date shares weighs little), the
schedule's FAQ entries, and a typo corrector over the words it knows (rapidfuzz).
"""

from __future__ import annotations

import bisect
import math
import re
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import cast

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from bot.core.ask import lexicon as lx
from bot.core.ask.text import has_cjk, normalize
from bot.core.model import Event, Faq, ImportantDate
from bot.core.places import gazetteer

__all__ = ["Index", "Meaning", "index_for"]

# What a phrase can mean. ("concept", id) / ("form", when|howlong|where|how|yesno) /
# ("rel", today|still|...) / ("weekday", "0".."6") / ("mytime", "") / ("venuetime", "") /
# ("place", normalized name).
Meaning = tuple[str, str]

_MAX_WORDS = 4
_MAX_ZH = 8

# Ordinary words one letter away from a vocabulary word: never "corrected".
def _split(text: str) -> list[str]:
    return text.split()


PLAIN: frozenset[str] = frozenset(_split("""
work works data form forms fine find kind mine more most made make same some sure tell then
than that this what there here were will with word your yours have does done dont need next
note nice ones open over page pass past plan read real sent sign site size soon still sync take
talk task team text time type used user view wait want went wish long many much left list last
late date days hours week weeks know knew back able also about above after again could would
should their these those where which while whole whose today until cases close posted post
lines line mind main mail maybe place plane paste part parts link lunch title files file final
first hello held help hold dude just like love live lose lost miss move must name near only
order other paid pick play plus push rate rest room rule safe save seat seem self sell send
show side slot star stay step stop such sale tech test them they thus told took tool tour town
tree true turn unit upon very vote walk wall well west wide wife wind wise wood year zero
later earlier sooner latest earliest
"""))


def _stem(word: str) -> str:
    """Light plural folding for title words no concept knows ("hackathons" -> "hackathon")."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+(?:'[a-z]+)?", normalize(text).replace("-", " "))


@cache
def _global_tables() -> tuple[Mapping[tuple[str, ...], tuple[Meaning, ...]],
                              Mapping[str, tuple[Meaning, ...]]]:
    """The phrase tables every schedule shares: lexicon, forms, relative words, places."""
    en: dict[tuple[str, ...], list[Meaning]] = {}
    zh: dict[str, list[Meaning]] = {}

    def put_en(phrase: str, meaning: Meaning) -> None:
        key = tuple(_words(phrase))
        if key and meaning not in en.setdefault(key, []):
            en[key].append(meaning)

    def put_zh(term: str, meaning: Meaning) -> None:
        term = normalize(term)
        if meaning not in zh.setdefault(term, []):
            zh[term].append(meaning)

    for concept in lx.CONCEPTS:
        for phrase in concept.en:
            put_en(phrase, ("concept", concept.id))
        for term in concept.zh:
            (put_zh if has_cjk(term) else put_en)(term, ("concept", concept.id))
    for forms, name in ((lx.WHEN_EN, "when"), (lx.HOW_LONG_EN, "howlong"),
                        (lx.WHERE_EN, "where"), (lx.HOW_EN, "how")):
        for phrase in forms:
            put_en(phrase, ("form", name))
    for forms, name in ((lx.WHEN_ZH, "when"), (lx.HOW_LONG_ZH, "howlong"),
                        (lx.WHERE_ZH, "where"), (lx.HOW_ZH, "how"), (lx.WHAT_ZH, "what"),
                        (lx.YES_NO_ZH, "yesno")):
        for term in forms:
            put_zh(term, ("form", name))
    for phrase, rel in lx.RELATIVE_EN.items():
        put_en(phrase, ("rel", rel))
    for term, rel in lx.RELATIVE_ZH.items():
        put_zh(term, ("rel", rel))
    for phrase, day in lx.WEEKDAYS_EN.items():
        put_en(phrase, ("weekday", str(day)))
    for term, day in lx.WEEKDAYS_ZH.items():
        put_zh(term, ("weekday", str(day)))
    for phrase in lx.MY_TIME_EN:
        put_en(phrase, ("mytime", ""))
    for term in lx.MY_TIME_ZH:
        put_zh(term, ("mytime", ""))
    for phrase in lx.VENUE_TIME_EN:
        put_en(phrase, ("venuetime", ""))
    for term in lx.VENUE_TIME_ZH:
        put_zh(term, ("venuetime", ""))
    for name, place in gazetteer().items():
        if place.kind == "abbreviation":
            continue  # read from the original text, where case tells "IST" from "ist"
        if has_cjk(name):
            if any(m[0] == "place" for m in zh.get(normalize(name), ())):
                continue  # "太平洋時間" read folded is "太平洋时间": one place, not two
            put_zh(name, ("place", name))
        else:
            put_en(name, ("place", name))
    return ({k: tuple(v) for k, v in en.items()}, {k: tuple(v) for k, v in zh.items()})


def faq_weight(term: str) -> float:
    """How much a shared term says that a question is an FAQ's: specific words most."""
    concept = lx.BY_ID.get(term)
    if concept is None:
        return 1.5 if term.startswith("w:") else 1.0
    return {"kind": 0.5, "generic": 0.5, "social": 0.5}.get(concept.cls, 2.0)


@dataclass(frozen=True)
class FaqEntry:
    faq: Faq
    phrasings: tuple[frozenset[str], ...]
    """Each phrasing as the set of what its content words mean (concepts, stems, bigrams)."""
    words: tuple[frozenset[str], ...] = ()
    """The same without the form term; computed once."""
    totals: tuple[float, ...] = ()
    """Each phrasing's summed weight (the denominator of its recall)."""


@dataclass
class Index:
    """Everything about one schedule that reading a question needs, computed once."""

    event: Event
    en: Mapping[tuple[str, ...], tuple[Meaning, ...]]
    zh: Mapping[str, tuple[Meaning, ...]]
    date_terms: Mapping[str, Mapping[str, float]]
    """Date id -> the terms that name it (concept ids, ``w:`` stems, ``zh:`` bigrams) and how
    strongly (a camera-ready is a deadline too, but less than the deadline is)."""
    postings: Mapping[str, tuple[str, ...]]
    """Term -> the ids of the dates it names (so a question scores only those dates)."""
    weight: Mapping[str, float]
    """Term -> how much it tells dates apart (rare terms weigh more)."""
    held: frozenset[str]
    """Every term some date, field or FAQ holds."""
    faqs: tuple[FaqEntry, ...]
    vocabulary: tuple[str, ...]
    venue_names: frozenset[str] = frozenset()
    date_held: frozenset[str] = frozenset()
    """Terms some date holds (a word only an FAQ phrasing holds does not name a date)."""
    """The event's city and country, in English and Chinese, normalized."""
    by_id: Mapping[str, ImportantDate] = field(default_factory=dict)
    ordered: tuple[ImportantDate, ...] = ()
    """The dates in order (``Event.in_order``), sorted once."""
    position: Mapping[str, int] = field(default_factory=dict)
    ends: Mapping[str, datetime] = field(default_factory=dict)
    """Each date's ``ends``, computed once (an all-day date's asks the zone rules)."""
    kinds: Mapping[str, tuple[ImportantDate, ...]] = field(default_factory=dict)
    titles: Mapping[str, str] = field(default_factory=dict)
    """Each date's title, normalized (a tie is broken by the title said word for word)."""
    end_rank: Mapping[str, int] = field(default_factory=dict)
    """Each date's place in (ends, id) order: sorting a group by it is a lookup."""
    memo: dict[object, object] = field(default_factory=dict)
    """Results of pure steps on this schedule (the dates a set of words scores), bounded."""
    readings: dict[str, object] = field(default_factory=dict)
    """Question text -> its ``Reading`` (``bot.core.ask.read.read``), least recently used
    first, bounded: reading is a pure function of the text and this index, and the same few
    questions come again and again."""
    _starts: tuple[datetime, ...] = ()
    _longest: timedelta = timedelta(0)
    _fixes: dict[str, str] = field(default_factory=dict)

    def date(self, date_id: str) -> ImportantDate:
        return self.by_id[date_id]

    def dates_of(self, ids: tuple[str, ...]) -> list[ImportantDate]:
        """The dates of a topic, memoized per tuple of ids (a group can be 300 long)."""
        key = ("dates", ids)
        hit = self.memo.get(key)
        if not isinstance(hit, tuple):
            hit = tuple(self.by_id[i] for i in ids)
            if len(self.memo) < 4096:
                self.memo[key] = hit
        return list(cast("tuple[ImportantDate, ...]", hit))

    def upcoming(self, now: datetime, limit: int = 1 << 30) -> list[ImportantDate]:
        """``Event.upcoming`` (at most ``limit``), without a scan: bisect by start."""
        first = bisect.bisect_left(self._starts, now - self._longest)
        out: list[ImportantDate] = []
        for when in self.ordered[first:]:
            if not when.cancelled and self.ends[when.id] > now:
                out.append(when)
                if len(out) >= limit:
                    break
        return out

    def of_kind(self, *kinds: str) -> list[ImportantDate]:
        """The dates of these kinds, in order (precomputed per kind)."""
        if len(kinds) == 1:
            return list(self.kinds.get(kinds[0], ()))
        return [d for d in self.ordered if d.kind in kinds]

    def correct(self, word: str) -> str:
        """The known word a typo stands for, or the word itself (a miss is never guessed)."""
        fixed = self._fixes.get(word)
        if fixed is not None:
            return fixed
        fixed = word
        if 4 <= len(word) <= 20 and word not in PLAIN and not word.isdigit():
            limit = 1 if len(word) < 8 else 2
            for candidate, _, _ in process.extract(word, self.vocabulary,
                                                    scorer=DamerauLevenshtein.distance,
                                                    score_cutoff=limit, limit=4):
                # Typos seldom change the first letter: "late" must not become "date".
                if candidate[0] == word[0] and len(candidate) >= 4 \
                        and not _other_short_word(word, candidate):
                    fixed = candidate
                    break
        if len(self._fixes) < 4096:
            self._fixes[word] = fixed
        return fixed


_SHORT = 5
"""Up to this length a word one letter off another is as likely another word ("wiki" and
"wifi", "fees" and "feel"): only a swap of two letters or one letter more or less is a typo."""


def _other_short_word(word: str, candidate: str) -> bool:
    """Whether ``candidate`` is another short word rather than ``word`` mistyped: same short
    length, and not the same letters swapped."""
    return (len(word) <= _SHORT and len(candidate) == len(word)
            and sorted(candidate) != sorted(word))


def title_terms(text: str, en: Mapping[tuple[str, ...], tuple[Meaning, ...]]) -> set[str]:
    """What a title (or FAQ phrasing) names: concepts of its word runs, stems of the rest."""
    terms: set[str] = set()
    norm = normalize(text)
    words = _words(norm.replace("'s", ""))
    i = 0
    while i < len(words):
        for n in range(min(_MAX_WORDS, len(words) - i), 0, -1):
            meanings = en.get(tuple(words[i:i + n]))
            concepts = [v for kind, v in meanings or () if kind == "concept"]
            if concepts:
                terms.update(concepts)
                i += n
                break
        else:
            word = words[i]
            if (word not in lx.STOPWORDS or word in lx.TITLE_QUALIFIERS) and (
                    len(word) > 1 or word.isdigit()):
                terms.add(f"w:{_stem(word)}")
            i += 1
    zh = _global_tables()[1]
    for run in re.findall(r"[\u3400-\u9fff]+", norm):
        left = ""
        j = 0
        while j < len(run):  # the concepts a Chinese title names, as a question's are found
            for n in range(min(_MAX_ZH, len(run) - j), 1, -1):
                concepts = [v for kind, v in zh.get(run[j:j + n], ()) if kind == "concept"]
                if concepts:
                    terms.update(concepts)
                    j += n
                    break
            else:
                left += run[j]
                j += 1
        terms.update(f"zh:{left[k:k + 2]}" for k in range(max(0, len(left) - 1)))
        terms.update(f"zh:{run[k:k + 2]}" for k in range(max(1, len(run) - 1)))
    return terms


def _faq_entry(faq: Faq, en: Mapping[tuple[str, ...], tuple[Meaning, ...]]) -> FaqEntry:
    phrasings = tuple(frozenset(title_terms(p, en) | {f"form:{quick_form(p)}"})
                      for p in faq.phrasings)
    words = tuple(frozenset(t for t in p if not t.startswith("form:")) for p in phrasings)
    return FaqEntry(faq=faq, phrasings=phrasings, words=words,
                    totals=tuple(sum(faq_weight(t) for t in w) for w in words))


def quick_form(text: str) -> str:
    """The form of a phrasing, coarsely: enough to tell "when is X" from "what is X about"."""
    norm = normalize(text)
    words = _words(norm)
    if re.search(r"什么时候|何时|几点|哪天|几号", norm) or (words and words[0] == "when") or \
            "what time" in norm or "by when" in norm:
        return "when"
    if re.search(r"哪里|在哪|哪儿", norm) or (words and words[0] == "where"):
        return "where"
    if "how long" in norm or re.search(r"多久|多长", norm):
        return "howlong"
    if (words and words[0] in lx.YES_NO_START) or re.search(r"吗|是否|是不是|有没有|可以", norm):
        return "yesno"
    if (words and words[0] == "how") or re.search(r"怎么|如何", norm):
        return "how"
    return "what"


def _build(event: Event) -> Index:
    en_shared, zh_shared = _global_tables()
    en: dict[tuple[str, ...], tuple[Meaning, ...]] = dict(en_shared)
    zh = zh_shared
    sub = event.submission
    # The schedule's own names for its system and template are words people will use; but
    # not their plain words ("the application portal": "the", and "application" that a date's
    # title says, would make every question ask how to submit).
    titled = {w for d in event.dates for w in _words(d.title)}

    def naming(word: str) -> bool:
        return len(word) > 2 and not word.isdigit() and word not in lx.STOPWORDS \
            and word not in titled and (word,) not in en_shared

    for word in _words(sub.system):
        if naming(word):
            en[(word,)] = (*en.get((word,), ()), ("concept", "how_submit"))
    for word in _words(sub.template):
        if len(word) > 3 and naming(word):
            en[(word,)] = (*en.get((word,), ()), ("concept", "format"))
    date_terms: dict[str, dict[str, float]] = {}
    kind_concept = {"deadline": "deadline", "notification": "notify",
                    "camera-ready": "camera", "event": "event"}
    for when in event.dates:
        terms = dict.fromkeys(title_terms(when.title, en)
                              | title_terms(when.id.replace("-", " "), en), 1.0)
        if when.kind in kind_concept:
            terms[kind_concept[when.kind]] = 1.0
        if when.kind == "camera-ready":
            terms.setdefault("deadline", 0.5)  # "when is the camera-ready due?"
        if when.kind == "notification":
            terms.setdefault("review", 0.5)  # "when do we get the reviews?"
        if when.kind == "event":
            terms.setdefault("happen", 1.0)  # "when does it take place?"
        date_terms[when.id] = terms
    counts: dict[str, int] = {}
    postings: dict[str, list[str]] = {}
    for date_id, terms in date_terms.items():
        for term in terms:
            counts[term] = counts.get(term, 0) + 1
            postings.setdefault(term, []).append(date_id)
    total = max(1, len(date_terms))
    weight = {term: 1.0 + math.log(total / n) for term, n in counts.items()}
    faqs = tuple(_faq_entry(f, en) for f in event.faq)
    held = set(counts)
    date_held = frozenset(held)
    for entry in faqs:
        for phrasing in entry.phrasings:
            held |= phrasing
    # Title words no phrase table knows become words of their own, typos forgiven too.
    for term in counts:
        if term.startswith("w:"):
            word = term[2:]
            if (word,) not in en:
                en[(word,)] = (("concept", term),)
    vocabulary = sorted({w for key in en for w in key if len(w) >= 4 and not w.isdigit()}
                        | {w for w in lx.STOPWORDS if len(w) >= 4})
    venue_names = _venue_names(event)
    for name in venue_names:  # "is it in Santa Clara?": the event's own places, as phrases
        if has_cjk(name):
            zh = {**zh, name: (*zh.get(name, ()), ("venuename", name))}
        elif tuple(_words(name)):
            key = tuple(_words(name))
            en[key] = (("venuename", name), *en.get(key, ()))
    ordered = event.in_order()
    ends = {d.id: d.ends for d in ordered}
    starts = tuple(d.starts for d in ordered)
    longest = max((ends[d.id] - s for d, s in zip(ordered, starts, strict=True)),
                  default=timedelta(0))
    return Index(by_id={d.id: d for d in event.dates}, ordered=ordered,
                 position={d.id: i for i, d in enumerate(ordered)}, ends=ends,
                 _starts=starts, _longest=max(longest, timedelta(0)),
                 titles={d.id: " ".join(_words(d.title)) for d in ordered},
                 end_rank={d.id: i for i, d in enumerate(
                     sorted(ordered, key=lambda d: (ends[d.id], d.id)))},
                 kinds={k: tuple(d for d in ordered if d.kind == k)
                        for k in {d.kind for d in ordered}},
                 venue_names=venue_names, date_held=date_held, event=event, en=en, zh=zh,
                 date_terms=date_terms,
                 postings={k: tuple(v) for k, v in postings.items()}, weight=weight,
                 held=frozenset(held), faqs=faqs, vocabulary=tuple(vocabulary))


def _venue_names(event: Event) -> frozenset[str]:
    from babel import Locale
    from babel.dates import get_timezone_location

    names = {normalize(p) for p in (event.city, event.country) if p}
    zone = event.venue_zone or event.zone
    if zone.kind == "iana" and event.city:
        try:
            if normalize(get_timezone_location(zone.key, locale="en", return_city=True)) == \
                    normalize(event.city):
                for locale in ("zh", "zh_Hant"):  # 悉尼 and Taiwan's 雪梨
                    names.add(normalize(get_timezone_location(zone.key, locale=locale,
                                                              return_city=True)))
        except (LookupError, ValueError):
            pass
    if event.city:  # "研讨会在杭州吗？" of a workshop in Hangzhou, a city CLDR names no zone by
        city = lx.CITY_VARIANTS.get(normalize(event.city), normalize(event.city))
        names |= {normalize(name) for name, variant in lx.CITY_VARIANTS.items()
                  if variant == city and has_cjk(name)}
    if event.country:
        en = Locale.parse("en").territories
        for zh_ in (Locale.parse("zh").territories, Locale.parse("zh_Hant").territories):
            for code, name in en.items():
                if normalize(name) == normalize(event.country) and code in zh_:
                    names.add(normalize(zh_[code]))
    return frozenset(names)


_CACHE: dict[int, tuple[weakref.ref[Event], Index]] = {}


def index_for(event: Event) -> Index:
    """The index of a schedule: built on first use, then reused while the event lives."""
    hit = _CACHE.get(id(event))
    if hit is not None and hit[0]() is event:
        return hit[1]
    built = _build(event)
    if len(_CACHE) > 64:
        for key in [k for k, (ref, _) in _CACHE.items() if ref() is None]:
            del _CACHE[key]
    _CACHE[id(event)] = (weakref.ref(event), built)
    return built
