"""The mail server hangs at 3 am with many reminders due: duebot waits it out in one probe a
try and one log line a run, and when the server is back every reminder still worth sending
goes out once (late ones with their note), the rest dead with why.

A raw-socket server that takes the connection and never greets (``tests/stalling_smtp.py``),
the real SMTP channel, a real SQLite ledger, the clock injected.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from bot.adapters.http import build_app
from bot.app.status import gather, render_table
from bot.config import DeliveryConfig
from bot.service import Service
from tests import services
from tests.services import deadline_schedule
from tests.slack_stub import serving
from tests.stalling_smtp import StallingSmtp, stalling_smtp

DEADLINE = datetime(2030, 3, 20, 12, 0, tzinfo=UTC)
TIMEOUT = 0.3
CONNECTIONS = 2
PEOPLE = [f"p{i}@example.org" for i in range(12)]


@pytest.fixture
def server() -> Iterator[StallingSmtp]:
    with stalling_smtp() as stalling:
        yield stalling


def make(tmp_path: Path, server: StallingSmtp, clock: list[datetime], leads: str,
         grace: timedelta = timedelta(hours=1)) -> Service:
    return services.make_service(
        tmp_path, deadline_schedule(DEADLINE, leads=leads), [f"mailto:{p}" for p in PEOPLE],
        lambda: clock[0], smtp=server, smtp_timeout=TIMEOUT,  # type: ignore[arg-type]
        connections=CONNECTIONS,
        delivery=DeliveryConfig(grace=grace, retry_backoff=timedelta(minutes=1),
                                max_backoff=timedelta(minutes=10), max_attempts=3))


def loud(caplog: pytest.LogCaptureFixture) -> list[str]:
    """duebot's warnings and errors so far (then forgotten)."""
    lines = [r.getMessage() for r in caplog.records
             if r.name.startswith("duebot") and r.levelno >= logging.WARNING]
    caplog.clear()
    return lines


def run_until(service: Service, clock: list[datetime], end: datetime,
              server: StallingSmtp | None = None) -> int:
    """Run the deliver job at each instant something is due, as `run` would, up to ``end``;
    returns the runs made. With ``server``: no run opened more than one probe a session."""
    runs = 0
    while True:
        wake = service.ledger.next_wake()
        if wake is None or wake > end:
            return runs
        clock[0] = max(wake, clock[0])
        before = server.connections if server else 0
        service.deliver_once(clock[0])
        runs += 1
        if server is not None:
            assert server.connections - before <= CONNECTIONS, (clock[0], server.connections)


def test_many_due_at_a_silent_server_cost_one_probe_a_session_and_one_line(
        tmp_path: Path, server: StallingSmtp, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    due = DEADLINE - timedelta(days=1)
    clock = [due - timedelta(hours=1)]
    service = make(tmp_path, server, clock, '["1d"]')
    service.reconcile(clock[0])
    server.stall = "banner"
    clock[0] = due
    report = service.deliver_once(due)
    assert report.failed == len(PEOPLE)
    # Not one timeout per reminder: a session's try finds it away, the rest wait with it.
    assert server.connections <= CONNECTIONS, server.connections
    rows = service.ledger.rows()
    assert {(r.state, r.attempts) for r in rows} == {("failed", 0)}
    assert all(r.reason.startswith("server unavailable: no greeting from 127.0.0.1:")
               for r in rows), rows[0].reason
    assert len({r.next_attempt for r in rows}) == 1  # they wait for the same next try
    (line,) = loud(caplog)  # one line for the outage, not one per reminder
    assert line.startswith(f"mailto unavailable: no greeting from 127.0.0.1:{server.port}")
    assert f"{len(PEOPLE)} deliveries wait, no attempt used; next try " in line
    service.ledger.close()


def test_two_hours_down_then_back_every_reminder_once_late_ones_noted_expired_dead(
        tmp_path: Path, server: StallingSmtp, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    # Due 08:00 (into the outage: past its 90 minutes of grace before the server is back,
    # dead), 09:10 (sent late when it is back), 10:15 (after it is back: on time).
    down, back = DEADLINE.replace(hour=8), DEADLINE.replace(hour=10)
    clock = [down - timedelta(hours=1)]
    service = make(tmp_path, server, clock, '["4h", "170m", "105m"]',
                   grace=timedelta(minutes=90))
    service.reconcile(clock[0])
    server.stall = "banner"
    clock[0] = down
    run_until(service, clock, back, server)
    first, gave_up = loud(caplog)  # the outage's first line, then one info line a run
    assert first.startswith("mailto unavailable: no greeting from"), first
    assert gave_up.startswith(f"mailto: {len(PEOPLE)} deliveries given up (dead) after "
                              "waiting on it"), gave_up  # one line, not one a reminder
    dead = [r for r in service.ledger.rows() if r.state == "dead"]
    assert len(dead) == len(PEOPLE) and {r.item_id for r in dead} == {"demo/paper/4h"}
    assert all(r.reason.startswith("gave up: ") and "last try: server unavailable: no "
               "greeting from" in r.reason and r.attempts == 0 for r in dead), dead[0].reason

    server.stall = ""  # back
    run_until(service, clock, DEADLINE)
    assert service.ledger.counts() == {"dead": len(PEOPLE), "sent": 2 * len(PEOPLE)}
    # Each reminder still worth sending arrived once; none of the dead one.
    got = Counter(server.messages)
    assert set(got.values()) == {1} and len(got) == 2 * len(PEOPLE), got
    late = [r for r in service.ledger.rows(states=["sent"]) if r.due < back]
    assert len(late) == len(PEOPLE)
    assert all(r.reason.startswith("sent (late by ") for r in late), late[0].reason
    # Found back within one try of max_backoff: every one waiting went in that run.
    assert {r.sent_at for r in late} == {late[0].sent_at}
    assert late[0].sent_at is not None and late[0].sent_at - back <= timedelta(minutes=10)
    lines = loud(caplog)
    assert any(line.startswith("mailto is back: it took a message (unavailable since "
                               "2030-03-20 08:00Z)") for line in lines), lines
    service.ledger.close()


def test_healthz_says_what_is_away_since_when_and_the_next_try_then_ok_again(
        tmp_path: Path, server: StallingSmtp) -> None:
    due = DEADLINE - timedelta(days=1)
    clock = [due - timedelta(hours=1)]
    service = make(tmp_path, server, clock, '["1d"]')
    service.reconcile(clock[0])
    server.stall = "banner"
    with serving(build_app(service)) as url:
        clock[0] = due
        service.deliver_once(due)
        answer = httpx.get(f"{url}/healthz", timeout=10)
        report = answer.json()
        assert (answer.status_code, report["status"]) == (200, "degraded")
        deliveries = report["deliveries"]
        assert deliveries["unavailable_since"] == {"mailto": "2030-03-19T12:00:00Z"}
        assert deliveries["unavailable_next_try"] == {"mailto": "2030-03-19T12:01:00Z"}
        away = [line for line in report["summary"] if line.startswith("mailto ")]
        assert away == [
            f"mailto server unavailable: no greeting from 127.0.0.1:{server.port} within "
            f"{TIMEOUT:g} s (since 2030-03-19T12:00:00Z). What waits on it is tried again at "
            "2030-03-19T12:01:00Z, with no attempt used; duebot sends it once mailto answers, "
            "and gives one up (dead, with why) only once its reminder no longer makes sense. "
            "Check mailto's server or status page."], report["summary"]
        assert f"{len(PEOPLE)} deliveries wait for their next try (those waiting on mailto " \
            "above among them): duebot retries each by itself." in report["summary"][-1]
        table = render_table(gather(service, due))  # `duebot status`, from the ledger
        assert (f"  waiting on mailto: {len(PEOPLE)} (no attempt used; latest: server "
                f"unavailable: no greeting from 127.0.0.1:{server.port}") in table, table
        assert ("    oldest due 2030-03-19T12:00:00Z, next try 2030-03-19T12:01:00Z: duebot "
                "keeps trying by itself and sends each once mailto answers") in table, table

        server.stall = ""
        clock[0] = due + timedelta(minutes=1)
        assert service.deliver_once(clock[0]).sent == len(PEOPLE)
        report = httpx.get(f"{url}/healthz", timeout=10).json()
        assert (report["status"], report["summary"]) == ("ok", [])
    service.ledger.close()


def test_a_server_that_takes_each_message_and_never_answers_costs_one_timeout_a_session(
        tmp_path: Path, server: StallingSmtp, caplog: pytest.LogCaptureFixture) -> None:
    """The final dot goes and no answer comes: that message may have been delivered (it
    counts, and its next send says it may be a second copy); the others due at that server
    wait for its next try with no attempt used, instead of one timeout each."""
    caplog.set_level(logging.INFO)
    due = DEADLINE - timedelta(days=1)
    clock = [due - timedelta(hours=1)]
    service = make(tmp_path, server, clock, '["1d"]')
    service.reconcile(clock[0])
    server.stall = "dot"  # takes the message, never answers its final dot
    with serving(build_app(service)) as url:
        clock[0] = due
        assert service.deliver_once(due).failed == len(PEOPLE)
        rows = service.ledger.rows()
        maybe = [r for r in rows if r.attempts == 1]
        held = [r for r in rows if r.attempts == 0]
        # One silent message a session at most: not one timeout a reminder.
        assert 1 <= len(maybe) <= CONNECTIONS and len(maybe) + len(held) == len(PEOPLE), rows
        assert len(server.messages) == len(maybe)  # only those went
        assert all(r.reason.startswith(f"no answer after DATA from 127.0.0.1:{server.port} "
                                       f"within {TIMEOUT:g} s: the message may have been "
                                       f"delivered; retry in ") for r in maybe), maybe[0].reason
        assert all(r.reason.startswith(f"server unavailable: no answer after DATA from "
                                       f"127.0.0.1:{server.port} within {TIMEOUT:g} s, with ")
                   and "(no attempt used)" in r.reason
                   and "may have been delivered" not in r.reason for r in held), held[0].reason
        # They go at that message's next try, together.
        assert len({r.next_attempt for r in held}) == 1
        assert {r.next_attempt for r in held} <= {r.next_attempt for r in maybe}
        lines = loud(caplog)
        assert sum(line.startswith("failed ") and "may have been delivered" in line
                   for line in lines) == len(maybe), lines  # each one that may have arrived
        assert [line for line in lines if line.startswith("mailto ")] == [
            line for line in lines if line.startswith(
                f"mailto unavailable: no answer after DATA from 127.0.0.1:{server.port}")
            and f"{len(held)} deliveries wait, no attempt used" in line], lines
        report = httpx.get(f"{url}/healthz", timeout=10).json()
        assert report["status"] == "degraded"
        words = report["deliveries"]["unavailable"]["mailto"]
        assert words.startswith("server unavailable: not answering once a message went: no "
                                f"answer after DATA from 127.0.0.1:{server.port}"), words
        assert f"{maybe[0].key} may have been delivered" in words or (
            f"{maybe[-1].key} may have been delivered" in words), words
        assert any(line.startswith("mailto server unavailable: not answering once a message "
                                   "went") for line in report["summary"]), report["summary"]

        server.stall = ""
        run_until(service, clock, due + timedelta(minutes=5))
        rows = {r.key: r for r in service.ledger.rows()}
        assert {r.state for r in rows.values()} == {"sent"}
        for first in maybe:
            again = rows[first.key]
            assert again.attempts == 2 and again.reason.startswith(
                "sent again (attempt 2): the try before may have delivered it too, so it may "
                "have arrived twice"), again.reason
        for waited in held:
            assert rows[waited.key].attempts == 1 and rows[waited.key].reason.startswith(
                "sent: 250 "), rows[waited.key].reason  # no word of a second copy
        got = Counter(server.messages)
        assert Counter(got.values()) == {2: len(maybe), 1: len(held)}, got  # held: once
        warned = [line for line in loud(caplog) if line.startswith("sent ")]
        assert len(warned) == len(maybe)  # each second copy said where it is logged
        report = httpx.get(f"{url}/healthz", timeout=10).json()
        assert (report["status"], report["summary"]) == ("ok", []), report
    service.ledger.close()


def test_the_last_attempt_lost_to_silence_still_holds_the_others(
        tmp_path: Path, server: StallingSmtp) -> None:
    """With one attempt allowed, the message the server went silent on is dead (with why);
    the others due there still wait for the next try instead of each losing its only one."""
    due = DEADLINE - timedelta(days=1)
    clock = [due - timedelta(hours=1)]
    service = services.make_service(
        tmp_path, deadline_schedule(DEADLINE, leads='["1d"]'),
        [f"mailto:{p}" for p in PEOPLE], lambda: clock[0], smtp=server,  # type: ignore[arg-type]
        smtp_timeout=TIMEOUT, connections=CONNECTIONS,
        delivery=DeliveryConfig(retry_backoff=timedelta(minutes=1), max_attempts=1,
                                max_backoff=timedelta(minutes=10)))
    service.reconcile(clock[0])
    server.stall = "dot"
    clock[0] = due
    service.deliver_once(due)
    rows = service.ledger.rows()
    dead = [r for r in rows if r.state == "dead"]
    assert 1 <= len(dead) <= CONNECTIONS, rows
    assert all(r.reason.startswith("gave up after 1 attempts: no answer after DATA") for r in dead)
    assert {(r.state, r.attempts) for r in rows if r.state != "dead"} == {("failed", 0)}
    assert len(server.messages) == len(dead)
    server.stall = ""
    run_until(service, clock, due + timedelta(minutes=15))
    assert service.ledger.counts() == {"dead": len(dead), "sent": len(PEOPLE) - len(dead)}
    service.ledger.close()
