"""The answer engine through Slack: the language asked, the zone named, follow-ups in a thread
read against its last question (kept in the ledger, so another replica would see it)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from bot.adapters.slack_app import http_routes
from tests.slack_stub import BOT_USER, running_slack, serving
from tests.test_slack import PARTICIPANT, Harness, make_service


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[Harness]:
    with running_slack() as slack:
        slack.add_user(PARTICIPANT, "Asia/Shanghai")
        service = make_service(slack, tmp_path)
        app = Starlette(routes=http_routes(service))
        with serving(app) as url, httpx.Client(timeout=10) as client:
            yield Harness(slack=slack, service=service, url=url, http=client)
        service.ledger.close()


def _in_thread(harness: Harness, text: str, root: str, ts: str) -> None:
    harness.event({"type": "app_mention", "user": PARTICIPANT, "channel": "C0GENERAL",
                   "ts": ts, "thread_ts": root, "text": f"<@{BOT_USER}> {text}"})


def test_a_follow_up_in_a_thread_reads_against_the_threads_last_question(
        harness: Harness) -> None:
    root = "1504267200.000100"
    harness.event({"type": "app_mention", "user": PARTICIPANT, "channel": "C0GENERAL",
                   "ts": root, "text": f"<@{BOT_USER}> when is the notification?"})
    harness.slack.wait_for("chat.postMessage")
    _in_thread(harness, "and in Paris?", root, "1504267200.000200")
    second = harness.slack.wait_for("chat.postMessage", 2)[1].args
    assert second["thread_ts"] == root
    assert "Acceptance notifications" in second["text"]
    assert "Europe/Paris" in second["text"]
    # A new thread knows nothing of it: "and in Paris?" alone is the next date that matters.
    harness.event({"type": "app_mention", "user": PARTICIPANT, "channel": "C0GENERAL",
                   "ts": "1504267200.000300", "text": f"<@{BOT_USER}> and in Paris?"})
    third = harness.slack.wait_for("chat.postMessage", 3)[2].args
    assert "You did not say which date" in third["text"]


def test_a_question_in_chinese_is_answered_in_chinese_in_the_askers_zone(
        harness: Harness) -> None:
    harness.mention("截止日期是什么时候？")
    post = harness.slack.wait_for("chat.postMessage")[0].args
    assert "2017年9月11日星期一 14:59（中国标准时间，UTC+08:00）" in post["text"]


def test_the_zone_a_question_names_wins_over_the_askers_own(harness: Harness) -> None:
    harness.mention("when is the deadline in Bangalore?")
    post = harness.slack.wait_for("chat.postMessage")[0].args
    assert "12:29 IST (Asia/Kolkata" in post["text"]
    assert "14:59 CST" not in post["text"]


def test_a_direct_message_conversation_keeps_its_context(harness: Harness) -> None:
    harness.dm("when is the camera-ready due?")
    harness.slack.wait_for("chat.postMessage")
    harness.dm("is it AoE?")
    second = harness.slack.wait_for("chat.postMessage", 2)[1].args
    assert second["text"].startswith("No:")
    assert "Final file upload" in second["text"]
