"""The schedule as an RFC 5545 calendar that Google, Apple, Outlook and Thunderbird read alike.

Pure and deterministic: the same events give the same bytes, so a feed's ETag only changes
when a date does. Choices that keep every client honest:

* Timed dates are written in UTC (``DTSTART:20170911T065900Z``), never with ``TZID``: no
  ``VTIMEZONE`` to get wrong, and each reader shows the instant in its own zone. The date's
  own zone is spelled out in ``DESCRIPTION`` instead.
* A deadline is a point in time: ``DTSTART`` alone, no ``DTEND`` (RFC 5545 3.6.1: a
  DATE-TIME start without an end is an instant; an end equal to the start is not allowed).
  All-day dates are floating ``VALUE=DATE`` days with the exclusive ``DTEND`` RFC 5545 asks for.
* ``UID`` is ``{event.id}.{date.id}@duebot``: retitling or retiming a date updates the entry
  in subscribers' calendars instead of adding a second one; ``SEQUENCE`` is the date's
  revision (``ImportantDate.calendar_sequence``: the ledger's, which any change a calendar
  shows raises, hand edits of ``at`` too; else the schedule's own) and ``STATUS:CANCELLED``
  removes a date.
* ``DTSTAMP`` never reads the clock, a file's time or anything else outside the schedule and
  the ledger, and is never in the future: it is when the ledger raised the date's ``SEQUENCE``
  (also its ``LAST-MODIFIED``), or, for a date never changed since the ledger first saw it
  (and without a ledger), ``SEQUENCE`` seconds after the Unix epoch (``revision_stamp``). So
  every replica on one ledger and every restart serve the same bytes (and ETag); a schedule
  whose dates were never edited under a ledger serves the same bytes from any replica or
  checkout; and a revision that raises ``SEQUENCE`` also carries a later ``DTSTAMP``, for
  readers that order revisions by it (RFC 5546 2.1.5). A caller that knows better may pass
  ``stamp`` (a reminder's due time for its attachment).
* ``METHOD:PUBLISH`` (iTIP, RFC 5546) requires ``ORGANIZER``: each entry names its event's
  contact; a calendar where some event has no contact address carries no ``METHOD`` (a plain
  iCalendar object, which needs no organizer).

``icalendar`` is imported where a calendar is built, not at the top: it takes ~0.1 s to import
and ``duebot run`` does not build one on its way to serving (a restart whose schedules are
proved already builds none at all); the first feed or attachment pays it once.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from bot.core.links import safe_link
from bot.core.model import KINDS, Event, ImportantDate
from bot.core.schedule import parse_duration
from bot.core.timefmt import caption_after, date_instant, format_day, zone_caption
from bot.errors import UsageError, suggest

if TYPE_CHECKING:
    from icalendar import Alarm, Calendar, vCalAddress
    from icalendar import Event as VEvent

PRODID = "-//duebot//duebot 0.1//EN"
DEFAULT_REFRESH = timedelta(hours=12)
# ``?alarm=`` bounds: a handful of alerts, none further ahead than a season.
MAX_ALARMS = 5
MAX_ALARM_LEAD = timedelta(days=90)
UNKNOWN_STAMP = datetime(1970, 1, 1, tzinfo=UTC)
"""Where revision stamps count from: long past, the same on every machine."""

_LABELS = {
    "deadline": "Deadline",
    "notification": "Notification",
    "camera-ready": "Camera-ready deadline",
    "event": "Event",
    "other": "Date",
}
# Kinds that are about handing something in: their entries point at the submission system.
_SUBMITTING = ("deadline", "camera-ready")
# RFC 5545 TEXT allows no control characters but HTAB (newlines are escaped by the package).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def preload() -> None:
    """Import icalendar now: before a fork whose child builds calendars, so that parent and
    child do not each pay for the import (see the module's note)."""
    import icalendar  # noqa: F401


def uid_for(event: Event, when: ImportantDate) -> str:
    """The date's identity in every calendar: stable across edits of its title and time."""
    return f"{event.id}.{when.id}@duebot"


def revision_stamp(when: ImportantDate) -> datetime:
    """``DTSTAMP`` from the date's own revision (when the ledger raised it, else its
    ``SEQUENCE``), not from when or where the feed was built: two replicas with the same
    schedule give the same bytes, and a later revision a later stamp."""
    if when.modified is not None:
        return when.modified
    return UNKNOWN_STAMP + timedelta(seconds=when.calendar_sequence)


def summary_for(event: Event, when: ImportantDate) -> str:
    """``AI Systems Workshop @ SOSP 2017: Poster abstract submission deadline (extended)``."""
    # The workshop's own date is usually titled with the event's name: say it once.
    text = when.title if when.title.startswith(event.name) else f"{event.name}: {when.title}"
    if when.extended:
        text += " (extended)"
    if when.cancelled:
        # Outlook keeps showing cancelled entries of a subscription; say it in the title too.
        text = f"Cancelled: {text}"
    return clean_text(text)


def clean_text(text: str) -> str:
    """Text as a calendar can carry it: CR/CRLF become LF, other control characters go."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def build_calendar(events: Sequence[Event], *, name: str | None = None,
                   kinds: Collection[str] | None = None, refresh: timedelta = DEFAULT_REFRESH,
                   url: str = "", alarms: Sequence[timedelta] = (),
                   stamp: datetime | None = None) -> bytes:
    """The subscription feed of ``events``' dates (of ``kinds`` only, when given).

    ``alarms`` adds a VALARM per lead time to every date that is not cancelled: Apple Calendar
    and Thunderbird alert from subscribed feeds; Google and Outlook ignore feed alarms.
    ``stamp`` overrides every entry's ``DTSTAMP`` (default: ``revision_stamp``, the same on
    every machine); never pass a future instant.
    """
    from icalendar import vDuration  # here, not at the top: see the module's note

    wanted = _check_kinds(kinds)
    calendar = _calendar(events, name=name)
    # RFC 7986 and Microsoft's older spelling; Google refreshes on its own schedule anyway.
    calendar.add("refresh-interval", refresh, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(refresh))
    if url:
        calendar.add("source", url, parameters={"VALUE": "URI"})
    for event in events:
        for when in _in_order(event.dates):
            if wanted is None or when.kind in wanted:
                calendar.add_component(_vevent(event, when, stamp, alarms))
    return bytes(calendar.to_ical())


def parse_alarms(values: Sequence[str]) -> tuple[timedelta, ...]:
    """``?alarm=1d,3h`` (repeatable): lead times, longest first; bad ones are UsageErrors."""
    leads: set[timedelta] = set()
    for part in (p.strip() for value in values for p in value.split(",")):
        if not part:
            continue
        try:
            lead = parse_duration(part)
        except ValueError as exc:
            raise UsageError(f"?alarm={part}: {exc} (e.g. ?alarm=1d,3h)") from None
        if not timedelta(0) < lead <= MAX_ALARM_LEAD:
            raise UsageError(f"?alarm={part}: a lead time must be more than 0 and at most "
                             f"{MAX_ALARM_LEAD.days} days")
        leads.add(lead)
    if len(leads) > MAX_ALARMS:
        raise UsageError(f"?alarm= takes at most {MAX_ALARMS} lead times, got {len(leads)}")
    return tuple(sorted(leads, reverse=True))


def alarm_label(lead: timedelta) -> str:
    """``1d``, ``3h``, ``1d12h``, ``90m``: a lead time as short text (feed keys, filenames)."""
    minutes = int(lead.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    text = "".join(f"{n}{unit}" for n, unit in ((days, "d"), (hours, "h"), (minutes, "m")) if n)
    return text or "0m"


def build_date_calendar(event: Event, when: ImportantDate, *,
                        stamp: datetime | None = None) -> bytes:
    """One date as its own calendar: the "add this one" link and the mail attachment."""
    calendar = _calendar([event], name=None)
    calendar.add_component(_vevent(event, when, stamp))
    return bytes(calendar.to_ical())


def _check_kinds(kinds: Collection[str] | None) -> frozenset[str] | None:
    if kinds is None:
        return None
    if isinstance(kinds, str):  # "deadline" alone, not the letters of it
        kinds = (kinds,)
    for kind in kinds:
        if kind not in KINDS:
            raise UsageError(f"unknown kind {kind!r}{suggest(kind, KINDS)} (expected one of "
                             f"{', '.join(KINDS)})")
    return frozenset(kinds)


def _calendar(events: Sequence[Event], *, name: str | None) -> Calendar:
    names = [event.name for event in events]
    title = name or " + ".join(names) or "duebot"
    if len(events) == 1 and events[0].description:
        about = events[0].description
    else:
        about = f"Important dates: {', '.join(names)}" if names else "Important dates"
    from icalendar import Calendar, vText  # here, not at the top: see the module's note

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if events and all(_organizer(event) for event in events):
        calendar.add("method", "PUBLISH")
    # NAME (RFC 7986) and the X-WR-* names are TEXT: escaped like SUMMARY, as Google's own
    # exports write them. An unescaped comma is a list separator to vobject and Apple
    # (the name would end at it); icalendar 7 and ical.js do not type these properties and
    # show the escapes raw, the lesser harm.
    for key, value in (("name", title), ("x-wr-calname", title), ("description", about),
                       ("x-wr-caldesc", about)):
        calendar.add(key, vText(clean_text(value)))
    return calendar


def _sort_key(when: ImportantDate) -> tuple[datetime, str]:
    if when.at is not None:
        return when.at.astimezone(UTC), when.id
    assert when.day is not None
    return _utc_midnight(when.day), when.id


def _in_order(dates: Sequence[ImportantDate]) -> list[ImportantDate]:
    # Not Event.in_order(): that localizes all-day midnights, which fails in zones whose
    # clocks skip midnight (America/Havana), and the order here is only for stable output.
    return sorted(dates, key=_sort_key)


def _organizer(event: Event) -> vCalAddress | None:
    """The event's contact as an iTIP ORGANIZER, or None when it has no address."""
    email = clean_text(event.contact.email).strip()
    if not email or any(c.isspace() or c in '<>"' for c in email):
        return None
    from icalendar import vCalAddress  # here, not at the top: see the module's note

    address = vCalAddress(f"mailto:{email}")
    name = " ".join(clean_text(event.contact.name or event.name).split())
    if name:
        address.params["CN"] = name
    return address


def _utc_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _vevent(event: Event, when: ImportantDate, stamp: datetime | None,
            alarms: Sequence[timedelta] = ()) -> VEvent:
    from icalendar import Event as VEvent  # here, not at the top: see the module's note

    vevent = VEvent()
    vevent.add("uid", uid_for(event, when))
    vevent.add("dtstamp", (stamp or revision_stamp(when)).astimezone(UTC))
    if when.at is not None:
        start = when.at.astimezone(UTC)
        vevent.add("dtstart", start)
        if when.end is not None and when.end > when.at:  # else an instant: no DTEND
            vevent.add("dtend", when.end.astimezone(UTC))
    else:
        assert when.day is not None
        last = when.end_day or when.day
        vevent.add("dtstart", when.day)
        vevent.add("dtend", last + timedelta(days=1))
    vevent.add("sequence", when.calendar_sequence)
    if when.modified is not None:
        vevent.add("last-modified", when.modified.astimezone(UTC))
    vevent.add("status", "CANCELLED" if when.cancelled else "CONFIRMED")
    vevent.add("transp", "OPAQUE" if when.kind == "event" else "TRANSPARENT")
    vevent.add("categories", [when.kind])
    vevent.add("summary", summary_for(event, when))
    vevent.add("description", description_for(event, when))
    organizer = _organizer(event)
    if organizer is not None:
        vevent.add("organizer", organizer)
    if when.kind == "event" and event.location:
        vevent.add("location", clean_text(event.location))
    link = _link(event, when)
    if link:
        vevent.add("url", link)
    if not when.cancelled:
        for lead in alarms:
            vevent.add_component(_alarm(event, when, lead))
    return vevent


def _alarm(event: Event, when: ImportantDate, lead: timedelta) -> Alarm:
    """A display alert ``lead`` before the date starts; its UID is stable like the date's."""
    from icalendar import Alarm  # here, not at the top: see the module's note

    alarm = Alarm()
    alarm.add("uid", f"{uid_for(event, when).removesuffix('@duebot')}.alarm-{alarm_label(lead)}"
                     "@duebot")
    alarm.add("action", "DISPLAY")
    alarm.add("trigger", -lead)
    alarm.add("description", summary_for(event, when))
    return alarm


def _link(event: Event, when: ImportantDate) -> str:
    """The entry's URL: the date's, the submission system's, the event's; only safe ones."""
    if when.url:
        return safe_link(when.url)
    if when.kind in _SUBMITTING and event.submission.url:
        return safe_link(event.submission.url)
    return safe_link(event.url)


def when_text(when: ImportantDate) -> str:
    """The date in its own zone, in words: ``Sunday 10 September 2017, 23:59 PDT (...)``."""
    zone = when.zone
    if when.at is None:
        assert when.day is not None
        days = format_day(when.day)
        if when.end_day is not None and when.end_day != when.day:
            days = f"{days} to {format_day(when.end_day)}"
        # Noon UTC of the first day: only the zone's offset is shown, and no local midnight
        # has to exist for it.
        noon = _utc_midnight(when.day) + timedelta(hours=12)
        return f"{days} (all day, {zone_caption(zone, noon)})"
    start = date_instant(when, when.at, zone)
    caption = caption_after(zone, when.at)
    if when.end is None or when.end == when.at:
        return f"{start}{caption}"
    if when.is_day_end(when.end) or when.is_day_end(when.at):
        end = date_instant(when, when.end, zone)  # "to ..., 24:00": the day said in full
    elif zone.local(when.end).date() == zone.local(when.at).date():
        end = f"{zone.local(when.end):%H:%M} {zone.abbreviation(when.end)}"
    else:
        end = date_instant(when, when.end, zone)
    return f"{start} to {end}{caption}"


def description_for(event: Event, when: ImportantDate) -> str:
    """What a participant needs beside the time: the zone in words, how to submit, who to ask."""
    lines: list[str] = []
    if when.cancelled:
        lines.append("CANCELLED: this date no longer applies.")
    lines.append(f"{_LABELS.get(when.kind, 'Date')}: {when_text(when)}")
    if when.extended_from is not None:
        lines.append(f"Extended from {date_instant(when, when.extended_from, when.zone)}.")
    elif when.extended_from_day is not None:
        lines.append(f"Extended from {format_day(when.extended_from_day)}.")
    elif when.extended:
        lines.append("This date has been extended.")
    if when.description:
        lines.extend(("", when.description))
    if when.kind in _SUBMITTING:
        lines.extend(_submission_lines(event))
    if when.kind == "event" and event.location:
        lines.extend(("", f"Where: {event.location}"))
    contact = _contact_line(event)
    if contact or event.url:
        lines.append("")
    if event.url:
        lines.append(f"{event.name}: {event.url}")
    if contact:
        lines.append(contact)
    return clean_text("\n".join(lines))


def _submission_lines(event: Event) -> list[str]:
    sub = event.submission
    lines: list[str] = []
    if sub.system and sub.url:
        lines.append(f"Submit via {sub.system}: {sub.url}")
    elif sub.system or sub.url:
        lines.append(f"Submit via {sub.system or sub.url}")
    if sub.format:
        lines.append(f"Format: {sub.format}")
    if sub.template or sub.template_url:
        lines.append(f"Template: {' '.join(p for p in (sub.template, sub.template_url) if p)}")
    if sub.page_limit is not None:
        pages = f"{sub.page_limit} page{'s' if sub.page_limit != 1 else ''}"
        lines.append(f"Page limit: {pages}" + (f" ({sub.page_limit_note})"
                                              if sub.page_limit_note else ""))
    elif sub.page_limit_note:
        lines.append(f"Page limit: {sub.page_limit_note}")
    if sub.anonymized is not None:
        lines.append("Anonymized submissions: " + ("yes" if sub.anonymized else "no"))
    if sub.notes:
        lines.append(sub.notes)
    return ["", *lines] if lines else []


def _contact_line(event: Event) -> str:
    contact = event.contact
    if contact.name and contact.email:
        who = f"{contact.name} <{contact.email}>"
    else:
        who = contact.name or contact.email
    parts = [p for p in (who, contact.url) if p]
    return f"Contact: {', '.join(parts)}" if parts else ""


__all__ = [
    "DEFAULT_REFRESH",
    "MAX_ALARMS",
    "PRODID",
    "UNKNOWN_STAMP",
    "alarm_label",
    "build_calendar",
    "build_date_calendar",
    "clean_text",
    "description_for",
    "parse_alarms",
    "revision_stamp",
    "summary_for",
    "uid_for",
    "when_text",
]
