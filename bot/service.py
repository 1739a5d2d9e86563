"""Wires a Config into running parts: schedules, ledger, channels, the background jobs.

The jobs run on one scheduler (``bot.adapters.clock``), which is a timer, not a source of
truth: ``deliver`` wakes at the next due instant (or every ``delivery.poll``), asks the ledger
what is due, and sends it; ``schedules`` notices edited files; ``leases`` keeps the leases of
the batch in hand; the mail side adds ``imap``. After a restart what is due comes from the
ledger, never from a job store.

Nothing stops silently: a schedule version that any later stage cannot handle is refused
(the last good version keeps serving, the error shows on ``/healthz``); one schedule's
failure at run time is its own; a job that crashes is restarted and reported down.
"""

from __future__ import annotations

import importlib
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from bot.adapters.forked import Shared, fork_share
from bot.adapters.retry import Backoff, retrying
from bot.adapters.schedule_cache import Entry, ScheduleCache, cache_path, code_version, dumps
from bot.adapters.schedule_files import display_path, read_text
from bot.adapters.template_files import load_templates
from bot.app.delivery import BatchReport, Engine
from bot.app.proving import Prover
from bot.app.running import Health, LoadedSchedule
from bot.app.status import approving
from bot.config import DISCORD_TOKEN_MISSING, SLACK_TOKEN_MISSING, Config
from bot.core.ical import preload
from bot.core.model import Event
from bot.core.planner import Plans, Reminder
from bot.core.preferences import Preferences
from bot.core.preferences import from_json as preferences_from_json
from bot.core.render import Renderer
from bot.core.revisions import fingerprint, revised
from bot.core.schedule import read_schedule
from bot.errors import (
    ConfigError,
    DuebotError,
    LedgerUnavailable,
    Problem,
    StorageError,
    StorageUnavailable,
)
from bot.ports import Channel

if TYPE_CHECKING:  # imported where used: at start-up, while a forked child reads (``_warm``)
    from bot.adapters.clock import Jobs
    from bot.adapters.store.ledger import Ledger

log = logging.getLogger("duebot")

OUTAGE = (StorageError,)
"""The database is away (or the connection broke): wait and try again; nothing is lost."""
# The background jobs' names: fixed, so they are bounded label values in /metrics.
DELIVER, SCHEDULES, LEASES = "deliver", "schedules", "leases"
READ_AHEAD = 64
"""Schedules to read at start-up (none kept by the last start) from which a forked child reads
and proves them from the back while this process does them from the front (``_ReadAhead``)."""
RESERVED = 3
"""The last 1/RESERVED of them are the child's alone: this process has more to do (``_warm``,
taking in the child's results), and a child that the machine's load starts late still gets
some."""
WARM = ("bot.adapters.store.ledger", "bot.adapters.clock", "bot.adapters.console",
        "bot.adapters.smtp", "bot.adapters.apprise_channel", "bot.adapters.slack_app",
        "bot.adapters.mail_in", "bot.adapters.discord", "bot.adapters.zulip",
        "bot.adapters.mattermost")
"""What the rest of start-up imports (the ledger, the scheduler, the channels, the providers
``bot.runner`` asks for routes), imported while the child reads."""
WARM_HTTP = ("bot.adapters.http", "bot.adapters.http_me", "bot.adapters.http_open_data",
             "uvicorn.loops.auto", "uvicorn.protocols.http.auto",
             "uvicorn.protocols.websockets.auto", "uvicorn.lifespan.on",
             "anyio._backends._asyncio")
"""And what serving HTTP imports (uvicorn's own choices at its defaults), when it is on."""

_Apart = tuple[float, Event | None, list[Problem], Entry | None, tuple[Reminder, ...]] | None
"""A schedule read in the child: its mtime, event, problems, what the cache keeps of it and
its plan (made there to prove it: not made again here); None when reading it raised a bug
(read again here, where it is logged)."""


class _ReadAhead:
    """Schedules shared with a forked child (``bot.adapters.forked``): this process reads them
    from the front, the child from the back; the child's results as they come."""

    def __init__(self, paths: Sequence[Path] = (), shared: Shared[_Apart] | None = None
                 ) -> None:
        self._index = {path: i for i, path in enumerate(paths)} if shared else {}
        self._shared = shared

    def take(self, path: Path) -> _Apart:
        """The child's reading of ``path``; None if this process is to read it (its turn, or
        the child read none or failed). Asked in the order of the paths."""
        i = self._index.get(path)
        if i is None or self._shared is None:
            return None
        self._shared.poll()
        if self._shared.mine(i):
            return None
        return self._shared.theirs(i)

    def close(self) -> str:
        """Done with the child; why it was given up on, if it was (else "")."""
        shared, self._shared = self._shared, None
        if shared is None:
            return ""
        shared.close()
        return shared.abandoned


def utc_now() -> datetime:
    return datetime.now(UTC)


def replica_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def _outage(exc: BaseException) -> str:
    detail = getattr(exc, "detail", None)  # a StorageError: the driver's own words
    return (str(detail or exc).strip().splitlines() or [type(exc).__name__])[0][:200]


def _database_trouble(exc: BaseException) -> str:
    """What a job says of a database failure: away (refused, terminated, locked), or there
    and refusing to write (a read-only file, a full disk), which waiting alone will not cure."""
    if isinstance(exc, StorageUnavailable):
        return f"database unreachable: {_outage(exc)}"
    return (f"database error: {_outage(exc)} (nothing is sent that cannot be recorded; check "
            f"the database's disk space and permissions)")


def build_channels(config: Config) -> dict[str, Channel]:
    """Console always; mail when any schedule sends mail; Slack and Discord when they have a
    token."""
    from bot.adapters.console import ConsoleChannel

    channels: dict[str, Channel] = {"console": ConsoleChannel()}
    deadline = config.delivery.send_deadline.total_seconds()  # a chat send's, in all
    wants_mail = any(d.startswith("mailto:") for s in config.schedules for d in s.reminders_to)
    wants_mail = wants_mail or config.mail.enabled  # replies and subscribers (bot.adapters.mail_in)
    if wants_mail:
        from bot.adapters.smtp import SmtpChannel

        channels["mailto"] = SmtpChannel(config.smtp)
    slack = config.slack
    if slack.bot_token:  # subscribers (slack:U...) may arrive at any time, so whenever possible
        from bot.adapters.slack_channel import SlackChannel, slack_client

        channels["slack"] = SlackChannel(slack_client(slack.bot_token, slack.api_base_url),
                                         channel_rate=slack.channel_rate, deadline=deadline)
    elif any(d.startswith("slack:") for s in config.schedules for d in s.reminders_to):
        raise ConfigError([Problem(message=SLACK_TOKEN_MISSING, file=config.source,
                                   field="schedules.reminders_to")])
    discord = config.discord
    if discord.bot_token:  # subscribers (discord:USER_ID) come from the slash command
        from bot.adapters.discord_channel import DiscordChannel

        channels["discord"] = DiscordChannel(discord.bot_token, discord.api_base_url,
                                             deadline=deadline)
    elif any(d.startswith("discord:") for s in config.schedules for d in s.reminders_to):
        raise ConfigError([Problem(message=DISCORD_TOKEN_MISSING, file=config.source,
                                   field="schedules.reminders_to")])
    channels["apprise"] = apprise_channel(config)
    return channels


def apprise_channel(config: Config) -> Channel:
    """The ``apprise:`` channel (always there: announcements may name a URL at any time); each
    ``apprise:`` destination of the config is checked now, so a typo fails at start-up."""
    from bot.adapters.apprise_channel import AppriseChannel

    channel = AppriseChannel(config.apprise.env, timeout=config.apprise.timeout,
                             deadline=config.delivery.send_deadline.total_seconds())
    wanted = [d for s in config.schedules for d in s.reminders_to if d.startswith("apprise:")]
    problems = channel.problems(wanted)
    if problems:
        raise ConfigError([Problem(message=problem, file=config.source,
                                   field="schedules.reminders_to") for problem in problems])
    for destination in dict.fromkeys(wanted):
        log.info("Apprise destination %s -> %s", destination, channel.shown(destination))
    return channel


class Service:
    """One duebot process: reconcile on start and on every schedule change, then deliver."""

    def __init__(self, config: Config, *, clock: Callable[[], datetime] | None = None,
                 channels: Mapping[str, Channel] | None = None, owner: str | None = None,
                 ledger: Ledger | None = None) -> None:
        self.config = config
        self.clock: Callable[[], datetime] = clock or utc_now
        self.owner = owner or replica_id()
        self.health = Health()
        self.schedules = {s.path: LoadedSchedule(path=s.path) for s in config.schedules}
        self.destinations = {s.path: s.reminders_to for s in config.schedules}
        self.stop_event = threading.Event()
        templates = load_templates(override=config.templates)
        self.renderer = Renderer(templates)
        self.plans = Plans()
        self.prover = Prover(self.renderer)
        # Versions read and proven by the last start (SQLite): read again only when changed.
        where = cache_path(config.storage.database_url)
        self.schedule_cache: ScheduleCache | None = (
            ScheduleCache(where, code_version(templates)) if where is not None else None)
        # The delivery thread and the HTTP side both reload: one at a time, and a change seen
        # by either bumps ``generation`` so that refresh() reconciles it whoever saw it first.
        self._reload_lock = threading.Lock()
        self.generation = 0
        # The first load reads before the ledger opens (its imports overlap the forked reader):
        # what it read is revised (``_revise``) once the ledger is open, before anything serves.
        self._unrevised: list[tuple[LoadedSchedule, Event, float, float]] | None = []
        self.reload()
        if self.schedule_cache is not None:  # what this start read, for the next one
            self.schedule_cache.save()
        from bot.adapters.clock import Jobs
        from bot.adapters.store.ledger import Ledger

        self.jobs: Jobs = Jobs()
        storage = config.storage
        self.ledger = ledger or Ledger.open(storage.database_url, owner=self.owner,
                                            pool_size=storage.pool_size,
                                            max_overflow=storage.max_overflow,
                                            pool_timeout=storage.pool_timeout)
        if clock is None:
            # Replicas judge "due" by the database's clock, so a replica whose own clock runs
            # fast cannot send early (nor a slow one late).
            self.clock = self.ledger.now
        with self._reload_lock:
            unrevised, self._unrevised = self._unrevised or [], None
            if self._apply(unrevised):
                self.generation += 1
        self.engine = Engine(self.ledger, events=self.events(), destinations=self._by_event(),
                             renderer=self.renderer,
                             channels=channels if channels is not None else build_channels(
                                 config),
                             settings=config.delivery, base_url=config.http.public_url,
                             plans=self.plans)
        preferences = self._preferences()
        if preferences:  # from the first reconcile on: `deliver --once` never refreshes
            self.engine.set_schedules(self.engine.events, self.engine.destinations, preferences)
        self._applied_generation = self.generation

    # -- schedules --------------------------------------------------------------------------

    def reload(self) -> bool:
        """Re-read schedule files that changed; keep the last good version of a broken one."""
        with self._reload_lock:
            changed = self._reload()
            if changed:
                self.generation += 1
            return changed

    def _reload(self) -> bool:
        ahead = self._read_ahead()
        try:
            return self._read_all(ahead)
        finally:
            abandoned = ahead.close()
            if abandoned:
                note = (f"{abandoned}: every schedule is loaded, start-up only took longer. "
                        f"If it happens at each start, report it with the log")
                log.warning("%s", note)
                self.health.startup.append(note)

    def _read_all(self, ahead: _ReadAhead) -> bool:
        errors: list[str] = []
        cache = self.schedule_cache
        new: list[tuple[LoadedSchedule, Event, float, float]] = []
        for loaded in self.schedules.values():
            apart = ahead.take(loaded.path)
            if apart is not None:
                mtime = apart[0]
            else:
                try:
                    mtime = loaded.path.stat().st_mtime
                except OSError:
                    mtime = -2.0
            if mtime == loaded.mtime:
                errors.extend(str(p) for p in loaded.problems)
                continue
            previous_mtime, loaded.mtime = loaded.mtime, mtime
            if apart is not None:
                _mtime, event, problems, entry, reminders = apart
                if entry is not None and cache is not None:
                    cache.keep(loaded.path, entry)
                if event is not None:
                    self.plans.keep(event, reminders)
            else:
                event, problems = self._read(loaded.path)
            loaded.problems = problems
            if event is None:
                for problem in problems:
                    log.error("schedule edit refused, its last good version is still served: "
                              "%s" if loaded.event is not None else "schedule not loaded: %s",
                              problem)
                if loaded.event is not None:
                    log.error("%s has errors: fix them and save it again to load it (the "
                              "last good version is served until then)",
                              display_path(loaded.path))
                errors.extend(str(p) for p in problems)
                continue
            if event == loaded.event:  # touched, not changed: the revised version stays
                loaded.loaded_mtime = mtime
                continue
            new.append((loaded, event, mtime, previous_mtime))
        self.health.schedule_errors = errors
        if self._unrevised is not None:  # the first load: revised once the ledger is open
            self._unrevised.extend(new)
            return False
        return self._apply(new)

    def _apply(self, new: list[tuple[LoadedSchedule, Event, float, float]]) -> bool:
        """Serve the new versions read (revised by the ledger); whether any was taken."""
        changed = False
        for loaded, event, mtime in self._revise(new):
            changed = True
            log.info("loaded %s: %s (%d dates)", display_path(loaded.path), event.name,
                     len(event.dates))
            loaded.event = event
            loaded.loaded_mtime = mtime
        return changed

    def _revise(self, new: list[tuple[LoadedSchedule, Event, float, float]]
                ) -> list[tuple[LoadedSchedule, Event, float]]:
        """New versions with each date's revision from the ledger (``bot.core.revisions``):
        a date whose calendar entry changed is served at a higher SEQUENCE, raised once
        whichever replica saw it first. When the ledger cannot say, the last version stays
        served and the file is read again at the next reload: a calendar must never get new
        times at an old SEQUENCE."""
        if not new:
            return []
        wanted = {(event.id, when.id): (fingerprint(event, when), when.sequence)
                  for _loaded, event, _m, _p in new for when in event.dates}
        try:
            revisions = self.ledger.revise(wanted, self.clock())
        except StorageError as exc:
            for loaded, _event, _mtime, previous in new:
                loaded.mtime = previous
            log.warning("schedule changes wait for the database (date revisions): %s", exc)
            return []
        out = []
        for loaded, event, mtime, _previous in new:
            served = revised(event, {when.id: revisions[(event.id, when.id)]
                                     for when in event.dates})
            # The same reminders (a revision changes no time): the plan proving made (or the
            # forked reader's) goes with the copy served, not made again.
            self.plans.keep(served, self.plans.of(event))
            out.append((loaded, served, mtime))
        return out

    def _read_ahead(self) -> _ReadAhead:
        """At start-up, with many schedules to read: shared with a forked child (when this
        process can fork), which reads them from the back while this one, having imported
        what comes next (``_warm``), reads them from the front."""
        if any(loaded.mtime != -1.0 for loaded in self.schedules.values()):
            return _ReadAhead()  # not the first load: only what changed is read
        cache = self.schedule_cache
        unread = [path for path in self.schedules if cache is None or not cache.holds(path)]
        if len(unread) < READ_AHEAD:
            return _ReadAhead()
        preload()  # both processes prove new schedules, which builds their calendars
        shared: Shared[_Apart] | None = fork_share(
            self._read_apart, unread, reserved=len(unread) // RESERVED,
            dumps=lambda value: dumps(value)[0])
        if shared is not None:
            self._warm()
        return _ReadAhead(unread, shared)

    def _warm(self) -> None:
        """Import what start-up and serving will (``WARM``), while the child reads: the same
        modules as later, only sooner, on this core. One that fails to import is left alone
        here; it fails again where it is used, and is reported there as before."""
        for name in WARM + (WARM_HTTP if self.config.http.enabled else ()):
            try:
                importlib.import_module(name)
            except Exception:  # reported where it is imported for use
                continue

    def _read_apart(self, path: Path) -> _Apart:
        """``_read`` in the forked child, which logs nothing: a bug is read again here."""
        try:
            mtime = path.stat().st_mtime
        except OSError:
            mtime = -2.0
        try:
            event, problems = self._read_proven(path, display_path(path))
        except DuebotError as exc:
            return mtime, None, list(exc.problems), None, ()
        except Exception:
            return None
        cache = self.schedule_cache
        entry = cache.entry(path) if cache is not None and event is not None else None
        return mtime, event, problems, entry, self.plans.of(event) if event is not None else ()

    def _read_proven(self, path: Path, name: str) -> tuple[Event | None, list[Problem]]:
        """Read and prove a schedule (or find it kept by the last start); raises what reading
        or proving raises."""
        cache = self.schedule_cache
        text, problems = read_text(path, name)
        if text is None:
            return None, problems
        kept = cache.get(path, name, text) if cache is not None else None
        if kept is not None:  # this very text was read and proven before
            return kept
        event, problems = read_schedule(text, name)
        if event is not None:
            self._prove(event)
            if cache is not None:
                cache.put(path, name, text, event, problems)
        return event, problems

    def _read(self, path: Path) -> tuple[Event | None, list[Problem]]:
        """Read a schedule and prove it; any failure is a problem of this file, not a crash."""
        name = display_path(path)
        try:
            event, problems = self._read_proven(path, name)
        except DuebotError as exc:
            return None, list(exc.problems)
        except Exception as exc:
            # A version that trips a bug in a later stage: refuse it, keep the last good one.
            log.exception("%s: this version cannot be used", name)
            return None, [Problem(message=f"this version cannot be used: {type(exc).__name__}: "
                                          f"{exc} (this is a bug in duebot; please report it "
                                          f"with the file)", file=name)]
        return event, problems

    def _prove(self, event: Event) -> None:
        """Once per new version, what later stages do with it: plan every reminder, render
        it, build its calendar (each shape once, ``bot.app.proving``). What crashes here
        would have crashed them at send time."""
        self.prover.prove(event, self.plans.of(event))

    def events(self) -> dict[str, Event]:
        return {s.event.id: s.event for s in self.schedules.values() if s.event is not None}

    def _by_event(self) -> dict[str, tuple[str, ...]]:
        """Each event's destinations: the config's ``reminders_to`` plus active subscribers."""
        subscribed = self.ledger.active_subscribers()
        return {s.event.id: tuple(dict.fromkeys((*self.destinations[path],
                                                 *subscribed.get(s.event.id, ()))))
                for path, s in self.schedules.items() if s.event is not None}

    def _preferences(self) -> dict[str, dict[str, Preferences]]:
        """Active subscribers' own choices; an unreadable row is logged and ignored."""
        out: dict[str, dict[str, Preferences]] = {}
        for event_id, stored in self.ledger.subscriber_preferences().items():
            for destination, text in stored.items():
                try:
                    prefs = preferences_from_json(text)
                except (ValueError, DuebotError) as exc:
                    log.error("%s: preferences of %s ignored: %s", event_id, destination, exc)
                    continue
                if not prefs.is_default:
                    out.setdefault(event_id, {})[destination] = prefs
        return out

    def refresh(self, now: datetime, *, force: bool = False) -> None:
        """Pick up edited schedules (and subscriber changes) and reconcile the ledger."""
        self.reload()
        destinations = self._by_event()
        preferences = self._preferences()
        generation = self.generation
        # While a schedule's reconcile keeps failing, try it again on every run.
        if generation != self._applied_generation or force or self.engine.failing or (
                destinations != self.engine.destinations) or (
                preferences != self.engine.preferences):
            self.engine.set_schedules(self.events(), destinations, preferences)
            self._applied_generation = generation
            self.reconcile(now)

    def wake(self) -> None:
        """Run the delivery job now (a reply queued, a schedule edited, subscribers changed)."""
        self.jobs.wake(DELIVER)

    def subscribers_changed(self) -> None:
        """Called by front ends after a subscribe/unsubscribe: reconcile soon."""
        self.wake()

    def reconcile(self, now: datetime) -> None:
        # Schedules with `approve = true` plan their deliveries into the outbox.
        self.engine.approval = approving(self)
        self.engine.reconcile(now)
        self.health.last_reconcile = now

    # -- delivering -------------------------------------------------------------------------

    def deliver_once(self, now: datetime) -> BatchReport:
        report = self.engine.deliver_due(now, should_stop=self.stop_event.is_set)
        self.health.last_delivery_run = now
        return report

    def reconcile_and_deliver(self, now: datetime, *, attempts: int = 5) -> BatchReport:
        """``deliver --once``: ride out a short database outage with backoff, then give up.

        A batch cut short by the outage stays claimed until its lease runs out (then this or
        another replica takes it); nothing is sent whose lease could not be checked first.
        """
        def attempt(_number: int) -> BatchReport:
            self.reconcile(now)
            return self.deliver_once(now)

        try:
            return retrying(attempt, policy=Backoff(first=1.0), attempts=attempts,
                            transient=lambda exc: isinstance(exc, OUTAGE),
                            what="database unreachable", describe=_outage,
                            sleep=self.stop_event.wait, give_up=self.stop_event.is_set)
        except OUTAGE as exc:
            raise LedgerUnavailable(
                f"database unreachable: {_outage(exc)}; what is not recorded as sent goes "
                f"out on the next run") from None

    def next_wait(self) -> float:
        poll = self.config.delivery.poll
        wake = self.ledger.next_wake()
        wait = poll if wake is None else min(poll, max(wake - self.clock(), timedelta(0)))
        return max(wait.total_seconds(), 0.05)

    # -- the background jobs (bot.adapters.clock) -------------------------------------------

    def _deliver_job(self) -> float:
        """Reconcile what changed, send what is due; returns the seconds to the next due."""
        try:
            now = self.clock()
            if self.health.last_reconcile is None:
                self.reconcile(now)
            else:
                self.refresh(now)
            report = self.deliver_once(now)
            if report.handled:
                log.info("delivery run: %s", report)
            self.health.ok, self.health.database = True, "ok"
            return self.next_wait()
        except OUTAGE as exc:
            self.health.ok = False
            self.health.database = _database_trouble(exc).removeprefix("database ")
            from bot.adapters.clock import Waiting

            raise Waiting(_database_trouble(exc)) from None

    def _schedules_job(self) -> None:
        """Notice edited schedule files even while a delivery batch is in hand."""
        if self.reload():
            self.wake()

    def _leases_job(self) -> None:
        """While a batch is being sent, keep its leases so no replica takes rows still queued
        here; a batch held past ``batch_size`` sends of half a lease each is stuck, and is
        left to lapse so that another replica can take it over."""
        if self.jobs.states()[DELIVER].started is None:
            return
        settings = self.config.delivery
        try:
            self.ledger.renew_held(settings.lease,
                                   max_hold=settings.lease / 2 * settings.batch_size)
        except OUTAGE as exc:
            from bot.adapters.clock import Waiting

            raise Waiting(_database_trouble(exc)) from None

    def start(self) -> None:
        """Start the background jobs; the first delivery run is at once."""
        delivery = self.config.delivery
        self.jobs.add(DELIVER, self._deliver_job, delivery.poll)
        self.jobs.add(SCHEDULES, self._schedules_job, delivery.poll, now=False)
        self.jobs.add(LEASES, self._leases_job, max(delivery.lease / 3, timedelta(seconds=1)),
                      now=False)
        self.jobs.start()

    def run_until_stopped(self) -> None:
        """``duebot run`` without an HTTP side: the jobs run while the main thread waits."""
        self.start()
        try:
            while not self.stop_event.wait(1.0):  # parked; SIGINT/SIGTERM set the event
                pass
        finally:
            self.stop()

    def stop(self) -> None:
        """Finish the message in hand, give back the rest of the batch, then return."""
        self.stop_event.set()
        if self.schedule_cache is not None:
            self.schedule_cache.reap()
        if not self.jobs.stop(timeout=60):
            log.warning("a background job was still running after 60s; stopping anyway")
        log.info("background jobs stopped")
        for channel in self.engine.channels.values():
            channel.close()

    def summary(self) -> str:
        counts = self.ledger.counts()
        pending = counts.get("pending", 0) + counts.get("failed", 0)
        wake = self.ledger.next_wake()
        nxt = f"next due {wake:%Y-%m-%d %H:%M} UTC" if wake else "nothing left to send"
        parts = ", ".join(f"{n} {state}" for state, n in sorted(counts.items()))
        return (f"{len(self.events())} schedule(s), deliveries: {parts or 'none'}; "
                f"{pending} waiting, {nxt}")
