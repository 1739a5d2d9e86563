"""Small named values the service keeps (a form key, the schema's notes)."""

from __future__ import annotations

import sqlalchemy as sa

from bot.adapters.store.database import Store
from bot.adapters.store.schema import meta


class MetaStore(Store):
    """``duebot_meta``: name -> value."""

    def get_meta(self, name: str) -> str | None:
        with self._connect() as conn:
            value = conn.execute(sa.select(meta.c.value).where(meta.c.name == name)).scalar()
            return None if value is None else str(value)

    def set_meta(self, name: str, value: str) -> None:
        """Insert or replace, in one statement: an UPDATE that found no row followed by an
        INSERT failed with a unique violation on PostgreSQL when another replica inserted the
        same name in between."""
        if self.postgres:
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
        stmt = insert(meta).values(name=name, value=value)
        stmt = stmt.on_conflict_do_update(index_elements=["name"],
                                          set_={"value": stmt.excluded.value})
        with self._begin() as conn:
            conn.execute(stmt)
