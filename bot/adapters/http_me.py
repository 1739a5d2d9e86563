"""A subscriber's own page and feed: ``/me/<token>`` (their choices) and ``/me/<token>.ics``.

The token in the path is the credential (it is in every reminder they get). The page
(``templates/web/me.html.j2``) is in the language they chose, else the first one their
browser asks for that duebot speaks, else English. The form works without JavaScript; a POST
must carry a form key derived from that token and a secret kept in the ledger (shared by
replicas), and, when the browser sends ``Origin``, come from this host: another site cannot
change someone's reminders by making their browser post.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import replace
from datetime import timedelta
from types import MappingProxyType
from typing import Any
from urllib.parse import parse_qs

import jinja2
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from bot.adapters.http import CALENDAR_TYPE, Feed, Web, from_mtime, not_modified, strong_etag
from bot.app import preferences as settings
from bot.core.ical import build_calendar
from bot.core.language import N_, NAMES, Language
from bot.core.model import KINDS, Event
from bot.core.preferences import (
    DIGESTS,
    Preferences,
    check_leads,
    check_zone,
    describe,
    reason_in,
)
from bot.core.render import filters_for
from bot.core.schedule import format_duration
from bot.errors import DuebotError

MAX_FORM = 16 * 1024
TEMPLATE = "me.html.j2"
REFERRER_POLICY = "same-origin"
"""The page's address (with its token) goes to no other site; not ``no-referrer``, under which
browsers send ``Origin: null`` with the form's own POST and every save was refused."""
_SECRET_NAME = "preferences_form_secret"
PAGE_POLICY = ("default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self'; "
               "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


class MyPage:
    """The handlers; they share the dates page's snapshot and feed validators."""

    def __init__(self, web: Web) -> None:
        self.web = web
        self._secret: bytes | None = None
        self._envs: dict[str, jinja2.Environment] = {}

    def routes(self) -> list[BaseRoute]:
        return [Route("/me/{token}.ics", self.feed, name="my_feed"),
                Route("/me/{token}", self.page, methods=["GET", "POST"], name="my_page")]

    def _form_key(self, token: str) -> str:
        if self._secret is None:
            ledger = self.web.service.ledger
            stored = ledger.get_meta(_SECRET_NAME)
            if stored is None:  # the first page load: the first secret written is everyone's
                stored = ledger.setdefault_meta(_SECRET_NAME, secrets.token_hex(32))
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
        # Last-Modified: when their dates or their settings last changed, never the clock;
        # the bytes (DTSTAMP included) depend only on their dates, so any replica's ETag matches.
        name = settings.speaking(self.web.service, prefs.language).gettext(
            "%(event)s (your dates)") % {"event": event.name}  # their language, not the app's
        body = build_calendar([mine], alarms=leads, name=name)
        feed = Feed(body=body, etag=strong_etag(body), last_modified=changed,
                    filename=f"{event.id}-mine.ics", public=False)
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
            lang = self._language(request, None)
            return self._html(lang, lang.gettext("Link not valid"), note=lang.gettext(
                "This settings link is unknown, or the subscription was cancelled. Write "
                "\"subscribe\" to subscribe again."), status=404)
        event, row = found
        destination = str(row["destination"])
        _, prefs = await run_in_threadpool(settings.current, self.web.service.ledger, event.id,
                                           destination)
        lang = self._language(request, prefs.language)
        message = ""
        if request.method == "POST":
            problem = self._refused(request)
            body = await request.body()
            if len(body) > MAX_FORM:
                return self._html(lang, lang.gettext("Too much"),
                                  note=lang.gettext("That form was too large."), status=413)
            form = {k: v for k, v in parse_qs(body.decode("utf-8", "replace"),
                                              keep_blank_values=True).items()}
            if problem is None and not hmac.compare_digest(
                    (form.get("form_key") or [""])[0], self._form_key(token)):
                problem = (N_("the form is out of date or did not come from this page"), {})
            if problem is not None:
                why = lang.gettext(problem[0]) % problem[1]
                return self._html(lang, lang.gettext("Not changed"), note=lang.gettext(
                    "Not changed: %(why)s.") % {"why": why}, again=f"/me/{token}",
                    status=403)
            try:
                chosen = _from_form(form, event)
            except (ValueError, DuebotError) as exc:
                message = lang.gettext("Not saved: %(why)s") % {"why": reason_in(exc, lang)}
            else:
                now = self.web.service.clock()
                await run_in_threadpool(settings.save, self.web.service, event, destination,
                                        chosen, now)
                _, prefs = await run_in_threadpool(settings.current, self.web.service.ledger,
                                                   event.id, destination)
                lang = self._language(request, prefs.language)  # the new language, at once
                message = lang.gettext("Saved. Unsent reminders follow your new choices.")
        return self._html(lang, lang.gettext("Your reminders: %(event)s") % {
            "event": event.name}, note=message, form=_form(
                event, prefs, token, self._form_key(token), self.web.base_url(request), lang))

    def _language(self, request: Request, chosen: str | None) -> Language:
        """The subscriber's language; when they chose none, the first one their browser asks
        for that duebot speaks (``Accept-Language``); else English."""
        return settings.for_reader(self.web.service, chosen,
                                   request.headers.get("accept-language", ""))

    def _env(self, lang: Language) -> jinja2.Environment:
        """The page's templates with ``_()`` in ``lang``: one environment a language, built
        when first asked for, sharing the dates page's folder and settings."""
        env = self._envs.get(lang.code)
        if env is None:
            base = self.web.env
            env = jinja2.Environment(
                loader=base.loader, autoescape=True, undefined=jinja2.StrictUndefined,
                trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.i18n"])
            env.policies["ext.i18n.trimmed"] = True
            env.install_gettext_callables(  # type: ignore[attr-defined]
                lang.gettext, lang.ngettext, newstyle=True)
            env.filters.update(filters_for(lang))
            self._envs[lang.code] = env
        return env

    def _html(self, lang: Language, title: str, *, note: str = "", again: str = "",
              form: dict[str, Any] | None = None, status: int = 200) -> HTMLResponse:
        page = self._env(lang).get_template(TEMPLATE).render(
            lang_tag=lang.tag, title=title, note=note, again=again, form=form)
        return HTMLResponse(page, status_code=status, headers={
            "Cache-Control": "no-store", "Content-Security-Policy": PAGE_POLICY,
            "X-Content-Type-Options": "nosniff", "Referrer-Policy": REFERRER_POLICY,
            "Content-Language": lang.tag, "Vary": "Accept-Language"})

    def _refused(self, request: Request) -> tuple[str, dict[str, str]] | None:
        """Why a POST is refused (a catalog message and its values), or None."""
        origin = request.headers.get("origin")
        if origin is None or origin == "null":
            return None if origin is None else (N_("the request came from no page"), {})
        base = self.web.base_url(request)
        own = {base.rstrip("/"), f"{request.url.scheme}://{request.url.netloc}"}
        if origin.rstrip("/") in own:
            return None
        return N_("the request came from %(origin)s"), {"origin": origin}


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
        zone = check_zone(zone).key
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


def _form(event: Event, prefs: Preferences, token: str, form_key: str, base: str,
          lang: Language) -> dict[str, Any]:
    """What the page's form shows: the current choices, in ``lang``."""
    _ = lang.gettext
    kind_name = filters_for(lang)["kind_name"]
    return {
        "action": f"/me/{token}", "key": form_key,
        "summary": describe(event, prefs, lang),
        "dates": [{"id": when.id, "title": when.title,
                   "checked": prefs.dates is None or when.id in prefs.dates}
                  for when in event.in_order()],
        "kinds": [{"value": k, "label": kind_name(k),
                   "checked": prefs.kinds is None or k in prefs.kinds} for k in KINDS],
        "leads": " ".join(format_duration(x) for x in prefs.leads.get("*", ())),
        "zone": prefs.zone or "",
        "languages": [{"value": v, "label": label, "selected": (prefs.language or "") == v}
                      for v, label in (("", NAMES["en"]), ("zh", NAMES["zh"]))],
        "digests": [{"value": v, "label": label, "selected": (prefs.digest or "") == v}
                    for v, label in (("", _("single reminders")),
                                     ("weekly", _("a weekly digest (Mondays)")),
                                     ("next7", _("each morning, the next 7 days")))],
        "feed": f"{base}/me/{token}.ics",
        "unsubscribe": f"/unsubscribe/{token}",
    }


__all__ = ["MyPage"]
