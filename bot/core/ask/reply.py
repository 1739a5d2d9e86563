"""Plan and render the reply to a reading: one part per topic, in the order asked, in the
language asked. Every instant comes from the schedule (``ImportantDate``) and the zone engine;
none comes from the question's text.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import cast

from babel.dates import get_timezone_name

from bot.core.ask import lexicon as lx
from bot.core.ask import zh
from bot.core.ask.index import Index, index_for
from bot.core.ask.read import Clause, NamedZone, Reading, Topic, by_kind, has_length
from bot.core.ask.text import Language, has_cjk
from bot.core.model import Event, ImportantDate
from bot.core.render import same_offset
from bot.core.timefmt import (
    caption_after,
    captioned,
    countdown,
    date_captioned,
    describe,
    ends_written_day,
    format_day,
    format_instant,
    relative,
    zone_caption,
)
from bot.core.zones import Zone, parse_zone
from bot.errors import ZoneError

__all__ = ["Part", "render"]

_DUE_KINDS = ("deadline", "camera-ready")
_SHOW = 3
"""A group of dates (184 deadlines) names the next few that matter, then says how to see all."""
_LIST = 12


@dataclass(frozen=True)
class Part:
    """One topic's answer: its lines and the dates (from the schedule) it speaks of."""

    topic: Topic
    kind: str
    """The legacy intent name (``deadline``, ``page_limit``...), for logs and adapters."""
    lines: tuple[str, ...]
    dates: tuple[ImportantDate, ...] = ()
    verdict: bool | None = None


@dataclass(frozen=True)
class _Ctx:
    event: Event
    now: datetime
    reader: Zone
    lang: Language
    index: Index
    others: tuple[tuple[Zone, str], ...] = ()
    """Other readings of an ambiguous zone name, each with what it stands for."""
    named: bool = False
    """The question named the zone: an all-day event's hours are given in it too."""
    also: tuple[tuple[Zone, str], ...] = ()
    """Further zones the question named ("in AoE and Beijing time"), each with its label."""
    label: str = ""
    """The label of the zone the question named first ("CET" of "CET or CEST?")."""

    def upcoming(self) -> list[ImportantDate]:
        return self.index.upcoming(self.now)

    def ordered(self) -> tuple[ImportantDate, ...]:
        return self.index.ordered


# --- speaking of one date -------------------------------------------------------------------

def _same_wall_clock(a: Zone, b: Zone, instant: datetime) -> bool:
    """Whether two zones' clocks read alike then (the reminders' rule, ``same_offset``): one
    of the two times is said, "17:00 UTC+05:30; that is 17:00 IST" would say it twice."""
    return same_offset(a, b, instant)


def _one_clock(when: ImportantDate, reader: Zone, named: bool) -> Zone:
    """The zone to say a date in where the reader's clock reads as the date's own all along:
    the one the question named, else the date's own (as reminders do); else the reader's."""
    if not named and _same_wall_clock(reader, when.zone, when.starts) and \
            _same_wall_clock(reader, when.zone, when.ends):
        return when.zone
    return reader


def _relation(when: ImportantDate, now: datetime, lang: Language) -> str:
    if when.ends <= now:
        return (f"passed {countdown(now - when.ends)} ago" if lang == "en"
                else f"已过去{zh.countdown(now - when.ends)}")
    if when.starts <= now:
        return "under way now" if lang == "en" else "正在进行"
    return relative(when.starts, now) if lang == "en" else zh.relative(when.starts, now)


def _span_en(start: datetime, end: datetime, zone: Zone, of: ImportantDate | None = None) -> str:
    ends_day = of is not None and ends_written_day(of, end, zone)  # "to ..., 24:00" in full
    if zone.local(start).date() == zone.local(end).date() and not ends_day:
        until = f"{zone.local(end):%H:%M} {zone.abbreviation(end)}"
    else:
        until = format_instant(end, zone, ends_day)
    first = format_instant(start, zone, of is not None and ends_written_day(of, start, zone))
    return f"{first} to {until}{caption_after(zone, start)}"


def when_text(when: ImportantDate, now: datetime, reader: Zone, lang: Language = "en",
              relation: bool = True, convert_day: bool = False) -> str:
    """A date in the reader's zone, its own zone beside, and how far away it is.

    ``relation=False`` leaves out how far away it is (a reply that leads with the countdown);
    ``convert_day`` gives an all-day event's hours in the reader's zone too (a zone named)."""
    reader = _one_clock(when, reader, convert_day)
    if lang == "zh":
        return _when_zh(when, now, reader, relation, convert_day)
    tail = f" ({relative(when.ends, now)})" if relation else ""
    if when.all_day and when.kind in _DUE_KINDS:
        last = when.end_day or when.day
        assert last is not None
        ends = when.ends
        text = f"at the end of {format_day(last)} ({_day_caption(when.zone, ends)})"
        if not _same_wall_clock(reader, when.zone, ends):
            text += f"; that is {captioned(ends, reader)}"
        return text + tail
    if when.all_day:
        text = describe(when, now, reader).sentence(relation)
        change = _clocks_change(when)
        caption = zone_caption(when.zone, when.starts)
        # "(all day, Pacific/Auckland, UTC+12:00)" of days across a switch: both clocks; else
        # its one clock by the abbreviation a time is shown with ("America/Vancouver: PDT").
        clocks = _day_caption(when.zone, when.starts) if change is None else _two_clocks(
            when, change)
        text = text.replace(f"(all day, {caption})", f"(all day, {clocks})", 1)
        if (when.kind != "event" or convert_day) and not (
                _same_wall_clock(reader, when.zone, when.starts)
                and _same_wall_clock(reader, when.zone, when.ends)):
            text += (f" (in {reader.name}: from {format_instant(when.starts, reader)} to "
                     f"{format_instant(when.ends, reader)})")
        return text
    if when.end is None or when.end == when.at:
        said = describe(when, now, reader)
        if _same_wall_clock(reader, when.zone, when.starts):  # "IST; that is UTC+05:30"
            said = replace(said, same_zone=True)
        return said.sentence(relation)
    assert when.at is not None
    reader_text = _span_en(when.at, when.end, reader, when)
    tail = f" ({_relation(when, now, 'en')})" if relation else ""
    if _same_wall_clock(reader, when.zone, when.at):
        return reader_text + tail
    return f"{reader_text}; that is {_span_en(when.at, when.end, when.zone, when)}{tail}"


def _clocks_change(when: ImportantDate) -> date | None:
    """The day the clocks change during a range of days in its own zone, or None."""
    zone, last = when.zone, when.end_day or when.day
    if not when.all_day or when.day is None or last is None or zone.is_fixed:
        return None
    first = zone.offset_at(when.starts)
    if zone.offset_at(when.ends - timedelta(seconds=1)) == first:
        return None
    day = when.day
    while day < last and zone.offset_at(
            zone.start_of_day(day + timedelta(days=1)) - timedelta(seconds=1)) == first:
        day += timedelta(days=1)
    return day


def _clock_name(zone: Zone, instant: datetime) -> str:
    abbreviation, offset = zone.abbreviation(instant), zone.offset_at(instant)
    return offset if abbreviation == offset else f"{abbreviation}, {offset}"


def _day_caption(zone: Zone, instant: datetime) -> str:
    """ "America/Vancouver: PDT, UTC-07:00": an all-day date's zone with the abbreviation the
    answers show beside a time, as ``_two_clocks`` names each clock; the caption alone
    ("Anywhere on Earth, UTC-12:00", "America/Sao_Paulo, UTC-03:00") where the zone has no
    abbreviation but its offset."""
    caption = zone_caption(zone, instant)
    if zone.is_fixed:
        return caption
    abbreviation, offset = zone.abbreviation(instant), zone.offset_at(instant)
    if abbreviation == offset:
        return caption
    return f"{zone.region or zone.key}: {abbreviation}, {offset}"


def _two_clocks(when: ImportantDate, change: date) -> str:
    """ "Pacific/Auckland: NZST, UTC+12:00, then NZDT, UTC+13:00 from Sunday 29 September
    2030": the zone of a range of days the clocks change in, before and after."""
    zone = when.zone
    after = when.ends - timedelta(seconds=1)
    return (f"{zone.region or zone.key}: {_clock_name(zone, when.starts)}, then "
            f"{_clock_name(zone, after)} from {format_day(change)}")


def _span_zh(start: datetime, end: datetime, zone: Zone, of: ImportantDate | None = None) -> str:
    ends_day = of is not None and ends_written_day(of, end, zone)
    first = zh.format_instant(start, zone, of is not None and ends_written_day(of, start, zone))
    if zone.local(start).date() == zone.local(end).date() and not ends_day:
        return f"{first}至{zone.local(end):%H:%M}"
    return f"{first}至{zh.format_instant(end, zone, ends_day)}"


def _when_zh(when: ImportantDate, now: datetime, reader: Zone, relation: bool = True,
             convert_day: bool = False) -> str:
    tail = f"（{_relation(when, now, 'zh')}）" if relation else ""
    if when.all_day:
        assert when.day is not None
        if when.kind in _DUE_KINDS:
            last = when.end_day or when.day
            ends = when.ends
            text = f"{zh.format_day(last)}结束时（{zh.zone_name(when.zone, ends)}）"
            if not _same_wall_clock(reader, when.zone, ends):
                text += f"，即{zh.format_instant(ends, reader)}（{zh.zone_name(reader, ends)}）"
            return text + (f"（{zh.relative(ends, now)}）" if relation else "")
        days = zh.format_day(when.day)
        if when.end_day and when.end_day != when.day:
            days += f"至{zh.format_day(when.end_day)}"
        caption = zh.zone_name(when.zone, when.starts)
        change = _clocks_change(when)
        if change is not None:  # the clocks change during it: both clocks
            caption += (f"，{zh.format_day(change)}改为"
                        f"{zh.zone_name(when.zone, when.ends - timedelta(seconds=1))}")
        text = f"{days}（全天，{caption}）"
        if (when.kind != "event" or convert_day) and not (
                _same_wall_clock(reader, when.zone, when.starts)
                and _same_wall_clock(reader, when.zone, when.ends)):
            # A day of another zone ("9月20日（全天，PDT）") in the asker's hours, as in English.
            text += (f"（按{zh.zone_name(reader, when.starts)}：从"
                     f"{zh.format_instant(when.starts, reader)}到"
                     f"{zh.format_instant(when.ends, reader)}）")
        return text + tail
    assert when.at is not None
    ranged = when.end is not None and when.end != when.at
    end = when.end if when.end is not None else when.at
    here = _span_zh(when.at, end, reader, when) if ranged else zh.format_instant(
        when.at, reader, ends_written_day(when, when.at, reader))
    text = f"{here}（{zh.zone_name(reader, when.at)}）"
    if not _same_wall_clock(reader, when.zone, when.at):
        there = (_span_zh(when.at, end, when.zone, when) if ranged
                 else zh.format_instant(when.at, when.zone,
                                        ends_written_day(when, when.at, when.zone)))
        text += f"，即{there}（{zh.zone_name(when.zone, when.at)}）"
    return text + tail


def _was_text(when: ImportantDate, reader: Zone, lang: Language) -> str:
    if when.all_day:
        assert when.day is not None
        if lang == "zh":
            return f"{zh.format_day(when.day)}（{zh.zone_name(when.zone, when.starts)}）"
        return f"{format_day(when.day)} ({_day_caption(when.zone, when.starts)})"
    assert when.at is not None
    if lang == "zh":
        return (f"{zh.format_instant(when.at, reader, ends_written_day(when, when.at, reader))}"
                f"（{zh.zone_name(reader, when.at)}）")
    return date_captioned(when, when.at, reader)


def _title(when: ImportantDate, lang: Language = "en") -> str:
    if when.extended:
        return when.title + (" (extended)" if lang == "en" else "（已延期）")
    return when.title


def _the(when: ImportantDate) -> str:
    """ "the Poster abstract submission deadline", or "the deadline for Round 2"."""
    if when.kind != "deadline" or re.search(r"deadline|due|cut-?off", when.title, re.I):
        return f"the {_title(when)}"
    return f"the deadline for {_title(when)}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _verb(title: str, singular: str, plural: str) -> str:
    """The verb that agrees with a date's title: "Acceptance notifications come", "the paper
    deadline comes" (the head noun is taken to be the last word before any parenthesis)."""
    words = re.findall(r"[A-Za-z]+", title.split("(", 1)[0])
    head = words[-1].lower() if words else ""
    plural_head = (len(head) > 3 and head.endswith("s") and not head.endswith(("ss", "us", "is"))
                   and head != "news")
    return plural if plural_head else singular


def line(when: ImportantDate, ctx: _Ctx) -> str:
    if when.cancelled:
        if ctx.lang == "zh":
            return f"{when.title}：已取消（原为{_was_text(when, ctx.reader, 'zh')}）"
        return f"{when.title}: CANCELLED (it was {_was_text(when, ctx.reader, 'en')})"
    sep = "：" if ctx.lang == "zh" else ": "
    text = when_text(when, ctx.now, ctx.reader, ctx.lang, convert_day=ctx.named)
    return f"{_title(when, ctx.lang)}{sep}{text}"


def _key_instant(when: ImportantDate) -> datetime:
    """The instant a date "is": a deadline's close, anything else's start."""
    return when.ends if when.kind in _DUE_KINDS else when.starts


def _ask_whom(event: Event, lang: Language) -> str:
    c = event.contact
    if lang == "zh":
        if c.email and c.name:
            return f"请联系 {c.name}（{c.email}）"
        if c.email or c.url:
            return f"请联系 {c.email or c.url}"
        return f"请查看 {event.url}" if event.url else "请询问组织者"
    if c.email and c.name:
        return f"ask {c.name} ({c.email})"
    if c.email or c.url:
        return f"ask {c.email or c.url}"
    if event.url:
        return f"see {event.url}"
    return "ask the organizers"


def _not_said(what_en: str, what_zh: str, ctx: _Ctx) -> str:
    if ctx.lang == "zh":
        return f"日程里没有写{what_zh}；{_ask_whom(ctx.event, 'zh')}。"
    return f"The schedule does not say {what_en}; {_ask_whom(ctx.event, 'en')}."


# --- yes/no: the facts that decide them -----------------------------------------------------

def _local_day(when: ImportantDate, zone: Zone) -> tuple[datetime, datetime]:
    first = zone.local(when.starts)
    last = zone.local(when.ends - timedelta(seconds=1)) if when.all_day else zone.local(
        _key_instant(when))
    if not when.all_day and when.end is not None and when.end > when.starts and \
            when.kind not in _DUE_KINDS:
        # A timed range (Monday 09:00 to Tuesday 17:30) is on both days.
        return first, zone.local(when.end - timedelta(seconds=1))
    if not when.all_day:
        first = last
    return first, last


def _days(first: datetime, last: datetime) -> set[date]:
    """Every calendar day from first's to last's: the days a date is on, in one zone."""
    return {first.date() + timedelta(days=i) for i in range((last.date() - first.date()).days + 1)}


def _verdict(when: ImportantDate, clause: Clause, ctx: _Ctx, zone: NamedZone | None
             ) -> tuple[bool | None, str]:
    """Yes, no or cannot say, for what a yes/no question asks of one date; and why."""
    if clause.clocks and {"before", "after"} & set(clause.relative):
        # "is the abstract deadline before the clocks change?": the next switch of the
        # date's own zone, from now; a zone that does not switch in a year cannot say.
        switch = _next_switch(when.zone, ctx.now)
        if switch is None:
            return None, ""
        key = when.ends if when.kind in ("deadline", "camera-ready") else when.starts
        return (key < switch) == ("before" in clause.relative), "clocks_order"
    if clause.clocks:
        return _clocks_change_on(when), "clocks"
    now_local = ctx.reader.local(ctx.now)
    first, last = _local_day(when, ctx.reader)
    days = _days(first, last)
    if clause.ahead is not None:
        # "is the workshop two days away?": the day it starts (a deadline: closes) counted
        # from today, here or in its own zone, or the whole days left; not how long it
        # lasts, and not "now" of "2 days from now".
        lo, hi = clause.ahead
        key = when.ends if when.kind in _DUE_KINDS else when.starts
        own_first, own_last = _local_day(when, when.zone)
        own_day = (own_last if when.kind in _DUE_KINDS else own_first).date()
        here = (last if when.kind in _DUE_KINDS else first).date()
        counts = {(here - now_local.date()).days, (key - ctx.now).days,
                  (own_day - when.zone.local(ctx.now).date()).days}
        return key > ctx.now and any(lo <= n <= hi for n in counts), "ahead"
    acting = _acting_at(when, clause, ctx)
    if acting is not None:
        # "can I still submit at 2pm Beijing time on Sept 11?", "is 10am too late?": the
        # instant asked against the deadline, not whether the deadline is at that instant.
        too_late = "passed" in clause.relative
        return (acting >= when.ends) if too_late else (acting < when.ends), "acting"
    for rel in clause.relative:
        if rel == "still" and (clause.day is not None or clause.clock is not None):
            continue  # "is the deadline still Nov 17?": the day asked decides
        if rel == "still":
            ranged = when.end is not None or (when.end_day is not None
                                              and when.end_day != when.day)
            started = when.starts <= ctx.now or not ranged
            return when.ends > ctx.now and started and not when.cancelled, "open"
        if rel == "passed":
            return when.ends <= ctx.now, "passed"
        if rel == "open":
            # "is registration open?": a due date not yet closed, a range under way, an
            # opening ("Registration opens") already come.
            ranged = when.end is not None or (when.end_day is not None
                                              and when.end_day != when.day)
            if when.kind in _DUE_KINDS:
                return when.ends > ctx.now and not when.cancelled, "open"
            if ranged:
                return when.starts <= ctx.now < when.ends and not when.cancelled, "now"
            return when.starts <= ctx.now and not when.cancelled, "started"
        if rel == "started" and when.kind in _DUE_KINDS and re.search(r"\bopen", clause.text):
            # "is cycle 2 open yet?" of a deadline: open while it is ahead.
            return when.ends > ctx.now and not when.cancelled, "open"
        if rel in ("started", "out"):
            # "has the rebuttal started?", "is the notification out yet?": begun by now.
            return when.starts <= ctx.now and not when.cancelled, rel
        if rel == "extended":
            return when.extended, "extended"
        if rel in ("weekend", "weekday") or (rel == "this_weekend"
                                             and not _THIS_WEEKEND.search(clause.text)):
            # "is the workshop on a weekend?", "over the weekend?": a Saturday or Sunday of
            # it here or in the date's own zone (as a weekday asked is), not this coming
            # weekend; a zone named leaves only its days when read said "weekend" ("on a
            # weekday?": Monday to Friday, alike).
            own = _days(*_local_day(when, when.zone))
            # A date given as days is on its own days, whatever the reader's zone.
            named = rel != "this_weekend" and _named(zone)
            asked = own if when.all_day else days if named else days | own
            return _in_week_part(asked, workdays=rel == "weekday"), "weekend"
        if rel == "now":
            if when.kind in _DUE_KINDS:  # "can I submit now?": the deadline is still open
                return when.ends > ctx.now and not when.cancelled, "open"
            return when.starts <= ctx.now < when.ends and not when.cancelled, "now"
        today = now_local.date()
        window = {
            "today": {today}, "tonight": {today}, "tomorrow": {today + timedelta(days=1)},
            "day_after": {today + timedelta(days=2)}, "yesterday": {today - timedelta(days=1)},
            "this_week": {today + timedelta(days=i - today.weekday()) for i in range(7)},
            "next_week": {today + timedelta(days=7 + i - today.weekday()) for i in range(7)},
            "last_week": {today + timedelta(days=i - 7 - today.weekday()) for i in range(7)},
            "this_weekend": {today + timedelta(days=(5 - today.weekday()) % 7 + i)
                             for i in range(2)} if today.weekday() < 5 else
                            {today + timedelta(days=i) for i in range(7 - today.weekday())},
        }.get(rel)
        if rel == "this_month":
            return any(d.year == today.year and d.month == today.month for d in days), rel
        if rel == "next_month":
            ahead = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
            return any(d.year == ahead.year and d.month == ahead.month for d in days), rel
        if rel == "last_month":
            back = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
            return any(d.year == back.year and d.month == back.month for d in days), rel
        if window is not None:
            hit = bool(days & window)
            if rel == "tonight" and not when.all_day:
                # This evening, or the small hours after it (a 03:59 deadline is tonight's).
                late = {d for d in days if d == today and last.hour >= 17} | {
                    d for d in days if d == today + timedelta(days=1) and last.hour < 5}
                hit = bool(late)
            return hit, rel
    if clause.daypart and not when.all_day:
        # "is the workshop in the morning?": the hour it starts (a deadline: closes), in the
        # zone named, else in its own zone.
        local = (ctx.reader if _named(zone) else when.zone).local(
            _key_instant(when))
        lo, hi = _DAYPARTS[clause.daypart]
        if clause.daypart == "afternoon" and (local.hour, local.minute) == (12, 0):
            return False, "daypart"  # noon is not the afternoon
        return (lo <= local.hour < hi) if lo < hi else (local.hour >= lo or local.hour < hi), \
            "daypart"
    if clause.day is not None or clause.clock is not None:
        # "is the deadline on September 10 at 11:59pm?": the day and the time of day, both in
        # one zone: the zone named, else the date's own or the reader's (a deadline at 23:59
        # PDT is the 10th there, the 11th here); a day's end (24:00) is midnight and 23:59.
        zones = [ctx.reader] if _named(zone) else [when.zone, ctx.reader]
        hit = any(_at_day_and_clock(when, z, clause) for z in zones)
        if clause.weekday is not None:
            hit = hit and any(d.weekday() == clause.weekday for d in days)
        return hit, "day" if clause.day is not None else "clock"
    if clause.month is not None:
        # "is the school in July?": a day of it in that month, here or in its own zone.
        own_first, own_last = _local_day(when, when.zone)
        own = {own_first.date(), own_last.date()}
        return any(d.month == clause.month for d in days | own), "month"
    if clause.weekday is not None:
        # "is the paper deadline on Friday?" of 23:59 AoE on a Friday (Saturday here): yes,
        # as a day asked is (the day in the date's own zone or the reader's).
        own = _days(*_local_day(when, when.zone))
        named_zone = _named(zone)
        if when.all_day and not named_zone:
            # A date given as days is on its own days ("Monday 12 to Thursday 15 January"),
            # not on the Sunday evening its first day starts at in Kolkata.
            return any(d.weekday() == clause.weekday for d in own), "weekday"
        return any(d.weekday() == clause.weekday
                   for d in (days if named_zone else days | own)), "weekday"
    if zone is not None and zone.zones and not zone.ambiguous:
        if zone.kind == "abbreviation" and zone.text.upper() in _SEASONAL:
            # "is the paper deadline NZDT?" of a date after the clocks went back: the season
            # the name says must be the date's (US names are read as the local time).
            return _names_clock(when.zone, parse_zone(zone.zones[0]), zone.text.upper(),
                                _key_instant(when)), "zone"
        return _same_zone(when.zone, zone.zones[0], _key_instant(when)), "zone"
    if zone is not None and zone.ambiguous and zone.kind == "abbreviation":
        # "is it IST?" of a date in UTC+05:30: yes when one reading of the name is its
        # clock (the note above the reply says how the name was read).
        return any(_names_clock(when.zone, parse_zone(k), zone.text.upper(), _key_instant(when))
                   for k in zone.zones), "zone"
    if clause.exists:
        return not when.cancelled, "exists"  # "is there an industry track?": it is held
    return None, ""


def _in_week_part(days: set[date], *, workdays: bool) -> bool:
    """Whether one of ``days`` is a workday (Monday to Friday), or else a weekend day."""
    return any((d.weekday() < 5) == workdays for d in days)


def _named(zone: NamedZone | None) -> bool:
    """Whether the question named the zone a day or a clock is asked in: one by its name, or
    the asker's own ("for me", "my time"), which the reader's zone then is."""
    return zone is not None and (bool(zone.zones) or zone.kind == "mytime")


def _holds_where(when: ImportantDate, clause: Clause, ctx: _Ctx, zone: NamedZone | None,
                 why: str) -> tuple[bool, bool] | None:
    """For a day asked ("on Sunday?", "on a weekend?", "on September 10?") of a timed date
    and no zone named: whether it holds in the date's own zone and in the reader's. None
    where one answer holds for both (the same day in both zones, a date given as days)."""
    if why not in ("weekday", "weekend", "day") or when.all_day or _named(zone) or \
            _same_wall_clock(when.zone, ctx.reader, _key_instant(when)):
        return None
    if why == "day":
        if clause.clock is not None:
            return None
        return (_at_day_and_clock(when, when.zone, clause),
                _at_day_and_clock(when, ctx.reader, clause))

    def holds(z: Zone) -> bool:
        days = _days(*_local_day(when, z))
        if why == "weekday":
            return any(d.weekday() == clause.weekday for d in days)
        return _in_week_part(days, workdays="weekday" in clause.relative)
    return holds(when.zone), holds(ctx.reader)


def _split_fact(when: ImportantDate, ctx: _Ctx, own_only: bool) -> str:
    """The date, where the day asked holds in one of the two zones only: that one first."""
    zh_ = ctx.lang == "zh"
    instant = _key_instant(when)
    own = when_text(when, ctx.now, when.zone, ctx.lang)
    here = (zh.format_instant(instant, ctx.reader)
            + f"（{zh.zone_name(ctx.reader, instant)}）") if zh_ else captioned(instant, ctx.reader)
    title = _title(when, ctx.lang)
    if own_only:
        return (f"按它自己的时区，{title}是{own}；在你的时区即{here}。" if zh_ else
                f"in its own zone, {_the(when)} is {own}; for you that is {here}.")
    there = (zh.format_instant(instant, when.zone)
             + f"（{zh.zone_name(when.zone, instant)}）") if zh_ else captioned(instant, when.zone)
    return (f"按你的时区，{title}是{here}（{zh.relative(instant, ctx.now)}）；按它自己的时区仍是"
            f"{there}。" if zh_ else
            f"for you, {_the(when)} is {here} ({relative(instant, ctx.now)}); in its own zone "
            f"that is {there}.")


def _next_switch(zone: Zone, now: datetime) -> datetime | None:
    """The first instant after ``now`` at which a zone's offset differs from now's (to the
    minute), within a year; None for a zone that does not switch in that time."""
    if zone.is_fixed:
        return None
    was = zone.offset_at(now)
    day = timedelta(days=1)
    low = now
    while low - now < timedelta(days=370) and zone.offset_at(low + day) == was:
        low += day
    if low - now >= timedelta(days=370):
        return None
    high = low + day
    while high - low > timedelta(minutes=1):
        mid = low + (high - low) / 2
        low, high = (mid, high) if zone.offset_at(mid) == was else (low, mid)
    return high


def _clocks_change_on(when: ImportantDate) -> bool:
    """Whether the clocks of a date's own zone change on its day (or days)."""
    zone = when.zone
    if zone.is_fixed:
        return False
    first, last = _local_day(when, zone)
    start = zone.start_of_day(first.date())
    end = zone.start_of_day(last.date() + timedelta(days=1)) - timedelta(seconds=1)
    return zone.offset_at(start) != zone.offset_at(end)


_SEASONAL = frozenset({"NZDT", "NZST", "AEDT", "AEST", "ACDT", "ACST", "CEST", "EEST", "WEST",
                       "BST", "EDT", "CDT", "MDT", "PDT", "AKDT"})
"""Abbreviations of one season of a zone with daylight time: a yes only in that season. The
US daylight names are among them ("is the deadline EDT?" of 17:00 EST is a no), the US
standard names are not: "EST" and "PST" are said of Eastern and Pacific time all year."""
_DAYPARTS = {"morning": (5, 12), "afternoon": (12, 17), "evening": (17, 22), "night": (21, 5)}


_ACTING = re.compile(r"\b(?:can|could|may)\s+(?:i|we)\b[^?]*\b(?:submit|upload|send|hand in|"
                     r"register)\b|\btoo late\b|\bstill (?:in time|ok|okay|fine)\b|"
                     r"还能|还可以|来得及|能不能交|能交|可以交|太晚|晚了吗|还来得及")
"""A question about acting at a time ("can I submit at 2pm?", "is 10am too late?",
"下午两点还能交吗"), not about when the date is."""


def _asks_acting(clause: Clause) -> bool:
    """Whether a clause asks to act at a time of day it names (``_ACTING``)."""
    return clause.clock is not None and bool(_ACTING.search(clause.text))


def _acting_at(when: ImportantDate, clause: Clause, ctx: _Ctx) -> datetime | None:
    """The instant a question asks to act at, on a date that closes ("can I still submit at
    2pm on Sept 11?"): its clock on the day asked (else the date's own day there), in the zone
    named, else the asker's; None when the question asks no such thing."""
    if clause.clock is None or when.kind not in _DUE_KINDS or not _asks_acting(clause):
        return None
    clock_zone = ctx.reader  # the zone named, or the asker's (a named zone is the reader now)
    due = clock_zone.local(_key_instant(when))
    day = due.date()
    today = clock_zone.local(ctx.now).date()
    if "tomorrow" in clause.relative:  # "can I still submit tomorrow at 3pm?"
        day = today + timedelta(days=1)
    elif {"today", "tonight"} & set(clause.relative):
        day = today
    if clause.day is not None:
        month, number = clause.day
        candidates = []
        for year in (due.year - 1, due.year, due.year + 1):
            try:
                candidates.append(date(year, month or due.month, number))
            except ValueError:
                continue
        if not candidates:
            return None
        day = min(candidates, key=lambda d: abs((d - due.date()).days))
    hour, minute = clause.clock
    try:
        return clock_zone.localize(datetime(day.year, day.month, day.day, hour, minute),
                                   fold="earlier")
    except (ZoneError, ValueError):
        return None


def _at_day_and_clock(when: ImportantDate, zone: Zone, clause: Clause) -> bool:
    if clause.day is not None:
        first, last = _local_day(when, zone)
        span = (last.date() - first.date()).days + 1
        days = [first.date() + timedelta(days=i) for i in range(max(1, span))]
        month, day = clause.day
        if (month, day) not in {(d.month if month else 0, d.day) for d in days}:
            return False
    if clause.clock is not None:
        local = zone.local(_key_instant(when))
        said = {(local.hour, local.minute)}
        if (local.hour, local.minute) == (0, 0):
            said.add((23, 59))
        if (local.hour, local.minute) == (23, 59):
            said.add((0, 0))
        before = bool(_BEFORE_CLOCK.search(clause.text)) and (local.hour, local.minute) < \
            clause.clock
        if clause.clock not in said and not before:
            return False
    return True


_BEFORE_CLOCK = re.compile(r"点(?:钟|半|\d+分?)?\s*(?:之|以)?前|\b(?:before|earlier than|"
                           r"no later than|not later than|ahead of)\s+(?:\d|noon\b|midnight\b)")
"""「晚上8点前吗？」, "before 8 pm?": a time of day asked as a bound: a date at 19:59 is before
it (English "before" followed by a clock; "before the conference" is no clock)."""


def _same_zone(own: Zone, key: str, instant: datetime) -> bool:
    if own.key == key or own.region == key:
        return True
    try:
        other = parse_zone(key)
    except Exception:  # a zone we named ourselves; never expected to fail
        return False
    if own.kind in ("aoe", "offset") or other.kind in ("aoe", "offset"):
        # "is it India time?" of a date given in UTC+05:30: the same clock there, that day.
        return (own.is_fixed or other.kind != "aoe") and own.offset_at(instant) == \
            other.offset_at(instant)
    # "is it in CEST?" of a date in Berlin (CEST read as Paris): the same clock and name then.
    return own.offset_at(instant) == other.offset_at(instant) and \
        own.abbreviation(instant) == other.abbreviation(instant)


_CANCEL_ASKED = re.compile(r"取消|\bcancel(?:l?ed|led|lation)?\b|\bcalled off\b")


def _yes_no(verdict: bool, lang: Language) -> str:
    if lang == "zh":
        return "是的，" if verdict else "不是，"
    return "Yes: " if verdict else "No: "


# --- date topics ----------------------------------------------------------------------------

def _one_date(when: ImportantDate, clause: Clause, ctx: _Ctx, zone: NamedZone | None,
              chosen: bool = False) -> Part:
    zh_ = ctx.lang == "zh"
    text = when_text(when, ctx.now, ctx.reader, ctx.lang, convert_day=ctx.named)
    lines: list[str] = []
    verdict: bool | None = None
    if chosen:
        lines.append("你没有说是哪个日期，下面是接下来最要紧的一个：" if zh_ else
                     "You did not say which date, so here is the next one that matters:")
    asks_cancel = clause.form == "yesno" and bool(_CANCEL_ASKED.search(clause.text))
    if when.cancelled:
        # 教程取消了吗？ ("was the tutorial cancelled?"): yes, first.
        lead = _yes_no(True, ctx.lang) if asks_cancel else ""
        lines.append(lead + line(when, ctx) + ("。" if zh_ else "."))
        lines.append(f"它已被取消；{_ask_whom(ctx.event, 'zh')}。" if zh_ else
                     f"It has been cancelled; {_ask_whom(ctx.event, 'en')} for news.")
        return Part(Topic("date", (when.id,)), _legacy(when), tuple(lines), (when,),
                    True if asks_cancel else None)
    if asks_cancel:
        lines.append(f"不是，日程里它没有取消：{line(when, ctx)}。" if zh_ else
                     f"No: the schedule shows it is not cancelled: {line(when, ctx)}.")
        return Part(Topic("date", (when.id,)), _legacy(when), tuple(lines), (when,), False)
    if clause.future_ext:
        # "can the deadline be extended?": no schedule promises that; say what it does show.
        lines.append(_not_said("whether it will be extended" + (" again" if when.extended
                                                                else ""),
                               "是否会" + ("再次" if when.extended else "") + "延期", ctx))
        lines.append(line(when, ctx) + ("。" if zh_ else "."))
        if when.extended:
            lines.append(_capital(_extension_line(when, ctx, verdict_said=True)))
        return Part(Topic("date", (when.id,)), _legacy(when), tuple(lines), (when,))
    if clause.form == "yesno" and clause.span_asked and clause.span_asked[0] and \
            has_length(when) and not clause.relative:
        # "is the workshop two days?": its length against the one asked, then the length.
        n, unit = clause.span_asked
        span = _lasts(when, clause.span_asked)
        asked = timedelta(hours=n) if unit == "hour" else timedelta(days=n * (
            7 if unit == "week" else 1))
        verdict = span == asked
        lines.append(_yes_no(verdict, ctx.lang) + (
            f"{_title(when, 'zh')}持续{zh.countdown(span)}：{text}。" if zh_ else
            f"{_title(when)} lasts {countdown(span)}: {text}."))
        lines.extend(_other_readings(when, ctx))
        return Part(Topic("date", (when.id,)), _legacy(when), tuple(lines), (when,), verdict)
    if clause.form == "yesno":
        verdict, why = _verdict(when, clause, ctx, zone)
        if verdict is None and clause.unknown:
            # "is the workshop free?", "会议要穿正装吗": nothing the schedule holds decides it.
            what = clause.unknown[0]
            said = f"“{what}”" if zh_ else f'"{what}"'
            text_ = (f"日程里没有关于{said}的信息；{_ask_whom(ctx.event, 'zh')}。" if zh_ else
                     f"The schedule does not say anything about {said}; "
                     f"{_ask_whom(ctx.event, 'en')}.")
            return Part(Topic("not_held", (f"w:{what}",), what), "not_held", (text_,))
        if ctx.also and (why == "zone" or _EITHER.search(clause.text)):  # (and below)
            # "is the deadline AoE or UTC?" asks which: the zone the schedule states, not a
            # yes for the first one named; the time in each zone named follows.
            lines.append(_zone_choice(when, ctx))
            lines.extend(_other_readings(when, ctx))
            return Part(Topic("date", (when.id,)), _legacy(when), tuple(lines), (when,))
        split = _holds_where(when, clause, ctx, zone, why) if verdict else None
        if split is not None and split[0] != split[1]:
            # "is the deadline on Sunday?" of Sunday 23:59 PDT, Monday in Shanghai: yes, in
            # the zone where it is; said so, with the other zone's day beside it.
            lines.append(_yes_no(True, ctx.lang) + _split_fact(when, ctx, own_only=split[0]))
            lines.extend(_other_readings(when, ctx))
            return Part(Topic("date", (when.id,)), _legacy(when), tuple(lines), (when,), True)
        if verdict is not None:
            fact = _fact(when, why, ctx, verdict, zone)
            if ctx.lang == "en" and fact.startswith("The "):
                fact = "t" + fact[1:]  # "No: the schedule shows ...", not "No: The"
            lines.append(_yes_no(verdict, ctx.lang) + fact)
            lines.extend(_other_readings(when, ctx))
            return Part(Topic("date", (when.id,)), _legacy(when), tuple(lines), (when,),
                        verdict)
    if ctx.also and zone is not None and zone.zones and not zone.ambiguous \
            and clause.form in ("what", "when") and (_WHICH_ZONE_ZH.search(clause.text)
                                                    or _EITHER.search(clause.text)):
        # "截止时间是AoE还是UTC？" asks which zone, as "is it AoE or UTC?" does.
        lines.append(_zone_choice(when, ctx))
        lines.extend(_other_readings(when, ctx))
        return Part(Topic("date", (when.id,)), _legacy(when), tuple(lines), (when,))
    if clause.form == "howlong" and clause.length and has_length(when):
        span = _lasts(when, clause.span_asked)
        hours = _lasts(when)  # its hours, unless it spans days
        if when.kind == "event" and hours < timedelta(days=1) and _DAYS_ASKED.search(
                clause.text):
            # 研讨会开几天？ of a workshop from 09:30 to 17:30: one day, of 8 hours.
            lines.append(f"{_title(when, 'zh')}共1天，持续{zh.countdown(hours)}：{text}。" if zh_
                         else f"{_capital(_title(when))} is on 1 day and lasts "
                              f"{countdown(hours)}: {text}.")
        else:
            lines.append(f"{_title(when, 'zh')}持续{zh.countdown(span)}：{text}。" if zh_ else
                         f"{_capital(_title(when))} lasts {countdown(span)}: {text}.")
    elif clause.form == "howlong":
        # The reply leads with the time left: the date after it does not say it again.
        bare = when_text(when, ctx.now, ctx.reader, ctx.lang, relation=False,
                         convert_day=ctx.named)
        key = when.ends if when.kind in _DUE_KINDS or when.ends <= ctx.now else when.starts
        if when.starts <= ctx.now < when.ends and when.kind not in _DUE_KINDS:
            left = zh.countdown(when.ends - ctx.now) if zh_ else countdown(when.ends - ctx.now)
            lines.append(f"{_title(when, 'zh')}正在进行，还有{left}结束：{bare}。" if zh_ else
                         f"{_capital(_the(when))} is under way now, ending in {left}: {bare}.")
        elif key > ctx.now:
            lines.append(f"距离{_title(when, 'zh')}还有{zh.countdown(key - ctx.now)}"
                         f"{zh.in_hours(key - ctx.now, clause.text)}：{bare}。"
                         if zh_ else
                         f"{countdown(key - ctx.now)} left until {_the(when)}: {bare}.")
        else:
            lines.append(f"{_title(when, 'zh')}已经过了：{text}。" if zh_ else
                         f"{_capital(_the(when))} has passed: it was {text}.")
    elif when.kind == "deadline" and not zh_:
        if when.ends <= ctx.now:
            lines.append(f"{_capital(_the(when))} has passed: it was {text}.")
        else:
            lines.append(f"{_capital(_the(when))} is {text}.")
    else:
        lines.append(line(when, ctx) + ("。" if zh_ else "."))
    if "extended" in clause.relative and clause.form != "yesno":
        lines.append(_capital(_extension_line(when, ctx, verdict_said=True)))
    if clause.asks_zone:
        instant = _key_instant(when)
        lines.append(f"日程按{zh.zone_name(when.zone, instant)}给出这个时间。" if zh_ else
                     f"The schedule gives it in {when.zone.abbreviation(instant)}"
                     f"{caption_after(when.zone, instant)}.")
    if clause.hour and when.all_day and when.kind not in _DUE_KINDS:
        # "what time does it start?" of a date given as a day: say the hour is not given.
        lines.append(f"日程只给出了日期，没有写具体时间；{_ask_whom(ctx.event, 'zh')}。" if zh_ else
                     f"The schedule gives the day only, not the hours; "
                     f"{_ask_whom(ctx.event, 'en')}.")
    if when.kind == "event" and (clause.form in ("when", "what", "where") or clause.asks_zone):
        lines.extend(_event_extra(when, ctx))  # with the clock change during it, if any
    lines.extend(_other_readings(when, ctx))
    return Part(Topic("date", (when.id,)), _legacy(when), tuple(lines), (when,))


_HALF_DAY = timedelta(hours=6)


def _lasts(when: ImportantDate, asked: tuple[int, str] | None = None) -> timedelta:
    """How long a date lasts: days on the calendar for a day or a range of days (four days
    across the switch to summer time are 95 hours), a range "until 23:59" to the end of its
    day, an event over several days (or asked in days: "how many days is the workshop?")
    its days on the calendar, else the hours between its start and end."""
    span = when.ends - when.starts
    by_day = asked is not None and asked[1] in ("day", "week")
    if when.all_day and when.day is not None:
        return timedelta(days=((when.end_day or when.day) - when.day).days + 1)
    if when.end is not None and when.zone.local(when.end).minute == 59:
        return span + timedelta(minutes=1)  # "until 23:59" means the whole day
    one_day = when.zone.local(when.starts).date() == when.zone.local(when.end).date() \
        if when.end is not None else True
    if when.kind == "event" and when.end is not None and (
            (by_day and span >= _HALF_DAY) or not one_day):
        # (a half day or less, asked in days, is said in hours: "3 hours 30 minutes")
        # Monday 09:00 to Tuesday 17:30 is a two-day workshop, not "1 day 8 hours".
        first, last = when.zone.local(when.starts).date(), when.zone.local(when.end).date()
        return timedelta(days=(last - first).days + 1)
    return span


def _other_readings(when: ImportantDate, ctx: _Ctx) -> list[str]:
    out = []
    for zone, meaning in ctx.others:
        text = when_text(when, ctx.now, zone, ctx.lang)
        out.append(f"如果你指的是{meaning}：{text}" if ctx.lang == "zh" else
                   f"If you meant {meaning}: {text}")
    return out + _also_lines(when, ctx)


def _also_lines(when: ImportantDate, ctx: _Ctx) -> list[str]:
    out: list[str] = []
    shown = [ctx.reader, when.zone]
    for zone, label in ctx.also:
        # "in AoE and Beijing time": each zone named, unless it reads the same as one shown.
        if any(_same_wall_clock(zone, z, when.starts) and _same_wall_clock(zone, z, when.ends)
               for z in shown):
            continue
        shown.append(zone)
        text = _in_zone(when, zone, ctx.lang)
        out.append(f"按{label}：{text}" if ctx.lang == "zh" else f"In {label}: {text}")
    return out


def _also_suffix(when: ImportantDate, ctx: _Ctx) -> str:
    """ "in EST and CET": a date listed on one line, in each further zone named too."""
    return "".join(f"；{x}" if ctx.lang == "zh" else f"; {x[:1].lower()}{x[1:]}"
                   for x in _also_lines(when, ctx)) if ctx.also else ""


def _in_zone(when: ImportantDate, zone: Zone, lang: Language) -> str:
    """A date's instants in one zone, with that zone's name: no countdown, no other zone."""
    zh_ = lang == "zh"
    fmt = zh.format_instant if zh_ else format_instant

    def caption(instant: datetime) -> str:
        return f"（{zh.zone_name(zone, instant)}）" if zh_ else caption_after(zone, instant)

    if when.all_day and when.kind in _DUE_KINDS:
        return fmt(when.ends, zone) + caption(when.ends)
    if when.all_day or (when.end is not None and when.end != when.at):
        if zh_:
            return f"{_span_zh(when.starts, when.ends, zone, when)}{caption(when.starts)}"
        if when.all_day:
            return (f"from {fmt(when.starts, zone)} to {fmt(when.ends, zone)}"
                    f"{caption(when.starts)}")
        return _span_en(when.starts, when.ends, zone, when)
    return fmt(when.starts, zone, ends_written_day(when, when.starts, zone)) + caption(when.starts)


def _fact(when: ImportantDate, why: str, ctx: _Ctx, verdict: bool,
          zone: NamedZone | None) -> str:
    text = when_text(when, ctx.now, ctx.reader, ctx.lang, convert_day=ctx.named)
    zh_ = ctx.lang == "zh"
    title = _title(when, ctx.lang)
    if why in ("open", "passed"):
        if (why == "open") == verdict:
            return f"{title}还没截止：{text}。" if zh_ else f"{_the(when)} is still open: {text}."
        return f"{title}已经过了：{text}。" if zh_ else f"{_the(when)} has passed: it was {text}."
    if why == "extended":
        # "was it extended?": to when, and from when ("when is it, and was it extended?"
        # gave the old date alone).
        if verdict and (when.extended_from is not None or when.extended_from_day is not None):
            was = _earlier(when, ctx) if when.extended_from is not None else (
                zh.format_day(when.extended_from_day) if zh_ else format_day(
                    cast("date", when.extended_from_day)))
            return (f"{title}已延期至{text}；原来是{was}。" if zh_ else
                    f"{_the(when)} was extended to {text}; it was {was} before.")
        if verdict and when.extended_note:
            return (f"{title}已延期，现在是{text}（日程没有给出原来的日期）。" if zh_ else
                    f"{_the(when)} is now {text}; the schedule marks it as extended (it does "
                    f"not give the earlier date).")
        return _extension_line(when, ctx, verdict_said=True)
    if why == "clocks_order":
        clock = when.zone
        switch = _next_switch(clock, ctx.now)
        if switch is not None:
            at = clock.local(switch)
            said = (f"{clock.key}的时钟在{at.year}年{at.month}月{at.day}日从"
                    f"{clock.offset_at(ctx.now)}改为{clock.offset_at(switch)}" if zh_ else
                    f"the clocks of {clock.key} go from {clock.offset_at(ctx.now)} to "
                    f"{clock.offset_at(switch)} on {format_day(at.date())}")
            return f"{title}：{text}；{said}。" if zh_ else f"{_the(when)} is {text}; {said}."
    if why == "clocks":
        clock = when.zone
        first, last = _local_day(when, clock)
        before = clock.start_of_day(first.date())
        after = clock.start_of_day(last.date() + timedelta(days=1)) - timedelta(seconds=1)
        during = "that day" if first.date() == last.date() else "during it"
        change = (f"{clock.key}的时钟从{clock.offset_at(before)}改为{clock.offset_at(after)}"
                  if zh_ else f"the clocks of {clock.key} go from {clock.offset_at(before)} to "
                              f"{clock.offset_at(after)} {during}") if verdict else (
            "时钟不改" if zh_ else f"the clocks do not change {during}")
        return f"{title}：{text}；{change}。" if zh_ else f"{_the(when)} is {text}; {change}."
    if why == "now":
        if verdict:
            bare = when_text(when, ctx.now, ctx.reader, ctx.lang, relation=False,
                             convert_day=ctx.named)
            left = zh.countdown(when.ends - ctx.now) if zh_ else countdown(when.ends - ctx.now)
            return (f"{title}正在进行，还有{left}结束：{bare}。" if zh_ else
                    f"{_the(when)} is under way now, ending in {left}: {bare}.")
        return f"{title}：{text}。" if zh_ else f"{_the(when)} is {text}."
    if why == "exists":
        return f"{title}：{text}。" if zh_ else f"the schedule has {_title(when)}: {text}."
    if why == "zone":
        own = when_text(when, ctx.now, when.zone, ctx.lang)
        if verdict:
            return f"{title}：{own}。" if zh_ else f"{_the(when)} is {own}."
        named = ctx.reader
        instant = _key_instant(when)
        there = (zh.format_instant(instant, named) + f"（{zh.zone_name(named, instant)}）") if zh_ \
            else captioned(instant, named)
        return (f"{title}按{zh.zone_name(when.zone, instant)}计：{own}；即{there}。" if zh_ else
                f"{_the(when)} is given in {when.zone.name}: {own}; that is {there}.")
    return f"{title}：{text}。" if zh_ else f"{_the(when)} is {text}."


_WHICH_ZONE_ZH = re.compile(r"(?:是|用|按)[^?？]*还是")
_EITHER = re.compile(r"\bor\b|还是|或者")
"""An either-or question ("CET or CEST?", "PST还是PDT"): answered with which, not yes/no."""


def _zone_choice(when: ImportantDate, ctx: _Ctx) -> str:
    """Which of the zones named the schedule gives a date in, with its time there (and in
    the first zone named, when that is another one); "neither" when it is none of them.
    Never a yes or no: "CET or CEST?" is answered "CEST", "AoE or UTC?" of a date given as
    UTC-12:00 "AoE" (that clock is AoE's)."""
    zh_ = ctx.lang == "zh"
    instant = _key_instant(when)
    own = when_text(when, ctx.now, when.zone, ctx.lang)
    named = [(ctx.reader, ctx.label), *ctx.also]
    hits = [label for zone, label in named if _names_clock(when.zone, zone, label, instant)]
    there = "" if _same_zone(when.zone, ctx.reader.key, instant) else \
        _in_zone(when, ctx.reader, ctx.lang)
    # The clock a date is given in, said by the abbreviation asked where the schedule names
    # it otherwise: "UTC-12:00, which is AoE" ("Pacific time" is said by "PDT" already).
    which = next((h for h in hits if h == "AoE" or (h.isalpha() and h.isupper())), "")
    abbr = when.zone.abbreviation(instant)
    if zh_:
        name = "AoE" if when.zone.kind == "aoe" else zh.zone_name(when.zone, instant).split(
            "，")[0]
        same = which in ("", name, abbr)
        return (("" if hits else "都不是，") + f"{_title(when, 'zh')}按{name}给出"
                + ("" if same else f"（即{which}）") + f"：{own}"
                + (f"；即{there}" if there else "") + "。")
    said = f"the schedule gives {_the(when)} in {abbr}"
    if which and which.upper() != abbr.upper():
        said += f", which is {which}" + (" (Anywhere on Earth)" if which == "AoE" else "")
    text = f"{said}: {own}."
    text = f"Neither: {text}" if not hits else _capital(text)
    return text + (f" That is {there}." if there else "")


def _names_clock(own: Zone, zone: Zone, label: str, instant: datetime) -> bool:
    """Whether a zone named (with the label it was named by) is the clock a date is given in:
    an abbreviation of a city's zone only in its own season ("CET" is not Berlin in summer)."""
    if not _same_zone(own, zone.key, instant):
        return False
    if zone.is_fixed or not (label.isalpha() and label.isupper()):
        return True
    return zone.abbreviation(instant).upper() == label


def _earlier(when: ImportantDate, ctx: _Ctx) -> str:
    """The time a date had before it was extended, in the reader's zone and, where that
    reads otherwise, in the date's own ("Sunday 13 July 2031, 23:59 AoE"), as the date is."""
    assert when.extended_from is not None
    was = ImportantDate(id="x", title="", kind=when.kind, zone=when.zone, at=when.extended_from)
    return when_text(was, ctx.now, ctx.reader, ctx.lang, relation=False)


def _extension_line(when: ImportantDate, ctx: _Ctx, verdict_said: bool = False) -> str:
    zh_ = ctx.lang == "zh"
    yes = "" if verdict_said else ("是的，" if zh_ else "Yes, ")
    if when.extended_from is not None:
        was = _earlier(when, ctx)
        return (f"{yes}已延期；原来是{was}。" if zh_ else
                f"{yes + 'it was extended' if yes else 'it was extended'}; it was {was} before.")
    if when.extended_from_day is not None:
        day = (zh.format_day(when.extended_from_day) if zh_
               else format_day(when.extended_from_day))
        return (f"{yes}已延期；原来是{day}。" if zh_ else
                f"{yes + 'it was extended' if yes else 'it was extended'}; it was {day} before.")
    if when.extended_note:
        return (f"{yes}日程标明已延期（没有给出原来的日期）。" if zh_ else
                f"{yes}the schedule marks it as extended (it does not give the earlier date).")
    return "日程里没有它延期的记录。" if zh_ else "The schedule shows no extension for it."


def _where(event: Event, lang: Language) -> str:
    """The venue, city and country in the reply's language: "四川大学，成都，中国" with the
    Chinese comma where the names are Chinese ("Chengdu, China" stays as written). CLDR's
    Chinese list patterns say "and" (成都和中国), not the parts of one address."""
    parts = [p for p in (event.venue, event.city, event.country) if p]
    if lang == "zh" and any(has_cjk(p) for p in parts):
        return "，".join(parts)
    return event.location


def _event_extra(when: ImportantDate, ctx: _Ctx) -> list[str]:
    event = ctx.event
    zh_ = ctx.lang == "zh"
    out = []
    if event.location:
        out.append(f"地点：{_where(event, ctx.lang)}。" if zh_ else f"Where: {event.location}.")
    town = ", ".join(p for p in (event.city, event.country) if p)
    if town and not when.cancelled and not zh_:
        local_zone = event.venue_zone or when.zone
        day = when.day if when.day is not None else local_zone.local(when.starts).date()
        days = format_day(day)
        if when.end_day is not None and when.end_day != when.day:
            days += f" to {format_day(when.end_day)}"
        out.append(f"In short: {days} in {town}.")
    if event.venue_zone is not None:
        offset = event.venue_zone.offset_at(when.starts)
        later = event.venue_zone.offset_at(when.ends - timedelta(seconds=1))
        if later != offset:
            # The clocks change during the event: say so, with the offset after it.
            out.append(f"会场当地时间：{zh.zone_name(event.venue_zone, when.starts)}；会议期间"
                       f"改为{later}。" if zh_ else
                       f"Local time at the venue: {event.venue_zone.key} ({offset}, then "
                       f"{later} after the clocks change during the event).")
        else:
            out.append(f"会场当地时间：{zh.zone_name(event.venue_zone, when.starts)}。" if zh_
                       else f"Local time at the venue: {event.venue_zone.key} ({offset}).")
    if event.url and not zh_:
        out.append(f"More: {event.url}")
    return out


def _legacy(when: ImportantDate) -> str:
    return {"deadline": "deadline", "notification": "notification",
            "camera-ready": "camera_ready", "event": "event"}.get(when.kind, "date")


def _by_end(dates: Sequence[ImportantDate], index: Index
            ) -> tuple[list[ImportantDate], list[datetime], list[ImportantDate]]:
    """A group's live dates by (ends, id), their ends, and its cancelled ones; memoized."""
    key = ("by-end", tuple(d.id for d in dates))
    found = index.memo.get(key)
    if found is None:
        ends, rank = index.ends, index.end_rank
        live = sorted((d for d in dates if not d.cancelled), key=lambda d: rank[d.id])
        found = (live, [ends[d.id] for d in live], [d for d in dates if d.cancelled])
        if len(index.memo) < 4096:
            index.memo[key] = found
    hit = cast("tuple[list[ImportantDate], list[datetime], list[ImportantDate]]", found)
    return list(hit[0]), list(hit[1]), list(hit[2])


_DAYS_ASKED = re.compile(r"几天|多少天|天数|\bhow many days\b|\bnumber of days\b")
"""Days asked of an event's length: a workshop of some hours on one day lasts 1 day."""


_LATEST_ASKED = re.compile(r"最晚|最迟|最后期限|\b(?:the latest|at the latest|the last day|"
                           r"the last date|the last possible|latest possible)\b")
"""「注册最晚几号？」, "the latest I can register": the last day one can, of several deadlines
that answer alike."""


def _latest(dates: Sequence[ImportantDate], clause: Clause, ctx: _Ctx, zone: NamedZone | None,
            topic: Topic) -> Part | None:
    """Of several open deadlines asked 最晚 ("at the latest": early and late registration),
    the last first, then the earlier ones, so the asker sees both; None otherwise."""
    if clause.form not in ("when", "what") or not _LATEST_ASKED.search(clause.text):
        return None
    live = [d for d in dates if d.kind == "deadline" and not d.cancelled and d.ends > ctx.now]
    if len(live) < 2 or len(live) != len([d for d in dates if not d.cancelled]):
        return None
    last = max(live, key=lambda d: d.ends)
    first = _one_date(last, clause, ctx, zone)
    earlier = sorted((d for d in live if d is not last), key=lambda d: d.ends)
    lead, rest = ("最晚的是", "更早的：") if ctx.lang == "zh" else ("The latest is ", "Earlier:")
    head = first.lines[0] if ctx.lang == "zh" else f"{line(last, ctx)}."
    lines = [f"{lead}{head}", *first.lines[1:], rest,
             *(f"- {line(d, ctx)}" for d in earlier)]
    return Part(topic, _legacy(last), tuple(lines), (last, *earlier), first.verdict)


def _group(dates: Sequence[ImportantDate], clause: Clause, ctx: _Ctx, zone: NamedZone | None,
           topic: Topic) -> Part:
    """Several dates answer alike ("the deadline" of a 184-deadline schedule): the next few."""
    zh_ = ctx.lang == "zh"
    closed = "passed" in clause.relative and bool(_CLOSED_ASKED.search(clause.text))
    if clause.form == "yesno" and ({"open", "still"} & set(clause.relative) or closed) \
            and len(dates) > 1 and not set(clause.relative) & _WINDOWS and any(
                _is_opening(d) for d in dates):
        # "is registration (still) open?", "has registration closed?"
        return _open_group(dates, clause, ctx, topic, closed)
    if {"passed", "still"} & set(clause.relative) and any(d.kind == "deadline" for d in dates):
        dates = [d for d in dates if d.kind == "deadline"]  # "too late to submit?"
    if "extended" in clause.relative and len(dates) > 1 and not clause.future_ext:
        return _extended_group(dates, clause, ctx, topic)
    windows = tuple(r for r in clause.relative if r in _WINDOWS)
    if clause.form in ("when", "what") and len(dates) > 1 and all(
            d.kind == "event" for d in dates) and _ENDS_ASKED.search(clause.text):
        # "when does the workshop end?" of one given day by day: its last day.
        dates = [max((d for d in dates if not d.cancelled), key=lambda d: d.ends,
                     default=dates[-1])]
    if windows and not _asks_acting(clause):
        # (not "can I still submit tomorrow at 3pm?": an instant to act at, asked below)
        return _in_window(dates, replace(clause, relative=windows), ctx, topic)
    latest = _latest(dates, clause, ctx, zone, topic)
    if latest is not None:
        return latest
    spans = (clause.form == "howlong" and clause.length) or (
        clause.form == "yesno" and bool(clause.span_asked) and not clause.relative)
    if spans and 1 < len(dates) <= _LIST and all(
            d.kind == "event" and not d.cancelled for d in dates):
        return _event_days(dates, topic, ctx, clause)
    live, live_ends, cancelled = _by_end(dates, ctx.index)
    cut = bisect.bisect_right(live_ends, ctx.now)
    passed, upcoming = live[:cut], live[cut:]
    kind = _legacy(dates[0]) if len({d.kind for d in dates}) == 1 else "date"
    if upcoming and passed and clause.form == "yesno" and {"passed", "started", "out"} & set(
            clause.relative):
        return _passed_and_open(passed, upcoming, clause, ctx, zone, topic)
    if upcoming:
        kind = _legacy(upcoming[0])
        first = _one_date(upcoming[0], clause, ctx, zone)
        lines = list(first.lines)
        if clause.form not in ("yesno",) and len(upcoming) > 1 and not zh_ and \
                lines and lines[0].startswith(_capital(_the(upcoming[0])) + " is "):
            noun = "deadline" if upcoming[0].kind == "deadline" else "date"
            lines[0] = f"The next {noun} is {_the(upcoming[0])}: " + lines[0].split(
                " is ", 1)[1]
        shown = [upcoming[0]]
        later = upcoming[1:_SHOW] if clause.form != "yesno" else []
        if later:
            lines.append("之后：" if zh_ else "After that:")
            for d in later:
                if clause.form == "howlong" and not clause.length:
                    bare = when_text(d, ctx.now, ctx.reader, ctx.lang, relation=False,
                                     convert_day=ctx.named)
                    lines.append(f"- 还有{zh.countdown(d.ends - ctx.now)}：{_title(d, 'zh')}："
                                 f"{bare}" if zh_ else f"- {countdown(d.ends - ctx.now)} left: "
                                                      f"{_title(d)}: {bare}")
                else:
                    lines.append(f"- {line(d, ctx)}")
                lines[-1] += _also_suffix(d, ctx)
                shown.append(d)
        rest = len(upcoming) - len(shown)
        if rest > 0 and clause.form != "yesno":
            lines.append(f"……还有 {rest} 个日期；问“所有日期”或查看日期页面可看到全部。" if zh_
                         else f"...and {rest} more; ask \"all dates\" or see the dates page "
                              f"for every one.")
        for gone in cancelled[:_SHOW]:
            lines.append(f"{gone.title}已取消（原为{_was_text(gone, ctx.reader, 'zh')}）。"
                         if zh_ else f"{_capital(_the(gone))} has been cancelled (it was "
                                     f"{_was_text(gone, ctx.reader, 'en')}).")
            shown.append(gone)
        return Part(topic, kind, tuple(lines), tuple(shown), first.verdict)
    lines = []
    shown = []
    verdict: bool | None = None
    if passed:
        last = passed[-1]
        part = _one_date(last, clause, ctx, zone)
        lines.extend(part.lines)
        verdict = part.verdict
        if clause.form == "howlong" and not zh_ and lines:
            lines[0] = ("No deadline is still open. " if last.kind == "deadline" else "") + \
                lines[0]
        shown.append(last)
        if clause.form == "yesno" and "passed" in clause.relative and verdict:
            # 摘要截止了吗？ of two abstract deadlines, both gone: each one said.
            for d in reversed(passed[-_SHOW:-1]):
                lines.append(f"也已经过了：{line(d, ctx)}。" if zh_ else
                             f"Also passed: {line(d, ctx)}.")
                shown.append(d)
    for gone in cancelled[:_SHOW]:
        lines.append(f"{gone.title}已取消（原为{_was_text(gone, ctx.reader, 'zh')}）。" if zh_
                     else f"{_capital(_the(gone))} has been cancelled (it was "
                          f"{_was_text(gone, ctx.reader, 'en')}).")
        shown.append(gone)
    ids = {d.id for d in dates}
    nxt = [d for d in ctx.index.upcoming(ctx.now, len(ids) + 1) if d.id not in ids][:1]
    if nxt and clause.form != "yesno":
        lines.append(f"下一个日期：{line(nxt[0], ctx)}。" if zh_ else
                     f"Next: {line(nxt[0], ctx)}.")
        shown.append(nxt[0])
    elif not nxt and clause.form != "yesno":
        lines.append("日程里没有还未到的日期了。" if zh_ else
                     "Nothing else in the schedule is still ahead.")
    return Part(topic, kind, tuple(lines), tuple(shown), verdict)


_ENDS_ASKED = re.compile(r"\b(?:end|ends|ending|finish|finishes|finishing|conclude|concludes|"
                         r"wrap up|wraps up)\b")
_WINDOW_WORDS = {"today": ("today", "今天"), "tonight": ("tonight", "今晚"),
                 "tomorrow": ("tomorrow", "明天"), "yesterday": ("yesterday", "昨天"),
                 "this_week": ("this week", "本周"), "next_week": ("next week", "下周"),
                 "this_weekend": ("this weekend", "本周末"), "this_month": ("this month", "本月"),
                 "next_month": ("next month", "下个月"), "last_week": ("last week", "上周"),
                 "last_month": ("last month", "上个月"),
                 "day_after": ("the day after tomorrow", "后天")}


def _in_window(dates: Sequence[ImportantDate], clause: Clause, ctx: _Ctx, topic: Topic
               ) -> Part:
    """ "What is due next week?", "anything due tomorrow?": the dates of the group that fall
    then (yes), or that none does (no) and the next of them."""
    zh_ = ctx.lang == "zh"
    asks = clause.form == "yesno"
    live = [d for d in dates if not d.cancelled]
    hits = [d for d in live if _verdict(d, clause, ctx, None)[0]]
    en_when, zh_when = _WINDOW_WORDS.get(clause.relative[0], ("then", "那时"))
    if hits:
        lead = f"{zh_when}的日期：" if zh_ else f"Dates {en_when}:"
        lines = [(_yes_no(True, ctx.lang) + lead[:1].lower() + lead[1:]) if asks else lead]
        lines += [f"- {line(d, ctx)}" for d in hits[:_SHOW]]
        return Part(topic, _legacy(hits[0]), tuple(lines), tuple(hits[:_SHOW]), True)
    lead = f"{zh_when}没有这些日期。" if zh_ else f"None of these dates falls {en_when}."
    lines = [(_yes_no(False, ctx.lang) + lead[:1].lower() + lead[1:]) if asks else lead]
    ahead = [d for d in live if d.ends > ctx.now]
    if ahead:
        lines.append(f"下一个：{line(ahead[0], ctx)}。" if zh_ else
                     f"The next one: {line(ahead[0], ctx)}.")
    return Part(topic, "date", tuple(lines), tuple(ahead[:1]), False)


def _on_day_asked(dates: Sequence[ImportantDate], clause: Clause, ctx: _Ctx
                  ) -> list[ImportantDate]:
    """ "What do I need to submit by March 5?": of the dates the words name, those on the
    day asked (in their own zone or the reader's); where none is, those of the same kinds
    that are; the dates as named when no day is asked or none of them falls on it."""
    if clause.day is None or clause.form == "yesno":
        return list(dates)
    day = replace(clause, clock=None)

    def on(d: ImportantDate) -> bool:
        return not d.cancelled and any(_at_day_and_clock(d, z, day) for z in (d.zone, ctx.reader))

    found = [d for d in dates if on(d)]
    if not found:
        kinds = {d.kind for d in dates}
        found = [d for d in ctx.ordered() if d.kind in kinds and on(d)]
    return found or list(dates)


_OPENS = re.compile(r"\b(?:open|opens|opening|start|starts|begin|begins)\b", re.IGNORECASE)


def _is_opening(when: ImportantDate) -> bool:
    """A date that opens something ("Registration opens"): one instant, no deadline, and its
    title says so."""
    return when.kind not in _DUE_KINDS and when.kind != "notification" and not has_length(
        when) and bool(_OPENS.search(when.title))


_CLOSED_ASKED = re.compile(r"\bclos|\btoo late\b|\bam i late\b|\bmiss|\bover\b|\bexpired\b|"
                           r"\bended\b|\bfinished\b|\bpassed\b")
"""What asks whether a thing has closed ("has registration closed?", "I'm not registered
yet, is it too late?"), not "is it already open?"."""


def _with_opening(dates: Sequence[ImportantDate], clause: Clause, ctx: _Ctx
                  ) -> list[ImportantDate]:
    """ "Is registration still open?", "has registration closed?" read as the one deadline
    of its early rate: that date with the opening of the same subject ("Registration
    opens"), so the answer is about registration, not the early rate; [] otherwise."""
    if len(dates) != 1 or clause.form != "yesno" or not (
            {"open", "still"} & set(clause.relative) or (
                "passed" in clause.relative and _CLOSED_ASKED.search(clause.text))):
        return []
    only, terms = dates[0], ctx.index.date_terms
    if "early" not in terms[only.id] or re.search(r"\bearly|\u65e9\u9e1f", clause.text):
        return []
    own = {t for t in terms[only.id] if t != "early" and by_kind(t) not in ("kind", "generic")}
    openings = [d for d in ctx.ordered() if d.id != only.id and not d.cancelled
                and _is_opening(d) and own & terms[d.id].keys()]
    return sorted([only, *openings], key=_key_instant) if openings else []


def _open_group(dates: Sequence[ImportantDate], clause: Clause, ctx: _Ctx, topic: Topic,
                closed: bool = False) -> Part:
    """ "Is registration open?" of several dates (it opens, an early rate closes, it closes):
    open once every opening has come and while a close not marked early is ahead (an early
    deadline ends a rate, not the thing itself, unless "early" is asked), or, with no such
    close, once it opened; each date then, with its own time."""
    zh_ = ctx.lang == "zh"
    live = [d for d in dates if not d.cancelled] or list(dates)
    terms = ctx.index.date_terms
    early_asked = bool(re.search(r"\bearly|\u65e9\u9e1f", clause.text))  # early, 早鸟
    openings = [d for d in live if _is_opening(d)]
    ranges = [d for d in live if d.kind not in _DUE_KINDS and has_length(d)]
    closes = [d for d in live if d.kind in _DUE_KINDS
              and early_asked == ("early" in terms[d.id])] or (
        [] if openings else [d for d in live if d.kind in _DUE_KINDS])
    opened = all(d.starts <= ctx.now for d in openings)
    if any(d.starts <= ctx.now < d.ends for d in ranges):
        verdict = True
    elif closes and (openings or not ranges):
        verdict = opened and any(d.ends > ctx.now for d in closes)
    else:
        # Opened and no close given: open until the event itself is over.
        events = [d for d in ctx.ordered() if d.kind == "event" and not d.cancelled]
        over = bool(events) and all(d.ends <= ctx.now for d in events)
        verdict = bool(openings) and opened and not ranges and not over
    if zh_:
        why = "现在开放。" if verdict else ("还没开放。" if not opened else "已经结束了。")
    else:
        why = "it is open now." if verdict else (
            "it has not opened yet." if not opened else "it has closed.")
    answer_ = (opened and not verdict) if closed else verdict  # "has it closed?"
    lines = [_yes_no(answer_, ctx.lang) + why, *(f"- {line(d, ctx)}" for d in live[:_LIST])]
    return Part(topic, _legacy(live[0]), tuple(lines), tuple(live[:_LIST]), answer_)


def _passed_and_open(passed: Sequence[ImportantDate], upcoming: Sequence[ImportantDate],
                     clause: Clause, ctx: _Ctx, zone: NamedZone | None, topic: Topic) -> Part:
    """ "Has the deadline passed?" of several where some have and some have not: yes for the
    ones that have, each named, and the ones still open beside them (never a bare no)."""
    zh_ = ctx.lang == "zh"
    first = _one_date(passed[0], clause, ctx, zone)
    lines = list(first.lines)
    verdict = first.verdict
    if topic.kind == "date" and "passed" in clause.relative:
        # The subject asked ("the paper deadline") names dates some of which are still open:
        # a bare "yes" of one of them would tell the asker theirs is gone. Not all: each said.
        said = _one_date(passed[0], Clause(clause.text, "when", ()), ctx, zone).lines
        lead = said[0] if said else ""
        lines = [f"不是都过了：{lead}" if zh_ else
                 f"Not all of them: {lead[:1].lower()}{lead[1:]}", *said[1:]]
        verdict = None
    shown = [passed[0]]
    for d in passed[1:_SHOW]:
        lines.append(f"也已经过了：{line(d, ctx)}。" if zh_ else f"Also passed: {line(d, ctx)}.")
        shown.append(d)
    for d in upcoming[:_SHOW]:
        lines.append(f"还没截止：{line(d, ctx)}。" if zh_ else f"Still open: {line(d, ctx)}.")
        shown.append(d)
    return Part(topic, _legacy(passed[0]), tuple(lines), tuple(shown), verdict)


def _event_days(dates: Sequence[ImportantDate], topic: Topic, ctx: _Ctx,
                clause: Clause | None = None) -> Part:
    """ "How many days is the workshop?" of an event given day by day: the days it spans, on
    the calendar of its own zone, then each day."""
    ordered = sorted(dates, key=lambda d: d.starts)
    first = ordered[0].zone.local(ordered[0].starts).date()
    last_date = ordered[-1]
    last = last_date.zone.local(last_date.ends - timedelta(seconds=1)).date()
    days = (last - first).days + 1
    zh_ = ctx.lang == "zh"
    if zh_:
        lead = f"共{days}天，{zh.format_day(first)}至{zh.format_day(last)}："
    else:
        lead = (f"It spans {days} day{'s' if days != 1 else ''}, {format_day(first)} to "
                f"{format_day(last)}:")
    verdict: bool | None = None
    if clause is not None and clause.form == "yesno" and clause.span_asked:
        # "is the workshop two days?" of one given day by day: its days against those asked.
        n, unit = clause.span_asked
        verdict = unit != "hour" and days == n * (7 if unit == "week" else 1)
        lead = _yes_no(verdict, ctx.lang) + (lead if zh_ else lead[:1].lower() + lead[1:])
    return Part(topic, "event", (lead, *(f"- {line(d, ctx)}" for d in ordered)),
                tuple(ordered), verdict)


def _extended_group(dates: Sequence[ImportantDate], clause: Clause, ctx: _Ctx, topic: Topic
                    ) -> Part:
    """ "Has the research deadline been extended?" of several dates: each extended one with
    its new and earlier time, then the others, so one unextended date never answers "no"."""
    zh_ = ctx.lang == "zh"
    grown = [d for d in dates if d.extended]
    same = [d for d in dates if not d.extended]
    lines: list[str] = []
    verdict = bool(grown) if clause.form == "yesno" else None
    for i, d in enumerate(grown):
        lead = _yes_no(True, ctx.lang) if verdict and i == 0 else ""
        now_text = when_text(d, ctx.now, ctx.reader, ctx.lang, convert_day=ctx.named)
        earlier: str | None = None
        if d.extended_from is not None:
            earlier = _earlier(d, ctx)
        elif d.extended_from_day is not None:
            earlier = (zh.format_day(d.extended_from_day) if zh_
                       else format_day(d.extended_from_day))
        name = _the(d).replace(" (extended)", "")
        if zh_:
            before = f"原来是{earlier}。" if earlier else "日程没有给出原来的日期。"
            lines.append(f"{lead}{d.title}已延期：现在是{now_text}；{before}")
        else:
            before = (f"it was {earlier} before." if earlier
                      else "the schedule does not give the earlier date.")
            lines.append(f"{lead}{name if lead else _capital(name)} was extended: it is now "
                         f"{now_text}; {before}")
    if same:
        names = ("、" if zh_ else "; ").join(d.title for d in same)
        if zh_:
            lines.append(("不是，" if verdict is False else "") + f"日程里没有这些日期延期的记录："
                         f"{names}。")
        else:
            lines.append(("No: the" if verdict is False else "The")
                         + f" schedule shows no extension for: {names}.")
    return Part(topic, _legacy(dates[0]), tuple(lines), tuple(grown or dates[:1]), verdict)


def _neighbour(dates: Sequence[ImportantDate], side: str, ctx: _Ctx, topic: Topic,
               same: bool = False) -> Part | None:
    """ "What's after the notification?": the schedule's date right after (or before) the one
    named; of a group, the one after its next member that is not of the group itself."""
    live = [d for d in dates if not d.cancelled]
    if not live:
        return None
    ids = {d.id for d in dates}
    ahead = [d for d in live if _key_instant(d) > ctx.now]
    anchor = ahead[0] if ahead else live[-1]
    at = _key_instant(anchor)
    others = [d for d in ctx.ordered() if d.id not in ids and not d.cancelled]
    if same:
        # "the next one": of the anchor's kind, the one sharing most of its title's words.
        terms = ctx.index.date_terms
        own = {t for t in terms[anchor.id] if by_kind(t) != "kind"}
        later = [d for d in others if d.kind == anchor.kind and _key_instant(d) > at
                 and own & terms[d.id].keys()]
        best = max((len(own & terms[d.id].keys()) for d in later), default=0)
        others = [d for d in later if len(own & terms[d.id].keys()) == best]
    if side == "after":
        found = next((d for d in sorted(others, key=_key_instant) if _key_instant(d) > at), None)
    else:
        found = next((d for d in sorted(others, key=_key_instant, reverse=True)
                      if _key_instant(d) < at), None)
    zh_ = ctx.lang == "zh"
    name = _title(anchor, ctx.lang)
    if found is None and same:
        # "if I miss the paper deadline, when is the next one?": none like it, not none at all
        order = "later" if side == "after" else "earlier"
        text = (f"日程里{name}{'之后' if side == 'after' else '之前'}没有同样的日期了。" if zh_ else
                f"The schedule has no {order} date like {_the(anchor)}.")
        return Part(topic, _legacy(anchor), (text,), (anchor,))
    if found is None:
        text = (f"日程里{name}{'之后' if side == 'after' else '之前'}没有别的日期了。" if zh_ else
                f"Nothing in the schedule comes {side} {_the(anchor)}.")
        return Part(topic, _legacy(anchor), (text,), (anchor,))
    if zh_:
        lead = f"{name}{'之后' if side == 'after' else '之前'}是：{line(found, ctx)}。"
    else:
        lead = f"{_capital(side)} {_the(anchor)} comes {line(found, ctx)}."
    return Part(topic, _legacy(found), (lead,), (found,))


_WINDOWS = frozenset({"today", "tonight", "tomorrow", "yesterday", "this_week", "next_week",
                      "this_weekend", "this_month", "next_month", "day_after", "last_week",
                      "last_month"})
_PAST_WINDOWS = frozenset({"yesterday", "last_week", "last_month"})
"""Windows that have passed: the dates in them are looked for among all, not the ones ahead."""


_THIS_WEEKEND = re.compile(r"\bthis\s+weekend|这周末|本周末|这个周末")
"""This coming weekend said so; a bare "weekend" or 周末 is any Saturday or Sunday."""


def _today(topic: Topic, ctx: _Ctx) -> Part:
    """Today's date where the asker is (their zone, at ``now``), and the next date of the
    schedule beside it, clearly as the schedule's."""
    day = ctx.reader.local(ctx.now).date()
    nxt = ctx.index.upcoming(ctx.now, 1)
    if ctx.lang == "zh":
        lines = [f"今天是{zh.format_day(day)}（{zh.zone_name(ctx.reader, ctx.now)}）。"]
        if nxt:
            lines.append(f"日程里的下一个日期：{line(nxt[0], ctx)}。")
    else:
        lines = [f"Today is {format_day(day)} ({zone_caption(ctx.reader, ctx.now)})."]
        if nxt:
            lines.append(f"Next in the schedule: {line(nxt[0], ctx)}.")
    return Part(topic, "today", tuple(lines), tuple(nxt))


def _next_part(topic: Topic, clause: Clause, ctx: _Ctx, zone: NamedZone | None) -> Part:
    """No subject named: the next date that matters (a deadline first), saying it chose."""
    if lx.TODAY_ASKED.search(clause.text) and zone is None:
        return _today(topic, ctx)
    upcoming = ctx.index.upcoming(ctx.now, 200)
    window_rel = [r for r in clause.relative if r in _WINDOWS]
    asked_day = clause.day is not None or clause.month is not None
    if ctx.also and _EITHER.search(clause.text) and not window_rel and clause.form in (
            "what", "when", "yesno") and not (clause.weekday is not None or asked_day):
        return _zone_overview(upcoming, topic, ctx)  # "CET or CEST?" of no date named
    if clause.excluded:
        upcoming = [d for d in upcoming if d.id not in clause.excluded]
        if not (window_rel or clause.weekday is not None or asked_day):
            return _the_others(upcoming, topic, clause, ctx)
    if (window_rel or clause.weekday is not None or asked_day) and not _asks_acting(clause) and (
            clause.form != "yesno" or window_rel or asked_day):
        # "what happens on October 25?", "anything on the 26th?": the dates then.
        hits = []
        past = bool(set(window_rel) & _PAST_WINDOWS)
        for when in (ctx.ordered() if past else upcoming[:200]):
            verdict, _ = _verdict(when, clause, ctx, None)
            if verdict:
                hits.append(when)
        zh_ = ctx.lang == "zh"
        yes_no = clause.form == "yesno"
        if hits:
            lines = [("是的，" if yes_no else "") + "符合的日期：" if zh_ else
                     ("Yes: dates" if yes_no else "Dates") + " that fall then:"]
            lines += [f"- {line(d, ctx)}" for d in hits[:_SHOW]]
            return Part(topic, "date", tuple(lines), tuple(hits[:_SHOW]), True)
        lines = [("不是，" if yes_no else "") + "那时没有日期。" if zh_ else
                 ("No: no" if yes_no else "No") + " date of the schedule falls then."]
        if upcoming:
            lines.append(f"下一个日期：{line(upcoming[0], ctx)}。" if zh_ else
                         f"The next one: {line(upcoming[0], ctx)}.")
        return Part(topic, "date", tuple(lines), tuple(upcoming[:1]), False)
    if not upcoming and "next" in clause.relative and ctx.ordered():
        # "what's next?" when all is over: say so, and what the last date was.
        last = max(ctx.ordered(), key=lambda d: d.ends)
        text = line(last, ctx)
        return Part(topic, _legacy(last), (
            f"日程里没有还未到的日期了；最后一个是 {text}。" if ctx.lang == "zh" else
            f"Nothing in the schedule is still ahead; the last date was {text}.",), (last,))
    due = [d for d in upcoming if d.kind == "deadline"][:1]
    if "next" in clause.relative and upcoming and clause.form in ("what", "when"):
        due = upcoming[:1]  # "what's next?": the next date in time, whatever its kind
    if not due and len(upcoming) == 200:
        due = [d for d in ctx.upcoming() if d.kind == "deadline"][:1]
    if {"passed", "still", "open"} & set(clause.relative):
        # "am I too late?": about the deadlines.
        deadlines = ctx.index.of_kind("deadline") or ctx.index.of_kind(*_DUE_KINDS) or list(
            ctx.ordered())
        if deadlines:
            return _group(deadlines, clause, ctx, zone, topic)
    if not due and clause.form in ("howlong", "when", "what"):
        deadlines = ctx.index.of_kind("deadline")
        if deadlines:  # every deadline is past: say so, then what is next
            return _group(deadlines, clause, ctx, zone, topic)
    chosen = (due or list(upcoming))[:1]
    if not chosen:
        ordered = ctx.ordered()
        if not ordered:
            return Part(topic, "date", (_not_said("any dates", "任何日期", ctx),))
        chosen = [ordered[-1]]
    # The reply names the date it chose; a bare "when" also says that it chose.
    part = _one_date(chosen[0], clause, ctx, zone, chosen=clause.form in ("when", "what"))
    return Part(topic, part.kind, part.lines, part.dates, part.verdict)


def _zone_overview(upcoming: Sequence[ImportantDate], topic: Topic, ctx: _Ctx) -> Part:
    """ "CET or CEST?" with no date named: which of the zones named the schedule's dates
    still ahead are given in (split by date where the clocks change between them), then the
    next deadline; a bare "neither" where none is, with the time in the first zone named."""
    zh_ = ctx.lang == "zh"
    live = [d for d in upcoming if not d.cancelled][:_LIST] or [
        d for d in ctx.ordered() if not d.cancelled][-1:]
    if not live:
        return Part(topic, "date", (_not_said("any dates", "任何日期", ctx),))
    due = next((d for d in live if d.kind in _DUE_KINDS), live[0])
    named = [(ctx.reader, ctx.label), *ctx.also]
    by_label: dict[str, list[ImportantDate]] = {}
    for d in live:
        label = next((lb for z, lb in named if _names_clock(d.zone, z, lb, _key_instant(d))), "")
        by_label.setdefault(label, []).append(d)
    if len(by_label) == 1:  # one answer for every date ahead: said of the next deadline
        return Part(topic, _legacy(due), (_zone_choice(due, ctx), *_other_readings(due, ctx)),
                    (due,))
    nxt = (f"下一个截止日期：{line(due, ctx)}。" if zh_ else f"The next deadline: {line(due, ctx)}."
           ) if due.kind in _DUE_KINDS else (f"下一个日期：{line(due, ctx)}。" if zh_ else
                                             f"The next date: {line(due, ctx)}.")
    lines = ["要看是哪个日期：" if zh_ else "It depends on the date:"]
    for label, dates in by_label.items():
        names = ("、" if zh_ else "; ").join(_title(d, ctx.lang) for d in dates)
        said = label or ("都不是" if zh_ else "neither")
        lines.append(f"- {said}：{names}" if zh_ else f"- {said}: {names}")
    lines.append(nxt)
    return Part(topic, _legacy(due), tuple(lines), (due,))


def _the_others(upcoming: Sequence[ImportantDate], topic: Topic, clause: Clause, ctx: _Ctx
                ) -> Part:
    """ "Anything other than the poster deadline?": every date still ahead but the ones set
    aside, which are named so the asker sees what was left out."""
    zh_ = ctx.lang == "zh"
    aside = [d.title for d in ctx.index.dates_of(clause.excluded)]
    live = [d for d in upcoming if not d.cancelled][:_LIST]
    names = ", ".join(aside)
    if not live:
        return Part(topic, "date", (f"{zh.besides(aside)}，日程里没有还未到的日期了。" if zh_ else
                                    f"Besides {names}, nothing in the schedule is still "
                                    f"ahead.",))
    lead = f"{zh.besides(aside)}，日程里还有：" if zh_ else f"Besides {names}, the schedule has:"
    return Part(topic, _legacy(live[0]), (lead, *(f"- {line(d, ctx)}" for d in live)),
                tuple(live))


# --- fields beside the dates ----------------------------------------------------------------

def _pages(n: int, lang: Language) -> str:
    if lang == "zh":
        return f"{n} 页"
    return f"{n} page" if n == 1 else f"{n} pages"


def _field(name: str, topic: Topic, clause: Clause, ctx: _Ctx) -> Part:
    event, zh_, lang = ctx.event, ctx.lang == "zh", ctx.lang
    sub = event.submission
    lines: list[str] = []
    verdict: bool | None = None
    kind = name
    if name == "pages":
        kind = "page_limit"
        if sub.page_limit is not None:
            lines.append(f"页数上限为 {_pages(sub.page_limit, lang)}。" if zh_ else
                         f"The page limit is {_pages(sub.page_limit, lang)}.")
            if sub.page_limit_note:
                lines.append(sub.page_limit_note)
            asked = clause.pages
            if asked is not None:
                verdict = asked <= sub.page_limit
                if zh_:
                    lines.append(f"所以 {_pages(asked, lang)}"
                                 + ("在上限之内。" if verdict else
                                    f"超出了 {_pages(sub.page_limit, lang)} 的上限。"))
                else:
                    lines.append(f"So {_pages(asked, lang)} is within the limit." if verdict
                                 else f"So {_pages(asked, lang)} is over the limit of "
                                      f"{_pages(sub.page_limit, lang)}.")
                if clause.form == "yesno":
                    first = lines[0] if zh_ else lines[0][:1].lower() + lines[0][1:]
                    lines[0] = _yes_no(verdict, lang) + first
        else:
            if sub.page_limit_note:
                lines.append(sub.page_limit_note)
            lines.append(_not_said("how many pages are allowed", "页数限制", ctx))
    elif name == "format":
        if sub.format:
            lines.append(f"格式：{sub.format}。" if zh_ else f"Format: {sub.format}.")
        if sub.template and sub.template_url:
            lines.append(f"{'模板' if zh_ else 'Template'}: {sub.template}: {sub.template_url}")
        elif sub.template or sub.template_url:
            lines.append(f"{'模板' if zh_ else 'Template'}: {sub.template or sub.template_url}")
        if sub.notes and lines:
            lines.append(sub.notes)
        if not lines:
            lines.append(_not_said("what format submissions must follow", "格式要求", ctx))
            if sub.notes:
                lines.append(sub.notes)
    elif name == "anonymity":
        kind = "anonymize"
        flag = sub.anonymized
        if flag is None:
            lines.append(_not_said("whether submissions must be anonymized", "是否需要匿名",
                                   ctx))
        else:
            if flag:
                text = ("需要匿名（双盲评审）：不要写作者姓名和单位。" if zh_ else
                        "Submissions must be anonymized (double-blind review): leave out "
                        "author names and affiliations.")
            else:
                text = ("不需要匿名：评审不是双盲的。" if zh_ else
                        "Submissions do not have to be anonymized: the review is not "
                        "double-blind.")
            if clause.form == "yesno":
                verdict = (not flag) if clause.single_blind else flag
                text = _yes_no(verdict, lang) + text[:1].lower() + text[1:] if not zh_ else \
                    _yes_no(verdict, lang) + text
            lines.append(text)
    elif name == "how_submit":
        kind = "submit"
        if sub.system and sub.url:
            lines.append(f"通过 {sub.system} 提交：{sub.url}" if zh_ else
                         f"Submit via {sub.system}: {sub.url}")
        elif sub.url:
            lines.append(f"提交地址：{sub.url}" if zh_ else f"Submit here: {sub.url}")
        elif sub.system:
            lines.append(f"通过 {sub.system} 提交（日程没有给出链接；{_ask_whom(event, 'zh')}）。"
                         if zh_ else f"Submit via {sub.system} (the schedule gives no link; "
                                     f"{_ask_whom(event, 'en')}).")
        else:
            lines.append(_not_said("how to submit", "提交方式", ctx))
        deadlines = ctx.index.of_kind("deadline")
        if deadlines:
            group = _group(deadlines, Clause(clause.text, "when", ()), ctx, None, topic)
            return Part(topic, kind, (*lines, *group.lines), group.dates)
    elif name == "contact":
        c = event.contact
        who = c.name or ("组织者" if zh_ else "the organizers")
        if c.email:
            lines.append(f"请联系 {who}：{c.email}。" if zh_ else f"Contact {who} at {c.email}.")
        elif c.name:
            lines.append(f"请联系 {who}。" if zh_ else f"Contact {who}.")
        if c.url:
            lines.append(f"{'更多' if zh_ else 'More'}: {c.url}")
        if not c.email and not c.url:
            where = f"; see {event.url}" if event.url else ""
            lines.append(f"日程里没有联系地址{('；请查看 ' + event.url) if event.url else ''}。"
                         if zh_ else f"The schedule does not list a contact address{where}.")
    elif name == "venue":
        kind = "event"
        said = lx.CITY_VARIANTS.get(clause.venue_check, clause.venue_check)
        held = said in {lx.CITY_VARIANTS.get(n, n) for n in ctx.index.venue_names}
        if clause.venue_check and clause.form == "yesno":
            if event.location:
                lines.append(_yes_no(held, lang) + (f"地点是 {_where(event, lang)}。" if zh_ else
                                                    f"it is held at {event.location}."))
                verdict = held
        elif clause.venue_check and not held and event.location:
            # "where in Tokyo is the workshop?" of one in Shanghai: not there, and where.
            place = clause.venue_check if zh_ else clause.venue_check.title()
            lines.append(f"不在{place}举办；地点是 {_where(event, lang)}。" if zh_ else
                         f"It is not held in {place}: it is held at {event.location}.")
        elif event.location:
            lines.append(f"地点：{_where(event, lang)}。" if zh_ else f"Where: {event.location}.")
        else:
            lines.append(_not_said("where it is held", "举办地点", ctx))
        events = ctx.index.of_kind("event")
        if events and not (clause.venue_check and clause.form == "yesno"):
            lines.extend(f"{line(d, ctx)}{'。' if zh_ else '.'}" for d in events[:_SHOW])
            if len(events) == 1:
                lines.extend(_event_extra(events[0], ctx)[1 if event.location else 0:])
        return Part(topic, kind, tuple(lines), tuple(events[:_SHOW]), verdict)
    elif name == "all_dates":
        return _all_dates(topic, ctx)
    elif name == "late":
        return _late(topic, clause, ctx)
    return Part(topic, kind, tuple(lines), (), verdict)


_HANDED = frozenset({"submit", "paper", "abstract", "poster", "full", "demo", "artifact",
                     "proposal", "tutorial", "doctoral"})


def _late(topic: Topic, clause: Clause, ctx: _Ctx) -> Part:
    """ "Can I submit late?": what the organizers say of it (their FAQ), or that the schedule
    does not say; then the deadline itself, with the time left, which is what decides."""
    said = next((e.faq for e in ctx.index.faqs if any("late" in w for w in e.words)), None)
    if said is not None:
        lines = [said.answer_in(ctx.lang)]
    else:
        lines = [_not_said("whether late submissions are accepted", "是否接受迟交", ctx)]
    due = ctx.index.of_kind("deadline")
    # A late submission is a paper's, an abstract's...: not the registration deadlines.
    handed = tuple(d for d in due if _HANDED & ctx.index.date_terms[d.id].keys())
    dates = ctx.index.dates_of(topic.ids[1:]) if len(topic.ids) > 1 else (
        handed or due or ctx.index.of_kind(*_DUE_KINDS))
    if said is None and dates and all("register" in ctx.index.date_terms[d.id] for d in dates):
        # "is there late registration?", "can I register late?": registration, not a late
        # submission; a date titled so answers it, else the schedule does not say.
        titled = tuple(d for d in dates if re.search(r"\blate\b(?![\s-]*breaking)",
                                                     d.title.lower()))
        dates, lines = (titled, []) if titled else (dates, [_not_said(
            "whether late registration is possible", "截止后是否还可以注册", ctx)])
    if not dates:
        return Part(topic, "late", tuple(lines))
    group = _group(dates, Clause(clause.text, "when", ()), ctx, None, topic)
    return Part(topic, "late", (*lines, *group.lines), group.dates)


def _norm(text: str) -> str:
    from bot.core.ask.text import normalize

    return normalize(text)


def _all_dates(topic: Topic, ctx: _Ctx) -> Part:
    event, zh_ = ctx.event, ctx.lang == "zh"
    ordered = ctx.ordered()
    if not ordered:
        return Part(topic, "all_dates", (_not_said("any dates", "任何日期", ctx),))
    lines = [f"{event.name} 的重要日期（时间按 {ctx.reader.name}）：" if zh_ else
             f"Important dates for {event.name} (times in {ctx.reader.name}):"]
    shown = ordered
    if len(ordered) > _LIST:
        # A big schedule: the next few ahead; the page has the rest.
        shown = tuple(ctx.index.upcoming(ctx.now, _LIST)) or ordered[-_LIST:]
    for when in shown:
        if when.cancelled:
            mark = "[已取消] " if zh_ else "[cancelled] "
        elif when.ends <= ctx.now:
            mark = "[已过] " if zh_ else "[passed] "
        else:
            mark = ""
        lines.append(f"- {mark}{line(when, ctx)}")
    if len(shown) < len(ordered):
        rest = len(ordered) - len(shown)
        lines.append(f"……另有 {rest} 个日期，见日期页面。" if zh_ else
                     f"...and {rest} more dates: see the dates page for every one.")
    return Part(topic, "all_dates", tuple(lines), tuple(shown))


# --- the rest -------------------------------------------------------------------------------

_CAN_ANSWER: tuple[tuple[str, str, str], ...] = (
    ("deadlines", "when is the deadline? has it been extended?", "截止日期是什么时候？"),
    ("time left", "how much time do I have left?", "还有多久截止？"),
    ("any date by its name", "when will we hear back? when is the camera-ready due?",
     "什么时候出录用结果？"),
    ("in your zone", "when is it in IST? in Bangalore? in UTC+8?", "北京时间几点截止？"),
    ("the event", "when and where is the workshop?", "会议在哪里举办？"),
    ("submitting", "how do I submit?", "怎么提交？"),
    ("format and pages", "what template? how many pages?", "页数限制是多少？"),
    ("anonymity", "is the review double blind?", "需要匿名吗？"),
    ("contact", "who do I contact?", "怎么联系组织者？"),
    ("all dates", "list the important dates", "所有重要日期"),
)


def help_lines(event: Event, lang: Language) -> tuple[str, ...]:
    if lang == "zh":
        return (f"我回答关于 {event.name} 的问题。例如：",
                *(f"- {zh_}" for _, _, zh_ in _CAN_ANSWER),
                "时间按你的时区显示，并附上活动本身的时区。")
    return (f"I answer questions about {event.name}. Ask me, for example:",
            *(f"- {topic}: \"{example}\"" for topic, example, _ in _CAN_ANSWER),
            "Times are shown in your zone with the event's own zone beside them.")


_VERDICT_FIRST = re.compile(r"^(?:yes|no)\s*[:,.;!]\s*(?=\S)"
                            r"|^(?:是的|不是|可以|不可以|不行|不能|不)[：:，,。；;！!]\s*(?=\S)",
                            re.IGNORECASE)
"""A yes or no leading an organizer's answer ("No: this time ..."), said to the question the
answer was written for ("Do you accept full papers?")."""


def _faq_part(topic: Topic, clause: Clause, ctx: _Ctx) -> Part:
    """The organizers' answer, as they wrote it; its leading yes or no only to a yes/no
    question: "when is the full paper deadline?" is not answered "No: ..."."""
    for faq in ctx.event.faq:
        if faq.id == topic.ids[0]:
            said = faq.answer_in(ctx.lang)
            verdict = _VERDICT_FIRST.match(said)
            if verdict and clause.form != "yesno":
                rest = said[verdict.end():]
                said = rest[:1].upper() + rest[1:]
            return Part(topic, "faq", (said,))
    return Part(topic, "faq", ())


_KIND_MISSING = {
    "deadline": ("when submissions are due", "提交截止日期"),
    "notify": ("when notifications go out", "录用通知的日期"),
    "camera": ("when the final version is due", "最终版本的截止日期"),
    "event": ("when the event takes place", "会议举办的日期"),
}


def _not_held(topic: Topic, ctx: _Ctx) -> Part:
    cid = topic.ids[0]
    if cid in _KIND_MISSING:
        en_, zh_text = _KIND_MISSING[cid]
        lines = [_not_said(en_, zh_text, ctx)]
        nxt = ctx.index.upcoming(ctx.now, 1)
        if nxt:
            lines.append(f"下一个日期：{line(nxt[0], ctx)}。" if ctx.lang == "zh" else
                         f"Next: {line(nxt[0], ctx)}.")
        return Part(topic, "not_held", tuple(lines), tuple(nxt[:1]))
    if cid == "no_date":  # "the paper submission deadline" where no date is it
        return Part(topic, "not_held", (
            f"日程里没有{topic.ids[1]}的日期；{_ask_whom(ctx.event, 'zh')}。"
            if ctx.lang == "zh" else
            f"The schedule has no {topic.ids[1]} date; {_ask_whom(ctx.event, 'en')}.",))
    if cid == "decision":  # "when will I hear about the travel grant?"
        if topic.ids[1] in ("paper", "submit"):  # a paper's decision is the notification
            return Part(topic, "not_held", (_not_said(*_KIND_MISSING["notify"], ctx),))
        about = lx.BY_ID.get(topic.ids[1])
        en = about.label_en if about is not None else topic.label
        zh_ = (about.label_zh or about.label_en) if about is not None else topic.label
        return Part(topic, "not_held", (
            f"日程里没有给出{zh_}结果的公布日期；{_ask_whom(ctx.event, 'zh')}。"
            if ctx.lang == "zh" else
            f"The schedule does not say when decisions on {en} are announced; "
            f"{_ask_whom(ctx.event, 'en')}.",))
    concept = lx.BY_ID.get(cid)
    if concept is not None:
        en, zh_ = concept.label_en, concept.label_zh or concept.label_en
    else:
        en = zh_ = f"“{topic.label}”" if ctx.lang == "zh" else f"\"{topic.label}\""
    text = (f"日程里没有关于{zh_}的信息；{_ask_whom(ctx.event, 'zh')}。" if ctx.lang == "zh" else
            f"The schedule does not say anything about {en}; {_ask_whom(ctx.event, 'en')}.")
    return Part(topic, "not_held", (text,))


def _social(topic: Topic, ctx: _Ctx) -> Part:
    what = topic.ids[0]
    name = ctx.event.name
    if what == "help":
        return Part(topic, "help", help_lines(ctx.event, ctx.lang))
    if ctx.lang == "zh":
        first = "不客气！" if what == "thanks" else f"你好！我是 {name} 的 duebot。"
        return Part(topic, "greeting", (first, "可以问我“截止日期是什么时候？”，或者发“帮助”。"))
    first = "You're welcome!" if what == "thanks" else f"Hi! I'm duebot for {name}."
    return Part(topic, "greeting", (first, "Ask me \"when is the deadline?\", or say \"help\" "
                                           "to see everything I can answer."))


_THE_COUNTRIES = frozenset({"us", "u.s", "usa", "u.s.a", "united states",
                            "united states of america"})
"""Names said with "the" ("The US has several time zones")."""


@lru_cache(maxsize=256)
def _generic_name(key: str, lang: Language) -> str:
    """A zone's name whatever the season, in CLDR's words ("Pacific Time", "北美太平洋时间");
    its IANA key where CLDR has none."""
    try:
        return str(get_timezone_name(key, width="long", zone_variant="generic",
                                     locale=zh.LOCALE if lang == "zh" else "en"))
    except (LookupError, ValueError):
        return key


def _zones(reading: Reading, reader: Zone, event: Event
           ) -> tuple[Zone, tuple[tuple[Zone, str], ...], str]:
    """The zone to speak in, other readings of an ambiguous name, and a note saying so."""
    named = reading.zone
    if named is None:
        return reader, (), ""
    if named.kind == "mytime":
        return reader, (), ""
    if named.kind == "venuetime":
        return event.venue_zone or event.zone, (), ""
    keys = list(named.zones)
    meanings = list(named.meanings) or [named.text] * len(keys)
    spans = named.ambiguous and not named.meanings  # a country with several zones
    if spans:  # "US time": each zone by its name, the event's own first (the call's clock)
        if event.zone.key in keys:
            keys.insert(0, keys.pop(keys.index(event.zone.key)))
        meanings = [_generic_name(k, reading.language) for k in keys]
    if named.ambiguous and "Asia/Shanghai" in keys and (
            reading.language == "zh" or "Asia/Shanghai" in (
                event.zone.key, event.venue_zone.key if event.venue_zone else "")):
        i = keys.index("Asia/Shanghai")  # "CST" at a workshop in China: China first
        keys.insert(0, keys.pop(i))
        meanings.insert(0, meanings.pop(i))
    zones = [parse_zone(k) for k in keys]
    note = ""
    if spans:
        text = named.text if has_cjk(named.text) or not named.text.islower() else (
            named.text.upper() if len(named.text) <= 4 else named.text.title())
        if text.casefold().rstrip(".") in _THE_COUNTRIES:
            text = f"The {text}"
        if reading.language == "zh":
            note = (f"{text}有多个时区（{'、'.join(meanings)}）；这里先按{meanings[0]}，"
                    f"其余的在下面。")
        else:
            note = (f"{text} has several time zones ({', '.join(meanings)}); here is "
                    f"{meanings[0]} first, the others below.")
    elif named.ambiguous:
        if reading.language == "zh":
            note = (f"{named.text.upper()} 可以指{'、'.join(meanings)}；这里按{meanings[0]}，"
                    f"其余的在下面。")
        else:
            note = (f"{named.text.upper()} can mean {', '.join(meanings[:-1])} or "
                    f"{meanings[-1]}; I read it as {meanings[0]} and give the others below.")
    return zones[0], tuple(zip(zones[1:], meanings[1:], strict=False)), note


def render(reading: Reading, event: Event, now: datetime, reader: Zone
           ) -> tuple[tuple[Part, ...], str]:
    """The parts of the reply and its text, in the reading's language."""
    zone, others, note = _zones(reading, reader, event)
    # "in my time" converts an all-day date to the reader's clock as a zone named does; the
    # weak "for me" alone does not.
    named = reading.zone is not None and (reading.zone.kind != "mytime" or any(
        w in reading.zone.text for w in ("time", "tz", "zone", "时间", "时区")))
    label = _labelled(reading.zone, reading, reader, event) if reading.zone else None
    ctx = _Ctx(event, now, zone, reading.language, index_for(event), others, named,
               _also(reading, reader, event), label[1] if label else "")
    parts: list[Part] = []
    seen: dict[tuple[str, tuple[str, ...], bool, int], int] = {}
    for clause in reading.clauses:
        if clause.compare and len(clause.topics) == 2:
            parts.append(_compare(clause, ctx))
            continue
        for topic in clause.topics:
            # "when ... and how long is it?"; "when is the deadline and the 2nd deadline?"
            key = (topic.kind, topic.ids, clause.length, clause.ordinal)
            if key in seen and topic.kind != "next":
                earlier = seen[key]
                if clause.form == "yesno" and parts[earlier].verdict is None:
                    # "what time is the deadline? 12 noon?": the yes or no, with the date.
                    asked = _part(topic, clause, ctx, reading.zone)
                    if asked.verdict is not None:
                        parts[earlier] = asked
                continue
            seen[key] = len(parts)
            parts.append(_part(topic, clause, ctx, reading.zone))
    for i, p in enumerate(parts):
        if p.kind == "late" and len(p.lines) > 1 and any(
                d in q.dates for j, q in enumerate(parts) if j != i and q.kind != "late"
                for d in p.dates):
            # "Can I submit late? When is the deadline?": the deadline once, where asked
            # (the deadlines the late part would list are the other part's to give).
            parts[i] = replace(p, lines=p.lines[:1])
    if not parts:
        first = ("抱歉，我没有看懂这个问题。" if reading.language == "zh" else
                 "Sorry, I did not understand that question.")
        unknown = Topic("social", ("unknown",))
        parts.append(Part(unknown, "unknown", (first, *_holds(ctx),
                                               *help_lines(event, reading.language))))
    elif all(p.kind == "not_held" and not p.dates for p in parts):
        # "When is the travel grant deadline?" where none is: what the schedule does hold,
        # so the asker sees it was not overlooked.
        parts[-1] = replace(parts[-1], lines=(*parts[-1].lines, *_holds(ctx)))
    if reading.language == "zh":
        parts = _said_aside(parts, reading, ctx)
    blocks = [p for p in parts if p.lines]
    text = "\n\n".join("\n".join(p.lines) for p in blocks) if len(blocks) > 1 else \
        "\n".join(blocks[0].lines if blocks else ())
    if note and any(p.dates for p in parts):
        text = f"{note}\n{text}"
    return tuple(parts), text


def _said_aside(parts: list[Part], reading: Reading, ctx: _Ctx) -> list[Part]:
    """A Chinese reply to a question that set dates aside (不算摘要, 除了论文注册, 先不管 ...)
    names them first ("除了Abstract registration以外："), as English's "Besides ..." does."""
    gone = tuple(dict.fromkeys(i for c in reading.clauses for i in c.excluded))
    at = next((i for i, p in enumerate(parts) if p.dates), None)
    if not gone or at is None:
        return parts
    lead = zh.besides([d.title for d in ctx.index.dates_of(gone)])
    if parts[at].lines and parts[at].lines[0].startswith(lead):
        return parts  # "除了X以外，日程里还有：" says it already
    return [replace(p, lines=(f"{lead}：", *p.lines)) if i == at else p
            for i, p in enumerate(parts)]


_HOLDS = 6


def _holds(ctx: _Ctx) -> tuple[str, ...]:
    """One line naming the dates the schedule holds (the first few), for a reply that has none
    to give: no instant, only titles."""
    titles = [d.title for d in ctx.ordered() if not d.cancelled]
    if not titles:
        return ()
    more = len(titles) - _HOLDS
    if ctx.lang == "zh":
        return ("日程里有：" + "、".join(titles[:_HOLDS]) + (f" 等 {len(titles)} 个日期" if more > 0
                                                        else "") + "。",)
    listed = "; ".join(titles[:_HOLDS]) + (f"; and {more} more" if more > 0 else "")
    return (f"The schedule has: {listed}.",)


_NEXT_YEAR = re.compile(r"\bnext year'?s?\b|明年")
_NEXT_EDITION = re.compile(r"\bnext edition\b|\bnext (?:conference|workshop|symposium)\b"
                           r"(?! deadline)|下一届|下届")
"""Next year's event, or the next edition once this one is over: not this schedule's."""


def _part(topic: Topic, clause: Clause, ctx: _Ctx, zone: NamedZone | None) -> Part:
    part = _part_of(topic, clause, ctx, zone)
    if topic.kind == "date" and part.dates:
        year = ctx.now.year + 1
        next_year = bool(_NEXT_YEAR.search(clause.text)) and not any(
            d.zone.local(d.starts).year == year for d in part.dates)
        over = bool(_NEXT_EDITION.search(clause.text)) and all(
            d.ends <= ctx.now for d in part.dates)
        if next_year or over:
            # "when is next year's workshop?": not in the schedule; this one said as such.
            said = _not_said("next year's dates" if next_year else "the next edition's dates",
                             "明年的日期" if next_year else "下一届的日期", ctx)
            this = ("日程里的是这一届：" if ctx.lang == "zh" else
                    "The schedule holds this edition's:")
            return replace(part, lines=(said, this, *part.lines), verdict=None)
    missed = [d for d in ctx.index.dates_of(clause.missed) if d not in part.dates]
    if not missed or topic.kind != "date" or not part.dates:
        return part
    # "I missed the paper registration. can I still submit the paper?": the paper's date,
    # then what the schedule says of handing it in unregistered, which is nothing; a date
    # the asker thinks missed but still open is said to be open, with its time.
    zh_ = ctx.lang == "zh"
    lines = list(part.lines)
    still_open = [d for d in missed if d.ends > ctx.now and not d.cancelled]
    for when in still_open:
        text = when_text(when, ctx.now, ctx.reader, ctx.lang, convert_day=ctx.named)
        lines.append(f"{_title(when, 'zh')}还没有截止：{text}。" if zh_ else
                     f"You have not missed {_the(when)}: it is still open until {text}.")
    gone = [d for d in missed if d not in still_open]
    if gone:
        names = "、".join(_title(d, "zh") for d in gone) if zh_ else \
            " or ".join(_the(d) for d in gone)
        lines.append(_not_said(f"whether you can still submit after missing {names}",
                               f"错过{names}后是否还能提交", ctx))
    return replace(part, lines=tuple(lines), dates=(*part.dates, *still_open))


def _part_of(topic: Topic, clause: Clause, ctx: _Ctx, zone: NamedZone | None) -> Part:
    if topic.kind == "date" and clause.ordinal:
        return _ordinal(topic, clause, ctx, zone)
    if topic.kind == "date":
        dates = ctx.index.dates_of(topic.ids)
        side = next((r for r in clause.relative if r in ("after", "before")), None)
        if "extended" in clause.relative:
            side = None  # "the original deadline before the extension": the earlier date
        if "next_one" in clause.relative:
            found = _neighbour(dates, "after", ctx, topic, same=True)
            if found is not None:
                return found
        if side is not None and clause.form in ("what", "when"):
            found = _neighbour(dates, side, ctx, topic)
            if found is not None:
                return found
        dates = _on_day_asked(dates, clause, ctx)
        widened = _with_opening(dates, clause, ctx)
        if widened:
            dates = widened  # "has registration closed?" of only the early rate's deadline
        if len(dates) == 1:
            part = _one_date(dates[0], clause, ctx, zone)
            lines, shown = list(part.lines), list(part.dates)
            only = dates[0]
            if only.ends <= ctx.now and not only.cancelled and part.kind != "not_held":
                if clause.form == "howlong" and only.kind == "deadline" and not any(
                        d.kind == "deadline" for d in ctx.upcoming()[:50]):
                    lines[0] = ("没有还开放的截止日期。" if ctx.lang == "zh" else
                                "No deadline is still open. ") + lines[0]
                nxt = ctx.index.upcoming(ctx.now, 1)
                if nxt:
                    lines.append(f"下一个日期：{line(nxt[0], ctx)}。" if ctx.lang == "zh" else
                                 f"Next: {line(nxt[0], ctx)}.")
                    shown.append(nxt[0])
                else:
                    lines.append("日程里没有还未到的日期了。" if ctx.lang == "zh" else
                                 "Nothing else in the schedule is still ahead.")
            return Part(topic, part.kind, tuple(lines), tuple(shown), part.verdict)
        return _group(dates, clause, ctx, zone, topic)
    if topic.kind == "next":
        return _next_part(topic, clause, ctx, zone)
    if topic.kind == "field":
        return _field(topic.ids[0], topic, clause, ctx)
    if topic.kind == "faq":
        return _faq_part(topic, clause, ctx)
    if topic.kind == "not_held":
        return _not_held(topic, ctx)
    return _social(topic, ctx)


def _also(reading: Reading, reader: Zone, event: Event) -> tuple[tuple[Zone, str], ...]:
    """The further zones named, each with the label the reply gives it."""
    return tuple(x for named in reading.also
                 if (x := _labelled(named, reading, reader, event)) is not None)


def _labelled(named: NamedZone, reading: Reading, reader: Zone, event: Event
              ) -> tuple[Zone, str] | None:
    """A zone named and the label the reply gives it ("AoE", "CEST", "Tokyo time")."""
    if named.kind == "mytime":
        return reader, "你的时区" if reading.language == "zh" else "your time"
    if named.kind == "venuetime":
        return (event.venue_zone or event.zone,
                "会场当地时间" if reading.language == "zh" else "the venue's time")
    if not named.zones:
        return None
    zone = parse_zone(named.zones[0])
    if named.kind == "aoe":
        typed = "AoE"
    elif named.kind in ("abbreviation", "utc"):
        typed = named.text.upper()
    elif named.kind in ("offset", "iana"):
        typed = named.text
    elif reading.language == "zh":  # "东京" -> "东京时间"
        typed = named.text if named.text.endswith(("时间", "时区")) else f"{named.text}时间"
    else:  # "tokyo" -> "Tokyo time"
        place = named.text.removesuffix("time").split()
        typed = " ".join(w[:1].upper() + w[1:] for w in place) + " time"
    return zone, typed


# --- two dates compared, ordinals ---------------------------------------------------------

def _the_one(dates: Sequence[ImportantDate], ctx: _Ctx) -> ImportantDate | None:
    """The date a group stands for when compared: the next of it ahead, else its last."""
    live, ends, _ = _by_end(dates, ctx.index)
    if not live:
        return None
    cut = bisect.bisect_right(ends, ctx.now)
    return live[cut] if cut < len(live) else live[-1]


def _day_of(when: ImportantDate) -> datetime:
    return when.zone.local(_key_instant(when) - (timedelta(seconds=1) if when.all_day and
                                                 when.kind in _DUE_KINDS else timedelta(0)))


def _gap(a: ImportantDate, b: ImportantDate, lang: Language) -> str:
    """How far apart two dates are: days on the calendar (each in its own zone), or the hours
    between them when they fall on the same day."""
    days = abs((_day_of(b).date() - _day_of(a).date()).days)
    if days == 0:
        delta = abs(_key_instant(b) - _key_instant(a))
        if lang == "zh":
            return zh.countdown(delta) if delta else "同一时间"
        return countdown(delta) if delta else "no time"
    if lang == "zh":
        weeks = f"（{days // 7}周" + (f"{days % 7}天）" if days % 7 else "）")
        return f"{days}天" + (weeks if days >= 14 else "")
    rest = f" {days % 7} day{'s' if days % 7 != 1 else ''}" if days % 7 else ""
    weeks = f" ({days // 7} weeks{rest})" if days >= 14 else ""
    return f"{days} day{'s' if days != 1 else ''}{weeks}"


def _compare(clause: Clause, ctx: _Ctx) -> Part:
    """ "Is the notification before the camera-ready?", "which comes first?", "how long
    between X and Y?": both dates from the schedule, then their order or the gap."""
    zh_ = ctx.lang == "zh"
    x_topic, y_topic = clause.topics
    x = _the_one(ctx.index.dates_of(x_topic.ids), ctx)
    y = _the_one(ctx.index.dates_of(y_topic.ids), ctx)
    topic = Topic("date", (*x_topic.ids, *y_topic.ids), "compare", 1.0, x_topic.start,
                  clause.text)
    if x is None or y is None:
        # A side whose every date is cancelled: say so, with what it was; no order to give.
        gone = [d for t in (x_topic, y_topic) for d in ctx.index.dates_of(t.ids)[:1]
                if _the_one(ctx.index.dates_of(t.ids), ctx) is None]
        lines = [f"{line(d, ctx)}{'。' if zh_ else '.'}" for d in gone]
        lines.append("所以没有可以比较的日期；" + _ask_whom(ctx.event, "zh") + "。" if zh_ else
                     f"So there is nothing to compare it with; {_ask_whom(ctx.event, 'en')}.")
        return Part(topic, "not_held", tuple(lines), tuple(gone))
    tx, ty = _title(x, ctx.lang), _title(y, ctx.lang)
    if x.id == y.id and clause.compare == "after":
        # "can I register my paper after the deadline?": a late submission, asked of it.
        return _late(Topic("field", ("late", x.id), "late submissions"), clause, ctx)
    if x.id == y.id:
        text = (f"两者是同一个日期：{line(x, ctx)}。" if zh_ else
                f"Both name the same date: {line(x, ctx)}.")
        return Part(topic, "compare", (text,), (x,))
    kx, ky = _key_instant(x), _key_instant(y)
    gap = _gap(x, y, ctx.lang)
    early, late = (x, y) if kx <= ky else (y, x)
    te, tl = _title(early, ctx.lang), _title(late, ctx.lang)
    verdict: bool | None = None
    if clause.compare in ("before", "after"):
        verdict = (kx < ky) if clause.compare == "before" else (kx > ky)
        if kx == ky:
            lead = (f"{tx}和{ty}在同一时间。" if zh_ else
                    f"{_capital(tx)} {_verb(tx, 'is', 'are')} at the same time as {ty}.")
        elif zh_:
            lead = f"{tx}在{ty}{'之前' if kx < ky else '之后'}，相隔{gap}。"
        else:
            lead = (f"{tx} {_verb(tx, 'comes', 'come')} {'before' if kx < ky else 'after'} {ty}, "
                    f"{gap} apart.")
        lead = _yes_no(verdict, ctx.lang) + (lead if zh_ else lead[:1].lower() + lead[1:]
                                             if not lead.startswith(tx) else lead)
        shown = (x, y)
    elif clause.compare == "same":
        # Two dates on one day? (推荐信和申请截止是同一天吗？) Each in its own zone.
        verdict = _day_of(x).date() == _day_of(y).date()
        if zh_:
            lead = (f"{tx}和{ty}在同一天。" if verdict else
                    f"{tx}和{ty}不在同一天，相隔{gap}（{te}在前）。")
        else:
            lead = (f"{tx} and {ty} fall on the same day." if verdict else
                    f"{tx} and {ty} are {gap} apart ({te} {_verb(te, 'comes', 'come')} first).")
        lead = _yes_no(verdict, ctx.lang) + lead
        shown = (early, late)
    elif clause.compare in ("first", "last"):
        win = early if clause.compare == "first" else late
        other = late if win is early else early
        if zh_:
            lead = f"{_title(win, 'zh')}在{'前' if win is early else '后'}，两者相隔{gap}。"
        else:
            lead = (f"{_title(win)} {_verb(_title(win), 'comes', 'come')} "
                    f"{'first' if win is early else 'later'}, {gap} "
                    f"{'before' if win is early else 'after'} {_title(other)}.")
        shown = (win, other)
    else:
        lead = (f"{tx}和{ty}相隔{gap}（{te}在前）。" if zh_ else
                f"{gap} between {tx} and {ty} ({te} {_verb(te, 'comes', 'come')} first, {tl} "
                f"after).")
        lead = _capital(lead)
        shown = (x, y)
    lines = [lead, *(f"- {line(d, ctx)}{_also_suffix(d, ctx)}" for d in shown)]
    return Part(topic, "compare", tuple(lines), shown, verdict)


_ORDINAL_EN = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth",
               7: "seventh", 8: "eighth", -1: "last"}
_COUNTED = {"deadline": ("deadline", "截止日期"), "notification": ("notification", "通知"),
            "event": ("event", "会议"), "date": ("date", "日期")}


def _ordinal(topic: Topic, clause: Clause, ctx: _Ctx, zone: NamedZone | None) -> Part:
    """ "The 2nd deadline", "the last date": counted in the schedule's dated order among the
    dates the words name; a place the schedule does not have is said to be missing."""
    zh_ = ctx.lang == "zh"
    pool = sorted((d for d in ctx.index.dates_of(topic.ids) if not d.cancelled),
                  key=_key_instant)
    n = clause.ordinal
    noun_en, noun_zh = _COUNTED.get(clause.ordinal_of, _COUNTED["date"])
    word = _ORDINAL_EN.get(n) or (f"{_ORDINAL_EN.get(-n, f'{-n}th')} to last" if n < 0
                                  else f"{n}th")
    word_zh = "最后一个" if n == -1 else (f"倒数第{-n}个" if n < 0 else f"第{n}个")
    names = ("、" if zh_ else ", ").join(_title(d, ctx.lang) for d in pool[:6]) + (
        "……" if len(pool) > 6 else "")
    count = (f"{len(pool)}个{noun_zh}" if zh_ else
             f"{len(pool)} {noun_en}{'s' if len(pool) != 1 else ''}")
    if not pool or abs(n) > len(pool):
        text = (f"日程里只有{count}（{names}），没有{word_zh}；{_ask_whom(ctx.event, 'zh')}。"
                if zh_ else f"The schedule has {count} ({names}); there is no {word} one; "
                            f"{_ask_whom(ctx.event, 'en')}.")
        return Part(topic, "not_held", (text,))
    chosen = pool[n - 1] if n > 0 else pool[n]
    lead = (f"按日期顺序，日程里的{count}中{word_zh}是{_title(chosen, 'zh')}。" if zh_ else
            f"In date order, the {word} of the schedule's {count} ({names}) is "
            f"{_title(chosen)}.")
    if len(pool) == 1 and clause.ordinal_of == "date" and len(topic.ids) == 1:
        lead = ""  # "the last date to submit": the words named the one date already
    elif len(pool) == 1:
        lead = (f"日程里只有一个{noun_zh}：{_title(chosen, 'zh')}。" if zh_ else
                f"The schedule has one {noun_en}: {_title(chosen)}.")
    inner = _part(Topic("date", (chosen.id,), topic.label, topic.score, topic.start,
                        topic.span), replace(clause, ordinal=0), ctx, zone)
    lines = (lead, *inner.lines) if lead else inner.lines
    return Part(inner.topic, inner.kind, lines, inner.dates, inner.verdict)
