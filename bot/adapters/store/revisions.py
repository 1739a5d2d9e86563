"""Each date's calendar revision (``date_revisions``): its SEQUENCE and LAST-MODIFIED.

``revise`` is called when a process loads a new version of a schedule, before the version is
served or reconciled. Per date it compares the fingerprint of what a calendar shows
(``bot.core.revisions.fingerprint``) with the stored one: the same, the stored revision is
served; new date, the schedule's own ``sequence`` is recorded (``modified`` NULL: served as
before, the same bytes as any replica or checkout serves); changed, the sequence goes up by
one (at least to the schedule's ``sequence``), modified ``now``.

Replicas seeing the same change at once raise it once: the change is written with a
compare-and-set on the fingerprint read (``UPDATE ... WHERE fingerprint = <the one read>``).
On PostgreSQL the second writer waits for the first's row lock, finds the fingerprint no
longer the one it read and updates nothing; it then reads the row again, sees its own
fingerprint there and serves that revision. A new date's row is ``INSERT ... ON CONFLICT DO
NOTHING`` for the same reason. On SQLite the single writer serializes the same steps.

A restart with the same schedules reads and writes nothing new: every fingerprint matches.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bot.adapters.store.database import Store
from bot.adapters.store.planning import _Driver
from bot.adapters.store.schema import date_revisions
from bot.core.revisions import Revision, next_revision
from bot.errors import StorageConflict

DateKey = tuple[str, str]
"""(event id, date id)."""

_SQLITE_INSERT = ("INSERT INTO date_revisions (event_id, date_id, fingerprint, sequence, modified) "
                  "VALUES (?, ?, ?, ?, NULL) ON CONFLICT (event_id, date_id) DO NOTHING")

_ROUNDS = 5
"""Compare-and-set rounds before giving up: each lost round is another writer's new version."""


class RevisionStore(Store):
    """``date_revisions``: per date, its fingerprint, sequence and last modification."""

    def revise(self, dates: Mapping[DateKey, tuple[str, int]], now: datetime
               ) -> dict[DateKey, Revision]:
        """The revision to serve for each date: ``dates`` maps (event id, date id) to (its
        fingerprint, the schedule's ``sequence``). One transaction; raises StorageError."""
        if not dates:
            return {}
        events = sorted({event_id for event_id, _ in dates})
        with self._connect() as conn:  # a restart: every date as stored, no write at all
            stored = self._stored_revisions(conn, events)
        if all(stored.get(key, ("",))[0] == mark for key, (mark, _seq) in dates.items()):
            return {key: stored[key][1] for key in dates}
        with self._begin() as conn:
            stored = self._stored_revisions(conn, events)
            out: dict[DateKey, Revision] = {}
            for _round in range(_ROUNDS):
                pending = self._apply_revisions(conn, dates, stored, now, out)
                if not pending:
                    return out
                # Another writer won a compare-and-set: read what it wrote.
                stored = self._stored_revisions(conn, events)
                dates = {key: dates[key] for key in pending}
        raise StorageConflict(f"date revisions kept changing under this writer: "
                              f"{sorted(pending)[:5]}")

    def served_revisions(self, dates: Mapping[DateKey, tuple[str, int]]
                         ) -> tuple[dict[DateKey, Revision], list[DateKey]]:
        """Read only: the revision each date is served at, for `duebot ics` to write what the
        feed serves. A date changed since a process last served it gets the SEQUENCE the next
        ``revise`` gives it (its time unknown: ``modified`` None), and is listed second."""
        if not dates:
            return {}, []
        with self._connect() as conn:
            stored = self._stored_revisions(conn, sorted({event_id for event_id, _ in dates}))
        out: dict[DateKey, Revision] = {}
        ahead: list[DateKey] = []
        for key, (mark, written) in dates.items():
            if key not in stored:
                continue  # a new date: served at the schedule's own sequence
            old_mark, before = stored[key]
            if old_mark == mark:
                out[key] = before
            else:
                out[key] = Revision(sequence=max(before.sequence + 1, written))
                ahead.append(key)
        return out, ahead

    def _apply_revisions(self, conn: Connection, dates: Mapping[DateKey, tuple[str, int]],
                         stored: Mapping[DateKey, tuple[str, Revision]], now: datetime,
                         out: dict[DateKey, Revision]) -> list[DateKey]:
        """Settle what it can into ``out``; returns the dates to read again."""
        new = [key for key in dates if key not in stored]
        if new and not self.postgres and self._insert_new_dates(conn, dates, new):
            # SQLite: ``stored`` was read under this transaction's write lock (BEGIN
            # IMMEDIATE), and every new row went in: each is this writer's, as written.
            for key in new:
                out[key] = Revision(sequence=dates[key][1], modified=None)
            new = []
        elif new:  # one statement, many rows (SQLAlchemy batches them into multi-row VALUES)
            conn.execute(self._revision_insert().on_conflict_do_nothing(
                index_elements=["event_id", "date_id"]),
                [{"event_id": e, "date_id": d, "fingerprint": dates[(e, d)][0],
                  "sequence": dates[(e, d)][1], "modified": None} for e, d in new])
        pending = list(new)  # inserted, or another writer's insert: read back either way
        for key, (mark, written) in dates.items():
            if key in stored:
                old_mark, before = stored[key]
                if old_mark == mark:
                    out[key] = before
                    continue
                after = next_revision(before, written, now)
                done = conn.execute(
                    date_revisions.update()
                    .where(date_revisions.c.event_id == key[0],
                           date_revisions.c.date_id == key[1],
                           date_revisions.c.fingerprint == old_mark)
                    .values(fingerprint=mark, sequence=after.sequence,
                            modified=after.modified)).rowcount
                if done == 1:
                    out[key] = after
                else:
                    pending.append(key)
        if not new:
            return pending
        fresh = set(new)
        again = self._stored_revisions(conn, sorted({e for e, _ in new}))
        rest = []
        for key in pending:
            found = again.get(key)
            if key in fresh and found is not None and found[0] == dates[key][0]:
                out[key] = found[1]
            else:
                rest.append(key)
        return rest

    @staticmethod
    def _insert_new_dates(conn: Connection, dates: Mapping[DateKey, tuple[str, int]],
                    new: list[DateKey]) -> bool:
        """SQLite: the new dates' rows through the driver's executemany (a first start's
        20,000 cost 0.2 s through SQLAlchemy's multi-row VALUES); whether every one went in
        (if not, what is there is read back, as on PostgreSQL)."""
        inserted = _Driver(conn).run_many(_SQLITE_INSERT, [
            (e, d, *dates[(e, d)]) for e, d in new])
        return inserted == len(new)

    @staticmethod
    def _stored_revisions(conn: Connection, events: list[str]
                          ) -> dict[DateKey, tuple[str, Revision]]:
        t = date_revisions.c
        rows = conn.execute(sa.select(t.event_id, t.date_id, t.fingerprint, t.sequence,
                                      t.modified).where(t.event_id.in_(events)))
        return {(event_id, date_id): (mark, Revision(sequence, modified))
                for event_id, date_id, mark, sequence, modified in rows}

    def _revision_insert(self) -> Any:
        """The dialect's INSERT, which has ON CONFLICT."""
        if self.postgres:
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
        return insert(date_revisions)

    def date_revisions(self, event_id: str) -> dict[str, Revision]:
        """The stored revisions of one event's dates (``status``, tests)."""
        with self._connect() as conn:
            stored = self._stored_revisions(conn, [event_id])
        return {date_id: rev for (_e, date_id), (_m, rev) in stored.items()}


__all__ = ["DateKey", "RevisionStore"]
