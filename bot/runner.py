"""How ``duebot run`` keeps running: the delivery loop in a thread, the HTTP side in front.

One process, one port: the calendar feed, the dates page, health and metrics (``bot.web``) and
Slack's ``/slack/events`` (``bot.slack``) share one ASGI app served by uvicorn. Without an HTTP
side (``[http] enabled = false``) the delivery loop runs in the main thread.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
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


def start_background(service: Service) -> list[Callable[[], None]]:
    """Start what optional parts run beside the delivery loop (the mail listener, IMAP
    polling): each provider's ``start_background(service)``; returns their stop functions."""
    stops: list[Callable[[], None]] = []
    for name in ROUTE_PROVIDERS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        start = getattr(module, "start_background", None)
        stop = start(service) if start is not None else None
        if stop is not None:
            stops.append(stop)
    return stops


def serve(service: Service) -> None:
    """Run until SIGINT/SIGTERM set the service's stop event; then stop cleanly."""
    stops = start_background(service)
    try:
        _serve(service)
    finally:
        for stop in reversed(stops):
            stop()


def _serve(service: Service) -> None:
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
