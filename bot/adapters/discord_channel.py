"""The ``discord:`` channel: a reminder sent as a direct message to one Discord user.

Destination: ``discord:USER_ID`` (the user's numeric id, as a signed interaction vouches for
it). The bot opens the DM first (``POST {api}/users/@me/channels`` with ``recipient_id``;
Discord answers the same channel every time, so its id is cached), then posts the text
(``POST {api}/channels/{id}/messages``) with ``Authorization: Bot {DISCORD_BOT_TOKEN}``. A
message longer than Discord's 2000 characters goes as several, split between paragraphs.

Discord's answers are mapped here, once: 429 -> ``retry`` after its ``retry_after``; 5xx and
connection trouble -> ``retry``; 401, 403 (the bot shares no server with the user, or they
refuse DMs), 404 and any other 4xx -> ``dead`` with Discord's own words for the organizers.
urllib, as ``duebot discord register`` uses: no client library for two calls.
"""

from __future__ import annotations

import http.client
import json
import logging
import urllib.error
import urllib.request
from datetime import timedelta
from typing import Any

from bot.ports import Outcome, Outgoing

__all__ = ["DiscordChannel", "pieces"]

log = logging.getLogger("duebot.discord")

CONTENT_LIMIT = 2000
USER_AGENT = "DiscordBot (https://github.com/duebot, 0.1) duebot"
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


class DiscordChannel:
    """Sends deliveries to Discord users by DM; one DM channel id per user, cached."""

    scheme = "discord"

    def __init__(self, token: str, api_base_url: str, *, timeout: float = 15.0) -> None:
        self.token = token
        self.api = api_base_url.rstrip("/")
        self.timeout = timeout
        self._dms: dict[str, str] = {}
        """User id -> the DM channel Discord opened for them."""

    def send(self, message: Outgoing) -> Outcome:
        """DM one delivery; every Discord or network failure comes back as an Outcome."""
        user = message.address.strip()
        text = f"{message.subject}\n{message.text.strip()}" if message.subject else message.text
        try:
            channel = self._dm(user)
            ids = [str(self._post(f"/channels/{channel}/messages", {
                "content": part, "allowed_mentions": {"parse": []}}).get("id", ""))
                for part in pieces(text)]
        except _Refused as exc:
            return self._failed(exc, f"discord:{user}")
        except (OSError, http.client.HTTPException, ValueError) as exc:
            return Outcome(kind="retry", reason=f"Discord unreachable: {exc!s:.200}")
        return Outcome.sent(remote_id=f"{channel}/{','.join(ids)}")

    def close(self) -> None:
        """Nothing is held between calls."""

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
            raise _Refused(exc.code, body, _retry_after(exc.headers, body)) from None
        return answer if isinstance(answer, dict) else {}

    @staticmethod
    def _failed(exc: _Refused, where: str) -> Outcome:
        said = _message(exc.body)
        if exc.status == 429:
            wait = exc.retry_after if exc.retry_after is not None else 30.0
            return Outcome(kind="retry", reason=f"Discord rate limit ({said or 'HTTP 429'})",
                           retry_after=timedelta(seconds=max(round(wait + 0.49), 1)))
        if exc.status >= 500:
            return Outcome(kind="retry", reason=f"Discord: HTTP {exc.status} {said}".strip())
        hint = DEAD_HINT.get(exc.status, "Discord refused the message for {where}")
        return Outcome(kind="dead", reason=f"Discord: HTTP {exc.status} ({said}): "
                                           f"{hint.format(where=where)}")


def _message(body: bytes) -> str:
    """Discord's ``message`` (and ``code``) from an error body, else its first characters."""
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        return body[:200].decode("utf-8", "replace")
    if not isinstance(data, dict):
        return ""
    code = f" (code {data['code']})" if data.get("code") else ""
    return f"{data.get('message') or ''}{code}"[:200]


def _retry_after(headers: Any, body: bytes) -> float | None:
    """Seconds Discord asks us to wait: the body's ``retry_after``, else ``Retry-After``."""
    try:
        data = json.loads(body or b"{}")
        if isinstance(data, dict) and data.get("retry_after") is not None:
            return max(float(data["retry_after"]), 0.0)
    except (TypeError, ValueError):
        pass
    raw = headers.get("Retry-After") if headers is not None else None
    try:
        return max(float(raw), 0.0) if raw is not None else None
    except (TypeError, ValueError):
        return None
