"""The pages behind the links in duebot's mails: confirm a subscription, stop reminders.

``GET /confirm/<token>`` (double opt-in) and ``GET``/``POST /unsubscribe/<token>``, mounted
on the one Starlette app (``bot.adapters.http``); the change itself is
``bot.app.subscriptions``'. Each page is in the subscriber's language, else the browser's
(``bot.app.preferences.for_reader``), as the ``/me`` page is.
"""

from __future__ import annotations

import html
from functools import partial
from typing import Any

from bot.app import preferences as settings
from bot.app import subscriptions
from bot.app.running import Running
from bot.core.language import Language

__all__ = ["http_routes"]

_text = partial(html.escape, quote=False)
"""Text between tags: quotes stay quotes."""

_PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<meta name="robots" content="noindex"><title>{title}</title></head>
<body style="font-family: sans-serif; max-width: 36em; margin: 3em auto">
<h1>{title}</h1>{body}</body></html>
"""


def _page(lang: Language, title: str, body: str, status: int = 200) -> Any:
    from starlette.responses import HTMLResponse

    return HTMLResponse(_PAGE.format(lang=lang.tag, title=html.escape(title), body=body),
                        status_code=status,
                        headers={"Cache-Control": "no-store", "Content-Language": lang.tag,
                                 "Vary": "Accept-Language"})


def http_routes(service: Running) -> list[Any]:
    """``GET /confirm/<token>`` (double opt-in) and ``GET``/``POST /unsubscribe/<token>``.

    A ``POST`` unsubscribes at once (RFC 8058 one-click: mail clients post
    ``List-Unsubscribe=One-Click``); a ``GET`` only shows a button, since link scanners
    fetch every link in a mail.
    """
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import Request
    from starlette.routing import Route

    def language(token: str, accept: str) -> Language:
        return settings.for_reader(service, settings.token_language(service, token), accept)

    def confirm(token: str, accept: str) -> Any:
        now = service.clock()
        lang = language(token, accept)
        _ = lang.gettext
        found = subscriptions.confirm(service, token, now, detail="by link")
        if found is None:
            return _page(lang, _("Link not valid"), "<p>" + _text(_(
                "This confirmation link is unknown, or the subscription was cancelled. Write "
                "\"subscribe\" to subscribe again.")) + "</p>", 404)
        event_id, destination = found
        event = service.events().get(event_id)
        said = _("Reminders for %(event)s will come to %(address)s.") % {
            "event": event.name if event else event_id,
            "address": destination.split(":", 1)[1]}
        note = settings.language_note(service, settings.token_language(service, token))
        return _page(lang, _("Subscribed"), f"<p>{_text(said)}</p><p>"
                     + _text(_("Every reminder has a link to stop them.")) + "</p>"
                     + (f"<p>{_text(note)}</p>" if note else ""))

    def unsubscribe(token: str, one_click: bool, accept: str) -> Any:
        now = service.clock()
        lang = language(token, accept)  # before: their choices go with them
        subscriptions.unsubscribe(service, now, token=token,
                                  detail="one-click" if one_click else "by link")
        return _page(lang, lang.gettext("Unsubscribed"), "<p>" + _text(lang.gettext(
            "No more reminders will be sent to this address.")) + "</p>")

    def ask_first(token: str, action: str, accept: str) -> Any:
        lang = language(token, accept)
        _ = lang.gettext
        return _page(lang, _("Stop reminders?"),
                     "<p>" + _text(_("Stop the reminders sent to this address?"))
                     + f"</p><form method=\"post\" action=\"{action}\"><input type=\"hidden\" "
                     f"name=\"List-Unsubscribe\" value=\"One-Click\"><button type=\"submit\">"
                     + _text(_("Unsubscribe")) + "</button></form>")

    async def confirm_endpoint(request: Request) -> Any:
        return await run_in_threadpool(confirm, str(request.path_params["token"]),
                                       request.headers.get("accept-language", ""))

    async def unsubscribe_endpoint(request: Request) -> Any:
        token = str(request.path_params["token"])
        accept = request.headers.get("accept-language", "")
        if request.method == "POST":
            body = (await request.body())[:4096].decode("utf-8", "replace")
            return await run_in_threadpool(unsubscribe, token,
                                           "List-Unsubscribe=One-Click" in body, accept)
        action = html.escape(str(request.url.path), quote=True)
        return await run_in_threadpool(ask_first, token, action, accept)

    return [Route("/confirm/{token}", confirm_endpoint, methods=["GET"]),
            Route("/unsubscribe/{token}", unsubscribe_endpoint, methods=["GET", "POST"])]
