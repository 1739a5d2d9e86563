"""An event's dates and logistics as plain JSON, for other sites, widgets and scripts.

Pure and deterministic like the feed: nothing here depends on ``now``, so the bytes (and the
ETag) change only when the schedule does. Readers compute "passed" and countdowns themselves
from the UTC instants. The shape is published as a JSON Schema in ``docs/schema/event.json``;
``SCHEMA_VERSION`` grows when a field changes meaning or goes away (new fields do not bump it;
the schema's ``$id`` says its revision, ``urn:duebot:schema:event:1.1`` adding ``day_ends``).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bot.core.ical import description_for, summary_for, uid_for, when_text
from bot.core.model import Event, ImportantDate

SCHEMA_VERSION = 1


def _instant(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def _day(day: date | None) -> str | None:
    return day.isoformat() if day else None


def date_document(event: Event, when: ImportantDate, *, base_url: str = "") -> dict[str, Any]:
    """One date: its instants in UTC, its own zone, and the words a reader would see."""
    base = base_url.rstrip("/")
    starts, ends = _span(when)
    document: dict[str, Any] = {
        "id": when.id,
        "uid": uid_for(event, when),
        "title": when.title,
        "summary": summary_for(event, when),
        "kind": when.kind,
        "all_day": when.all_day,
        "at": _instant(when.at),
        "day": _day(when.day),
        "end": _instant(when.end),
        "end_day": _day(when.end_day),
        "starts": _instant(starts),
        "ends": _instant(ends),
        "zone": when.zone.key,
        "zone_name": when.zone.name,
        "local": when_text(when),
        "extended": when.extended,
        "extended_from": _instant(when.extended_from),
        "extended_from_day": _day(when.extended_from_day),
        "cancelled": when.cancelled,
        "sequence": when.calendar_sequence,
        "description": description_for(event, when),
        "url": when.url or None,
        "ics": f"{base}/e/{event.id}/{when.id}.ics" if base else None,
    }
    written = _day_ends(when)
    if written:  # schema 1.1; left out otherwise, so such a date reads as 1.0 wrote it
        document["day_ends"] = written
    return document


def _day_ends(when: ImportantDate) -> list[str]:
    """Which of the date's instants were written "24:00": readers say them as the end of the
    day before (``ImportantDate.day_ends``), not as the next day's 00:00."""
    return [name for name, moment in (("at", when.at), ("end", when.end),
                                      ("extended_from", when.extended_from))
            if when.is_day_end(moment)]


def _span(when: ImportantDate) -> tuple[datetime | None, datetime | None]:
    """Start and end instants; None where a zone skips the local midnight of an all-day date."""
    try:
        return when.starts, when.ends
    except (ValueError, OverflowError):  # pragma: no cover - the schedule reader rejects these
        return None, None


def event_document(event: Event, *, base_url: str = "") -> dict[str, Any]:
    """The whole event: what, where, how to submit, who to ask, and every date in time order."""
    base = base_url.rstrip("/")
    sub, contact = event.submission, event.contact
    return {
        "schema_version": SCHEMA_VERSION,
        "id": event.id,
        "name": event.name,
        "zone": event.zone.key,
        "venue_zone": event.venue_zone.key if event.venue_zone else None,
        "venue": event.venue or None,
        "city": event.city or None,
        "country": event.country or None,
        "url": event.url or None,
        "description": event.description or None,
        "submission": {
            "system": sub.system or None,
            "url": sub.url or None,
            "format": sub.format or None,
            "template": sub.template or None,
            "template_url": sub.template_url or None,
            "page_limit": sub.page_limit,
            "page_limit_note": sub.page_limit_note or None,
            "anonymized": sub.anonymized,
            "notes": sub.notes or None,
        },
        "contact": {"email": contact.email or None, "name": contact.name or None,
                    "url": contact.url or None},
        "links": {
            "page": f"{base}/e/{event.id}" if base else None,
            "ics": f"{base}/e/{event.id}.ics" if base else None,
            "json": f"{base}/e/{event.id}.json" if base else None,
            "updates": f"{base}/e/{event.id}/updates.atom" if base else None,
        },
        "dates": [date_document(event, when, base_url=base) for when in _ordered(event)],
    }


def _ordered(event: Event) -> list[ImportantDate]:
    def key(when: ImportantDate) -> tuple[datetime, str]:
        if when.at is not None:
            return when.at, when.id
        assert when.day is not None
        # UTC midnight of the day: a stable order even where the local midnight is skipped.
        return datetime(when.day.year, when.day.month, when.day.day, tzinfo=UTC) + timedelta(
            hours=12), when.id
    return sorted(event.dates, key=key)


def event_json(event: Event, *, base_url: str = "") -> bytes:
    """The document as UTF-8 bytes, keys in a fixed order: byte-identical for the same input."""
    text = json.dumps(event_document(event, base_url=base_url), ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8")


__all__ = ["SCHEMA_VERSION", "date_document", "event_document", "event_json"]
