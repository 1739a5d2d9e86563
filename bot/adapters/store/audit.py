"""The audit log: who changed what, for the organizers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from bot.adapters.store.database import Store
from bot.adapters.store.schema import audit_log


class AuditStore(Store):
    """``audit_log``: appended to, read newest first."""

    def audit(self, now: datetime, *, actor: str, action: str, event_id: str = "",
              detail: str = "") -> None:
        with self._begin() as conn:
            conn.execute(audit_log.insert().values(at=now, actor=actor, action=action,
                                                   event_id=event_id, detail=detail))

    def audit_entries(self, event_id: str | None = None, limit: int = 50
                      ) -> list[dict[str, Any]]:
        query = sa.select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
        if event_id:
            query = query.where(audit_log.c.event_id == event_id)
        with self._connect() as conn:
            return [dict(m) for m in conn.execute(query).mappings()]
