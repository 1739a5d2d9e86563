"""A chat platform that trickles its answer, one byte inside every read timeout, is cut at the
send's deadline (``[delivery] send_deadline``) instead of holding a delivery thread for hours.

The real client libraries (slack_sdk's WebClient, urllib for Discord, Apprise's requests) talk
to HTTP stand-ins on loopback that take the request and write their answer a byte at a time
(``tests.slack_stub``'s ``trickled``, ``tests.http_stub``'s ``trickle``). Cut after the request
went, the message may have been delivered (counted, and the run's other deliveries on that
platform wait for its next try); cut before, nothing went (an outage, no attempt used).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from bot.adapters.apprise_channel import AppriseChannel
from bot.adapters.discord_channel import DiscordChannel
from bot.adapters.http import build_app
from bot.adapters.slack_channel import SlackChannel, slack_client
from bot.config import DeliveryConfig
from bot.ports import Outcome, Outgoing
from tests import services
from tests.http_stub import running_http
from tests.services import deadline_schedule
from tests.slack_stub import SlackStub, running_slack, serving, trickled

READ = 1.0
"""Each read's timeout: a byte every ``EVERY`` seconds never trips it."""
DEADLINE = 0.8
EVERY = 0.1
DUE = datetime(2025, 3, 19, 12, 0, tzinfo=UTC)
USER = "80351110224678912"
API = "/api/v10"
MAYBE = "cut at the send's deadline: the message may have been delivered"


def timed(call: Callable[[], Outcome]) -> tuple[Outcome, float]:
    """``call()`` in a thread, so a send that never ends fails the test instead of hanging."""
    found: list[Outcome] = []
    began = time.monotonic()
    worker = threading.Thread(target=lambda: found.append(call()), daemon=True)
    worker.start()
    worker.join(DEADLINE + 10 * READ)
    took = time.monotonic() - began
    assert found, f"the send still hangs after {took:.1f} s"
    return found[0], took


def message(destination: str, *, attempt: int = 1, key: str = "") -> Outgoing:
    return Outgoing(key=key or f"demo/paper/1d|{destination}", destination=destination,
                    subject="Paper deadline in 1 day", text="The paper deadline is tomorrow.",
                    due=DUE, event_id="demo", date_id="paper", attempt=attempt)


def slack_channel(slack: SlackStub) -> SlackChannel:
    return SlackChannel(slack_client("xoxb-test", slack.api_url, timeout=int(READ)),
                        deadline=DEADLINE, concurrency=1, sleep=lambda _: None)


def test_a_slack_post_whose_answer_trickles_is_cut_at_the_deadline_and_may_have_landed(
        ) -> None:
    with running_slack() as slack:
        channel = slack_channel(slack)
        slack.script("chat.postMessage", trickled(EVERY))
        outcome, took = timed(lambda: channel.send(message("slack:#general")))
        assert DEADLINE <= took < DEADLINE + 2 * READ, took
        assert (outcome.kind, outcome.silent, outcome.server_down) == ("retry", True, False)
        assert outcome.reason == (f"Slack did not finish within {DEADLINE:g} s (it answered "
                                  f"slowly, each read inside {READ:g} s): {MAYBE}")
        assert len(slack.posted()) == 1  # Slack had it: the duplicate window, said so
        # The next send is its own, with a deadline of its own: it goes.
        assert channel.send(message("slack:#general", key="other")).kind == "sent"


def test_a_slack_history_lookup_that_trickles_is_cut_before_anything_was_posted(
        ) -> None:
    with running_slack() as slack:
        channel = slack_channel(slack)
        slack.script("conversations.history", trickled(EVERY))
        outcome, took = timed(lambda: channel.send(message("slack:C0GENERAL", attempt=2)))
        assert DEADLINE <= took < DEADLINE + 2 * READ, took
        assert outcome.kind == "retry" and outcome.server_down and not outcome.silent, outcome
        assert outcome.reason == (f"Slack did not finish within {DEADLINE:g} s (it answered "
                                  f"slowly, each read inside {READ:g} s): cut at the send's "
                                  f"deadline before the request went")
        assert slack.calls_to("chat.postMessage") == [] and slack.posted() == []


def test_a_discord_dm_whose_answer_trickles_is_cut_at_the_deadline() -> None:
    with running_http() as api:
        api.route(f"{API}/users/@me/channels", lambda seen: (200, {"id": "DM1"}))
        channel = DiscordChannel("t", f"http://{api.base}{API}", timeout=READ,
                                 deadline=DEADLINE)
        api.trickle = EVERY
        outcome, took = timed(lambda: channel.send(message(f"discord:{USER}")))
        assert DEADLINE <= took < DEADLINE + 2 * READ, took
        # The DM's opening trickled: nothing was posted.
        assert outcome.kind == "retry" and outcome.server_down, outcome
        assert outcome.reason.startswith(f"Discord did not finish within {DEADLINE:g} s")
        assert api.to(f"{API}/channels/") == []
        api.trickle = 0.0
        assert channel.send(message(f"discord:{USER}", key="opens")).kind == "sent"
        api.trickle = EVERY  # the DM is open (cached): now the post's answer trickles
        outcome, took = timed(lambda: channel.send(message(f"discord:{USER}")))
        assert DEADLINE <= took < DEADLINE + 2 * READ, took
        assert (outcome.kind, outcome.silent) == ("retry", True), outcome
        assert outcome.reason == (f"Discord did not finish within {DEADLINE:g} s (it answered "
                                  f"slowly, each read inside {READ:g} s): {MAYBE}")


def test_an_apprise_webhook_whose_answer_trickles_is_cut_at_the_deadline() -> None:
    with running_http() as hook:
        channel = AppriseChannel({}, timeout=DEADLINE)
        assert channel.problem(f"apprise:json://{hook.base}/h") == ""  # Apprise imported: the
        hook.trickle = EVERY  # time below is the send's, not a first import's on a busy host
        outcome, took = timed(lambda: channel.send(message(f"apprise:json://{hook.base}/h")))
        assert DEADLINE <= took < DEADLINE + 2 * READ, took
        assert (outcome.kind, outcome.silent) == ("retry", True), outcome
        assert outcome.reason.startswith(f"Apprise json://{hook.base}/h"), outcome.reason
        assert outcome.reason.endswith(MAYBE), outcome.reason
        assert len(hook.to("/h")) == 1


def test_slack_trickling_holds_the_others_for_the_next_try_and_healthz_says_it(
        tmp_path: Path) -> None:
    """One post cut at the deadline, not one per reminder: the others wait with no attempt
    used; when Slack answers again each is posted once (the cut one is found in the history,
    not posted twice)."""
    clock = [DUE - timedelta(hours=1)]
    rooms = [f"slack:C0ROOM{i}" for i in range(5)]
    with running_slack() as slack:
        slack.state.channels.update({f"room{i}": f"C0ROOM{i}" for i in range(len(rooms))})
        channel = slack_channel(slack)
        service = services.make_service(
            tmp_path, deadline_schedule("2025-03-20 12:00"), rooms, lambda: clock[0],
            delivery=DeliveryConfig(max_attempts=3, retry_backoff=timedelta(minutes=1),
                                    max_backoff=timedelta(minutes=10)),
            channels={"slack": channel})
        service.reconcile(clock[0])
        slack.script("chat.postMessage", *[trickled(EVERY)] * len(rooms))
        with serving(build_app(service)) as url:
            clock[0] = DUE
            began = time.monotonic()
            assert service.deliver_once(DUE).failed == len(rooms)
            assert time.monotonic() - began < 2 * DEADLINE + 2 * READ  # one cut, not five
            rows = service.ledger.rows()
            cut = [r for r in rows if r.attempts == 1]
            held = [r for r in rows if r.attempts == 0]
            assert (len(cut), len(held)) == (1, len(rooms) - 1), rows
            assert MAYBE in cut[0].reason
            assert all(r.reason.startswith(f"server unavailable: Slack did not finish within "
                                           f"{DEADLINE:g} s") and "(no attempt used)" in r.reason
                       and "may have been delivered" not in r.reason for r in held), held
            assert len(slack.calls_to("chat.postMessage")) == 1
            report = httpx.get(f"{url}/healthz", timeout=10).json()
            assert report["status"] == "degraded"
            assert report["deliveries"]["unavailable"]["slack"].startswith(
                "server unavailable: not answering once a message went: Slack did not "
                f"finish within {DEADLINE:g} s"), report["deliveries"]
            assert any(line.startswith("slack server unavailable: not answering")
                       for line in report["summary"]), report["summary"]

            slack.unscript("chat.postMessage")
            clock[0] = max(r.next_attempt for r in rows)
            service.deliver_once(clock[0])
            assert service.ledger.counts() == {"sent": len(rooms)}
            by_room = {r: len(slack.posted(r.removeprefix("slack:"))) for r in rooms}
            assert by_room == dict.fromkeys(rooms, 1), by_room  # each once
            again = service.ledger.rows(states=["sent"])
            assert [r.key for r in again if "found already posted" in r.reason] == [cut[0].key]
            report = httpx.get(f"{url}/healthz", timeout=10).json()
            assert (report["status"], report["summary"]) == ("ok", []), report
        service.ledger.close()
