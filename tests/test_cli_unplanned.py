"""`duebot outbox` and `status` on a ledger that nothing has planned yet say so, and how to
plan it, instead of an empty outbox that looks like "nothing waits": they only read (a
`--now` rehearsal must not plan, or skip as past, anything in the real ledger)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from bot.cli.main import main
from tests.services import deadline_schedule

PLAN_AT = ["--now", "2030-03-01T12:00:00Z"]


def write(tmp_path: Path, *, approve: bool) -> Path:
    (tmp_path / "demo.toml").write_text(
        deadline_schedule("2030-03-20 23:59", leads='["7d", "1d"]'), encoding="utf-8")
    config = tmp_path / "duebot.toml"
    config.write_text(f"""
[storage]
database_url = "sqlite:///{tmp_path / 'ledger.db'}"

[http]
enabled = false

[[schedules]]
path = "demo.toml"
reminders_to = ["console:"]
approve = {"true" if approve else "false"}
""", encoding="utf-8")
    return config


def deliveries(tmp_path: Path) -> int:
    with sqlite3.connect(tmp_path / "ledger.db") as conn:
        return int(conn.execute("SELECT count(*) FROM deliveries").fetchone()[0])


def test_outbox_on_a_fresh_ledger_says_what_will_wait_and_how_to_plan_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write(tmp_path, approve=True)
    assert main(["outbox", "--config", str(config), *PLAN_AT]) == 0
    out = capsys.readouterr().out
    assert "the outbox is empty" not in out
    assert ("not planned yet: 2 deliveries of demo will wait here for approval once planned: "
            "run `duebot deliver --once` or `duebot run`") in out
    assert ("2030-03-13 23:59Z (Wednesday 13 March 2030, 23:59 UTC)  demo/paper/7d -> "
            "console: (not planned yet)") in out
    assert deliveries(tmp_path) == 0  # it only read

    assert main(["deliver", "--once", "--config", str(config), *PLAN_AT]) == 0
    capsys.readouterr()
    assert main(["outbox", "--config", str(config), *PLAN_AT]) == 0
    out = capsys.readouterr().out
    assert "not planned yet" not in out
    assert "demo/paper/7d -> console:" in out and "2 waiting; `duebot approve ID`" in out


def test_status_on_a_fresh_ledger_says_nothing_is_planned_yet(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write(tmp_path, approve=False)
    assert main(["status", "--config", str(config), *PLAN_AT]) == 0
    out = capsys.readouterr().out
    assert ("  not planned yet: 2 deliveries the schedule makes are not in the ledger "
            "(`duebot deliver --once` or `duebot run` plans them; `duebot deliver --once "
            "--dry-run --now ISO` shows what would go)") in out
    assert main(["status", "--json", "--config", str(config), *PLAN_AT]) == 0
    assert json.loads(capsys.readouterr().out)["schedules"][0]["unplanned"] == 2
    assert deliveries(tmp_path) == 0

    assert main(["deliver", "--once", "--config", str(config), *PLAN_AT]) == 0
    capsys.readouterr()
    assert main(["status", "--config", str(config), *PLAN_AT]) == 0
    assert "not planned yet" not in capsys.readouterr().out
    assert main(["status", "--json", "--config", str(config), *PLAN_AT]) == 0
    assert json.loads(capsys.readouterr().out)["schedules"][0]["unplanned"] == 0


def test_deliver_once_and_status_read_each_subscribers_own_choices(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A subscriber who chose "1 day before" only: `deliver --once` (cron, a fresh process)
    plans that one for them, not the schedule's 7d as well, and status then sees nothing
    unplanned (it was planning the defaults until the first `run` refresh)."""
    import argparse

    from bot.cli.common import config_of
    from bot.core.preferences import Preferences, parse_command, to_json
    from bot.service import Service

    config = write(tmp_path, approve=False)
    service = Service(config_of(argparse.Namespace(config=str(config))))
    now = service.clock()
    service.ledger.subscribe("demo", "mailto:ann@example.org", now, source="mail",
                             confirmed=True)
    change = parse_command("remind me 1 day before the paper deadline",
                           service.events()["demo"], Preferences())
    assert change is not None
    service.ledger.set_preferences("demo", "mailto:ann@example.org", to_json(change.prefs), now)
    service.ledger.close()

    assert main(["status", "--json", "--config", str(config), *PLAN_AT]) == 0
    assert json.loads(capsys.readouterr().out)["schedules"][0]["unplanned"] == 3
    assert main(["deliver", "--once", "--config", str(config), *PLAN_AT]) == 0
    with sqlite3.connect(tmp_path / "ledger.db") as conn:
        keys = {k for (k,) in conn.execute("SELECT key FROM deliveries WHERE state = 'pending'")}
    assert keys == {"demo/paper/7d|console:", "demo/paper/1d|console:",
                    "demo/paper/1d|mailto:ann@example.org"}
    capsys.readouterr()
    assert main(["status", "--json", "--config", str(config), *PLAN_AT]) == 0
    assert json.loads(capsys.readouterr().out)["schedules"][0]["unplanned"] == 0


def test_approving_what_is_not_planned_yet_says_to_plan_it_first(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write(tmp_path, approve=True)
    assert main(["approve", "demo/paper/7d", "--by", "alice", "--config", str(config),
                 *PLAN_AT]) == 1
    err = capsys.readouterr().err
    assert ("demo/paper/7d is not planned yet: run `duebot deliver --once` or `duebot run` "
            "first, then approve it") in err
    assert "Traceback" not in err
    assert main(["approve", "demo/nothing", "--by", "alice", "--config", str(config),
                 *PLAN_AT]) == 1
    assert "nothing waiting for approval matches demo/nothing" in capsys.readouterr().err
    assert main(["deliver", "--once", "--config", str(config), *PLAN_AT]) == 0
    assert main(["approve", "demo/paper/7d", "--by", "alice", "--config", str(config),
                 *PLAN_AT]) == 0
    assert "approved 1 delivery" in capsys.readouterr().out


def test_a_dry_run_of_an_approve_schedule_says_what_waits_for_approval_not_that_it_goes(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """With ``approve = true`` a rehearsal must not promise a reminder goes: it waits in the
    outbox; once approved it goes as usual."""
    config = write(tmp_path, approve=True)
    rehearse = ["deliver", "--once", "--dry-run", "--config", str(config),
                "--now", "2030-03-13T23:59:30Z"]
    assert main(rehearse) == 0
    out = capsys.readouterr().out
    assert "would send" not in out
    assert ("would wait for approval: demo/paper/7d|console:  due 2030-03-13 23:59Z "
            "(approve = true: sent once `duebot approve demo/paper/7d` lets it go") in out
    assert main(["deliver", "--once", "--config", str(config), *PLAN_AT]) == 0
    assert main(["approve", "demo/paper/7d", "--config", str(config), *PLAN_AT]) == 0
    capsys.readouterr()
    assert main(rehearse) == 0
    assert "would send: demo/paper/7d|console:" in capsys.readouterr().out
