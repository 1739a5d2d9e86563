"""A batch of reconciles on SQLite (``DeliveryStore.reconciling``): its statements run on the
driver connection (``planning._Driver``) with a larger page cache (``planning.bulk_cache``).
The cache is set back after the batch, and the driver's errors are still the ledger's own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.adapters.store import planning
from bot.adapters.store.ledger import Ledger
from bot.errors import StorageError
from bot.ports import Planned

T0 = datetime(2030, 1, 10, 12, 0, tzinfo=UTC)
DUE = datetime(2030, 3, 20, 22, 59, tzinfo=UTC)


def planned(key: str) -> Planned:
    return Planned(key=f"{key}|console:", event_id="ev", date_id="paper", item_id=key,
                   destination="console:", due=DUE, target=DUE + timedelta(hours=3))


def cache_sizes(ledger: Ledger) -> list[int]:
    """``PRAGMA cache_size`` of every connection the pool holds."""
    pool = ledger.engine.pool
    held = []
    for _ in range(pool.checkedin()):  # type: ignore[attr-defined]
        held.append(ledger.engine.raw_connection())
    try:
        return [int(c.dbapi_connection.execute("PRAGMA cache_size").fetchone()[0])  # type: ignore[union-attr]
                for c in held]
    finally:
        for c in held:
            c.close()


def test_a_batch_has_the_larger_cache_and_gives_it_back(lite: Ledger) -> None:
    seen: list[int] = []
    real = planning.reconcile

    def reconcile(conn, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(int(conn.exec_driver_sql("PRAGMA cache_size").scalar_one()))
        return real(conn, *args, **kwargs)

    planning_reconcile = pytest.MonkeyPatch()
    planning_reconcile.setattr(planning, "reconcile", reconcile)
    try:
        with lite.reconciling():
            report = lite.reconcile("ev", [planned("a"), planned("b")], T0)
    finally:
        planning_reconcile.undo()
    assert report.added == 2
    assert seen == [-planning.BULK_CACHE_KIB]
    assert cache_sizes(lite) and set(cache_sizes(lite)) == {-2000}  # SQLite's default


def test_a_driver_statement_that_fails_is_a_storage_error(lite: Ledger) -> None:
    with lite.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE plan_fingerprints")
    with pytest.raises(StorageError, match="plan_fingerprints"), lite.reconciling():
        lite.reconcile("ev", [planned("a")], T0)
    assert set(cache_sizes(lite)) <= {-2000}
