"""Recording outcomes on PostgreSQL: one round trip a record, a kept connection per thread.

A record per message is what keeps the crash window one message wide, so its cost is paid per
message. On PostgreSQL it is one statement in autocommit on a connection kept out of the pool,
prepared at its first use: one round trip (psycopg sent BEGIN, the statement and COMMIT, three
round trips). Threads recording at once each keep one (up to one fewer than the pool's size),
and a connection that goes back to the pool is out of autocommit, so SQLAlchemy's own
transactions there still roll back. Round trips are counted in libpq's own trace of what the
client sent (a ``Sync`` ends an extended-protocol exchange, a ``Query`` is one by itself).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa

from bot.adapters.store.database import make_engine
from bot.adapters.store.ledger import Ledger
from bot.ports import Planned
from tests.pg import fresh_database, query, require_pg

DUE = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)
BEFORE = DUE - timedelta(hours=1)
AT = DUE + timedelta(seconds=30)
LEASE = timedelta(seconds=60)


def _plan(ledger: Ledger, count: int) -> list[str]:
    """``count`` deliveries due at ``DUE``, claimed by ``ledger``; their keys."""
    ledger.reconcile("ev", [Planned(key=f"r|mailto:p{i}@example.org", event_id="ev",
                                    date_id="paper", item_id="r",
                                    destination=f"mailto:p{i}@example.org", due=DUE)
                            for i in range(count)], BEFORE)
    rows = ledger.claim(AT, limit=count, lease=LEASE)
    assert len(rows) == count
    return [row.key for row in rows]


@pytest.fixture
def pg_url() -> Iterator[str]:
    require_pg()
    with fresh_database() as url:
        yield url


def _sent(trace: Path) -> list[str]:
    """The kinds of the messages the client sent, in order, from a libpq trace."""
    kinds = []
    for line in trace.read_text(encoding="utf-8", errors="replace").splitlines():
        fields = line.split("\t")
        if len(fields) >= 3 and fields[0] == "F":
            kinds.append(fields[2].split(" ", 1)[0])
    return kinds


def test_a_record_on_postgresql_is_one_prepared_round_trip(pg_url: str, tmp_path: Path) -> None:
    engine = make_engine(pg_url)
    made: list[Any] = []
    sa.event.listen(engine, "connect", lambda dbapi, _record: made.append(dbapi))
    ledger = Ledger(engine, owner="rec")
    ledger.ensure_schema()
    try:
        keys = _plan(ledger, 4)
        assert ledger.finish(keys[0], "sent", AT, "sent", count_attempt=True)  # warm: kept
        traces = []
        for number, dbapi in enumerate(made):
            trace = tmp_path / f"conn{number}.trace"
            handle = trace.open("w")
            dbapi.pgconn.trace(handle.fileno())
            dbapi.pgconn.set_trace_flags(psycopg.pq.Trace.SUPPRESS_TIMESTAMPS)
            traces.append((trace, handle, dbapi))
        for key in keys[1:]:
            assert ledger.finish(key, "sent", AT, "sent", count_attempt=True)
        for _trace, handle, dbapi in traces:
            dbapi.pgconn.untrace()  # flushes libpq's buffer
            handle.close()
        sent = [kind for trace, _handle, _dbapi in traces for kind in _sent(trace)]
        round_trips = [kind for kind in sent if kind in ("Sync", "Query")]
        assert len(round_trips) == 3, sent  # one a record: no BEGIN, no COMMIT of its own
        assert "Parse" not in sent, sent  # prepared at the first record, bound since
    finally:
        ledger.close()
    assert query(pg_url, "SELECT count(*) FROM deliveries WHERE state = 'sent'") == [(4,)]
    assert query(pg_url, "SELECT count(*) FROM delivery_log WHERE to_state = 'sent'") == [(4,)]


def test_a_record_of_a_row_no_longer_ours_writes_nothing(pg_url: str) -> None:
    ledger = Ledger.open(pg_url, owner="rec")
    try:
        (key,) = _plan(ledger, 1)
        assert not ledger.finish(key, "sent", AT, "sent", owner="someone-else")
        assert ledger.finish(key, "sent", AT, "sent", count_attempt=True)
        assert not ledger.finish(key, "sent", AT, "sent again")  # no longer claimed
    finally:
        ledger.close()
    assert query(pg_url, "SELECT state, attempts FROM deliveries") == [("sent", 1)]
    assert query(pg_url, "SELECT reason FROM delivery_log WHERE to_state = 'sent'") == [
        ("sent",)]


def test_threads_recording_at_once_keep_a_connection_each_and_the_pool_gets_none_in_autocommit(
        pg_url: str) -> None:
    threads_at_once = 8
    ledger = Ledger.open(pg_url, owner="rec", pool_size=5, max_overflow=5)
    try:
        keys = _plan(ledger, threads_at_once)
        libpq = pg_url.replace("postgresql+psycopg://", "postgresql://", 1)
        results: list[bool] = []
        # Another session locks the rows, so every record waits inside its UPDATE: all eight
        # are recording at once, each on a connection of its own.
        with psycopg.connect(libpq) as locker:
            locker.execute("SELECT 1 FROM deliveries FOR UPDATE").fetchall()
            workers = [threading.Thread(target=lambda k=key: results.append(ledger.finish(
                k, "sent", AT, "sent", count_attempt=True))) for key in keys]
            for worker in workers:
                worker.start()
            waited = time.monotonic() + 30
            while query(pg_url, "SELECT count(*) FROM pg_stat_activity WHERE datname = "
                                "current_database() AND wait_event_type = 'Lock'")[0][0] < (
                    threads_at_once):
                assert time.monotonic() < waited, "the records never all waited at once"
                time.sleep(0.02)
            locker.rollback()
        for worker in workers:
            worker.join(30)
        assert results == [True] * threads_at_once
        pool: Any = ledger.engine.pool
        assert pool.checkedout() == 4  # kept for the next records: the pool's size less one
        # What went back is out of autocommit: a transaction there still rolls back.
        others = [ledger.engine.raw_connection() for _ in range(pool.size() - 4)]
        try:
            assert [fairy.driver_connection.autocommit for fairy in others] == [False] * len(
                others)
        finally:
            for fairy in others:
                fairy.close()
        with ledger.engine.connect() as conn:
            conn.execute(sa.text("UPDATE deliveries SET reason = 'not kept'"))
            conn.rollback()
    finally:
        ledger.close()
    assert query(pg_url, "SELECT DISTINCT state, reason FROM deliveries") == [("sent", "sent")]
    assert query(pg_url, "SELECT count(*) FROM delivery_log WHERE to_state = 'sent'") == [(8,)]
