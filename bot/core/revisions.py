"""A date's calendar revision: what a calendar shows of it, as one fingerprint.

RFC 5545/5546 want ``SEQUENCE`` raised when a date's start, end or status changes, and
clients (Outlook and Apple Calendar for an attached .ics, Google for a subscription) replace
their copy only for a higher one. Organizers edit ``at`` by hand, so the schedule's own
``sequence`` cannot be trusted to rise: the ledger keeps, per date, the fingerprint of its
last revision and the sequence it is served at (``bot.adapters.store.revisions``), and a new
fingerprint raises it once. The fingerprint covers the schedule's words, not duebot's way of
writing them: an upgrade of duebot that words a description differently raises nothing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from bot.core.digest import short_digest
from bot.core.model import Event, ImportantDate

__all__ = ["FINGERPRINT_VERSION", "Revision", "fingerprint", "next_revision", "revised"]

FINGERPRINT_VERSION = 1
"""Part of every fingerprint: a change of what it covers is a new version, on purpose."""
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
"""``json.dumps`` with these arguments, its encoder made once (not once per date: 20,000 a
first start); the same text."""


@dataclass(frozen=True)
class Revision:
    """The sequence a date is served at and since when (``LAST-MODIFIED``): None for a
    date's first revision, the schedule's own, whose time nobody knows (it is served as
    before the ledger kept revisions: the same bytes from any replica or checkout)."""

    sequence: int
    modified: datetime | None = None


def _instant(value: datetime | None) -> int | None:
    """An aware instant as whole microseconds since the epoch: cheap, and the same anywhere."""
    return None if value is None else round(value.timestamp() * 1_000_000)


def _day(value: date | None) -> int | None:
    return None if value is None else value.toordinal()


def fingerprint(event: Event, when: ImportantDate) -> str:
    """What a calendar entry of ``when`` shows, from the schedule: its times and zone, status,
    title, kind, words, link, where (for the event itself), and the ``sequence`` written
    (an organizer who raises it asks for a new revision)."""
    material = [
        FINGERPRINT_VERSION, event.name, _instant(when.at), _instant(when.end),
        _day(when.day), _day(when.end_day), when.zone.key,
        sorted(round(m.timestamp() * 1_000_000) for m in when.day_ends), when.cancelled,
        when.sequence, when.title, when.kind, when.description, when.url,
        _instant(when.extended_from), _day(when.extended_from_day), when.extended_note,
        event.location if when.kind == "event" else "",
    ]
    return short_digest(_ENCODE(material))


def next_revision(before: Revision, written: int, now: datetime) -> Revision:
    """The revision after ``before`` for a changed date: one more (at least the schedule's
    own ``sequence``), modified ``now`` in whole seconds, always later than ``before``'s."""
    moment = now.replace(microsecond=0)
    if before.modified is not None and moment <= before.modified:
        moment = before.modified.replace(microsecond=0) + timedelta(seconds=1)
    return Revision(sequence=max(before.sequence + 1, written), modified=moment)


def revised(event: Event, revisions: Mapping[str, Revision]) -> Event:
    """``event`` with each date's ledger revision on it. A date at its first revision (the
    schedule's own sequence, no time) is served as it is; an event whose dates all are is
    returned itself (the usual restart: nothing copied)."""
    changed = False
    dates = []
    for when in event.dates:
        rev = revisions.get(when.id)
        if rev is not None and (rev.modified is not None or rev.sequence != when.sequence):
            when = replace(when, revision=rev.sequence, modified=rev.modified)
            changed = True
        dates.append(when)
    return replace(event, dates=tuple(dates)) if changed else event
