"""Where things sit in a TOML text, and one reader that reports every problem with its line.

tomllib parses but gives no positions. ``SourceMap`` finds the line of each key with a line
scan; ``TomlReader`` collects problems (``FILE:LINE``, field, message) in one pass, so the
schedule reader and the config reader report every mistake at once. Kept by hand: no TOML
library for Python reports key positions for plain ``tomllib`` data. ``load`` reads the plain
TOML schedules are written in (and their lines) in one pass of its own, and hands anything
else to tomllib and the line scan.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from typing import Any

from bot.errors import Problem, suggest

Path = tuple[str | int, ...]
"""Where a value sits: ``("dates", 2, "at")`` is the ``at`` key of the third ``[[dates]]``."""


class SourceMap:
    """Where each key of a TOML text sits, so that errors can name a line.

    tomllib gives no positions; a line scan of headers and ``key =`` lines is enough for the
    shapes schedules and configs use (tables, arrays of tables, dotted keys).
    """

    _HEADER = re.compile(r"^\s*(\[\[|\[)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
    _KEY = re.compile(r"^\s*((?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*')"
                      r"(?:\s*\.\s*(?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*'))*)\s*=")

    def __init__(self, text: str, *, lines: dict[Path, int] | None = None) -> None:
        self.lines: dict[Path, int] = {}
        if lines is not None:  # already found by the reader of plain TOML (``load``)
            self.lines = lines
            return
        counts: dict[tuple[str, ...], int] = {}
        table: Path = ()
        in_multiline: str | None = None
        # Only "\n" ends a TOML line: str.splitlines() would also split at U+2028 in a string.
        for number, line in enumerate(text.split("\n"), start=1):
            if in_multiline:
                in_multiline = _strings_after(line, 0, in_multiline)
                continue
            header = self._HEADER.match(line)
            if header and not line.lstrip().startswith("#"):
                names = tuple(_unquote(p) for p in header[2].split("."))
                if header[1] == "[[":
                    counts[names] = counts.get(names, -1) + 1
                    table = (*names, counts[names])
                    # The array itself sits at its first header: an unknown [[schedule]]
                    # (for [[schedules]]) is said at that line, as an unknown [table] is.
                    self.lines.setdefault(self._with_indexes(names, counts), number)
                else:
                    table = self._with_indexes(names, counts)
                self.lines.setdefault(table, number)
                continue
            key = self._KEY.match(line)
            if key:
                name = key[1]
                if "." in name or '"' in name or "'" in name:
                    parts = tuple(_unquote(p) for p in re.split(r"\s*\.\s*", name))
                else:  # a bare key, as nearly every line has: nothing to split or unquote
                    parts = (name,)
                self.lines.setdefault((*table, *parts), number)
            # Only three quotes open a string that goes on past this line.
            if '"""' in line or "'''" in line:
                in_multiline = _strings_after(line, key.end() if key else 0, None)

    @staticmethod
    def _with_indexes(names: tuple[str, ...], counts: Mapping[tuple[str, ...], int]) -> Path:
        # [dates.extra] after the third [[dates]] belongs to dates[2].
        path: list[str | int] = []
        for i, name in enumerate(names):
            path.append(name)
            prefix = names[: i + 1]
            if prefix in counts and i < len(names) - 1:
                path.append(counts[prefix])
        return tuple(path)

    def line(self, path: Path) -> int | None:
        """The line of a key, or of the nearest enclosing table that has one."""
        probe = tuple(path)
        while probe:
            if probe in self.lines:
                return self.lines[probe]
            probe = probe[:-1]
        return None


def _strings_after(line: str, start: int, open_quote: str | None) -> str | None:
    """Scan ``line`` from ``start``: the multi-line string delimiter still open at its end.

    Strings are read as TOML reads them, so three quotes inside a one-line string, an escaped
    quote, or a ``#`` inside a string neither opens nor closes anything.
    """
    i, end = start, len(line)
    quote = open_quote
    while i < end:
        if quote is None:
            char = line[i]
            if char == "#":
                return None
            if line.startswith('"""', i) or line.startswith("'''", i):
                quote, i = line[i:i + 3], i + 3
            elif char == '"':
                i += 1
                while i < end and line[i] != '"':
                    i += 2 if line[i] == "\\" else 1
                i += 1
            elif char == "'":
                close = line.find("'", i + 1)
                i = end if close < 0 else close + 1
            else:
                i += 1
        elif quote == '"""' and line[i] == "\\":
            i += 2
        elif line.startswith(quote, i):
            i += 3
            for _ in range(2):  # up to two more quotes belong to the string: """a"""" is a"
                if i < end and line[i] == quote[0]:
                    i += 1
            quote = None
        else:
            i += 1
    return quote


def _unquote(part: str) -> str:
    part = part.strip()
    if len(part) >= 2 and part[0] == part[-1] and part[0] in "\"'":
        return part[1:-1]
    return part


_BARE = r"[A-Za-z0-9_-]+"
_NO_CONTROL = r"\x00-\x08\x0a-\x1f\x7f"  # what TOML allows in strings and comments: not these
_STRING = rf"\"[^\"\\{_NO_CONTROL}]*\"|'[^'{_NO_CONTROL}]*'"
_PLAIN_LINE = re.compile(
    rf"[ \t]*(?:(?P<key>{_BARE})[ \t]*=[ \t]*(?:(?P<string>{_STRING})"
    rf"|(?P<int>[+-]?(?:0|[1-9][0-9]{{0,17}}))|(?P<bool>true|false)"
    rf"|(?P<array>\[[ \t]*(?:(?:{_STRING})[ \t]*(?:,[ \t]*(?:{_STRING})[ \t]*)*(?:,[ \t]*)?)?\]))"
    rf"|\[\[[ \t]*(?P<tables>{_BARE})[ \t]*\]\]|\[[ \t]*(?P<table>{_BARE})[ \t]*\])?"
    rf"[ \t]*(?:#[^{_NO_CONTROL}]*)?")
_ITEM = re.compile(_STRING)


def load(text: str) -> tuple[dict[str, Any], SourceMap]:
    """``tomllib.loads(text)`` and ``SourceMap(text)`` at once; raises as tomllib does.

    Schedules are plain TOML: ``[table]`` and ``[[tables]]`` headers, ``key = value`` lines
    of one-line strings without escapes, whole numbers, booleans and arrays of such strings.
    Such a text is read here line by line with one pattern, the data and each key's line
    together (tomllib's character-by-character reading was most of the cost of reading a
    schedule). Any other line, a key or table given twice, or a carriage return sends the
    whole text to tomllib and the line scan, so that anything else, and every syntax error,
    is read (and reported) exactly as before.
    """
    plain = _plain(text)
    if plain is not None:
        return plain
    return tomllib.loads(text), SourceMap(text)


def _plain(text: str) -> tuple[dict[str, Any], SourceMap] | None:
    """What ``load`` returns, for plain TOML only; None for anything else."""
    if "\r" in text:
        return None
    root: dict[str, Any] = {}
    table = root
    where: Path = ()
    lines: dict[Path, int] = {}
    arrays: set[str] = set()  # names given as [[name]]
    for number, line in enumerate(text.split("\n"), start=1):
        match = _PLAIN_LINE.fullmatch(line)
        if match is None:
            return None
        key = match["key"]
        if key is not None:
            if key in table:
                return None  # tomllib's error
            value: Any
            if (string := match["string"]) is not None:
                value = string[1:-1]
            elif (integer := match["int"]) is not None:
                value = int(integer)
            elif (flag := match["bool"]) is not None:
                value = flag == "true"
            else:
                value = [item[1:-1] for item in _ITEM.findall(match["array"])]
            table[key] = value
            lines.setdefault((*where, key), number)
        elif (name := match["tables"]) is not None:
            if name not in arrays:
                if name in root:
                    return None  # a key or a [table] of that name: tomllib's error
                root[name] = []
                arrays.add(name)
                lines.setdefault((name,), number)  # the array, at its first header
            entries = root[name]
            table = {}
            entries.append(table)
            where = (name, len(entries) - 1)
            lines.setdefault(where, number)
        elif (name := match["table"]) is not None:
            if name in root:
                return None  # defined twice: tomllib's error
            table = root[name] = {}
            where = (name,)
            lines.setdefault(where, number)
    return root, SourceMap(text, lines=lines)


_NESTING = 100
"""Deeper than this is reported as the place where nesting went wrong (tomllib's own limit is
Python's recursion limit, which raises RecursionError rather than a syntax error)."""


def nesting_problem(text: str, source: str) -> Problem:
    """Arrays or inline tables nested too deeply for tomllib: at the line where it happens."""
    depth, line = 0, 1
    quote = ""
    for char in text:
        if char == "\n":
            line += 1
            quote = ""  # a one-line string cannot go on; multi-line ones do not matter here
        elif quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char in "[{":
            depth += 1
            if depth > _NESTING:
                break
        elif char in "]}":
            depth = max(0, depth - 1)
    return Problem(message=f"arrays or inline tables nested too deeply (more than {_NESTING} "
                           f"levels): TOML this deep is not a schedule or a config",
                   file=source, line=line)


_AT_LINE = re.compile(r"\s*\(at line (?P<line>\d+), column (?P<column>\d+)\)$")
_AT_END = re.compile(r"\s*\(at end of document\)$")


def syntax_position(exc: tomllib.TOMLDecodeError, text: str) -> tuple[int | None, str]:
    """The line of a TOML syntax error: Python 3.11's tomllib has it only in the message."""
    line = getattr(exc, "lineno", None)
    message = getattr(exc, "msg", None) or str(exc)
    if isinstance(line, int):
        return line, message
    if match := _AT_LINE.search(message):
        return int(match["line"]), f"{message[:match.start()]} (column {match['column']})"
    if match := _AT_END.search(message):
        return max(1, len(text.split("\n"))), f"{message[:match.start()]} (at end of file)"
    return None, message


def syntax_problem(exc: tomllib.TOMLDecodeError, text: str, source: str) -> Problem:
    """A TOML syntax error as a Problem at its line."""
    line, message = syntax_position(exc, text)
    return Problem(message=f"TOML syntax: {message}", file=source, line=line)


def dotted(path: Path) -> str:
    """``("dates", 2, "at")`` -> ``dates[2].at``: the field as a reader of the file says it."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


class TomlReader:
    """Collects every problem of one TOML text in one pass instead of stopping at the first."""

    def __init__(self, text: str, source: str, where: SourceMap | None = None) -> None:
        self.source = source
        self.map = where if where is not None else SourceMap(text)
        self.problems: list[Problem] = []

    def field(self, path: Path) -> str:
        return dotted(path)

    def error(self, path: Path, message: str) -> None:
        self.problems.append(Problem(message=message, file=self.source,
                                     line=self.map.line(path), field=self.field(path)))

    def table(self, data: object, path: Path, allowed: Iterable[str]) -> dict[str, Any]:
        """``data`` as a table, each key not in ``allowed`` reported with a suggestion."""
        if not isinstance(data, dict):
            self.error(path, "expected a table")
            return {}
        allowed = tuple(allowed)
        for key in data:
            if key not in allowed:
                self.error((*path, key), f"unknown key {key!r}{suggest(key, allowed)} "
                           f"(allowed here: {', '.join(allowed)})")
        return data

