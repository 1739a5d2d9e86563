"""The newer of the system's tz files and the tzdata package gives the rules."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import tzdata

from bot.adapters.zone_data import choose, system_version

ROOT = Path(__file__).resolve().parent.parent


def _folder(tmp_path: Path, first_line: str | None) -> str:
    folder = tmp_path / "zoneinfo"
    folder.mkdir()
    if first_line is not None:
        (folder / "tzdata.zi").write_text(first_line + "\nR d 1916 o - Jun 14 24 1 S\n")
    return str(folder)


def test_an_older_system_release_gives_way_to_the_package(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "# version 2025b")
    assert system_version([folder]) == "2025b"
    chosen = choose([folder], "2025b", "2026f", {})
    assert (chosen.source, chosen.version) == ("tzdata", "2026f")
    assert "2025b is older" in chosen.why


def test_a_newer_system_release_is_kept(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "# version 2031a")
    assert choose([folder], system_version([folder]), "2026f", {}).source == "system"
    # the same year, a later letter
    assert choose([folder], "2026g", "2026f", {}).source == "system"
    assert choose([folder], "2026f", "2026f", {}).source == "tzdata"


def test_files_that_do_not_say_their_release_give_way_to_the_package(tmp_path: Path) -> None:
    folder = _folder(tmp_path, None)
    assert system_version([folder]) == ""
    assert choose([folder], "", "2026f", {}).source == "tzdata"


def test_the_operators_own_tzpath_is_kept(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "# version 2019a")
    chosen = choose([folder], "2019a", "2026f", {"PYTHONTZPATH": folder})
    assert chosen.source == "system" and "PYTHONTZPATH" in chosen.why
    assert choose([folder], "2019a", "2026f", {"PYTHONTZPATH": ""}).source == "tzdata"


def test_no_package_keeps_the_system_files(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "# version 2019a")
    assert choose([folder], "2019a", "", {}).source == "system"


def test_the_command_reads_the_newer_rules_on_this_machine() -> None:
    # Without PYTHONTZPATH, `duebot` started here reads the release use_newest chose: the
    # instant of a date the two releases may disagree on is the chosen one's.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONTZPATH"}
    env["PYTHONPATH"] = str(ROOT)
    probe = ("import zoneinfo, datetime; from bot.adapters import zone_data; "
             "zone_data.use_newest(); z = zoneinfo.ZoneInfo('America/Vancouver'); "
             "print(zone_data._chosen.source, zoneinfo.TZPATH == (), "
             "datetime.datetime(2027, 1, 15, 12, tzinfo=z).utcoffset().total_seconds())")
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True,
                         text=True, check=True).stdout.split()
    folders = [f for f in ("/usr/share/zoneinfo", "/usr/lib/zoneinfo",
                           "/usr/share/lib/zoneinfo", "/etc/zoneinfo") if os.path.isdir(f)]
    expected = choose(folders, system_version(folders), tzdata.IANA_VERSION, {}).source
    assert out[0] == expected
    assert out[1] == str(expected == "tzdata" and bool(folders))
    if expected == "tzdata":  # this process reads the package only (conftest)
        zone = ZoneInfo("America/Vancouver")
    else:
        with open(os.path.join(folders[0], "America", "Vancouver"), "rb") as handle:
            zone = ZoneInfo.from_file(handle)
    offset = datetime(2027, 1, 15, 12, tzinfo=zone).utcoffset()
    assert offset is not None and float(out[2]) == offset.total_seconds()
