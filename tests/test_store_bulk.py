"""A batch of reconciles on SQLite (``DeliveryStore.reconciling``): its statements run on the
driver connection (``planning._Driver``) with a larger page cache (``planning.bulk_cache``).
The cache is set back after the batch, and the driver's errors are still the ledger's own.
The events' announcements are read once per transaction of the batch, each event's the same
as its own query's."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

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


def _announce(ledger: Ledger, id: str, event_id: str, at: datetime) -> None:
    ledger.add_announcement(at, id=id, event_id=event_id, when_spec="2030-03-01",
                            destinations=["console:", f"mailto:{id}@example.org"],
                            text=f"about {id}", template="", actor="organizer")


def test_a_batch_reads_the_announcements_once_per_transaction(
        lite: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    """One SELECT for every event of a transaction, not one per event; each event gets what
    its own SELECT returns (its rows, in order, of the states asked); after a commit, the
    next transaction reads again and sees what another process wrote in between."""
    from bot.adapters.store import deliveries

    _announce(lite, "b", "e1", T0)
    _announce(lite, "a", "e1", T0)  # same time: by id
    _announce(lite, "c", "e1", T0 - timedelta(hours=1))
    _announce(lite, "d", "e2", T0)
    _announce(lite, "x", "e2", T0)
    lite.set_announcement_state("x", "cancelled", T0)
    events = ["e1", "e2", "e3"]
    kinds = (("scheduled",), ("scheduled", "cancelled"))
    alone = {(e, s): lite.announcement_rows(e, states=s) for e in events for s in kinds}
    assert [r["id"] for r in alone[("e1", ("scheduled",))]] == ["c", "a", "b"]
    assert [r["id"] for r in alone[("e2", kinds[1])]] == ["d", "x"]
    assert alone[("e2", ("scheduled",))][0]["destinations"] == ("console:",
                                                               "mailto:d@example.org")
    selects: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "FROM announcements" in statement:
            selects.append(statement)

    sa.event.listen(lite.engine, "before_cursor_execute", seen)
    try:
        with lite.reconciling():
            for event in events:
                lite.reconcile(event, [planned(event)], T0)  # the batch's transaction
                for states in kinds:
                    assert lite.announcement_rows(event, states=states) == alone[
                        (event, states)]
            assert len(selects) == 2  # once for each set of states
            monkeypatch.setattr(deliveries, "BATCH_SECONDS", 0.0)  # commit after each
            monkeypatch.setattr(deliveries, "FIRST_LOAD_SECONDS", 0.0)  # the first one too
            lite.reconcile("e3", [planned("e3")], T0)
            other = Ledger.open(str(lite.engine.url), owner="other")
            try:
                _announce(other, "y", "e3", T0)
            finally:
                other.close()
            lite.reconcile("e3", [planned("e3")], T0)
            assert [r["id"] for r in lite.announcement_rows("e3", states=["scheduled"])] == [
                "y"]
            assert len(selects) == 3
    finally:
        sa.event.remove(lite.engine, "before_cursor_execute", seen)


# -- a first load into an empty ledger builds two indexes after its rows ----------------------


def _indexes(conn: Any) -> set[str]:
    return {str(name) for (name,) in conn.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type = 'index'").all()}


def _plan(event: str, n: int) -> list[Planned]:
    return [Planned(key=f"{event}/{i}|console:", event_id=event, date_id="paper",
                    item_id=f"{event}/{i}", destination="console:",
                    due=DUE + timedelta(minutes=(i * 7919) % 1000)) for i in range(n)]


def test_a_first_load_builds_the_due_and_history_indexes_after_its_rows(
        lite: Ledger, tmp_path: Path) -> None:
    """Inside the batch's transaction the two indexes are gone while the rows go in; another
    connection meanwhile sees the ledger with them (the drop is not committed); afterwards
    they are there again, as a new ledger has them, and they answer the claim's query."""
    from tests.test_schema_created import mismatches, shape

    other = Ledger.open(f"sqlite:///{tmp_path / 'other.db'}")
    with other.engine.connect() as conn:
        expected = shape(conn)
    other.close()
    with lite.reconciling():
        lite.reconcile("e1", _plan("e1", 50), T0)
        batch = lite._local.batch
        inside = _indexes(batch)
        with lite.engine.connect() as conn:  # another connection: the committed schema
            outside = _indexes(conn)
        lite.reconcile("e2", _plan("e2", 50), T0)
    assert set(planning.DEFERRED) & inside == set()
    assert set(planning.DEFERRED) <= outside
    with lite.engine.connect() as conn:
        assert mismatches(expected, shape(conn)) == []
        plan = conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT key FROM deliveries WHERE state = 'pending' "
            "AND next_attempt <= '2031'").all()
        assert "ix_deliveries_due" in str(plan)
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    assert lite.counts() == {"pending": 100}
    assert len(lite.history("e2/7|console:")) == 1


def test_a_ledger_with_rows_keeps_its_indexes_in_a_batch(lite: Ledger) -> None:
    """Guard: only an empty ledger's load defers them."""
    lite.reconcile("e0", _plan("e0", 1), T0)
    with lite.reconciling():
        lite.reconcile("e1", _plan("e1", 5), T0)
        assert set(planning.DEFERRED) <= _indexes(lite._local.batch)
    with lite.engine.connect() as conn:
        assert set(planning.DEFERRED) <= _indexes(conn)


def test_a_first_load_that_fails_leaves_the_empty_ledger_with_its_indexes(
        lite: Ledger) -> None:
    """Guard: a database error ends the batch and rolls it back, the drop with the rows."""
    with lite.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE plan_fingerprints")
    with pytest.raises(StorageError, match="plan_fingerprints"), lite.reconciling():
        lite.reconcile("e1", _plan("e1", 20), T0)
    with lite.engine.connect() as conn:
        assert set(planning.DEFERRED) <= _indexes(conn)
        assert conn.exec_driver_sql("SELECT count(*) FROM deliveries").scalar() == 0


def test_a_long_first_load_builds_them_at_its_first_commit(
        lite: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    """Guard: a first load longer than FIRST_LOAD_SECONDS builds the indexes and commits,
    then goes on as any batch (the indexes kept row by row); the next transaction does not
    drop them again."""
    from bot.adapters.store import deliveries

    monkeypatch.setattr(deliveries, "FIRST_LOAD_SECONDS", 0.0)
    with lite.reconciling():
        lite.reconcile("e1", _plan("e1", 20), T0)
        assert not lite._local.batch.in_transaction()  # committed, indexes built
        with lite.engine.connect() as conn:
            assert set(planning.DEFERRED) <= _indexes(conn)
        lite.reconcile("e2", _plan("e2", 20), T0)
        assert set(planning.DEFERRED) <= _indexes(lite._local.batch)
    with lite.engine.connect() as conn:
        assert set(planning.DEFERRED) <= _indexes(conn)
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    assert lite.counts() == {"pending": 40}


def _sequence(ledger: Ledger) -> list[Any]:
    """Reconciles a first start could make, and some it would not: a past due row, empty
    plans, a key another event holds, a key planned twice, an event and kind reconciled twice
    (the second re-times), a plan that breaks half-way and its retry, a plan longer than a
    chunk; what each reported (or raised)."""
    def breaking() -> Iterator[Planned]:
        yield from _plan("e4", 3)
        raise ValueError("the schedule's plan broke")

    past = Planned(key="e1/past|console:", event_id="e1", date_id="paper", item_id="e1/past",
                   destination="console:", due=T0 - timedelta(minutes=5))
    twice = _plan("e3", 3)
    calls: list[tuple[str, Any, str]] = [
        ("e1", [*_plan("e1", 20), past], "reminder"),
        ("e1", [], "digest"),
        ("e1", [Planned(key="a1|console:", event_id="e1", date_id="", item_id="a1",
                        destination="console:", due=DUE, kind="announcement",
                        payload="{\"text\": \"hi\"}")], "announcement"),
        ("e2", [*_plan("e2", 4), _plan("e1", 1)[0]], "reminder"),
        ("e3", [*twice, Planned(**{**vars(twice[1]), "due": DUE + timedelta(days=1)})],
         "reminder"),
        ("e1", [Planned(**{**vars(p), "due": p.due + timedelta(hours=1)})
                for p in _plan("e1", 18)], "reminder"),
        ("e4", breaking, "reminder"),
        ("e4", lambda: _plan("e4", 5), "reminder"),
        ("e5", lambda: _plan("e5", planning.CHUNK + 3), "reminder"),
    ]
    out: list[Any] = []
    for event, plan, kind in calls:
        try:
            out.append(ledger.reconcile(event, plan() if callable(plan) else plan, T0,
                                        kind=kind))
        except ValueError as exc:
            out.append(str(exc))
    return out


def _contents(ledger: Ledger) -> dict[str, list[tuple[Any, ...]]]:
    with ledger.engine.connect() as conn:
        return {table: [tuple(r) for r in conn.exec_driver_sql(
            f"SELECT * FROM {table} ORDER BY {order}").all()]
            for table, order in (("deliveries", "key"), ("delivery_log", "id"),
                                 ("plan_fingerprints", "event_id, kind"))}


def test_a_first_load_asks_nothing_it_knows_and_writes_what_each_call_alone_writes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In a batch's first load into an empty ledger, an event and kind not yet reconciled
    has nothing stored: neither its rows nor its fingerprint are asked for. The ledger it
    leaves (rows, history, fingerprints) and the reports are those of the same reconciles
    each in its own transaction, asking everything; the same plans again are then skipped
    alike."""
    asked: list[str] = []
    for name in ("_existing", "_known"):
        real = getattr(planning, name)

        def counting(*args: Any, _real: Any = real, _name: str = name, **kwargs: Any) -> Any:
            asked.append(_name)
            return _real(*args, **kwargs)
        monkeypatch.setattr(planning, name, counting)
    alone, batched = (Ledger.open(f"sqlite:///{tmp_path / name}.db", owner="test")
                      for name in ("alone", "batched"))
    try:
        expected = _sequence(alone)
        asked_alone = len(asked)
        asked.clear()
        with batched.reconciling():
            found = _sequence(batched)
        assert found == expected
        assert _contents(batched) == _contents(alone)
        # Asked only for what was reconciled before in the batch: e1's reminders (twice:
        # rows, fingerprint) and e4 after its plan broke.
        assert sorted(asked) == ["_existing", "_existing", "_known", "_known"]
        assert asked_alone > 10
        assert _sequence(batched) == _sequence(alone)  # again, outside a batch
        assert _contents(batched) == _contents(alone)
    finally:
        alone.close()
        batched.close()
