"""The reminder plan: exact due instants, stable ids, windows, and DST handled on purpose."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from types import MappingProxyType

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.core.model import KINDS, Event, ImportantDate, ReminderPolicy
from bot.core.planner import Reminder, due_at, plan
from bot.core.schedule import parse_schedule
from bot.core.zones import parse_zone
from bot.errors import ZoneError


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def dues(reminders: list[Reminder]) -> dict[str, str]:
    return {r.id: r.due.strftime("%Y-%m-%dT%H:%M:%SZ") for r in reminders}


def schedule(dates: str, reminders: str = "", zone: str = "America/Los_Angeles") -> Event:
    return parse_schedule(f"""
[event]
id = "demo"
name = "Demo workshop"
zone = "{zone}"

[reminders]
{reminders}

{dates}
""")


# --- the shipped schedule -------------------------------------------------------------------

def test_shipped_schedule_plan_has_exact_due_instants(shipped: Event) -> None:
    assert dues(plan(shipped)) == {
        # 2017-09-10 23:59 PDT is 2017-09-11T06:59Z
        "aisys-sosp17/abstract/7d": "2017-09-04T06:59:00Z",
        "aisys-sosp17/abstract/1d": "2017-09-10T06:59:00Z",
        "aisys-sosp17/abstract/3h": "2017-09-11T03:59:00Z",
        # all-day camera-ready counts down to its start: midnight 10 October in Los Angeles (PDT)
        "aisys-sosp17/camera-ready/7d": "2017-10-03T07:00:00Z",
        "aisys-sosp17/camera-ready/1d": "2017-10-09T07:00:00Z",
        # the workshop day starts at midnight in Shanghai: 2017-10-27T16:00Z
        "aisys-sosp17/workshop/7d": "2017-10-20T16:00:00Z",
        "aisys-sosp17/workshop/1d": "2017-10-26T16:00:00Z",
    }


def test_shipped_plan_is_sorted_by_due_and_names_its_target(shipped: Event) -> None:
    reminders = plan(shipped)
    assert [r.due for r in reminders] == sorted(r.due for r in reminders)
    abstract = [r for r in reminders if r.date_id == "abstract"]
    assert {r.target for r in abstract} == {utc("2017-09-11T06:59:00Z")}
    assert [r.lead_text for r in abstract] == ["7d", "1d", "3h"]
    assert all(r.event_id == "aisys-sosp17" and not r.final_call for r in reminders)


def test_notifications_get_no_reminders_by_default(shipped: Event) -> None:
    assert not [r for r in plan(shipped) if r.date_id == "notification"]


# --- windows --------------------------------------------------------------------------------

def test_window_keeps_start_inclusive_and_end_exclusive(shipped: Event) -> None:
    seven_days = utc("2017-09-04T06:59:00Z")
    one_day = utc("2017-09-10T06:59:00Z")
    inside = plan(shipped, start=seven_days, end=one_day)
    assert [r.id for r in inside] == ["aisys-sosp17/abstract/7d"]


def test_window_with_only_a_start_or_only_an_end(shipped: Event) -> None:
    october = utc("2017-10-01T00:00:00Z")
    assert [r.date_id for r in plan(shipped, start=october)] == [
        "camera-ready", "camera-ready", "workshop", "workshop"]
    assert [r.date_id for r in plan(shipped, end=october)] == ["abstract"] * 3


def test_window_rejects_naive_bounds(shipped: Event) -> None:
    with pytest.raises(ValueError, match="naive"):
        plan(shipped, start=datetime(2017, 9, 1))


# --- stable ids -----------------------------------------------------------------------------

ABSTRACT = """
[[dates]]
id = "abstract"
title = "{title}"
kind = "deadline"
at = "{at}"
"""


def test_ids_survive_a_title_edit() -> None:
    before = plan(schedule(ABSTRACT.format(title="Abstracts due", at="2017-09-10 23:59")))
    after = plan(schedule(ABSTRACT.format(title="Poster abstracts", at="2017-09-10 23:59")))
    assert [r.id for r in before] == [r.id for r in after] == [
        "demo/abstract/7d", "demo/abstract/1d", "demo/abstract/3h"]
    assert before == after


def test_moving_a_date_keeps_ids_and_retimes_each_reminder() -> None:
    before = plan(schedule(ABSTRACT.format(title="Abstracts", at="2017-09-10 23:59")))
    after = plan(schedule(ABSTRACT.format(title="Abstracts", at="2017-09-17 23:59")))
    assert [r.id for r in before] == [r.id for r in after]
    assert [b.due + timedelta(days=7) for b in before] == [a.due for a in after]


# --- what the schedule asks for -------------------------------------------------------------

def test_cancelled_dates_get_no_reminders() -> None:
    event = schedule("""
[[dates]]
id = "abstract"
title = "Abstracts"
kind = "deadline"
at = "2017-09-10 23:59"
cancelled = true

[[dates]]
id = "paper"
title = "Papers"
kind = "deadline"
at = "2017-09-20 23:59"
""")
    assert {r.date_id for r in plan(event)} == {"paper"}


def test_per_date_empty_reminders_disable_that_date_only() -> None:
    event = schedule("""
[[dates]]
id = "abstract"
title = "Abstracts"
kind = "deadline"
at = "2017-09-10 23:59"
reminders = []

[[dates]]
id = "paper"
title = "Papers"
kind = "deadline"
at = "2017-09-20 23:59"
""", reminders='final_call = "1h"')
    assert {r.date_id for r in plan(event)} == {"paper"}


def test_per_date_leads_replace_the_policy() -> None:
    event = schedule(ABSTRACT.format(title="Abstracts", at="2017-09-10 23:59")
                     + 'reminders = ["2d", "30m"]\n', reminders='final_call = "1h"')
    assert [(r.lead_text, r.final_call) for r in plan(event)] == [("2d", False), ("30m", False)]


def test_final_call_adds_a_one_hour_reminder_marked_final() -> None:
    event = schedule(ABSTRACT.format(title="Abstracts", at="2017-09-10 23:59"),
                     reminders="final_call = true")
    reminders = plan(event)
    assert [r.lead_text for r in reminders] == ["7d", "1d", "3h", "1h"]
    final = reminders[-1]
    assert final.final_call and final.id == "demo/abstract/1h"
    assert final.due == utc("2017-09-11T05:59:00Z")
    assert not any(r.final_call for r in reminders[:-1])


def test_final_call_is_only_for_deadlines() -> None:
    event = schedule("""
[[dates]]
id = "workshop"
title = "Workshop"
kind = "event"
at = "2017-10-28 09:00"
""", reminders="final_call = true")
    assert [r.lead_text for r in plan(event)] == ["7d", "1d"]


def test_all_day_deadline_counts_down_to_the_end_of_its_day() -> None:
    event = schedule("""
[[dates]]
id = "abstract"
title = "Abstracts"
kind = "deadline"
at = "2017-09-10"
zone = "AoE"
""")
    reminders = plan(event)
    # the end of 10 September AoE is midnight starting the 11th at UTC-12: 2017-09-11T12:00Z
    assert {r.target for r in reminders} == {utc("2017-09-11T12:00:00Z")}
    assert dues(reminders)["demo/abstract/1d"] == "2017-09-10T12:00:00Z"
    assert dues(reminders)["demo/abstract/3h"] == "2017-09-11T09:00:00Z"


# --- daylight saving ------------------------------------------------------------------------

def test_whole_day_leads_keep_the_wall_clock_across_the_fall_back() -> None:
    # 2017-11-05 23:59 PST; the clocks went back at 02:00 that morning.
    event = schedule(ABSTRACT.format(title="Abstracts", at="2017-11-05 23:59"))
    reminders = {r.lead_text: r for r in plan(event)}
    target = utc("2017-11-06T07:59:00Z")
    # 1d before is 2017-11-04 23:59 PDT: the same wall-clock time, 25 hours of real time
    assert reminders["1d"].due == utc("2017-11-05T06:59:00Z")
    assert target - reminders["1d"].due == timedelta(hours=25)
    assert reminders["7d"].due == utc("2017-10-30T06:59:00Z")  # 23:59 PDT on the 29th
    # hour leads are elapsed time: 3h before 23:59 PST is 20:59 PST
    assert reminders["3h"].due == target - timedelta(hours=3)


def test_whole_day_leads_keep_the_wall_clock_across_the_spring_forward() -> None:
    # 2018-03-11 23:59 PDT; the clocks jumped forward at 02:00 that morning.
    event = schedule(ABSTRACT.format(title="Abstracts", at="2018-03-11 23:59"))
    one_day = next(r for r in plan(event) if r.lead_text == "1d")
    assert one_day.due == utc("2018-03-11T07:59:00Z")  # 2018-03-10 23:59 PST
    assert one_day.target - one_day.due == timedelta(hours=23)


def test_a_day_before_lands_in_a_gap_takes_the_later_reading() -> None:
    la = parse_zone("America/Los_Angeles")
    target = la.localize(datetime(2018, 3, 12, 2, 30))  # 02:30 PDT, the day after the jump
    # 2018-03-11 02:30 does not exist; read with PST it is 10:30Z (03:30 PDT)
    assert due_at(target, timedelta(days=1), la) == utc("2018-03-11T10:30:00Z")


def test_a_day_before_lands_in_a_fold_takes_the_earlier_occurrence() -> None:
    la = parse_zone("America/Los_Angeles")
    target = la.localize(datetime(2017, 11, 6, 1, 30))  # 01:30 PST
    # 2017-11-05 01:30 happens twice; the first time is PDT, 08:30Z
    assert due_at(target, timedelta(days=1), la) == utc("2017-11-05T08:30:00Z")


def test_mixed_lead_is_a_wall_clock_day_then_elapsed_hours() -> None:
    la = parse_zone("America/Los_Angeles")
    target = utc("2017-11-06T07:59:00Z")  # 2017-11-05 23:59 PST
    assert due_at(target, timedelta(days=1, hours=2), la) == utc("2017-11-05T04:59:00Z")


def test_a_day_before_in_a_zone_that_skipped_a_day_stays_before_the_target() -> None:
    apia = parse_zone("Pacific/Apia")  # 2011-12-30 never happened in Samoa
    target = apia.localize(datetime(2011, 12, 31, 12, 0))
    due = due_at(target, timedelta(days=1), apia)
    assert due == target - timedelta(days=1)


def test_fixed_offset_zones_subtract_exact_days() -> None:
    aoe = parse_zone("AoE")
    target = utc("2017-11-06T11:59:00Z")
    assert due_at(target, timedelta(days=7), aoe) == target - timedelta(days=7)


# --- properties over random schedules -------------------------------------------------------

ZONES = ["America/Los_Angeles", "America/New_York", "Europe/London", "Europe/Berlin",
         "Australia/Sydney", "America/Santiago", "Asia/Shanghai", "Asia/Kolkata",
         "Pacific/Chatham", "America/St_Johns", "Australia/Lord_Howe", "AoE", "UTC",
         "UTC+05:30", "UTC-03:00", "UTC+14", "PST", "PDT", "PT", "ET"]

leads = st.builds(
    lambda d, h, m: timedelta(days=d, hours=h, minutes=m),
    st.integers(0, 40), st.integers(0, 23), st.integers(0, 59),
).filter(lambda lead: lead > timedelta(0))


@st.composite
def important_dates(draw: st.DrawFn, index: int) -> ImportantDate:
    zone = parse_zone(draw(st.sampled_from(ZONES)))
    local = draw(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2035, 12, 31)))
    local = local.replace(second=0, microsecond=0)
    all_day = draw(st.booleans())
    fields: dict[str, object] = {
        "id": f"d{index}", "title": f"Date {index}", "kind": draw(st.sampled_from(KINDS)),
        "zone": zone, "cancelled": draw(st.booleans()),
        "lead_times": draw(st.none() | st.lists(leads, max_size=4).map(tuple)),
    }
    if all_day:
        fields["day"] = local.date()
    else:
        try:
            fields["at"] = zone.localize(local, fold="earlier")
        except ZoneError:  # a local time in a DST gap is not a valid schedule
            assume(False)
    when = ImportantDate(**fields)  # type: ignore[arg-type]
    try:
        _ = when.starts, when.ends
    except ZoneError:  # midnight skipped by a DST change (some zones switch at 00:00)
        assume(False)
    return when


@st.composite
def events(draw: st.DrawFn) -> Event:
    count = draw(st.integers(1, 5))
    dates = tuple(draw(important_dates(i)) for i in range(count))
    policy = ReminderPolicy(
        lead_times=MappingProxyType({kind: tuple(draw(st.lists(leads, max_size=3)))
                                     for kind in KINDS}),
        final_call=draw(st.none() | leads),
    )
    return Event(id="random", name="Random", zone=dates[0].zone, policy=policy, dates=dates)


instants = st.datetimes(min_value=datetime(1999, 1, 1), max_value=datetime(2037, 1, 1),
                        timezones=st.just(UTC))


@settings(max_examples=300, deadline=None)
@given(events())
def test_plan_is_deterministic_sorted_unique_and_before_its_target(event: Event) -> None:
    reminders = plan(event)
    assert plan(event) == reminders
    assert plan(dataclasses.replace(event, dates=tuple(reversed(event.dates)))) == reminders
    assert len({r.id for r in reminders}) == len(reminders)
    assert reminders == sorted(reminders, key=lambda r: (r.due, r.id))
    cancelled = {d.id for d in event.dates if d.cancelled}
    for reminder in reminders:
        assert reminder.due < reminder.target
        assert reminder.due.utcoffset() == timedelta(0)
        assert reminder.date_id not in cancelled
        assert reminder.id == f"random/{reminder.date_id}/{reminder.lead_text}"


@settings(max_examples=300, deadline=None)
@given(events(), instants, instants)
def test_window_equals_filtering_the_full_plan(event: Event, a: datetime, b: datetime) -> None:
    start, end = min(a, b), max(a, b)
    expected = [r for r in plan(event) if start <= r.due < end]
    assert plan(event, start=start, end=end) == expected


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(ZONES), st.datetimes(min_value=datetime(2000, 1, 1),
                                            max_value=datetime(2035, 12, 31)),
       st.integers(1, 40))
def test_whole_day_leads_keep_the_local_time_when_it_exists(name: str, local: datetime,
                                                            days: int) -> None:
    zone = parse_zone(name)
    local = local.replace(second=0, microsecond=0)
    earlier = local - timedelta(days=days)
    try:
        target = zone.localize(local, fold="earlier")
        expected = zone.localize(earlier, fold="earlier")
    except ZoneError:
        assume(False)
    assume(expected < target)
    assert due_at(target, timedelta(days=days), zone) == expected

