"""README's "Your own workshop", step by step, on a call of a new organizer's (Sydney, across
both of 2027's clock changes): import-cfp, validate --config, reminders --now, ask --config."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli.main import main

ROOT = Path(__file__).parent.parent
CALL = ROOT / "tests" / "cfps" / "organizer" / "sydney-dst.md"


def test_reminders_take_now_as_the_readme_says_and_keep_wall_clock_days(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """`reminders --now` was refused ("unrecognized arguments") though the README lists it
    among the commands that rehearse."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "schedules").mkdir()
    config = (ROOT / "config.example.toml").read_text(encoding="utf-8").replace(
        'path = "schedules/aisys-sosp17.toml"', 'path = "schedules/myws.toml"')
    Path("duebot.toml").write_text(config, encoding="utf-8")
    assert main(["import-cfp", str(CALL), "-o", "schedules/myws.toml"]) == 0
    assert main(["validate", "--config", "duebot.toml"]) == 0
    capsys.readouterr()
    assert main(["reminders", "--config", "duebot.toml", "--now", "2027-03-01T00:00:00Z",
                 "--json"]) == 0
    due = {r["id"].split("/", 1)[1]: r["due_utc"]
           for r in json.loads(capsys.readouterr().out)["reminders"]}
    # Full papers: Friday 9 April 2027 23:59 AEST (UTC+10); seven days before is Friday
    # 2 April 23:59 on Sydney's clock, still AEDT (UTC+11): 12:59 UTC, not 13:59.
    assert due["full-papers/7d"] == "2027-04-02T12:59:00Z"
    assert due["full-papers/1d"] == "2027-04-08T13:59:00Z"
    # The workshop, Friday 8 October (AEDT from 3 October): 7 days before is 1 October 00:00
    # AEST, 14:00 UTC on 30 September.
    assert due["workshop/7d"] == "2027-09-30T14:00:00Z"
    # --now leaves out what is past by then; --from still wins when both are given.
    assert main(["reminders", "--config", "duebot.toml", "--now", "2027-04-05T00:00:00Z",
                 "--json"]) == 0
    later = {r["id"].split("/", 1)[1] for r in json.loads(capsys.readouterr().out)["reminders"]}
    assert "abstracts/1d" not in later and "full-papers/1d" in later
    assert main(["reminders", "--config", "duebot.toml", "--now", "2027-04-05T00:00:00Z",
                 "--from", "2027-01-01T00:00:00Z", "--json"]) == 0
    both = {r["id"].split("/", 1)[1] for r in json.loads(capsys.readouterr().out)["reminders"]}
    assert "abstracts/1d" in both
    assert main(["reminders", "--config", "duebot.toml", "--now", "2027-04-05"]) == 1
    err = capsys.readouterr().err
    assert "--now '2027-04-05': expected an instant with its zone" in err
    assert "Traceback" not in err

    assert main(["ask", "when is the paper deadline?", "--config", "duebot.toml", "--tz",
                 "Asia/Shanghai", "--now", "2027-03-01T00:00:00Z"]) == 0
    answer = capsys.readouterr().out
    assert "21:59" in answer and "23:59 AEST" in answer  # 23:59 AEST is 21:59 in Beijing


def test_extend_and_cancel_date_say_what_they_did_to_announcements_of_that_date(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """An announcement at "notification+1h" was cancelled by `cancel-date notification`, and
    one at "abstracts-2d" moved by `extend abstracts`, while the command said only "0 unsent
    reminder(s) re-timed, 0 cancelled"."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "schedules").mkdir()
    config = (ROOT / "config.example.toml").read_text(encoding="utf-8").replace(
        'path = "schedules/aisys-sosp17.toml"', 'path = "schedules/myws.toml"')
    Path("duebot.toml").write_text(config, encoding="utf-8")
    assert main(["import-cfp", str(CALL), "-o", "schedules/myws.toml"]) == 0
    now = ["--now", "2027-03-01T00:00:00Z", "--config", "duebot.toml"]
    assert main(["announce", "--at", "notification+1h", "--text", "Decisions are out.",
                 *now]) == 0
    assert main(["announce", "--at", "abstracts-2d", "--text", "Two days left.", *now]) == 0
    capsys.readouterr()
    # Abstracts move from Friday 2 April (AEDT) to Monday 5 April 23:59 (AEST, the clocks went
    # back on the 4th): two days before is Saturday 3 April 23:59, still AEDT: 12:59 UTC.
    assert main(["extend", "abstracts", "2027-04-05 23:59", *now]) == 0
    out = capsys.readouterr().out
    assert "announcement a2: re-timed to Saturday 3 April 2027, 23:59 AEDT (2027-04-03 12:59 " \
           "UTC)" in out, out
    assert "a1" not in out
    assert main(["cancel-date", "notification", *now]) == 0
    out = capsys.readouterr().out
    assert "announcement a1: cancelled" in out and "a2" not in out
