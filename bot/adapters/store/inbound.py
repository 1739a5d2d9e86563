"""Loop guards for what comes in, shared by replicas: once per message id, so many per sender."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from bot.adapters.store.database import Store
from bot.adapters.store.deliveries import enqueued, insert_deliveries
from bot.adapters.store.driver import bind_processor, sqlite_write
from bot.adapters.store.schema import inbound_hits, processed_inbound
from bot.core.digest import short_digest
from bot.ports import Planned


@functools.cache
def _sqlite_seen_all(count: int, *, returning: bool = True) -> str:
    """``first_times``' insert of ``count`` rows as SQLite's driver takes it (``driver``)."""
    rows = ", ".join(["(?, ?, ?)"] * count)
    return (f"INSERT INTO processed_inbound (key, at, owner) VALUES {rows} "
            f"ON CONFLICT (key) DO NOTHING{' RETURNING key' if returning else ''}")


@functools.cache
def _pg_seen_all(count: int) -> Any:
    """The PostgreSQL insert of ``count`` rows (``first_times``), built once per count."""
    from sqlalchemy.dialects.postgresql import insert as pg_insert

    at_type = processed_inbound.c.at.type
    rows = [{"key": sa.bindparam(f"k{n}", type_=sa.String),
             "at": sa.bindparam("at", type_=at_type),
             "owner": sa.bindparam("owner", type_=sa.String)} for n in range(count)]
    return (pg_insert(processed_inbound).values(rows)
            .on_conflict_do_nothing(index_elements=["key"]).returning(processed_inbound.c.key))


def _fit(key: str, length: int) -> str:
    """``key`` as a column of ``length`` holds it: a longer one (a sender's address has no
    bound the mail parser enforces) is cut and ends in its digest, still one key per key.
    PostgreSQL refused it (``value too long``: the mail was deferred, again at each retry)
    where SQLite, which ignores lengths, kept it whole."""
    if len(key) <= length:
        return key
    return f"{key[:length - 33]}#{short_digest(key)}"


SEEN_LENGTH: int = processed_inbound.c.key.type.length  # type: ignore[attr-defined]
HIT_LENGTH: int = inbound_hits.c.key.type.length  # type: ignore[attr-defined]


def firsts(fitted: Sequence[str], taken: set[str]) -> tuple[bool, ...]:
    """Per key, whether this call took it: a key given twice is new once, at its first place."""
    new = []
    for key in fitted:
        new.append(key in taken)
        taken.discard(key)
    return tuple(new)


class InboundStore(Store):
    """``processed_inbound`` (seen keys) and ``inbound_hits`` (per-sender counts)."""

    def first_time(self, key: str, now: datetime) -> bool:
        """True exactly once per key across every replica (Slack event ids, Message-IDs)."""
        return self.first_times([key], now)[0]

    def first_times(self, keys: Sequence[str], now: datetime) -> tuple[bool, ...]:
        """``first_time`` of each key, in one statement (one transaction, one round trip): a
        Slack event's id and its message's, on the way to every answer.

        RETURNING says which rows went in (psycopg reports no rowcount for an executemany).
        Built once per number of keys, without values: each call then skips building and
        compiling it; on SQLite it runs on the driver's connection (``driver``)."""
        fitted, distinct = self._fitted(keys)
        if not distinct:
            return ()
        if not self.postgres:
            taken = {row[0] for row in sqlite_write(
                self.engine, [self._sqlite_seen(distinct, now)])[0]}
        else:
            with self._begin() as conn:
                taken = self._pg_seen(conn, distinct, now)
        return firsts(fitted, taken)

    @staticmethod
    def _fitted(keys: Sequence[str]) -> tuple[list[str], list[str]]:
        """The keys as the table holds them, and each once."""
        fitted = [_fit(key, SEEN_LENGTH) for key in keys]
        return fitted, list(dict.fromkeys(fitted))

    def _sqlite_seen(self, distinct: Sequence[str], now: datetime, *, returning: bool = True
                     ) -> tuple[str, tuple[Any, ...]]:
        """``first_times``' insert as SQLite's driver takes it; it returns the keys taken
        (``returning``), else only says how many (its row count)."""
        bind: Any = getattr(self, "_at_bind", None)
        if bind is None:
            bind = self._at_bind = bind_processor(processed_inbound.c.at, self.engine)
        at = bind(now)
        return (_sqlite_seen_all(len(distinct), returning=returning),
                tuple(v for key in distinct for v in (key, at, self.owner)))

    def _pg_seen(self, conn: sa.Connection, distinct: Sequence[str], now: datetime
                 ) -> set[str]:
        """``first_times``' insert on PostgreSQL, in ``conn``'s transaction: the keys taken."""
        return set(conn.execute(_pg_seen_all(len(distinct)), {
            **{f"k{n}": key for n, key in enumerate(distinct)}, "at": now,
            "owner": self.owner}).scalars())

    def hit(self, key: str, now: datetime, *, window: timedelta) -> int:
        """Record one inbound message from ``key``; returns how many in the last ``window``."""
        key = _fit(key, HIT_LENGTH)
        with self._begin() as conn:
            conn.execute(inbound_hits.insert().values(key=key, at=now))
            conn.execute(inbound_hits.delete().where(inbound_hits.c.key == key,
                                                     inbound_hits.c.at < now - window))
            return int(conn.execute(sa.select(sa.func.count()).where(
                inbound_hits.c.key == key, inbound_hits.c.at >= now - window)).scalar_one())

    def seen(self, key: str) -> bool:
        """Whether ``first_time``/``enqueue(inbound=)`` already took this key (read only)."""
        with self._connect() as conn:
            return conn.execute(sa.select(processed_inbound.c.key).where(
                processed_inbound.c.key == _fit(key, SEEN_LENGTH))).first() is not None

    def hits(self, key: str, now: datetime, *, window: timedelta) -> int:
        """How many hits ``key`` has in the last ``window`` (read only; ``record`` adds one)."""
        key = _fit(key, HIT_LENGTH)
        with self._connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).where(
                inbound_hits.c.key == key, inbound_hits.c.at >= now - window)).scalar_one())

    def record(self, now: datetime, *, inbound: str,
               hits: Sequence[tuple[str, timedelta]] = (), planned: Planned | None = None
               ) -> bool:
        """In one transaction: mark ``inbound`` seen, add one hit per ``(key, window)`` in
        ``hits`` (dropping that key's hits older than its window) and queue ``planned``;
        False, with nothing written, when another handler took ``inbound`` first.

        So a mail is never marked seen without its reply queued: a failure of either leaves
        neither, and the sender's retry (SMTP 451) is handled afresh.
        """
        with self._begin() as conn:
            taken = conn.execute(self._seen_insert(), {
                "key": _fit(inbound, SEEN_LENGTH), "at": now, "owner": self.owner}).first()
            if taken is None:
                return False
            for sender, window in hits:
                key = _fit(sender, HIT_LENGTH)
                conn.execute(inbound_hits.insert().values(key=key, at=now))
                conn.execute(inbound_hits.delete().where(inbound_hits.c.key == key,
                                                         inbound_hits.c.at < now - window))
            if planned is not None:
                insert_deliveries(conn, [enqueued(planned, now)], postgres=self.postgres,
                                  owner=self.owner)
        return True

    def _seen_insert(self) -> Any:
        stmt: Any = getattr(self, "_first_time_stmt", None)
        if stmt is None:
            if self.postgres:
                from sqlalchemy.dialects.postgresql import insert as pg_insert

                stmt = pg_insert(processed_inbound)
            else:
                from sqlalchemy.dialects.sqlite import insert as sqlite_insert

                stmt = sqlite_insert(processed_inbound)
            stmt = (stmt.on_conflict_do_nothing(index_elements=["key"])
                    .returning(processed_inbound.c.key))
            self._first_time_stmt = stmt
        return stmt
