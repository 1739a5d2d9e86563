"""The HTTP side of ``duebot run``: calendar feeds, the dates page, health and metrics.

One Starlette app (Slack's ``/slack/events`` and other parts add their routes to it) served by
uvicorn on ``[http] host:port``. The pages are built from ``bot.core.page`` (pure); this module only
translates requests into it and back.

Feed caching, as calendar clients see it:

* The bytes of each feed are built once per schedule change: the cache is keyed on the Event
  objects themselves, and ``Service.reload()`` swaps them only when a file changed.
* ``ETag`` is a strong validator: a hash of the bytes.
* ``Last-Modified`` comes from the data, not the clock: the modification time of the schedule
  file(s) the feed was built from, when those bytes were first built. Touching a file without
  changing the feed keeps it; a change within the same second still moves it forward (by one
  second), so ``If-Modified-Since`` never hides a change.
* The bytes hold nothing of this process: each entry's ``DTSTAMP`` is the date's revision
  (``bot.core.ical.revision_stamp``), never the clock or a file's time. Replicas serving the
  same schedules send the same ETag, so a client's ``If-None-Match`` gets its 304 from any of
  them (their ``Last-Modified`` may differ with the files' times; RFC 9110 lets the ETag
  decide).
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import math
import re
import threading
import time
from collections.abc import Callable, Generator, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from typing import Any

import anyio
import jinja2
import uvicorn
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.adapters.schedule_files import display_path
from bot.adapters.send_deadline import ANSWERING
from bot.app.preferences import for_reader
from bot.app.running import Running
from bot.core.digest import short_digest
from bot.core.ical import alarm_label, build_calendar, build_date_calendar, parse_alarms
from bot.core.language import Language, language_code
from bot.core.model import KINDS, Event
from bot.core.page import page_view
from bot.errors import StorageError, UsageError, suggest
from bot.ports import STATES

log = logging.getLogger("duebot")

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"
CALENDAR_TYPE = "text/calendar; charset=utf-8"
# Calendar clients poll on their own schedule (Google: hours); an hour of caching costs
# nothing they would notice, and revalidation is cheap (304).
FEED_CACHE_CONTROL = "public, max-age=3600"
# The page's countdowns are as of the request: always revalidate.
PAGE_CACHE_CONTROL = "no-cache"
# Everything the page needs is served by duebot itself: say so to the browser.
PAGE_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
               "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
# The feeds, the JSON and the Atom are public: a calendar or a page on another site (ical.js,
# FullCalendar) may read them from the browser, and revalidate with the validators.
CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "ETag, Last-Modified",
}
PREFLIGHT = {
    **CORS,
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "If-None-Match, If-Modified-Since",
    "Access-Control-Max-Age": "86400",
}
RECHECK_SECONDS = 1.0
HEALTH_DB_TIMEOUT = 3.0
# Request bodies are refused beyond these sizes before they are read (an unsigned 300 MB
# POST to /slack/events once took 300 MB of memory before its 401). Slack's events, commands
# and button clicks are a few kB (a click carries the message's blocks: 50 x 3000 characters
# at most); the one-click unsubscribe body is one form field, the /me form a few.
BODY_LIMIT = 16 * 1024
BODY_LIMITS: tuple[tuple[str, int], ...] = (
    ("/slack/", 512 * 1024),
    # Chat webhooks carry one message: Zulip's 10,000 and Mattermost's 16,383 characters,
    # JSON-escaped (up to 6 bytes each), plus the envelope.
    ("/zulip/", 256 * 1024), ("/mattermost", 256 * 1024), ("/discord/", 256 * 1024),
)
"""(path prefix, limit in bytes): larger limits for the routes that need them."""
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"})
"""Methods counted by name in ``/metrics``; any other is counted as ``other``."""


def web_templates_dir() -> Path:
    """The dates page's templates: the shipped ones, wherever duebot runs from."""
    from bot.adapters.template_files import SHIPPED_TEMPLATES, WEB_DIR

    return SHIPPED_TEMPLATES / WEB_DIR


# -- the host links point to ------------------------------------------------------------------


class UnknownHost(Exception):
    """A request named a host that is not ours, and ``[http] base_url`` is not set."""


LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
WILDCARD_HOSTS = frozenset({"", "0.0.0.0", "::"})


def known_host(name: str, configured: str, server: object) -> bool:
    """``name`` (the request's Host, without port) is loopback, the configured ``[http] host``
    (unless that is a wildcard) or the address the connection arrived on."""
    name = name.strip("[]").lower().rstrip(".")
    if name in LOOPBACK_NAMES or name.endswith(".localhost"):
        return True
    if configured.lower() not in WILDCARD_HOSTS and name == configured.strip("[]").lower():
        return True
    local = server[0] if isinstance(server, (tuple, list)) and server else None
    return isinstance(local, str) and name == local.lower()


async def _unknown_host(request: Request, exc: Exception) -> Response:
    """400 for any route whose links would carry a forged ``Host`` (an app exception handler)."""
    return PlainTextResponse(f"unknown host {str(exc)[:100]!r}: this server's links need "
                             f"[http] base_url (e.g. base_url = \"https://dates.example.org\")\n",
                             status_code=400)


# -- feeds -----------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Feed:
    """One calendar's bytes and the validators that let clients skip downloading them."""

    body: bytes
    etag: str
    last_modified: datetime
    filename: str
    public: bool = True
    """Readable from any origin (CORS): every feed but a subscriber's own."""

    def headers(self) -> dict[str, str]:
        return {
            "ETag": self.etag,
            "Last-Modified": http_date(self.last_modified),
            "Cache-Control": FEED_CACHE_CONTROL,
            "Content-Disposition": f'inline; filename="{self.filename}"',
            **(CORS if self.public else {}),
        }

    @functools.cached_property
    def answers(self) -> tuple[RawHeaders, RawHeaders]:
        """The encoded headers of the 200 and of the 304, as Starlette writes them: built
        once per feed, so that a request costs no header encoding (and the 304, no body)."""
        headers = self.headers()
        return (Response(self.body, media_type=CALENDAR_TYPE, headers=headers).raw_headers,
                Response(status_code=304, headers=headers).raw_headers)

    def answer(self, if_none_match: str | None, if_modified_since: str | None
               ) -> tuple[int, RawHeaders, bytes]:
        """Status, headers and body for a request with these validators."""
        full, unchanged = self.answers
        if not_modified(self, if_none_match, if_modified_since):
            return 304, unchanged, b""
        return 200, full, self.body


RawHeaders = list[tuple[bytes, bytes]]


class _Prebuilt(Response):
    """A response whose headers were encoded before (a cached feed's)."""

    def __init__(self, status_code: int, raw_headers: RawHeaders, body: bytes) -> None:
        self.status_code = status_code
        self.background = None
        self.body = body
        self.raw_headers = list(raw_headers)


def http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def strong_etag(body: bytes) -> str:
    return '"' + short_digest(body) + '"'


def from_mtime(mtime: float) -> datetime:
    """A file's mtime as an HTTP date can carry it: whole seconds, UTC."""
    return datetime.fromtimestamp(math.floor(max(mtime, 0.0)), UTC)


def not_modified(feed: Feed, if_none_match: str | None, if_modified_since: str | None) -> bool:
    """RFC 9110 13.2.2: ``If-None-Match`` decides when present; else ``If-Modified-Since``."""
    if if_none_match is not None:
        if if_none_match == feed.etag:  # what a calendar sends: the one tag it was given
            return True
        wanted = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in wanted or feed.etag in wanted
    if if_modified_since is not None:
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError, IndexError):
            return False  # an unreadable date is ignored, as the RFC says
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)  # HTTP dates are GMT by definition
        return feed.last_modified <= since
    return False


def parse_kinds(values: Sequence[str]) -> tuple[str, ...] | None:
    """``?kind=deadline&kind=event`` or ``?kind=deadline,event``; unknown kinds are errors."""
    wanted = [part.strip() for value in values for part in value.split(",") if part.strip()]
    if not wanted:
        return None
    for kind in wanted:
        if kind not in KINDS:
            raise UsageError(f"unknown kind {kind!r}{suggest(kind, KINDS)} in ?kind= "
                             f"(expected one of {', '.join(KINDS)}, e.g. ?kind=deadline)")
    return tuple(k for k in KINDS if k in wanted)  # one order, one cache entry


FeedKey = tuple[str, ...]


class FeedCache:
    """Feed bytes built once per schedule change, not per request.

    ``wall`` is the clock ``Last-Modified`` may not pass (RFC 9110 8.8.2.1: never later than
    the response's ``Date``): a schedule file with a time ahead of ours (copied from a machine
    whose clock runs fast, ``touch -d tomorrow``) is taken as modified now.
    """

    def __init__(self, wall: Callable[[], float] = time.time) -> None:
        self.wall = wall
        self._events: tuple[Event, ...] = ()
        self._feeds: dict[FeedKey, Feed] = {}
        self._before: dict[FeedKey, Feed] = {}
        self.builds = 0

    def get(self, events: Sequence[Event], key: FeedKey, build: Callable[[], bytes], *,
            modified: float, filename: str) -> Feed:
        """The feed for ``key``; ``build()`` makes its bytes."""
        current = tuple(events)
        if len(current) != len(self._events) or any(
                a is not b for a, b in zip(current, self._events, strict=True)):
            self._before.update(self._feeds)
            self._feeds = {}
            self._events = current
        feed = self._feeds.get(key)
        if feed is None:
            feed = self._make(key, build, modified, filename)
            self._feeds[key] = feed
        return feed

    def _make(self, key: FeedKey, build: Callable[[], bytes], modified: float,
              filename: str) -> Feed:
        self.builds += 1
        last_modified = from_mtime(min(modified, self.wall()))
        body = build()
        etag = strong_etag(body)
        before = self._before.get(key)
        if before is not None:
            if etag == before.etag:  # the same bytes: nothing was modified
                return Feed(body=body, etag=etag, last_modified=before.last_modified,
                            filename=filename)
            if last_modified <= before.last_modified:
                last_modified = before.last_modified + timedelta(seconds=1)
        return Feed(body=body, etag=etag, last_modified=last_modified, filename=filename)


# -- metrics ---------------------------------------------------------------------------------


class ServiceCollector(Collector):
    """Read at scrape time: the ledger's counts, the last reconcile, schedule problems."""

    def __init__(self, service: Running) -> None:
        self.service = service

    def collect(self) -> Iterable[Metric]:
        service = self.service
        up = GaugeMetricFamily("duebot_database_up", "1 when the ledger's database answers")
        deliveries = GaugeMetricFamily("duebot_deliveries", "Deliveries in the ledger, by state",
                                       labels=["state"])
        try:
            counts = service.ledger.counts()
        except StorageError as exc:
            log.error("metrics: database unreachable: %s", exc)
            up.add_metric([], 0)
        else:
            up.add_metric([], 1)
            for state in dict.fromkeys((*STATES, *counts)):
                deliveries.add_metric([state], counts.get(state, 0))
            yield deliveries
        yield up
        reconcile = GaugeMetricFamily("duebot_last_reconcile_timestamp_seconds",
                                      "When the ledger was last reconciled (Unix time)")
        last = service.health.last_reconcile
        reconcile.add_metric([], last.timestamp() if last is not None else 0)
        yield reconcile
        errors = GaugeMetricFamily("duebot_schedule_load_errors",
                                   "Problems in the newest version of each schedule file",
                                   labels=["schedule"])
        loaded = GaugeMetricFamily("duebot_schedule_loaded",
                                   "1 when a version of the schedule is being served",
                                   labels=["schedule"])
        for path, schedule in list(service.schedules.items()):
            name = display_path(path)
            errors.add_metric([name], len(schedule.problems))
            loaded.add_metric([name], 1 if schedule.event is not None else 0)
        yield errors
        yield loaded
        yield from job_metrics(service)


def job_metrics(service: Running) -> Iterable[Metric]:
    """One series per background job; the job names are fixed, so the labels are bounded."""
    up = GaugeMetricFamily("duebot_job_up", "1 while the background job's last run succeeded",
                           labels=["job"])
    crashes = CounterMetricFamily("duebot_job_crashes", "Background job runs that raised "
                                  "(each is restarted after a backoff)", labels=["job"])
    runs = CounterMetricFamily("duebot_job_runs", "Background job runs", labels=["job"])
    last_ok = GaugeMetricFamily("duebot_job_last_success_timestamp_seconds",
                                "When the background job last ran without error (Unix time)",
                                labels=["job"])
    for name, state in service.jobs.states().items():
        up.add_metric([name], 1 if state.up else 0)
        crashes.add_metric([name], state.crashes)
        runs.add_metric([name], state.runs)
        last_ok.add_metric([name], state.last_ok.timestamp() if state.last_ok else 0)
    yield from (up, crashes, runs, last_ok)


class RequestCounter:
    """ASGI middleware counting requests by route and status (a plain ASGI app: cheap)."""

    def __init__(self, app: ASGIApp, counter: Counter) -> None:
        self.app = app
        self.counter = counter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500

        async def send_counted(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_counted)
        finally:
            endpoint = scope.get("endpoint")
            route = getattr(endpoint, "__name__", None) or type(endpoint).__name__
            if endpoint is None:
                route = "unmatched"
            # Label values must be bounded: the method as sent is whatever a client invents.
            method = scope["method"] if scope["method"] in METHODS else "other"
            self.counter.labels(method, route, str(status)).inc()


class _TooLarge(Exception):
    """A request body grew past its limit while it was being received."""


def body_limit(path: str) -> int:
    """The largest request body ``path`` accepts, in bytes."""
    return next((limit for prefix, limit in BODY_LIMITS if path.startswith(prefix)),
                BODY_LIMIT)


class BodyLimit:
    """ASGI middleware: 413 for a body over the route's limit, before it is read.

    A ``Content-Length`` over the limit is refused at once (nothing is received); a chunked
    body is counted as it arrives and refused when it passes the limit.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = body_limit(str(scope.get("path", "")))
        declared = next((value for name, value in scope.get("headers", ())
                         if name == b"content-length"), None)
        if declared is not None and (not declared.strip().isdigit()
                                     or int(declared) > limit):
            await _too_large(send, limit)
            return
        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except _TooLarge:
            if not started:
                await _too_large(send, limit)


async def _too_large(send: Send, limit: int) -> None:
    body = f"request body too large (the limit here is {limit} bytes)\n".encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


# -- the app ---------------------------------------------------------------------------------


class Web:
    """The handlers, with what they share: the service, the feed cache, templates, metrics."""

    def __init__(self, service: Running, *, templates: Path | None = None,
                 recheck: float = RECHECK_SECONDS,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.service = service
        self.cache = FeedCache()
        self.recheck = recheck
        self.monotonic = monotonic
        self._checked = -math.inf
        self._snapshot: tuple[int, list[Event], dict[str, float]] | None = None
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(templates or web_templates_dir()),
            autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
            lstrip_blocks=True)
        self.registry = CollectorRegistry(auto_describe=True)
        self.registry.register(ServiceCollector(service))
        self.requests = Counter("duebot_http_requests", "HTTP requests answered",
                                ["method", "route", "status"], registry=None)
        self.fast_counts = FastCounts(self.requests)
        # Registered before the counter: a scrape adds the fast path's counts, then reads it.
        self.registry.register(self.fast_counts)
        self.registry.register(self.requests)

    # -- shared steps --------------------------------------------------------------------

    def due(self) -> bool:
        """Whether ``fresh()`` would look at the files now (at most once per ``recheck``)."""
        return self.monotonic() - self._checked >= self.recheck

    async def fresh(self) -> None:
        """Notice an edited schedule within a second, without waiting for the delivery poll."""
        now = self.monotonic()
        if now - self._checked < self.recheck:
            return
        self._checked = now
        if await run_in_threadpool(self.service.reload):
            self.service.wake()  # the delivery job reconciles the change now

    def snapshot(self) -> tuple[list[Event], dict[str, float]]:
        """The events being served and, for each, the mtime of the file it was read from.

        Walked once per schedule generation, not per request (1,000 schedules were a walk
        of 1,000 on every feed request). A file touched without a change keeps its old
        mtime here, as the feed cache would keep its Last-Modified anyway.
        """
        generation = self.service.generation  # read first: a reload after it bumps it
        held = self._snapshot
        if held is not None and held[0] == generation:
            return list(held[1]), dict(held[2])
        events: dict[str, Event] = {}
        mtimes: dict[str, float] = {}
        for schedule in list(self.service.schedules.values()):
            mtime, event = schedule.loaded_mtime, schedule.event
            if event is not None:
                events[event.id] = event
                mtimes[event.id] = mtime
        self._snapshot = (generation, list(events.values()), mtimes)
        return list(events.values()), dict(mtimes)

    def base_url(self, request: Request) -> str:
        """Where links point: ``[http] base_url``; without it, the request's own host only
        when it is one we know (else ``UnknownHost``: a forged ``Host`` must not end up in
        the links of a page a cache may keep)."""
        configured = self.service.config.http.base_url
        if configured:
            return configured.rstrip("/")
        if not known_host(request.url.hostname or "", self.service.config.http.host,
                          request.scope.get("server")):
            raise UnknownHost(request.headers.get("host", ""))
        return str(request.base_url).rstrip("/")

    def _feed_response(self, request: Request, feed: Feed) -> Response:
        return _Prebuilt(*feed.answer(request.headers.get("if-none-match"),
                                      request.headers.get("if-modified-since")))

    @staticmethod
    def _feed_options(request: Request) -> tuple[tuple[str, ...] | None, tuple[timedelta, ...]]:
        """``?kind=`` and ``?alarm=`` of a feed request; UsageError says what is wrong."""
        return (parse_kinds(request.query_params.getlist("kind")),
                parse_alarms(request.query_params.getlist("alarm")))

    def _source(self, path: str) -> str:
        base = self.service.config.http.base_url.rstrip("/")
        return f"{base}{path}" if base else ""

    # -- feeds ---------------------------------------------------------------------------

    async def calendar(self, request: Request) -> Response:
        if request.method == "OPTIONS":
            return Response(status_code=204, headers=PREFLIGHT)
        await self.fresh()
        try:
            kinds, alarms = self._feed_options(request)
        except UsageError as exc:
            return PlainTextResponse(f"{exc.problem.message}\n", status_code=400)
        return self._feed_response(request, self.calendar_feed(kinds, alarms))

    def calendar_feed(self, kinds: tuple[str, ...] | None, alarms: Sequence[timedelta]) -> Feed:
        """``/calendar.ics``: every event's dates (of ``kinds``), from the cache."""
        events, mtimes = self.snapshot()
        suffix = f"-{'-'.join(kinds)}" if kinds else ""
        return self.cache.get(
            events, ("all", *(kinds or ()), *_alarm_key(alarms)),
            lambda: build_calendar(events, kinds=kinds, url=self._source("/calendar.ics"),
                                   alarms=alarms),
            modified=max(mtimes.values(), default=0.0), filename=f"calendar{suffix}.ics")

    async def event_calendar(self, request: Request) -> Response:
        if request.method == "OPTIONS":
            return Response(status_code=204, headers=PREFLIGHT)
        await self.fresh()
        try:
            kinds, alarms = self._feed_options(request)
        except UsageError as exc:
            return PlainTextResponse(f"{exc.problem.message}\n", status_code=400)
        events, mtimes = self.snapshot()
        event = self._event(events, request.path_params["event_id"])
        if event is None:
            return self._no_event(events, request.path_params["event_id"])
        suffix = f"-{'-'.join(kinds)}" if kinds else ""
        feed = self.cache.get(
            events, ("event", event.id, *(kinds or ()), *_alarm_key(alarms)),
            lambda: build_calendar([event], kinds=kinds,
                                   url=self._source(f"/e/{event.id}.ics"), alarms=alarms),
            modified=mtimes[event.id], filename=f"{event.id}{suffix}.ics")
        return self._feed_response(request, feed)

    async def date_calendar(self, request: Request) -> Response:
        if request.method == "OPTIONS":
            return Response(status_code=204, headers=PREFLIGHT)
        await self.fresh()
        events, mtimes = self.snapshot()
        event = self._event(events, request.path_params["event_id"])
        if event is None:
            return self._no_event(events, request.path_params["event_id"])
        date_id = request.path_params["date_id"]
        try:
            when = event.date(date_id)
        except KeyError:
            known = ", ".join(d.id for d in event.dates)
            return PlainTextResponse(f"{event.id} has no date {date_id!r} (its dates: {known})\n",
                                     status_code=404)
        feed = self.cache.get(events, ("date", event.id, when.id),
                              lambda: build_date_calendar(event, when),
                              modified=mtimes[event.id], filename=f"{event.id}-{when.id}.ics")
        return self._feed_response(request, feed)

    @staticmethod
    def _event(events: Sequence[Event], event_id: str) -> Event | None:
        return next((e for e in events if e.id == event_id), None)

    @staticmethod
    def _no_event(events: Sequence[Event], event_id: str) -> Response:
        known = ", ".join(e.id for e in events) or "none loaded"
        return PlainTextResponse(f"no event {event_id!r} here (events: {known})\n",
                                 status_code=404)

    # -- pages ---------------------------------------------------------------------------

    def page_language(self, request: Request) -> Language:
        """The dates page's language: ``?lang=zh`` (or ``en``, ``zh-Hans``, ``Chinese``...),
        else the first one the browser's ``Accept-Language`` asks for that the templates'
        catalogs speak, else English."""
        asked = language_code(request.query_params.get("lang", ""))
        # The /me page's rule: one rule for both pages.
        return for_reader(self.service, asked, request.headers.get("accept-language", ""))

    async def _page(self, request: Request, events: Sequence[Event], *, status: int = 200
                    ) -> Response:
        now = await run_in_threadpool(self.service.clock)  # may ask the database's clock
        lang = self.page_language(request)
        view = page_view(events, now, self.base_url(request), lang)
        html = self.env.get_template("page.html.j2").render(page=view,
                                                            static=self.base_url(request)
                                                            + "/static")
        return HTMLResponse(html, status_code=status, headers={
            "Cache-Control": PAGE_CACHE_CONTROL, "Content-Security-Policy": PAGE_POLICY,
            "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
            "Content-Language": lang.tag, "Vary": "Accept-Language"})

    async def index(self, request: Request) -> Response:
        await self.fresh()
        events, _ = self.snapshot()
        return await self._page(request, events, status=200 if events else 503)

    async def event_page(self, request: Request) -> Response:
        await self.fresh()
        events, _ = self.snapshot()
        event = self._event(events, request.path_params["event_id"])
        if event is None:
            return self._no_event(events, request.path_params["event_id"])
        return await self._page(request, [event])

    # -- operations ----------------------------------------------------------------------

    async def database_state(self) -> str:
        try:
            with anyio.fail_after(HEALTH_DB_TIMEOUT):
                await anyio.to_thread.run_sync(self.service.ledger.ping, abandon_on_cancel=True)
        except TimeoutError:
            return f"unreachable: no answer within {HEALTH_DB_TIMEOUT:.0f}s"
        except StorageError as exc:
            return f"unreachable: {exc.detail[:200]}"
        return "ok"

    async def delivery_trouble(self) -> dict[str, Any] | None:
        """What is not going out (``delivery_state``), or None when the ledger does not
        answer in time (the database's own line then says so)."""
        try:
            with anyio.fail_after(HEALTH_DB_TIMEOUT):
                return await anyio.to_thread.run_sync(delivery_state, self.service,
                                                      abandon_on_cancel=True)
        except (TimeoutError, StorageError):
            return None

    async def healthz(self, request: Request) -> Response:
        await self.fresh()
        database = await self.database_state()
        deliveries = await self.delivery_trouble() if database == "ok" else None
        report = health_report(self.service, database, deliveries)
        status = 200 if report["ok"] else 503
        return Response(json.dumps(report, indent=2) + "\n", status_code=status,
                        media_type="application/json",
                        headers={"Cache-Control": "no-store"})

    async def metrics(self, request: Request) -> Response:
        await self.fresh()
        body = await run_in_threadpool(generate_latest, self.registry)
        return Response(body, media_type=CONTENT_TYPE_LATEST,
                        headers={"Cache-Control": "no-store"})

    def routes(self) -> list[BaseRoute]:
        from bot.adapters.http_me import MyPage  # these build on this module
        from bot.adapters.http_open_data import OpenData

        return [
            *OpenData(self).routes(),
            *MyPage(self).routes(),
            Route("/", self.index, name="index"),
            Route("/calendar.ics", self.calendar, methods=FEED_METHODS, name="calendar"),
            Route("/e/{event_id}/{date_id}.ics", self.date_calendar, methods=FEED_METHODS,
                  name="date_calendar"),
            Route("/e/{event_id}.ics", self.event_calendar, methods=FEED_METHODS,
                  name="event_calendar"),
            Route("/e/{event_id}", self.event_page, name="event_page"),
            Route("/healthz", self.healthz, name="healthz"),
            Route("/metrics", self.metrics, name="metrics"),
            Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static"),
        ]


FEED_METHODS = ["GET", "HEAD", "OPTIONS"]


def _alarm_key(alarms: Sequence[timedelta]) -> tuple[str, ...]:
    """Feed cache key parts for ``?alarm=``: one entry per set of lead times."""
    return tuple(f"alarm={alarm_label(lead)}" for lead in alarms)


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


FAST_METHODS = ("GET", "HEAD")
FAST_STATUSES = (200, 304)


class FastCounts(Collector):
    """The calendar fast path's requests, as plain integers bumped on the event loop and
    added to ``duebot_http_requests`` when the registry is read.

    A labelled prometheus counter takes a lock and four calls per ``inc()``: a sizeable part
    of a request that costs about what a bare ASGI app does. The counts only grow; a scrape
    (on any thread) adds what grew since the last one, under its own lock, so a request
    counted meanwhile is added by the next scrape, never lost nor added twice. Registered
    before the counter, so one scrape sees every request answered before it.
    """

    def __init__(self, counter: Counter) -> None:
        self.counter = counter
        self.counts = {(method, status): 0 for method in FAST_METHODS
                       for status in FAST_STATUSES}
        self._added = dict(self.counts)
        self._lock = threading.Lock()

    def describe(self) -> Iterable[Metric]:
        return ()  # it yields no metric of its own

    def collect(self) -> Iterable[Metric]:
        with self._lock:
            for key, count in list(self.counts.items()):
                grown = count - self._added[key]
                if grown:
                    method, status = key
                    self.counter.labels(method, "calendar", str(status)).inc(grown)
                    self._added[key] = count
        return ()


class CalendarFastPath:
    """In front of the app: a plain ``GET /calendar.ics``, the URL that every subscribed
    calendar polls, answered from the feed cache without the framework (routing, middleware,
    a request object), so that it costs about what a bare ASGI app does.

    The same feed, headers and validators as the ``calendar`` route, counted in ``/metrics``
    under that route; a query (``?kind=``, ``?alarm=``), another method or a request body
    goes the ordinary way, through the router and the body limit. The feed and its encoded
    answers are looked up once per schedule generation (``Service.reload`` bumps it), not
    per request; the files are looked at (``Web.fresh``) at most once a second, and a
    request between costs no coroutine for it.
    """

    def __init__(self, app: ASGIApp, web: Web) -> None:
        self.app = app
        self.web = web
        self.counts = web.fast_counts.counts
        self._held: tuple[int, Feed, RawHeaders, RawHeaders] | None = None

    def feed(self) -> Feed:
        return self._answers()[1]

    def _answers(self) -> tuple[int, Feed, RawHeaders, RawHeaders]:
        """The feed of this generation with its 200's and 304's headers, built once."""
        generation = self.web.service.generation  # read first: a reload after it bumps it
        held = self._held
        if held is None or held[0] != generation:
            feed = self.web.calendar_feed(None, ())
            held = self._held = (generation, feed, *feed.answers)
        return held

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] != "http" or scope["path"] != "/calendar.ics"
                or scope.get("query_string") or scope["method"] not in FAST_METHODS):
            await self.app(scope, receive, send)
            return
        if_none_match = if_modified_since = None
        for name, value in scope["headers"]:
            if name not in _FAST_HEADERS:
                continue
            if name == b"if-none-match":
                if if_none_match is None:
                    if_none_match = value.decode("latin-1")
            elif name == b"if-modified-since":
                if if_modified_since is None:
                    if_modified_since = value.decode("latin-1")
            else:
                await self.app(scope, receive, send)  # a body: the limit decides
                return
        web = self.web
        if web.due():
            await web.fresh()
        _, feed, full, unchanged = self._answers()
        if (if_none_match is None and if_modified_since is None) or not not_modified(
                feed, if_none_match, if_modified_since):
            status, headers, body = 200, full, feed.body
        else:
            status, headers, body = 304, unchanged, b""
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        self.counts[scope["method"], status] += 1


_FAST_HEADERS = frozenset({b"if-none-match", b"if-modified-since", b"content-length",
                           b"transfer-encoding"})
"""The request headers the fast path looks at: its validators, and those that say a body
comes (which the router's body limit decides on); one set lookup passes over the others."""


HEALTH_EXAMPLES = 3
"""Failing deliveries named on ``/healthz`` (the count says how many there are in all)."""
STUCK_AFTER = 900.0
"""Seconds a background job's run may last before ``/healthz`` calls it stuck: sends and
reads are cut at their deadlines, but a wait that is not (a name lookup, a lock) would hold
the run, and no new run of that job starts meanwhile."""


def delivery_state(service: Running) -> dict[str, Any]:
    """What is not going out, from the ledger (so every replica says the same): deliveries
    waiting to be retried (a mail server that hangs, stalls or answers 4xx), the first few with
    the server's words, those given up on, channels stopped until an operator acts, and
    platforms this process last found away or rate limiting (``unavailable``: a scheme, or one
    Apprise service, with its words, until it takes a message: ``bot.app.unavailable``)."""
    counts = service.ledger.counts()
    waiting = service.ledger.rows(states=["failed"], limit=HEALTH_EXAMPLES)
    return {
        "retrying": counts.get("failed", 0),
        "dead": counts.get("dead", 0),
        "errors": [f"{row.key}: {row.reason} (due {_iso(row.due)}, {row.attempts} "
                   f"attempt{'s' if row.attempts != 1 else ''}, next try "
                   f"{_iso(row.next_attempt)})" for row in waiting],
        "stopped_channels": dict(service.engine.stopped),
        "unavailable": service.engine.unavailable.snapshot(),
        "unavailable_since": {platform: _iso(since) for platform, since
                              in service.engine.unavailable.since().items()},
        "unavailable_next_try": {platform: _iso(then) for platform, then
                                 in service.engine.unavailable.next_tries().items()},
    }


def health_report(service: Running, database: str,
                  deliveries: dict[str, Any] | None = None, *,
                  monotonic: Callable[[], float] = time.monotonic) -> dict[str, Any]:
    """``ok`` (200) while the database answers, every schedule has a version served and no
    background job is down; otherwise 503. ``status`` adds ``degraded`` (still 200): a
    schedule serves its last good version, or fails at run time, and says why in ``errors``;
    or deliveries are waiting to be retried, or a channel stopped (``deliveries``: a mail
    server away is not cured by restarting duebot, so it is not a 503). It turns ``ok``
    again once the retries went out.
    """
    failing = dict(service.engine.failing)
    schedules = [{
        "path": display_path(path),
        "event": s.event.id if s.event is not None else None,
        "loaded": s.event is not None,
        "serving_last_good": s.event is not None and bool(s.problems),
        "errors": [str(p) for p in s.problems if p.severity == "error"] + (
            [f"{display_path(path)}: error: at run time: {failing[s.event.id]}"]
            if s.event is not None and s.event.id in failing else []),
    } for path, s in list(service.schedules.items())]
    now = monotonic()
    jobs = {name: {
        "up": state.up,
        "error": state.error or None,
        "crashes": state.crashes,
        "runs": state.runs,
        "last_ok": _iso(state.last_ok),
        "failing_since": _iso(state.failing_since),
        "next_try": _iso(state.next_try),
        "running_for_seconds": None if state.started is None else round(now - state.started, 1),
        "stuck": state.started is not None and now - state.started > STUCK_AFTER,
    } for name, state in service.jobs.states().items()}
    ok = (database == "ok" and bool(schedules) and all(s["loaded"] for s in schedules)
          and all(job["up"] for job in jobs.values()))
    degraded = any(s["errors"] for s in schedules) or any(
        job["stuck"] for job in jobs.values()) or bool(
        deliveries and (deliveries["retrying"] or deliveries["stopped_channels"]
                        or deliveries.get("unavailable")))
    return {
        "ok": ok,
        "status": "down" if not ok else "degraded" if degraded else "ok",
        "summary": summary(database, schedules, jobs, deliveries) + [
            f"at start-up, {note}." for note in service.health.startup],
        "database": database,
        "schedules": schedules,
        "jobs": jobs,
        "deliveries": deliveries,
        "startup": list(service.health.startup),
        "last_reconcile": _iso(service.health.last_reconcile),
        "last_delivery_run": _iso(service.health.last_delivery_run),
    }


def summary(database: str, schedules: list[dict[str, Any]], jobs: dict[str, dict[str, Any]],
            deliveries: dict[str, Any] | None) -> list[str]:
    """``/healthz``'s ``summary``: one sentence a problem for the operator woken at 3 am:
    what is wrong, since when, what duebot does about it, what is theirs to do. Empty when
    all is well; the fields beside it hold the same facts for a machine."""
    lines: list[str] = []
    if database != "ok":
        lines.append(f"database {database}. duebot tries again on its own (every few seconds, "
                     f"at most a minute apart) and loses nothing: what is due goes out once it "
                     f"answers. Check the database server and DUEBOT_DATABASE_URL.")
    for name, job in jobs.items():
        if job.get("stuck"):
            lines.append(f"background job {name!r} has been running for "
                         f"{int(job['running_for_seconds'] // 60)} minutes: something it waits "
                         f"on does not answer and is not cut at a deadline (a name lookup, a "
                         f"database lock). No new {name!r} run starts until it ends, so what "
                         f"it would do waits. The log's last lines of it say where; restarting "
                         f"duebot ends it (nothing is lost: the ledger keeps what is due).")
        if job["up"]:
            continue
        crashed = f", {job['crashes']} crash(es) since start" if job["crashes"] else ""
        lines.append(f"background job {name!r} failing since {job['failing_since'] or '?'}"
                     f"{crashed}: {job['error']}. duebot runs it again at "
                     f"{job['next_try'] or 'its next interval'} and keeps doing so."
                     + (" A crash is a bug: report it with the traceback from the log."
                        if job["crashes"] else ""))
    for entry in schedules:
        if not entry["loaded"]:
            first = entry["errors"][0] if entry["errors"] else "it could not be read"
            lines.append(f"{entry['path']} is not loaded: {first}. Its reminders wait (not "
                         f"sent, not cancelled). Fix the file and save it: duebot reads it "
                         f"again by itself.")
        elif entry["errors"]:
            first = entry["errors"][0]
            # An error of the file's own begins with FILE:LINE already: name the file once.
            where = "" if first.startswith(f"{entry['path']}:") else f"{entry['path']}: "
            lines.append(f"{where}{first}. The last good version is served and its reminders "
                         f"go out; fix the file and save it.")
    if not deliveries:
        return lines
    since, next_try = deliveries.get("unavailable_since", {}), deliveries.get(
        "unavailable_next_try", {})
    for platform, words in deliveries.get("unavailable", {}).items():
        if words.startswith(ANSWERING):
            lines.append(_answers_cut(platform, words, since.get(platform) or "?"))
            continue
        when = next_try.get(platform) or "the next pass"
        lines.append(f"{platform} {words.removesuffix('.')} (since {since.get(platform) or '?'})."
                     f" What waits on it is tried again at {when}, with no attempt used; duebot "
                     f"sends it once {platform} answers, and gives one up (dead, with why) only "
                     f"once its reminder no longer makes sense. Check {platform}'s server or "
                     f"status page.")
    for channel, reason in deliveries.get("stopped_channels", {}).items():
        lines.append(f"channel {channel} stopped: {reason}. Its deliveries wait (no attempt "
                     f"used) until an operator acts: fix the credentials or certificate, then "
                     f"restart duebot.")
    retrying = deliveries.get("retrying", 0)
    if retrying:
        first = deliveries["errors"][0] if deliveries.get("errors") else ""
        away = ", ".join(platform for platform, words
                         in deliveries.get("unavailable", {}).items()
                         if not words.startswith(ANSWERING))  # answers wait on nothing
        lines.append(f"{retrying} deliver{'ies' if retrying != 1 else 'y'} wait for their "
                     f"next try" + (f" (those waiting on {away} above among them)" if away
                                    else f" after a failure (e.g. {first})" if first else "")
                     + ": duebot retries each by itself. `duebot status` lists each with why.")
    return lines


_ANSWERS_CUT = re.compile(
    r"(?P<count>\d+) answers in a row cut at their deadline; the last: (?P<last>.*?)"
    r"(?:\. The participant may ask again; if this keeps happening, (?P<check>.*))?$", re.S)
_WITHIN = re.compile(r" within (\S+) s\b")


def _answers_cut(platform: str, words: str, since: str) -> str:
    """The summary of answers to participants cut in a row (``send_deadline.AnswerDeadline``):
    answers, not reminders (nothing waits to be tried again), the last one's words, what the
    participants and the operator can do."""
    found = _ANSWERS_CUT.match(words.removeprefix(ANSWERING))
    if found is None:  # words of another shape: said as they are
        return f"{platform}: {words.removesuffix('.')} (since {since})."
    seconds = _WITHIN.search(found["last"])
    check = found["check"] or f"check {platform}'s status page and the network path to it"
    return (f"{platform}: answers to participants are being cut at the send deadline "
            f"([delivery] send_deadline{', ' + seconds[1] + ' s' if seconds else ''}): "
            f"{found['count']} in a row since {since}. The last: "
            f"{found['last'].removesuffix('.')}. Those participants may have had no answer; "
            f"they can ask again. Reminders to {platform} are still sent as usual; this line "
            f"goes once {platform} takes one, or lapses when no answer is cut for a while. "
            f"{check[:1].upper()}{check[1:].removesuffix('.')}; if {platform} is only slow, "
            f"raise [delivery] send_deadline.")


def build_app(service: Running, *, extra_routes: Iterable[BaseRoute] = (),
              web: Web | None = None) -> ASGIApp:
    """The one ASGI app: duebot's own routes plus those of optional parts (Slack), behind
    the calendar's fast path."""
    web = web or Web(service)
    app = Starlette(routes=[*web.routes(), *extra_routes],
                    exception_handlers={UnknownHost: _unknown_host},
                    middleware=[Middleware(RequestCounter, counter=web.requests),
                                Middleware(BodyLimit)])
    app.state.web = web
    return CalendarFastPath(app, web)


class _Server(uvicorn.Server):
    """uvicorn that leaves SIGINT/SIGTERM to ``duebot run`` and stops with the service."""

    def __init__(self, config: uvicorn.Config, should_stop: Callable[[], bool]) -> None:
        super().__init__(config)
        self.should_stop = should_stop

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield  # cmd_run's handlers set the service's stop event; on_tick sees it

    async def on_tick(self, counter: int) -> bool:
        if self.should_stop():
            self.should_exit = True
        return await super().on_tick(counter)


def serve_http(service: Running, *, extra_routes: Iterable[BaseRoute] = ()) -> None:
    """Serve until the service's stop event is set (by SIGINT/SIGTERM in ``duebot run``)."""
    http = service.config.http
    config = uvicorn.Config(build_app(service, extra_routes=extra_routes), host=http.host,
                            port=http.port, log_config=None, access_log=False,
                            server_header=False, lifespan="on")
    server = _Server(config, service.stop_event.is_set)
    log.info("serving http://%s:%d/ (links use %s)", http.host, http.port, http.public_url)
    try:
        server.run()
    except SystemExit:
        raise UsageError(f"cannot serve HTTP on {http.host}:{http.port} (the reason is logged "
                         f"above); change [http] host/port or DUEBOT_HTTP_HOST/PORT") from None


__all__ = ["CalendarFastPath", "Feed", "FeedCache", "Web", "build_app", "delivery_state",
           "health_report",
           "not_modified", "parse_kinds", "serve_http"]
