"""The ledger's connection: the engine, the schema's revision, and what every table group shares.

``Store`` holds the engine and the replica's name; its helpers are the shared clock (the
database's on PostgreSQL, so replicas agree), advisory locks for once-per-change work, and one
retry policy for connection trouble. Each table group (``deliveries``, ``subscribers`` ...) is a
``Store`` of its own; ``bot.adapters.store.ledger.Ledger`` is all of them in one object.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from bot.adapters.retry import Backoff, retrying
from bot.adapters.store.schema import metadata
from bot.errors import (
    DuebotError,
    LedgerUnavailable,
    StorageConflict,
    StorageError,
    StorageUnavailable,
)

__all__ = ["HEAD", "LedgerUnavailable", "SchemaError", "Store", "at_head", "create_if_new",
           "current_revision", "head_revision", "make_engine", "mapped_errors", "storage_error",
           "upgrade"]

log = logging.getLogger("duebot.ledger")
T = TypeVar("T")

# Waits before trying a claim/renew/record again after connection trouble (0.05 s, 0.5 s, 2 s):
# a backend that was terminated (failover, pg_terminate_backend, an idle timeout) is replaced
# by the pool at once; a longer outage surfaces as the error, and the service backs off.
RETRY = Backoff(first=0.05, factor=10.0, cap=2.0)
RETRY_ATTEMPTS = 4
WRITE_OPTION = "duebot_write"
"""The execution option that makes a SQLite transaction BEGIN IMMEDIATE (``Store._begin``)."""


class SchemaError(DuebotError):
    """The database's schema is missing or older than this duebot."""


_SQLITE_TRANSIENT = {5, 6, 10, 14}
"""SQLite's primary result codes that pass: BUSY and LOCKED (another writer), IOERR (disk
I/O), CANTOPEN (the file or its directory not there, not yet readable)."""
_SQLITE_TRANSIENT_WORDS = ("locked", "busy", "unable to open", "disk i/o")


def _sqlite_transient(orig: sqlite3.Error) -> bool:
    """A SQLite error that another try may not meet; "no such table", a syntax error, a
    read-only file or a constraint would be met again at every try."""
    code = getattr(orig, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF in _SQLITE_TRANSIENT
    return any(word in str(orig).lower() for word in _SQLITE_TRANSIENT_WORDS)


def _unavailable(exc: sa.exc.SQLAlchemyError) -> bool:
    """Connection trouble: refused, terminated, timed out (the pool's too); on SQLite only
    locked, busy, unable to open, disk I/O (pysqlite raises OperationalError for much else)."""
    if isinstance(exc, sa.exc.TimeoutError):
        return True
    if not isinstance(exc, sa.exc.DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    if isinstance(exc.orig, sqlite3.Error):
        return isinstance(exc, sa.exc.OperationalError) and _sqlite_transient(exc.orig)
    return isinstance(exc, sa.exc.OperationalError | sa.exc.InterfaceError)


def storage_error(exc: sa.exc.SQLAlchemyError) -> StorageError:
    """Our error for SQLAlchemy's (and, through it, the driver's): the one mapping."""
    detail = str(getattr(exc, "orig", None) or exc).strip()
    detail = (detail.splitlines() or [type(exc).__name__])[0][:300]
    if _unavailable(exc):
        return StorageUnavailable(f"database unreachable: {detail}", detail=detail)
    if isinstance(exc, sa.exc.IntegrityError):
        return StorageConflict(f"already in the database: {detail}", detail=detail)
    return StorageError(f"database error: {detail}", detail=detail)


@contextmanager
def mapped_errors() -> Iterator[None]:
    """Raise ``bot.errors`` types for what SQLAlchemy raises inside; the cause stays chained."""
    try:
        yield
    except sa.exc.SQLAlchemyError as exc:
        raise storage_error(exc) from exc


MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _alembic_config(engine: Engine) -> Any:
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    cfg.attributes["engine"] = engine
    return cfg


HEAD = "0007"
"""The newest migration's revision: a start on a database already there need not import alembic
(a few tenths of a second) to learn it. ``tests/test_replicas.py`` holds it equal to
``head_revision()``."""


def at_head(engine: Engine) -> bool:
    """True when the database's one stored revision is ``HEAD``, read without alembic; False
    for anything else (no version table yet, another revision, another dialect), which
    alembic's own reading then decides."""
    with engine.connect() as conn:
        return _stored_revisions(conn) == [HEAD]


def _stored_revisions(conn: Connection) -> list[str] | None:
    """The revisions in alembic's version table, read without alembic ([] without the
    table, or with it empty); None on a dialect other than SQLite and PostgreSQL, which
    alembic then reads."""
    found = _version_table(conn)
    if not found:
        return None if found is None else []
    return [str(row[0]) for row in conn.exec_driver_sql(
        "SELECT version_num FROM alembic_version").all()]


def _version_table(conn: Connection) -> bool | None:
    """Whether alembic's version table is there; None on another dialect."""
    dialect = conn.dialect.name
    if dialect == "sqlite":
        return conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE type = 'table' "
                                    "AND name = 'alembic_version'").first() is not None
    if dialect == "postgresql":  # alembic's table in the search path, as alembic finds it
        # Read from pg_class by a query (this statement's snapshot), not to_regclass: its
        # catalog cache is not refreshed by the advisory lock that ``create_if_new`` waited
        # on, so a replica that waited for another to make the ledger found no table here,
        # then the other's tables, and refused the ledger as one without a revision.
        return conn.exec_driver_sql(
            "SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
            "ON n.oid = c.relnamespace WHERE c.relname = 'alembic_version' "
            "AND c.relkind IN ('r', 'p') AND n.nspname = ANY (current_schemas(false))"
        ).first() is not None
    return None


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(MIGRATIONS))
    head = script.get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with mapped_errors(), engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _lock_id(name: str) -> int:
    """A PostgreSQL advisory lock's key for ``name``: the same in every replica."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


@contextmanager
def _schema_transaction(engine: Engine) -> Iterator[Connection]:
    """One transaction holding the schema lock, committed on leaving: SQLite's write lock
    (BEGIN IMMEDIATE), a transaction-scoped advisory lock on PostgreSQL. Processes that start
    at once on a new database take turns: the first migrates, the next read the revision
    after it committed (head), never a schema half built or made twice."""
    with engine.execution_options(**{WRITE_OPTION: True}).begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:id)"), {"id": _lock_id("schema")})
        yield conn


def _migrate(engine: Engine, conn: Connection, revision: str) -> None:
    """alembic's upgrade on ``conn``'s transaction (env.py runs every step in it)."""
    from alembic import command

    cfg = _alembic_config(engine)
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, revision)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` with alembic (``duebot db upgrade``), in one
    transaction under the schema lock."""
    with mapped_errors(), _schema_transaction(engine) as conn:
        _migrate(engine, conn, revision)


VERSION_TABLE = sa.Table(
    "alembic_version", sa.MetaData(),
    sa.Column("version_num", sa.String(32), nullable=False),
    sa.PrimaryKeyConstraint("version_num", name="alembic_version_pkc"))
"""alembic's version table, as alembic itself creates it (``MigrationContext``'s): a ledger
made from the metadata is stamped in it, and alembic upgrades it later like any other."""


def create_if_new(engine: Engine) -> str | None:
    """Make the schema of a database without a ledger yet; the revision it is at afterwards.

    A new ledger is made at head from ``schema.metadata`` (its tables, indexes and SQLite's
    triggers) and stamped ``HEAD`` in alembic's version table: what running every migration
    makes (``tests/test_schema_created.py``), without importing alembic or running them.
    The look (no revision, no ``deliveries`` table) and the making are one transaction
    under the schema lock: a process that started beside another one finds the schema that
    one made, not an empty database (which it would build again) or an old one (an error).
    A database with tables but no revision, or an older revision, is left alone: upgrading
    it is the operator's ``duebot db upgrade`` (alembic's migrations), after a backup.
    """
    with mapped_errors(), _schema_transaction(engine) as conn:
        stored = _stored_revisions(conn)
        if stored is None or len(stored) > 1:  # another dialect, or several heads: alembic's
            from alembic.runtime.migration import MigrationContext

            found = MigrationContext.configure(conn).get_current_revision()
            if found is not None or "deliveries" in sa.inspect(conn).get_table_names():
                return found
            _migrate(engine, conn, "head")
            return MigrationContext.configure(conn).get_current_revision()
        if stored:
            return stored[0]
        if "deliveries" in sa.inspect(conn).get_table_names():
            return None
        # alembic's table may be there, empty: taken down to base (``alembic downgrade
        # base`` drops every table but that one), which the migrations made again.
        _create_at_head(conn, version_table=bool(_version_table(conn)))
        return HEAD


def _create_at_head(conn: Connection, *, version_table: bool = False) -> None:
    """``schema.metadata``'s tables (every one, whichever migration added it), their indexes
    and constraints and SQLite's triggers; then alembic's version table at ``HEAD``. Not
    ``checkfirst``: a table already there is an error, as the migration's CREATE would be."""
    metadata.create_all(conn, checkfirst=False)
    if not version_table:  # there already (empty): alembic stamps the one it finds, too
        VERSION_TABLE.create(conn, checkfirst=False)
    conn.execute(VERSION_TABLE.insert().values(version_num=HEAD))


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
            dbapi_conn.isolation_level = None  # BEGIN is ours (below), not pysqlite's guess

        @sa.event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            # A write transaction takes the write lock when it begins: one that read first and
            # wrote later would get SQLITE_BUSY at once (no busy wait) if another connection
            # committed in between. Reads begin deferred and stay beside the writer.
            write = conn.get_execution_options().get(WRITE_OPTION, False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine
    return sa.create_engine(url, pool_size=pool_size, max_overflow=max_overflow,
                            pool_timeout=pool_timeout, pool_pre_ping=True)



class Store:
    """The engine and the replica's name, shared by every table group."""

    def __init__(self, engine: Engine, *, owner: str = "duebot") -> None:
        self.engine = engine
        self.owner = owner
        self.postgres = engine.dialect.name == "postgresql"
        self._writer = engine.execution_options(**{WRITE_OPTION: True})
        self._local = threading.local()
        """This thread's open batch of reconciles (``DeliveryStore.reconciling``), if any."""

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _begin(self) -> Iterator[Connection]:
        """A transaction, committed on leaving; SQLAlchemy's errors leave it as ours."""
        with mapped_errors(), self._writer.begin() as conn:
            yield conn

    @contextmanager
    def _connect(self) -> Iterator[Connection]:
        """A connection for reads (or explicit commits); errors mapped as in ``_begin``."""
        with mapped_errors(), self.engine.connect() as conn:
            yield conn

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        """A connection for a read: this thread's open batch of reconciles if there is one
        (no second checkout, and it sees the batch's own writes), else a fresh one."""
        batch: Connection | None = getattr(self._local, "batch", None)
        if batch is None or not batch.in_transaction():  # a read opens no write transaction
            with self._connect() as conn:
                yield conn
            return
        with mapped_errors():
            yield batch

    @contextmanager
    def advisory_lock(self, name: str) -> Iterator[None]:
        """Once-per-change work (reconcile) under a PostgreSQL advisory lock.

        On SQLite the single writer already serializes it.
        """
        if not self.postgres:
            yield
            return
        lock_id = _lock_id(name)
        with self._connect() as conn:
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
        with self._connect() as conn:
            return self.db_now(conn)

    def ping(self) -> None:
        """One ``SELECT 1``: the health check's question to the database."""
        with self._connect() as conn:
            conn.execute(sa.text("SELECT 1"))

    def db_now(self, conn: Connection) -> datetime:
        """The database's clock: leases are judged by it, never by a replica's own clock."""
        if self.postgres:
            value = conn.execute(sa.text("SELECT now()")).scalar_one()
            assert isinstance(value, datetime)
            return value.astimezone(UTC)
        return datetime.now(UTC)


    def _retrying(self, what: str, attempt: Callable[[int], T]) -> T:
        """``attempt(n)`` again after connection trouble; other errors (and the last) raise.

        Safe for claim (a claim whose commit was lost runs out its lease and is taken again),
        renew (idempotent) and finish (a retry first checks whether the lost commit landed).
        """
        return retrying(attempt, policy=RETRY, attempts=RETRY_ATTEMPTS,
                        transient=lambda exc: isinstance(exc, StorageUnavailable),
                        what=f"{what}: database connection trouble",
                        describe=lambda exc: str(getattr(exc, "detail", None) or exc))

    def is_store_error(self, exc: BaseException) -> bool:
        """An error of the database layer (an outage or otherwise): it belongs to no single
        schedule or delivery, so the engine's per-schedule and per-delivery nets let it
        through to the service, which waits for the database."""
        return isinstance(exc, StorageError)

