"""What the use cases need from the outside: an outbound channel and the ledger.

Each adapter (console, SMTP, Slack) implements ``Channel`` and maps its vendor's errors to an
``Outcome`` once, at the edge; the engine never sees a vendor exception. The ledger's port is
split by table group (deliveries, subscribers, announcements, audit, inbound, meta) so that a
use case can ask for no more than it uses; ``bot.adapters.store.ledger.Ledger`` implements all,
one store per group (``bot/adapters/store/``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

OutcomeKind = Literal["sent", "retry", "dead", "stop"]

UNSENT = ("pending", "failed")
"""States of a delivery that may still go out."""
STATES = ("pending", "claimed", "sent", "failed", "dead", "skipped", "cancelled")
"""pending -> claimed (with a lease) -> sent | failed (retry later) | dead | skipped | cancelled."""
MAYBE_DELIVERED = "may have been delivered"
"""In a failed try's reason (SMTP, ``bot.adapters.http_failures``): no answer once the message
went; it is tried again, and the send that follows says it may be a second copy. The channels
and the engine read it here, so the words they write and the words the engine looks for agree."""


@dataclass(frozen=True, kw_only=True)
class Outgoing:
    """One rendered message for one destination, ready to hand to a channel."""

    key: str
    """The delivery's stable key: the ledger's primary key, and the seed of the Message-ID."""
    destination: str
    """The full destination, ``mailto:list@example.org``, ``console:``, ``slack:#general``."""
    subject: str
    text: str
    html: str = ""
    ics: bytes = b""
    """An iCalendar object for the date, attached to e-mail ("add to calendar")."""
    ics_name: str = "date.ics"
    due: datetime | None = None
    event_id: str = ""
    date_id: str = ""
    calendar_url: str = ""
    """The date's own .ics feed: Slack's "Add to calendar" button."""
    list_unsubscribe: str = ""
    """A subscriber's own one-click unsubscribe link (RFC 8058); "" for the list's default."""
    slack_text: str = ""
    """Our own mrkdwn (escaped, with ``<!date>`` tokens) that leads a Slack message."""
    prepared_message: str = ""
    """A whole e-mail rendered when it was queued (a mail reply): sent exactly as it is."""
    envelope_from: str | None = None
    """The SMTP return path; None for the channel's sender, "" for none (auto-replies)."""
    attempt: int = 1
    """Which try this is; above 1, an earlier try may have landed (Slack looks before posting)."""

    @property
    def address(self) -> str:
        """The part after the scheme: ``list@example.org``, ``#general``."""
        return self.destination.split(":", 1)[1] if ":" in self.destination else ""

    @property
    def scheme(self) -> str:
        return self.destination.split(":", 1)[0] if ":" in self.destination else ""


@dataclass(frozen=True, kw_only=True)
class Outcome:
    """What happened to one message.

    ``sent``: the other side took it. ``retry``: a passing failure (4xx, connection lost, rate
    limit, no answer after the message went); ``retry_after`` may say when; it uses one of the
    delivery's attempts unless ``server_down`` or ``rate_limited`` says it is no fault of it.
    ``dead``: it will never go (SMTP 5xx, channel not found);
    ``reason`` carries the other side's words for the organizers. ``stop``: the channel itself
    is broken (revoked token): stop using it until an operator acts.
    """

    kind: OutcomeKind
    reason: str = ""
    retry_after: timedelta | None = None
    remote_id: str = ""
    """The other side's id for what we sent (Slack ts, SMTP queue id), for the ledger."""
    server_down: bool = False
    """``retry`` because the server as a whole is away (no connection, no greeting, 421, an HTTP
    502 or 503, a timeout before any of the message went): no fault of this delivery, so it
    uses up none of its ``max_attempts``; it is retried with backoff (or after
    ``retry_after``, when the server said) while the reminder still makes sense."""
    rate_limited: bool = False
    """``retry`` because the platform asked us to slow down (HTTP 429, Slack ``ratelimited``):
    no fault of this delivery either, so no attempt is used; it waits ``retry_after`` (the
    platform's ``Retry-After``), else the backoff, while the reminder still makes sense."""
    silent: bool = False
    """``retry`` because the platform fell silent once this message went (no answer to the
    final dot, a read timeout after the request, an answer trickled past the send's deadline):
    it counts (the message may have been delivered), and the run's other deliveries there wait
    for the same next try without a send each, as for an outage, so a server that takes each
    message and never answers costs one timeout a try, not one a message."""

    @classmethod
    def sent(cls, remote_id: str = "", reason: str = "") -> Outcome:
        return cls(kind="sent", remote_id=remote_id, reason=reason)

    @classmethod
    def outage(cls, reason: str, retry_after: timedelta | None = None) -> Outcome:
        """The platform is unavailable (``server_down``): wait it out, no attempt used."""
        return cls(kind="retry", reason=reason, retry_after=retry_after, server_down=True)

    @classmethod
    def rate_limit(cls, reason: str, retry_after: timedelta | None = None) -> Outcome:
        """The platform asked us to wait (``rate_limited``): no attempt used."""
        return cls(kind="retry", reason=reason, retry_after=retry_after, rate_limited=True)

    @classmethod
    def silence(cls, reason: str) -> Outcome:
        """No answer once the message went (``silent``): counted, the others there held."""
        return cls(kind="retry", reason=reason, silent=True)

    @property
    def uses_no_attempt(self) -> bool:
        """A retry that is no fault of the message: an outage or a rate limit."""
        return self.kind == "retry" and (self.server_down or self.rate_limited)


class Channel(Protocol):
    """An outbound channel. ``send`` must not raise for delivery trouble: return an Outcome."""

    scheme: str

    def send(self, message: Outgoing) -> Outcome: ...

    def close(self) -> None:
        """Release connections held across a batch (an SMTP session, an HTTP pool)."""



# -- the ledger's values ---------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class Planned:
    """A delivery that the current schedules say should exist."""

    key: str
    event_id: str
    date_id: str
    item_id: str
    destination: str
    due: datetime
    target: datetime | None = None
    kind: str = "reminder"
    payload: str = ""
    needs_approval: bool = False
    """Held in the outbox until an organizer approves it (``approve = true`` in the config)."""


class GridItem(Protocol):
    """What a ``PlannedGrid`` takes of one planned item (a reminder)."""

    @property
    def id(self) -> str: ...
    @property
    def date_id(self) -> str: ...
    @property
    def due(self) -> datetime: ...
    @property
    def target(self) -> datetime: ...


@dataclass(frozen=True, kw_only=True)
class PlannedGrid:
    """An event's plan as most plans are: the same items to each destination (a destination
    with choices of its own gets those instead). Iterated, it is the ``Planned`` of each
    destination's items in turn; a store may read the items and destinations themselves, so
    that what is the same for every destination (an item's instants) is worked out once, and
    no object is made per delivery (80,000 of them at a first start)."""

    event_id: str
    destinations: Sequence[str]
    items: Sequence[GridItem]
    own: Mapping[str, Sequence[GridItem]]
    """A destination's own items (a subscriber's preferences), instead of ``items``."""
    needs_approval: bool = False
    kind: str = "reminder"
    payload: str = ""

    def blocks(self) -> Iterator[tuple[str, Sequence[GridItem]]]:
        """Each destination with its items, in the order the ``Planned`` come."""
        own, items = self.own, self.items
        for destination in self.destinations:
            yield destination, own.get(destination, items)

    def __iter__(self) -> Iterator[Planned]:
        event_id, kind, payload, approval = (self.event_id, self.kind, self.payload,
                                             self.needs_approval)
        for destination, items in self.blocks():
            for item in items:
                yield Planned(key=delivery_key(item.id, destination), event_id=event_id,
                              date_id=item.date_id, item_id=item.id, destination=destination,
                              due=item.due, target=item.target, kind=kind, payload=payload,
                              needs_approval=approval)


@dataclass(frozen=True, kw_only=True)
class Row:
    """A delivery as the ledger holds it."""

    key: str
    event_id: str
    date_id: str
    item_id: str
    kind: str
    destination: str
    due: datetime
    target: datetime | None
    state: str
    attempts: int
    """Sends tried and recorded (sent, failed, dead): what ``max_attempts`` bounds."""
    next_attempt: datetime
    lease_owner: str | None
    lease_until: datetime | None
    planned_at: datetime
    updated_at: datetime
    sent_at: datetime | None
    reason: str
    remote_id: str
    payload: str
    needs_approval: bool = False
    approved_at: datetime | None = None
    approved_by: str = ""
    claims: int = 0
    """Times claimed. Above 1, an earlier claim may have sent it before its holder died."""


@dataclass(frozen=True, kw_only=True)
class ReconcileReport:
    added: int = 0
    skipped_past: int = 0
    retimed: int = 0
    cancelled: int = 0
    revived: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return (f"{self.added} added, {self.skipped_past} skipped (planned after their due "
                f"time), {self.retimed} re-timed, {self.cancelled} cancelled, {self.revived} "
                f"revived, {self.unchanged} unchanged")


def delivery_key(item_id: str, destination: str) -> str:
    return f"{item_id}|{destination}"


# -- the ledger's port, by table group -------------------------------------------------------

class Deliveries(Protocol):
    """Planned, claimed and sent deliveries: the single source of truth for what went out."""

    def reconcile(self, event_id: str, planned: Iterable[Planned], now: datetime, *,
                  kind: str = "reminder") -> ReconcileReport: ...

    def reconciling(self) -> AbstractContextManager[None]:
        """Around many ``reconcile`` calls (every schedule's): the store may let them share
        transactions; each call still succeeds or fails on its own."""
        ...

    def claim(self, now: datetime, *, limit: int, lease: timedelta,
              owner: str | None = None) -> list[Row]: ...

    def renew(self, key: str, lease: timedelta, *, owner: str | None = None) -> bool: ...

    def finish(self, key: str, state: str, now: datetime, reason: str = "", *,
               owner: str | None = None, remote_id: str = "",
               next_attempt: datetime | None = None, count_attempt: bool = True,
               due: datetime | None = None) -> bool: ...

    def release(self, keys: Sequence[str], now: datetime, reason: str, *,
                owner: str | None = None) -> int: ...

    def rows(self, *, event_id: str | None = None, states: Sequence[str] | None = None,
             limit: int | None = None) -> list[Row]: ...

    def counts(self, event_id: str | None = None) -> dict[str, int]: ...

    def next_wake(self) -> datetime | None: ...

    def enqueue(self, planned: Planned, now: datetime) -> bool: ...

    def outbox(self, event_id: str | None = None) -> list[Row]: ...

    def approve(self, ids: Sequence[str] | None, now: datetime, *, actor: str) -> list[str]: ...

    def skip_unapproved(self, now: datetime, grace: timedelta) -> int: ...


class Subscribers(Protocol):
    """Who asked for an event's reminders (double opt-in by mail, at once on Slack)."""

    def subscribe(self, event_id: str, destination: str, now: datetime, *, source: str,
                  confirmed: bool = True) -> tuple[str, str]: ...

    def confirm(self, token: str, now: datetime) -> tuple[str, str] | None: ...

    def unsubscribe(self, now: datetime, *, token: str | None = None,
                    event_id: str | None = None, destination: str | None = None
                    ) -> list[tuple[str, str]]: ...

    def subscriber_token(self, event_id: str, destination: str) -> str | None: ...

    def subscriber_tokens(self, event_id: str) -> dict[str, str]: ...

    def active_subscribers(self) -> dict[str, tuple[str, ...]]: ...

    def subscriber(self, token: str) -> dict[str, Any] | None: ...

    def set_preferences(self, event_id: str, destination: str, preferences: str,
                        now: datetime) -> bool: ...

    def subscriber_preferences(self) -> dict[str, dict[str, str]]: ...


class Announcements(Protocol):
    """Announcements scheduled by command (the schedule file holds the others)."""

    def add_announcement(self, now: datetime, *, id: str, event_id: str, when_spec: str,
                         destinations: Sequence[str], text: str, template: str,
                         actor: str) -> None: ...

    def announcement_rows(self, event_id: str | None = None,
                          states: Sequence[str] | None = None) -> list[dict[str, Any]]: ...

    def set_announcement_state(self, announcement_id: str, state: str,
                               now: datetime) -> bool: ...


class AuditLog(Protocol):
    """Who changed what, for the organizers."""

    def audit(self, now: datetime, *, actor: str, action: str, event_id: str = "",
              detail: str = "") -> None: ...

    def audit_entries(self, event_id: str | None = None, limit: int = 50
                      ) -> list[dict[str, Any]]: ...


class Inbound(Protocol):
    """Loop guards for what comes in: once per message id, at most so many per sender."""

    def first_time(self, key: str, now: datetime) -> bool: ...

    def first_times(self, keys: Sequence[str], now: datetime) -> tuple[bool, ...]:
        """``first_time`` of each key, all in one write."""
        ...

    def hit(self, key: str, now: datetime, *, window: timedelta) -> int: ...

    def seen(self, key: str) -> bool: ...

    def hits(self, key: str, now: datetime, *, window: timedelta) -> int: ...

    def record(self, now: datetime, *, inbound: str,
               hits: Sequence[tuple[str, timedelta]] = (), planned: Planned | None = None
               ) -> bool:
        """Mark ``inbound`` seen, count ``hits`` and queue ``planned``: all in one transaction,
        or nothing (False when another handler took ``inbound`` first)."""
        ...


class Meta(Protocol):
    """Small named values the service keeps (a form key, the schema's notes)."""

    def get_meta(self, name: str) -> str | None: ...

    def set_meta(self, name: str, value: str) -> None: ...

    def setdefault_meta(self, name: str, value: str) -> str:
        """The stored value of ``name``, ``value`` stored first if there is none: the first
        value any replica wrote is kept and returned to every caller."""
        ...


class Threads(Protocol):
    """Each conversation's last reading of a question (a Slack, mail or Zulip thread, a chat
    sitting), for its follow-ups."""

    def thread_context(self, key: str, event_id: str, now: datetime,
                       max_age: timedelta = ...) -> dict[str, Any] | None: ...

    def remember_thread(self, key: str, event_id: str, reading: Mapping[str, Any],
                        now: datetime, max_age: timedelta = ...) -> None: ...

    def forget_thread(self, key: str, event_id: str, reading: Mapping[str, Any],
                      now: datetime) -> None:
        """Take back the reading kept at ``now`` (its answer never arrived), unless a later
        one replaced it."""
        ...

    def first_times_keeping(self, keys: Sequence[str], now: datetime,
                            readings: Sequence[tuple[str, str, Mapping[str, Any], datetime]]
                            ) -> bool:
        """Whether every key was new (``first_times``); only then each ``(key, event id,
        reading, when read)`` kept as ``remember_thread`` keeps it: one write on the way to
        an answer."""
        ...


class Ledger(Deliveries, Subscribers, Announcements, AuditLog, Inbound, Meta, Threads,
             Protocol):
    """Everything the use cases and front ends ask of storage.

    Its failures are ``bot.errors.StorageError`` (``StorageUnavailable`` when the database is
    away, ``StorageConflict`` for a key written twice), never a vendor's exception.
    """

    def now(self) -> datetime:
        """The shared clock (the database's, so replicas agree on what is due)."""
        ...

    def ping(self) -> None:
        """Reach the database once (health checks); raises when it cannot be reached."""
        ...

    def is_store_error(self, exc: BaseException) -> bool:
        """True for an error of the storage layer: it belongs to no one schedule or delivery,
        so the engine's per-schedule and per-delivery nets let it through."""
        ...
