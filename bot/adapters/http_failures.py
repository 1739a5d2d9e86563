"""How a chat platform's HTTP failure becomes an Outcome: the one rule every HTTP channel uses.

The same rule as the mail server's (``bot.adapters.smtp``), said for HTTP:

- **Unavailable** (``Outcome.outage``: no attempt used, backoff or the server's
  ``Retry-After``, ``server unavailable: ...`` in the ledger): the connection was refused, the
  name did not resolve, the connection or TLS timed out, or anything else failed before the
  whole request was written; an HTTP 5xx answer (but 504). No fault of the message.
- **Rate limited** (``Outcome.rate_limit``: no attempt used, waits ``Retry-After``): HTTP 429.
- **Maybe delivered** (an ordinary ``retry``: it uses an attempt): the request went and no
  answer came (a read timeout, the connection closed or reset while we waited), or a gateway
  answered 504 (its upstream had the request). The platform may have posted the message, as a
  mail server silent after DATA may have taken it: the duplicate window. A platform that always
  stalls must not be posted to forever, so it counts.
- Everything else the platform says about *this* message (4xx) stays the channel's to map:
  ``dead``, ``stop``, or a counted retry, in the platform's own words.

A call that posts nothing (Slack's ``conversations.open`` or ``history``, Discord's DM
opening) cannot have delivered anything: any transport failure there is unavailability.
"""

from __future__ import annotations

import email.utils
import http.client
import urllib.error
from datetime import UTC, datetime, timedelta

from bot.ports import Outcome

__all__ = ["MAYBE_DELIVERED", "answered", "before_sending", "retry_after", "unreachable"]

MAYBE_DELIVERED = "the message may have been delivered"
"""What a counted retry says when the request went and no answer came."""
DEFAULT_WAIT = 30.0
"""Seconds to wait after a 429 that names no time."""


def retry_after(value: object, *, now: datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` value asks for: delta-seconds or an HTTP-date (RFC 9110
    10.2.3); None when absent or unreadable."""
    if value is None:
        return None
    if isinstance(value, list | tuple):
        value = value[0] if value else None
        if value is None:
            return None
    text = str(value).strip()
    if not text:
        return None
    try:
        return max(float(text), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)


def wait(seconds: float | None) -> timedelta | None:
    """A wait in whole seconds (at least one), rounded up: never ask again a moment early."""
    if seconds is None:
        return None
    return timedelta(seconds=max(int(seconds + 0.999), 1))


def answered(platform: str, status: int, said: str = "",
             asked: float | None = None) -> Outcome | None:
    """The outcome an HTTP status decides by itself, whatever the platform (None: the
    channel reads the platform's words). ``asked``: the seconds its ``Retry-After`` named."""
    said = " ".join(said.split())[:160]
    words = f" ({said})" if said and said != str(status) else ""
    if status == 429:
        return Outcome.rate_limit(f"{platform} rate limit: HTTP 429{words}; asked to wait "
                                  f"{_seconds(asked)}", wait(asked) or wait(DEFAULT_WAIT))
    if status == 504:
        return Outcome(kind="retry", reason=f"{platform}: HTTP 504{words} from a gateway that "
                                            f"had the request: {MAYBE_DELIVERED}")
    if 500 <= status < 600:
        return Outcome.outage(f"{platform}: HTTP {status}{words}", wait(asked))
    return None


def before_sending(exc: BaseException) -> bool:
    """True when a urllib (or slack_sdk, which uses it) failure happened before the request was
    written: urllib wraps what ``connect`` and the write raise in ``URLError``; what reading
    the answer raises (a timeout, the peer closing) comes through as itself."""
    return isinstance(exc, urllib.error.URLError) and not isinstance(
        exc, urllib.error.HTTPError)


def unreachable(platform: str, exc: BaseException, *, posting: bool) -> Outcome:
    """A transport failure of a urllib request -> an outage, or (``posting``: the request
    could have created the message) a counted retry that says it may have been delivered."""
    if before_sending(exc):
        reason = getattr(exc, "reason", exc)
        return Outcome.outage(f"cannot reach {platform}: {_what(reason)}")
    if not posting:
        return Outcome.outage(f"{platform} did not answer: {_what(exc)}")
    return Outcome(kind="retry", reason=f"no answer from {platform} after the request went "
                                        f"({_what(exc)}): {MAYBE_DELIVERED}")


def _what(exc: object) -> str:
    """A failure in a few words: ``Connection refused``, ``timed out``."""
    if isinstance(exc, TimeoutError):
        return "timed out"
    if isinstance(exc, http.client.RemoteDisconnected):
        return "the connection was closed without an answer"
    if isinstance(exc, OSError) and exc.strerror:
        return str(exc.strerror)[:200]
    if isinstance(exc, BaseException):
        return (str(exc) or type(exc).__name__)[:200]
    return str(exc)[:200]


def _seconds(value: float | None) -> str:
    if value is None:
        return f"{DEFAULT_WAIT:g}s (none named)"
    return f"{value:g}s"
