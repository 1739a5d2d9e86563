"""The store maps SQLAlchemy's and the driver's errors to ours (bot.errors) once.

Callers catch ``StorageError`` and its children, never a vendor type: a PostgreSQL backend
killed under a transaction surfaces as ``StorageUnavailable`` (with the vendor's exception
chained as its cause), a key written twice as ``StorageConflict``, a database that cannot be
opened as ``LedgerUnavailable`` (a DuebotError too) saying so.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.adapters.store.ledger import Ledger
from bot.errors import (
    DuebotError,
    LedgerUnavailable,
    StorageConflict,
    StorageError,
    StorageUnavailable,
)
from tests.pg import dbname, fresh_database, query, require_pg, sqlalchemy_url, terminate

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
