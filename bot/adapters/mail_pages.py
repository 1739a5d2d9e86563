"""The pages behind the links in duebot's mails: confirm a subscription, stop reminders.

``GET /confirm/<token>`` (double opt-in) and ``GET``/``POST /unsubscribe/<token>``, mounted
on the one Starlette app (``bot.adapters.http``); the change itself is
``bot.app.subscriptions``'.
"""

from __future__ import annotations

import html
from typing import Any

from bot.app import subscriptions
from bot.app.running import Running

__all__ = ["http_routes"]

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<meta name="robots" content="noindex"><title>{title}</title></head>
<body style="font-family: sans-serif; max-width: 36em; margin: 3em auto">
<h1>{title}</h1>{body}</body></html>
"""


def _page(title: str, body: str, status: int = 200) -> Any:
    from starlette.responses import HTMLResponse

    return HTMLResponse(_PAGE.format(title=html.escape(title), body=body), status_code=status,
                        headers={"Cache-Control": "no-store"})


def http_routes(service: Running) -> list[Any]:
    """``GET /confirm/<token>`` (double opt-in) and ``GET``/``POST /unsubscribe/<token>``.

    A ``POST`` unsubscribes at once (RFC 8058 one-click: mail clients post
    ``List-Unsubscribe=One-Click``); a ``GET`` only shows a button, since link scanners
    fetch every link in a mail.
    """
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import Request
    from starlette.routing import Route

    def confirm(token: str) -> Any:
        now = service.clock()
        found = subscriptions.confirm(service, token, now, detail="by link")
        if found is None:
            return _page("Link not valid", "<p>This confirmation link is unknown, or the "
                         "subscription was cancelled. Write \"subscribe\" to subscribe "
                         "again.</p>", 404)
        event_id, destination = found
        event = service.events().get(event_id)
        name = event.name if event else event_id
        address = destination.split(":", 1)[1]
        return _page("Subscribed", f"<p>Reminders for {html.escape(name)} will come to "
                     f"{html.escape(address)}.</p><p>Every reminder has a link to stop "
                     f"them.</p>")

    def unsubscribe(token: str, one_click: bool) -> Any:
        now = service.clock()
        subscriptions.unsubscribe(service, now, token=token,
                                  detail="one-click" if one_click else "by link")
        return _page("Unsubscribed", "<p>No more reminders will be sent to this address.</p>")

    async def confirm_endpoint(request: Request) -> Any:
        return await run_in_threadpool(confirm, str(request.path_params["token"]))

    async def unsubscribe_endpoint(request: Request) -> Any:
        token = str(request.path_params["token"])
        if request.method == "POST":
            body = (await request.body())[:4096].decode("utf-8", "replace")
            return await run_in_threadpool(unsubscribe, token,
                                           "List-Unsubscribe=One-Click" in body)
        action = html.escape(str(request.url.path), quote=True)
        return _page("Stop reminders?", f"<p>Stop the reminders sent to this address?</p>"
                     f"<form method=\"post\" action=\"{action}\"><input type=\"hidden\" "
                     f"name=\"List-Unsubscribe\" value=\"One-Click\"><button type=\"submit\">"
                     f"Unsubscribe</button></form>")

    return [Route("/confirm/{token}", confirm_endpoint, methods=["GET"]),
            Route("/unsubscribe/{token}", unsubscribe_endpoint, methods=["GET", "POST"])]
