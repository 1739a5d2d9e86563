"""A date whose ``at`` names its own zone and which has a ``zone`` key too: ``at``'s zone gives
the instant and the zone shown, the key is not used. It was silent; validate now says so at the
key's line (an organizer who wrote zone = "Europe/Zurich" beside "... 23:59 AoE" meant one)."""

from __future__ import annotations

from bot.core.lint import lint
from bot.core.schedule import parse_schedule

HEAD = '[event]\nid = "w-2027"\nname = "W"\nzone = "Europe/Zurich"\n'
DATE = ('\n[[dates]]\nid = "cr"\ntitle = "Camera-ready"\nkind = "camera-ready"\n'
        'at = "2027-11-05 23:59{inline}"\n{zone}')


def test_a_zone_key_beside_a_zone_in_at_is_said_at_the_keys_line() -> None:
    text = HEAD + DATE.format(inline=" AoE", zone='zone = "Europe/Zurich"\n')
    warnings = [p for p in lint(parse_schedule(text)) if p.field == "dates[0].zone"]
    assert len(warnings) == 1, lint(parse_schedule(text))
    (warning,) = warnings
    lines = text.splitlines()
    assert warning.line == len(lines) - lines[::-1].index('zone = "Europe/Zurich"')  # the date's
    assert warning.severity == "warning"
    assert warning.message.startswith("not used: at names its own zone (AoE), which gives the "
                                      "instant and the zone shown"), warning.message


def test_one_zone_written_once_is_quiet() -> None:
    for inline, zone in ((" AoE", ""), ("", 'zone = "AoE"\n')):
        text = HEAD + DATE.format(inline=inline, zone=zone)
        assert [p for p in lint(parse_schedule(text)) if p.field.endswith(".zone")] == []
