"""schema.py says what the migrations make: a real database migrated to head, compared with it.

The stores build their statements from ``bot.adapters.store.schema``; the database they run
on was made by the alembic migrations. Where the two disagree, code reading schema.py believes
in an index or constraint the database does not have. Here a fresh SQLite file and a fresh
PostgreSQL database are migrated to head (and one made at 0003, with rows, upgraded by
``duebot db upgrade``) and compared with schema.py by alembic's own autogenerate comparison:
tables, columns, types, nullability, server defaults, indexes, unique constraints, foreign
keys, and (which alembic does not compare) primary keys; on SQLite also migration 0006's
triggers, which reconcile's skip depends on.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.adapters.store import planning
from bot.adapters.store.database import current_revision, head_revision, make_engine, upgrade
from bot.adapters.store.ledger import Ledger
from bot.adapters.store.schema import UTCDateTime, metadata
from tests.migrated import (
    AT,
    DEADLINE,
    DUE,
    assert_head_as_schema_py,
    assert_nothing_sent_again,
    configured,
    differences,
    expected_triggers,
    made_at,
    triggers,
    upgrade_by_duebot,
)
from tests.pg import fresh_database, require_pg

# -- a fresh database -------------------------------------------------------------------------

def test_a_database_migrated_to_head_is_what_schema_py_declares(url: str) -> None:
    engine = make_engine(url)
    try:
        upgrade(engine)
        assert current_revision(engine) == head_revision()
        found = differences(engine)
        assert not found, ("schema.py and the migrations disagree (fix schema.py to say what "
                           "the migrations make, or add a migration):\n  " + "\n  ".join(found))
    finally:
        engine.dispose()


def test_the_comparison_sees_a_difference(url: str) -> None:
    """Not blind: an index gone from the database, and in a copy of schema.py a default, a
    nullability, a length, a zone and a primary key changed, are each reported."""
    engine = make_engine(url)
    try:
        upgrade(engine)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP INDEX ix_deliveries_due"))
        changed = sa.MetaData()
        for table in metadata.sorted_tables:
            table.to_metadata(changed)
        deliveries = changed.tables["deliveries"]
        deliveries.c.reason.server_default = sa.DefaultClause("none")
        deliveries.c.target.nullable = False
        deliveries.c.kind.type = sa.String(32)
        deliveries.c.due.type = sa.DateTime(timezone=False)
        changed.remove(changed.tables["plan_fingerprints"])
        sa.Table("plan_fingerprints", changed,
                 sa.Column("event_id", sa.String(64), primary_key=True),
                 sa.Column("kind", sa.String(16), nullable=False),
                 sa.Column("fingerprint", sa.String(64), nullable=False),
                 sa.Column("planned_at", UTCDateTime(), nullable=False),
                 sa.Column("row_count", sa.Integer, nullable=False))
        found = differences(engine, changed)
        default = "('')" if engine.dialect.name == "sqlite" else "''::text"
        expected = [
            f"deliveries.reason: default is {default!r} in the migrated database, 'none' in "
            "schema.py",
            "deliveries.target: nullable is True in the migrated database, False in schema.py",
            "deliveries.kind: type is VARCHAR(length=16) in the migrated database, "
            "String(length=32) in schema.py",
            "plan_fingerprints: primary key is ['event_id', 'kind'] in the migrated database, "
            "['event_id'] in schema.py",
            "schema.py declares index ix_deliveries_due on deliveries(state, next_attempt); "
            "the database lacks it"]
        if engine.dialect.name == "postgresql":  # SQLite keeps no zone
            expected.append("deliveries.due: type is TIMESTAMP(timezone=True) in the migrated "
                            "database, DateTime() in schema.py")
        assert found == sorted(expected), found
    finally:
        engine.dispose()


def test_sqlite_has_migration_0006_s_triggers_after_migrating(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'ledger.db'}")
    try:
        upgrade(engine)
        assert triggers(engine) == expected_triggers()
        assert set(triggers(engine)) == set(planning.TRIGGERS)
    finally:
        engine.dispose()


def test_postgresql_gets_no_triggers() -> None:
    require_pg()
    with fresh_database() as made:
        engine = make_engine(made)
        try:
            upgrade(engine)
            with engine.connect() as conn:
                found = conn.execute(sa.text(
                    "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")).scalars().all()
            assert found == []
        finally:
            engine.dispose()

# -- a database made at 0003, with rows, upgraded by duebot -----------------------------------

def _fill_at_0003(engine: Engine) -> None:
    """One row in every table 0003 has, written as a duebot of that time wrote them."""
    with engine.begin() as conn:
        insert = sa.text(
            "INSERT INTO deliveries (key, event_id, date_id, item_id, kind, destination, due, "
            "target, state, attempts, next_attempt, lease_owner, lease_until, planned_at, "
            "updated_at, sent_at, reason, remote_id, payload, needs_approval, approved_at, "
            "approved_by) VALUES (:key, 'old', 'paper', 'paper-1d', 'reminder', :dest, :due, "
            ":target, :state, :attempts, :due, NULL, NULL, :at, :at, :sent, :reason, :remote, "
            "'', :approval, NULL, '')")
        conn.execute(insert, {"key": "paper-1d|console:", "dest": "console:", "due": DUE,
                              "target": DEADLINE, "state": "sent", "attempts": 1, "at": AT,
                              "sent": DUE, "reason": "sent", "remote": "Q000042",
                              "approval": False})
        conn.execute(insert, {"key": "paper-1d|mailto:a@example.org",
                              "dest": "mailto:a@example.org", "due": DUE, "target": DEADLINE,
                              "state": "failed", "attempts": 2, "at": AT, "sent": None,
                              "reason": "451 try later", "remote": "", "approval": True})
        conn.execute(sa.text(
            "INSERT INTO delivery_log (key, at, from_state, to_state, reason, actor) VALUES "
            "('paper-1d|console:', :at, 'claimed', 'sent', 'sent', 'old-replica')"), {"at": AT})
        conn.execute(sa.text(
            "INSERT INTO subscribers (event_id, destination, state, token, source, created_at, "
            "updated_at, preferences) VALUES ('old', 'mailto:b@example.org', 'active', "
            "'tok-b', 'mail', :at, :at, '{\"zone\": \"Asia/Tokyo\"}')"), {"at": AT})
        conn.execute(sa.text(
            "INSERT INTO audit_log (at, actor, event_id, action, detail) VALUES "
            "(:at, 'organizer', 'old', 'announce', 'camera-ready call')"), {"at": AT})
        conn.execute(sa.text(
            "INSERT INTO announcements (id, event_id, when_spec, destinations, text, template, "
            "state, created_by, created_at, updated_at) VALUES ('a1', 'old', '2030-05-20', "
            "'[\"console:\"]', 'camera-ready call', '', 'scheduled', 'organizer', :at, :at)"),
            {"at": AT})
        conn.execute(sa.text("INSERT INTO processed_inbound (key, at, owner) VALUES "
                             "('mail:<m1@example.org>', :at, 'old-replica')"), {"at": AT})
        conn.execute(sa.text("INSERT INTO inbound_hits (key, at) VALUES "
                             "('mailto:b@example.org', :at)"), {"at": AT})
        conn.execute(sa.text("INSERT INTO duebot_meta (name, value) VALUES ('note', 'kept')"))


def test_a_ledger_made_at_0003_upgrades_with_its_rows_and_matches_schema_py(
        tmp_path: Path, url: str) -> None:
    made_at(url, "0003", _fill_at_0003)
    config = configured(tmp_path, url)
    upgrade_by_duebot(config, "0003")

    engine = make_engine(url)
    ledger = Ledger(engine)
    try:
        assert_head_as_schema_py(engine, "0003")

        sent, failed = ledger.rows()
        assert (sent.key, sent.state, sent.remote_id, sent.sent_at, sent.target) == (
            "paper-1d|console:", "sent", "Q000042", DUE, DEADLINE)
        assert (sent.attempts, sent.claims) == (1, 1)  # 0005: claims start at attempts
        assert (failed.state, failed.reason, failed.needs_approval) == (
            "failed", "451 try later", True)
        assert (failed.attempts, failed.claims) == (2, 2)
        assert [h["actor"] for h in ledger.history(sent.key)] == ["old-replica"]
        subscriber = ledger.subscriber("tok-b")
        assert subscriber is not None
        assert (subscriber["destination"], subscriber["state"], subscriber["preferences"],
                subscriber["created_at"]) == (
            "mailto:b@example.org", "active", '{"zone": "Asia/Tokyo"}', AT)
        (entry,) = ledger.audit_entries("old")
        assert (entry["actor"], entry["action"], entry["at"]) == ("organizer", "announce", AT)
        (announcement,) = ledger.announcement_rows("old")
        assert announcement["destinations"] == ("console:",)
        assert announcement["created_at"] == AT
        assert ledger.seen("mail:<m1@example.org>")
        assert not ledger.first_time("mail:<m1@example.org>", AT + timedelta(hours=1))
        assert ledger.hits("mailto:b@example.org", AT, window=timedelta(hours=1)) == 1
        assert ledger.get_meta("note") == "kept"
    finally:
        engine.dispose()

    assert_nothing_sent_again(config)
