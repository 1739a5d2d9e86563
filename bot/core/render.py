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

The reader's language: the mapping may carry gettext catalogs as ``locale/CODE.po`` (their
text, as the edge read it). Templates mark their words with ``_()`` / ``ngettext()`` (Jinja2's
i18n extension), the filters format dates in that language, and each language gets its own
compiled environment; a language without a catalog is rendered in English.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, NoReturn

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from bot.core.language import ENGLISH, Language, read_catalog
from bot.core.links import safe_link
from bot.core.model import Event, ImportantDate, Submission, check_aware
from bot.core.planner import Reminder
from bot.core.timefmt import calendar_delta, captioned, date_captioned, date_instant
from bot.core.zones import UTC_ZONE, Zone
from bot.errors import TemplateError

SUBJECT = "reminder.subject.j2"
TEXT = "reminder.txt.j2"
HTML = "reminder.html.j2"
REQUIRED = (SUBJECT, TEXT, HTML)
CATALOGS = "locale/"
"""Names under this prefix in the templates mapping are gettext catalogs (``locale/zh.po``)."""

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


def _countdown_in(lang: Language, target: datetime, since: datetime,
                  zone: Zone | None = None) -> str:
    """``7 days`` / ``3 hours`` from ``since`` to ``target``; ``passed 2 hours ago`` if past.
    With ``zone``, days are counted on its calendar (``timefmt.calendar_delta``)."""
    delta = check_aware(target) - check_aware(since)
    words = lang.countdown(delta if zone is None else calendar_delta(target, since, zone))
    if delta >= timedelta(0):
        return words
    return lang.gettext("passed %(time)s ago") % {"time": words}


def kind_name(lang: Language, kind: str) -> str:
    """A date's kind as a noun in the reader's language ("deadline", "截止日期")."""
    names = {"deadline": lang.gettext("deadline"), "notification": lang.gettext("notification"),
             "camera-ready": lang.gettext("camera-ready"), "event": lang.gettext("event"),
             "other": lang.gettext("date")}
    return names.get(kind, kind)


def moment_text(lang: Language, value: str, zone: Zone, reader: Zone | None = None,
                of: ImportantDate | None = None) -> str:
    """An ISO instant in ``zone`` and in UTC; an ISO day as the day itself (all day): the
    ``moment`` filter, and the ``new_text``/``old_text`` of an extension notice. ``reader``:
    the zone the reader chose; where its clock differs from ``zone``'s, the instant comes in
    it first, with ``zone``'s beside it. ``of``: the date it is an instant of, whose "24:00"
    is said as its day's end."""
    if len(value) == 10:
        day = date.fromisoformat(value)
        return lang.gettext("%(days)s (all day, %(zone)s)") % {
            "days": lang.day(day), "zone": lang.caption(zone, zone.start_of_day(day))}
    moment = datetime.fromisoformat(value)

    def instant(at: Zone) -> str:
        return lang.instant(moment, at) if of is None else date_instant(of, moment, at, lang)

    own = instant(zone)
    with_utc = not same_offset(zone, UTC_ZONE, moment)  # "12:00 GMT (12:00 UTC)": twice
    if with_utc:
        own += lang.paren(instant(UTC_ZONE))
    if reader is None or same_offset(reader, zone, moment) or (
            with_utc and same_offset(reader, UTC_ZONE, moment)):  # the reader's is said
        return own
    here = (captioned(moment, reader, lang) if of is None
            else date_captioned(of, moment, reader, lang))
    return lang.gettext("%(here)s; that is %(there)s") % {"here": here, "there": own}


def same_offset(a: Zone, b: Zone, moment: datetime) -> bool:
    """Whether two zones' clocks read alike at ``moment`` (``UTC`` and ``Europe/London`` in
    winter, ``Asia/Shanghai`` and ``UTC+08:00``): then one of the two times is enough, the
    other would only repeat it under another name."""
    return a.local(moment).utcoffset() == b.local(moment).utcoffset()


def filters_for(lang: Language) -> dict[str, Callable[..., str]]:
    """The template filters, formatting in ``lang`` (English: ``bot.core.timefmt``)."""
    return {
        # {{ moment | instant(zone) }} -> Sunday 10 September 2017, 23:59 PDT;
        # {{ date.at | instant(zone, date) }}: a "24:00" of that date as its day's end
        "instant": lambda moment, zone, of=None: (lang.instant(moment, zone) if of is None
                                                  else date_instant(of, moment, zone, lang)),
        # {{ moment | caption(zone) }} -> America/Los_Angeles, UTC-07:00
        "caption": lambda moment, zone: lang.caption(zone, moment),
        # {{ moment | utc }} -> Monday 11 September 2017, 06:59 UTC
        "utc": lambda moment: lang.instant(moment, UTC_ZONE),
        # {{ target | countdown(since) }} -> 7 days; {{ target | countdown(since, zone) }}:
        # days on the calendar of zone (7 days from noon to noon, over a change of clocks too)
        "countdown": lambda target, since, zone=None: _countdown_in(lang, target, since, zone),
        # {{ reminder.lead | duration }} -> 7 days
        "duration": lambda lead: lang.countdown(lead),
        # {{ url | link }} -> the URL, or "" if not http(s)/mailto
        "link": safe_link,
        # {{ date.day | day }} -> Tuesday 10 October 2017
        "day": lambda value: lang.day(value),
        # {{ date.kind | kind_name }} -> deadline / 截止日期
        "kind_name": lambda kind: kind_name(lang, kind),
        # {{ params.new | moment(zone, reader) }} -> Friday 15 September 2017, 23:59 PDT (... UTC);
        # moment(zone, reader, date): a "24:00" of that date as its day's end
        "moment": lambda value, zone, reader=None, of=None: moment_text(lang, str(value), zone,
                                                                       reader, of),
        # {{ text | paren }} -> " (text)" / "（text）"
        "paren": lambda text: lang.paren(str(text)),
    }


FILTERS: Mapping[str, Callable[..., str]] = filters_for(ENGLISH)


def _is_html(name: str | None) -> bool:
    return name is not None and ".html" in name


class _Sources(jinja2.BaseLoader):
    """Templates from a mapping, named as their own "file" so that tracebacks carry lines."""

    def __init__(self, templates: Mapping[str, str]) -> None:
        self._templates = {k: v for k, v in templates.items() if not k.startswith(CATALOGS)}

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


def late_note(reminder: Reminder, zone: Zone, lang: Language = ENGLISH) -> str:
    """What a late reminder says about itself: when it was due, in ``zone`` and in UTC (once,
    where ``zone``'s clock reads as UTC's)."""
    if same_offset(zone, UTC_ZONE, reminder.due):
        return lang.gettext("This reminder was due at %(when)s; it is being sent late.") % {
            "when": lang.instant(reminder.due, zone)}
    return lang.gettext("This reminder was due at %(when)s (%(utc)s); it is being sent "
                        "late.") % {"when": lang.instant(reminder.due, zone),
                                    "utc": lang.instant(reminder.due, UTC_ZONE)}


def catalogs_in(templates: Mapping[str, str]) -> dict[str, Language]:
    """The languages whose ``locale/CODE.po`` the mapping carries; TemplateError names a bad one."""
    out: dict[str, Language] = {}
    for name, text in templates.items():
        if not name.startswith(CATALOGS) or not name.endswith(".po"):
            continue
        code = name[len(CATALOGS):-len(".po")]
        try:
            out[code] = read_catalog(text.splitlines(keepends=True), code)
        except ValueError as exc:
            raise TemplateError(str(exc), file=name) from None
    return out


@dataclass
class _Languages:
    """What a renderer and its other-language views share: catalogs, compiled templates."""

    catalogs: dict[str, Language]
    envs: dict[str, ImmutableSandboxedEnvironment] = field(default_factory=dict)
    speakers: dict[str, Renderer] = field(default_factory=dict)


class Renderer:
    """Renders messages from a fixed set of templates; all of them are compiled up front."""

    def __init__(self, templates: Mapping[str, str], *, language: str = "en",
                 _shared: _Languages | None = None) -> None:
        self._names = frozenset(k for k in templates if not k.startswith(CATALOGS))
        self.templates = templates
        if _shared is None:  # catalogs are read now: a broken one fails at start-up
            _shared = _Languages(catalogs={"en": ENGLISH, **catalogs_in(templates)})
        self._shared = _shared
        self.lang = _shared.catalogs.get(language, ENGLISH)
        env = _shared.envs.get(self.lang.code)
        if env is None:  # English at start-up; another language when first spoken
            env = _shared.envs[self.lang.code] = self._environment(templates, self.lang)
        self._env = env

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages this renderer speaks: English and every catalog it was given."""
        return tuple(sorted(self._shared.catalogs))

    def speaking(self, language: str | None) -> Renderer:
        """The same templates in ``language`` (English when there is no catalog for it)."""
        code = language if language in self._shared.catalogs else "en"
        if code == self.lang.code:
            return self
        found = self._shared.speakers.get(code)
        if found is None:
            found = self._shared.speakers[code] = Renderer(self.templates, language=code,
                                                           _shared=self._shared)
        return found

    def _environment(self, templates: Mapping[str, str], lang: Language
                     ) -> ImmutableSandboxedEnvironment:
        env = ImmutableSandboxedEnvironment(
            loader=_Sources(templates),
            undefined=jinja2.StrictUndefined,
            autoescape=_is_html,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            extensions=["jinja2.ext.i18n"],
        )
        env.policies["ext.i18n.trimmed"] = True
        env.install_gettext_callables(  # type: ignore[attr-defined]
            lang.gettext, lang.ngettext, newstyle=True)
        env.filters.update(filters_for(lang))
        env.globals["language"] = lang.code
        for name in sorted(self._names):  # a broken template fails at start-up, not at 3 a.m.
            try:
                env.get_template(name)
            except jinja2.TemplateError as exc:
                _raise(exc, name, self._names)
        return env

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
                                   late_note=late_note, lang=self.lang)
        return Message(subject=one_line(self.render(SUBJECT, **context)),
                       text=self.render(TEXT, **context),
                       html=self.render(HTML, **context))


def _when_text(when: ImportantDate, target: datetime, lang: Language = ENGLISH) -> str:
    """The date in its own zone, weekday first, with the zone spelled out."""
    if not when.all_day:
        return date_captioned(when, target, when.zone, lang)
    days = lang.days(when)
    caption = lang.caption(when.zone, when.starts)
    if when.kind == "deadline":
        return lang.gettext("by the end of %(days)s (%(zone)s)") % {"days": days,
                                                                     "zone": caption}
    return lang.gettext("%(days)s (all day, %(zone)s)") % {"days": days, "zone": caption}


def reminder_context(event: Event, when: ImportantDate, reminder: Reminder, *,
                     reader: Zone | None = None, now: datetime | None = None,
                     late_note: str = "", lang: Language = ENGLISH) -> dict[str, Any]:
    """Everything the reminder templates see. Strings are computed here so they are tested."""
    _ = lang.gettext
    since = check_aware(now) if now is not None else reminder.due
    target = reminder.target
    left = target - since
    said = lang.countdown(calendar_delta(target, since, when.zone))  # "1 day" on a 1d lead
    if left > timedelta(0):
        time_left = {"time": said}
        relation = (_("%(time)s from now") if now is not None
                    else _("%(time)s from the time this reminder was due")) % time_left
        short = _("in %(time)s") % time_left
    else:
        relation = short = _("passed %(time)s ago") % {"time": said}
    # Each clock is said once: UTC where the date's zone reads otherwise, the reader's where it
    # reads unlike both ("12:00 UTC" and "In UTC: 12:00 UTC" would say one time twice).
    show_utc = not when.all_day and not same_offset(when.zone, UTC_ZONE, target)
    reader_text = ""
    if reader is not None and not same_offset(reader, when.zone, target) and not (
            show_utc and same_offset(reader, UTC_ZONE, target)):
        there = date_captioned(when, target, reader, lang)
        if not when.all_day:
            reader_text = there
        elif when.kind == "deadline":
            reader_text = _("closes %(when)s") % {"when": there}
        else:
            reader_text = _("begins %(when)s") % {"when": there}
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
        "when_text": _when_text(when, target, lang),
        "utc_text": date_instant(when, target, UTC_ZONE, lang),
        "show_utc": show_utc,
        "reader_text": reader_text,
        "relation": relation,
        "countdown_short": short,
        "late_note": late_note,
        "submission": submission,
        "contact": event.contact,
        "is_deadline": when.kind == "deadline",
        "final_call": reminder.final_call,
    }
