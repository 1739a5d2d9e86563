"""Property: whatever organizers do to a schedule between delivery runs (move, extend, cancel,
add), each planned message goes at most once, and every message that should go, goes.

"Should go" at a run at time t: a reminder (or announcement) the current schedule plans, whose
due time is at or before t and within the grace window of it, whose date has not passed, and
whose due time was known before it came (it is not earlier than the last edit of its date: a
reminder planned after its own time is never sent as a surprise).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import hypothesis
import tomlkit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.adapters.schedule_edit import cancel_date, extend_date
from bot.app import announce
from bot.config import Config, DeliveryConfig, ScheduleConfig, StorageConfig
from bot.core.planner import plan
from bot.core.zones import parse_zone
from bot.errors import DuebotError
from bot.ports import Channel, Outcome, Outgoing, delivery_key
from bot.service import Service

ZONE = parse_zone("America/Los_Angeles")
# Two hours before d0's first reminder; DST starts on 10 March, so moves cross it.
START = datetime(2030, 2, 28, 6, 0, tzinfo=UTC)
GRACE = timedelta(hours=1)
DESTINATIONS = ("console:", "mailto:list@example.org")

SCHEDULE = """\
# organizers' comment
[event]
id = "prop"
name = "Property Workshop"
zone = "America/Los_Angeles"

[reminders]
deadline = ["2d", "1d", "3h"]

[[dates]]
id = "d0"
title = "First deadline"
kind = "deadline"
at = "2030-03-01 23:59"

[[dates]]
id = "d1"
title = "Second deadline"
kind = "deadline"
at = "2030-03-12 12:00"

[[announcements]]
id = "soon"
at = "d0-12h"
text = "Twelve hours left."
"""


class Recorder:
    """A channel that takes every message and remembers its key."""

    def __init__(self, scheme: str, log: list[str]) -> None:
        self.scheme = scheme
        self._log = log

    def send(self, message: Outgoing) -> Outcome:
        self._log.append(message.key)
        return Outcome.sent()

    def close(self) -> None:
        pass


@dataclass
class World:
    path: Path
    service: Service
    sent: list[str] = field(default_factory=list)
    changed: dict[str, datetime] = field(default_factory=dict)
    mtime: int = 1_000_000_000

    def touched(self, date_id: str, now: datetime) -> None:
        self.mtime += 10  # a distinct mtime for every edit, whatever the file system's clock
        os.utime(self.path, (self.mtime, self.mtime))
        self.changed[date_id] = now
        self.service.refresh(now, force=True)


def _local_text(moment: datetime) -> str:
    return f"{ZONE.local(moment):%Y-%m-%d %H:%M}"


def _exists(text: str) -> bool:
    try:
        ZONE.localize(datetime.strptime(text, "%Y-%m-%d %H:%M"))
    except DuebotError:
        return False
    return True


def _apply(world: World, op: tuple[str, int, int], now: datetime) -> None:
    kind, index, hours = op
    event = world.service.events()["prop"]
    ids = [d.id for d in event.dates]
    date_id = ids[index % len(ids)]
    when = event.date(date_id)
    if kind == "add":
        text = _local_text(now + timedelta(hours=hours))
        if not _exists(text):
            return
        new_id = f"d{len(ids)}"
        with world.path.open("a", encoding="utf-8") as out:
            out.write(f'\n[[dates]]\nid = "{new_id}"\ntitle = "Added"\nkind = "deadline"\n'
                      f'at = "{text}"\n')
        world.touched(new_id, now)
        return
    if when.cancelled or when.at is None:
        return
    if kind == "cancel":
        cancel_date(world.path, date_id)
        world.touched(date_id, now)
        return
    delta = timedelta(hours=hours if kind == "move" else abs(hours) + 1)
    text = _local_text(when.at + delta)
    if delta == timedelta(0) or not _exists(text):
        return
    if kind == "extend":
        extend_date(world.path, date_id, text)
    else:  # a hand edit of `at`, nothing else
        doc = tomlkit.parse(world.path.read_text(encoding="utf-8"))
        for table in doc["dates"]:
            if table["id"] == date_id:
                table["at"] = text
        world.path.write_text(tomlkit.dumps(doc), encoding="utf-8")
    world.touched(date_id, now)


def _planned(world: World) -> dict[str, tuple[datetime, datetime | None, str]]:
    """key -> (due, target, date id) as the current schedule plans it."""
    event = world.service.events()["prop"]
    out: dict[str, tuple[datetime, datetime | None, str]] = {}
    for reminder in plan(event):
        for d in DESTINATIONS:
            out[delivery_key(reminder.id, d)] = (reminder.due, reminder.target,
                                                 reminder.date_id)
    for item in event.announcements:
        due = announce.when_of(event, item.at)
        if due is not None:
            for d in DESTINATIONS:
                out[delivery_key(announce.item_id(event.id, item.id), d)] = (due, None, "d0")
    return out


def _may_go(due: datetime, target: datetime | None, now: datetime) -> bool:
    return due <= now and now - due <= GRACE and (target is None or now < target)


def _should_have_gone(world: World, now: datetime) -> set[str]:
    return {key for key, (due, target, date_id) in _planned(world).items()
            if _may_go(due, target, now) and due >= world.changed.get(date_id, START)}


OPS = st.one_of(
    st.tuples(st.just("run"), st.just(0), st.just(0)),
    st.tuples(st.just("move"), st.integers(0, 5), st.integers(-96, 96)),
    st.tuples(st.just("extend"), st.integers(0, 5), st.integers(1, 96)),
    st.tuples(st.just("cancel"), st.integers(0, 5), st.just(0)),
    st.tuples(st.just("add"), st.integers(0, 5), st.integers(1, 200)),
)
GAPS = st.one_of(st.integers(1, 90), st.integers(90, 12 * 60), st.integers(12 * 60, 48 * 60))
# While it is up, the bot wakes at each due time (as `duebot run` does) plus some lag; a lag
# beyond the grace window, or a step while it is down, makes messages that must not go.
UP = st.one_of(st.none(), st.integers(0, 5), st.integers(0, 90))
STEPS = st.lists(st.tuples(GAPS, OPS, UP), min_size=1, max_size=25)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
def test_any_edits_send_each_message_at_most_once_and_every_due_one(
        steps: list[tuple[int, tuple[str, int, int], int | None]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "prop.toml"
        path.write_text(SCHEDULE, encoding="utf-8")
        sent: list[str] = []
        config = Config(storage=StorageConfig(database_url=f"sqlite:///{folder}/ledger.db"),
                        delivery=DeliveryConfig(grace=GRACE),
                        schedules=(ScheduleConfig(path=path, reminders_to=DESTINATIONS),))
        clock = [START]
        channels: dict[str, Channel] = {"console": Recorder("console", sent),
                                        "mailto": Recorder("mailto", sent)}
        service = Service(config, clock=lambda: clock[0], channels=channels, owner="prop")
        world = World(path=path, service=service, sent=sent)
        service.reconcile(START)
        now = START
        try:
            def run(moment: datetime) -> None:
                clock[0] = moment
                before = len(sent)
                service.refresh(moment)
                service.deliver_once(moment)
                assert len(sent) == len(set(sent)), "a message went twice"
                planned = _planned(world)
                for key in sent[before:]:  # and nothing went that should not (yet)
                    assert key in planned and _may_go(*planned[key][:2], moment), key
                expected = _should_have_gone(world, moment)
                missing = expected - set(sent)
                assert not missing, f"due but not sent at {moment}: {sorted(missing)}"
                hypothesis.event("a run had messages due" if expected else "a quiet run")

            for minutes, op, lag in steps:
                until = now + timedelta(minutes=minutes)
                for _ in range(200):  # up: wake at each due time (+ lag) until the next edit
                    wake = service.ledger.next_wake()
                    if lag is None or wake is None or wake + timedelta(minutes=lag) > until:
                        break
                    now = max(now, wake + timedelta(minutes=lag))
                    run(now)
                now = until
                clock[0] = now
                if op[0] != "run":
                    _apply(world, op, now)
                run(now)
        finally:
            service.ledger.close()
