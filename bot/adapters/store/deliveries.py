"""Deliveries: the single source of truth for what was planned, claimed and sent.

Each delivery has a stable key; planning inserts with ON CONFLICT DO NOTHING, so re-planning
never duplicates. A delivery moves

    pending -> claimed (with a lease) -> sent | failed (retry later) | dead | skipped | cancelled

and every step is written to ``delivery_log`` with its time and reason.

Claiming is one statement (``UPDATE ... WHERE key IN (SELECT ... FOR UPDATE SKIP LOCKED)
RETURNING``), so replicas never claim the same row and never wait on each other's locks.
Leases are judged by the database's clock (``now()`` on PostgreSQL), never a replica's own
clock; the schedule's ``now`` (which ``--now`` may move for rehearsals) only decides what is due.
"""

from __future__ import annotations

import contextlib
import functools
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from bot.adapters.store import planning
from bot.adapters.store.database import Store, mapped_errors
from bot.adapters.store.schema import UTCDateTime, deliveries, delivery_log
from bot.ports import UNSENT, Planned, ReconcileReport, Row

# Statements run once per delivery, built once: SQLAlchemy then skips re-building the
# statement and its cache key on every call (most of a record's cost, beside the commit).
_LOG_INSERT = delivery_log.insert()
BATCH_SECONDS = 0.25
"""How long a batch of reconciles (``DeliveryStore.reconciling``) holds SQLite's write lock."""
FIRST_LOAD_SECONDS = 10.0
"""How long its first load into an empty ledger may hold it (``planning.defer``), once: the
deferred indexes are built then, and the load goes on in ``BATCH_SECONDS`` transactions. A
first start of 1,000 schedules x 20 dates takes one to two seconds (more on a loaded
machine); ``duebot run`` reconciles before it serves, so only another process's writer
waits, and well inside SQLite's busy timeout (30 s)."""



@functools.cache
def _record_sql(dialect: str, names: tuple[str, ...], count_attempt: bool
                ) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``finish``'s statements as the driver takes them, with the order of their parameters.

    The outcome of every message is committed on its own (the crash window is one message),
    so its cost is paid per message: through the driver directly it is a third of what
    SQLAlchemy's execution machinery cost (55 us against 177 us of CPU on SQLite). PostgreSQL:
    one statement (the UPDATE in a CTE feeding the history INSERT), run in autocommit: one
    round trip, its own transaction. SQLite: the UPDATE, then the INSERT, in one BEGIN
    IMMEDIATE transaction. Positional parameters on both: the driver maps no names.
    """
    postgres = dialect == "postgresql"

    def mark(name: str, order: list[str]) -> str:
        order.append(name)
        return "%s" if postgres else "?"

    update: list[str] = []
    sets = [f"{name} = {mark(name, update)}" for name in names]
    sets += ["lease_owner = NULL", "lease_until = NULL"]
    if count_attempt:  # a send was tried: only then is it an attempt (not a lapse, a release)
        sets.append("attempts = attempts + 1")
    where = f'"key" = {mark("key", update)} AND state = \'claimed\' AND lease_owner = '
    where += mark("owner", update)
    update_sql = f"UPDATE deliveries SET {', '.join(sets)} WHERE {where}"
    log: list[str] = []
    columns = '"key", at, from_state, to_state, reason, actor'
    if postgres:
        sql = (f"WITH moved AS ({update_sql} RETURNING \"key\") "
               f"INSERT INTO delivery_log ({columns}) SELECT moved.\"key\", "
               f"{mark('updated_at', update)}, 'claimed', {mark('state', update)}, "
               f"{mark('reason', update)}, {mark('actor', update)} FROM moved")
        return ((sql, tuple(update)),)
    values = (f"{mark('key', log)}, {mark('updated_at', log)}, 'claimed', "
              f"{mark('state', log)}, {mark('reason', log)}, {mark('actor', log)}")
    return ((update_sql, tuple(update)),
            (f"INSERT INTO delivery_log ({columns}) VALUES ({values})", tuple(log)))


@functools.cache
def _bind_instant(dialect: sa.Dialect) -> Callable[[datetime], Any]:
    """An instant as the driver takes it (SQLite: the very text SQLAlchemy stores). A run's
    records share their ``now``: each distinct instant is converted once."""
    process = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
    assert process is not None  # the TypeDecorator's own conversion, then the dialect's
    return functools.lru_cache(maxsize=256)(process)


class _Kept:
    """A pooled connection taken out for records, and when it last recorded.

    On PostgreSQL it is in autocommit while kept: a record is then one statement, one round
    trip (in a transaction psycopg sends BEGIN, the statement and COMMIT, one round trip
    each), prepared on the server at its first use. It leaves autocommit before it goes back
    to the pool, where SQLAlchemy expects transactions.
    """

    __slots__ = ("fairy", "used")

    def __init__(self, writer: Engine) -> None:
        self.fairy = fairy = _checkout(writer)
        self.used = time.monotonic()
        if writer.dialect.name != "postgresql":
            return
        dbapi: Any = writer.dialect.loaded_dbapi
        raw = fairy.driver_connection
        try:
            raw.rollback()  # none open after the pool's reset and ping: then no round trip
            raw.autocommit = True
        except dbapi.Error as exc:
            gone = writer.dialect.is_disconnect(exc, raw, None)
            if gone:
                fairy.invalidate(exc)
            fairy.close()
            with mapped_errors():
                raise sa.exc.DBAPIError.instance(None, None, exc, dbapi.Error,
                                                 connection_invalidated=gone) from exc

    def give_back(self) -> None:
        """Back to the pool (which replaces it if it was invalidated), out of autocommit."""
        raw = self.fairy.driver_connection
        if raw is not None and getattr(raw, "autocommit", False):
            try:
                raw.autocommit = False
            except Exception:  # broken: the pool must not have it back as it is
                self.fairy.invalidate()
        self.fairy.close()


class _Recorder:
    """Pooled connections kept for ``finish``'s records: one per thread recording at once.

    A record per message is the price of the one-message crash window, and the pool's
    checkout and return (reset, events, the pre-ping on PostgreSQL) cost half as much as the
    record itself. So the store keeps connections out of the pool for records, as many as
    threads have recorded at once, up to ``keep`` (one fewer than the pool's size, so claims
    and reads always find one): a thread that finds none free takes one from the pool (and
    gives it back after) as before, so it never waits on another thread's record and the
    pool's size still bounds what the store holds. Idle longer than ``IDLE_SECONDS`` one goes
    back and a fresh (pre-pinged) one is taken; a connection the database dropped is
    discarded.
    """

    IDLE_SECONDS = 30.0

    def __init__(self, keep: int = 1) -> None:
        self._lock = threading.Lock()
        self._free: list[_Kept] = []
        """Kept connections no thread is recording on; the one used last at the end."""
        self.keep = max(1, keep)

    def record(self, writer: Engine, record: tuple[tuple[str, tuple[str, ...]], ...],
               params: dict[str, Any]) -> bool:
        now = time.monotonic()
        stale: list[_Kept] = []
        with self._lock:
            while self._free and now - self._free[0].used > self.IDLE_SECONDS:
                stale.append(self._free.pop(0))  # the longest idle first
            kept = self._free.pop() if self._free else None
        for old in stale:
            old.give_back()
        if kept is None:
            kept = _Kept(writer)
        try:
            done = _run_record(writer, kept.fairy, record, params)
        except BaseException:
            kept.give_back()
            raise
        kept.used = time.monotonic()
        with self._lock:
            if len(self._free) < self.keep:
                self._free.append(kept)
                return done
        kept.give_back()
        return done

    @property
    def kept(self) -> int:
        """How many connections are kept out of the pool and free right now."""
        with self._lock:
            return len(self._free)

    def close(self) -> None:
        """Give the kept connections back to the pool (before the pool is disposed)."""
        with self._lock:
            free, self._free = self._free, []
        for kept in free:
            kept.give_back()


def _checkout(writer: Engine) -> Any:
    """A pooled DBAPI connection; refusals come out as SQLAlchemy's errors (so as ours)."""
    dbapi: Any = writer.dialect.loaded_dbapi
    with mapped_errors():
        try:  # the pool's connection, no Connection around it (nor its error wrapping)
            return writer.raw_connection()
        except dbapi.Error as exc:  # refused, the database not accepting connections ...
            raise sa.exc.DBAPIError.instance(None, None, exc, dbapi.Error) from exc


def _run_record(writer: Engine, fairy: Any, record: tuple[tuple[str, tuple[str, ...]], ...],
                params: dict[str, Any]) -> bool:
    """Run ``finish``'s statements in one committed transaction; False (nothing written) if
    the row was not ours. The driver's errors come out as SQLAlchemy's (so as ours, through
    ``mapped_errors``), and a connection the database dropped is invalidated, not reused.

    PostgreSQL (the connection in autocommit, ``_Kept``): the one statement is the
    transaction; a row not ours matches nothing, so nothing is written and there is nothing
    to roll back. SQLite: BEGIN IMMEDIATE, the UPDATE (rolled back if it matched nothing),
    the INSERT, COMMIT.
    """
    dialect = writer.dialect
    dbapi: Any = dialect.loaded_dbapi
    postgres = dialect.name == "postgresql"
    raw: Any = fairy.driver_connection
    sql = ""
    try:
        cursor = raw.cursor()
        try:
            if postgres:
                ((sql, order),) = record
                cursor.execute(sql, [params[n] for n in order], prepare=True)
                return bool(cursor.rowcount == 1)
            cursor.execute("BEGIN IMMEDIATE")
            for sql, order in record:
                cursor.execute(sql, [params[n] for n in order])
                if cursor.rowcount != 1:
                    raw.rollback()
                    return False
            raw.commit()  # sqlite3 (no isolation level): COMMIT of our BEGIN
            return True
        finally:
            cursor.close()
    except dbapi.Error as exc:
        gone = dialect.is_disconnect(exc, raw, None)
        if gone:
            fairy.invalidate(exc)
        else:
            _roll_back(raw)
        with mapped_errors():
            raise sa.exc.DBAPIError.instance(sql, params, exc, dbapi.Error,
                                             connection_invalidated=gone) from exc


def _roll_back(raw: Any) -> None:
    """Leave a kept connection outside any transaction after a failed statement (the
    statement's own error is the one to report)."""
    with contextlib.suppress(Exception):
        raw.rollback()


_ROW_FIELDS = tuple(c.name for c in deliveries.columns)


@functools.cache
def _claim_statement(postgres: bool) -> Any:
    """``claim``'s UPDATE ... RETURNING, built once (its values bound): a claim per batch
    built and keyed the expression anew.

    SQLite: what is due is picked per state, each pick walking the ``(state, next_attempt)``
    index in order and stopping after ``limit`` rows, and the soonest ``limit`` of those are
    claimed. One pick over both states sorted every due row to take the first 50: a fan-out
    of 10,000 sorted 10,000 rows 200 times. Among rows due at the same instant the index's
    order (the order they were planned in) decides which go first, not their keys. SQLite
    has one writer at a time, so the picks need no locks. PostgreSQL keeps the one pick
    under ``FOR UPDATE SKIP LOCKED``: replicas claim at once there, and with the locks taken
    in the branches of a UNION the killed-replica race test once saw early rows sent twice
    (not understood, so not used).
    """
    d = deliveries.c
    instant = UTCDateTime()
    db_now = sa.bindparam("p_db_now", type_=instant)
    limit = sa.bindparam("p_limit", type_=sa.Integer)
    approved = sa.or_(d.needs_approval == sa.false(), d.approved_at.is_not(None))
    now = sa.bindparam("p_now", type_=instant)
    lapsed = sa.and_(d.state == "claimed", d.lease_until < db_now)
    chosen: Any
    if postgres:
        due = sa.or_(sa.and_(d.state.in_(UNSENT), d.next_attempt <= now, approved), lapsed)
        chosen = (sa.select(d.key).where(due).order_by(d.next_attempt, d.key).limit(limit)
                  .with_for_update(skip_locked=True))
    else:
        picks = [sa.select(d.key, d.next_attempt).where(d.state == state,
                                                         d.next_attempt <= now, approved)
                 for state in UNSENT]
        picks.append(sa.select(d.key, d.next_attempt).where(lapsed))
        parts = []
        for pick in picks:
            part = pick.order_by(d.next_attempt).limit(limit).subquery()
            parts.append(sa.select(part.c.key, part.c.next_attempt))
        union = sa.union_all(*parts).subquery()
        chosen = sa.select(union.c.key).order_by(union.c.next_attempt, union.c.key).limit(
            limit)
    return (deliveries.update()
            .where(d.key.in_(chosen.scalar_subquery()))
            .values(state="claimed", lease_owner=sa.bindparam("p_owner", type_=sa.String),
                    lease_until=sa.bindparam("p_lease_until", type_=instant),
                    claims=d.claims + 1, updated_at=db_now)
            .returning(*[sa.type_coerce(deliveries.c[field], sa.types.NullType())
                         for field in _ROW_FIELDS]))


@functools.cache
def _row_maker(dialect: sa.Dialect) -> Callable[[Sequence[Any]], Row]:
    """A claimed row, as the driver returned it, made a ``Row``: the claim's RETURNING skips
    SQLAlchemy's result processing, and each column's own processor runs here, through a
    cache. A fan-out's rows share their instants (due, next attempt, planned, updated):
    parsing eight of them per row was two thirds of a claim's CPU."""
    steps: list[Callable[[Any], Any] | None] = []
    for column in deliveries.columns:
        process = column.type.dialect_impl(dialect).result_processor(dialect, None)
        steps.append(None if process is None else functools.lru_cache(maxsize=1024)(process))
    fields = _ROW_FIELDS

    def make(values: Sequence[Any]) -> Row:
        return Row(**{name: value if step is None or value is None else step(value)
                      for name, step, value in zip(fields, steps, values, strict=True)})

    return make


def _row(mapping: Any) -> Row:
    return Row(**{c.name: mapping[c.name] for c in deliveries.columns})


def insert_deliveries(conn: Connection, rows: list[dict[str, Any]], *, postgres: bool,
                      owner: str) -> int:
    """Insert new deliveries (ON CONFLICT DO NOTHING) and their first history line; how many."""
    if not rows:
        return 0
    if postgres:
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        stmt: Any = pg_insert(deliveries).on_conflict_do_nothing(index_elements=["key"])
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        stmt = sqlite_insert(deliveries).on_conflict_do_nothing(index_elements=["key"])
    result = conn.execute(stmt.returning(deliveries.c.key, deliveries.c.state), rows)
    inserted = result.all()
    if inserted:  # one multi-row insert for the history, not one statement per delivery
        at = rows[0]["planned_at"]
        conn.execute(delivery_log.insert(), [
            {"key": key, "at": at, "from_state": "", "to_state": state, "actor": owner,
             "reason": "planned" if state == "pending"
             else "planned after its due time: not sent"}
            for key, state in inserted])
    return len(inserted)


def enqueued(planned: Planned, now: datetime) -> dict[str, Any]:
    """The row of a one-off delivery (a mail reply), due at its ``due``."""
    return {"key": planned.key, "event_id": planned.event_id, "date_id": planned.date_id,
            "item_id": planned.item_id, "kind": planned.kind,
            "destination": planned.destination, "due": planned.due,
            "target": planned.target, "state": "pending", "attempts": 0,
            "next_attempt": planned.due, "planned_at": now, "updated_at": now,
            "reason": "", "payload": planned.payload}


class DeliveryStore(Store):
    """Planned, claimed and sent deliveries, and their history (``delivery_log``)."""

    def __init__(self, engine: Engine, *, owner: str = "duebot") -> None:
        super().__init__(engine, owner=owner)
        size = getattr(engine.pool, "size", None)
        self._recorder = _Recorder(keep=size() - 1 if callable(size) else 1)

    def close(self) -> None:
        self._recorder.close()
        super().close()

    def _log(self, conn: Connection, key: str, at: datetime, before: str, after: str,
             reason: str) -> None:
        conn.execute(_LOG_INSERT, {"key": key, "at": at, "from_state": before, "to_state": after,
                                   "reason": reason, "actor": self.owner})

    def _insert_ignore(self, rows: list[dict[str, Any]], conn: Connection) -> int:
        return insert_deliveries(conn, rows, postgres=self.postgres, owner=self.owner)

    # -- planning ---------------------------------------------------------------------------

    def reconcile(self, event_id: str, planned: Iterable[Planned], now: datetime, *,
                  kind: str = "reminder") -> ReconcileReport:
        """Make the ledger match the plan for one event; never touches what was sent.

        New deliveries are added (skipped at once if their due time has already passed, so a
        fresh install or a late-added date never sends a surprise backlog); unsent ones whose
        time moved are re-timed; unsent ones no longer planned are cancelled; skipped or
        cancelled ones planned again (and not past) are revived. As set operations in the
        database (``bot.adapters.store.planning``): no stored row is loaded as an object.
        """
        batch: Connection | None = getattr(self._local, "batch", None)
        if batch is not None:
            return self._reconcile_in(batch, event_id, planned, now, kind=kind)
        with self.advisory_lock(f"reconcile:{event_id}"), self._begin() as conn:
            return planning.reconcile(conn, event_id, planned, now, kind=kind,
                                      postgres=self.postgres, owner=self.owner)

    @contextmanager
    def reconciling(self) -> Iterator[None]:
        """This thread's reconciles share write transactions (SQLite).

        A start-up reconciles thousands of events, three kinds each: one commit (and its WAL
        write) per call was a third of it. Here a transaction is committed once it has been
        open ``BATCH_SECONDS``, so the mail listener's writes wait that long at most; the
        first load into an empty ledger (a first start: ``planning.defer``) keeps its first
        transaction up to ``FIRST_LOAD_SECONDS``, once. A call whose plan fails (the
        schedule's own error) fails alone with no savepoint: ``planning.reconcile`` reads the
        whole plan into its temporary table before it writes a ledger row, and the next call
        drops that table. A database error ends the batch and rolls its open transaction
        back; the next reconcile redoes it (reconcile is idempotent). On PostgreSQL each
        event keeps its own transaction under its advisory lock: holding many locks in
        one transaction could deadlock replicas that reconcile in different orders.
        """
        if self.postgres or getattr(self._local, "batch", None) is not None:
            yield
            return
        with mapped_errors(), self._writer.connect() as conn, planning.bulk_cache(conn):
            self._local.batch = conn
            self._local.first = None
            try:
                yield
                if conn.in_transaction():
                    self._commit_batch(conn)
            finally:  # an error: closing the connection rolls the open transaction back
                self._local.batch = None
                self._local.announcements = None  # what the batch read (``_in_batch``)

    def _reconcile_in(self, conn: Connection, event_id: str, planned: Iterable[Planned],
                      now: datetime, *, kind: str) -> ReconcileReport:
        with mapped_errors():
            if not conn.in_transaction():
                conn.begin()  # BEGIN IMMEDIATE: the writer's execution option
                self._local.began = time.monotonic()
                # An empty ledger's first load builds two indexes after its rows, in this
                # transaction, which then stays open (up to FIRST_LOAD_SECONDS) until it has.
                self._local.first = planning.defer(conn)
                self._local.touched = set()
            first = self._local.first
            # In a first load, an event and kind not yet reconciled in this transaction has
            # nothing stored: only this thread writes in it (SQLite's write lock), and only
            # here (a call that failed counts as touched: a long plan may have left rows).
            touched: set[tuple[str, str]] = self._local.touched
            fresh = first is not None and first.armed and (event_id, kind) not in touched
            touched.add((event_id, kind))
            report = planning.reconcile(conn, event_id, planned, now, kind=kind,
                                        postgres=self.postgres, owner=self.owner, fresh=fresh)
            limit = FIRST_LOAD_SECONDS if first is not None else BATCH_SECONDS
            if time.monotonic() - self._local.began >= limit:
                self._commit_batch(conn)
        return report

    def _commit_batch(self, conn: Connection) -> None:
        """Commit the batch's transaction, the indexes ``planning.defer`` dropped made first;
        the next transaction starts afresh (others may write between the two)."""
        first: planning.FirstLoad | None = self._local.first
        if first is not None:
            planning.build(conn, first.dropped)
        self._local.first = None
        conn.commit()

    def _move(self, conn: Connection, row: Row, state: str, now: datetime, reason: str,
              **changes: Any) -> None:
        values: dict[str, Any] = {"state": state, "updated_at": now, "reason": reason,
                                  "lease_owner": None, "lease_until": None, **changes}
        if "due" in changes:
            values["next_attempt"] = changes["due"]
        conn.execute(deliveries.update().where(deliveries.c.key == row.key,
                                               deliveries.c.state == row.state).values(**values))
        self._log(conn, row.key, now, row.state, state, reason)

    # -- claiming and recording -------------------------------------------------------------

    def claim(self, now: datetime, *, limit: int, lease: timedelta,
              owner: str | None = None) -> list[Row]:
        """Claim up to ``limit`` deliveries due at ``now`` (or whose lease ran out), atomically."""
        return self._retrying("claim", lambda _n: self._claim(now, limit=limit, lease=lease,
                                                               owner=owner or self.owner))

    def _claim(self, now: datetime, *, limit: int, lease: timedelta, owner: str) -> list[Row]:
        with self._begin() as conn:
            db_now = self.db_now(conn)
            result = conn.execute(_claim_statement(self.postgres), {
                "p_now": now, "p_db_now": db_now, "p_lease_until": db_now + lease,
                "p_owner": owner, "p_limit": limit})
            make = _row_maker(self.engine.dialect)
            rows = [make(values) for values in result]
        return sorted(rows, key=lambda r: (r.next_attempt, r.key))

    def renew(self, key: str, lease: timedelta, *, owner: str | None = None) -> bool:
        """Extend our lease; False means another replica has taken the delivery over.

        A lease that ran out while the delivery waited behind slow sends is still ours as long
        as nobody claimed it since (a claim writes its own owner in the same statement that
        checks the lease), so it is renewed rather than given up and claimed again.
        """
        owner = owner or self.owner

        def attempt(_number: int) -> bool:
            with self._begin() as conn:
                db_now = self.db_now(conn)
                result = conn.execute(
                    deliveries.update()
                    .where(deliveries.c.key == key, deliveries.c.state == "claimed",
                           deliveries.c.lease_owner == owner)
                    .values(lease_until=db_now + lease))
                return result.rowcount == 1

        return self._retrying("renew", attempt)

    def renew_held(self, lease: timedelta, *, max_hold: timedelta) -> int:
        """Extend every lease this replica holds on a claim younger than ``max_hold``
        (a claim sets ``updated_at``; renewing does not); returns how many."""
        def attempt(_number: int) -> int:
            with self._begin() as conn:
                db_now = self.db_now(conn)
                result = conn.execute(
                    deliveries.update()
                    .where(deliveries.c.state == "claimed",
                           deliveries.c.lease_owner == self.owner,
                           deliveries.c.lease_until > db_now,
                           deliveries.c.updated_at > db_now - max_hold)
                    .values(lease_until=db_now + lease))
                return int(result.rowcount)

        return self._retrying("renew", attempt)

    def finish(self, key: str, state: str, now: datetime, reason: str = "", *,
               owner: str | None = None, remote_id: str = "",
               next_attempt: datetime | None = None, count_attempt: bool = False,
               due: datetime | None = None) -> bool:
        """Record what happened to a claimed delivery; False if it was no longer ours.

        ``count_attempt``: a send was tried (sent, failed, dead after a send); False for a
        release, a re-time or a decision made without sending. ``due``: re-timed at claim
        (the row's due time too, or the next reconcile would take it for moved again).
        """
        owner = owner or self.owner
        values: dict[str, Any] = {"state": state, "updated_at": now, "reason": reason}
        if state == "sent":
            values["sent_at"] = now
            values["remote_id"] = remote_id
        if next_attempt is not None:
            values["next_attempt"] = next_attempt
        if due is not None:
            values["due"] = due
        record = _record_sql(self.engine.dialect.name, tuple(values), count_attempt)
        bind = _bind_instant(self.engine.dialect)
        params = {name: bind(value) if isinstance(value, datetime) else value
                  for name, value in values.items()}
        params.update(key=key, owner=owner, actor=self.owner)

        def attempt(number: int) -> bool:
            if self._recorder.record(self._writer, record, params):
                return True
            # After a lost connection the earlier try may have committed: ours if the last
            # history line is this very record.
            if number == 0:
                return False
            with self._connect() as conn:
                return self._recorded(conn, key, state, now)

        return self._retrying("record", attempt)

    def _recorded(self, conn: Connection, key: str, state: str, now: datetime) -> bool:
        last = conn.execute(sa.select(delivery_log.c.to_state, delivery_log.c.actor,
                                      delivery_log.c.at)
                            .where(delivery_log.c.key == key)
                            .order_by(delivery_log.c.id.desc()).limit(1)).first()
        return last is not None and (last.to_state, last.actor, last.at) == (state, self.owner,
                                                                              now)

    def release(self, keys: Sequence[str], now: datetime, reason: str, *,
                owner: str | None = None) -> int:
        """Give claimed deliveries back (shutdown, channel stopped) without counting a try."""
        owner = owner or self.owner
        done = 0
        for key in keys:
            done += self.finish(key, "pending", now, reason, owner=owner, count_attempt=False)
        return done

    # -- reading ----------------------------------------------------------------------------

    def rows(self, *, event_id: str | None = None, states: Sequence[str] | None = None,
             limit: int | None = None) -> list[Row]:
        query = sa.select(deliveries).order_by(deliveries.c.due, deliveries.c.key)
        if event_id:
            query = query.where(deliveries.c.event_id == event_id)
        if states:
            query = query.where(deliveries.c.state.in_(states))
        if limit:
            query = query.limit(limit)
        with self._connect() as conn:
            return [_row(m) for m in conn.execute(query).mappings()]

    def due_rows(self, now: datetime) -> list[Row]:
        query = sa.select(deliveries).where(deliveries.c.state.in_(UNSENT),
                                            deliveries.c.next_attempt <= now
                                            ).order_by(deliveries.c.next_attempt,
                                                       deliveries.c.key)
        with self._connect() as conn:
            return [_row(m) for m in conn.execute(query).mappings()]

    def next_wake(self) -> datetime | None:
        """The earliest instant something becomes due (or a lease runs out)."""
        with self._connect() as conn:
            nxt = conn.execute(sa.select(sa.func.min(deliveries.c.next_attempt)).where(
                deliveries.c.state.in_(UNSENT))).scalar()
            lease = conn.execute(sa.select(sa.func.min(deliveries.c.lease_until)).where(
                deliveries.c.state == "claimed")).scalar()
        values = [UTCDateTime().process_result_value(v, self.engine.dialect)
                  for v in (nxt, lease) if v is not None]
        return min((v for v in values if v is not None), default=None)

    def counts(self, event_id: str | None = None) -> dict[str, int]:
        query = sa.select(deliveries.c.state, sa.func.count()).group_by(deliveries.c.state)
        if event_id:
            query = query.where(deliveries.c.event_id == event_id)
        with self._connect() as conn:
            return {state: int(n) for state, n in conn.execute(query).all()}

    def history(self, key: str) -> list[dict[str, Any]]:
        query = sa.select(delivery_log).where(delivery_log.c.key == key).order_by(
            delivery_log.c.id)
        with self._connect() as conn:
            return [dict(m) for m in conn.execute(query).mappings()]

    def enqueue(self, planned: Planned, now: datetime) -> bool:
        """A one-off delivery outside any schedule (a mail reply), due at once unless ``due``
        says later; False if its key is already in the ledger. ``reconcile`` never touches it
        (it only looks at its own ``kind``)."""
        with self._begin() as conn:
            return self._insert_ignore([enqueued(planned, now)], conn) == 1


    def outbox(self, event_id: str | None = None) -> list[Row]:
        """Unsent deliveries waiting for an organizer's approval, soonest first."""
        query = sa.select(deliveries).where(
            deliveries.c.state.in_(UNSENT), deliveries.c.needs_approval == sa.true(),
            deliveries.c.approved_at.is_(None)).order_by(deliveries.c.due, deliveries.c.key)
        if event_id is not None:
            query = query.where(deliveries.c.event_id == event_id)
        with self._connect() as conn:
            return [_row(m) for m in conn.execute(query).mappings()]

    def approve(self, ids: Sequence[str] | None, now: datetime, *, actor: str) -> list[str]:
        """Approve waiting deliveries by key or item id (None: all); returns the keys."""
        query = sa.select(deliveries.c.key).where(
            deliveries.c.state.in_(UNSENT), deliveries.c.needs_approval == sa.true(),
            deliveries.c.approved_at.is_(None))
        if ids is not None:
            query = query.where(sa.or_(deliveries.c.key.in_(ids),
                                       deliveries.c.item_id.in_(ids)))
        with self._begin() as conn:
            keys = [str(k) for k in conn.execute(query.order_by(deliveries.c.key)).scalars()]
            if keys:
                conn.execute(deliveries.update().where(deliveries.c.key.in_(keys)).values(
                    approved_at=now, approved_by=actor, updated_at=now))
                conn.execute(delivery_log.insert(), [
                    {"key": key, "at": now, "from_state": "pending", "to_state": "pending",
                     "actor": actor, "reason": f"approved by {actor}"} for key in keys])
        return keys

    def skip_unapproved(self, now: datetime, grace: timedelta) -> int:
        """Never a surprise: what still waits for approval past due + grace is skipped."""
        with self._begin() as conn:
            rows = [_row(m) for m in conn.execute(sa.select(deliveries).where(
                deliveries.c.state.in_(UNSENT), deliveries.c.needs_approval == sa.true(),
                deliveries.c.approved_at.is_(None),
                deliveries.c.next_attempt < now - grace)).mappings()]
            for row in rows:
                self._move(conn, row, "skipped", now,
                           f"not approved by {row.due + grace:%Y-%m-%d %H:%M} UTC (due "
                           f"{row.due:%Y-%m-%d %H:%M} UTC + grace): not sent")
        return len(rows)

