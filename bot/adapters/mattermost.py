"""duebot on Mattermost: an outgoing webhook (and slash command) at ``POST /mattermost``.

Mattermost POSTs form or JSON fields ``token, team_id, channel_id, channel_name, user_id,
user_name, post_id, text, trigger_word, timestamp`` for a message starting with a trigger word
(public channels), or ``token, command, text, response_url, ...`` for a slash command (also with
``Authorization: Token ...``). The token (``MATTERMOST_TOKEN`` for the outgoing webhook,
``MATTERMOST_COMMAND_TOKEN`` for the slash command) is checked in constant time: a wrong one
gets 401. The webhook's reply ``{"text", "response_type": "comment"}`` is posted as a reply in
the message's thread; the slash command's answer only the asker sees.

Neither call says which thread a message is in (no ``root_id``: only the channel, the user and
the message's own id), so a follow-up ("and in IST?") reads against the same person's last
question in the same channel, if it came within ``bot.app.threads.SITTING``; the webhook and the
slash command are one conversation, and another person's question there starts afresh.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from bot.adapters.chat_webhooks import defuse_mentions, escape_markdown, token_ok
from bot.app.chat_conversation import answer_question, tune
from bot.app.threads import SITTING, Conversation

if TYPE_CHECKING:
    from starlette.routing import Route

    from bot.app.running import Running

__all__ = ["conversation_of", "handle", "http_routes"]

log = logging.getLogger("duebot.mattermost")

PATH = "/mattermost"


def fields_of(body: bytes, content_type: str) -> dict[str, str] | None:
    """The request's fields, from JSON or a urlencoded form; None if neither."""
    if "json" in content_type:
        try:
            data = json.loads(body)
        except ValueError:
            return None
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else None
    try:
        form = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        return None
    return {k: v[0] for k, v in form.items()}


def conversation_of(fields: dict[str, str]) -> Conversation | None:
    """One person in one channel, for a sitting (the requests name no thread; Mattermost's ids
    are unique across teams)."""
    return Conversation.of("mattermost", fields.get("channel_id", ""),
                           fields.get("user_id", ""), max_age=SITTING)


def handle(service: Running, tokens: tuple[str, ...], headers: dict[str, str], body: bytes
           ) -> tuple[int, dict[str, Any]]:
    fields = fields_of(body, headers.get("content-type", ""))
    if fields is None:
        return 400, {"error": "expected Mattermost's form or JSON fields"}
    given = fields.get("token", "")
    auth = headers.get("authorization", "")
    if not given and auth.startswith("Token "):
        given = auth[len("Token "):].strip()
    if not token_ok(given, tokens):
        log.warning("refused a Mattermost call with a wrong token")
        return 401, {"error": "wrong token"}
    text = fields.get("text", "")
    trigger = fields.get("trigger_word", "")
    if trigger and text.startswith(trigger):
        text = text[len(trigger):]
    # A webhook tells only the user's id and name: no way to write to them, and the reply says so.
    tuned = tune(service, text.strip(), platform="Mattermost", destination=None)
    reply = defuse_mentions(escape_markdown(tuned if tuned is not None else answer_question(
        service, text.strip(), conversation=conversation_of(fields)).text))
    if fields.get("command"):  # a slash command: only the asker sees it (as on Slack)
        return 200, {"response_type": "ephemeral", "text": reply}
    return 200, {"text": reply, "response_type": "comment"}


def http_routes(service: Running) -> list[Route]:
    settings = service.config.mattermost
    if not settings.on:
        return []
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def webhook(request: Request) -> JSONResponse:
        body = await request.body()
        headers = {k.lower(): v for k, v in request.headers.items()}
        status, payload = await run_in_threadpool(handle, service, settings.tokens, headers,
                                                  body)
        return JSONResponse(payload, status_code=status)

    log.info("Mattermost outgoing webhook and slash command at POST %s", PATH)
    return [Route(PATH, webhook, methods=["POST"])]


def start_background(service: Running) -> None:
    return None
