"""The service's clock (``bot.adapters.clock``) and the one retry policy (``bot.adapters.retry``).

APScheduler reads the wall clock itself (no clock injection), so the clock is frozen and moved
with time-machine, and the scheduler is a ``BaseScheduler`` whose jobs run inline
once the test's ``_process_jobs()`` has returned, as a pool thread would run them: what the
background thread does, one step at a time. One test uses the real ``BackgroundScheduler``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from apscheduler.executors.base import BaseExecutor, run_job
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.base import BaseScheduler

from bot.adapters.clock import JOB_DEFAULTS, Jobs, Waiting
from bot.adapters.retry import Backoff

T0 = datetime(2030, 3, 1, 12, 0, tzinfo=UTC)


class StepExecutor(BaseExecutor):  # type: ignore[misc]
    """Runs submitted jobs when the test says, after the scheduler has updated its store (as
    with a pool thread, and unlike ``DebugExecutor``, which runs them inside the submit)."""

    def __init__(self) -> None:
        super().__init__()
        self.queue: list[tuple[object, list[datetime]]] = []

    def _do_submit_job(self, job: object, run_times: list[datetime]) -> None:
        self.queue.append((job, run_times))

    def drain(self) -> None:
        while self.queue:
            job, run_times = self.queue.pop(0)
            events = run_job(job, job._jobstore_alias, run_times,  # type: ignore[attr-defined]
                             self._logger.name)
            self._run_job_success(job.id, events)  # type: ignore[attr-defined]


class StepScheduler(BaseScheduler):  # type: ignore[misc]
    """No thread: the test steps it with ``_process_jobs()``."""

    def wakeup(self) -> None:
        pass

    def shutdown(self, wait: bool = True) -> None:
        super().shutdown(wait)


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def stepped() -> Jobs:
    return Jobs(scheduler=StepScheduler(jobstores={"default": MemoryJobStore()},
                                        executors={"default": StepExecutor()},
                                        job_defaults=JOB_DEFAULTS, timezone=UTC))


def step(jobs: Jobs, clock: time_machine.Coordinates, seconds: float) -> None:
    clock.shift(timedelta(seconds=seconds))
    jobs.scheduler._process_jobs()
    jobs.scheduler._lookup_executor("default").drain()


def test_a_job_runs_at_once_then_every_interval_and_once_after_a_long_sleep(
        clock: time_machine.Coordinates) -> None:
    jobs, runs = stepped(), []
    jobs.add("deliver", lambda: runs.append(datetime.now(UTC)) and None, timedelta(seconds=30))
    jobs.start()
    step(jobs, clock, 0)
    step(jobs, clock, 29)
    assert len(runs) == 1
    step(jobs, clock, 1)
    assert len(runs) == 2
    # The machine sleeps five hours: 600 missed runs coalesce into one, and it is not skipped
    # as APScheduler's default one-second misfire grace would.
    step(jobs, clock, 5 * 3600)
    assert len(runs) == 3 and runs[-1] == T0 + timedelta(seconds=30 + 5 * 3600)
    step(jobs, clock, 0)
    assert len(runs) == 3


def test_a_job_that_wants_to_run_sooner_than_its_interval_runs_then(
        clock: time_machine.Coordinates) -> None:
    jobs, runs = stepped(), []

    def deliver() -> float:
        runs.append(datetime.now(UTC))
        return 5.0  # the next reminder is due in five seconds

    jobs.add("deliver", deliver, timedelta(seconds=30))
    jobs.start()
    step(jobs, clock, 0)
    step(jobs, clock, 4.9)
    assert len(runs) == 1
    step(jobs, clock, 0.1)
    assert len(runs) == 2


def test_a_crashed_job_is_restarted_with_backoff_counted_and_down_until_a_run_succeeds(
        clock: time_machine.Coordinates) -> None:
    jobs, calls = stepped(), []

    def flaky() -> None:
        calls.append(datetime.now(UTC))
        if len(calls) <= 2:
            raise RuntimeError("disk on fire")

    jobs.add("deliver", flaky, timedelta(seconds=30))
    jobs.start()
    step(jobs, clock, 0)
    state = jobs.states()["deliver"]
    assert (state.up, state.crashes, state.error) == (False, 1, "RuntimeError: disk on fire")
    assert jobs.down() == ["deliver"]
    step(jobs, clock, 1)  # restarted after 1 s ...
    assert len(calls) == 2 and jobs.states()["deliver"].crashes == 2
    step(jobs, clock, 1.9)  # ... then after 2 s
    assert len(calls) == 2
    step(jobs, clock, 0.1)
    state = jobs.states()["deliver"]
    assert len(calls) == 3 and state.up and state.crashes == 2 and state.error == ""
    assert state.last_ok == T0 + timedelta(seconds=3)
    assert jobs.down() == []


def test_a_job_waiting_on_its_peer_is_down_but_not_a_crash(
        clock: time_machine.Coordinates) -> None:
    jobs = stepped()

    def imap() -> None:
        raise Waiting("IMAP imap.example.org: connection refused")

    jobs.add("imap", imap, timedelta(minutes=1), backoff=Backoff(first=5.0, cap=300.0))
    jobs.start()
    step(jobs, clock, 0)
    state = jobs.states()["imap"]
    assert not state.up and state.crashes == 0 and "connection refused" in state.error
    step(jobs, clock, 4.9)
    assert jobs.states()["imap"].runs == 1
    step(jobs, clock, 0.1)  # after its own backoff: 5 s, then 10 s
    assert jobs.states()["imap"].runs == 2


def test_wake_runs_a_job_now_and_a_wake_during_a_run_runs_it_once_more(
        clock: time_machine.Coordinates) -> None:
    jobs, runs = stepped(), []

    def deliver() -> None:
        runs.append(datetime.now(UTC))
        if len(runs) == 2:
            jobs.wake("deliver")  # e.g. a reply queued while the batch was being sent

    jobs.add("deliver", deliver, timedelta(hours=1), now=False)
    jobs.start()
    step(jobs, clock, 10)
    assert runs == []
    jobs.wake("deliver")
    step(jobs, clock, 0)
    jobs.wake("deliver")
    step(jobs, clock, 0)
    assert len(runs) == 2
    step(jobs, clock, 0)
    assert len(runs) == 3
    step(jobs, clock, 0)
    assert len(runs) == 3


def test_on_the_real_scheduler_a_job_never_runs_beside_itself_and_stop_waits_for_it() -> None:
    jobs = Jobs()
    release, inside, lock = threading.Event(), [0], threading.Lock()
    most, runs = [0], [0]

    def slow() -> None:
        with lock:
            inside[0] += 1
            most[0] = max(most[0], inside[0])
        release.wait(5)
        with lock:
            inside[0] -= 1
            runs[0] += 1

    jobs.add("deliver", slow, timedelta(milliseconds=20))
    jobs.start()
    try:
        deadline = time.monotonic() + 5
        while jobs.states()["deliver"].started is None and time.monotonic() < deadline:
            time.sleep(0.01)
        for _ in range(5):
            jobs.wake("deliver")
        time.sleep(0.1)  # several intervals pass while it is busy
        assert most[0] == 1 and runs[0] == 0
        release.set()
    finally:
        assert jobs.stop(timeout=5)
    assert most[0] == 1 and inside[0] == 0


def test_remove_and_stop_wait_out_a_run_in_progress_up_to_their_timeout() -> None:
    """A run in progress holds ``remove`` and ``stop`` for their timeout (False), and once it
    ends they return True; nothing runs after them."""
    jobs = Jobs()
    release, runs = threading.Event(), {"deliver": 0, "poll": 0}

    def blocking(name: str) -> Callable[[], None]:
        def run() -> None:
            release.wait(5)
            runs[name] += 1
        return run

    jobs.add("deliver", blocking("deliver"), timedelta(hours=1))
    jobs.add("poll", blocking("poll"), timedelta(hours=1))
    jobs.start()
    try:
        deadline = time.monotonic() + 5
        while any(s.started is None for s in jobs.states().values()) \
                and time.monotonic() < deadline:
            time.sleep(0.01)
        assert all(s.started is not None for s in jobs.states().values())
        assert jobs.remove("deliver", timeout=0.2) is False
        assert jobs.stop(timeout=0.2) is False
        release.set()
        assert jobs.remove("deliver", timeout=5) is True
        assert "deliver" not in jobs.states()
    finally:
        release.set()
        assert jobs.stop(timeout=5) is True
    assert runs == {"deliver": 1, "poll": 1}
