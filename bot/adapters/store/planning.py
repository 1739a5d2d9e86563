"""Reconcile as set operations: the plan goes into a temporary table, the database compares.

The planned deliveries of one event are streamed into ``duebot_planned`` (a temporary table of
this transaction's connection) in chunks: PostgreSQL's ``COPY``, SQLite's ``executemany``. Each
change is then two statements for all the rows it touches: the history lines
(``INSERT INTO delivery_log ... SELECT``, written first, while the old state and due time can
still be read) and the change itself (``INSERT ... SELECT`` or ``UPDATE ... FROM``). No stored
row is loaded into Python, and the plan is never held whole: memory stays flat in the number
of destinations.

The rules are those of ``DeliveryStore.reconcile``; every statement is guarded by the row's
state, so what was sent, is dead or is claimed is never touched. Two reconciles of one event
never interleave (an advisory lock on PostgreSQL, the single writer on SQLite). Claims do not
take that lock: a row claimed by another replica between a change's history line and its
UPDATE stays claimed, with one history line too many (the window the row-by-row version had).

An unchanged plan is not compared at all (SQLite): a reconcile leaves the event's rows at a
fixed point of its plan, so the same plan at the same or a later ``now`` changes nothing.
Every rule needs an unsent row that differs from the plan (the last reconcile aligned each
or moved it out of the unsent states), a key on one side only (added or cancelled then), or
a skipped or cancelled row planned at or after ``now`` (revived then, unless already past;
and ``now`` only grew since).
``plan_fingerprints`` keeps a digest of that plan (and of these rules' version), the ``now``
and the number of rows; the triggers of migration 0006 forget it as soon as anyone changes one
of the event's rows in a way a reconcile could answer (a retry, a release, a skip, a cancel, a
new due time, target, payload or approval; claims and sends do not). Nothing else is read: the
plan already holds what subscribers, announcements and approval make of it. PostgreSQL, whose
replicas write beside a reconcile, always compares.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import itertools
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.schema import CreateTable

from bot.adapters.store.schema import SQLITE_TRIGGERS, UTCDateTime, deliveries, delivery_log
from bot.ports import UNSENT, Planned, PlannedGrid, ReconcileReport, delivery_key

CHUNK = 5000
"""Planned rows handed to the database at a time: bounds the memory a reconcile holds."""

_temp = sa.MetaData()
planned_table = sa.Table(
    "duebot_planned", _temp,
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("key", sa.String(512), nullable=False),
    sa.Column("event_id", sa.String(64), nullable=False),
    sa.Column("date_id", sa.String(64), nullable=False),
    sa.Column("item_id", sa.String(256), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("destination", sa.String(320), nullable=False),
    sa.Column("due", UTCDateTime(), nullable=False),
    sa.Column("target", UTCDateTime(), nullable=True),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("needs_approval", sa.Boolean, nullable=False),
    sa.Column("due_text", sa.String(32), nullable=False),  # "2030-03-20 22:59", for reasons
    prefixes=["TEMPORARY"],
    # Dropped at commit on PostgreSQL (``_create_sql``): not as ``postgresql_on_commit``, a
    # dialect argument, whose check imports the PostgreSQL dialect on every start, SQLite's too.
)
_COLUMNS = [c.name for c in planned_table.columns]
_COPY_TYPES = ["int4", "text", "text", "text", "text", "text", "text", "timestamptz",
               "timestamptz", "text", "bool", "text"]
"""PostgreSQL's names for ``_COLUMNS``' types, for the binary COPY."""

CANCELLED = "no longer planned (date, reminder or destination removed)"

RULES = "reconcile rules 1"
"""Part of every fingerprint: change it with the rules below (a new rule, a changed
condition), so that a fingerprint stored under other rules matches no plan."""
TRIGGERS = tuple(SQLITE_TRIGGERS)
"""The fingerprints' triggers on SQLite (migration 0006); without all of them, nothing is
skipped nor stored."""


class _Driver:
    """SQLite's statements of a reconcile on the driver connection of ``conn``, inside its
    transaction (the connection runs no implicit BEGIN: ``make_engine``). SQLAlchemy's
    execution around each (events, result set-up) cost more than SQLite's own work for most
    of a start-up's 10,000 statements. The driver's errors are raised as SQLAlchemy would
    raise them, so ``mapped_errors`` maps them alike."""

    def __init__(self, conn: Connection) -> None:
        raw = conn.connection.driver_connection
        assert isinstance(raw, sqlite3.Connection)
        self._raw = raw

    def run(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        try:
            return self._raw.execute(sql, params)
        except sqlite3.Error as exc:
            raise sa.exc.DBAPIError.instance(sql, params, exc, sqlite3.Error) from exc

    def run_many(self, sql: str, rows: list[tuple[Any, ...]]) -> int:
        """``executemany``; the rows it changed in all."""
        try:
            return self._raw.executemany(sql, rows).rowcount
        except sqlite3.Error as exc:
            raise sa.exc.DBAPIError.instance(sql, rows[:1], exc, sqlite3.Error) from exc


BULK_CACHE_KIB = 65536
"""SQLite's page cache for a batch of reconciles (``bulk_cache``), at most; the default is
2 MiB."""


@contextmanager
def bulk_cache(conn: Connection) -> Iterator[None]:
    """A larger page cache on ``conn`` (SQLite) while a batch of reconciles runs, the default
    again after it. A first start writes 80,000 rows into b-trees of 40 MB; with 2 MiB its
    pages were spilled and read back as they were written (a third of the insert's time).
    Memory only: what is written and when it is synced are unchanged."""
    if conn.dialect.name != "sqlite":
        yield
        return
    driver = _Driver(conn)
    before = driver.run("PRAGMA cache_size").fetchone()[0]
    driver.run(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
    try:
        yield
    finally:
        with contextlib.suppress(sa.exc.SQLAlchemyError):  # a broken connection is dropped
            driver.run(f"PRAGMA cache_size = {int(before)}")


DEFERRED = ("ix_deliveries_due", "ix_delivery_log_key")
"""The secondary indexes a first load into an empty ledger builds after its rows (``defer``):
no reconcile statement reads them, and growing them row by row (the due index in the random
order of due times) cost more than building them once. The ledger's own keys and the event's
index, which reconcile does read, stay."""


@dataclass(frozen=True)
class FirstLoad:
    """What ``defer`` found and did at the start of a first load's transaction."""

    dropped: tuple[str, ...]
    """``DEFERRED``'s indexes it dropped, for ``build`` to make again before the commit."""
    armed: bool
    """Whether the fingerprints' triggers stand: then an event and kind not yet reconciled in
    this transaction has no row and no fingerprint (``reconcile``'s ``fresh``)."""


def defer(conn: Connection) -> FirstLoad | None:
    """SQLite, at the start of a batch's write transaction: if the ledger holds no delivery,
    no history and no fingerprint (a first start), drop ``DEFERRED``'s indexes; None if it
    holds any. ``build`` makes them again before the transaction commits: in the same
    transaction as the load, so another connection never sees the ledger without them, and
    a crash or a rollback takes the drop back with the rows."""
    driver = _Driver(conn)
    empty, armed = driver.run(
        "SELECT (SELECT 1 FROM deliveries LIMIT 1) IS NULL "
        "AND (SELECT 1 FROM delivery_log LIMIT 1) IS NULL "
        "AND (SELECT 1 FROM plan_fingerprints LIMIT 1) IS NULL, "
        "(SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'deliveries' "
        "AND name IN (" + ", ".join(f"'{t}'" for t in TRIGGERS) + "))").fetchone()
    if empty != 1:
        return None
    dropped = tuple(name for name in DEFERRED if driver.run(
        "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?", (name,)).fetchone())
    for name in dropped:
        driver.run(f"DROP INDEX {name}")
    return FirstLoad(dropped=dropped, armed=armed == len(TRIGGERS))


def build(conn: Connection, dropped: Iterable[str]) -> None:
    """The indexes ``defer`` dropped, made again as ``schema.metadata`` declares them (the very
    DDL ``create_all`` runs)."""
    for name in dropped:
        _Driver(conn).run(_index_sql(name))


@functools.cache
def _index_sql(name: str) -> str:
    from sqlalchemy.dialects import sqlite
    from sqlalchemy.schema import CreateIndex

    (index,) = [i for t in (deliveries, delivery_log) for i in t.indexes if i.name == name]
    return str(CreateIndex(index).compile(dialect=sqlite.dialect()))


def _rows(planned: Iterable[Planned], stored: Callable[[datetime | None], Any]
          ) -> Iterator[tuple[Any, ...]]:
    """The temporary table's rows, instants already in the driver's form (a reminder's few
    distinct instants are converted once each, not once a row). A ``PlannedGrid`` is read
    as its items and destinations: the same rows, without a ``Planned`` made for each."""
    seen: dict[datetime, tuple[Any, str]] = {}

    def instant(when: datetime) -> tuple[Any, str]:
        if len(seen) > 10_000:  # subscribers' own lead times: keep the memo bounded
            seen.clear()
        value = stored(when)
        found = seen[when] = (value, value[:16] if when.tzinfo is UTC and isinstance(
            value, str) else f"{when:%Y-%m-%d %H:%M}")
        return found

    known = seen.get  # the memo looked up inline: a call less per instant (80,000 a start)
    if isinstance(planned, PlannedGrid):
        event_id, kind, payload, approval = (planned.event_id, planned.kind, planned.payload,
                                             planned.needs_approval)
        seq = 0
        for destination, items in planned.blocks():
            for item in items:
                due, due_text = known(item.due) or instant(item.due)
                target = None if item.target is None else (
                    known(item.target) or instant(item.target))[0]
                yield (seq, delivery_key(item.id, destination), event_id, item.date_id,
                       item.id, kind, destination, due, target, payload, approval, due_text)
                seq += 1
        return
    for seq, p in enumerate(planned):
        due, due_text = known(p.due) or instant(p.due)
        target = None if p.target is None else (known(p.target) or instant(p.target))[0]
        yield (seq, p.key, p.event_id, p.date_id, p.item_id, p.kind, p.destination, due,
               target, p.payload, p.needs_approval, due_text)


def _load(conn: Connection, rows: Iterator[tuple[Any, ...]], *, postgres: bool,
          compare: bool = True) -> None:
    """Create the temporary table and stream the plan's rows (``_rows``) into it, ``CHUNK``
    rows at a time."""
    if not postgres:  # SQLite keeps a temporary table for the connection's life: start clean
        _Driver(conn).run("DROP TABLE IF EXISTS temp.duebot_planned")
    conn.exec_driver_sql(_create_sql(conn.dialect))
    columns = ", ".join(_COLUMNS)
    if postgres:
        # COPY: the rows go as one stream, not one INSERT each; binary, so neither side
        # formats or parses text (0.15 s for 150,000 rows here, against 0.7 s as text).
        raw: Any = conn.connection.driver_connection
        with raw.cursor() as cursor, cursor.copy(
                f"COPY duebot_planned ({columns}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(_COPY_TYPES)
            for row in rows:
                copy.write_row(row)
    else:  # the driver's executemany, values already converted (no per-row SQLAlchemy work)
        insert = (f"INSERT INTO duebot_planned ({columns}) "
                  f"VALUES ({', '.join('?' * len(_COLUMNS))})")
        driver = _Driver(conn)
        while chunk := list(islice(rows, CHUNK)):
            driver.run_many(insert, chunk)
    if compare:  # the joins with the stored rows need an index and (PostgreSQL) statistics
        # Built after loading: cheaper than growing it row by row.
        conn.execute(sa.text("CREATE INDEX ix_duebot_planned_key ON duebot_planned (key)"))
        if postgres:  # a temporary table has no statistics until asked
            conn.execute(sa.text("ANALYZE duebot_planned"))
    # A key planned twice: the last one counts (as a dict of the plan would have it).
    if conn.execute(_DUPES).scalar():
        if not compare:  # the self-join below would scan the plan once per row without it
            conn.execute(sa.text("CREATE INDEX ix_duebot_planned_key ON duebot_planned (key)"))
        conn.execute(_LAST_ONLY)


_DUPES = sa.select(sa.func.count() - sa.func.count(planned_table.c.key.distinct()))
_later = planned_table.alias("later")
_LAST_ONLY = planned_table.delete().where(sa.exists().where(
    _later.c.key == planned_table.c.key, _later.c.seq > planned_table.c.seq))


_CREATE: dict[str, str] = {}


def _create_sql(dialect: Any) -> str:
    """The temporary table's DDL, compiled once per kind of database (not once per event)."""
    found = _CREATE.get(dialect.name)
    if found is None:
        found = str(CreateTable(planned_table).compile(dialect=dialect))
        if dialect.name == "postgresql":  # what ``postgresql_on_commit="DROP"`` writes
            head, close, tail = found.rpartition(")")
            found = f"{head}{close}\n ON COMMIT DROP{tail}"
        _CREATE[dialect.name] = found
    return found


def _minute(column: Any, *, postgres: bool) -> Any:
    """A stored instant as ``YYYY-MM-DD HH:MM`` (UTC), as the reasons quote it."""
    if postgres:
        return sa.func.to_char(sa.func.timezone("UTC", column), "YYYY-MM-DD HH24:MI",
                               type_=sa.String)
    return sa.func.substr(column, 1, 16, type_=sa.String)  # SQLite stores "YYYY-MM-DD HH:MM:SS"


def _text(*parts: Any) -> Any:
    """``'a' || column || 'b'`` on either database."""
    out: Any = sa.literal(parts[0], sa.String) if isinstance(parts[0], str) else parts[0]
    for part in parts[1:]:
        out = out + (sa.literal(part, sa.String) if isinstance(part, str) else part)
    return out


_EVENT = sa.bindparam("p_event", type_=sa.String)
_KIND = sa.bindparam("p_kind", type_=sa.String)
_NOW = sa.bindparam("p_now", type_=UTCDateTime())
_OWNER = sa.bindparam("p_owner", type_=sa.String)
"""The parameters every statement below takes (names no column has: an UPDATE or INSERT
reserves its columns' names for itself)."""


def _log_and_move(where: list[Any], *, joined: bool, state: str, reason: Any,
                  retime: bool = False, reset_attempts: bool = False) -> tuple[Any, Any]:
    """The history lines, then the change, for every row matching ``where``."""
    d, p = deliveries.c, planned_table.c
    source = sa.select(d.key, _NOW, d.state, sa.literal(state, sa.String), reason, _OWNER)
    source = source.where(*where)
    if joined:
        source = source.select_from(deliveries.join(planned_table, p.key == d.key))
    log = delivery_log.insert().from_select(
        ["key", "at", "from_state", "to_state", "reason", "actor"], source)
    values: dict[str, Any] = {"state": state, "updated_at": _NOW, "reason": reason,
                              "lease_owner": None, "lease_until": None}
    if retime:
        values.update(due=p.due, next_attempt=p.due, target=p.target, payload=p.payload,
                      needs_approval=p.needs_approval)
    if reset_attempts:
        values["attempts"] = 0
    stmt = deliveries.update().where(*where).values(values)
    if joined:
        stmt = stmt.where(p.key == d.key)
    return log, stmt


def _log_and_keep(where: list[Any]) -> tuple[Any, Any]:
    """The history lines, then the new target, payload and approval, for rows whose state
    and time stay."""
    d, p = deliveries.c, planned_table.c
    same = sa.and_(p.due == d.due, ~p.target.is_distinct_from(d.target), p.payload == d.payload)
    reason = sa.case(
        (sa.and_(same, p.needs_approval), sa.literal("waits for approval", sa.String)),
        (same, sa.literal("no longer waits for approval", sa.String)),
        else_=sa.literal("updated (what it is about or its text changed; its time did not)",
                         sa.String))
    log = delivery_log.insert().from_select(
        ["key", "at", "from_state", "to_state", "reason", "actor"],
        sa.select(d.key, _NOW, d.state, d.state, reason, _OWNER)
        .select_from(deliveries.join(planned_table, p.key == d.key)).where(*where))
    stmt = (deliveries.update().where(*where, p.key == d.key)
            .values(target=p.target, payload=p.payload, needs_approval=p.needs_approval,
                    updated_at=_NOW))
    return log, stmt


class _Statements:
    """Reconcile's statements for one dialect, built once: building and keying SQLAlchemy
    expressions anew for each of a start-up's 3,000 calls cost more than running them."""

    def __init__(self, *, postgres: bool) -> None:
        d, p = deliveries.c, planned_table.c
        ours = [d.event_id == _EVENT, d.kind == _KIND]
        self.existing = sa.select(sa.func.count()).where(*ours)
        moved = sa.or_(p.due != d.due, p.target.is_distinct_from(d.target),
                       p.payload != d.payload)
        gone = ~sa.exists().where(p.key == d.key)
        new = ~sa.exists().where(d.key == p.key)
        late = p.due < _NOW
        revive = [d.state.in_(("skipped", "cancelled")), d.sent_at.is_(None), p.due >= _NOW,
                  sa.or_(moved, d.state == "cancelled")]
        later = [d.state.in_(UNSENT), moved, p.due >= _NOW]
        past = [d.state.in_(UNSENT), p.due != d.due, late]
        # Due time kept, what it reminds of or its text changed, and already due (a retry
        # waiting, an announcement in the outbox, a row the engine re-timed at claim): not
        # "moved into the past" to skip; the row takes the new target and payload and keeps its
        # state and time. So is a row whose only change is approval (``approve`` turned on or
        # off in the config).
        approval = p.needs_approval != d.needs_approval
        touched = [d.state.in_(UNSENT), p.due == d.due,
                   sa.or_(sa.and_(late, moved), sa.and_(~moved, approval))]
        self.counts = (
            sa.select(sa.func.count().filter(sa.and_(*revive)),
                      sa.func.count().filter(sa.and_(*later)),
                      sa.func.count().filter(sa.and_(*past)),
                      sa.func.count().filter(sa.and_(*touched)))
            .select_from(deliveries.join(planned_table, p.key == d.key)).where(*ours))
        n_gone = sa.select(sa.func.count()).where(*ours, d.state.in_(UNSENT), gone)
        n_new = sa.select(sa.func.count()).select_from(planned_table).where(new)
        # The five counts in one statement (one round trip, not three, per unchanged event).
        joined = self.counts.subquery()
        self.all_counts = sa.select(*joined.c, n_gone.scalar_subquery(),
                                    n_new.scalar_subquery())
        cancelled = sa.literal(CANCELLED, sa.String)
        self.cancel_all = _log_and_move([*ours, d.state.in_(UNSENT)], joined=False,
                                        state="cancelled", reason=cancelled)
        self.revive = _log_and_move(
            [*ours, *revive], joined=True, state="pending",
            reason=_text("planned again for ", p.due_text, " UTC"), retime=True,
            reset_attempts=True)
        self.later = _log_and_move(
            [*ours, *later], joined=True, state="pending",
            reason=_text("re-timed from ", _minute(d.due, postgres=postgres), " to ",
                         p.due_text, " UTC"), retime=True, reset_attempts=True)
        self.past = _log_and_move(
            [*ours, *past], joined=True, state="skipped",
            reason=_text("re-timed to ", p.due_text, " UTC, which had already passed: not sent"),
            retime=True)
        self.touched = _log_and_keep([*ours, *touched])
        self.gone = _log_and_move([*ours, d.state.in_(UNSENT), gone], joined=False,
                                  state="cancelled", reason=cancelled)
        self.new_logs = tuple(delivery_log.insert().from_select(
            ["key", "at", "from_state", "to_state", "reason", "actor"],
            sa.select(p.key, _NOW, sa.literal("", sa.String),
                      sa.literal("skipped" if is_late else "pending", sa.String),
                      sa.literal("planned after its due time: not sent" if is_late
                                 else "planned", sa.String), _OWNER)
            .where(new, late if is_late else ~late)) for is_late in (False, True))
        state = sa.case((late, "skipped"), else_="pending")
        reason = sa.case((late, _text("planned after its due time (", p.due_text,
                                      " UTC): not sent")), else_="")
        fresh = sa.select(p.key, p.event_id, p.date_id, p.item_id, p.kind, p.destination,
                          p.due, p.target, state, sa.literal(0, sa.Integer), p.due, _NOW, _NOW,
                          reason, p.payload, p.needs_approval).where(new)
        names = ["key", "event_id", "date_id", "item_id", "kind", "destination", "due",
                 "target", "state", "attempts", "next_attempt", "planned_at", "updated_at",
                 "reason", "payload", "needs_approval"]
        if postgres:
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            insert: Any = pg_insert(deliveries)
        else:
            from sqlalchemy.dialects.sqlite import insert as sqlite_insert

            insert = sqlite_insert(deliveries)
        self.insert_new = insert.from_select(names, fresh).on_conflict_do_nothing(
            index_elements=["key"])


@functools.cache
def _statements(postgres: bool) -> _Statements:
    return _Statements(postgres=postgres)


def _run(conn: Connection, pair: tuple[Any, Any], params: dict[str, Any]) -> int:
    """A change's history lines, then the change; how many rows it moved."""
    log, change = pair
    conn.execute(log, params)
    return int(conn.execute(change, params).rowcount)


def reconcile(conn: Connection, event_id: str, planned: Iterable[Planned], now: datetime, *,
              kind: str, postgres: bool, owner: str, fresh: bool = False) -> ReconcileReport:
    """Make the ledger match the plan for one event, in this transaction; see the module.

    The plan is read whole (into the temporary table, or a first chunk of it into memory)
    before any ledger row is written, so a plan that raises leaves the ledger as it was
    (``DeliveryStore.reconciling`` counts on it); only an event's first plan longer than a
    chunk streams straight into the ledger on SQLite, and then keeps no fingerprint if it
    fails.

    ``fresh`` (SQLite): the caller knows that the ledger holds no row of this event and kind
    and no fingerprint of it, and that the fingerprints' triggers stand (a batch's first load
    into an empty ledger, ``FirstLoad``): nothing is asked before the rows go in (two
    questions per call, 6,000 on a first start).
    """
    st = _statements(postgres)
    params = {"p_event": event_id, "p_kind": kind, "p_now": now, "p_owner": owner}
    stored = _bind(conn)
    rows: Iterator[tuple[Any, ...]] = _rows(planned, stored)
    head = list(islice(rows, CHUNK))
    whole = len(head) < CHUNK
    if not head:  # nothing planned (most events' digests and announcements): no table
        existing = 0 if fresh else _existing(conn, st, params, postgres=postgres)
        cancelled = _run(conn, st.cancel_all, params) if existing else 0
        return ReconcileReport(cancelled=cancelled, unchanged=existing - cancelled)
    if postgres:
        return _reconcile(conn, itertools.chain(head, rows), params, st, postgres=True,
                          unchanged=None).report
    armed, held, known = (True, False, None) if fresh else _known(conn, params, stored(now))
    if not armed:
        return _reconcile(conn, itertools.chain(head, rows), params, st, postgres=False,
                          unchanged=None).report
    fingerprint = _Fingerprint(event_id, kind)
    fingerprint.add(head)
    if whole and known is not None and known[0] == fingerprint.digest():
        return ReconcileReport(unchanged=known[1])
    if held:  # forgotten before the first write: a plan that fails halfway leaves none
        _Driver(conn).run(_FORGET, (event_id, kind))
    outcome = _reconcile(conn, itertools.chain(head, fingerprint.adding(rows)), params, st,
                         postgres=False, unchanged=None if whole or known is None else
                         (fingerprint.digest, known), existing=0 if fresh else None)
    _Driver(conn).run(_REMEMBER, (event_id, kind, fingerprint.digest(), stored(now),
                                  outcome.rows))
    return outcome.report


_EXISTING = "SELECT count(*) FROM deliveries WHERE event_id = ? AND kind = ?"


def _existing(conn: Connection, st: _Statements, params: dict[str, Any], *, postgres: bool
              ) -> int:
    """The event's stored rows of this kind. SQLite: through the driver (asked twice per
    event, mostly of an empty plan, 2,000 times a start: SQLAlchemy's execution cost more
    than the count)."""
    if postgres:
        return int(conn.execute(st.existing, params).scalar_one())
    found = _Driver(conn).run(_EXISTING, (params["p_event"], params["p_kind"])).fetchone()
    return int(found[0])


@dataclass(frozen=True)
class _Outcome:
    report: ReconcileReport
    rows: int
    """The event's rows of this kind afterwards."""


def _reconcile(conn: Connection, rows: Iterator[tuple[Any, ...]], params: dict[str, Any],
               st: _Statements, *, postgres: bool,
               unchanged: tuple[Callable[[], str], tuple[str, int]] | None,
               existing: int | None = None) -> _Outcome:
    """A plan of at least one row against the stored rows. ``unchanged``: a long plan's
    digest (complete once its rows are loaded) and the stored one, with its count of rows.
    ``existing``: the event's stored rows of this kind, when the caller knows it."""
    if existing is None:
        existing = _existing(conn, st, params, postgres=postgres)
    if not existing and not postgres:
        report = _first_plan(conn, rows, params)
        return _Outcome(report, report.added + report.skipped_past)
    # The event's first plan has nothing to compare with: no index on the plan, no statistics,
    # no counts; only the keys other events or kinds hold are looked up (the ledger's own key).
    _load(conn, rows, postgres=postgres, compare=existing > 0)
    if unchanged is not None:  # a long plan, loaded: the same as stored after all?
        digest, (stored, count) = unchanged
        if digest() == stored and count == existing:
            _Driver(conn).run("DROP TABLE duebot_planned")
            return _Outcome(ReconcileReport(unchanged=existing), existing)
    # One look at each side first: a change with no rows costs no statements (an unchanged
    # plan is then three counts, not eight scans).
    n_revive = n_later = n_past = n_touched = n_gone = 0
    n_new = 1
    if existing:
        counted: tuple[int, ...] = tuple(conn.execute(st.all_counts, params).one())
        n_revive, n_later, n_past, n_touched, n_gone, n_new = counted

    # Each change's rows are disjoint from the others' (and from what the earlier ones
    # produced), so the order below does not change the outcome.
    revived = retimed = cancelled = added = skipped = 0
    if n_revive:
        revived = _run(conn, st.revive, params)
    if n_later:
        retimed += _run(conn, st.later, params)
    if n_past:
        retimed += _run(conn, st.past, params)
    if n_touched:
        retimed += _run(conn, st.touched, params)
    if n_gone:
        cancelled = _run(conn, st.gone, params)
    if n_new:
        # The history first: its counts are the report's (rowcount is -1 on psycopg unless
        # asked to keep it).
        keep = {"preserve_rowcount": True}
        added = int(conn.execute(st.new_logs[0], params, execution_options=keep).rowcount)
        skipped = int(conn.execute(st.new_logs[1], params, execution_options=keep).rowcount)
        conn.execute(st.insert_new, params)
    conn.exec_driver_sql("DROP TABLE duebot_planned")
    report = ReconcileReport(added=added, skipped_past=skipped, retimed=retimed,
                             cancelled=cancelled, revived=revived,
                             unchanged=existing - retimed - cancelled - revived)
    # Every new key's row is inserted (the history counted exactly those); none is deleted.
    return _Outcome(report, existing + added + skipped)


class _Fingerprint:
    """A digest of a plan's rows as the temporary table takes them (what reconcile compares,
    instants in the stored form), in order (a key planned twice: the last one counts), with
    the event, the kind and the rules' version."""

    def __init__(self, event_id: str, kind: str) -> None:
        self._hash = hashlib.blake2b(repr((RULES, event_id, kind)).encode(), digest_size=16)

    def add(self, rows: Iterable[tuple[Any, ...]]) -> None:
        # repr: unambiguous for str, bool, None and int. The rows' texts joined: the same
        # digest as one update per row, without a Python-level step per row.
        self._hash.update("".join(map(repr, rows)).encode())

    def adding(self, rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
        """``rows``, each added to the digest as it passes."""
        update = self._hash.update
        for row in rows:
            update(repr(row).encode())
            yield row

    def digest(self) -> str:
        return self._hash.hexdigest()


_KNOWN = (
    "SELECT (SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
    "AND tbl_name = 'deliveries' AND name IN (" + ", ".join(f"'{t}'" for t in TRIGGERS) + ")), "
    "f.fingerprint, f.planned_at, f.row_count FROM (SELECT 1) "
    "LEFT JOIN plan_fingerprints f ON f.event_id = ? AND f.kind = ?")
_FORGET = "DELETE FROM plan_fingerprints WHERE event_id = ? AND kind = ?"
_REMEMBER = (
    "INSERT INTO plan_fingerprints (event_id, kind, fingerprint, planned_at, row_count) "
    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (event_id, kind) DO UPDATE SET "
    "fingerprint = excluded.fingerprint, planned_at = excluded.planned_at, "
    "row_count = excluded.row_count")


def _known(conn: Connection, params: dict[str, Any], now: Any
           ) -> tuple[bool, bool, tuple[str, int] | None]:
    """Whether the triggers stand (else nothing is skipped nor stored), whether a
    fingerprint is stored, and the one to trust with its count of rows (None: none, or one
    stored at a later ``now``: time went back, as a rehearsal's ``--now`` may, and what was
    past may be due again)."""
    armed, fingerprint, planned_at, count = _Driver(conn).run(
        _KNOWN, (params["p_event"], params["p_kind"])).fetchone()
    if fingerprint is None:
        return armed == len(TRIGGERS), False, None
    # Both in SQLite's stored form ("YYYY-MM-DD HH:MM:SS.ffffff"): text order is time order.
    trusted = (str(fingerprint), int(count)) if planned_at <= now else None
    return armed == len(TRIGGERS), True, trusted


_FIRST_COLUMNS = ("key", "event_id", "date_id", "item_id", "kind", "destination", "due",
                  "target", "state", "attempts", "next_attempt", "planned_at", "updated_at",
                  "reason", "payload", "needs_approval")
_FIRST_INSERT = (
    'INSERT INTO deliveries ("key", ' + ", ".join(_FIRST_COLUMNS[1:]) + ") "
    f"VALUES ({', '.join('?' * len(_FIRST_COLUMNS))}) "
    # A key planned twice: the last one counts. Only a row of this very plan is replaced
    # (the event had none of this kind before); a key another event or kind holds stays its.
    "ON CONFLICT (\"key\") DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in _FIRST_COLUMNS[2:] if c != "kind")
    + " WHERE deliveries.event_id = excluded.event_id AND deliveries.kind = excluded.kind")
_FIRST_LOG = (
    'INSERT INTO delivery_log ("key", at, from_state, to_state, reason, actor) '
    "SELECT \"key\", ?, '', state, ?, ? FROM deliveries "
    # "+state": by the event's index, never the (state, next_attempt) one, which would read
    # every pending row of every event
    "WHERE event_id = ? AND kind = ? AND +state = ?")


_PLAIN_INSERT = _FIRST_INSERT.partition(" ON CONFLICT")[0]


def _first_plan(conn: Connection, rows: Iterator[tuple[Any, ...]], params: dict[str, Any]
                ) -> ReconcileReport:
    """SQLite, an event's first plan of a kind: the rows go straight into the ledger.

    With nothing stored to compare with, the temporary table is only a detour (a start-up
    plans every event so: 80,000 rows for 1,000 schedules). Every row of this event and kind
    is then one this call wrote, so the history is read back from the ledger itself.
    """
    owner: str = params["p_owner"]
    at = _bind(conn)(params["p_now"])

    def ledger_rows() -> Iterator[tuple[Any, ...]]:
        # Instants in SQLite's stored form, whose text order is time order.
        for (_seq, key, event_id, date_id, item_id, kind, destination, due, target, payload,
             approval, due_text) in rows:
            late = due < at
            yield (key, event_id, date_id, item_id, kind, destination, due, target,
                   "skipped" if late else "pending", 0, due, at, at,
                   f"planned after its due time ({due_text} UTC): not sent" if late else "",
                   payload, approval)

    driver = _Driver(conn)
    source = ledger_rows()
    while chunk := list(islice(source, CHUNK)):
        try:  # a plain INSERT first: a tenth cheaper than the upsert, when no key is taken
            driver.run_many(_PLAIN_INSERT, chunk)
        except sa.exc.IntegrityError:
            # A key taken (planned twice, or another event's): the chunk again as the upsert,
            # from its first row. The rows the INSERT wrote before the conflict are this
            # plan's own, and set again to the same values: what the upsert alone makes.
            driver.run_many(_FIRST_INSERT, chunk)
    ours = (params["p_event"], params["p_kind"])
    added = driver.run(_FIRST_LOG, (at, "planned", owner, *ours, "pending")).rowcount
    skipped = driver.run(_FIRST_LOG, (at, "planned after its due time: not sent", owner,
                                      *ours, "skipped")).rowcount
    return ReconcileReport(added=int(added), skipped_past=int(skipped))


def _bind(conn: Connection) -> Callable[[datetime | None], Any]:
    """An instant as this connection's driver takes it (SQLite: the very text SQLAlchemy
    stores), so that the database compares like with like."""
    if conn.dialect.name == "sqlite":
        return sqlite_text
    bind = UTCDateTime().dialect_impl(conn.dialect).bind_processor(conn.dialect)
    return bind or (lambda when: when)


def sqlite_text(when: datetime | None) -> str | None:
    """``UTCDateTime``'s SQLite text (``YYYY-MM-DD HH:MM:SS.ffffff``, UTC), by ``isoformat``:
    SQLAlchemy's processors cost 8 us an instant, half of planning an unchanged event
    (``tests/test_store.py`` holds the two equal)."""
    if when is None:
        return None
    if when.tzinfo is UTC:  # nearly every instant (the planner's are UTC): one call, not three
        return when.isoformat(" ", "microseconds")[:26]  # without its "+00:00"
    if when.tzinfo is None:
        raise ValueError(f"naive datetime {when!r} given to the ledger")
    return when.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
