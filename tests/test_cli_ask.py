"""`duebot ask` end to end: the answer a participant sees, and the JSON a front end reads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli.main import main

SHIPPED = str(Path(__file__).resolve().parent.parent / "schedules" / "aisys-sosp17.toml")
NOW = ["--now", "2017-09-01T12:00:00Z"]


def test_ask_deadline_from_shanghai(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["ask", "when is the deadline?", "--schedule", SHIPPED, *NOW,
                   "--tz", "Asia/Shanghai"])
    out = capsys.readouterr().out
    assert status == 0
    assert "Monday 11 September 2017, 14:59 CST (Asia/Shanghai, UTC+08:00)" in out
    assert "Sunday 10 September 2017, 23:59 PDT (America/Los_Angeles, UTC-07:00)" in out
    assert "(9 days 18 hours from now)" in out


def test_ask_json_lists_exactly_the_dates_spoken_of(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["ask", "whens", "the", "dealine", "--schedule", SHIPPED, *NOW,
                   "--tz", "AoE", "--json"])
    payload = json.loads(capsys.readouterr().out)
    assert status == 0
    assert payload["intent"] == "deadline"
    assert payload["question"] == "whens the dealine"
    assert [d["id"] for d in payload["dates"]] == ["abstract"]
    assert payload["dates"][0]["at_utc"] == "2017-09-11T06:59:00Z"
    assert "Sunday 10 September 2017, 18:59 AoE" in payload["answer"]


def test_ask_json_for_logistics_has_no_dates(capsys: pytest.CaptureFixture[str]) -> None:
    main(["ask", "is it double blind", "--schedule", SHIPPED, *NOW, "--json"])
    payload = json.loads(capsys.readouterr().out)
    assert payload["intent"] == "anonymize"
    assert payload["dates"] == []


def test_ask_answers_from_the_schedule_a_config_lists(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    # An organizer whose config lives beside their own schedule asks as `reminders --config`
    # and `ics --config` read: the schedule the config lists, not the shipped one.
    (tmp_path / "ws.toml").write_text(
        '[event]\nid = "ws27"\nname = "WS 2027"\nzone = "Europe/Lisbon"\n\n'
        '[[dates]]\nid = "paper"\ntitle = "Full paper"\nkind = "deadline"\n'
        'at = "2027-02-19 23:59 AoE"\n', encoding="utf-8")
    config = tmp_path / "duebot.toml"
    config.write_text('[[schedules]]\npath = "ws.toml"\n', encoding="utf-8")
    status = main(["ask", "when is the paper deadline?", "--config", str(config),
                   "--now", "2027-02-10T12:00:00Z"])
    out = capsys.readouterr().out
    assert status == 0
    assert "Friday 19 February 2027, 23:59 AoE" in out


def test_ask_with_a_config_of_two_schedules_says_to_pick_one(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "duebot.toml"
    config.write_text(f'[[schedules]]\npath = "{SHIPPED}"\n\n[[schedules]]\npath = "{SHIPPED}"\n',
                      encoding="utf-8")
    status = main(["ask", "when?", "--config", str(config)])
    err = capsys.readouterr().err
    assert status == 1
    assert f"{config}: error: the config lists 2 schedules" in err
    assert "--schedule FILE" in err


@pytest.mark.parametrize(("tz", "said"), [
    ("Beijing", "Monday 11 September 2017, 14:59 CST (Asia/Shanghai, UTC+08:00)"),
    ("北京", "Monday 11 September 2017, 14:59 CST (Asia/Shanghai, UTC+08:00)"),
    ("Paris", "Monday 11 September 2017, 08:59 CEST (Europe/Paris, UTC+02:00)"),
])
def test_tz_takes_a_city_as_a_question_names_it(tz: str, said: str,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    # `ask "when is the deadline in Beijing?"` reads the city; `--tz Beijing` was refused.
    status = main(["ask", "when is the deadline?", "--schedule", SHIPPED, *NOW, "--tz", tz])
    assert status == 0
    assert said in capsys.readouterr().out


def test_tz_that_is_no_zone_and_no_place_is_still_refused(
        capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["ask", "when?", "--schedule", SHIPPED, *NOW, "--tz", "PST8"])
    assert status == 1
    assert capsys.readouterr().err.startswith("duebot: error: --tz: unknown time zone 'PST8'")


def test_tz_of_a_country_with_several_zones_names_them(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "when?", "--schedule", SHIPPED, *NOW, "--tz", "US"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("duebot: error: --tz: unknown time zone 'US'")
    assert "US has several zones, among them America/New_York" in err
