"""Follow-up context per Slack or mail thread: the last reading of a question, bounded."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from bot.adapters.store.database import Store
from bot.adapters.store.driver import bind_processor, sqlite_write
from bot.adapters.store.schema import UTCDateTime, ask_threads

THREAD_CONTEXT_AGE = timedelta(hours=24)
"""A follow-up older than this is a new question: the thread's context is forgotten."""
THREAD_CONTEXT_BYTES = 4096
PRUNE_EVERY = timedelta(minutes=10)
"""Stale threads are forgotten on a write at most this often (by the writer's clock): a read
already ignores them, the table only needs to stay small."""

_SQLITE_PRUNE = "DELETE FROM ask_threads WHERE updated_at < ?"
_SQLITE_UPSERT = ("INSERT INTO ask_threads (key, event_id, reading, updated_at) "
                  "VALUES (?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET "
                  "event_id = excluded.event_id, reading = excluded.reading, "
                  "updated_at = excluded.updated_at")
"""``_PRUNE`` and ``_upsert`` as SQLite's driver takes them (``remember_thread``)."""


_READ = sa.select(ask_threads.c.reading, ask_threads.c.updated_at, ask_threads.c.event_id
                  ).where(ask_threads.c.key == sa.bindparam("p_key", type_=sa.String))
_PRUNE = ask_threads.delete().where(
    ask_threads.c.updated_at < sa.bindparam("p_stale", type_=UTCDateTime()))
_FORGET = ask_threads.delete().where(
    ask_threads.c.key == sa.bindparam("p_key", type_=sa.String),
    ask_threads.c.event_id == sa.bindparam("p_event", type_=sa.String),
    ask_threads.c.reading == sa.bindparam("p_reading", type_=sa.Text),
    ask_threads.c.updated_at == sa.bindparam("p_at", type_=UTCDateTime()))
# Built once (with bound values): a statement built and keyed per call cost more than its run
# on the path of every Slack answer.


@functools.cache
def _upsert(postgres: bool) -> Any:
    """The thread's row, inserted or replaced in one statement."""
    if postgres:
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    stmt = insert(ask_threads)
    return stmt.on_conflict_do_update(index_elements=["key"], set_={
        "event_id": stmt.excluded.event_id, "reading": stmt.excluded.reading,
        "updated_at": stmt.excluded.updated_at})


class ThreadStore(Store):
    """``ask_threads``: one row per thread, forgotten after ``THREAD_CONTEXT_AGE``."""

    def thread_context(self, key: str, event_id: str, now: datetime,
                       max_age: timedelta = THREAD_CONTEXT_AGE) -> dict[str, Any] | None:
        """The last reading kept for a thread ("and in IST?" reads against it), if fresh."""
        with self._connect() as conn:  # a read: no write lock (SQLite's BEGIN IMMEDIATE)
            row = conn.execute(_READ, {"p_key": key}).first()
        if row is None or row.event_id != event_id or row.updated_at < now - max_age:
            return None
        try:
            value = json.loads(row.reading)
        except ValueError:
            return None
        return value if isinstance(value, dict) else None

    def remember_thread(self, key: str, event_id: str, reading: Mapping[str, Any],
                        now: datetime, max_age: timedelta = THREAD_CONTEXT_AGE) -> None:
        """Keep a thread's last reading (bounded in size), and forget stale threads."""
        text = reading_text(reading)
        if text is None:
            return  # never expected (readings are small); a follow-up then starts afresh
        self._remember_text(key, event_id, text, now, max_age)

    def _remember_text(self, key: str, event_id: str, text: str, now: datetime,
                       max_age: timedelta = THREAD_CONTEXT_AGE) -> None:
        prune = self._prune_due(now)
        if not self.postgres:  # on the driver's connection: after every Slack answer
            sqlite_write(self.engine, self._sqlite_remember(key, event_id, text, now, max_age,
                                                            prune=prune))
        else:
            with self._begin() as conn:
                self._pg_remember(conn, key, event_id, text, now, max_age, prune=prune)
        if prune:
            self._threads_pruned = now

    def forget_thread(self, key: str, event_id: str, reading: Mapping[str, Any],
                      now: datetime) -> None:
        """Take back the reading ``remember_thread`` kept at ``now``, unless a later answer's
        replaced it meanwhile (that one stays): its answer never reached the asker."""
        text = reading_text(reading)
        if text is None:
            return
        with self._begin() as conn:
            conn.execute(_FORGET, {"p_key": key, "p_event": event_id, "p_reading": text,
                                   "p_at": now})

    def _sqlite_remember(self, key: str, event_id: str, text: str, now: datetime,
                         max_age: timedelta, *, prune: bool
                         ) -> list[tuple[str, tuple[Any, ...]]]:
        """``remember_thread``'s statements as SQLite's driver takes them; ``prune``: stale
        threads are forgotten first (``_prune_due``; the caller notes it once written)."""
        bind: Any = getattr(self, "_updated_bind", None)
        if bind is None:
            bind = self._updated_bind = bind_processor(ask_threads.c.updated_at, self.engine)
        statements: list[tuple[str, tuple[Any, ...]]] = [
            (_SQLITE_UPSERT, (key, event_id, text, bind(now)))]
        if prune:
            statements.insert(0, (_SQLITE_PRUNE, (bind(now - max_age),)))
        return statements

    def _pg_remember(self, conn: sa.Connection, key: str, event_id: str, text: str,
                     now: datetime, max_age: timedelta, *, prune: bool) -> None:
        """``remember_thread`` on PostgreSQL, in ``conn``'s transaction."""
        if prune:  # by its index: cheap when none
            conn.execute(_PRUNE, {"p_stale": now - max_age})
        conn.execute(_upsert(self.postgres), {"key": key, "event_id": event_id,
                                              "reading": text, "updated_at": now})

    def _prune_due(self, now: datetime) -> bool:
        """Whether this write also forgets stale threads (at most every ``PRUNE_EVERY``)."""
        pruned: datetime | None = getattr(self, "_threads_pruned", None)
        return pruned is None or not pruned <= now < pruned + PRUNE_EVERY


def reading_text(reading: Mapping[str, Any]) -> str | None:
    """A reading as the table keeps it; None past ``THREAD_CONTEXT_BYTES``. The same reading
    gives the same text (``forget_thread`` finds its row by it)."""
    text = json.dumps(dict(reading), ensure_ascii=False, separators=(",", ":"))
    return None if len(text.encode()) > THREAD_CONTEXT_BYTES else text
