"""Slack end to end where people really ask: signed Events API requests into the real Bolt app
(uvicorn), answers through the real slack_sdk client to the Web API stand-in. DMs with the
bot's mention in them, replies in a DM thread, a mention in a DM (two events, one answer),
edits, files, titles with mrkdwn's control characters."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from bot.adapters.slack_app import SlackBot, routes_for
from tests.slack_stub import BOT_USER, held, running_slack, serving
from tests.test_slack import PARTICIPANT, Harness, bolt_harness, make_service, texts

DM = f"D{PARTICIPANT}"


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[Harness]:
    with bolt_harness(tmp_path) as made:
        yield made


def settled(harness: Harness) -> list[str]:
    """Every event sent so far fully handled (Bolt's listener threads all finished; acked
    events run there), then the texts posted."""
    assert harness.bot is not None
    harness.bot.app._listener_runner.listener_executor.shutdown(wait=True)  # type: ignore
    return [c.args["text"] for c in harness.slack.calls_to("chat.postMessage")]


def test_a_dm_that_mentions_the_bot_subscribes(harness: Harness) -> None:
    harness.dm(f"<@{BOT_USER}> subscribe")
    post = harness.slack.wait_for("chat.postMessage")[0].args
    assert post["channel"] == DM
    assert post["text"].startswith("Subscribed")


def test_a_reply_in_a_dm_thread_is_answered_in_that_thread(harness: Harness) -> None:
    harness.dm("how many pages?", ts="1504267201.000002", thread_ts="1504267100.000001")
    post = harness.slack.wait_for("chat.postMessage")[0].args
    assert post["channel"] == DM
    assert post["thread_ts"] == "1504267100.000001"
    assert "2 pages" in post["text"]
    # Bolt's assistant "say" read the thread first; the answer needs no such call.
    assert harness.slack.calls_to("conversations.replies") == []


def test_a_mention_in_a_dm_is_answered_once(harness: Harness) -> None:
    # Slack sends the same message as app_mention and as message.im, with two event ids.
    text = f"<@{BOT_USER}> when is the deadline?"
    harness.event({"type": "app_mention", "user": PARTICIPANT, "channel": DM,
                   "ts": "1504267200.000009", "text": text})
    harness.dm(text, ts="1504267200.000009")
    posts = settled(harness)
    assert len(posts) == 1, posts
    assert "14:59 CST" in posts[0]


def test_an_edited_dm_is_not_answered_again(harness: Harness) -> None:
    harness.dm("when is the deadline?", ts="1504267200.000001")
    harness.slack.wait_for("chat.postMessage")
    harness.event({"type": "message", "subtype": "message_changed", "channel_type": "im",
                   "channel": DM, "hidden": True, "ts": "1504267210.000001",
                   "message": {"type": "message", "user": PARTICIPANT, "ts": "1504267200.000001",
                               "text": "when is the camera-ready deadline?",
                               "edited": {"user": PARTICIPANT, "ts": "1504267210.000001"}},
                   "previous_message": {"type": "message", "user": PARTICIPANT,
                                        "ts": "1504267200.000001",
                                        "text": "when is the deadline?"}})
    assert len(settled(harness)) == 1


def test_a_question_with_a_file_attached_is_answered(harness: Harness) -> None:
    harness.dm("how many pages may this draft have?", subtype="file_share",
               files=[{"id": "F1", "name": "draft.pdf"}])
    post = harness.slack.wait_for("chat.postMessage")[0].args
    assert "2 pages" in post["text"]


def test_a_mention_in_a_channel_thread_is_answered_in_the_thread_in_chinese(
        harness: Harness) -> None:
    harness.event({"type": "app_mention", "user": PARTICIPANT, "channel": "C0GENERAL",
                   "ts": "1504267205.000001", "thread_ts": "1504267100.000001",
                   "text": f"<@{BOT_USER}> 摘要截止日期是什么时候？"})
    post = harness.slack.wait_for("chat.postMessage")[0].args
    assert post["channel"] == "C0GENERAL"
    assert post["thread_ts"] == "1504267100.000001"
    shown = texts(post)
    assert "2017年9月11日星期一 14:59" in shown  # users.info: Asia/Shanghai
    assert "你的时间" in shown


def test_mrkdwn_control_characters_in_a_title_are_escaped_everywhere(tmp_path: Path) -> None:
    with running_slack() as slack:
        slack.add_user(PARTICIPANT, "Asia/Shanghai")
        service = make_service(slack, tmp_path)
        schedule = service.config.schedules[0].path
        schedule.write_text(schedule.read_text(encoding="utf-8").replace(
            'title = "Poster abstract submission deadline"',
            'title = "Q&A <!channel> abstracts > drafts"'), encoding="utf-8")
        assert service.reload()
        app = Starlette(routes=routes_for(SlackBot(service, service.config.slack)))
        with serving(app) as url, httpx.Client(timeout=10) as client:
            Harness(slack=slack, service=service, url=url, http=client).dm(
                "when is the abstract deadline?")
            post = slack.wait_for("chat.postMessage")[0].args
        service.ledger.close()
    shown = texts(post)
    assert "Q&amp;A &lt;!channel&gt; abstracts &gt; drafts" in shown
    assert "<!channel>" not in shown and "Q&A" not in shown


def test_an_event_is_acked_before_a_slow_slack_call_and_answered_after_it(
        harness: Harness) -> None:
    release = threading.Event()
    harness.slack.script("users.info", held(release))  # the asker's zone takes its time
    try:
        response = harness.mention("when is the deadline?")
        assert response.status_code == 200  # Slack has its ack, well inside 3 s
        assert harness.slack.wait_for("users.info")
        assert harness.slack.calls_to("chat.postMessage") == []
    finally:
        release.set()
    post = harness.slack.wait_for("chat.postMessage")[0].args
    assert "14:59 CST" in post["text"]


def test_an_edited_mention_is_not_answered_again(harness: Harness) -> None:
    harness.mention("when is the deadline?", event_id="EvFIRST")
    first = harness.slack.wait_for("chat.postMessage")[0].args
    # Slack sends the edited message as a new app_mention: a new event id, the same ts.
    harness.event({"type": "app_mention", "user": PARTICIPANT, "channel": "C0GENERAL",
                   "ts": first["thread_ts"], "text": f"<@{BOT_USER}> when is the deadline??",
                   "edited": {"user": PARTICIPANT, "ts": "1504267290.000001"}},
                  event_id="EvEDITED")
    assert len(settled(harness)) == 1


def test_a_follow_up_in_a_thread_on_a_dm_answer_reads_against_the_question_above(
        harness: Harness) -> None:
    harness.dm("When is the camera-ready due?", ts="1504267200.000001")
    answer = harness.slack.wait_for("chat.postMessage")[0]
    assert "Final file upload" in answer.args["text"]
    harness.dm("and in IST?", ts="1504267230.000001", thread_ts="1504267200.000001")
    follow = harness.slack.wait_for("chat.postMessage", 2)[1].args
    assert follow["thread_ts"] == "1504267200.000001"
    assert "Final file upload" in follow["text"] and "IST" in follow["text"], follow["text"]


def test_links_slack_made_of_what_was_typed_are_read_as_typed(harness: Harness) -> None:
    # Typed "my zone is Asia/Tokyo, mail me at ada@uni.example.edu": Slack links the address.
    harness.dm("when is the deadline? I'm in <https://en.wikipedia.org/wiki/Tokyo|Tokyo>, "
               "<mailto:ada@uni.example.edu|ada@uni.example.edu>")
    post = harness.slack.wait_for("chat.postMessage")[0].args
    assert "15:59 JST" in post["text"], post["text"]


def test_a_thread_reply_also_sent_to_the_dm_is_answered_in_its_thread(harness: Harness) -> None:
    harness.dm("how many pages?", subtype="thread_broadcast", ts="1504267210.000001",
               thread_ts="1504267100.000001")
    post = harness.slack.wait_for("chat.postMessage")[0].args
    assert post["thread_ts"] == "1504267100.000001" and "2 pages" in post["text"]


def test_a_ledger_that_cannot_say_whether_an_event_is_new_still_answers(
        harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    """Better a rare double answer than none: with the dedupe's table gone, the mention is
    answered and the failure logged."""
    with harness.service.ledger.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE processed_inbound")
    harness.mention("when is the deadline?", event_id="EvDOWN")
    assert len(settled(harness)) == 1
    assert any("could not check event EvDOWN against the ledger" in r.getMessage()
               for r in caplog.records)
