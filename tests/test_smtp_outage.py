"""A mail server that is away (no connection, no greeting, 421) is an outage, not the
message's fault: as MTAs do, it uses up none of a delivery's attempts; the delivery is retried
with backoff while the reminder still makes sense, and recorded dead, with why, once it does
not. A server that stalls after DATA may have taken the message: that try counts, and its
reason says so (the crash window: it is retried, and may arrive twice, RFC 1047)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.smtp import SmtpChannel, SmtpSettings
from bot.config import DeliveryConfig
from bot.ports import Outgoing
from bot.service import Service
from tests import services
from tests.bad_smtp import BadSmtp, bad_smtp
from tests.services import deadline_schedule

DUE = datetime(2030, 3, 19, 12, 0, tzinfo=UTC)  # the 1d reminder of a deadline a day later
TIMEOUT = 0.4


@pytest.fixture
def server() -> Iterator[BadSmtp]:
    with bad_smtp() as bad:
        yield bad


def channel(server: BadSmtp) -> SmtpChannel:
    return SmtpChannel(SmtpSettings(host=server.host, port=server.port, timeout=TIMEOUT,
                                    sender="duebot <noreply@example.org>"),
                       clock=lambda: DUE)


def outgoing(key: str = "k1") -> Outgoing:
    return Outgoing(key=key, destination="mailto:pc@example.org", subject="s", text="t\n")


def test_a_server_that_never_greets_is_named_and_is_an_outage(server: BadSmtp) -> None:
    server.mode = "silent"
    with channel(server) as mail:
        outcome = mail.send(outgoing())
    assert outcome.kind == "retry" and outcome.server_down
    assert outcome.reason == f"no greeting from 127.0.0.1:{server.port} within {TIMEOUT:g} s"


def test_421_at_the_greeting_and_a_refused_connection_are_outages(server: BadSmtp) -> None:
    server.mode = "421"
    with channel(server) as mail:
        outcome = mail.send(outgoing())
    assert outcome.kind == "retry" and outcome.server_down, outcome
    server.close()
    with channel(server) as mail:
        refused = mail.send(outgoing())
    assert refused.kind == "retry" and refused.server_down, refused


def test_a_stall_after_data_says_the_message_may_have_gone_and_counts(server: BadSmtp) -> None:
    server.mode = "stall_data"
    with channel(server) as mail:
        outcome = mail.send(outgoing())
    assert outcome.kind == "retry" and not outcome.server_down
    assert outcome.reason == (f"no answer after DATA from 127.0.0.1:{server.port} within "
                              f"{TIMEOUT:g} s: the message may have been delivered")
    assert server.messages == ["k1"]  # it did arrive


def make(tmp_path: Path, server: BadSmtp, clock: list[datetime], **delivery: Any) -> Service:
    settings = {"max_attempts": 2, "retry_backoff": timedelta(minutes=1),
                "max_backoff": timedelta(hours=1), "grace": timedelta(hours=6), **delivery}
    return services.make_service(
        tmp_path, deadline_schedule("2030-03-20 12:00"), ["mailto:pc@example.org"],
        lambda: clock[0], smtp=server, smtp_timeout=TIMEOUT,  # type: ignore[arg-type]
        delivery=DeliveryConfig(**settings))


def run_until(service: Service, clock: list[datetime], end: datetime) -> None:
    """Run the deliver job at each instant something is due, as `run` would, up to ``end``."""
    while True:
        wake = service.ledger.next_wake()
        if wake is None or wake > end:
            return
        clock[0] = max(wake, clock[0])
        service.deliver_once(clock[0])


def test_an_outage_of_hours_uses_no_attempts_and_the_reminder_goes_when_it_ends(
        tmp_path: Path, server: BadSmtp) -> None:
    clock = [DUE - timedelta(days=2)]
    service = make(tmp_path, server, clock)
    service.reconcile(clock[0])
    server.mode = "421"
    run_until(service, clock, DUE + timedelta(hours=3))
    (row,) = service.ledger.rows()
    assert (row.state, row.attempts) == ("failed", 0), row
    assert row.reason.startswith("server unavailable: ") and "no attempt used" in row.reason
    assert server.connections >= 6  # it kept trying, backing off up to an hour
    server.mode = "ok"
    run_until(service, clock, DUE + timedelta(hours=5))
    (row,) = service.ledger.rows()
    assert (row.state, row.attempts) == ("sent", 1), row
    assert server.messages == ["demo/paper/1d|mailto:pc@example.org"]
    service.ledger.close()


def test_an_outage_past_what_the_reminder_is_for_makes_it_dead_with_why(
        tmp_path: Path, server: BadSmtp) -> None:
    clock = [DUE - timedelta(days=2)]
    service = make(tmp_path, server, clock, grace=timedelta(days=2))
    service.reconcile(clock[0])
    server.mode = "silent"
    run_until(service, clock, DUE + timedelta(days=1, hours=2))
    (row,) = service.ledger.rows()
    assert row.state == "dead", row
    assert row.reason.startswith("gave up: not sent: what it reminds of was at 2030-03-20 "
                                 "12:00 UTC, already past; last try: server unavailable: "
                                 "no greeting from"), row.reason
    assert row.attempts == 0 and server.messages == []
    service.ledger.close()


def test_per_message_failures_still_count(tmp_path: Path, server: BadSmtp,
                                          caplog: pytest.LogCaptureFixture) -> None:
    clock = [DUE - timedelta(days=2)]
    service = make(tmp_path, server, clock)
    service.reconcile(clock[0])
    server.mode = "stall_data"
    with caplog.at_level("INFO", logger="duebot.delivery"):
        run_until(service, clock, DUE + timedelta(hours=1))
    (row,) = service.ledger.rows()
    assert (row.state, row.attempts) == ("dead", 2), row
    assert "may have been delivered" in row.reason
    levels = {r.levelname for r in caplog.records if "demo/paper/1d" in r.getMessage()
              and r.getMessage().startswith(("failed", "dead"))}
    assert levels == {"WARNING", "ERROR"}, levels  # failed: a warning; dead: an error
    service.ledger.close()
