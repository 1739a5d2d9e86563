"""SQLite writes on the pool's driver connection, for the writes every chat answer makes.

SQLAlchemy's execution around a one-row write (checkout, events, result set-up, commit, reset)
cost about twice SQLite's own work. The inbound dedupe (before each Slack answer is posted)
and the thread reading (after it) run their statements on the driver connection instead: the
same BEGIN IMMEDIATE transaction, SQLAlchemy's pool around it, its errors mapped as ours.

These writers of one process also take an in-process lock, so one that waits for another's
commit wakes at once, not at SQLite's busy handler's next try (it sleeps 1, 2, 5 ... ms). Other
processes, and this one's other writers, still meet at SQLite's own lock, as before.
"""

from __future__ import annotations

import sqlite3
import threading
import weakref
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa

from bot.adapters.store.database import mapped_errors

_LOCKS: weakref.WeakKeyDictionary[sa.Engine, threading.Lock] = weakref.WeakKeyDictionary()
_LOCKS_LOCK = threading.Lock()


def _lock_of(engine: sa.Engine) -> threading.Lock:
    with _LOCKS_LOCK:
        lock = _LOCKS.get(engine)
        if lock is None:
            lock = _LOCKS[engine] = threading.Lock()
        return lock


def sqlite_write(engine: sa.Engine, statements: Sequence[tuple[str, Sequence[Any]]]
                 ) -> list[Any]:
    """Run ``(sql, parameters)`` in one write transaction; each statement's first row."""
    rows: list[Any] = []
    with mapped_errors(), _lock_of(engine):
        fairy = engine.raw_connection()
        driver = fairy.dbapi_connection
        assert isinstance(driver, sqlite3.Connection)  # isolation_level None: BEGIN is ours
        sql, params = "BEGIN IMMEDIATE", ()
        try:
            driver.execute(sql)
            try:
                for sql, params in statements:
                    rows.append(driver.execute(sql, params).fetchone())
                sql, params = "COMMIT", ()
                driver.execute(sql)
            except BaseException:
                if driver.in_transaction:
                    driver.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise sa.exc.DBAPIError.instance(sql, params, exc, sqlite3.Error) from exc
        finally:
            fairy.close()
    return rows


def bind_processor(column: sa.Column[Any], engine: sa.Engine) -> Callable[[Any], Any]:
    """How ``column``'s own type writes a value for this dialect."""
    dialect = engine.dialect
    processor = column.type.dialect_impl(dialect).bind_processor(dialect)
    return processor if processor is not None else (lambda value: value)
