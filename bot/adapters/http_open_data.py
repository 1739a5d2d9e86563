"""Open data over HTTP: the event as JSON, its changes as Atom, and an embeddable widget.

Other sites read these from their own origin, so JSON, Atom and the feeds carry CORS headers;
JSON and Atom have strong ETags and answer 304 like the calendar feed. The widget is one
``<script>`` (or an ``<iframe>``) served by duebot itself: no third-party CDN.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from bot.adapters.http import (
    CORS,
    PREFLIGHT,
    STATIC_DIR,
    Feed,
    Web,
    from_mtime,
    not_modified,
    strong_etag,
)
from bot.app import announce
from bot.core.model import Event
from bot.core.open_data import event_json
from bot.core.updates import Update, announcement_update, build_atom, date_changes
from bot.errors import DuebotError

log = logging.getLogger("duebot")

JSON_TYPE = "application/json; charset=utf-8"
ATOM_TYPE = "application/atom+xml; charset=utf-8"
# The widget's page may be framed by any site; it runs only duebot's own script.
WIDGET_POLICY = ("default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; "
                 "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors *")
_AUDITED = {"extend-date", "move-date", "cancel-date"}
_SEQUENCE = re.compile(r"\bsequence (\d+)\b")


class OpenData:
    """The handlers; they share the dates page's snapshot, cache and validators."""

    def __init__(self, web: Web) -> None:
        self.web = web

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/e/{event_id}.json", self.event_json, methods=["GET", "HEAD", "OPTIONS"],
                  name="event_json"),
            Route("/e/{event_id}/updates.atom", self.updates, methods=["GET", "HEAD", "OPTIONS"],
                  name="updates"),
            Route("/e/{event_id}/widget.js", self.widget_js, name="widget_js"),
            Route("/e/{event_id}/widget", self.widget_page, name="widget_page"),
        ]

    def _respond(self, request: Request, feed: Feed, media_type: str) -> Response:
        headers = {**feed.headers(), **CORS}
        if not_modified(feed, request.headers.get("if-none-match"),
                        request.headers.get("if-modified-since")):
            return Response(status_code=304, headers=headers)
        return Response(feed.body, media_type=media_type, headers=headers)

    async def _event(self, request: Request) -> tuple[Event | None, float, Response | None]:
        await self.web.fresh()
        events, mtimes = self.web.snapshot()
        event = self.web._event(events, request.path_params["event_id"])
        if event is None:
            missing = self.web._no_event(events, request.path_params["event_id"])
            missing.headers.update(CORS)
            return None, 0.0, missing
        return event, mtimes[event.id], None

    async def event_json(self, request: Request) -> Response:
        if request.method == "OPTIONS":
            return Response(status_code=204, headers=PREFLIGHT)
        event, mtime, missing = await self._event(request)
        if event is None:
            assert missing is not None
            return missing
        events, _ = self.web.snapshot()
        base = self.web.base_url(request)
        feed = self.web.cache.get(events, ("json", event.id, base),
                                  lambda: event_json(event, base_url=base),
                                  modified=mtime, filename=f"{event.id}.json")
        return self._respond(request, feed, JSON_TYPE)

    async def updates(self, request: Request) -> Response:
        if request.method == "OPTIONS":
            return Response(status_code=204, headers=PREFLIGHT)
        event, mtime, missing = await self._event(request)
        if event is None:
            assert missing is not None
            return missing
        base = self.web.base_url(request)
        try:
            body = await run_in_threadpool(self._atom, event, mtime, base)
        except DuebotError as exc:
            log.error("%s: updates feed: %s", event.id, exc)
            return PlainTextResponse("the updates feed is unavailable right now\n",
                                     status_code=503, headers={"Retry-After": "60", **CORS})
        # Built per request (it depends on the ledger and on now): cheap, and the ETag still
        # lets readers skip the download.
        feed = Feed(body=body, etag=strong_etag(body), last_modified=from_mtime(mtime),
                    filename=f"{event.id}-updates.atom")
        return self._respond(request, feed, ATOM_TYPE)

    def _atom(self, event: Event, mtime: float, base: str) -> bytes:
        service = self.web.service
        now = service.clock()
        # A change with no record (a hand edit) is dated when the file changed, never later
        # than now: an entry from the future would sort above everything for months.
        fallback = min(datetime.fromtimestamp(max(mtime, 0.0), UTC).replace(microsecond=0),
                       now.replace(microsecond=0))
        recorded: dict[str, datetime] = {}
        for entry in service.ledger.audit_entries(event.id, limit=500):
            if entry["action"] in _AUDITED:
                date_id = _audited_date(str(entry.get("detail") or ""), event)
                if date_id and date_id not in recorded:
                    recorded[date_id] = entry["at"]  # newest first: the current change
        updates: list[Update] = date_changes(event, recorded=recorded, fallback=fallback,
                                             base_url=base)
        updates.extend(self._announcements(event, now, base))
        return build_atom(event, updates, fallback=fallback,
                          feed_url=f"{base}/e/{event.id}/updates.atom",
                          page_url=f"{base}/e/{event.id}")

    def _announcements(self, event: Event, now: datetime, base: str) -> list[Update]:
        """Announcements whose time has come, in the organizers' words or their subject."""
        service = self.web.service
        out = []
        for listed in announce.list_announcements(service, include_cancelled=False):
            item = listed.announcement
            if listed.event_id != event.id or listed.due is None or listed.due > now:
                continue
            if item.template == announce.EXTENDED_TEMPLATE:
                continue  # the date change is its own entry
            title, text = _announcement_words(service, event, item, listed.due)
            out.append(announcement_update(event, item.id, title=title, text=text,
                                           sent=listed.due, base_url=base))
        return out

    async def widget_js(self, request: Request) -> Response:
        event, _, missing = await self._event(request)
        if event is None:
            assert missing is not None
            return missing
        return Response(_widget_script(), media_type="text/javascript; charset=utf-8",
                        headers={"Cache-Control": "public, max-age=3600", **CORS,
                                 "X-Content-Type-Options": "nosniff"})

    async def widget_page(self, request: Request) -> Response:
        event, _, missing = await self._event(request)
        if event is None:
            assert missing is not None
            return missing
        html = (
            "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            "<title>Next deadline</title></head>\n<body style=\"margin:0\">\n"
            f"<script src=\"{self.web.base_url(request)}/e/{event.id}/widget.js\"></script>\n"
            "</body></html>\n")
        return HTMLResponse(html, headers={"Content-Security-Policy": WIDGET_POLICY,
                                           "Cache-Control": "no-cache",
                                           "X-Content-Type-Options": "nosniff"})


def _audited_date(detail: str, event: Event) -> str:
    """The date an extend/cancel audit line records, if it is the date's current change.

    The line reads ``<date>: at OLD -> NEW (extend); sequence N; ...`` (``bot.app.extend``); an
    older sequence is an earlier change, whose time is not this entry's.
    """
    date_id, _, rest = detail.partition(":")
    try:
        when = event.date(date_id.strip())
    except KeyError:
        return ""
    sequence = _SEQUENCE.search(rest)
    return when.id if sequence and int(sequence[1]) == when.sequence else ""


def _announcement_words(service: Any, event: Event, item: Any, due: datetime
                        ) -> tuple[str, str]:
    if item.text:
        first = item.text.strip().splitlines()[0] if item.text.strip() else "Announcement"
        return (first[:80], item.text)
    try:
        message = announce.render(service.engine.renderer, event, item, when=due)
    except (DuebotError, ValueError) as exc:
        log.error("%s: announcement %r not shown in the updates feed: %s", event.id, item.id,
                  exc)
        return ("Announcement", "")
    return (message.subject, message.text)


_WIDGET: str | None = None


def _widget_script() -> str:
    global _WIDGET
    if _WIDGET is None:
        _WIDGET = (STATIC_DIR / "widget.js").read_text(encoding="utf-8")
    return _WIDGET


__all__ = ["OpenData"]
