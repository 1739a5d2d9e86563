"""A background job that keeps failing at 3 am: ``/healthz`` says which, since when and when it
runs again; the log says it once (a crash with its traceback), then one line every ten minutes
at most while the same error goes on, and once more when it runs again.

The jobs run on the stepped scheduler of ``tests/test_clock.py`` (APScheduler reads the wall
clock, moved with time-machine); ``/healthz`` is the report of a real Service over SQLite.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine

from bot.adapters.clock import Waiting
from bot.adapters.http import health_report
from tests import services
from tests.services import deadline_schedule
from tests.test_clock import T0, clock, step, stepped

__all__ = ["clock"]  # the fixture, used by name


def errors(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    found = [r for r in caplog.records if r.name == "duebot" and r.levelno >= logging.ERROR]
    caplog.clear()
    return found


def test_a_job_crashing_for_half_an_hour_is_one_traceback_and_a_line_each_ten_minutes(
        clock: time_machine.Coordinates, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="duebot")
    jobs, calls = stepped(), []

    def flaky() -> None:
        calls.append(1)
        if len(calls) <= 40:
            raise RuntimeError("disk on fire")

    jobs.add("deliver", flaky, timedelta(seconds=30))
    jobs.start()
    step(jobs, clock, 0)
    state = jobs.states()["deliver"]
    assert state.failing_since == T0 and state.next_try == T0 + timedelta(seconds=1)
    (first,) = errors(caplog)
    assert first.exc_info is not None and "crashed" in first.getMessage()
    for _ in range(36):  # restarted after 1 s, 2 s, ... then every minute: half an hour
        step(jobs, clock, 60)
    assert len(calls) >= 30
    repeats = errors(caplog)
    assert 2 <= len(repeats) <= 4, [r.getMessage() for r in repeats]  # every ten minutes
    assert not any(r.exc_info for r in repeats)  # the traceback was given once
    assert repeats[0].getMessage().startswith(
        "background job 'deliver' still failing since 2030-03-01 12:00:00Z ("), repeats[0]
    state = jobs.states()["deliver"]
    assert state.failing_since == T0 and not state.up
    for _ in range(10):
        step(jobs, clock, 60)
    state = jobs.states()["deliver"]
    assert state.up and state.failing_since is None and state.next_try is None
    back = [r.getMessage() for r in caplog.records if "running again" in r.getMessage()]
    assert back == ["background job 'deliver' is running again (down since 2030-03-01 "
                    "12:00:00Z, 40 failed run(s))"], back


def test_a_new_error_is_logged_at_once(clock: time_machine.Coordinates,
                                       caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="duebot")
    jobs, words = stepped(), ["database unreachable: connection refused"]

    def deliver() -> None:
        raise Waiting(words[0])

    jobs.add("deliver", deliver, timedelta(seconds=30))
    jobs.start()
    step(jobs, clock, 0)
    step(jobs, clock, 1)
    step(jobs, clock, 2)
    assert len(errors(caplog)) == 1
    words[0] = "database unreachable: the database system is shutting down"
    step(jobs, clock, 4)
    (changed,) = errors(caplog)
    assert "shutting down" in changed.getMessage() and changed.exc_info is None


def test_healthz_names_the_failing_job_since_when_and_its_next_try(
        tmp_path: Path, clock: time_machine.Coordinates) -> None:
    service = services.make_service(tmp_path, deadline_schedule("2030-03-20 12:00"),
                                    ["console:"], lambda: T0)
    service.jobs = stepped()

    def broken() -> None:
        raise KeyError("no such reminder shape")

    service.jobs.add("deliver", broken, timedelta(seconds=30))
    service.jobs.start()
    step(service.jobs, clock, 0)
    step(service.jobs, clock, 1)
    report = health_report(service, "ok", None)
    assert report["status"] == "down"
    job = report["jobs"]["deliver"]
    assert (job["up"], job["crashes"]) == (False, 2)
    assert job["failing_since"] == "2030-03-01T12:00:00Z"
    assert job["next_try"] == "2030-03-01T12:00:03Z"  # 2 s after its second crash
    (line,) = report["summary"]
    assert line.startswith("background job 'deliver' failing since 2030-03-01T12:00:00Z, 2 "
                           "crash(es) since start: KeyError: 'no such reminder shape'. duebot "
                           "runs it again at 2030-03-01T12:00:03Z"), line
    assert "report it with the traceback" in line
    service.ledger.close()


def test_healthz_says_a_job_whose_run_never_ends_is_stuck(
        tmp_path: Path, clock: time_machine.Coordinates) -> None:
    """A run held by a wait no deadline cuts: the job is "up" (its last run was fine) but
    nothing new of it starts. /healthz says so instead of ok."""
    service = services.make_service(tmp_path, deadline_schedule("2030-03-20 12:00"),
                                    ["console:"], lambda: T0)
    service.jobs = stepped()
    release = threading.Event()
    service.jobs.add("deliver", lambda: release.wait(30) and None, timedelta(seconds=30))
    service.jobs.start()
    runner = threading.Thread(target=step, args=(service.jobs, clock, 0), daemon=True)
    runner.start()
    try:
        waited = time.monotonic()
        while service.jobs.states()["deliver"].started is None:
            assert time.monotonic() - waited < 10, "the job never started"
            time.sleep(0.01)
        assert health_report(service, "ok", None)["status"] == "ok"  # running a moment: fine
        later = health_report(service, "ok", None, monotonic=lambda: time.monotonic() + 3600)
        assert later["status"] == "degraded" and later["jobs"]["deliver"]["stuck"], later
        (line,) = later["summary"]
        assert line.startswith("background job 'deliver' has been running for 60 minutes: "
                               "something it waits on does not answer"), line
    finally:
        release.set()
        runner.join(10)
    assert health_report(service, "ok", None)["summary"] == []
    service.ledger.close()
