"""Small named values the service keeps (a form key, the schema's notes)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from bot.adapters.store.database import Store
from bot.adapters.store.schema import meta


class MetaStore(Store):
    """``duebot_meta``: name -> value."""

    def get_meta(self, name: str) -> str | None:
        with self._connect() as conn:
            value = conn.execute(sa.select(meta.c.value).where(meta.c.name == name)).scalar()
            return None if value is None else str(value)

    def _insert(self) -> Any:
        """The dialect's INSERT, which has ON CONFLICT."""
        if self.postgres:
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
        return insert(meta)

    def set_meta(self, name: str, value: str) -> None:
        """Insert or replace, in one statement: an UPDATE that found no row followed by an
        INSERT failed with a unique violation on PostgreSQL when another replica inserted the
        same name in between."""
        stmt = self._insert().values(name=name, value=value)
        stmt = stmt.on_conflict_do_update(index_elements=["name"],
                                          set_={"value": stmt.excluded.value})
        with self._begin() as conn:
            conn.execute(stmt)

    def setdefault_meta(self, name: str, value: str) -> str:
        """The stored value of ``name``; ``value`` stored first when there is none. The first
        value written wins, whichever replica wrote it, and every caller gets that one: a
        secret two replicas made at once on first use (the form key's) stays one secret.

        INSERT ... ON CONFLICT DO NOTHING waits for another replica's uncommitted insert of
        the same name (PostgreSQL) and then leaves it; the read after it, in the same
        transaction, sees that row (a new snapshot per statement; SQLite's writers queue).
        """
        with self._begin() as conn:
            conn.execute(self._insert().values(name=name, value=value)
                         .on_conflict_do_nothing(index_elements=["name"]))
            stored = conn.execute(sa.select(meta.c.value).where(meta.c.name == name)).scalar()
        return str(stored)
