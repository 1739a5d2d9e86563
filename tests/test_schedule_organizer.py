"""A new organizer's schedule by hand: the mistakes they make, each said at its file, line and
field with the value and what was expected; ``validate`` exits 1 on an error, never a traceback.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.core.ical import build_calendar
from bot.core.lint import lint
from bot.core.schedule import read_schedule

OUTPUT = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): (?P<severity>error|warning): "
                    r"(?P<field>[\w\[\].-]+): (?P<message>.+)$")

HEAD = """\
[event]
id = "sysml-26"
name = "Workshop on Systems for ML 2026"
zone = "{zone}"
"""
DATE = """
[[dates]]
id = "{id}"
title = "{id} deadline"
kind = "deadline"
at = "{at}"
"""


def schedule(zone: str = "America/New_York", **dates: str) -> str:
    return HEAD.format(zone=zone) + "".join(DATE.format(id=i, at=at) for i, at in dates.items())


def validate(capsys: pytest.CaptureFixture[str], path: Path) -> tuple[int, list[re.Match[str]]]:
    status = main(["validate", str(path)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    lines = [line for line in err.splitlines() if line]
    matched = [OUTPUT.match(line) for line in lines]
    assert all(matched), lines  # every problem: FILE:LINE: severity: FIELD: message
    return status, [m for m in matched if m is not None]


def test_many_first_mistakes_each_at_its_line_and_exit_1(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    text = (HEAD.format(zone="America/New_York") + 'venu = "Somewhere"\n\n[reminders]\n'
            'deadline = ["7d", "2x"]\n'
            + DATE.format(id="gap", at="2026-03-08 02:30")
            + DATE.format(id="fold", at="2026-11-01 01:30")
            + DATE.format(id="feb", at="2026-02-30 23:59")
            + '\n[[dates]]\nid = "untitled"\nkind = "deadline"\nat = "2026-04-01 23:59"\n'
            + DATE.format(id="fold", at="2026-04-02 24:00")
            + DATE.format(id="pst", at="2026-07-01 23:59 CEST"))
    path = tmp_path / "myws.toml"
    path.write_text(text, encoding="utf-8")
    status, problems = validate(capsys, path)
    assert status == 1
    got = {(int(m["line"]), m["field"]): m["message"] for m in problems}
    lines = text.splitlines()

    def line_of(needle: str, nth: int = 0) -> int:
        return [i for i, line in enumerate(lines, 1) if needle in line][nth]

    assert "did you mean 'venue'?" in got[(line_of("venu ="), "event.venu")]
    assert "'2x' is not a duration" in got[(line_of('"2x"'), "reminders.deadline")]
    assert got[(line_of("02:30"), "dates[0].at")].startswith(
        "2026-03-08 02:30 does not exist in America/New_York: the clocks jump from 02:00 to "
        "03:00 EDT")
    assert 'say which with fold = "earlier" or fold = "later"' in got[
        (line_of("01:30"), "dates[1].at")]
    assert "February 2026 has 28 days" in got[(line_of("02-30"), "dates[2].at")]
    assert "missing required key 'title'" in got[(line_of('id = "untitled"') - 1, "dates[3]")]
    assert "duplicate date id 'fold'" in got[(line_of('id = "fold"', 1), "dates[4].id")]
    cest = got[(line_of("CEST"), "dates[5].at")]
    assert "unknown time zone 'CEST'" in cest
    assert 'CEST is UTC+02:00, Central European time in summer' in cest
    assert 'write the zone of the place, such as "Europe/Paris"' in cest
    assert 'for UTC+02:00 all year, write "UTC+02:00"' in cest


def test_an_rfc3339_string_is_read_with_its_offset() -> None:
    """ "2026-05-01T23:59:00-07:00", as programs print it, was "not a date"."""
    text = schedule(a="2026-05-01T23:59:00-07:00", b="2026-05-02T06:00Z",
                    c="2026-05-03T12:00:00+0530")
    event, problems = read_schedule(text, "myws.toml")
    assert problems == []
    assert event is not None
    assert [d.at for d in event.dates] == [datetime(2026, 5, 2, 6, 59, tzinfo=UTC),
                                           datetime(2026, 5, 2, 6, 0, tzinfo=UTC),
                                           datetime(2026, 5, 3, 6, 30, tzinfo=UTC)]


def test_fold_on_a_time_that_happens_once_is_a_warning_at_its_line(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    text = schedule(once="2026-05-01 23:59", twice="2026-11-01 01:30")
    text = text.replace('at = "2026-05-01 23:59"\n', 'at = "2026-05-01 23:59"\nfold = "later"\n')
    text = text.replace('at = "2026-11-01 01:30"\n', 'at = "2026-11-01 01:30"\nfold = "later"\n')
    path = tmp_path / "myws.toml"
    path.write_text(text, encoding="utf-8")
    status, problems = validate(capsys, path)
    assert status == 0
    folds = [m for m in problems if m["field"].endswith(".fold")]
    assert [(m["severity"], m["field"], int(m["line"])) for m in folds] == [
        ("warning", "dates[0].fold", text.splitlines().index('fold = "later"') + 1)]
    assert folds[0]["message"].startswith(
        "fold has no effect: '2026-05-01 23:59' happens once in America/New_York")


def test_aoe_and_offsets_end_to_end_validate_feed_ask(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """AoE is UTC-12:00 all year; "UTC+8", "GMT+8" and "+05:30" are fixed offsets: the same
    instants in validate, the feed and ask."""
    text = schedule(zone="AoE", alpha="2026-07-01 23:59", utc8="2026-07-02 23:59 UTC+8",
                    gmt8="2026-07-03 23:59 GMT+8", ist="2026-07-04 23:59 +05:30")
    path = tmp_path / "myws.toml"
    path.write_text(text, encoding="utf-8")
    status, problems = validate(capsys, path)
    assert (status, problems) == (0, [])
    event, _ = read_schedule(text, str(path))
    assert event is not None and not lint(event)
    expected = {"alpha": "20260702T115900Z", "utc8": "20260702T155900Z",
                "gmt8": "20260703T155900Z", "ist": "20260704T182900Z"}
    assert {d.id: f"{d.at:%Y%m%dT%H%M%SZ}" for d in event.dates} == expected
    feed = build_calendar([event]).decode()
    for stamp in expected.values():
        assert f"DTSTART:{stamp}" in feed
    assert main(["ask", "when is the alpha deadline?", "--schedule", str(path), "--now",
                 "2026-06-01T00:00:00Z", "--tz", "UTC"]) == 0
    out = capsys.readouterr().out
    assert "Thursday 2 July 2026, 11:59 UTC" in out
    assert "Wednesday 1 July 2026, 23:59 AoE" in out


def test_a_first_deadline_a_year_early_is_a_warning_at_its_line(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """2018-07-31 before 2019-09-09 and 2019-10-24: in order, but 404 days before the others and
    40 in 2019; it used to pass without a word because 2019-07-31 is not inside their span."""
    text = schedule(zone="America/New_York", paper="2018-07-31 23:59",
                    camera="2019-09-30 17:00") + (
        '\n[[dates]]\nid = "workshop"\ntitle = "Workshop"\nkind = "event"\nat = "2019-10-24"\n')
    path = tmp_path / "myws.toml"
    path.write_text(text, encoding="utf-8")
    status, problems = validate(capsys, path)
    assert status == 0
    assert [(int(m["line"]), m["field"]) for m in problems] == [
        (text.splitlines().index('at = "2018-07-31 23:59"') + 1, "dates[0].at")]
    assert problems[0]["message"].startswith("year 2018 stands out: ")
    assert '2019 was probably meant (at = "2019-07-31 23:59")' in problems[0]["message"]


def test_2400_is_the_end_of_a_day_whose_next_midnight_is_skipped(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Santiago starts summer time at 00:00 on 6 September 2026: "2026-09-05 24:00" is the end of
    5 September (04:00 UTC, when the clocks jump), not "2026-09-06 00:00 does not exist"."""
    text = schedule(zone="America/Santiago", paper="2026-09-05 24:00")
    event, problems = read_schedule(text, "myws.toml")
    assert problems == []
    assert event is not None
    assert event.date("paper").at == datetime(2026, 9, 6, 4, 0, tzinfo=UTC)
    path = tmp_path / "myws.toml"
    path.write_text(text, encoding="utf-8")
    assert validate(capsys, path) == (0, [])


# --- a new folder: "duebot import-cfp call.md -o schedules/myws.toml", then validate -------------

def test_a_missing_schedules_folder_is_said_with_its_fix_and_validate_names_a_fallback(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a fresh folder, `-o schedules/myws.toml` failed with "cannot write: No such file or
    directory" alone, and a bare `validate` checked duebot's own example without saying so."""
    call = Path(__file__).parent / "cfps" / "wrong-year.md"
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    assert main(["validate"]) == 0
    err = capsys.readouterr().err
    assert "no schedules/ folder here: checking duebot's own " in err
    assert "aisys-sosp17.toml; pass FILES or --config FILE for yours" in err
    monkeypatch.chdir(tmp_path)
    assert main(["import-cfp", str(call), "-o", "schedules/myws.toml"]) == 1
    assert ("schedules/myws.toml: error: cannot write: No such file or directory (the folder "
            "'schedules' does not exist: mkdir -p schedules first)") in capsys.readouterr().err
    (tmp_path / "schedules").mkdir()
    assert main(["import-cfp", str(call), "-o", "schedules/myws.toml"]) == 0
    assert (tmp_path / "schedules" / "myws.toml").is_file()
    capsys.readouterr()
    assert main(["validate"]) == 0
    out, err = capsys.readouterr()
    assert "no schedules/ folder here" not in err
    assert out.startswith("1 schedule checked: 0 errors")


def test_a_wrong_event_zone_does_not_hide_the_dates_other_mistakes(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """With `zone = "America/Los Angeles"` the dates that use it were skipped: their own
    mistakes (an all-day `at` with a timed `end`) only showed after the zone was fixed."""
    text = (HEAD.format(zone="America/Los Angeles") + '\n[[dates]]\nid = "ws"\ntitle = "W"\n'
            'kind = "event"\nat = "2026-03-01"\nend = "2026-03-02 18:00"\n')
    path = tmp_path / "myws.toml"
    path.write_text(text, encoding="utf-8")
    status, problems = validate(capsys, path)
    assert status == 1
    assert [(m["field"], int(m["line"])) for m in problems] == [("event.zone", 4),
                                                                ("dates[0].end", 11)]
    assert "did you mean 'America/Los_Angeles'?" in problems[0]["message"]
    assert "must both have a time of day, or both be all-day dates" in problems[1]["message"]


def test_a_date_written_another_way_is_told_its_spelling_here() -> None:
    cases = {
        "2026/03/01 23:59": 'write "2026-03-01 23:59"',
        "25/03/2026 23:59": 'write "2026-03-25 23:59"',
        "01/03/2026": '"01/03/2026" is March 1 or January 3: write "2026-03-01" or "2026-01-03"',
        "March 3, 2026 23:59 AoE": 'write "2026-03-03 23:59 AoE"',
        "3 Sept 2026": 'write "2026-09-03"',
    }
    for written, told in cases.items():
        _, problems = read_schedule(schedule(a=written), "myws.toml")
        assert len(problems) == 1, (written, problems)
        message = problems[0].message
        assert message.startswith(f"'{written}' is not a date: expected \"YYYY-MM-DD HH:MM"), \
            message
        assert message.endswith(told), (written, message)


def test_pst_slash_pdt_is_pacific_local_time_and_no_legacy_name_is_suggested() -> None:
    event, problems = read_schedule(schedule(a="2026-07-01 23:59 PST/PDT",
                                             b="2026-01-10 23:59 EST/EDT"), "myws.toml")
    assert problems == [] and event is not None
    assert [d.at for d in event.dates] == [datetime(2026, 7, 2, 6, 59, tzinfo=UTC),
                                           datetime(2026, 1, 11, 4, 59, tzinfo=UTC)]
    assert lint(event) == []  # both seasons named: no "PST in daylight time"
    _, problems = read_schedule(schedule(a="2026-07-01 23:59 PST EDT"), "myws.toml")
    assert "PST8PDT" not in problems[0].message and "EST5EDT" not in problems[0].message


@pytest.mark.parametrize(("text", "field", "expected"), [
    ('event = "ws-27"\n' + DATE.format(id="paper", at="2027-01-20 23:59"), "event",
     "event must be a table, [event] with id, name and zone; got 'ws-27'"),
    ('[[event]]\nid = "ws"\nname = "W"\nzone = "UTC"\n' + DATE.format(id="p", at="2027-01-20"),
     "event", "event must be a table, [event] with id, name and zone; got a list (write [event], "
     "once, not [[event]])"),
    (HEAD.format(zone="UTC") + 'submission = "HotCRP"\n' + DATE.format(id="p", at="2027-01-20"),
     "event.submission", None),
])
def test_an_event_that_is_not_a_table_is_said_at_its_line_with_what_it_holds(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, field: str,
        expected: str | None) -> None:
    """`event = "ws-27"` was "missing the [event] table", with no line, as if none were written."""
    path = tmp_path / "myws.toml"
    path.write_text(text, encoding="utf-8")
    status, problems = validate(capsys, path)
    assert status == 1
    if expected is None:  # inside [event]: an unknown key of it, at its line
        assert [(m["line"], m["field"]) for m in problems] == [("5", field)], problems
        return
    assert [(m["line"], m["field"], m["message"]) for m in problems] == [
        ("1", field, expected)], [m.string for m in problems]


def test_extended_false_beside_extended_from_is_an_error_at_its_line(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """The two said opposite things and the date was shown "(extended)", silently."""
    text = (HEAD.format(zone="Europe/Zurich") + DATE.format(id="cr", at="2027-11-05 23:59")
            + 'extended = false\nextended_from = "2027-11-01 23:59"\n')
    path = tmp_path / "myws.toml"
    path.write_text(text, encoding="utf-8")
    status, problems = validate(capsys, path)
    assert status == 1
    assert [(m["line"], m["field"], m["message"]) for m in problems] == [
        (str(text.splitlines().index("extended = false") + 1), "dates[0].extended",
         "extended = false, but extended_from gives the time before the extension: remove "
         "one of them")]
