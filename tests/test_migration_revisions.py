"""Migration 0007 (date_revisions) on a ledger that was in use at 0006, SQLite and PostgreSQL.

A database made at the previous head with rows in it is upgraded by ``duebot db upgrade``: its
rows stay, the new table is what schema.py declares, and the upgraded duebot records each
date's first revision (the schedule's own ``sequence``) and sends nothing twice.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.adapters.store.database import current_revision, make_engine, upgrade
from bot.adapters.store.ledger import Ledger
from bot.core.revisions import Revision
from tests.migrated import (
    AT,
    DEADLINE,
    DUE,
    assert_head_as_schema_py,
    assert_nothing_sent_again,
    configured,
    differences,
    duebot,
    made_at,
    upgrade_by_duebot,
)


def _fill_at_0006(engine: Engine) -> None:
    """What a ledger at 0006 holds after a sent reminder: its row, its history line, the
    plan's fingerprint, a named value."""
    with engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO deliveries (key, event_id, date_id, item_id, kind, destination, due, "
            "target, state, attempts, claims, next_attempt, planned_at, updated_at, sent_at, "
            "reason, remote_id, payload, needs_approval, approved_by) VALUES "
            "('old/paper/1d|console:', 'old', 'paper', 'paper-1d', 'reminder', 'console:', "
            ":due, :target, 'sent', 1, 1, :due, :at, :at, :due, 'sent', 'Q1', '', :no, '')"),
            {"due": DUE, "target": DEADLINE, "at": AT, "no": False})
        conn.execute(sa.text(
            "INSERT INTO delivery_log (key, at, from_state, to_state, reason, actor) VALUES "
            "('old/paper/1d|console:', :at, 'claimed', 'sent', 'sent', 'old-replica')"),
            {"at": AT})
        conn.execute(sa.text(
            "INSERT INTO plan_fingerprints (event_id, kind, fingerprint, planned_at, row_count) "
            "VALUES ('old', 'reminder', 'f00', :at, 1)"), {"at": AT})
        conn.execute(sa.text("INSERT INTO duebot_meta (name, value) VALUES ('note', 'kept')"))


def test_a_ledger_at_0006_upgrades_with_its_rows_and_serves_revisions(
        tmp_path: Path, url: str) -> None:
    made_at(url, "0006", _fill_at_0006)
    config = configured(tmp_path, url)
    refused = duebot(config, "status")
    assert refused.returncode == 1 and "duebot db upgrade" in refused.stderr
    upgrade_by_duebot(config, "0006")

    engine = make_engine(url)
    ledger = Ledger(engine)
    try:
        assert_head_as_schema_py(engine, "0006")
        (sent,) = ledger.rows()
        assert (sent.key, sent.state, sent.remote_id, sent.sent_at) == (
            "old/paper/1d|console:", "sent", "Q1", DUE)
        assert [h["actor"] for h in ledger.history(sent.key)] == ["old-replica"]
        assert ledger.get_meta("note") == "kept"
        assert ledger.date_revisions("old") == {}  # nothing invented by the migration
    finally:
        engine.dispose()

    assert_nothing_sent_again(config)
    engine = make_engine(url)
    try:
        (revision,) = Ledger(engine).date_revisions("old").values()
        assert revision.sequence == 0  # the schedule's own, first seen by this duebot
        assert isinstance(revision, Revision)
    finally:
        engine.dispose()


def test_0007_downgrades_to_0006_and_up_again(url: str) -> None:
    engine = make_engine(url)
    try:
        upgrade(engine)
        ledger = Ledger(engine)
        ledger.revise({("ws", "paper"): ("f1", 2)}, AT)
        from alembic import command

        from bot.adapters.store.database import _alembic_config

        command.downgrade(_alembic_config(engine), "0006")
        assert current_revision(engine) == "0006"
        assert not sa.inspect(engine).has_table("date_revisions")
        upgrade(engine)
        assert not differences(engine)
        assert Ledger(engine).date_revisions("ws") == {}
    finally:
        engine.dispose()
