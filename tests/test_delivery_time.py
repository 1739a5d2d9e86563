"""Delivery under moving time: DST, clock jumps, schedules edited while running, late dates.

Time is an injected clock (``Service(clock=...)``), never a sleep: the loop thread reads a
list the test moves. The mail goes to the real SMTP test server on loopback, the ledger is a
real SQLite file (and, at the end, a fresh PostgreSQL database).
"""

from __future__ import annotations

import os
import re
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from aiosmtpd.smtp import SMTP, Envelope, Session

from bot.adapters.smtp import message_id
from bot.adapters.store.ledger import Ledger
from bot.config import DeliveryConfig
from bot.ports import delivery_key
from bot.service import Service
from tests import services
from tests.smtp_server import SmtpTestServer, _Handler

MAIL = "mailto:participants@example.org"


def schedule(*dates: tuple[str, str, str], zone: str = "America/Los_Angeles",
             leads: str = '["7d", "1d", "3h"]', extra: str = "") -> str:
    """A schedule with the given (id, kind, at) dates; ``extra`` goes into [reminders]."""
    body = "\n".join(f'[[dates]]\nid = "{i}"\ntitle = "{i.title()} date"\nkind = "{k}"\n'
                     f'at = "{at}"\n' for i, k, at in dates)
    return f"""
[event]
id = "demo"
name = "Demo Workshop"
zone = "{zone}"

[reminders]
deadline = {leads}
camera-ready = {leads}
{extra}

{body}
"""


class Clock:
    """The service's clock: the test moves it; the loop thread reads it."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def make_service(tmp_path: Path, text: str, clock: Clock, *,
                 smtp: SmtpTestServer | None = None, destinations: tuple[str, ...] = (MAIL,),
                 database_url: str | None = None, **delivery: object) -> Service:
    return services.make_service(
        tmp_path, text, destinations, clock, smtp=smtp, smtp_timeout=10,
        connections=1,  # one session, as a test counts them ([smtp]'s default is 16)
        delivery=DeliveryConfig(**delivery),  # type: ignore[arg-type]
        database_url=database_url, owner=f"test-{uuid.uuid4().hex[:6]}")


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 10) -> None:
    limit = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > limit:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


def edit(path: Path, text: str) -> None:
    """Rewrite a schedule and move its mtime on, as an editor saving it a moment later does."""
    stamp = path.stat().st_mtime + 5
    path.write_text(text, encoding="utf-8")
    os.utime(path, (stamp, stamp))


def body(server: SmtpTestServer, index: int = -1) -> str:
    part = server.messages[index].message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def by_item(service: Service, *states: str) -> dict[str, datetime]:
    return {r.item_id: r.due for r in service.ledger.rows(states=list(states))}


# -- DST --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("at", "due", "local"), [
    # spring forward (2030-03-10 02:00 PST -> 03:00 PDT): "the day before, same time" is 23 h
    ("2030-03-10 23:59", datetime(2030, 3, 10, 7, 59, tzinfo=UTC), "23:59 PDT"),
    # fall back (2030-11-03 02:00 PDT -> 01:00 PST): 25 h
    ("2030-11-03 23:59", datetime(2030, 11, 3, 6, 59, tzinfo=UTC), "23:59 PST"),
], ids=["spring-forward", "fall-back"])
def test_one_day_lead_across_dst_keeps_the_wall_clock_time(
        tmp_path: Path, smtp: SmtpTestServer, at: str, due: datetime, local: str) -> None:
    clock = Clock(due - timedelta(days=3))
    service = make_service(tmp_path, schedule(("paper", "deadline", at), leads='["1d"]'),
                           clock, smtp=smtp)
    service.reconcile(clock.now)
    assert by_item(service, "pending") == {"demo/paper/1d": due}
    clock.now = due - timedelta(seconds=1)
    assert service.deliver_once(clock.now).sent == 0  # an hour-off bug would send here ...
    clock.now = due + timedelta(seconds=1)
    assert service.deliver_once(clock.now).sent == 1  # ... or not yet here
    text = body(smtp)
    assert local in text and "This reminder was due" not in text
    assert smtp.messages[0].message["Date"].datetime == clock.now.replace(microsecond=0)


def test_hour_lead_across_spring_forward_is_elapsed_time(tmp_path: Path,
                                                        smtp: SmtpTestServer) -> None:
    # 04:00 PDT on 2030-03-10 is 11:00 UTC; three real hours earlier is 08:00 UTC (00:00 PST)
    clock = Clock(datetime(2030, 3, 9, tzinfo=UTC))
    service = make_service(tmp_path, schedule(("paper", "deadline", "2030-03-10 04:00"),
                                              leads='["3h"]'), clock, smtp=smtp)
    service.reconcile(clock.now)
    assert by_item(service, "pending") == {"demo/paper/3h": datetime(2030, 3, 10, 8, 0,
                                                                     tzinfo=UTC)}


# -- the clock jumps --------------------------------------------------------------------------

PAPER = ("paper", "deadline", "2030-03-20 23:59")  # 2030-03-21 06:59 UTC
DUE_7D = datetime(2030, 3, 14, 6, 59, tzinfo=UTC)
DUE_1D = datetime(2030, 3, 20, 6, 59, tzinfo=UTC)
DUE_3H = datetime(2030, 3, 21, 3, 59, tzinfo=UTC)
START = datetime(2030, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def running(tmp_path: Path, smtp: SmtpTestServer) -> Iterator[tuple[Service, Clock]]:
    """The service loop in its thread, polling every 20 ms, on a clock the test moves."""
    clock = Clock(START)
    service = make_service(tmp_path, schedule(PAPER), clock, smtp=smtp,
                           poll=timedelta(milliseconds=20))
    service.start()
    try:
        wait_for(lambda: service.health.last_reconcile is not None, "the first reconcile")
        yield service, clock
    finally:
        service.stop()
        service.ledger.close()


def move(service: Service, clock: Clock, to: datetime) -> None:
    """Move the clock, wake the loop, and wait until it has run at the new time."""
    clock.now = to
    service.wake()
    wait_for(lambda: service.health.last_delivery_run == to, f"a delivery run at {to}")


def test_clock_jump_beyond_grace_skips_and_records_instead_of_sending(
        running: tuple[Service, Clock], smtp: SmtpTestServer) -> None:
    service, clock = running
    move(service, clock, DUE_7D + timedelta(hours=5))  # e.g. a laptop waking from sleep
    assert smtp.messages == []
    [row] = service.ledger.rows(states=["skipped"])
    assert row.item_id == "demo/paper/7d"
    assert "5h00m late, beyond the grace window of 60m" in row.reason
    assert by_item(service, "pending").keys() == {"demo/paper/1d", "demo/paper/3h"}


def test_clock_jump_within_grace_sends_late_with_a_note(
        running: tuple[Service, Clock], smtp: SmtpTestServer) -> None:
    service, clock = running
    move(service, clock, DUE_7D + timedelta(minutes=30))
    assert len(smtp.messages) == 1
    assert "This reminder was due at" in body(smtp)


def test_clock_going_back_after_sending_sends_nothing_again(
        running: tuple[Service, Clock], smtp: SmtpTestServer) -> None:
    service, clock = running
    move(service, clock, DUE_7D + timedelta(seconds=1))
    assert len(smtp.messages) == 1
    move(service, clock, DUE_7D + timedelta(seconds=1) - timedelta(hours=1))  # an hour back
    move(service, clock, DUE_7D + timedelta(seconds=2))  # and forward past the due time again
    move(service, clock, DUE_7D + timedelta(minutes=10))
    assert len(smtp.messages) == 1
    [sent] = service.ledger.rows(states=["sent"])
    assert sent.item_id == "demo/paper/7d" and sent.sent_at == DUE_7D + timedelta(seconds=1)
    assert by_item(service, "pending") == {"demo/paper/1d": DUE_1D, "demo/paper/3h": DUE_3H}


def test_schedule_edited_while_running_is_retimed_by_the_loop(
        tmp_path: Path, running: tuple[Service, Clock], smtp: SmtpTestServer) -> None:
    service, clock = running
    move(service, clock, DUE_7D + timedelta(seconds=1))
    assert len(smtp.messages) == 1
    edit(tmp_path / "demo.toml", schedule(("paper", "deadline", "2030-03-27 23:59")))
    week = timedelta(days=7)
    wait_for(lambda: by_item(service, "pending") == {"demo/paper/1d": DUE_1D + week,
                                                     "demo/paper/3h": DUE_3H + week},
             "the loop to re-time the unsent reminders")
    assert by_item(service, "sent") == {"demo/paper/7d": DUE_7D}  # sent stays sent
    move(service, clock, DUE_1D + timedelta(seconds=1))  # the old time: nothing
    assert len(smtp.messages) == 1
    move(service, clock, DUE_1D + week + timedelta(seconds=1))  # the new time: once
    assert len(smtp.messages) == 2
    assert "Wednesday 27 March 2030, 23:59 PDT" in body(smtp)


def test_broken_edit_keeps_the_last_good_schedule_while_running(
        tmp_path: Path, running: tuple[Service, Clock], smtp: SmtpTestServer) -> None:
    service, clock = running
    edit(tmp_path / "demo.toml", schedule(PAPER).replace('kind = "deadline"', 'kind = "dedline"'))
    wait_for(lambda: bool(service.health.schedule_errors), "the loop to notice the bad edit")
    move(service, clock, DUE_7D + timedelta(seconds=1))
    assert len(smtp.messages) == 1  # still sending from the last good version


# -- dates added late, moved into the past, and the skip policy -------------------------------

def test_date_added_after_its_reminder_times_never_fires_a_surprise(
        tmp_path: Path, smtp: SmtpTestServer) -> None:
    clock = Clock(START)
    service = make_service(tmp_path, schedule(PAPER), clock, smtp=smtp)
    service.reconcile(clock.now)
    # On 18 March the organizers add a camera-ready date of 22 March: its 7d reminder (15
    # March) is already past and must never go; its 1d reminder is still ahead.
    clock.now = datetime(2030, 3, 18, 12, 0, tzinfo=UTC)
    edit(tmp_path / "demo.toml",
         schedule(PAPER, ("camera", "camera-ready", "2030-03-22 12:00")))
    service.refresh(clock.now)
    [late] = [r for r in service.ledger.rows(states=["skipped"])]
    assert late.item_id == "demo/camera/7d"
    assert "planned after its due time" in late.reason
    assert service.deliver_once(clock.now).sent == 0
    assert smtp.messages == []
    assert "demo/camera/1d" in by_item(service, "pending")
    history = service.ledger.history(late.key)
    assert [(h["from_state"], h["to_state"]) for h in history] == [("", "skipped")]


def test_date_moved_earlier_into_the_past_skips_its_reminder_with_a_reason(
        tmp_path: Path, smtp: SmtpTestServer) -> None:
    clock = Clock(START)
    service = make_service(tmp_path, schedule(PAPER), clock, smtp=smtp)
    service.reconcile(clock.now)
    clock.now = datetime(2030, 3, 10, 12, 0, tzinfo=UTC)
    # The deadline moves from 20 to 15 March: its 7d reminder (8 March) is now in the past.
    edit(tmp_path / "demo.toml", schedule(("paper", "deadline", "2030-03-15 23:59")))
    service.refresh(clock.now)
    [row] = service.ledger.rows(states=["skipped"])
    assert row.item_id == "demo/paper/7d"
    assert row.reason == "re-timed to 2030-03-09 07:59 UTC, which had already passed: not sent"
    assert service.deliver_once(clock.now).sent == 0 and smtp.messages == []
    assert by_item(service, "pending") == {
        "demo/paper/1d": datetime(2030, 3, 15, 6, 59, tzinfo=UTC),
        "demo/paper/3h": datetime(2030, 3, 16, 3, 59, tzinfo=UTC)}


def test_missed_policy_skip_applies_to_its_kind_only(tmp_path: Path,
                                                    smtp: SmtpTestServer) -> None:
    clock = Clock(START)
    text = schedule(PAPER, ("camera", "camera-ready", "2030-03-20 23:59"),
                    extra='missed = { deadline = "skip" }')
    service = make_service(tmp_path, text, clock, smtp=smtp)
    service.reconcile(clock.now)
    clock.now = DUE_7D + timedelta(minutes=20)  # down when both 7d reminders were due
    report = service.deliver_once(clock.now)
    assert (report.sent, report.skipped) == (1, 1)
    skipped = {r.item_id: r.reason for r in service.ledger.rows(states=["skipped"])}
    assert skipped.keys() == {"demo/paper/7d"}
    assert "the policy for deadline dates is to skip" in skipped["demo/paper/7d"]
    [mail] = smtp.messages
    assert "Camera date" in str(mail.message["Subject"])
    assert "This reminder was due at" in body(smtp)  # camera-ready: "late", with a note


# -- many deliveries --------------------------------------------------------------------------

class _Counting(_Handler):
    """Accepts every message and keeps only its Message-ID: 10,000 parses would dominate."""

    PATTERN = re.compile(rb"^Message-ID: (<[^>]+>)", re.MULTILINE | re.IGNORECASE)

    def __init__(self, owner: SmtpTestServer) -> None:
        super().__init__(owner)
        self.ids: list[str] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content
        found = self.PATTERN.search(content if isinstance(content, bytes) else b"")
        with self.lock:
            self.ids.append(found.group(1).decode() if found else "")
        return "250 2.0.0 Ok"


@pytest.mark.slow
def test_ten_thousand_deliveries_each_sent_exactly_once(tmp_path: Path) -> None:
    n = 10_000
    people = tuple(f"mailto:person{i:05d}@example.org" for i in range(n))
    server = SmtpTestServer()
    handler = _Counting(server)
    server._controller.handler = handler
    server.start()
    try:
        clock = Clock(START)
        service = make_service(tmp_path, schedule(PAPER, leads='["7d"]'), clock, smtp=server,
                               destinations=people, batch_size=500)
        service.reconcile(clock.now)
        clock.now = DUE_7D + timedelta(seconds=1)
        report = service.deliver_once(clock.now)
        assert report.sent == n and report.handled == n
        assert service.deliver_once(clock.now + timedelta(minutes=1)).sent == 0
    finally:
        server.stop()
    assert len(handler.ids) == n
    counts = Counter(handler.ids)
    assert len(counts) == n and max(counts.values()) == 1
    wanted = {message_id(delivery_key("demo/paper/7d", p), "example.org") for p in people}
    assert set(counts) == wanted
    assert service.ledger.counts() == {"sent": n}
    # One SMTP session carries the whole run.
    assert server.connections == 1


# -- the same flow on PostgreSQL --------------------------------------------------------------

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    name = f"duebot_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT",
                                 connect_args={"connect_timeout": 3})
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        pytest.skip(f"PostgreSQL at 127.0.0.1:5432 (user postgres, db test) is unreachable: "
                    f"{exc.orig}")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_core_flow_on_postgresql(tmp_path: Path, smtp: SmtpTestServer,
                                 postgres_url: str) -> None:
    clock = Clock(START)
    service = make_service(tmp_path, schedule(PAPER), clock, smtp=smtp,
                           destinations=(MAIL, "console:"), database_url=postgres_url)
    try:
        assert service.ledger.postgres
        service.reconcile(clock.now)
        service.reconcile(clock.now)  # planning twice adds nothing
        assert service.ledger.counts() == {"pending": 6}
        clock.now = DUE_7D + timedelta(seconds=1)
        assert service.deliver_once(clock.now).sent == 2
        assert service.deliver_once(clock.now).sent == 0
        # a restart (another process on the same database) sends nothing again
        again = make_service(tmp_path, schedule(PAPER), clock, smtp=smtp,
                             destinations=(MAIL, "console:"), database_url=postgres_url)
        again.reconcile(clock.now)
        assert again.deliver_once(clock.now).sent == 0
        again.ledger.close()
        # an extension re-times what is unsent; sent stays sent
        edit(tmp_path / "demo.toml", schedule(("paper", "deadline", "2030-03-27 23:59")))
        service.refresh(clock.now)
        assert by_item(service, "pending")["demo/paper/1d"] == DUE_1D + timedelta(days=7)
        assert len(smtp.messages) == 1
        # two replicas claiming at once never get the same row
        a = Ledger.open(postgres_url, owner="a")
        b = Ledger.open(postgres_url, owner="b")
        late = DUE_3H + timedelta(days=7)
        first = a.claim(late, limit=2, lease=timedelta(seconds=60))
        second = b.claim(late, limit=10, lease=timedelta(seconds=60))
        assert {r.key for r in first}.isdisjoint({r.key for r in second})
        assert len(first) + len(second) == 4
        a.close()
        b.close()
    finally:
        service.ledger.close()
