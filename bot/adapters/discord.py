"""duebot on Discord: a ``/deadline`` slash command answered over HTTP interactions.

Discord POSTs each interaction to ``/discord/interactions`` (the app's "Interactions Endpoint
URL"), signed with the application's Ed25519 key: ``X-Signature-Ed25519`` over
``X-Signature-Timestamp`` + the raw body. A request whose signature does not verify (Discord
probes with bad ones before it accepts the URL), or whose timestamp is more than
``[discord] max_age`` off the clock (a replay), gets 401. A PING (type 1) is answered with a
PONG; the command (type 2) is answered at once (type 4: the answer engine is pure and fast,
well inside Discord's 3 seconds), only to the asker unless ``ephemeral = false``, and with
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
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.adapters.chat_webhooks import date_words, instant_of
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

__all__ = ["command_definition", "conversation_of", "http_routes", "register_command", "render",
           "verify"]

log = logging.getLogger("duebot.discord")

PATH = "/discord/interactions"
PING, APPLICATION_COMMAND = 1, 2
PONG, CHANNEL_MESSAGE = 1, 4
EPHEMERAL = 64
STRING = 3
CONTENT_LIMIT = 2000


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
    """The answer text, then each date as a Discord timestamp beside its own zone."""
    lines = [reply.text]
    seen: set[tuple[str, str]] = set()
    for part in reply.parts:
        for when in part.dates:
            instant = instant_of(when)
            if instant is None or (part.heading, when.id) in seen:
                continue
            seen.add((part.heading, when.id))
            unix = int(instant.timestamp())
            own, yours, colon = date_words(when, instant, part.reply)
            lines.append(f"- **{when.title}**{colon}<t:{unix}:F> {yours}, <t:{unix}:R> · {own}")
    text = "\n".join(lines)
    return text if len(text) <= CONTENT_LIMIT else text[:CONTENT_LIMIT - 1] + "…"


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
                 clock: Callable[[], datetime] | None = None) -> None:
        self.service = service
        self.settings = settings
        self.clock = clock or service.clock

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
            content = f"I only know /{self.settings.command}."
        else:
            try:
                content = self.answer(interaction)
            except DuebotError as exc:  # e.g. the ledger is down: say so, not a bare 500
                log.warning("could not answer a Discord interaction: %s", exc)
                content = f"Sorry: {exc}"[:CONTENT_LIMIT]
        data: dict[str, Any] = {"content": content, "allowed_mentions": {"parse": []}}
        if self.settings.ephemeral:
            data["flags"] = EPHEMERAL
        return 200, {"type": CHANNEL_MESSAGE, "data": data}


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
                                shown=lambda e: f"**{e.name}**")
            if said is None:
                events, command = pick(self.service.events(), question.strip())
                said = settings_reply(self.service, events, destination, command, now,
                                      subscribe_if_needed=True) if events else None
        else:
            said = tune(self.service, question, platform="Discord", destination=None)
        return said if said is not None else render(answer_question(
            self.service, question, language=str(interaction.get("locale") or ""),
            conversation=conversation_of(interaction)))


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
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    bot = DiscordInteractions(service, settings)

    async def interactions(request: Request) -> JSONResponse:
        body = await request.body()
        headers = {k.lower(): v for k, v in request.headers.items()}
        # The answer reads the service's clock (the database's, on replicas): off the loop.
        status, payload = await run_in_threadpool(bot.handle, headers, body)
        return JSONResponse(payload, status_code=status)

    log.info("Discord interactions (/%s) at POST %s", settings.command, PATH)
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
