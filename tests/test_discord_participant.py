"""A participant tuning reminders by Discord DM, end to end: signed interactions into the real
app (with ``DISCORD_BOT_TOKEN``: the asker is reachable as ``discord:USER_ID``), the ledger
planning what is left, and the real ``DiscordChannel`` posting to Discord's API stand-in.

The clock is 2017-09-03 12:00 UTC (``tests.test_discord_channel.NOW``); the abstract deadline
is 2017-09-11 06:59 UTC, so its 3-day reminder is due 2017-09-08 06:59 UTC (15:59 JST).
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from tests.conftest import SHIPPED
from tests.http_stub import running_http
from tests.test_chat_platforms import command
from tests.test_discord_channel import DEST, NOW, USER, Harness, harness
from tests.test_discord_interactions import ORIGINAL, rig_for

__all__ = ["harness"]


def pending(harness: Harness, destination: str = DEST) -> set[str]:
    service = harness.service
    service.refresh(NOW)
    return {r.item_id for r in service.ledger.rows()
            if r.destination == destination and r.state == "pending"}


def test_remind_me_3_days_before_then_the_3_day_reminder_arrives_as_a_dm(
        harness: Harness) -> None:
    said = harness.say("remind me 3 days before the abstract deadline")
    assert said.startswith("Done: 3d before Poster abstract submission deadline"), said
    assert {i for i in pending(harness) if "/abstract/" in i} == {"aisys-sosp17/abstract/3d"}
    report = harness.service.deliver_once(datetime(2017, 9, 8, 7, 0, tzinfo=UTC))
    assert report.dead == 0
    (dm,) = harness.dms()
    assert dm.path.endswith(f"/channels/DM{USER}/messages")
    content = dm.json()["content"]
    assert "Poster abstract submission deadline" in content and "23:59 PDT" in content, content


def test_stop_the_reminders_for_posters_on_discord_keeps_the_other_dates(
        harness: Harness) -> None:
    assert harness.say("subscribe").startswith("Subscribed")
    said = harness.say("stop the reminders for posters")
    assert said.startswith("Done: no reminders for Poster abstract submission deadline"), said
    left = pending(harness)
    assert not any("/abstract/" in i for i in left) and any("/workshop/" in i for i in left)
    assert harness.say("stop the reminders").startswith("Unsubscribed")
    assert harness.service.ledger.active_subscribers() == {}
    assert pending(harness) == set()


def test_chinese_tuning_on_discord_is_answered_and_stored_in_chinese(harness: Harness) -> None:
    said = harness.say("提前三天提醒我摘要截止日期", user="44")
    assert said.startswith("好的") and "3d" in said, said
    assert "语言：中文" in harness.say("设置", user="44")
    said = harness.say("不要再提醒我通知", user="44")
    assert "不再提醒Acceptance notifications" in said, said
    assert not any("/notification/" in i for i in pending(harness, "discord:44"))
    assert harness.say("不要再提醒我了", user="44").startswith("已退订"), "unsubscribed"
    assert harness.service.ledger.active_subscribers() == {}


def test_a_deferred_answer_rate_limited_by_discord_is_sent_after_retry_after(
        tmp_path: Path) -> None:
    with running_http() as api:
        answers = iter([(429, {"message": "You are being rate limited.", "retry_after": 0.5,
                               "global": False})])
        api.route(ORIGINAL, lambda seen: next(answers, (200, {"id": "m1"})))
        for rig in rig_for(tmp_path, SHIPPED, api, defer_after=0.2):
            rig.service.gate = threading.Event()
            try:
                first = rig.post(command("摘要截止是什么时候？", locale="zh-CN"))
                assert first.json() == {"type": 5, "data": {"flags": 64}}
            finally:
                rig.service.gate.set()
            deadline = time.monotonic() + 10
            while len(api.to(ORIGINAL)) < 2:
                assert time.monotonic() < deadline, "the answer never followed the 429"
                time.sleep(0.02)
    tried, sent = api.to(ORIGINAL)
    assert tried.body == sent.body and sent.method == "PATCH"
    content = sent.json()["content"]
    assert "2017年9月10日星期日 23:59（北美太平洋夏令时间" in content, content
