"""A conversation's thread remembers its last reading, so a follow-up ("and in IST?") reads
against it. One use case for Slack and Zulip threads, mail threads, Mattermost and Discord.

A platform that says which thread a message is in (Slack's ``thread_ts``, a mail's
``References``, Zulip's stream and topic or its direct-message group) keeps a thread's reading
for a day. Discord's interactions and Mattermost's outgoing webhooks name no thread, only the
channel and the person: there one person's questions in one channel are one conversation while
they follow each other within ``SITTING`` (a question asked later starts afresh), and another
person's question in that channel never reads against theirs.

The thread context is a nicety: when the ledger cannot give or keep it (one of our errors, or
one the ledger calls its own, ``Ledger.is_store_error``), the question is answered anyway, as
a new one, and the failure is logged. Anything else is a bug and goes up.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.core.digest import short_digest
from bot.errors import DuebotError
from bot.ports import Ledger

__all__ = ["SITTING", "Conversation", "context_of", "remember"]

log = logging.getLogger("duebot.threads")

SITTING = timedelta(minutes=30)
"""Where a platform names no thread: one person's questions in one channel at most this far
apart are one conversation ("/deadline and in IST?" right after "/deadline when is the
abstract due?"); a question after a longer pause is a new one."""


@dataclass(frozen=True)
class Conversation:
    """Where a chat message's follow-ups meet: a key per event, and how long a reading lasts."""

    key: str
    max_age: timedelta | None = None
    """None: the ledger's own thread age (a day); ``SITTING`` where the platform has no thread."""

    @classmethod
    def of(cls, platform: str, *where: str, max_age: timedelta | None = None
           ) -> Conversation | None:
        """``platform:`` + a digest of ``where`` (a topic or a list of people is unbounded text;
        the ledger's key is not); None when the platform did not say where (nothing kept)."""
        if not where or not all(where):
            return None
        return cls(f"{platform}:{short_digest(chr(31).join(where))}", max_age)

    def key_for(self, event_id: str) -> str:
        return f"{self.key}:{event_id}"


def context_of(ledger: Ledger, key: str, event_id: str, now: datetime,
               max_age: timedelta | None = None) -> dict[str, Any] | None:
    """The thread's last reading for this event; None for no thread (``key`` empty), a new
    one, one older than ``max_age`` (None: the ledger's own age), or a ledger that cannot
    say."""
    if not key:
        return None
    try:
        if max_age is None:
            return ledger.thread_context(key, event_id, now)
        return ledger.thread_context(key, event_id, now, max_age)
    except Exception as exc:  # answer anyway, as a new question
        if not _unavailable(ledger, exc):
            raise
        log.warning("thread context for %s unavailable: %s", key, exc)
        return None


def remember(ledger: Ledger, key: str, event_id: str, context: Mapping[str, Any],
             now: datetime) -> None:
    """Keep this answer's reading for the thread's next question (nothing to keep: nothing).
    Kept for the ledger's own age: a reader's shorter ``max_age`` is not passed here, since the
    ledger forgets every thread older than the age it is given."""
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
