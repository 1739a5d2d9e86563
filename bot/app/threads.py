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

A front end that posts its answer (Slack) keeps a follow-up's reading only once the answer is
out, so the ledger write is not on the way to the post, and an answer that never arrived leaves
the thread as the asker last saw it. Meanwhile the reading waits in ``Unsent``: a follow-up
that reaches this process before the ledger has it still reads against it. A thread's first
reading (``Reading.first``) may instead go with the write already on that way (Slack's dedupe
of the event, ``Ledger.first_times_keeping``): it replaces nothing, so an answer that never
arrived takes it back (``keep(kept=)``) and the thread is again as its asker saw it.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.core.digest import short_digest
from bot.errors import DuebotError
from bot.ports import Ledger

__all__ = ["SITTING", "Conversation", "Reading", "Unsent", "context_of", "forget", "keep",
           "remember"]

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
    new: bool = False
    """True where the message starts the thread (a Slack mention outside one): it has no
    earlier reading to look up, only this one to keep."""

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


@dataclass(frozen=True, eq=False)
class Reading:
    """One answer's reading, to keep for its thread's next question (``key`` per event)."""

    key: str
    event_id: str
    context: Mapping[str, Any]
    now: datetime
    first: bool = False
    """The thread's first reading (its conversation is new): the ledger holds none before it."""


class Unsent:
    """Readings of answers on their way out, by thread key, until the ledger has them.

    One per front end (in this process): what another replica holds it cannot see, but a
    follow-up is written by a person who read the answer, later than its reading is kept.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held: dict[str, list[Reading]] = {}
        """Per thread, in the order its answers were read (the last is the latest)."""
        self._writing = tuple(threading.Lock() for _ in range(16))

    def writing(self, key: str) -> threading.Lock:
        """Held while a thread's reading is checked and written: two answers in one thread
        reach the ledger in the order they were read."""
        return self._writing[hash(key) % len(self._writing)]

    def hold(self, readings: Iterable[Reading]) -> None:
        with self._lock:
            for reading in readings:
                self._held.setdefault(reading.key, []).append(reading)

    def get(self, key: str) -> Reading | None:
        """The thread's latest reading still on its way, if any."""
        with self._lock:
            held = self._held.get(key)
            return held[-1] if held else None

    def pending(self, reading: Reading) -> bool:
        """Whether ``reading`` is still to be kept: no later answer in its thread was kept
        meanwhile (that one is the thread's reading now)."""
        with self._lock:
            return any(r is reading for r in self._held.get(reading.key, ()))

    def release(self, reading: Reading, *, kept: bool) -> None:
        """Let go of ``reading``; once ``kept``, of the thread's older ones too (superseded)."""
        with self._lock:
            held = self._held.get(reading.key, [])
            at = next((n for n, r in enumerate(held) if r is reading), None)
            if at is not None:
                del held[0 if kept else at:at + 1]
            if not held:
                self._held.pop(reading.key, None)

    def __len__(self) -> int:
        with self._lock:
            return sum(len(held) for held in self._held.values())


def context_of(ledger: Ledger, key: str, event_id: str, now: datetime,
               max_age: timedelta | None = None, *, unsent: Unsent | None = None
               ) -> dict[str, Any] | None:
    """The thread's last reading for this event; None for no thread (``key`` empty), a new
    one, one older than ``max_age`` (None: the ledger's own age), or a ledger that cannot
    say. ``unsent``: readings not in the ledger yet, looked at first."""
    if not key:
        return None
    held = unsent.get(key) if unsent is not None else None
    if held is not None and held.event_id == event_id and (
            max_age is None or held.now >= now - max_age):
        return dict(held.context)
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


def keep(ledger: Ledger, readings: Iterable[Reading], *, posted: bool,
         unsent: Unsent | None = None, kept: Collection[Reading] = ()) -> None:
    """After an answer was posted (``posted``), its readings go to the ledger; after a post
    that failed (or a retry not answered) they are forgotten, so the thread's next question
    reads against the answer its asker last saw. Either way ``unsent`` lets go of them, once
    the ledger has them (a follow-up meanwhile reads them there).

    A reading that a later answer in its thread superseded (kept first) is not written: the
    ledger would end on the older one. ``kept``: readings the ledger already has (a thread's
    first, written before the post): not written again, and taken back if it failed.
    """
    for reading in readings:
        already = any(reading is k for k in kept)
        with unsent.writing(reading.key) if unsent is not None else contextlib.nullcontext():
            try:
                if already and not posted:
                    forget(ledger, reading)
                elif posted and not already and (unsent is None or unsent.pending(reading)):
                    remember(ledger, reading.key, reading.event_id, reading.context,
                             reading.now)
            finally:
                if unsent is not None:
                    unsent.release(reading, kept=posted)


def forget(ledger: Ledger, reading: Reading) -> None:
    """Take back a reading the ledger was given before its answer, which never arrived (a
    later answer's reading, kept meanwhile, stays)."""
    try:
        ledger.forget_thread(reading.key, reading.event_id, reading.context, reading.now)
    except Exception as exc:
        if not _unavailable(ledger, exc):
            raise
        log.warning("could not take back the thread context of %s: %s", reading.key, exc)


def _unavailable(ledger: Ledger, exc: Exception) -> bool:
    return isinstance(exc, DuebotError) or ledger.is_store_error(exc)
