"""``duebot run``, ``deliver``, ``status`` and ``db``: the service over its config and ledger."""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from bot import __version__
from bot.cli.common import at_database_url, collector_paused, config_of, parse_now, service_of
from bot.errors import StorageUnavailable, UsageError

if TYPE_CHECKING:
    from bot.service import Service


def cmd_run(args: argparse.Namespace) -> int:
    with collector_paused():  # reading, planning, the first reconcile
        service = _started(args)
        from bot.runner import serve

    serve(service)
    logging.getLogger("duebot").info("duebot stopped cleanly: %s", service.summary())
    return 0


def _started(args: argparse.Namespace) -> Service:
    """``duebot run`` up to serving: the service, its first reconcile, what it says of it."""
    import signal

    service: Service = service_of(args)
    log = logging.getLogger("duebot")

    def _stop(signum: int, _frame: object) -> None:
        # A hung mail server holds the message in hand until [smtp] timeout: say how long
        # stopping may take, so that an operator's grace period covers it.
        log.info("received %s: finishing the message in hand (at most [smtp] timeout = %g s "
                 "when a mail server does not answer), then stopping",
                 signal.Signals(signum).name, service.config.smtp.timeout)
        service.stop_event.set()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    service.reconcile(service.clock())
    log.info("duebot %s running (replica %s): %s", __version__, service.owner, service.summary())
    from bot.adapters.zone_data import in_use

    log.info("%s", in_use())
    now = service.clock()
    for event in service.events().values():
        if not event.upcoming(now):
            last = max(event.dates, key=lambda d: d.ends)
            log.info("%s: every date is past (the last ended %s UTC), so no reminder will go "
                     "out; rehearse with `duebot deliver --once --dry-run --now ISO`",
                     event.id, f"{last.ends:%Y-%m-%d %H:%M}")
    return service


def cmd_deliver(args: argparse.Namespace) -> int:
    if not args.once:
        raise UsageError("deliver needs --once (for a long-running service, use `duebot run`)")
    if args.now is None:
        # The database's clock, as `run` uses: a cron node whose own clock is off by an hour
        # neither sends early nor late.
        service = service_of(args)
        now = service.clock()
    else:
        now = parse_now(args.now)
        service = service_of(args, clock=lambda: now)
    if args.dry_run:
        preview = service.engine.rehearse(now)
        print(f"dry run at {now:%Y-%m-%d %H:%M} UTC: nothing is sent or recorded")
        if not preview:
            print("nothing is due (no reminder due by then for a date still ahead)")
        held = _held_for_approval(service)
        for planned, decision, outgoing in preview:
            verb = "would send" if decision.action == "send" else "would skip"
            note = f" ({decision.reason})" if decision.reason else ""
            if decision.action == "send" and held(planned.event_id, planned.key):
                # approve = true: the outbox holds it; a rehearsal must not promise it goes.
                verb = "would wait for approval"
                note = (f" (approve = true: sent once `duebot approve {planned.item_id}` lets it "
                        f"go, skipped if still waiting at its due time + grace)")
            print(f"{verb}: {planned.key}  due {planned.due:%Y-%m-%d %H:%M}Z{note}")
            if outgoing is not None:
                print(f"    subject: {outgoing.subject}")
        return 0
    with _report_said_once():
        report = service.reconcile_and_deliver(now)
    for line in report.lines:
        print(line)
    print(f"deliver at {now:%Y-%m-%d %H:%M} UTC: {report}")
    if report.dead:
        return 3
    return 4 if _not_loaded(service) else 0


_REPORTED = re.compile(r"(?:sent|skipped|cancelled) +\S+  due ")
"""A delivery's own log line (``bot.app.delivery``): the report prints the same line."""


class _SaidInTheReport(logging.Filter):
    """Drops the info log line of each delivery the report prints on stdout."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.levelno == logging.INFO and _REPORTED.match(record.getMessage()))


@contextmanager
def _report_said_once() -> Iterator[None]:
    """While ``deliver --once`` delivers to a person at a terminal (stdout and stderr both
    one), each sent/skipped/cancelled line is said once, in the report on stdout, not again
    as an info log line on stderr. Kept: failures (a warning or error in the log, where
    stderr's reader looks for them); everything at log_level = "DEBUG"; and the log lines
    when either stream goes to a file or a pipe (cron's log is the record with its times)."""
    quiet = (sys.stdout.isatty() and sys.stderr.isatty()
             and logging.getLogger().getEffectiveLevel() > logging.DEBUG)
    delivery = logging.getLogger("duebot.delivery")
    said = _SaidInTheReport()
    if quiet:
        delivery.addFilter(said)
    try:
        yield
    finally:
        delivery.removeFilter(said)


def _not_loaded(service: Service) -> bool:
    """Say which configured schedules failed to load (their reminders were left alone, not
    sent and not cancelled): a cron run that 'succeeded' without them would hide it."""
    import sys

    from bot.adapters.schedule_files import display_path

    broken = [s for s in service.schedules.values() if s.event is None]
    for loaded in broken:
        errors = [str(p) for p in loaded.problems if p.severity == "error"] or [
            f"{display_path(loaded.path)}: error: cannot be read"]
        print(f"error: schedule {display_path(loaded.path)} not loaded; its reminders are left "
              f"alone until it loads:", file=sys.stderr)
        for line in errors:
            print(f"  {line}", file=sys.stderr)
    return bool(broken)


def _held_for_approval(service: Any) -> Callable[[str, str], bool]:
    """Whether a delivery of an ``approve = true`` schedule still waits for ``duebot approve``
    (one the ledger shows approved goes as usual)."""
    from bot.app.status import approving as approving_events

    approving = approving_events(service)  # the engine learns it only when it reconciles
    if not approving:
        return lambda event_id, key: False
    approved = {row.key for row in service.ledger.rows(states=["pending", "failed"])
                if row.approved_at is not None}
    return lambda event_id, key: event_id in approving and key not in approved


def cmd_status(args: argparse.Namespace) -> int:
    from bot.adapters.schedule_files import display_path
    from bot.app.status import gather, render_table

    asked = parse_now(args.now) if args.now else None  # a bad --now before opening anything
    service = service_of(args)
    now = asked or service.clock()
    status = gather(service, now, shown=display_path)
    if args.json:
        print(json.dumps(status, indent=2, ensure_ascii=False))
    else:
        print(render_table(status))
    return 0


def cmd_db(args: argparse.Namespace) -> int:
    from bot.adapters.store.ledger import current_revision, head_revision, make_engine, upgrade
    config = config_of(args)
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
        raise at_database_url(config.source, f"cannot reach the database: {exc.detail}"
                              ) from None
    finally:
        engine.dispose()
    return 0
