"""Second review: answers that led with a verdict about another date than the one asked."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from bot.core.ask import answer
from bot.core.schedule import parse_schedule
from bot.core.zones import parse_zone

ICDS = Path(__file__).resolve().parent / "data" / "ask" / "icds27.toml"


def test_a_deadline_still_open_is_not_said_to_have_passed() -> None:
    # 13:00 UTC on 12 March 2027: the paper registration (5 March AoE) has passed, the full
    # paper (12 March 23:59 AoE) is open for 23 hours. "the paper deadline" names both: a
    # bare "Yes" (of the registration) told the asker their paper deadline was gone.
    event = parse_schedule(ICDS.read_text(encoding="utf-8"), str(ICDS))
    reply = answer("has the paper deadline passed?", event,
                   now=datetime.fromisoformat("2027-03-12T13:00:00+00:00"),
                   reader=parse_zone("UTC"))
    first = reply.text.splitlines()[0]
    assert not first.startswith("Yes"), reply.text
    assert "Full paper submission" in reply.text and "still open" in reply.text.lower()
    assert "Paper registration" in reply.text and "passed" in first
