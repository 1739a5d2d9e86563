"""Wires a Config into running parts: schedules, ledger, channels, the delivery loop.

The loop is a timer, not a source of truth: it wakes at the next due instant (or every
``delivery.poll`` to notice edited schedules), asks the ledger what is due, and sends it.
APScheduler's own job stores are not used: a one-off job in flight when the process dies is
lost, and a job later than ``misfire_grace_time`` is dropped silently; the ledger loses neither.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from bot.adapters.schedule_files import display_path, read_file
from bot.adapters.store.ledger import Ledger, LedgerUnavailable
from bot.adapters.template_files import load_templates
from bot.app.delivery import BatchReport, Engine
from bot.app.running import Health, LoadedSchedule
from bot.config import Config
from bot.core.model import Event
from bot.core.preferences import Preferences
from bot.core.preferences import from_json as preferences_from_json
from bot.core.render import Renderer
from bot.errors import ConfigError, DuebotError, Problem
from bot.ports import Channel

log = logging.getLogger("duebot")


def utc_now() -> datetime:
    return datetime.now(UTC)


def replica_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def build_channels(config: Config) -> dict[str, Channel]:
    """Console always; mail when any schedule sends mail; Slack when it has a token."""
    from bot.adapters.console import ConsoleChannel

    channels: dict[str, Channel] = {"console": ConsoleChannel()}
    wants_mail = any(d.startswith("mailto:") for s in config.schedules for d in s.reminders_to)
    wants_mail = wants_mail or config.mail.enabled  # replies and subscribers (bot.adapters.mail_in)
    if wants_mail:
        from bot.adapters.smtp import SmtpChannel, SmtpSettings

        smtp = config.smtp
        channels["mailto"] = SmtpChannel(SmtpSettings(
            host=smtp.host, port=smtp.port, sender=smtp.sender, security=smtp.security,
            username=smtp.username, password=smtp.password, timeout=smtp.timeout,
            list_unsubscribe=smtp.list_unsubscribe, reply_to=smtp.reply_to))
    slack = config.slack
    if slack.bot_token:  # subscribers (slack:U...) may arrive at any time, so whenever possible
        from bot.adapters.slack_channel import SlackChannel, slack_client

        channels["slack"] = SlackChannel(slack_client(slack.bot_token, slack.api_base_url),
                                         channel_rate=slack.channel_rate)
    elif any(d.startswith("slack:") for s in config.schedules for d in s.reminders_to):
        raise ConfigError([Problem(
            message="reminders_to has slack: destinations but the environment variable "
                    "SLACK_BOT_TOKEN is empty: set it to the app's bot token (xoxb-...)",
            file=config.source, field="schedules.reminders_to")])
    channels["apprise"] = apprise_channel(config)
    return channels


def apprise_channel(config: Config) -> Channel:
    """The ``apprise:`` channel (always there: announcements may name a URL at any time); each
    ``apprise:`` destination of the config is checked now, so a typo fails at start-up."""
    from bot.adapters.apprise_channel import AppriseChannel

    channel = AppriseChannel(config.apprise.env, timeout=config.apprise.timeout)
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
        self.wake_event = threading.Event()
        self._thread: threading.Thread | None = None
        # The delivery thread and the HTTP side both reload: one at a time, and a change seen
        # by either bumps ``generation`` so that refresh() reconciles it whoever saw it first.
        self._reload_lock = threading.Lock()
        self.generation = 0
        self.reload()
        storage = config.storage
        self.ledger = ledger or Ledger.open(storage.database_url, owner=self.owner,
                                            pool_size=storage.pool_size,
                                            max_overflow=storage.max_overflow,
                                            pool_timeout=storage.pool_timeout)
        if clock is None:
            # Replicas judge "due" by the database's clock, so a replica whose own clock runs
            # fast cannot send early (nor a slow one late).
            self.clock = self.ledger.now
        self.engine = Engine(self.ledger, events=self.events(), destinations=self._by_event(),
                             renderer=Renderer(load_templates()),
                             channels=channels if channels is not None else build_channels(
                                 config),
                             settings=config.delivery, base_url=config.http.public_url)
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
        changed = False
        errors: list[str] = []
        for loaded in self.schedules.values():
            try:
                mtime = loaded.path.stat().st_mtime
            except OSError:
                mtime = -2.0
            if mtime == loaded.mtime:
                errors.extend(str(p) for p in loaded.problems)
                continue
            loaded.mtime = mtime
            event, problems = read_file(loaded.path)
            loaded.problems = problems
            if event is None:
                for problem in problems:
                    log.error("schedule not loaded: %s", problem)
                if loaded.event is not None:
                    log.error("%s has errors: still serving its last good version",
                              display_path(loaded.path))
                errors.extend(str(p) for p in problems)
                continue
            if event != loaded.event:
                changed = True
                log.info("loaded %s: %s (%d dates)", display_path(loaded.path), event.name,
                         len(event.dates))
            loaded.event = event
            loaded.loaded_mtime = mtime
        self.health.schedule_errors = errors
        return changed

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
        if generation != self._applied_generation or force or (
                destinations != self.engine.destinations) or (
                preferences != self.engine.preferences):
            self.engine.set_schedules(self.events(), destinations, preferences)
            self._applied_generation = generation
            self.reconcile(now)

    def subscribers_changed(self) -> None:
        """Called by front ends after a subscribe/unsubscribe: reconcile soon."""
        self.wake_event.set()

    def reconcile(self, now: datetime) -> None:
        # Schedules with `approve = true` plan their deliveries into the outbox.
        approve = {s.path for s in self.config.schedules if s.approve}
        self.engine.approval = frozenset(s.event.id for path, s in self.schedules.items()
                                         if s.event is not None and path in approve)
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
        wait = 1.0
        for attempt in range(1, attempts + 1):
            try:
                self.reconcile(now)
                return self.deliver_once(now)
            except (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.DBAPIError) as exc:
                why = str(exc.orig or exc).strip().splitlines()[0][:200]
                if attempt == attempts or self.stop_event.is_set():
                    raise LedgerUnavailable(
                        f"database unreachable after {attempt} tries: {why}; what is not "
                        f"recorded as sent goes out on the next run") from None
                log.error("database unreachable (%s); retrying in %.0fs", why, wait)
                self.stop_event.wait(wait)
                wait *= 2
        raise AssertionError("unreachable")  # pragma: no cover

    def next_wait(self) -> float:
        poll = self.config.delivery.poll
        wake = self.ledger.next_wake()
        wait = poll if wake is None else min(poll, max(wake - self.clock(), timedelta(0)))
        return max(wait.total_seconds(), 0.05)

    def loop(self) -> None:
        """Deliver until stopped; database trouble means wait and retry, never a silent loss."""
        backoff = 1.0
        started = self.health.last_reconcile is not None
        while not self.stop_event.is_set():
            try:
                now = self.clock()
                if not started:
                    self.reconcile(now)
                    started = True
                else:
                    self.refresh(now)
                report = self.deliver_once(now)
                if report.handled:
                    log.info("delivery run: %s", report)
                self.health.ok, self.health.database = True, "ok"
                backoff = 1.0
                wait = self.next_wait()
            except (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.DBAPIError) as exc:
                self.health.ok = False
                self.health.database = f"unreachable: {str(exc.orig or exc)[:200]}"
                log.error("database unreachable (%s); retrying in %.0fs", exc.orig, backoff)
                wait = backoff
                backoff = min(backoff * 2, 60.0)
            self.wake_event.wait(wait)
            self.wake_event.clear()
        log.info("delivery loop stopped")

    def start(self) -> None:
        self._thread = threading.Thread(target=self.loop, name="duebot-delivery", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Finish the message in hand, give back the rest of the batch, then return."""
        self.stop_event.set()
        self.wake_event.set()
        if self._thread is not None:
            self._thread.join(timeout=60)
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
