"""How ``duebot run`` keeps running: the delivery loop in a thread, the HTTP side in front.

One process, one port: the calendar feed, the dates page, health and metrics (``bot.web``) and
Slack's ``/slack/events`` (``bot.slack``) share one ASGI app served by uvicorn. Without an HTTP
side (``[http] enabled = false``) the delivery loop runs in the main thread.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

from bot.service import Service

log = logging.getLogger("duebot")

# Optional parts that add routes to the one HTTP app: each has ``http_routes(service)``.
ROUTE_PROVIDERS = ("bot.slack", "bot.mailbot")


def http_routes(service: Service) -> list[Any]:
    """Routes contributed by optional parts (Slack) that are configured in this process."""
    routes: list[Any] = []
    for name in ROUTE_PROVIDERS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        routes.extend(module.http_routes(service))
    return routes


def serve(service: Service) -> None:
    """Run until SIGINT/SIGTERM set the service's stop event; then stop cleanly."""
    http = service.config.http
    try:
        web = importlib.import_module("bot.web")
    except ModuleNotFoundError:
        web = None
    if not http.enabled or web is None:
        try:
            service.loop()
        finally:
            service.stop()
        return
    service.start()
    try:
        web.serve_http(service, extra_routes=http_routes(service))
    finally:
        service.stop()
