"""Two lead times that are the same instant ("1d" and "24h", or "2d" twice) collapse into one
reminder: validate says so at the line, naming which is kept (an organizer meant two)."""

from __future__ import annotations

import itertools

import pytest

from bot.core.lint import lint
from bot.core.schedule import format_duration, parse_duration, parse_schedule

HEAD = '[event]\nid = "w-2027"\nname = "W"\nzone = "Europe/Berlin"\n'
DATE = ('\n[[dates]]\nid = "paper"\ntitle = "Paper"\nkind = "deadline"\n'
        'at = "2027-03-01 23:59"\nreminders = [{leads}]\n')
SAME = [("1d", "24h"), ("2d", "2d"), ("1h", "60m"), ("1d12h", "36h"), ("7d", "168h")]


@pytest.mark.parametrize(("one", "other"), SAME)
@pytest.mark.parametrize("extra", [(), ("3d",)])
def test_a_lead_time_written_twice_is_said_at_its_line(
        one: str, other: str, extra: tuple[str, ...]) -> None:
    for leads in itertools.permutations((*extra, one, other)):
        text = HEAD + DATE.format(leads=", ".join(f'"{x}"' for x in leads))
        warnings = [p for p in lint(parse_schedule(text)) if "same" in p.message]
        assert len(warnings) == 1, (leads, warnings)
        same = [i + 1 for i, x in enumerate(leads) if parse_duration(x) == parse_duration(one)]
        first, second = same
        line = text.splitlines().index("reminders = [" + ", ".join(f'"{x}"' for x in leads)
                                       + "]") + 1
        (warning,) = warnings
        assert warning.line == line and warning.severity == "warning"
        shown = format_duration(parse_duration(one))
        assert f"{first}" in warning.message and f"{second}" in warning.message
        assert f"one reminder goes out for both, the {first}" in warning.message
        assert f"({shown})" in warning.message


def test_the_reminders_table_is_checked_too() -> None:
    text = HEAD + '\n[reminders]\ncamera_ready = ["3d", "72h"]\n' + DATE.format(leads='"2d"')
    (warning,) = [p for p in lint(parse_schedule(text)) if "same" in p.message]
    assert warning.field == "reminders.camera_ready" and "3d" in warning.message


def test_different_lead_times_say_nothing() -> None:
    text = HEAD + DATE.format(leads='"2d", "1d", "23h", "25h"')
    assert not [p for p in lint(parse_schedule(text)) if "same" in p.message]
