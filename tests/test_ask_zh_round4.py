"""The fixes the fourth Chinese held-out round (``test_ask_zh_heldout3``) led to, each on a
schedule that round did not use as well, with its guard (what must not change).

- an FAQ asked in Chinese in other words than its phrasing ("注册费多少钱？" of "注册费多少？")
  was said not to be in the schedule: the phrasing's character pairs were not the question's;
- "late registration" / 晚期注册 of "Late registration closes" answered the late-submission
  policy with the early registration: a title's own word said with another of its words
  names that date ("can I submit late?" still asks the policy);
- "全文截止了没" without a question mark asked nothing yes or no;
- 这周末 ("this weekend") was any weekend, as a bare 周末 is;
- "还剩多少小时？" a day or more ahead answered in days only.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ask_probe import P, Schedules, wrong

DATA = Path(__file__).resolve().parent / "data" / "ask"
SCHEDULES = Schedules(
    files={"V": DATA / "vmlw31.toml", "C": DATA / "aicon32.toml",
           "S": Path(__file__).resolve().parent.parent / "schedules" / "aisys-sosp17.toml",
           "D": DATA / "dsw26.toml", "T": DATA / "twws30.toml"},
    # vmlw31 on Thursday 22 May 2031 (Vienna); dsw26 on Thursday 20 August 2026, 16:00 in
    # Hong Kong; twws30 on Wednesday 20 February 2030, 08:00 in Taipei.
    now={"V": "2031-05-22T06:00:00+00:00", "C": "2032-01-20T02:00:00+00:00",
         "S": "2017-09-01T12:00:00+00:00", "D": "2026-08-20T08:00:00+00:00",
         "T": "2030-02-20T00:00:00+00:00"},
    reader={"V": "Asia/Shanghai", "C": "Asia/Shanghai", "S": "Asia/Shanghai",
            "D": "Asia/Hong_Kong", "T": "Asia/Taipei"})


@pytest.mark.parametrize(("name", "question", "expect"), [
    ("V", "注册费多少钱？", "zh ; k=faq ; has=250 欧元"),
    ("V", "注册要交多少钱？", "zh ; k=faq ; has=250 欧元"),
    ("V", "註冊費要多少錢？", "zh ; k=faq ; has=250"),
    ("S", "征稿的主题有哪些？", "zh ; k=faq ; has=机器学习"),
    # guards: an FAQ's shared word alone is no match
    ("S", "会议在哪里？", "zh ; k=event ; has=Shanghai"),
    ("V", "签证邀请函几号截止？", "zh ; d=visa ; not=欧元"),
])
def test_an_faq_asked_in_other_chinese_words_is_the_faq(name: str, question: str,
                                                        expect: str) -> None:
    reply = SCHEDULES.ask(P(name, question, expect, "faq"))
    assert not wrong(P(name, question, expect, "faq"), reply), reply.text


@pytest.mark.parametrize(("question", "expect"), [
    ("when does late registration close?", "d=late ; k=deadline"),
    ("late registration 截止是几号？", "zh ; d=late"),
    ("晚期注册什么时候截止？", "zh ; d=late"),
    ("晚期註冊還有幾天？", "zh ; d=late ; has=36天15小時"),
    # guards: asked of late submissions, the policy (which the schedule does not give)
    ("can I submit late?", "k=late"),
    ("可以晚交吗？", "zh ; k=late"),
])
def test_a_title_word_that_is_also_a_policy_word_names_its_date(question: str,
                                                               expect: str) -> None:
    reply = SCHEDULES.ask(P("V", question, expect, "late"))
    bad = wrong(P("V", question, expect, "late"), reply)
    assert not bad, f"{bad}\n{reply.text}"


@pytest.mark.parametrize(("name", "question", "now", "verdict"), [
    ("C", "全文截止了没", "2032-02-02T00:00:00+00:00", True),
    ("C", "全文截止了没有", "2032-01-25T00:00:00+00:00", False),
    ("D", "投稿截止了没", "2026-09-02T00:00:00+00:00", True),
    ("T", "摘要截止了沒", "", False),
])
def test_a_chinese_has_it_question_without_a_question_mark_is_yes_or_no(
        name: str, question: str, now: str, verdict: bool) -> None:
    reply = SCHEDULES.ask(P(name, question, "", "passed", now))
    assert reply.parts[0].verdict is verdict, reply.text
    assert reply.text.startswith("是的" if verdict else "不是"), reply.text


@pytest.mark.parametrize(("name", "question", "verdict"), [
    ("V", "这周末有截止吗？", False),    # Sat 24 / Sun 25 May: nothing (visa Fri 23:00)
    ("V", "本周末有截止吗？", False),
    ("V", "這週末有截止嗎？", False),
    ("V", "下周有截止吗？", True),        # early registration, Sun 1 June 05:59 in Beijing
    ("C", "这周末有截止吗？", True),      # Sat 24 January 19:59 in Beijing
    ("T", "这周末有截止吗？", False),     # Sat 23 / Sun 24 February: the abstract is 1 March
    # guard: a date "on a weekend" is any weekend
    ("V", "早鸟注册截止是周末吗？", True),
])
def test_this_weekend_in_chinese_is_this_coming_one(name: str, question: str,
                                                    verdict: bool) -> None:
    reply = SCHEDULES.ask(P(name, question, "", "relative"))
    assert reply.parts[0].verdict is verdict, reply.text


@pytest.mark.parametrize(("name", "question", "has", "lacks"), [
    ("V", "签证邀请函还剩多少小时？", "1天9小时（33小时）", ""),
    ("C", "摘要截止还有几个小时？", "4天9小时（105小时）", ""),
    ("V", "簽證信還剩幾個小時？", "（33小時）", ""),
    # guards: less than a day is in hours already; days asked stay days
    ("V", "早鸟还有几天？", "9天15小时", "（"),
])
def test_hours_asked_a_day_or_more_ahead_are_counted_in_hours_too(
        name: str, question: str, has: str, lacks: str) -> None:
    reply = SCHEDULES.ask(P(name, question, "", "countdown"))
    assert has in reply.text and not (lacks and lacks in reply.text.split("：")[0]), reply.text


@pytest.mark.parametrize(("question", "want"), [
    # Found asking by hand after the round: a subject said first, then what is asked of it
    # after a comma (Chinese topic-comment), answered the subject and every deadline again.
    ("全文，什么时候截止？", ["paper"]),
    ("全文的话，几号截止？", ["paper"]),
    ("摘要和全文，截止分别是几号？", ["abstract", "paper"]),
    ("那个camera ready，北京时间几点截止？", ["camera-ready"]),
    ("rebuttal，几号开始？", ["rebuttal"]),
    ("不管是摘要还是全文，截止都是几号？", ["abstract", "paper"]),
    ("我投的是全文，什么时候截止？", ["paper"]),
    # guards: two questions, each with its own subject
    ("全文什么时候截止，会议什么时候开？", ["paper", "conference"]),
    ("摘要几号截止，全文呢？", ["abstract", "paper"]),
])
def test_a_subject_said_before_the_comma_is_what_the_question_after_asks(
        question: str, want: list[str]) -> None:
    reply = SCHEDULES.ask(P("C", question, "", "topic"))
    assert [d.id for d in reply.dates] == want, reply.text


def test_two_subjects_joined_by_and_are_each_answered() -> None:
    # A guard the comma rule broke while written: 截稿 and 开会 are two subjects, no comma.
    reply = SCHEDULES.ask(P("S", "截稿和开会分别是哪天？", "", "multi"))
    assert [p.dates[0].id for p in reply.parts if p.dates] == ["abstract", "workshop"]


@pytest.mark.parametrize(("question", "verdict"), [
    # Found by hand: "by 8 pm Beijing time?" of 19:59 was No (the clock compared for equality).
    ("全文ddl是北京时间1月31号晚上8点前吗？", True),
    ("全文ddl是北京时间晚上8点之前吗？", True),
    ("全文截止是北京時間晚上8點以前嗎？", True),
    # guards: a bound it is not before, and a time of day asked as such
    ("全文ddl是北京时间晚上7点前吗？", False),
    ("全文ddl是北京时间晚上8点吗？", False),
    ("全文ddl是北京时间晚上7点59分吗？", True),
])
def test_a_time_of_day_asked_as_a_bound_is_a_bound(question: str, verdict: bool) -> None:
    reply = SCHEDULES.ask(P("C", question, "", "clock"))
    assert reply.parts[0].verdict is verdict and [d.id for d in reply.dates] == ["paper"], \
        reply.text


def test_zhonggao_is_the_acceptance_notification() -> None:
    # 中稿 ("the paper got in") was an unknown subject.
    reply = SCHEDULES.ask(P("C", "中稿通知几号出？", "", "topic"))
    assert [d.id for d in reply.dates] == ["notification"], reply.text


@pytest.mark.parametrize("question", ["截止后还能修改吗？", "截止之后还可以交吗",
                                      "截止後還能修改嗎？", "截稿后可以补交吗？"])
def test_after_the_deadline_asks_the_late_policy_not_whether_it_is_open(question: str) -> None:
    # Found by hand: "can I still change it after the deadline?" was "Yes, it has not closed".
    reply = SCHEDULES.ask(P("S", question, "", "late"))
    assert reply.parts[0].kind == "late" and reply.parts[0].verdict is None, reply.text
    assert not reply.text.startswith("是的"), reply.text


@pytest.mark.parametrize(("name", "question", "want"), [
    # 最晚 ("at the latest") of several open deadlines that answer alike listed the earliest
    # first: the last day one can register is the late registration's.
    ("V", "注册最晚几号？", ["late", "early"]),
    ("V", "註冊最晚幾號？", ["late", "early"]),
    ("T", "摘要最晚几号交？", ["poster", "abstract"]),   # both tracks still shown
    # guard: one date asked 最晚 is that date
    ("V", "签证信最晚几号申请？", ["visa"]),
])
def test_at_the_latest_of_several_deadlines_leads_with_the_last(name: str, question: str,
                                                                want: list[str]) -> None:
    reply = SCHEDULES.ask(P(name, question, "", "topic"))
    assert [d.id for d in reply.dates] == want, reply.text
    assert len(want) == 1 or reply.text.startswith("最晚的是"), reply.text


@pytest.mark.parametrize(("question", "verdict"), [
    # Hong Kong chat: 咗 and 嚟 were unread, so "has it closed yet?" gave no yes or no, and
    # the reply came in simplified characters.
    ("摘要截咗未？", True),
    ("全文仲嚟唔嚟得切？", True),
    ("全文仲嚟得切嗎？", True),
    ("全文截咗未？", False),
])
def test_cantonese_has_it_closed_and_still_in_time_are_yes_or_no(question: str,
                                                                  verdict: bool) -> None:
    reply = SCHEDULES.ask(P("C", question, "", "passed", "2032-01-26T02:00:00+00:00"))
    assert reply.parts[0].verdict is verdict and reply.traditional, reply.text
