"""A mail server that hangs, then recovers: every reminder still arrives, and arrives once.

Issue 15, item 1: attempts were counted at every claim, so deliveries whose lease ran out while
they waited behind hanging sends were claimed again in the same run and went dead after one
real try. Here a real SMTP server (aiosmtpd on loopback) stops answering at RCPT, so each send
times out; the batch takes several leases' worth of time. An attempt is a send that was tried;
a lease that lapsed unsent is not one; a failed delivery waits for its backoff whoever claims it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import DeliveryConfig
from bot.service import Service
from tests import services
from tests.services import deadline_schedule
from tests.smtp_server import SmtpTestServer, running_smtp

SCHEDULE = deadline_schedule("2030-03-20 12:00", event_id="hang", name="Hang Workshop")

DUE = datetime(2030, 3, 19, 12, 0, tzinfo=UTC)
BEFORE = DUE - timedelta(hours=1)
AT = DUE + timedelta(seconds=1)
BACKOFF = timedelta(minutes=1)
LEASE = timedelta(seconds=1.2)  # the SMTP timeout (0.3 s) is under half of it, as documented


def addresses(count: int) -> list[str]:
    return [f"person{i}@example.org" for i in range(count)]


def make_service(tmp_path: Path, server: SmtpTestServer, count: int, connections: int, *,
                 owner: str = "hang-replica", clock: list[datetime]) -> Service:
    return services.make_service(
        tmp_path, SCHEDULE, [f"mailto:{a}" for a in addresses(count)], lambda: clock[0],
        smtp=server, smtp_timeout=0.3, connections=connections,
        sender="Hang <noreply@example.org>", owner=owner,
        delivery=DeliveryConfig(lease=LEASE, batch_size=100, max_attempts=3,
                                retry_backoff=BACKOFF, max_backoff=timedelta(minutes=10)))


@pytest.fixture
def hanging() -> Iterator[SmtpTestServer]:
    with running_smtp() as server:
        yield server


@pytest.mark.parametrize(("connections", "count"), [(1, 12), (4, 24)])
def test_a_hanging_mail_server_then_recovering_delivers_every_reminder_once(
        tmp_path: Path, hanging: SmtpTestServer, connections: int, count: int) -> None:
    clock = [BEFORE]
    service = make_service(tmp_path, hanging, count, connections, clock=clock)
    service.reconcile(BEFORE)
    hanging.recipient_modes = dict.fromkeys(addresses(count), "hang")

    clock[0] = AT
    first = service.deliver_once(AT)  # every send times out; the batch outlives its lease
    assert (first.sent, first.dead, first.failed) == (0, 0, count), first
    rows = service.ledger.rows(event_id="hang")
    assert {r.state for r in rows} == {"failed"}
    assert {r.attempts for r in rows} == {1}  # one real try each, however often it was held
    assert all(r.next_attempt >= AT + BACKOFF for r in rows)
    assert hanging.messages == []

    # Another replica looking before the backoff is over takes nothing.
    other = make_service(tmp_path, hanging, count, connections, owner="other", clock=clock)
    clock[0] = AT + BACKOFF / 2
    assert other.deliver_once(AT + BACKOFF / 2).handled == 0
    other.ledger.close()

    hanging.recipient_modes = {}
    hanging.release()
    moment = AT
    for _ in range(4):
        moment += timedelta(minutes=10)
        clock[0] = moment
        service.deliver_once(moment)
    counts = service.ledger.counts("hang")
    assert counts == {"sent": count}, counts
    got = Counter(r for m in hanging.messages for r in m.rcpt_tos)
    assert got == Counter(addresses(count))  # every reminder, once
    assert {r.attempts for r in service.ledger.rows(event_id="hang")} == {2}
    service.ledger.close()
