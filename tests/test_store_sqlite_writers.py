"""Two writers on one SQLite file: the later one waits for the earlier, never fails at once.

In WAL mode a transaction that has read (reconcile: its plan into a temporary table, then the
stored rows) and then writes, after another connection
committed a write in between, gets SQLITE_BUSY at once (the busy timeout does not apply: waiting
could not help a stale snapshot). The mail listener and the delivery loop write the same file,
so the store's write transactions take the write lock when they begin (BEGIN IMMEDIATE).
"""

from __future__ import annotations

import threading
from pathlib import Path

import sqlalchemy as sa

from bot.adapters.store.database import Store, make_engine


def test_a_write_after_a_read_waits_for_another_writer_instead_of_failing(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'ledger.db'}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (n INTEGER)")
    store = Store(engine)
    read_done = threading.Event()
    other: list[BaseException | None] = []

    def other_writer() -> None:
        read_done.wait(5)
        try:
            with store._begin() as conn:
                conn.execute(sa.text("INSERT INTO t VALUES (2)"))
            other.append(None)
        except BaseException as exc:
            other.append(exc)

    thread = threading.Thread(target=other_writer)
    thread.start()
    with store._begin() as conn:
        # As reconcile does: the plan into a temporary table, then a read of the stored rows.
        conn.execute(sa.text("CREATE TEMP TABLE plan (n INTEGER)"))
        conn.execute(sa.text("INSERT INTO plan VALUES (1)"))
        count = conn.execute(sa.text("SELECT count(*) FROM t")).scalar_one()
        read_done.set()
        thread.join(0.5)  # the other writer commits now, if it is not made to wait
        conn.execute(sa.text("INSERT INTO t VALUES (1)"))
    thread.join(10)
    assert count == 0
    assert other == [None]
    with engine.connect() as conn:
        assert sorted(conn.execute(sa.text("SELECT n FROM t")).scalars()) == [1, 2]
    engine.dispose()
