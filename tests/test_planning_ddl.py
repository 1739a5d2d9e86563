"""The temporary plan table's DDL (``bot.adapters.store.planning``): dropped at commit on
PostgreSQL, as the dialect argument wrote it, without loading that dialect for SQLite."""

from __future__ import annotations

import subprocess
import sys

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.schema import CreateTable

from bot.adapters.store import planning


def test_the_postgresql_ddl_is_the_dialect_arguments() -> None:
    table = planning.planned_table
    again = sa.Table(table.name, sa.MetaData(), *(c._copy() for c in table.columns),
                     prefixes=["TEMPORARY"], postgresql_on_commit="DROP")
    expected = str(CreateTable(again).compile(dialect=postgresql.dialect()))
    assert "ON COMMIT DROP" in expected
    assert planning._create_sql(postgresql.dialect()) == expected
    assert planning._create_sql(sqlite.dialect()) == str(
        CreateTable(table).compile(dialect=sqlite.dialect()))
    assert "ON COMMIT" not in planning._create_sql(sqlite.dialect())


def test_the_store_does_not_load_the_postgresql_dialect() -> None:
    code = ("import sys, bot.adapters.store.ledger, bot.adapters.store.planning; "
            "print('sqlalchemy.dialects.postgresql' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
