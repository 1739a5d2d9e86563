"""Subscribers: who asked for an event's reminders, their tokens and their own choices."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from bot.adapters.store.database import Store
from bot.adapters.store.schema import subscribers

_find = sa.select(subscribers).where(subscribers.c.event_id == sa.bindparam("p_event"),
                                     subscribers.c.destination == sa.bindparam("p_dest"))


class SubscriberStore(Store):
    """Slack DMs and e-mail addresses (double opt-in by mail), with their preferences."""

    def subscribe(self, event_id: str, destination: str, now: datetime, *, source: str,
                  confirmed: bool = True) -> tuple[str, str]:
        """Add or re-activate a subscriber; returns (state, token). Idempotent.

        ``confirmed=False`` leaves the subscriber ``pending`` until ``confirm(token)`` (e-mail
        double opt-in); an already active subscriber stays active.
        """
        import secrets

        state = "active" if confirmed else "pending"
        with self._begin() as conn:
            row = conn.execute(_find, {"p_event": event_id, "p_dest": destination}
                               ).mappings().first()
            if row is None:
                token = secrets.token_urlsafe(24)
                if conn.execute(self._insert_new(), {
                        "event_id": event_id, "destination": destination, "state": state,
                        "token": token, "source": source, "created_at": now,
                        "updated_at": now}).first() is not None:
                    return state, token
                # Another replica's subscribe of the same destination committed between our
                # look and our insert (PostgreSQL; SQLite's writers queue): theirs is the row.
                row = conn.execute(_find, {"p_event": event_id, "p_dest": destination}
                                   ).mappings().one()
            if row["state"] == "active":
                return "active", str(row["token"])
            conn.execute(subscribers.update().where(subscribers.c.id == row["id"]).values(
                state=state, updated_at=now))
            return state, str(row["token"])

    def _insert_new(self) -> Any:
        """A new subscriber's row, or nothing (no row returned) when one with the same event
        and destination is there already: ON CONFLICT waits for a concurrent insert of it to
        commit instead of failing with a unique violation."""
        if self.postgres:
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
        return insert(subscribers).on_conflict_do_nothing(
            index_elements=["event_id", "destination"]).returning(subscribers.c.id)

    def confirm(self, token: str, now: datetime) -> tuple[str, str] | None:
        """Activate a pending subscriber by token; returns (event_id, destination) or None."""
        with self._begin() as conn:
            row = conn.execute(sa.select(subscribers).where(
                subscribers.c.token == token)).mappings().first()
            if row is None or row["state"] == "unsubscribed":
                return None
            # Unless an unsubscribe committed since the look (PostgreSQL reads the row again
            # once its lock is ours): a confirmation must not bring back whom that removed.
            if conn.execute(subscribers.update().where(
                    subscribers.c.id == row["id"],
                    subscribers.c.state != "unsubscribed").values(
                    state="active", updated_at=now)).rowcount != 1:
                return None
            return str(row["event_id"]), str(row["destination"])

    def unsubscribe(self, now: datetime, *, token: str | None = None,
                    event_id: str | None = None, destination: str | None = None
                    ) -> list[tuple[str, str]]:
        """Unsubscribe by token, or by destination (in one event or all); returns who left."""
        query = sa.select(subscribers).where(subscribers.c.state != "unsubscribed")
        if token is not None:
            query = query.where(subscribers.c.token == token)
        elif destination is not None:
            query = query.where(subscribers.c.destination == destination)
            if event_id is not None:
                query = query.where(subscribers.c.event_id == event_id)
        else:
            raise ValueError("unsubscribe needs a token or a destination")
        with self._begin() as conn:
            rows = conn.execute(query).mappings().all()
            for row in rows:
                conn.execute(subscribers.update().where(subscribers.c.id == row["id"]).values(
                    state="unsubscribed", updated_at=now))
        return [(str(r["event_id"]), str(r["destination"])) for r in rows]

    def subscriber_token(self, event_id: str, destination: str) -> str | None:
        with self._connect() as conn:
            value = conn.execute(sa.select(subscribers.c.token).where(
                subscribers.c.event_id == event_id,
                subscribers.c.destination == destination)).scalar()
        return None if value is None else str(value)

    def subscriber_tokens(self, event_id: str) -> dict[str, str]:
        """destination -> token of every active subscriber of one event, in one query."""
        query = sa.select(subscribers.c.destination, subscribers.c.token).where(
            subscribers.c.event_id == event_id, subscribers.c.state == "active")
        with self._connect() as conn:
            return {str(d): str(t) for d, t in conn.execute(query).all()}

    def subscriber(self, token: str) -> dict[str, Any] | None:
        """One subscriber by token (event_id, destination, state, preferences ...), or None."""
        with self._connect() as conn:
            row = conn.execute(sa.select(subscribers).where(
                subscribers.c.token == token)).mappings().first()
        return dict(row) if row is not None else None

    def set_preferences(self, event_id: str, destination: str, preferences: str,
                        now: datetime) -> bool:
        """Store a subscriber's choices (JSON from bot.core.preferences); False if unknown."""
        with self._begin() as conn:
            return conn.execute(subscribers.update().where(
                subscribers.c.event_id == event_id,
                subscribers.c.destination == destination).values(
                preferences=preferences, updated_at=now)).rowcount == 1

    def subscriber_preferences(self) -> dict[str, dict[str, str]]:
        """event id -> destination -> stored preferences, for active subscribers who chose any."""
        query = sa.select(subscribers.c.event_id, subscribers.c.destination,
                          subscribers.c.preferences).where(
            subscribers.c.state == "active", subscribers.c.preferences != "")
        out: dict[str, dict[str, str]] = {}
        with self._connect() as conn:
            for event_id, destination, prefs in conn.execute(query).all():
                out.setdefault(str(event_id), {})[str(destination)] = str(prefs)
        return out

    def active_subscribers(self) -> dict[str, tuple[str, ...]]:
        """event id -> destinations of its active subscribers, in the order they came."""
        query = sa.select(subscribers.c.event_id, subscribers.c.destination).where(
            subscribers.c.state == "active").order_by(subscribers.c.id)
        out: dict[str, list[str]] = {}
        with self._connect() as conn:
            for event_id, destination in conn.execute(query).all():
                out.setdefault(str(event_id), []).append(str(destination))
        return {k: tuple(v) for k, v in out.items()}
