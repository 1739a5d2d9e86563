"""Second review of import-cfp's new readings: a guess must not fire inside another word."""

from __future__ import annotations

from bot.core.cfp import import_cfp
from bot.core.schedule import read_schedule

CALL = """# Call for Papers: Workshop on Geodata Systems (GDS 2026)

GDS 2026 is held in Vienna, Austria.

## Important dates

- Paper submission: May 3, 2026, 11:59 PM CEST
- Notification: June 10, 2026
- Theodore Award ceremony: September 14, 2026
- Workshop: September 15, 2026
"""


def test_eod_inside_a_word_is_no_time() -> None:
    # "Theodore" holds "eod": it was read as "end of day", the ceremony made 23:59 and its
    # title cut to "Th ore".
    draft, warnings, _ = import_cfp(CALL, source="call.md")
    event, problems = read_schedule(draft, "call.md")
    assert problems == [] and event is not None
    ceremony = next(d for d in event.dates if "Award" in d.title)
    assert ceremony.title == "Theodore Award ceremony"
    assert ceremony.all_day
    assert not any("read as 23:59" in str(w) for w in warnings), warnings


LONDON = """# Call for Papers: Workshop on Energy-Aware Data Centres (EADC 2025)

EADC 2025 is held in London, UK, on October 27-28, 2025.

## Important dates

All deadlines are 11:59 PM CET.

- Paper submission: Friday, June 20, 2025
- Workshop: October 27-28, 2025
"""


def test_cet_in_a_london_summer_is_flagged_as_in_lyon() -> None:
    # London's summer clock (BST) happens to be UTC+01:00, CET's offset: that coincidence
    # chose London with no doubt, while the date was written in Europe/Paris (CEST): 21:59 UTC
    # for "11:59 PM CET" without a word. Only a venue on CET's offset all year (Lagos) is it.
    draft, warnings, _ = import_cfp(LONDON, source="call.md")
    event, problems = read_schedule(draft, "call.md")
    assert problems == [] and event is not None
    assert any(str(w).startswith("call.md:9: warning: \"CET\" (UTC+01:00) on a date in summer")
               for w in warnings), warnings


def _held_in(place: str) -> str | None:
    call = (f"# Call for Papers: Workshop on Test Systems (WTS 2026)\n\nWTS 2026 will be held "
            f"in {place}, on June 3, 2026.\n\n## Important dates\n\n"
            f"- Paper submission: March 6, 2026, 23:59 AoE\n- Workshop: June 3, 2026\n")
    draft, _, _ = import_cfp(call, source="call.md")
    event, problems = read_schedule(draft, "call.md")
    assert problems == [] and event is not None
    return event.venue_zone.key if event.venue_zone is not None else None


def test_held_in_a_city_of_another_country_or_a_country_of_many_zones_gives_no_zone() -> None:
    # "held in CITY, COUNTRY" with a city our table lacks: CLDR's Perth is Australia's (the
    # call says Scotland: its one zone), and "USA" has many zones (it read as New York).
    assert _held_in("Perth, Scotland") == "Europe/London"
    assert _held_in("Springfield, USA") is None
    assert _held_in("Lyon, France") == "Europe/Paris"  # one zone: still read
    assert _held_in("Brisbane, Australia") == "Australia/Brisbane"  # the city in its country


def test_held_in_a_city_and_its_region_keeps_the_city() -> None:
    assert _held_in("Hobart, Tasmania") == "Australia/Hobart"  # a region, not a country
