"""A mistyped zone is answered with the zone's current IANA name, never a legacy link of the
tz database's ``backward`` file ("Pacfic": America/Los_Angeles, not US/Pacific), wherever a
zone is read: --tz, a schedule's ``zone``, import-cfp --zone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.core import get_global

from bot.cli.main import main
from bot.core.schedule import read_schedule
from bot.core.zones import iana_names, parse_zone
from bot.errors import ZoneError

CURRENT = {old: new for old, new in get_global("zone_aliases").items()
           if not new.startswith("Etc/") and old in set(iana_names()) and new in set(iana_names())}
LEGACY = set(CURRENT)
_SUGGESTED = re.compile(r"did you mean '([^']+)'")


def _suggestion(text: str) -> str | None:
    try:
        parse_zone(text)
    except ZoneError as exc:
        found = _SUGGESTED.search(exc.problem.message)
        return found[1] if found else None
    return None


def _typos(name: str) -> list[str]:
    """Each one-letter deletion inside the last part of ``name`` (the part people type)."""
    head, _, tail = name.rpartition("/")
    out = []
    for i in range(1, len(tail) - 1):
        typo = (f"{head}/" if head else "") + tail[:i] + tail[i + 1:]
        if typo.casefold() not in {n.casefold() for n in iana_names()}:
            out.append(typo)
    return out


def test_a_near_miss_of_a_legacy_name_suggests_its_current_name() -> None:
    assert len(LEGACY) > 50
    for old in CURRENT:
        typo = old[:-1] + ("x" if old[-1] != "x" else "y")
        said = _suggestion(typo)
        assert said not in LEGACY, (typo, said)


@pytest.mark.parametrize("legacy", sorted(LEGACY))
def test_no_typo_of_a_legacy_name_is_answered_with_a_legacy_name(legacy: str) -> None:
    for typo in _typos(legacy)[:3]:
        said = _suggestion(typo)
        assert said not in LEGACY, (typo, said)


def test_pacfic_is_los_angeles_on_every_path(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    schedule = tmp_path / "s.toml"
    good = '[event]\nid = "w"\nname = "W"\nzone = "{zone}"\n' + (
        '[[dates]]\nid = "d"\ntitle = "D"\nkind = "deadline"\nat = "2027-03-01 23:59"\n')
    schedule.write_text(good.format(zone="Pacfic"), encoding="utf-8")
    event, problems = read_schedule(schedule.read_text(encoding="utf-8"), str(schedule))
    assert event is None and "did you mean 'America/Los_Angeles'?" in problems[0].message

    schedule.write_text(good.format(zone="UTC"), encoding="utf-8")
    assert main(["ask", "when", "--schedule", str(schedule), "--tz", "Pacfic"]) != 0
    assert "did you mean 'America/Los_Angeles'?" in capsys.readouterr().err

    call = tmp_path / "call.md"
    call.write_text("Submission deadline: March 1, 2027\n", encoding="utf-8")
    assert main(["import-cfp", str(call), "--zone", "Pacfic"]) != 0
    assert "did you mean 'America/Los_Angeles'?" in capsys.readouterr().err
