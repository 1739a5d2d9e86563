"""What use cases and front ends need from the running service, without importing it.

``bot.service.Service`` is the composition root: it builds the ledger, the channels and the
delivery engine from the config. The organizer commands, the status report and the front ends
(HTTP, mail, Slack) take a ``Running`` instead, so that nothing below the root imports it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

from bot.app.delivery import Engine
from bot.config import Config
from bot.core.model import Event
from bot.errors import Problem
from bot.ports import Ledger


@dataclass
class LoadedSchedule:
    """The last good version of one schedule file, and what is wrong with the newest."""

    path: Path
    event: Event | None = None
    mtime: float = -1.0
    problems: list[Problem] = field(default_factory=list)
    loaded_mtime: float = -1.0
    """The file's mtime when ``event`` was read: the feed's Last-Modified."""


@dataclass
class Health:
    ok: bool = True
    database: str = "ok"
    last_reconcile: datetime | None = None
    last_delivery_run: datetime | None = None
    schedule_errors: list[str] = field(default_factory=list)
    startup: list[str] = field(default_factory=list)
    """What went wrong at start-up and was worked around (a forked reader given up on):
    nothing is missing, but an operator should know it happened."""


class Pacing(Protocol):
    """How long to wait after ``failures`` failures in a row (``bot.adapters.retry.Backoff``)."""

    def delay(self, failures: int) -> float: ...


class JobStatus(Protocol):
    """What ``/healthz`` and ``/metrics`` read about one background job."""

    @property
    def up(self) -> bool: ...

    @property
    def error(self) -> str: ...

    @property
    def crashes(self) -> int: ...

    @property
    def runs(self) -> int: ...

    @property
    def last_ok(self) -> datetime | None: ...

    @property
    def started(self) -> float | None:
        """``time.monotonic()`` when the run in progress began; None when idle."""
        ...

    @property
    def failing_since(self) -> datetime | None:
        """When the first of its failed runs in a row ended; None while it is up."""
        ...

    @property
    def next_try(self) -> datetime | None:
        """While it is down: when it runs again."""
        ...


class BackgroundJobs(Protocol):
    """The service's clock: jobs on one scheduler (``bot.adapters.clock.Jobs``)."""

    def add(self, name: str, run: Callable[[], float | None], every: timedelta, *,
            now: bool = True, backoff: Pacing | None = None) -> None: ...

    def remove(self, name: str, timeout: float = 30.0) -> bool: ...

    def wake(self, name: str) -> None: ...

    def states(self) -> Mapping[str, JobStatus]: ...


class Running(Protocol):
    """One running duebot: its schedules, ledger and delivery engine."""

    # Read-only properties: a Service may hold richer types (the SQLAlchemy ledger).
    @property
    def config(self) -> Config: ...

    @property
    def clock(self) -> Callable[[], datetime]: ...

    @property
    def owner(self) -> str:
        """This replica's name in leases and the audit log."""
        ...

    @property
    def ledger(self) -> Ledger: ...

    @property
    def engine(self) -> Engine: ...

    @property
    def health(self) -> Health: ...

    @property
    def schedules(self) -> dict[Path, LoadedSchedule]: ...

    @property
    def generation(self) -> int:
        """Bumped by ``reload`` whenever a schedule's content changed."""
        ...

    @property
    def jobs(self) -> BackgroundJobs:
        """The background jobs (``bot.adapters.clock``): a front end may add its own."""
        ...

    def wake(self) -> None:
        """Make the delivery job look at the ledger now, not at its next poll."""
        ...

    @property
    def stop_event(self) -> threading.Event: ...

    def events(self) -> dict[str, Event]: ...

    def reload(self) -> bool: ...

    def refresh(self, now: datetime, *, force: bool = False) -> None: ...

    def reconcile(self, now: datetime) -> None: ...

    def subscribers_changed(self) -> None: ...
