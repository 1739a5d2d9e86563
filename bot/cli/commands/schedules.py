"""``duebot validate``, ``reminders`` and ``ics``: what schedule files say, without the service
(``validate --config`` checks the operator's config and the schedules it lists too)."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from bot.adapters.schedule_files import (
    SCHEDULES_DIR,
    display_path,
    load_file,
    read_file,
    shipped_schedules,
)
from bot.cli.common import listed_event, load_event, parse_now, write_output
from bot.core.model import Event
from bot.core.toml_source import SourceMap
from bot.errors import DuebotError, Problem, UsageError


def cmd_validate(args: argparse.Namespace) -> int:
    from bot.core.lint import lint

    config_problems: list[Problem] = []
    listed: list[Path] = []
    override: Path | None = None  # [templates] folder: announcements render with it
    if args.config:
        config_problems, listed, override = _check_config(args.config)
    paths = [Path(p) for p in args.files] or (listed if args.config else shipped_schedules())
    if not paths and not args.config:
        raise UsageError("no schedules to check: pass FILES or add one to schedules/")
    if not args.files and not args.config and not (Path.cwd() / SCHEDULES_DIR).is_dir():
        # Without a schedules/ folder here, these are duebot's own: say so, lest an organizer
        # take "0 errors" for their workshop.
        print(f"no {SCHEDULES_DIR}/ folder here: checking duebot's own "
              f"{', '.join(display_path(p) for p in paths)}; pass FILES or --config FILE "
              f"for yours", file=sys.stderr)
    errors = warnings = 0

    def show(problems: list[Problem]) -> None:
        nonlocal errors, warnings
        # In file order, as an editor's problem list shows them.
        for problem in sorted(problems, key=lambda p: p.line or 0):
            print(problem, file=sys.stderr)
            if problem.severity == "error":
                errors += 1
            else:
                warnings += 1

    show(config_problems)
    for path in paths:
        event, problems = read_file(path)
        if event is not None:
            problems = [*problems, *lint(event)]
            if event.announcements:  # a template field the schedule lacks: an error now
                from bot.adapters.template_files import load_templates
                from bot.app.announce import check_file_announcements
                from bot.core.render import Renderer

                try:
                    renderer = Renderer(load_templates(override=override))
                except DuebotError:
                    renderer = None  # the template folder's problem is shown with the config
                if renderer is not None:
                    problems += check_file_announcements(event, renderer)
        show(problems)
    if not args.quiet:
        checked = f"{len(paths)} schedule{'s' if len(paths) != 1 else ''}"
        if args.config:
            checked = f"1 config and {checked}"
        print(f"{checked} checked: {errors} error{'s' if errors != 1 else ''}, "
              f"{warnings} warning{'s' if warnings != 1 else ''}")
    return 1 if errors else 0


def _check_config(path: str) -> tuple[list[Problem], list[Path], Path | None]:
    """The config's problems (every key, value and destination, with its line), then what
    ``duebot run`` checks when it builds its channels and its renderer (the ``[templates]``
    folder's files); the schedules the config lists, and that folder."""
    from bot.adapters.template_files import load_templates
    from bot.config import load_config
    from bot.core.render import Renderer
    from bot.service import build_channels

    try:
        config = load_config(path)
    except DuebotError as exc:
        return list(exc.problems), [], None
    listed = [s.path for s in config.schedules]
    found: list[Problem] = []
    if not listed:  # `run` would start, and answer and remind of nothing
        found.append(Problem(message="the config lists no schedule: `duebot run` would answer "
                                     "and remind of nothing; add a [[schedules]] table with "
                                     "path = \"schedules/FILE.toml\"", file=path,
                             field="schedules", severity="warning"))
    try:
        build_channels(config)  # builds, never connects: the SMTP sender, Slack, Apprise URLs
    except DuebotError as exc:
        where = SourceMap(Path(path).read_text(encoding="utf-8"))
        found += [replace(p, file=path, line=p.line or where.line(tuple(p.field.split("."))))
                  for p in exc.problems]
        return found, listed, config.templates
    try:
        Renderer(load_templates(override=config.templates))
    except DuebotError as exc:
        found += exc.problems
    return found, listed, config.templates


def _config(path: str) -> Any:
    """The config ``--config`` names (its problems are a ConfigError, said at their lines)."""
    from bot.config import load_config

    return load_config(path)


def cmd_reminders(args: argparse.Namespace) -> int:
    from bot.adapters.template_files import load_templates
    from bot.core.planner import plan
    from bot.core.render import Renderer

    override: Path | None = None
    if args.config and not args.schedule:
        event, config = listed_event(args.config)
        override = config.templates
    else:
        event = load_event(args.schedule)
        if args.config:  # one of the config's several schedules: still its [templates] folder
            override = _config(args.config).templates
    start = parse_now(args.start, option="--from") if args.start else None
    if start is None and args.now:
        # README: --now on `reminders` rehearses as if it were then (it was refused).
        start = parse_now(args.now, option="--now")
    end = parse_now(args.end, option="--to") if args.end else None
    renderer = Renderer(load_templates(override=override))
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
    # The whole plan, on a live schedule: mark what the clock has passed, lest "7d" for a
    # deadline three days away read as a reminder still to go out (--now/--from rehearse).
    clock = parse_now(None) if start is None else None
    past = 0
    for reminder in reminders:
        message = renderer.reminder(event, reminder)
        gone = clock is not None and reminder.due <= clock
        past += gone
        print(f"{reminder.due:%Y-%m-%d %H:%M}Z  {reminder.id}{'  (past)' if gone else ''}")
        print(f"    {message.subject}")
    if past and clock is not None:
        print(f"{past} of {len(reminders)} reminder{'s' if len(reminders) != 1 else ''} "
              f"{'is' if past == 1 else 'are'} due before now ({clock:%Y-%m-%d %H:%M}Z), marked "
              f"(past): one planned after its time is skipped, never sent late; --now ISO "
              f"shows the plan as of another instant", file=sys.stderr)
    return 0


def _served(config: Any, events: list[Event]) -> tuple[list[Event], str] | None:
    """The events with each date's SEQUENCE as the config's ledger serves it (hand edits
    counted), and what to say of it; None when there is no ledger to read (a SQLite file not
    made yet is not made here) or it cannot be read."""
    from bot.adapters.store.ledger import Ledger
    from bot.core.revisions import fingerprint, revised

    url = config.storage.database_url
    if url.startswith("sqlite:///") and ":memory:" not in url and not Path(
            url[len("sqlite:///"):]).exists():
        return None
    try:
        ledger = Ledger.open(url, create=False)
    except DuebotError:
        return None
    try:
        wanted = {(event.id, when.id): (fingerprint(event, when), when.sequence)
                  for event in events for when in event.dates}
        revisions, ahead = ledger.served_revisions(wanted)
    except DuebotError:
        return None
    finally:
        ledger.close()
    out = [revised(event, {when.id: revisions[(event.id, when.id)] for when in event.dates
                           if (event.id, when.id) in revisions}) for event in events]
    note = "SEQUENCE as the ledger serves it (hand edits counted, as /calendar.ics)"
    if ahead:
        note += (f"; {len(ahead)} date{'s' if len(ahead) != 1 else ''} changed since duebot "
                 f"last served {'them' if len(ahead) != 1 else 'it'} "
                 f"({', '.join(d for _, d in ahead[:5])}): written at the SEQUENCE its next "
                 f"reload gives")
    return out, note


def cmd_ics(args: argparse.Namespace) -> int:
    from bot.core.ical import build_calendar

    note = ("SEQUENCE as the schedule writes it (no ledger read): the feed `duebot run` "
            "serves at /calendar.ics also counts hand edits, so share that address rather "
            "than this file with people who subscribed")
    if args.config and not args.schedule:
        config = _config(args.config)
        events = [load_file(s.path) for s in config.schedules]
        served = _served(config, events)
        if served is not None:
            events, note = served
    else:
        events = [load_event(args.schedule)]
    # DTSTAMP is each date's revision: the same bytes on any machine, after any checkout.
    data = build_calendar(events)
    if args.output and args.output != "-":
        write_output(args.output, data)
        dates = sum(len(event.dates) for event in events)
        print(f"wrote {args.output} ({dates} dates)", file=sys.stderr)
        # A calendar holding a higher SEQUENCE keeps its copy over this file's: say whose.
        print(note, file=sys.stderr)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0
