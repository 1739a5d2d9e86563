"""The SQLite ledger that still reads but refuses writes (a file made read-only, a full disk)
under a running service: the delivery job is down, not crashed; it says which database error,
not "unreachable"; ``/healthz`` names it with what to check; nothing is sent that cannot be
recorded; once writes work again every reminder goes once.

Tests run as root here, for whom a read-only file stays writable, and a small tmpfs is not to
be had: the ledger's own connections are made read-only (``PRAGMA query_only``: SQLite's
SQLITE_READONLY, what a read-only file gives). A full disk (SQLITE_FULL) takes the same path:
both are a ``StorageError`` that is not ``StorageUnavailable``. ``PRAGMA max_page_count`` cannot
cap a ledger below its size, and its free pages took the writes: it did not make one here.
"""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bot.adapters.console import ConsoleChannel
from bot.adapters.http import health_report
from bot.config import DeliveryConfig
from bot.service import Service
from tests import services
from tests.services import deadline_schedule

DUE = datetime(2030, 3, 19, 12, 0, tzinfo=UTC)
PEOPLE = 20


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 30) -> None:
    limit = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < limit, f"timed out waiting for {what}"
        time.sleep(0.05)


def refusing(service: Service, pragma: str | None) -> None:
    """Every connection the ledger opens from now on runs ``pragma`` (None: none)."""
    engine: sa.Engine = service.ledger.engine  # type: ignore[attr-defined]

    def on_connect(dbapi: Any, _record: Any) -> None:
        if pragma is not None:
            dbapi.execute(pragma)

    if getattr(service, "_refusing", None) is not None:
        sa.event.remove(engine, "connect", service._refusing)  # type: ignore[attr-defined]
    service._refusing = on_connect  # type: ignore[attr-defined]
    sa.event.listen(engine, "connect", on_connect)
    engine.dispose()  # the pooled connections go; new ones run the pragma


def test_a_ledger_that_refuses_writes_stops_sending_says_why_and_recovers(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    pragma, words = "PRAGMA query_only = 1", "attempt to write a readonly database"
    caplog.set_level(logging.INFO, logger="duebot")
    clock = [DUE - timedelta(hours=1)]
    console = io.StringIO()
    service = services.make_service(
        tmp_path, deadline_schedule("2030-03-20 12:00"),
        [f"console:{i}" for i in range(PEOPLE)], lambda: clock[0],
        delivery=DeliveryConfig(poll=timedelta(hours=1)), console=console,
        channels={"console": ConsoleChannel(console)})
    service.reconcile(clock[0])
    service.start()
    try:
        wait_for(lambda: service.health.last_delivery_run is not None, "a first run")
        refusing(service, pragma)
        clock[0] = DUE
        service.wake()
        wait_for(lambda: not service.jobs.states()["deliver"].up, "the job to report it")
        state = service.jobs.states()["deliver"]
        assert state.crashes == 0, state.error  # the database's trouble, not a bug
        assert state.error.startswith(f"database error: {words} (nothing is sent that cannot "
                                      "be recorded; check the database's disk space and "
                                      "permissions)"), state.error
        report = health_report(service, "ok", None)
        assert report["status"] == "down"
        (line,) = report["summary"]
        assert line.startswith("background job 'deliver' failing since "), line
        assert words in line and "check the database's disk space" in line
        assert console.getvalue().count("Demo Workshop") == 0  # nothing it could not record
        assert not [r for r in caplog.records if r.name == "duebot" and r.exc_info]

        refusing(service, None)  # writes work again
        service.wake()
        wait_for(lambda: service.jobs.states()["deliver"].up, "the job to run again")
        wait_for(lambda: service.ledger.counts().get("sent", 0) == PEOPLE, "every reminder")
        assert service.ledger.counts() == {"sent": PEOPLE}
    finally:
        service.stop()
        service.ledger.close()
