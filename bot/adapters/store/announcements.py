"""Announcements scheduled by command (the schedule file holds the others)."""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bot.adapters.store.database import Store, mapped_errors
from bot.adapters.store.schema import announcements


@functools.cache
def _query(by_event: bool, by_state: bool) -> Any:
    """``announcement_rows``' SELECT, built once per shape (a reconcile asks once per event)."""
    query = sa.select(announcements).order_by(announcements.c.created_at, announcements.c.id)
    if by_event:
        query = query.where(announcements.c.event_id == sa.bindparam("p_event"))
    if by_state:
        query = query.where(announcements.c.state.in_(
            sa.bindparam("p_states", expanding=True)))
    return query


def _made(mapping: Any) -> dict[str, Any]:
    return {**mapping, "destinations": tuple(json.loads(mapping["destinations"] or "[]"))}


class AnnouncementStore(Store):
    """``announcements``: what ``duebot announce`` added, and whether it still stands."""

    def add_announcement(self, now: datetime, *, id: str, event_id: str, when_spec: str,
                         destinations: Sequence[str], text: str, template: str,
                         actor: str) -> None:
        with self._begin() as conn:
            conn.execute(announcements.insert().values(
                id=id, event_id=event_id, when_spec=when_spec,
                destinations=json.dumps(list(destinations)), text=text, template=template,
                state="scheduled", created_by=actor, created_at=now, updated_at=now))

    def announcement_rows(self, event_id: str | None = None,
                          states: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """Announcements scheduled by command (the schedule file holds the others)."""
        batch: Connection | None = getattr(self._local, "batch", None)
        if event_id is not None and batch is not None and batch.in_transaction():
            return [dict(row) for row in self._in_batch(batch, tuple(states or ()))
                    .get(event_id, ())]
        with self._reading() as conn:
            result = conn.execute(_query(event_id is not None, bool(states)),
                                  {"p_event": event_id, "p_states": list(states or ())})
            return [_made(m) for m in result.mappings()]

    def _in_batch(self, batch: Connection, states: tuple[str, ...]
                  ) -> dict[str, list[dict[str, Any]]]:
        """Every event's announcements in these states, read once per write transaction of a
        batch of reconciles (``DeliveryStore.reconciling``), by event: a start-up asked once
        per event, 1,000 SELECTs. The same answer as each event's own SELECT: the batch
        holds SQLite's write lock from its BEGIN IMMEDIATE to its commit, so nobody writes
        between its reads, and a new transaction (after each commit) reads again."""
        transaction = batch.get_transaction()
        known = getattr(self._local, "announcements", None)
        if known is None or known[0] is not transaction:  # a new transaction: read again
            known = self._local.announcements = (transaction, {})
        read: dict[tuple[str, ...], dict[str, list[dict[str, Any]]]] = known[1]
        found = read.get(states)
        if found is not None:
            return found
        found = read[states] = {}
        with mapped_errors():
            result = batch.execute(_query(False, bool(states)), {"p_states": list(states)})
            for m in result.mappings():  # in the query's order, which each event's keeps
                found.setdefault(m["event_id"], []).append(_made(m))
        return found

    def set_announcement_state(self, announcement_id: str, state: str, now: datetime) -> bool:
        with self._begin() as conn:
            return conn.execute(announcements.update().where(
                announcements.c.id == announcement_id).values(
                state=state, updated_at=now)).rowcount == 1
