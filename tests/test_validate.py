"""``duebot validate`` through the real CLI: every error as ``FILE:LINE: error: message`` with the
right line, exit 1, all of a file's problems in one run, warnings exit 0, never a traceback."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.core.schedule import parse_schedule
from tests.lines import line_of

ROOT = Path(__file__).resolve().parent.parent
SEED_MISTAKES = Path(__file__).parent / "data" / "seed-mistakes.toml"
OUTPUT = re.compile(r"^(?P<file>[^:]+):(?:(?P<line>\d+):)? (?P<severity>error|warning): "
                    r"(?P<message>.+)$")

GOOD = """\
[event]
id = "good"
name = "Good Workshop 2017"
zone = "America/Los_Angeles"

[[dates]]
id = "paper"
title = "Paper deadline"
kind = "deadline"
at = "2017-09-10 23:59"
zone = "AoE"

[[dates]]
id = "workshop"
title = "The workshop"
kind = "event"
at = "2017-10-28"
"""


def validate(capsys: pytest.CaptureFixture[str], *files: str) -> tuple[int, list[str], str]:
    """Run ``duebot validate FILES``: exit status, the problem lines, the summary."""
    status = main(["validate", *files])
    out, err = capsys.readouterr()
    assert "Traceback" not in err + out
    problems = [line for line in err.splitlines() if line]
    for line in problems:
        assert OUTPUT.match(line), line
    return status, problems, out


def only(problems: list[str], severity: str, needle: str) -> str:
    found = [p for p in problems if f": {severity}: " in p and needle in p]
    assert len(found) == 1, problems
    return found[0]


def line_number(problem: str) -> int | None:
    match = OUTPUT.match(problem)
    assert match is not None
    return int(match["line"]) if match["line"] else None


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Work in a fresh folder so that file names print as typed."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(folder: Path, name: str, text: str) -> str:
    (folder / name).write_text(text, encoding="utf-8")
    return name


def test_a_good_schedule_passes_with_no_output_but_the_summary(
        capsys: pytest.CaptureFixture[str], here: Path) -> None:
    status, problems, out = validate(capsys, write(here, "good.toml", GOOD))
    assert (status, problems) == (0, [])
    assert out.strip() == "1 schedule checked: 0 errors, 0 warnings"


def test_the_shipped_schedule_validates_with_no_errors_and_no_warnings(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    status, problems, out = validate(capsys)
    assert (status, problems) == (0, [])
    assert "0 errors, 0 warnings" in out


# -- each error, with its line -----------------------------------------------------------------

def test_a_toml_syntax_error_names_its_line(capsys: pytest.CaptureFixture[str],
                                            here: Path) -> None:
    text = GOOD.replace('title = "Paper deadline"', 'title = "Paper deadline')
    status, problems, _ = validate(capsys, write(here, "syntax.toml", text))
    assert status == 1
    problem = only(problems, "error", "TOML syntax")
    assert line_number(problem) == line_of(text, 'title = "Paper deadline')
    assert problem.startswith("syntax.toml:")


def test_an_unterminated_string_at_the_end_names_the_last_line(
        capsys: pytest.CaptureFixture[str], here: Path) -> None:
    text = GOOD + 'description = "never closed'
    status, problems, _ = validate(capsys, write(here, "eof.toml", text))
    assert status == 1
    assert line_number(only(problems, "error", "TOML syntax")) == len(text.splitlines())


@pytest.mark.parametrize(("typo", "meant", "table"), [("tittle", "title", "dates"),
                                                      ("extended_form", "extended_from",
                                                       "dates"),
                                                      ("nme", "name", "event")])
def test_an_unknown_key_suggests_the_key_meant(capsys: pytest.CaptureFixture[str], here: Path,
                                               typo: str, meant: str, table: str) -> None:
    anchor = 'at = "2017-09-10 23:59"' if table == "dates" else 'zone = "America/Los_Angeles"'
    text = GOOD.replace(anchor, f'{anchor}\n{typo} = "2017-09-03 23:59"')
    status, problems, _ = validate(capsys, write(here, "typo.toml", text))
    assert status == 1
    problem = only(problems, "error", f"unknown key {typo!r}")
    assert f"did you mean {meant!r}?" in problem
    assert line_number(problem) == line_of(text, f"{typo} = ")


@pytest.mark.parametrize(("key", "table"), [("id", "event"), ("name", "event"),
                                            ("zone", "event"), ("id", "dates"),
                                            ("title", "dates"), ("kind", "dates"),
                                            ("at", "dates")])
def test_a_missing_required_key_is_reported_at_its_table(
        capsys: pytest.CaptureFixture[str], here: Path, key: str, table: str) -> None:
    header = "[event]" if table == "event" else "[[dates]]"
    lines = GOOD.splitlines()
    start = lines.index(header)
    # Drop the key from the first table of that name.
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("[")),
               len(lines))
    kept = [ln for i, ln in enumerate(lines)
            if not (start < i < end and ln.startswith(f"{key} = "))]
    assert len(kept) == len(lines) - 1
    text = "\n".join(kept) + "\n"
    status, problems, _ = validate(capsys, write(here, "missing.toml", text))
    assert status == 1
    problem = only(problems, "error", f"missing required key {key!r}")
    assert line_number(problem) == start + 1


def test_a_duplicate_date_id_names_both_lines(capsys: pytest.CaptureFixture[str],
                                              here: Path) -> None:
    text = GOOD.replace('id = "workshop"', 'id = "paper"')
    status, problems, _ = validate(capsys, write(here, "dup.toml", text))
    assert status == 1
    problem = only(problems, "error", "duplicate date id 'paper'")
    assert line_number(problem) == line_of(text, 'id = "paper"', occurrence=2)
    first = line_of(text, 'id = "paper"')
    assert f"first used on line {first}" in problem


def test_a_date_that_does_not_exist(capsys: pytest.CaptureFixture[str], here: Path) -> None:
    text = GOOD.replace('at = "2017-10-28"', 'at = "2026-02-30"')
    status, problems, _ = validate(capsys, write(here, "feb30.toml", text))
    assert status == 1
    problem = only(problems, "error", "'2026-02-30' is not a date")
    assert "February 2026 has 28 days" in problem
    assert line_number(problem) == line_of(text, "2026-02-30")


@pytest.mark.parametrize(("written", "said"), [
    ("2017-09-10 11:59pm", "'11:59pm' is not a time of day: write HH:MM on the 24-hour clock "
                           "(11:59pm is 23:59)"),
    ("2017-09-10 11:59 p.m. AoE", "'11:59 p.m.' is not a time of day: write HH:MM on the "
                                  "24-hour clock (11:59 p.m. is 23:59)"),
    ("2017-09-10 12am", "(12am is 00:00)"),
    ("2017-09-10 23h59", "'23h59' is not a time of day: write HH:MM on the 24-hour clock, "
                         "such as \"2017-09-10 23:59\""),
], ids=["pm", "p.m.-with-zone", "midnight", "french"])
def test_a_time_not_on_the_24_hour_clock_is_said_as_a_time_not_a_zone(
        capsys: pytest.CaptureFixture[str], here: Path, written: str, said: str) -> None:
    # It was "unknown time zone '11:59pm'", and for "11:59 p.m. AoE" "unknown time zone
    # 'p.m. AoE'": the organizer looked for a zone mistake that was not there.
    text = GOOD.replace('at = "2017-09-10 23:59"', f'at = "{written}"')
    status, problems, _ = validate(capsys, write(here, "ampm.toml", text))
    assert status == 1
    problem = only(problems, "error", said)
    assert "time zone" not in problem
    assert line_number(problem) == line_of(text, written)


@pytest.mark.parametrize(("needle", "wrong", "suggestion"), [
    ('zone = "America/Los_Angeles"', 'zone = "America/Los_Angles"', "America/Los_Angeles"),
    ('zone = "AoE"', 'zone = "Asia/Shangai"', "Asia/Shanghai"),
])
def test_an_unknown_zone_suggests_the_zone_meant(capsys: pytest.CaptureFixture[str],
                                                 here: Path, needle: str, wrong: str,
                                                 suggestion: str) -> None:
    text = GOOD.replace(needle, wrong)
    status, problems, _ = validate(capsys, write(here, "zone.toml", text))
    assert status == 1
    problem = only(problems, "error", "unknown time zone")
    assert f"did you mean {suggestion!r}?" in problem
    assert line_number(problem) == line_of(text, wrong)


def test_a_local_time_in_the_dst_gap(capsys: pytest.CaptureFixture[str], here: Path) -> None:
    text = GOOD.replace('at = "2017-09-10 23:59"\nzone = "AoE"', 'at = "2017-03-12 02:30"')
    status, problems, _ = validate(capsys, write(here, "gap.toml", text))
    assert status == 1
    problem = only(problems, "error", "2017-03-12 02:30 does not exist in America/Los_Angeles")
    assert "the clocks jump from 02:00 to 03:00 PDT" in problem
    assert "the next valid time is 03:00 PDT" in problem
    assert line_number(problem) == line_of(text, "2017-03-12 02:30")


def test_an_ambiguous_time_in_the_fold_asks_which(capsys: pytest.CaptureFixture[str],
                                                  here: Path) -> None:
    text = GOOD.replace('at = "2017-09-10 23:59"\nzone = "AoE"', 'at = "2017-11-05 01:30"')
    status, problems, _ = validate(capsys, write(here, "fold.toml", text))
    assert status == 1
    problem = only(problems, "error", "2017-11-05 01:30 happens twice in America/Los_Angeles")
    assert 'fold = "earlier" or fold = "later"' in problem
    assert "08:30 UTC (PDT)" in problem
    assert "09:30 UTC (PST)" in problem
    assert line_number(problem) == line_of(text, "2017-11-05 01:30")


@pytest.mark.parametrize(("fold", "utc"), [
    ("earlier", datetime(2017, 11, 5, 8, 30, tzinfo=UTC)),
    ("later", datetime(2017, 11, 5, 9, 30, tzinfo=UTC)),
])
def test_a_fold_with_fold_given_loads_as_that_instant(capsys: pytest.CaptureFixture[str],
                                                      here: Path, fold: str,
                                                      utc: datetime) -> None:
    text = GOOD.replace('at = "2017-09-10 23:59"\nzone = "AoE"',
                        f'at = "2017-11-05 01:30"\nfold = "{fold}"').replace("2017-10-28",
                                                                             "2017-11-28")
    status, problems, _ = validate(capsys, write(here, "fold.toml", text))
    assert (status, problems) == (0, [])
    assert parse_schedule(text).date("paper").at == utc


def test_a_bad_kind_suggests_the_kind_meant(capsys: pytest.CaptureFixture[str],
                                            here: Path) -> None:
    text = GOOD.replace('kind = "deadline"', 'kind = "deadlin"')
    status, problems, _ = validate(capsys, write(here, "kind.toml", text))
    assert status == 1
    problem = only(problems, "error", "unknown kind 'deadlin'")
    assert "did you mean 'deadline'?" in problem
    assert line_number(problem) == line_of(text, 'kind = "deadlin"')


def test_a_missing_file(capsys: pytest.CaptureFixture[str], here: Path) -> None:
    status, problems, _ = validate(capsys, "nowhere.toml")
    assert status == 1
    assert problems == ["nowhere.toml: error: no such file"]


def test_an_all_day_date_whose_midnight_is_skipped_begins_when_the_clocks_jump(
        capsys: pytest.CaptureFixture[str], here: Path) -> None:
    # Brazil started daylight time at 00:00 on 15 October 2017: that day began at 01:00 -02.
    text = GOOD.replace('at = "2017-10-28"', 'at = "2017-10-15"\nzone = "America/Sao_Paulo"')
    status, problems, _ = validate(capsys, write(here, "midnight.toml", text))
    assert status == 0, problems
    event = parse_schedule(text)
    when = next(d for d in event.dates if d.day == date(2017, 10, 15))
    assert when.starts == datetime(2017, 10, 15, 3, 0, tzinfo=UTC)
    assert when.ends == datetime(2017, 10, 16, 2, 0, tzinfo=UTC)


def test_an_empty_dates_array_names_its_line(capsys: pytest.CaptureFixture[str],
                                             here: Path) -> None:
    text = "dates = []\n" + GOOD.split("[[dates]]")[0]
    status, problems, _ = validate(capsys, write(here, "empty.toml", text))
    assert status == 1
    problem = only(problems, "error", "the schedule has no dates")
    assert line_number(problem) == 1


# -- every problem at once ---------------------------------------------------------------------

EVERYTHING_WRONG = """\
[event]
id = "x"
name = "Everything wrong"
zone = "America/Los_Angles"
venue = "Somewhere"

[[dates]]
id = "a"
tittle = "A"
kind = "deadlin"
at = "2026-02-30"

[[dates]]
id = "a"
title = "B"
kind = "deadline"
at = "2017-03-12 02:30"
zone = "America/Los_Angeles"
extended_form = "2017-03-01 02:30"

[[dates]]
id = "c"
title = "C"
kind = "deadline"
at = "2017-11-05 01:30"
zone = "America/Los_Angeles"

[[dates]]
title = "D"
"""


def test_every_error_in_a_file_is_reported_in_one_run_in_line_order(
        capsys: pytest.CaptureFixture[str], here: Path) -> None:
    text = EVERYTHING_WRONG
    status, problems, out = validate(capsys, write(here, "wrong.toml", text))
    assert status == 1
    expected = [
        (line_of(text, "America/Los_Angles"), "unknown time zone"),
        # "tittle" is one mistake: its "did you mean 'title'?" says the title is missing
        (line_of(text, "tittle"), "did you mean 'title'?"),
        (line_of(text, "deadlin\""), "did you mean 'deadline'?"),
        (line_of(text, "2026-02-30"), "February 2026 has 28 days"),
        (line_of(text, 'id = "a"', occurrence=2), "duplicate date id 'a'"),
        (line_of(text, "2017-03-12 02:30"), "does not exist"),
        (line_of(text, "extended_form"), "did you mean 'extended_from'?"),
        (line_of(text, "2017-11-05 01:30"), "happens twice"),
        (line_of(text, 'title = "D"') - 1, "missing required key 'id'"),
        (line_of(text, 'title = "D"') - 1, "missing required key 'kind'"),
        (line_of(text, 'title = "D"') - 1, "missing required key 'at'"),
    ]
    assert len(problems) == len(expected), problems
    for problem in problems:
        assert problem.startswith("wrong.toml:")
        assert ": error: " in problem
    for line, needle in expected:
        assert any(line_number(p) == line and needle in p for p in problems), (line, needle)
    assert [line_number(p) for p in problems] == sorted(line_number(p) or 0 for p in problems)
    assert f"{len(expected)} errors" in out


def test_several_files_are_all_checked_and_one_error_fails_the_run(
        capsys: pytest.CaptureFixture[str], here: Path) -> None:
    status, problems, out = validate(capsys, write(here, "good.toml", GOOD), "missing.toml",
                                     write(here, "kind.toml",
                                           GOOD.replace('"event"', '"evnt"')))
    assert status == 1
    assert [p.split(":")[0] for p in problems] == ["missing.toml", "kind.toml"]
    assert "3 schedules checked: 2 errors, 0 warnings" in out


# -- warnings ----------------------------------------------------------------------------------

def test_the_seed_mistakes_are_warnings_with_their_lines_and_exit_0(
        capsys: pytest.CaptureFixture[str], here: Path) -> None:
    text = SEED_MISTAKES.read_text(encoding="utf-8")
    status, problems, out = validate(capsys, write(here, "seed.toml", text))
    assert status == 0
    assert len(problems) == 3
    pst = line_of(text, 'zone = "PST"')
    assert problems[0] == (
        f"seed.toml:{pst}: warning: dates[0].zone: PST is UTC-08:00 but on Sunday 10 September "
        "2017 Pacific time is PDT (UTC-07:00); 23:59 PST is 00:59 PDT on Monday 11 September "
        "(2017-09-11 07:59 UTC). If Pacific local time is meant, write "
        'zone = "America/Los_Angeles" (or "PT"); if the fixed offset is meant, write "UTC-08:00"'
    )
    assert line_number(problems[1]) == line_of(text, 'at = "2016-09-20"')
    assert line_number(problems[2]) == line_of(text, 'at = "2016-10-10"')
    assert all("year 2016 stands out" in p and "2017 was probably meant" in p
               for p in problems[1:])
    assert "0 errors, 3 warnings" in out


def test_errors_and_warnings_together_exit_1(capsys: pytest.CaptureFixture[str],
                                             here: Path) -> None:
    status, problems, _ = validate(capsys, write(here, "seed.toml",
                                                 SEED_MISTAKES.read_text(encoding="utf-8")),
                                   "nowhere.toml")
    assert status == 1
    assert sum(": warning: " in p for p in problems) == 3
    assert sum(": error: " in p for p in problems) == 1


def test_quiet_leaves_out_the_summary(capsys: pytest.CaptureFixture[str], here: Path) -> None:
    assert main(["validate", "-q", write(here, "good.toml", GOOD)]) == 0
    assert capsys.readouterr().out == ""


# -- the installed command ---------------------------------------------------------------------

def test_the_installed_duebot_command_reports_and_exits_like_main(tmp_path: Path) -> None:
    duebot = Path(sys.executable).parent / "duebot"
    if not duebot.exists():
        pytest.skip("duebot is not installed in this environment")
    write(tmp_path, "wrong.toml", EVERYTHING_WRONG)
    write(tmp_path, "seed.toml", SEED_MISTAKES.read_text(encoding="utf-8"))
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run([str(duebot), "validate", "wrong.toml", "seed.toml"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60, env=env, check=False)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert all(OUTPUT.match(line) for line in lines), lines
    assert sum(line.startswith("wrong.toml:") and ": error: " in line for line in lines) == 11
    assert sum(line.startswith("seed.toml:") and ": warning: " in line for line in lines) == 3
    assert done.stdout.strip() == "2 schedules checked: 11 errors, 3 warnings"

    good = subprocess.run([str(duebot), "validate", "seed.toml"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60, env=env, check=False)
    assert good.returncode == 0


# -- --config: the operator's file too ---------------------------------------------------------

CONFIG = """\
[smtp]
host = "127.0.0.1"
sender = "Good Workshop <noreply@example.org>"

[http]
base_url = "https://dates.example.org"

[[schedules]]
path = "good.toml"
reminders_to = ["mailto:participants@example.org", "console:"]
"""


@pytest.fixture
def operator(here: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with good.toml, and an environment without duebot's or Slack's variables."""
    for name in list(os.environ):
        if name.startswith(("DUEBOT_", "SLACK_")):
            monkeypatch.delenv(name)
    write(here, "good.toml", GOOD)
    return here


def test_a_good_config_and_the_schedules_it_lists_pass(capsys: pytest.CaptureFixture[str],
                                                       operator: Path) -> None:
    status, problems, out = validate(capsys, "--config", write(operator, "duebot.toml", CONFIG))
    assert (status, problems) == (0, [])
    assert out.strip() == "1 config and 1 schedule checked: 0 errors, 0 warnings"


def test_config_errors_are_file_line_and_the_listed_schedules_are_checked_too(
        capsys: pytest.CaptureFixture[str], operator: Path) -> None:
    text = CONFIG.replace('"https://dates.example.org"', '"https://dates.example.org/?utm=1"')
    text = text.replace('"console:"', '"consol:"')
    write(operator, "good.toml", GOOD.replace('kind = "deadline"', 'kind = "deadlin"'))
    status, problems, out = validate(capsys, "--config", write(operator, "duebot.toml", text))
    assert status == 1
    base_url = only(problems, "error", "http.base_url")
    assert base_url.startswith(f"duebot.toml:{line_of(text, 'base_url')}: error: ")
    assert "a query (?...) does not belong" in base_url
    destination = only(problems, "error", "'consol:'")
    assert line_number(destination) == line_of(text, "reminders_to")
    assert "1 config and 0 schedules checked: 2 errors" in out  # a config in error lists none

    fixed = text.replace("/?utm=1", "").replace('"consol:"', '"console:"')
    status, problems, out = validate(capsys, "--config", write(operator, "duebot.toml", fixed))
    assert status == 1
    kind = only(problems, "error", "deadlin")
    assert line_number(kind) == line_of(GOOD, 'kind = "deadline"') and kind.startswith("good.toml:")
    assert out.strip() == "1 config and 1 schedule checked: 1 error, 0 warnings"


def test_what_run_checks_at_start_is_checked_by_validate_config(
        capsys: pytest.CaptureFixture[str], operator: Path) -> None:
    text = CONFIG.replace('"console:"', '"slack:#general"')
    status, problems, _ = validate(capsys, "--config", write(operator, "duebot.toml", text))
    assert status == 1
    slack = only(problems, "error", "SLACK_BOT_TOKEN")
    assert line_number(slack) == line_of(text, "reminders_to")
    # The SMTP sender as the mail channel reads it: an address without a domain is refused.
    text = CONFIG.replace("noreply@example.org", "noreply@localhost")
    status, problems, _ = validate(capsys, "--config", write(operator, "duebot.toml", text))
    assert status == 1
    sender = only(problems, "error", "smtp.sender")
    assert line_number(sender) == line_of(text, "sender") and sender.startswith("duebot.toml:")


def test_files_given_with_config_are_checked_instead_of_the_listed_ones(
        capsys: pytest.CaptureFixture[str], operator: Path) -> None:
    other = write(operator, "other.toml", GOOD.replace('id = "good"', 'id = "other"'))
    status, problems, out = validate(capsys, "--config", write(operator, "duebot.toml", CONFIG),
                                     other)
    assert (status, problems) == (0, [])
    assert out.strip() == "1 config and 1 schedule checked: 0 errors, 0 warnings"
    status, problems, _ = validate(capsys, "--config", "missing.toml")
    assert status == 1
    assert only(problems, "error", "cannot read config").startswith("missing.toml: error: ")


def test_validate_warns_of_a_config_that_lists_no_schedule(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # `run` starts on such a config and serves nothing: validate is where an organizer learns.
    config = tmp_path / "duebot.toml"
    config.write_text('[storage]\ndatabase_url = "sqlite:///x.db"\n', encoding="utf-8")
    status = main(["validate", "--config", str(config)])
    captured = capsys.readouterr()
    assert status == 0
    assert (f"{config}: warning: schedules: the config lists no schedule: `duebot run` would "
            f"answer and remind of nothing") in captured.err
    assert "0 errors, 1 warning" in captured.out
