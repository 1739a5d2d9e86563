"""Organizer commands from a chat: the status report, an announcement previewed then queued
once on confirmation, and a date's extension (the file edited, the ledger re-timed).

Slack is the chat that has them (only there does duebot know who the organizers are: user ids
and user groups); it checks who asks, then formats what these return. Texts use the chats'
shared markup (`code`, *bold*, a ``` block); whatever came from people, files or the ledger
goes through the chat's ``escape`` first, so nobody can make the bot post ``<!channel>``.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from bot.app import announce
from bot.app.organizers import ExtendResult, apply_change
from bot.app.status import gather
from bot.core.model import Event
from bot.errors import DuebotError

if TYPE_CHECKING:
    from bot.app.running import Running

__all__ = ["ORGANIZER_VERBS", "PREVIEW_LIMIT", "PREVIEW_META", "DateEdit", "Preview", "confirm",
           "extend", "preview", "queue", "status_text"]

ORGANIZER_VERBS = ("announce", "status", "extend")
PREVIEW_LIMIT = 1800
"""Longest announcement a preview takes (its text stays server-side, the button carries a key:
the value, escaped JSON, went over Slack's 2,000 characters for texts under this cap)."""
PREVIEW_META = "slack-preview:"
"""Ledger meta name prefix of a preview's pending text, under its key (shared by replicas)."""
_KEY = re.compile(r"[0-9a-f]{16}")
_STALE = "That preview is no longer valid; send `announce` again."

Escape = Callable[[str], str]


class DateEdit(Protocol):
    """Edits a date in its schedule file (``bot.adapters.schedule_edit.extend_date``)."""

    def __call__(self, path: Path, date_id: str, new_at: str, *, actor: str = ""
                 ) -> ExtendResult: ...


def status_text(service: Running, now: datetime, escape: Escape, *,
                shown: Callable[[Path], str] = str) -> str:
    """``status``: per schedule its file, counts, the next three deliveries, the last failures.

    ``shown``: how a schedule's path is written; the chat passes what ``duebot status`` and
    the service's log use (relative inside the working folder), so the organizer, the CLI
    and the errors (which name the file that way) all say the same path."""
    report = gather(service, now, shown=shown)
    lines: list[str] = []
    for entry in report["schedules"]:
        if "event" not in entry:
            lines.append(f"{entry['path']}: NOT LOADED ({'; '.join(entry['errors'])})")
            continue
        counts = ", ".join(f"{n} {s}" for s, n in sorted(entry["counts"].items()))
        lines.append(f"{entry['name']} ({entry['event']}) -- {entry['path']}: "
                     f"{counts or 'no deliveries'}")
        for row in entry["next"][:3]:
            lines.append(f"  next {row['due_utc']} ({row['in']}) {row['reminder']} -> "
                         f"{row['destination']}")
        for row in entry["failed"][:3]:
            lines.append(f"  {row['state']} {row['reminder']} -> {row['destination']}: "
                         f"{row['reason'][:120]}")
        for error in entry["errors"][:2]:
            lines.append(f"  schedule error: {error}")
    body = escape("\n".join(lines) or "No schedules.")
    return f"duebot status at {report['now_utc']}\n```{body}```"


@dataclass(frozen=True)
class Preview:
    """An announcement rendered exactly as it would go, waiting under ``key`` for Confirm."""

    event: Event
    text: str
    subject: str
    body: str
    destinations: tuple[str, ...]
    key: str


def preview(service: Running, events: list[Event], text: str, now: datetime,
            escape: Escape) -> Preview | str:
    """``announce [EVENT-ID] TEXT``: the rendered preview (``bot.app.announce.prepare``), its
    text kept in the ledger under a fresh key; or why not, in words."""
    text = text.strip()
    if not text:
        return ("Write the announcement after the word: `announce Submissions are open!` "
                "(start with an event id if there are several).")
    if len(events) != 1:
        ids = ", ".join(f"`{escape(e.id)}`" for e in events) or "none loaded"
        return f"Which event? Start with its id: `announce EVENT-ID text` ({ids})."
    if len(text) > PREVIEW_LIMIT:
        return (f"That is {len(text)} characters; announcements from Slack may have "
                f"{PREVIEW_LIMIT}. Use `duebot announce` on the server for longer ones.")
    event = events[0]
    ready = announce.prepare(service, event, now.isoformat(), (), text=text, now=now)
    # The text stays server-side; a button carries only its key (Slack's values are at most
    # 2,000 characters), which also makes Confirm idempotent.
    key = secrets.token_hex(8)
    service.ledger.set_meta(PREVIEW_META + key, json.dumps(
        {"event": event.id, "text": text}, ensure_ascii=False))
    return Preview(event=event, text=text, subject=ready.message.subject,
                   body=ready.message.text, destinations=tuple(ready.destinations), key=key)


def confirm(service: Running, key: str, *, actor: str, by: str,
            lock: AbstractContextManager[object], escape: Escape) -> str:
    """Queue the announcement a preview's key stands for, once: a second click (or a second
    replica) is told it is already queued. The key is the idempotency key: the announcement's
    id is made from it. ``lock`` serializes this front end's clicks (two clicks 0.3 s apart
    run in two threads); the ledger's unique id serializes the replicas."""
    if not _KEY.fullmatch(key):
        return _STALE
    try:
        pending = json.loads(service.ledger.get_meta(PREVIEW_META + key) or "null")
        event_id, text = str(pending["event"]), str(pending["text"])
    except (ValueError, KeyError, TypeError):
        return _STALE
    announcement_id = f"slack-{key}"
    with lock:
        if _queued(service, event_id, announcement_id):
            return (f"Already queued: announcement `{announcement_id}`; this click sent "
                    f"nothing more.")
        return queue(service, event_id, text, actor=actor, by=by,
                     announcement_id=announcement_id, escape=escape)


def queue(service: Running, event_id: str, text: str, *, actor: str, by: str,
          announcement_id: str = "", escape: Escape) -> str:
    """A confirmed announcement joins the ledger now; the delivery loop sends it. ``by``: the
    actor as the chat shows a person (Slack: ``<@U123>``)."""
    now = service.clock()
    event = service.events().get(event_id)
    if event is None:
        return "That event is no longer loaded; nothing was sent."
    try:
        announcement_id = announce.schedule_announcement(
            service, event, now.isoformat(), (), text=text, actor=actor, now=now,
            announcement_id=announcement_id)
    except DuebotError as exc:
        if announcement_id and "already used" in str(exc):
            return f"Already queued: announcement `{announcement_id}`; nothing more sent."
        return escape(f"Not queued: {exc}")
    except Exception as exc:  # another replica queued the same key a moment ago?
        if not (announcement_id and service.ledger.is_store_error(exc)
                and _queued(service, event_id, announcement_id)):
            raise
        return f"Already queued: announcement `{announcement_id}`; nothing more sent."
    service.wake()  # the delivery loop sends it now, not at its next poll
    return (f"Announcement `{escape(announcement_id)}` queued by {by}; it goes out with the "
            f"next delivery run.")


def extend(service: Running, events: list[Event], args: str, *, actor: str, now: datetime,
           edit: DateEdit, escape: Escape) -> str:
    """``extend DATE-ID NEW-TIME [announce]``: edit the schedule file, re-time reminders, and
    with ``announce`` tell the participants."""
    parts = args.split(maxsplit=1)
    if len(parts) < 2 or len(events) != 1:
        return ("Write `extend DATE-ID NEW-TIME`, e.g. `extend abstract 2017-09-17 23:59`; add "
                "`announce` at the end to tell participants (start with an event id if there "
                "are several).")
    date_id, new_time = parts[0], parts[1].strip()
    tell = new_time.casefold().endswith(" announce")
    if tell:
        new_time = new_time[:-len(" announce")].strip()
    event = events[0]
    path = next((p for p, loaded in service.schedules.items()
                 if loaded.event is not None and loaded.event.id == event.id), None)
    if path is None:
        return "That event is no longer loaded."
    try:
        result = edit(path, date_id, new_time, actor=actor)
        applied = apply_change(service, result, actor=actor, now=now, announce=tell)
    except DuebotError as exc:
        return escape(f"Not changed: {exc}")
    service.wake()  # re-timed reminders and the notice go from the ledger now
    lines = [escape(result.summary()),
             f"{applied.retimed} unsent reminder(s) re-timed, {applied.cancelled} "
             f"cancelled, {applied.already_sent} already sent (not sent again)."]
    if applied.announcement_id:
        lines.append(f"Announcement `{escape(applied.announcement_id)}` queued.")
    return "\n".join(lines)


def _queued(service: Running, event_id: str, announcement_id: str) -> bool:
    return any(str(r["id"]) == announcement_id
               for r in service.ledger.announcement_rows(event_id))
