"""The dates page as values: events and ``now`` in, everything the page shows out.

Pure (no I/O, no clock): the web edge renders these views with Jinja2 and a test can check
every countdown and link without a server. Times are given in each date's own zone (what the
page shows without JavaScript) and as UTC instants (what the browser turns into the viewer's
zone and a live countdown).

In the reader's language (a ``Language``: English, or Chinese from the templates' catalog):
the view's words and dates are said in it, and ``PageView.gettext`` is the templates' ``_``,
so that the page's own words come from the same catalog as the reminders'.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from urllib.parse import quote

from bot.core.language import ENGLISH, N_, Language
from bot.core.links import safe_link
from bot.core.model import Event, ImportantDate, check_aware
from bot.core.timefmt import calendar_delta, caption_beside, date_instant, describe
from bot.core.zones import UTC_ZONE

LABELS = {
    "deadline": N_("Deadline"),
    "notification": N_("Notification"),
    "camera-ready": N_("Camera-ready deadline"),
    "event": N_("Event"),
    "other": N_("Date"),
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
    end_day_end: bool = False
    """The same for a range's end ("22:00 to 24:00")."""
    relation: str
    """``9 days 18 hours from now`` / ``passed 3 days ago``, as of ``now``."""
    offsets: str = ""
    """The date's zone's offset at its start (and end, for a range): ``UTC-07:00``; the
    script leaves out the viewer's time where the viewer's clock reads the same."""
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
    url: str = ""
    """The page's own address (its language links add ``?lang=``)."""
    lang: Language = field(default=ENGLISH, compare=False, repr=False)
    script_words: str = ""
    """The words ``duebot.js`` needs to keep the countdowns in the page's language (JSON)."""

    @property
    def lang_tag(self) -> str:
        """``en``, ``zh-Hans``: the page's ``<html lang>`` and ``Content-Language``."""
        return self.lang.tag

    def gettext(self, message: str, **values: object) -> str:
        """The templates' ``_``: ``message`` in the page's language, ``%(name)s`` filled."""
        text = self.lang.gettext(message)
        return text % values if values else text


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


def _inner(caption: str, abbreviation: str) -> str:
    """``地球上任何地方，UTC-12:00`` of ``AoE（地球上任何地方，UTC-12:00）``: beside a time
    that ends with the abbreviation already, a caption that repeats it says what it adds."""
    for left, right in (("（", "）"), (" (", ")")):
        if caption.startswith(abbreviation + left) and caption.endswith(right):
            return caption[len(abbreviation) + len(left):-len(right)]
    return caption


def date_view(event: Event, when: ImportantDate, now: datetime, base_url: str,
              lang: Language = ENGLISH) -> DateView:
    now = check_aware(now)
    _ = lang.gettext
    described = describe(when, now, words=lang)
    if when.at is not None:
        text = date_instant(when, when.at, when.zone, lang)
        if when.end is not None and when.end != when.at:
            text = _("%(first)s to %(last)s") % {
                "first": text, "last": date_instant(when, when.end, when.zone, lang)}
        caption = _inner(caption_beside(when.zone, when.at, lang), when.zone.abbreviation(when.at))
    else:
        assert when.day is not None
        text = _("%(days)s (all day)") % {"days": lang.days(when)}
        caption = lang.caption(when.zone, when.starts)
    if when.extended_from is not None:
        extended = _("Extended from %(when)s") % {
            "when": date_instant(when, when.extended_from, when.zone, lang)}
    elif when.extended_from_day is not None:
        extended = _("Extended from %(when)s") % {"when": lang.day(when.extended_from_day)}
    elif when.extended:
        extended = _("Extended")
    else:
        extended = ""
    relation = described.relation
    if described.passed and when.at is not None:
        # timefmt.relative says "from now" at the very instant; the page says passed, as it
        # strikes the date through from that instant on.
        relation = _("passed %(time)s ago") % {
            "time": lang.countdown(calendar_delta(now, when.at, when.zone))}
    is_range = (when.end is not None and when.end != when.at) or (
        when.end_day is not None and when.end_day != when.day)
    offsets = ""
    if when.at is not None:
        ends = (when.at, when.end) if is_range and when.end is not None else (when.at,)
        offsets = " ".join(when.zone.offset_at(moment) for moment in ends)
    return DateView(
        id=when.id, title=when.title, kind=when.kind, label=_(LABELS.get(when.kind, "Date")),
        all_day=when.all_day, start_utc=utc_text(when.starts), end_utc=utc_text(when.ends),
        day_end=when.is_day_end(when.at), end_day_end=is_range and when.is_day_end(when.end),
        is_range=is_range, event_text=text, zone_caption=caption, zone_key=when.zone.key,
        calendar_zone=_calendar_zone(when), offsets=offsets,
        relation=_("cancelled") if when.cancelled else relation,
        passed=described.passed, cancelled=when.cancelled, extended=extended,
        description=when.description, ics=f"{base_url}/e/{event.id}/{when.id}.ics")


def _logistics(event: Event, lang: Language = ENGLISH) -> tuple[tuple[str, str, str], ...]:
    _ = lang.gettext
    sub = event.submission
    rows: list[tuple[str, str, str]] = []
    # Organizer URLs become links only when safe (http, https, mailto), as in the mails.
    if sub.system or sub.url:
        rows.append((_("Submit via"), sub.system or sub.url, safe_link(sub.url)))
    if sub.format:
        rows.append((_("Format"), sub.format, ""))
    if sub.template or sub.template_url:
        rows.append((_("Template"), sub.template or sub.template_url,
                     safe_link(sub.template_url)))
    if sub.page_limit is not None:
        pages = lang.ngettext("%(num)s page", "%(num)s pages", sub.page_limit) % {
            "num": sub.page_limit}
        rows.append((_("Page limit"), _("%(pages)s (%(note)s)") % {
            "pages": pages, "note": sub.page_limit_note} if sub.page_limit_note else pages, ""))
    elif sub.page_limit_note:
        rows.append((_("Page limit"), sub.page_limit_note, ""))
    if sub.anonymized is not None:
        rows.append((_("Anonymized"), _("yes: leave the authors' names out") if sub.anonymized
                     else _("no: put the authors' names on the submission"), ""))
    if sub.notes:
        rows.append((_("Notes"), sub.notes, ""))
    return tuple(rows)


def _contact(event: Event) -> tuple[Link, ...]:
    contact = event.contact
    links: list[Link] = []
    if contact.email:
        links.append(Link(label=contact.email, url=f"mailto:{contact.email}"))
    if safe_link(contact.url):
        links.append(Link(label=contact.url, url=safe_link(contact.url)))
    return tuple(links)


def event_view(event: Event, now: datetime, base_url: str,
               lang: Language = ENGLISH) -> EventView:
    """One event's dates in order, the next one to act on marked, logistics and feed links."""
    now = check_aware(now)
    views = [date_view(event, when, now, base_url, lang) for when in event.in_order()]
    live = [v for v in views if not v.passed and not v.cancelled]
    upcoming_deadlines = [v for v in live if v.kind in DEADLINE_KINDS]
    chosen = upcoming_deadlines[0] if upcoming_deadlines else (live[0] if live else None)
    label = lang.gettext("Next deadline") if upcoming_deadlines else lang.gettext("Next date")
    dates = tuple(replace(v, is_next=True) if v is chosen else v for v in views)
    chosen_view = next((v for v in dates if v.is_next), None)
    feed = f"{base_url}/e/{event.id}.ics"
    return EventView(
        id=event.id, name=event.name, description=event.description, url=safe_link(event.url),
        location=event.location, zone_caption=event.zone.name, dates=dates,
        next_date=chosen_view, next_label=label, logistics=_logistics(event, lang),
        contact_name=event.contact.name, contact=_contact(event),
        faq=tuple(FaqView(id=f.id, question=f.phrasings[0] if f.phrasings else f.id,
                          answer=f.answer, translations=tuple(sorted(f.translations.items())))
                  for f in event.faq),
        page=f"{base_url}/e/{event.id}", feed=feed_links(feed),
        deadlines_feed=feed_links(f"{feed}?kind={','.join(DEADLINE_KINDS)}"))


def page_view(events: Sequence[Event], now: datetime, base_url: str,
              lang: Language = ENGLISH) -> PageView:
    """The page for ``events`` (the index with all of them, or one event's own page), in
    ``lang``."""
    now = check_aware(now)
    base_url = base_url.rstrip("/")
    views = tuple(event_view(e, now, base_url, lang) for e in events)
    single = len(views) == 1
    if single:
        feed = views[0].feed
        title = lang.gettext("%(event)s: important dates") % {"event": views[0].name}
        url = views[0].page
    else:
        feed = feed_links(f"{base_url}/calendar.ics")
        title = lang.gettext("Important dates")
        url = f"{base_url}/"
    return PageView(title=title, now_utc=utc_text(now),
                    now_text=lang.instant(now, UTC_ZONE), events=views, feed=feed,
                    single=single, url=url, lang=lang, script_words=script_words(lang))


def _unit(lang: Language, delta: timedelta, n: int) -> str:
    """How ``lang`` says ``n`` of a unit, with ``{n}`` for the number: ``{n} days``, ``{n}天``."""
    return lang.countdown(delta).replace(str(n), "{n}", 1)


def script_words(lang: Language) -> str:
    """What the page's script says as it counts (JSON), taken from ``lang`` itself: its
    countdown words (one and several of each unit, the space between two units) and phrases,
    so that a live countdown reads as the server's."""
    _ = lang.gettext
    units = {}
    for name, one in (("day", timedelta(days=1)), ("hour", timedelta(hours=1)),
                      ("minute", timedelta(minutes=1))):
        units[name] = [_unit(lang, one, 1), _unit(lang, one * 2, 2)]
    pair = lang.countdown(timedelta(days=1, hours=1))
    first, second = lang.countdown(timedelta(days=1)), lang.countdown(timedelta(hours=1))
    between = pair[len(first):len(pair) - len(second)] if (
        pair.startswith(first) and pair.endswith(second)) else " "
    return json.dumps({
        "units": units, "between": between, "under_minute": lang.countdown(timedelta(0)),
        "from_now": _("%(time)s from now"), "ago": _("passed %(time)s ago"),
        "today": _("today"), "under_way": _("under way now"), "cancelled": _("cancelled"),
        "passed": _("passed"), "your_zone": _("your browser's zone"),
        "paren": lang.paren("%s"), "comma": "，" if lang.code == "zh" else ", ",
        "to": _("%(first)s to %(last)s"),
        "locale": "zh-CN" if lang.code == "zh" else "en-US",
    }, ensure_ascii=False, sort_keys=True)


__all__ = ["DateView", "EventView", "FaqView", "FeedLinks", "PageView", "event_view", "feed_links",
           "page_view", "script_words", "utc_text"]
