"""Find and read schedule files on disk: the edge in front of the pure ``bot.core.schedule``."""

from __future__ import annotations

import os
from pathlib import Path

from bot.core.model import Event
from bot.core.schedule import read_schedule
from bot.errors import Problem, ScheduleError, UsageError

SCHEDULES_DIR = "schedules"


def project_root() -> Path:
    """The checkout duebot runs from: the working directory, or the package's parent."""
    cwd = Path.cwd()
    if (cwd / SCHEDULES_DIR).is_dir():
        return cwd
    return Path(__file__).resolve().parents[2]


def display_path(path: Path) -> str:
    """A path as the user would type it: relative to the working directory when inside it,
    absolute outside it (``../../tmp/x.toml`` hides where the file is)."""
    absolute, cwd = os.path.abspath(path), os.getcwd()
    if os.name == "posix" and not (absolute.startswith("//") or cwd.startswith("//")):
        # The same answer from the strings: pathlib's parsing of both paths cost more than
        # reading a short schedule, twice per file at start-up.
        if absolute == cwd:
            return "."
        inside = cwd if cwd.endswith("/") else cwd + "/"
        return absolute[len(inside):] if absolute.startswith(inside) else absolute
    whole = Path(absolute)
    try:
        return str(whole.relative_to(Path(cwd)))
    except ValueError:  # outside the working directory (or on another drive)
        return str(whole)


def read_file(path: Path) -> tuple[Event | None, list[Problem]]:
    """Read one schedule; a missing or unreadable file is a problem, not a traceback."""
    name = display_path(path)
    text, problems = read_text(path, name)
    if text is None:
        return None, problems
    return read_schedule(text, name)


def read_text(path: Path, name: str) -> tuple[str | None, list[Problem]]:
    """A schedule file's text, or why it cannot be read (reported under ``name``)."""
    try:
        return path.read_text(encoding="utf-8"), []
    except FileNotFoundError:
        return None, [Problem(message="no such file", file=name)]
    except IsADirectoryError:
        return None, [Problem(message="is a directory, expected a .toml schedule", file=name)]
    except UnicodeDecodeError as exc:
        return None, [Problem(message=f"not UTF-8 text ({exc.reason} at byte {exc.start})",
                              file=name)]
    except OSError as exc:
        return None, [Problem(message=f"cannot read: {exc.strerror}", file=name)]


def load_file(path: Path) -> Event:
    event, problems = read_file(path)
    if event is None:
        raise ScheduleError(problems)
    return event


def shipped_schedules(root: Path | None = None) -> list[Path]:
    folder = (root or project_root()) / SCHEDULES_DIR
    return sorted(folder.glob("*.toml")) if folder.is_dir() else []


def own_example_note(explicit: str | None, used: Path, options: str) -> str | None:
    """The line to print when ``used`` is duebot's own example only because the working
    directory has no ``schedules/`` folder: an organizer must not take its dates for theirs.
    ``options``: how to point at theirs (``--schedule FILE``)."""
    if explicit or (Path.cwd() / SCHEDULES_DIR).is_dir():
        return None
    return (f"no {SCHEDULES_DIR}/ folder here: using duebot's own {display_path(used)}; "
            f"pass {options} for yours")


def default_schedule(explicit: str | None) -> Path:
    """``--schedule`` if given; otherwise the one schedule in ``schedules/``."""
    if explicit:
        return Path(explicit)
    found = shipped_schedules()
    if len(found) == 1:
        return found[0]
    if not found:
        raise UsageError(f"no schedule given and none found in {SCHEDULES_DIR}/: "
                         f"pass --schedule FILE")
    names = ", ".join(display_path(p) for p in found)
    raise UsageError(f"several schedules in {SCHEDULES_DIR}/ ({names}): pick one with "
                     f"--schedule FILE")
