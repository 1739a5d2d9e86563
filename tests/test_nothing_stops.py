"""Nothing silently stops (issue 15, item 2): bad live edits, one broken schedule, crashed jobs.

Real parts: the Service with its background jobs on a real SQLite file, the real SMTP test
server on loopback, and real HTTP to ``/healthz`` and ``/metrics`` (uvicorn in a thread).
Time is the injected clock the test moves; ``service.wake()`` runs the delivery job now.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from bot.adapters.console import ConsoleChannel
from bot.adapters.http import build_app
from bot.adapters.smtp import SmtpChannel, SmtpSettings
from bot.adapters.store.ledger import Planned
from bot.config import Config, DeliveryConfig, ScheduleConfig, StorageConfig
from bot.ports import Channel, Outcome, Outgoing
from bot.service import Service
from tests import services
from tests.slack_stub import serving
from tests.smtp_server import SmtpTestServer, running_smtp
from tests.test_delivery_time import Clock, edit, make_service, schedule, wait_for

START = datetime(2030, 3, 1, 12, 0, tzinfo=UTC)
PAPER = ("paper", "deadline", "2030-03-20 23:59")  # 2030-03-21 06:59 UTC
DUE_7D = datetime(2030, 3, 14, 6, 59, tzinfo=UTC)
MAIL_A = "mailto:a-list@example.org"
MAIL_B = "mailto:b-list@example.org"
# Accepted by the reader's grammar, but the day after 9999-12-31 does not exist.
BROKEN_AT = ("far", "deadline", "9999-12-31 24:00")


def named(text: str, event_id: str) -> str:
    return text.replace('id = "demo"', f'id = "{event_id}"', 1)


@dataclass
class Rig:
    service: Service
    clock: Clock
    smtp: SmtpTestServer
    url: str
    paths: dict[str, Path]

    def http(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=10)

    def health(self) -> tuple[int, dict[str, object]]:
        with self.http() as client:
            answer = client.get("/healthz")
        return answer.status_code, json.loads(answer.text)

    def metrics(self) -> str:
        with self.http() as client:
            return client.get("/metrics").text

    def move(self, to: datetime) -> None:
        """Move the clock, wake the delivery job, and wait until it has run at the new time."""
        self.clock.now = to
        self.service.wake()
        wait_for(lambda: (self.service.health.last_delivery_run or START) >= to,
                 f"a delivery run at {to}")

    def sent_to(self, address: str) -> int:
        return sum(address.removeprefix("mailto:") in m.rcpt_tos for m in self.smtp.messages)


def build(tmp: Path, smtp: SmtpTestServer, texts: dict[str, str], *,
          channels: dict[str, Channel] | None = None) -> tuple[Service, Clock]:
    """A Service over the given schedules (event id -> text), each mailing its own list."""
    paths = {}
    for event_id, text in texts.items():
        paths[event_id] = tmp / f"{event_id}.toml"
        paths[event_id].write_text(text, encoding="utf-8")
    config = Config(
        storage=StorageConfig(database_url=f"sqlite:///{tmp / 'ledger.db'}"),
        delivery=DeliveryConfig(poll=timedelta(hours=1)),  # only wake() runs it early
        schedules=tuple(ScheduleConfig(path=p, reminders_to=(
            f"mailto:{event_id}-list@example.org",)) for event_id, p in paths.items()))
    clock = Clock(START)
    own: dict[str, Channel] = {
        "console": ConsoleChannel(io.StringIO()),
        "mailto": services.mail_channel(smtp, clock, timeout=10)}
    own.update(channels or {})
    service = Service(config, clock=clock, channels=own, owner=f"test-{uuid.uuid4().hex[:6]}")
    return service, clock


@contextlib.contextmanager
def serve(built: tuple[Service, Clock], smtp: SmtpTestServer, *, start: bool = True
          ) -> Iterator[Rig]:
    """Serve the HTTP side in a thread; with ``start``, reconcile and start the jobs too."""
    service, clock = built
    try:
        with serving(build_app(service)) as url:
            rig = Rig(service, clock, smtp, url, {s.event.id: p for p, s in
                                                  service.schedules.items()
                                                  if s.event is not None})
            if start:
                service.reconcile(clock.now)
                service.start()
                wait_for(lambda: service.health.last_delivery_run is not None, "a first run")
            yield rig
    finally:
        service.stop()
        service.ledger.close()


@pytest.fixture
def two(tmp_path: Path, smtp: SmtpTestServer) -> Iterator[Rig]:
    """Schedules ``a`` and ``b``, each with a paper deadline and reminders 7d/1d/3h before."""
    built = build(tmp_path, smtp, {"a": named(schedule(PAPER), "a"),
                                     "b": named(schedule(PAPER), "b")})
    with serve(built, smtp) as rig:
        yield rig


def errors_of(report: dict[str, object], event_path: Path) -> list[str]:
    for entry in report["schedules"]:  # type: ignore[attr-defined]
        if entry["path"].endswith(event_path.name):
            return list(entry["errors"])
    raise AssertionError(f"{event_path.name} not in /healthz")


# -- a bad live edit --------------------------------------------------------------------------

def test_a_live_edit_that_crashes_the_reader_keeps_the_last_good_version_serving_and_says_so(
        two: Rig, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="duebot")
    path = two.paths["a"]
    edit(path, named(schedule(PAPER, BROKEN_AT), "a"))
    two.service.wake()
    wait_for(lambda: bool(errors_of(two.health()[1], path)), "the edit's error on /healthz")
    status, report = two.health()
    assert status == 200 and report["status"] == "degraded"  # still serving: not a restart case
    [entry] = [s for s in report["schedules"] if s["event"] == "a"]  # type: ignore[attr-defined]
    assert entry["serving_last_good"] is True
    assert "a.toml" in entry["errors"][0]  # FILE: what is wrong
    assert any("a.toml" in r.getMessage() and "last good" in r.getMessage()
               for r in caplog.records)

    two.move(DUE_7D + timedelta(seconds=1))  # both schedules' 7-day reminders still go
    assert two.sent_to(MAIL_A) == 1 and two.sent_to(MAIL_B) == 1

    fixed = ("poster", "deadline", "2030-04-20 23:59")
    edit(path, named(schedule(PAPER, fixed), "a"))  # fixing the file takes effect
    two.service.wake()
    wait_for(lambda: not errors_of(two.health()[1], path), "the error to clear")
    wait_for(lambda: any(r.item_id == "a/poster/7d" for r in two.service.ledger.rows()),
             "the fixed version's new date in the ledger")
    assert two.health()[1]["status"] == "ok"


def test_an_http_request_that_sees_a_broken_edit_first_answers_and_keeps_showing_it(
        tmp_path: Path, smtp: SmtpTestServer) -> None:
    built = build(tmp_path, smtp, {"a": named(schedule(PAPER), "a")})
    with serve(built, smtp, start=False) as rig:  # no delivery job: HTTP is first
        edit(rig.paths["a"], named(schedule(PAPER, BROKEN_AT), "a"))
        status, report = rig.health()
        assert status == 200, report
        assert errors_of(report, rig.paths["a"])
        time.sleep(1.1)  # past the HTTP side's one-second recheck: the error is still shown
        assert errors_of(rig.health()[1], rig.paths["a"])
        with rig.http() as client:
            assert client.get("/e/a.ics").status_code == 200  # the last good version's feed


def test_a_restart_with_a_broken_schedule_serves_the_others_and_reports_it(
        tmp_path: Path, smtp: SmtpTestServer) -> None:
    built = build(tmp_path, smtp, {"a": named(schedule(PAPER, BROKEN_AT), "a"),
                                     "b": named(schedule(PAPER), "b")})
    with serve(built, smtp) as rig:
        status, report = rig.health()
        assert status == 503 and report["status"] == "down"  # a schedule has no version at all
        assert "a.toml" in errors_of(report, tmp_path / "a.toml")[0]
        rig.move(DUE_7D + timedelta(seconds=1))
        assert rig.sent_to(MAIL_B) == 1 and rig.sent_to(MAIL_A) == 0


# -- one schedule's failure is its own ---------------------------------------------------------

def test_a_version_that_crashes_planning_or_the_feed_is_refused_and_the_other_schedule_goes(
        tmp_path: Path, smtp: SmtpTestServer) -> None:
    # Both read fine but crashed later: a lead time past year 1, a URL with a line break.
    weeks = named(schedule(PAPER, leads='["1000000w"]'), "a")
    url = named(schedule(PAPER), "c").replace(
        'name = "Demo Workshop"', 'name = "Demo Workshop"\nurl = "https://a.example/x\\nBcc: y"')
    built = build(tmp_path, smtp, {"a": weeks, "b": named(schedule(PAPER), "b"), "c": url})
    with serve(built, smtp) as rig:
        report = rig.health()[1]
        assert errors_of(report, tmp_path / "a.toml") and errors_of(report, tmp_path / "c.toml")
        rig.move(DUE_7D + timedelta(seconds=1))
        assert rig.sent_to(MAIL_B) == 1
        assert rig.service.ledger.rows(states=["claimed"]) == []


class Exploding:
    """A channel with a bug for one destination: it raises instead of returning an Outcome."""

    scheme = "mailto"  # the Channel port names its scheme (the engine names its senders by it)

    def __init__(self, inner: Channel, bad: str) -> None:
        self.inner, self.bad = inner, bad

    def send(self, outgoing: Outgoing) -> Outcome:
        if outgoing.destination == self.bad:
            raise RuntimeError("adapter bug")
        return self.inner.send(outgoing)

    def close(self) -> None:
        self.inner.close()


def test_a_delivery_that_crashes_is_recorded_and_the_rest_of_the_batch_and_replies_go(
        tmp_path: Path, smtp: SmtpTestServer) -> None:
    inner = SmtpChannel(SmtpSettings(host=smtp.host, port=smtp.port,
                                     sender="Demo <noreply@example.org>", timeout=10))
    built = build(tmp_path, smtp, {"a": named(schedule(PAPER), "a"),
                                     "b": named(schedule(PAPER), "b")},
                    channels={"mailto": Exploding(inner, MAIL_A)})
    with serve(built, smtp) as rig:
        reply = ("From: a@example.org\r\nTo: asker@example.org\r\nSubject: Re: dates\r\n"
                 "Message-ID: <r1@example.org>\r\n\r\nThe deadline is 20 March.\r\n")
        rig.service.ledger.enqueue(Planned(
            key="reply|r1|mailto:asker@example.org", event_id="a", date_id="",
            item_id="reply:dates", destination="mailto:asker@example.org",
            due=DUE_7D, kind="reply",
            payload=json.dumps({"message": reply, "envelope_from": ""})), rig.clock.now)
        rig.move(DUE_7D + timedelta(seconds=1))
        assert rig.sent_to(MAIL_B) == 1 and rig.sent_to("asker@example.org") == 1
        [crashed] = rig.service.ledger.rows(states=["failed"])
        assert crashed.destination == MAIL_A and "RuntimeError: adapter bug" in crashed.reason
        assert rig.service.ledger.rows(states=["claimed"]) == []


# -- background jobs cannot die silently ---------------------------------------------------------

def test_a_crashed_delivery_job_is_restarted_counted_and_healthz_is_503_meanwhile(
        two: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    failing = [True]
    original = two.service.ledger.skip_unapproved

    def skip_unapproved(now: datetime, grace: timedelta) -> int:
        if failing[0]:
            raise RuntimeError("disk on fire")  # not a database outage: our bug, say
        return original(now, grace)

    monkeypatch.setattr(two.service.ledger, "skip_unapproved", skip_unapproved)
    two.clock.now = DUE_7D + timedelta(seconds=1)
    two.service.wake()
    wait_for(lambda: two.health()[0] == 503, "/healthz to turn 503")
    report = two.health()[1]
    assert report["status"] == "down"
    jobs: dict[str, dict[str, object]] = report["jobs"]  # type: ignore[assignment]
    assert jobs["deliver"]["up"] is False and "disk on fire" in str(jobs["deliver"]["error"])
    assert jobs["schedules"]["up"] is True
    text = two.metrics()
    crashes = re.search(r'^duebot_job_crashes_total\{job="deliver"\} (\d+)\.0$', text, re.M)
    assert crashes is not None and int(crashes[1]) >= 1  # restarted after 1 s, 2 s ...
    assert 'duebot_job_up{job="deliver"} 0.0' in text
    assert 'duebot_job_up{job="schedules"} 1.0' in text
    assert two.sent_to(MAIL_A) == 0

    failing[0] = False  # the fault clears: the restarted job sends what is due
    two.service.wake()
    wait_for(lambda: two.sent_to(MAIL_A) == 1 and two.sent_to(MAIL_B) == 1, "the reminders")
    wait_for(lambda: two.health()[0] == 200, "/healthz to recover")
    assert 'duebot_job_up{job="deliver"} 1.0' in two.metrics()


# -- the leases job ------------------------------------------------------------------------------

@pytest.mark.slow
def test_rows_queued_behind_slow_sends_keep_their_lease_and_all_go_in_one_run(
        tmp_path: Path) -> None:
    # Six deliveries, a 2 s lease, a mail server taking 0.6 s a message: the last rows of the
    # batch wait longer than the lease. Without the leases job they lapsed, were claimed again
    # and counted a second attempt (issue 15, item 1); now the batch keeps them.
    people = tuple(f"mailto:p{n}@example.org" for n in range(6))
    with running_smtp(delay=0.6) as smtp:
        clock = Clock(START)
        service = make_service(tmp_path, schedule(PAPER, leads='["7d"]'), clock, smtp=smtp,
                               destinations=people, lease=timedelta(seconds=2),
                               poll=timedelta(hours=1))
        service.reconcile(START)
        service.start()
        try:
            wait_for(lambda: service.health.last_delivery_run is not None, "a first run")
            clock.now = DUE_7D + timedelta(seconds=1)
            service.wake()
            wait_for(lambda: len(smtp.messages) == 6, "all six", timeout=20)
            wait_for(lambda: len(service.ledger.rows(states=["sent"])) == 6, "six recorded")
            assert {r.attempts for r in service.ledger.rows(states=["sent"])} == {1}
            assert sorted(m.rcpt_tos for m in smtp.messages) == [
                (p.removeprefix("mailto:"),) for p in people]  # each once
        finally:
            service.stop()
            service.ledger.close()
