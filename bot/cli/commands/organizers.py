"""``duebot announce``, ``announcements``, ``cancel``, ``outbox``, ``approve``, ``extend`` and
``cancel-date``: what an organizer does to the schedule and the ledger, each step audited."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.adapters.schedule_files import default_schedule
from bot.cli.common import actor, describe_instant, parse_now, service_at, service_of
from bot.cli.preview import preview
from bot.errors import UsageError
from bot.ports import Planned


def cmd_announce(args: argparse.Namespace) -> int:
    from bot.app import announce

    now, service = service_at(args)
    event = announce.find_event(service, args.schedule)
    destinations = tuple(dict.fromkeys(d for group in args.to or () for d in group))
    if args.preview:
        prepared = announce.prepare(service, event, args.at, destinations,
                                    text=args.text or "", template=args.template or "",
                                    now=now, announcement_id=args.id or "preview")
        preview(service, prepared)
        return 0
    ann_id = announce.schedule_announcement(service, event, args.at, destinations,
                                            text=args.text or "", template=args.template or "",
                                            actor=actor(args), now=now,
                                            announcement_id=args.id or "")
    due = announce.when_of(service.events()[event.id], args.at)
    assert due is not None
    targets = destinations or service.engine.destinations.get(event.id, ())
    print(f"scheduled announcement {ann_id} for {describe_instant(due, event.zone)} "
          f"({due:%Y-%m-%d %H:%M} UTC) to {', '.join(targets)}")
    return 0


def cmd_announcements(args: argparse.Namespace) -> int:
    from bot.app import announce

    service = service_of(args)
    listed = announce.list_announcements(service)
    if args.json:
        print(json.dumps([{
            "id": item.announcement.id, "event": item.event_id, "at": item.announcement.at,
            "due_utc": item.due.strftime("%Y-%m-%dT%H:%M:%SZ") if item.due else None,
            "to": list(item.announcement.to), "text": item.announcement.text,
            "template": item.announcement.template, "source": item.source,
            "deliveries": dict(item.states)} for item in listed], indent=2,
            ensure_ascii=False))
        return 0
    if not listed:
        print("no announcements")
    for item in listed:
        ann = item.announcement
        when = f"{item.due:%Y-%m-%d %H:%M}Z" if item.due else "not planned      "
        states = ", ".join(f"{n} {s}" for s, n in sorted(item.states.items())) or "no deliveries"
        what = f"template {ann.template}" if ann.template else repr(ann.text[:50])
        print(f"{when}  {item.event_id}/{ann.id}  at {ann.at!r}  {what}  [{states}]  "
              f"{item.source}")
    return 0


def cmd_cancel(args: argparse.Namespace) -> int:
    from bot.app import announce

    now, service = service_at(args)
    count = announce.cancel_announcement(service, args.id, actor=actor(args), now=now)
    print(f"cancelled announcement {args.id}: {count} unsent deliver"
          f"{'y' if count == 1 else 'ies'} cancelled")
    return 0


def cmd_outbox(args: argparse.Namespace) -> int:
    from bot.app import announce
    from bot.app.status import PLAN_IT

    now, service = service_at(args)
    waiting = announce.outbox(service, now)
    events = service.events()
    later = _awaiting(service)
    if not waiting and not any(later.values()):
        print("the outbox is empty: nothing waits for approval")
    for event_id, planned in later.items():
        if not planned:
            continue
        print(f"not planned yet: {len(planned)} deliveries of {event_id} will wait here for "
              f"approval once planned: run {PLAN_IT} (they wait for `duebot approve`; "
              f"`duebot deliver --once --dry-run --now ISO` shows them as they would go)")
        for one in planned[:20]:
            local = describe_instant(one.due, events[event_id].zone)
            print(f"{one.due:%Y-%m-%d %H:%M}Z ({local})  {one.item_id} -> {one.destination} "
                  f"(not planned yet)")
        if len(planned) > 20:
            print(f"... and {len(planned) - 20} more")
    for row, subject in waiting:
        event = events.get(row.event_id)
        local = describe_instant(row.due, event.zone) if event else ""
        print(f"{row.due:%Y-%m-%d %H:%M}Z ({local})  {row.item_id} -> {row.destination}")
        print(f"    {subject}")
    if waiting:
        print(f"{len(waiting)} waiting; `duebot approve ID` (a reminder or announcement id, or "
              f"a key) or `duebot approve --all`")
    return 0


def cmd_approve(args: argparse.Namespace) -> int:
    from bot.app import announce
    from bot.app.status import PLAN_IT

    if bool(args.ids) == bool(args.all):
        raise UsageError("give the ids to approve, or --all")
    now, service = service_at(args)
    try:
        keys = announce.approve(service, None if args.all else args.ids, actor=actor(args),
                                now=now)
    except UsageError:
        later = _not_planned(service, args.ids)
        if later:
            raise UsageError(f"{', '.join(later)} is not planned yet: run {PLAN_IT} first, "
                             f"then approve it") from None
        raise
    print(f"approved {len(keys)} deliver{'y' if len(keys) == 1 else 'ies'}")
    for key in keys:
        print(f"    {key}")
    return 0


def _awaiting(service: Any) -> dict[str, list[Planned]]:
    """Per event with ``approve = true``: what the outbox will hold once planned, and does not
    hold yet (``bot.app.status.unplanned``)."""
    from bot.app.status import approving, unplanned

    events = service.events()
    return {event_id: [p for p in unplanned(service, events[event_id]) if p.needs_approval]
            for event_id in sorted(approving(service)) if event_id in events}


def _not_planned(service: Any, ids: Sequence[str]) -> list[str]:
    """Which of ``ids`` name deliveries the outbox will hold once planned, not yet planned."""
    from bot.core.announcements import item_id

    later = [p for planned in _awaiting(service).values() for p in planned]
    return [value for value in ids
            if any(value in (p.key, p.item_id) or p.item_id == item_id(p.event_id, value)
                   for p in later)]


def _schedule_path(service: Any, schedule: str | None) -> Path:
    from bot.app import announce

    event = announce.find_event(service, schedule)
    for loaded in service.schedules.values():
        if loaded.event is not None and loaded.event.id == event.id:
            return Path(loaded.path)
    raise UsageError(f"no schedule file for {event.id}")  # pragma: no cover


def _change_date(args: argparse.Namespace, change: Callable[[Path], Any],
                 announce_it: bool = False) -> int:
    from bot.adapters.schedule_files import display_path
    from bot.app.organizers import apply_change

    actor_name = actor(args)
    now = parse_now(args.now)
    if args.config is None:
        if announce_it:
            raise UsageError("--announce needs --config (it queues deliveries in the ledger)")
        result = change(default_schedule(args.schedule))
        print(f"{display_path(result.path)}: {result.summary()}")
        print("the ledger was not touched (no --config): a running duebot re-times reminders "
              "when it notices the edit")
        return 0
    service = service_of(args, clock=lambda: now)
    result = change(_schedule_path(service, args.schedule))

    def announcements() -> dict[str, tuple[str, str, datetime]]:
        return {r.key: (r.item_id, r.state, r.due)
                for r in service.ledger.rows(event_id=result.event_id)
                if r.kind == "announcement"}

    before = announcements()
    applied = apply_change(service, result, actor=actor_name, now=now, announce=announce_it)
    print(f"{display_path(result.path)}: {result.summary()}")
    print(f"ledger: {applied.retimed} unsent reminder(s) re-timed, {applied.cancelled} "
          f"cancelled, {applied.already_sent} already sent (not sent again)")
    # "notification+1h" moves or goes with its date: say so, or the organizer never knows.
    moved: dict[str, str] = {}
    for key, (item, state, due) in announcements().items():
        if key not in before or before[key][1] not in ("pending", "failed"):
            continue
        if state == "cancelled":
            moved[item] = "cancelled (its date is cancelled: not sent)"
        elif due != before[key][2]:
            zone = service.events()[result.event_id].zone
            moved[item] = f"re-timed to {describe_instant(due, zone)} ({due:%Y-%m-%d %H:%M} UTC)"
    for item, what in sorted(moved.items()):
        print(f"announcement {item.rsplit('/', 1)[-1]}: {what}")
    if applied.announcement_id:
        print(f"announcement {applied.announcement_id} queued to "
              f"{', '.join(service.engine.destinations.get(result.event_id, ())) or 'nobody'}")
    return 0


def cmd_extend(args: argparse.Namespace) -> int:
    from bot.adapters.schedule_edit import extend_date

    actor_name = actor(args)
    return _change_date(args, lambda path: extend_date(path, args.date_id, args.new_time,
                                                       actor=actor_name),
                        announce_it=args.announce)


def cmd_cancel_date(args: argparse.Namespace) -> int:
    from bot.adapters.schedule_edit import cancel_date

    actor_name = actor(args)
    return _change_date(args, lambda path: cancel_date(path, args.date_id, actor=actor_name))
