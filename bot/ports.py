"""What the delivery engine needs from an outbound channel, and what a send can come to.

Each adapter (console, SMTP, Slack) implements ``Channel`` and maps its vendor's errors to an
``Outcome`` once, at the edge; the engine never sees a vendor exception.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal, Protocol

OutcomeKind = Literal["sent", "retry", "dead", "stop"]


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
    extra: dict[str, str] = field(default_factory=dict)
    """Channel-specific hints (a calendar link, a Slack fallback) keyed by name."""
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
    limit); ``retry_after`` may say when. ``dead``: it will never go (5xx, channel not found);
    ``reason`` carries the other side's words for the organizers. ``stop``: the channel itself
    is broken (revoked token): stop using it until an operator acts.
    """

    kind: OutcomeKind
    reason: str = ""
    retry_after: timedelta | None = None
    remote_id: str = ""
    """The other side's id for what we sent (Slack ts, SMTP queue id), for the ledger."""

    @classmethod
    def sent(cls, remote_id: str = "", reason: str = "") -> Outcome:
        return cls(kind="sent", remote_id=remote_id, reason=reason)


class Channel(Protocol):
    """An outbound channel. ``send`` must not raise for delivery trouble: return an Outcome."""

    scheme: str

    def send(self, message: Outgoing) -> Outcome: ...

    def close(self) -> None:
        """Release connections held across a batch (an SMTP session, an HTTP pool)."""


class Clock(Protocol):
    def __call__(self) -> datetime: ...
