"""duebot on Discord: a ``/deadline`` slash command answered over HTTP interactions.

Discord POSTs each interaction to ``/discord/interactions`` (the app's "Interactions Endpoint
URL"), signed with the application's Ed25519 key: ``X-Signature-Ed25519`` over
``X-Signature-Timestamp`` + the raw body. A request whose signature does not verify (Discord
probes with bad ones before it accepts the URL), or whose timestamp is more than
``[discord] max_age`` off the clock (a replay), gets 401. A PING (type 1) is answered with a
PONG; the command (type 2) is answered at once (type 4: the answer engine is pure and fast,
well inside Discord's 3 seconds) or, when the answer takes over ``DEFER_AFTER`` (a slow
database), with a deferred response (type 5, "thinking...") that the answer then replaces
(``PATCH /webhooks/{application}/{token}/messages/@original``); only to the asker unless
``ephemeral = false``, within 2000 characters (whole date lines, the rest counted), and with
``allowed_mentions`` empty so nothing in it can ping anyone.

With ``DISCORD_BOT_TOKEN`` set, ``subscribe`` / ``unsubscribe`` (``订阅`` / ``退订``) as the
command's text subscribe the asker as ``discord:USER_ID`` (reminders by DM, see
``bot.adapters.discord_channel``), and settings commands tune that subscription.

Each date the answer speaks of gets a line with Discord's ``<t:UNIX:F>`` token, which every
reader's client shows in their own zone, beside the date's own zone.

An interaction has no thread. A ``/deadline`` answer is a private exchange (only the asker sees
it, by default), so a follow-up is what an organizer would expect it to be: the same person's
next ``/deadline`` in the same channel within ``bot.app.threads.SITTING`` ("and in IST?" right
after "when is the abstract deadline?") reads against their last question; after a longer
pause, in another channel, or from someone else, a question starts afresh.

``duebot discord register`` creates (or updates: Discord upserts by name) the command with
``POST {api}/applications/{id}/commands``, or ``.../guilds/{guild}/commands`` for one server.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.adapters.chat_webhooks import date_words, escape_markdown, instant_of
from bot.adapters.discord_channel import retry_after
from bot.adapters.retry import paced
from bot.adapters.send_deadline import AnswerDeadline
from bot.app.chat_conversation import (
    ChatAnswer,
    answer_question,
    pick,
    settings_reply,
    subscription,
    tune,
)
from bot.app.threads import SITTING, Conversation
from bot.config import DiscordConfig
from bot.errors import DuebotError, UsageError

if TYPE_CHECKING:
    from starlette.routing import Route

    from bot.app.running import Running

__all__ = ["DiscordInteractions", "command_definition", "conversation_of", "fit", "http_routes",
           "register_command", "render", "routes_for", "verify"]

log = logging.getLogger("duebot.discord")

PATH = "/discord/interactions"
PING, APPLICATION_COMMAND = 1, 2
PONG, CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE = 1, 4, 5
DEFER_AFTER = 2.0
"""Seconds an answer may take before the interaction is answered "thinking..." (type 5) and
the answer follows by editing that response: Discord waits 3 s for the first one."""
EPHEMERAL = 64
STRING = 3
CONTENT_LIMIT = 2000
RATE_WAIT = 10.0
"""The longest 429 ``retry_after`` a deferred answer waits out (the asker sees "thinking...";
the interaction's token lasts 15 minutes); a longer one gives up, logged."""
RATE_TRIES = 3
READ_TIMEOUT = 15.0
"""Seconds each read of a deferred answer's edit may take; the whole edit is within
``[delivery] send_deadline`` (a webhook that trickles its answer is cut there)."""


def verify(public_key: str, signature: str, timestamp: str, body: bytes) -> bool:
    """Ed25519 over timestamp + raw body; any malformed part is simply "not verified"."""
    from nacl.exceptions import BadSignatureError  # here: most start-ups have no Discord
    from nacl.signing import VerifyKey

    try:
        VerifyKey(bytes.fromhex(public_key)).verify(timestamp.encode() + body,
                                                    bytes.fromhex(signature))
    except (BadSignatureError, ValueError, TypeError):
        return False
    return True


def fresh(timestamp: str, now: datetime, max_age: float) -> bool:
    try:
        sent = float(timestamp)
    except ValueError:
        return False
    return abs(now.timestamp() - sent) <= max_age


def command_definition(settings: DiscordConfig) -> dict[str, Any]:
    """The slash command as Discord's API takes it (a CHAT_INPUT command, one text option)."""
    return {
        "name": settings.command,
        "type": 1,
        "description": "Ask about the workshop's dates: deadlines, notification, the event",
        "options": [{
            "type": STRING, "name": "question", "required": False,
            "description": "Your question, e.g. \"when is the deadline?\" (default: all dates)",
        }],
    }


def render(reply: ChatAnswer) -> str:
    """The answer text, then each date as a Discord timestamp beside its own zone; within
    Discord's 2000 characters (``fit``). The engine's words and the schedule's titles are
    plain text: escaped here, so ``*papers*`` or ``# heading`` in a title shows as typed."""
    lines: list[str] = []
    seen: set[tuple[str, str]] = set()
    for part in reply.parts:
        for when in part.dates:
            instant = instant_of(when)
            if instant is None or (part.heading, when.id) in seen:
                continue
            seen.add((part.heading, when.id))
            unix = int(instant.timestamp())
            own, yours, colon = date_words(when, instant, part.reply)
            lines.append(f"- **{escape_markdown(when.title)}**{colon}<t:{unix}:F> {yours}, "
                         f"<t:{unix}:R> · {own}")
    zh = any(p.reply is not None and p.reply.language == "zh" for p in reply.parts)
    return fit(escape_markdown(reply.text), lines, zh=zh)


def fit(text: str, lines: list[str], *, limit: int = CONTENT_LIMIT, zh: bool = False) -> str:
    """``text`` then the date ``lines``, as many whole lines as Discord takes in one message,
    then how many did not fit: never a line cut inside its ``<t:...>`` token, nothing dropped
    silently. Only a first line longer than the limit on its own is cut, at a space."""
    every = [*text.splitlines(), *lines]
    whole = "\n".join(every)
    if len(whole) <= limit:
        return whole

    def note(left: int) -> str:
        return (f"（还有 {left} 行未能显示：请一次问一个日期。）" if zh else
                f"({left} more line{'s' if left > 1 else ''} did not fit in one message: "
                f"ask about one date at a time.)")

    def left_after(count: int) -> int:
        return sum(1 for line in every[count:] if line.strip())

    shown: list[str] = []
    size = 0
    for line in every:
        grown = size + len(line) + (1 if shown else 0)
        if grown + 1 + len(note(left_after(len(shown) + 1) or 1)) > limit:
            break
        shown.append(line)
        size = grown
    if not shown:  # the first line alone is too long: cut it at a space
        room = limit - len(note(left_after(1) or 1)) - 2
        cut = every[0].rfind(" ", 0, room)
        shown = [every[0][:cut if cut > room // 2 else room].rstrip() + "…"]
        left = left_after(1)
        return shown[0] if not left else f"{shown[0]}\n{note(left)}"
    while shown and not shown[-1].strip():
        shown.pop()
    return "\n".join(shown) + "\n" + note(left_after(len(shown)))


def question_of(interaction: dict[str, Any]) -> str:
    data = interaction.get("data") or {}
    for option in data.get("options") or []:
        if isinstance(option, dict) and option.get("name") == "question":
            return str(option.get("value") or "")
    return ""


def conversation_of(interaction: dict[str, Any]) -> Conversation | None:
    """One person in one channel, for a sitting; in a server the person is ``member.user``, in
    a direct message ``user`` (Discord's ids are unique everywhere)."""
    person = (interaction.get("member") or {}).get("user") or interaction.get("user") or {}
    channel = interaction.get("channel_id") or (interaction.get("channel") or {}).get("id")
    return Conversation.of("discord", str(channel or ""), str(person.get("id") or ""),
                           max_age=SITTING)


class DiscordInteractions:
    """Answers verified interactions for one running service."""

    def __init__(self, service: Running, settings: DiscordConfig, *,
                 clock: Callable[[], datetime] | None = None,
                 defer_after: float = DEFER_AFTER,
                 sleep: Callable[[float], None] = time.sleep,
                 deadline: float | None = None) -> None:
        """``deadline``: seconds a deferred answer's edit may take in all (default
        ``[delivery] send_deadline``)."""
        self.service = service
        self.sleep = sleep
        self.settings = settings
        self.clock = clock or service.clock
        self.defer_after = defer_after
        self._answering = ThreadPoolExecutor(max_workers=4, thread_name_prefix="discord-answer")
        self.answers = AnswerDeadline(
            deadline if deadline is not None
            else service.config.delivery.send_deadline.total_seconds(),
            platform="Discord", read_timeout=READ_TIMEOUT, unavailable=service.engine.unavailable,
            clock=service.clock)

    def handle(self, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
        """(status, JSON) for one request: 401 unless signed and fresh."""
        signature = headers.get("x-signature-ed25519", "")
        timestamp = headers.get("x-signature-timestamp", "")
        if not (signature and timestamp
                and verify(self.settings.public_key, signature, timestamp, body)):
            return 401, {"error": "invalid request signature"}
        if not fresh(timestamp, self.clock(), self.settings.max_age):
            log.warning("refused a Discord interaction with a stale timestamp %s", timestamp)
            return 401, {"error": "stale request timestamp"}
        try:
            interaction = json.loads(body)
        except ValueError:
            return 400, {"error": "not JSON"}
        if not isinstance(interaction, dict):
            return 400, {"error": "not an interaction"}
        kind = interaction.get("type")
        if kind == PING:
            return 200, {"type": PONG}
        if kind != APPLICATION_COMMAND:
            return 400, {"error": f"unsupported interaction type {kind!r}"}
        name = str((interaction.get("data") or {}).get("name", ""))
        if name != self.settings.command:
            return 200, {"type": CHANNEL_MESSAGE,
                         "data": self._message(f"I only know /{self.settings.command}.")}
        answering = self._answering.submit(self._content, interaction)
        try:
            content = answering.result(timeout=self.defer_after)
        except FutureTimeout:
            late = self._late_answer_url(interaction)
            if late is None:  # nowhere to send it later: wait for it, as before
                content = answering.result()
            else:
                answering.add_done_callback(lambda done: self._send_late(late, done))
                flags = {"flags": EPHEMERAL} if self.settings.ephemeral else {}
                log.info("a Discord answer takes over %.1f s: deferred, it follows",
                         self.defer_after)
                return 200, {"type": DEFERRED_CHANNEL_MESSAGE, "data": flags}
        return 200, {"type": CHANNEL_MESSAGE, "data": self._message(content)}

    def _message(self, content: str) -> dict[str, Any]:
        """A message's ``data``: nothing in it pings anyone (``@everyone`` included)."""
        data: dict[str, Any] = {"content": content[:CONTENT_LIMIT],
                                "allowed_mentions": {"parse": []}}
        if self.settings.ephemeral:
            data["flags"] = EPHEMERAL
        return data

    def _content(self, interaction: dict[str, Any]) -> str:
        try:
            return self.answer(interaction)
        except DuebotError as exc:  # e.g. the ledger is down: say so, not a bare 500
            log.warning("could not answer a Discord interaction: %s", exc)
            return escape_markdown(f"Sorry: {exc}")[:CONTENT_LIMIT]

    def _late_answer_url(self, interaction: dict[str, Any]) -> str | None:
        """Where a deferred answer goes: the interaction's own response, edited with its
        token (valid 15 minutes; no bot token needed)."""
        token = str(interaction.get("token") or "")
        app = str(interaction.get("application_id") or self.settings.application_id or "")
        if not token or not app or not app.isdigit():
            return None
        return (f"{self.settings.api_base_url.rstrip('/')}/webhooks/{app}/"
                f"{urllib.parse.quote(token, safe='')}/messages/@original")

    def _send_late(self, url: str, done: Future[str]) -> None:
        try:
            content = done.result()
        except Exception:
            log.exception("a deferred Discord answer failed")
            content = "Sorry, I could not answer that just now; please ask again."
        body = json.dumps({k: v for k, v in self._message(content).items()
                           if k != "flags"}).encode()  # flags were set by the deferral
        request = urllib.request.Request(url, data=body, method="PATCH", headers={
            "Content-Type": "application/json",
            "User-Agent": "DiscordBot (https://github.com/duebot, 0.1) duebot"})
        where = f"the interaction's response at {urllib.parse.urlsplit(url).netloc}"
        try:  # cut before the edit went: once more; after: never twice
            paced(lambda: self.answers.call("editing a deferred answer", where,
                                            lambda: _edit(request)),
                  asked=_rate_limit, longest=RATE_WAIT, attempts=RATE_TRIES,
                  what="Discord says 429 on a deferred answer", sleep=self.sleep, logger=log)
        except (urllib.error.URLError, OSError, ValueError) as exc:  # HTTPError included
            log.warning("could not send a deferred Discord answer: %s", exc)


    def answer(self, interaction: dict[str, Any]) -> str:
        """A subscription or settings command for the asker, else an answer to the question.

        With the bot token, the asker (vouched for by Discord's signature) is reachable by DM
        as ``discord:USER_ID``: subscribed at once, as on Slack. Without it, a settings command
        is told honestly that nothing can reach them."""
        question = question_of(interaction)
        user = user_of(interaction)
        if self.settings.bot_token and user:
            destination = f"discord:{user}"
            now = self.service.clock()
            said = subscription(self.service, question, destination, now, source="discord",
                                shown=lambda e: f"**{escape_markdown(e.name)}**")
            if said is None:
                events, command = pick(self.service.events(), question.strip())
                said = settings_reply(self.service, events, destination, command, now,
                                      subscribe_if_needed=True) if events else None
                said = None if said is None else escape_markdown(said)
        else:
            said = tune(self.service, question, platform="Discord", destination=None)
            said = None if said is None else escape_markdown(said)
        return said if said is not None else render(answer_question(
            self.service, question, language=str(interaction.get("locale") or ""),
            conversation=conversation_of(interaction)))


def _edit(request: urllib.request.Request) -> None:
    with urllib.request.urlopen(request, timeout=READ_TIMEOUT) as response:
        response.read()


def _rate_limit(exc: Exception) -> float | None:
    """The wait a Discord 429 asks for (1 s when it names none); None for any other error."""
    if isinstance(exc, urllib.error.HTTPError) and exc.code == 429:
        asked = retry_after(exc.headers, exc.read())
        return 1.0 if asked is None else asked
    return None


def user_of(interaction: dict[str, Any]) -> str:
    """The asker's id: ``member.user`` in a server, ``user`` in a DM; digits, else ""."""
    person = (interaction.get("member") or {}).get("user") or interaction.get("user") or {}
    user = str(person.get("id") or "")
    return user if user.isascii() and user.isdigit() else ""


def http_routes(service: Running) -> list[Route]:
    """``POST /discord/interactions`` when the public key is configured; else none."""
    settings = service.config.discord
    if not settings.enabled:
        return []
    return routes_for(DiscordInteractions(service, settings))


def routes_for(bot: DiscordInteractions) -> list[Route]:
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def interactions(request: Request) -> JSONResponse:
        body = await request.body()
        headers = {k.lower(): v for k, v in request.headers.items()}
        # The answer reads the service's clock (the database's, on replicas): off the loop.
        status, payload = await run_in_threadpool(bot.handle, headers, body)
        return JSONResponse(payload, status_code=status)

    log.info("Discord interactions (/%s) at POST %s", bot.settings.command, PATH)
    return [Route(PATH, interactions, methods=["POST"])]


def start_background(service: Running) -> None:
    """Nothing runs beside the delivery loop: Discord calls us."""
    return None


def register_command(settings: DiscordConfig, *, timeout: float = 15.0) -> dict[str, Any]:
    """Create or update the slash command; returns what Discord answered. UsageError on trouble."""
    if not settings.application_id:
        raise UsageError("[discord] application_id (or DISCORD_APPLICATION_ID) is not set: copy "
                         "it from the Developer Portal, General Information")
    if not settings.bot_token:
        raise UsageError("the environment variable DISCORD_BOT_TOKEN is not set: copy the bot "
                         "token from the Developer Portal, Bot (secrets never go in the config "
                         "file)")
    where = (f"guilds/{settings.guild_id}/commands" if settings.guild_id else "commands")
    url = f"{settings.api_base_url.rstrip('/')}/applications/{settings.application_id}/{where}"
    request = urllib.request.Request(
        url, data=json.dumps(command_definition(settings)).encode(), method="POST",
        headers={"Authorization": f"Bot {settings.bot_token}",
                 "Content-Type": "application/json",
                 "User-Agent": "DiscordBot (https://github.com/duebot, 0.1) duebot"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answer: Any = json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        said = exc.read()[:500].decode("utf-8", "replace")
        hint = " (check DISCORD_BOT_TOKEN)" if exc.code in (401, 403) else ""
        raise UsageError(f"Discord refused the command: HTTP {exc.code}{hint}: {said}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise UsageError(f"cannot reach Discord at {settings.api_base_url}: {exc}") from None
    return answer if isinstance(answer, dict) else {"answer": answer}
