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
        with self._begin() as conn:
            updated = conn.execute(meta.update().where(meta.c.name == name).values(value=value))
            if updated.rowcount == 0:
                conn.execute(meta.insert().values(name=name, value=value))
