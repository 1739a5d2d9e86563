"""The schedule as the rest of duebot sees it: frozen values, every instant aware and in UTC."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from types import MappingProxyType
from typing import Literal, get_args

from bot.core.zones import Zone

Kind = Literal["deadline", "notification", "camera-ready", "event", "other"]
KINDS: tuple[Kind, ...] = get_args(Kind)
Missed = Literal["late", "skip"]

_EMPTY: Mapping[str, int] = MappingProxyType({})


@dataclass(frozen=True, kw_only=True)
class ImportantDate:
    """One date of the event: a deadline, a notification, the workshop day itself...

    A timed date has ``at`` (an aware UTC instant); an all-day date has ``day`` (a calendar
    date in the date's zone) and ``at`` is None. ``end``/``end_day`` close a range.
    """

    id: str
    title: str
    kind: Kind
    zone: Zone
    at: datetime | None = None
    day: date | None = None
    end: datetime | None = None
    end_day: date | None = None
    extended_from: datetime | None = None
    extended_from_day: date | None = None
    extended_note: bool = False
    """Marked extended in the schedule even though the earlier time is not known."""
    sequence: int = 0
    cancelled: bool = False
    description: str = ""
    url: str = ""
    lead_times: tuple[timedelta, ...] | None = None
    """Reminder lead times for this date alone; None means the schedule's policy for its kind."""
    local_text: str = ""
    """The local time exactly as the schedule wrote it (``2017-09-10 23:59``)."""
    day_ends: frozenset[datetime] = frozenset()
    """Which of ``at``/``end``/``extended_from`` were written "24:00": the end of a day, to be
    shown as that day's 24:00 in the date's zone, not as the next day's 00:00 (a day late to
    a reader). The instants themselves are the next day's start, as calendars want them."""
    lines: Mapping[str, int] = field(default_factory=lambda: _EMPTY, compare=False, hash=False,
                                    repr=False)
    revision: int | None = field(default=None, compare=False)
    """The ``SEQUENCE`` the ledger keeps for this date (``bot.core.revisions``): raised by any
    change a calendar shows, hand edits too. None where no ledger was asked: ``sequence``.
    Not compared: the schedule says the same whatever the ledger counted."""
    modified: datetime | None = field(default=None, compare=False)
    """When the ledger raised ``revision`` to this: its ``LAST-MODIFIED``; None for a date
    never changed since the ledger first saw it (served as it always was)."""

    def __post_init__(self) -> None:
        if (self.at is None) == (self.day is None):
            raise ValueError(f"date {self.id!r} needs exactly one of at= or day=")
        for value in (self.at, self.end, self.extended_from):
            if value is not None and (value.tzinfo is None or value.utcoffset() != timedelta(0)):
                raise ValueError(f"date {self.id!r}: instants must be aware and in UTC")
        if not self.day_ends <= {self.at, self.end, self.extended_from} - {None}:
            raise ValueError(f"date {self.id!r}: day_ends must be among at, end, extended_from")

    @property
    def calendar_sequence(self) -> int:
        """The ``SEQUENCE`` calendars get: the ledger's revision, else the schedule's own."""
        return self.sequence if self.revision is None else self.revision

    @property
    def all_day(self) -> bool:
        return self.at is None

    @property
    def starts(self) -> datetime:
        """The instant the date begins: for all-day dates, midnight in the date's zone."""
        if self.at is not None:
            return self.at
        assert self.day is not None
        return self.zone.start_of_day(self.day)

    @property
    def ends(self) -> datetime:
        """The instant the date is over: deadlines at their instant, all-day dates at midnight."""
        if self.end is not None:
            return self.end
        if self.at is not None:
            return self.at
        last = self.end_day or self.day
        assert last is not None
        return self.zone.start_of_day(last + timedelta(days=1))

    def is_day_end(self, moment: datetime | None) -> bool:
        """Whether ``moment`` (one of this date's instants) was written as a day's "24:00"."""
        return moment is not None and moment in self.day_ends

    @property
    def extended(self) -> bool:
        return (self.extended_note or self.extended_from is not None
                or self.extended_from_day is not None)

    def line(self, key: str = "") -> int | None:
        return self.lines.get(key) or self.lines.get("")


@dataclass(frozen=True, kw_only=True)
class Submission:
    """How and where to submit: what participants ask about after the date."""

    system: str = ""
    url: str = ""
    format: str = ""
    template: str = ""
    template_url: str = ""
    page_limit: int | None = None
    page_limit_note: str = ""
    anonymized: bool | None = None
    notes: str = ""


@dataclass(frozen=True, kw_only=True)
class Contact:
    email: str = ""
    name: str = ""
    url: str = ""


@dataclass(frozen=True, kw_only=True)
class ReminderPolicy:
    """When reminders go out before each kind of date, and what to do with missed ones."""

    lead_times: Mapping[Kind, tuple[timedelta, ...]]
    final_call: timedelta | None = None
    missed: Mapping[Kind, Missed] = field(default_factory=lambda: MappingProxyType({}))
    grace: timedelta | None = None
    """How late a missed reminder of this event may still go; None: the operator's default."""

    def leads_for(self, when: ImportantDate) -> tuple[timedelta, ...]:
        leads = when.lead_times if when.lead_times is not None else self.lead_times.get(
            when.kind, ())
        if self.final_call is not None and when.kind == "deadline" and when.lead_times is None:
            leads = (*leads, self.final_call)
        return tuple(sorted(set(leads), reverse=True))

    def missed_for(self, kind: Kind) -> Missed:
        return self.missed.get(kind, "late")


DEFAULT_POLICY = ReminderPolicy(
    lead_times=MappingProxyType({
        "deadline": (timedelta(days=7), timedelta(days=1), timedelta(hours=3)),
        "camera-ready": (timedelta(days=7), timedelta(days=1), timedelta(hours=3)),
        "event": (timedelta(days=7), timedelta(days=1)),
        "notification": (),
        "other": (),
    }),
)


@dataclass(frozen=True, kw_only=True)
class Announcement:
    """A message organizers schedule themselves: "submissions are open", "see you in Shanghai".

    ``at`` is kept as written (an instant, or relative to a date: ``abstract-2d``), so that a
    relative announcement moves when its date moves; ``bot.app.announce`` resolves it.
    """

    id: str
    at: str
    to: tuple[str, ...] = ()
    """Destinations; empty means the schedule's own (the config's ``reminders_to``)."""
    text: str = ""
    template: str = ""
    """A template name under ``templates/`` (``NAME.subject.j2``, ``.txt.j2``, ``.html.j2``)."""
    params: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}),
                                      compare=False, hash=False)
    """Extra values for the template (an extension's old and new time)."""
    lines: Mapping[str, int] = field(default_factory=lambda: _EMPTY, compare=False, hash=False,
                                    repr=False)

    def line(self, key: str = "") -> int | None:
        return self.lines.get(key) or self.lines.get("")


@dataclass(frozen=True, kw_only=True)
class Faq:
    """An organizer's answer to a question the dates do not answer ("can I present remotely?").

    ``phrasings`` are a few ways people ask it (any language); ``translations`` maps a language
    code (``zh``) to the answer in that language.
    """

    id: str
    phrasings: tuple[str, ...]
    answer: str
    translations: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}),
                                            compare=False, hash=False)
    lines: Mapping[str, int] = field(default_factory=lambda: _EMPTY, compare=False, hash=False,
                                    repr=False)

    def answer_in(self, language: str) -> str:
        return self.translations.get(language, self.answer)


@dataclass(frozen=True, kw_only=True)
class Event:
    """One workshop or conference and its important dates, as one schedule file states them."""

    id: str
    name: str
    zone: Zone
    venue_zone: Zone | None = None
    venue: str = ""
    city: str = ""
    country: str = ""
    url: str = ""
    description: str = ""
    submission: Submission = field(default_factory=Submission)
    contact: Contact = field(default_factory=Contact)
    policy: ReminderPolicy = DEFAULT_POLICY
    dates: tuple[ImportantDate, ...] = ()
    announcements: tuple[Announcement, ...] = ()
    faq: tuple[Faq, ...] = ()
    """Organizers' answers to other questions, shown on the page and answered by ``ask``."""
    source: str = ""
    """The file it came from, for messages; empty for schedules built in code."""

    def date(self, date_id: str) -> ImportantDate:
        for when in self.dates:
            if when.id == date_id:
                return when
        raise KeyError(date_id)

    def by_kind(self, kind: Kind) -> tuple[ImportantDate, ...]:
        return tuple(d for d in self.dates if d.kind == kind)

    def in_order(self) -> tuple[ImportantDate, ...]:
        return tuple(sorted(self.dates, key=lambda d: (d.starts, d.id)))

    def upcoming(self, now: datetime) -> tuple[ImportantDate, ...]:
        """Dates not yet over at ``now``, soonest first (cancelled ones left out)."""
        check_aware(now)
        return tuple(d for d in self.in_order() if not d.cancelled and d.ends > now)

    @property
    def location(self) -> str:
        return ", ".join(p for p in (self.venue, self.city, self.country) if p)

    @property
    def display_zone(self) -> Zone:
        return self.zone


def check_aware(moment: datetime) -> datetime:
    """Fail loudly on a naive datetime: inside duebot every instant carries its zone."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment!r}: every instant must be timezone-aware")
    return moment.astimezone(UTC)
