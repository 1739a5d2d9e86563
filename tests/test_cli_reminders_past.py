"""``duebot reminders`` on a live schedule: a lead that lands before now is marked, not listed
as if it were still to go out. An organizer who writes "7d" for a deadline three days away
learns there and then that the 7-day reminder will not be sent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli.main import main


def _schedule(tmp_path: Path) -> tuple[Path, datetime]:
    # Built from the clock: the deadline is three days from whenever the test runs.
    due = (datetime.now(UTC) + timedelta(days=3)).replace(second=0, microsecond=0)
    path = tmp_path / "ws.toml"
    path.write_text(f"""[event]
id = "ws"
name = "WS"
zone = "UTC"

[[dates]]
id = "paper"
title = "Paper deadline"
kind = "deadline"
at = "{due:%Y-%m-%d %H:%M}"
reminders = ["7d", "1d"]
""", encoding="utf-8")
    return path, due


def test_a_lead_already_past_is_marked_and_said_on_stderr(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, _ = _schedule(tmp_path)
    assert main(["reminders", "--schedule", str(path)]) == 0
    out, err = capsys.readouterr()
    lines = {line.split()[2]: line for line in out.splitlines() if line.strip().startswith("20")}
    assert "(past)" in lines["ws/paper/7d"], out
    assert "(past)" not in lines["ws/paper/1d"], out
    assert "1 of 2 reminders is due before now" in err, err
    assert "--now" in err


def test_a_rehearsal_marks_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--now (or --from) shows the reminders still to go out at that instant: none is past."""
    path, due = _schedule(tmp_path)
    before = (due - timedelta(days=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert main(["reminders", "--schedule", str(path), "--now", before]) == 0
    out, err = capsys.readouterr()
    assert "(past)" not in out and "ws/paper/7d" in out
    assert "before now" not in err


def test_reminders_with_config_and_schedule_use_the_configs_templates(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--config with --schedule (a config that lists several) kept duebot's own subject."""
    folder = tmp_path / "my-templates"
    folder.mkdir()
    (folder / "reminder.subject.j2").write_text("OURS: {{ date.title }}", encoding="utf-8")
    path, _ = _schedule(tmp_path)
    other = tmp_path / "other.toml"
    other.write_text(path.read_text(encoding="utf-8").replace('id = "ws"', 'id = "ws2"'),
                     encoding="utf-8")
    config = tmp_path / "duebot.toml"
    config.write_text(f"""[storage]
database_url = "sqlite:///{tmp_path / 'l.db'}"

[templates]
folder = "my-templates"

[[schedules]]
path = "ws.toml"
reminders_to = ["console:"]

[[schedules]]
path = "other.toml"
reminders_to = ["console:"]
""", encoding="utf-8")
    assert main(["reminders", "--config", str(config), "--schedule", str(path)]) == 0
    out = capsys.readouterr().out
    assert "    OURS: Paper deadline" in out, out
