"""Where schedule files are shown: as the user would type them."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.adapters.schedule_files import display_path


def test_a_path_inside_the_working_folder_is_shown_relative(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tmp_path = tmp_path.resolve()  # as the working directory reads it
    (tmp_path / "schedules").mkdir()
    monkeypatch.chdir(tmp_path)
    assert display_path(tmp_path / "schedules" / "a.toml") == "schedules/a.toml"
    assert display_path(Path("schedules/../schedules/a.toml")) == "schedules/a.toml"
    assert display_path(Path("a.toml")) == "a.toml"


def test_a_path_outside_the_working_folder_stays_absolute(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tmp_path = tmp_path.resolve()
    inside = tmp_path / "work"
    inside.mkdir()
    monkeypatch.chdir(inside)
    outside = tmp_path / "elsewhere" / "b.toml"
    assert display_path(outside) == str(outside)
    assert display_path(Path("../elsewhere/b.toml")) == str(outside)  # not ../elsewhere/...
