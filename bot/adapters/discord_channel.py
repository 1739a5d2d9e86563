"""The ``discord:`` channel: a reminder sent as a direct message to one Discord user.

Destination: ``discord:USER_ID`` (the user's numeric id, as a signed interaction vouches for
it). The bot opens the DM first (``POST {api}/users/@me/channels`` with ``recipient_id``;
Discord answers the same channel every time, so its id is cached), then posts the text
(``POST {api}/channels/{id}/messages``) with ``Authorization: Bot {DISCORD_BOT_TOKEN}``. A
message longer than Discord's 2000 characters goes as several, split between paragraphs.

Each message carries a ``nonce`` made from the delivery's key, with ``enforce_nonce``: when a
try is repeated (a crash or a dropped answer after Discord took it), Discord returns the message
it already created instead of posting a second one (it remembers nonces for a few minutes).
A message longer than Discord's 2,000 characters goes as several; when a later one fails, the
channel remembers the parts Discord took and a retry in this process posts only the rest (an
outage's retries come long after the nonces are forgotten).

Discord's answers are mapped here, once, by the rule every HTTP channel shares
(``bot.adapters.http_failures``): 429 -> a rate limit, waiting its ``retry_after`` (and, until
then, every other send to that user, or to anyone when Discord says the limit is global, is
answered the same without asking Discord again); Discord away (refused, unresolvable, a connect
timeout, 502, 503: a 5xx but 500 and 504) -> an outage; neither uses up an attempt. A timeout
once a message was posted, a 500 or a 504 -> a counted retry that may have landed (the nonce
makes a quick retry find it). 401 (the token is refused) -> ``stop``, as Slack's
``invalid_auth``; 403 (the bot shares no server with the user, or they refuse DMs), 404 and any
other 4xx -> ``dead`` with Discord's own words for the organizers.
urllib, as ``duebot discord register`` uses: no client library for two calls.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import logging
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from bot.adapters import http_failures
from bot.adapters.chat_webhooks import escape_markdown
from bot.adapters.send_deadline import SendDeadline
from bot.ports import Outcome, Outgoing

__all__ = ["DiscordChannel", "nonce", "pieces", "retry_after"]

log = logging.getLogger("duebot.discord")

CONTENT_LIMIT = 2000
USER_AGENT = "DiscordBot (https://github.com/duebot, 0.1) duebot"
TAKEN_KEPT = 1024
"""Long messages whose taken parts are remembered at once (``DiscordChannel._taken``)."""
DEAD_HINT = {
    401: "Discord refused the bot token: check DISCORD_BOT_TOKEN",
    403: "Discord will not let the bot write to {where}: the bot must share a server with "
         "the user, and the user must allow direct messages from its members",
    404: "Discord knows no user or channel {where}",
}


class _Refused(Exception):
    """Discord answered with an error status."""

    def __init__(self, status: int, body: bytes, retry_after: float | None) -> None:
        super().__init__(status)
        self.status = status
        self.body = body
        self.retry_after = retry_after
        self.everyone = _json(body).get("global") is True
        """Discord's limit is global: no request may go until it ends."""


def pieces(text: str, limit: int = CONTENT_LIMIT) -> list[str]:
    """``text`` in parts of at most ``limit`` characters, cut between paragraphs (then lines,
    then anywhere) so that nothing is lost."""
    text = text.strip()
    parts: list[str] = []
    while len(text) > limit:
        cut = max(text.rfind("\n\n", 0, limit), text.rfind("\n", 0, limit))
        if cut <= 0:
            cut = limit
        parts.append(text[:cut].rstrip())
        text = text[cut:].strip()
    return [*parts, text] if text else parts


def nonce(key: str, part: int) -> str:
    """Discord's ``nonce`` (at most 25 characters) for one part of one delivery."""
    return hashlib.sha256(f"{key}#{part}".encode()).hexdigest()[:25]


class DiscordChannel:
    """Sends deliveries to Discord users by DM; one DM channel id per user, cached."""

    scheme = "discord"

    def __init__(self, token: str, api_base_url: str, *, timeout: float = 15.0,
                 deadline: float = 60.0, concurrency: int = 4,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.token = token
        self.api = api_base_url.rstrip("/")
        self.timeout = timeout
        """Seconds each read may wait (urllib's); ``deadline``: the whole send."""
        self.deadline = SendDeadline(deadline, platform="Discord", read_timeout=timeout)
        self.concurrency = max(1, concurrency)
        """Users written to at once (well under Discord's 50 requests a second)."""
        self.monotonic = monotonic
        self._dms: dict[str, str] = {}
        """User id -> the DM channel Discord opened for them."""
        self._blocked_until: dict[str, float] = {}
        """User id (or "" for everyone) -> when Discord's 429 ends."""
        self._taken: dict[str, dict[int, str]] = {}
        """Delivery key -> the parts of a long message Discord already took (their ids) while a
        later part failed: a retry posts only the rest. The nonce finds a repeat for a few
        minutes only, and an outage's retries back off far beyond that (each one re-posted the
        first part). Kept in this process, under ``_taken_lock`` (senders run in parallel)."""
        self._taken_lock = threading.Lock()

    @staticmethod
    def lane(destination: str) -> str:
        """Sends to one user go one at a time; other users' run beside them."""
        return destination.split(":", 1)[-1].strip()

    def send(self, message: Outgoing) -> Outcome:
        """DM one delivery; every Discord or network failure comes back as an Outcome. The
        whole send (the DM's opening, every part) ends within ``deadline``."""
        with self.deadline.bounded() as bounded:
            outcome = self._send(message)
        return self.deadline.judged(outcome, bounded)

    def _send(self, message: Outgoing) -> Outcome:
        user = message.address.strip()
        text = escape_markdown(f"{message.subject}\n{message.text.strip()}" if message.subject
                               else message.text)  # plain text: shown as typed
        now = self.monotonic()
        wait = max(self._blocked_until.get(user, 0.0), self._blocked_until.get("", 0.0)) - now
        if wait > 0:  # Discord said 429 a moment ago: do not ask again yet
            return Outcome.rate_limit(f"Discord rate limit for discord:{user}; waiting as "
                                      f"asked", http_failures.wait(wait))
        posting = False  # opening the DM posts nothing: any failure there is Discord's
        with self._taken_lock:
            taken = self._taken.pop(message.key, {})
        try:
            channel = self._dm(user)
            posting = True
            self._post_parts(channel, message.key, pieces(text), taken)
        except _Refused as exc:
            if exc.status == 429:
                until = self.monotonic() + (exc.retry_after if exc.retry_after is not None
                                            else http_failures.DEFAULT_WAIT)
                self._blocked_until["" if exc.everyone else user] = until
            return self._failed(exc, f"discord:{user}", posting=posting)
        except (OSError, http.client.HTTPException) as exc:
            return http_failures.unreachable("Discord", exc, posting=posting)
        except ValueError as exc:  # an answer we cannot read: it came, so the post may stand
            return Outcome(kind="retry", reason=f"Discord answered what we cannot read "
                                                f"({exc!s:.200})")
        return Outcome.sent(remote_id=f"{channel}/{','.join(taken[n] for n in sorted(taken))}")

    def close(self) -> None:
        """Nothing is held between calls."""

    def _post_parts(self, channel: str, key: str, parts: list[str],
                    taken: dict[int, str]) -> None:
        """Post the parts not yet ``taken`` (filled in as Discord takes each); when one fails,
        what was taken is kept for the next try, so no part is posted twice."""
        try:
            for number, part in enumerate(parts):
                if number not in taken:
                    answer = self._post(f"/channels/{channel}/messages", {
                        "content": part, "allowed_mentions": {"parse": []},
                        "nonce": nonce(key, number), "enforce_nonce": True})
                    taken[number] = str(answer.get("id", ""))
        except BaseException:
            if taken:
                with self._taken_lock:
                    if len(self._taken) >= TAKEN_KEPT:  # bounded: the oldest goes first
                        self._taken.pop(next(iter(self._taken)))
                    self._taken[key] = taken
            raise

    def _dm(self, user: str) -> str:
        known = self._dms.get(user)
        if known is None:
            opened = self._post("/users/@me/channels", {"recipient_id": user})
            known = str(opened.get("id") or "")
            if not known:
                raise ValueError("Discord opened no DM channel")
            self._dms[user] = known
        return known

    def _post(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        request = urllib.request.Request(
            f"{self.api}{path}", data=json.dumps(payload).encode(), method="POST",
            headers={"Authorization": f"Bot {self.token}", "Content-Type": "application/json",
                     "User-Agent": USER_AGENT})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                answer: Any = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            body = exc.read()[:2000]
            raise _Refused(exc.code, body, retry_after(exc.headers, body)) from None
        return answer if isinstance(answer, dict) else {}

    @staticmethod
    def _failed(exc: _Refused, where: str, *, posting: bool = True) -> Outcome:
        said = _message(exc.body)
        by_status = http_failures.answered("Discord", exc.status, said, exc.retry_after)
        if by_status is not None:
            if not posting and by_status.kind == "retry" and not by_status.uses_no_attempt:
                return Outcome.outage(f"Discord: HTTP {exc.status} ({said}) opening the DM")
            return by_status
        if exc.status == 401:
            log.error("Discord refused the bot token (HTTP 401): check DISCORD_BOT_TOKEN")
            return Outcome(kind="stop", reason=f"Discord: HTTP 401 ({said}): "
                                               f"{DEAD_HINT[401]}")
        hint = DEAD_HINT.get(exc.status, "Discord refused the message for {where}")
        return Outcome(kind="dead", reason=f"Discord: HTTP {exc.status} ({said}): "
                                           f"{hint.format(where=where)}")


def _json(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _message(body: bytes) -> str:
    """Discord's ``message`` (and ``code``) from an error body, else its first characters."""
    data = _json(body)
    if not data:
        return body[:200].decode("utf-8", "replace").strip()
    code = f" (code {data['code']})" if data.get("code") else ""
    return f"{data.get('message') or ''}{code}"[:200]


def retry_after(headers: Any, body: bytes) -> float | None:
    """Seconds a Discord 429 asks us to wait: the body's ``retry_after``, else the
    ``Retry-After`` header; None when neither names a time. The channel and the interactions'
    deferred edit (``bot.adapters.discord``) read it the same way."""
    said = http_failures.seconds(_json(body).get("retry_after"))
    if said is not None:
        return said
    return http_failures.retry_after(headers.get("Retry-After") if headers is not None
                                     else None)
