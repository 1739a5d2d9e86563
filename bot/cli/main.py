"""The ``duebot`` command: the only place that prints for the user and calls ``sys.exit``.

Every user mistake arrives here as a DuebotError and leaves as ``FILE:LINE: error: ...`` with
exit status 1; a traceback means a bug in duebot.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot import __version__
from bot.adapters.schedule_files import default_schedule, load_file, read_file, shipped_schedules
from bot.core.model import Event, ImportantDate
from bot.core.schedule import parse_local
from bot.core.zones import Zone, parse_zone
from bot.errors import DuebotError, Problem, StorageUnavailable, UsageError

Handler = Callable[[argparse.Namespace], int]


def parse_now(text: str | None, *, option: str = "--now") -> datetime:
    """An instant from the command line; a time without a zone is refused, never guessed."""
    if text is None:
        return datetime.now(UTC)
    raw = text.strip()
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        moment = None
    if moment is not None and moment.tzinfo is not None:
        return moment.astimezone(UTC)
    try:
        local = parse_local(raw)
    except (ValueError, DuebotError):
        local = None
    if local is not None and local.zone is not None and isinstance(local.value, datetime):
        return local.zone.localize(local.value)
    raise UsageError(f"{option} {text!r}: expected an instant with its zone, such as "
                     f"2017-09-01T12:00:00Z, 2017-09-01T05:00:00-07:00 or "
                     f"\"2017-09-01 05:00 America/Los_Angeles\"")


def parse_reader_zone(text: str | None) -> Zone | None:
    if text is None:
        return None
    try:
        return parse_zone(text)
    except DuebotError as exc:
        raise UsageError(f"--tz: {exc.problem.message}") from None


def _load(schedule: str | None) -> Event:
    return load_file(default_schedule(schedule))


def _date_json(when: ImportantDate) -> dict[str, Any]:
    item: dict[str, Any] = {"id": when.id, "title": when.title, "kind": when.kind}
    if when.at is not None:
        item["at_utc"] = when.at.strftime("%Y-%m-%dT%H:%M:%SZ")
    else:
        assert when.day is not None
        item["date"] = when.day.isoformat()
        if when.end_day is not None:
            item["end_date"] = when.end_day.isoformat()
    item["zone"] = when.zone.key
    if when.cancelled:
        item["cancelled"] = True
    return item


def cmd_validate(args: argparse.Namespace) -> int:
    from bot.core.lint import lint

    paths = [Path(p) for p in args.files] or shipped_schedules()
    if not paths:
        raise UsageError("no schedules to check: pass FILES or add one to schedules/")
    errors = warnings = 0
    for path in paths:
        event, problems = read_file(path)
        if event is not None:
            problems = [*problems, *lint(event)]
            if event.announcements:  # a template field the schedule lacks: an error now
                from bot.adapters.template_files import load_templates
                from bot.app.announce import check_file_announcements
                from bot.core.render import Renderer

                problems += check_file_announcements(event, Renderer(load_templates()))
        # In file order, as an editor's problem list shows them.
        for problem in sorted(problems, key=lambda p: p.line or 0):
            print(problem, file=sys.stderr)
            if problem.severity == "error":
                errors += 1
            else:
                warnings += 1
    if not args.quiet:
        checked = f"{len(paths)} schedule{'s' if len(paths) != 1 else ''}"
        print(f"{checked} checked: {errors} error{'s' if errors != 1 else ''}, "
              f"{warnings} warning{'s' if warnings != 1 else ''}")
    return 1 if errors else 0


def cmd_ask(args: argparse.Namespace) -> int:
    from bot.core.ask import answer, explain

    question = " ".join(args.question).strip()
    event = _load(args.schedule)
    now = parse_now(args.now)
    reply = answer(question, event, now=now, reader=parse_reader_zone(args.tz))
    if args.json:
        payload: dict[str, Any] = {
            "question": question,
            "intent": reply.intent,
            "language": reply.language,
            "answer": reply.text,
            "parts": [{"kind": p.kind, "text": "\n".join(p.lines),
                       "dates": [d.id for d in p.dates],
                       **({"verdict": p.verdict} if p.verdict is not None else {})}
                      for p in reply.parts],
            "dates": [_date_json(d) for d in reply.dates],
            "now": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "tz": args.tz or event.zone.key,
            "event": event.id,
        }
        if args.explain and reply.reading is not None:
            payload["reading"] = reply.reading.as_dict()
        print(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        if args.explain:
            print(explain(reply))
            print("---")
        print(reply.text)
    return 0


def cmd_reminders(args: argparse.Namespace) -> int:
    from bot.adapters.template_files import load_templates
    from bot.core.planner import plan
    from bot.core.render import Renderer

    event = _load(args.schedule)
    start = parse_now(args.start, option="--from") if args.start else None
    end = parse_now(args.end, option="--to") if args.end else None
    renderer = Renderer(load_templates())
    reminders = plan(event, start=start, end=end)
    if args.json:
        items = []
        for reminder in reminders:
            message = renderer.reminder(event, reminder)
            items.append({
                "id": reminder.id,
                "date": reminder.date_id,
                "lead": reminder.lead_text,
                "due_utc": reminder.due.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "subject": message.subject,
                "text": message.text,
            })
        print(json.dumps({"event": event.id, "reminders": items}, indent=2,
                         ensure_ascii=False))
        return 0
    if not reminders:
        print("no reminders in that window")
    for reminder in reminders:
        message = renderer.reminder(event, reminder)
        print(f"{reminder.due:%Y-%m-%d %H:%M}Z  {reminder.id}")
        print(f"    {message.subject}")
    return 0


def cmd_ics(args: argparse.Namespace) -> int:
    from bot.core.ical import build_calendar

    path = default_schedule(args.schedule)
    event = load_file(path)
    # DTSTAMP: when the schedule last changed (its file's mtime), so that rebuilds match.
    stamp = datetime.fromtimestamp(int(path.stat().st_mtime), UTC)
    data = build_calendar([event], stamp=stamp)
    if args.output and args.output != "-":
        Path(args.output).write_bytes(data)
        print(f"wrote {args.output} ({len(event.dates)} dates)", file=sys.stderr)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0


def cmd_import_cfp(args: argparse.Namespace) -> int:
    from bot.adapters.pdf_text import looks_like_pdf, pdf_text
    from bot.adapters.schedule_files import display_path
    from bot.core.cfp import import_cfp

    if args.source == "-":
        name, data = "<stdin>", sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") \
            else sys.stdin.read().encode("utf-8")
    else:
        path = Path(args.source)
        name = display_path(path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise UsageError(f"cannot read the call: {exc.strerror}", file=name) from None
    if looks_like_pdf(data):
        text = pdf_text(data, source=name)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise UsageError(f"cannot read the call: not UTF-8 text ({exc.reason})",
                             file=name) from None
    if args.zone is not None:
        parse_reader_zone(args.zone)  # an unknown zone is a usage error, named as such
    draft, warnings, summary = import_cfp(text, source=name, zone=args.zone, year=args.year)
    report(warnings)
    print_summary(summary)
    if args.output and args.output != "-":
        Path(args.output).write_text(draft, encoding="utf-8")
        print(f"wrote {args.output} ({len(warnings)} doubt{'s' if len(warnings) != 1 else ''} "
              f"to check)", file=sys.stderr)
    else:
        sys.stdout.write(draft)
    return 0


def print_summary(rows: Sequence[Any]) -> None:
    """What import-cfp found, one date a line, so a chair checks it before reading the TOML."""
    table = [("date", "kind", "local", "UTC", "doubt")]
    for row in rows:
        doubt = "; ".join(row.doubts) or "-"
        table.append((row.id, row.kind, row.local, row.utc, doubt))
    widths = [max(len(r[i]) for r in table) for i in range(4)]
    for cells in table:
        line = "  ".join(c.ljust(w) for c, w in zip(cells[:4], widths, strict=True))
        print(f"{line}  {cells[4]}", file=sys.stderr)


def _setup_logging(level: str) -> None:
    import logging

    logging.basicConfig(level=getattr(logging, level, logging.INFO),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        datefmt="%Y-%m-%dT%H:%M:%S%z", stream=sys.stderr)
    logging.getLogger("alembic").setLevel(logging.WARNING)


def _config(args: argparse.Namespace) -> Any:
    """``--config FILE``, or without one the shipped schedules to the console."""
    from bot.adapters.schedule_files import project_root, shipped_schedules
    from bot.config import default_config, load_config

    if args.config:
        return load_config(args.config)
    root = project_root()
    return default_config(root, shipped_schedules(root))


def _service(args: argparse.Namespace, **kwargs: Any) -> Any:
    from bot.service import Service

    config = _config(args)
    _setup_logging(config.log_level)
    return Service(config, **kwargs)


def cmd_run(args: argparse.Namespace) -> int:
    import logging
    import signal

    service = _service(args)
    log = logging.getLogger("duebot")

    def _stop(signum: int, _frame: object) -> None:
        log.info("received %s: finishing the message in hand, then stopping",
                 signal.Signals(signum).name)
        service.stop_event.set()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    service.reconcile(service.clock())
    log.info("duebot %s running (replica %s): %s", __version__, service.owner, service.summary())
    now = service.clock()
    for event in service.events().values():
        if not event.upcoming(now):
            last = max(event.dates, key=lambda d: d.ends)
            log.info("%s: every date is past (the last ended %s UTC), so no reminder will go "
                     "out; rehearse with `duebot deliver --once --dry-run --now ISO`",
                     event.id, f"{last.ends:%Y-%m-%d %H:%M}")
    from bot.runner import serve

    serve(service)
    log.info("duebot stopped cleanly: %s", service.summary())
    return 0


def cmd_deliver(args: argparse.Namespace) -> int:
    if not args.once:
        raise UsageError("deliver needs --once (for a long-running service, use `duebot run`)")
    if args.now is None:
        # The database's clock, as `run` uses: a cron node whose own clock is off by an hour
        # neither sends early nor late.
        service = _service(args)
        now = service.clock()
    else:
        now = parse_now(args.now)
        service = _service(args, clock=lambda: now)
    if args.dry_run:
        preview = service.engine.rehearse(now)
        print(f"dry run at {now:%Y-%m-%d %H:%M} UTC: nothing is sent or recorded")
        if not preview:
            print("nothing is due (no reminder due by then for a date still ahead)")
        for planned, decision, outgoing in preview:
            verb = "would send" if decision.action == "send" else "would skip"
            note = f" ({decision.reason})" if decision.reason else ""
            print(f"{verb}: {planned.key}  due {planned.due:%Y-%m-%d %H:%M}Z{note}")
            if outgoing is not None:
                print(f"    subject: {outgoing.subject}")
        return 0
    report = service.reconcile_and_deliver(now)
    for line in report.lines:
        print(line)
    print(f"deliver at {now:%Y-%m-%d %H:%M} UTC: {report}")
    return 0 if report.dead == 0 else 3


def cmd_status(args: argparse.Namespace) -> int:
    from bot.app.status import gather, render_table

    service = _service(args)
    now = parse_now(args.now) if args.now else service.clock()
    status = gather(service, now)
    if args.json:
        print(json.dumps(status, indent=2, ensure_ascii=False))
    else:
        print(render_table(status))
    return 0


def cmd_db(args: argparse.Namespace) -> int:
    from bot.adapters.store.ledger import current_revision, head_revision, make_engine, upgrade
    config = _config(args)
    engine = make_engine(config.storage.database_url)
    try:
        before = current_revision(engine)
        if args.action == "upgrade":
            upgrade(engine)
            print(f"schema: {before or 'empty'} -> {current_revision(engine)} (head)")
        else:
            head = head_revision()
            state = "up to date" if before == head else "out of date: run `duebot db upgrade`"
            print(f"schema: {before or 'empty'}; this duebot needs {head}: {state}")
    except StorageUnavailable as exc:
        raise UsageError(f"cannot reach the database: {exc.detail}") from None
    finally:
        engine.dispose()
    return 0


# -- organizers: announcements, the outbox, extensions (issue 7) ------------------------------

def _actor(args: argparse.Namespace) -> str:
    import os

    return str(getattr(args, "by", None) or os.environ.get("USER") or "unknown")


def _preview(service: Any, prepared: Any) -> None:
    """Exactly what each destination would receive; nothing is saved."""
    from bot.app import announce
    from bot.ports import Outgoing

    event, ann = prepared.event, prepared.announcement
    print(f"preview of announcement at {prepared.due:%Y-%m-%d %H:%M} UTC "
          f"({describe_instant(prepared.due, event.zone)}); nothing is saved")
    for destination in prepared.destinations:
        outgoing = Outgoing(key=f"{announce.item_id(event.id, ann.id)}|{destination}",
                            destination=destination, subject=prepared.message.subject,
                            text=prepared.message.text, html=prepared.message.html,
                            due=prepared.due, event_id=event.id,
                            slack_text=announce.slack_text(event, ann))
        print(f"\n==== {destination} ====")
        scheme = destination.split(":", 1)[0]
        if scheme == "mailto":
            _preview_mail(service, outgoing)
        elif scheme == "slack":
            _preview_slack(outgoing)
        else:
            from bot.adapters.console import ConsoleChannel

            ConsoleChannel(sys.stdout).send(outgoing)


def _preview_mail(service: Any, outgoing: Any) -> None:
    from bot.adapters.smtp import SmtpChannel, SmtpSettings

    smtp = service.config.smtp
    try:
        channel = SmtpChannel(SmtpSettings(sender=smtp.sender, reply_to=smtp.reply_to,
                                           list_unsubscribe=smtp.list_unsubscribe),
                              clock=service.clock)
    except DuebotError:  # the embedded default's sender has no domain: show the shape anyway
        channel = SmtpChannel(SmtpSettings(sender="duebot <noreply@example.org>"),
                              clock=service.clock)
    mail = channel.build(outgoing)
    for name, value in mail.items():
        print(f"{name}: {value}")
    for part in mail.walk():
        if part.is_multipart():
            continue
        print(f"\n--- {part.get_content_type()} ---")
        print(str(part.get_content()).rstrip("\n"))


def _preview_slack(outgoing: Any) -> None:
    from bot.adapters.slack_channel import message_blocks

    for block in message_blocks(outgoing):  # the blocks as text, in order
        kind = block.get("type", "")
        if kind == "section":
            print(f"[section]\n{block['text']['text']}")
        elif kind == "context":
            print("[context] " + " ".join(e.get("text", "") for e in block["elements"]))
        elif kind == "actions":
            print("[buttons] " + ", ".join(e["text"]["text"] for e in block["elements"]))
        else:
            print(json.dumps(block, ensure_ascii=False))
    print(f"fallback: {outgoing.subject}")


def describe_instant(moment: datetime, zone: Zone) -> str:
    from bot.core.timefmt import format_instant

    return format_instant(moment, zone)


def cmd_announce(args: argparse.Namespace) -> int:
    from bot.app import announce

    now = parse_now(args.now)
    service = _service(args, clock=lambda: now)
    event = announce.find_event(service, args.schedule)
    destinations = tuple(dict.fromkeys(d for group in args.to or () for d in group))
    if args.preview:
        prepared = announce.prepare(service, event, args.at, destinations,
                                    text=args.text or "", template=args.template or "",
                                    now=now, announcement_id=args.id or "preview")
        _preview(service, prepared)
        return 0
    ann_id = announce.schedule_announcement(service, event, args.at, destinations,
                                            text=args.text or "", template=args.template or "",
                                            actor=_actor(args), now=now,
                                            announcement_id=args.id or "")
    due = announce.when_of(service.events()[event.id], args.at)
    assert due is not None
    targets = destinations or service.engine.destinations.get(event.id, ())
    print(f"scheduled announcement {ann_id} for {describe_instant(due, event.zone)} "
          f"({due:%Y-%m-%d %H:%M} UTC) to {', '.join(targets)}")
    return 0


def cmd_announcements(args: argparse.Namespace) -> int:
    from bot.app import announce

    service = _service(args)
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

    now = parse_now(args.now)
    service = _service(args, clock=lambda: now)
    count = announce.cancel_announcement(service, args.id, actor=_actor(args), now=now)
    print(f"cancelled announcement {args.id}: {count} unsent deliver"
          f"{'y' if count == 1 else 'ies'} cancelled")
    return 0


def cmd_outbox(args: argparse.Namespace) -> int:
    from bot.app import announce

    now = parse_now(args.now)
    service = _service(args, clock=lambda: now)
    waiting = announce.outbox(service, now)
    if not waiting:
        print("the outbox is empty: nothing waits for approval")
    events = service.events()
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

    if bool(args.ids) == bool(args.all):
        raise UsageError("give the ids to approve, or --all")
    now = parse_now(args.now)
    service = _service(args, clock=lambda: now)
    keys = announce.approve(service, None if args.all else args.ids, actor=_actor(args),
                            now=now)
    print(f"approved {len(keys)} deliver{'y' if len(keys) == 1 else 'ies'}")
    for key in keys:
        print(f"    {key}")
    return 0


def _schedule_path(service: Any, schedule: str | None) -> Path:
    from bot.app import announce

    event = announce.find_event(service, schedule)
    for loaded in service.schedules.values():
        if loaded.event is not None and loaded.event.id == event.id:
            return Path(loaded.path)
    raise UsageError(f"no schedule file for {event.id}")  # pragma: no cover


def _change_date(args: argparse.Namespace, change: Callable[[Path], Any],
                 announce_it: bool = False) -> int:
    from bot.app.organizers import apply_change

    actor = _actor(args)
    now = parse_now(args.now)
    if args.config is None:
        if announce_it:
            raise UsageError("--announce needs --config (it queues deliveries in the ledger)")
        result = change(default_schedule(args.schedule))
        print(f"{result.path}: {result.summary()}")
        print("the ledger was not touched (no --config): a running duebot re-times reminders "
              "when it notices the edit")
        return 0
    service = _service(args, clock=lambda: now)
    result = change(_schedule_path(service, args.schedule))
    applied = apply_change(service, result, actor=actor, now=now, announce=announce_it)
    print(f"{result.path}: {result.summary()}")
    print(f"ledger: {applied.retimed} unsent reminder(s) re-timed, {applied.cancelled} "
          f"cancelled, {applied.already_sent} already sent (not sent again)")
    if applied.announcement_id:
        print(f"announcement {applied.announcement_id} queued to "
              f"{', '.join(service.engine.destinations.get(result.event_id, ())) or 'nobody'}")
    return 0


def cmd_extend(args: argparse.Namespace) -> int:
    from bot.adapters.schedule_edit import extend_date

    actor = _actor(args)
    return _change_date(args, lambda path: extend_date(path, args.date_id, args.new_time,
                                                       actor=actor),
                        announce_it=args.announce)


def cmd_cancel_date(args: argparse.Namespace) -> int:
    from bot.adapters.schedule_edit import cancel_date

    actor = _actor(args)
    return _change_date(args, lambda path: cancel_date(path, args.date_id, actor=actor))


def _add_organizer_commands(sub: Any, config_help: str) -> None:
    now_help = "act as if it were this instant (default: the clock)"
    by_help = "who is acting, for the audit log (default: $USER)"

    announce = sub.add_parser(
        "announce", help="schedule an announcement (or --preview it)",
        description="Schedule an announcement at an instant or relative to a date "
                    "(abstract-2d, notification+1h, workshop): relative ones move with the date.")
    announce.add_argument("--schedule", metavar="S", help="event id or schedule file")
    announce.add_argument("--at", required=True, metavar="WHEN",
                          help="\"2017-09-01 09:00 America/Los_Angeles\", an ISO instant with its "
                               "offset, or DATE-ID[+-DURATION]")
    announce.add_argument("--to", nargs="+", action="append", metavar="DEST",
                          help="destinations (default: the schedule's reminders_to)")
    what = announce.add_mutually_exclusive_group(required=True)
    what.add_argument("--text", metavar="T", help="the message, as plain text")
    what.add_argument("--template", metavar="NAME",
                      help="templates/NAME.subject.j2, NAME.txt.j2 and NAME.html.j2")
    announce.add_argument("--id", metavar="ID", help="its id (default: a1, a2 ...)")
    announce.add_argument("--preview", action="store_true",
                          help="show exactly what each destination receives; save nothing")
    announce.add_argument("--by", metavar="NAME", help=by_help)
    announce.add_argument("--now", metavar="ISO", help=now_help)
    announce.add_argument("--config", metavar="FILE", help=config_help)
    announce.set_defaults(handler=cmd_announce)

    listing = sub.add_parser("announcements", help="list announcements and their deliveries")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.add_argument("--config", metavar="FILE", help=config_help)
    listing.set_defaults(handler=cmd_announcements)

    cancel = sub.add_parser("cancel", help="cancel an unsent announcement")
    cancel.add_argument("id", metavar="ID", help="the announcement's id")
    cancel.add_argument("--by", metavar="NAME", help=by_help)
    cancel.add_argument("--now", metavar="ISO", help=now_help)
    cancel.add_argument("--config", metavar="FILE", help=config_help)
    cancel.set_defaults(handler=cmd_cancel)

    outbox = sub.add_parser("outbox", help="deliveries waiting for approval",
                            description="What waits for `duebot approve` (schedules with "
                                        "approve = true), with the subject it would go with.")
    outbox.add_argument("--now", metavar="ISO", help=now_help)
    outbox.add_argument("--config", metavar="FILE", help=config_help)
    outbox.set_defaults(handler=cmd_outbox)

    approve = sub.add_parser("approve", help="let waiting deliveries go")
    approve.add_argument("ids", nargs="*", metavar="ID",
                         help="reminder ids, announcement ids or delivery keys")
    approve.add_argument("--all", action="store_true", help="everything in the outbox")
    approve.add_argument("--by", metavar="NAME", help=by_help)
    approve.add_argument("--now", metavar="ISO", help=now_help)
    approve.add_argument("--config", metavar="FILE", help=config_help)
    approve.set_defaults(handler=cmd_approve)

    extend = sub.add_parser(
        "extend", help="move a date (edits the schedule file, keeps its comments)",
        description="Set a date's time in the schedule file, record extended_from and bump "
                    "its sequence; with --config, re-time its unsent reminders and log who "
                    "did it.")
    extend.add_argument("date_id", metavar="DATE-ID")
    extend.add_argument("new_time", metavar="NEW-TIME",
                        help="local time in the date's zone, e.g. \"2017-09-17 23:59\"")
    extend.add_argument("--schedule", metavar="S", help="event id or schedule file")
    extend.add_argument("--announce", action="store_true",
                        help="queue an \"extended\" announcement to the schedule's destinations")
    extend.add_argument("--by", metavar="NAME", help=by_help)
    extend.add_argument("--now", metavar="ISO", help=now_help)
    extend.add_argument("--config", metavar="FILE", help=config_help)
    extend.set_defaults(handler=cmd_extend)

    cancel_date = sub.add_parser("cancel-date", help="cancel a date (STATUS:CANCELLED, no "
                                                     "reminders)")
    cancel_date.add_argument("date_id", metavar="DATE-ID")
    cancel_date.add_argument("--schedule", metavar="S", help="event id or schedule file")
    cancel_date.add_argument("--by", metavar="NAME", help=by_help)
    cancel_date.add_argument("--now", metavar="ISO", help=now_help)
    cancel_date.add_argument("--config", metavar="FILE", help=config_help)
    cancel_date.set_defaults(handler=cmd_cancel_date)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="duebot",
        description="Keeps the people of an academic workshop on time: answers 'when is the "
                    "deadline?', plans reminders, and writes the calendar feed.",
    )
    parser.add_argument("--version", action="version", version=f"duebot {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    validate = sub.add_parser("validate", help="check schedule files for errors and doubts",
                              description="Check schedules: errors exit 1, warnings exit 0. "
                                          "Output: FILE:LINE: error|warning: message.")
    validate.add_argument("files", nargs="*", metavar="FILES",
                          help="schedule files (default: every file in schedules/)")
    validate.add_argument("-q", "--quiet", action="store_true", help="no summary line")
    validate.set_defaults(handler=cmd_validate)

    ask = sub.add_parser("ask", help="answer a participant's question",
                         description="Answer a question such as 'when is the deadline?'.")
    ask.add_argument("question", nargs="+", help="the question, in plain words")
    ask.add_argument("--schedule", metavar="FILE",
                     help="schedule file (optional when schedules/ holds exactly one)")
    ask.add_argument("--tz", metavar="ZONE",
                     help="the asker's zone (IANA name, AoE, UTC+08:00 ...); default: the "
                          "event's zone")
    ask.add_argument("--now", metavar="ISO", help="the current instant, with its zone "
                                                   "(default: the clock)")
    ask.add_argument("--json", action="store_true", help="print a JSON object")
    ask.add_argument("--explain", action="store_true",
                     help="show how the question was read: language, zone named, spans "
                          "matched, clauses and their topics, the plan of the reply")
    ask.set_defaults(handler=cmd_ask)

    reminders = sub.add_parser("reminders", help="show the reminder plan",
                               description="Which reminders go out when, from the schedule's "
                                           "policy.")
    reminders.add_argument("--schedule", metavar="FILE", help="schedule file")
    reminders.add_argument("--from", dest="start", metavar="ISO",
                           help="only reminders due at or after this instant")
    reminders.add_argument("--to", dest="end", metavar="ISO",
                           help="only reminders due before this instant")
    reminders.add_argument("--json", action="store_true", help="print a JSON object")
    reminders.set_defaults(handler=cmd_reminders)

    ics = sub.add_parser("ics", help="write the iCalendar feed",
                         description="Write an RFC 5545 calendar of the schedule's dates.")
    ics.add_argument("--schedule", metavar="FILE", help="schedule file")
    ics.add_argument("-o", "--output", metavar="FILE", help="output file (default: stdout)")
    ics.set_defaults(handler=cmd_ics)

    import_cfp = sub.add_parser(
        "import-cfp", help="draft a schedule from a call for papers",
        description="Read a call for papers (Markdown, text or HTML) and write a draft schedule "
                    "TOML; every guess is a comment in the TOML and a FILE:LINE: warning.")
    import_cfp.add_argument("source", metavar="SOURCE", help="the call's file, or - for stdin")
    import_cfp.add_argument("-o", "--output", metavar="FILE",
                            help="write the schedule here (default: stdout)")
    import_cfp.add_argument("--zone", metavar="ZONE",
                            help="zone for times the call gives without one (default: the "
                                 "call's own, else AoE, flagged)")
    import_cfp.add_argument("--year", type=int, metavar="YEAR",
                            help="year for dates printed without one")
    import_cfp.set_defaults(handler=cmd_import_cfp)
    config_help = "config file (default: the embedded default: shipped schedules, SQLite, console)"
    run = sub.add_parser("run", help="run the service: reconcile, send reminders, serve HTTP",
                         description="Start the long-running service. Stops cleanly on SIGINT or "
                                     "SIGTERM.")
    run.add_argument("--config", metavar="FILE", help=config_help)
    run.set_defaults(handler=cmd_run)

    deliver = sub.add_parser("deliver", help="send everything due now and exit (cron mode)",
                             description="Reconcile, send everything due as of now, and exit.")
    deliver.add_argument("--once", action="store_true", help="required: one pass, then exit")
    deliver.add_argument("--now", metavar="ISO", help="act as if it were this instant "
                                                      "(backfill or rehearsal)")
    deliver.add_argument("--dry-run", action="store_true", help="show what would happen; "
                                                                "record and send nothing")
    deliver.add_argument("--config", metavar="FILE", help=config_help)
    deliver.set_defaults(handler=cmd_deliver)

    status = sub.add_parser("status", help="what was sent, what is next, what failed",
                            description="Per schedule: sent, next, failed (with reasons).")
    status.add_argument("--config", metavar="FILE", help=config_help)
    status.add_argument("--now", metavar="ISO", help="judge 'next' from this instant")
    status.add_argument("--json", action="store_true", help="print a JSON object")
    status.set_defaults(handler=cmd_status)

    db = sub.add_parser("db", help="ledger schema: upgrade or show the revision",
                        description="Manage the ledger's schema (alembic migrations).")
    db.add_argument("action", choices=["upgrade", "current"], help="what to do")
    db.add_argument("--config", metavar="FILE", help=config_help)
    db.set_defaults(handler=cmd_db)
    _add_organizer_commands(sub, config_help)
    _add_platform_commands(sub, config_help)
    return parser


def cmd_discord(args: argparse.Namespace) -> int:
    """``duebot discord register``: create or update the slash command (Discord upserts)."""
    from bot.adapters.discord import register_command
    settings = _config(args).discord
    if args.guild:
        from dataclasses import replace

        settings = replace(settings, guild_id=args.guild)
    answer = register_command(settings)
    where = f"server {settings.guild_id}" if settings.guild_id else "every server (global)"
    print(f"registered /{settings.command} (command id {answer.get('id', '?')}) for {where}; "
          f"set the Interactions Endpoint URL to https://YOUR-HOST/discord/interactions")
    return 0


def _add_platform_commands(sub: Any, config_help: str) -> None:
    discord = sub.add_parser("discord", help="Discord: register the slash command",
                             description="Create or update duebot's slash command with "
                                         "Discord's API (DISCORD_BOT_TOKEN, [discord] "
                                         "application_id).")
    discord.add_argument("action", choices=["register"], help="what to do")
    discord.add_argument("--guild", metavar="ID", help="register in this server only (shows "
                                                       "at once; global commands may take a "
                                                       "while)")
    discord.add_argument("--config", metavar="FILE", help=config_help)
    discord.set_defaults(handler=cmd_discord)


def report(problems: Sequence[Problem]) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        return handler(args)
    except DuebotError as exc:
        report(exc.problems)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
