"""A place written "CITY, REGION" honours the region: the city's zone only where the written
country, US state, Canadian province or Australian state holds it, else the region's one zone,
else a doubt that says why (in --tz, import-cfp and the city table every reader shares)."""

from __future__ import annotations

import pytest

from bot.cli.main import main
from bot.core.cfp import import_cfp
from bot.core.places import city_zone, place_zone
from bot.core.schedule import read_schedule

SHIPPED = "schedules/aisys-sosp17.toml"


@pytest.mark.parametrize(("place", "zone"), [
    ("Cambridge, Massachusetts", "America/New_York"),   # the table's Cambridge is England's
    ("Cambridge, MA", "America/New_York"),
    ("Cambridge, MA, USA", "America/New_York"),
    ("Cambridge, UK", "Europe/London"),
    ("Cambridge, England", "Europe/London"),
    ("Portland, Maine", "America/New_York"),            # the table's Portland is Oregon's
    ("Portland, Oregon", "America/Los_Angeles"),
    ("Perth, Scotland", "Europe/London"),
    ("Perth, WA", "Australia/Perth"),                   # Western Australia, not Washington
    ("Seattle, WA", "America/Los_Angeles"),
    ("London, Ontario", "America/Toronto"),
    ("Springfield, Illinois", "America/Chicago"),       # unknown city, a state of one zone
    ("Austin, TX", "America/Chicago"),                  # known city inside a state of two
    ("Juneau, Alaska", "America/Juneau"),               # Anchorage's clock
    ("Hobart, Tasmania", "Australia/Hobart"),
    ("Lyon, France", "Europe/Paris"),
    ("Kyoto, Japan", "Asia/Tokyo"),
    ("北京, 中国", "Asia/Shanghai"),
    ("Boston", "America/New_York"),                     # no region: as before
    ("Portland", "America/Los_Angeles"),
])
def test_a_written_region_is_honoured(place: str, zone: str) -> None:
    assert place_zone(place).zone == zone
    assert city_zone(place) == zone


@pytest.mark.parametrize(("place", "said"), [
    ("Portland, USA", ("Oregon", "Maine", "ambiguous")),
    ("Springfield, USA", ("several zones", "America/New_York", "America/Los_Angeles")),
    ("Paris, Texas", ("Europe/Paris", "is not in Texas", "America/Chicago", "America/Denver")),
    ("Flagstaff, AZ", ("Arizona", "America/Phoenix", "America/Denver")),  # Navajo: DST
    ("Zhuhai, China", ("Asia/Shanghai", "Asia/Urumqi")),
])
def test_a_region_that_cannot_say_is_a_doubt_not_a_guess(place: str, said: tuple[str, ...]
                                                         ) -> None:
    located = place_zone(place)
    assert located.zone is None and city_zone(place) is None
    for words in said:
        assert words in located.doubt, located.doubt


def test_tz_takes_a_city_and_its_state(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "when is the paper deadline?", "--schedule", SHIPPED, "--now",
                 "2017-08-01T00:00:00Z", "--tz", "Portland, Maine"]) == 0
    assert "EDT (America/New_York, UTC-04:00)" in capsys.readouterr().out


def test_tz_of_an_ambiguous_place_says_which_places_it_could_be(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "when is the paper deadline?", "--schedule", SHIPPED, "--now",
                 "2017-08-01T00:00:00Z", "--tz", "Portland, USA"]) != 0
    err = capsys.readouterr().err
    assert "Portland, Oregon (America/Los_Angeles)" in err
    assert "Portland, Maine (America/New_York)" in err
    assert "Traceback" not in err


def _venue(first_line_place: str) -> tuple[str | None, list[str]]:
    call = (f"# Workshop on Widgets (WOW '27) {first_line_place} -- May 3-5, 2027\n\n"
            f"## Important dates\n\n- Paper submission: March 1, 2027, 23:59 AoE\n")
    draft, warnings, _ = import_cfp(call, source="call.md")
    event, problems = read_schedule(draft, "call.md")
    assert problems == [] and event is not None
    zone = event.venue_zone.key if event.venue_zone is not None else None
    return zone, [str(w) for w in warnings]


@pytest.mark.parametrize(("place", "zone"), [("Portland, Maine", "America/New_York"),
                                             ("Cambridge, Massachusetts", "America/New_York"),
                                             ("Cambridge, UK", "Europe/London"),
                                             ("Portland, OR", "America/Los_Angeles"),
                                             ("Austin, TX", "America/Chicago")])
def test_import_cfp_venue_honours_the_written_state(place: str, zone: str) -> None:
    assert _venue(place)[0] == zone


def test_import_cfp_venue_of_an_ambiguous_place_is_left_out_and_said() -> None:
    zone, warnings = _venue("Portland, USA")
    assert zone is None
    assert any(w.startswith("call.md:1: warning: Portland, USA is ambiguous") and "Maine" in w
               for w in warnings), warnings


@pytest.mark.parametrize(("question", "said"), [
    ("when is the paper deadline in Cambridge, Massachusetts?", "EDT (America/New_York"),
    ("when is the paper deadline in Portland, Maine?", "EDT (America/New_York"),
    ("when is the paper deadline in Perth, Scotland?", "BST (Europe/London"),
    ("when is the paper deadline in Cambridge?", "BST (Europe/London"),  # no state: as before
])
def test_ask_reads_the_state_after_a_city(capsys: pytest.CaptureFixture[str], question: str,
                                          said: str) -> None:
    assert main(["ask", question, "--schedule", SHIPPED, "--now", "2017-08-01T00:00:00Z"]) == 0
    assert f"is Monday 11 September 2017, {'02:59' if 'New_York' in said else '07:59'} " \
           f"{said}" in capsys.readouterr().out


def test_ask_of_an_ambiguous_city_and_country_gives_each_reading(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "when is the paper deadline in Portland, USA?", "--schedule", SHIPPED,
                 "--now", "2017-08-01T00:00:00Z"]) == 0
    out = capsys.readouterr().out
    assert "can mean Portland, Oregon or Portland, Maine" in out
    assert "If you meant Portland, Maine: Monday 11 September 2017, 02:59 EDT" in out


def test_import_cfp_names_the_country_of_any_state_written() -> None:
    call = ("# Workshop on Widgets (WOW '27) Portland, Maine -- May 3-5, 2027\n\n"
            "## Important dates\n\n- Paper submission: March 1, 2027, 23:59 AoE\n")
    draft, _, _ = import_cfp(call, source="call.md")
    assert 'country = "USA"' in draft  # was "Maine": the short list of states lacked it
