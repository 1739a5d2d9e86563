"""How a chat platform's HTTP failure becomes an Outcome: the one rule every HTTP channel uses.

The same rule as the mail server's (``bot.adapters.smtp``), said for HTTP:

- **Unavailable** (``Outcome.outage``: no attempt used, backoff or the server's
  ``Retry-After``, ``server unavailable: ...`` in the ledger): the connection was refused, the
  name did not resolve, the connection or TLS timed out, or anything else failed before the
  whole request was written; an HTTP 5xx answer that says the platform never handled it (502,
  503, Cloudflare's 521-523: all but ``MAYBE_PROCESSED``). No fault of the message.
- **Rate limited** (``Outcome.rate_limit``: no attempt used, waits ``Retry-After``): HTTP 429.
- **Maybe delivered** (an ordinary ``retry``: it uses an attempt): the request went and no
  answer came (a read timeout, the connection closed or reset while we waited), or the answer
  says the platform had it and failed (500; 504 from a gateway whose upstream had it). The
  platform may have posted the message, as a mail server silent after DATA may have taken
  it: the duplicate window. A platform that always stalls must not be posted to forever, so
  it counts. When that was silence (a read timeout, a gateway's 504 or 524) the run's other
  deliveries to the platform wait for the next try (``Outcome.silent``), as for an outage, so a
  platform that takes each post and never answers costs one timeout a run, not one a post.
- **A certificate we do not trust** (``stop``): as the mail server's (``bot.adapters.smtp``)
  it is no weather but a proxy in the way, this host's CA certificates, its clock, or someone
  posing as the platform; waiting will not end it and sending anyway is out of the question,
  so the channel stops, loudly (``stopped_channels``), until an operator fixes it and
  restarts. Another TLS failure (a handshake cut off) is the platform away, as for SMTP.
- Everything else the platform says about *this* message (4xx) stays the channel's to map:
  ``dead``, ``stop``, or a counted retry, in the platform's own words.

A call that posts nothing (Slack's ``conversations.open`` or ``history``, Discord's DM
opening) cannot have delivered anything: any transport failure there (but a certificate we
do not trust) is unavailability.
"""

from __future__ import annotations

import email.utils
import http.client
import math
import ssl
import urllib.error
from datetime import UTC, datetime, timedelta

from bot import ports
from bot.ports import Outcome

__all__ = ["LONGEST_WAIT", "MAYBE_DELIVERED", "answered", "before_sending", "retry_after",
           "seconds", "unreachable", "untrusted", "wait"]

MAYBE_DELIVERED = f"the message {ports.MAYBE_DELIVERED}"
"""What a counted retry says when the request went and no answer came (the engine finds
``bot.ports.MAYBE_DELIVERED`` in it, and says so at the next send)."""
DEFAULT_WAIT = 30.0
"""Seconds to wait after a 429 that names no time."""
MAYBE_PROCESSED = {
    500: "the platform failed while it handled the request",
    504: "a gateway had the request and its upstream did not answer in time",
    520: "Cloudflare: the origin had the request and answered what it could not read",
    524: "Cloudflare: the origin had the request and did not answer in time",
}
"""5xx answers that say the request reached the platform itself: it may have posted the
message, then failed (a webhook that posted, then errored in a plugin, answers 500). Counted:
retried freely (no attempt used) it could post a copy at every try until the grace window
ends. The rest (502, 503, Cloudflare's 521-523 ...) say it never got that far: an outage."""
GATEWAY_TIMEOUTS = frozenset({504, 524})
"""A gateway waited out the platform's silence with the request in hand: ``Outcome.silent``
(counted, and the run's other deliveries there wait for the next try instead of a gateway
timeout each)."""
LONGEST_WAIT = 86_400.0
"""The most a ``Retry-After`` is taken for (a day): a channel keeps a rate limit in memory and
asks the platform nothing until it ends, so a bogus ``Retry-After: 1e12`` must not silence it
until the process restarts. The engine looks at each waiting delivery again after at most
``[delivery] max_backoff`` whatever the platform asked (``bot.app.delivery``)."""


def seconds(value: object) -> float | None:
    """A number of seconds a platform asked to wait, between 0 and ``LONGEST_WAIT``; None when
    it is not a finite number (``nan``, ``inf``, words)."""
    try:
        found = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return None
    if not math.isfinite(found):
        return None
    return min(max(found, 0.0), LONGEST_WAIT)


def retry_after(value: object, *, now: datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` value asks for: delta-seconds or an HTTP-date (RFC 9110
    10.2.3), at most ``LONGEST_WAIT``; None when absent or unreadable."""
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
        float(text)
    except ValueError:
        pass
    else:
        return seconds(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return seconds((when - (now or datetime.now(UTC))).total_seconds())


def wait(asked: float | None) -> timedelta | None:
    """A wait in whole seconds (at least one), rounded up: never ask again a moment early."""
    if asked is None:
        return None
    return timedelta(seconds=max(int(min(asked, LONGEST_WAIT) + 0.999), 1))


def answered(platform: str, status: int, said: str = "",
             asked: float | None = None) -> Outcome | None:
    """The outcome an HTTP status decides by itself, whatever the platform (None: the
    channel reads the platform's words). ``asked``: the seconds its ``Retry-After`` named."""
    said = " ".join(said.split())[:160]
    words = f" ({said})" if said and said != str(status) else ""
    if status == 429:
        return Outcome.rate_limit(f"{platform} rate limit: HTTP 429{words}; asked to wait "
                                  f"{_seconds(asked)}", wait(asked) or wait(DEFAULT_WAIT))
    if status in MAYBE_PROCESSED:
        return Outcome(kind="retry", reason=f"{platform}: HTTP {status}{words}: "
                                            f"{MAYBE_PROCESSED[status]}: {MAYBE_DELIVERED}",
                       silent=status in GATEWAY_TIMEOUTS)
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
        if isinstance(reason, ssl.SSLCertVerificationError):
            return Outcome(kind="stop", reason=untrusted(
                platform, reason.verify_message or str(reason)) + ", then restart duebot")
        return Outcome.outage(f"cannot reach {platform}: {_what(reason)}")
    if not posting:
        return Outcome.outage(f"{platform} did not answer: {_what(exc)}")
    reason = f"no answer from {platform} after the request went ({_what(exc)}): {MAYBE_DELIVERED}"
    if isinstance(exc, TimeoutError):  # silent with the message in hand: hold the others
        return Outcome.silence(reason)
    return Outcome(kind="retry", reason=reason)


def untrusted(platform: str, why: str) -> str:
    """What a certificate we do not trust reads as: the platform, the check's words, where to
    look."""
    return (f"TLS certificate of {platform} not trusted: {why[:200]}; check this host's CA "
            f"certificates, a proxy in the way and the clock")


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
