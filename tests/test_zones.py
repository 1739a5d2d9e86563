"""Zone names mean exactly what the docs say, and local times never silently shift."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import pytz
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.zones import parse_zone
from bot.errors import ZoneError

DEADLINE = datetime(2017, 9, 10, 23, 59)


@pytest.mark.parametrize(
    ("name", "utc"),
    [
        ("America/Los_Angeles", "2017-09-11T06:59:00+00:00"),  # PDT in September
        ("america/los_angeles", "2017-09-11T06:59:00+00:00"),
        ("PT", "2017-09-11T06:59:00+00:00"),
        ("PST", "2017-09-11T07:59:00+00:00"),  # literally UTC-08:00
        ("PDT", "2017-09-11T06:59:00+00:00"),
        ("AoE", "2017-09-11T11:59:00+00:00"),
        ("aoe", "2017-09-11T11:59:00+00:00"),
        ("Anywhere on Earth", "2017-09-11T11:59:00+00:00"),
        ("UTC-12", "2017-09-11T11:59:00+00:00"),
        ("UTC", "2017-09-10T23:59:00+00:00"),
        ("GMT", "2017-09-10T23:59:00+00:00"),
        ("UTC+05:30", "2017-09-10T18:29:00+00:00"),
        ("UTC-7", "2017-09-11T06:59:00+00:00"),
        ("+08:00", "2017-09-10T15:59:00+00:00"),
        ("Etc/GMT+5", "2017-09-11T04:59:00+00:00"),  # POSIX sign: this is UTC-05:00
        ("ET", "2017-09-11T03:59:00+00:00"),
        ("EST", "2017-09-11T04:59:00+00:00"),
        ("CST", "2017-09-11T05:59:00+00:00"),  # US Central standard time, not China
        ("Asia/Shanghai", "2017-09-10T15:59:00+00:00"),
    ],
)
def test_zone_names_mean_what_the_docs_say(name: str, utc: str) -> None:
    assert parse_zone(name).localize(DEADLINE).isoformat() == utc


def test_et_in_winter_is_standard_time() -> None:
    instant = parse_zone("ET").localize(datetime(2018, 1, 15, 12, 0))
    assert instant == datetime(2018, 1, 15, 17, 0, tzinfo=UTC)


@pytest.mark.parametrize("name", ["America/Los_Angles", "Mars/Olympus", "UTC+15", "", "PSTT"])
def test_unknown_zones_are_errors_with_a_reason(name: str) -> None:
    with pytest.raises(ZoneError) as err:
        parse_zone(name)
    assert "zone" in str(err.value) or "offset" in str(err.value)


def test_unknown_zone_suggests_the_close_name() -> None:
    with pytest.raises(ZoneError, match="did you mean 'America/Los_Angeles'"):
        parse_zone("America/Los_Angles")


def test_local_time_in_dst_gap_is_an_error() -> None:
    with pytest.raises(ZoneError, match="does not exist"):
        parse_zone("America/Los_Angeles").localize(datetime(2017, 3, 12, 2, 30))


def test_local_time_in_fold_needs_a_choice() -> None:
    zone = parse_zone("America/Los_Angeles")
    with pytest.raises(ZoneError, match="happens twice"):
        zone.localize(datetime(2017, 11, 5, 1, 30))
    assert zone.localize(datetime(2017, 11, 5, 1, 30), fold="earlier") == datetime(
        2017, 11, 5, 8, 30, tzinfo=UTC)
    assert zone.localize(datetime(2017, 11, 5, 1, 30), fold="later") == datetime(
        2017, 11, 5, 9, 30, tzinfo=UTC)


def test_fixed_zones_have_no_gaps() -> None:
    for name in ("AoE", "UTC-07:00", "PST"):
        parse_zone(name).localize(datetime(2017, 3, 12, 2, 30))


def test_abbreviation_knows_when_its_region_observes_daylight_time() -> None:
    pst = parse_zone("PST")
    assert pst.observes_daylight_at(datetime(2017, 9, 11, 7, 59, tzinfo=UTC)) is True
    assert pst.observes_daylight_at(datetime(2017, 12, 11, 7, 59, tzinfo=UTC)) is False


def test_naive_datetimes_are_refused() -> None:
    zone = parse_zone("UTC")
    with pytest.raises(ValueError, match="naive"):
        zone.local(datetime(2017, 1, 1))


IANA = st.sampled_from(["America/Los_Angeles", "America/New_York", "Europe/London",
                        "Europe/Berlin", "Asia/Shanghai", "Asia/Kolkata", "Australia/Sydney",
                        "Australia/Lord_Howe", "Pacific/Chatham", "America/Sao_Paulo",
                        "Pacific/Apia", "Asia/Tehran", "Africa/Casablanca"])
LOCAL = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2037, 12, 31))


@settings(max_examples=300, deadline=None)
@given(IANA, LOCAL)
def test_localize_round_trips_or_refuses(name: str, local: datetime) -> None:
    """Every local time either maps to an instant that reads back as itself, or is refused."""
    local = local.replace(microsecond=0)
    zone = parse_zone(name)
    try:
        instant = zone.localize(local)
    except ZoneError as exc:
        tz = pytz.timezone(name)
        # refused only for real gaps and folds: check against pytz's own verdict
        with pytest.raises((pytz.NonExistentTimeError, pytz.AmbiguousTimeError)):
            tz.localize(local, is_dst=None)
        assert "does not exist" in str(exc) or "happens twice" in str(exc)
        return
    assert instant.tzinfo is not None and instant.utcoffset() == timedelta(0)
    assert zone.local(instant).replace(tzinfo=None) == local


@settings(max_examples=200, deadline=None)
@given(IANA, LOCAL)
def test_both_fold_choices_read_back_as_the_local_time(name: str, local: datetime) -> None:
    local = local.replace(microsecond=0)
    zone = parse_zone(name)
    try:
        early = zone.localize(local, fold="earlier")
        late = zone.localize(local, fold="later")
    except ZoneError:
        return  # a gap: covered above
    assert early <= late
    assert zone.local(early).replace(tzinfo=None) == local
    assert zone.local(late).replace(tzinfo=None) == local


@given(st.integers(min_value=-14 * 60, max_value=14 * 60))
def test_offsets_read_back(minutes: int) -> None:
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    zone = parse_zone(f"UTC{sign}{hours:02d}:{mins:02d}")
    instant = zone.localize(datetime(2020, 6, 1, 12, 0))
    assert instant == datetime(2020, 6, 1, 12, 0, tzinfo=UTC) - timedelta(minutes=minutes)
