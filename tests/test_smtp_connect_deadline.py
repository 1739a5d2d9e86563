"""A mail relay whose name resolves slowly, or whose SYNs are never answered: cut at the deadline.

The send's deadline (``DEADLINE_FACTOR`` x ``[smtp] timeout``) bounded the dialogue once the
session's socket was connected, not the name lookup before it (``getaddrinfo`` has no timeout
of its own: a resolver that does not answer holds the delivery thread for as long as it likes)
nor the connects to each of the relay's addresses (each within the timeout, one after another:
eight blackholed addresses are eight timeouts). Here the relay's name is looked up by a
resolver that answers when the test lets it (``getaddrinfo`` stood in for that one name only),
and the blackholed addresses are real loopback listeners whose accept queue is full, so the
kernel drops every SYN (the connect waits, as for an address that drops packets). The send ends
within its deadline as the server's outage (no attempt used), in words that say what it waited
for; through the engine the reminder waits for its next try and ``/healthz`` says why.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.http import delivery_state, health_report
from bot.adapters.smtp import DEADLINE_FACTOR, SmtpChannel, SmtpSettings
from bot.config import DeliveryConfig
from bot.ports import Outcome, Outgoing
from tests import services
from tests.blackholes import BLACKHOLED, SLOW, Resolver, blackholed_addresses, stand_in
from tests.services import deadline_schedule

TIMEOUT = 0.2
DEADLINE = DEADLINE_FACTOR * TIMEOUT
CLOCK = datetime(2030, 3, 19, tzinfo=UTC)


@pytest.fixture
def blackholed() -> Iterator[list[tuple[str, int]]]:
    with blackholed_addresses() as addresses:
        yield addresses


@pytest.fixture
def resolver(monkeypatch: pytest.MonkeyPatch,
             blackholed: list[tuple[str, int]]) -> Iterator[Resolver]:
    resolver = stand_in(monkeypatch, blackholed)
    yield resolver
    resolver.answer.set()


def _channel(host: str, port: int = 25, security: str = "none") -> SmtpChannel:
    return SmtpChannel(SmtpSettings(host=host, port=port, timeout=TIMEOUT,
                                    security=security,  # type: ignore[arg-type]
                                    sender="duebot <noreply@example.org>"),
                       clock=lambda: CLOCK)


def _send(mail: SmtpChannel) -> tuple[Outcome, float]:
    """One message, in a thread, so that a send that never ends fails the test instead."""
    found: list[Outcome] = []
    began = time.monotonic()
    worker = threading.Thread(target=lambda: found.append(mail.send(Outgoing(
        key="k1", destination="mailto:pc@example.org", subject="s", text="t\n"))),
        daemon=True)
    worker.start()
    worker.join(DEADLINE + 2.0)
    took = time.monotonic() - began
    assert found, f"the send still hangs after {took:.1f} s"
    mail.close()
    return found[0], took


def test_a_name_lookup_that_never_answers_is_cut_at_the_deadline_as_an_outage(
        resolver: Resolver) -> None:
    outcome, took = _send(_channel(SLOW))
    assert resolver.asked == [SLOW]
    assert took < DEADLINE + TIMEOUT, took
    assert outcome.kind == "retry" and outcome.server_down, outcome
    assert outcome.reason == (f"{SLOW}:25 did not answer within {DEADLINE:g} s (the send's "
                              f"deadline): the name lookup of {SLOW} never ended")


@pytest.mark.parametrize("security", ["none", "ssl"])
def test_connects_whose_syns_are_never_answered_end_at_the_deadline_as_an_outage(
        resolver: Resolver, blackholed: list[tuple[str, int]], security: str) -> None:
    """Eight addresses, each connect within the timeout: eight timeouts, twice the deadline,
    had each address its own; the deadline is the send's, whatever it waits for."""
    outcome, took = _send(_channel(BLACKHOLED, security=security))
    assert took < DEADLINE + 2 * TIMEOUT, took  # eight timeouts: 2 x DEADLINE
    assert outcome.kind == "retry" and outcome.server_down, outcome
    assert outcome.reason.startswith(
        f"{BLACKHOLED}:25 did not answer within {DEADLINE:g} s (the send's deadline): no "
        f"connection to 127.0.0.")
    assert "tried " in outcome.reason


def test_a_lookup_that_answers_in_time_still_sends(resolver: Resolver,
                                                   smtp: Any) -> None:
    """The bounded lookup gives the real answer when there is one (the usual case)."""
    resolver.answer.set()
    outcome, _ = _send(_channel(SLOW, port=smtp.port))
    assert outcome.kind == "sent", outcome
    assert len(smtp.messages) == 1


SCHEDULE = deadline_schedule("2030-03-20 12:00", event_id="dns", name="DNS Workshop")
DUE = datetime(2030, 3, 19, 12, 0, tzinfo=UTC)


def test_through_the_engine_the_reminder_waits_with_no_attempt_used_and_healthz_says_why(
        tmp_path: Path, resolver: Resolver) -> None:
    clock = [DUE - timedelta(hours=1)]
    service = services.make_service(
        tmp_path, SCHEDULE, ["mailto:ana@example.org"], lambda: clock[0],
        delivery=DeliveryConfig(lease=timedelta(seconds=5), retry_backoff=timedelta(minutes=1)),
        channels={"mailto": _channel(SLOW)})
    try:
        service.reconcile(clock[0])
        clock[0] = DUE + timedelta(seconds=1)
        began = time.monotonic()
        run = service.deliver_once(clock[0])
        assert time.monotonic() - began < DEADLINE + 2.0
        assert (run.sent, run.dead, run.failed) == (0, 0, 1), run
        (row,) = service.ledger.rows(event_id="dns")
        assert row.state == "failed" and row.attempts == 0, row  # the server's outage
        assert "the name lookup of slow-dns.relay.test never ended" in row.reason
        report = health_report(service, "ok", delivery_state(service))
        assert report["status"] == "degraded"
        said = " ".join(report["summary"])
        assert "1 delivery wait" in said
        assert "the name lookup of slow-dns.relay.test never ended" in said, said
    finally:
        service.ledger.close()
