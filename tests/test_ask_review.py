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


DSW = Path(__file__).resolve().parent / "data" / "ask" / "dsw26.toml"


def test_a_zone_on_the_same_clock_is_the_dates_zone() -> None:
    # The deadline is 12:00 in Europe/Berlin (CEST). "is it in CET?" (read as Europe/Paris)
    # was answered "No: ... given in Europe/Berlin ...; that is 12:00 CEST (Europe/Paris)":
    # a no that tells the asker to convert a time that does not change.
    event = parse_schedule(DSW.read_text(encoding="utf-8"), str(DSW))
    for question in ("is the deadline in CET?", "is the deadline in Paris time?"):
        reply = answer(question, event, now=datetime.fromisoformat("2026-08-20T06:30:00+00:00"),
                       reader=parse_zone("UTC"))
        assert reply.text.startswith("Yes"), reply.text
        assert "12:00 CEST" in reply.text, reply.text
    reply = answer("is the deadline in London time?", event,
                   now=datetime.fromisoformat("2026-08-20T06:30:00+00:00"),
                   reader=parse_zone("UTC"))
    assert reply.text.startswith("No"), reply.text  # 11:00 BST there: another clock
