"""The one ledger write on the way to a Slack answer: its event's keys, and its new thread's
reading with them.

Each write on that way (a checkout, SQLite's lock and commit, the GIL let go and taken back)
cost more than the rows it wrote: the dedupe and a thread's first reading, written one after
the other, were two. A thread's first reading has nothing before it to put back if its answer
never arrives (``forget_thread`` takes it back), so it can go before the post, with the keys.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from bot.adapters.store.driver import sqlite_write
from bot.adapters.store.inbound import InboundStore
from bot.adapters.store.threads import THREAD_CONTEXT_AGE, ThreadStore, reading_text


class AnswerWriteStore(InboundStore, ThreadStore):
    """``first_times_keeping``: ``first_times`` and ``remember_thread`` in one write."""

    def first_times_keeping(self, keys: Sequence[str], now: datetime,
                            readings: Sequence[tuple[str, str, Mapping[str, Any], datetime]]
                            ) -> bool:
        """Whether every key was new (as ``first_times(keys, now)`` takes them); only then is
        each ``(thread key, event id, reading, when read)`` kept, as ``remember_thread`` keeps
        it, in the same call (a retry's reading is not: its first arrival's stands). Each is
        kept at its own time, the one ``forget_thread`` finds it by.

        On SQLite the insert's row count says whether all were new (RETURNING's rows, one
        step of SQLite's each, let go of the GIL once more each), and the reading is its own
        commit after the keys' (a crash between loses only the reading: a follow-up is then
        read as a new question); on PostgreSQL both are one transaction."""
        _, distinct = self._fitted(keys)
        texts = [(key, event_id, text, at) for key, event_id, reading, at in readings
                 if (text := reading_text(reading)) is not None]
        if not distinct:  # nothing to take: nothing is a retry
            for key, event_id, text, at in texts:
                self._remember_text(key, event_id, text, at)
            return True
        prune = bool(texts) and self._prune_due(now)  # once, with the first reading
        if not self.postgres:
            inserted: list[int] = []

            def then(changed: list[int]) -> list[tuple[str, tuple[Any, ...]]]:
                inserted.extend(changed)
                if changed[0] < len(distinct):  # a key was taken before: a retry
                    return []
                return [statement for n, (key, event_id, text, at) in enumerate(texts)
                        for statement in self._sqlite_remember(
                            key, event_id, text, at, THREAD_CONTEXT_AGE, prune=prune and n == 0)]
            sqlite_write(self.engine, [self._sqlite_seen(distinct, now, returning=False)], then)
            fresh = inserted[0] == len(distinct)
        else:
            with self._begin() as conn:
                fresh = len(self._pg_seen(conn, distinct, now)) == len(distinct)
                if fresh:
                    for n, (key, event_id, text, at) in enumerate(texts):
                        self._pg_remember(conn, key, event_id, text, at, THREAD_CONTEXT_AGE,
                                          prune=prune and n == 0)
        if fresh and prune:
            self._threads_pruned = now
        return fresh
