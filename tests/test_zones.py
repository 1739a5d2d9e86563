"""Zone names mean exactly what the docs say, and local times never silently shift."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
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


def test_rules_hold_after_2037() -> None:
    """pytz stopped at 2037 (July 2040 was EST there); zoneinfo applies the current rule."""
    ny = parse_zone("America/New_York")
    summer = ny.localize(datetime(2040, 7, 1, 12, 0))
    assert summer == datetime(2040, 7, 1, 16, 0, tzinfo=UTC)
    assert ny.abbreviation(summer) == "EDT"
    assert parse_zone("Europe/Berlin").abbreviation(datetime(2099, 8, 1, tzinfo=UTC)) == "CEST"


def test_gap_and_fold_after_2037_are_found() -> None:
    la = parse_zone("America/Los_Angeles")
    with pytest.raises(ZoneError, match="2090-03-12 02:30 does not exist"):
        la.localize(datetime(2090, 3, 12, 2, 30))
    with pytest.raises(ZoneError, match="happens twice"):
        la.localize(datetime(2090, 11, 5, 1, 30))


@pytest.mark.parametrize(
    ("name", "local", "jump"),
    [
        # a one-hour shift: 02:00 -> 03:00, so 02:30 is next valid at 03:00, not 03:30
        ("America/Los_Angeles", datetime(2017, 3, 12, 2, 30), "from 02:00 to 03:00 PDT"),
        # Lord Howe moves its clocks by 30 minutes: 02:00 -> 02:30
        ("Australia/Lord_Howe", datetime(2026, 10, 4, 2, 15), "from 02:00 to 02:30 UTC+11:00"),
        # Chatham is +12:45 / +13:45: 02:45 -> 03:45
        ("Pacific/Chatham", datetime(2026, 9, 27, 3, 0), "from 02:45 to 03:45 UTC+13:45"),
        ("Pacific/Chatham", datetime(2070, 9, 28, 2, 45), "from 02:45 to 03:45 UTC+13:45"),
        # Samoa skipped 30 December 2011 altogether
        ("Pacific/Apia", datetime(2011, 12, 30, 10, 0),
         "from 2011-12-30 00:00 to 2011-12-31 00:00 UTC+14:00"),
    ],
)
def test_gap_error_names_the_true_next_valid_time(name: str, local: datetime, jump: str) -> None:
    with pytest.raises(ZoneError) as err:
        parse_zone(name).localize(local)
    assert f"the clocks jump {jump}" in str(err.value)
    assert f"the next valid time is {jump.split(' to ')[1]}" in str(err.value)


IANA_NAMES = ["America/Los_Angeles", "America/New_York", "Europe/London", "Europe/Berlin",
              "Asia/Shanghai", "Asia/Kolkata", "Australia/Sydney", "Australia/Lord_Howe",
              "Pacific/Chatham", "America/Sao_Paulo", "Pacific/Apia", "Asia/Tehran",
              "Africa/Casablanca", "America/Santiago", "Europe/Dublin", "Antarctica/Troll",
              "America/St_Johns", "Asia/Kathmandu"]
IANA = st.sampled_from(IANA_NAMES)
YEARS = st.integers(min_value=1970, max_value=2100)
LOCAL = st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2100, 12, 31))


@functools.cache
def _transitions(name: str, year: int) -> tuple[datetime, ...]:
    """The UTC instants where ``name`` changes its offset in ``year``, to the minute."""
    tz = ZoneInfo(name)
    found: list[datetime] = []
    hour = datetime(year, 1, 1, tzinfo=UTC)
    offset = hour.astimezone(tz).utcoffset()
    while hour.year == year:
        following = hour + timedelta(hours=1)
        if following.astimezone(tz).utcoffset() != offset:
            minute = hour
            while minute.astimezone(tz).utcoffset() == offset:
                minute += timedelta(minutes=1)
            found.append(minute)
            offset = following.astimezone(tz).utcoffset()
        hour = following
    return tuple(found)


@st.composite
def near_transitions(draw: st.DrawFn) -> tuple[str, datetime]:
    """A zone and a wall time within two hours of one of its offset changes, gaps and folds."""
    name = draw(IANA)
    year = draw(YEARS)
    changes = _transitions(name, year)
    if not changes:
        return name, draw(LOCAL)
    change = draw(st.sampled_from(changes)).astimezone(ZoneInfo(name)).replace(tzinfo=None)
    return name, change + timedelta(minutes=draw(st.integers(min_value=-75, max_value=75)))


ANY_TIME = st.one_of(st.tuples(IANA, LOCAL), near_transitions())


def _oracle_next_valid(name: str, local: datetime) -> datetime:
    """Step minute by minute from the post-jump reading until the wall clock reaches ``local``."""
    tz = ZoneInfo(name)
    instant = local.replace(tzinfo=tz, fold=1).astimezone(UTC)
    while instant.astimezone(tz).replace(tzinfo=None) < local:
        instant += timedelta(minutes=1)
    return instant


@settings(max_examples=400, deadline=None)
@given(ANY_TIME)
def test_instants_agree_with_zoneinfo_from_1970_to_2100(case: tuple[str, datetime]) -> None:
    """Every wall time maps to zoneinfo's instant, or is refused for a real gap or fold."""
    name, local = case
    local = local.replace(second=0, microsecond=0)
    tz = ZoneInfo(name)
    zone = parse_zone(name)
    early = local.replace(tzinfo=tz, fold=0)
    late = local.replace(tzinfo=tz, fold=1)
    in_gap = early.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != local
    twice = not in_gap and early.utcoffset() != late.utcoffset()
    if in_gap:
        with pytest.raises(ZoneError, match="does not exist") as err:
            zone.localize(local)
        valid = _oracle_next_valid(name, local)
        assert zone.gap_end(local) == valid
        assert "the next valid time is " in str(err.value)
        assert f"{valid.astimezone(tz):%H:%M}" in str(err.value).split("next valid time is")[1]
        assert zone.in_gap(local)
        return
    assert not zone.in_gap(local)
    if twice:
        with pytest.raises(ZoneError, match="happens twice"):
            zone.localize(local)
        assert zone.localize(local, fold="earlier") == early.astimezone(UTC)
        assert zone.localize(local, fold="later") == late.astimezone(UTC)
        assert zone.localize(local, fold="earlier") < zone.localize(local, fold="later")
        return
    instant = zone.localize(local)
    assert instant == early.astimezone(UTC)
    assert instant.utcoffset() == timedelta(0)
    assert zone.local(instant).replace(tzinfo=None) == local
    expected = instant.astimezone(tz).tzname() or ""
    if expected.isalpha():
        assert zone.abbreviation(instant) == expected


@settings(max_examples=200, deadline=None)
@given(IANA, st.datetimes(min_value=datetime(1970, 1, 2, tzinfo=UTC).replace(tzinfo=None),
                          max_value=datetime(2100, 12, 31), timezones=st.just(UTC)))
def test_every_instant_reads_back_through_its_wall_time(name: str, instant: datetime) -> None:
    """UTC -> wall time -> UTC is the identity, with the fold the wall time needs."""
    zone = parse_zone(name)
    instant = instant.replace(second=0, microsecond=0)
    wall = zone.local(instant)
    fold = "later" if wall.fold else "earlier"
    assert zone.localize(wall.replace(tzinfo=None), fold=fold) == instant


@settings(max_examples=200, deadline=None)
@given(ANY_TIME)
def test_start_of_day_is_the_first_instant_of_that_day(case: tuple[str, datetime]) -> None:
    name, local = case
    zone = parse_zone(name)
    start = zone.start_of_day(local.date())
    assert zone.local(start).date() == local.date()
    assert zone.local(start - timedelta(minutes=1)).date() < local.date()


@given(st.integers(min_value=-14 * 60, max_value=14 * 60))
def test_offsets_read_back(minutes: int) -> None:
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    zone = parse_zone(f"UTC{sign}{hours:02d}:{mins:02d}")
    instant = zone.localize(datetime(2020, 6, 1, 12, 0))
    assert instant == datetime(2020, 6, 1, 12, 0, tzinfo=UTC) - timedelta(minutes=minutes)


def test_an_ambiguous_abbreviation_names_each_reading_not_a_near_spelling() -> None:
    with pytest.raises(ZoneError) as caught:
        parse_zone("IST")
    message = str(caught.value)
    for zone in ("Asia/Kolkata", "Asia/Jerusalem", "Europe/Dublin"):
        assert zone in message
    assert "PST" not in message


@pytest.mark.parametrize("name", ["United States", "US"])
def test_a_country_of_several_zones_names_them(name: str) -> None:
    # "United States" was an IndexError (a country has no per-zone meanings); "US" said nothing.
    with pytest.raises(ZoneError) as caught:
        parse_zone(name)
    assert (f"{name} has several zones, among them America/New_York, America/Chicago, "
            "America/Denver and America/Los_Angeles: write the IANA name of the one meant"
            in str(caught.value))


def test_a_city_written_as_the_zone_suggests_its_iana_name() -> None:
    with pytest.raises(ZoneError, match=r"did you mean 'Asia/Shanghai'\?"):
        parse_zone("Beijing")


def test_fold_on_a_time_in_a_gap_says_fold_cannot_choose_there() -> None:
    zone = parse_zone("America/New_York")
    with pytest.raises(ZoneError) as caught:
        zone.localize(datetime(2027, 3, 14, 2, 30), fold="later")
    assert "does not exist" in str(caught.value)
    assert 'fold = "later" only chooses' in str(caught.value)
    with pytest.raises(ZoneError) as plain:
        zone.localize(datetime(2027, 3, 14, 2, 30))
    assert "fold" not in str(plain.value)
