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

import importlib
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Engine

from bot.adapters.store import planning
from bot.adapters.store.database import current_revision, head_revision, make_engine, upgrade
from bot.adapters.store.ledger import Ledger
from bot.adapters.store.schema import UTCDateTime, metadata
from tests.pg import ROOT, fresh_database, require_pg
from tests.services import deadline_schedule

MIGRATION_0006 = importlib.import_module(
    "bot.adapters.store.migrations.versions.0006_plan_fingerprints")



# -- the comparison ---------------------------------------------------------------------------

def _same_default(context: MigrationContext, inspected_column: sa.Column[Any],
                  metadata_column: sa.Column[Any], inspected_default: str | None,
                  metadata_default: Any, rendered_metadata_default: str | None
                  ) -> bool | None:
    """alembic's SQLite comparison takes the parentheses and quotes off a reflected default
    (``('')``) only when something is between the quotes, so every ``server_default=""``
    looks changed (``''`` against ``""``): the same here. Anything else is alembic's call."""
    if context.dialect.name != "sqlite" or inspected_default is None:
        return None
    unwrapped = re.sub(r"^\((.*)\)$", r"\1", inspected_default.strip())
    if unwrapped == "''" and rendered_metadata_default == "":
        return False
    return None


def _index(index: sa.Index) -> str:
    columns = ", ".join(str(getattr(c, "name", c)) for c in index.expressions)
    unique = "unique " if index.unique else ""
    return f"{unique}index {index.name} on {index.table.name}({columns})"  # type: ignore[union-attr]


def _constraint(constraint: sa.Constraint) -> str:
    columns = ", ".join(c.name for c in constraint.columns)  # type: ignore[attr-defined]
    kind = type(constraint).__name__
    return f"{kind} {constraint.name or '(unnamed)'} on {constraint.table.name}({columns})"


def _describe(diff: Any) -> str:
    """One of alembic's differences as a sentence: what schema.py says, what the database has.

    alembic lists what would make the database match the metadata: ``add_*`` is in schema.py
    and missing from the database, ``remove_*`` the other way round.
    """
    what = diff[0]
    if what in ("modify_type", "modify_nullable", "modify_default", "modify_comment"):
        _, _schema, table, column, _existing, in_db, in_schema = diff
        if what == "modify_default":
            in_db = getattr(getattr(in_db, "arg", None), "text", in_db)
            in_schema = getattr(in_schema, "arg", in_schema)
        return (f"{table}.{column}: {what[len('modify_'):]} is {in_db!r} in the migrated "
                f"database, {in_schema!r} in schema.py")
    if what in ("add_index", "remove_index"):
        side = "schema.py declares" if what == "add_index" else "the database has"
        other = "the database lacks it" if what == "add_index" else "schema.py does not"
        return f"{side} {_index(diff[1])}; {other}"
    if what in ("add_constraint", "remove_constraint", "add_fk", "remove_fk"):
        side = "schema.py declares" if what.startswith("add") else "the database has"
        other = "the database lacks it" if what.startswith("add") else "schema.py does not"
        return f"{side} {_constraint(diff[1])}; {other}"
    if what in ("add_table", "remove_table"):
        side = "schema.py declares" if what == "add_table" else "the database has"
        return f"{side} table {diff[1].name}, the other side has none"
    if what in ("add_column", "remove_column"):
        side = "schema.py declares" if what == "add_column" else "the database has"
        return f"{side} column {diff[2]}.{diff[3].name}, the other side has none"
    return repr(diff)


def _flat(diffs: list[Any]) -> Iterator[Any]:
    for diff in diffs:  # column changes come as a list of one or more
        if isinstance(diff, list):
            yield from diff
        else:
            yield diff


def differences(engine: Engine, declared: sa.MetaData = metadata) -> list[str]:
    """Where the database and schema.py disagree, one readable line each; [] when they agree."""
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={
            "compare_type": True, "compare_server_default": _same_default})
        found = [_describe(d) for d in _flat(compare_metadata(context, declared))]
        inspector = sa.inspect(conn)
        for table in declared.sorted_tables:  # primary keys: alembic does not compare them
            if not inspector.has_table(table.name):
                continue
            in_db = inspector.get_pk_constraint(table.name)["constrained_columns"]
            in_schema = [c.name for c in table.primary_key.columns]
            if in_db != in_schema:
                found.append(f"{table.name}: primary key is {in_db} in the migrated database, "
                             f"{in_schema} in schema.py")
    return sorted(found)


def triggers(engine: Engine) -> dict[str, str]:
    """SQLite's triggers on deliveries, name -> the SQL that made them."""
    with engine.connect() as conn:
        return {name: sql for name, sql in conn.execute(sa.text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
            "AND tbl_name = 'deliveries'")).all()}


def expected_triggers() -> dict[str, str]:
    return {name: f"CREATE TRIGGER {name} {body}"
            for name, body in MIGRATION_0006.TRIGGERS.items()}


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

AT = datetime(2030, 5, 1, 12, 0, tzinfo=UTC)
DUE = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)
DEADLINE = DUE + timedelta(days=1)
WORKSHOP = deadline_schedule(DEADLINE, event_id="old", name="Old Workshop")


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


def _duebot(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("DUEBOT_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "bot", *args, "--config", str(config)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
                          check=False)


def test_a_ledger_made_at_0003_upgrades_with_its_rows_and_matches_schema_py(
        tmp_path: Path, url: str) -> None:
    engine = make_engine(url)
    upgrade(engine, "0003")
    _fill_at_0003(engine)
    engine.dispose()

    (tmp_path / "old.toml").write_text(WORKSHOP, encoding="utf-8")
    config = tmp_path / "duebot.toml"
    config.write_text(f'[storage]\ndatabase_url = "{url}"\n[http]\nenabled = false\n'
                      f'[[schedules]]\npath = "old.toml"\nreminders_to = ["console:"]\n',
                      encoding="utf-8")
    upgraded = _duebot(config, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    assert "Traceback" not in upgraded.stderr
    assert f"0003 -> {head_revision()}" in upgraded.stdout

    engine = make_engine(url)
    ledger = Ledger(engine)
    try:
        assert current_revision(engine) == head_revision()
        found = differences(engine)
        assert not found, "upgraded from 0003, the database is not schema.py:\n  " + \
            "\n  ".join(found)
        if engine.dialect.name == "sqlite":
            assert triggers(engine) == expected_triggers()

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

    # Upgraded, duebot runs on it: what was sent stays sent, nothing is sent twice.
    again = _duebot(config, "deliver", "--once", "--now", (DUE + timedelta(seconds=30))
                    .isoformat())
    assert again.returncode == 0, again.stderr
    assert "0 sent" in again.stdout, again.stdout
