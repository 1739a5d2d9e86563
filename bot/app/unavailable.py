"""Which platforms this process last found away or rate limiting: ``/healthz``'s ``unavailable``.

A platform is a channel's scheme (``slack``, ``discord``), or what the channel's optional
``platform(destination)`` names: one Apprise service (``apprise:mmost://chat.example.org``), so
that a message taken by ntfy does not clear a Mattermost that is still down.

An entry goes when the platform takes a message, or when nothing has been tried there for
``window`` (the waiting deliveries went to ``dead``, or were cancelled): each one waiting is
tried again within ``max_backoff`` (``bot.app.delivery``), so an outage still going is seen again
well inside it, and an entry nothing renews would otherwise say ``degraded`` until a restart.

The engine's senders record from several threads at once, and a sent message's record may be
made after a later send's failure (it waits for the next message's dialogue): each entry keeps
the instant (monotonic) its send ended, and an older sighting never overrides a newer one.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = ["Unavailable"]


@dataclass(frozen=True)
class _Seen:
    words: str
    ended: float
    """``time.monotonic()`` when the send ended: orders sightings across threads."""
    at: datetime
    """The run's clock then: ages the entry against later runs (the injected clock in tests)."""
    since: datetime
    """The run's clock at the first sighting of this outage: ``/healthz``'s ``since``."""
    next_try: datetime | None = None
    """When the deliveries waiting on it are tried again (the run's clock)."""


class Unavailable:
    """Per platform, the words of the last outage or rate limit seen, until it takes a message."""

    def __init__(self, window: timedelta) -> None:
        self.window = window
        self._lock = threading.Lock()
        self._away: dict[str, _Seen] = {}
        self._took: dict[str, float] = {}

    def away(self, platform: str, words: str, *, ended: float, at: datetime,
             next_try: datetime | None = None) -> None:
        """A send that ended at ``ended`` found the platform away or rate limiting; what
        waits on it is tried again at ``next_try``."""
        with self._lock:
            if self._took.get(platform, float("-inf")) > ended:
                return  # it took a message since that send ended
            old = self._away.get(platform)
            if old is None or old.ended <= ended:
                since = at if old is None else min(old.since, at)
                self._away[platform] = _Seen(words, ended, at, since, next_try)

    def took(self, platform: str, *, ended: float) -> datetime | None:
        """The platform took a message in a send that ended at ``ended``; returns since when
        it had been away, if it was (the outage that just ended), else None."""
        with self._lock:
            self._took[platform] = max(self._took.get(platform, float("-inf")), ended)
            old = self._away.get(platform)
            if old is not None and old.ended <= ended:
                del self._away[platform]
                return old.since
            return None

    def ran(self, now: datetime) -> None:
        """A delivery run for ``now``: entries nothing renewed within ``window`` lapse."""
        with self._lock:
            for platform, seen in list(self._away.items()):
                if now - seen.at > self.window:
                    del self._away[platform]

    def snapshot(self) -> dict[str, str]:
        """Platform -> the words of its last outage or rate limit."""
        with self._lock:
            return {platform: seen.words for platform, seen in self._away.items()}

    def since(self) -> dict[str, datetime]:
        """Platform -> when this process first found it away (the outage still going)."""
        with self._lock:
            return {platform: seen.since for platform, seen in self._away.items()}

    def next_tries(self) -> dict[str, datetime | None]:
        """Platform -> when what waits on it is tried again, as the last sighting said."""
        with self._lock:
            return {platform: seen.next_try for platform, seen in self._away.items()}

    def __contains__(self, platform: object) -> bool:
        with self._lock:
            return platform in self._away

    def __getitem__(self, platform: str) -> str:
        with self._lock:
            return self._away[platform].words

    def __bool__(self) -> bool:
        with self._lock:
            return bool(self._away)
