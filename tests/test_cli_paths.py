"""Every command names a schedule file as the others do: relative inside the working folder
(``demo.toml``), absolute outside it (``bot.adapters.schedule_files.display_path``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli.main import main
from tests.services import deadline_schedule

NOW = ["--now", "2030-03-01T12:00:00Z"]


def write(tmp_path: Path) -> Path:
    (tmp_path / "demo.toml").write_text(deadline_schedule("2030-03-20 23:59"),
                                        encoding="utf-8")
    config = tmp_path / "duebot.toml"
    config.write_text("""
[storage]
database_url = "sqlite:///ledger.db"

[http]
enabled = false

[[schedules]]
path = "demo.toml"
reminders_to = ["console:"]
""", encoding="utf-8")
    return config


def test_status_names_the_schedule_relative_to_the_working_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    config = write(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["status", "--config", str(config), *NOW]) == 0
    out = capsys.readouterr().out
    assert "Demo Workshop (demo) -- demo.toml\n" in out
    assert str(tmp_path) not in out
    assert main(["status", "--json", "--config", str(config), *NOW]) == 0
    assert json.loads(capsys.readouterr().out)["schedules"][0]["path"] == "demo.toml"


def test_status_outside_the_working_folder_names_it_absolute(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "here").mkdir()
    config = write(tmp_path / "elsewhere")
    monkeypatch.chdir(tmp_path / "here")
    assert main(["status", "--config", str(config), *NOW]) == 0
    assert f"-- {tmp_path / 'elsewhere' / 'demo.toml'}\n" in capsys.readouterr().out


def test_extend_names_the_schedule_as_validate_does(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    config = write(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["extend", "paper", "2030-03-27 23:59", "--config", str(config), "--by",
                 "alice", *NOW]) == 0
    out = capsys.readouterr().out
    assert out.startswith("demo.toml: paper: at ")
    assert str(tmp_path) not in out
    assert main(["extend", "paper", "2030-03-28 23:59", "--schedule", "./demo.toml",
                 "--by", "alice", *NOW]) == 0
    assert capsys.readouterr().out.startswith("demo.toml: paper: at ")
