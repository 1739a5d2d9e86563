"""The ``slack:`` channel: reminders and announcements posted with the Slack Web API.

Destinations: ``slack:#channel`` (a public channel by name), ``slack:C0123ABCD`` (any
conversation by id) and ``slack:U0123ABCD`` (a person, by DM: ``conversations.open`` first).

Each message is Block Kit (the text, a context line, an "Add to calendar" button when the
engine gives a calendar link) with a plain-text fallback, and carries message metadata
``{"event_type": "duebot_delivery", "event_payload": {"key": ...}}``. When a delivery is tried
again (``Outgoing.attempt > 1``: an earlier try may have landed before a crash or a dropped
connection), the channel first reads ``conversations.history`` with ``include_all_metadata`` and
reports a message already carrying the key as sent instead of posting it twice.

Slack's errors are mapped here, once: ``not_in_channel``, ``channel_not_found``, ``is_archived``
and their DM cousins -> ``dead`` with a sentence for the organizers; ``invalid_auth``,
``token_revoked``, ``account_inactive``, ``missing_scope`` -> ``stop``; ``ratelimited`` (429) ->
a rate limit, waiting ``Retry-After``; Slack away (refused, unresolvable, a connect timeout,
502, 503, ``service_unavailable``) -> an outage; a timeout after the post went, a 500, 504,
``internal_error``, ``fatal_error`` -> a counted retry that may have landed
(``bot.adapters.http_failures``: the rule every HTTP channel shares; none of the first two uses
up an attempt). The client must not retry on its own: slack_sdk's connection-error handler
re-sends a post that may have landed, so ``slack_client`` builds it with no retry handlers.

Why ``internal_error`` and ``fatal_error`` count, although the next try looks in the history
before posting: that look is good, not certain. It finds a ``#name`` only among public
channels (a private channel named so, after a restart, is posted to without a look), reads at
most ``HISTORY_PAGES`` pages from an hour before the due time, and reads a history that may lag
during the very incident that failed the post. Counted, ``max_attempts`` bounds the copies a
miss could make; as an outage the bound would be the grace window.

Posts are paced to ``channel_rate`` messages per second per channel (Slack allows about one);
the clock and the sleeper are injected so tests do not wait on the wall clock. Different
conversations are posted to at once: ``lane`` names the conversation of a destination, and the
engine sends one lane after the other in order, up to ``concurrency`` lanes in parallel, so the
pace per channel holds while a fan-out to many channels (or DMs) does not wait on each other.
"""

from __future__ import annotations

import http.client
import logging
import time
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.adapters import http_failures
from bot.adapters.send_deadline import SendDeadline
from bot.adapters.slack_format import message_blocks
from bot.core.slack_mrkdwn import escape
from bot.ports import Outcome, Outgoing

__all__ = ["METADATA_TYPE", "SlackChannel", "escape", "message_blocks", "slack_client"]

log = logging.getLogger("duebot.slack")

METADATA_TYPE = "duebot_delivery"
HISTORY_PAGES = 3
HISTORY_LOOKBACK = 3600.0
"""Seconds before the due time where a history lookup starts (a retimed delivery's margin)."""

DEAD = {
    "not_in_channel": "the bot is not in {where}: invite it there (/invite @duebot)",
    "channel_not_found": "Slack knows no channel {where} (or it is private and the bot is not "
                         "in it): check reminders_to, or invite the bot",
    "is_archived": "{where} is archived: unarchive it or change reminders_to",
    "user_not_found": "Slack knows no user {where}",
    "user_disabled": "{where} is deactivated",
    "cannot_dm_bot": "{where} is a bot and cannot get DMs",
    "restricted_action": "the workspace does not let the bot post in {where}",
    "msg_too_long": "the message is too long for Slack",
}
STOP = ("invalid_auth", "token_revoked", "account_inactive", "not_authed", "missing_scope",
        "token_expired", "no_permission", "team_access_not_granted", "ekm_access_denied")
UNAVAILABLE = ("service_unavailable",)
"""Slack is away: an outage, no attempt used (as an HTTP 5xx)."""
MAYBE_POSTED = ("internal_error", "fatal_error")
"""Slack's own words for these: part of the operation may have succeeded. A counted retry
(the next one looks in the history before posting, which is good but not certain: see the
module's docstring)."""
PASSING = ("request_timeout",)
"""Slack got a truncated request: tried again, counted."""


def slack_client(token: str, base_url: str = "https://slack.com/api/", *,
                 timeout: int = 15) -> WebClient:
    """A WebClient that never re-sends on its own (a re-sent post can land twice)."""
    return WebClient(token=token, base_url=base_url, timeout=timeout, retry_handlers=[])


class SlackChannel:
    """Posts deliveries to Slack; safe from several threads as long as each conversation is
    sent to from one thread at a time (``lane``), which the engine guarantees."""

    scheme = "slack"

    def __init__(self, client: WebClient, *, channel_rate: float = 1.0,
                 concurrency: int = 4, deadline: float = 60.0,
                 monotonic: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.client = client
        self.deadline = SendDeadline(deadline, platform="Slack",
                                     read_timeout=float(client.timeout))
        """The whole send (lookups, the post) ends within it: slack_sdk bounds each read."""
        self.concurrency = max(1, concurrency)
        """Conversations posted to at once (Slack's per-workspace limit is far above)."""
        self.interval = 1.0 / channel_rate
        self.monotonic = monotonic
        self.sleep = sleep
        self._last_post: dict[str, float] = {}
        self._blocked_until: dict[str, float] = {}
        self._ids: dict[str, str] = {}
        """``#name`` or a user id -> the conversation id Slack gave for it."""

    # -- the Channel port -------------------------------------------------------------------

    @staticmethod
    def lane(destination: str) -> str:
        """Sends to one conversation go one at a time, paced; others run beside them."""
        return destination.split(":", 1)[-1].strip()

    def send(self, message: Outgoing) -> Outcome:
        """Post one delivery; every Slack or network failure comes back as an Outcome. The
        whole send (a DM's opening, the history lookup, the post) ends within ``deadline``."""
        with self.deadline.bounded() as bounded:
            outcome = self._send(message)
        return self.deadline.judged(outcome, bounded)

    def _send(self, message: Outgoing) -> Outcome:
        where = message.address.strip()
        posting = False  # until chat.postMessage goes, nothing can have been posted
        try:
            wait = self._blocked_until.get(where, 0.0) - self.monotonic()
            if wait > 0:  # Slack said 429 for this channel a moment ago: do not ask again yet
                return Outcome.rate_limit(f"Slack rate limit (ratelimited) for slack:{where}; "
                                          f"waiting as asked", http_failures.wait(wait))
            target = self._target(where)
            if message.attempt > 1:
                found = self._already_posted(where, target, message)
                if found:
                    log.info("%s was already posted (%s): not posting it again", message.key,
                             found)
                    return Outcome.sent(remote_id=found,
                                        reason="found already posted by an earlier attempt")
            self._pace(where)
            posting = True
            response = self.client.chat_postMessage(
                channel=target, text=self._fallback(message), blocks=message_blocks(message),
                metadata={"event_type": METADATA_TYPE, "event_payload": {"key": message.key}},
                unfurl_links=False, unfurl_media=False)
            channel_id = str(response.get("channel") or target)
            if where.startswith("#"):
                self._ids[where] = channel_id
            return Outcome.sent(remote_id=f"{channel_id}/{response.get('ts', '')}")
        except SlackApiError as exc:
            failed = self._failed(exc, where)
            if not posting and failed.kind == "retry" and not failed.uses_no_attempt:
                # a lookup before the post (open, list, history): nothing can have landed
                return Outcome.outage(failed.reason.replace(
                    f": {http_failures.MAYBE_DELIVERED}", ""), failed.retry_after)
            return failed
        except (OSError, http.client.HTTPException, SlackClientError) as exc:
            # Refused, no such host, a connect timeout: Slack is away (no attempt used). A
            # timeout or a cut answer once the post went: maybe it landed; that try counts,
            # and the next one looks in the history first, so it cannot post twice.
            return http_failures.unreachable("Slack", exc, posting=posting)

    def close(self) -> None:
        """The client holds no connection between calls."""

    # -- helpers ----------------------------------------------------------------------------

    @staticmethod
    def _fallback(message: Outgoing) -> str:
        """What notifications and old clients show; Slack reads it as mrkdwn too."""
        text = f"{message.subject}\n{message.text.strip()}" if message.subject else message.text
        return escape(text.strip())[:39_000]

    def _target(self, where: str) -> str:
        """What to pass as ``channel``: a DM's id for a person, else the name or id itself."""
        if where[:1] in ("U", "W"):
            known = self._ids.get(where)
            if known is None:
                opened = self.client.conversations_open(users=where)
                channel = opened.get("channel") or {}
                known = str(channel.get("id", ""))
                self._ids[where] = known
            return known
        return self._ids.get(where, where)

    def _conversation_id(self, where: str, target: str) -> str | None:
        """A channel id for history lookups; ``#name`` needs ``conversations.list`` once."""
        if not target.startswith("#"):
            return target
        name = target[1:]
        cursor = ""
        for _ in range(20):
            page = self.client.conversations_list(types="public_channel", limit=1000,
                                                  exclude_archived=True, cursor=cursor or None)
            for channel in page.get("channels") or []:
                if channel.get("name") == name:
                    self._ids[where] = str(channel["id"])
                    return self._ids[where]
            cursor = str((page.get("response_metadata") or {}).get("next_cursor") or "")
            if not cursor:
                break
        return None

    def _already_posted(self, where: str, target: str, message: Outgoing) -> str:
        """The ``channel/ts`` of a message already carrying this key, or ""."""
        channel = self._conversation_id(where, target)
        if channel is None:
            return ""
        oldest = (message.due.timestamp() - HISTORY_LOOKBACK) if message.due else 0.0
        cursor = ""
        for _ in range(HISTORY_PAGES):
            page = self.client.conversations_history(
                channel=channel, oldest=f"{max(oldest, 0.0):.6f}", include_all_metadata=True,
                limit=200, cursor=cursor or None)
            for posted in page.get("messages") or []:
                metadata = posted.get("metadata") or {}
                payload = metadata.get("event_payload") or {}
                if (metadata.get("event_type") == METADATA_TYPE
                        and payload.get("key") == message.key):
                    return f"{channel}/{posted.get('ts', '')}"
            cursor = str((page.get("response_metadata") or {}).get("next_cursor") or "")
            if not cursor:
                break
        return ""

    def _pace(self, where: str) -> None:
        """About ``channel_rate`` posts per second per channel: Slack's own guidance."""
        last = self._last_post.get(where)
        now = self.monotonic()
        if last is not None and now - last < self.interval:
            self.sleep(self.interval - (now - last))
            now = self.monotonic()
        self._last_post[where] = now

    def _failed(self, exc: SlackApiError, where: str) -> Outcome:
        response = exc.response
        code = str(response.get("error") or "") if response is not None else ""
        status = getattr(response, "status_code", 0)
        shown = f"slack:{where}"
        if code == "ratelimited" or status == 429:
            headers = getattr(response, "headers", {}) or {}
            asked = _retry_after(headers)
            self._blocked_until[where] = self.monotonic() + (
                asked if asked is not None else http_failures.DEFAULT_WAIT)
            outcome = http_failures.answered("Slack", 429, code, asked)
            assert outcome is not None
            return outcome
        if code in STOP:
            needed = response.get("needed") if response is not None else None
            extra = f" (needs scope {needed}: add it and reinstall the app)" if needed else ""
            log.error("Slack refused the bot token: %s%s; check SLACK_BOT_TOKEN", code, extra)
            return Outcome(kind="stop", reason=f"Slack: {code}{extra}; check SLACK_BOT_TOKEN")
        if code in DEAD:
            return Outcome(kind="dead", reason=f"Slack: {code}: "
                                               f"{DEAD[code].format(where=shown)}")
        if code in UNAVAILABLE:
            said = f"HTTP {status} ({code})" if status >= 400 else code
            return Outcome.outage(f"Slack: {said}", http_failures.wait(
                _retry_after(getattr(response, "headers", {}) or {})))
        if code in MAYBE_POSTED:  # Slack: "some aspect of the operation may have succeeded"
            return Outcome(kind="retry", reason=f"Slack: {code}: "
                                                f"{http_failures.MAYBE_DELIVERED}")
        by_status = http_failures.answered(
            "Slack", status, code, _retry_after(getattr(response, "headers", {}) or {}))
        if by_status is not None:
            return by_status
        if code in PASSING:
            return Outcome(kind="retry", reason=f"Slack: {code}")
        return Outcome(kind="dead", reason=f"Slack refused the message for {shown}: "
                                           f"{code or status}")


def _retry_after(headers: Any) -> float | None:
    """The seconds of Slack's ``Retry-After`` (slack_sdk gives headers as a dict)."""
    for name in ("Retry-After", "retry-after"):
        raw = headers.get(name) if hasattr(headers, "get") else None
        if raw:
            return http_failures.retry_after(raw)
    return None
