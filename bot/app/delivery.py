"""The delivery engine: turn the plan into ledger rows, and send what is due exactly once.

The ledger decides; channels only carry. For each claimed reminder the engine looks it up in
the *current* plan (a date may have moved or been cancelled since it was planned); an
announcement's row carries its own time and text (one taken over from a replica that held it
through a reconcile is checked against the announcements as they are now). Then it applies the
missed-reminder policy, renders the message, checks its lease is still its own, sends, and
records the outcome in the same breath. The one window where a message can go twice: the
process dies after the other side accepted it (SMTP 250, Slack ``ok``) and before the ledger
recorded it; after a restart it is sent again. E-mail carries a Message-ID derived from the
delivery key, so a receiving system (or a human) can recognize the duplicate.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from bot.app import announce
from bot.app.unavailable import Unavailable
from bot.config import DeliveryConfig
from bot.core import announcements
from bot.core.ical import build_date_calendar
from bot.core.model import Announcement, Event
from bot.core.planner import Plans, Reminder, plan
from bot.core.preferences import (
    DIGEST_KIND,
    DigestItem,
    Preferences,
    digest_message,
    digests_for_subscriber,
    reminders_for_subscriber,
)
from bot.core.render import Message, Renderer, late_note
from bot.core.zones import Zone
from bot.errors import DuebotError, TemplateError
from bot.ports import (
    MAYBE_DELIVERED,
    Channel,
    Ledger,
    Outcome,
    Outgoing,
    Planned,
    PlannedGrid,
    ReconcileReport,
    Row,
    delivery_key,
)

log = logging.getLogger("duebot.delivery")

SERVER_DOWN = "server unavailable: "
"""How a retry caused by the server being away starts its ledger reason (no attempt used)."""
RATE_LIMITED = "rate limited: "
"""How a retry the platform asked for (HTTP 429) starts its ledger reason (no attempt used)."""
WAITING = (SERVER_DOWN, RATE_LIMITED)
"""Reasons of a delivery that waits on its platform, not on its own fault: once the reminder
no longer makes sense it is ``dead`` with ``gave up: ...; last try: ...``, never skipped."""
STOPPED = "channel stopped: "
"""How a delivery given back by a stopped channel (a revoked token, a certificate we do not
trust) starts its reason; too late, it is ``dead`` with why too, as ``WAITING``."""


def desired_deliveries(event: Event, destinations: Sequence[str], *, approve: bool = False,
                       preferences: Mapping[str, Preferences] | None = None,
                       everyone: Sequence[Reminder] | None = None) -> list[Planned]:
    """Every reminder of the event to every destination: what the ledger should hold.

    A subscriber with preferences gets their own selection and lead times (bot.core.preferences);
    the keys are the same ``{reminder id}|{destination}`` either way, so a preference change
    re-times or cancels unsent ones and never plans a sent one again. ``everyone``: the
    event's plan when the caller already has it.
    """
    chosen = preferences or {}
    own = {d: reminders_for_subscriber(event, prefs) for d, prefs in chosen.items()}
    return list(planned_deliveries(event, destinations,
                                   plan(event) if everyone is None else everyone, own,
                                   approve=approve))


def planned_deliveries(event: Event, destinations: Sequence[str], everyone: Sequence[Reminder],
                       own: Mapping[str, Sequence[Reminder]], *, approve: bool = False
                       ) -> PlannedGrid:
    """``desired_deliveries`` from plans made already (the organizers' and each subscriber's
    own), as a grid the ledger streams (or reads whole: ``PlannedGrid``), so 150,000 are
    never held at once."""
    return PlannedGrid(event_id=event.id, destinations=destinations, items=everyone, own=own,
                       needs_approval=approve)


def planned_digests(event: Event, destinations: Sequence[str],
                    plans: Mapping[tuple[str, str], Mapping[str, DigestItem]]
                    ) -> Iterator[Planned]:
    """Digests for subscribers who chose one (planned already, per event and destination, over
    the whole span of the event's dates), one at a time."""
    for destination in destinations:
        for digest in plans.get((event.id, destination), {}).values():
            yield Planned(key=delivery_key(digest.id, destination), event_id=event.id,
                          date_id="", item_id=digest.id, destination=destination,
                          due=digest.due, target=digest.window_end, kind=DIGEST_KIND)


def desired_digests(event: Event, preferences: Mapping[str, Preferences],
                    destinations: Sequence[str]) -> list[Planned]:
    """Digests planned afresh from the subscribers' choices (status's "not planned yet";
    the engine plans them once per change and streams them with ``planned_digests``)."""
    plans = {(event.id, destination): {d.id: d for d in _digests(event, prefs)}
             for destination, prefs in preferences.items() if prefs.digest is not None}
    return list(planned_digests(event, destinations, plans))


def _digests(event: Event, prefs: Preferences) -> list[DigestItem]:
    # A fixed span (not "from now"): the plan must not change as time passes, or reconcile
    # would cancel a digest that is due but not yet sent.
    live = [d for d in event.dates if not d.cancelled]
    if not live:
        return []
    first = min(d.starts for d in live) - timedelta(days=8)
    last = max(d.ends for d in live) + timedelta(days=1)
    return digests_for_subscriber(event, prefs, start=first, end=last)


@dataclass
class Decision:
    """What to do with one claimed delivery, and why."""

    action: str  # send | skip | cancel | retime
    reason: str = ""
    late: bool = False
    due: datetime | None = None


Record = Callable[[], None]
"""A sent message's outcome, to be written to the ledger (``Engine._run`` hands it back)."""


class _Once:
    """Runs a record at most once: the first call runs it (and raises what it raises),
    every later call does nothing."""

    __slots__ = ("_record",)

    def __init__(self, record: Record | None) -> None:
        self._record = record

    def __call__(self) -> None:
        record, self._record = self._record, None
        if record is not None:
            record()


class _Empty:
    """Nothing taken ahead from a worker's queue (None there is the stop mark)."""


_EMPTY = _Empty()


def _upcoming(job: _Job, ahead: _Job | None) -> _Job | None:
    """The job this worker sends next after ``job``, when it holds that job and it goes on
    the same channel: ``send_overlapped`` can open its envelope with ``job``'s final dot
    (and, on a channel that ``builds_ahead``, build it while the server reads that dot).
    A mail reply is left out: it has its own return path."""
    if ahead is None or ahead.channel is not job.channel or ahead.row.kind == "reply":
        return None
    return ahead


def _building(job: _Job) -> Callable[[], Outgoing | None]:
    """``send_overlapped``'s ``following``: builds ``job``'s message ahead of its turn and
    keeps it on the job, for its own send. A build that fails gives None: the job's own turn
    builds it again, and its error is handled there as always."""
    def build() -> Outgoing | None:
        try:
            job.built = job.build()
        except Exception:
            return None
        return job.built

    return build


@dataclass
class _Job:
    """A claimed delivery that is to be sent: rendered by ``build`` right before its send."""

    row: Row
    channel: Channel
    build: Callable[[], Outgoing | None]
    late: str
    started: bool = False
    """Taken by a worker; what no worker took is released when the run stops early."""
    claimed_at: float = 0.0
    """``time.monotonic()`` just before its claim: how much of the lease is left."""
    built: Outgoing | None = None
    """Its message, when the send before it built it ahead (``_building``)."""


class _Senders:
    """The workers of one ``deliver_due`` run: per channel, ``concurrency`` threads.

    A channel may declare ``concurrency`` (sends it takes at once; SMTP: its session pool) and
    ``lane(destination)`` (sends in one lane go one after the other, always on the same
    worker: Slack paces each conversation). Without them a channel gets one send at a time,
    so any ``Channel`` works. With one channel of width 1, jobs run inline in the caller's
    thread.

    Records. A worker records each outcome before its next message's final dot, so the crash
    window stays one message wide per send in flight: a failed send's outcome at once; a sent
    one's while the server reads the next message's envelope (on a channel that can overlap
    the two, ``send_overlapped``), or at once when no next message is in hand (before a
    claim, at the end, when the queue is empty). Until it is recorded the delivery counts
    as held here, so it is never taken for one to claim again.

    Each send is told the destination the same worker sends next when it holds that job
    (``upcoming``: a worker takes one job ahead from its queue; inline, a job runs when the
    next is put), so SMTP can send that envelope with this message's final dot.
    """

    def __init__(self, engine: Engine, now: datetime, should_stop: Callable[[], bool], *,
                 room: int) -> None:
        self.engine = engine
        self.now = now
        self.should_stop = should_stop
        self.errors: list[BaseException] = []
        widths = {id(c): max(1, int(getattr(c, "concurrency", 1) or 1))
                  for c in engine.channels.values()}
        self.inline = len(widths) <= 1 and all(w == 1 for w in widths.values())
        self.room = room + sum(widths.values())
        self._widths = widths
        self._held: dict[str, _Job] = {}
        self._cond = threading.Condition()
        self._queues: dict[int, list[queue.SimpleQueue[_Job | None]]] = {}
        self._lanes: dict[tuple[int, str], int] = {}
        self._lane_counts: dict[int, list[int]] = {}
        self._threads: list[threading.Thread] = []
        self._reports: list[BatchReport] = []
        self._inline_report = BatchReport()
        self._inline_pending: tuple[str, Record] | None = None
        self._inline_next: _Job | None = None
        """Inline: the job put last, run when the next one is put (so its destination is
        known as ``upcoming``) or by ``finish``."""
        self.failed = False
        """The run is ending on an error of its own (a claim or a record that failed: the
        database is away): ``finish`` gives back the job held inline instead of sending it,
        since its record could not be written and it would go again."""

    def holds(self, key: str) -> bool:
        with self._cond:
            return key in self._held

    def wait_for_room(self) -> None:
        """Claim more only while fewer than about two batches are in hand. Inline, at most
        two are (the job held ahead, the record of the one before it) and only this thread
        could free them: nothing to wait for (with ``batch_size = 1`` it would wait forever)."""
        if self.inline:
            return
        with self._cond:
            while len(self._held) >= self.room and not self.errors:
                self._cond.wait(0.5)

    def put(self, job: _Job) -> None:
        with self._cond:
            self._held[job.row.key] = job
        if self.inline:
            waiting, self._inline_next = self._inline_next, job
            if waiting is not None:
                self._run_inline(waiting, job)
            return
        self._queue_for(job).put(job)

    def _run_inline(self, job: _Job, ahead: _Job | None) -> None:
        job.started = True
        pending, self._inline_pending = self._inline_pending, None
        try:
            record = self.engine._run(job, self.now, self._inline_report,
                                      self._releasing(pending), ahead=_upcoming(job, ahead))
        except BaseException as exc:  # the job put after it must not go now (finish)
            with self._cond:
                self.errors.append(exc)
            raise
        if record is not None:
            self._inline_pending = (job.row.key, record)
        else:
            with self._cond:
                self._held.pop(job.row.key, None)

    def _queue_for(self, job: _Job) -> queue.SimpleQueue[_Job | None]:
        channel = job.channel
        queues = self._queues.get(id(channel))
        lane = getattr(channel, "lane", None)
        if queues is None:
            width = self._widths.get(id(channel), 1)
            queues = ([queue.SimpleQueue() for _ in range(width)] if callable(lane)
                      else [queue.SimpleQueue()])
            self._queues[id(channel)] = queues
            self._lane_counts[id(channel)] = [0] * len(queues)
            for number in range(width):
                mine = BatchReport()
                self._reports.append(mine)
                thread = threading.Thread(target=self._work,
                                          args=(queues[number % len(queues)], mine),
                                          name=f"duebot-send-{channel.scheme}-{number}",
                                          daemon=True)
                self._threads.append(thread)
                thread.start()
        if not callable(lane):
            return queues[0]
        name = str(lane(job.row.destination))
        index = self._lanes.get((id(channel), name))
        if index is None:  # a new conversation goes to the worker with the fewest
            counts = self._lane_counts[id(channel)]
            index = self._lanes[(id(channel), name)] = counts.index(min(counts))
            counts[index] += 1
        return queues[index]

    def settle(self) -> None:
        """Record the outcome sent last inline, if it is not yet (before a claim, at the end).
        The job put last waits on (claimed, held) for the next job or ``finish``."""
        pending, self._inline_pending = self._inline_pending, None
        self._settle(pending)

    def _settle(self, pending: tuple[str, Record] | None) -> None:
        """Record now (nothing to overlap it with); an error is kept for finish()."""
        try:
            self._releasing(pending)()
        except BaseException as exc:  # re-raised by finish() in the caller's thread
            with self._cond:
                self.errors.append(exc)

    def _releasing(self, pending: tuple[str, Record] | None) -> Record:
        """The pending record, which also lets go of its delivery once it is written."""
        if pending is None:
            return lambda: None
        key, record = pending

        def settle() -> None:
            try:
                record()
            finally:
                self._let_go(key)

        return settle

    def _let_go(self, key: str) -> None:
        """A delivery is no longer held here; the claiming loop (``wait_for_room``) is woken
        only once there is room: woken at every record, it took the GIL from the senders 50
        times a batch to find it should go on waiting."""
        with self._cond:
            self._held.pop(key, None)
            if len(self._held) < self.room or self.errors:
                self._cond.notify_all()

    def _work(self, jobs: queue.SimpleQueue[_Job | None], report: BatchReport) -> None:
        pending: tuple[str, Record] | None = None
        ahead: _Job | _Empty | None = _EMPTY  # taken from the queue: this worker's next
        try:
            while True:
                if not isinstance(ahead, _Empty):
                    job, ahead = ahead, _EMPTY
                else:
                    try:
                        job = jobs.get_nowait()
                    except queue.Empty:  # no next message to overlap the record with
                        self._settle(pending)
                        pending = None
                        job = jobs.get()
                if job is None:
                    return
                if self.errors or self.should_stop():
                    self._settle(pending)
                    pending = None
                    continue  # left for finish() to release
                job.started = True
                try:
                    ahead = jobs.get_nowait()
                except queue.Empty:
                    ahead = _EMPTY
                record: Record | None = None
                try:
                    record = self.engine._run(
                        job, self.now, report, self._releasing(pending),
                        ahead=_upcoming(job, ahead if isinstance(ahead, _Job) else None))
                except BaseException as exc:  # re-raised by finish() in the caller's thread
                    with self._cond:
                        self.errors.append(exc)
                finally:
                    pending = None  # made by _run, whatever happened
                    if record is not None:
                        pending = (job.row.key, record)
                    else:
                        self._let_go(job.row.key)
        finally:
            self._settle(pending)

    def finish(self) -> BatchReport:
        """Wait for every worker; give back what none started; raise the first error."""
        waiting, self._inline_next = self._inline_next, None
        if waiting is not None and not (self.errors or self.failed or self.should_stop()):
            # The job put last inline, with no next one (stopping: released below). What it
            # raises is in errors, raised below after releasing.
            with contextlib.suppress(BaseException):
                self._run_inline(waiting, None)
        self.settle()
        for channel_id, queues in self._queues.items():
            width = self._widths.get(channel_id, 1)
            for number in range(width):  # one stop mark per worker, on the queue it reads
                queues[number % len(queues)].put(None)
        for thread in self._threads:
            thread.join()
        report = BatchReport()
        report.add(self._inline_report)
        for mine in self._reports:
            report.add(mine)
        with self._cond:
            rest = [job.row.key for job in self._held.values() if not job.started]
            self._held.clear()
        if rest:
            failed = bool(self.errors) or self.failed
            why = "released after an error" if failed else "released at shutdown"
            try:
                report.released += self.engine.ledger.release(rest, self.now, why)
            except Exception:  # the leases run out; the first error is what matters
                if not failed:
                    raise
                log.warning("could not release %d deliveries (the database did not answer); "
                            "they go out once their lease ([delivery] lease) runs out",
                            len(rest))
        if self.errors:
            raise self.errors[0]
        return report


@dataclass
class BatchReport:
    sent: int = 0
    failed: int = 0
    dead: int = 0
    skipped: int = 0
    cancelled: int = 0
    released: int = 0
    lost_lease: int = 0
    left_alone: int = 0
    """Claimed rows of an event this process has not loaded: given back at the end of the run."""
    lines: list[str] = field(default_factory=list)

    def add(self, other: BatchReport) -> None:
        for name in ("sent", "failed", "dead", "skipped", "cancelled", "released", "lost_lease",
                     "left_alone"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.lines.extend(other.lines)

    @property
    def handled(self) -> int:
        return self.sent + self.failed + self.dead + self.skipped + self.cancelled

    def __str__(self) -> str:
        alone = f", {self.left_alone} left alone (schedule not loaded)" if self.left_alone else ""
        return (f"{self.sent} sent, {self.failed} to retry, {self.dead} dead, {self.skipped} "
                f"skipped, {self.cancelled} cancelled{alone}")


class Engine:
    """Reconciles the ledger with the schedules and sends what is due."""

    def __init__(self, ledger: Ledger, *, events: Mapping[str, Event],
                 destinations: Mapping[str, Sequence[str]], renderer: Renderer,
                 channels: Mapping[str, Channel], settings: DeliveryConfig,
                 base_url: str = "", plans: Plans | None = None) -> None:
        self.ledger = ledger
        self.plans = plans or Plans()
        self.approval: frozenset[str] = frozenset()
        """Events whose deliveries wait in the outbox for ``duebot approve``."""
        self.set_schedules(events, destinations)
        self.renderer = renderer
        self.channels = dict(channels)
        self.settings = settings
        self.base_url = base_url
        self.stopped: dict[str, str] = {}
        """Channels stopped by a 'stop' outcome (revoked token), with the reason."""
        self.unavailable = Unavailable(2 * settings.max_backoff + settings.poll)
        """Platforms whose last send here found them away or rate limiting, with their words;
        forgotten when they take a message (``bot.app.unavailable``)."""
        self.failing: dict[str, str] = {}
        """Events whose last reconcile raised, with the error: theirs alone, not the others'."""
        self._away_now: dict[str, tuple[str, datetime]] = {}
        """Platforms a send of this run found away (no connection, no greeting, 503), with
        the reason and the next try it was given: the rest of the run's deliveries there
        wait for the same try without a send each (``_hold_away``)."""
        self._waits: dict[str, int] = {}
        """Per platform, the deliveries this run left waiting on its outage: one log line."""
        self._gave_up: dict[str, tuple[int, str]] = {}
        """Per platform, the deliveries this run gave up on while they waited on it (an
        outage, a rate limit or a stopped channel outlasted them), with the first's why."""
        self._waits_lock = threading.Lock()

    def set_schedules(self, events: Mapping[str, Event],
                      destinations: Mapping[str, Sequence[str]],
                      preferences: Mapping[str, Mapping[str, Preferences]] | None = None
                      ) -> None:
        """Swap in edited schedules; the plan is computed once here, not per delivery."""
        self.events = dict(events)
        self.destinations = {k: tuple(v) for k, v in destinations.items()}
        self.preferences = {k: dict(v) for k, v in (preferences or {}).items()}
        # A set per event: one membership test per delivery, not a scan of 10,000 addresses.
        self._destination_sets = {k: frozenset(v) for k, v in self.destinations.items()}
        # Planned once per change of the schedules: reconcile and the senders use these.
        self._everyone = {event_id: self.plans.of(event) for event_id, event in self.events.items()}
        self._plans = {event_id: {r.id: r for r in reminders}
                       for event_id, reminders in self._everyone.items()}
        self._own: dict[str, dict[str, list[Reminder]]] = {}
        # Subscribers' own selections: which reminder ids each may get, and their digests.
        self._wanted: dict[tuple[str, str], frozenset[str]] = {}
        self._digest_plans: dict[tuple[str, str], dict[str, DigestItem]] = {}
        for event_id, chosen in self.preferences.items():
            event = self.events.get(event_id)
            if event is None:
                continue
            for destination, prefs in chosen.items():
                own = reminders_for_subscriber(event, prefs)
                self._own.setdefault(event_id, {})[destination] = own
                self._plans[event_id].update((r.id, r) for r in own)
                self._wanted[(event_id, destination)] = frozenset(r.id for r in own)
                if prefs.digest is not None:
                    self._digest_plans[(event_id, destination)] = {
                        d.id: d for d in _digests(event, prefs)}
        # One rendering per reminder (and per "late as of now"), shared by every destination.
        self._rendered: dict[tuple[str, str, datetime | None, str, str],
                             tuple[Message, bytes]] = {}
        self._organizer_ids: dict[str, frozenset[str]] = {
            event_id: frozenset(r.id for r in reminders)
            for event_id, reminders in self._everyone.items()}
        self._tokens: dict[str, dict[str, str]] = {}  # subscribers' unsubscribe tokens
        self._announced_now: dict[str, dict[str, announcements.Timed]] = {}
        self._run_started = time.monotonic()
        self._left_alone: dict[str, list[str]] = {}

    # -- planning ---------------------------------------------------------------------------

    def reconcile(self, now: datetime) -> dict[str, ReconcileReport]:
        """Every event's plan into the ledger, in as few transactions as the store allows."""
        with self.ledger.reconciling():
            return self._reconcile_each(now)

    def _reconcile_each(self, now: datetime) -> dict[str, ReconcileReport]:
        reports = {}
        for event_id, event in self.events.items():
            try:
                approve = event_id in self.approval
                destinations = self.destinations.get(event_id, ())
                planned = planned_deliveries(event, destinations, self._everyone[event_id],
                                             self._own.get(event_id, {}), approve=approve)
                report = self.ledger.reconcile(event_id, planned, now)
                digests = self.ledger.reconcile(event_id, planned_digests(
                    event, destinations, self._digest_plans), now, kind=DIGEST_KIND)
                extra = announcements.stored(self.ledger.announcement_rows(
                    event_id, states=["scheduled"]))
                said = self.ledger.reconcile(event_id, announce.desired_announcements(
                    event, extra, destinations, approve=approve, renderer=self.renderer), now,
                    kind=announcements.KIND)
                reports[event_id] = ReconcileReport(**{
                    name: getattr(report, name) + getattr(said, name) + getattr(digests, name)
                    for name in ("added", "skipped_past", "retimed", "cancelled", "revived",
                                 "unchanged")})
                log.info("reconciled %s: %s", event_id, reports[event_id])
            except Exception as exc:
                if self.ledger.is_store_error(exc):
                    raise
                # One schedule's failure is its own. The traceback once, not on every retry.
                error = f"{type(exc).__name__}: {exc}"[:300]
                log.error("reconciling %s failed (the other schedules go on): %s", event_id,
                          error, exc_info=self.failing.get(event_id) != error)
                self.failing[event_id] = error
            else:
                self.failing.pop(event_id, None)
        return reports

    def current(self, row: Row) -> tuple[Event, Reminder] | None:
        """The reminder as the current schedule plans it, or None if it is gone."""
        event = self.events.get(row.event_id)
        if event is None or row.destination not in self._destination_sets.get(row.event_id,
                                                                             frozenset()):
            return None
        wanted = self._wanted.get((row.event_id, row.destination))
        if wanted is not None and row.item_id not in wanted:
            return None  # the subscriber's own choices leave this one out now
        if wanted is None and row.item_id not in self._organizers_plan(row.event_id):
            return None
        reminder = self._plans.get(row.event_id, {}).get(row.item_id)
        return None if reminder is None else (event, reminder)

    def _organizers_plan(self, event_id: str) -> frozenset[str]:
        plans = self._organizer_ids
        if event_id not in plans:
            event = self.events.get(event_id)
            plans[event_id] = (frozenset(r.id for r in self.plans.of(event)) if event
                               else frozenset())
        return plans[event_id]

    def reader_zone(self, event_id: str, destination: str) -> Zone | None:
        """The zone a subscriber chose to read times in, or None for the event's own."""
        prefs = self.preferences.get(event_id, {}).get(destination)
        if prefs is None or prefs.zone is None:
            return None
        try:
            return prefs.reader_zone()
        except DuebotError:
            return None

    def language(self, event_id: str, destination: str) -> str | None:
        """The language a subscriber chose (``zh``), or None for English."""
        prefs = self.preferences.get(event_id, {}).get(destination)
        return None if prefs is None else prefs.language

    def decide(self, row: Row, reminder: Reminder, event: Event, now: datetime) -> Decision:
        """For a claimed row: re-time it if its date moved later, else the missed policy."""
        if reminder.due != row.due and reminder.due > now:
            return Decision("retime", f"re-timed to {reminder.due:%Y-%m-%d %H:%M} UTC",
                            due=reminder.due)
        return self.decide_for(reminder, event, now)

    def grace(self, event: Event) -> timedelta:
        """The schedule's own ``[reminders] grace`` if it sets one, else the operator's."""
        return event.policy.grace if event.policy.grace is not None else self.settings.grace

    def decide_for(self, reminder: Reminder, event: Event, now: datetime) -> Decision:
        """The missed-reminder policy, in one place."""
        if now >= reminder.target:
            return Decision("skip", f"not sent: what it reminds of was at "
                                    f"{reminder.target:%Y-%m-%d %H:%M} UTC, already past")
        lateness = now - reminder.due
        grace = self.grace(event)
        if lateness > grace:
            return Decision("skip", f"missed: due {reminder.due:%Y-%m-%d %H:%M} UTC, "
                                    f"{_hours(lateness)} late, beyond the grace window of "
                                    f"{_hours(grace)}")
        if lateness > self.settings.late_after:
            when = event.date(reminder.date_id)
            if event.policy.missed_for(when.kind) == "skip":
                return Decision("skip", f"missed: due {reminder.due:%Y-%m-%d %H:%M} UTC; "
                                        f"the policy for {when.kind} dates is to skip")
            return Decision("send", f"late by {_hours(lateness)}", late=True)
        return Decision("send")

    # -- sending ----------------------------------------------------------------------------

    def render(self, row: Row, event: Event, reminder: Reminder, *, late: bool,
               now: datetime) -> Outgoing:
        # claimed before: maybe posted (a channel that can tell looks before posting again)
        return self._outgoing(row.key, row.destination, event, reminder, late=late, now=now,
                              attempt=max(row.claims, 1))

    def render_planned(self, planned: Planned, event: Event, reminder: Reminder, *, late: bool,
                       now: datetime) -> Outgoing:
        return self._outgoing(planned.key, planned.destination, event, reminder, late=late,
                              now=now)

    def _outgoing(self, key: str, destination: str, event: Event, reminder: Reminder, *,
                  late: bool, now: datetime, attempt: int = 1) -> Outgoing:
        when = event.date(reminder.date_id)
        reader = self.reader_zone(event.id, destination)
        renderer = self.renderer.speaking(self.language(event.id, destination))
        cache_key = (event.id, reminder.id, now if late else None, reader.key if reader else "",
                     renderer.lang.code)
        cached = self._rendered.get(cache_key)
        if cached is None:
            note = late_note(reminder, when.zone, renderer.lang) if late else ""
            cached = (renderer.reminder(event, reminder, reader=reader,
                                        now=now if late else None, late_note=note),
                      # DTSTAMP: the reminder's due time: it is never sent before, and it is
                      # the same for every recipient and every retry.
                      build_date_calendar(event, when, stamp=reminder.due))
            if len(self._rendered) >= 1024:
                self._rendered.clear()
            self._rendered[cache_key] = cached
        message, ics = cached
        return Outgoing(key=key, destination=destination, subject=message.subject,
                        text=message.text, html=message.html,
                        ics=ics, ics_name=f"{when.id}.ics",
                        due=reminder.due, event_id=event.id, date_id=when.id, attempt=attempt,
                        calendar_url=f"{self.base_url}/e/{event.id}/{when.id}.ics"
                        if self.base_url else "",
                        list_unsubscribe=self._unsubscribe_link(event.id, destination))

    def _unsubscribe_link(self, event_id: str, destination: str) -> str:
        """A subscriber's own one-click unsubscribe link (RFC 8058), for ``List-Unsubscribe``."""
        if not self.base_url or not destination.startswith("mailto:"):
            return ""
        tokens = self._tokens.get(event_id)
        if tokens is None:  # one query per event and schedule change, not one per delivery
            tokens = self._tokens[event_id] = self.ledger.subscriber_tokens(event_id)
        token = tokens.get(destination)
        return f"{self.base_url}/unsubscribe/{token}" if token else ""

    def deliver_due(self, now: datetime, *, should_stop: Callable[[], bool] = lambda: False,
                    max_batches: int | None = None) -> BatchReport:
        """Claim and send batches until nothing is due at ``now``.

        Claims go on while earlier batches are still being sent (up to about two batches in
        hand), so a slow relay's sessions never wait on a batch boundary.
        """
        total = BatchReport()
        batches = 0
        self._run_started = time.monotonic()
        self._announced_now = {}  # `duebot announce` in another process: read afresh
        self._left_alone = {}
        self._away_now = {}
        self.unavailable.ran(now)
        known = self.unavailable.since()
        total.skipped += self.ledger.skip_unapproved(now, self.settings.grace)
        senders = _Senders(self, now, should_stop, room=max(self.settings.batch_size, 1))
        try:
            while not should_stop() and not senders.errors:
                senders.wait_for_room()
                senders.settle()  # a claim is no message's dialogue: record what was sent
                claimed_at = time.monotonic()  # before the claim: the lease starts later
                rows = self.ledger.claim(now, limit=self.settings.batch_size,
                                         lease=self.settings.lease)
                if not rows:
                    break
                batch = BatchReport()
                handed = 0
                for index, row in enumerate(rows):
                    if should_stop():
                        senders.settle()
                        rest = [r.key for r in rows[index:] if not senders.holds(r.key)]
                        batch.released += self.ledger.release(rest, now,
                                                              "released at shutdown")
                        break
                    if senders.holds(row.key):
                        continue  # still queued here (its lease lapsed and came back): once
                    try:
                        job = self._one(row, now, batch)
                    except Exception as exc:
                        if self.ledger.is_store_error(exc):
                            raise
                        self._crashed(row, exc, now, batch)
                        continue
                    if job is not None:
                        job.claimed_at = claimed_at
                        senders.put(job)
                        handed += 1
                total.add(batch)
                batches += 1
                if handed == 0 and batch.handled == 0 and batch.lost_lease == 0 and (
                        batch.left_alone == 0):
                    # Everything claimed went back (a stopped channel): claiming again now
                    # would only hand us the same rows.
                    break
                if max_batches is not None and batches >= max_batches:
                    break
        except BaseException:
            senders.failed = True  # the job held ahead is not sent now: it could not be recorded
            raise
        finally:
            try:
                total.add(senders.finish())
            finally:
                try:
                    total.released += self._give_back_left_alone(now)
                finally:
                    self._log_waits(known)
                    for channel in self.channels.values():
                        channel.close()
        return total

    def _log_waits(self, known: Mapping[str, datetime]) -> None:
        """One line per platform this run found away, not one per delivery: a warning when
        the outage is new (``known``: away when the run began), an info line per run while it
        lasts."""
        with self._waits_lock:
            waits, self._waits = self._waits, {}
            gave_up, self._gave_up = self._gave_up, {}
        for platform, (count, example) in sorted(gave_up.items()):
            log.error("%s: %d deliver%s given up (dead) after waiting on it: their reminders "
                      "no longer make sense (`duebot status` lists each with why); e.g. %s",
                      platform, count, "ies" if count != 1 else "y", example)
        for platform, count in sorted(waits.items()):
            words, then = self._away_now.get(platform) or ("", None)
            if then is None:
                continue  # it took a message later in the run (logged as back)
            what = (f"{count} deliver{'ies wait' if count != 1 else 'y waits'}, no attempt "
                    f"used; next try {then:%Y-%m-%d %H:%M:%S}Z")
            words = words.removeprefix(SERVER_DOWN)
            if platform in known:
                log.info("%s still unavailable (since %s): %s; %s", platform,
                         f"{known[platform]:%Y-%m-%d %H:%M}Z", words, what)
            else:
                log.warning("%s unavailable: %s; %s. duebot keeps trying and sends them once "
                            "it answers; one is given up (dead, with why) only when its "
                            "reminder no longer makes sense", platform, words, what)

    def _leave_alone(self, row: Row, report: BatchReport) -> None:
        """A row of an event this process has not loaded (its file failed to read, or this
        replica's config lacks it): not ours to judge. Held until the run ends (so the next
        claim hands out other rows), then given back as it was: no attempt used, never
        cancelled. Only a reconcile against the event's loaded plan cancels a reminder."""
        keys = self._left_alone.setdefault(row.event_id, [])
        if not keys:
            log.error("schedule %r is not loaded in this process: its due deliveries are left "
                      "alone (not sent, not cancelled) until a process that has it loaded "
                      "sends them", row.event_id)
        keys.append(row.key)
        report.left_alone += 1

    def _give_back_left_alone(self, now: datetime) -> int:
        """Back to pending, looked at again after one ``poll``: at once, ``run`` would claim
        and give them back in a loop (their due time is past)."""
        given = 0
        later = self._one_poll_later(now)
        for event_id, keys in self._left_alone.items():
            try:
                given += sum(self.ledger.finish(
                    key, "pending", now, f"left alone: schedule {event_id!r} is not loaded here",
                    next_attempt=later, count_attempt=False) for key in keys)
            except Exception as exc:  # the database is away: the leases run out instead
                if not self.ledger.is_store_error(exc):
                    raise
                log.warning("could not give back %d deliveries of %s; their leases will run "
                            "out", len(keys), event_id)
        self._left_alone = {}
        return given

    def _run(self, job: _Job, now: datetime, report: BatchReport,
             pending: Record | None = None, *, ahead: _Job | None = None) -> Record | None:
        """Render (as late as possible), check the lease, send, record.

        ``pending``: the record of the message this worker sent before, made here before
        anything else is written, at the latest before this message's final dot (while the
        server reads its envelope, on a channel with ``send_overlapped``). Returns the record
        of this message when it was sent, for the caller to make the same way (or at once);
        any other outcome is recorded here. ``ahead``: the job this worker sends next, if it
        has it in hand (``send_overlapped`` opens its envelope early, and may build it).
        """
        settle = _Once(pending)
        try:
            try:
                outgoing = job.built if job.built is not None else job.build()
            except TemplateError as exc:  # a template file changed after it was planned
                settle()
                self._finish(job.row, "dead", now, f"template: {exc.problem}", report)
                return None
            if outgoing is None:
                return None
            return self._send(job.row, job.channel, outgoing, now, report, late=job.late,
                              claimed_at=job.claimed_at, settle=settle, ahead=ahead)
        except Exception as exc:
            settle()
            if self.ledger.is_store_error(exc):
                raise
            self._crashed(job.row, exc, now, report)
            return None
        finally:
            settle()  # whatever path did not need it sooner

    def _crashed(self, row: Row, exc: Exception, now: datetime, report: BatchReport) -> None:
        """A bug tripped by one delivery is recorded against it (retried with backoff, dead
        after max_attempts), never left claimed, and the batch goes on."""
        log.error("delivery %s crashed (a bug in duebot: report it with this traceback); "
                  "recorded as failed, retried with backoff, dead after max_attempts",
                  row.key, exc_info=exc)
        self._record(row, Outcome(kind="retry", reason=f"internal error: "
                                  f"{type(exc).__name__}: {exc}"[:300]),
                     now, report, late="")

    def _one(self, row: Row, now: datetime, report: BatchReport) -> _Job | None:
        """What to do with one claimed row: recorded at once, or a send for later."""
        if row.kind != "reply" and row.event_id not in self.events:
            self._leave_alone(row, report)
            return None
        if row.kind == announcements.KIND:
            return self._one_announcement(row, now, report)
        if row.kind == DIGEST_KIND:
            return self._one_digest(row, now, report)
        if row.kind == "reply":
            return self._prepared_job(row, now, report)
        found = self.current(row)
        if found is None:
            self._finish(row, "cancelled", now, "no longer planned", report)
            return None
        event, reminder = found
        decision = self.decide(row, reminder, event, now)
        if decision.action == "retime" and decision.due is not None:
            self._retime(row, decision.due, now, report)
            return None
        if decision.action == "skip":
            self._missed(row, decision.reason, now, report)
            return None
        channel = self._channel(row, now, report)
        if channel is None:
            return None
        return _Job(row=row, channel=channel, late=decision.reason,
                    build=lambda: self.render(row, event, reminder, late=decision.late,
                                              now=now))

    def _missed(self, row: Row, reason: str, now: datetime, report: BatchReport) -> None:
        """Too late to send: ``skipped``, or ``dead`` with why when it waited on its platform
        (an outage, a rate limit or a stopped channel outlasted the reminder: it was never this
        message's fault, and nothing may stop silently)."""
        if row.reason.startswith((*WAITING, STOPPED)):
            why = f"gave up: {reason}; last try: {row.reason}"[:500]
            self._finish(row, "dead", now, why, report, level=logging.INFO)
            with self._waits_lock:  # one line a run (``_log_waits``), not one a delivery
                count, example = self._gave_up.get(self._platform(row), (0, ""))
                self._gave_up[self._platform(row)] = (count + 1, example or f"{row.key}: {why}")
        else:
            self._finish(row, "skipped", now, reason, report)

    def _retime(self, row: Row, due: datetime, now: datetime, report: BatchReport) -> None:
        """A claimed row whose time moved later: back to pending at ``due`` (its due time
        too, so that the next reconcile sees no move), without counting a try."""
        self.ledger.finish(row.key, "pending", now, f"re-timed to {due:%Y-%m-%d %H:%M} UTC",
                           next_attempt=due, due=due)
        report.released += 1

    def _channel(self, row: Row, now: datetime, report: BatchReport) -> Channel | None:
        """The channel for a row; None after recording why it cannot go now."""
        scheme = row.destination.split(":", 1)[0]
        channel = self.channels.get(scheme)
        if scheme in self.stopped:
            self._hold_stopped(row, now, self.stopped[scheme], report)
            return None
        if channel is None:
            self._finish(row, "dead", now, f"no {scheme}: channel is configured", report)
        return channel

    def _send(self, row: Row, channel: Channel, outgoing: Outgoing, now: datetime,
              report: BatchReport, *, late: str, claimed_at: float,
              settle: Record = lambda: None, ahead: _Job | None = None) -> Record | None:
        """Send and return the record of a sent message (any other outcome recorded here)."""
        scheme = row.destination.split(":", 1)[0]
        if scheme in self.stopped:  # another worker's send found the channel broken
            settle()
            self._hold_stopped(row, now, self.stopped[scheme], report)
            return None
        # While more than half the claim's lease is left, nobody else can hold the row; past
        # that, extend it (and learn if another replica took over) before sending.
        if time.monotonic() - claimed_at > self.settings.lease.total_seconds() / 2:
            settle()
            if not self.ledger.renew(row.key, self.settings.lease):
                report.lost_lease += 1
                log.warning("lease on %s was taken over by another replica while it waited "
                            "here; not sending it (that replica does). Often: [delivery] "
                            "lease is short for this batch", row.key)
                return None
        if self._away_now:
            found = self._away_now.get(self._platform(row))
            if found is not None:  # a send of this run found it away: wait for the same try
                settle()
                self._hold_away(row, now, found, report)
                return None
        overlapped = getattr(channel, "send_overlapped", None)
        if callable(overlapped):  # the channel makes `settle` before this message's final dot
            outcome: Outcome
            if ahead is None:
                outcome = overlapped(outgoing, settle)
            elif getattr(channel, "builds_ahead", False):
                outcome = overlapped(outgoing, settle, upcoming=ahead.row.destination,
                                     following=_building(ahead))
            else:
                outcome = overlapped(outgoing, settle, upcoming=ahead.row.destination)
        else:
            settle()
            outcome = channel.send(outgoing)
        ended = time.monotonic()  # orders what this send saw of its platform (bot.app.unavailable)
        settle()
        if outcome.kind != "sent":  # recorded at once: a stop must halt the next send
            self._record(row, outcome, now, report, late=late, ended=ended)
            return None
        return lambda: self._record(row, outcome, now, report, late=late, ended=ended)

    def _prepared_job(self, row: Row, now: datetime, report: BatchReport) -> _Job | None:
        """A message rendered when it was queued (a mail reply, ``bot.app.mail_conversation``): no
        schedule decides about it; its payload holds the message itself and its return path."""
        channel = self._channel(row, now, report)
        if channel is None:
            return None
        try:
            hints = {str(k): str(v) for k, v in json.loads(row.payload or "{}").items()}
        except (ValueError, AttributeError):
            self._finish(row, "dead", now, "unreadable payload", report)
            return None
        outgoing = Outgoing(key=row.key, destination=row.destination, subject="", text="",
                            event_id=row.event_id, prepared_message=hints.get("message", ""),
                            envelope_from=hints.get("envelope_from"), attempt=max(row.claims, 1))
        return _Job(row=row, channel=channel, late="", build=lambda: outgoing)

    def _record(self, row: Row, outcome: Outcome, now: datetime, report: BatchReport, *,
                late: str, ended: float | None = None) -> None:
        """The outcome of a send that was tried: each one counts as an attempt, but for an
        outage or a rate limit (``Outcome.uses_no_attempt``: no fault of the message)."""
        tried = row.attempts + 1
        ended = time.monotonic() if ended is None else ended
        if outcome.kind == "sent":
            platform = self._platform(row)
            if self._away_now:
                self._away_now.pop(platform, None)
            since = self.unavailable.took(platform, ended=ended)
            if since is not None:
                log.warning("%s is back: it took a message (unavailable since %s); what waited "
                            "on it goes now", platform, f"{since:%Y-%m-%d %H:%M}Z")
            reason = f"sent ({late})" if late else "sent"
            again = MAYBE_DELIVERED in row.reason  # the try before this one
            if again:
                reason += (f" again (attempt {tried}): the try before may have delivered it "
                           f"too, so it may have arrived twice (same Message-ID, same key)")
            if outcome.reason:
                reason = f"{reason}: {outcome.reason}"
            self._finish(row, "sent", now, reason, report, remote_id=outcome.remote_id,
                         count_attempt=True, level=logging.WARNING if again else None)
        elif outcome.uses_no_attempt:
            # An outage (as MTAs treat one) or a rate limit: no attempt used, the platform's
            # Retry-After or a backoff doubling per claim; it ends when the missed-reminder
            # policy says the reminder no longer makes sense.
            wait = self._asked(outcome) or min(
                self.settings.retry_backoff * (2 ** min(max(row.claims - 1, 0), 20)),
                self.settings.max_backoff)
            prefix = RATE_LIMITED if outcome.rate_limited else SERVER_DOWN
            platform = self._platform(row)
            then = now + self._elapsed() + wait
            self.unavailable.away(platform, f"{prefix}{outcome.reason}",
                                  ended=ended, at=now + self._elapsed(), next_try=then)
            if outcome.rate_limited:
                self._finish(row, "failed", now, f"{prefix}{outcome.reason}; retry in "
                                                 f"{_hours(wait)} (no attempt used)", report,
                             next_attempt=then, count_attempt=False)
                return
            self._away_now[platform] = (f"{prefix}{outcome.reason}", then)
            self._hold_away(row, now, self._away_now[platform], report)
        elif outcome.kind == "retry":
            wait = self._asked(outcome) or _spread(
                self.settings.retry_backoff * (2 ** (tried - 1)), row.key, tried,
                self.settings.max_backoff)
            # The wait starts when the send failed, not when the run began: a run that spent
            # minutes on hanging sends must not hand out retries that are already due.
            then = now + self._elapsed() + wait
            if tried >= self.settings.max_attempts:
                self._finish(row, "dead", now, f"gave up after {tried} attempts: "
                                               f"{outcome.reason}", report, count_attempt=True)
            else:
                self._finish(row, "failed", now, f"{outcome.reason}; retry in {_hours(wait)}",
                             report, next_attempt=then, count_attempt=True)
            if outcome.silent:  # the others there wait for one backoff, this one dead or not
                self._fell_silent(row, outcome, now, then, ended)
        elif outcome.kind == "dead":
            self._finish(row, "dead", now, outcome.reason, report, count_attempt=True)
        else:
            scheme = row.destination.split(":", 1)[0]
            self.stopped[scheme] = outcome.reason
            log.error("channel %s stopped: %s; its deliveries wait (no attempt used, on "
                      "/healthz) until an operator fixes that and restarts duebot",
                      scheme, outcome.reason)
            self._hold_stopped(row, now, outcome.reason, report)

    def _fell_silent(self, row: Row, outcome: Outcome, now: datetime, then: datetime,
                     ended: float) -> None:
        """The platform took this message and never answered (``Outcome.silent``): the run's
        other deliveries there wait for this one's next try, no attempt used, instead of a
        timeout each. Their reason names the one that may have arrived, never in the words
        that make their own later send read as a second copy (``MAYBE_DELIVERED``)."""
        platform = self._platform(row)
        words = " ".join(outcome.reason.replace(f"the message {MAYBE_DELIVERED}", "").split())
        words = words.rstrip(" :;,") or "no answer"
        held = (f"{SERVER_DOWN}{words}, with {row.key} in hand (that one may have arrived; it "
                f"counts an attempt): held for its next try")
        self._away_now.setdefault(platform, (held, then))
        self.unavailable.away(platform, f"{SERVER_DOWN}not answering once a message went: "
                                        f"{words}. {row.key} {MAYBE_DELIVERED} (an attempt "
                                        f"counted; its next send says so); the others due "
                                        f"there wait for its next try",
                              ended=ended, at=now + self._elapsed(), next_try=then)

    def _hold_away(self, row: Row, now: datetime, found: tuple[str, datetime],
                   report: BatchReport) -> None:
        """A delivery whose platform is away: failed, no attempt used, tried again at the
        outage's next try (every delivery waiting there moves together: one probe a try, and
        once it answers they all go in the same run). Logged once per run (``_log_waits``)."""
        words, then = found
        wait = max(then - now - self._elapsed(), timedelta(0))
        self._finish(row, "failed", now, f"{words}; retry in {_hours(wait)} (no attempt used)",
                     report, next_attempt=then, count_attempt=False, level=logging.DEBUG)
        platform = self._platform(row)
        with self._waits_lock:
            self._waits[platform] = self._waits.get(platform, 0) + 1

    def _platform(self, row: Row) -> str:
        """Whose outage a row's send saw: its channel's ``platform(destination)`` when it has
        one (Apprise: one service of many), else the scheme."""
        scheme = row.destination.split(":", 1)[0]
        named = getattr(self.channels.get(scheme), "platform", None)
        return str(named(row.destination)) if callable(named) else scheme

    def _asked(self, outcome: Outcome) -> timedelta | None:
        """The wait the other side asked for (``Retry-After``), at most ``max_backoff``: the
        delivery is looked at again by then, so one that no longer makes sense is ``dead``
        with why in time, not a day later (its channel still asks nothing until the wait the
        platform named is over)."""
        if outcome.retry_after is None:
            return None
        return min(outcome.retry_after, self.settings.max_backoff)

    def _hold_stopped(self, row: Row, now: datetime, reason: str, report: BatchReport) -> None:
        """Give a row of a stopped channel back, no try counted, looked at again one ``poll``
        later: given back still due, ``run`` would claim and give it back every 50 ms (and
        write a history line each time) for as long as the token stays revoked."""
        self.ledger.finish(row.key, "pending", now, f"{STOPPED}{reason}",
                           next_attempt=self._one_poll_later(now),
                           count_attempt=False)
        report.released += 1

    def _one_poll_later(self, now: datetime) -> datetime:
        """When a row given back still due (left alone, a stopped channel) is looked at again:
        one ``poll`` after this moment of the run, so ``run`` does not claim it in a loop."""
        return now + self._elapsed() + self.settings.poll

    def _elapsed(self) -> timedelta:
        """Whole seconds since this run began (``now`` stays the instant the run was for)."""
        return timedelta(seconds=int(time.monotonic() - self._run_started))

    def _finish(self, row: Row, state: str, now: datetime, reason: str, report: BatchReport,
                *, level: int | None = None, **extra: object) -> None:
        if not self.ledger.finish(row.key, state, now, reason, **extra):  # type: ignore[arg-type]
            report.lost_lease += 1
            log.warning("%s: lease lost before recording %s (%s): another replica took it "
                        "over and will judge it again (a send took longer than [delivery] "
                        "lease?)", row.key, state, reason)
            return
        counter = {"sent": "sent", "failed": "failed", "dead": "dead", "skipped": "skipped",
                   "cancelled": "cancelled"}[state]
        setattr(report, counter, getattr(report, counter) + 1)
        line = f"{state:<9} {row.key}  due {row.due:%Y-%m-%d %H:%M}Z  {reason}"
        report.lines.append(line)
        # A retry is worth a warning, a delivery that will never go an error.
        if level is None:
            level = (logging.ERROR if state == "dead" else logging.WARNING if state == "failed"
                     else logging.INFO)
        log.log(level, "%s", line)

    # -- announcements (bot.app.announce) -------------------------------------------------------

    def announcement_for(self, row: Row) -> tuple[Event, Announcement] | None:
        """The announcement the row carries, for its event as loaded now; None if either is
        gone. The row is what reconcile planned: its ``due`` is the instant, read once then
        (and re-timed by reconcile when the schedule moves it), never the ``at`` text again."""
        event = self.events.get(row.event_id)
        if event is None:
            return None
        try:
            return event, announcements.from_payload(
                announcements.id_of(row.event_id, row.item_id), row.payload)
        except ValueError:
            return None

    def render_announcement(self, row: Row, event: Event, announcement: Announcement,
                            now: datetime) -> Outgoing:
        # The organizer's text stays as written; the framing speaks the subscriber's language.
        message = announcements.render(
            self.renderer.speaking(self.language(event.id, row.destination)), event,
            announcement, when=row.due, now=now,
            reader=self.reader_zone(event.id, row.destination))
        return Outgoing(key=row.key, destination=row.destination, subject=message.subject,
                        text=message.text, html=message.html, due=row.due, event_id=event.id,
                        date_id=row.date_id, attempt=max(row.claims, 1),
                        slack_text=announcements.slack_text(event, announcement))

    def preview_row(self, row: Row, now: datetime) -> Outgoing | None:
        """What a waiting delivery would send (the outbox shows its subject)."""
        if row.kind == announcements.KIND:
            found_ann = self.announcement_for(row)
            return None if found_ann is None else self.render_announcement(row, *found_ann,
                                                                           now=now)
        found = self.current(row)
        return None if found is None else self.render(row, *found, late=False, now=now)

    def _taken_over(self, row: Row, now: datetime, report: BatchReport) -> Row | None:
        """A row another replica held (its lease ran out, or it was given back) may have been
        claimed while the schedule or the table changed, and reconcile never touches a claimed
        row: judge it by the announcements as they are now, once. None: recorded here
        (cancelled, or re-timed for later); else the row with the instant and text of now."""
        if row.claims <= row.attempts + 1:  # claimed afresh, or a retry: the row is current
            return row
        event = self.events.get(row.event_id)
        current = None if event is None else self._announced(event).get(row.item_id)
        if current is None or row.destination not in (
                current.announcement.to or self.destinations.get(row.event_id, ())):
            self._finish(row, "cancelled", now, "no longer planned", report)
            return None
        if current.due != row.due and current.due > now:
            self._retime(row, current.due, now, report)
            return None
        return replace(row, due=current.due, payload=announcements.payload(
            current.announcement))

    def _announced(self, event: Event) -> dict[str, announcements.Timed]:
        """Item id -> the event's announcement as the schedule and the table say now (the
        table read once a run, and only for a row taken over)."""
        found = self._announced_now.get(event.id)
        if found is None:
            extra = announcements.stored(self.ledger.announcement_rows(
                event.id, states=["scheduled"]))
            going, _failed = announcements.timed(event, extra)
            found = self._announced_now[event.id] = {
                announcements.item_id(event.id, one.announcement.id): one for one in going}
        return found

    def _one_announcement(self, row: Row, now: datetime, report: BatchReport) -> _Job | None:
        """No target to be late for: only the grace window decides whether it still goes."""
        taken = self._taken_over(row, now, report)
        if taken is None:
            return None
        row = taken
        found = self.announcement_for(row)
        if found is None:
            self._finish(row, "cancelled", now, "no longer planned", report)
            return None
        event, announcement = found
        lateness = now - row.due
        grace = self.grace(event)
        if lateness > grace:
            self._missed(row, f"missed: due {row.due:%Y-%m-%d %H:%M} UTC, {_hours(lateness)} "
                              f"late, beyond the grace window of {_hours(grace)}", now, report)
            return None
        channel = self._channel(row, now, report)
        if channel is None:
            return None
        late = f"late by {_hours(lateness)}" if lateness > self.settings.late_after else ""
        return _Job(row=row, channel=channel, late=late,
                    build=lambda: self.render_announcement(row, event, announcement, now))

    # -- digests (bot.core.preferences) -------------------------------------------------------

    def _one_digest(self, row: Row, now: datetime, report: BatchReport) -> _Job | None:
        """A subscriber's digest: goes within the grace window, else is skipped as missed."""
        event = self.events.get(row.event_id)
        digest = self._digest_plans.get((row.event_id, row.destination), {}).get(row.item_id)
        if event is None or digest is None:
            self._finish(row, "cancelled", now, "no longer planned", report)
            return None
        if digest.due != row.due and digest.due > now:
            self._retime(row, digest.due, now, report)
            return None
        lateness = now - digest.due
        if lateness > self.grace(event):
            self._missed(row, f"missed: due {digest.due:%Y-%m-%d %H:%M} UTC, "
                              f"{_hours(lateness)} late", now, report)
            return None
        channel = self._channel(row, now, report)
        if channel is None:
            return None
        prefs = self.preferences.get(row.event_id, {}).get(row.destination, Preferences())

        def build() -> Outgoing:
            unsubscribe = self._unsubscribe_link(event.id, row.destination)
            settings_url = unsubscribe.replace("/unsubscribe/", "/me/")
            message = digest_message(event, digest, prefs, now=max(now, digest.due),
                                     settings_url=settings_url,
                                     lang=self.renderer.speaking(prefs.language).lang)
            return Outgoing(key=row.key, destination=row.destination, subject=message.subject,
                            text=message.text, html=message.html, due=digest.due,
                            event_id=event.id, attempt=max(row.claims, 1),
                            list_unsubscribe=unsubscribe)

        return _Job(row=row, channel=channel, late="", build=build)

    # -- dry runs ---------------------------------------------------------------------------

    def rehearse(self, now: datetime) -> list[tuple[Planned, Decision, Outgoing | None]]:
        """What a bot that had been running all along would do at ``now``; records nothing.

        Every planned delivery due by ``now`` whose date is not over yet, with the decision
        the missed-reminder policy makes (send, late with a note, or skip) and the message.
        Deliveries the ledger already shows as sent are reported as such.
        """
        done = {r.key: r for r in self.ledger.rows(states=["sent", "dead", "cancelled"])}
        out: list[tuple[Planned, Decision, Outgoing | None]] = []
        for event_id, event in self.events.items():
            for planned in desired_deliveries(event, self.destinations.get(event_id, ())):
                if planned.due > now or (planned.target is not None and planned.target <= now):
                    continue
                if planned.key in done:
                    row = done[planned.key]
                    out.append((planned, Decision("skip", f"already {row.state}"), None))
                    continue
                reminder = self._plans[event_id][planned.item_id]
                decision = self.decide_for(reminder, event, now)
                outgoing = None
                if decision.action == "send":
                    outgoing = self.render_planned(planned, event, reminder,
                                                   late=decision.late, now=now)
                out.append((planned, decision, outgoing))
        return sorted(out, key=lambda item: (item[0].due, item[0].key))


SPREAD = 0.25
"""A counted retry waits its backoff plus up to this share of it (never past ``max_backoff``):
messages that failed together (a relay's 451 for too many at once) do not all come back in
the same second. A wait with no attempt used (an outage) is not spread: every delivery waiting
on the platform goes at its next try together, once it answers."""


def _spread(backoff: timedelta, key: str, tried: int, cap: timedelta) -> timedelta:
    """``backoff`` (at most ``cap``) plus its share of ``SPREAD``, in whole seconds, fixed by
    the delivery and its attempt (a hash, not a random draw: replicas and tests agree)."""
    base = min(backoff, cap)
    digest = hashlib.blake2b(f"{key}|{tried}".encode(), digest_size=4).digest()
    share = int.from_bytes(digest, "big") / 2**32
    return min(base + timedelta(seconds=round(base.total_seconds() * SPREAD * share)), cap)


def _hours(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds < 120:
        return f"{seconds}s"
    if seconds < 2 * 3600:
        return f"{seconds // 60}m"
    if seconds < 2 * 86400:
        return f"{seconds // 3600}h{(seconds % 3600) // 60:02d}m"
    return f"{seconds // 86400}d{(seconds % 86400) // 3600}h"
