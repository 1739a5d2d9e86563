"""Extensions, the most common real change: move a date in the schedule file, keep the rest.

``extend_date`` edits the file in place with tomlkit, so the organizer's comments, order and
layout stay as they were: it sets ``at``, records the first earlier time in ``extended_from``
(an existing one is kept: it is the original), and writes an incremented ``sequence`` so that
subscribed calendars move the event (same UID, higher SEQUENCE). A date moved earlier is a
move, not an extension: ``extended_from`` is left alone. ``cancel_date`` sets
``cancelled = true`` the same way. The new text is checked by the schedule reader before the
file is replaced (atomically), so a bad time never reaches disk.

``bot.app.organizers.apply_change`` then tells the ledger (re-timing unsent reminders).
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.items import Item, Table

from bot.adapters.schedule_files import display_path
from bot.app.organizers import ExtendResult
from bot.core.model import Event, ImportantDate
from bot.core.schedule import parse_local, read_schedule
from bot.errors import Problem, ScheduleError, UsageError, suggest

# The zone written after a local time: "2017-09-10 23:59 AoE" -> "AoE".
_ZONE_SUFFIX = re.compile(r"^\s*\d{4}-\d{1,2}-\d{1,2}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?"
                          r"\s+(?P<zone>\S.*?)\s*$")


def _moment_value(when: ImportantDate) -> str:
    if when.at is not None:
        return when.at.isoformat()
    assert when.day is not None
    return when.day.isoformat()


def _text_of(item: Any) -> str:
    if isinstance(item, str):
        return str(item)
    as_string = getattr(item, "as_string", None)
    return str(as_string()) if callable(as_string) else str(item)


def _keep_trivia(old: Any, new: Item) -> Item:
    """The new value keeps the old one's inline comment and its spacing before it."""
    trivia = getattr(old, "trivia", None)
    if trivia is not None:
        new.trivia.comment_ws = trivia.comment_ws
        new.trivia.comment = trivia.comment
    return new


def _set(table: Table, key: str, value: Item, *, after: str) -> None:
    """Replace ``key`` in place, or add it right after ``after`` (else at the end)."""
    if key in table:
        table[key] = _keep_trivia(table[key], value)
        return
    container = table.value
    insert_after = getattr(container, "_insert_after", None)
    if callable(insert_after) and after in table:
        insert_after(after, key, value)  # tomlkit has no public "insert after" yet
    else:
        table.add(key, value)


def _load(path: Path) -> tuple[str, str, Event]:
    source = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read the schedule: {exc.strerror}", file=source) from None
    event, problems = read_schedule(text, source)
    if event is None:
        raise ScheduleError(problems)
    return text, source, event


def _date_table(doc: Any, event: Event, date_id: str, source: str) -> tuple[Table, ImportantDate]:
    ids = [d.id for d in event.dates]
    if date_id not in ids:
        raise UsageError(f"no date {date_id!r} in the schedule{suggest(date_id, ids)} "
                         f"(dates: {', '.join(ids)})", file=source)
    for table in doc["dates"]:
        if table.get("id") == date_id:
            return table, event.date(date_id)
    raise UsageError(f"date {date_id!r} is not a [[dates]] table", file=source)


def _next_sequence(table: Table, when: ImportantDate) -> int:
    explicit = table.get("sequence")
    return (int(explicit) if isinstance(explicit, int) else when.sequence) + 1


def _write(path: Path, text: str, source: str) -> Event:
    """Check the new text as the reader will, then replace the file atomically."""
    event, problems = read_schedule(text, source)
    if event is None:
        raise ScheduleError(problems)
    mode = path.stat().st_mode & 0o777
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return event


def _refuse_new_time(problems: list[Problem], doc: Any, table: Table, date_id: str,
                     source: str) -> None:
    """A problem with the new time is the caller's argument's, not the file's: the file still
    holds the old value at that line. Raise it naming the argument and the date."""
    index = next(i for i, t in enumerate(doc["dates"]) if t is table)
    for problem in problems:
        if problem.severity == "error" and problem.field == f"dates[{index}].at":
            raise UsageError(f"{problem.message} ({source} is unchanged)",
                             field=f"new time for {date_id}")


def extend_date(path: Path, date_id: str, new_at: str, *, actor: str = "") -> ExtendResult:
    """Move ``date_id`` to ``new_at`` (local time in the date's zone, as the file writes it).

    ``actor`` is not written to the file; ``apply_change`` records it in the audit log.
    """
    del actor
    text, source, before = _load(path)
    doc = tomlkit.parse(text)
    table, when = _date_table(doc, before, date_id, source)
    old_item = table["at"]
    old_text = _text_of(old_item)
    new_text = new_at.strip()
    try:
        new_local = parse_local(new_text)
        old_local = parse_local(old_item if not isinstance(old_item, str) else str(old_item))
    except ValueError as exc:
        raise UsageError(f"new time: {exc}", file=source) from None
    if new_local.zone is None and old_local.zone is not None and isinstance(old_item, str):
        match = _ZONE_SUFFIX.match(str(old_item))
        if match and match["zone"]:  # keep the zone the old time was written in
            new_text = f"{new_text} {match['zone']}"
    if new_local.all_day != old_local.all_day:
        raise UsageError(f"{new_at!r} and the current {old_text!r} must both have a time of "
                         f"day, or both be all-day dates", file=source)
    if when.cancelled:
        raise UsageError(f"date {date_id!r} is cancelled: remove `cancelled = true` first",
                         file=source)
    _set(table, "at", tomlkit.string(new_text), after="id")
    # Read the new time the way the reader will, to know whether it moved later or earlier.
    probe, problems = read_schedule(tomlkit.dumps(doc), source)
    if probe is None:
        _refuse_new_time(problems, doc, table, date_id, source)
        _write(path, tomlkit.dumps(doc), source)  # raises with every problem, file untouched
        raise AssertionError("unreachable")
    moved = probe.date(date_id)
    if moved.starts == when.starts and moved.ends == when.ends:
        raise UsageError(f"{date_id} is already at {old_text}", file=source)
    later = moved.starts > when.starts
    if later and "extended_from" not in table:
        _set(table, "extended_from", tomlkit.item(old_item.unwrap()), after="at")
    sequence = _next_sequence(table, when)
    _set(table, "sequence", tomlkit.integer(sequence),
         after="extended_from" if "extended_from" in table else "at")
    after = _write(path, tomlkit.dumps(doc), source)
    return ExtendResult(path=path, event_id=before.id, date_id=date_id,
                        action="extend" if later else "move", old_text=old_text,
                        new_text=new_text, old_value=_moment_value(when),
                        new_value=_moment_value(after.date(date_id)), sequence=sequence,
                        extended_from=_text_of(table.get("extended_from", "")), event=after)


def cancel_date(path: Path, date_id: str, *, actor: str = "") -> ExtendResult:
    """Mark a date ``cancelled = true`` (STATUS:CANCELLED in the feed, no reminders)."""
    del actor
    text, source, before = _load(path)
    doc = tomlkit.parse(text)
    table, when = _date_table(doc, before, date_id, source)
    if when.cancelled:
        raise UsageError(f"date {date_id!r} is already cancelled", file=source)
    _set(table, "cancelled", tomlkit.boolean(True), after="at")
    sequence = _next_sequence(table, when)
    _set(table, "sequence", tomlkit.integer(sequence), after="cancelled")
    after = _write(path, tomlkit.dumps(doc), source)
    old_text = _text_of(table["at"])
    return ExtendResult(path=path, event_id=before.id, date_id=date_id, action="cancel",
                        old_text=old_text, new_text=old_text, old_value=_moment_value(when),
                        new_value=_moment_value(when), sequence=sequence,
                        extended_from=_text_of(table.get("extended_from", "")), event=after)
