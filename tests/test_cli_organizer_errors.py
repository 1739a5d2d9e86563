"""A new organizer's mistakes in a schedule and a config: each is one clear line saying file,
line, field, the value and what was expected; never a traceback, never silence.

Most cases held before this file was written (guards, marked so); the ones that failed are
named in their docstrings.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.cli.main import main

BASE = """[event]
id = "ws"
name = "Test WS"
zone = "America/Los_Angeles"

[[dates]]
id = "abstract"
title = "Abstract deadline"
kind = "deadline"
at = "2027-03-01 23:59"
"""

# (case, text replaced, replacement, line, field, words the error must hold)
CASES = [
    ("field typo", 'title = "', 'titel = "', 8, "dates[0].titel", ["did you mean 'title'"]),
    ("missing id", 'id = "abstract"\n', "", 6, "dates[0]", ["missing required key 'id'"]),
    ("25:00", "23:59\"", "25:00\"", 10, "dates[0].at", ["'2027-03-01 25:00'", "00:00 to 23:59"]),
    ("30 February", "2027-03-01", "2027-02-30", 10, "dates[0].at", ["February 2027 has 28 days"]),
    ("Pacific", 'zone = "America/Los_Angeles"', 'zone = "Pacific"', 4, "event.zone",
     ["'Pacific'", "America/Los_Angeles"]),
    ("end before at", 'at = "2027-03-01 23:59"',
     'at = "2027-03-01 23:59"\nend = "2027-03-01 10:00"', 11, "dates[0].end",
     ["'2027-03-01 10:00'", "before"]),
    ("duplicate id", 'at = "2027-03-01 23:59"', 'at = "2027-03-01 23:59"\n\n[[dates]]\nid = '
     '"abstract"\ntitle = "Paper deadline"\nkind = "deadline"\nat = "2027-03-08 23:59"', 13,
     "dates[1].id", ["'abstract'", "line 7"]),
    ("kind typo", 'kind = "deadline"', 'kind = "dealine"', 9, "dates[0].kind",
     ["'dealine'", "did you mean 'deadline'"]),
    ("day/month", 'at = "2027-03-01 23:59"', 'at = "10/09/2026"', 10, "dates[0].at",
     ["September 10 or October 9", "2026-09-10", "2026-10-09"]),
    ("12-hour clock", "23:59\"", "11:59 PM\"", 10, "dates[0].at", ["11:59 PM is 23:59"]),
    ("CEST", 'at = "2027-03-01 23:59"', 'at = "2027-03-01 23:59 CEST"', 10, "dates[0].at",
     ["'CEST'", "UTC+02:00"]),
    ("negative lead", 'kind = "deadline"', 'kind = "deadline"\nreminders = ["-1d"]', 10,
     "dates[0].reminders", ["'-1d'", '"7d"']),
    ("offset out of range", 'zone = "America/Los_Angeles"', 'zone = "UTC+25"', 4, "event.zone",
     ["'UTC+25'", "UTC-14:00 to UTC+14:00"]),
    ("lead in months", 'kind = "deadline"', 'kind = "deadline"\nreminders = ["1 month"]', 10,
     "dates[0].reminders", ["'1 month'", '"30d"']),
    ("lead with a fraction", 'kind = "deadline"', 'kind = "deadline"\nreminders = ["1.5d"]', 10,
     "dates[0].reminders", ["'1.5d'", 'whole numbers only: write "1d 12h"']),
]


def _check(path: Path, line: int, field: str, words: list[str],
           capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    errors = [e for e in err.splitlines() if ": error: " in e]
    assert len(errors) == 1, errors  # one mistake, one line
    assert errors[0].startswith(f"{path}:{line}: error: {field}: "), errors[0]
    for word in words:
        assert word in errors[0], (word, errors[0])
    return errors[0]


@pytest.mark.parametrize(("case", "old", "new", "line", "field", "words"), CASES,
                         ids=[c[0] for c in CASES])
def test_a_schedule_mistake_is_one_line_with_file_line_field_value_and_what_to_write(
        case: str, old: str, new: str, line: int, field: str, words: list[str], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Guards, except "field typo" (it also said "missing required key 'title'", a second
    error for one mistake), "lead in months" and "lead with a fraction" (they said only "not a
    duration", without what to write)."""
    assert old in BASE, case
    path = tmp_path / "myws.toml"
    path.write_text(BASE.replace(old, new, 1), encoding="utf-8")
    _check(path, line, field, words, capsys)


def test_a_misspelt_event_table_is_said_once_not_with_its_three_keys(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """ "[evnt]" gave five errors: the unknown key, the missing table and then each of its
    three keys as missing too, with no line."""
    path = tmp_path / "myws.toml"
    path.write_text(BASE.replace("[event]", "[evnt]"), encoding="utf-8")
    assert main(["validate", str(path)]) == 1
    errors = [e for e in capsys.readouterr().err.splitlines() if ": error: " in e]
    assert len(errors) == 2, errors
    assert any(e.startswith(f"{path}:1: error: evnt: unknown key 'evnt'; did you mean 'event'?")
               for e in errors), errors
    assert any("missing the [event] table" in e for e in errors)
    # an empty [event] still names each key it lacks
    path.write_text(BASE.replace('id = "ws"\nname = "Test WS"\nzone = "America/Los_Angeles"\n',
                                 ""), encoding="utf-8")
    assert main(["validate", str(path)]) == 1
    errors = [e for e in capsys.readouterr().err.splitlines() if ": error: " in e]
    assert [e.split("missing required key ")[1][:6] for e in errors] == ["'id'", "'name'",
                                                                          "'zone'"]


@pytest.mark.parametrize(("zone", "meaning"), [("GMT+8", "UTC+08:00"), ("Etc/GMT+8", "UTC-08:00")])
def test_gmt_plus_eight_is_read_as_people_write_it_and_the_posix_sign_is_warned(
        zone: str, meaning: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Guard: "GMT+8" as written by people is UTC+08:00 (README's table); the tz database's
    Etc/GMT+8 is UTC-08:00, and validate says so at the date's line."""
    path = tmp_path / "myws.toml"
    path.write_text(BASE.replace('"America/Los_Angeles"', f'"{zone}"'), encoding="utf-8")
    assert main(["validate", str(path)]) == 0
    err = capsys.readouterr().err
    warned = [w for w in err.splitlines() if ": warning: " in w]
    if zone.startswith("Etc/"):
        assert warned and warned[0].startswith(f"{path}:10: warning: dates[0].at: ")
        assert f"{zone} is {meaning}" in warned[0]
    else:
        assert warned == []
    assert main(["ask", "when is the abstract deadline?", "--schedule", str(path), "--now",
                 "2027-01-01T00:00:00Z"]) == 0
    assert meaning in capsys.readouterr().out


CONFIG_CASES = [
    ('grace = "1h"', 'grac = "1h"', "delivery.grac", ["did you mean 'grace'"]),
    ("[delivery]", "[delivry]", "delivry", ["did you mean 'delivery'"]),
    ('reminders_to = ["console:"]', 'reminder_to = ["console:"]', "schedules.0.reminder_to",
     ["did you mean 'reminders_to'"]),
    ('poll = "30s"', 'poll = 30', "delivery.poll", ["30 has no unit"]),
]


@pytest.mark.parametrize(("old", "new", "field", "words"), CONFIG_CASES,
                         ids=[c[2] for c in CONFIG_CASES])
def test_an_unknown_or_bad_key_in_the_config_is_named_at_its_line(
        old: str, new: str, field: str, words: list[str], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Guard: the config as README's "Your own workshop" makes it, with one mistake."""
    root = Path(__file__).parent.parent
    text = (root / "config.example.toml").read_text(encoding="utf-8")
    (tmp_path / "schedules").mkdir()
    shutil.copy(root / "schedules" / "aisys-sosp17.toml", tmp_path / "schedules" / "myws.toml")
    text = text.replace('path = "schedules/aisys-sosp17.toml"', 'path = "schedules/myws.toml"')
    assert old in text
    lines = text.replace(old, new, 1).splitlines()
    line = next(n for n, t in enumerate(lines, start=1) if new.splitlines()[0] in t)
    config = tmp_path / "duebot.toml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["validate", "--config", str(config)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    [error] = [e for e in err.splitlines() if ": error: " in e]
    assert error.startswith(f"{config}:{line}: error: {field}: "), error
    for word in words:
        assert word in error
