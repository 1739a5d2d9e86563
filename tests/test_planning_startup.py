"""What start-up made cheaper in ``bot.adapters.store.planning`` gives what it gave: the
temporary table's DDL (dropped at commit on PostgreSQL, as the dialect argument wrote it,
without loading that dialect for SQLite) and the plan's fingerprint (the digest of one update
per row, so the fingerprints an existing ledger stores still match)."""

from __future__ import annotations

import hashlib
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


ROWS = [(i, f"w{i % 7}/d{i % 3}/7d|mailto:l\u00e9{i}@example.org", "w0", None if i % 2 else
         "2031-01-01 04:59:00.000000", bool(i % 3), "", "2031-01-01 04:59") for i in range(50)]


def test_the_fingerprint_is_the_digest_of_one_update_per_row() -> None:
    ours = planning._Fingerprint("w0", "reminder")
    ours.add(ROWS[:20])
    assert list(ours.adding(iter(ROWS[20:]))) == ROWS[20:]
    one_each = hashlib.blake2b(repr((planning.RULES, "w0", "reminder")).encode(),
                               digest_size=16)
    for row in ROWS:
        one_each.update(repr(row).encode())
    assert ours.digest() == one_each.hexdigest()
    whole = planning._Fingerprint("w0", "reminder")
    whole.add(ROWS)
    assert whole.digest() == ours.digest()
    other = planning._Fingerprint("w0", "reminder")
    other.add([*ROWS[:49], (*ROWS[49][:-1], "2031-01-01 05:00")])
    assert other.digest() != ours.digest()
