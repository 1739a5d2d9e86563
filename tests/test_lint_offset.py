"""A numeric offset in ``at`` that contradicts the event's zone on that date is a warning."""

from __future__ import annotations

import pytest

from bot.core.lint import lint
from bot.errors import Problem
from tests.lines import line_of
from tests.test_lint import date_toml, event_toml, schedule


def the_one(warnings: list[Problem]) -> Problem:
    assert len(warnings) == 1, [str(w) for w in warnings]
    return warnings[0]


@pytest.mark.parametrize("at", ["2026-12-01T23:59:00-07:00", "2026-12-01 23:59 -07:00",
                                "2026-12-01 23:59 -0700"])
def test_pdts_offset_in_december_says_the_offsets_the_instant_and_both_fixes(at: str) -> None:
    event, text = schedule(date_toml("paper", "deadline", at))
    warning = the_one(lint(event))
    assert (warning.file, warning.line, warning.field) == ("test.toml", line_of(text, "at = "),
                                                           "dates[0].at")
    assert warning.severity == "warning"
    message = warning.message
    assert "offset -07:00 (UTC-07:00)" in message
    assert "America/Los_Angeles is PST (UTC-08:00)" in message
    assert "Tuesday 1 December 2026" in message
    assert "22:59 PST on Tuesday 1 December (2026-12-02 06:59 UTC)" in message
    assert 'write at = "2026-12-01 23:59" (the event\'s zone)' in message
    assert 'write at = "2026-12-01 22:59"' in message
    assert '"2026-12-01 23:59 UTC-07:00"' in message


def test_a_toml_offset_datetime_is_checked_too() -> None:
    text = event_toml() + '\n[[dates]]\nid = "p"\ntitle = "P"\nkind = "deadline"\n' \
        'at = 2026-12-01T23:59:00-07:00\n'
    event, _ = schedule(head=text)
    warning = the_one(lint(event))
    assert warning.line == line_of(text, "at = ")
    assert "22:59 PST" in warning.message


def test_a_zone_without_daylight_time_is_checked_too() -> None:
    event, _ = schedule(date_toml("paper", "deadline", "2026-07-01 12:00 +05:00"),
                        head=event_toml(zone="Asia/Kolkata"))
    assert "Asia/Kolkata is IST (UTC+05:30)" in the_one(lint(event)).message


def test_the_winter_offset_in_summer_is_said() -> None:
    event, _ = schedule(date_toml("paper", "deadline", "2026-07-01 12:00 +01:00"),
                        head=event_toml(zone="Europe/Berlin"))
    message = the_one(lint(event)).message
    assert "Europe/Berlin is CEST (UTC+02:00)" in message
    assert "13:00 CEST" in message


@pytest.mark.parametrize(("zone", "at", "extra"), [
    ("America/Los_Angeles", "2026-12-01 23:59 -08:00", {}),   # the zone's offset then
    ("America/Los_Angeles", "2026-07-01 23:59 -07:00", {}),
    ("America/Los_Angeles", "2026-12-01T23:59:00-08:00", {}),
    ("America/Los_Angeles", "2026-11-01 01:30 -07:00", {}),   # the first of two 01:30s
    ("America/Los_Angeles", "2026-11-01 01:30 -08:00", {}),   # the second
    ("America/Los_Angeles", "2026-12-01 23:59 America/Denver", {}),  # a zone name
    ("America/Los_Angeles", "2026-12-01 23:59 MST", {}),
    ("America/Los_Angeles", "2026-12-01 23:59 UTC-07:00", {}),  # a fixed offset in words
    ("America/Los_Angeles", "2026-12-01T23:59:00Z", {}),
    ("America/Los_Angeles", "2026-12-01 23:59 -07:00", {"zone": "America/Denver"}),
    ("UTC-07:00", "2026-12-01 23:59 -07:00", {}),             # the event's own fixed offset
    ("AoE", "2026-12-01 23:59 -12:00", {}),
    ("AoE", "2026-12-01 23:59 +05:30", {}),                   # a fixed zone: another place
    ("UTC+01:00", "2026-07-01 12:00 +02:00", {}),
    ("UTC", "2026-07-01 12:00 +02:00", {}),
])
def test_an_offset_that_agrees_or_a_zone_named_is_no_warning(
        zone: str, at: str, extra: dict[str, str]) -> None:
    event, _ = schedule(date_toml("paper", "deadline", at, **extra), head=event_toml(zone=zone))
    assert lint(event) == []


def test_an_all_day_date_with_an_offset_says_when_its_day_runs() -> None:
    event, _ = schedule(date_toml("notification", "notification", "2026-12-01 -07:00"))
    message = the_one(lint(event)).message
    assert "on Tuesday 1 December 2026 the event's zone America/Los_Angeles is PST" in message
    assert "from 23:00 PST on Monday 30 November to 23:00 PST on Tuesday 1 December" in message
    assert 'write at = "2026-12-01" (the event\'s zone)' in message
    assert 'write at = "2026-12-01 UTC-07:00"' in message
