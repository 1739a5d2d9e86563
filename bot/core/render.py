"""Turn reminders (and later announcements) into message text with Jinja2 templates.

Templates come from a mapping ``name -> source`` (the edge ``bot.adapters.template_files``
reads them from ``templates/``) and run in Jinja2's immutable sandbox with ``StrictUndefined``:
a template that names a field the schedule does not have fails loudly instead of printing nothing.
Everything an organizer wrote (titles, descriptions, URLs) reaches templates as *data*, never as
template source, so ``{{ 7*7 }}`` in a title comes out as ``{{ 7*7 }}``. Templates whose name
contains ``.html`` are autoescaped; text and subject templates are not. A subject is always one
line: line breaks and control characters are replaced by spaces (e-mail header injection).

Every Jinja2 error is mapped to ``bot.errors.TemplateError`` here, once. Pure: no clock, no
files; countdowns are measured from the reminder's due time unless ``now`` is passed.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, NoReturn

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from bot.core.links import safe_link
from bot.core.model import Event, ImportantDate, Submission, check_aware
from bot.core.planner import Reminder
from bot.core.timefmt import countdown, format_day, format_instant, zone_caption
from bot.core.zones import UTC_ZONE, Zone
from bot.errors import TemplateError

SUBJECT = "reminder.subject.j2"
TEXT = "reminder.txt.j2"
HTML = "reminder.html.j2"
REQUIRED = (SUBJECT, TEXT, HTML)

# Kinds whose reminders say how to submit: both are uploads to the submission system.
_SUBMITTED: frozenset[str] = frozenset({"deadline", "camera-ready"})
_TEMPLATE_FAILURES = (jinja2.TemplateError, TypeError, ValueError, AttributeError,
                      ArithmeticError, LookupError)


@dataclass(frozen=True, kw_only=True)
class Message:
    """A rendered message: one-line subject, plain text, and autoescaped HTML."""

    subject: str
    text: str
    html: str


def one_line(text: str) -> str:
    """Header-safe: every line break, NUL and control character becomes one space."""
    cleaned = "".join(" " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch
                      for ch in text)
    return " ".join(cleaned.split())


def _instant(moment: datetime, zone: Zone) -> str:
    return format_instant(moment, zone)


def _caption(moment: datetime, zone: Zone) -> str:
    return zone_caption(zone, moment)


def _utc(moment: datetime) -> str:
    return format_instant(moment, UTC_ZONE)


def _countdown(target: datetime, since: datetime) -> str:
    """``7 days`` / ``3 hours`` from ``since`` to ``target``; ``passed 2 hours ago`` if past."""
    delta = check_aware(target) - check_aware(since)
    return countdown(delta) if delta >= timedelta(0) else f"passed {countdown(delta)} ago"


def _duration(lead: timedelta) -> str:
    return countdown(lead)


def _day(value: date) -> str:
    return format_day(value)


FILTERS: Mapping[str, Callable[..., str]] = {
    "instant": _instant,      # {{ moment | instant(zone) }} -> Sunday 10 September 2017, 23:59 PDT
    "caption": _caption,      # {{ moment | caption(zone) }} -> America/Los_Angeles, UTC-07:00
    "utc": _utc,              # {{ moment | utc }} -> Monday 11 September 2017, 06:59 UTC
    "countdown": _countdown,  # {{ target | countdown(since) }} -> 7 days
    "duration": _duration,    # {{ reminder.lead | duration }} -> 7 days
    "link": safe_link,        # {{ url | link }} -> the URL, or "" if not http(s)/mailto
    "day": _day,              # {{ date.day | day }} -> Tuesday 10 October 2017
}


def _is_html(name: str | None) -> bool:
    return name is not None and ".html" in name


class _Sources(jinja2.BaseLoader):
    """Templates from a mapping, named as their own "file" so that tracebacks carry lines."""

    def __init__(self, templates: Mapping[str, str]) -> None:
        self._templates = dict(templates)

    def get_source(self, environment: jinja2.Environment, template: str
                   ) -> tuple[str, str, Callable[[], bool]]:
        if template not in self._templates:
            raise jinja2.TemplateNotFound(template)
        return self._templates[template], template, lambda: True

    def list_templates(self) -> list[str]:
        return sorted(self._templates)


def _template_frame(exc: BaseException, names: Collection[str]) -> tuple[str, int | None]:
    """The innermost template line in a runtime error's traceback (Jinja2 maps it for us)."""
    found: tuple[str, int | None] = ("", None)
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename in names:
            found = (tb.tb_frame.f_code.co_filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


def _raise(exc: Exception, name: str, names: Collection[str]) -> NoReturn:
    """Every Jinja2 failure, as the one error type the CLI and adapters know."""
    if isinstance(exc, jinja2.TemplateNotFound):
        raise TemplateError(f"no template named {exc.name!r}", file=name) from exc
    line = getattr(exc, "lineno", None)
    where = getattr(exc, "name", None) or name
    if line is None:
        frame, frame_line = _template_frame(exc, names)
        where, line = (frame, frame_line) if frame else (where, None)
    if isinstance(exc, jinja2.UndefinedError):
        raise TemplateError(f"{exc.message}: the template uses a field that is not there",
                            file=where, line=line) from exc
    if isinstance(exc, jinja2.TemplateSyntaxError):
        raise TemplateError(f"template syntax: {exc.message}", file=where, line=line) from exc
    message = getattr(exc, "message", None) or str(exc)
    raise TemplateError(f"template failed: {message}", file=where, line=line) from exc


def late_note(reminder: Reminder, zone: Zone) -> str:
    """What a late reminder says about itself: when it was due, in ``zone`` and in UTC."""
    return (f"This reminder was due at {format_instant(reminder.due, zone)} "
            f"({_utc(reminder.due)}); it is being sent late.")


class Renderer:
    """Renders messages from a fixed set of templates; all of them are compiled up front."""

    def __init__(self, templates: Mapping[str, str]) -> None:
        self._env = ImmutableSandboxedEnvironment(
            loader=_Sources(templates),
            undefined=jinja2.StrictUndefined,
            autoescape=_is_html,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self._env.filters.update(FILTERS)
        self._names = frozenset(templates)
        for name in sorted(templates):  # a broken template fails at start-up, not at 3 a.m.
            try:
                self._env.get_template(name)
            except jinja2.TemplateError as exc:
                _raise(exc, name, self._names)

    def render(self, name: str, **context: object) -> str:
        """Render any template by name; every failure raises TemplateError."""
        try:
            return self._env.get_template(name).render(**context)
        except _TEMPLATE_FAILURES as exc:  # a filter fed the wrong thing is a template mistake
            _raise(exc, name, self._names)

    def reminder(self, event: Event, reminder: Reminder, *, reader: Zone | None = None,
                 now: datetime | None = None, late_note: str = "") -> Message:
        """The message for one reminder; countdowns run from ``now``, else from its due time."""
        when = event.date(reminder.date_id)
        context = reminder_context(event, when, reminder, reader=reader, now=now,
                                   late_note=late_note)
        return Message(subject=one_line(self.render(SUBJECT, **context)),
                       text=self.render(TEXT, **context),
                       html=self.render(HTML, **context))


def _when_text(when: ImportantDate, target: datetime) -> str:
    """The date in its own zone, weekday first, with the zone spelled out."""
    if not when.all_day:
        return f"{format_instant(target, when.zone)} ({zone_caption(when.zone, target)})"
    assert when.day is not None
    days = format_day(when.day)
    if when.end_day is not None and when.end_day != when.day:
        days = f"{days} to {format_day(when.end_day)}"
    caption = zone_caption(when.zone, when.starts)
    if when.kind == "deadline":
        return f"by the end of {days} ({caption})"
    return f"{days} (all day, {caption})"


def reminder_context(event: Event, when: ImportantDate, reminder: Reminder, *,
                     reader: Zone | None = None, now: datetime | None = None,
                     late_note: str = "") -> dict[str, Any]:
    """Everything the reminder templates see. Strings are computed here so they are tested."""
    since = check_aware(now) if now is not None else reminder.due
    target = reminder.target
    left = target - since
    if left > timedelta(0):
        origin = "now" if now is not None else "the time this reminder was due"
        relation = f"{countdown(left)} from {origin}"
        short = f"in {countdown(left)}"
    else:
        relation = short = f"passed {countdown(left)} ago"
    reader_text = ""
    if reader is not None and (reader.local(target).utcoffset() != when.zone.local(
            target).utcoffset() or reader.abbreviation(target) != when.zone.abbreviation(target)):
        verb = "" if not when.all_day else ("closes " if when.kind == "deadline" else "begins ")
        reader_text = f"{verb}{format_instant(target, reader)} ({zone_caption(reader, target)})"
    submission: Submission | None = event.submission if when.kind in _SUBMITTED else None
    return {
        "event": event,
        "date": when,
        "reminder": reminder,
        "zone": when.zone,
        "reader": reader,
        "target": target,
        "due": reminder.due,
        "since": since,
        "now": now,
        "when_text": _when_text(when, target),
        "utc_text": _utc(target),
        "reader_text": reader_text,
        "relation": relation,
        "countdown_short": short,
        "late_note": late_note,
        "submission": submission,
        "contact": event.contact,
        "is_deadline": when.kind == "deadline",
        "final_call": reminder.final_call,
    }
