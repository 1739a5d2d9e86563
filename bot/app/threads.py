"""A conversation's thread remembers its last reading, so a follow-up ("and in IST?") reads
against it. One use case for Slack threads and mail threads alike.

The thread context is a nicety: when the ledger cannot give or keep it (one of our errors, or
one the ledger calls its own, ``Ledger.is_store_error``), the question is answered anyway, as
a new one, and the failure is logged. Anything else is a bug and goes up.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.errors import DuebotError
from bot.ports import Ledger

__all__ = ["context_of", "remember"]

log = logging.getLogger("duebot.threads")


def context_of(ledger: Ledger, key: str, event_id: str, now: datetime
               ) -> dict[str, Any] | None:
    """The thread's last reading for this event; None for no thread (``key`` empty), a new
    one, or a ledger that cannot say."""
    if not key:
        return None
    try:
        return ledger.thread_context(key, event_id, now)
    except Exception as exc:  # answer anyway, as a new question
        if not _unavailable(ledger, exc):
            raise
        log.warning("thread context for %s unavailable: %s", key, exc)
        return None


def remember(ledger: Ledger, key: str, event_id: str, context: Mapping[str, Any],
             now: datetime) -> None:
    """Keep this answer's reading for the thread's next question (nothing to keep: nothing)."""
    if not key or not context:
        return
    try:
        ledger.remember_thread(key, event_id, context, now)
    except Exception as exc:
        if not _unavailable(ledger, exc):
            raise
        log.warning("could not keep the thread context of %s: %s", key, exc)


def _unavailable(ledger: Ledger, exc: Exception) -> bool:
    return isinstance(exc, DuebotError) or ledger.is_store_error(exc)
