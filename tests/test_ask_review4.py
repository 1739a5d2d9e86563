"""Review round 4 (ask4, session 8): answers the last reviews found wrong, each asked in
general on schedules of the earlier rounds and on ``revh`` (H: only an "Abstract submission"
and a "Camera-ready paper", no date the paper is submitted by).

The expectation language is ``tests/ask_probe.py``'s.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ask_probe import P, Schedules
from tests.test_ask_review3 import SCHEDULES as REVIEW3
from tests.test_ask_zh_round4 import SCHEDULES as ZH4

DATA = Path(__file__).resolve().parent / "data" / "ask"
H = Schedules(files={"H": DATA / "revh.toml"}, now={"H": "2031-02-20T12:00:00+00:00"},
              reader={"H": "Asia/Kolkata"})


@pytest.mark.parametrize(("question", "verdict"), [
    # "before 8 pm?" of a deadline at 19:59 (Beijing) was No: the clock compared for equality.
    ("is the full paper deadline before 8pm?", True),
    ("is the full paper deadline before 8 pm beijing time?", True),
    ("is the paper deadline earlier than 8pm?", True),
    # guards: a bound it is not before, and a clock asked as such
    ("is the full paper deadline before 7pm?", False),
    ("is the full paper deadline at 8pm?", False),
    ("is the full paper deadline at 7:59 pm?", True),
])
def test_a_clock_asked_before_is_a_bound(question: str, verdict: bool) -> None:
    reply = ZH4.ask(P("C", question, "", "clock"))
    assert reply.parts[0].verdict is verdict and [d.id for d in reply.dates] == ["paper"], \
        reply.text


@pytest.mark.parametrize(("question", "want"), [
    # "the latest I can register" of an early and a late registration led with the early one.
    ("what is the latest I can register?", ["late", "early"]),
    ("what's the last day to register?", ["late", "early"]),
    ("when at the latest do I have to register?", ["late", "early"]),
    # guard: one date asked so is that date
    ("what is the latest I can request a visa letter?", ["visa"]),
])
def test_the_latest_of_several_deadlines_leads_with_the_last(question: str,
                                                             want: list[str]) -> None:
    reply = ZH4.ask(P("V", question, "", "topic"))
    assert [d.id for d in reply.dates] == want, reply.text
    assert len(want) == 1 or reply.text.startswith("The latest is"), reply.text


@pytest.mark.parametrize(("question", "has"), [
    # "what's the date today?" answered "No date of the schedule falls then" (那时没有日期):
    # today's date is the asker's, in their zone (Shanghai: Thursday 22 May 2031, 14:00).
    ("what's the date today?", "Today is Thursday 22 May 2031"),
    ("what day is it today?", "Today is Thursday 22 May 2031"),
    ("what is today's date?", "Today is Thursday 22 May 2031"),
    ("今天几号？", "今天是2031年5月22日"),
    ("今天是星期几？", "今天是2031年5月22日"),
    ("今天幾號？", "今天是2031年5月22日"),
])
def test_todays_date_is_the_askers_in_their_zone(question: str, has: str) -> None:
    reply = ZH4.ask(P("V", question, "", "today"))
    assert has in reply.text and "没有日期" not in reply.text and \
        "No date of the schedule" not in reply.text, reply.text


def test_todays_date_is_the_day_in_the_askers_zone_not_utcs() -> None:
    # 22:00 UTC on the 22nd is already Friday the 23rd in Shanghai.
    reply = ZH4.ask(P("V", "what's the date today?", "", "today", "2031-05-22T22:00:00+00:00"))
    assert "Today is Friday 23 May 2031" in reply.text, reply.text


def test_a_deadline_today_is_still_the_deadline_asked() -> None:
    # guard: a subject asked of today stays the subject's answer
    reply = ZH4.ask(P("V", "is the visa letter deadline today?", "", "today",
                      "2031-05-23T02:00:00+00:00"))
    assert [d.id for d in reply.dates] == ["visa"] and reply.parts[0].verdict is True, \
        reply.text


@pytest.mark.parametrize(("name", "question", "want"), [
    # "I missed the paper registration. can I still submit the paper?" answered that the
    # paper registration was still open: submitting is the paper's deadline, not its
    # registration (F: "Paper registration", "Paper deadline"; A: "Abstract and paper
    # registration", "Submission deadline").
    # (session 10: the registration is still open then, and the reply says so after it)
    ("F", "I missed the paper registration. can I still submit the paper?",
     ["paper", "paperreg"]),
    ("F", "can I still submit the paper?", ["paper"]),
    ("F", "when do I submit the paper?", ["paper"]),
    ("A", "when do I submit the paper?", ["submission"]),
    # guards: registering is still the registration's
    ("F", "when do I register the paper?", ["paperreg"]),
    ("F", "when is paper registration?", ["paperreg"]),
])
def test_submitting_the_paper_is_not_registering_it(name: str, question: str,
                                                    want: list[str]) -> None:
    reply = REVIEW3.ask(P(name, question, "", "submit"))
    assert [d.id for d in reply.dates] == want, reply.text


@pytest.mark.parametrize("question", [
    "I missed the paper registration. can I still submit the paper?",
    "I missed the paper registration, can I still submit?",
    "we didn't make the paper registration. when is the paper deadline?",
])
def test_a_missed_registration_is_answered_with_the_submission_and_the_policy(
        question: str) -> None:
    # The paper's own deadline, then what the schedule says of submitting unregistered:
    # nothing (F holds no such policy), so it says it does not say, never a Yes about the
    # registration. Asked while the registration is still open (session 10), the asker is
    # told they have not missed it, after the paper's date.
    after = "2031-03-03T12:00:00+00:00"  # the registration closed on 1 March, 23:59 CET
    reply = REVIEW3.ask(P("F", question, "", "submit", now=after))
    assert [d.id for d in reply.dates] == ["paper"], reply.text
    assert "does not say whether you can still submit after missing the deadline for " \
        "Paper registration" in reply.text, reply.text
    before = REVIEW3.ask(P("F", question, "", "submit"))
    assert [d.id for d in before.dates] == ["paper", "paperreg"], before.text
    assert before.text.splitlines()[1].startswith(
        "You have not missed the deadline for Paper registration: it is still open until "
        "Sunday 2 March 2031, 04:29 IST"), before.text


def test_a_missed_registration_with_no_deadline_it_registers_for_keeps_its_subject() -> None:
    # guard: "Registration" (attendees') registers no paper: the question stays about it
    reply = REVIEW3.ask(P("F", "I missed registration, can I still register?", "", "submit"))
    assert [d.id for d in reply.dates] == ["registration"], reply.text


@pytest.mark.parametrize("question", [
    # H holds an "Abstract submission" and a "Camera-ready paper": "the paper submission
    # deadline" gave the abstract's date as if it were the paper's.
    "when is the paper submission deadline?",
    "when is the full paper submission?",
    "when do paper submissions close?",
    "论文提交截止是哪天？",
])
def test_words_that_only_other_dates_hold_apart_name_no_date(question: str) -> None:
    reply = H.ask(P("H", question, "", "missing"))
    assert not reply.dates, reply.text
    assert reply.text.startswith(("The schedule has no paper submission",
                                  "日程里没有论文提交的日期")), reply.text
    assert "Abstract submission" in reply.text  # what it has, as the schedule's list


@pytest.mark.parametrize(("name", "question", "want"), [
    # guards: a title that holds every word asked; one word asked; a bare "Submission deadline"
    ("H", "when is the abstract submission deadline?", ["abstract"]),
    ("H", "when is the camera-ready paper due?", ["camera"]),
    ("H", "when is the paper deadline?", ["camera"]),
    ("A", "when is the paper submission deadline?", ["submission"]),
])
def test_a_date_holding_the_words_asked_is_still_the_answer(name: str, question: str,
                                                            want: list[str]) -> None:
    reply = (H if name == "H" else REVIEW3).ask(P(name, question, "", "missing"))
    assert [d.id for d in reply.dates] == want, reply.text


@pytest.mark.parametrize("question", ["what's happening today?", "anything due today?",
                                      "今天有什么截止？"])
def test_what_the_schedule_holds_today_is_still_the_schedules(question: str) -> None:
    # guard: today's dates asked of the schedule are no question of the calendar
    reply = ZH4.ask(P("V", question, "", "today"))
    assert reply.parts[0].kind != "today" and "Today is" not in reply.text and \
        "今天是" not in reply.text, reply.text
