"""The dates page as values: events and ``now`` in, everything the page shows out.

Pure (no I/O, no clock): the web edge renders these views with Jinja2 and a test can check
every countdown and link without a server. Times are given in each date's own zone (what the
page shows without JavaScript) and as UTC instants (what the browser turns into the viewer's
zone and a live countdown).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from urllib.parse import quote

from bot.core.links import safe_link
from bot.core.model import Event, ImportantDate, check_aware
from bot.core.timefmt import (
    calendar_delta,
    caption_beside,
    countdown,
    date_instant,
    describe,
    format_day,
    format_instant,
    zone_caption,
)
from bot.core.zones import UTC_ZONE

LABELS = {
    "deadline": "Deadline",
    "notification": "Notification",
    "camera-ready": "Camera-ready deadline",
    "event": "Event",
    "other": "Date",
}
# What "the next deadline" means: the next date someone has to hand something in by.
DEADLINE_KINDS = ("deadline", "camera-ready")


def utc_text(instant: datetime) -> str:
    """``2017-09-11T06:59:00Z``: the ``<time datetime>`` form, read alike by every browser."""
    return check_aware(instant).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, kw_only=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True, kw_only=True)
class FeedLinks:
    """One calendar feed, the ways people add it: download, subscribe, Google."""

    ics: str
    webcal: str
    google: str


@dataclass(frozen=True, kw_only=True)
class DateView:
    id: str
    title: str
    kind: str
    label: str
    all_day: bool
    start_utc: str
    """When the countdown ends: the instant, or the first instant of an all-day date."""
    end_utc: str
    """When the date is over (the same as ``start_utc`` for a deadline)."""
    is_range: bool
    event_text: str
    """``Sunday 10 September 2017, 23:59 PDT``, or the day(s) for all-day dates."""
    zone_caption: str
    """``America/Los_Angeles, UTC-07:00``; "" where it would repeat ``event_text``'s
    abbreviation (a date given in UTC or a fixed offset)."""
    zone_key: str
    calendar_zone: str = ""
    """The IANA zone whose calendar the live countdown counts days on ("" for a fixed offset:
    there days are 24 hours), as ``timefmt.calendar_delta`` does."""
    day_end: bool = False
    """The time was written "24:00": duebot.js says a viewer's 00:00 as the day's 24:00."""
    relation: str
    """``9 days 18 hours from now`` / ``passed 3 days ago``, as of ``now``."""
    passed: bool
    cancelled: bool
    extended: str
    description: str
    ics: str
    is_next: bool = False


@dataclass(frozen=True, kw_only=True)
class FaqView:
    """One organizer FAQ entry as the page shows it: the same text ``ask`` answers with."""

    id: str
    question: str
    answer: str
    translations: tuple[tuple[str, str], ...]
    """(language code, answer) pairs, e.g. ("zh", "..."), shown under the answer."""


@dataclass(frozen=True, kw_only=True)
class EventView:
    id: str
    name: str
    description: str
    url: str
    location: str
    zone_caption: str
    dates: tuple[DateView, ...]
    next_date: DateView | None
    next_label: str
    logistics: tuple[tuple[str, str, str], ...]
    """(what, text, link): how to submit, format, template, page limit, anonymized, notes."""
    contact_name: str
    contact: tuple[Link, ...]
    faq: tuple[FaqView, ...]
    page: str
    feed: FeedLinks
    deadlines_feed: FeedLinks


@dataclass(frozen=True, kw_only=True)
class PageView:
    title: str
    now_utc: str
    now_text: str
    events: tuple[EventView, ...]
    feed: FeedLinks
    single: bool


def feed_links(url: str) -> FeedLinks:
    """``https://host/x.ics`` as ``webcal://host/x.ics`` and Google's "add by URL" link."""
    scheme, sep, rest = url.partition("://")
    webcal = f"webcal://{rest}" if sep and scheme in ("http", "https") else url
    google = "https://calendar.google.com/calendar/r?cid=" + quote(webcal, safe="")
    return FeedLinks(ics=url, webcal=webcal, google=google)


def _calendar_zone(when: ImportantDate) -> str:
    """The IANA name of the rules ``when``'s zone follows; "" for a fixed offset."""
    zone = when.zone
    if zone.is_fixed:
        return ""
    return (zone.region or "") if zone.kind == "region" else zone.key


def date_view(event: Event, when: ImportantDate, now: datetime, base_url: str) -> DateView:
    now = check_aware(now)
    described = describe(when, now)
    if when.at is not None:
        text = date_instant(when, when.at, when.zone)
        if when.end is not None and when.end != when.at:
            text = f"{text} to {date_instant(when, when.end, when.zone)}"
        caption = caption_beside(when.zone, when.at)
    else:
        assert when.day is not None
        text = format_day(when.day)
        if when.end_day is not None and when.end_day != when.day:
            text = f"{text} to {format_day(when.end_day)}"
        text = f"{text} (all day)"
        caption = zone_caption(when.zone, when.starts)
    if when.extended_from is not None:
        extended = f"Extended from {date_instant(when, when.extended_from, when.zone)}"
    elif when.extended_from_day is not None:
        extended = f"Extended from {format_day(when.extended_from_day)}"
    elif when.extended:
        extended = "Extended"
    else:
        extended = ""
    relation = described.relation
    if described.passed and when.at is not None:
        # timefmt.relative says "from now" at the very instant; the page says passed, as it
        # strikes the date through from that instant on.
        relation = f"passed {countdown(calendar_delta(now, when.at, when.zone))} ago"
    is_range = (when.end is not None and when.end != when.at) or (
        when.end_day is not None and when.end_day != when.day)
    return DateView(
        id=when.id, title=when.title, kind=when.kind, label=LABELS.get(when.kind, "Date"),
        all_day=when.all_day, start_utc=utc_text(when.starts), end_utc=utc_text(when.ends),
        day_end=when.is_day_end(when.at),
        is_range=is_range, event_text=text, zone_caption=caption, zone_key=when.zone.key,
        calendar_zone=_calendar_zone(when),
        relation="cancelled" if when.cancelled else relation,
        passed=described.passed, cancelled=when.cancelled, extended=extended,
        description=when.description, ics=f"{base_url}/e/{event.id}/{when.id}.ics")


def _logistics(event: Event) -> tuple[tuple[str, str, str], ...]:
    sub = event.submission
    rows: list[tuple[str, str, str]] = []
    # Organizer URLs become links only when safe (http, https, mailto), as in the mails.
    if sub.system or sub.url:
        rows.append(("Submit via", sub.system or sub.url, safe_link(sub.url)))
    if sub.format:
        rows.append(("Format", sub.format, ""))
    if sub.template or sub.template_url:
        rows.append(("Template", sub.template or sub.template_url,
                     safe_link(sub.template_url)))
    if sub.page_limit is not None:
        pages = f"{sub.page_limit} page{'s' if sub.page_limit != 1 else ''}"
        rows.append(("Page limit", f"{pages} ({sub.page_limit_note})" if sub.page_limit_note
                     else pages, ""))
    elif sub.page_limit_note:
        rows.append(("Page limit", sub.page_limit_note, ""))
    if sub.anonymized is not None:
        rows.append(("Anonymized", "yes: leave the authors' names out" if sub.anonymized
                     else "no: put the authors' names on the submission", ""))
    if sub.notes:
        rows.append(("Notes", sub.notes, ""))
    return tuple(rows)


def _contact(event: Event) -> tuple[Link, ...]:
    contact = event.contact
    links: list[Link] = []
    if contact.email:
        links.append(Link(label=contact.email, url=f"mailto:{contact.email}"))
    if safe_link(contact.url):
        links.append(Link(label=contact.url, url=safe_link(contact.url)))
    return tuple(links)


def event_view(event: Event, now: datetime, base_url: str) -> EventView:
    """One event's dates in order, the next one to act on marked, logistics and feed links."""
    now = check_aware(now)
    views = [date_view(event, when, now, base_url) for when in event.in_order()]
    live = [v for v in views if not v.passed and not v.cancelled]
    upcoming_deadlines = [v for v in live if v.kind in DEADLINE_KINDS]
    chosen = upcoming_deadlines[0] if upcoming_deadlines else (live[0] if live else None)
    label = "Next deadline" if upcoming_deadlines else "Next date"
    dates = tuple(replace(v, is_next=True) if v is chosen else v for v in views)
    chosen_view = next((v for v in dates if v.is_next), None)
    feed = f"{base_url}/e/{event.id}.ics"
    return EventView(
        id=event.id, name=event.name, description=event.description, url=safe_link(event.url),
        location=event.location, zone_caption=event.zone.name, dates=dates,
        next_date=chosen_view, next_label=label, logistics=_logistics(event),
        contact_name=event.contact.name, contact=_contact(event),
        faq=tuple(FaqView(id=f.id, question=f.phrasings[0] if f.phrasings else f.id,
                          answer=f.answer, translations=tuple(sorted(f.translations.items())))
                  for f in event.faq),
        page=f"{base_url}/e/{event.id}", feed=feed_links(feed),
        deadlines_feed=feed_links(f"{feed}?kind={','.join(DEADLINE_KINDS)}"))


def page_view(events: Sequence[Event], now: datetime, base_url: str) -> PageView:
    """The page for ``events`` (the index with all of them, or one event's own page)."""
    now = check_aware(now)
    base_url = base_url.rstrip("/")
    views = tuple(event_view(e, now, base_url) for e in events)
    single = len(views) == 1
    if single:
        feed = views[0].feed
        title = f"{views[0].name}: important dates"
    else:
        feed = feed_links(f"{base_url}/calendar.ics")
        title = "Important dates"
    return PageView(title=title, now_utc=utc_text(now),
                    now_text=format_instant(now, UTC_ZONE), events=views, feed=feed,
                    single=single)


__all__ = ["DateView", "EventView", "FaqView", "FeedLinks", "PageView", "event_view", "feed_links",
           "page_view", "utc_text"]
