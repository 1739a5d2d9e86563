"""Property: reconcile (set operations in the database) and the engine, against a reference
model, on SQLite and PostgreSQL at once.

Random sequences of schedule edits (dates moved, added, removed, cancelled; subscribers in and
out, with their own lead times, a date filter or a digest; a file announcement's ``at`` edited
or removed; organizers' announcements added and cancelled; another replica that claims what is
due and dies; another writer that cancels or re-times an unsent row behind reconcile's back; a
restart) are interleaved with delivery runs at an advancing ``now`` (waking at each due
time, with some lag, or not at all while the bot is down). The model is a few lines of Python
over the pure plan (``desired_deliveries`` and friends): it applies reconcile's rules and the
missed-message policy, and says after every step which state each key is in and which keys
the run sends. Both ledgers must match it at every step, so they also match each other:
each key is sent at most once, at its latest due time, and nothing cancelled goes.

Most steps leave the plan as it was, so SQLite's reconcile mostly skips the comparison (its
``plan_fingerprints``) after time moved, deliveries ran and ghosts claimed; the other writer's
changes must make it compare again (PostgreSQL always compares): a skip trusted there leaves
SQLite's row cancelled or mistimed, unlike the model and PostgreSQL.

Instants at the edge: the dates sit across the start of daylight saving time in
Los Angeles (10 March 2030), runs happen at exactly a due instant, ``now`` carries
microseconds, and organizers' announcements are given to the microsecond.

40 examples of up to 16 steps, derandomized (about 20 s on both backends). For a deeper
look: ``PROP_EXAMPLES=500 PROP_RANDOM=1 PROP_NOSHRINK=1``. Mutating reconcile's rules (a
revival at exactly ``now``, a cancelled row planned again unchanged, a new row due at ``now``,
a sent row cancelled) makes it fail; so does judging a taken-over announcement by its row.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from bot.adapters.store.ledger import Ledger
from bot.adapters.store.schema import deliveries, metadata
from bot.adapters.template_files import load_templates
from bot.app import announce
from bot.app.delivery import Engine, desired_deliveries, desired_digests
from bot.config import DeliveryConfig
from bot.core import announcements
from bot.core.model import Event
from bot.core.preferences import Preferences
from bot.core.render import Renderer
from bot.core.schedule import parse_schedule
from bot.core.zones import parse_zone
from bot.ports import Outcome, Outgoing, Planned
from tests.pg import fresh_database, require_pg

ZONE = parse_zone("America/Los_Angeles")
START = datetime(2030, 3, 8, 18, 0, tzinfo=UTC)  # two days before DST starts in Los Angeles
SETTINGS = DeliveryConfig(grace=timedelta(hours=1), batch_size=7)
GRACE = SETTINGS.grace
DESTINATIONS = ("mailto:a@example.org", "mailto:b@example.org", "console:")
DATE_IDS = ("d0", "d1", "d2")
FILE_AT = (None, "d0-12h", "d1+1h", "2030-03-10 03:30", "d2-1d", "d1")
ORG_AT = ("d1-6h", "d0+30m", "d2", "exact")
PREFS = (
    None,
    Preferences(leads={"*": (timedelta(hours=2), timedelta(minutes=30))}),
    Preferences(digest="next7"),
    Preferences(dates=frozenset({"d1"}), zone="Asia/Tokyo", language="zh"),
    Preferences(leads={"d0": (timedelta(days=2),)}),
)


@dataclass
class World:
    """What the organizers and subscribers chose; ``schedule()`` writes it as a file would."""

    dates: dict[str, tuple[datetime, bool]] = field(default_factory=dict)  # at, cancelled
    subscribed: list[str] = field(default_factory=lambda: list(DESTINATIONS[:2]))
    prefs: dict[str, Preferences] = field(default_factory=dict)
    file_at: str | None = "d0-12h"
    org: dict[str, str] = field(default_factory=dict)  # id -> when_spec, as added
    org_count: int = 0

    def chosen(self) -> dict[str, Preferences]:
        """The choices of those subscribed (the service passes active subscribers' only)."""
        return {d: p for d, p in self.prefs.items() if d in self.subscribed}

    def schedule(self) -> Event:
        lines = ['[event]', 'id = "prop"', 'name = "Property Workshop"',
                 'zone = "America/Los_Angeles"', '', '[reminders]',
                 'deadline = ["1d", "3h"]', '']
        for date_id, (at, cancelled) in sorted(self.dates.items()):
            lines += ['[[dates]]', f'id = "{date_id}"', f'title = "Date {date_id}"',
                      'kind = "deadline"', f'at = "{ZONE.local(at):%Y-%m-%d %H:%M}"']
            if cancelled:
                lines.append("cancelled = true")
            lines.append("")
        spec = self.file_at
        if spec is not None and (spec[0] != "d" or spec[:2] in self.dates):
            lines += ['[[announcements]]', 'id = "f1"', f'at = "{self.file_at}"',
                      'text = "From the file."', '']
        return parse_schedule("\n".join(lines))


@dataclass
class Model:
    """key -> [state, due, kind]: reconcile's rules and the engine's decisions, in Python."""

    rows: dict[str, list[Any]] = field(default_factory=dict)
    plan: dict[str, Planned] = field(default_factory=dict)

    def reconcile(self, plan: dict[str, Planned], now: datetime) -> None:
        self.plan = plan
        for key, row in self.rows.items():
            if key not in plan and row[0] == "pending":
                row[0] = "cancelled"
        for key, p in plan.items():
            row = self.rows.get(key)
            if row is None:
                self.rows[key] = ["pending" if p.due >= now else "skipped", p.due, p.kind]
                continue
            state, due = row[0], row[1]
            moved = p.due != due
            if state == "pending" and moved:
                row[0:2] = ["pending" if p.due >= now else "skipped", p.due]
            elif state in ("skipped", "cancelled") and (moved or state == "cancelled") \
                    and p.due >= now:
                row[0:2] = ["pending", p.due]

    def wake(self) -> datetime | None:
        return min((r[1] for r in self.rows.values() if r[0] == "pending"), default=None)

    def run(self, now: datetime) -> dict[str, datetime]:
        """What a delivery run at ``now`` sends (key -> due); the states move as it does."""
        sent: dict[str, datetime] = {}
        for key, row in self.rows.items():
            state, due, kind = row
            if not (state == "claimed" or (state == "pending" and due <= now)):
                continue
            p = self.plan.get(key)
            if p is None:
                row[0] = "cancelled"
                continue
            if state == "claimed" and p.due != due and p.due > now:
                row[0:2] = ["pending", p.due]
                continue
            row[1] = due = p.due
            if (kind == "reminder" and p.target is not None and now >= p.target) \
                    or now - due > GRACE:
                row[0] = "skipped"
            else:
                row[0] = "sent"
                sent[key] = due
        return sent

    def ghost(self, claimed: list[str]) -> None:
        for key in claimed:
            self.rows[key][0] = "claimed"

    def foreign(self, index: int, minutes: int) -> tuple[str, str, datetime] | None:
        """Another writer (a replica on an older schedule, an operator) cancels one unsent
        row (``minutes`` 0) or moves its due time; returns (key, state, due) to write."""
        unsent = sorted(k for k, row in self.rows.items() if row[0] == "pending")
        if not unsent:
            return None
        key = unsent[index % len(unsent)]
        row = self.rows[key]
        if minutes == 0:
            row[0] = "cancelled"
        else:
            row[1] = row[1] + timedelta(minutes=minutes)
        return key, row[0], row[1]


class Recorder:
    def __init__(self, scheme: str, log: list[Outgoing]) -> None:
        self.scheme = scheme
        self._log = log

    def send(self, message: Outgoing) -> Outcome:
        self._log.append(message)
        return Outcome.sent()

    def close(self) -> None:
        pass


class Side:
    """One backend's ledger and engine, driven exactly as the other."""

    def __init__(self, ledger: Ledger, renderer: Renderer) -> None:
        self.ledger = ledger
        self.sent: list[Outgoing] = []
        self.engine = Engine(ledger, events={}, destinations={}, renderer=renderer,
                             channels={"mailto": Recorder("mailto", self.sent),
                                       "console": Recorder("console", self.sent)},
                             settings=SETTINGS)

    def apply(self, event: Event, world: World, now: datetime) -> None:
        self.engine.set_schedules({"prop": event}, {"prop": tuple(world.subscribed)},
                                  {"prop": world.chosen()})
        self.engine.reconcile(now)
        assert not self.engine.failing, self.engine.failing

    def run(self, now: datetime) -> dict[str, datetime]:
        before = len(self.sent)
        self.engine.deliver_due(now)
        keys = [m.key for m in self.sent[before:]]
        assert len(keys) == len(set(keys)), "a message went twice in one run"
        return {m.key: m.due for m in self.sent[before:]}

    def restart(self, renderer: Renderer) -> None:
        """A new process on the same ledger: nothing kept but what the ledger holds."""
        self.engine = Engine(self.ledger, events={}, destinations={}, renderer=renderer,
                             channels=self.engine.channels, settings=SETTINGS)

    def foreign(self, key: str, state: str, due: datetime) -> None:
        d = deliveries.c
        with self.ledger.engine.begin() as conn:
            conn.execute(deliveries.update().where(d.key == key).values(
                state=state, due=due, next_attempt=due, updated_at=due, lease_owner=None,
                lease_until=None, reason="another writer"))

    def states(self) -> dict[str, tuple[str, datetime | None]]:
        return {r.key: (r.state, r.next_attempt if r.state == "pending" else None)
                for r in self.ledger.rows(event_id="prop")}


def _plan(event: Event, world: World, ledger: Ledger, renderer: Renderer) -> dict[str, Planned]:
    destinations = tuple(world.subscribed)
    prefs = world.chosen()
    extra = announcements.stored(ledger.announcement_rows("prop", states=["scheduled"]))
    out = [*desired_deliveries(event, destinations, preferences=prefs),
           *desired_digests(event, prefs, destinations),
           *announce.desired_announcements(event, extra, destinations, renderer=renderer)]
    return {p.key: p for p in out}


def _expected(model: Model) -> dict[str, tuple[str, datetime | None]]:
    return {key: (state, due if state == "pending" else None)
            for key, (state, due, _kind) in model.rows.items()}


@pytest.fixture(scope="module")
def ledgers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Ledger, Ledger]]:
    require_pg()
    folder = tmp_path_factory.mktemp("property")
    lite = Ledger.open(f"sqlite:///{Path(folder) / 'ledger.db'}", owner="prop")
    with fresh_database() as url:
        pg = Ledger.open(url, owner="prop")
        yield lite, pg
        pg.close()
    lite.close()


def _clear(ledger: Ledger) -> None:
    with ledger.engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            conn.execute(sa.delete(table))


_SUBSCRIBE = st.tuples(st.just("subscribe"), st.integers(0, 2), st.just(0))
_PREFS = st.tuples(st.just("prefs"), st.integers(0, 2), st.integers(0, len(PREFS) - 1))
_CANCEL = st.tuples(st.just("cancel"), st.integers(0, 2), st.just(0))
# Toggles (subscribe, cancel, a digest on and off) come often: they revive cancelled rows.
OPS = st.one_of(
    st.tuples(st.just("run"), st.just(0), st.just(0)),
    st.tuples(st.just("move"), st.integers(0, 2), st.integers(-48 * 60, 48 * 60)),
    st.tuples(st.just("add"), st.integers(0, 2), st.integers(0, 4 * 24 * 60)),
    st.tuples(st.just("remove"), st.integers(0, 2), st.just(0)),
    _CANCEL, _CANCEL, _SUBSCRIBE, _SUBSCRIBE, _SUBSCRIBE, _PREFS, _PREFS,
    st.tuples(st.just("file"), st.integers(0, len(FILE_AT) - 1), st.just(0)),
    st.tuples(st.just("announce"), st.integers(0, len(ORG_AT) - 1), st.integers(0, 600)),
    st.tuples(st.just("withdraw"), st.integers(0, 3), st.just(0)),
    # Behind reconcile's back: a row cancelled (0) or re-timed, then the plan unchanged.
    st.tuples(st.just("foreign"), st.integers(0, 20), st.sampled_from([0, 0, -90, 45, 600])),
    st.tuples(st.just("restart"), st.just(0), st.just(0)),
)
# -1: the edit lands exactly on the next due instant (due == now at reconcile).
GAPS = st.one_of(st.just(-1), st.just(-1), st.integers(0, 90), st.integers(90, 6 * 60),
                 st.integers(6 * 60, 24 * 60))
UP = st.one_of(st.none(), st.just(0), st.integers(0, 90))
# ghost: before the edit, another replica claims what is due and dies holding it.
STEPS = st.lists(st.tuples(GAPS, st.integers(0, 999_999), OPS, UP, st.booleans()),
                 min_size=4, max_size=16)
FIRST = st.lists(st.tuples(st.integers(6 * 60, 8 * 24 * 60), st.booleans()), min_size=3,
                 max_size=3)


def _edit(world: World, op: tuple[str, int, int], now: datetime, sides: list[Side]) -> None:
    kind, index, value = op
    date_id = DATE_IDS[index % len(DATE_IDS)]
    if kind == "move" and date_id in world.dates:
        at, cancelled = world.dates[date_id]
        world.dates[date_id] = (at + timedelta(minutes=value), cancelled)
    elif kind == "add" and date_id not in world.dates:
        world.dates[date_id] = (now + timedelta(minutes=value), False)
    elif kind == "remove" and len(world.dates) > 1:
        world.dates.pop(date_id, None)
    elif kind == "cancel" and date_id in world.dates:
        at, cancelled = world.dates[date_id]
        world.dates[date_id] = (at, not cancelled)
    elif kind == "subscribe":
        destination = DESTINATIONS[index]
        if destination in world.subscribed:
            world.subscribed.remove(destination)
        else:
            world.subscribed.append(destination)
    elif kind == "prefs":
        prefs = PREFS[value]
        if prefs is None:
            world.prefs.pop(DESTINATIONS[index], None)
        else:
            world.prefs[DESTINATIONS[index]] = prefs
    elif kind == "file":
        world.file_at = FILE_AT[index]
    elif kind == "announce":
        spec = ORG_AT[index]
        if spec == "exact":  # to the microsecond, in another zone's notation
            moment = (now + timedelta(minutes=value, microseconds=123_457)).astimezone(
                timezone(timedelta(hours=5, minutes=30)))
            spec = moment.isoformat()
        world.org_count += 1
        announcement_id = f"o{world.org_count}"
        world.org[announcement_id] = spec
        for side in sides:
            side.ledger.add_announcement(now, id=announcement_id, event_id="prop",
                                         when_spec=spec, destinations=[],
                                         text=f"Organizers' {announcement_id}.", template="",
                                         actor="prop")
    elif kind == "withdraw" and world.org:
        announcement_id = sorted(world.org)[index % len(world.org)]
        del world.org[announcement_id]
        for side in sides:
            side.ledger.set_announcement_state(announcement_id, "cancelled", now)


@settings(max_examples=int(os.environ.get("PROP_EXAMPLES", "40")), deadline=None,
          derandomize=not os.environ.get("PROP_RANDOM"),
          phases=[Phase.explicit, Phase.reuse, Phase.generate] if os.environ.get("PROP_NOSHRINK")
          else list(Phase),
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(first=FIRST, steps=STEPS)
@example(first=[(600, True), (900, True), (3000, True)],
         steps=[(60, 0, ('run', 0, 0), 0, False),
                (30, 0, ('foreign', 0, 0), 0, False),
                (30, 0, ('foreign', 1, 45), 0, False),
                (30, 0, ('foreign', 2, -90), 0, False),
                (5, 0, ('restart', 0, 0), 0, False),
                (300, 0, ('foreign', 3, 600), None, False),
                (-1, 0, ('restart', 0, 0), 0, False)])
@example(first=[(2718, True), (944, True), (2274, True)],
         steps=[(503, 140907, ('withdraw', 1, 0), 0, False),
                (2160, 0, ('cancel', 0, 0), None, True)])
@example(first=[(688, False), (1298, True), (7199, True)],
         steps=[(1151, 152647, ('withdraw', 3, 0), 0, True),
                (100, 40, ('announce', 1, 59), None, False),
                (1733, 540, ('prefs', 1, 2), 18, True),
                (112, 8080, ('add', 0, 4229), 41, False),
                (492, 5893, ('add', 2, 760), 0, False),
                (59, 135099, ('run', 0, 0), None, False),
                (2028, 4096, ('subscribe', 1, 0), 0, True),
                (588, 352, ('add', 2, 1555), 0, True),
                (391, 737, ('cancel', 0, 0), 0, False),
                (9, 25919, ('prefs', 0, 4), None, True),
                (1747, 763034, ('move', 0, 2879), 0, True),
                (1024, 373, ('file', 4, 0), None, False),
                (728, 185, ('subscribe', 0, 0), 0, False),
                (84, 4708, ('prefs', 2, 3), 0, False),
                (248, 595, ('prefs', 0, 0), 0, False),
                (90, 664080, ('announce', 0, 600), 0, False),
                (1568, 28559, ('run', 0, 0), 0, False),
                (1703, 175330, ('cancel', 0, 0), 41, True)])
def test_both_ledgers_follow_the_model_through_any_edits_and_runs(
        ledgers: tuple[Ledger, Ledger], first: list[tuple[int, bool]],
        steps: list[tuple[int, int, tuple[str, int, int], int | None, bool]]) -> None:
    renderer = Renderer(_TEMPLATES)
    for ledger in ledgers:
        _clear(ledger)
    sides = [Side(ledger, renderer) for ledger in ledgers]
    world = World(dates={d: (START + timedelta(minutes=m), False)
                         for d, (m, keep) in zip(DATE_IDS, first, strict=True)
                         if keep or d == "d0"})
    model = Model()
    now = START

    def reconcile(at: datetime) -> None:
        event = world.schedule()
        model.reconcile(_plan(event, world, sides[0].ledger, renderer), at)
        for side in sides:
            side.apply(event, world, at)
            assert side.states() == _expected(model), f"after reconcile at {at}"

    def run(at: datetime) -> None:
        expected = model.run(at)
        for side in sides:
            got = side.run(at)
            assert got == expected, f"run at {at} ({side.ledger.engine.dialect.name})"
            assert side.states() == _expected(model), f"after the run at {at}"

    reconcile(now)
    for minutes, micro, op, lag, ghost in steps:
        if ghost:  # the bot was down until then: what the ghost claims is due
            lag = None
        wake = model.wake()
        if minutes < 0:
            until = wake if wake is not None and wake > now else now
        else:
            until = now + timedelta(minutes=minutes, microseconds=micro)
        for _ in range(50):  # up: wake at each due time (+ lag) until the next edit
            wake = model.wake()
            if lag is None or wake is None or wake + timedelta(minutes=lag) > until:
                break
            now = max(now, wake + timedelta(minutes=lag))
            run(now)
        now = until
        if ghost:  # another replica claims what is due and dies holding it
            claimed = [r.key for r in sides[0].ledger.claim(now, limit=100, lease=timedelta(0),
                                                             owner="ghost")]
            other = [r.key for r in sides[1].ledger.claim(now, limit=100, lease=timedelta(0),
                                                          owner="ghost")]
            assert sorted(claimed) == sorted(other)
            model.ghost(claimed)
        if op[0] == "foreign":
            change = model.foreign(op[1], op[2])
            for side in sides:
                if change is not None:
                    side.foreign(*change)
        elif op[0] == "restart":
            for side in sides:
                side.restart(renderer)
        _edit(world, op, now, sides)
        reconcile(now)
        run(now)


_TEMPLATES = load_templates()


def test_the_model_itself_sends_a_due_reminder_once() -> None:
    """The reference model is code too: one reminder, planned, due, sent, never again."""
    model = Model()
    due = START + timedelta(hours=1)
    p = Planned(key="k", event_id="prop", date_id="d0", item_id="k", destination="console:",
                due=due, target=due + timedelta(hours=3))
    model.reconcile({"k": p}, START)
    assert model.run(due - timedelta(seconds=1)) == {}
    assert model.run(due) == {"k": due}
    assert model.run(due) == {}
    model.reconcile({}, due)
    assert _expected(model) == {"k": ("sent", None)}
