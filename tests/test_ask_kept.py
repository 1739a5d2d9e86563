"""What the answer engine keeps between questions must never change an answer: a reading kept
per schedule is the reading afresh, the bound holds, and an instant's words kept per zone tell
the two readings of a fold apart (an aware datetime compares by wall time within one zone).
"""

from __future__ import annotations

import importlib
from datetime import UTC, datetime
from pathlib import Path

from bot.core.ask import answer, index_for
from bot.core.ask.read import read
from bot.core.schedule import parse_schedule
from bot.core.timefmt import format_instant, same_wall_clock, zone_caption
from bot.core.zones import parse_zone

KEPT: int = importlib.import_module("bot.core.ask.read")._READINGS_KEPT
ROOT = Path(__file__).resolve().parent.parent
SEED_TEXT = (ROOT / "schedules" / "aisys-sosp17.toml").read_text(encoding="utf-8")
NOW = datetime(2017, 9, 1, 12, 0, tzinfo=UTC)
QUESTIONS = ["when is the deadline?", "北京时间几点截止？", "deadline in IST?",
             "how many pages?", "is it double blind?", "what is the meaning of life"]


def test_a_kept_reading_is_the_reading_afresh() -> None:
    kept = index_for(parse_schedule(SEED_TEXT))
    for question in QUESTIONS:
        first = read(question, kept)
        assert read(question, kept) is first  # kept, not read again
        fresh = index_for(parse_schedule(SEED_TEXT))  # another event: nothing kept yet
        assert question not in fresh.readings
        assert read(question, fresh) == first


def test_answers_asked_again_are_the_same() -> None:
    event = parse_schedule(SEED_TEXT)
    for question in QUESTIONS:
        once = answer(question, event, now=NOW)
        again = answer(question, event, now=NOW)
        later = answer(question, event, now=datetime(2017, 9, 9, 12, 0, tzinfo=UTC))
        assert (again.text, again.parts, again.context) == (once.text, once.parts, once.context)
        if "deadline" in question:
            assert later.text != once.text  # the countdown is built per answer, from now


def test_readings_kept_are_bounded_and_long_texts_are_not_kept() -> None:
    index = index_for(parse_schedule(SEED_TEXT))
    for i in range(KEPT + 20):
        read(f"when is round {i} due?", index)
    assert len(index.readings) == KEPT
    assert "when is round 0 due?" not in index.readings  # the least recently used went first
    body = "when is the deadline? " * 40
    read(body, index)
    assert body not in index.readings


def test_words_kept_per_instant_tell_a_fold_apart() -> None:
    zone = parse_zone("America/New_York")
    tz = zone.local(NOW).tzinfo
    first = datetime(2017, 11, 5, 1, 30, tzinfo=tz, fold=0)
    second = datetime(2017, 11, 5, 1, 30, tzinfo=tz, fold=1)
    assert first == second  # same wall time in one zone: equal as Python compares them
    assert format_instant(first, zone).endswith("01:30 EDT")
    assert format_instant(second, zone).endswith("01:30 EST")
    utc = parse_zone("UTC")
    assert format_instant(first, utc).endswith("05:30 UTC")
    assert format_instant(second, utc).endswith("06:30 UTC")
    eastern = parse_zone("EST")
    assert not same_wall_clock(zone, eastern, first)
    assert same_wall_clock(zone, eastern, second)
    assert zone_caption(zone, first) == "America/New_York, UTC-04:00"
    assert zone_caption(zone, second) == "America/New_York, UTC-05:00"
