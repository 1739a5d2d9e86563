"""The ledger's reconcile, rule by rule, on SQLite and on PostgreSQL.

Reconcile runs as set operations in the database (bot.adapters.store.planning); these cases
pin its rules on both engines: new rows pending (or skipped when already past), unsent rows
re-timed (or skipped when moved into the past), rows no longer planned cancelled, skipped and
cancelled rows revived, and what is sent, dead or claimed never touched, with one history line
per change and the counts in the report.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.adapters.store.ledger import Ledger
from bot.ports import Planned, ReconcileReport

T0 = datetime(2030, 1, 10, 12, 0, tzinfo=UTC)
DUE = datetime(2030, 3, 20, 22, 59, tzinfo=UTC)
LEASE = timedelta(minutes=5)


def planned(key: str, due: datetime = DUE, *, payload: str = "") -> Planned:
    return Planned(key=f"{key}|mailto:a@example.org", event_id="ev", date_id="paper",
                   item_id=key, destination="mailto:a@example.org", due=due, target=DUE,
                   payload=payload)


def row(ledger: Ledger, key: str) -> tuple[str, datetime, str, int]:
    found = [r for r in ledger.rows(event_id="ev") if r.item_id == key]
    assert len(found) == 1, found
    return found[0].state, found[0].due, found[0].reason, found[0].attempts


def test_new_rows_are_pending_or_skipped_when_already_past(ledger: Ledger) -> None:
    report = ledger.reconcile("ev", [planned("a"), planned("b", T0 - timedelta(hours=1))], T0)
    assert report == ReconcileReport(added=1, skipped_past=1)
    assert row(ledger, "a") == ("pending", DUE, "", 0)
    state, _, reason, _ = row(ledger, "b")
    assert state == "skipped"
    assert reason == "planned after its due time (2030-01-10 11:00 UTC): not sent"
    assert [h["reason"] for h in ledger.history("a|mailto:a@example.org")] == ["planned"]
    assert [(h["from_state"], h["to_state"], h["reason"], h["actor"])
            for h in ledger.history("b|mailto:a@example.org")] == [
        ("", "skipped", "planned after its due time: not sent", "test")]


def test_the_same_plan_again_changes_nothing(ledger: Ledger) -> None:
    plan = [planned(k) for k in "abc"]
    ledger.reconcile("ev", plan, T0)
    assert ledger.reconcile("ev", plan, T0 + timedelta(minutes=1)) == ReconcileReport(
        unchanged=3)
    assert len(ledger.history("a|mailto:a@example.org")) == 1


def test_unsent_rows_are_re_timed_and_sent_dead_claimed_ones_never(ledger: Ledger) -> None:
    ledger.reconcile("ev", [planned(k, T0 + timedelta(minutes=1)) for k in "abcde"], T0)
    at = T0 + timedelta(minutes=2)
    claimed = {r.item_id: r for r in ledger.claim(at, limit=3, lease=LEASE)}
    assert sorted(claimed) == ["a", "b", "c"]
    ledger.finish(claimed["a"].key, "sent", at, owner="test")
    ledger.finish(claimed["b"].key, "dead", at, "550", owner="test")
    later = DUE + timedelta(days=1)
    report = ledger.reconcile("ev", [planned(k, later) for k in "abcde"], at)
    assert report == ReconcileReport(retimed=2, unchanged=3)
    assert row(ledger, "a")[0] == "sent" and row(ledger, "b")[0] == "dead"
    assert row(ledger, "c")[0] == "claimed"
    assert row(ledger, "d") == ("pending", later,
                                "re-timed from 2030-01-10 12:01 to 2030-03-21 22:59 UTC", 0)
    history = ledger.history("d|mailto:a@example.org")
    assert [(h["from_state"], h["to_state"]) for h in history] == [("", "pending"),
                                                                  ("pending", "pending")]


def test_a_row_moved_into_the_past_is_skipped_and_a_failed_one_retried_afresh(
        ledger: Ledger) -> None:
    ledger.reconcile("ev", [planned("a", T0 + timedelta(minutes=1)), planned("b")], T0)
    at = T0 + timedelta(minutes=2)
    [failed] = ledger.claim(at, limit=1, lease=LEASE)
    ledger.finish(failed.key, "failed", at, "451", owner="test", count_attempt=True,
                  next_attempt=at + timedelta(minutes=5))
    assert row(ledger, "a")[3] == 1
    report = ledger.reconcile("ev", [planned("a", DUE), planned("b", T0)], at)
    assert report == ReconcileReport(retimed=2)
    assert row(ledger, "a") == ("pending", DUE,
                                "re-timed from 2030-01-10 12:01 to 2030-03-20 22:59 UTC", 0)
    assert row(ledger, "b") == (
        "skipped", T0, "re-timed to 2030-01-10 12:00 UTC, which had already passed: not sent", 0)


def test_a_payload_change_re_times_and_rows_no_longer_planned_are_cancelled(
        ledger: Ledger) -> None:
    ledger.reconcile("ev", [planned("a", payload="v1"), planned("b"), planned("c")], T0)
    report = ledger.reconcile("ev", [planned("a", payload="v2")], T0)
    assert report == ReconcileReport(retimed=1, cancelled=2)
    assert ledger.rows(event_id="ev", states=["pending"])[0].payload == "v2"
    state, _, reason, _ = row(ledger, "b")
    assert (state, reason) == ("cancelled",
                               "no longer planned (date, reminder or destination removed)")


def test_cancelled_and_skipped_rows_are_revived_when_planned_again(ledger: Ledger) -> None:
    ledger.reconcile("ev", [planned("a"), planned("b", T0 - timedelta(hours=1))], T0)
    ledger.reconcile("ev", [planned("b", T0 - timedelta(hours=1))], T0)  # a: cancelled
    assert row(ledger, "a")[0] == "cancelled"
    report = ledger.reconcile("ev", [planned("a"), planned("b", DUE)], T0)
    assert report == ReconcileReport(revived=2)
    assert row(ledger, "a") == ("pending", DUE, "planned again for 2030-03-20 22:59 UTC", 0)
    assert row(ledger, "b") == ("pending", DUE, "planned again for 2030-03-20 22:59 UTC", 0)


def test_other_events_and_kinds_are_left_alone_and_a_key_planned_twice_counts_once(
        ledger: Ledger) -> None:
    other = Planned(key="x|console:", event_id="other", date_id="d", item_id="x",
                    destination="console:", due=DUE)
    ledger.reconcile("other", [other], T0)
    report = ledger.reconcile("ev", [planned("a", T0 + timedelta(hours=1)), planned("a")], T0)
    assert report == ReconcileReport(added=1)
    assert row(ledger, "a")[1] == DUE  # the last of the two, as a dict of the plan keeps it
    assert ledger.reconcile("ev", [], T0, kind="digest") == ReconcileReport()
    assert ledger.rows(event_id="other")[0].state == "pending"
    assert ledger.counts() == {"pending": 2}


def test_instants_compare_like_with_like_whoever_wrote_the_row(ledger: Ledger) -> None:
    """A row written one at a time (enqueue) and the same plan streamed in compare equal, and
    a delivery due at this very instant is pending, not past."""
    assert ledger.enqueue(planned("a"), T0)
    assert ledger.reconcile("ev", [planned("a")], T0) == ReconcileReport(unchanged=1)
    assert ledger.reconcile("ev", [planned("a"), planned("now", T0)], T0) == ReconcileReport(
        added=1, unchanged=1)
    assert row(ledger, "now")[0] == "pending"


def test_an_empty_plan_cancels_every_unsent_row_and_keeps_the_sent(ledger: Ledger) -> None:
    ledger.reconcile("ev", [planned("a", T0 + timedelta(minutes=1)), planned("b")], T0)
    at = T0 + timedelta(minutes=2)
    [sent] = ledger.claim(at, limit=1, lease=LEASE)
    ledger.finish(sent.key, "sent", at, owner="test")
    assert ledger.reconcile("ev", [], at) == ReconcileReport(cancelled=1, unchanged=1)
    assert (row(ledger, "a")[0], row(ledger, "b")[0]) == ("sent", "cancelled")
    assert ledger.reconcile("ev", iter([]), at) == ReconcileReport(unchanged=2)


def test_a_due_row_whose_text_changed_but_not_its_time_keeps_its_state_and_time(
        ledger: Ledger) -> None:
    """A retry waiting (or an announcement due within the grace window) whose text was fixed:
    its time did not move, so it is not "re-timed into the past" and skipped; it takes the
    new payload and goes at its retry as before."""
    ledger.reconcile("ev", [planned("a", T0 + timedelta(minutes=1), payload="v1")], T0)
    at = T0 + timedelta(minutes=2)
    [claimed] = ledger.claim(at, limit=1, lease=LEASE)
    retry = at + timedelta(minutes=5)
    ledger.finish(claimed.key, "failed", at, "451", owner="test", count_attempt=True,
                  next_attempt=retry)
    report = ledger.reconcile("ev", [planned("a", T0 + timedelta(minutes=1), payload="v2")],
                              at + timedelta(minutes=1))
    assert report == ReconcileReport(retimed=1)
    [row_a] = ledger.rows(event_id="ev")
    assert (row_a.state, row_a.payload, row_a.next_attempt, row_a.attempts) == (
        "failed", "v2", retry, 1)
    assert ledger.history(row_a.key)[-1]["reason"] == (
        "updated (what it is about or its text changed; its time did not)")


def test_approval_turned_on_or_off_reaches_the_unsent_rows_and_keeps_their_time(
        ledger: Ledger) -> None:
    """``approve = true`` added (or removed) in the config: what is planned already waits for
    approval (or no longer does); before, it went out unreviewed (or was skipped at due +
    grace, "not approved")."""
    def plan(approve: bool) -> list[Planned]:
        return [Planned(key=f"{k}|console:", event_id="ev", date_id="paper", item_id=k,
                        destination="console:", due=DUE, target=DUE, needs_approval=approve)
                for k in "ab"]

    ledger.reconcile("ev", plan(False), T0)
    at = T0 + timedelta(minutes=1)
    assert ledger.reconcile("ev", plan(True), at) == ReconcileReport(retimed=2)
    assert [r.item_id for r in ledger.outbox("ev")] == ["a", "b"]
    assert {(r.state, r.due, r.attempts) for r in ledger.rows(event_id="ev")} == {
        ("pending", DUE, 0)}
    ledger.approve(["a"], at, actor="organizer")
    assert ledger.reconcile("ev", plan(False), at) == ReconcileReport(retimed=2)
    assert ledger.outbox("ev") == []
    assert ledger.history("b|console:")[-1]["reason"] == "no longer waits for approval"
    assert ledger.reconcile("ev", plan(False), at) == ReconcileReport(unchanged=2)


def test_reconciles_in_one_batch_fail_alone_and_are_kept(ledger: Ledger, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    """``reconciling``: many events' reconciles share transactions (SQLite), and a plan that
    breaks half-way leaves the ledger as it was and the batch goes on; a batch open longer
    than ``BATCH_SECONDS`` is committed as it goes (another connection sees the first event
    before the batch ends)."""
    from bot.adapters.store import deliveries

    def broken() -> Iterator[Planned]:
        yield planned("x")
        raise ValueError("the schedule's plan broke")

    monkeypatch.setattr(deliveries, "BATCH_SECONDS", 0.0)  # commit after every call
    monkeypatch.setattr(deliveries, "FIRST_LOAD_SECONDS", 0.0)  # the empty ledger's first too
    with ledger.reconciling():
        assert ledger.reconcile("ev", [planned("a")], T0) == ReconcileReport(added=1)
        other = Ledger.open(str(ledger.engine.url), owner="other")
        try:
            assert [r.item_id for r in other.rows(event_id="ev")] == ["a"]
        finally:
            other.close()
        monkeypatch.setattr(deliveries, "BATCH_SECONDS", 3600.0)
        with pytest.raises(ValueError, match="broke"):
            ledger.reconcile("ev2", broken(), T0)
        ledger.reconcile("ev3", [Planned(key="c|console:", event_id="ev3", date_id="paper",
                                         item_id="c", destination="console:", due=DUE)], T0)
    assert [r.item_id for r in ledger.rows(event_id="ev")] == ["a"]
    assert ledger.rows(event_id="ev2") == []
    assert [r.item_id for r in ledger.rows(event_id="ev3")] == ["c"]
    assert [h["reason"] for h in ledger.history("c|console:")] == ["planned"]


def test_a_first_plan_leaves_a_key_another_event_holds_alone(ledger: Ledger) -> None:
    """An event's first plan (on SQLite written straight into the ledger) neither takes over
    nor logs a key that another event already holds; its own keys planned twice count once."""
    taken = Planned(key="a|mailto:a@example.org", event_id="other", date_id="d", item_id="a",
                    destination="mailto:a@example.org", due=DUE)
    ledger.reconcile("other", [taken], T0)
    report = ledger.reconcile("ev", [planned("a"), planned("b"), planned("b", DUE + timedelta(
        hours=1)), planned("c", T0 - timedelta(minutes=1))], T0)
    assert report == ReconcileReport(added=1, skipped_past=1)
    assert [r.event_id for r in ledger.rows() if r.item_id == "a"] == ["other"]
    assert row(ledger, "b")[:2] == ("pending", DUE + timedelta(hours=1))
    assert [h["actor"] for h in ledger.history("a|mailto:a@example.org")] == ["test"]
    assert len(ledger.history("b|mailto:a@example.org")) == 1
