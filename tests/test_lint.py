"""What ``bot.core.lint`` warns about, with which line, and what it leaves alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.lint import lint
from bot.core.model import Event
from bot.core.schedule import parse_schedule
from bot.core.zones import ABBREVIATIONS, REGIONS
from bot.errors import Problem
from tests.lines import line_of

SEED_MISTAKES = Path(__file__).parent / "data" / "seed-mistakes.toml"


def event_toml(zone: str = "America/Los_Angeles", name: str = "Test Workshop") -> str:
    return f'[event]\nid = "t"\nname = "{name}"\nzone = "{zone}"\n'


def date_toml(date_id: str, kind: str, at: str, raw: str = "", **extra: str) -> str:
    """One [[dates]] table; ``extra`` values are written as strings, ``raw`` as it is."""
    lines = ["", "[[dates]]", f'id = "{date_id}"', f'title = "{date_id.title()}"',
             f'kind = "{kind}"', f'at = "{at}"']
    lines += [f'{key} = "{value}"' for key, value in extra.items()]
    lines += [raw] if raw else []
    return "\n".join(lines) + "\n"


def schedule(*dates: str, head: str | None = None) -> tuple[Event, str]:
    text = (head if head is not None else event_toml()) + "".join(dates)
    return parse_schedule(text, "test.toml"), text


def the_one(warnings: list[Problem]) -> Problem:
    assert len(warnings) == 1, [str(w) for w in warnings]
    return warnings[0]


SEPT = (date_toml("paper", "deadline", "2017-09-10 23:59")
        + date_toml("notification", "notification", "2017-09-20")
        + date_toml("camera", "camera-ready", "2017-10-10 23:59")
        + date_toml("workshop", "event", "2017-10-28", zone="Asia/Shanghai"))


def test_a_well_ordered_schedule_has_no_warnings() -> None:
    event, _ = schedule(SEPT)
    assert lint(event) == []


def test_the_shipped_schedule_has_no_warnings(shipped: Event) -> None:
    assert lint(shipped) == []


# -- standard-time abbreviations in summer ---------------------------------------------------

def test_pst_in_september_says_what_instant_it_is_and_what_to_write() -> None:
    event, text = schedule(date_toml("abstract", "deadline", "2017-09-10 23:59", zone="PST"))
    warning = the_one(lint(event))
    assert warning.severity == "warning"
    assert warning.file == "test.toml"
    assert warning.line == line_of(text, 'zone = "PST"')
    assert warning.field == "dates[0].zone"
    assert ("PST is UTC-08:00 but on Sunday 10 September 2017 Pacific time is PDT (UTC-07:00); "
            "23:59 PST is 00:59 PDT on Monday 11 September (2017-09-11 07:59 UTC)"
            in warning.message)
    assert ('If Pacific local time is meant, write zone = "America/Los_Angeles" (or "PT")'
            in warning.message)
    assert 'write "UTC-08:00"' in warning.message


def test_pdt_in_winter_is_the_reverse_mistake() -> None:
    event, text = schedule(date_toml("late", "deadline", "2017-12-01 23:59", zone="PDT"))
    warning = the_one(lint(event))
    assert warning.line == line_of(text, 'zone = "PDT"')
    assert ("PDT is UTC-07:00 but on Friday 1 December 2017 Pacific time is PST (UTC-08:00); "
            "23:59 PDT is 22:59 PST on Friday 1 December" in warning.message)


@pytest.mark.parametrize(("zone", "at"), [("PST", "2017-12-01 23:59"),
                                          ("PDT", "2017-09-10 23:59"),
                                          ("UTC-08:00", "2017-09-10 23:59"),
                                          ("PT", "2017-09-10 23:59"),
                                          ("HST", "2017-09-10 23:59")])
def test_an_abbreviation_that_matches_the_season_is_fine(zone: str, at: str) -> None:
    event, _ = schedule(date_toml("d", "deadline", at, zone=zone))
    assert lint(event) == []


def test_a_zone_written_inside_at_is_checked_and_fixed_there() -> None:
    event, text = schedule(date_toml("abstract", "deadline", "2017-09-10 23:59 PST"))
    warning = the_one(lint(event))
    assert warning.line == line_of(text, "at = ")
    assert 'write at = "2017-09-10 23:59 America/Los_Angeles" (or "2017-09-10 23:59 PT")' \
        in warning.message


def test_pst_as_the_event_zone_is_one_warning_naming_every_date_it_shifts() -> None:
    event, text = schedule(date_toml("abstract", "deadline", "2017-09-10 23:59")
                           + date_toml("notification", "notification", "2017-09-20")
                           + date_toml("winter", "event", "2017-12-01"),
                           head=event_toml(zone="PST"))
    warning = the_one(lint(event))
    assert warning.line == line_of(text, 'at = "2017-09-10 23:59"')
    assert "this date uses the event's zone 'PST'" in warning.message
    assert 'in [event]' in warning.message
    assert "'notification'" in warning.message
    assert "'winter'" not in warning.message  # December is PST: nothing shifted


def test_an_all_day_date_in_pst_in_summer_says_when_its_day_runs() -> None:
    event, _ = schedule(date_toml("notification", "notification", "2017-09-20", zone="PST"))
    warning = the_one(lint(event))
    assert ("the all-day date in PST runs from 01:00 PDT on Wednesday 20 September to 01:00 PDT "
            "on Thursday 21 September" in warning.message)


@pytest.mark.parametrize(("zone", "hint"), [("MST", "America/Phoenix"),
                                            ("CST", "Asia/Shanghai"),
                                            ("EST", "America/New_York")])
def test_other_regions_name_their_zone_and_the_other_readings(zone: str, hint: str) -> None:
    event, _ = schedule(date_toml("d", "deadline", "2017-07-01 12:00", zone=zone))
    assert hint in the_one(lint(event)).message


@settings(max_examples=150, deadline=None)
@given(abbreviation=st.sampled_from(sorted(ABBREVIATIONS)),
       moment=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2035, 12, 31)))
def test_abbreviation_warning_iff_the_region_disagrees_at_that_instant(
        abbreviation: str, moment: datetime) -> None:
    minutes, region_key, daylight = ABBREVIATIONS[abbreviation]
    event, _ = schedule(date_toml("d", "other", f"{moment:%Y-%m-%d %H:%M}", zone=abbreviation))
    instant = moment.replace(second=0, microsecond=0) - timedelta(minutes=minutes)
    observes = bool(instant.replace(tzinfo=UTC).astimezone(ZoneInfo(REGIONS[region_key])).dst())
    warned = [w for w in lint(event) if abbreviation in w.message.split(" is UTC")[0]
              and "could be China" not in w.message]
    assert bool(warned) == (observes != daylight)


NOW = datetime(2030, 1, 1, tzinfo=UTC)


# -- zones that read one way and are often meant another -------------------------------------

@pytest.mark.parametrize(("zone", "actual", "inverted"), [("Etc/GMT+5", "UTC-05:00", "UTC+05:00"),
                                                          ("etc/gmt-8", "UTC+08:00", "UTC-08:00"),
                                                          ("Etc/GMT+12", "UTC-12:00", "UTC+12:00")])
def test_etc_gmt_zones_warn_that_their_sign_is_inverted(zone: str, actual: str,
                                                        inverted: str) -> None:
    event, text = schedule(date_toml("d", "deadline", "2030-01-10 23:59", zone=zone))
    warning = the_one(lint(event))
    assert warning.line == line_of(text, f'zone = "{zone}"')
    assert warning.field == "dates[0].zone"
    assert f"is {actual}, not {inverted}" in warning.message
    assert f'if {inverted} is meant, write zone = "{inverted}"' in warning.message
    assert event.dates[0].zone.offset_at(event.dates[0].at or NOW) == actual  # as it says


def test_etc_gmt_in_the_event_zone_warns_once_naming_the_dates_it_shifts() -> None:
    event, text = schedule(date_toml("a", "deadline", "2030-01-10 23:59"),
                           date_toml("b", "deadline", "2030-01-12 23:59"),
                           head=event_toml(zone="Etc/GMT+5"))
    warning = the_one(lint(event))
    assert warning.line == line_of(text, 'at = "2030-01-10 23:59"')
    assert "this date uses the event's zone 'Etc/GMT+5'" in warning.message
    assert 'write zone = "UTC+05:00" in [event]' in warning.message
    assert "'b'" in warning.message


@pytest.mark.parametrize("zone", ["Etc/GMT", "Etc/UTC", "UTC+05:00", "GMT+5", "Asia/Shanghai"])
def test_plain_zones_give_no_zone_warning(zone: str) -> None:
    event, _ = schedule(date_toml("d", "deadline", "2030-01-10 23:59", zone=zone))
    assert lint(event) == []


def test_cst_in_winter_says_it_took_us_central_and_how_to_write_china() -> None:
    event, text = schedule(date_toml("d", "deadline", "2030-01-10 23:59", zone="CST"))
    warning = the_one(lint(event))
    assert warning.line == line_of(text, 'zone = "CST"')
    assert "could be China Standard Time (UTC+08:00) or US Central" in warning.message
    assert "duebot reads it as US Central, UTC-06:00" in warning.message
    assert 'If China is meant, write zone = "Asia/Shanghai"' in warning.message
    assert event.dates[0].at == datetime(2030, 1, 11, 5, 59, tzinfo=UTC)


def test_cst_inside_at_suggests_the_whole_at_value() -> None:
    event, text = schedule(date_toml("d", "deadline", "2030-01-10 23:59 CST"))
    warning = the_one(lint(event))
    assert warning.line == line_of(text, 'at = "2030-01-10 23:59 CST"')
    assert 'write at = "2030-01-10 23:59 Asia/Shanghai"' in warning.message


def test_cst_in_summer_gets_one_warning_with_both_readings() -> None:
    event, _ = schedule(date_toml("d", "deadline", "2030-07-10 23:59 CST"))
    warning = the_one(lint(event))
    assert "Central time is CDT" in warning.message
    assert 'write at = "2030-07-10 23:59 Asia/Shanghai"' in warning.message


# -- a year that stands out --------------------------------------------------------------------

def test_the_seed_years_2016_among_2017_are_each_flagged_with_the_year_meant() -> None:
    event, text = schedule(date_toml("paper", "deadline", "2017-09-10 23:59")
                           + date_toml("notification", "notification", "2016-09-20")
                           + date_toml("camera", "camera-ready", "2016-10-10")
                           + date_toml("workshop", "event", "2017-10-28"))
    warnings = lint(event)
    assert [w.line for w in warnings] == [line_of(text, 'at = "2016-09-20"'),
                                          line_of(text, 'at = "2016-10-10"')]
    assert all("year 2016 stands out" in w.message for w in warnings)
    assert all("2017 was probably meant" in w.message for w in warnings)
    assert 'at = "2017-09-20"' in warnings[0].message
    assert 'at = "2017-10-10"' in warnings[1].message
    assert "comes before the deadline it notifies about" in warnings[0].message


def test_the_seed_mistakes_file_gets_the_pst_and_both_year_warnings() -> None:
    text = SEED_MISTAKES.read_text(encoding="utf-8")
    warnings = lint(parse_schedule(text, "seed.toml"))
    assert [(w.line, w.field) for w in warnings] == [
        (line_of(text, 'zone = "PST"'), "dates[0].zone"),
        (line_of(text, 'at = "2016-09-20"'), "dates[1].at"),
        (line_of(text, 'at = "2016-10-10"'), "dates[2].at"),
    ]
    assert "23:59 PST is 00:59 PDT on Monday 11 September" in warnings[0].message


def test_a_schedule_that_spans_new_year_is_not_a_typo() -> None:
    event, _ = schedule(date_toml("paper", "deadline", "2017-11-20 23:59")
                        + date_toml("notification", "notification", "2017-12-20")
                        + date_toml("camera", "camera-ready", "2018-01-15 23:59")
                        + date_toml("workshop", "event", "2018-02-10"))
    assert lint(event) == []


def test_a_workshop_a_year_early_is_the_outlier_not_the_deadlines() -> None:
    event, text = schedule(date_toml("paper", "deadline", "2017-09-10 23:59")
                           + date_toml("notification", "notification", "2017-09-20")
                           + date_toml("workshop", "event", "2016-10-28"))
    warning = the_one(lint(event))
    assert warning.line == line_of(text, 'at = "2016-10-28"')
    assert "2017 was probably meant" in warning.message


def test_a_tie_between_two_years_follows_the_year_in_the_event_name() -> None:
    event, text = schedule(date_toml("paper", "deadline", "2017-09-10 23:59")
                           + date_toml("workshop", "event", "2016-10-28"),
                           head=event_toml(name="Workshop @ SOSP 2017"))
    warning = the_one(lint(event))
    assert warning.line == line_of(text, 'at = "2016-10-28"')


def test_a_date_a_year_away_from_all_others_is_flagged_even_without_an_order() -> None:
    event, text = schedule(SEPT + date_toml("social", "other", "2016-10-01"))
    warning = the_one(lint(event))
    assert warning.line == line_of(text, 'at = "2016-10-01"')
    assert "days outside the span of the other dates" in warning.message


def test_a_call_opening_months_before_is_not_a_year_typo() -> None:
    event, _ = schedule(SEPT + date_toml("call-opens", "other", "2016-12-01"))
    assert lint(event) == []


# -- dates out of the usual order --------------------------------------------------------------

def test_a_notification_before_its_deadline() -> None:
    event, text = schedule(date_toml("paper", "deadline", "2017-09-10 23:59")
                           + date_toml("notification", "notification", "2017-09-05"))
    warning = the_one(lint(event))
    assert warning.line == line_of(text, 'at = "2017-09-05"')
    assert "comes before the deadline it notifies about" in warning.message
    assert "Sunday 10 September 2017, 23:59 PDT" in warning.message


def test_a_camera_ready_before_the_notification() -> None:
    event, text = schedule(date_toml("paper", "deadline", "2017-09-10 23:59")
                           + date_toml("camera", "camera-ready", "2017-09-15 23:59")
                           + date_toml("notification", "notification", "2017-09-20"))
    warning = the_one(lint(event))
    assert warning.line == line_of(text, 'at = "2017-09-15 23:59"')
    assert "is due before the notification" in warning.message


def test_a_camera_ready_after_the_event_starts() -> None:
    event, text = schedule(date_toml("paper", "deadline", "2017-09-10 23:59")
                           + date_toml("workshop", "event", "2017-10-28")
                           + date_toml("camera", "camera-ready", "2017-11-10 23:59"))
    warning = the_one(lint(event))
    assert warning.line == line_of(text, 'at = "2017-11-10 23:59"')
    assert "is due after the event starts" in warning.message


def test_a_deadline_after_the_event_is_over() -> None:
    event, text = schedule(date_toml("paper", "deadline", "2017-09-10 23:59")
                           + date_toml("workshop", "event", "2017-10-28")
                           + date_toml("posters", "deadline", "2017-11-02 23:59"))
    warning = the_one(lint(event))
    assert warning.line == line_of(text, 'at = "2017-11-02 23:59"')
    assert "is after the event is over" in warning.message


def test_an_event_before_all_deadlines_is_a_kickoff_and_fine() -> None:
    event, _ = schedule(date_toml("kickoff", "event", "2017-06-01 17:00") + SEPT)
    assert lint(event) == []


def test_a_registration_deadline_after_the_notification_is_fine() -> None:
    event, _ = schedule(SEPT + date_toml("registration", "deadline", "2017-10-20 23:59"))
    assert lint(event) == []


def test_a_two_stage_review_with_two_notifications_is_fine() -> None:
    event, _ = schedule(date_toml("abstract", "deadline", "2017-09-01 23:59")
                        + date_toml("abstract-ok", "notification", "2017-09-05")
                        + date_toml("paper", "deadline", "2017-09-15 23:59")
                        + date_toml("notification", "notification", "2017-10-01")
                        + date_toml("camera", "camera-ready", "2017-10-15 23:59")
                        + date_toml("workshop", "event", "2017-10-28"))
    assert lint(event) == []


def test_cancelled_dates_are_not_checked() -> None:
    event, _ = schedule(SEPT + date_toml("old", "deadline", "2016-12-01", zone="PDT",
                                         raw="cancelled = true"))
    assert lint(event) == []


# -- a deadline without a time of day ----------------------------------------------------------

def test_an_all_day_deadline_asks_for_a_time() -> None:
    event, text = schedule(date_toml("paper", "deadline", "2017-09-10"))
    warning = the_one(lint(event))
    assert warning.line == line_of(text, 'at = "2017-09-10"')
    assert "it is unclear at which instant it closes" in warning.message
    assert 'write a time, e.g. at = "2017-09-10 23:59" with zone = "AoE"' in warning.message
    assert "(2017-09-11 07:00 UTC)" in warning.message  # what duebot takes it to mean


def test_all_day_notifications_and_events_need_no_time() -> None:
    event, _ = schedule(SEPT)
    assert all(not w.message.startswith("deadline") for w in lint(event))


# -- extensions --------------------------------------------------------------------------------

def test_an_extension_that_moves_the_deadline_earlier() -> None:
    event, text = schedule(date_toml("paper", "deadline", "2017-09-10 23:59",
                                     extended_from="2017-09-17 23:59"))
    warning = the_one(lint(event))
    assert warning.line == line_of(text, "extended_from")
    assert warning.field == "dates[0].extended_from"
    assert "later than at" in warning.message


def test_an_extension_to_the_same_time() -> None:
    event, _ = schedule(date_toml("paper", "deadline", "2017-09-10 23:59",
                                  extended_from="2017-09-10 23:59"))
    assert "the same as at" in the_one(lint(event)).message


def test_a_real_extension_is_fine() -> None:
    event, _ = schedule(date_toml("paper", "deadline", "2017-09-10 23:59",
                                  extended_from="2017-09-03 23:59"))
    assert lint(event) == []


# -- purity ------------------------------------------------------------------------------------

@pytest.mark.parametrize("year", [1990, 2090])
def test_dates_far_from_today_are_not_a_lint(year: int) -> None:
    event, _ = schedule(SEPT.replace("2017", str(year)))
    assert lint(event) == []


def test_lint_does_not_read_the_clock() -> None:
    event, _ = schedule(date_toml("paper", "deadline", "2017-09-10", zone="PST"))
    with freeze_time(datetime(2017, 9, 9, tzinfo=UTC)):
        before = lint(event)
    with freeze_time(datetime(2031, 1, 1, tzinfo=UTC)):
        after = lint(event)
    assert before == after
    assert len(before) == 2


def test_every_warning_carries_file_line_and_field() -> None:
    event, _ = schedule(date_toml("paper", "deadline", "2017-09-10", zone="PST")
                        + date_toml("notification", "notification", "2016-09-20")
                        + date_toml("workshop", "event", "2017-10-28"))
    warnings = lint(event)
    assert len(warnings) == 3
    for warning in warnings:
        assert warning.severity == "warning"
        assert warning.file == "test.toml"
        assert warning.line is not None
        assert warning.field.startswith("dates[")
        assert str(warning).startswith(f"test.toml:{warning.line}: warning: dates[")


def test_a_feb_29_outlier_without_a_29th_in_the_meant_year_is_left_alone() -> None:
    event, _ = schedule(date_toml("paper", "deadline", "2017-02-10 23:59")
                        + date_toml("notification", "notification", "2016-02-29")
                        + date_toml("workshop", "event", "2017-03-28"))
    # 2017-02-29 does not exist, so no year is suggested; the order is still wrong.
    warning = the_one(lint(event))
    assert "comes before the deadline" in warning.message


@pytest.mark.parametrize(("zone", "summer_utc", "standard"), [
    ("CET", "10:00", "UTC+01:00"), ("EET", "09:00", "UTC+02:00"),
    ("EST5EDT", "16:00", "UTC-05:00"),
])
def test_a_legacy_tz_name_that_keeps_summer_time_is_warned_in_summer_only(
        zone: str, summer_utc: str, standard: str) -> None:
    summer, _ = schedule(date_toml("paper", "deadline", "2027-07-01 12:00"),
                         head=event_toml(zone))
    warning = the_one(lint(summer))
    assert "keeps summer time" in warning.message
    assert f"reads as {summer_utc} UTC" in warning.message
    assert f'zone = "{standard}"' in warning.message
    winter, _ = schedule(date_toml("paper", "deadline", "2027-01-15 12:00"),
                         head=event_toml(zone))
    assert lint(winter) == []
