"""Countdowns over a change of clocks: days counted on the calendar of the date's zone.

A 1d reminder is due at the same wall time the day before (bot.core.planner); on the day
Lisbon springs forward that is 23 hours before, and people still read it as "1 day". Under a
day the countdown stays the exact time left.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.adapters.template_files import load_templates
from bot.core.model import Event
from bot.core.page import date_view
from bot.core.planner import plan
from bot.core.render import Renderer
from bot.core.schedule import parse_schedule
from bot.core.timefmt import calendar_delta, countdown, describe, relative
from bot.core.zones import UTC_ZONE, parse_zone

LISBON = parse_zone("Europe/Lisbon")

SCHEDULE = """\
[event]
id = "lis"
name = "Lisbon Workshop"
zone = "Europe/Lisbon"

[reminders]
deadline = ["7d", "1d", "3h"]

[[dates]]
id = "spring"
title = "Paper deadline"
kind = "deadline"
at = "2027-03-28 12:00"

[[dates]]
id = "autumn"
title = "Late deadline"
kind = "deadline"
at = "2027-10-31 12:00"

[[dates]]
id = "night"
title = "Night deadline"
kind = "deadline"
at = "2027-03-28 03:00"

[[dates]]
id = "ordinary"
title = "Ordinary deadline"
kind = "deadline"
at = "2027-05-12 12:00"
"""


@pytest.fixture(scope="module")
def event() -> Event:
    return parse_schedule(SCHEDULE, "lis.toml")


def z(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


@pytest.mark.parametrize(("later", "earlier", "said"), [
    # Spring forward (28 March 2027, 01:00Z): noon to noon is 23 or 167 hours, yet 1 / 7 days.
    ("2027-03-28T12:00+01:00", "2027-03-27T12:00Z", "1 day"),
    ("2027-03-28T12:00+01:00", "2027-03-21T12:00Z", "7 days"),
    # Fall back (31 October 2027, 01:00Z): 25 hours, still 1 day.
    ("2027-10-31T12:00Z", "2027-10-30T12:00+01:00", "1 day"),
    ("2027-10-31T12:00Z", "2027-10-24T12:00+01:00", "7 days"),
    # From a day on, the rest is the wall clock's: 09:00 to 12:00 next day is 1 day 3 hours.
    ("2027-03-28T12:00+01:00", "2027-03-27T09:00Z", "1 day 3 hours"),
    # Under a day the time is exact: 23:00 to 03:00 over the gap is 3 hours, not 4.
    ("2027-03-28T03:00+01:00", "2027-03-27T23:00Z", "3 hours"),
    ("2027-03-28T12:00+01:00", "2027-03-27T12:01Z", "22 hours 59 minutes"),
    # ...but never "1 day" for less than one on the calendar (24 h 59 min over the fold).
    ("2027-10-31T12:00Z", "2027-10-30T12:01+01:00", "23 hours 59 minutes"),
    # An ordinary week: as it always was.
    ("2027-05-12T12:00+01:00", "2027-05-03T09:30+01:00", "9 days 2 hours"),
])
def test_calendar_delta_counts_days_on_the_zones_calendar(later: str, earlier: str,
                                                          said: str) -> None:
    assert countdown(calendar_delta(z(later), z(earlier), LISBON)) == said
    # Backwards (a date that passed) reads the same.
    assert countdown(calendar_delta(z(earlier), z(later), LISBON)) == said


def test_ordinary_days_are_the_elapsed_time_itself() -> None:
    start = z("2027-05-01T00:00Z")
    for hours in range(0, 24 * 40, 7):
        later = start + timedelta(hours=hours, minutes=13)
        assert calendar_delta(later, start, LISBON) == later - start
    # A fixed zone never differs from elapsed time, even over Lisbon's change.
    assert calendar_delta(z("2027-03-28T12:00+01:00"), z("2027-03-27T12:00Z"),
                          UTC_ZONE) == timedelta(hours=23)


def test_reminder_subjects_say_1_day_and_7_days_over_both_changes(event: Event) -> None:
    renderer = Renderer(load_templates())
    subjects = {r.id: renderer.reminder(event, r).subject for r in plan(event)}
    assert "Paper deadline in 7 days (" in subjects["lis/spring/7d"]
    assert "Paper deadline in 1 day (" in subjects["lis/spring/1d"]
    assert "Late deadline in 7 days (" in subjects["lis/autumn/7d"]
    assert "Late deadline in 1 day (" in subjects["lis/autumn/1d"]
    # An hours lead over the gap stays the hours it is.
    assert "Night deadline in 3 hours (" in subjects["lis/night/3h"]
    assert "Ordinary deadline in 1 day (" in subjects["lis/ordinary/1d"]
    text = renderer.reminder(event, next(r for r in plan(event) if r.id == "lis/spring/1d"),
                             now=z("2027-03-27T12:00Z")).text
    assert "1 day from now" in text


def test_answers_and_the_page_count_calendar_days(event: Event) -> None:
    spring = event.date("spring")
    autumn = event.date("autumn")
    assert describe(spring, z("2027-03-27T12:00Z")).relation == "1 day from now"
    assert describe(autumn, z("2027-10-30T12:00+01:00")).relation == "1 day from now"
    reader = parse_zone("Asia/Shanghai")  # the reader's zone does not change the count
    assert describe(spring, z("2027-03-21T12:00Z"), reader).relation == "7 days from now"
    assert relative(spring.ends, z("2027-03-27T12:00Z"), zone=LISBON) == "1 day from now"
    # Without a zone, relative is the elapsed time, as before.
    assert relative(spring.ends, z("2027-03-27T12:00Z")) == "23 hours from now"
    view = date_view(event, spring, z("2027-03-29T12:00+01:00"), "https://x")
    assert view.relation == "passed 1 day ago"
    assert date_view(event, autumn, z("2027-10-24T12:00+01:00"), "https://x").relation == \
        "7 days from now"
    assert view.calendar_zone == "Europe/Lisbon"
