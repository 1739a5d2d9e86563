"""The store maps SQLAlchemy's and the driver's errors to ours (bot.errors) once.

Callers catch ``StorageError`` and its children, never a vendor type: a PostgreSQL backend
killed under a transaction surfaces as ``StorageUnavailable`` (with the vendor's exception
chained as its cause), a key written twice as ``StorageConflict``, a database that cannot be
opened as ``LedgerUnavailable`` (a DuebotError too) saying so. On SQLite (whose driver raises
OperationalError for a missing table and a syntax error as for a lock) only a lock, a busy
database, a file that cannot be opened and disk I/O count as connection trouble; the rest is
a ``StorageError``, tried once, and the command line says it without a traceback.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.adapters.store.database import mapped_errors
from bot.adapters.store.ledger import Ledger
from bot.errors import (
    DuebotError,
    LedgerUnavailable,
    StorageConflict,
    StorageError,
    StorageUnavailable,
)
from tests.pg import (
    ROOT,
    dbname,
    fresh_database,
    query,
    require_pg,
    sqlalchemy_url,
    terminate,
    write_config,
)

NOW = datetime(2030, 1, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def pg_ledger() -> Iterator[tuple[Ledger, str]]:
    require_pg()
    with fresh_database() as url:
        named = sqlalchemy_url(dbname(url), application_name="store-errors")
        ledger = Ledger.open(named, owner="store-errors")
        try:
            yield ledger, url
        finally:
            ledger.close()


def test_a_killed_postgresql_connection_surfaces_as_storage_unavailable(
        pg_ledger: tuple[Ledger, str]) -> None:
    ledger, url = pg_ledger
    # advisory_lock holds one connection, as reconcile does; its unlock meets the dead backend.
    with pytest.raises(StorageUnavailable) as caught, ledger.advisory_lock("held"):
        assert terminate(url, application_name="store-errors") >= 1
    error = caught.value
    assert isinstance(error, StorageError)
    assert not isinstance(error, DuebotError)  # no user's mistake: their nets let it through
    assert isinstance(error.__cause__, sa.exc.DBAPIError)  # the vendor's, kept as the cause
    assert "terminat" in error.detail.lower()  # the server's own words
    assert str(error).startswith("database unreachable: ")
    assert ledger.is_store_error(error)
    # The pool replaces the dead connection: the next call works.
    assert ledger.counts() == {}
    assert query(url, "SELECT count(*) FROM deliveries") == [(0,)]


def test_a_key_written_twice_is_a_storage_conflict(tmp_path: Path) -> None:
    ledger = Ledger.open(f"sqlite:///{tmp_path / 'ledger.db'}")
    try:
        fields = dict(id="a1", event_id="ev", when_spec="now", destinations=["console:"],
                      text="hello", template="", actor="test")
        ledger.add_announcement(NOW, **fields)  # type: ignore[arg-type]
        with pytest.raises(StorageConflict) as caught:
            ledger.add_announcement(NOW, **fields)  # type: ignore[arg-type]
        assert isinstance(caught.value.__cause__, sa.exc.IntegrityError)
        assert "UNIQUE" in caught.value.detail
    finally:
        ledger.close()


def test_a_database_that_cannot_be_opened_says_so_as_storage_unavailable(
        tmp_path: Path) -> None:
    with pytest.raises(LedgerUnavailable, match="cannot open the ledger database") as caught:
        Ledger.open(f"sqlite:///{tmp_path / 'no-such-dir' / 'ledger.db'}")
    # Told to the operator as an error (the CLI prints DuebotErrors), and a storage error too.
    assert isinstance(caught.value, DuebotError) and isinstance(caught.value, StorageUnavailable)
    assert str(caught.value).startswith("duebot: error: cannot open the ledger database: ")


# -- SQLite: only what passes is connection trouble --------------------------------------------

def test_a_locked_sqlite_database_is_storage_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    Ledger.open(f"sqlite:///{path}").close()
    holder = sqlite3.connect(path, isolation_level=None)
    impatient = sa.create_engine(f"sqlite:///{path}", connect_args={"timeout": 0})
    try:
        holder.execute("BEGIN EXCLUSIVE")  # another process writing
        with pytest.raises(StorageUnavailable) as caught, mapped_errors(), \
                impatient.begin() as conn:
            conn.exec_driver_sql("DELETE FROM duebot_meta")
        assert str(caught.value) == "database unreachable: database is locked"
    finally:
        holder.close()
        impatient.dispose()


@pytest.mark.parametrize(("sql", "said"), [
    ("SELECT * FROM no_such_table", "no such table: no_such_table"),
    ("SELEKT 1", 'near "SELEKT": syntax error'),
])
def test_a_sqlite_statement_that_would_fail_again_is_not_retried_as_trouble(
        tmp_path: Path, sql: str, said: str) -> None:
    """pysqlite raises OperationalError for these too; they used to be "database unreachable"
    and tried four times (with waits) before the same error came back."""
    ledger = Ledger.open(f"sqlite:///{tmp_path / 'ledger.db'}")
    tries: list[int] = []

    def attempt(n: int) -> None:
        tries.append(n)
        with ledger.engine.connect() as conn, mapped_errors():
            conn.exec_driver_sql(sql)

    try:
        with pytest.raises(StorageError) as caught:
            ledger._retrying("test", attempt)
    finally:
        ledger.close()
    assert not isinstance(caught.value, StorageUnavailable)
    assert str(caught.value) == f"database error: {said}"
    assert len(tries) == 1


def _duebot(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("DUEBOT_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "bot", *args, "--config", str(config)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
                          check=False)


def test_the_cli_says_what_is_wrong_with_a_broken_sqlite_file(tmp_path: Path) -> None:
    garbage, dropped = tmp_path / "garbage.db", tmp_path / "dropped.db"
    garbage.write_bytes(bytes(range(256)) * 20)
    Ledger.open(f"sqlite:///{dropped}").close()
    with sqlite3.connect(dropped) as conn:
        conn.execute("DROP TABLE subscribers")  # by hand
    for path, said in ((garbage, "file is not a database"),
                       (dropped, "no such table: subscribers")):
        config = write_config(tmp_path / path.stem, database_url=f"sqlite:///{path}",
                              smtp_port=9, count=1)
        done = _duebot(config, "status")
        assert done.returncode == 1
        assert "Traceback" not in done.stderr
        assert done.stderr.strip().endswith(f"duebot: error: database error: {said}"), (
            done.stderr)
