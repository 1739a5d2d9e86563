"""What every ``duebot`` command shares: instants and zones from the command line, the schedule,
the config and the service it names, who is acting, and how problems are printed."""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from bot.adapters.schedule_files import default_schedule, load_file, own_example_note
from bot.core.model import Event
from bot.core.schedule import parse_local
from bot.core.zones import Zone, parse_zone
from bot.errors import DuebotError, Problem, UsageError


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


def parse_reader_zone(text: str | None, *, option: str = "--tz") -> Zone | None:
    """``--tz`` (``import-cfp --zone``): a zone as a schedule writes it, or a city or country
    as a question names it (``Beijing``, ``北京``, ``Paris``, ``India``), since ``ask "... in
    Beijing?"`` reads that. ``option`` is the one its error names."""
    if text is None:
        return None
    try:
        return parse_zone(text)
    except DuebotError as exc:
        from bot.core.places import city_zone

        place = city_zone(text) if text.strip() else None
        if place is not None:
            return parse_zone(place)
        raise UsageError(f"{option}: {exc.problem.message}") from None


def load_event(schedule: str | None) -> Event:
    """``--schedule FILE``, else the one in ``schedules/``; saying so on stderr when that is
    duebot's own example (no ``schedules/`` folder here)."""
    path = default_schedule(schedule)
    note = own_example_note(schedule, path, "--schedule FILE or --config FILE")
    if note:
        print(note, file=sys.stderr)
    return load_file(path)


def listed_event(config_path: str) -> tuple[Event, Any]:
    """The one schedule ``--config FILE`` lists, and the config (a command about one event:
    ``ask``, ``reminders``); several or none is a usage error that says to pick one."""
    from bot.adapters.schedule_files import display_path
    from bot.config import load_config

    config = load_config(config_path)
    events = [load_file(s.path) for s in config.schedules]
    if len(events) != 1:
        listed = ", ".join(display_path(s.path) for s in config.schedules) or "none"
        raise UsageError(f"the config lists {len(events)} schedules ({listed}): pick one "
                         f"with --schedule FILE", file=config_path)
    return events[0], config


def describe_instant(moment: datetime, zone: Zone) -> str:
    from bot.core.timefmt import format_instant

    return format_instant(moment, zone)


def setup_logging(level: str) -> None:
    import logging

    logging.basicConfig(level=getattr(logging, level, logging.INFO),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        datefmt="%Y-%m-%dT%H:%M:%S%z", stream=sys.stderr)
    logging.getLogger("alembic").setLevel(logging.WARNING)


def config_of(args: argparse.Namespace) -> Any:
    """``--config FILE``, or without one the shipped schedules to the console."""
    from bot.adapters.schedule_files import project_root, shipped_schedules
    from bot.config import default_config, load_config

    if args.config:
        return load_config(args.config)
    root = project_root()
    return default_config(root, shipped_schedules(root))


@contextmanager
def collector_paused() -> Iterator[None]:
    """Start-up without the cyclic garbage collector, then its objects set aside for good.

    Reading 1,000 schedules and planning their 40,000 reminders allocates some 300,000
    container objects that live as long as the process; each collection on the way rescanned
    the growing heap (0.3-0.5 s of CPU at start-up), and the first one after it would scan
    them all again. So none runs while the service starts, and what it built is then frozen
    (``gc.freeze``): later collections skip it, and what it drops is still freed by reference
    counting as before. Start-up makes no garbage cycles worth collecting.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
        gc.freeze()
    finally:
        if enabled:
            gc.enable()


def service_of(args: argparse.Namespace, **kwargs: Any) -> Any:
    from bot.errors import LedgerUnavailable
    from bot.service import Service

    config = config_of(args)
    setup_logging(config.log_level)
    try:
        return Service(config, **kwargs)
    except LedgerUnavailable as exc:
        raise at_database_url(config.source, exc.problem.message) from None


def at_database_url(source: str, message: str) -> UsageError:
    """A ledger that cannot be opened, said where its address was written: the environment
    variable that overrides the file, else ``storage.database_url`` at its line."""
    import os
    from pathlib import Path

    from bot.core.toml_source import SourceMap

    if os.environ.get("DUEBOT_DATABASE_URL"):
        return UsageError(f"{message} (DUEBOT_DATABASE_URL overrides the config's "
                          f"storage.database_url)", field="DUEBOT_DATABASE_URL")
    try:
        where = SourceMap(Path(source).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):  # the embedded default names no file
        return UsageError(message)
    return UsageError(message, file=source, field="storage.database_url",
                      line=where.line(("storage", "database_url")))


def service_at(args: argparse.Namespace) -> tuple[datetime, Any]:
    """The instant ``--now`` names (default: the clock) and a service whose clock stands there,
    so that every row and audit line of one organizer command carries the same instant."""
    now = parse_now(args.now)
    return now, service_of(args, clock=lambda: now)


def actor(args: argparse.Namespace) -> str:
    import os

    return str(getattr(args, "by", None) or os.environ.get("USER") or "unknown")


def write_output(name: str, data: bytes) -> None:
    """Write what ``-o FILE`` asked for; a folder that does not exist, a folder given as the
    file or no permission is the user's mistake, said at FILE, not a traceback (a missing
    folder with the command that makes it: ``-o schedules/x.toml`` in a new folder)."""
    from pathlib import Path

    try:
        Path(name).write_bytes(data)
    except OSError as exc:
        folder = Path(name).parent
        hint = (f" (the folder {str(folder)!r} does not exist: mkdir -p {folder} first)"
                if not folder.exists() else "")
        raise UsageError(f"cannot write: {exc.strerror}{hint}", file=name) from None


def report(problems: Sequence[Problem]) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)
