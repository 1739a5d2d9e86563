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
