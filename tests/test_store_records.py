"""Recording outcomes on PostgreSQL: one round trip a record, a kept connection per thread.

A record per message is what keeps the crash window one message wide, so its cost is paid per
message. On PostgreSQL it is one statement in autocommit on a connection kept out of the pool,
prepared at its first use: one round trip (psycopg sent BEGIN, the statement and COMMIT, three
round trips). Threads recording at once each keep one (up to one fewer than the pool's size),
and a connection that goes back to the pool is out of autocommit, so SQLAlchemy's own
transactions there still roll back. Round trips are counted in libpq's own trace of what the
client sent (a ``Sync`` ends an extended-protocol exchange, a ``Query`` is one by itself).
And the crash window stays one message a session: a real SMTP server looks into PostgreSQL
at each final dot, and every message it took before is committed, but one per session.
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
from aiosmtpd.smtp import SMTP, Envelope, Session

from bot.adapters.store.database import make_engine
from bot.adapters.store.ledger import Ledger
from bot.config import DeliveryConfig
from bot.ports import Planned
from tests import services
from tests.pg import fresh_database, query, require_pg
from tests.services import deadline_schedule
from tests.smtp_server import SmtpTestServer, _Handler

DUE = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)
BEFORE = DUE - timedelta(hours=1)
AT = DUE + timedelta(seconds=30)
LEASE = timedelta(seconds=60)
WATCHED = deadline_schedule("2030-03-20 12:00", event_id="watched", name="Watched Workshop")
WATCHED_DUE = datetime(2030, 3, 19, 12, 0, tzinfo=UTC)


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


class _PgWatcher(_Handler):
    """At each final dot: how many messages came before, and how many PostgreSQL shows sent
    to another connection (committed, not only written)."""

    def __init__(self, owner: SmtpTestServer, url: str) -> None:
        super().__init__(owner)
        self.url = url
        self.seen: list[tuple[int, int]] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        [(sent,)] = query(self.url, "SELECT count(*) FROM deliveries WHERE state = 'sent'")
        self.seen.append((len(self.owner.messages), int(sent)))
        return str(await super().handle_DATA(server, session, envelope))


@pytest.mark.parametrize("connections", [1, 3])
def test_on_postgresql_every_message_before_a_final_dot_is_committed_but_one_per_session(
        pg_url: str, tmp_path: Path, connections: int) -> None:
    people = 24
    server = SmtpTestServer(pipelining=True)
    watcher = _PgWatcher(server, pg_url)
    server._controller.handler = watcher
    server.start()
    try:
        service = services.make_service(
            tmp_path, WATCHED, [f"mailto:p{i:02d}@example.org" for i in range(people)],
            lambda: WATCHED_DUE, smtp=server, connections=connections,
            delivery=DeliveryConfig(batch_size=5), database_url=pg_url)
        service.reconcile(WATCHED_DUE - timedelta(hours=1))
        report = service.deliver_once(WATCHED_DUE + timedelta(seconds=1))
        service.ledger.close()
    finally:
        server.stop()

    assert report.sent == people
    assert query(pg_url, "SELECT count(*) FROM deliveries WHERE state = 'sent'") == [(people,)]
    assert len(watcher.seen) == people
    # Taken before this final dot and not yet committed: at most one per session.
    assert all(before - sent <= connections for before, sent in watcher.seen), watcher.seen
    if connections == 1:  # one session: the one before is committed, every time
        assert [sent for _, sent in watcher.seen] == list(range(people))
