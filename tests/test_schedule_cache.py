"""Schedules kept between starts (``bot.adapters.schedule_cache``): a restart reads and proves
only what changed, and never serves a stale version nor hides an error."""

from __future__ import annotations

import io
import os
import pickle
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.adapters.schedule_cache import FORMAT, ScheduleCache, cache_path, code_version
from bot.adapters.schedule_files import display_path, read_file
from bot.adapters.template_files import load_templates
from bot.config import Config, ScheduleConfig, StorageConfig
from bot.service import Service
from tests.services import deadline_schedule

NOW = datetime(2030, 1, 1, tzinfo=UTC)


def config_for(tmp_path: Path, names: list[str], *, templates: Path | None = None,
               database_url: str | None = None) -> Config:
    return Config(
        storage=StorageConfig(database_url=database_url
                              or f"sqlite:///{tmp_path / 'ledger.db'}"),
        schedules=tuple(ScheduleConfig(path=tmp_path / f"{name}.toml",
                                       reminders_to=("console:",)) for name in names),
        templates=templates)


def start(config: Config) -> Service:
    """A service as ``duebot run`` builds one, with its cache written before it returns."""
    from bot.adapters.console import ConsoleChannel

    service = Service(config, clock=lambda: NOW,
                      channels={"console": ConsoleChannel(io.StringIO())})
    if service.schedule_cache is not None:
        service.schedule_cache.wait()
    return service


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def proven(service: Service) -> int:
    """How many shapes this service's prover rendered: 0 when every schedule came from the
    cache."""
    return len(service.prover._proven)


def test_an_unchanged_schedule_is_neither_read_nor_proven_again(tmp_path: Path) -> None:
    write(tmp_path, "a", deadline_schedule("2030-03-01 23:59", event_id="a"))
    config = config_for(tmp_path, ["a"])
    first = start(config)
    assert proven(first) > 0
    assert cache_path(config.storage.database_url) == tmp_path / "ledger.db.schedule-cache"
    assert (tmp_path / "ledger.db.schedule-cache").is_file()
    again = start(config)
    assert proven(again) == 0  # from the cache
    assert again.events() == first.events()
    assert again.health.schedule_errors == []


def test_a_changed_file_is_read_again_even_with_the_same_size_and_mtime(tmp_path: Path) -> None:
    path = write(tmp_path, "a", deadline_schedule("2030-03-01 23:59", event_id="a"))
    config = config_for(tmp_path, ["a"])
    start(config)
    stat = path.stat()
    path.write_text(deadline_schedule("2030-03-02 23:59", event_id="a"), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size
    again = start(config)
    [event] = again.events().values()
    assert event.dates[0].at == datetime(2030, 3, 2, 23, 59, tzinfo=UTC)
    assert proven(again) > 0


def test_a_file_with_an_error_is_never_kept_and_its_error_shows_on_every_start(
        tmp_path: Path) -> None:
    write(tmp_path, "a", deadline_schedule("2030-03-01 23:59", event_id="a"))
    write(tmp_path, "b", deadline_schedule("2030-02-30 23:59", event_id="b"))  # no such day
    config = config_for(tmp_path, ["a", "b"])
    first = start(config)
    assert first.health.schedule_errors
    again = start(config)
    assert again.health.schedule_errors == first.health.schedule_errors
    assert list(again.events()) == ["a"]
    _, problems = read_file(tmp_path / "b.toml")
    assert again.health.schedule_errors == [str(p) for p in problems]


def test_a_file_that_breaks_after_being_kept_shows_its_error(tmp_path: Path) -> None:
    path = write(tmp_path, "a", deadline_schedule("2030-03-01 23:59", event_id="a"))
    config = config_for(tmp_path, ["a"])
    start(config)
    path.write_text(deadline_schedule("2030-13-01 23:59", event_id="a"), encoding="utf-8")
    again = start(config)
    assert again.events() == {}
    assert again.health.schedule_errors and "a.toml" in again.health.schedule_errors[0]
    path.write_text(deadline_schedule("2030-03-01 23:59", event_id="a"), encoding="utf-8")
    fixed = start(config)  # one version is kept per file: the last start's, which was broken
    assert list(fixed.events()) == ["a"] and fixed.health.schedule_errors == []


def test_new_templates_prove_kept_schedules_again_and_a_failure_shows(tmp_path: Path) -> None:
    write(tmp_path, "a", deadline_schedule("2030-03-01 23:59", event_id="a"))
    folder = tmp_path / "templates"
    folder.mkdir()
    start(config_for(tmp_path, ["a"], templates=folder))
    (folder / "reminder.txt.j2").write_text("{{ 1 // 0 }}\n", encoding="utf-8")
    again = start(config_for(tmp_path, ["a"], templates=folder))
    assert again.events() == {}
    [error] = again.health.schedule_errors
    assert "reminder.txt.j2:1" in error and "template failed" in error


def test_a_file_read_under_another_name_is_read_again(tmp_path: Path) -> None:
    text = deadline_schedule("2030-03-01 23:59", event_id="a")
    write(tmp_path, "a", text)
    config = config_for(tmp_path, ["a"])
    templates = load_templates()
    cache = ScheduleCache(tmp_path / "c", code_version(templates))
    event, problems = read_file(tmp_path / "a.toml")
    assert event is not None
    cache.put(tmp_path / "a.toml", "a.toml", text, event, problems)
    cache.save()
    cache.wait()
    kept = ScheduleCache(tmp_path / "c", code_version(templates))
    assert kept.get(tmp_path / "a.toml", "a.toml", text) == (event, [])
    assert kept.get(tmp_path / "a.toml", "elsewhere/a.toml", text) is None
    assert kept.get(tmp_path / "b.toml", "a.toml", text) is None
    assert kept.get(tmp_path / "a.toml", "a.toml", text + "\n") is None
    assert ScheduleCache(tmp_path / "c", "other code").get(
        tmp_path / "a.toml", "a.toml", text) is None
    assert display_path(config.schedules[0].path).endswith("a.toml")


@pytest.mark.parametrize("damage", ["corrupt", "truncated", "other format", "zone data"])
def test_a_cache_that_cannot_be_trusted_is_ignored_and_written_again(
        tmp_path: Path, damage: str) -> None:
    write(tmp_path, "a", deadline_schedule("2030-03-01 23:59", event_id="a",
                                           zone="Europe/Paris"))
    config = config_for(tmp_path, ["a"])
    first = start(config)
    where = tmp_path / "ledger.db.schedule-cache"
    data = where.read_bytes()
    if damage == "corrupt":
        where.write_bytes(b"not a pickle")
    elif damage == "truncated":
        where.write_bytes(data[: len(data) // 2])
    else:
        stored = pickle.loads(data)
        if damage == "other format":
            stored["format"] = "duebot schedule cache 0"
        else:
            assert stored["format"] == FORMAT and "Europe/Paris" in stored["zones"]
            stored["zones"]["Europe/Paris"] = "an older tzdata"
        where.write_bytes(pickle.dumps(stored))
    again = start(config)
    assert proven(again) > 0  # read and proven afresh
    assert again.events() == first.events()
    assert proven(start(config)) == 0  # and kept again


def test_nothing_is_cached_beside_a_ledger_that_is_no_file() -> None:
    assert cache_path("sqlite://") is None
    assert cache_path("sqlite:///:memory:") is None
    assert cache_path("postgresql://localhost/test") is None
    assert cache_path("sqlite:///ledger.db") == Path("ledger.db.schedule-cache")
    assert cache_path("sqlite:////var/lib/duebot/ledger.db?timeout=5") == Path(
        "/var/lib/duebot/ledger.db.schedule-cache")
    assert cache_path("sqlite+pysqlite:////x/l.db") == Path("/x/l.db.schedule-cache")


def test_an_unwritable_cache_costs_only_time(tmp_path: Path) -> None:
    write(tmp_path, "a", deadline_schedule("2030-03-01 23:59", event_id="a"))
    (tmp_path / "ledger.db.schedule-cache").mkdir()  # a folder where the file would go
    config = config_for(tmp_path, ["a"])
    first = start(config)
    again = start(config)
    assert again.events() == first.events() and proven(again) > 0


def test_the_code_version_follows_every_source_file_and_template(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.adapters import schedule_cache

    (tmp_path / "core").mkdir()
    source = tmp_path / "core" / "schedule.py"
    source.write_text("A = 1\n", encoding="utf-8")
    monkeypatch.setattr(schedule_cache, "_PACKAGE", tmp_path)
    before = code_version({"reminder.txt.j2": "x"})
    assert code_version({"reminder.txt.j2": "x"}) == before
    assert code_version({"reminder.txt.j2": "y"}) != before
    source.write_text("A = 2\n", encoding="utf-8")
    assert code_version({"reminder.txt.j2": "x"}) != before
