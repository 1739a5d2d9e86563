"""A participant asking duebot on Discord, Zulip and Mattermost, end to end: Ed25519-signed
interactions (PyNaCl) and tokened webhooks from a real HTTP client into duebot's real app
served by uvicorn (``tests.test_chat_platforms``' harness), in a guild and in a DM, in English
and Chinese, with and without the command's option.

Checked by hand against the shipped schedule, with the clock at 2017-09-04 07:00 UTC:
the abstract deadline is Sunday 2017-09-10 23:59 PDT = 2017-09-11 06:59 UTC (Monday 14:59 in
Beijing, 6 days 23 hours from now); the notification Wednesday 2017-09-20 (all day, Los
Angeles); the camera-ready Tuesday 2017-10-10 (all day, Los Angeles); the workshop Saturday
2017-10-28 in Shanghai.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from tests.test_chat_platforms import FRESH, Harness, command, harness, outgoing_hook

__all__ = ["harness"]  # the fixture, shared

DEADLINE = int(datetime(2017, 9, 11, 6, 59, tzinfo=UTC).timestamp())
TITLES = ("Poster abstract submission deadline", "Acceptance notifications",
          "Final file upload (camera-ready)", "AI Systems Workshop @ SOSP 2017")


def in_dm(question: str | None, *, user: str = "77", locale: str = "en-US",
          channel: str = "1400000000000000077") -> dict[str, Any]:
    """``/deadline`` in a direct message with the bot: ``user`` instead of ``member``, no
    guild, the DM's channel."""
    interaction = command(question, locale=locale)
    del interaction["member"]
    interaction |= {"user": {"id": user, "username": "ada"}, "channel_id": channel,
                    "channel": {"id": channel, "type": 1}, "context": 1}
    return interaction


def content(harness: Harness, interaction: dict[str, Any]) -> str:
    response = harness.discord(interaction)
    assert response.status_code == 200, response.text
    reply = response.json()
    assert reply["type"] == 4 and reply["data"]["flags"] == 64
    assert reply["data"]["allowed_mentions"] == {"parse": []}
    said = str(reply["data"]["content"])
    assert len(said) <= 2000
    return said


# -- Discord ---------------------------------------------------------------------------------

def test_discord_deadline_without_options_in_a_dm_lists_every_date(harness: Harness) -> None:
    said = content(harness, in_dm(None))
    for title in TITLES:
        assert title in said, title
    assert "Sunday 10 September 2017, 23:59 PDT" in said
    assert "Saturday 28 October 2017 (all day, Asia/Shanghai" in said
    # Only the timed date gets a reader-local token; the all-day ones are said in words.
    assert re.findall(r"<t:(\d+):F>", said) == [str(DEADLINE)], said


def test_discord_deadline_without_options_in_a_chinese_guild_lists_them_in_chinese(
        harness: Harness) -> None:
    said = content(harness, command(None, locale="zh-CN", channel="900100"))
    assert "2017年9月10日星期日 23:59" in said, said
    assert "2017年10月28日星期六" in said
    assert "你的时间" in said and "your time" not in said


def test_discord_a_bare_ddl_in_a_zh_cn_guild_is_answered_in_chinese(harness: Harness) -> None:
    said = content(harness, command("ddl?", locale="zh-CN", channel="900100"))
    assert "Poster abstract submission deadline" in said
    assert "2017年9月10日星期日 23:59（北美太平洋夏令时间" in said, said
    assert f"<t:{DEADLINE}:F>" in said


def test_discord_an_english_question_from_a_zh_cn_user_stays_english(harness: Harness) -> None:
    said = content(harness, command("when is the notification?", locale="zh-CN",
                                    channel="900100"))
    assert "Wednesday 20 September 2017" in said and "星期" not in said, said


def test_discord_in_a_dm_the_workshop_is_on_saturday_in_shanghai(harness: Harness) -> None:
    said = content(harness, in_dm("when is the workshop?"))
    assert "Saturday 28 October 2017 (all day, Asia/Shanghai: CST, UTC+08:00)" in said, said
    assert "<t:" not in said  # an all-day date has no instant a client should show


def test_discord_a_dm_follow_up_in_beijing_time_keeps_its_date(harness: Harness) -> None:
    content(harness, in_dm("when is the abstract deadline?"))
    said = content(harness, in_dm("and in Beijing time?"))
    assert "Poster abstract submission deadline" in said
    assert "Monday 11 September 2017, 14:59 CST (Asia/Shanghai, UTC+08:00)" in said, said
    other = content(harness, in_dm("and in Beijing time?", user="78",
                                   channel="1400000000000000078"))
    assert other.startswith(FRESH), other  # someone else's DM: a question on its own


def test_discord_what_about_the_poster_one_in_a_guild_follows_the_notification(
        harness: Harness) -> None:
    first = content(harness, command("when is the notification?", channel="900100"))
    assert "Wednesday 20 September 2017" in first
    said = content(harness, command("what about the poster one?", channel="900100"))
    assert said.startswith("The Poster abstract submission deadline"), said
    assert "Sunday 10 September 2017, 23:59 PDT" in said


def test_discord_a_chinese_follow_up_to_an_english_question_is_answered_in_chinese(
        harness: Harness) -> None:
    content(harness, command("when is the camera-ready due?", channel="900100"))
    said = content(harness, command("那北京时间呢？", channel="900100"))
    # The end of Tuesday 10 October in Los Angeles: Wednesday 11 October 15:00 in Beijing.
    assert "Final file upload (camera-ready)" in said
    assert "2017年10月11日星期三 15:00" in said, said


def test_discord_a_question_the_schedule_cannot_answer_is_declined(harness: Harness) -> None:
    said = content(harness, command("is there a hotel discount for attendees?",
                                    channel="900100"))
    assert "does not say" in said and "ai-systems-workshop-2017@googlegroups.com" in said
    for title in TITLES:
        assert title in said, title
    assert "<t:" not in said, said


def test_discord_an_empty_question_option_is_the_list_of_dates(harness: Harness) -> None:
    said = content(harness, command("", channel="900100"))
    assert all(title in said for title in TITLES), said


def test_discord_a_chinese_question_in_a_dm_gets_beijing_dates_and_chinese_lines(
        harness: Harness) -> None:
    said = content(harness, in_dm("我在北京，摘要几点截止？", locale="zh-CN"))
    assert "2017年9月11日星期一 14:59（中国标准时间，UTC+08:00）" in said, said
    assert "你的时间" in said


# -- Zulip -----------------------------------------------------------------------------------

def test_zulip_what_about_the_poster_one_in_the_same_topic(harness: Harness) -> None:
    harness.zulip("@**duebot** when is the notification?", topic="poster")
    said = harness.zulip("@**duebot** what about the poster one?", topic="poster").json()[
        "content"]
    assert said.startswith("The Poster abstract submission deadline"), said
    assert "<time:2017-09-11T06:59:00Z>" in said


def test_zulip_a_chinese_direct_message_is_answered_in_chinese(harness: Harness) -> None:
    said = harness.zulip("会议在哪里举办？", trigger="direct_message",
                         direct=("ada@example.org",)).json()["content"]
    assert "上海" in said or "Shanghai" in said, said
    assert "2017年10月28日星期六" in said, said


def test_zulip_a_hackathon_is_declined_honestly(harness: Harness) -> None:
    said = harness.zulip("@**duebot** when is the hackathon?").json()["content"]
    assert "does not say" in said and "<time:" not in said, said
    for title in TITLES:
        assert title in said, title


def test_zulip_stop_the_reminders_for_posters_tunes_the_mail_subscription(
        harness: Harness) -> None:
    service = harness.service
    service.ledger.subscribe("aisys-sosp17", "mailto:ada@example.org", harness.clock[0],
                             source="mailto")
    said = harness.zulip("@**duebot** stop the reminders for posters").json()["content"]
    assert said.startswith("Done: no reminders for Poster abstract submission deadline"), said
    service.refresh(harness.clock[0])
    dates = {r.date_id for r in service.ledger.rows()
             if r.destination == "mailto:ada@example.org" and r.state == "pending"}
    assert "abstract" not in dates and "workshop" in dates, dates


# -- Mattermost ------------------------------------------------------------------------------

def test_mattermost_a_chinese_question_then_a_beijing_follow_up(harness: Harness) -> None:
    first = harness.mattermost(outgoing_hook("duebot 摘要截止日期是什么时候？", post="p1")).json()
    assert "2017年9月10日星期日 23:59" in first["text"], first["text"]
    said = harness.mattermost(outgoing_hook("duebot 那北京时间呢？", post="p2")).json()["text"]
    assert "2017年9月11日星期一 14:59（中国标准时间" in said, said


def test_mattermost_a_slash_command_with_no_text_lists_the_dates(harness: Harness) -> None:
    reply = harness.mattermost({"token": "mattermost-command-token-90", "command": "/deadline",
                                "text": "", "channel_id": "c1", "user_id": "u1",
                                "user_name": "ada"}).json()
    assert reply["response_type"] == "ephemeral"
    assert all(title in reply["text"] for title in TITLES), reply["text"]


def test_mattermost_stop_the_reminders_is_recognized_and_nothing_stored(
        harness: Harness) -> None:
    said = harness.mattermost(outgoing_hook("duebot stop the reminders for posters")).json()
    assert "cannot send reminders to you on Mattermost" in said["text"], said["text"]
    assert harness.service.ledger.active_subscribers() == {}


def test_mattermost_two_questions_in_one_message_get_both_answers(harness: Harness) -> None:
    said = harness.mattermost(outgoing_hook(
        "duebot when is the notification and how many pages can the abstract be?")).json()[
        "text"]
    assert "Wednesday 20 September 2017" in said and "2 pages" in said, said
    assert said.index("Wednesday 20 September") < said.index("2 pages")


def test_zulip_quote_and_reply_reads_the_reply_not_the_quoted_answer(
        harness: Harness) -> None:
    harness.zulip("@**duebot** when is the camera-ready due?")
    quoted = ("@_**duebot|12** [said](https://zulip.example.org/#narrow/near/42):\n"
              "```quote\nThe Poster abstract submission deadline (extended) is Sunday "
              "10 September 2017\n```\n@**duebot** and in IST?")
    said = harness.zulip(quoted).json()["content"]
    # The end of Tuesday 10 October in Los Angeles is 12:30 IST on Wednesday 11 October.
    assert "Final file upload (camera-ready)" in said, said
    assert "Wednesday 11 October 2017, 12:30 IST (Asia/Kolkata, UTC+05:30)" in said, said


def test_mattermost_a_quoted_line_above_the_question_is_not_the_question(
        harness: Harness) -> None:
    said = harness.mattermost(outgoing_hook(
        "duebot > when is the workshop?\nwhen will we hear back?")).json()["text"]
    assert "Wednesday 20 September 2017" in said and "28 October" not in said, said


# -- subscribe / unsubscribe where the chat cannot reach the person ----------------------------

def test_discord_and_mattermost_subscribe_without_a_way_to_reach_the_user_says_so(
        harness: Harness) -> None:
    for said in (content(harness, in_dm("subscribe")),
                 harness.mattermost(outgoing_hook("duebot unsubscribe")).json()["text"]):
        assert "cannot send reminders to you on" in said and "changed nothing" in said, said
    chinese = content(harness, command("订阅", channel="900100"))
    assert "我无法在 Discord 上给您发送提醒" in chinese, chinese
    assert harness.service.ledger.active_subscribers() == {}


def test_zulip_subscribe_says_how_by_mail_and_unsubscribe_stops_the_mail(
        harness: Harness) -> None:
    service = harness.service
    said = harness.zulip("@**duebot** subscribe").json()["content"]
    assert said.startswith("You are not subscribed to reminders for AI Systems Workshop @ SOSP "
                           "2017 yet. Subscribe by mail."), said
    assert service.ledger.active_subscribers() == {}  # a Zulip message subscribes nobody
    service.ledger.subscribe("aisys-sosp17", "mailto:ada@example.org", harness.clock[0],
                             source="mailto")
    assert "already subscribed" in harness.zulip("@**duebot** subscribe").json()["content"]
    left = harness.zulip("@**duebot** 退订").json()["content"]
    assert "ada@example.org" in left and service.ledger.active_subscribers() == {}, left


def test_discord_is_the_abstract_deadline_on_a_weekend_in_chinese(harness: Harness) -> None:
    harness.clock[0] = datetime(2017, 9, 1, 12, 0, tzinfo=UTC)  # a Friday: not that weekend
    said = content(harness, command("摘要截止是周末吗？", channel="900100"))
    assert said.startswith("是") and "2017年9月10日星期日 23:59" in said, said
