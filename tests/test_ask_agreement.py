"""A comparison's verb agrees with the date's title: the shipped schedule's "Acceptance
notifications" come before the workshop; a "deadline" comes first."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.core.ask import answer
from bot.core.model import Event
from bot.core.schedule import parse_schedule

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2017, 9, 1, 12, tzinfo=UTC)


def event() -> Event:
    path = ROOT / "schedules" / "aisys-sosp17.toml"
    return parse_schedule(path.read_text(encoding="utf-8"), str(path))


def test_a_plural_title_takes_a_plural_verb() -> None:
    text = answer("is the notification before the workshop?", event(), now=NOW).text
    assert "Acceptance notifications come before" in text
    assert "notifications comes" not in text


def test_a_singular_title_keeps_its_verb() -> None:
    text = answer("which comes first, the notification or the abstract deadline?", event(),
                  now=NOW).text
    assert "deadline (extended) comes first" in text
    between = answer("how long between the abstract deadline and the notification?", event(),
                     now=NOW).text
    assert "(extended) comes first, Acceptance notifications after" in between
