"""How ``duebot run`` keeps running: the background jobs on their scheduler, HTTP in front.

One process, one port: the calendar feed, the dates page, health and metrics
(``bot.adapters.http``), Slack's ``/slack/events`` (``bot.adapters.slack_app``), Discord's
``/discord/interactions``, Zulip's ``/zulip/webhook`` and Mattermost's ``/mattermost`` share one
ASGI app served by uvicorn. Without an HTTP side (``[http] enabled = false``) the main thread waits
for the stop signal while the jobs run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from types import ModuleType
from typing import Any

from bot.service import Service

log = logging.getLogger("duebot")


def _providers() -> tuple[ModuleType, ...]:
    """The parts that add routes to the one HTTP app (``http_routes(service)``) and may run
    something beside the delivery job (``start_background(service)``)."""
    from bot.adapters import discord, mail_in, mattermost, slack_app, zulip

    return (slack_app, mail_in, discord, zulip, mattermost)


def http_routes(service: Service) -> list[Any]:
    """Routes contributed by Slack and the mail side (empty when they are not configured)."""
    routes: list[Any] = []
    for module in _providers():
        routes.extend(module.http_routes(service))
    return routes


def start_background(service: Service) -> list[Callable[[], None]]:
    """Start what runs beside the delivery job (the mail listener, the IMAP job, Slack's
    Socket Mode); returns their stop functions."""
    stops: list[Callable[[], None]] = []
    for module in _providers():
        stop = module.start_background(service)
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
    if not service.config.http.enabled:
        service.run_until_stopped()
        return
    from bot.adapters.http import serve_http

    service.start()
    try:
        serve_http(service, extra_routes=http_routes(service))
    finally:
        service.stop()
