"""A reminder whose event is not loaded in this process (its file failed to read, or this
replica's config lacks it) is left alone: given back unclaimed with no attempt used, never
cancelled as "no longer planned"; `deliver --once` says which schedule failed and exits
non-zero. Only a reconcile against the event's loaded plan cancels a reminder."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.cli.main import main
from tests.services import deadline_schedule

KEY = "demo/paper/1d|console:"
PLAN = ["--now", "2030-03-01T00:00:00Z"]
DUE = ["--now", "2030-03-19T23:59:30Z"]


def write(tmp_path: Path, *, with_demo: bool = True) -> Path:
    (tmp_path / "demo.toml").write_text(deadline_schedule("2030-03-20 23:59"), encoding="utf-8")
    (tmp_path / "other.toml").write_text(
        deadline_schedule("2030-03-20 23:59", event_id="other", name="Other"), encoding="utf-8")
    demo = """
[[schedules]]
path = "demo.toml"
reminders_to = ["console:"]
""" if with_demo else ""
    config = tmp_path / ("duebot.toml" if with_demo else "other-replica.toml")
    config.write_text(f"""
[storage]
database_url = "sqlite:///{tmp_path / 'ledger.db'}"

[http]
enabled = false
{demo}
[[schedules]]
path = "other.toml"
reminders_to = ["console:"]
""", encoding="utf-8")
    return config


def row(tmp_path: Path, key: str = KEY) -> tuple[str, int, str]:
    with sqlite3.connect(tmp_path / "ledger.db") as conn:
        found = conn.execute("SELECT state, attempts, reason FROM deliveries WHERE key = ?",
                             (key,)).fetchone()
    assert found is not None
    return str(found[0]), int(found[1]), str(found[2])


def deliver(config: Path, now: list[str]) -> int:
    return main(["deliver", "--once", *now, "--config", str(config)])


def test_a_schedule_that_fails_to_load_keeps_its_reminders_and_fails_the_run(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write(tmp_path)
    assert deliver(config, PLAN) == 0
    demo = tmp_path / "demo.toml"
    demo.write_text(demo.read_text(encoding="utf-8").replace("deadline =", "deadlin ="),
                    encoding="utf-8")
    capsys.readouterr()

    assert deliver(config, DUE) != 0
    out, err = capsys.readouterr()
    assert "no longer planned" not in out
    assert "demo.toml" in err and "not loaded" in err
    assert row(tmp_path) == ("pending", 0, "left alone: schedule 'demo' is not loaded here")
    # The other schedule's reminder went out as usual.
    assert row(tmp_path, "other/paper/1d|console:")[0] == "sent"

    # Fixed: it goes out on the next run, on time.
    demo.write_text(demo.read_text(encoding="utf-8").replace("deadlin =", "deadline ="),
                    encoding="utf-8")
    assert deliver(config, ["--now", "2030-03-20T00:00:10Z"]) == 0
    assert row(tmp_path)[:2] == ("sent", 1)


def test_a_replica_whose_config_lacks_an_event_leaves_its_reminders_to_the_others(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write(tmp_path)
    assert deliver(config, PLAN) == 0
    replica = write(tmp_path, with_demo=False)
    assert deliver(replica, DUE) == 0  # its own config is fine: nothing failed to load
    assert "no longer planned" not in capsys.readouterr().out
    assert row(tmp_path)[:2] == ("pending", 0)
    assert row(tmp_path, "other/paper/1d|console:")[0] == "sent"
    # Given back to be looked at again after one poll (30 s), not claimed again in a loop.
    assert next_attempt(tmp_path) == "2030-03-20 00:00:00"
    assert deliver(config, ["--now", "2030-03-20T00:00:00Z"]) == 0
    assert row(tmp_path)[:2] == ("sent", 1)


def next_attempt(tmp_path: Path) -> str:
    with sqlite3.connect(tmp_path / "ledger.db") as conn:
        return str(conn.execute("SELECT next_attempt FROM deliveries WHERE key = ?",
                                (KEY,)).fetchone()[0])[:19]
