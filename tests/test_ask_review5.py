"""Review round 5 (session 10): answers found wrong, each asked in general on the schedules of
the earlier rounds. The expectation language is ``tests/ask_probe.py``'s."""

from __future__ import annotations

import pytest

from tests.ask_probe import P
from tests.test_ask_zh_round4 import SCHEDULES as ZH4


@pytest.mark.parametrize(("question", "verdict"), [
    # A clock asked of no named date ("is it before 8 pm?") read its "pm" (or "8pm") as a
    # subject the schedule does not hold: the question is of the next date.
    ("is it before 8pm?", True),
    ("is it before 8 pm?", True),
    ("is that before 8 p.m.?", True),
    ("is it at 7:59 pm?", True),
    # guards: a bound it is not before, a clock it is not at, the question asked in Chinese
    ("is it before 7 pm?", False),
    ("is it at 8pm?", False),
    ("是晚上8点之前吗？", True),
])
def test_a_clock_asked_of_no_named_date_is_asked_of_the_next(question: str,
                                                            verdict: bool) -> None:
    reply = ZH4.ask(P("C", question, "", "clock"))
    assert reply.parts[0].verdict is verdict and [d.id for d in reply.dates] == ["abstract"], \
        reply.text

