"""A reminder says each clock once: the date's zone, UTC where it reads otherwise, the reader's
zone where it reads unlike both.

A deadline given in UTC once came with "In UTC: ..." repeating the line above it word for
word; so did Europe/London in winter (GMT is UTC's clock), a reader in UTC, and a reader in
Asia/Shanghai of a date given as ``UTC+08:00``. Reminders in zones whose clocks differ keep
every line.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from bot.adapters.template_files import load_templates
from bot.app import announce
from bot.core.language import ENGLISH
from bot.core.model import Announcement, Event
from bot.core.planner import Reminder, plan
from bot.core.render import Renderer, late_note, moment_text
from bot.core.schedule import parse_schedule
from bot.core.zones import UTC_ZONE, Zone, parse_zone

# (zone as the schedule writes it, local time): winter and summer where the zone has both.
DATES = [
    ("UTC", "2027-03-01 12:00"),
    ("Europe/London", "2027-01-15 12:00"),   # GMT: UTC's clock
    ("Europe/London", "2027-07-15 12:00"),   # BST: an hour ahead
    ("AoE", "2027-03-01 23:59"),
    ("UTC+05:30", "2027-03-01 23:59"),
    ("-03:00", "2027-03-01 23:59"),
    ("UTC+08:00", "2027-03-01 23:59"),
    ("Asia/Shanghai", "2027-03-01 23:59"),
    ("Europe/Berlin", "2027-03-28 12:00"),   # the first day of summer time
    ("America/New_York", "2040-07-01 23:59"),
]
READERS = [None, "UTC", "Europe/London", "Asia/Shanghai", "America/Los_Angeles", "UTC+08:00"]


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer(load_templates())


def _event(zone: str, at: str) -> Event:
    return parse_schedule(f"""
[event]
id = "clocks"
name = "Clocks Workshop"
zone = "{zone}"

[contact]
email = "chairs@example.org"

[reminders]
deadline = ["1d"]

[[dates]]
id = "paper"
title = "Paper deadline"
kind = "deadline"
at = "{at}"
""")


def _reminder(event: Event) -> Reminder:
    return next(r for r in plan(event) if r.date_id == "paper")


def _offsets(zones: list[Zone], instant: datetime) -> set[timedelta | None]:
    return {z.local(instant).utcoffset() for z in zones}


@pytest.mark.parametrize(("zone", "at", "reader"),
                         [(z, a, r) for (z, a), r in itertools.product(DATES, READERS)])
def test_each_clock_is_said_once(renderer: Renderer, zone: str, at: str,
                                 reader: str | None) -> None:
    event = _event(zone, at)
    reminder = _reminder(event)
    when = event.date("paper")
    reader_zone = parse_zone(reader) if reader else None
    target = reminder.target
    message = renderer.reminder(event, reminder, reader=reader_zone)
    lines = message.text.splitlines()
    utc_lines = [line for line in lines if line.startswith("In UTC:")]
    reader_lines = [line for line in lines if line.startswith("In your time zone:")]
    zones = [when.zone, UTC_ZONE, *([reader_zone] if reader_zone else [])]
    # The first line gives the date's own zone; each further line a clock not said yet.
    assert 1 + len(utc_lines) + len(reader_lines) == len(_offsets(zones, target)), message.text
    own_is_utc = when.zone.local(target).utcoffset() == timedelta(0)
    assert bool(utc_lines) == (not own_is_utc)
    if reader_zone is not None and reader_lines:
        assert reader_zone.local(target).utcoffset() not in _offsets(zones[:2], target)
    # The HTML says the same clocks.
    assert message.html.count("In UTC:") == len(utc_lines)
    assert message.html.count("In your time zone:") == len(reader_lines)


def test_a_utc_deadline_is_said_once(renderer: Renderer) -> None:
    event = _event("UTC", "2027-03-01 12:00")
    text = renderer.reminder(event, _reminder(event)).text
    assert "Paper deadline: Monday 1 March 2027, 12:00 UTC — 1 day from" in text
    assert text.count("12:00 UTC") == 1
    assert "In UTC" not in text


def test_other_zones_keep_utc_and_the_readers_time(renderer: Renderer) -> None:
    event = _event("America/New_York", "2040-07-01 23:59")
    text = renderer.reminder(event, _reminder(event),
                             reader=parse_zone("Asia/Shanghai")).text
    assert "Paper deadline: Sunday 1 July 2040, 23:59 EDT (America/New_York, UTC-04:00)" in text
    assert "In UTC: Monday 2 July 2040, 03:59 UTC." in text
    assert ("In your time zone: Monday 2 July 2040, 11:59 CST (Asia/Shanghai, UTC+08:00)."
            in text)


def test_chinese_reminder_of_a_utc_deadline_says_it_once(renderer: Renderer) -> None:
    event = _event("UTC", "2027-03-01 12:00")
    text = renderer.speaking("zh").reminder(event, _reminder(event)).text
    assert "UTC 时间" not in text


def test_late_note_gives_utc_only_where_it_differs() -> None:
    utc = _event("UTC", "2027-03-01 12:00")
    note = late_note(_reminder(utc), utc.zone)
    assert note == ("This reminder was due at Sunday 28 February 2027, 12:00 UTC; it is being "
                    "sent late.")
    shanghai = _event("Asia/Shanghai", "2027-03-01 23:59")
    assert late_note(_reminder(shanghai), shanghai.zone) == (
        "This reminder was due at Sunday 28 February 2027, 23:59 CST (Sunday 28 February "
        "2027, 15:59 UTC); it is being sent late.")
    zh = Renderer(load_templates()).speaking("zh").lang
    assert late_note(_reminder(utc), utc.zone, zh).count("12:00") == 1


def test_a_move_notice_says_gmt_once_and_bst_with_utc() -> None:
    london = parse_zone("Europe/London")
    assert moment_text(ENGLISH, "2027-01-15T12:00:00+00:00", london) == (
        "Friday 15 January 2027, 12:00 GMT")
    assert moment_text(ENGLISH, "2027-07-15T11:00:00+00:00", london) == (
        "Thursday 15 July 2027, 12:00 BST (Thursday 15 July 2027, 11:00 UTC)")
    # A reader whose clock is the zone's under another name gets it once.
    assert moment_text(ENGLISH, "2027-03-01T15:59:00+00:00", parse_zone("UTC+08:00"),
                       parse_zone("Asia/Shanghai")) == (
        "Monday 1 March 2027, 23:59 UTC+08:00 (Monday 1 March 2027, 15:59 UTC)")


def test_extension_notice_in_utc_says_each_time_once(renderer: Renderer) -> None:
    event = _event("UTC", "2027-03-08 12:00")
    moved = Announcement(id="ext", at="x", template="extended", params={
        "date": "paper", "old": "2027-03-01T12:00:00+00:00",
        "new": "2027-03-08T12:00:00+00:00", "later": "true"})
    text = announce.render(renderer, event, moved, when=datetime(2027, 2, 1, tzinfo=UTC)).text
    assert "New time: Monday 8 March 2027, 12:00 UTC\n" in text
    assert "It was:   Monday 1 March 2027, 12:00 UTC\n" in text
