"""import-cfp's summary shows a timed end as the TOML writes it: "24:00" is the end of that day
(as every other view says it, ``ImportantDate.day_ends``), never the next day's 00:00."""

from __future__ import annotations

import re
import tomllib

import pytest

from bot.core.cfp import import_cfp

ZONES = ["CEST", "AoE", "UTC", "EDT", "UTC+05:30", "PT"]
HOURS = [("18:00", "24:00"), ("9:00", "17:00"), ("00:00", "24:00"), ("20:00", "23:59")]


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize(("start", "end"), HOURS)
def test_the_summary_end_is_the_end_the_toml_writes(zone: str, start: str, end: str) -> None:
    call = (f"Workshop on Things 2027\n\n- Submission deadline: June 1, 2027, {start} – {end} "
            f"{zone}\n- Workshop: September 2, 2027\n")
    imported = import_cfp(call)
    data = tomllib.loads(imported.toml)
    (written,) = [d for d in data["dates"] if "end" in d]
    row = next(r for r in imported.summary if r.id == written["id"])
    shown = re.search(r" \.\. (\S+(?: \d\d:\d\d)?)", row.local)
    assert shown is not None, row
    end_day, _, end_clock = written["end"].rpartition(" ")
    at_day = written["at"].split(" ")[0]
    wanted = end_clock if end_day == at_day else written["end"]
    assert shown[1] == wanted, (row.local, written)
