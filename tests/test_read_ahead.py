"""Start-up shares many new schedules with a forked child, which reads them from the back
(``Service._read_ahead``): the same events, errors and log lines as reading them all here."""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import bot.service
from bot.app.proving import Prover
from bot.config import Config, ScheduleConfig, StorageConfig
from bot.core.model import Event
from bot.core.planner import Reminder
from bot.service import READ_AHEAD, Service
from tests.services import deadline_schedule

COUNT = READ_AHEAD + 16
BROKEN, BUGGY = COUNT - 20, COUNT - 5  # both in the child's reserved third: read by it


def tree(tmp_path: Path) -> list[Path]:
    tmp_path.mkdir(exist_ok=True)
    paths = []
    for i in range(COUNT):
        at = "2030-02-30 23:59" if i == BROKEN else f"2030-03-{1 + i % 28:02d} 23:59"
        path = tmp_path / f"s{i:04d}.toml"
        path.write_text(deadline_schedule(at, event_id=f"s{i:04d}", leads='["7d", "1d"]'),
                        encoding="utf-8")
        paths.append(path)
    return paths


def start(paths: list[Path], ledger: Path) -> Service:
    from bot.adapters.console import ConsoleChannel

    config = Config(storage=StorageConfig(database_url=f"sqlite:///{ledger}"),
                    schedules=tuple(ScheduleConfig(path=p, reminders_to=("console:",))
                                    for p in paths))
    return Service(config, channels={"console": ConsoleChannel(io.StringIO())})


@pytest.fixture
def proofs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every proof notes the process that ran it; one schedule's proof trips a bug."""
    notes = tmp_path / "proofs"
    real = Prover.prove

    def prove(self: Prover, event: Event, reminders: tuple[Reminder, ...]) -> None:
        with open(notes, "a", encoding="utf-8") as out:
            out.write(f"{os.getpid()} {event.id}\n")
        if event.id == f"s{BUGGY:04d}":
            raise RuntimeError("a bug in a later stage")
        real(self, event, reminders)

    monkeypatch.setattr(Prover, "prove", prove)
    return notes


def in_a_process_of_its_own(request: pytest.FixtureRequest) -> bool:
    """Run this test again in a fresh pytest when other threads are alive here: start-up forks
    only a single-threaded process (a child would inherit other threads' locks held), and an
    earlier test in the suite may have left a thread behind. True when it ran (and passed)
    there."""
    if threading.active_count() == 1:
        return False
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(root), *filter(None, [os.environ.get("PYTHONPATH")])])}
    ran = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          f"{request.node.nodeid}"], cwd=root, env=env,
                         capture_output=True, text=True, timeout=600)
    assert ran.returncode == 0, ran.stdout[-4000:] + ran.stderr[-2000:]
    return True


def outcome(service: Service, caplog: pytest.LogCaptureFixture
            ) -> tuple[dict[str, Event], list[str], list[tuple[str, str]]]:
    logged = [(r.levelname, r.getMessage()) for r in caplog.records
              if r.name == "duebot" and r.levelno >= logging.INFO]
    caplog.clear()
    return service.events(), service.health.schedule_errors, logged


def test_a_forked_reader_gives_the_same_events_errors_and_log_lines(
        request: pytest.FixtureRequest, tmp_path: Path, proofs: Path,
        caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    if in_a_process_of_its_own(request):
        return
    caplog.set_level(logging.INFO, logger="duebot")
    paths = tree(tmp_path / "files")
    apart = outcome(start(paths, tmp_path / "a.db"), caplog)
    readers = {line.split()[0] for line in proofs.read_text().splitlines()}
    assert readers - {str(os.getpid())}, "the later half was proven in a child"
    proofs.unlink()
    monkeypatch.setattr(bot.service, "READ_AHEAD", 10**9)
    here = outcome(start(paths, tmp_path / "b.db"), caplog)
    assert {line.split()[0] for line in proofs.read_text().splitlines()} == {str(os.getpid())}
    assert apart == here
    events, errors, logged = here
    assert len(events) == COUNT - 2 and len(errors) == 2
    assert any("this version cannot be used: RuntimeError" in e for e in errors)
    assert ("ERROR", f"s{BUGGY:04d}.toml: this version cannot be used") in [
        (level, message.rsplit("/", 1)[-1]) for level, message in logged]


def test_a_child_that_fails_costs_only_its_work(
        request: pytest.FixtureRequest, tmp_path: Path, proofs: Path,
        caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    if in_a_process_of_its_own(request):
        return
    caplog.set_level(logging.INFO, logger="duebot")
    paths = tree(tmp_path / "files")
    real = bot.service.fork_share

    def failing(work, items, **options):  # type: ignore[no-untyped-def]
        shared = real(lambda item: os._exit(3), items, **options)
        assert shared is not None
        return shared

    monkeypatch.setattr(bot.service, "fork_share", failing)
    failed = outcome(start(paths, tmp_path / "a.db"), caplog)
    monkeypatch.setattr(bot.service, "READ_AHEAD", 10**9)
    assert failed == outcome(start(paths, tmp_path / "b.db"), caplog)


def test_a_restart_reads_nothing_apart_when_the_cache_holds_every_file(
        tmp_path: Path, proofs: Path) -> None:
    paths = tree(tmp_path / "files")
    first = start(paths, tmp_path / "a.db")
    assert first.schedule_cache is not None
    first.schedule_cache.wait()
    proofs.unlink()
    again = start(paths, tmp_path / "a.db")
    # Only the two files with errors (never kept) are read and proven again, here.
    assert {line.split()[0] for line in proofs.read_text().splitlines()} == {str(os.getpid())}
    assert [line.split()[1] for line in proofs.read_text().splitlines()] == [f"s{BUGGY:04d}"]
    assert again.events() == first.events()


def test_the_events_read_apart_are_not_planned_again_here(
        request: pytest.FixtureRequest, tmp_path: Path, proofs: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    if in_a_process_of_its_own(request):
        return
    import bot.core.planner

    planned: list[tuple[int, str]] = []
    real = bot.core.planner.plan

    def plan(event: Event, **bounds: object) -> list[Reminder]:
        planned.append((os.getpid(), event.id))
        return real(event, **bounds)  # type: ignore[arg-type]

    monkeypatch.setattr(bot.core.planner, "plan", plan)
    service = start(tree(tmp_path / "files"), tmp_path / "a.db")
    here = [event_id for pid, event_id in planned if pid == os.getpid()]
    apart = {line.split()[1] for line in proofs.read_text().splitlines()
             if line.split()[0] != str(os.getpid())}
    assert apart and len(here) == len(set(here)), "each event planned once"
    # The buggy one failed in the child and is read (and planned) again here, as it should.
    assert apart & set(here) == {f"s{BUGGY:04d}"}, "what the child proved is not planned here"
    assert set(here) | apart >= set(service.events())
    assert service.engine._everyone.keys() == service.events().keys()


def test_a_child_that_hangs_is_given_up_on_logged_and_on_healthz(
        request: pytest.FixtureRequest, tmp_path: Path, proofs: Path,
        caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    """A forked reader stuck for good (here: from its first schedule on) is waited on for its
    patience, then killed: every schedule is read here, the same as without it, and the log
    and ``/healthz`` say what happened."""
    if in_a_process_of_its_own(request):
        return
    import time

    from bot.adapters.http import health_report

    caplog.set_level(logging.INFO, logger="duebot")
    paths = tree(tmp_path / "files")
    real = bot.service.fork_share

    def hanging(work, items, **options):  # type: ignore[no-untyped-def]
        shared = real(lambda item: time.sleep(3600), items, **options, patience=0.3)
        assert shared is not None
        return shared

    monkeypatch.setattr(bot.service, "fork_share", hanging)
    began = time.monotonic()
    service = start(paths, tmp_path / "a.db")
    assert time.monotonic() - began < 30
    stuck = outcome(service, caplog)
    notes = service.health.startup
    assert len(notes) == 1 and notes[0].startswith("the forked schedule reader (pid "), notes
    assert notes[0].endswith("sent nothing for 0.3 s: stopped, and what it had taken was "
                             "read in this process: every schedule is loaded, start-up only "
                             "took longer. If it happens at each start, report it with the "
                             "log"), notes
    assert ("WARNING", notes[0]) in stuck[2]
    report = health_report(service, "ok")
    assert report["startup"] == notes
    assert f"at start-up, {notes[0]}." in report["summary"]
    monkeypatch.setattr(bot.service, "READ_AHEAD", 10**9)
    here = outcome(start(paths, tmp_path / "b.db"), caplog)
    assert stuck[:2] == here[:2]  # the same events and errors as reading them all here
