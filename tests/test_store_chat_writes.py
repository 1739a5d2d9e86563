"""The writes each chat answer makes, on SQLite's driver connection (``store.driver``): the
inbound dedupe once per key across replicas sharing the file, the thread reading kept and
stale ones forgotten; each stored as the table's own type, errors as ours."""

from __future__ import annotations

import sqlite3
import threading
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.adapters.store.ledger import Ledger
from bot.adapters.store.schema import ask_threads, processed_inbound
from bot.adapters.store.threads import THREAD_CONTEXT_AGE
from bot.errors import StorageError

NOW = datetime(2017, 9, 1, 12, 0, 0, 123456, tzinfo=UTC)


def _race(ledgers: list[Ledger], take: Callable[[Ledger], list[str]]) -> Counter[str]:
    """Two threads a ledger, let go at once, each taking what ``take`` takes; how many times
    each key was won."""
    wins: Counter[str] = Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(len(ledgers) * 2)

    def run(ledger: Ledger) -> None:
        barrier.wait()
        won = take(ledger)
        with lock:
            wins.update(won)

    workers = [threading.Thread(target=run, args=(ledger,)) for ledger in ledgers * 2]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    return wins


def test_a_key_is_taken_exactly_once_by_replicas_racing_on_one_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    ledgers = [Ledger.open(url, owner=f"replica-{n}") for n in range(4)]
    keys = [f"slack:Ev{n:04d}" for n in range(60)]
    try:
        wins = _race(ledgers, lambda ledger: [key for key in keys
                                              if ledger.first_time(key, NOW)])
        assert wins == dict.fromkeys(keys, 1)
        # The other ways in see the same keys: taken is taken.
        assert ledgers[0].seen(keys[0])
        assert not ledgers[1].record(NOW, inbound=keys[1])
    finally:
        for ledger in ledgers:
            ledger.close()


def test_the_arrival_is_stored_as_the_tables_type_stores_it(tmp_path: Path) -> None:
    ledger = Ledger.open(f"sqlite:///{tmp_path / 'ledger.db'}", owner="test")
    try:
        shanghai = NOW.astimezone(timezone(timedelta(hours=8)))
        assert ledger.first_time("slack:EvA", shanghai)
        assert ledger.record(shanghai, inbound="mail:<b@x>")  # through SQLAlchemy's types
        with ledger.engine.connect() as conn:
            rows = {key: at for key, at in conn.execute(
                sa.select(processed_inbound.c.key, processed_inbound.c.at))}
            raw = {key: at for key, at in conn.exec_driver_sql(
                "SELECT key, at FROM processed_inbound")}
            owner = conn.execute(sa.select(processed_inbound.c.owner).where(
                processed_inbound.c.key == "slack:EvA")).scalar_one()
        assert rows == {"slack:EvA": NOW, "mail:<b@x>": NOW}  # aware UTC, both ways
        assert raw["slack:EvA"] == raw["mail:<b@x>"]
        assert owner == "test"
        assert not ledger.first_time("slack:EvA", NOW + timedelta(seconds=3))  # a retry
    finally:
        ledger.close()


def test_a_broken_table_is_a_storage_error_and_leaves_no_transaction_open(
        tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    ledger = Ledger.open(f"sqlite:///{path}", owner="test")
    try:
        assert ledger.first_time("slack:EvA", NOW)  # the pool holds a connection now
        with sqlite3.connect(path) as db:
            db.execute("DROP TABLE processed_inbound")
        with pytest.raises(StorageError, match="processed_inbound"):
            ledger.first_time("slack:EvB", NOW)
        # The same pooled connection writes again at once: no BEGIN IMMEDIATE was left open.
        ledger.remember_thread("slack:C1:1.2", "aisys-sosp17", {"date": "abstract"}, NOW)
        assert ledger.thread_context("slack:C1:1.2", "aisys-sosp17", NOW) == {
            "date": "abstract"}
    finally:
        ledger.close()


def test_a_key_waits_for_another_writer_instead_of_failing(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    ledger = Ledger.open(f"sqlite:///{path}", owner="test")
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        other.execute("BEGIN IMMEDIATE")  # another process holds the write lock ...
        released = threading.Timer(0.3, lambda: other.execute("COMMIT"))
        released.start()
        assert ledger.first_time("slack:EvA", NOW)  # ... so this waits for it, then takes it
        released.join()
    finally:
        other.close()
        ledger.close()


def test_a_thread_reading_is_stored_as_the_tables_type_and_stale_ones_are_forgotten(
        tmp_path: Path) -> None:
    ledger = Ledger.open(f"sqlite:///{tmp_path / 'ledger.db'}", owner="test")
    try:
        event = "aisys-sosp17"
        ledger.remember_thread("slack:C1:1.1", event, {"date": "abstract"}, NOW)
        ledger.remember_thread("slack:C1:1.1", event, {"date": "notification"}, NOW)
        with ledger.engine.connect() as conn:
            stored = {key: at for key, at in conn.execute(
                sa.select(ask_threads.c.key, ask_threads.c.updated_at))}
        assert stored == {"slack:C1:1.1": NOW}  # replaced in place, aware UTC
        assert ledger.thread_context("slack:C1:1.1", event, NOW) == {"date": "notification"}
        day_later = NOW + THREAD_CONTEXT_AGE + timedelta(minutes=1)
        ledger.remember_thread("slack:C2:2.2", event, {"date": "abstract"}, day_later)
        with ledger.engine.connect() as conn:  # the day-old thread went with that write
            keys = sorted(conn.execute(sa.select(ask_threads.c.key)).scalars())
        assert keys == ["slack:C2:2.2"]
    finally:
        ledger.close()


def test_keys_taken_together_race_replicas_and_each_is_taken_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    ledgers = [Ledger.open(url, owner=f"replica-{n}") for n in range(3)]
    keys = [(f"slack:Ev{n:04d}", f"slack-message:C1:{n // 2}") for n in range(40)]
    try:
        wins = _race(ledgers, lambda ledger: [
            key for pair in keys
            for key, new in zip(pair, ledger.first_times(pair, NOW), strict=True) if new])
        assert wins == dict.fromkeys({key for pair in keys for key in pair}, 1)
    finally:
        for ledger in ledgers:
            ledger.close()


def test_a_new_threads_reading_goes_with_its_events_keys_and_a_retry_keeps_the_first(
        ledger: Ledger) -> None:
    event = "aisys-sosp17"
    keys = ["slack:Ev1", "slack-message:C1:1.1"]
    first = ledger.first_times_keeping(keys, NOW,
                                       [("slack:C1:1.1", event, {"date": "abstract"}, NOW)])
    assert first is True
    assert ledger.thread_context("slack:C1:1.1", event, NOW) == {"date": "abstract"}
    later = NOW + timedelta(seconds=3)  # Slack's retry of the same event, read otherwise
    again = ledger.first_times_keeping(keys, later, [("slack:C1:1.1", event, {"date": "x"}, later)])
    assert again is False
    assert ledger.thread_context("slack:C1:1.1", event, later) == {"date": "abstract"}
    # An edit that still mentions the bot: a new event id, the same message: not kept.
    edited = ledger.first_times_keeping(["slack:Ev2", "slack-message:C1:1.1"], later,
                                        [("slack:C1:1.1", event, {"date": "y"}, later)])
    assert edited is False
    assert ledger.first_times(["slack:Ev2"], later) == (False,)  # taken, as before
    assert ledger.first_times_keeping([], later, [("slack:C3:3.3", event, {"date": "z"}, later)])
    assert ledger.thread_context("slack:C3:3.3", event, later) == {"date": "z"}
    assert ledger.thread_context("slack:C1:1.1", event, later) == {"date": "abstract"}


def test_a_reading_taken_back_goes_unless_a_later_answer_replaced_it(ledger: Ledger) -> None:
    event = "aisys-sosp17"
    reading = {"date": "abstract", "zone": "Asia/Shanghai"}
    read = NOW - timedelta(milliseconds=3)  # the reading is older than the dedupe's clock
    ledger.first_times_keeping(["slack:Ev1"], NOW, [("slack:C1:1.1", event, reading, read)])
    ledger.forget_thread("slack:C1:1.1", event, dict(reading), read)
    assert ledger.thread_context("slack:C1:1.1", event, NOW) is None
    ledger.first_times_keeping(["slack:Ev2"], NOW, [("slack:C2:2.2", event, reading, NOW)])
    later = NOW + timedelta(seconds=5)  # the follow-up's answer, kept meanwhile
    ledger.remember_thread("slack:C2:2.2", event, {"date": "notification"}, later)
    ledger.forget_thread("slack:C2:2.2", event, reading, NOW)
    assert ledger.thread_context("slack:C2:2.2", event, later) == {"date": "notification"}


def test_an_event_with_its_reading_is_taken_once_by_replicas_racing_on_one_file(
        tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    ledgers = [Ledger.open(url, owner=f"replica-{n}") for n in range(3)]
    events = [(f"slack:Ev{n:04d}", f"slack-message:C1:{n // 2}") for n in range(40)]
    try:
        wins = _race(ledgers, lambda ledger: [
            pair[0] for pair in events if ledger.first_times_keeping(
                pair, NOW, [(f"slack:C1:{pair[1]}", "aisys-sosp17", {"by": ledger.owner}, NOW)])])
        # Each message is answered once, by the first of its two events to arrive anywhere.
        answered = Counter(int(key[-4:]) // 2 for key in wins.elements())
        assert answered == dict.fromkeys(range(20), 1)
        with ledgers[0].engine.connect() as conn:
            kept = conn.execute(sa.select(sa.func.count()).select_from(ask_threads)).scalar()
        assert kept == 20  # one reading per message, the winner's
    finally:
        for ledger in ledgers:
            ledger.close()
