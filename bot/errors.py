"""One exception hierarchy: every user mistake is a DuebotError that says where and what.

Adapters map their vendors' exceptions to these once, at the edge; the CLI prints them as
``FILE:LINE: error: message`` and exits 1. Anything else is our bug and may show a traceback.
"""

from __future__ import annotations

import difflib
import reprlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, kw_only=True)
class Problem:
    """One finding about a user's file: where it is and what is wrong."""

    message: str
    file: str = ""
    line: int | None = None
    field: str = ""
    severity: Severity = "error"

    def __str__(self) -> str:
        where = self.file or "duebot"
        if self.line is not None:
            where = f"{where}:{self.line}"
        field = f"{self.field}: " if self.field else ""
        return f"{where}: {self.severity}: {field}{self.message}"


class DuebotError(Exception):
    """Root of every error a user can cause and fix."""

    def __init__(self, message: str, *, file: str = "", line: int | None = None,
                 field: str = "") -> None:
        super().__init__(message)
        self.problem = Problem(message=message, file=file, line=line, field=field)

    @property
    def problems(self) -> Sequence[Problem]:
        return (self.problem,)

    def __str__(self) -> str:
        return str(self.problem)


class ZoneError(DuebotError):
    """A time zone name we cannot read, or a local time that does not exist or is ambiguous."""


class ScheduleError(DuebotError):
    """A schedule file with one or more errors; carries every problem found in one pass."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        found = tuple(problems)
        first = found[0] if found else Problem(message="invalid schedule")
        super().__init__(first.message, file=first.file, line=first.line, field=first.field)
        self._problems = found or (first,)

    @property
    def problems(self) -> Sequence[Problem]:
        return self._problems

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self._problems)


class ConfigError(ScheduleError):
    """A config file with one or more errors (unknown keys, bad values, missing secrets)."""


class TemplateError(DuebotError):
    """A template that does not render: syntax, or a field the schedule does not have."""


class UsageError(DuebotError):
    """A command-line argument we cannot use (a bad --now, an unknown zone for --tz ...)."""


class StorageError(Exception):
    """The ledger's database failed a statement.

    The store (``bot.adapters.store``) maps SQLAlchemy's and the driver's exceptions to this
    family once, as httpx maps httpcore's, so no other module imports SQLAlchemy to catch them;
    the vendor's exception stays chained as ``__cause__``. ``detail`` is the driver's own words.
    Not a DuebotError: it is no user's mistake, and a net for those must not swallow it (a mail
    handled during an outage must still get its 451); ``LedgerUnavailable`` is both.
    """

    def __init__(self, message: str, *, detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail or message


class StorageUnavailable(StorageError):
    """The database cannot be reached or the connection broke (refused, terminated, timed out,
    locked): nothing is lost, try again later; nothing may be sent until it can record again."""


class StorageConflict(StorageError):
    """A row with that key is already there (another replica or handler wrote it first)."""


class LedgerUnavailable(StorageUnavailable, DuebotError):
    """The ledger's database cannot be opened, or stayed away longer than the service waits:
    told to the operator as an error (``duebot: error: ...``, exit 1)."""


def suggest(word: str, choices: Iterable[str]) -> str:
    """``; did you mean 'deadline'?`` when a choice is close to ``word``, else ""."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


_SHOWN = reprlib.Repr()
_SHOWN.maxstring, _SHOWN.maxother, _SHOWN.maxlevel, _SHOWN.maxlist = 120, 120, 3, 8


def shown(value: object) -> str:
    """A value as an error message quotes it: repr, but short and never deeply nested."""
    return _SHOWN.repr(value)
