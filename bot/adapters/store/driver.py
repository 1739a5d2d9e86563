"""SQLite writes on the pool's driver connection, for the writes every chat answer makes.

SQLAlchemy's execution around a one-row write (checkout, events, result set-up, commit, reset)
cost about twice SQLite's own work. The inbound dedupe (before each Slack answer is posted)
and the thread reading (after it) are one statement each, run on the driver connection: its
own transaction, SQLAlchemy's pool around it, its errors mapped as ours.

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


Statements = Sequence[tuple[str, Sequence[Any]]]


def sqlite_write(engine: sa.Engine, statements: Statements,
                 then: Callable[[list[int]], Statements] | None = None
                 ) -> list[list[Any]]:
    """Run each ``(sql, parameters)`` as its own transaction; the rows each returned.
    ``then``: more statements, chosen by how many rows each of these changed, run in the
    same checkout (a Slack answer's thread reading, only where its event's keys were new).

    One statement outside BEGIN is SQLite's autocommit: it takes the write lock when it starts
    (waiting for another writer up to the busy timeout, as BEGIN IMMEDIATE does) and commits
    when it ends. One driver call instead of three (BEGIN, the statement, COMMIT): each call
    lets go of the GIL, and on a busy machine getting it back costs more than SQLite's work.
    """
    rows: list[list[Any]] = []
    changed: list[int] = []
    with mapped_errors(), _lock_of(engine):
        fairy = engine.raw_connection()
        driver = fairy.dbapi_connection
        assert isinstance(driver, sqlite3.Connection)
        assert driver.isolation_level is None  # no implicit BEGIN (``make_engine``)
        sql, params = "", ()
        try:
            for sql, params in statements:
                cursor = driver.execute(sql, params)
                rows.append(cursor.fetchall())  # all: then it is done
                changed.append(cursor.rowcount)
            for sql, params in then(changed) if then is not None else ():
                rows.append(driver.execute(sql, params).fetchall())
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
