"""A new ledger made from schema.py is the ledger the migrations make, object by object.

A brand-new database gets its schema from ``schema.metadata`` (``create_all``, SQLite's
triggers, alembic's version table stamped at head: ``database.create_if_new``) instead of
running every migration; an existing one is still upgraded by alembic. So the two ways must
make the same database, or a ledger's schema would depend on the day it was created. Here a
fresh SQLite file and a fresh PostgreSQL database are made each way and compared whole, read
back from the database itself (nothing is taken from schema.py): every table, its columns in
order with their types, nullability and defaults, primary keys, indexes (with their columns,
order, uniqueness and conditions), unique, check and foreign-key constraints with their names,
SQLite's triggers, table options (rowid, strict), sequences, and the stamped revision; on
PostgreSQL also ``pg_dump --schema-only`` of each, line for line. A table a new migration adds
(with schema.py saying the same) is compared like the others without a change here.
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from bot.adapters.store.database import (
    create_if_new,
    current_revision,
    head_revision,
    make_engine,
    upgrade,
)
from bot.adapters.store.ledger import Ledger, SchemaError
from tests.pg import ROOT, fresh_database, require_pg

# -- reading a database's schema back ---------------------------------------------------------


def _sqlite_shape(conn: Connection) -> dict[str, Any]:
    """Everything SQLite keeps about the schema, from its own catalogue and pragmas."""
    shape: dict[str, Any] = {}
    raw = conn.exec_driver_sql
    objects = raw("SELECT type, name, tbl_name, sql FROM sqlite_master "
                  "ORDER BY type, name").all()
    shape["objects"] = [(kind, name, table) for kind, name, table, _sql in objects]
    # An index's text says what the pragmas do not (a partial index's WHERE): compared with
    # whitespace and quoting evened out. A trigger's text is compared as stored.
    shape["index sql"] = {name: _normal(sql) for kind, name, _t, sql in objects
                          if kind == "index" and sql}
    shape["triggers"] = {name: sql for kind, name, _t, sql in objects if kind == "trigger"}
    shape["table options"] = [tuple(row) for row in raw(
        "SELECT name, type, ncol, wr, strict FROM pragma_table_list "
        "WHERE schema = 'main' ORDER BY name").all()]
    for kind, table, _t, _sql in objects:
        if kind != "table":
            continue
        shape[f"{table} columns"] = [tuple(row) for row in raw(
            f"SELECT cid, name, type, \"notnull\", dflt_value, pk, hidden "
            f"FROM pragma_table_xinfo('{table}') ORDER BY cid").all()]
        shape[f"{table} foreign keys"] = [tuple(row) for row in raw(
            f"SELECT * FROM pragma_foreign_key_list('{table}')").all()]
        indexes = raw(f"SELECT name, \"unique\", origin, partial FROM pragma_index_list('{table}') "
                      f"ORDER BY name").all()
        shape[f"{table} indexes"] = [tuple(row) for row in indexes]
        for name, *_ in indexes:
            shape[f"{table} index {name}"] = [tuple(row) for row in raw(
                f"SELECT seqno, cid, name, \"desc\", coll, key FROM pragma_index_xinfo('{name}') "
                f"ORDER BY seqno").all()]
    return shape


def _postgres_shape(conn: Connection) -> dict[str, Any]:
    """PostgreSQL's catalogue: relations, columns, constraints, indexes, sequences, triggers."""
    shape: dict[str, Any] = {}
    raw = conn.exec_driver_sql
    schema = "n.nspname = current_schema()"
    shape["relations"] = [tuple(row) for row in raw(
        "SELECT c.relname, c.relkind, c.relpersistence, c.reloptions FROM pg_class c "
        f"JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {schema} "
        "ORDER BY c.relname").all()]
    shape["columns"] = [tuple(row) for row in raw(
        "SELECT c.relname, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), "
        "a.attnotnull, pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated, "
        "a.attcollation::regcollation::text FROM pg_attribute a "
        "JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
        "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
        f"WHERE {schema} AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped "
        "ORDER BY c.relname, a.attnum").all()]
    shape["constraints"] = [tuple(row) for row in raw(
        "SELECT c.relname, k.conname, k.contype, pg_get_constraintdef(k.oid), k.condeferrable "
        "FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
        f"JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {schema} "
        "ORDER BY c.relname, k.conname").all()]
    shape["indexes"] = [tuple(row) for row in raw(
        "SELECT tablename, indexname, indexdef FROM pg_indexes "
        "WHERE schemaname = current_schema() ORDER BY tablename, indexname").all()]
    shape["sequences"] = [tuple(row) for row in raw(
        "SELECT sequencename, data_type::text, start_value, increment_by, cycle "
        "FROM pg_sequences WHERE schemaname = current_schema() ORDER BY sequencename").all()]
    shape["triggers"] = [tuple(row) for row in raw(
        "SELECT c.relname, t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t "
        "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
        f"WHERE {schema} AND NOT t.tgisinternal ORDER BY c.relname, t.tgname").all()]
    return shape


def shape(conn: Connection) -> dict[str, Any]:
    """The database's schema as the database tells it, plus what SQLAlchemy's inspector reads
    (its names for constraints SQLite keeps only in the table's text), and the revision."""
    found = (_sqlite_shape if conn.dialect.name == "sqlite" else _postgres_shape)(conn)
    inspector = sa.inspect(conn)
    for table in sorted(inspector.get_table_names()):
        found[f"{table} inspected"] = {
            "columns": [(c["name"], str(c["type"]), c["nullable"], c.get("default"),
                         c.get("autoincrement"), c.get("identity"), c.get("computed"))
                        for c in inspector.get_columns(table)],
            "primary key": inspector.get_pk_constraint(table),
            "unique": sorted(inspector.get_unique_constraints(table), key=repr),
            "checks": sorted(inspector.get_check_constraints(table), key=repr),
            "foreign keys": sorted(inspector.get_foreign_keys(table), key=repr),
            "indexes": sorted(inspector.get_indexes(table), key=repr)}
    found["revision"] = sorted(row[0] for row in conn.exec_driver_sql(
        "SELECT version_num FROM alembic_version").all())
    return found


def _normal(sql: str) -> str:
    return re.sub(r"\s+", " ", sql.replace('"', "")).strip()


def mismatches(migrated: dict[str, Any], created: dict[str, Any]) -> list[str]:
    """Each entry that differs, as a unified diff of the two readings."""
    out = []
    for key in sorted(set(migrated) | set(created)):
        a, b = migrated.get(key), created.get(key)
        if a != b:
            lines = difflib.unified_diff(
                _lines(a), _lines(b), "migrations", "create_all", lineterm="", n=1)
            out.append(f"{key}:\n    " + "\n    ".join(lines))
    return out


def _lines(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [f"{k}: {v!r}" for k, v in value.items()]
    if isinstance(value, list):
        return [repr(v) for v in value]
    return [repr(value)]


# -- the two ways -----------------------------------------------------------------------------


@contextmanager
def databases(url: str) -> Iterator[tuple[Engine, Engine]]:
    """Two empty databases of the kind ``url`` names (the fixture's, and a second one)."""
    if url.startswith("sqlite"):
        other = url.replace("ledger.db", "migrated.db")
        engines = make_engine(other), make_engine(url)
        try:
            yield engines
        finally:
            for engine in engines:
                engine.dispose()
        return
    with fresh_database() as other:
        engines = make_engine(other), make_engine(url)
        try:
            yield engines
        finally:
            for engine in engines:
                engine.dispose()


def _read(engine: Engine, change: Callable[[Connection], None] | None = None
          ) -> dict[str, Any]:
    """``shape``, after ``change`` if given (in a transaction rolled back afterwards: the
    schema's DDL is transactional on both)."""
    with engine.connect() as conn:
        if change is None:
            return shape(conn)
        with conn.begin() as transaction:
            change(conn)
            found = shape(conn)
            transaction.rollback()
        return found


def test_a_new_ledger_is_what_the_migrations_make(url: str) -> None:
    with databases(url) as (by_migrations, by_metadata):
        upgrade(by_migrations)
        assert create_if_new(by_metadata) == head_revision()
        migrated, created = _read(by_migrations), _read(by_metadata)
        assert migrated["revision"] == [head_revision()]
        found = mismatches(migrated, created)
        assert not found, (
            "a new ledger (schema.py's create_all) differs from one the migrations made: "
            "make schema.py say what the migrations make (a new migration's column comes "
            "last; a trigger goes in SQLITE_TRIGGERS; HEAD is the newest revision):\n"
            + "\n".join(found))


def _sqlite_changes() -> dict[str, Callable[[Connection], None]]:
    def run(*statements: str) -> Callable[[Connection], None]:
        return lambda conn: [conn.exec_driver_sql(s) for s in statements] and None
    return {
        "an index more": run("CREATE INDEX ix_extra ON deliveries (kind)"),
        "an index's condition": run(
            "DROP INDEX ix_deliveries_due",
            "CREATE INDEX ix_deliveries_due ON deliveries (state, next_attempt) "
            "WHERE state = 'pending'"),
        "an index's order": run(
            "DROP INDEX ix_deliveries_due",
            "CREATE INDEX ix_deliveries_due ON deliveries (next_attempt, state)"),
        "a trigger gone": run("DROP TRIGGER plan_fingerprints_forget_delete"),
        "a trigger's text": run(
            "DROP TRIGGER plan_fingerprints_forget_delete",
            "CREATE TRIGGER plan_fingerprints_forget_delete AFTER DELETE ON deliveries "
            "FOR EACH ROW BEGIN SELECT 1; END"),
        "a column more": run("ALTER TABLE deliveries ADD COLUMN extra TEXT"),
        "a table more": run("CREATE TABLE extra (id INTEGER PRIMARY KEY)"),
        "a revision": run("UPDATE alembic_version SET version_num = 'x'"),
        # duebot_meta made again with one thing different.
        **{what: run("DROP TABLE duebot_meta", f"CREATE TABLE duebot_meta {definition}")
           for what, definition in {
               "a default": "(name VARCHAR(64) NOT NULL, value TEXT DEFAULT 'x' NOT NULL, "
                            "PRIMARY KEY (name))",
               "a nullability": "(name VARCHAR(64) NOT NULL, value TEXT, PRIMARY KEY (name))",
               "a type": "(name VARCHAR(32) NOT NULL, value TEXT NOT NULL, PRIMARY KEY (name))",
               "a column order": "(value TEXT NOT NULL, name VARCHAR(64) NOT NULL, "
                                 "PRIMARY KEY (name))",
               "a check": "(name VARCHAR(64) NOT NULL, value TEXT NOT NULL CHECK (value <> ''),"
                          " PRIMARY KEY (name))",
               "a unique constraint's name": "(name VARCHAR(64) NOT NULL, value TEXT NOT NULL, "
                                             "PRIMARY KEY (name), CONSTRAINT uq_x UNIQUE (value))",
               "a primary key": "(name VARCHAR(64) NOT NULL, value TEXT NOT NULL, "
                                "PRIMARY KEY (name, value))",
               "without rowid": "(name VARCHAR(64) NOT NULL, value TEXT NOT NULL, "
                                "PRIMARY KEY (name)) WITHOUT ROWID",
           }.items()},
    }


def _postgres_changes() -> dict[str, Callable[[Connection], None]]:
    def run(*statements: str) -> Callable[[Connection], None]:
        return lambda conn: [conn.exec_driver_sql(s) for s in statements] and None
    return {
        "an index more": run("CREATE INDEX ix_extra ON deliveries (kind)"),
        "an index's condition": run(
            "DROP INDEX ix_deliveries_due",
            "CREATE INDEX ix_deliveries_due ON deliveries (state, next_attempt) "
            "WHERE state = 'pending'"),
        "a default": run("ALTER TABLE deliveries ALTER COLUMN reason SET DEFAULT 'x'"),
        "a nullability": run("ALTER TABLE deliveries ALTER COLUMN target SET NOT NULL"),
        "a type": run("ALTER TABLE deliveries ALTER COLUMN kind TYPE VARCHAR(32)"),
        "a zone": run("ALTER TABLE deliveries ALTER COLUMN due TYPE TIMESTAMP"),
        "a column more": run("ALTER TABLE deliveries ADD COLUMN extra TEXT"),
        "a constraint's name": run("ALTER TABLE subscribers RENAME CONSTRAINT "
                                   "uq_subscribers_event_destination TO uq_x"),
        "a check": run("ALTER TABLE duebot_meta ADD CONSTRAINT ck_x CHECK (value <> '')"),
        "a sequence": run("ALTER SEQUENCE delivery_log_id_seq INCREMENT BY 2"),
        "a trigger": run(
            "CREATE FUNCTION f_x() RETURNS trigger LANGUAGE plpgsql AS "
            "'BEGIN RETURN NEW; END'",
            "CREATE TRIGGER t_x AFTER UPDATE ON deliveries FOR EACH ROW EXECUTE FUNCTION f_x()"),
        "a table more": run("CREATE TABLE extra (id INTEGER PRIMARY KEY)"),
        "unlogged": run("ALTER TABLE audit_log SET UNLOGGED"),
        "a revision": run("UPDATE alembic_version SET version_num = 'x'"),
    }


def test_the_comparison_sees_each_kind_of_difference(url: str) -> None:
    """Not blind: each change alone, made to a new ledger, is a difference from one the
    migrations made (and the two agree without it)."""
    with databases(url) as (by_migrations, by_metadata):
        upgrade(by_migrations)
        create_if_new(by_metadata)
        migrated = _read(by_migrations)
        assert mismatches(migrated, _read(by_metadata)) == []
        changes = (_sqlite_changes if url.startswith("sqlite") else _postgres_changes)()
        blind = [what for what, change in changes.items()
                 if not mismatches(migrated, _read(by_metadata, change))]
        assert blind == []


# -- PostgreSQL: pg_dump's reading as well ----------------------------------------------------


def _dump(url: str) -> list[str]:
    """``pg_dump --schema-only`` of the database, without its comments and session lines."""
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    out = subprocess.run(["pg_dump", "--schema-only", "--no-owner", "--no-privileges", dsn],
                         capture_output=True, text=True, check=True, timeout=60).stdout
    return [line for line in out.splitlines()
            if line.strip() and not line.startswith(("--", "\\restrict", "\\unrestrict"))]


def test_pg_dump_reads_the_two_ways_alike() -> None:
    require_pg()
    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    with fresh_database() as migrated_url, fresh_database() as created_url:
        by_migrations, by_metadata = make_engine(migrated_url), make_engine(created_url)
        try:
            upgrade(by_migrations)
            create_if_new(by_metadata)
            migrated, created = _dump(migrated_url), _dump(created_url)
            assert any("CREATE TABLE" in line for line in migrated)
            diff = list(difflib.unified_diff(migrated, created, "migrations", "create_all",
                                             lineterm=""))
            assert diff == [], "\n".join(diff)
            with by_metadata.begin() as conn:  # not blind either
                conn.exec_driver_sql("ALTER TABLE deliveries ALTER COLUMN reason "
                                     "SET DEFAULT 'x'")
            assert _dump(created_url) != migrated
        finally:
            by_migrations.dispose()
            by_metadata.dispose()


# -- which way a ledger takes -----------------------------------------------------------------


def test_a_new_ledger_is_made_without_alembic_and_stands_at_its_head(tmp_path: Path) -> None:
    """A first start opens a new ledger without importing alembic (a tenth of a second)."""
    path = tmp_path / "ledger.db"
    code = ("import sys\nfrom bot.adapters.store.ledger import Ledger\n"
            f"Ledger.open({f'sqlite:///{path}'!r}).close()\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('alembic', 'mako')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert out.stdout.strip() == "[]"
    engine = make_engine(f"sqlite:///{path}")
    try:
        assert current_revision(engine) == head_revision()  # alembic's own reading
    finally:
        engine.dispose()


def test_an_older_ledger_is_left_for_the_migrations(url: str) -> None:
    """A ledger at an older revision is not made again from schema.py: the service refuses
    it until ``duebot db upgrade`` (alembic's migrations) brings it to head, which then is the
    schema a new ledger gets."""
    with databases(url) as (fresh, old):
        upgrade(old, "0005")
        with pytest.raises(SchemaError, match=r"revision 0005.*duebot db upgrade"):
            Ledger.open(str(old.url.render_as_string(hide_password=False))).close()
        assert current_revision(old) == "0005"
        upgrade(old)
        create_if_new(fresh)
        assert mismatches(_read(old), _read(fresh)) == []
