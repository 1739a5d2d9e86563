"""The answer engine through Slack: the language asked, the zone named, follow-ups in a thread
read against its last question (kept in the ledger, so another replica would see it)."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.ports import Ledger
from tests.slack_stub import BOT_USER, SlackStub, error
from tests.test_slack import NOW, PARTICIPANT, Harness, bolt_harness

EVENT = "aisys-sosp17"


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[Harness]:
    with bolt_harness(tmp_path) as made:
        yield made


def _settled(harness: Harness) -> None:
    """Wait until every answer's thread reading was kept or let go (after its post)."""
    assert harness.bot is not None
    deadline = time.monotonic() + 10
    while len(harness.bot.unsent):
        assert time.monotonic() < deadline, "thread readings still held after 10 s"
        time.sleep(0.005)


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


def test_a_question_in_traditional_chinese_is_answered_in_it_date_lines_too(
        harness: Harness) -> None:
    harness.mention("截稿是幾點？")
    post = harness.slack.wait_for("chat.postMessage")[0].args
    assert "2017年9月11日星期一 14:59（中國標準時間，UTC+08:00）" in post["text"]
    blocks = " ".join(b["text"]["text"] for b in post["blocks"] if b.get("text"))
    assert "（太平洋夏令時間，UTC-07:00）" in blocks and "还有" not in blocks, blocks


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


class Gated:
    """The real ledger, whose thread writes wait at a gate the test opens, noting how many
    answers Slack had been sent by then."""

    def __init__(self, ledger: Ledger, slack: SlackStub) -> None:
        self.ledger, self.slack = ledger, slack
        self.gate = threading.Event()
        self.posts_before_write: list[int] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.ledger, name)

    def remember_thread(self, *args: Any, **kwargs: Any) -> None:
        self.posts_before_write.append(len(self.slack.calls_to("chat.postMessage")))
        self.gate.wait(10)
        self.ledger.remember_thread(*args, **kwargs)


def test_the_answer_is_posted_before_its_reading_is_kept_and_a_quick_follow_up_reads_it(
        harness: Harness) -> None:
    ledger = harness.service.ledger
    gated = Gated(ledger, harness.slack)
    harness.service.ledger = gated  # type: ignore[assignment]
    root = "1504267200.000100"
    harness.event({"type": "app_mention", "user": PARTICIPANT, "channel": "C0GENERAL",
                   "ts": root, "text": f"<@{BOT_USER}> when is the notification?"})
    harness.slack.wait_for("chat.postMessage")  # posted while its reading waits at the gate
    _in_thread(harness, "and in Paris?", root, "1504267200.000200")
    second = harness.slack.wait_for("chat.postMessage", 2)[1].args
    assert "Acceptance notifications" in second["text"]
    assert "Europe/Paris" in second["text"]
    gated.gate.set()
    _settled(harness)
    assert gated.posts_before_write and gated.posts_before_write[0] >= 1
    # The ledger ends on the thread's latest reading (another replica reads it from there).
    harness.service.ledger = ledger
    _in_thread(harness, "and in Tokyo?", root, "1504267200.000300")
    third = harness.slack.wait_for("chat.postMessage", 3)[2].args
    assert "Acceptance notifications" in third["text"]
    assert "Asia/Tokyo" in third["text"]
    stored = ledger.thread_context(f"slack:C0GENERAL:{root}:{EVENT}", EVENT,
                                   harness.service.clock())
    assert stored is not None


def test_an_answer_that_could_not_be_posted_leaves_the_thread_as_its_asker_saw_it(
        harness: Harness) -> None:
    root = "1504267200.000100"
    harness.event({"type": "app_mention", "user": PARTICIPANT, "channel": "C0GENERAL",
                   "ts": root, "text": f"<@{BOT_USER}> when is the notification?"})
    harness.slack.wait_for("chat.postMessage")
    harness.slack.script("chat.postMessage", error("internal_error", 500))
    _in_thread(harness, "when is the camera-ready due?", root, "1504267200.000200")
    harness.slack.wait_for("chat.postMessage", 2)  # tried, refused: the asker saw nothing
    _settled(harness)
    _in_thread(harness, "and in Paris?", root, "1504267200.000300")
    third = harness.slack.wait_for("chat.postMessage", 3)[2].args
    assert "Acceptance notifications" in third["text"]
    assert "Final file upload" not in third["text"]


def test_a_threads_first_answer_that_could_not_be_posted_takes_its_reading_back(
        tmp_path: Path) -> None:
    # A clock that moves at every reading (as a real one does): the reading is found, and
    # taken back, by the time it was read, not the dedupe's later one.
    ticks = itertools.count()
    clock_lock = threading.Lock()

    def clock() -> datetime:
        with clock_lock:
            return NOW + timedelta(milliseconds=next(ticks))

    with bolt_harness(tmp_path, clock) as harness:
        _first_answer_taken_back(harness)


def _first_answer_taken_back(harness: Harness) -> None:
    root = "1504267200.000100"
    harness.slack.script("chat.postMessage", error("internal_error", 500))
    harness.event({"type": "app_mention", "user": PARTICIPANT, "channel": "C0GENERAL",
                   "ts": root, "text": f"<@{BOT_USER}> when is the notification?"})
    harness.slack.wait_for("chat.postMessage")  # tried, refused: the asker saw nothing
    _settled(harness)
    key = f"slack:C0GENERAL:{root}:{EVENT}"
    assert harness.service.ledger.thread_context(key, EVENT, harness.service.clock()) is None
    _in_thread(harness, "and the camera-ready?", root, "1504267200.000200")
    second = harness.slack.wait_for("chat.postMessage", 2)[1].args
    assert "Final file upload" in second["text"]
    _settled(harness)  # the follow-up's answer went out: its reading is the thread's now
    assert harness.service.ledger.thread_context(key, EVENT, harness.service.clock()) is not None


def test_a_mention_that_starts_a_thread_looks_up_no_reading_but_its_follow_up_does(
        harness: Harness) -> None:
    from tests.test_chat_conversation import Counting

    counting = Counting(harness.service.ledger)
    harness.service.ledger = counting  # type: ignore[assignment]
    root = "1504267200.000100"
    harness.event({"type": "app_mention", "user": PARTICIPANT, "channel": "C0GENERAL",
                   "ts": root, "text": f"<@{BOT_USER}> when is the notification?"})
    harness.slack.wait_for("chat.postMessage")
    _settled(harness)
    # A new thread has no past; its reading is kept in its event's dedupe: one write.
    assert counting.calls == ["first_times_keeping"]
    _in_thread(harness, "and in Paris?", root, "1504267200.000200")
    second = harness.slack.wait_for("chat.postMessage", 2)[1].args
    assert "Acceptance notifications" in second["text"]
    assert "Europe/Paris" in second["text"]
    _settled(harness)
    assert counting.calls.count("thread_context") == 1
