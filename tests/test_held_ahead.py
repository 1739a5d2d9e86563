"""The job held ahead (its envelope opened early with the message before it, ``upcoming``)
on the engine's one inline channel: it waits only for the next job or the end of the run.

A lone due reminder goes in the run that claims it; a stop (SIGTERM) with a job held gives it
back unsent, no attempt used, and the next run sends it once; a database that fails while one
is held must not see it sent (it could not be recorded: it would go again).
"""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session

from bot.config import DeliveryConfig
from bot.errors import StorageError
from bot.service import Service
from tests import services
from tests.services import deadline_schedule
from tests.smtp_server import SmtpTestServer, _Handler
from tests.smtp_server import running_smtp as running

SCHEDULE = deadline_schedule("2030-03-20 12:00", event_id="ahead", name="Ahead Workshop")
DUE = datetime(2030, 3, 19, 12, 0, tzinfo=UTC)


def mail_service(tmp_path: Path, server: SmtpTestServer, people: int,
                 clock: list[datetime], **changes: Any) -> Service:
    """Mail its one channel, one session: each job runs inline when the next is put."""
    service = services.make_service(
        tmp_path, SCHEDULE, [f"mailto:p{i}@example.org" for i in range(people)],
        lambda: clock[0], smtp=server, connections=1, **changes)
    del service.engine.channels["console"]
    service.reconcile(DUE - timedelta(hours=1))
    return service


def keys(server: SmtpTestServer) -> list[str]:
    return [str(m.message["X-Duebot-Key"]) for m in server.messages]


def test_a_lone_reminder_goes_at_its_due_time_in_the_run_that_claims_it(
        tmp_path: Path) -> None:
    clock = [DUE - timedelta(minutes=1)]
    with running(pipelining=True) as server:
        service = mail_service(tmp_path, server, 1, clock)
        early = service.deliver_once(clock[0])
        clock[0] = DUE
        report = service.deliver_once(clock[0])
        counts = service.ledger.counts("ahead")
        service.ledger.close()

    assert early.sent == 0
    assert report.sent == 1
    assert counts == {"sent": 1}
    assert len(server.messages) == 1


class StopAtDot(_Handler):
    """At the first final dot, the process is told to stop (SIGTERM sets the event)."""

    def __init__(self, owner: SmtpTestServer) -> None:
        super().__init__(owner)
        self.stop: Any = None

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if not self.owner.messages and self.stop is not None:
            self.stop.set()
        return str(await super().handle_DATA(server, session, envelope))


def test_a_stop_with_a_job_held_ahead_gives_it_back_and_the_next_run_sends_it_once(
        tmp_path: Path) -> None:
    server = SmtpTestServer(pipelining=True)
    handler = StopAtDot(server)
    server._controller.handler = handler
    server.start()
    try:
        service = mail_service(tmp_path, server, 3, [DUE])
        handler.stop = service.stop_event
        first = service.deliver_once(DUE)
        after_stop = dict(service.ledger.counts("ahead"))
        attempts = [r.attempts
                    for r in service.ledger.rows(event_id="ahead", states=["pending"])]
        service.stop_event.clear()
        second = service.deliver_once(DUE + timedelta(seconds=5))
        counts = service.ledger.counts("ahead")
        service.ledger.close()
    finally:
        server.stop()

    assert first.sent == 1
    assert after_stop == {"sent": 1, "pending": 2}
    assert attempts == [0, 0]
    assert second.sent == 2
    assert counts == {"sent": 3}
    assert sorted(keys(server)) == sorted(set(keys(server)))
    assert len(server.messages) == 3


def test_a_database_failing_while_a_job_is_held_does_not_see_it_sent(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The second claim fails (the database went away): the job held ahead must not be sent
    now, when its record cannot be written (it would be sent again once its lease ran out);
    every message the server took is recorded sent."""
    with running(pipelining=True) as server:
        service = mail_service(tmp_path, server, 3, [DUE])
        ledger = service.ledger
        real_claim, real_finish, real_release = ledger.claim, ledger.finish, ledger.release
        down = [False]
        claims = [0]

        def claim(*args: Any, **kwargs: Any) -> Any:
            claims[0] += 1
            if claims[0] >= 2:
                down[0] = True
                raise StorageError("database unavailable: connection refused")
            return real_claim(*args, **kwargs)

        def finish(*args: Any, **kwargs: Any) -> Any:
            if down[0]:
                raise StorageError("database unavailable: connection refused")
            return real_finish(*args, **kwargs)

        def release(*args: Any, **kwargs: Any) -> Any:
            if down[0]:
                raise StorageError("database unavailable: connection refused")
            return real_release(*args, **kwargs)

        monkeypatch.setattr(ledger, "claim", claim)
        monkeypatch.setattr(ledger, "finish", finish)
        monkeypatch.setattr(ledger, "release", release)
        with pytest.raises(StorageError):
            service.deliver_once(DUE)
        monkeypatch.undo()
        counts = ledger.counts("ahead")
        ledger.close()

    assert counts.get("sent", 0) == len(server.messages), (counts, keys(server))
    assert len(server.messages) == 2  # the third, held ahead, waits for its lease to run out



class SlowDotTakenOver(_Handler):
    """The first final dot's 250 comes only after the claim's lease ran out, and meanwhile
    another replica claimed what that lease covered (the job held ahead with it)."""

    def __init__(self, owner: SmtpTestServer, lease: timedelta) -> None:
        super().__init__(owner)
        self.lease = lease
        self.other: Service | None = None
        self.taken: list[str] = []
        self.rcpts: list[str] = []

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope,
                          address: str, rcpt_options: list[str]) -> str:
        self.rcpts.append(address)
        return str(await super().handle_RCPT(server, session, envelope, address, rcpt_options))

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if not self.owner.messages and self.other is not None:
            await asyncio.sleep(self.lease.total_seconds() + 0.5)
            rows = self.other.ledger.claim(DUE, limit=10, lease=timedelta(minutes=5))
            self.taken = [r.destination for r in rows]
        return str(await super().handle_DATA(server, session, envelope))


def test_a_job_held_ahead_whose_lease_was_taken_over_is_not_sent(tmp_path: Path) -> None:
    """Its envelope went with the message before it; while that message's 250 was slow the
    lease ran out and another replica took the job: the lease check before its body finds
    that, and nothing of it goes (the server discards the open envelope)."""
    lease = timedelta(seconds=1)
    server = SmtpTestServer(pipelining=True)
    handler = SlowDotTakenOver(server, lease)
    server._controller.handler = handler
    server.start()
    try:
        service = mail_service(tmp_path, server, 2, [DUE], delivery=DeliveryConfig(lease=lease))
        handler.other = services.make_service(tmp_path, SCHEDULE, [], lambda: DUE,
                                              owner="other-replica")
        report = service.deliver_once(DUE)
        service.ledger.close()
        handler.other.ledger.close()
    finally:
        server.stop()

    assert "mailto:p1@example.org" in handler.taken
    assert handler.rcpts.count("p1@example.org") == 1  # its envelope went ahead
    assert keys(server) == ["ahead/paper/1d|mailto:p0@example.org"]
    assert report.lost_lease >= 1


def test_claims_of_one_row_each_go_on_with_a_job_held_and_a_record_pending(
        tmp_path: Path) -> None:
    """``batch_size = 1``: the room for two batches is two deliveries, and inline both are
    taken (the job held ahead, the record of the one before it) when the next claim waits for
    room; nothing but this thread could free it."""
    with running(pipelining=True) as server:
        service = mail_service(tmp_path, server, 3, [DUE],
                               delivery=DeliveryConfig(batch_size=1))
        done: list[Any] = []
        runner = threading.Thread(target=lambda: done.append(service.deliver_once(DUE)),
                                  daemon=True)
        runner.start()
        runner.join(timeout=20)
        hung = runner.is_alive()
        if hung:
            service.stop_event.set()
            runner.join(timeout=10)
        counts = service.ledger.counts("ahead")
        service.ledger.close()

    assert not hung, "the run waited for room only it could make"
    assert done[0].sent == 3
    assert counts == {"sent": 3}
    assert len(server.messages) == 3
