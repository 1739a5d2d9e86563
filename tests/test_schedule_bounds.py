"""Schedule values that later stages cannot handle are rejected by ``validate`` at their line.

Each case once passed ``validate`` and then crashed delivery, the feed or the page (a year 9999
overflowed at delivery time, a URL with a line break broke every ``ics``), or crashed
``validate`` itself with a traceback. The accepted extremes are run through the later stages.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.ask import answer
from bot.core.ical import build_calendar
from bot.core.page import page_view
from bot.core.planner import plan
from bot.core.render import reminder_context
from bot.core.schedule import (
    FIRST_YEAR,
    LAST_YEAR,
    MAX_DURATION,
    parse_duration,
    parse_schedule,
    read_schedule,
)
from bot.core.timefmt import describe
from bot.core.zones import parse_zone
from tests.test_validate import line_number, line_of, only, validate, write

HEAD = """\
[event]
id = "b"
name = "Bounds 2030"
zone = "America/Los_Angeles"
"""


def one_date(at: str, extra: str = "") -> str:
    return (f'{HEAD}\n[[dates]]\nid = "d"\ntitle = "D"\nkind = "deadline"\nat = {at}\n'
            f"{extra}")


def problems_of(text: str) -> list[str]:
    event, problems = read_schedule(text, "b.toml")
    assert event is None, "expected the schedule to be refused"
    return [str(p) for p in problems]


@pytest.mark.parametrize("at", [
    '"9999-12-31 24:00"', '"0001-01-01 00:00"', '"2101-01-01"', '"1969-12-31 23:59"',
    "9999-12-31T23:59:00", "0001-01-01T00:00:00+05:00", "9999-12-31T23:00:00-05:00",
    "9999-12-31", '"9999-12-31 23:59 UTC+14:00"',
])
def test_years_outside_1970_to_2100_are_errors_at_their_line(at: str) -> None:
    text = one_date(at)
    [problem] = problems_of(text)
    assert problem.startswith(f"b.toml:{line_of(text, 'at = ')}: error: dates[0].at: ")
    assert "is out of range; duebot reads dates from 1970 to 2100" in problem


@pytest.mark.parametrize("key", ["end", "extended_from"])
def test_end_and_extended_from_have_the_same_bounds(key: str) -> None:
    text = one_date('"2030-01-10 12:00"', f'{key} = "9999-01-01 00:00"\n')
    [problem] = problems_of(text)
    assert f":{line_of(text, key)}: error: dates[0].{key}: " in problem
    assert "year 9999 is out of range" in problem


def test_an_announcement_at_year_9999_is_an_error() -> None:
    text = one_date('"2030-01-10 12:00"') + (
        '\n[[announcements]]\nid = "a"\nat = "9999-12-31T00:00:00+00:00"\ntext = "hi"\n')
    [problem] = problems_of(text)
    assert "announcements[0].at" in problem and "year 9999 is out of range" in problem


@pytest.mark.parametrize(("at", "zone"), [
    ('"2100-12-31 24:00"', "Pacific/Kiritimati"),
    ('"1970-01-01 00:00"', "Pacific/Kiritimati"),
    ('"1970-01-01"', "America/Adak"),
    ('"2100-12-31"', "Etc/GMT+12"),
])
def test_the_extreme_years_go_through_planning_the_feed_and_the_page(at: str, zone: str
                                                                      ) -> None:
    text = one_date(at, f'zone = "{zone}"\nreminders = ["{MAX_DURATION.days}d", "1h"]\n')
    event = parse_schedule(text, "b.toml")
    reminders = plan(event)
    assert [r.lead for r in reminders] == [MAX_DURATION, timedelta(hours=1)]
    assert all(r.due < r.target for r in reminders)
    assert b"BEGIN:VEVENT" in build_calendar([event])
    for now in (datetime(1970, 1, 1, tzinfo=UTC), datetime(2101, 1, 1, tzinfo=UTC)):
        assert page_view([event], now, "https://example.org").events
        assert "D" in answer("when is the deadline?", event, now=now,
                             reader=parse_zone("Pacific/Pago_Pago")).text
        for when in event.dates:
            assert describe(when, now, parse_zone("Asia/Tokyo")).sentence()
            for reminder in reminders:
                assert reminder_context(event, when, reminder, now=now)


@pytest.mark.parametrize("value", ["99999999999d", "1000000w", "3651d", "521w 4d",
                                   "9" * 5000 + "s", "87601h"])
def test_durations_beyond_ten_years_are_refused(value: str) -> None:
    with pytest.raises(ValueError, match="is too long: durations run up to 3650d"):
        parse_duration(value)


@pytest.mark.parametrize("value", ["3650d", "520w", "87600h", "0000000000007d"])
def test_durations_up_to_ten_years_are_read(value: str) -> None:
    assert parse_duration(value) <= MAX_DURATION


@pytest.mark.parametrize(("where", "field"), [
    ('reminders = ["1000000w"]\n', "dates[0].reminders"),
    ('reminders = ["99999999999d"]\n', "dates[0].reminders"),
])
def test_huge_reminders_of_a_date_are_errors_at_their_line(where: str, field: str) -> None:
    text = one_date('"2030-01-10 12:00"', where)
    [problem] = problems_of(text)
    assert f":{line_of(text, 'reminders')}: error: {field}: " in problem
    assert "too long" in problem


@pytest.mark.parametrize("line", ['deadline = ["99999999999d"]', 'final_call = "99999999999d"',
                                  'grace = "99999999999d"', 'event = ["1000000w"]'])
def test_huge_policy_durations_are_errors_at_their_line(line: str) -> None:
    text = HEAD + f"\n[reminders]\n{line}\n" + one_date('"2030-01-10 12:00"')[len(HEAD):]
    [problem] = problems_of(text)
    assert f"b.toml:{line_of(text, line)}: error: reminders.{line.split()[0]}: " in problem
    assert "too long" in problem


@pytest.mark.parametrize(("value", "reason"), [
    ('"https://example.org/a\\nb"', "cannot contain spaces, line breaks"),
    ('"https://example.org/a\\rb"', "cannot contain spaces, line breaks"),
    ('"https://example.org/a b"', "cannot contain spaces, line breaks"),
    ('"https://example.org/\\u0000"', "control characters"),
    ('"javascript:alert(1)"', "only https:// and http:// links are allowed, not javascript:"),
    ('"data:text/html,hi"', "not data:"),
    ('"www.example.org/cfp"', 'expected "https://www.example.org/cfp"'),
    ('"/submit"', "is not an absolute URL"),
])
def test_urls_that_links_mail_and_feeds_cannot_carry_are_errors(value: str, reason: str
                                                                ) -> None:
    text = one_date('"2030-01-10 12:00"', f"url = {value}\n")
    [problem] = problems_of(text)
    assert f"b.toml:{line_of(text, 'url = ')}: error: dates[0].url: " in problem
    assert reason in problem


@pytest.mark.parametrize(("table", "key", "field"), [
    ("event", "url", "event.url"), ("submission", "url", "submission.url"),
    ("submission", "template_url", "submission.template_url"),
    ("contact", "url", "contact.url"),
])
def test_every_url_field_is_checked(table: str, key: str, field: str) -> None:
    body = one_date('"2030-01-10 12:00"')
    if table == "event":
        text = body.replace('zone = "America/Los_Angeles"\n',
                            'zone = "America/Los_Angeles"\nurl = "https://a\\nb"\n')
    else:
        text = body + f'\n[{table}]\n{key} = "https://a\\nb"\n'
    [problem] = problems_of(text)
    assert f":{line_of(text, 'https://a')}: error: {field}: " in problem


def test_a_good_url_is_kept() -> None:
    event = parse_schedule(one_date('"2030-01-10 12:00"', 'url = "HTTPS://Example.org/a?b=1"\n'),
                           "b.toml")
    assert event.dates[0].url == "HTTPS://Example.org/a?b=1"


def test_validate_reports_every_bound_at_once_without_a_traceback(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    text = (one_date('"9999-12-31 24:00"', 'url = "https://a\\nb"\nreminders = ["1000000w"]\n')
            + '\n[[dates]]\nid = "e"\ntitle = "E"\nkind = "event"\nat = "0001-01-01"\n')
    status, problems, _ = validate(capsys, write(tmp_path, "all.toml", text))
    assert status == 1
    assert line_number(only(problems, "error", "year 9999")) == line_of(text, "9999-12-31")
    assert line_number(only(problems, "error", "year 1 ")) == line_of(text, "0001-01-01")
    assert line_number(only(problems, "error", "line breaks")) == line_of(text, "url = ")
    assert line_number(only(problems, "error", "too long")) == line_of(text, "reminders = ")


def test_the_bounds_are_the_documented_ones() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert (FIRST_YEAR, LAST_YEAR) == (1970, 2100)
    assert f"from {FIRST_YEAR} to {LAST_YEAR}" in readme
    assert f"{MAX_DURATION.days}d" in readme


@pytest.mark.parametrize(("extra", "field"), [
    ("sequence = 99999999999999999999", "dates[0].sequence"),
    ("sequence = -1", "dates[0].sequence"),
])
def test_huge_numbers_are_errors_at_their_line(extra: str, field: str) -> None:
    text = one_date('"2030-01-10 12:00"', extra + "\n")
    [problem] = problems_of(text)
    assert f":{line_of(text, extra)}: error: {field}: expected a whole number" in problem


def test_a_huge_page_limit_is_an_error() -> None:
    text = one_date('"2030-01-10 12:00"') + "\n[submission]\npage_limit = 10000000000\n"
    [problem] = problems_of(text)
    assert f":{line_of(text, 'page_limit')}: error: submission.page_limit: " in problem


@pytest.mark.parametrize("depth", [2000, 100_000])
def test_deeply_nested_arrays_are_an_error_at_their_line(depth: int) -> None:
    text = one_date('"2030-01-10 12:00"') + "description = " + "[" * depth + "]" * depth + "\n"
    [problem] = problems_of(text)
    assert problem.startswith(f"b.toml:{line_of(text, 'description')}: error: arrays or inline "
                              f"tables nested too deeply")


def test_nesting_that_tomllib_reads_is_reported_briefly() -> None:
    text = one_date('"2030-01-10 12:00"') + f"title = {'[' * 200}1{']' * 200}\n"
    text = text.replace('title = "D"\n', "")
    [problem] = problems_of(text)
    assert "expected text" in problem and len(problem) < 400
