"""duebot on Zulip: an outgoing-webhook bot answered at ``POST /zulip/webhook``.

Zulip POSTs JSON ``{data, message{type, display_recipient, subject, content, sender_email...},
bot_email, bot_full_name, token, trigger}`` when someone mentions the bot or writes to it
directly. The ``token`` (shown when the bot is created; ``ZULIP_WEBHOOK_TOKEN`` here) is checked
in constant time: a wrong one gets 401. The reply ``{"content": markdown}`` is posted by Zulip
in the same stream and topic (or the same direct-message conversation).

Each date gets Zulip's ``<time:...>`` global time, which every reader sees in their own zone,
beside the date's own zone. Mentions in the answer are defused (``@**all**`` pings nobody).

A follow-up ("and in IST?") reads against the last question in the same stream and topic (a
topic is Zulip's thread; its name is compared as Zulip does, without case), or in the same
direct-message conversation (the same set of people), through ``bot.app.threads``.
"""

from __future__ import annotations

import json
import logging
import re
from typing import TYPE_CHECKING, Any

from bot.adapters.chat_webhooks import (
    date_words,
    defuse_mentions,
    escape_markdown,
    instant_of,
    token_ok,
)
from bot.app.chat_conversation import ChatAnswer, answer_question, tune
from bot.app.threads import Conversation

if TYPE_CHECKING:
    from starlette.routing import Route

    from bot.app.running import Running

__all__ = ["conversation_of", "handle", "http_routes", "render"]

log = logging.getLogger("duebot.zulip")

PATH = "/zulip/webhook"
_MENTION = re.compile(r"@_?\*\*[^*]+\*\*")
_QUOTE_BLOCK = re.compile(r"^[ \t]*(?P<fence>`{3,}|~{3,})[ \t]*quote[ \t]*\n.*?"
                          r"^[ \t]*(?P=fence)[ \t]*$\n?", re.MULTILINE | re.DOTALL)
_SAID = re.compile(r"^[ \t]*@_\*\*[^*\n]+\*\*[ \t]*\[said\]\([^)\n]*\):?[ \t]*$\n?",
                   re.MULTILINE)
"""What Zulip's "Quote and reply" writes above a reply: ``@_**duebot|12** [said](link):``
and a ```` ```quote ```` block of the message quoted."""


def question_text(content: str) -> str:
    """The message as asked: no quote-and-reply block (the quoted answer is not the
    question), no mention of the bot."""
    text = _SAID.sub("", _QUOTE_BLOCK.sub("", content))
    return _MENTION.sub(" ", text).strip() or _MENTION.sub(" ", content).strip()
TRIGGERS = ("mention", "direct_message", "private_message")
"""``private_message`` is what servers before Zulip 8.0 send for a DM."""


def shown(text: str) -> str:
    """Plain text (the engine's words, the schedule's titles) as typed in Zulip's Markdown,
    pinging nobody."""
    return defuse_mentions(escape_markdown(text, "zulip"))


def render(reply: ChatAnswer) -> str:
    lines = [shown(reply.text)]
    for part in reply.parts:
        for when in part.dates:
            instant = instant_of(when)
            if instant is None:
                continue
            stamp = instant.strftime("%Y-%m-%dT%H:%M:%SZ")
            own, yours, colon = date_words(when, instant, part.reply)
            lines.append(f"* **{shown(when.title)}**{colon}<time:{stamp}> {yours} · "
                         f"{own}")
    return "\n".join(lines)


def conversation_of(payload: dict[str, Any]) -> Conversation | None:
    """Where the message's follow-ups meet: its stream and topic, or its direct-message group;
    the bot's address keeps two Zulip organizations that share duebot apart."""
    message = payload.get("message") or {}
    bot = str(payload.get("bot_email") or "").casefold()
    recipient = message.get("display_recipient")
    if message.get("type") == "stream":
        stream = str(message.get("stream_id") or recipient or "")
        return Conversation.of("zulip", bot, "stream", stream,
                               str(message.get("subject") or "").casefold())
    if isinstance(recipient, list):  # a direct message: everyone in it, the bot included
        people = sorted({str(p.get("email") or p.get("id") or "").casefold()
                         for p in recipient if isinstance(p, dict)} - {""})
        return Conversation.of("zulip", bot, "direct", *people) if people else None
    return None


def handle(service: Running, tokens: tuple[str, ...], body: bytes
           ) -> tuple[int, dict[str, Any]]:
    try:
        payload = json.loads(body)
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        return 400, {"error": "expected Zulip's outgoing webhook JSON"}
    if not token_ok(str(payload.get("token") or ""), tokens):
        log.warning("refused a Zulip webhook call with a wrong token")
        return 401, {"error": "wrong token"}
    if payload.get("trigger") not in TRIGGERS:
        return 200, {"response_not_required": True}
    message = payload.get("message") or {}
    text = question_text(str(message.get("content") or payload.get("data") or ""))
    # The sender's Zulip account address (the server vouches for it; the token for the
    # server): settings commands tune that address's mail subscription.
    sender = str(message.get("sender_email") or "").strip()
    destination = f"mailto:{sender}" if "@" in sender and " " not in sender else None
    tuned = tune(service, text, platform="Zulip", destination=destination)
    if tuned is not None:
        return 200, {"content": shown(tuned)}
    reply = answer_question(service, text, conversation=conversation_of(payload))
    return 200, {"content": render(reply)}


def http_routes(service: Running) -> list[Route]:
    settings = service.config.zulip
    if not settings.on:
        return []
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def webhook(request: Request) -> JSONResponse:
        body = await request.body()
        status, payload = await run_in_threadpool(handle, service, settings.tokens, body)
        return JSONResponse(payload, status_code=status)

    log.info("Zulip outgoing webhook at POST %s", PATH)
    return [Route(PATH, webhook, methods=["POST"])]


def start_background(service: Running) -> None:
    return None
