"""Slack calls made while answering a participant (the answer's ``chat.postMessage``, Bolt's
``respond`` through ``response_url``, ``users.info``) within the send deadline: a Slack that
trickles its answer, one byte inside every read timeout, is cut instead of holding one of
Bolt's few worker threads for ever. The real Bolt app and slack_sdk talk to the Slack
stand-in on loopback (``tests.slack_stub``'s ``trickled``); the deadline is small."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from bot.adapters.http import delivery_state, health_report
from bot.adapters.slack_app import SlackBot, routes_for
from tests.slack_stub import running_slack, serving, trickled
from tests.test_slack import PARTICIPANT, Harness, make_service

DEADLINE = 0.6
EVERY = 0.05


@contextmanager
def bounded_harness(tmp: Path) -> Iterator[Harness]:
    with running_slack() as slack:
        slack.add_user(PARTICIPANT, "Asia/Shanghai")
        service = make_service(slack, tmp)
        bot = SlackBot(service, service.config.slack, deadline=DEADLINE)
        with (serving(Starlette(routes=routes_for(bot))) as url,
              httpx.Client(timeout=10) as client):
            yield Harness(slack=slack, service=service, url=url, http=client, bot=bot)
        service.ledger.close()


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == "duebot.slack" and r.levelno >= logging.WARNING]


def wait_until(test: Callable[[], bool], within: float = 10.0) -> float:
    began = time.monotonic()
    while not test():
        assert time.monotonic() - began < within, "never happened"
        time.sleep(0.01)
    return time.monotonic() - began


def test_an_answer_whose_post_trickles_is_cut_logged_once_and_not_posted_twice(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    with bounded_harness(tmp_path) as harness:
        harness.slack.script("chat.postMessage", trickled(EVERY), trickled(EVERY))
        began = time.monotonic()
        assert harness.mention("when is the deadline?").status_code == 200
        wait_until(lambda: bool(warnings(caplog)))
        assert time.monotonic() - began < DEADLINE + 5
        (said,) = warnings(caplog)
        assert said.startswith(f"could not answer {PARTICIPANT} in C0GENERAL: Slack did not "
                               f"finish posting an answer (chat.postMessage) (channel "
                               f"C0GENERAL) within {DEADLINE:g} s"), said
        assert "not sent again (it may have been posted)" in said
        assert "check Slack's status page" in said
        assert len(harness.slack.calls_to("chat.postMessage")) == 1  # never twice
        assert "slack" not in delivery_state(harness.service)["unavailable"]

        # Cut again, for someone else (their users.info goes fine): now a pattern.
        harness.slack.add_user("UOTHER", "Europe/Vienna")
        harness.mention("when is the notification?", user="UOTHER")
        wait_until(lambda: len(warnings(caplog)) == 2)
        deliveries = delivery_state(harness.service)
        assert deliveries["unavailable"]["slack"].startswith(
            "answering participants: 2 answers in a row cut at their deadline; the last: "
            "Slack did not finish posting an answer"), deliveries
        assert health_report(harness.service, "ok", deliveries)["status"] == "degraded"

        harness.mention("when is the workshop?")  # Slack answers again: so do we
        wait_until(lambda: len(harness.slack.posted("C0GENERAL")) == 3)
        assert len(harness.slack.calls_to("chat.postMessage")) == 3


def test_a_slash_command_whose_response_url_trickles_is_cut_once(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    with bounded_harness(tmp_path) as harness:
        harness.slack.script("response_url", trickled(EVERY))
        assert harness.command("when is the deadline?").status_code == 200
        wait_until(lambda: bool(warnings(caplog)))
        (said,) = warnings(caplog)
        assert said.startswith(f"could not answer {PARTICIPANT}: Slack did not finish "
                               f"answering a slash command (the response_url for "
                               f"{PARTICIPANT}) within {DEADLINE:g} s (it answered slowly, "
                               f"each read inside 30 s)"), said
        assert len(harness.slack.calls_to("response_url")) == 1
        harness.command("when is the notification?")  # the lazy listener's thread is free
        harness.slack.wait_for("response_url", 2)


def test_a_trickling_users_info_is_cut_and_the_answer_still_goes_in_the_events_zone(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    with bounded_harness(tmp_path) as harness:
        harness.slack.script("users.info", trickled(EVERY))
        harness.mention("when is the deadline?")
        (post,) = [c.args for c in harness.slack.wait_for("chat.postMessage")]
        assert "PDT" in post["text"] and "CST" not in post["text"]  # not Shanghai's: unknown
        (said,) = warnings(caplog)
        assert said.startswith(f"users.info {PARTICIPANT} failed (Slack did not finish "
                               f"reading the asker's zone (users.info) (user {PARTICIPANT}) "
                               f"within {DEADLINE:g} s"), said
        assert said.endswith("): answering in the event's zone"), said
        assert "it may have been posted" not in said
