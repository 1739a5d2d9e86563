"""A subscriber's own page and feed: ``/me/<token>`` (their choices) and ``/me/<token>.ics``.

The token in the path is the credential (it is in every reminder they get). The form works
without JavaScript; a POST must carry a form key derived from that token and a secret kept in
the ledger (shared by replicas), and, when the browser sends ``Origin``, come from this host:
another site cannot change someone's reminders by making their browser post.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import secrets
from dataclasses import replace
from datetime import timedelta
from types import MappingProxyType
from typing import Any
from urllib.parse import parse_qs

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from bot.adapters.http import CALENDAR_TYPE, Feed, Web, from_mtime, not_modified, strong_etag
from bot.app import preferences as settings
from bot.core.ical import build_calendar
from bot.core.model import KINDS, Event
from bot.core.preferences import DIGESTS, Preferences, check_leads, describe
from bot.core.schedule import format_duration
from bot.core.zones import parse_zone
from bot.errors import DuebotError

MAX_FORM = 16 * 1024
_SECRET_NAME = "preferences_form_secret"
PAGE_POLICY = ("default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self'; "
               "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


class MyPage:
    """The handlers; they share the dates page's snapshot and feed validators."""

    def __init__(self, web: Web) -> None:
        self.web = web
        self._secret: bytes | None = None

    def routes(self) -> list[BaseRoute]:
        return [Route("/me/{token}.ics", self.feed, name="my_feed"),
                Route("/me/{token}", self.page, methods=["GET", "POST"], name="my_page")]

    def _form_key(self, token: str) -> str:
        if self._secret is None:
            ledger = self.web.service.ledger
            stored = ledger.get_meta(_SECRET_NAME)
            if stored is None:
                ledger.set_meta(_SECRET_NAME, secrets.token_hex(32))
                stored = ledger.get_meta(_SECRET_NAME) or ""
            self._secret = stored.encode()
        return hmac.new(self._secret, f"prefs:{token}".encode(), hashlib.sha256).hexdigest()

    def _who(self, token: str) -> tuple[Event, dict[str, Any]] | None:
        row = self.web.service.ledger.subscriber(token)
        if row is None or row["state"] != "active":
            return None
        event = self.web.service.events().get(str(row["event_id"]))
        return None if event is None else (event, row)

    async def feed(self, request: Request) -> Response:
        """Their dates only, with VALARMs at their own lead times (Apple, Thunderbird)."""
        await self.web.fresh()
        token = str(request.path_params["token"])
        found = await run_in_threadpool(self._who, token)
        if found is None:
            return PlainTextResponse("unknown or inactive subscription\n", status_code=404)
        event, row = found
        _, prefs = settings.current(self.web.service.ledger, event.id, str(row["destination"]))
        mine = _only_theirs(event, prefs)
        leads = _feed_leads(prefs, event)
        _, mtimes = self.web.snapshot()
        changed = max(from_mtime(mtimes.get(event.id, 0.0)),
                      row["updated_at"].replace(microsecond=0))
        # DTSTAMP: when their dates or their settings last changed, never the clock.
        body = build_calendar([mine], alarms=leads, name=f"{event.name} (your dates)",
                              stamp=changed)
        feed = Feed(body=body, etag=strong_etag(body), last_modified=changed,
                    filename=f"{event.id}-mine.ics")
        headers = {**feed.headers(), "Cache-Control": "private, max-age=3600"}
        if not_modified(feed, request.headers.get("if-none-match"),
                        request.headers.get("if-modified-since")):
            return Response(status_code=304, headers=headers)
        return Response(body, media_type=CALENDAR_TYPE, headers=headers)

    async def page(self, request: Request) -> Response:
        await self.web.fresh()
        token = str(request.path_params["token"])
        found = await run_in_threadpool(self._who, token)
        if found is None:
            return _html("Link not valid", "<p>This settings link is unknown, or the "
                         "subscription was cancelled. Write \"subscribe\" to subscribe "
                         "again.</p>", 404)
        event, row = found
        destination = str(row["destination"])
        message = ""
        if request.method == "POST":
            problem = self._refused(request)
            body = await request.body()
            if len(body) > MAX_FORM:
                return _html("Too much", "<p>That form was too large.</p>", 413)
            form = {k: v for k, v in parse_qs(body.decode("utf-8", "replace"),
                                              keep_blank_values=True).items()}
            if problem is None and not hmac.compare_digest(
                    (form.get("form_key") or [""])[0], self._form_key(token)):
                problem = "the form is out of date or did not come from this page"
            if problem is not None:
                return _html("Not changed", f"<p>Not changed: {html.escape(problem)}. "
                             f"<a href=\"/me/{html.escape(token)}\">Open the page again"
                             "</a>.</p>", 403)
            try:
                prefs = _from_form(form, event)
            except (ValueError, DuebotError) as exc:
                message = f"Not saved: {exc}"
            else:
                now = self.web.service.clock()
                await run_in_threadpool(settings.save, self.web.service, event, destination,
                                        prefs, now)
                message = "Saved. Unsent reminders follow your new choices."
        _, prefs = await run_in_threadpool(settings.current, self.web.service.ledger, event.id,
                                           destination)
        return _html(f"Your reminders: {event.name}",
                     _form(event, prefs, token, self._form_key(token), message,
                           self.web.base_url(request)))

    def _refused(self, request: Request) -> str | None:
        origin = request.headers.get("origin")
        if origin is None or origin == "null":
            return None if origin is None else "the request came from no page"
        base = self.web.base_url(request)
        own = {base.rstrip("/"), f"{request.url.scheme}://{request.url.netloc}"}
        return None if origin.rstrip("/") in own else f"the request came from {origin}"


def _only_theirs(event: Event, prefs: Preferences) -> Event:
    return replace(event, dates=tuple(d for d in event.dates if prefs.wants(d)))


def _feed_leads(prefs: Preferences, event: Event) -> tuple[timedelta, ...]:
    """Alarms for the feed: their own lead times for every date (at most five, longest first)."""
    leads: set[timedelta] = set()
    for values in prefs.leads.values():
        leads.update(values)
    if not leads:
        for when in event.dates:
            if prefs.wants(when):
                leads.update(event.policy.leads_for(when))
    return tuple(sorted(leads, reverse=True))[:5]


def _from_form(form: dict[str, list[str]], event: Event) -> Preferences:
    kinds = [k for k in form.get("kind", []) if k in KINDS]
    dates = [d for d in form.get("date", []) if any(w.id == d for w in event.dates)]
    lead_text = (form.get("leads") or [""])[0].strip()
    leads = {"*": check_leads([p for p in lead_text.replace(",", " ").split() if p],
                              where="lead times")} if lead_text else {}
    zone = (form.get("zone") or [""])[0].strip() or None
    if zone is not None:
        zone = parse_zone(zone).key
    language = (form.get("language") or [""])[0] or None
    if language not in (None, "en", "zh"):
        raise ValueError(f"unknown language {language!r}")
    digest = (form.get("digest") or [""])[0] or None
    if digest is not None and digest not in DIGESTS:
        raise ValueError(f"unknown digest {digest!r}")
    every_kind = not kinds or set(kinds) == set(KINDS)
    every_date = not dates or len(dates) == len(event.dates)
    return Preferences(kinds=None if every_kind else frozenset(kinds),
                       dates=None if every_date else frozenset(dates),
                       leads=MappingProxyType(leads), zone=zone, language=language,
                       digest=digest)


def _form(event: Event, prefs: Preferences, token: str, form_key: str, message: str,
          base: str) -> str:
    e = html.escape
    rows = []
    for when in event.in_order():
        checked = " checked" if prefs.dates is None or when.id in prefs.dates else ""
        rows.append(f"<label><input type=\"checkbox\" name=\"date\" value=\"{e(when.id)}\""
                    f"{checked}> {e(when.title)}</label><br>")
    kinds = "".join(
        f"<label><input type=\"checkbox\" name=\"kind\" value=\"{k}\""
        f"{' checked' if prefs.kinds is None or k in prefs.kinds else ''}> {k}</label> "
        for k in KINDS)
    leads = " ".join(format_duration(x) for x in prefs.leads.get("*", ()))
    digest = "".join(
        f"<option value=\"{v}\"{' selected' if prefs.digest == v else ''}>{label}</option>"
        for v, label in (("", "single reminders"), ("weekly", "a weekly digest (Mondays)"),
                         ("next7", "each morning, the next 7 days")))
    language = "".join(
        f"<option value=\"{v}\"{' selected' if (prefs.language or '') == v else ''}>{label}"
        "</option>" for v, label in (("", "English"), ("zh", "中文 (Chinese)")))
    summary = "".join(f"<li>{e(line)}</li>" for line in describe(event, prefs))
    note = f"<p role=\"status\"><strong>{e(message)}</strong></p>" if message else ""
    return (
        f"{note}<ul>{summary}</ul>"
        f"<form method=\"post\" action=\"/me/{e(token)}\">"
        f"<input type=\"hidden\" name=\"form_key\" value=\"{e(form_key)}\">"
        f"<fieldset><legend>Which dates</legend>{''.join(rows)}</fieldset>"
        f"<fieldset><legend>Which kinds</legend>{kinds}</fieldset>"
        "<fieldset><legend>How long before</legend><label>Lead times (e.g. <code>2d 1h</code>; "
        f"empty: as the organizers planned) <input name=\"leads\" value=\"{e(leads)}\"></label>"
        "</fieldset>"
        "<fieldset><legend>Time zone and language</legend><label>Zone (e.g. Asia/Shanghai, "
        f"Europe/Paris) <input name=\"zone\" value=\"{e(prefs.zone or '')}\"></label><br>"
        f"<label>Language <select name=\"language\">{language}</select></label></fieldset>"
        f"<fieldset><legend>Digest</legend><select name=\"digest\">{digest}</select>"
        "</fieldset><p><button type=\"submit\">Save</button></p></form>"
        f"<p>Your calendar feed with these choices and alarms: "
        f"<a href=\"{e(base)}/me/{e(token)}.ics\">{e(base)}/me/{e(token)}.ics</a></p>"
        f"<p><a href=\"/unsubscribe/{e(token)}\">Stop all reminders</a></p>")


def _html(title: str, body: str, status: int = 200) -> HTMLResponse:
    page = ("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<meta name=\"robots\" content=\"noindex\"><title>{html.escape(title)}</title>"
            "</head><body style=\"font-family: system-ui, sans-serif; max-width: 40em; "
            f"margin: 2em auto; padding: 0 1em\"><h1>{html.escape(title)}</h1>{body}"
            "</body></html>\n")
    return HTMLResponse(page, status_code=status, headers={
        "Cache-Control": "no-store", "Content-Security-Policy": PAGE_POLICY,
        "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"})


__all__ = ["MyPage"]
