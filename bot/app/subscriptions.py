"""Subscribing, confirming, leaving: one use case behind Slack, mail, the links and the chats.

Each change goes to the ledger, then to the audit log (who, which event, how), then wakes the
delivery loop so the next reconcile plans the new subscriber's reminders or cancels the unsent
ones of someone who left. A front end makes one call and words the answer itself.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app.running import Running

__all__ = ["confirm", "subscribe", "unsubscribe"]


def subscribe(service: Running, event_id: str, destination: str, now: datetime, *,
              source: str, confirmed: bool = True, detail: str = "") -> tuple[str, str]:
    """Add (or re-activate) a subscriber; returns the ledger's ``(state, token)``.

    ``confirmed=False`` (mail's double opt-in) leaves a new subscriber ``pending`` and audits
    ``subscribe-requested``; asking again while already active changes nothing and writes
    nothing. A confirmed subscriber is audited ``subscribe`` and the delivery loop is woken.
    """
    state, token = service.ledger.subscribe(event_id, destination, now, source=source,
                                            confirmed=confirmed)
    if state == "active" and not confirmed:
        return state, token
    service.ledger.audit(now, actor=destination, event_id=event_id, detail=detail,
                         action="subscribe" if confirmed else "subscribe-requested")
    if state == "active":
        service.subscribers_changed()
    return state, token


def confirm(service: Running, token: str, now: datetime, *, detail: str
            ) -> tuple[str, str] | None:
    """Activate a pending subscriber by its token; ``(event_id, destination)``, or None when
    the token is unknown or was unsubscribed."""
    found = service.ledger.confirm(token, now)
    if found is None:
        return None
    event_id, destination = found
    service.ledger.audit(now, actor=destination, action="subscribe-confirmed",
                         event_id=event_id, detail=detail)
    service.subscribers_changed()
    return found


def unsubscribe(service: Running, now: datetime, *, detail: str, token: str | None = None,
                event_id: str | None = None, destination: str | None = None
                ) -> list[tuple[str, str]]:
    """End subscriptions by token, or by destination (in one event or all); returns the
    ``(event_id, destination)`` pairs that ended, each audited ``unsubscribed``."""
    left = service.ledger.unsubscribe(now, token=token, event_id=event_id,
                                      destination=destination)
    for ended_event, ended_destination in left:
        service.ledger.audit(now, actor=ended_destination, action="unsubscribed",
                             event_id=ended_event, detail=detail)
    if left:
        service.subscribers_changed()
    return left
