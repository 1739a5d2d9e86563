"""What the migration tests share: a migrated database compared with schema.py, and an older
ledger upgraded by ``duebot db upgrade`` (its config, the command, the checks after).

The comparison is alembic's autogenerate comparison read as sentences, plus primary keys
(which alembic does not compare); on SQLite also migration 0006's triggers.
"""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Engine

from bot.adapters.store.database import current_revision, head_revision, make_engine, upgrade
from bot.adapters.store.schema import metadata
from tests.pg import ROOT
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



# -- an older ledger, upgraded by duebot ------------------------------------------------------

AT = datetime(2030, 5, 1, 12, 0, tzinfo=UTC)
DUE = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)
DEADLINE = DUE + timedelta(days=1)
WORKSHOP = deadline_schedule(DEADLINE, event_id="old", name="Old Workshop")
"""The schedule the old ledger's rows belong to: its paper deadline's 1-day reminder is DUE."""


def made_at(url: str, revision: str, fill: Callable[[Engine], None]) -> None:
    """A ledger at ``url`` migrated to ``revision`` only, with what ``fill`` writes in it, as a
    duebot of that time left it."""
    engine = make_engine(url)
    try:
        upgrade(engine, revision)
        fill(engine)
    finally:
        engine.dispose()


def configured(tmp_path: Path, url: str) -> Path:
    """A config serving WORKSHOP to ``console:`` from the ledger at ``url``, HTTP off."""
    (tmp_path / "old.toml").write_text(WORKSHOP, encoding="utf-8")
    config = tmp_path / "duebot.toml"
    config.write_text(f'[storage]\ndatabase_url = "{url}"\n[http]\nenabled = false\n'
                      f'[[schedules]]\npath = "old.toml"\nreminders_to = ["console:"]\n',
                      encoding="utf-8")
    return config


def duebot(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m bot ARGS --config CONFIG`` from this checkout, the config's database only."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("DUEBOT_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "bot", *args, "--config", str(config)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
                          check=False)


def upgrade_by_duebot(config: Path, since: str) -> None:
    """``duebot db upgrade`` succeeds, with no traceback, and says it went from ``since``."""
    upgraded = duebot(config, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    assert "Traceback" not in upgraded.stderr
    assert f"{since} -> {head_revision()}" in upgraded.stdout, upgraded.stdout


def assert_head_as_schema_py(engine: Engine, since: str) -> None:
    """Upgraded from ``since``, the database is at head and is what schema.py declares."""
    assert current_revision(engine) == head_revision()
    found = differences(engine)
    assert not found, f"upgraded from {since}, the database is not schema.py:\n  " + \
        "\n  ".join(found)
    if engine.dialect.name == "sqlite":
        assert triggers(engine) == expected_triggers()


def assert_nothing_sent_again(config: Path) -> None:
    """Upgraded, duebot runs on it: the reminder sent before is not sent a second time."""
    again = duebot(config, "deliver", "--once", "--now", (DUE + timedelta(seconds=30))
                   .isoformat())
    assert again.returncode == 0, again.stderr
    assert "0 sent" in again.stdout, again.stdout
