"""Answer what participants ask, in English or Chinese, from one schedule.

One entry point, ``answer(question, event, now=..., reader=..., context=...)``, used alike by
Slack, mail, the CLI and any other front end. Understanding (``read``: topics, zone named,
form, relative words) is apart from replying (``reply``: one part per topic, in the order
asked, in the language asked). Pure: ``now`` and the reader's zone are parameters; every
instant comes from the schedule and the zone engine, never from the question's text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from bot.core.ask import hant, zh
from bot.core.ask.index import Index, index_for
from bot.core.ask.read import Reading, inherit, read, remember
from bot.core.ask.reply import Part, render
from bot.core.ask.text import has_cjk, normalize
from bot.core.model import Event, ImportantDate, check_aware
from bot.core.zones import Zone, parse_zone

__all__ = ["INTENTS", "LANGUAGES", "Answer", "Index", "Part", "Reading", "answer", "classify",
           "explain", "in_script", "index_for", "understand"]

INTENTS: tuple[str, ...] = (
    "deadline", "time_left", "notification", "camera_ready", "event", "date", "submit",
    "page_limit", "format", "anonymize", "contact", "all_dates", "late", "faq", "not_held", "help",
    "greeting", "compare", "unknown",
)
"""Every ``Answer.intent``: the kind of the first part of the reply."""


@dataclass(frozen=True, kw_only=True)
class Answer:
    """A reply: its text, the parts it is made of, how the question was read, and the dates."""

    intent: str
    text: str
    dates: tuple[ImportantDate, ...]
    language: str = "en"
    traditional: bool = False
    """Asked in traditional Chinese, so answered in it (``language`` is still ``zh``)."""
    parts: tuple[Part, ...] = ()
    reading: Reading | None = field(default=None, compare=False, repr=False)
    context: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """What a thread should keep for its follow-ups (plain JSON); see ``answer(context=)``."""

    @property
    def instants(self) -> tuple[datetime, ...]:
        """Every instant the reply speaks of, in UTC: all from the schedule."""
        return tuple(i for d in self.dates for i in (d.starts, d.ends))


def understand(question: str, event: Event,
               context: Mapping[str, Any] | None = None) -> Reading:
    """How a question is read against a schedule (and a thread's last reading, if any)."""
    index = index_for(event)
    return inherit(read(question, index), context, index)


LANGUAGES = ("en", "zh", "zh-Hant")
"""What ``answer(language=)`` takes: English, Chinese (simplified), Chinese in traditional
characters."""


def answer(question: str, event: Event, *, now: datetime, reader: Zone | None = None,
           context: Mapping[str, Any] | None = None, language: str | None = None) -> Answer:
    """Answer a participant's question about ``event`` as of ``now``, in the reader's zone.

    ``reader=None`` shows times in the event's own zone; a zone named in the question wins.
    ``context`` is the thread's last ``Answer.context`` (follow-ups: "and in IST?").
    ``language`` (one of ``LANGUAGES``): the language to answer in, for a front end that knows
    it better than the question's words (``ddl?`` from someone whose chat speaks ``zh-TW``);
    None: the question's own (Chinese when it holds Chinese, traditional when written so).
    What the question means, and so its dates, stays the same whatever the language.
    Never raises on odd text and never answers with nothing.
    """
    now = check_aware(now)
    if language is not None and language not in LANGUAGES:
        raise ValueError(f"answer(language={language!r}): expected one of {LANGUAGES}")
    reading = understand(question, event, context)
    if language is not None:
        reading = replace(reading, language="en" if language == "en" else "zh")
    parts, text = render(reading, event, now, reader or event.zone)
    intent = parts[0].kind if parts else "unknown"
    first = reading.clauses[0] if reading.clauses else None
    if intent in ("deadline", "date") and first is not None and first.form == "howlong" \
            and not first.length:
        intent = "time_left"
    dates = tuple(dict.fromkeys(d for p in parts for d in p.dates))
    traditional = (language == "zh-Hant" if language is not None
                   else reading.language == "zh" and hant.is_traditional(question))
    if traditional:
        # Asked in traditional Chinese ("截稿是幾點？"): answered in it.
        parts, text = _traditional(parts, text, event, reader or event.zone, reading, now)
    memory = remember(reading) if reading.understood else dict(context or {})
    return Answer(intent=intent if intent in INTENTS else "unknown", text=text, dates=dates,
                  language=reading.language, traditional=traditional, parts=parts,
                  reading=reading, context=memory)


def _traditional(parts: tuple[Part, ...], text: str, event: Event, reader: Zone,
                 reading: Reading, now: datetime) -> tuple[tuple[Part, ...], str]:
    """The reply's parts and text in traditional Chinese: CLDR's zh_Hant zone names for each
    zone a date is shown in, the phrases by ``hant``'s table, the schedule's words kept."""
    zones = {reader, event.zone, *([event.venue_zone] if event.venue_zone else [])}
    zones |= {d.zone for p in parts for d in p.dates}
    for named in (reading.zone, *reading.also):
        for key in (named.zones if named is not None else ())[:1]:
            with suppress(ValueError):
                zones.add(parse_zone(key))
    dates = [d for p in parts for d in p.dates]
    keep = [event.name, *(d.title for d in event.dates), event.venue, event.city,
            event.country, event.location]
    # The asker's own words echoed back ("日程裡沒有關於“學費減免”的信息") as they wrote them,
    # not as the reader folded them ("学費減免").
    said = tuple((t.span, reading.question[t.start:t.start + len(t.span)])
                 for c in reading.clauses for t in c.topics
                 if t.kind == "not_held" and has_cjk(t.span)
                 and normalize(reading.question[t.start:t.start + len(t.span)]) == t.span)

    def convert(line: str) -> str:
        return _hant(line, zones, dates, now, keep, said)

    return (tuple(replace(p, lines=tuple(convert(line) for line in p.lines)) for p in parts),
            convert(text))


def _hant(text: str, zones: Iterable[Zone], dates: Iterable[ImportantDate], now: datetime,
          keep: Iterable[str], said: Iterable[tuple[str, str]] = ()) -> str:
    instants = {now, *(i for d in dates for i in (d.starts, d.ends))}
    names = sorted({(zh.zone_name(z, i), zh.zone_name(z, i, zh.HANT))
                    for z in set(zones) for i in instants} | set(said),
                   key=lambda n: len(n[0]), reverse=True)
    return hant.convert(text, names=names, keep=[k for k in keep if has_cjk(k)])


def in_script(reply: Answer, text: str, reader: Zone, now: datetime) -> str:
    """A front end's own Chinese lines for a reply (Slack's date lines) in the script the
    question was asked in: traditional for ``reply.traditional``, else as they are."""
    if not reply.traditional:
        return text
    return _hant(text, {reader, *(d.zone for d in reply.dates)}, reply.dates, now,
                 [d.title for d in reply.dates])


def classify(question: str, event: Event) -> str:
    """The kind of answer a question gets (one of INTENTS), without rendering it."""
    reading = understand(question, event)
    if not reading.topics:
        return "unknown"
    topic = reading.topics[0]
    if topic.kind == "date":
        kind = event.date(topic.ids[0]).kind
        return {"deadline": "deadline", "notification": "notification",
                "camera-ready": "camera_ready", "event": "event"}.get(kind, "date")
    if topic.kind == "field":
        return {"pages": "page_limit", "anonymity": "anonymize", "how_submit": "submit",
                "venue": "event"}.get(topic.ids[0], topic.ids[0])
    if topic.kind == "social":
        return "greeting" if topic.ids[0] in ("greeting", "thanks") else "help"
    return {"next": "deadline"}.get(topic.kind, topic.kind)


def explain(reply: Answer) -> str:
    """The reading behind a reply, for people: language, spans matched, clauses, the plan."""
    reading = reply.reading
    if reading is None:
        return "(no reading)"
    out = [f"language: {reading.language}", f"normalized: {reading.normalized!r}"]
    if reading.zone is not None:
        z = reading.zone
        extra = f" ({'; '.join(z.meanings)})" if z.meanings else ""
        out.append(f"zone named: {z.text!r} -> {', '.join(z.zones) or z.kind}{extra}"
                   + (" [ambiguous]" if z.ambiguous else ""))
    else:
        out.append("zone named: none (the reader's own zone)")
    for z in reading.also:
        out.append(f"also named: {z.text!r} -> {', '.join(z.zones) or z.kind}")
    if reading.followup:
        out.append("follow-up: read against the thread's last question")
    out.append("matches:")
    for m in reading.matches:
        score = f" ~{m.score:.1f}" if m.score < 1 else ""
        out.append(f"  [{m.start}:{m.end}] {m.text!r} -> {m.meaning}{score}")
    if reading.unknown:
        out.append(f"unknown words: {', '.join(reading.unknown)}")
    for i, clause in enumerate(reading.clauses, 1):
        rel = f", relative: {', '.join(clause.relative)}" if clause.relative else ""
        day = f", weekday: {clause.weekday}" if clause.weekday is not None else ""
        asked = [name for name, on in (("length", clause.length), ("exists", clause.exists),
                                       ("hour", clause.hour), ("zone asked", clause.asks_zone),
                                       ("future extension", clause.future_ext)) if on]
        if clause.clock is not None:
            asked.append(f"clock {clause.clock[0]:02d}:{clause.clock[1]:02d}")
        if clause.day is not None:
            asked.append(f"day {clause.day[0]}/{clause.day[1]}")
        if clause.unknown:
            asked.append(f"unread {', '.join(clause.unknown)}")
        if clause.compare:
            asked.append(f"compare {clause.compare}")
        if clause.ordinal:
            asked.append(f"ordinal {clause.ordinal} of {clause.ordinal_of}s")
        if clause.daypart:
            asked.append(f"part of day {clause.daypart}")
        out.append(f"clause {i}: {clause.text!r} form={clause.form}{rel}{day}"
                   + (f" ({'; '.join(asked)})" if asked else ""))
        for t in clause.topics:
            ids = ", ".join(t.ids[:5]) + (f" (+{len(t.ids) - 5})" if len(t.ids) > 5 else "")
            out.append(f"  topic {t.kind}: {ids} score={t.score:.2f}")
    out.append("plan: " + (" | ".join(f"{p.kind}" + (f"={'yes' if p.verdict else 'no'}"
                                                      if p.verdict is not None else "")
                                      for p in reply.parts) or "help"))
    return "\n".join(out)
