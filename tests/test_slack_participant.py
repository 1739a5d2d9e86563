"""A participant asking duebot in Slack, end to end: signed events into the real Bolt app
(``SlackBot`` served by uvicorn) that talks to the Web API stand-in through the real
``slack_sdk`` client. Each answer's instant, zone and weekday is checked against the shipped
schedule by hand:

- abstract: 2017-09-10 23:59 America/Los_Angeles (PDT, a Sunday) = 2017-09-11 06:59 UTC =
  Monday 14:59 in Shanghai, 02:59 EDT in New York, 15:59 JST in Tokyo, 08:59 CEST in Berlin;
- notification: Wednesday 2017-09-20, all day in Los Angeles;
- camera-ready: Tuesday 2017-10-10, all day in Los Angeles (its end is 2017-10-11 07:00 UTC,
  Wednesday 15:00 in Shanghai);
- the workshop: Saturday 2017-10-28 in Shanghai.

The clock is 2017-09-01 12:00 UTC (``tests.test_slack.NOW``).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.slack_stub import BOT_USER, ratelimited
from tests.test_slack import PARTICIPANT, Harness, bolt_harness, texts
from tests.test_slack_socket_mode import Rig, event_envelope
from tests.test_slack_socket_mode import rig as socket_rig

__all__ = ["socket_rig"]  # the Socket Mode fixture, shared

DM = f"D{PARTICIPANT}"
DEADLINE = int(datetime(2017, 9, 11, 6, 59, tzinfo=UTC).timestamp())
TITLES = ("Poster abstract submission deadline", "Acceptance notifications",
          "Final file upload (camera-ready)", "AI Systems Workshop @ SOSP 2017")


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[Harness]:
    with bolt_harness(tmp_path) as made:
        yield made


def nth_post(harness: Harness, n: int) -> dict[str, object]:
    return harness.slack.wait_for("chat.postMessage", n)[n - 1].args


# -- follow-ups in a thread ------------------------------------------------------------------

def test_a_follow_up_in_beijing_time_keeps_the_camera_ready_of_the_question_above(
        harness: Harness) -> None:
    harness.dm("When is the camera-ready due?", ts="1504267200.000001")
    first = str(nth_post(harness, 1)["text"])
    assert "Final file upload" in first and "Tuesday 10 October 2017" in first
    harness.dm("and in Beijing time?", ts="1504267260.000001", thread_ts="1504267200.000001")
    follow = nth_post(harness, 2)
    assert follow["thread_ts"] == "1504267200.000001"
    shown = str(follow["text"])
    # The end of Tuesday 10 October in Los Angeles is Wednesday 11 October 15:00 in Beijing.
    assert "Final file upload" in shown, shown
    assert "Wednesday 11 October 2017, 15:00 CST (Asia/Shanghai, UTC+08:00)" in shown, shown
    assert "Poster abstract" not in shown


def test_what_about_the_poster_one_switches_to_the_poster_abstract_deadline(
        harness: Harness) -> None:
    harness.mention("when is the notification?")
    first = nth_post(harness, 1)
    assert "Wednesday 20 September 2017" in str(first["text"])
    harness.event({"type": "app_mention", "user": PARTICIPANT, "channel": "C0GENERAL",
                   "ts": "1504267300.000001", "thread_ts": first["thread_ts"],
                   "text": f"<@{BOT_USER}> what about the poster one?"})
    follow = nth_post(harness, 2)
    assert follow["thread_ts"] == first["thread_ts"]
    shown = str(follow["text"])
    assert "Poster abstract submission deadline" in shown
    assert "Monday 11 September 2017, 14:59 CST" in shown, shown  # the asker is in Shanghai
    assert "Acceptance notifications" not in shown


def test_is_it_aoe_in_a_channel_thread_is_about_the_date_asked_above(harness: Harness) -> None:
    harness.mention("when is the abstract deadline?")
    first = nth_post(harness, 1)
    harness.event({"type": "app_mention", "user": PARTICIPANT, "channel": "C0GENERAL",
                   "ts": "1504267310.000001", "thread_ts": first["thread_ts"],
                   "text": f"<@{BOT_USER}> is it AoE?"})
    shown = str(nth_post(harness, 2)["text"])
    assert shown.startswith("No") and "Poster abstract submission deadline" in shown, shown
    assert "PDT" in shown


def test_a_new_thread_does_not_read_against_another_one(harness: Harness) -> None:
    harness.mention("when is the camera-ready due?")
    nth_post(harness, 1)
    harness.mention("and in IST?")  # a mention outside any thread: a new one
    shown = str(nth_post(harness, 2)["text"])
    assert "Final file upload" not in shown, shown


# -- the asker's own zone (users.info) -------------------------------------------------------

def test_a_profile_zone_answers_a_question_that_names_none(harness: Harness) -> None:
    harness.slack.add_user("UNEWYORK", "America/New_York")
    harness.dm("when is the deadline?", user="UNEWYORK")
    post = nth_post(harness, 1)
    assert post["channel"] == "DUNEWYORK"
    shown = texts(post)
    assert "Monday 11 September 2017, 02:59 EDT" in str(post["text"]), post["text"]
    assert "23:59 PDT (America/Los_Angeles, UTC-07:00)" in shown
    assert f"<!date^{DEADLINE}^" in shown


def test_a_zone_the_question_names_wins_over_the_profile_zone(harness: Harness) -> None:
    harness.slack.add_user("UBERLIN", "Europe/Berlin")
    harness.dm("when is the deadline in Tokyo time?", user="UBERLIN")
    shown = str(nth_post(harness, 1)["text"])
    assert "Monday 11 September 2017, 15:59 JST" in shown, shown
    assert "CEST" not in shown.split("that is")[0]


def test_an_unknown_profile_is_answered_in_the_events_zone(harness: Harness) -> None:
    harness.dm("when is the deadline?", user="UNOBODY")  # users.info: user_not_found
    post = nth_post(harness, 1)
    assert "Sunday 10 September 2017, 23:59 PDT" in str(post["text"]), post["text"]


def test_a_chinese_slack_locale_answers_a_question_without_words_in_chinese(
        harness: Harness) -> None:
    harness.slack.add_user("UZH", "Asia/Shanghai")
    harness.slack.state.users["UZH"]["locale"] = "zh-CN"
    harness.dm("ddl?", user="UZH")
    shown = str(nth_post(harness, 1)["text"])
    assert "2017年9月11日星期一 14:59" in shown, shown


def test_a_chinese_slash_command_is_answered_in_chinese_only_to_the_asker(
        harness: Harness) -> None:
    harness.command("会议在哪里举办？")
    answered = harness.slack.wait_for("response_url")[0].args
    assert answered["response_type"] == "ephemeral"
    assert "上海" in answered["text"] or "Shanghai" in answered["text"], answered["text"]
    assert harness.slack.calls_to("chat.postMessage") == []


def test_a_question_the_schedule_cannot_answer_is_declined_with_what_it_holds(
        harness: Harness) -> None:
    harness.dm("when is the conference banquet?")
    post = nth_post(harness, 1)
    shown = texts(post)
    assert "does not say" in shown and "ai-systems-workshop-2017@googlegroups.com" in shown
    for title in TITLES:
        assert title in shown, title
    assert "<!date^" not in shown  # no date pretends to be the banquet's


# -- rate limits while answering --------------------------------------------------------------

def test_a_429_on_the_answer_waits_retry_after_and_posts_it_once(harness: Harness) -> None:
    harness.slack.script("chat.postMessage", ratelimited(1))
    harness.dm("when is the deadline?")
    calls = harness.slack.wait_for("chat.postMessage", 2)
    assert calls[1].at - calls[0].at >= 0.95  # Slack said: retry after 1 s
    assert "14:59 CST" in str(calls[1].args["text"])
    time.sleep(0.3)
    assert len(harness.slack.calls_to("chat.postMessage")) == 2
    assert len(harness.slack.posted(DM)) == 1


def test_a_429_on_users_info_waits_and_still_answers_in_the_askers_zone(
        harness: Harness) -> None:
    harness.slack.script("users.info", ratelimited(1))
    harness.dm("when is the deadline?")
    post = nth_post(harness, 1)
    assert "Monday 11 September 2017, 14:59 CST" in str(post["text"]), post["text"]
    assert len(harness.slack.calls_to("users.info")) == 2


def test_a_429_that_asks_for_too_long_a_wait_gives_up_without_posting_twice(
        harness: Harness) -> None:
    harness.slack.script("chat.postMessage", ratelimited(3600))
    harness.dm("when is the deadline?")
    harness.slack.wait_for("chat.postMessage")
    time.sleep(0.5)
    assert len(harness.slack.calls_to("chat.postMessage")) == 1  # no retry within the hour


# -- tuning reminders ------------------------------------------------------------------------

def test_remind_me_3_days_before_subscribes_and_sets_that_lead(harness: Harness) -> None:
    harness.dm("remind me 3 days before the abstract deadline")
    post = nth_post(harness, 1)
    assert "Done: 3d before Poster abstract submission deadline" in str(post["text"])
    service = harness.service
    assert service.ledger.active_subscribers() == {"aisys-sosp17": (f"slack:{PARTICIPANT}",)}
    service.refresh(service.clock())
    leads = {r.item_id for r in service.ledger.rows()
             if r.destination == f"slack:{PARTICIPANT}" and r.date_id == "abstract"
             and r.state == "pending"}
    assert leads == {"aisys-sosp17/abstract/3d"}


def test_remind_me_in_chinese_is_answered_and_kept_in_chinese(harness: Harness) -> None:
    harness.dm("提前三天提醒我摘要截止日期")
    said = str(nth_post(harness, 1)["text"])
    assert "3d" in said and "好的" in said, said
    harness.dm("设置")
    settings = str(nth_post(harness, 2)["text"])
    assert "语言：中文" in settings, settings


def test_stop_the_reminders_for_posters_keeps_the_others(harness: Harness) -> None:
    harness.dm("subscribe")
    nth_post(harness, 1)
    harness.dm("stop the reminders for posters")
    said = str(nth_post(harness, 2)["text"])
    assert said.startswith("Done: no reminders for Poster abstract submission deadline"), said
    service = harness.service
    service.refresh(service.clock())
    dates = {r.date_id for r in service.ledger.rows()
             if r.destination == f"slack:{PARTICIPANT}" and r.state == "pending"}
    assert "abstract" not in dates and {"camera-ready", "workshop"} <= dates, dates


def test_stop_the_reminders_unsubscribes(harness: Harness) -> None:
    harness.dm("subscribe")
    nth_post(harness, 1)
    harness.dm("please stop the reminders")
    said = str(nth_post(harness, 2)["text"])
    assert said.startswith("Unsubscribed"), said
    assert harness.service.ledger.active_subscribers() == {}


def test_a_quoted_answer_above_a_follow_up_is_not_read_as_the_question(
        harness: Harness) -> None:
    harness.dm("When is the camera-ready due?", ts="1504267200.000001")
    nth_post(harness, 1)
    harness.dm("&gt; The Poster abstract submission deadline (extended) is Sunday\n"
               "and in Tokyo?", ts="1504267260.000001", thread_ts="1504267200.000001")
    shown = str(nth_post(harness, 2)["text"])
    # The end of Tuesday 10 October in Los Angeles is 16:00 JST on Wednesday 11 October.
    assert "Final file upload" in shown and "Poster abstract" not in shown, shown
    assert "Wednesday 11 October 2017, 16:00 JST" in shown, shown


# -- Socket Mode ------------------------------------------------------------------------------

def test_socket_mode_a_thread_follow_up_and_a_rate_limited_answer(socket_rig: Rig) -> None:
    rig = socket_rig
    rig.slack.add_user("UTOKYO", "Asia/Tokyo")
    rig.socket.push(event_envelope("env-a", "EvA", {
        "type": "app_mention", "user": "UTOKYO", "channel": "C0GENERAL",
        "ts": "1504267200.000001", "text": f"<@{BOT_USER}> when is the notification?"}))
    first = rig.slack.wait_for("chat.postMessage")[0].args
    assert "Wednesday 20 September 2017" in first["text"]
    rig.slack.script("chat.postMessage", ratelimited(1))
    rig.socket.push(event_envelope("env-b", "EvB", {
        "type": "app_mention", "user": "UTOKYO", "channel": "C0GENERAL",
        "ts": "1504267260.000001", "thread_ts": "1504267200.000001",
        "text": f"<@{BOT_USER}> what about the poster one?"}))
    calls = rig.slack.wait_for("chat.postMessage", 3)
    follow = calls[2].args
    assert calls[2].at - calls[1].at >= 0.95
    assert follow["thread_ts"] == "1504267200.000001"
    assert "Monday 11 September 2017, 15:59 JST" in follow["text"], follow["text"]
    assert [a["envelope_id"] for a in rig.socket.wait_acks(2)] == ["env-a", "env-b"]


def test_a_question_then_a_zone_statement_is_answered_in_that_zone(harness: Harness) -> None:
    harness.dm("hi! when is the deadline? my timezone is Europe/Paris")
    said = str(nth_post(harness, 1)["text"])
    assert "Monday 11 September 2017, 08:59 CEST" in said, said
    assert harness.service.ledger.active_subscribers() == {}  # asked, not subscribed


def test_stop_the_reminders_for_posters_from_someone_not_subscribed_subscribes_nobody(
        harness: Harness) -> None:
    harness.dm("stop the reminders for posters")
    said = str(nth_post(harness, 1)["text"])
    assert said.startswith("You are not subscribed to reminders for"), said
    assert harness.service.ledger.active_subscribers() == {}
