"""The service's clock: duebot's background jobs on one APScheduler ``BackgroundScheduler``.

A timer, never a source of truth. Each job asks the ledger, the schedule files or the mailbox
what to do when it runs, so a restart loses nothing: what is due comes from the ledger, not
from a job store. Every job is added with the same settings, chosen for that:

- ``max_instances=1``: a job never runs beside itself (one delivery batch at a time);
- ``coalesce=True``: runs missed while it was busy, or while the machine slept, become one;
- ``misfire_grace_time=None``: a late run still runs, however late. APScheduler's default
  (1 s) would skip it with a log line; our jobs only look at the ledger, so running late is
  always better than waiting for the next interval;
- the memory job store, one scheduler per process: APScheduler's job stores must not be
  shared between schedulers, and replicas coordinate through the ledger's leases instead;
- a thread per job (``ThreadPoolExecutor``): a send hanging on a mail server never holds
  up the schedule reload or the IMAP poll.

A job that raises is restarted after a backoff (``bot.adapters.retry``), counted, and reported
down until a run succeeds; ``/healthz`` answers 503 meanwhile, with since when and the next
try. The log says it once (a crash with its traceback), then, while the same error goes on,
one line every ``REPEAT_EVERY`` at most, and once more when the job runs again: an outage of
hours is a handful of lines, not one a minute.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.adapters.retry import Backoff
from bot.app.running import Pacing

log = logging.getLogger("duebot")

# APScheduler's own INFO lines ("Running job ...", twice a run) and its "maximum number of
# running instances reached" warning (a run coalescing into the one in progress, which is
# the point) would drown duebot's log; the jobs log what matters themselves.
logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)
logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)

JOB_DEFAULTS = {"max_instances": 1, "coalesce": True, "misfire_grace_time": None}
# After a crash: 1 s, 2 s, 4 s ... up to a minute (or the job's own interval, if sooner).
RESTART = Backoff(first=1.0, cap=60.0)
REPEAT_EVERY = timedelta(minutes=10)
"""While a job keeps failing with the same error, how often the log says so again."""

Run = Callable[[], float | None]
"""A job's body. It may return how many seconds until it wants to run again, when sooner
than its interval (the next reminder due, or a backoff after an outage)."""


class Waiting(Exception):
    """Raised by a job whose peer (database, IMAP server) is away: down, but not a crash;
    it runs again after its backoff."""


@dataclass
class JobState:
    """What ``/healthz`` and ``/metrics`` say about one job."""

    name: str
    every: timedelta
    up: bool = True
    runs: int = 0
    crashes: int = 0
    failures_in_a_row: int = 0
    error: str = ""
    last_ok: datetime | None = None
    started: float | None = None
    """``time.monotonic()`` when the run in progress began; None when idle."""
    again: bool = False
    failing_since: datetime | None = None
    """When the first of the failed runs in a row ended; None while it is up."""
    next_try: datetime | None = None
    """While it is down: when it runs again (after its backoff)."""
    logged: tuple[str, datetime] | None = None
    """The failure last logged and when (repeats of it are logged every ``REPEAT_EVERY``)."""


class Jobs:
    """The background jobs of one process, on one scheduler."""

    def __init__(self, *, scheduler: BaseScheduler | None = None,
                 restart: Backoff = RESTART) -> None:
        self.scheduler = scheduler or BackgroundScheduler(
            jobstores={"default": MemoryJobStore()},
            executors={"default": ThreadPoolExecutor(max_workers=8)},
            job_defaults=JOB_DEFAULTS, timezone=UTC)
        self.restart = restart
        self._runs: dict[str, tuple[Run, Pacing]] = {}
        self._states: dict[str, JobState] = {}
        self._lock = threading.Condition()
        self._stopping = False
        self._removed: set[str] = set()

    def add(self, name: str, run: Run, every: timedelta, *, now: bool = True,
            backoff: Pacing | None = None) -> None:
        """Run ``run`` every ``every`` (first at once unless ``now`` is False); after a
        failure, again after ``backoff`` (default: the restart policy) if that is sooner."""
        self._runs[name] = (run, backoff or self.restart)
        self._states[name] = JobState(name=name, every=every)
        first = datetime.now(UTC) if now else datetime.now(UTC) + every
        self.scheduler.add_job(self._run, IntervalTrigger(seconds=every.total_seconds(),
                                                          timezone=UTC),
                               args=(name,), id=name, name=name, next_run_time=first,
                               **JOB_DEFAULTS)

    def start(self) -> None:
        self.scheduler.start()

    def wake(self, name: str) -> None:
        """Run the job now; if it is running, once more as soon as this run ends."""
        with self._lock:
            state = self._states.get(name)
            if state is None or self._stopping or name in self._removed:
                return
            if state.started is not None:
                state.again = True
                return
        self._next(name, 0.0)

    def remove(self, name: str, timeout: float = 30.0) -> bool:
        """Stop one job: no new run; wait up to ``timeout`` for the one in progress."""
        with self._lock:
            self._removed.add(name)
        if self.scheduler.get_job(name) is not None:
            self.scheduler.remove_job(name)

        def running() -> bool:
            state = self._states.get(name)
            return state is not None and state.started is not None
        return self._wait_while(running, timeout)

    def states(self) -> dict[str, JobState]:
        """A copy of every job's state (read from other threads: HTTP, metrics)."""
        with self._lock:
            return {name: replace(state) for name, state in self._states.items()
                    if name not in self._removed}

    def down(self) -> list[str]:
        return [name for name, state in self.states().items() if not state.up]

    def stop(self, timeout: float = 60.0) -> bool:
        """Run nothing new; wait up to ``timeout`` for runs in progress. True if all ended."""
        with self._lock:
            self._stopping = True
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        return self._wait_while(
            lambda: any(s.started is not None for s in self._states.values()), timeout)

    def _wait_while(self, busy: Callable[[], bool], timeout: float) -> bool:
        """Wait up to ``timeout`` while ``busy()`` (read under the lock, which a run's end
        notifies); False if it still is. ``remove`` and ``stop`` wait out runs this way."""
        limit = time.monotonic() + timeout
        with self._lock:
            while busy():
                left = limit - time.monotonic()
                if left <= 0:
                    return False
                self._lock.wait(left)
        return True

    # -- running ----------------------------------------------------------------------------

    def _run(self, name: str) -> None:
        with self._lock:
            state = self._states[name]
            if self._stopping or name in self._removed:
                return
            state.started, state.again = time.monotonic(), False
        run, backoff = self._runs[name]
        delay: float | None = None
        try:
            delay = run()
        except Waiting as exc:
            delay = self._failed(state, str(exc), backoff, crashed=False)
            if self._tell(state):
                log.error("%s: %s; trying again in %.0fs", name, exc, delay)
        except Exception as exc:
            delay = self._failed(state, f"{type(exc).__name__}: {exc}"[:300], backoff,
                                 crashed=True)
            if self._tell(state):
                log.exception("background job %r crashed (%d time(s) since start); "
                              "restarting it in %.0fs", name, state.crashes, delay)
        else:
            with self._lock:
                if not state.up:
                    since = state.failing_since
                    log.info("background job %r is running again (down since %s, %d failed "
                             "run(s))", name, f"{since:%Y-%m-%d %H:%M:%S}Z" if since else "?",
                             state.failures_in_a_row)
                state.up, state.error, state.failures_in_a_row = True, "", 0
                state.failing_since = state.next_try = state.logged = None
                state.last_ok = datetime.now(UTC)
        finally:
            with self._lock:
                state.runs += 1
                state.started = None
                again = state.again
                self._lock.notify_all()
        if again:
            delay = 0.0
        if delay is not None:
            self._next(name, delay)

    def _failed(self, state: JobState, error: str, backoff: Pacing, *, crashed: bool) -> float:
        """Record a failed run; returns the seconds to its next try."""
        now = datetime.now(UTC)
        with self._lock:
            state.up, state.error = False, error
            state.failures_in_a_row += 1
            if state.failing_since is None:
                state.failing_since = now
            if crashed:
                state.crashes += 1
            delay = backoff.delay(state.failures_in_a_row)
            state.next_try = now + timedelta(seconds=delay)
            return delay

    def _tell(self, state: JobState) -> bool:
        """Whether to log this failure in full: a new error, or ``REPEAT_EVERY`` since the
        last line about it. Otherwise a repeat: logged as one line without a traceback only
        when ``REPEAT_EVERY`` has passed (what /healthz says at any time)."""
        now = datetime.now(UTC)
        with self._lock:
            logged = state.logged
            if logged is None or logged[0] != state.error:
                state.logged = (state.error, now)
                return True
            if now - logged[1] < REPEAT_EVERY:
                return False
            state.logged = (state.error, now)
        since = state.failing_since
        log.error("background job %r still failing since %s (%d run(s) in a row): %s; trying "
                  "again at %s", state.name, f"{since:%Y-%m-%d %H:%M:%S}Z" if since else "?",
                  state.failures_in_a_row, state.error,
                  f"{state.next_try:%H:%M:%S}Z" if state.next_try else "its next run")
        return False

    def _next(self, name: str, delay: float) -> None:
        """Bring the job's next run forward to ``delay`` seconds from now (never later)."""
        with self._lock:
            if self._stopping or name in self._removed:
                return
        job = self.scheduler.get_job(name)
        if job is None:
            return
        wanted = datetime.now(UTC) + timedelta(seconds=max(delay, 0.0))
        scheduled = getattr(job, "next_run_time", None)
        if scheduled is None or wanted < scheduled:
            job.modify(next_run_time=wanted)
