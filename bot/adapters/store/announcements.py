"""Announcements scheduled by command (the schedule file holds the others)."""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from bot.adapters.store.database import Store
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
        with self._reading() as conn:
            result = conn.execute(_query(event_id is not None, bool(states)),
                                  {"p_event": event_id, "p_states": list(states or ())})
            return [{**m, "destinations": tuple(json.loads(m["destinations"] or "[]"))}
                    for m in result.mappings()]

    def set_announcement_state(self, announcement_id: str, state: str, now: datetime) -> bool:
        with self._begin() as conn:
            return conn.execute(announcements.update().where(
                announcements.c.id == announcement_id).values(
                state=state, updated_at=now)).rowcount == 1
