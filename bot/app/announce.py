"""Announcements organizers schedule: "submissions are open", "deadline extended", "see you".

Two sources end in one ledger: ``[[announcements]]`` in the schedule file (for organizers who
keep everything in git) and ``duebot announce`` (the ``announcements`` table). Either way each
announcement becomes one delivery per destination, of kind ``announcement``, keyed
``ann/<event>/<id>|<destination>``, with its text or template name in the row's payload; the
engine renders it at send time, from the schedule as it is then.

``at`` is kept as written. Relative to a date (``abstract-2d``, ``notification+1h``,
``workshop``) it moves when the date moves: every reconcile resolves it again, and the ledger
re-times what is unsent. Whole days keep the wall-clock time in the date's zone, as reminders
do. An announcement relative to a cancelled date is not sent.

A template that names a field the schedule does not have is an error when the announcement is
scheduled (or the schedule file loaded), never at send time: it is rendered once, with the real
context, right then. Organizers' own ``text`` is data, never template source.

The functions taking ``service`` are what the CLI and Slack's organizer command call; they
print nothing.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from bot.core.language import ENGLISH, Language
from bot.core.model import Announcement, Event, ImportantDate
from bot.core.planner import due_at, target_of
from bot.core.render import Message, Renderer, moment_text, one_line
from bot.core.schedule import parse_when
from bot.core.timefmt import format_instant
from bot.core.zones import Zone
from bot.errors import DuebotError, Problem, TemplateError, UsageError
from bot.ports import UNSENT, Planned, Row, delivery_key

if TYPE_CHECKING:
    from bot.app.running import Running

log = logging.getLogger("duebot.announce")

KIND = "announcement"
TEXT_TEMPLATE = "announcement"
"""``announcement.subject.j2`` / ``.txt.j2`` / ``.html.j2``: the frame around ``text``."""
EXTENDED_TEMPLATE = "extended"
_DAY = timedelta(days=1)
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def item_id(event_id: str, announcement_id: str) -> str:
    return f"{KIND[:3]}/{event_id}/{announcement_id}"


def when_of(event: Event, at: str) -> datetime | None:
    """The instant ``at`` names for this event; None when it is relative to a cancelled date.

    ValueError (or ZoneError) when ``at`` cannot be read or names an unknown date.
    """
    spec = parse_when(at, {d.id for d in event.dates})
    if spec.date_id:
        when = event.date(spec.date_id)
        if when.cancelled:
            return None
        return shift(target_of(when), spec.offset, when.zone)
    local = spec.local
    assert local is not None
    if local.instant is not None:
        return local.instant
    assert isinstance(local.value, datetime)
    return (local.zone or event.zone).localize(local.value)


def shift(moment: datetime, offset: timedelta, zone: Zone) -> datetime:
    """``moment + offset``: whole days on the wall clock of ``zone``, the rest elapsed."""
    if offset < timedelta(0):
        return due_at(moment, -offset, zone)
    days = offset // _DAY
    rest = offset - days * _DAY
    if days:
        wall = zone.local(moment).replace(tzinfo=None) + days * _DAY
        try:
            moment = zone.localize(wall, fold="earlier")
        except DuebotError:  # a DST gap: count real time instead
            moment = moment + days * _DAY
    return moment + rest


def payload(announcement: Announcement) -> str:
    """What the ledger row carries: enough to render it at send time, and to see it change."""
    return json.dumps({"at": announcement.at, "text": announcement.text,
                       "template": announcement.template,
                       "params": dict(announcement.params)}, sort_keys=True, ensure_ascii=False)


def stored(rows: Sequence[Mapping[str, Any]]) -> list[Announcement]:
    """Announcements from the ledger's table (a template's params ride in ``text`` as JSON)."""
    out = []
    for row in rows:
        template = str(row["template"])
        text = str(row["text"])
        params: dict[str, str] = {}
        if template and text:
            params = {str(k): str(v) for k, v in json.loads(text).items()}
            text = ""
        out.append(Announcement(id=str(row["id"]), at=str(row["when_spec"]),
                                to=tuple(row["destinations"]), text=text, template=template,
                                params=MappingProxyType(params)))
    return out


def merged(event: Event, extra: Sequence[Announcement]) -> list[Announcement]:
    """The file's announcements, then the ledger's; on an id clash the file wins."""
    own = {a.id for a in event.announcements}
    for announcement in extra:
        if announcement.id in own:
            log.warning("%s: announcement %r is in the schedule file and was also scheduled by "
                        "command; the file's one is used", event.id, announcement.id)
    return [*event.announcements, *(a for a in extra if a.id not in own)]


def desired_announcements(event: Event, extra: Sequence[Announcement],
                          destinations: Sequence[str], *, approve: bool = False,
                          renderer: Renderer | None = None) -> list[Planned]:
    """Every announcement to every destination it names (none named: the schedule's own).

    With a renderer, a file announcement whose template does not render is left out (and
    logged): it is the file's error, reported by ``duebot validate``, never a 3 a.m. failure.
    """
    out = []
    own = {a.id for a in event.announcements}
    for announcement in merged(event, extra):
        try:
            due = when_of(event, announcement.at)
            if due is not None and renderer is not None and announcement.id in own:
                render(renderer, event, announcement, when=due)
        except (ValueError, DuebotError) as exc:
            log.error("%s: announcement %r not planned: %s", event.id, announcement.id, exc)
            continue
        if due is None:
            continue
        spec = parse_when(announcement.at, {d.id for d in event.dates})
        item = item_id(event.id, announcement.id)
        for destination in announcement.to or destinations:
            out.append(Planned(key=delivery_key(item, destination), event_id=event.id,
                               date_id=spec.date_id, item_id=item, destination=destination,
                               due=due, kind=KIND, payload=payload(announcement),
                               needs_approval=approve))
    return out


# -- rendering --------------------------------------------------------------------------------

def _moment_text(value: str, zone: Zone, lang: Language = ENGLISH) -> str:
    """An ISO instant in ``zone`` and in UTC; an ISO day as the day itself: the templates'
    ``moment`` filter, in the reader's language."""
    return moment_text(lang, value, zone)


def context(event: Event, announcement: Announcement, *, when: datetime,
            now: datetime | None = None, lang: Language = ENGLISH) -> dict[str, Any]:
    """What announcement templates see: the event, every date by id, the organizer's text."""
    dates: dict[str, ImportantDate] = {}
    for item in event.dates:
        dates[item.id] = item
        dates.setdefault(item.id.replace("-", "_").replace(".", "_"), item)
    text = announcement.text.strip()
    ctx: dict[str, Any] = {
        "event": event, "dates": dates, "submission": event.submission,
        "contact": event.contact, "zone": event.zone, "announcement": announcement,
        "text": text, "paragraphs": [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()],
        "headline": _headline(text), "params": dict(announcement.params), "when": when,
        "when_text": format_instant(when, event.zone), "now": now,
    }
    params = announcement.params
    if "date" in params:  # an extension notice: the date, its old and its new time
        changed = event.date(params["date"])
        zone = changed.zone
        ctx.update({
            "date": changed,
            "old_text": _moment_text(params.get("old", ""), zone, lang) if params.get("old")
            else "",
            "new_text": _moment_text(params["new"], zone, lang),
            "later": params.get("later", "true") == "true",
        })
    return ctx


def _headline(text: str, limit: int = 78) -> str:
    first = one_line(text.splitlines()[0]) if text else ""
    return first if len(first) <= limit else first[:limit - 1].rstrip() + "…"


def render(renderer: Renderer, event: Event, announcement: Announcement, *, when: datetime,
           now: datetime | None = None) -> Message:
    """The message; every template problem is a TemplateError, raised here."""
    base = announcement.template or TEXT_TEMPLATE
    ctx = context(event, announcement, when=when, now=now, lang=renderer.lang)
    return Message(subject=one_line(renderer.render(f"{base}.subject.j2", **ctx)),
                   text=renderer.render(f"{base}.txt.j2", **ctx),
                   html=renderer.render(f"{base}.html.j2", **ctx))


def slack_text(event: Event, announcement: Announcement) -> str:
    """For an extension notice, the times as ``<!date>`` tokens, which Slack shows in each
    reader's own zone (the fallback text is the date's own zone); "" for anything else."""
    params = announcement.params
    if "date" not in params or len(params.get("new", "")) <= 10:
        return ""
    changed = event.date(params["date"])

    def token(value: str) -> str:
        moment = datetime.fromisoformat(value)
        fallback = format_instant(moment, changed.zone)
        return f"<!date^{int(moment.timestamp())}^{{date_long_pretty}} {{time}}|{fallback}>"

    title = changed.title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    verb = "extended" if params.get("later", "true") == "true" else "moved"
    text = f"*{title}* has been {verb}: it is now {token(params['new'])}"
    if len(params.get("old", "")) > 10:
        text += f" (it was {token(params['old'])})"
    return text + "."


def check_file_announcements(event: Event, renderer: Renderer) -> list[Problem]:
    """Render each file announcement once: a field the schedule lacks is a load-time error."""
    problems = []
    for announcement in event.announcements:
        try:
            when = when_of(event, announcement.at)
            if when is not None:
                render(renderer, event, announcement, when=when)
        except (ValueError, DuebotError) as exc:
            message = exc.problem.message if isinstance(exc, DuebotError) else str(exc)
            where = exc.problem.file if isinstance(exc, TemplateError) else ""
            problems.append(Problem(
                message=f"announcement {announcement.id!r}: {message}"
                        + (f" (in {where})" if where else ""),
                file=event.source, line=announcement.line("template" if announcement.template
                                                          else "at"),
                field="announcements"))
    return problems


# -- what the CLI and Slack's organizer command call ------------------------------------------

@dataclass(frozen=True, kw_only=True)
class Prepared:
    """An announcement checked and rendered, ready to save or to preview."""

    event: Event
    announcement: Announcement
    due: datetime
    destinations: tuple[str, ...]
    message: Message


def find_event(service: Running, schedule: str | None) -> Event:
    """An event by id or by schedule path; the only one when ``schedule`` is None."""
    events = service.events()
    if schedule is None:
        if len(events) == 1:
            return next(iter(events.values()))
        raise UsageError(f"several schedules are loaded ({', '.join(sorted(events))}): pick one "
                         f"with --schedule")
    if schedule in events:
        return events[schedule]
    for loaded in service.schedules.values():
        if loaded.event is not None and (str(loaded.path) == schedule
                                         or loaded.path.name == schedule
                                         or loaded.path.stem == schedule):
            return loaded.event
    from bot.errors import suggest

    raise UsageError(f"no schedule {schedule!r} in the config{suggest(schedule, events)} "
                     f"(loaded: {', '.join(sorted(events)) or 'none'})")


def prepare(service: Running, event: Event, when_spec: str, destinations: Sequence[str], *,
            text: str = "", template: str = "", now: datetime,
            announcement_id: str = "", params: Mapping[str, str] | None = None) -> Prepared:
    """Check everything an announcement needs, and render it once with the real context."""
    from bot.core.destinations import check_destination

    if bool(text.strip()) == bool(template.strip()):
        raise UsageError("give exactly one of --text (the message) or --template (a template "
                         "name under templates/)")
    for destination in destinations:
        try:
            check_destination(destination)
        except ValueError as exc:
            raise UsageError(f"--to: {exc}") from None
    try:
        due = when_of(event, when_spec)
    except ValueError as exc:
        raise UsageError(f"--at: {exc}") from None
    except DuebotError as exc:
        raise UsageError(f"--at: {exc.problem.message}") from None
    if due is None:
        raise UsageError(f"--at {when_spec!r}: that date is cancelled")
    if due < now - service.config.delivery.grace:
        raise UsageError(f"--at {when_spec!r} is {format_instant(due, event.zone)}, already past")
    announcement = Announcement(id=announcement_id or "preview", at=when_spec.strip(),
                                to=tuple(dict.fromkeys(destinations)), text=text.strip(),
                                template=template.strip(),
                                params=MappingProxyType(dict(params or {})))
    message = render(service.engine.renderer, event, announcement, when=due)
    targets = announcement.to or service.engine.destinations.get(event.id, ())
    if not targets:
        raise UsageError("no destinations: pass --to, or set reminders_to for the schedule")
    return Prepared(event=event, announcement=announcement, due=due,
                    destinations=tuple(targets), message=message)


def new_id(service: Running, event: Event, base: str) -> str:
    """A readable id not used by the file or the ledger: ``a1``, ``abstract-extended-2``."""
    taken = {a.id for a in event.announcements} | {
        str(r["id"]) for r in service.ledger.announcement_rows()}
    base = base[:56]
    if base != "a" and base not in taken:
        return base
    sep = "" if base == "a" else "-"
    n = 1 if base == "a" else 2
    while f"{base}{sep}{n}" in taken:
        n += 1
    return f"{base}{sep}{n}"


def schedule_announcement(service: Running, event: Event, when_spec: str,
                          destinations: Sequence[str], *, text: str = "", template: str = "",
                          actor: str, now: datetime, announcement_id: str = "",
                          params: Mapping[str, str] | None = None) -> str:
    """Check, render once, save, plan its deliveries; returns the announcement's id."""
    ann_id = announcement_id or new_id(service, event, "a")
    if not _ID.match(ann_id):
        raise UsageError(f"announcement id {ann_id!r}: use letters, digits, '-', '_', '.'")
    if ann_id in {a.id for a in event.announcements} or ann_id in {
            str(r["id"]) for r in service.ledger.announcement_rows()}:
        raise UsageError(f"announcement id {ann_id!r} is already used")
    ready = prepare(service, event, when_spec, destinations, text=text, template=template,
                    now=now, announcement_id=ann_id, params=params)
    ann = ready.announcement
    service.ledger.add_announcement(
        now, id=ann_id, event_id=event.id, when_spec=ann.at, destinations=ann.to,
        text=json.dumps(dict(ann.params), sort_keys=True) if ann.template and ann.params
        else ann.text, template=ann.template, actor=actor)
    service.ledger.audit(now, actor=actor, action="announce", event_id=event.id,
                         detail=f"{ann_id}: at {ann.at} ({ready.due:%Y-%m-%d %H:%M} UTC) to "
                                f"{', '.join(ready.destinations)}: {ready.message.subject}")
    service.reconcile(now)
    return ann_id


def cancel_announcement(service: Running, announcement_id: str, *, actor: str,
                        now: datetime) -> int:
    """Cancel an unsent announcement; returns how many of its deliveries were cancelled."""
    rows = [r for r in service.ledger.announcement_rows() if r["id"] == announcement_id]
    if not rows:
        for event in service.events().values():
            for announcement in event.announcements:
                if announcement.id == announcement_id:
                    raise UsageError(f"announcement {announcement_id!r} lives in the schedule "
                                     f"file: remove it there", file=event.source,
                                     line=announcement.line())
        raise UsageError(f"no announcement {announcement_id!r} (see `duebot announcements`)")
    row = rows[0]
    if row["state"] == "cancelled":
        raise UsageError(f"announcement {announcement_id!r} is already cancelled")
    item = item_id(str(row["event_id"]), announcement_id)
    deliveries = [r for r in service.ledger.rows(event_id=str(row["event_id"]))
                  if r.item_id == item]
    if deliveries and all(r.state == "sent" for r in deliveries):
        raise UsageError(f"announcement {announcement_id!r} has already been sent")
    unsent = sum(r.state in UNSENT for r in deliveries)
    service.ledger.set_announcement_state(announcement_id, "cancelled", now)
    service.ledger.audit(now, actor=actor, action="cancel-announcement",
                         event_id=str(row["event_id"]),
                         detail=f"{announcement_id}: {unsent} unsent deliveries cancelled")
    service.reconcile(now)
    return unsent


@dataclass(frozen=True, kw_only=True)
class Listed:
    event_id: str
    announcement: Announcement
    source: str
    due: datetime | None
    states: Mapping[str, int]


def list_announcements(service: Running, *, include_cancelled: bool = True) -> list[Listed]:
    """Every announcement, from the files and the ledger, with its deliveries' states."""
    out = []
    for event in service.events().values():
        rows = service.ledger.announcement_rows(event_id=event.id)
        deliveries = [r for r in service.ledger.rows(event_id=event.id) if r.kind == KIND]
        by_id = {str(r["id"]): r for r in rows}
        items: list[tuple[Announcement, str]] = [
            (a, f"{event.source}:{a.line() or ''}") for a in event.announcements]
        for announcement in stored(rows):
            row = by_id[announcement.id]
            if row["state"] == "cancelled" and not include_cancelled:
                continue
            source = f"by {row['created_by']}" + (" (cancelled)" if row["state"] == "cancelled"
                                                  else "")
            items.append((announcement, source))
        for announcement, source in items:
            try:
                due = when_of(event, announcement.at)
            except (ValueError, DuebotError):
                due = None
            item = item_id(event.id, announcement.id)
            states: dict[str, int] = {}
            for row_ in deliveries:
                if row_.item_id == item:
                    states[row_.state] = states.get(row_.state, 0) + 1
            out.append(Listed(event_id=event.id, announcement=announcement, source=source,
                              due=due, states=MappingProxyType(states)))
    last = datetime.max.replace(tzinfo=UTC)
    return sorted(out, key=lambda x: (x.due or last, x.event_id, x.announcement.id))


# -- the outbox -------------------------------------------------------------------------------

def outbox(service: Running, now: datetime) -> list[tuple[Row, str]]:
    """What waits for approval, each with the subject it would go out with."""
    out = []
    for row in service.ledger.outbox():
        outgoing = service.engine.preview_row(row, now)
        out.append((row, outgoing.subject if outgoing is not None else "(no longer planned)"))
    return out


def approve(service: Running, ids: Sequence[str] | None, *, actor: str, now: datetime
            ) -> list[str]:
    """Approve by delivery key, reminder/announcement item id, or announcement id; None: all."""
    wanted: list[str] | None = None
    if ids is not None:
        wanted = []
        for value in ids:
            wanted.append(value)
            wanted.extend(item_id(event_id, value) for event_id in service.events())
    keys = service.ledger.approve(wanted, now, actor=actor)
    if ids is not None and not keys:
        raise UsageError(f"nothing waiting for approval matches {', '.join(ids)} (see `duebot "
                         f"outbox`)")
    for event_id in sorted({k.split("|", 1)[0].removeprefix("ann/").split("/", 1)[0]
                            for k in keys}):
        mine = [k for k in keys if k.startswith((f"{event_id}/", f"ann/{event_id}/"))]
        service.ledger.audit(now, actor=actor, action="approve", event_id=event_id,
                             detail=f"{len(mine)} deliveries: {', '.join(mine[:5])}"
                                    + (" ..." if len(mine) > 5 else ""))
    return keys
