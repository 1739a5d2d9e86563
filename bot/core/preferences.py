"""What one subscriber wants: which dates, how long before, in which zone and language, or a digest.

Pure. A subscriber's reminders keep the schedule's ids (``{event}/{date}/{lead}``), so the
ledger key of a reminder (id plus destination) is the same whichever preferences produced it:
changing lead times from 1d,3h to 2d,3h cancels the unsent 1d, adds 2d and leaves 3h alone,
and a reminder already sent is never planned as new. Digests have ids of their own
(``{event}/digest/{period}``).

Preferences are stored as a small JSON object beside the subscriber; ``from_json`` refuses
anything it does not understand with a ValueError that names the field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from html import escape
from types import MappingProxyType
from typing import Any, Literal, cast

from bot.core.language import ENGLISH, N_, Language, language_code
from bot.core.model import KINDS, Event, ImportantDate, Kind
from bot.core.planner import Reminder, due_at, target_of
from bot.core.render import Message, kind_name
from bot.core.schedule import format_duration, parse_duration
from bot.core.zones import Zone, parse_zone
from bot.errors import ZoneError

DIGEST_KIND = "digest"
Digest = Literal["weekly", "next7"]
DIGESTS: tuple[Digest, ...] = ("weekly", "next7")
LANGUAGES = ("en", "zh")
ALL = "*"
MAX_LEADS = 6
MAX_LEAD = timedelta(days=90)
# Digests go out at 09:00 on the subscriber's wall clock: Mondays (weekly) or every day (next7).
DIGEST_HOUR = 9
_EMPTY: Mapping[str, tuple[timedelta, ...]] = MappingProxyType({})


@dataclass(frozen=True, kw_only=True)
class Preferences:
    """A subscriber's choices; the defaults mean "as the organizers planned it"."""

    kinds: frozenset[Kind] | None = None
    """Only dates of these kinds; None: every kind the schedule reminds of."""
    dates: frozenset[str] | None = None
    """Only these date ids; None: every date (of ``kinds``)."""
    leads: Mapping[str, tuple[timedelta, ...]] = field(default_factory=lambda: _EMPTY)
    """Own lead times per date id, or for every date under ``"*"``; absent: the schedule's."""
    zone: str | None = None
    """The zone to show times in (as ``parse_zone`` reads it); None: the event's."""
    language: str | None = None
    """``en`` or ``zh``; None: English."""
    digest: Digest | None = None
    """``weekly`` (Mondays) or ``next7`` (each morning, the next 7 days) instead of reminders."""

    @property
    def is_default(self) -> bool:
        return self == Preferences()

    def wants(self, when: ImportantDate) -> bool:
        if self.kinds is not None and when.kind not in self.kinds:
            return False
        return self.dates is None or when.id in self.dates

    def leads_for(self, event: Event, when: ImportantDate) -> tuple[timedelta, ...]:
        own = self.leads.get(when.id, self.leads.get(ALL))
        if own is None:
            return event.policy.leads_for(when)
        return tuple(sorted(set(own), reverse=True))

    def reader_zone(self) -> Zone | None:
        return parse_zone(self.zone) if self.zone else None


def reminders_for_subscriber(event: Event, prefs: Preferences) -> list[Reminder]:
    """The single reminders this subscriber gets (none while they chose a digest)."""
    if prefs.digest is not None:
        return []
    out: list[Reminder] = []
    for when in event.dates:
        if when.cancelled or not prefs.wants(when):
            continue
        target = target_of(when)
        for lead in prefs.leads_for(event, when):
            text = format_duration(lead)
            out.append(Reminder(id=f"{event.id}/{when.id}/{text}", event_id=event.id,
                                date_id=when.id, lead=lead, lead_text=text,
                                due=due_at(target, lead, when.zone), target=target,
                                final_call=False))
    return sorted(out, key=lambda r: (r.due, r.id))


@dataclass(frozen=True, kw_only=True)
class DigestItem:
    """One digest: when it goes out and which dates fall in its window."""

    id: str
    event_id: str
    due: datetime
    window_end: datetime
    date_ids: tuple[str, ...]


def digests_for_subscriber(event: Event, prefs: Preferences, *, start: datetime,
                           end: datetime) -> list[DigestItem]:
    """The digests due in ``[start, end)`` that have at least one date to tell of.

    Each covers the 7 days after it goes out; one with nothing in them is not planned.
    """
    if prefs.digest is None:
        return []
    zone = prefs.reader_zone() or event.zone
    step = timedelta(days=7 if prefs.digest == "weekly" else 1)
    day = zone.local(start).date()
    if prefs.digest == "weekly":
        day -= timedelta(days=day.weekday())  # back to Monday
    out: list[DigestItem] = []
    while True:
        try:
            due = zone.localize(datetime(day.year, day.month, day.day, DIGEST_HOUR),
                                fold="earlier")
        except ZoneError:  # 09:00 skipped by a clock change: an hour later
            due = zone.localize(datetime(day.year, day.month, day.day, DIGEST_HOUR + 1),
                                fold="earlier")
        if due >= end:
            return out
        window_end = due + timedelta(days=7)
        if due >= start:
            inside = tuple(
                when.id for when in event.in_order()
                if not when.cancelled and prefs.wants(when)
                and due <= target_of(when) < window_end)
            if inside:
                out.append(DigestItem(id=f"{event.id}/digest/{day.isoformat()}",
                                      event_id=event.id, due=due.astimezone(UTC),
                                      window_end=window_end.astimezone(UTC), date_ids=inside))
        day += step


def digest_message(event: Event, digest: DigestItem, prefs: Preferences, *, now: datetime,
                   settings_url: str = "", lang: Language = ENGLISH) -> Message:
    """The digest's text: each date in the reader's zone, the event's beside it, time left."""
    _ = lang.gettext
    try:
        reader = prefs.reader_zone()
    except ZoneError:
        reader = None
    lines: list[str] = []
    for date_id in digest.date_ids:
        try:
            when = event.date(date_id)
        except KeyError:
            continue
        lines.append(_("%(title)s: %(when)s") % {"title": when.title,
                                                   "when": lang.sentence(when, now, reader)})
    names = {"event": event.name, "num": len(lines)}
    if prefs.digest == "weekly":
        subject = lang.ngettext("%(event)s: this week, %(num)s date",
                                "%(event)s: this week, %(num)s dates", len(lines)) % names
        intro = _("This week for %(event)s:") % names
    else:
        subject = lang.ngettext("%(event)s: the next 7 days, %(num)s date",
                                "%(event)s: the next 7 days, %(num)s dates", len(lines)) % names
        intro = _("The next 7 days for %(event)s:") % names
    footer = (_("You chose a digest instead of single reminders; to change it, reply "
                "\"settings\" or open %(url)s.") % {"url": settings_url} if settings_url else
              _("You chose a digest instead of single reminders; to change it, reply "
                "\"settings\"."))
    text = "\n".join([intro, "", *(f"- {line}" for line in lines), "", footer]) + "\n"
    items = "".join(f"<li>{escape(line)}</li>" for line in lines)
    html = f"<p>{escape(intro)}</p><ul>{items}</ul><p>{escape(footer)}</p>"
    return Message(subject=subject, text=text, html=html)


# -- storage ----------------------------------------------------------------------------------


def to_json(prefs: Preferences) -> str:
    """Compact JSON with only what differs from the defaults; keys sorted (stable bytes)."""
    out: dict[str, Any] = {}
    if prefs.kinds is not None:
        out["kinds"] = sorted(prefs.kinds)
    if prefs.dates is not None:
        out["dates"] = sorted(prefs.dates)
    if prefs.leads:
        out["leads"] = {k: [format_duration(v) for v in vs] for k, vs in
                        sorted(prefs.leads.items())}
    for name in ("zone", "language", "digest"):
        value = getattr(prefs, name)
        if value is not None:
            out[name] = value
    return json.dumps(out, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def from_json(text: str | None) -> Preferences:
    """Read stored preferences; ValueError names the field that is wrong."""
    if not text:
        return Preferences()
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"preferences are not JSON: {exc}") from None
    if not isinstance(raw, dict):
        raise ValueError("preferences must be a JSON object")
    unknown = set(raw) - {"kinds", "dates", "leads", "zone", "language", "digest"}
    if unknown:
        raise ValueError(f"unknown preference field(s): {', '.join(sorted(unknown))}")
    kinds = raw.get("kinds")
    if kinds is not None and (not isinstance(kinds, list)
                              or any(k not in KINDS for k in kinds)):
        raise ValueError(f"kinds: expected a list of {', '.join(KINDS)}, got {kinds!r}")
    dates = raw.get("dates")
    if dates is not None and (not isinstance(dates, list)
                              or not all(isinstance(d, str) for d in dates)):
        raise ValueError(f"dates: expected a list of date ids, got {dates!r}")
    leads_raw = raw.get("leads") or {}
    if not isinstance(leads_raw, dict):
        raise ValueError(f"leads: expected an object of date id -> lead times, got {leads_raw!r}")
    leads = {str(k): check_leads(v if isinstance(v, list) else [v], where=f"leads.{k}")
             for k, v in leads_raw.items()}
    zone = raw.get("zone")
    if zone is not None:
        if not isinstance(zone, str):
            raise ValueError(f"zone: expected a zone name, got {zone!r}")
        parse_zone(zone)
    language = raw.get("language")
    if language is not None and language not in LANGUAGES:
        raise ValueError(f"language: expected one of {', '.join(LANGUAGES)}, got {language!r}")
    digest = raw.get("digest")
    if digest is not None and digest not in DIGESTS:
        raise ValueError(f"digest: expected one of {', '.join(DIGESTS)}, got {digest!r}")
    return Preferences(
        kinds=frozenset(cast("list[Kind]", kinds)) if kinds is not None else None,
        dates=frozenset(dates) if dates is not None else None,
        leads=MappingProxyType(leads), zone=zone, language=language,
        digest=cast("Digest | None", digest))


class PreferenceError(ValueError):
    """A choice that cannot be, said so that it can be said in the person's language: the
    English text is ``str(error)``, ``text_in(lang)`` the translation. ``where`` is translated
    too when it is a catalog message ("lead times"); a stored field's name ("leads.abstract")
    is not one and stays as it is."""

    def __init__(self, message: str, **values: str) -> None:
        self.message = message
        self.values = values
        super().__init__(message % values)

    def text_in(self, lang: Language) -> str:
        values = dict(self.values)
        if "where" in values:
            values["where"] = lang.gettext(values["where"])
        return lang.gettext(self.message) % values


def reason_in(problem: Exception, lang: Language) -> str:
    """What went wrong, for the person: translated when it is a PreferenceError."""
    return problem.text_in(lang) if isinstance(problem, PreferenceError) else str(problem)


def check_leads(values: Iterable[object], *, where: str = N_("lead times")
                ) -> tuple[timedelta, ...]:
    """Lead times as a subscriber may choose them: 1 to 6 of them, each over 0, up to 90 days."""
    out: set[timedelta] = set()
    for value in values:
        try:
            lead = value if isinstance(value, timedelta) else parse_duration(value)
        except ValueError:
            raise PreferenceError(N_("%(where)s: %(value)s is not a lead time such as 2d, 3h "
                                     "or 30m"), where=where, value=repr(value)) from None
        if not timedelta(0) < lead <= MAX_LEAD:
            raise PreferenceError(N_("%(where)s: %(lead)s must be more than 0 and at most "
                                     "%(days)s days"), where=where,
                                  lead=format_duration(lead), days=str(MAX_LEAD.days))
        out.add(lead)
    if not out:
        raise PreferenceError(N_("%(where)s: at least one lead time, such as 1d or 3h"),
                              where=where)
    if len(out) > MAX_LEADS:
        raise PreferenceError(N_("%(where)s: at most %(most)s lead times, got %(count)s"),
                              where=where, most=str(MAX_LEADS), count=str(len(out)))
    return tuple(sorted(out, reverse=True))


def check_zone(text: str) -> Zone:
    """A zone a subscriber named (``Asia/Shanghai``, ``UTC+8``, ``Beijing``...), or a
    PreferenceError saying how to name one."""
    try:
        return parse_zone(text.strip())
    except ZoneError:
        raise PreferenceError(N_("I don't know the time zone %(zone)s: write an IANA name "
                                 "such as Asia/Shanghai or Europe/Paris, or an offset such "
                                 "as UTC+8"), zone=repr(text.strip())) from None


# -- what people write: "remind me 2 days and 1 hour before the abstract deadline" ------------


@dataclass(frozen=True, kw_only=True)
class Change:
    """A preference command, read: the new preferences and what changed, to be said in words."""

    prefs: Preferences
    parts: tuple[tuple[str, Mapping[str, str | tuple[str, ...]]], ...]

    @property
    def summary(self) -> str:
        return self.summary_in(ENGLISH)

    def summary_in(self, lang: Language) -> str:
        """``times in Asia/Tokyo; 2d and 1h before the abstract deadline``, in ``lang``."""
        said = []
        for message, values in self.parts:
            filled = {k: v if isinstance(v, str) else lang.gettext(" and ").join(v)
                      for k, v in values.items()}
            if isinstance(values.get("kinds"), tuple):  # kinds are named in the language
                filled["kinds"] = _kinds_in(lang, values["kinds"])
            said.append(lang.gettext(message) % filled)
        return lang.gettext("; ").join(said)


_NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
                 "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "twelve": 12,
                 "一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7}
_UNIT = {"week": "w", "weeks": "w", "wk": "w", "w": "w", "周": "w", "星期": "w",
         "day": "d", "days": "d", "d": "d", "天": "d", "日": "d",
         "hour": "h", "hours": "h", "hr": "h", "hrs": "h", "h": "h", "小时": "h", "个小时": "h",
         "minute": "m", "minutes": "m", "min": "m", "mins": "m", "m": "m", "分钟": "m"}
_LEAD = re.compile(
    r"(?<![a-z0-9])(?P<n>\d+|(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|twelve)"
    r"(?=\s)|[一两二三四五六七])\s*(?P<unit>weeks?|wk|w|days?|d|hours?|hrs?|h|minutes?|mins?|m|周|星期|天|日|个小时|小时|分钟)"
    r"(?![a-z])", re.IGNORECASE)
_REMIND = re.compile(r"\bremind me\b|提前|提醒我", re.IGNORECASE)
_ZONE = re.compile(r"(?:\bmy\s+(?:time\s*zone|timezone|zone|tz)\s+is\b"
                   r"|\bset\s+(?:my\s+)?(?:time\s*zone|timezone|zone)\s+(?:to\s+)?|我的时区是|时区[:：]?)"
                   r"\s*(?P<zone>[^\s,;.!?。，]+(?:\s[^\s,;.!?。，]+)?)", re.IGNORECASE)
_LANGUAGE_WORDS = (r"chinese|english|zh(?:[-_]\w+)?|en(?:[-_]\w+)?|中文|英文|french|german"
                   r"|spanish|japanese|korean|russian|portuguese|italian|arabic|hindi")
_LANGUAGE = re.compile(
    rf"\b(?:reply|answer|write|talk|speak|remind me)\s+(?:to me\s+)?in\s+"
    rf"(?P<said>{_LANGUAGE_WORDS})(?![\w-])|\b(?:language|lang)\s+(?P<named>{_LANGUAGE_WORDS})(?![\w-])"
    r"|\b(?:language|lang)(?:\s+is\b|\s+to\b|\s*[:=])\s*(?P<lang>[^\s,;.!?。，]+)"
    r"|(?:我的语言是|语言[:：]?)\s*(?P<lang_zh>[^\s,;.!?。，]+)"
    r"|(?P<zh>用中文|中文回复|说中文)|(?P<en>用英文|英文回复)", re.IGNORECASE)
_DIGEST = re.compile(r"\b(?P<off>no|stop|without)\s+(?:the\s+)?digest\b|\bweekly\b|每周|"
                     r"\bnext\s+(?:7|seven)\s+days\b|\bdaily\s+digest\b|\bdigest\b",
                     re.IGNORECASE)
_QUESTION = re.compile(r"[?？]\s*$|^\s*(?:when|what|how|is|are|do|does|did|can|could|will|"
                       r"which|where|who|why)\b|吗\s*[?？]?\s*$|什么|几点|多久|哪",
                       re.IGNORECASE)
_ONLY = re.compile(r"\bonly\b|\bjust\b|只要|只提醒", re.IGNORECASE)
_EVERYTHING = re.compile(r"\b(?:all|every(?:thing)?)\s+(?:dates|reminders)\b|\breset\b|"
                         r"\bdefaults?\b|恢复默认", re.IGNORECASE)
_KIND_WORDS: Mapping[str, Kind] = MappingProxyType({
    "deadlines": "deadline", "deadline": "deadline", "截止": "deadline", "截稿": "deadline",
    "notifications": "notification", "notification": "notification", "通知": "notification",
    "camera-ready": "camera-ready", "camera ready": "camera-ready", "最终版": "camera-ready",
    "events": "event", "the event": "event", "workshop": "event", "会议": "event"})


def read_leads(text: str) -> tuple[timedelta, ...]:
    """Every "2 days", "1 hour", "3h", "两天" in ``text`` (durations joined by "and" add up
    only when written as one: "1 day 12 hours" is one lead, "2 days and 1 hour" are two)."""
    found: list[timedelta] = []
    last_end = -1
    for match in _LEAD.finditer(text):
        raw = match["n"].lower()
        n = int(raw) if raw.isdigit() else _NUMBER_WORDS[raw]
        lead = parse_duration(f"{n}{_UNIT[match['unit'].lower()]}")
        if found and last_end >= 0 and not text[last_end:match.start()].strip():
            found[-1] += lead  # "1 day 12 hours": one lead written in two parts
        else:
            found.append(lead)
        last_end = match.end()
    return tuple(found)


def parse_command(text: str, event: Event, current: Preferences, *,
                  find_dates: Any = None) -> Change | None:
    """Read a settings command; None when ``text`` is not one (it may be a question).

    ``find_dates(text, event)`` names the date ids a phrase refers to ("the abstract deadline");
    the default matches date ids and titles word for word. Raises ValueError (a message for the
    person) for a command that is understood but not possible ("remind me 200 days before").
    """
    finder = find_dates or _dates_named
    if _QUESTION.search(text) and not _REMIND.search(text):
        return None  # "is it in Chinese time?" is a question for the answer engine
    prefs = current
    said: list[tuple[str, dict[str, str | tuple[str, ...]]]] = []
    lowered = text.casefold()

    zone_match = _ZONE.search(text)
    if zone_match:
        zone = _zone_from(zone_match["zone"])
        prefs = replace(prefs, zone=zone.key)
        said.append((N_("times in %(zone)s"), {"zone": zone.name}))

    language = _LANGUAGE.search(text)
    if language:
        word = (language["said"] or language["named"] or language["lang"]
                or language["lang_zh"] or "")
        code = "zh" if language["zh"] else "en" if language["en"] else language_code(word)
        prefs = replace(prefs, language=code or "en")
        if code is None:  # English it is, and the person is told so
            said.append((N_("in English: I cannot write %(language)s yet (I write English and "
                           "中文 Chinese)"), {"language": word}))
        else:
            said.append((N_("in Chinese"), {}) if code == "zh" else (N_("in English"), {}))

    digest = _DIGEST.search(text)
    if digest and not _REMIND.search(text):
        if digest["off"]:
            prefs = replace(prefs, digest=None)
            said.append((N_("single reminders instead of a digest"), {}))
        else:
            kind: Digest = "next7" if re.search(r"next\s+(?:7|seven)\s+days|daily", lowered) \
                else "weekly"
            prefs = replace(prefs, digest=kind)
            said.append((N_("a weekly digest on Mondays"), {}) if kind == "weekly"
                        else (N_("a digest of the next 7 days every morning"), {}))

    if _EVERYTHING.search(text):
        prefs = replace(prefs, kinds=None, dates=None, leads=_EMPTY, digest=None)
        said.append((N_("every reminder as the organizers planned it"), {}))

    if _REMIND.search(text):
        leads = read_leads(text)
        date_ids = finder(text, event) or [
            d.id for d in event.dates if d.kind in _kinds_named(lowered)]
        if leads:
            chosen = check_leads(leads)
            key_ids = date_ids or (ALL,)
            merged = dict(prefs.leads)
            for key in key_ids:
                merged[key] = chosen
            prefs = replace(prefs, leads=MappingProxyType(merged), digest=None)
            leads_text = tuple(format_duration(x) for x in chosen)
            if date_ids:
                said.append((N_("%(leads)s before %(what)s"), {
                    "leads": leads_text, "what": ", ".join(_title(event, d) for d in date_ids)}))
            else:
                said.append((N_("%(leads)s before every date"), {"leads": leads_text}))
        elif date_ids:
            prefs = _only(prefs, event, date_ids)
            said.append((N_("only %(what)s"), {
                "what": ", ".join(_title(event, d) for d in date_ids)}))
    elif _ONLY.search(text):
        kinds = _kinds_named(lowered)
        date_ids = finder(text, event)
        if date_ids:
            prefs = _only(prefs, event, date_ids)
            said.append((N_("only %(what)s"), {
                "what": ", ".join(_title(event, d) for d in date_ids)}))
        elif kinds:
            prefs = replace(prefs, kinds=frozenset(kinds), dates=None)
            said.append((N_("only %(kinds)s"), {"kinds": tuple(sorted(kinds))}))

    if not said:
        return None
    return Change(prefs=prefs, parts=tuple(said))


def _only(prefs: Preferences, event: Event, date_ids: Sequence[str]) -> Preferences:
    return replace(prefs, dates=frozenset(date_ids), kinds=None)


def _title(event: Event, date_id: str) -> str:
    try:
        return event.date(date_id).title
    except KeyError:
        return date_id


def _zone_from(text: str) -> Zone:
    """The zone at the start of ``text`` ("Asia/Tokyo please"): all of it, else its first word."""
    words = text.strip()
    for candidate in (words, words.split()[0]):
        try:
            return parse_zone(candidate)
        except ZoneError:
            continue
    return check_zone(words)  # raises, naming what was written


def _kinds_in(lang: Language, kinds: Iterable[str]) -> str:
    """``deadline, notification`` / ``截止日期，通知``."""
    return lang.gettext(", ").join(kind_name(lang, kind) for kind in kinds)


def _kinds_named(lowered: str) -> set[Kind]:
    return {kind for word, kind in _KIND_WORDS.items() if word in lowered}


def _dates_named(text: str, event: Event) -> list[str]:
    """Date ids whose id, or whose title's distinctive words, stand in ``text``."""
    lowered = text.casefold()
    found: list[str] = []
    for when in event.dates:
        words = [w for w in re.findall(r"[a-z0-9-]+", when.title.casefold())
                 if w not in _COMMON]
        if re.search(rf"\b{re.escape(when.id.casefold())}\b", lowered) or (
                words and all(w in lowered for w in words[:1])):
            found.append(when.id)
    return found


_COMMON = frozenset({"the", "a", "an", "of", "for", "and", "submission", "deadline", "due",
                     "date", "dates", "paper", "papers", "poster", "workshop"})


def describe(event: Event, prefs: Preferences, lang: Language = ENGLISH) -> list[str]:
    """The settings in words, one line each, for ``settings`` and the page."""
    _ = lang.gettext
    lines = []
    if prefs.digest == "weekly":
        lines.append(_("A weekly digest on Monday mornings instead of single reminders."))
    elif prefs.digest == "next7":
        lines.append(_("Each morning, a digest of the next 7 days instead of single reminders."))
    if prefs.dates is not None:
        lines.append(_("Only: %(what)s") % {
            "what": ", ".join(_title(event, d) for d in sorted(prefs.dates))})
    elif prefs.kinds is not None:
        lines.append(_("Only: %(what)s") % {"what": _kinds_in(lang, sorted(prefs.kinds))})
    else:
        lines.append(_("Every date the organizers remind of."))
    for key, values in sorted(prefs.leads.items()):
        leads = ", ".join(format_duration(v) for v in values)
        if key == ALL:
            lines.append(_("Lead times for every date: %(leads)s") % {"leads": leads})
        else:
            lines.append(_("Lead times for %(what)s: %(leads)s") % {
                "what": _title(event, key), "leads": leads})
    if not prefs.leads:
        lines.append(_("Lead times: as the organizers planned them."))
    if prefs.zone:
        lines.append(_("Times in: %(zone)s") % {"zone": prefs.zone})
    else:
        lines.append(_("Times in: %(zone)s (the event’s zone)") % {"zone": event.zone.name})
    lines.append(_("Language: %(language)s") % {
        "language": {"zh": "中文 (Chinese)", "en": "English", None: "English"}[prefs.language]})
    return lines


__all__ = [
    "ALL",
    "DIGESTS",
    "DIGEST_KIND",
    "LANGUAGES",
    "Change",
    "DigestItem",
    "PreferenceError",
    "Preferences",
    "check_leads",
    "check_zone",
    "describe",
    "digest_message",
    "digests_for_subscriber",
    "from_json",
    "parse_command",
    "read_leads",
    "reason_in",
    "reminders_for_subscriber",
    "to_json",
]
