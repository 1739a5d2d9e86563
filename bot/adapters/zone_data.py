"""Which zone rules this process reads: the newer of the system's tz files and the ``tzdata``
package.

``zoneinfo`` reads the system's files first, and they can be years older than the package
duebot installs: Debian 12's 2025b still had Vancouver on PST/PDT in 2027, where tzdata 2026f
has British Columbia on UTC-07:00 all year, an hour apart for a winter deadline. A wrong
instant is the one thing duebot must not serve, so the release that knows more wins; an
operator's own ``PYTHONTZPATH`` is left as it is. Ours because no library makes this choice.
"""

from __future__ import annotations

import importlib
import os
import re
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = ["ZoneData", "choose", "in_use", "use_newest"]

_VERSION = re.compile(r"(\d{4})([a-z]*)")


@dataclass(frozen=True, slots=True)
class ZoneData:
    """The rules chosen, and why, for the log and ``/healthz``."""

    source: str  # "system" or "tzdata"
    version: str  # an IANA release ("2026f"), or "" when the files do not say
    why: str


def _release(text: str) -> tuple[int, str] | None:
    m = _VERSION.fullmatch(text.strip())
    return (int(m[1]), m[2]) if m else None


def system_version(folders: Sequence[str]) -> str:
    """The IANA release of the first folder holding tz files, from its ``tzdata.zi`` ("#
    version 2025b") or ``+VERSION`` (macOS); "" when it does not say."""
    for folder in folders:
        if not os.path.isdir(folder):
            continue
        try:
            with open(os.path.join(folder, "tzdata.zi"), encoding="utf-8") as handle:
                first = handle.readline()
            m = re.match(r"#\s*version\s+(\S+)", first)
            if m:
                return m[1]
        except OSError:
            pass
        try:
            with open(os.path.join(folder, "+VERSION"), encoding="utf-8") as handle:
                return handle.read().strip()
        except OSError:
            return ""
    return ""


def package_version() -> str:
    """The ``tzdata`` package's IANA release, or "" when it is not installed."""
    try:
        package = importlib.import_module("tzdata")  # no stubs: one attribute is read
    except ImportError:
        return ""
    return str(getattr(package, "IANA_VERSION", ""))


def choose(folders: Sequence[str], system: str, package: str,
           environ: Mapping[str, str]) -> ZoneData:
    """The newer release wins; the package when the system's files do not say their release
    (its release is known, and it is what duebot is tested with); the system's files when the
    operator set ``PYTHONTZPATH`` or there is no package."""
    if environ.get("PYTHONTZPATH") == "":
        return ZoneData("tzdata", package, "PYTHONTZPATH is empty")
    if "PYTHONTZPATH" in environ:
        return ZoneData("system", system, "PYTHONTZPATH is set")
    if not package:
        return ZoneData("system", system, "the tzdata package is not installed")
    if not any(os.path.isdir(folder) for folder in folders):
        return ZoneData("tzdata", package, "no system tz files")
    mine, theirs = _release(package), _release(system)
    if theirs is None:
        return ZoneData("tzdata", package, "the system's tz files do not say their release")
    if mine is None or theirs > mine:
        return ZoneData("system", system, f"newer than the tzdata package's {package}")
    return ZoneData("tzdata", package,
                    f"the system's {system} is older" if theirs < mine else "the same release")


def use_newest() -> ZoneData:
    """Point ``zoneinfo`` at the newer rules for this process and its children (before any
    zone is read: ``zoneinfo`` caches what it loaded)."""
    global _chosen
    folders = tuple(zoneinfo.TZPATH)
    _chosen = choose(folders, system_version(folders), package_version(), os.environ)
    if _chosen.source == "tzdata" and folders:
        zoneinfo.reset_tzpath(to=())
        zoneinfo.ZoneInfo.clear_cache()  # a zone read before this call is read again
        os.environ["PYTHONTZPATH"] = ""  # processes duebot starts read the same rules
    return _chosen


_chosen: ZoneData | None = None


def in_use() -> str:
    """The rules ``use_newest`` chose, said for the log: "zone rules tzdata 2026f (the
    system's 2025b is older)"."""
    if _chosen is None:
        return "zone rules as zoneinfo finds them"
    name = "the tzdata package" if _chosen.source == "tzdata" else "the system's tz files"
    return f"zone rules {_chosen.version or 'of unknown release'} from {name} ({_chosen.why})"
