"""A claimed row holds what the ledger holds, on SQLite and PostgreSQL.

``claim`` converts its RETURNING rows itself (each column's own processor, through a cache
shared by the rows of a fan-out) instead of SQLAlchemy's result processing: the values must be
the very ones ``rows()`` reads back through SQLAlchemy, aware UTC instants and real booleans.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.adapters.store.ledger import Ledger
from bot.ports import Planned

DUE = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)
BEFORE = DUE - timedelta(hours=1)
AT = DUE + timedelta(seconds=30)


def test_a_claimed_row_is_the_row_as_the_ledger_reads_it(ledger: Ledger) -> None:
    planned = [Planned(key=f"r|mailto:p{i}@example.org", event_id="ev", date_id="paper",
                       item_id="r", destination=f"mailto:p{i}@example.org",
                       due=DUE + timedelta(microseconds=i), target=DUE + timedelta(days=1),
                       needs_approval=i == 1) for i in range(3)]
    planned.append(replace(planned[0], key="bare|mailto:q@example.org", target=None,
                           destination="mailto:q@example.org"))
    ledger.reconcile("ev", planned, BEFORE)
    assert ledger.approve(["r|mailto:p1@example.org"], BEFORE, actor="ann") == [
        "r|mailto:p1@example.org"]

    claimed = ledger.claim(AT, limit=10, lease=timedelta(minutes=5))

    stored = {row.key: row for row in ledger.rows()}
    assert len(claimed) == 4
    for row in claimed:
        assert row == stored[row.key]
        for value in (row.due, row.next_attempt, row.planned_at, row.updated_at,
                      row.lease_until):
            assert isinstance(value, datetime) and value.utcoffset() == timedelta(0)
        assert isinstance(row.needs_approval, bool)
    approved = stored["r|mailto:p1@example.org"]
    assert approved.needs_approval is True and approved.approved_by == "ann"
    assert approved.approved_at == BEFORE
    assert stored["bare|mailto:q@example.org"].target is None
    assert stored["r|mailto:p2@example.org"].due == DUE + timedelta(microseconds=2)
    assert {row.state for row in claimed} == {"claimed"}
    assert {row.claims for row in claimed} == {1}
