"""Prove a new schedule version before it is served: what later stages will do with it, once.

A version is refused when rendering one of its reminders or building its calendar fails, so
that the mistake shows at load time (on ``/healthz``, with the last good version still served)
rather than at 3 a.m. when the reminder is due. Doing all of it for every reminder costs
more than reading the files: 1,000 schedules of 20 dates are 40,000 reminders, 120,000
template renders and 21,000 calendars, over 15 s at start-up.

So each *shape* is proven once per process: the templates and the calendar writer branch on
which fields are set (a description, a URL, an extension, a submission system), on the kind,
on final call or not, never on the text itself. A reminder whose event and date have the
same shape as one already proven runs the same template and calendar branches with other
strings, so it is not rendered again. What depends on the values (times and zones in words,
links, organizers) runs for every date, through ``description_for`` and ``summary_for``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable, Iterable, Mapping
from datetime import date, datetime, timedelta

from bot.core.ical import build_calendar, description_for, summary_for
from bot.core.model import Event
from bot.core.planner import Reminder
from bot.core.render import Renderer
from bot.core.zones import Zone

_LEAVES = (datetime, date)

KEPT = frozenset({"kind", "language", "lang", "locale"})
"""Fields whose value, not only whether it is set, picks templates or branches: kept whole."""
_FIELDS: dict[type, tuple[str, ...]] = {}


def _fields(kind: type) -> tuple[str, ...]:
    names = _FIELDS.get(kind)
    if names is None:
        # ``compare=False`` fields are bookkeeping (line numbers, a zone's tzinfo object).
        names = _FIELDS[kind] = tuple(f.name for f in dataclasses.fields(kind) if f.compare)
    return names


def shape(value: object) -> Hashable:
    """What templates can branch on: set or not, true or false, which fields, which kinds.

    Strings are reduced to empty or not, numbers to zero or not, collections to the set of
    their members' shapes; a dataclass is its type and its fields' shapes; a zone is its kind
    (its offsets are values, formatted for every date). Two values of one shape take the same
    branches of a template that tests presence, truth or kind.
    """
    kind = type(value)
    if kind is str:
        return bool(value)
    if value is None or kind is bool:
        return value
    if kind in _LEAVES:
        return kind.__name__
    if kind is Zone:
        return "zone", value.kind  # type: ignore[attr-defined]
    if kind in (int, float, timedelta):
        return kind.__name__, bool(value)
    names = _FIELDS.get(kind)  # a dataclass seen before (dates, events): the common case
    if names is not None:
        return kind.__name__, _field_shapes(value, names)
    if isinstance(value, Mapping):
        return "map", frozenset((key, shape(item)) for key, item in value.items())
    if isinstance(value, tuple | list | frozenset | set):
        return "seq", frozenset(shape(item) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return kind.__name__, _field_shapes(value, _fields(kind))
    return kind.__name__


def _field_shapes(value: object, names: tuple[str, ...]) -> tuple[Hashable, ...]:
    """Each field's shape, the value itself for ``KEPT`` ones; texts, None and booleans
    (most fields) without a call of ``shape`` each: 20,000 dates have 360,000 fields."""
    out: list[Hashable] = []
    for name in names:
        item = getattr(value, name)
        kind = type(item)
        if name in KEPT or item is None or kind is bool:
            out.append(item)
        elif kind is str:
            out.append(bool(item))
        else:
            out.append(shape(item))
    return tuple(out)


class Prover:
    """Proves versions against one renderer; remembers the shapes proven in this process."""

    def __init__(self, renderer: Renderer) -> None:
        self.renderer = renderer
        self._proven: set[Hashable] = set()

    def prove(self, event: Event, reminders: Iterable[Reminder]) -> None:
        """Render each new shape of reminder and build the calendar of each new shape of
        event; whatever fails raises, as it would have at send time."""
        dates = {when.id: shape(when) for when in event.dates}
        others = tuple(shape(getattr(event, name)) for name in _fields(Event) if name != "dates")
        whole = ("event", others, frozenset(dates.values()))
        for reminder in reminders:
            key = (whole, dates[reminder.date_id], reminder.final_call,
                   reminder.target > reminder.due)
            if key not in self._proven:
                self.renderer.reminder(event, reminder)
                self._proven.add(key)
        if whole not in self._proven:
            build_calendar([event])
            self._proven.add(whole)
        for when in event.dates:
            summary_for(event, when)
            description_for(event, when)
