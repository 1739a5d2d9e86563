"""A first start's edges, as an operator meets them: replicas opening one new database at
once, a ledger file that is empty or was left half made, the collector after start-up."""

from __future__ import annotations

import gc
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.adapters.store import database
from bot.adapters.store.database import HEAD, make_engine
from bot.adapters.store.ledger import Ledger


def _opened_at_once(url: str, count: int) -> list[BaseException]:
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []
    opened: list[Ledger] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        try:
            barrier.wait()
            ledger = Ledger.open(url, owner=f"replica-{i}")
            with lock:
                opened.append(ledger)
        except BaseException as exc:  # reported in the test's thread
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for ledger in opened:
        ledger.close()
    return errors


def test_replicas_that_open_one_new_database_at_once_make_it_once(url: str) -> None:
    """Guard: six replicas starting together on an empty database all open it; one made
    the schema (one version row), none failed on a table the other made."""
    assert _opened_at_once(url, 6) == []
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            versions = conn.exec_driver_sql("SELECT version_num FROM alembic_version").all()
            assert [tuple(v) for v in versions] == [(HEAD,)]
    finally:
        engine.dispose()


def test_an_empty_ledger_file_is_made_a_ledger(tmp_path: Path) -> None:
    """Guard: a file that exists with nothing in it (touched, or made by a failed copy)."""
    path = tmp_path / "ledger.db"
    path.touch()
    Ledger.open(f"sqlite:///{path}").close()
    engine = make_engine(f"sqlite:///{path}")
    try:
        assert database.at_head(engine)
    finally:
        engine.dispose()


def test_a_creation_cut_short_leaves_nothing_half_made(url: str,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Guard: a start that fails after its tables but before its stamp (killed, the disk
    full) leaves no table behind, so the next start makes the ledger, not an error that a
    ledger without a revision must be upgraded by hand."""
    made = database._create_at_head

    def cut(conn: sa.Connection, **_: object) -> None:
        database.metadata.create_all(conn, checkfirst=False)
        raise OSError("cut short")

    monkeypatch.setattr(database, "_create_at_head", cut)
    with pytest.raises(OSError):
        Ledger.open(url).close()
    engine = make_engine(url)
    try:
        assert sa.inspect(engine).get_table_names() == []
    finally:
        engine.dispose()
    monkeypatch.setattr(database, "_create_at_head", made)
    Ledger.open(url).close()


def test_the_collector_runs_again_after_a_start_up_that_fails() -> None:
    """Guard: ``collector_paused`` gives the collector back on an error as on success."""
    from bot.cli.common import collector_paused

    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector_paused():
        assert not gc.isenabled()
        raise RuntimeError("start-up failed")
    assert gc.isenabled()
    with collector_paused():
        pass
    assert gc.isenabled()
    gc.unfreeze()


def test_a_ledger_taken_down_to_base_by_alembic_is_made_again(url: str) -> None:
    """alembic's ``downgrade base`` (the migrations' own way back to nothing, as an operator
    resets a ledger) drops every table but leaves alembic's version table, empty: the next
    start makes the ledger again, as running the migrations did, rather than failing on a
    version table that is already there."""
    from alembic import command

    engine = make_engine(url)
    try:
        database.upgrade(engine)
        with engine.begin() as conn:
            cfg = database._alembic_config(engine)
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "base")
        assert sa.inspect(engine).get_table_names() == ["alembic_version"]
    finally:
        engine.dispose()
    Ledger.open(url).close()
    engine = make_engine(url)
    try:
        assert database.at_head(engine)
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM alembic_version").scalar() == 1
    finally:
        engine.dispose()
