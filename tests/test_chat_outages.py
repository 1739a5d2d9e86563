"""A chat platform that is away is an outage, not the message's fault, as a mail server is.

The real client libraries (slack_sdk, urllib for Discord, Apprise's requests) talk to HTTP
stand-ins on loopback (tests.slack_stub, tests.http_stub), or to a port nobody listens on; time
is the injected clock, moved to each instant something is due, as ``duebot run`` would.

- Slack answering 503 for three hours, with ``max_attempts = 2``: the reminder waits, uses no
  attempt, and is posted once when Slack is back; ``/healthz`` says ``degraded`` naming Slack
  and its words meanwhile, ``ok`` after.
- Discord's port refused: the same; a 429 waits the time Discord (or Slack) asked, uses none.
- Mattermost and Zulip (through Apprise): a 503, a refused connection, the same.
- What is the message's own fault still counts or is dead at once; a revoked token stops the
  channel; a timeout after the request went counts (it may have been posted).
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.adapters.apprise_channel import AppriseChannel
from bot.adapters.discord_channel import DiscordChannel, pieces
from bot.adapters.http import build_app
from bot.adapters.slack_channel import SlackChannel, slack_client
from bot.app.status import gather, render_table
from bot.config import DeliveryConfig
from bot.ports import Channel, Row
from bot.service import Service
from tests import services
from tests.http_stub import HttpStub, Seen, running_http
from tests.services import deadline_schedule
from tests.slack_stub import Scripted, SlackStub, error, ratelimited, running_slack, serving
from tests.smtp_server import tls_pair

DUE = datetime(2025, 3, 19, 12, 0, tzinfo=UTC)  # the 1d reminder of a deadline a day later
"""Before the wall clock: the Slack stand-in stamps posts (ts) with the real time, and a retry
looks in the history from an hour before the due time."""
KEY = "demo/paper/1d"
USER = "80351110224678912"
API = "/api/v10"


class Ticks:
    """A monotonic clock for a channel's pacing and rate-limit memory, moved by the test."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def make(tmp_path: Path, destination: str, channels: dict[str, Channel],
         clock: list[datetime], **delivery: Any) -> Service:
    settings = {"max_attempts": 2, "retry_backoff": timedelta(minutes=1),
                "max_backoff": timedelta(hours=1), "grace": timedelta(hours=6), **delivery}
    tmp_path.mkdir(exist_ok=True)
    service = services.make_service(
        tmp_path, deadline_schedule("2025-03-20 12:00"), [destination], lambda: clock[0],
        delivery=DeliveryConfig(**settings), channels=channels)
    service.reconcile(clock[0])
    return service


def run_until(service: Service, clock: list[datetime], end: datetime,
              ticks: Ticks | None = None) -> int:
    """Run the deliver job at each instant something is due up to ``end``; how many runs."""
    runs = 0
    while True:
        wake = service.ledger.next_wake()
        if wake is None or wake > end:
            return runs
        if ticks is not None:
            ticks.now += (max(wake, clock[0]) - clock[0]).total_seconds()
        clock[0] = max(wake, clock[0])
        service.deliver_once(clock[0])
        runs += 1


def the_row(service: Service) -> Row:
    (row,) = [r for r in service.ledger.rows() if r.destination != "console:"]
    return row


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def slack() -> Iterator[SlackStub]:
    with running_slack() as stub:
        yield stub


def slack_channel(slack: SlackStub, ticks: Ticks) -> SlackChannel:
    return SlackChannel(slack_client("xoxb-test", slack.api_url, timeout=2), monotonic=ticks,
                        sleep=ticks.sleep)


def unavailable(times: int, retry_after: int | None = None) -> list[Scripted]:
    return [Scripted(error="service_unavailable", status=503, retry_after=retry_after)] * times


@pytest.fixture
def untrusted(tmp_path: Path) -> Iterator[int]:
    """A port on loopback that speaks TLS with a self-signed certificate nobody trusts."""
    pair = tls_pair(tmp_path)
    if pair is None:
        pytest.skip("neither cryptography nor openssl to make a certificate")
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.settimeout(0.1)
    done = threading.Event()

    def serve() -> None:
        while not done.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            conn.settimeout(2)
            try:
                with pair.server.wrap_socket(conn, server_side=True):
                    pass
            except (OSError, ssl.SSLError):
                conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield int(server.getsockname()[1])
    done.set()
    thread.join(timeout=5)
    server.close()


def test_a_certificate_we_do_not_trust_stops_slack_and_discord_as_it_stops_smtp(
        tmp_path: Path, untrusted: int) -> None:
    # Not the platform away (an outage retried for hours, quietly): a proxy in the way, this
    # host's CA certificates, its clock. Waiting will not fix it, so the channel stops, loudly.
    clock, ticks = [DUE], Ticks()
    slack = SlackChannel(slack_client("xoxb-test", f"https://127.0.0.1:{untrusted}/api/",
                                      timeout=2), monotonic=ticks, sleep=ticks.sleep)
    service = make(tmp_path / "slack", "slack:#general", {"slack": slack}, clock)
    service.deliver_once(DUE)
    row = the_row(service)
    assert (row.state, row.attempts) == ("pending", 0), row
    assert service.engine.stopped["slack"].startswith("TLS certificate of Slack not trusted: "
                                                      "self-signed certificate"), (
        service.engine.stopped)
    assert "slack" not in service.engine.unavailable
    service.ledger.close()
    discord = DiscordChannel("bot-token", f"https://127.0.0.1:{untrusted}{API}", timeout=2,
                             monotonic=ticks)
    service = make(tmp_path / "discord", f"discord:{USER}", {"discord": discord}, clock)
    service.deliver_once(DUE)
    assert the_row(service).state == "pending"
    assert service.engine.stopped["discord"].startswith("TLS certificate of Discord not "
                                                        "trusted: ")
    service.ledger.close()


# --- Slack --------------------------------------------------------------------------------------

def test_three_hours_of_slack_503_use_no_attempt_and_the_reminder_is_posted_once(
        tmp_path: Path, slack: SlackStub) -> None:
    clock, ticks = [DUE - timedelta(days=1)], Ticks()
    service = make(tmp_path, "slack:#general", {"slack": slack_channel(slack, ticks)}, clock)
    slack.script("chat.postMessage", *unavailable(1000))
    with serving(build_app(service)) as url:
        run_until(service, clock, DUE + timedelta(hours=3), ticks)
        row = the_row(service)
        assert (row.state, row.attempts) == ("failed", 0), row
        assert row.reason.startswith("server unavailable: Slack: ") and (
            "service_unavailable" in row.reason and "no attempt used" in row.reason), row.reason
        tries = len(slack.calls_to("chat.postMessage"))
        assert tries >= 6, tries  # it kept trying, backing off up to an hour
        health = httpx.get(f"{url}/healthz", timeout=10)
        report = health.json()
        assert (health.status_code, report["status"]) == (200, "degraded"), report
        assert report["deliveries"]["retrying"] == 1
        assert "slack" in report["deliveries"]["unavailable"], report["deliveries"]
        assert "service_unavailable" in report["deliveries"]["unavailable"]["slack"]
        assert "Slack" in report["deliveries"]["errors"][0]
        table = render_table(gather(service, clock[0]))  # `duebot status`
        assert ("waiting on slack: 1 (no attempt used; latest: server unavailable: Slack: "
                "HTTP 503 (service_unavailable)") in table, table

        slack.unscript("chat.postMessage")
        run_until(service, clock, DUE + timedelta(hours=5), ticks)
        row = the_row(service)
        assert (row.state, row.attempts) == ("sent", 1), row
        posted = [m["metadata"]["event_payload"]["key"] for m in slack.posted("C0GENERAL")]
        assert posted == [f"{KEY}|slack:#general"]
        report = httpx.get(f"{url}/healthz", timeout=10).json()
        assert report["status"] == "ok", report
        assert report["deliveries"]["retrying"] == 0
        assert not report["deliveries"].get("unavailable")
    service.ledger.close()


def test_slack_503_with_retry_after_waits_what_slack_asked(
        tmp_path: Path, slack: SlackStub) -> None:
    clock, ticks = [DUE], Ticks()
    service = make(tmp_path, "slack:#general", {"slack": slack_channel(slack, ticks)}, clock)
    slack.script("chat.postMessage", *unavailable(1, retry_after=300))
    service.deliver_once(DUE)
    row = the_row(service)
    assert (row.state, row.attempts) == ("failed", 0), row
    assert timedelta(seconds=300) <= row.next_attempt - DUE < timedelta(seconds=310), row
    service.ledger.close()


def test_slack_429_waits_retry_after_each_time_and_uses_no_attempt(
        tmp_path: Path, slack: SlackStub) -> None:
    clock, ticks = [DUE], Ticks()
    service = make(tmp_path, "slack:#general", {"slack": slack_channel(slack, ticks)}, clock,
                   max_attempts=1)
    slack.script("chat.postMessage", ratelimited(40), ratelimited(40), ratelimited(40))
    waits = []
    for _ in range(3):
        before = clock[0]
        run_until(service, clock, clock[0], ticks)
        row = the_row(service)
        assert (row.state, row.attempts) == ("failed", 0), row
        assert row.reason.startswith("rate limited: Slack rate limit"), row.reason
        waits.append(row.next_attempt - before)
        clock[0] = row.next_attempt
    assert all(timedelta(seconds=40) <= w < timedelta(seconds=45) for w in waits), waits
    run_until(service, clock, clock[0] + timedelta(minutes=5), ticks)
    row = the_row(service)
    assert (row.state, row.attempts) == ("sent", 1), row
    assert len(slack.posted("C0GENERAL")) == 1
    service.ledger.close()


def test_a_retry_after_of_a_day_is_looked_at_again_within_max_backoff_and_dead_with_why(
        tmp_path: Path, slack: SlackStub) -> None:
    # Slack asks for a day; the reminder makes sense for 6 hours (grace). Honoured as asked,
    # the row would sleep a day and be found long after; capped at max_backoff (1 h), it is
    # looked at each hour (the channel still asks Slack nothing) and is dead with why in time.
    clock, ticks = [DUE], Ticks()
    service = make(tmp_path, "slack:#general", {"slack": slack_channel(slack, ticks)}, clock)
    slack.script("chat.postMessage", ratelimited(86_400))
    service.deliver_once(DUE)
    row = the_row(service)
    assert (row.state, row.attempts) == ("failed", 0), row
    assert timedelta(hours=1) <= row.next_attempt - DUE < timedelta(hours=1, seconds=10), row
    assert "asked to wait 86400s; retry in 60m (no attempt used)" in row.reason, row.reason
    run_until(service, clock, DUE + timedelta(hours=7), ticks)
    row = the_row(service)
    assert (row.state, row.attempts) == ("dead", 0), row
    assert row.reason.startswith("gave up: missed: due 2025-03-19 12:00 UTC, ") and (
        "beyond the grace window of 6h" in row.reason and "last try: rate limited: Slack "
        "rate limit" in row.reason), row.reason
    assert len(slack.calls_to("chat.postMessage")) == 1  # Slack was not asked again
    service.ledger.close()


@pytest.mark.parametrize(("code", "words"), [("channel_not_found", "check reminders_to"),
                                             ("msg_too_long", "too long")])
def test_a_rejection_of_the_message_is_still_dead_at_once(
        tmp_path: Path, slack: SlackStub, code: str, words: str) -> None:
    clock, ticks = [DUE], Ticks()
    service = make(tmp_path, "slack:#general", {"slack": slack_channel(slack, ticks)}, clock)
    slack.script("chat.postMessage", error(code))
    service.deliver_once(DUE)
    row = the_row(service)
    assert (row.state, row.attempts) == ("dead", 1), row
    assert code in row.reason and words in row.reason
    service.ledger.close()


def test_slack_refused_is_an_outage_and_a_post_cut_off_counts_and_is_not_posted_twice(
        tmp_path: Path, slack: SlackStub) -> None:
    clock, ticks = [DUE], Ticks()
    channel = SlackChannel(slack_client("xoxb-test", f"http://127.0.0.1:{free_port()}/api/",
                                        timeout=2), monotonic=ticks, sleep=ticks.sleep)
    service = make(tmp_path, "slack:#general", {"slack": channel}, clock)
    run_until(service, clock, DUE + timedelta(minutes=30), ticks)
    row = the_row(service)
    assert (row.state, row.attempts) == ("failed", 0), row
    assert row.reason.startswith("server unavailable: cannot reach Slack: Connection refused")
    # Slack is back, takes the post, and the answer is lost: it may have landed, so it counts;
    # the next try finds it in the history instead of posting it again.
    channel.client = slack_client("xoxb-test", slack.api_url, timeout=2)
    slack.script("chat.postMessage", Scripted(drop=True, land=True))
    clock[0] = row.next_attempt
    service.deliver_once(clock[0])
    row = the_row(service)
    assert (row.state, row.attempts) == ("failed", 1), row
    assert "may have been delivered" in row.reason
    run_until(service, clock, clock[0] + timedelta(minutes=10), ticks)
    row = the_row(service)
    assert (row.state, row.attempts) == ("sent", 2), row
    assert "already posted" in row.reason
    assert len(slack.posted("C0GENERAL")) == 1
    service.ledger.close()


def test_slack_failing_the_history_look_before_a_repost_is_an_outage_not_an_attempt(
        tmp_path: Path, slack: SlackStub) -> None:
    # the look in the history posts nothing: whatever it meets (a 500, internal_error) cannot
    # have delivered the message, so it must not use up one of its attempts
    clock, ticks = [DUE], Ticks()
    service = make(tmp_path, "slack:#general", {"slack": slack_channel(slack, ticks)}, clock,
                   max_attempts=2)
    slack.script("chat.postMessage", Scripted(drop=True))  # lost, not posted: counts
    service.deliver_once(DUE)
    row = the_row(service)
    assert (row.state, row.attempts) == ("failed", 1), row
    slack.script("conversations.history", *[error("internal_error", 500)] * 3)
    for _ in range(3):
        clock[0] = row.next_attempt
        service.deliver_once(clock[0])
        row = the_row(service)
        assert (row.state, row.attempts) == ("failed", 1), row
        assert row.reason.startswith("server unavailable: Slack: internal_error"), row.reason
    assert slack.calls_to("chat.postMessage") and len(slack.calls_to("chat.postMessage")) == 1
    clock[0] = row.next_attempt
    service.deliver_once(clock[0])
    row = the_row(service)
    assert (row.state, row.attempts) == ("sent", 2), row
    assert len(slack.posted("C0GENERAL")) == 1
    service.ledger.close()


def test_an_outage_past_what_the_reminder_is_for_makes_it_dead_with_why(
        tmp_path: Path, slack: SlackStub) -> None:
    clock, ticks = [DUE - timedelta(days=1)], Ticks()
    service = make(tmp_path, "slack:#general", {"slack": slack_channel(slack, ticks)}, clock,
                   grace=timedelta(days=2))
    slack.script("chat.postMessage", *unavailable(1000))
    run_until(service, clock, DUE + timedelta(days=1, hours=2), ticks)
    row = the_row(service)
    assert (row.state, row.attempts) == ("dead", 0), row
    assert row.reason.startswith("gave up: not sent: what it reminds of was at 2025-03-20 "
                                 "12:00 UTC, already past; last try: server unavailable: "
                                 "Slack: "), row.reason
    assert slack.posted() == []
    service.ledger.close()


# --- Discord ------------------------------------------------------------------------------------

def discord_api(stub: HttpStub) -> None:
    stub.route(f"{API}/users/@me/channels",
               lambda seen: (200, {"id": f"DM{seen.json()['recipient_id']}", "type": 1}))
    stub.route(f"{API}/channels/", lambda seen: (200, {"id": f"m{len(stub.seen)}"}))


def test_a_refused_discord_port_for_hours_uses_no_attempt_then_the_dm_goes_once(
        tmp_path: Path) -> None:
    clock, ticks = [DUE - timedelta(hours=1)], Ticks()
    channel = DiscordChannel("bot-token", f"http://127.0.0.1:{free_port()}{API}", timeout=2,
                             monotonic=ticks)
    service = make(tmp_path, f"discord:{USER}", {"discord": channel}, clock)
    run_until(service, clock, DUE + timedelta(hours=3), ticks)
    row = the_row(service)
    assert (row.state, row.attempts) == ("failed", 0), row
    assert row.reason.startswith("server unavailable: cannot reach Discord: Connection "
                                 "refused"), row.reason
    assert service.engine.unavailable["discord"].startswith("server unavailable: ")
    with running_http() as api:
        discord_api(api)
        channel.api = f"http://{api.base}{API}"
        run_until(service, clock, DUE + timedelta(hours=5), ticks)
        row = the_row(service)
        assert (row.state, row.attempts) == ("sent", 1), row
        dms = [s for s in api.to(f"{API}/channels/") if s.path.endswith("/messages")]
        assert len(dms) == 1
    assert "discord" not in service.engine.unavailable
    service.ledger.close()


def test_discord_5xx_uses_no_attempt_and_a_429_waits_its_retry_after(tmp_path: Path) -> None:
    clock, ticks = [DUE], Ticks()
    with running_http() as api:
        discord_api(api)
        channel = DiscordChannel("bot-token", f"http://{api.base}{API}", timeout=2,
                                 monotonic=ticks)
        service = make(tmp_path, f"discord:{USER}", {"discord": channel}, clock,
                       max_attempts=1)
        api.script(f"{API}/channels/", 502, 503, 503)
        run_until(service, clock, DUE + timedelta(minutes=20), ticks)
        row = the_row(service)
        assert (row.state, row.attempts) == ("sent", 1), row
        api.route(f"{API}/channels/", lambda seen: (
            429, {"message": "You are being rate limited.", "retry_after": 61.2,
                  "global": False}))
        clock[0] = DUE
        second = make(tmp_path / "again", f"discord:{USER}", {"discord": channel}, clock,
                      max_attempts=1)
        second.deliver_once(DUE)
        row = the_row(second)
        assert (row.state, row.attempts) == ("failed", 0), row
        assert row.reason.startswith("rate limited: Discord rate limit: HTTP 429"), row.reason
        assert timedelta(seconds=62) <= row.next_attempt - DUE < timedelta(seconds=66), row
        second.ledger.close()
    service.ledger.close()


def test_a_long_dm_whose_second_part_meets_an_outage_never_posts_its_first_part_twice() -> None:
    # Discord finds a repeated nonce for a few minutes only; an outage's retries back off far
    # beyond that, and each one re-posted the first part. The stand-in keeps no nonce, as
    # Discord after those minutes.
    from bot.ports import Outgoing
    text = "\n\n".join(f"paragraph {n} " + "x" * 300 for n in range(9))
    down = [True]
    with running_http() as api:
        def messages(seen: Seen) -> tuple[int, Any]:
            if down[0] and seen.json()["content"] != pieces(text)[0]:  # the first part goes
                return 503, {"message": "upstream connect error"}
            return 200, {"id": f"m{len(api.seen)}"}
        discord_api(api)
        api.route(f"{API}/channels/", messages)
        channel = DiscordChannel("bot-token", f"http://{api.base}{API}", timeout=2)
        message = Outgoing(key=KEY, destination=f"discord:{USER}", subject="", text=text)
        for _ in range(3):
            outcome = channel.send(message)
            assert outcome.uses_no_attempt and outcome.server_down, outcome
        down[0] = False
        outcome = channel.send(message)
        assert outcome.kind == "sent", outcome
        contents = [s.json()["content"] for s in api.to(f"{API}/channels/")
                    if s.path.endswith("/messages")]
        assert contents.count(pieces(text)[0]) == 1, len(contents)
        assert all(contents.count(p) >= 1 for p in pieces(text))
        assert len(outcome.remote_id.split("/", 1)[1].split(",")) == len(pieces(text))


@pytest.mark.parametrize(("status", "words"), [(400, "refused the message"),
                                               (403, "share a server"),
                                               (404, "knows no user")])
def test_discord_rejecting_the_message_is_dead_at_once(tmp_path: Path, status: int,
                                                       words: str) -> None:
    clock = [DUE]
    with running_http() as api:
        discord_api(api)
        api.route(f"{API}/channels/", lambda seen: (status, {"message": "no", "code": 50007}))
        channel = DiscordChannel("bot-token", f"http://{api.base}{API}", timeout=2)
        service = make(tmp_path, f"discord:{USER}", {"discord": channel}, clock)
        service.deliver_once(DUE)
        row = the_row(service)
        assert (row.state, row.attempts) == ("dead", 1), row
        assert f"HTTP {status}" in row.reason and words in row.reason
    service.ledger.close()


def test_a_revoked_discord_token_stops_the_channel_and_gives_the_row_back(
        tmp_path: Path) -> None:
    clock = [DUE]
    with running_http() as api:
        api.route(f"{API}/", lambda seen: (401, {"message": "401: Unauthorized", "code": 0}))
        channel = DiscordChannel("revoked", f"http://{api.base}{API}", timeout=2)
        service = make(tmp_path, f"discord:{USER}", {"discord": channel}, clock,
                       grace=timedelta(hours=1))
        report = service.engine.deliver_due(DUE)
        assert report.released == 1 and report.dead == 0
        assert "DISCORD_BOT_TOKEN" in service.engine.stopped["discord"]
        row = the_row(service)
        assert (row.state, row.attempts) == ("pending", 0), row
        assert row.next_attempt >= DUE + service.config.delivery.poll
        # nobody fixes the token: once the reminder no longer makes sense it is dead with
        # why, not skipped as if it had merely been late
        run_until(service, clock, DUE + timedelta(hours=2))
        row = the_row(service)
        assert (row.state, row.attempts) == ("dead", 0), row
        assert row.reason.startswith("gave up: missed: due 2025-03-19 12:00 UTC, ") and (
            "last try: channel stopped: Discord: HTTP 401" in row.reason), row.reason
    service.ledger.close()


def test_a_discord_timeout_after_the_post_went_counts_and_one_opening_the_dm_does_not(
        tmp_path: Path) -> None:
    clock = [DUE]

    def slow(answer: tuple[int, Any]) -> Any:
        def route(seen: Seen) -> tuple[int, Any]:
            time.sleep(1.5)
            return answer
        return route

    with running_http() as api:
        discord_api(api)
        api.route(f"{API}/users/@me/channels", slow((200, {"id": "DM1"})))
        channel = DiscordChannel("bot-token", f"http://{api.base}{API}", timeout=0.5)
        service = make(tmp_path, f"discord:{USER}", {"discord": channel}, clock)
        service.deliver_once(DUE)
        row = the_row(service)
        assert (row.state, row.attempts) == ("failed", 0), row  # nothing can have been posted
        assert row.reason.startswith("server unavailable: Discord did not answer"), row.reason
        discord_api(api)
        api.route(f"{API}/channels/", slow((200, {"id": "m1"})))
        clock[0] = row.next_attempt
        service.deliver_once(clock[0])
        row = the_row(service)
        assert (row.state, row.attempts) == ("failed", 1), row  # Discord may have posted it
        assert "timed out" in row.reason and "may have been delivered" in row.reason
    service.ledger.close()


def test_discord_answering_500_to_opening_the_dm_is_an_outage_and_to_the_post_counts(
        tmp_path: Path) -> None:
    # a 500 may have posted a message, but opening the DM posts nothing
    clock = [DUE]
    with running_http() as api:
        discord_api(api)
        api.script(f"{API}/users/@me/channels", 500)
        channel = DiscordChannel("bot-token", f"http://{api.base}{API}", timeout=2)
        service = make(tmp_path, f"discord:{USER}", {"discord": channel}, clock)
        service.deliver_once(DUE)
        row = the_row(service)
        assert (row.state, row.attempts) == ("failed", 0), row
        assert row.reason.startswith("server unavailable: Discord: HTTP 500"), row.reason
        assert "opening the DM" in row.reason
        api.script(f"{API}/channels/", 500)
        clock[0] = row.next_attempt
        service.deliver_once(clock[0])
        row = the_row(service)
        assert (row.state, row.attempts) == ("failed", 1), row
        assert "may have been delivered" in row.reason, row.reason
    service.ledger.close()


# --- Mattermost and Zulip, through Apprise ---------------------------------------------------

ENV = {"MM_HOOK": "abcdefghijklmnopqrstuvwxyz"}


def test_a_mattermost_webhook_answering_503_for_hours_uses_no_attempt(tmp_path: Path) -> None:
    clock = [DUE - timedelta(hours=1)]
    with running_http() as mattermost:
        destination = f"apprise:mmost://{mattermost.base}/${{MM_HOOK}}"
        service = make(tmp_path, destination, {"apprise": AppriseChannel(ENV, timeout=5)},
                       clock)
        mattermost.script("/hooks/", *[503] * 1000)
        run_until(service, clock, DUE + timedelta(hours=3))
        row = the_row(service)
        assert (row.state, row.attempts) == ("failed", 0), row
        assert row.reason.startswith("server unavailable: Apprise mmost://") and (
            "HTTP 503" in row.reason), row.reason
        assert ENV["MM_HOOK"] not in row.reason
        tries = len(mattermost.to("/hooks/"))
        assert tries >= 6, tries
        mattermost.scripted.clear()
        run_until(service, clock, DUE + timedelta(hours=5))
        row = the_row(service)
        assert (row.state, row.attempts) == ("sent", 1), row
        assert len(mattermost.to("/hooks/")) == tries + 1
    service.ledger.close()


def test_a_refused_zulip_server_is_an_outage_and_a_429_a_rate_limit(tmp_path: Path) -> None:
    clock = [DUE]
    port = free_port()
    destination = f"apprise:zulip://duebot-bot@127.0.0.1:{port}/{'a' * 32}/general"
    service = make(tmp_path, destination, {"apprise": AppriseChannel({}, timeout=5)}, clock)
    service.deliver_once(DUE)
    row = the_row(service)
    assert (row.state, row.attempts) == ("failed", 0), row
    assert row.reason.startswith("server unavailable: cannot reach Apprise zulip://"), row
    assert "Connection refused" in row.reason
    with running_http() as mattermost:
        destination = f"apprise:mmost://{mattermost.base}/${{MM_HOOK}}"
        limited = make(tmp_path / "limited", destination,
                       {"apprise": AppriseChannel(ENV, timeout=5)}, clock, max_attempts=1)
        mattermost.script("/hooks/", 429, 429)
        run_until(limited, clock, DUE + timedelta(minutes=10))
        row = the_row(limited)
        assert (row.state, row.attempts) == ("sent", 1), row
        limited.ledger.close()
    service.ledger.close()


def test_a_webhook_whose_certificate_we_do_not_trust_is_dead_with_why(
        tmp_path: Path, untrusted: int) -> None:
    # dead, not stop: the one apprise channel carries every service, and the others work
    clock = [DUE]
    destination = f"apprise:mmosts://127.0.0.1:{untrusted}/${{MM_HOOK}}"
    service = make(tmp_path, destination, {"apprise": AppriseChannel(ENV, timeout=5)}, clock)
    service.deliver_once(DUE)
    row = the_row(service)
    assert (row.state, row.attempts) == ("dead", 1), row
    assert row.reason.startswith("TLS certificate of Apprise mmosts://") and (
        "not trusted: self-signed certificate" in row.reason), row.reason
    assert "apprise" not in service.engine.stopped and ENV["MM_HOOK"] not in row.reason
    service.ledger.close()


def test_a_webhook_answering_500_counts_it_may_have_posted_and_is_not_retried_freely(
        tmp_path: Path) -> None:
    # A Mattermost that posts and then fails in a plugin answers 500 at every try: as an
    # outage (no attempt used) it was posted again at each backoff until the grace window
    # ended; counted, max_attempts bounds the copies and the reminder is dead with why.
    clock = [DUE]
    with running_http() as mattermost:
        mattermost.script("/hooks/", *[500] * 1000)
        destination = f"apprise:mmost://{mattermost.base}/${{MM_HOOK}}"
        service = make(tmp_path, destination, {"apprise": AppriseChannel(ENV, timeout=5)},
                       clock, max_attempts=3)
        run_until(service, clock, DUE + timedelta(hours=5))
        row = the_row(service)
        assert (row.state, row.attempts) == ("dead", 3), row
        assert row.reason.startswith("gave up after 3 attempts: Apprise mmost://") and (
            "HTTP 500" in row.reason and "may have been delivered" in row.reason), row.reason
        assert len(mattermost.to("/hooks/")) == 3
    service.ledger.close()


def test_one_apprise_service_down_is_named_and_another_taking_a_message_does_not_clear_it(
        tmp_path: Path) -> None:
    # Keyed by the scheme, ntfy's success cleared Mattermost's outage from /healthz while
    # Mattermost was still down; each service is its own platform.
    clock = [DUE]
    with running_http() as mattermost, running_http() as other:
        mattermost.script("/hooks/", *[503] * 1000)
        down = f"apprise:mmost://{mattermost.base}/${{MM_HOOK}}"
        up = f"apprise:json://{other.base}/notify"
        service = services.make_service(
            tmp_path, deadline_schedule("2025-03-20 12:00"), [down, up], lambda: clock[0],
            delivery=DeliveryConfig(grace=timedelta(hours=6)),
            channels={"apprise": AppriseChannel(ENV, timeout=5)})
        service.reconcile(clock[0])
        with serving(build_app(service)) as url:
            run_until(service, clock, DUE + timedelta(minutes=10))
            named = f"apprise:mmost://{mattermost.base}"
            assert other.to("/notify") and named in service.engine.unavailable
            report = httpx.get(f"{url}/healthz", timeout=10).json()
            assert list(report["deliveries"]["unavailable"]) == [named], report["deliveries"]
            assert "HTTP 503" in report["deliveries"]["unavailable"][named]
            assert ENV["MM_HOOK"] not in str(report)
    service.ledger.close()


def test_the_unavailable_entry_lapses_once_nothing_waits_on_the_platform(
        tmp_path: Path, slack: SlackStub) -> None:
    # Slack stays down past the grace window: the reminder is dead with why, nothing else is
    # tried there, and /healthz must not say "degraded: slack unavailable" until a restart.
    clock, ticks = [DUE], Ticks()
    service = make(tmp_path, "slack:#general", {"slack": slack_channel(slack, ticks)}, clock,
                   grace=timedelta(hours=2))
    slack.script("chat.postMessage", *unavailable(1000))
    run_until(service, clock, DUE + timedelta(hours=3), ticks)
    assert the_row(service).state == "dead"
    assert "slack" in service.engine.unavailable  # as last seen, for a while
    service.deliver_once(clock[0] + timedelta(hours=1))
    with serving(build_app(service)) as url:
        report = httpx.get(f"{url}/healthz", timeout=10).json()
        assert report["status"] == "degraded" and report["deliveries"]["retrying"] == 0
        assert list(report["deliveries"]["unavailable"]) == ["slack"], report["deliveries"]
        service.deliver_once(clock[0] + timedelta(hours=2, minutes=2))  # 2 x max_backoff + poll
        assert "slack" not in service.engine.unavailable
        report = httpx.get(f"{url}/healthz", timeout=10).json()
        assert not report["deliveries"]["unavailable"], report["deliveries"]
        assert report["status"] == "ok", report
    service.ledger.close()


def test_tls_trouble_other_than_the_certificate_counts_through_apprise_not_through_urllib(
        tmp_path: Path, slack: SlackStub) -> None:
    # https to a port that speaks plain HTTP: the handshake fails. urllib says so (URLError
    # around it: before the request went); requests says SSLError whether the handshake or
    # the answer failed, so a webhook's counts (it may have posted), bounded by max_attempts.
    clock = [DUE]
    with running_http() as plain:
        destination = f"apprise:mmosts://{plain.base}/${{MM_HOOK}}"
        service = make(tmp_path, destination, {"apprise": AppriseChannel(ENV, timeout=5)},
                       clock)
        service.deliver_once(DUE)
        row = the_row(service)
        assert (row.state, row.attempts) == ("failed", 1), row
        assert "may have been delivered" in row.reason and "SSL" in row.reason, row.reason
        service.ledger.close()
        ticks = Ticks()
        channel = SlackChannel(slack_client("xoxb-test", f"https://{plain.base}/api/",
                                            timeout=2), monotonic=ticks, sleep=ticks.sleep)
        other = make(tmp_path / "slack", "slack:#general", {"slack": channel}, clock)
        other.deliver_once(DUE)
        row = the_row(other)
        assert (row.state, row.attempts) == ("failed", 0), row
        assert row.reason.startswith("server unavailable: cannot reach Slack: "), row.reason
        other.ledger.close()


def test_a_webhook_silent_after_the_request_counts_as_maybe_delivered(tmp_path: Path) -> None:
    clock = [DUE]
    with running_http() as mattermost:
        def slow(seen: Seen) -> tuple[int, Any]:
            time.sleep(1.5)
            return 200, {}
        mattermost.route("/hooks/", slow)
        destination = f"apprise:mmost://{mattermost.base}/${{MM_HOOK}}"
        service = make(tmp_path, destination, {"apprise": AppriseChannel(ENV, timeout=0.5)},
                       clock)
        service.deliver_once(DUE)
        row = the_row(service)
        assert (row.state, row.attempts) == ("failed", 1), row
        assert "may have" in row.reason, row.reason
    service.ledger.close()


def test_an_announcement_the_outage_outlasted_is_dead_with_why_not_skipped(
        tmp_path: Path, slack: SlackStub) -> None:
    clock, ticks = [DUE - timedelta(hours=1)], Ticks()
    tmp_path.joinpath("demo.toml").write_text(deadline_schedule(
        "2025-03-20 12:00", leads="[]", extra='\n[[announcements]]\nid = "open"\n'
        'at = "2025-03-19 12:00"\ntext = "Submissions are open."\n'), encoding="utf-8")
    service = make(tmp_path, "slack:#general", {"slack": slack_channel(slack, ticks)}, clock)
    slack.script("chat.postMessage", *unavailable(1000))
    run_until(service, clock, DUE + timedelta(hours=8), ticks)
    row = the_row(service)
    assert row.kind == "announcement" and (row.state, row.attempts) == ("dead", 0), row
    assert row.reason.startswith("gave up: missed: due 2025-03-19 12:00 UTC") and (
        "beyond the grace window of 6h00m; last try: server unavailable: Slack: "
        in row.reason), row.reason
    service.ledger.close()
