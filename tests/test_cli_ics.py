"""``duebot ics``: the feed on disk or on stdout, and errors as ``FILE: error: ...``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import vobject

from bot.cli.main import main
from bot.core.ical import build_calendar
from bot.core.model import Event

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "schedules" / "aisys-sosp17.toml"




def test_ics_writes_the_feed_to_a_file(tmp_path: Path, shipped: Event,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "aisys.ics"
    assert main(["ics", "--schedule", str(SHIPPED), "-o", str(out)]) == 0
    assert out.read_bytes() == build_calendar([shipped])
    assert f"wrote {out} (4 dates)" in capsys.readouterr().err
    calendar = vobject.readOne(out.read_text(encoding="utf-8"))
    assert len(calendar.vevent_list) == 4


def test_ics_says_whose_sequence_it_wrote(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    """No ledger is read: each SEQUENCE is the schedule's own, which the feed `duebot run`
    serves raises for hand edits too. Said beside the file, so that an organizer does not mail
    this file to people whose calendars hold the served feed's higher SEQUENCE (they would
    keep their copy)."""
    out = tmp_path / "aisys.ics"
    assert main(["ics", "--schedule", str(SHIPPED), "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "SEQUENCE as the schedule writes it" in err
    assert "/calendar.ics" in err


def test_ics_writes_bytes_to_stdout(shipped: Event,
                                    capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    assert main(["ics", "--schedule", str(SHIPPED)]) == 0
    assert capsysbinary.readouterr().out == build_calendar([shipped])


def test_ics_gives_the_same_bytes_for_copies_written_at_different_times(
        tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    """A checkout on another machine (or a day later) writes the same feed: nothing of the
    file's time goes into it."""
    outputs = []
    for name, mtime in (("a.toml", 1_500_000_000), ("b.toml", 1_500_086_400)):
        copy = tmp_path / name
        copy.write_bytes(SHIPPED.read_bytes())
        os.utime(copy, (mtime, mtime))
        assert main(["ics", "--schedule", str(copy)]) == 0
        outputs.append(capsysbinary.readouterr().out)
    assert outputs[0] == outputs[1]
    assert b"DTSTAMP:2017" not in outputs[0]


def test_ics_with_a_missing_schedule_is_an_error_not_a_traceback(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.toml"
    assert main(["ics", "--schedule", str(missing), "-o", str(tmp_path / "x.ics")]) == 1
    err = capsys.readouterr().err
    assert "nope.toml: error: no such file" in err
    assert not (tmp_path / "x.ics").exists()


def test_installed_command_writes_the_shipped_feed(tmp_path: Path) -> None:
    out = tmp_path / "x.ics"
    script = Path(sys.executable).parent / "duebot"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "bot"]
    result = subprocess.run([*command, "ics", "-o", str(out)], cwd=ROOT,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    data = out.read_bytes()
    assert data.startswith(b"BEGIN:VCALENDAR\r\n")
    assert b"UID:aisys-sosp17.abstract@duebot\r\n" in data
    assert b"DTSTART:20170911T065900Z\r\n" in data


def _config(tmp_path: Path, *names: str) -> Path:
    """A config listing copies of the shipped schedule, one per name (event id ``name``)."""
    entries = []
    for name in names:
        text = SHIPPED.read_text(encoding="utf-8").replace('id = "aisys-sosp17"',
                                                            f'id = "{name}"', 1)
        (tmp_path / f"{name}.toml").write_text(text, encoding="utf-8")
        entries.append(f'[[schedules]]\npath = "{name}.toml"\nreminders_to = ["console:"]\n')
    config = tmp_path / "duebot.toml"
    config.write_text(f'[storage]\ndatabase_url = "sqlite:///{tmp_path / "l.db"}"\n'
                      + "".join(entries), encoding="utf-8")
    return config


def test_ics_and_reminders_take_the_schedules_a_config_lists(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An organizer whose schedules live where the config says, not in ./schedules/."""
    one = _config(tmp_path, "ws-a")
    out = tmp_path / "a.ics"
    assert main(["ics", "--config", str(one), "-o", str(out)]) == 0
    assert b"UID:ws-a.abstract@duebot" in out.read_bytes()
    assert main(["reminders", "--config", str(one)]) == 0
    assert "ws-a/abstract/" in capsys.readouterr().out

    both = _config(tmp_path, "ws-a", "ws-b")
    assert main(["ics", "--config", str(both), "-o", str(out)]) == 0
    data = out.read_bytes()
    assert b"UID:ws-a.abstract@duebot" in data and b"UID:ws-b.abstract@duebot" in data
    capsys.readouterr()
    assert main(["reminders", "--config", str(both)]) == 1
    err = capsys.readouterr().err
    assert "error: the config lists 2 schedules (" in err and "pick one with --schedule" in err
    assert "Traceback" not in err


def test_ics_with_config_writes_the_sequence_the_ledger_serves(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A date hand-edited under `duebot run` is served at SEQUENCE 1; `duebot ics --config`
    wrote the schedule's own 0, so a calendar holding the served feed kept its old copy."""
    from datetime import UTC, datetime

    from bot.adapters.console import ConsoleChannel
    from bot.config import load_config
    from bot.service import Service

    schedule = tmp_path / "aisys.toml"
    schedule.write_text(SHIPPED.read_text(encoding="utf-8"), encoding="utf-8")
    config = tmp_path / "duebot.toml"
    config.write_text('[storage]\ndatabase_url = "sqlite:///ledger.db"\n\n[[schedules]]\n'
                      'path = "aisys.toml"\nreminders_to = ["console:"]\n', encoding="utf-8")
    now = [datetime(2017, 9, 1, 12, tzinfo=UTC)]
    service = Service(load_config(config), clock=lambda: now[0],
                      channels={"console": ConsoleChannel()})
    try:
        service.refresh(now[0])
        schedule.write_text(schedule.read_text(encoding="utf-8").replace(
            'at = "2017-09-20"', 'at = "2017-09-22"', 1), encoding="utf-8")
        os.utime(schedule, (1_600_000_000, 1_600_000_000))
        now[0] = datetime(2017, 9, 2, 12, tzinfo=UTC)
        service.refresh(now[0])
    finally:
        service.ledger.close()
    capsys.readouterr()
    out = tmp_path / "feed.ics"
    assert main(["ics", "--config", str(config), "-o", str(out)]) == 0
    err = capsys.readouterr().err
    calendar = vobject.readOne(out.read_text(encoding="utf-8"))
    sequences = {v.uid.value: int(v.sequence.value) for v in calendar.vevent_list}
    assert sequences["aisys-sosp17.notification@duebot"] == 1, sequences
    assert "SEQUENCE as the ledger serves it" in err, err
    assert "changed since" not in err

    # Edited again, not yet reloaded: written at the SEQUENCE the next reload serves, said so.
    schedule.write_text(schedule.read_text(encoding="utf-8").replace(
        'at = "2017-09-22"', 'at = "2017-09-23"', 1), encoding="utf-8")
    assert main(["ics", "--config", str(config), "-o", str(out)]) == 0
    err = capsys.readouterr().err
    calendar = vobject.readOne(out.read_text(encoding="utf-8"))
    sequences = {v.uid.value: int(v.sequence.value) for v in calendar.vevent_list}
    assert sequences["aisys-sosp17.notification@duebot"] == 2, sequences
    assert "1 date changed since duebot last served it (notification)" in err, err


def test_ics_with_config_and_no_ledger_yet_creates_none(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "duebot.toml"
    config.write_text('[storage]\ndatabase_url = "sqlite:///ledger.db"\n\n[[schedules]]\n'
                      f'path = "{SHIPPED}"\nreminders_to = ["console:"]\n', encoding="utf-8")
    out = tmp_path / "feed.ics"
    assert main(["ics", "--config", str(config), "-o", str(out)]) == 0
    assert not (tmp_path / "ledger.db").exists()
    assert "SEQUENCE as the schedule writes it" in capsys.readouterr().err
