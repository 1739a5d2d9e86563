"""Follow-up context per Slack or mail thread: the last reading of a question, bounded."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from bot.adapters.store.database import Store
from bot.adapters.store.schema import ask_threads

THREAD_CONTEXT_AGE = timedelta(hours=24)
"""A follow-up older than this is a new question: the thread's context is forgotten."""
THREAD_CONTEXT_BYTES = 4096



class ThreadStore(Store):
    """``ask_threads``: one row per thread, forgotten after ``THREAD_CONTEXT_AGE``."""

    def thread_context(self, key: str, event_id: str, now: datetime,
                       max_age: timedelta = THREAD_CONTEXT_AGE) -> dict[str, Any] | None:
        """The last reading kept for a thread ("and in IST?" reads against it), if fresh."""
        with self._begin() as conn:
            row = conn.execute(sa.select(ask_threads.c.reading, ask_threads.c.updated_at,
                                         ask_threads.c.event_id)
                               .where(ask_threads.c.key == key)).first()
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
        text = json.dumps(dict(reading), ensure_ascii=False, separators=(",", ":"))
        if len(text.encode()) > THREAD_CONTEXT_BYTES:
            return  # never expected (readings are small); a follow-up then starts afresh
        with self._begin() as conn:
            conn.execute(ask_threads.delete().where(
                sa.or_(ask_threads.c.key == key, ask_threads.c.updated_at < now - max_age)))
            conn.execute(ask_threads.insert().values(key=key, event_id=event_id,
                                                     reading=text, updated_at=now))
