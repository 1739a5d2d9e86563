"""An event's plan as a grid (``bot.ports.PlannedGrid``: the same reminders to each
destination) is what its ``Planned`` are: iterated, the very objects, in the same order; handed
to the ledger, the rows, history and fingerprints the list of them leaves (a first load into an
empty ledger, then a changed plan, a subscriber's own choices, a key planned twice)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.store.ledger import Ledger
from bot.app.delivery import planned_deliveries
from bot.core.model import Event
from bot.core.planner import Reminder, plan
from bot.ports import Planned, PlannedGrid

T0 = datetime(2030, 1, 10, 12, 0, tzinfo=UTC)
DUE = datetime(2030, 3, 20, 22, 59, tzinfo=UTC)


def reminder(event: str, date: str, lead: int, *, target: datetime = DUE) -> Reminder:
    return Reminder(id=f"{event}/{date}/{lead}d", event_id=event, date_id=date,
                    lead=timedelta(days=lead), lead_text=f"{lead}d",
                    due=target - timedelta(days=lead), target=target, final_call=lead == 1)


EVERYONE = [reminder("e1", "paper", 7), reminder("e1", "paper", 1),
            reminder("e1", "camera", 7, target=DUE + timedelta(days=30)),
            reminder("e1", "late", 1, target=T0 + timedelta(hours=3))]  # due before T0
OWN = [reminder("e1", "paper", 3), EVERYONE[1]]


def test_a_grid_iterates_as_each_destinations_planned() -> None:
    grid = PlannedGrid(event_id="e1", destinations=["console:", "mailto:a@example.org",
                                                    "mailto:b@example.org"],
                       items=EVERYONE, own={"mailto:a@example.org": OWN}, needs_approval=True)
    expected = [Planned(key=f"{r.id}|{d}", event_id="e1", date_id=r.date_id, item_id=r.id,
                        destination=d, due=r.due, target=r.target, needs_approval=True)
                for d, rs in (("console:", EVERYONE), ("mailto:a@example.org", OWN),
                              ("mailto:b@example.org", EVERYONE)) for r in rs]
    assert list(grid) == expected
    assert list(grid) == expected  # again: a grid is not used up


def test_the_engine_plans_a_grid_of_the_events_reminders(shipped: Event) -> None:
    everyone = plan(shipped)
    grid = planned_deliveries(shipped, ["console:"], everyone, {}, approve=False)
    assert isinstance(grid, PlannedGrid)
    assert [p.item_id for p in grid] == [r.id for r in everyone]


def _calls() -> list[tuple[str, PlannedGrid]]:
    """A first start's grids, then changes: a date moved, a destination gone and one added,
    a subscriber's own choices, approval, a reminder planned twice (the last one counts)."""
    moved = [*EVERYONE[:2], reminder("e1", "camera", 7, target=DUE + timedelta(days=40))]
    return [
        ("e1", PlannedGrid(event_id="e1", destinations=["console:", "mailto:a@example.org"],
                           items=EVERYONE, own={})),
        ("e2", PlannedGrid(event_id="e2", destinations=["console:"],
                           items=[reminder("e2", "paper", 7), reminder("e2", "paper", 7)],
                           own={}, needs_approval=True)),
        ("e3", PlannedGrid(event_id="e3", destinations=[], items=EVERYONE, own={})),
        ("e1", PlannedGrid(event_id="e1", destinations=["mailto:a@example.org",
                                                        "mailto:b@example.org"],
                           items=moved, own={"mailto:b@example.org": OWN})),
    ]


@contextmanager
def _two(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Ledger, Ledger]]:
    """Two empty ledgers of the parameter's kind."""
    if request.param == "sqlite":
        pair = [Ledger.open(f"sqlite:///{tmp_path / name}.db", owner="test")
                for name in ("grid", "list")]
        try:
            yield pair[0], pair[1]
        finally:
            for one in pair:
                one.close()
        return
    from tests.pg import fresh_database, require_pg

    require_pg()
    with fresh_database() as a, fresh_database() as b:
        pair = [Ledger.open(url, owner="test") for url in (a, b)]
        try:
            yield pair[0], pair[1]
        finally:
            for one in pair:
                one.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def two(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Ledger, Ledger]]:
    with _two(request, tmp_path) as pair:
        yield pair


def _contents(ledger: Ledger) -> dict[str, list[tuple[Any, ...]]]:
    with ledger.engine.connect() as conn:
        return {table: [tuple(r) for r in conn.exec_driver_sql(
            f"SELECT * FROM {table} ORDER BY {order}").all()]
            for table, order in (("deliveries", "key"), ("delivery_log", "id"),
                                 ("plan_fingerprints", "event_id, kind"))}


def test_the_ledger_takes_a_grid_as_the_list_of_its_planned(
        two: tuple[Ledger, Ledger]) -> None:
    grids, lists = two
    calls = _calls()
    with grids.reconciling():  # a first start's batch (its first load on SQLite), then more
        by_grid = [grids.reconcile(event, grid, T0) for event, grid in calls[:3]]
    with lists.reconciling():
        by_list = [lists.reconcile(event, list(grid), T0) for event, grid in calls[:3]]
    assert by_grid == by_list
    assert by_grid[0].added == 6 and by_grid[0].skipped_past == 2
    assert _contents(grids) == _contents(lists)
    later = T0 + timedelta(minutes=5)
    event, grid = calls[3]
    assert grids.reconcile(event, grid, later) == lists.reconcile(event, list(grid), later)
    assert _contents(grids) == _contents(lists)
    again = grids.reconcile(event, grid, later)  # and again: nothing to do, alike
    assert again == lists.reconcile(event, list(grid), later)
    assert again.unchanged == 10 and again.added == again.retimed == again.cancelled == 0
    assert _contents(grids) == _contents(lists)
