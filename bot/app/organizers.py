"""Organizer commands over the ledger: apply a date's extension, move or cancellation.

The file itself is edited at the edge (``bot.adapters.schedule_edit``); here the ledger is told:
unsent reminders of the date are re-timed (sent ones never go again), an optional "extended"
announcement is queued, and who changed what is written to the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.core.model import Event
from bot.errors import UsageError

if TYPE_CHECKING:
    from bot.app.running import Running


@dataclass(frozen=True, kw_only=True)
class ExtendResult:
    """What changed in the file."""

    path: Path
    event_id: str
    date_id: str
    action: str
    """``extend`` (later), ``move`` (earlier) or ``cancel``."""
    old_text: str
    new_text: str
    old_value: str
    """The old time as an ISO UTC instant, or an ISO day for an all-day date."""
    new_value: str
    sequence: int
    extended_from: str
    event: Event
    """The schedule as it reads now."""

    @property
    def later(self) -> bool:
        return self.action == "extend"

    def summary(self) -> str:
        if self.action == "cancel":
            return f"{self.date_id}: cancelled (was {self.old_text}); sequence {self.sequence}"
        return (f"{self.date_id}: at {self.old_text} -> {self.new_text} ({self.action}); "
                f"sequence {self.sequence}")


@dataclass(frozen=True, kw_only=True)
class Applied:
    """What the ledger made of a change."""

    retimed: int
    """Unsent reminders of the date now due at a new time."""
    cancelled: int
    already_sent: int
    """Reminders of the date that had gone out: never sent again."""
    announcement_id: str = ""


def apply_change(service: Running, result: ExtendResult, *, actor: str, now: datetime,
                 announce: bool = False) -> Applied:
    """Reconcile the ledger with the edited file, queue the notice, write the audit log."""
    from bot.app import announce as announcements

    def unsent() -> dict[str, tuple[str, datetime]]:
        return {r.key: (r.state, r.due) for r in service.ledger.rows(event_id=result.event_id)
                if r.date_id == result.date_id and r.kind == "reminder"}

    before = unsent()
    service.refresh(now, force=True)
    after = unsent()
    retimed = sum(1 for key, (state, due) in after.items()
                  if state in ("pending", "failed") and key in before
                  and before[key][0] in ("pending", "failed") and before[key][1] != due)
    cancelled = sum(1 for key, (state, _) in after.items()
                    if state == "cancelled" and before.get(key, ("", None))[0] != "cancelled")
    sent = sum(1 for state, _ in after.values() if state == "sent")
    announcement_id = ""
    if announce:
        if result.action == "cancel":
            raise UsageError("--announce is for extensions and moves, not cancellations")
        event = service.events()[result.event_id]
        announcement_id = announcements.schedule_announcement(
            service, event, now.isoformat(), (), template=announcements.EXTENDED_TEMPLATE,
            actor=actor, now=now,
            announcement_id=announcements.new_id(service, event,
                                                 f"{result.date_id}-extended-{result.sequence}"),
            params={"date": result.date_id, "old": result.old_value, "new": result.new_value,
                    "later": "true" if result.later else "false"})
    detail = (f"{result.summary()}; {retimed} unsent reminder(s) re-timed, {cancelled} "
              f"cancelled, {sent} already sent left alone")
    if announcement_id:
        detail += f"; announcement {announcement_id} queued"
    service.ledger.audit(now, actor=actor, action=f"{result.action}-date",
                         event_id=result.event_id, detail=detail)
    return Applied(retimed=retimed, cancelled=cancelled, already_sent=sent,
                   announcement_id=announcement_id)
