"""Review round 5 (session 10): answers found wrong, each asked in general on the schedules of
the earlier rounds. The expectation language is ``tests/ask_probe.py``'s."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ask_probe import P, Schedules
from tests.test_ask_zh_round4 import SCHEDULES as ZH4

SHIPPED = Schedules(
    files={"A": Path(__file__).resolve().parent.parent / "schedules" / "aisys-sosp17.toml"},
    now={"A": "2017-09-01T12:00:00+00:00"}, reader={"A": "Asia/Shanghai"})


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


@pytest.mark.parametrize(("question", "starts"), [
    # The organizers' answer to "Do you accept full papers?" begins "No: this time ...": to a
    # question that is no yes/no one ("when is the full paper deadline?") it began "No:" too.
    ("when is the deadline for the full paper?", "This time the workshop takes poster"),
    ("what about full papers?", "This time the workshop takes poster"),
    # guards: asked as the yes/no question it was written for, in English and in Chinese
    ("do you accept full papers?", "No: this time the workshop takes poster"),
    ("can I submit a 6-page paper?", "No: this time the workshop takes poster"),
    ("可以投6页的论文吗？", "不可以：本次研讨会只接收"),
])
def test_an_faq_answers_yes_or_no_only_to_a_yes_or_no_question(question: str,
                                                              starts: str) -> None:
    reply = SHIPPED.ask(P("A", question, "", "faq"))
    assert reply.text.startswith(starts), reply.text


@pytest.mark.parametrize(("question", "note", "first"), [
    # A country with several zones was "UNITED STATES can mean united states, united states
    # ..." (美国 可以指美国、美国 ...); "US time" and "USA time" were not read (or as New York
    # alone). Each zone is named now, the deadline's own first (the clock the call gives).
    ("when is the abstract deadline in US time?",
     "The US has several time zones (Pacific Time, Eastern Time, Central Time, Mountain Time)",
     "23:59 PDT"),
    ("abstract deadline in USA time?", "The USA has several time zones (Pacific Time,",
     "23:59 PDT"),
    ("when is the abstract deadline in United States time?",
     "The United States has several time zones (Pacific Time,", "23:59 PDT"),
    ("abstract deadline in Australia?",
     "Australia has several time zones (Australian Eastern Time, Australian Western Time)",
     "16:59 AEST"),
    ("摘要截止是美国时间几号？",
     "美国有多个时区（北美太平洋时间、北美东部时间、北美中部时间、北美山区时间）",
     "23:59（北美太平洋夏令时间"),
])
def test_a_country_with_several_zones_names_each_the_dates_own_first(question: str, note: str,
                                                                     first: str) -> None:
    reply = SHIPPED.ask(P("A", question, "", "zone"))
    lines = reply.text.splitlines()
    assert lines[0].startswith(note), reply.text
    assert first in lines[1], reply.text
    assert len(lines) >= 3 and "can mean" not in reply.text and "可以指" not in reply.text, \
        reply.text


def test_us_as_a_word_is_not_the_country() -> None:
    reply = SHIPPED.ask(P("A", "can you tell us when the deadline is?", "", "zone"))
    assert "time zones" not in reply.text and "14:59 CST" in reply.text, reply.text


@pytest.mark.parametrize(("question", "lead"), [
    # The deadline is Sunday 23:59 PDT, Monday 14:59 in Shanghai: "on Sunday?" and "on
    # Monday?" were both a bare "Yes" over a line that led with Monday. Each now says in
    # which zone it is so, with the other zone's day beside it.
    ("is the deadline on Sunday?", "Yes: in its own zone, the Poster abstract submission "
                                   "deadline (extended) is Sunday 10 September 2017, 23:59 PDT"),
    ("is the deadline on a weekend?", "Yes: in its own zone, the Poster abstract"),
    ("is the deadline on September 10?", "Yes: in its own zone, the Poster abstract"),
    ("is the deadline on Monday?", "Yes: for you, the Poster abstract submission deadline "
                                   "(extended) is Monday 11 September 2017, 14:59 CST"),
    ("is the deadline on a weekday?", "Yes: for you, the Poster abstract"),
    ("截止日期是周日吗？", "是的，按它自己的时区，Poster abstract submission deadline（已延期）"
                    "是2017年9月10日星期日 23:59"),
    ("截止是工作日吗？", "是的，按你的时区，"),
    # guards: a day in neither zone, and a date given as days (its own days only)
    ("is the deadline on Saturday?", "No: the Poster abstract"),
    ("is the workshop on a weekend?", "Yes: the AI Systems Workshop"),
])
def test_a_day_asked_says_in_which_zone_it_is_that_day(question: str, lead: str) -> None:
    reply = SHIPPED.ask(P("A", question, "", "day"))
    assert reply.text.startswith(lead), reply.text


EUROSYS = Schedules(
    files={"E": Path(__file__).resolve().parent / "data" / "ask" / "eurosys28.toml"},
    now={"E": "2027-10-01T12:00:00+00:00"}, reader={"E": "Asia/Shanghai"})


@pytest.mark.parametrize(("now", "said"), [
    # "I missed the abstract deadline" a week before it closes: the asker has not missed
    # it, and is told so with its time; once it has passed, the schedule says nothing of a
    # paper without an abstract, as before.
    ("2027-10-01T12:00:00+00:00", "You have not missed the deadline for Abstract registration: "
                                  "it is still open until Saturday 9 October 2027, 19:59 CST"),
    ("2027-10-10T12:00:00+00:00", "The schedule does not say whether you can still submit "
                                  "after missing the deadline for Abstract registration"),
])
def test_a_date_said_missed_but_still_open_is_said_to_be_open(now: str, said: str) -> None:
    reply = EUROSYS.ask(P("E", "I missed the abstract deadline, can I still submit a paper?",
                          "", "missed", now=now))
    lines = reply.text.splitlines()
    assert lines[0].startswith("Yes: the deadline for Full paper submission is still open")
    assert lines[1].startswith(said), reply.text


@pytest.mark.parametrize(("question", "lead"), [
    # "last week" was read as nothing (the conference, months ahead, was the answer) and a
    # window in the past was looked for among the dates still ahead only. Tuesday 12
    # October in Shanghai: the abstract closed on Saturday the 9th, last week.
    ("what happened last week?", "Dates that fall then:\n- Abstract registration"),
    ("was anything due last week?", "Yes: dates last week:\n- Abstract registration"),
    ("上周有什么截止？", "上周的日期：\n- Abstract registration"),
    # guards: a past window with nothing in it, and one ahead
    ("anything last month?", "No: no date of the schedule falls then."),
    ("what's due next week?", "None of these dates falls next week."),
])
def test_a_window_in_the_past_finds_the_dates_in_it(question: str, lead: str) -> None:
    reply = EUROSYS.ask(P("E", question, "", "window", now="2027-10-12T12:00:00+00:00"))
    assert reply.text.startswith(lead), reply.text


def test_what_time_zone_asks_the_zone_not_the_hour() -> None:
    # "what time zone is the conference in?" said "the schedule gives the day only, not the
    # hours": "what time" of "what time zone" asked no hour.
    reply = EUROSYS.ask(P("E", "what time zone is the conference in?", "", "zone"))
    assert "The schedule gives it in CET (Europe/Berlin" in reply.text, reply.text
    assert "not the hours" not in reply.text, reply.text
    hour = EUROSYS.ask(P("E", "what time does the conference start?", "", "zone"))
    assert "not the hours" in hour.text, hour.text


def test_yesterday_finds_a_date_that_has_passed() -> None:
    # Sunday 10 October, 14:00 in Shanghai: the abstract closed yesterday there (19:59); only
    # the dates still ahead were looked through, and it said no date fell then.
    reply = EUROSYS.ask(P("E", "anything yesterday?", "", "window",
                          now="2027-10-10T06:00:00+00:00"))
    assert reply.text.startswith("Yes: dates that fall then:\n- Abstract registration"), \
        reply.text


@pytest.mark.parametrize(("question", "lead"), [
    # 在哪投稿 ("where do I submit?") gave the venue; 摘要几页 ("how many pages is the
    # abstract?") led with the abstract's deadline; "where in Shanghai is the workshop?" was
    # answered "Yes: ...", as if asked "is it in Shanghai?".
    ("在哪投稿？", "通过 CMT 提交：https://cmt3.research.microsoft.com"),
    ("在哪里提交摘要？", "通过 CMT 提交："),
    ("摘要几页？", "页数上限为 2 页。"),
    ("where in Shanghai is the workshop?", "Where: SOSP 2017, Shanghai, China."),
    ("where in Tokyo is the workshop?", "It is not held in Tokyo: it is held at SOSP 2017"),
    ("会议在东京哪里？", "不在东京举办；地点是 SOSP 2017"),
    # guards: the venue asked so, the yes/no question of a city, a deadline asked with pages
    ("研讨会在哪里举行？", "地点：SOSP 2017, Shanghai, China。"),
    ("is the workshop in Tokyo?", "No: it is held at SOSP 2017"),
    ("摘要截止和页数？", "Poster abstract submission deadline（已延期）：2017年9月11日"),
])
def test_where_and_how_many_pages_are_answered_as_asked(question: str, lead: str) -> None:
    reply = SHIPPED.ask(P("A", question, "", "field"))
    assert reply.text.startswith(lead), reply.text


@pytest.mark.parametrize(("question", "reader", "verdict"), [
    # A time to act at ("can I still submit at 2pm Beijing time on Sept 11?") was judged as
    # "is the deadline at 2pm?": No. It is asked against the deadline (14:59 CST, 23:59 PDT).
    ("can I still submit at 2pm beijing time on sept 11?", "Asia/Shanghai", True),
    ("can I still submit at 3pm beijing time on sept 11?", "Asia/Shanghai", False),
    ("can i submit at 11pm PDT on sept 10?", "Asia/Shanghai", True),
    ("can i submit on sept 11 at 1am my time", "America/New_York", True),
    ("is 10am beijing time on sept 11 too late?", "Asia/Shanghai", False),
    ("is 3pm beijing time on sept 11 too late?", "Asia/Shanghai", True),
    ("9月11号北京时间下午两点还能交吗", "Asia/Shanghai", True),
    ("9月11号北京时间下午三点还能交吗", "Asia/Shanghai", False),
    # A day or weekday asked "for me" is the asker's day only (Monday 11 September there).
    ("is the deadline sept 10 for me?", "Asia/Shanghai", False),
    ("is the deadline sept 11 for me?", "Asia/Shanghai", True),
    ("is the deadline on Sunday my time?", "Asia/Shanghai", False),
    ("is the deadline on Monday my time?", "Asia/Shanghai", True),
    # guards: the deadline's own clock, asked as such
    ("is the deadline at 11:59 pm PDT?", "Asia/Shanghai", True),
    ("is the deadline at 2pm beijing time?", "Asia/Shanghai", False),
])
def test_a_time_to_act_at_and_a_day_for_me_are_the_askers(question: str, reader: str,
                                                          verdict: bool) -> None:
    reply = SHIPPED.ask(P("A", question, "", "clock", reader=reader))
    assert [p.verdict for p in reply.parts if p.verdict is not None][:1] == [verdict], \
        reply.text
    assert reply.dates and reply.dates[0].id == "abstract", reply.text


@pytest.mark.parametrize("question", ["CR deadline?", "when is CR due", "CR 什么时候",
                                      "相机版截止时间（北京时间）"])
def test_cr_is_the_camera_ready(question: str) -> None:
    reply = SHIPPED.ask(P("A", question, "", "topic"))
    assert [d.id for d in reply.dates] == ["camera-ready"], reply.text


TRACKS = Schedules(files={"T": Path(__file__).resolve().parent / "data" / "ask" / "tracks31.toml"},
                   now={"T": "2030-09-10T12:00:00+00:00"}, reader={"T": "Asia/Kolkata"})


def test_was_it_extended_says_to_when_as_well_as_from_when() -> None:
    # "when is the research paper deadline, and was it extended?" gave the old date alone.
    reply = TRACKS.ask(P("T", "when is the research paper deadline, and was it extended?",
                         "", "extended"))
    assert "was extended to Friday 20 September 2030, 17:29 IST" in reply.text, reply.text
    assert "it was Friday 13 September 2030, 17:29 IST" in reply.text, reply.text
    marked = SHIPPED.ask(P("A", "was the deadline extended?", "", "extended"))
    assert marked.text.startswith("Yes: the Poster abstract submission deadline (extended) is "
                                  "now Monday 11 September 2017, 14:59 CST"), marked.text


@pytest.mark.parametrize(("question", "now", "unsaid"), [
    # "when is next year's workshop?" gave this year's, long past, as if it were next year's.
    ("when is next year's workshop", "2017-11-15T12:00:00+00:00", True),
    ("明年的研讨会是什么时候？", "2017-11-15T12:00:00+00:00", True),
    ("when is the next workshop?", "2017-11-15T12:00:00+00:00", True),
    ("when is next year's workshop", "2017-09-01T12:00:00+00:00", True),
    # guards: the next workshop before it happens is this one; a plain question is answered
    ("when is the next workshop?", "2017-09-01T12:00:00+00:00", False),
    ("when is the workshop?", "2017-11-15T12:00:00+00:00", False),
])
def test_next_years_event_is_not_this_ones(question: str, now: str, unsaid: bool) -> None:
    reply = SHIPPED.ask(P("A", question, "", "edition", now=now))
    first = reply.text.splitlines()[0]
    assert (first.startswith(("The schedule does not say", "日程里没有写"))) is unsaid, reply.text
    assert [d.id for d in reply.dates] == ["workshop"], reply.text


def test_a_day_of_another_zone_gives_the_askers_hours_in_chinese_too() -> None:
    # English gave a notification day of Los Angeles in the asker's hours; Chinese did not.
    reply = SHIPPED.ask(P("A", "通知什么时候？", "", "allday"))
    assert "（按中国标准时间，UTC+08:00：从2017年9月20日星期三 15:00到2017年9月21日星期四 15:00）" \
        in reply.text, reply.text
    event = SHIPPED.ask(P("A", "研讨会是几号？", "", "allday", reader="America/New_York"))
    assert "按北美东部" not in event.text, event.text  # an event's own days stay its days


@pytest.mark.parametrize(("question", "shown"), [
    # "NY time", "NYC", "SF time", "LA time" were not read: the answer was in the asker's zone.
    ("when is the deadline in NYC?", "02:59 EDT (America/New_York"),
    ("what day is the workshop in NY time", "(in America/New_York: from Friday 27 October"),
    ("deadline in SF time", "Sunday 10 September 2017, 23:59 PDT (America/Los_Angeles"),
    ("deadline in LA time", "Sunday 10 September 2017, 23:59 PDT (America/Los_Angeles"),
    ("when is the deadline in LA?", "Sunday 10 September 2017, 23:59 PDT (America/Los_Angeles"),
])
def test_a_citys_short_name_is_its_zone(question: str, shown: str) -> None:
    reply = SHIPPED.ask(P("A", question, "", "zone"))
    assert shown in reply.text.splitlines()[0], reply.text


def test_la_as_a_word_is_no_city() -> None:
    reply = SHIPPED.ask(P("A", "la deadline?", "", "zone"))
    assert reply.text.startswith("The Poster abstract submission deadline (extended) is Monday "
                                 "11 September 2017, 14:59 CST"), reply.text


@pytest.mark.parametrize(("question", "verdict"), [
    # Sunday 10 September, 13:00 in Shanghai; the deadline is tomorrow 14:59 there.
    ("can I still submit tomorrow at 2pm?", True),
    ("can I still submit tomorrow at 3pm?", False),
    ("明天下午两点还能交吗？", True),
    ("明天下午三点还能交吗？", False),
    ("can I still submit today at 2pm?", True),
])
def test_a_time_to_act_at_tomorrow_is_tomorrows(question: str, verdict: bool) -> None:
    reply = SHIPPED.ask(P("A", question, "", "clock", now="2017-09-10T05:00:00+00:00"))
    assert [p.verdict for p in reply.parts if p.verdict is not None][:1] == [verdict], \
        reply.text
    assert reply.dates and reply.dates[0].id == "abstract", reply.text
