"""``/healthz``'s summary while Slack's answers to participants keep being cut at the send
deadline: one sentence an operator woken at 3 am can act on. It says that it is answers (not
reminders) that are cut, how many in a row and since when, what the last one was and whether
it may have been posted, what participants can do, that reminders go on as usual, and what to
check (or raise) — not the reminders' "tried again at the next pass" words, nor the advice
twice.

The real Bolt app and slack_sdk against the Slack stand-in on loopback, trickling.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from bot.adapters.http import delivery_state, health_report
from tests.slack_stub import trickled
from tests.test_slack import PARTICIPANT
from tests.test_slack_answer_deadline import DEADLINE, EVERY, bounded_harness, wait_until, warnings


def test_healthz_says_answers_are_cut_in_words_for_the_operator(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    with bounded_harness(tmp_path) as harness:
        harness.slack.script("chat.postMessage", *[trickled(EVERY)] * 2)
        harness.slack.add_user("UOTHER", "Europe/Vienna")
        harness.mention("when is the deadline?")
        wait_until(lambda: len(warnings(caplog)) == 1)
        harness.mention("when is the notification?", user="UOTHER")
        wait_until(lambda: len(warnings(caplog)) == 2)
        report = health_report(harness.service, "ok", delivery_state(harness.service))
        assert report["status"] == "degraded"
        (line,) = [line for line in report["summary"] if line.startswith("slack")]
        since = report["deliveries"]["unavailable_since"]["slack"]
        expected = (
            f"slack: answers to participants are being cut at the send deadline ([delivery] "
            f"send_deadline, {DEADLINE:g} s): 2 in a row since {since}. The last: Slack did not "
            f"finish posting an answer (chat.postMessage) (channel C0GENERAL) within "
            f"{DEADLINE:g} s (it answered slowly, each read inside 15 s): cut at the answer's "
            f"deadline after the request went: not sent again (it may have been posted). Those "
            f"participants may have had no answer; they can ask again. Reminders to slack are "
            f"still sent as usual; this line goes once slack takes one, or lapses when no "
            f"answer is cut for a while. Check Slack's "
            f"status page and the network path to it (a proxy that trickles); if slack is only "
            f"slow, raise [delivery] send_deadline.")
        assert line == expected, line
        assert len(re.findall("status page", line)) == 1
        assert PARTICIPANT not in line  # who asked is the log's, not the health page's
