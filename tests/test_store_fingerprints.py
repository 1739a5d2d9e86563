"""An unchanged plan skips its reconcile (``plan_fingerprints``), and only when that is safe.

Each case first shows the skip happening where it should (a restart, time passing, claims and
sends), then makes a change reconcile would answer from outside reconcile (a release, a
cancel by another replica, a re-time at claim, a deletion, time going back) and checks the
next reconcile with the very same plan does answer it: if the fingerprint were trusted there,
the row would stay as it was and the assertion fails.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.adapters.store import planning
from bot.adapters.store.ledger import Ledger
from bot.adapters.store.schema import UTCDateTime
from bot.ports import Planned, ReconcileReport

T0 = datetime(2030, 1, 10, 12, 0, tzinfo=UTC)
DUE = datetime(2030, 3, 20, 22, 59, tzinfo=UTC)
LEASE = timedelta(minutes=5)


def planned(key: str, due: datetime = DUE) -> Planned:
    return Planned(key=f"{key}|console:", event_id="ev", date_id="paper", item_id=key,
                   destination="console:", due=due, target=due + timedelta(hours=3))


@pytest.fixture
def compared(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The events whose plan was compared with the ledger (not skipped), in order."""
    calls: list[str] = []
    real = planning._reconcile

    def counting(conn: object, rows: object, params: dict[str, object], *args: object,
                 **kwargs: object) -> object:
        calls.append(str(params["p_event"]))
        return real(conn, rows, params, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(planning, "_reconcile", counting)
    return calls


def state(ledger: Ledger, key: str) -> tuple[str, datetime]:
    (found,) = [r for r in ledger.rows(event_id="ev") if r.item_id == key]
    return found.state, found.due


def test_a_restart_with_the_same_plan_is_not_compared_and_reports_the_rows(
        tmp_path: Path, compared: list[str]) -> None:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    plan = [planned(k, DUE + timedelta(minutes=i)) for i, k in enumerate("abc")]
    first = Ledger.open(url, owner="one")
    assert first.reconcile("ev", plan, T0) == ReconcileReport(added=3)
    first.close()
    again = Ledger.open(url, owner="two")  # another process, a day later
    assert again.reconcile("ev", plan, T0 + timedelta(days=1)) == ReconcileReport(unchanged=3)
    assert compared == ["ev"]
    # One planned row more: compared (and added), then known again.
    longer = [*plan, planned("d")]
    assert again.reconcile("ev", longer, T0 + timedelta(days=1)) == ReconcileReport(
        added=1, unchanged=3)
    assert again.reconcile("ev", longer, T0 + timedelta(days=2)) == ReconcileReport(
        unchanged=4)
    assert compared == ["ev", "ev"]
    again.close()


def test_claims_and_sends_keep_the_fingerprint_a_release_forgets_it(
        lite: Ledger, compared: list[str]) -> None:
    soon = T0 + timedelta(minutes=1)
    plan = [planned("a", soon), planned("b", soon), planned("c")]
    lite.reconcile("ev", plan, T0)
    at = T0 + timedelta(minutes=2)
    a, b = lite.claim(at, limit=5, lease=LEASE)
    assert lite.finish(a.key, "sent", at, owner="test")
    assert lite.reconcile("ev", plan, at) == ReconcileReport(unchanged=3)
    assert compared == ["ev"]  # the claims and the send fired no trigger
    # b goes back to pending (a shutdown): unsent again, so compared again.
    assert lite.finish(b.key, "pending", at, "released", owner="test", count_attempt=False)
    assert lite.reconcile("ev", plan, at) == ReconcileReport(unchanged=3)
    assert compared == ["ev", "ev"]


def test_a_row_another_replica_cancelled_is_revived_by_the_same_plan(
        lite: Ledger, compared: list[str]) -> None:
    soon = T0 + timedelta(minutes=1)
    plan = [planned("a", soon), planned("b")]
    lite.reconcile("ev", plan, T0)
    # A replica still on an older schedule (without "a") claims it and cancels it.
    (a,) = lite.claim(soon, limit=5, lease=LEASE, owner="old")
    assert lite.finish(a.key, "cancelled", soon, "no longer planned", owner="old",
                       count_attempt=False)
    # Planned again, not yet past (reconcile's revive rule): pending once more.
    lite.reconcile("ev", plan, soon)
    assert state(lite, "a") == ("pending", soon)
    assert compared == ["ev", "ev"]


def test_a_due_time_moved_at_claim_is_set_back_by_the_same_plan(
        lite: Ledger, compared: list[str]) -> None:
    soon = T0 + timedelta(minutes=1)
    plan = [planned("a", soon)]
    lite.reconcile("ev", plan, T0)
    (a,) = lite.claim(soon, limit=5, lease=LEASE, owner="old")
    later = soon + timedelta(hours=5)  # an older replica's plan had it later
    assert lite.finish(a.key, "pending", soon, "re-timed", owner="old", count_attempt=False,
                       next_attempt=later, due=later)
    lite.reconcile("ev", plan, soon)
    assert state(lite, "a") == ("pending", soon)
    assert len(compared) == 2


def test_a_skip_for_lack_of_approval_or_a_deleted_row_is_answered(
        lite: Ledger, compared: list[str]) -> None:
    plan = [Planned(key="a|console:", event_id="ev", date_id="paper", item_id="a",
                    destination="console:", due=T0 + timedelta(minutes=1),
                    needs_approval=True), planned("b")]
    lite.reconcile("ev", plan, T0)
    at = T0 + timedelta(hours=2)
    assert lite.skip_unapproved(at, timedelta(hours=1)) == 1
    lite.reconcile("ev", plan, at)  # compared: the skipped row stays skipped (not moved)
    assert state(lite, "a")[0] == "skipped"
    with lite.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM deliveries WHERE key = 'b|console:'"))
    assert lite.reconcile("ev", plan, at) == ReconcileReport(added=1, unchanged=1)
    assert state(lite, "b") == ("pending", DUE)
    assert len(compared) == 3


def test_time_going_back_compares_again(lite: Ledger, compared: list[str]) -> None:
    """A rehearsal's ``--now`` may be earlier than the last reconcile: what was past then may
    be due again, and a cancelled row planned again is revived."""
    soon = T0 + timedelta(hours=1)
    plan = [planned("a", soon), planned("b")]
    lite.reconcile("ev", plan, T0)
    lite.reconcile("ev", plan[1:], T0)  # "a" removed: cancelled
    late = soon + timedelta(hours=1)
    lite.reconcile("ev", plan, late)  # planned again, but past: stays cancelled
    assert state(lite, "a")[0] == "cancelled"
    lite.reconcile("ev", plan, T0)  # back before its due time: revived
    assert state(lite, "a") == ("pending", soon)
    assert len(compared) == 4


def test_a_plan_that_fails_halfway_leaves_no_fingerprint(
        lite: Ledger, compared: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(planning, "CHUNK", 2)  # long plans: loaded whole before any write
    plan = [planned(k, DUE + timedelta(minutes=i)) for i, k in enumerate("abcde")]
    assert lite.reconcile("ev", plan, T0) == ReconcileReport(added=5)
    assert lite.reconcile("ev", plan, T0) == ReconcileReport(unchanged=5)  # loaded, not
    assert len(compared) == 2                                               # compared

    def failing() -> Iterator[Planned]:
        yield planned("f")
        yield from plan[:3]
        raise RuntimeError("a bug in the schedule's plan")

    with lite.reconciling():  # as the engine does: the failure is that schedule's alone
        with pytest.raises(RuntimeError):
            lite.reconcile("ev", failing(), T0)
        assert lite.reconcile("ev", plan, T0) == ReconcileReport(unchanged=5)
    assert {r.item_id for r in lite.rows(event_id="ev")} == set("abcde")
    assert len(compared) == 4  # the failed one forgot the fingerprint: compared again
    assert lite.reconcile("ev", plan, T0) == ReconcileReport(unchanged=5)
    assert len(compared) == 5  # a long plan is loaded whole, then known


def test_without_the_triggers_nothing_is_skipped_nor_stored(
        lite: Ledger, compared: list[str]) -> None:
    with lite.engine.begin() as conn:
        for name in planning.TRIGGERS:
            conn.execute(sa.text(f"DROP TRIGGER {name}"))
    plan = [planned("a")]
    lite.reconcile("ev", plan, T0)
    lite.reconcile("ev", plan, T0)
    assert len(compared) == 2
    with lite.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM plan_fingerprints")).scalar() == 0


def test_postgresql_always_compares(ledger: Ledger, compared: list[str]) -> None:
    plan = [planned("a")]
    ledger.reconcile("ev", plan, T0)
    assert ledger.reconcile("ev", plan, T0) == ReconcileReport(unchanged=1)
    assert len(compared) == (2 if ledger.postgres else 1)


def test_the_migration_creates_the_triggers_reconcile_looks_for(lite: Ledger) -> None:
    migration = importlib.import_module(
        "bot.adapters.store.migrations.versions.0006_plan_fingerprints")
    assert tuple(migration.TRIGGERS) == planning.TRIGGERS
    with lite.engine.connect() as conn:
        names = set(conn.execute(sa.text(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars())
    assert names == set(planning.TRIGGERS)


ZONES = st.sampled_from([UTC, timezone(timedelta(hours=5, minutes=30)),
                         ZoneInfo("America/Los_Angeles"), ZoneInfo("Asia/Tokyo")])


@settings(max_examples=300, deadline=None)
@given(when=st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30),
                         timezones=ZONES), fold=st.integers(0, 1))
def test_sqlite_text_is_the_text_sqlalchemy_stores(when: datetime, fold: int) -> None:
    engine = sa.create_engine("sqlite://")
    theirs = UTCDateTime().dialect_impl(engine.dialect).bind_processor(engine.dialect)
    assert theirs is not None
    when = when.replace(fold=fold)
    assert planning.sqlite_text(when) == theirs(when)
    with pytest.raises(ValueError, match="naive"):
        planning.sqlite_text(when.replace(tzinfo=None))


def test_a_key_another_event_held_is_planned_once_that_row_is_gone(
        lite: Ledger, compared: list[str]) -> None:
    held = Planned(key="a|console:", event_id="other", date_id="paper", item_id="a",
                   destination="console:", due=DUE)
    lite.reconcile("other", [held], T0)
    plan = [planned("a"), planned("b")]
    assert lite.reconcile("ev", plan, T0) == ReconcileReport(added=1)  # "a" is other's
    assert lite.reconcile("ev", plan, T0) == ReconcileReport(unchanged=1)
    with lite.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM deliveries WHERE event_id = 'other'"))
    assert lite.reconcile("ev", plan, T0) == ReconcileReport(added=1, unchanged=1)
    assert state(lite, "a") == ("pending", DUE)
    assert compared == ["other", "ev", "ev"]
