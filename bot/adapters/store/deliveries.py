"""The delivery ledger: the single source of truth for what was planned, claimed and sent.

SQLAlchemy Core over SQLite (the embedded default, one writer) or PostgreSQL (any number of
replicas). Each delivery has a stable key; planning inserts with ON CONFLICT DO NOTHING, so
re-planning never duplicates. A delivery moves

    pending -> claimed (with a lease) -> sent | failed (retry later) | dead | skipped | cancelled

and every step is written to ``delivery_log`` with its time and reason.

Claiming is one statement (``UPDATE ... WHERE key IN (SELECT ... FOR UPDATE SKIP LOCKED)
RETURNING``), so replicas never claim the same row and never wait on each other's locks.
Leases are judged by the database's clock (``now()`` on PostgreSQL), never a replica's own
clock; the schedule's ``now`` (which ``--now`` may move for rehearsals) only decides what is due.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from bot.adapters.retry import Backoff, retrying
from bot.errors import DuebotError
from bot.ports import UNSENT, Planned, ReconcileReport, Row

log = logging.getLogger("duebot.ledger")
T = TypeVar("T")

# Waits before trying a claim/renew/record again after connection trouble (0.05 s, 0.5 s, 2 s):
# a backend that was terminated (failover, pg_terminate_backend, an idle timeout) is replaced
# by the pool at once; a longer outage surfaces as the error, and the service backs off.
RETRY = Backoff(first=0.05, factor=10.0, cap=2.0)
RETRY_ATTEMPTS = 4


def _transient(exc: BaseException) -> bool:
    return isinstance(exc, sa.exc.DBAPIError) and (exc.connection_invalidated or isinstance(
        exc, sa.exc.OperationalError | sa.exc.InterfaceError))


class SchemaError(DuebotError):
    """The database's schema is missing or older than this duebot."""


class LedgerUnavailable(DuebotError):
    """The database cannot be reached; nothing may be sent until it can record again."""


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on SQLite as on PostgreSQL."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} given to the ledger")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect
                             ) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


metadata = sa.MetaData()

deliveries = sa.Table(
    "deliveries", metadata,
    sa.Column("key", sa.String(512), primary_key=True),
    sa.Column("event_id", sa.String(64), nullable=False, index=True),
    sa.Column("date_id", sa.String(64), nullable=False),
    sa.Column("item_id", sa.String(256), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False, server_default="reminder"),
    sa.Column("destination", sa.String(320), nullable=False),
    sa.Column("due", UTCDateTime(), nullable=False),
    sa.Column("target", UTCDateTime(), nullable=True),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("claims", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt", UTCDateTime(), nullable=False),
    sa.Column("lease_owner", sa.String(128), nullable=True),
    sa.Column("lease_until", UTCDateTime(), nullable=True),
    sa.Column("planned_at", UTCDateTime(), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    sa.Column("sent_at", UTCDateTime(), nullable=True),
    sa.Column("reason", sa.Text, nullable=False, server_default=""),
    sa.Column("remote_id", sa.String(256), nullable=False, server_default=""),
    sa.Column("payload", sa.Text, nullable=False, server_default=""),
    sa.Column("needs_approval", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("approved_at", UTCDateTime(), nullable=True),
    sa.Column("approved_by", sa.String(128), nullable=False, server_default=""),
    sa.Index("ix_deliveries_due", "state", "next_attempt"),
)

delivery_log = sa.Table(
    "delivery_log", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("key", sa.String(512), nullable=False, index=True),
    sa.Column("at", UTCDateTime(), nullable=False),
    sa.Column("from_state", sa.String(16), nullable=False),
    sa.Column("to_state", sa.String(16), nullable=False),
    sa.Column("reason", sa.Text, nullable=False, server_default=""),
    sa.Column("actor", sa.String(128), nullable=False, server_default=""),
)

subscribers = sa.Table(
    "subscribers", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("event_id", sa.String(64), nullable=False),
    sa.Column("destination", sa.String(320), nullable=False),
    sa.Column("state", sa.String(24), nullable=False),  # pending | active | unsubscribed
    sa.Column("token", sa.String(64), nullable=False, unique=True),
    sa.Column("source", sa.String(16), nullable=False, server_default=""),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    # The subscriber's own choices (bot.core.preferences JSON); "" means the organizers' plan.
    sa.Column("preferences", sa.Text, nullable=False, server_default=""),
    sa.UniqueConstraint("event_id", "destination", name="uq_subscribers_event_destination"),
)

audit_log = sa.Table(
    "audit_log", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", UTCDateTime(), nullable=False),
    sa.Column("actor", sa.String(128), nullable=False),
    sa.Column("event_id", sa.String(64), nullable=False, server_default=""),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("detail", sa.Text, nullable=False, server_default=""),
)

announcements = sa.Table(
    "announcements", metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("event_id", sa.String(64), nullable=False, index=True),
    sa.Column("when_spec", sa.String(128), nullable=False),
    sa.Column("destinations", sa.Text, nullable=False),  # JSON list
    sa.Column("text", sa.Text, nullable=False, server_default=""),
    sa.Column("template", sa.String(128), nullable=False, server_default=""),
    sa.Column("state", sa.String(16), nullable=False),  # scheduled | cancelled
    sa.Column("created_by", sa.String(128), nullable=False, server_default=""),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
)

processed_inbound = sa.Table(
    "processed_inbound", metadata,
    sa.Column("key", sa.String(512), primary_key=True),  # "slack:Ev123", "mail:<message-id>"
    sa.Column("at", UTCDateTime(), nullable=False),
    sa.Column("owner", sa.String(128), nullable=False, server_default=""),
)

inbound_hits = sa.Table(
    "inbound_hits", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("key", sa.String(320), nullable=False),  # a sender, for per-sender rate limits
    sa.Column("at", UTCDateTime(), nullable=False),
    sa.Index("ix_inbound_hits_key_at", "key", "at"),
)

ask_threads = sa.Table(
    "ask_threads", metadata,
    sa.Column("key", sa.String(320), primary_key=True),
    sa.Column("event_id", sa.String(64), nullable=False),
    sa.Column("reading", sa.Text, nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    sa.Index("ix_ask_threads_updated", "updated_at"),
)
THREAD_CONTEXT_AGE = timedelta(hours=24)
"""A follow-up older than this is a new question: the thread's context is forgotten."""
THREAD_CONTEXT_BYTES = 4096

meta = sa.Table(
    "duebot_meta", metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)


# Statements run once per delivery, built once: SQLAlchemy then skips re-building the
# statement and its cache key on every call (most of a record's cost, beside the commit).
_LOG_INSERT = delivery_log.insert()


@functools.cache
def _finish_statement(names: tuple[str, ...], count_attempt: bool) -> sa.Update:
    """``finish``'s UPDATE for a set of changed columns; their values bound as ``new_<name>``."""
    values: dict[str, Any] = {
        name: sa.bindparam(f"new_{name}", type_=deliveries.c[name].type) for name in names}
    values.update(lease_owner=None, lease_until=None)
    if count_attempt:  # a send was tried: only then is it an attempt (not a lapse, a release)
        values["attempts"] = deliveries.c.attempts + 1
    return (deliveries.update()
            .where(deliveries.c.key == sa.bindparam("match_key", type_=deliveries.c.key.type),
                   deliveries.c.state == "claimed",
                   deliveries.c.lease_owner == sa.bindparam("match_owner",
                                                            type_=deliveries.c.lease_owner.type))
            .values(values))


def _row(mapping: Any) -> Row:
    return Row(**{c.name: mapping[c.name] for c in deliveries.columns})


MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _alembic_config(engine: Engine) -> Any:
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(MIGRATIONS))
    head = script.get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` with alembic (``duebot db upgrade``)."""
    from alembic import command

    command.upgrade(_alembic_config(engine), revision)


def make_engine(url: str, *, pool_size: int = 5, max_overflow: int = 5,
                pool_timeout: float = 10.0) -> Engine:
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            # WAL lets readers (status, the web page) run beside the one writer.
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    return sa.create_engine(url, pool_size=pool_size, max_overflow=max_overflow,
                            pool_timeout=pool_timeout, pool_pre_ping=True)


class Ledger:
    """Every read and write of deliveries goes through here."""

    def __init__(self, engine: Engine, *, owner: str = "duebot") -> None:
        self.engine = engine
        self.owner = owner
        self.postgres = engine.dialect.name == "postgresql"

    @classmethod
    def open(cls, url: str, *, owner: str = "duebot", create: bool = True,
             **pool: Any) -> Ledger:
        """Connect; a new database gets the schema, an old one must be upgraded first."""
        engine = make_engine(url, **pool)
        ledger = cls(engine, owner=owner)
        ledger.ensure_schema(create=create)
        return ledger

    def ensure_schema(self, *, create: bool = True) -> None:
        try:
            current = current_revision(self.engine)
            head = head_revision()
            if current == head:
                return
            if current is None and create:
                existing = sa.inspect(self.engine).get_table_names()
                if "deliveries" not in existing:
                    with self.advisory_lock("schema"):
                        upgrade(self.engine)
                    return
            raise SchemaError(
                f"the database schema is at revision {current or 'none'}, this duebot needs "
                f"{head}: run `duebot db upgrade` (back up the database first)")
        except sa.exc.OperationalError as exc:
            raise LedgerUnavailable(f"cannot open the ledger database: {exc.orig}") from None

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def advisory_lock(self, name: str) -> Iterator[None]:
        """Once-per-change work (reconcile, schema) under a PostgreSQL advisory lock.

        On SQLite the single writer already serializes it.
        """
        if not self.postgres:
            yield
            return
        lock_id = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
        with self.engine.connect() as conn:
            conn.execute(sa.text("SELECT pg_advisory_lock(:id)"), {"id": lock_id})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(sa.text("SELECT pg_advisory_unlock(:id)"), {"id": lock_id})
                conn.commit()

    def now(self) -> datetime:
        """The shared clock: PostgreSQL's ``now()`` so that replicas with skewed clocks agree
        on what is due; the local clock on SQLite (one machine)."""
        if not self.postgres:
            return datetime.now(UTC)
        with self.engine.connect() as conn:
            return self.db_now(conn)

    def ping(self) -> None:
        """One ``SELECT 1``: the health check's question to the database."""
        with self.engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))

    def db_now(self, conn: Connection) -> datetime:
        """The database's clock: leases are judged by it, never by a replica's own clock."""
        if self.postgres:
            value = conn.execute(sa.text("SELECT now()")).scalar_one()
            assert isinstance(value, datetime)
            return value.astimezone(UTC)
        return datetime.now(UTC)

    def _log(self, conn: Connection, key: str, at: datetime, before: str, after: str,
             reason: str) -> None:
        conn.execute(_LOG_INSERT, {"key": key, "at": at, "from_state": before, "to_state": after,
                                   "reason": reason, "actor": self.owner})

    def _insert_ignore(self, rows: list[dict[str, Any]], conn: Connection) -> int:
        if not rows:
            return 0
        if self.postgres:
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
                {"key": key, "at": at, "from_state": "", "to_state": state, "actor": self.owner,
                 "reason": "planned" if state == "pending"
                 else "planned after its due time: not sent"}
                for key, state in inserted])
        return len(inserted)

    # -- planning ---------------------------------------------------------------------------

    def reconcile(self, event_id: str, planned: Iterable[Planned], now: datetime, *,
                  kind: str = "reminder") -> ReconcileReport:
        """Make the ledger match the plan for one event; never touches what was sent.

        New deliveries are added (skipped at once if their due time has already passed, so a
        fresh install or a late-added date never sends a surprise backlog); unsent ones whose
        time moved are re-timed; unsent ones no longer planned are cancelled.
        """
        wanted = {p.key: p for p in planned}
        added = skipped = retimed = cancelled = revived = unchanged = 0
        with self.advisory_lock(f"reconcile:{event_id}"), self.engine.begin() as conn:
            existing = {
                r.key: r for r in map(_row, conn.execute(
                    sa.select(deliveries).where(deliveries.c.event_id == event_id,
                                                deliveries.c.kind == kind)).mappings())
            }
            fresh = []
            for key, p in wanted.items():
                if key in existing:
                    continue
                state = "pending" if p.due >= now else "skipped"
                skipped += state == "skipped"
                fresh.append({
                    "key": key, "event_id": p.event_id, "date_id": p.date_id,
                    "item_id": p.item_id, "kind": p.kind, "destination": p.destination,
                    "due": p.due, "target": p.target, "state": state, "attempts": 0,
                    "next_attempt": p.due, "planned_at": now, "updated_at": now,
                    "reason": "" if state == "pending" else (
                        f"planned after its due time ({p.due:%Y-%m-%d %H:%M} UTC): not sent"),
                    "payload": p.payload, "needs_approval": p.needs_approval,
                })
            for start in range(0, len(fresh), 500):
                added += self._insert_ignore(fresh[start:start + 500], conn)
            added -= skipped
            for key, row in existing.items():
                want = wanted.get(key)
                if row.state in ("sent", "dead") or row.state == "claimed":
                    unchanged += 1
                    continue
                if want is None:
                    if row.state in UNSENT:
                        self._move(conn, row, "cancelled", now,
                                   "no longer planned (date, reminder or destination removed)")
                        cancelled += 1
                    else:
                        unchanged += 1
                    continue
                moved = (want.due != row.due or want.target != row.target
                         or want.payload != row.payload)
                if row.state in UNSENT and moved:
                    if want.due < now:
                        self._move(conn, row, "skipped", now,
                                   f"re-timed to {want.due:%Y-%m-%d %H:%M} UTC, which had already "
                                   f"passed: not sent", due=want.due, target=want.target,
                                   payload=want.payload)
                    else:
                        self._move(conn, row, "pending", now,
                                   f"re-timed from {row.due:%Y-%m-%d %H:%M} to "
                                   f"{want.due:%Y-%m-%d %H:%M} UTC", due=want.due,
                                   target=want.target, payload=want.payload, attempts=0)
                    retimed += 1
                elif row.state in ("skipped", "cancelled") and row.sent_at is None and (
                        moved or row.state == "cancelled") and want.due >= now:
                    self._move(conn, row, "pending", now,
                               f"planned again for {want.due:%Y-%m-%d %H:%M} UTC", due=want.due,
                               target=want.target, payload=want.payload, attempts=0)
                    revived += 1
                else:
                    unchanged += 1
        return ReconcileReport(added=added, skipped_past=skipped, retimed=retimed,
                               cancelled=cancelled, revived=revived, unchanged=unchanged)

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

    def _retrying(self, what: str, attempt: Callable[[int], T]) -> T:
        """``attempt(n)`` again after connection trouble; other errors (and the last) raise.

        Safe for claim (a claim whose commit was lost runs out its lease and is taken again),
        renew (idempotent) and finish (a retry first checks whether the lost commit landed).
        """
        return retrying(attempt, policy=RETRY, attempts=RETRY_ATTEMPTS, transient=_transient,
                        what=f"{what}: database connection trouble",
                        describe=lambda exc: str(getattr(exc, "orig", None) or exc))

    def claim(self, now: datetime, *, limit: int, lease: timedelta,
              owner: str | None = None) -> list[Row]:
        """Claim up to ``limit`` deliveries due at ``now`` (or whose lease ran out), atomically."""
        return self._retrying("claim", lambda _n: self._claim(now, limit=limit, lease=lease,
                                                               owner=owner or self.owner))

    def _claim(self, now: datetime, *, limit: int, lease: timedelta, owner: str) -> list[Row]:
        with self.engine.begin() as conn:
            db_now = self.db_now(conn)
            due = sa.or_(
                sa.and_(deliveries.c.state.in_(UNSENT), deliveries.c.next_attempt <= now,
                        sa.or_(deliveries.c.needs_approval == sa.false(),
                               deliveries.c.approved_at.is_not(None))),
                sa.and_(deliveries.c.state == "claimed", deliveries.c.lease_until < db_now),
            )
            pick = sa.select(deliveries.c.key).where(due).order_by(
                deliveries.c.next_attempt, deliveries.c.key).limit(limit)
            if self.postgres:
                pick = pick.with_for_update(skip_locked=True)
            stmt = (deliveries.update()
                    .where(deliveries.c.key.in_(pick.scalar_subquery()))
                    .values(state="claimed", lease_owner=owner, lease_until=db_now + lease,
                            claims=deliveries.c.claims + 1, updated_at=db_now)
                    .returning(*deliveries.columns))
            rows = [_row(m) for m in conn.execute(stmt).mappings()]
        return sorted(rows, key=lambda r: (r.next_attempt, r.key))

    def renew(self, key: str, lease: timedelta, *, owner: str | None = None) -> bool:
        """Extend our lease; False means another replica has taken the delivery over.

        A lease that ran out while the delivery waited behind slow sends is still ours as long
        as nobody claimed it since (a claim writes its own owner in the same statement that
        checks the lease), so it is renewed rather than given up and claimed again.
        """
        owner = owner or self.owner

        def attempt(_number: int) -> bool:
            with self.engine.begin() as conn:
                db_now = self.db_now(conn)
                result = conn.execute(
                    deliveries.update()
                    .where(deliveries.c.key == key, deliveries.c.state == "claimed",
                           deliveries.c.lease_owner == owner)
                    .values(lease_until=db_now + lease))
                return result.rowcount == 1

        return self._retrying("renew", attempt)

    def is_store_error(self, exc: BaseException) -> bool:
        """An error of the database layer (an outage or otherwise): it belongs to no single
        schedule or delivery, so the engine's per-schedule and per-delivery nets let it
        through to the service, which waits for the database."""
        return isinstance(exc, sa.exc.SQLAlchemyError | LedgerUnavailable)

    def renew_held(self, lease: timedelta, *, max_hold: timedelta) -> int:
        """Extend every lease this replica holds on a claim younger than ``max_hold``
        (a claim sets ``updated_at``; renewing does not); returns how many."""
        def attempt(_number: int) -> int:
            with self.engine.begin() as conn:
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
               next_attempt: datetime | None = None, count_attempt: bool = False) -> bool:
        """Record what happened to a claimed delivery; False if it was no longer ours.

        ``count_attempt``: a send was tried (sent, failed, dead after a send); False for a
        release, a re-time or a decision made without sending.
        """
        owner = owner or self.owner
        values: dict[str, Any] = {"state": state, "updated_at": now, "reason": reason}
        if state == "sent":
            values["sent_at"] = now
            values["remote_id"] = remote_id
        if next_attempt is not None:
            values["next_attempt"] = next_attempt
        stmt = _finish_statement(tuple(values), count_attempt)
        params = {f"new_{name}": value for name, value in values.items()}
        params.update(match_key=key, match_owner=owner)

        def attempt(number: int) -> bool:
            with self.engine.begin() as conn:
                result = conn.execute(stmt, params)
                if result.rowcount != 1:
                    # After a lost connection the earlier try may have committed: ours if the
                    # last history line is this very record.
                    return number > 0 and self._recorded(conn, key, state, now)
                self._log(conn, key, now, "claimed", state, reason)
                return True

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
        with self.engine.connect() as conn:
            return [_row(m) for m in conn.execute(query).mappings()]

    def due_rows(self, now: datetime) -> list[Row]:
        query = sa.select(deliveries).where(deliveries.c.state.in_(UNSENT),
                                            deliveries.c.next_attempt <= now
                                            ).order_by(deliveries.c.next_attempt,
                                                       deliveries.c.key)
        with self.engine.connect() as conn:
            return [_row(m) for m in conn.execute(query).mappings()]

    def next_wake(self) -> datetime | None:
        """The earliest instant something becomes due (or a lease runs out)."""
        with self.engine.connect() as conn:
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
        with self.engine.connect() as conn:
            return {state: int(n) for state, n in conn.execute(query).all()}

    def history(self, key: str) -> list[dict[str, Any]]:
        query = sa.select(delivery_log).where(delivery_log.c.key == key).order_by(
            delivery_log.c.id)
        with self.engine.connect() as conn:
            return [dict(m) for m in conn.execute(query).mappings()]

    # -- subscribers (Slack DMs, e-mail addresses) -------------------------------------------

    def subscribe(self, event_id: str, destination: str, now: datetime, *, source: str,
                  confirmed: bool = True) -> tuple[str, str]:
        """Add or re-activate a subscriber; returns (state, token). Idempotent.

        ``confirmed=False`` leaves the subscriber ``pending`` until ``confirm(token)`` (e-mail
        double opt-in); an already active subscriber stays active.
        """
        import secrets

        state = "active" if confirmed else "pending"
        with self.engine.begin() as conn:
            row = conn.execute(sa.select(subscribers).where(
                subscribers.c.event_id == event_id,
                subscribers.c.destination == destination)).mappings().first()
            if row is None:
                token = secrets.token_urlsafe(24)
                conn.execute(subscribers.insert().values(
                    event_id=event_id, destination=destination, state=state, token=token,
                    source=source, created_at=now, updated_at=now))
                return state, token
            if row["state"] == "active":
                return "active", str(row["token"])
            conn.execute(subscribers.update().where(subscribers.c.id == row["id"]).values(
                state=state, updated_at=now))
            return state, str(row["token"])

    def confirm(self, token: str, now: datetime) -> tuple[str, str] | None:
        """Activate a pending subscriber by token; returns (event_id, destination) or None."""
        with self.engine.begin() as conn:
            row = conn.execute(sa.select(subscribers).where(
                subscribers.c.token == token)).mappings().first()
            if row is None or row["state"] == "unsubscribed":
                return None
            conn.execute(subscribers.update().where(subscribers.c.id == row["id"]).values(
                state="active", updated_at=now))
            return str(row["event_id"]), str(row["destination"])

    def unsubscribe(self, now: datetime, *, token: str | None = None,
                    event_id: str | None = None, destination: str | None = None
                    ) -> list[tuple[str, str]]:
        """Unsubscribe by token, or by destination (in one event or all); returns who left."""
        query = sa.select(subscribers).where(subscribers.c.state != "unsubscribed")
        if token is not None:
            query = query.where(subscribers.c.token == token)
        elif destination is not None:
            query = query.where(subscribers.c.destination == destination)
            if event_id is not None:
                query = query.where(subscribers.c.event_id == event_id)
        else:
            raise ValueError("unsubscribe needs a token or a destination")
        with self.engine.begin() as conn:
            rows = conn.execute(query).mappings().all()
            for row in rows:
                conn.execute(subscribers.update().where(subscribers.c.id == row["id"]).values(
                    state="unsubscribed", updated_at=now))
        return [(str(r["event_id"]), str(r["destination"])) for r in rows]

    def subscriber_token(self, event_id: str, destination: str) -> str | None:
        with self.engine.connect() as conn:
            value = conn.execute(sa.select(subscribers.c.token).where(
                subscribers.c.event_id == event_id,
                subscribers.c.destination == destination)).scalar()
        return None if value is None else str(value)

    def subscriber_tokens(self, event_id: str) -> dict[str, str]:
        """destination -> token of every active subscriber of one event, in one query."""
        query = sa.select(subscribers.c.destination, subscribers.c.token).where(
            subscribers.c.event_id == event_id, subscribers.c.state == "active")
        with self.engine.connect() as conn:
            return {str(d): str(t) for d, t in conn.execute(query).all()}

    def subscriber(self, token: str) -> dict[str, Any] | None:
        """One subscriber by token (event_id, destination, state, preferences ...), or None."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(subscribers).where(
                subscribers.c.token == token)).mappings().first()
        return dict(row) if row is not None else None

    def set_preferences(self, event_id: str, destination: str, preferences: str,
                        now: datetime) -> bool:
        """Store a subscriber's choices (JSON from bot.core.preferences); False if unknown."""
        with self.engine.begin() as conn:
            return conn.execute(subscribers.update().where(
                subscribers.c.event_id == event_id,
                subscribers.c.destination == destination).values(
                preferences=preferences, updated_at=now)).rowcount == 1

    def subscriber_preferences(self) -> dict[str, dict[str, str]]:
        """event id -> destination -> stored preferences, for active subscribers who chose any."""
        query = sa.select(subscribers.c.event_id, subscribers.c.destination,
                          subscribers.c.preferences).where(
            subscribers.c.state == "active", subscribers.c.preferences != "")
        out: dict[str, dict[str, str]] = {}
        with self.engine.connect() as conn:
            for event_id, destination, prefs in conn.execute(query).all():
                out.setdefault(str(event_id), {})[str(destination)] = str(prefs)
        return out

    def active_subscribers(self) -> dict[str, tuple[str, ...]]:
        """event id -> destinations of its active subscribers, in the order they came."""
        query = sa.select(subscribers.c.event_id, subscribers.c.destination).where(
            subscribers.c.state == "active").order_by(subscribers.c.id)
        out: dict[str, list[str]] = {}
        with self.engine.connect() as conn:
            for event_id, destination in conn.execute(query).all():
                out.setdefault(str(event_id), []).append(str(destination))
        return {k: tuple(v) for k, v in out.items()}

    # -- inbound dedupe and rate limits (shared by replicas) --------------------------------

    def first_time(self, key: str, now: datetime) -> bool:
        """True exactly once per key across every replica (Slack event ids, Message-IDs)."""
        # One row, RETURNING: a list of parameters would make it an executemany, whose
        # rowcount psycopg does not report (first_time was False for every key on
        # PostgreSQL). Built once, without values: each call then skips building and
        # compiling it (1.3 ms -> 0.4 ms on SQLite; Slack's dedupe pays it per event).
        with self.engine.begin() as conn:
            return conn.execute(self._seen_insert(), {"key": key, "at": now,
                                                       "owner": self.owner}).first() is not None

    def hit(self, key: str, now: datetime, *, window: timedelta) -> int:
        """Record one inbound message from ``key``; returns how many in the last ``window``."""
        with self.engine.begin() as conn:
            conn.execute(inbound_hits.insert().values(key=key, at=now))
            conn.execute(inbound_hits.delete().where(inbound_hits.c.key == key,
                                                     inbound_hits.c.at < now - window))
            return int(conn.execute(sa.select(sa.func.count()).where(
                inbound_hits.c.key == key, inbound_hits.c.at >= now - window)).scalar_one())

    def seen(self, key: str) -> bool:
        """Whether ``first_time``/``enqueue(inbound=)`` already took this key (read only)."""
        with self.engine.connect() as conn:
            return conn.execute(sa.select(processed_inbound.c.key).where(
                processed_inbound.c.key == key)).first() is not None

    def hits(self, key: str, now: datetime, *, window: timedelta) -> int:
        """How many hits ``key`` has in the last ``window`` (read only; ``record`` adds one)."""
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).where(
                inbound_hits.c.key == key, inbound_hits.c.at >= now - window)).scalar_one())

    def record(self, now: datetime, *, inbound: str,
               hits: Sequence[tuple[str, timedelta]] = (), planned: Planned | None = None
               ) -> bool:
        """In one transaction: mark ``inbound`` seen, add one hit per ``(key, window)`` in
        ``hits`` (dropping that key's hits older than its window) and queue ``planned``;
        False, with nothing written, when another handler took ``inbound`` first.

        So a mail is never marked seen without its reply queued: a failure of either leaves
        neither, and the sender's retry (SMTP 451) is handled afresh.
        """
        with self.engine.begin() as conn:
            taken = conn.execute(self._seen_insert(), {"key": inbound, "at": now,
                                                        "owner": self.owner}).first()
            if taken is None:
                return False
            for key, window in hits:
                conn.execute(inbound_hits.insert().values(key=key, at=now))
                conn.execute(inbound_hits.delete().where(inbound_hits.c.key == key,
                                                         inbound_hits.c.at < now - window))
            if planned is not None:
                self._insert_ignore([self._enqueued(planned, now)], conn)
        return True

    def _seen_insert(self) -> Any:
        stmt: Any = getattr(self, "_first_time_stmt", None)
        if stmt is None:
            if self.postgres:
                from sqlalchemy.dialects.postgresql import insert as pg_insert

                stmt = pg_insert(processed_inbound)
            else:
                from sqlalchemy.dialects.sqlite import insert as sqlite_insert

                stmt = sqlite_insert(processed_inbound)
            stmt = (stmt.on_conflict_do_nothing(index_elements=["key"])
                    .returning(processed_inbound.c.key))
            self._first_time_stmt = stmt
        return stmt

    @staticmethod
    def _enqueued(planned: Planned, now: datetime) -> dict[str, Any]:
        return {"key": planned.key, "event_id": planned.event_id, "date_id": planned.date_id,
                "item_id": planned.item_id, "kind": planned.kind,
                "destination": planned.destination, "due": planned.due,
                "target": planned.target, "state": "pending", "attempts": 0,
                "next_attempt": planned.due, "planned_at": now, "updated_at": now,
                "reason": "", "payload": planned.payload}

    def enqueue(self, planned: Planned, now: datetime) -> bool:
        """A one-off delivery outside any schedule (a mail reply), due at once unless ``due``
        says later; False if its key is already in the ledger. ``reconcile`` never touches it
        (it only looks at its own ``kind``)."""
        with self.engine.begin() as conn:
            return self._insert_ignore([self._enqueued(planned, now)], conn) == 1

    # -- follow-up context per thread ---------------------------------------------------------

    def thread_context(self, key: str, event_id: str, now: datetime,
                       max_age: timedelta = THREAD_CONTEXT_AGE) -> dict[str, Any] | None:
        """The last reading kept for a thread ("and in IST?" reads against it), if fresh."""
        with self.engine.begin() as conn:
            row = conn.execute(sa.select(ask_threads.c.reading, ask_threads.c.updated_at,
                                         ask_threads.c.event_id)
                               .where(ask_threads.c.key == key)).first()
        if row is None or row.event_id != event_id or row.updated_at < now - max_age:
            return None
        try:
            value = json.loads(row.reading)
        except ValueError:
            return None
        return value if isinstance(value, dict) else None

    def remember_thread(self, key: str, event_id: str, reading: Mapping[str, Any],
                        now: datetime, max_age: timedelta = THREAD_CONTEXT_AGE) -> None:
        """Keep a thread's last reading (bounded in size), and forget stale threads."""
        text = json.dumps(dict(reading), ensure_ascii=False, separators=(",", ":"))
        if len(text.encode()) > THREAD_CONTEXT_BYTES:
            return  # never expected (readings are small); a follow-up then starts afresh
        with self.engine.begin() as conn:
            conn.execute(ask_threads.delete().where(
                sa.or_(ask_threads.c.key == key, ask_threads.c.updated_at < now - max_age)))
            conn.execute(ask_threads.insert().values(key=key, event_id=event_id,
                                                     reading=text, updated_at=now))

    # -- audit log ---------------------------------------------------------------------------

    def audit(self, now: datetime, *, actor: str, action: str, event_id: str = "",
              detail: str = "") -> None:
        with self.engine.begin() as conn:
            conn.execute(audit_log.insert().values(at=now, actor=actor, action=action,
                                                   event_id=event_id, detail=detail))

    def audit_entries(self, event_id: str | None = None, limit: int = 50
                      ) -> list[dict[str, Any]]:
        query = sa.select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
        if event_id:
            query = query.where(audit_log.c.event_id == event_id)
        with self.engine.connect() as conn:
            return [dict(m) for m in conn.execute(query).mappings()]

    # -- announcements and the outbox (issue 7) ---------------------------------------------

    def add_announcement(self, now: datetime, *, id: str, event_id: str, when_spec: str,
                         destinations: Sequence[str], text: str, template: str,
                         actor: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(announcements.insert().values(
                id=id, event_id=event_id, when_spec=when_spec,
                destinations=json.dumps(list(destinations)), text=text, template=template,
                state="scheduled", created_by=actor, created_at=now, updated_at=now))

    def announcement_rows(self, event_id: str | None = None,
                          states: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """Announcements scheduled by command (the schedule file holds the others)."""
        query = sa.select(announcements).order_by(announcements.c.created_at,
                                                  announcements.c.id)
        if event_id is not None:
            query = query.where(announcements.c.event_id == event_id)
        if states:
            query = query.where(announcements.c.state.in_(states))
        with self.engine.connect() as conn:
            return [{**m, "destinations": tuple(json.loads(m["destinations"] or "[]"))}
                    for m in conn.execute(query).mappings()]

    def set_announcement_state(self, announcement_id: str, state: str, now: datetime) -> bool:
        with self.engine.begin() as conn:
            return conn.execute(announcements.update().where(
                announcements.c.id == announcement_id).values(
                state=state, updated_at=now)).rowcount == 1

    def outbox(self, event_id: str | None = None) -> list[Row]:
        """Unsent deliveries waiting for an organizer's approval, soonest first."""
        query = sa.select(deliveries).where(
            deliveries.c.state.in_(UNSENT), deliveries.c.needs_approval == sa.true(),
            deliveries.c.approved_at.is_(None)).order_by(deliveries.c.due, deliveries.c.key)
        if event_id is not None:
            query = query.where(deliveries.c.event_id == event_id)
        with self.engine.connect() as conn:
            return [_row(m) for m in conn.execute(query).mappings()]

    def approve(self, ids: Sequence[str] | None, now: datetime, *, actor: str) -> list[str]:
        """Approve waiting deliveries by key or item id (None: all); returns the keys."""
        query = sa.select(deliveries.c.key).where(
            deliveries.c.state.in_(UNSENT), deliveries.c.needs_approval == sa.true(),
            deliveries.c.approved_at.is_(None))
        if ids is not None:
            query = query.where(sa.or_(deliveries.c.key.in_(ids),
                                       deliveries.c.item_id.in_(ids)))
        with self.engine.begin() as conn:
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
        with self.engine.begin() as conn:
            rows = [_row(m) for m in conn.execute(sa.select(deliveries).where(
                deliveries.c.state.in_(UNSENT), deliveries.c.needs_approval == sa.true(),
                deliveries.c.approved_at.is_(None),
                deliveries.c.next_attempt < now - grace)).mappings()]
            for row in rows:
                self._move(conn, row, "skipped", now,
                           f"not approved by {row.due + grace:%Y-%m-%d %H:%M} UTC (due "
                           f"{row.due:%Y-%m-%d %H:%M} UTC + grace): not sent")
        return len(rows)

    def get_meta(self, name: str) -> str | None:
        with self.engine.connect() as conn:
            value = conn.execute(sa.select(meta.c.value).where(meta.c.name == name)).scalar()
            return None if value is None else str(value)

    def set_meta(self, name: str, value: str) -> None:
        with self.engine.begin() as conn:
            updated = conn.execute(meta.update().where(meta.c.name == name).values(value=value))
            if updated.rowcount == 0:
                conn.execute(meta.insert().values(name=name, value=value))


def dumps(payload: dict[str, Any]) -> str:
    return json.dumps(payload, sort_keys=True, ensure_ascii=False)
