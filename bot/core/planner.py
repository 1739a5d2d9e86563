"""Which reminders should exist for an event: its schedule and policy in, a sorted plan out.

Pure and deterministic: the same schedule and window give the same list, and nothing here reads
the clock. The delivery ledger stores what was sent; this module only says what *should* be.

What a reminder is about (its ``target``), per kind of date:

* ``deadline``: the instant it closes, ``ImportantDate.ends``: the ``at`` instant of a timed
  deadline (or its ``end`` when it has one), and for an all-day deadline the end of that day
  (midnight at the start of the next day in the date's zone): "due 10 September" means people
  may still submit on the 10th.
* every other kind (``camera-ready``, ``notification``, ``event``, ``other``): when it starts,
  ``ImportantDate.starts``: ``at``, or midnight at the start of the day in the date's zone.

When a reminder is due: ``target`` minus the lead time, where

* the whole days of a lead keep the wall-clock time in the date's zone: one day before
  2017-11-05 23:59 PST is 2017-11-04 23:59 PDT, which is 25 hours earlier. People expect "the
  day before, same time", not a reminder that slid by an hour across a DST change;
* the rest of a lead (hours, minutes) is exact elapsed time: 3h before 23:59 PDT is 3 hours
  of real time earlier, whatever the clocks do in between. ``1d12h`` is one wall-clock day,
  then twelve elapsed hours.

If the shifted wall-clock time does not exist (it falls in a DST gap), the reminder is due at
the *later* of the two readings, the one using the offset in force before the gap: the instant
a clock that did not jump would show (02:30 on a spring-forward day becomes 03:30 daylight
time; ``Zone.readings``). If it happens twice (a fold), the *earlier* occurrence is used. If the
zone's clocks jumped so far that the wall-clock day lands on or after the target (a zone that
skipped a whole day), the lead is taken as exact elapsed time instead, so that a reminder is
always before what it is about.

Ids are ``{event}/{date}/{lead}`` (``aisys-sosp17/abstract/7d``): editing a title or moving a
date keeps them, so the ledger can re-time an unsent reminder instead of planning a new one.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.model import Event, ImportantDate, check_aware
from bot.core.schedule import format_duration
from bot.core.zones import Zone
from bot.errors import ZoneError

_DAY = timedelta(days=1)


@dataclass(frozen=True, kw_only=True)
class Reminder:
    """One reminder that should go out: about which date, how long before it, and when."""

    id: str
    """Stable across title edits and date moves: ``{event.id}/{date.id}/{lead_text}``."""
    event_id: str
    date_id: str
    lead: timedelta
    lead_text: str
    """``format_duration(lead)``: ``7d``, ``1d``, ``3h``, ``1h``."""
    due: datetime
    """Aware UTC: when the reminder should go out (see the module docstring for DST)."""
    target: datetime
    """Aware UTC: the instant the reminder is about (a deadline's close, a date's start)."""
    final_call: bool
    """True for the policy's final-call lead: the last word before a deadline closes."""


def target_of(when: ImportantDate) -> datetime:
    """The instant a reminder about ``when`` counts down to: a deadline's close, else its start."""
    return when.ends if when.kind == "deadline" else when.starts


def due_at(target: datetime, lead: timedelta, zone: Zone) -> datetime:
    """``target - lead``: whole days on the wall clock of ``zone``, the rest as elapsed time."""
    check_aware(target)
    if not lead // _DAY:
        return target - lead
    return _due(target, zone.local(target).replace(tzinfo=None), lead, zone)


def _due(target: datetime, wall_target: datetime, lead: timedelta, zone: Zone) -> datetime:
    """``due_at`` with the target's wall-clock time already found (once for all its leads)."""
    days = lead // _DAY
    rest = lead - days * _DAY
    if not days:
        return target - lead
    wall = wall_target - days * _DAY
    try:
        shifted = zone.localize(wall, fold="earlier")
    except ZoneError:  # the wall-clock time falls in a gap
        shifted = zone.readings(wall)[1]
    if shifted >= target:  # the zone skipped a whole day or more: count real time instead
        shifted = target - days * _DAY
    return shifted - rest


def reminders_for(event: Event, when: ImportantDate) -> list[Reminder]:
    """Every reminder for one date, whatever its time; none for a cancelled date."""
    if when.cancelled:
        return []
    policy = event.policy
    target = target_of(when)
    check_aware(target)
    final = (policy.final_call if when.kind == "deadline" and when.lead_times is None
             else None)
    wall_target: datetime | None = None
    out: list[Reminder] = []
    for lead in policy.leads_for(when):
        text = lead_text(lead)
        if not lead // _DAY:
            due = target - lead
        else:
            if wall_target is None:
                wall_target = when.zone.local(target).replace(tzinfo=None)
            due = _due(target, wall_target, lead, when.zone)
        out.append(Reminder(
            id=f"{event.id}/{when.id}/{text}", event_id=event.id, date_id=when.id, lead=lead,
            lead_text=text, due=due, target=target,
            final_call=final is not None and lead == final,
        ))
    return out


@functools.lru_cache(maxsize=512)
def lead_text(lead: timedelta) -> str:
    """``format_duration(lead)``, remembered: a plan of 40,000 reminders has a handful of
    leads."""
    return format_duration(lead)


def plan(event: Event, *, start: datetime | None = None, end: datetime | None = None
         ) -> list[Reminder]:
    """The reminders with ``start <= due < end`` (either bound optional), by (due, id)."""
    low = check_aware(start) if start is not None else None
    high = check_aware(end) if end is not None else None
    found = [
        reminder
        for when in event.dates
        for reminder in reminders_for(event, when)
        if (low is None or low <= reminder.due) and (high is None or reminder.due < high)
    ]
    return sorted(found, key=lambda r: (r.due, r.id))


class Plans:
    """Each event planned once per version, however many stages ask: proving it, the
    engine's lookup of a claimed row, the reconcile. Events are immutable, so the plan of the
    very ``Event`` object last seen under an id is the plan; a new version is a new object."""

    def __init__(self) -> None:
        self._last: dict[str, tuple[Event, tuple[Reminder, ...]]] = {}

    def of(self, event: Event) -> tuple[Reminder, ...]:
        """``plan(event)``, computed once per version."""
        last = self._last.get(event.id)
        if last is None or last[0] is not event:
            last = self._last[event.id] = (event, tuple(plan(event)))
        return last[1]

    def keep(self, event: Event, reminders: tuple[Reminder, ...]) -> None:
        """``plan(event)`` made elsewhere (the forked schedule reader's) for this very
        ``Event``: asked for, it is not planned again."""
        self._last[event.id] = (event, reminders)
