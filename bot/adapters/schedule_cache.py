"""Schedules read and proven at an earlier start, kept beside the SQLite ledger.

A restart of 1,000 unchanged schedules spent half its time reading and proving them again
(``Service._read``). Reading is pure (``read_schedule(text, name)``), and proving depends only
on the event and the templates, so a version that was read *and* proven once is kept here with
the problems (warnings) read reported, keyed by

* the file's text (a digest of it: any change of the file is a miss) and the name it is
  reported under,
* a version of everything else the answer depends on: duebot's own source files, the
  templates, Python and the libraries that parse, render and build calendars, and the time
  zone data of every zone any cached schedule uses (``zoneinfo``'s files, so an updated tzdata
  re-reads everything).

Only versions that loaded are kept: a file with an error is read (and its error reported) on
every start, exactly as without the cache. A cache that cannot be read (missing, corrupt,
written by other code) is ignored and written again; one that cannot be written costs only
the next start's time. The file is written once per start, in a forked child when the process
has a single thread (``duebot run`` at start-up), so the first start does not wait for it.

The file is a pickle; it sits beside the ledger, which whoever can write it trusts anyway.
"""

from __future__ import annotations

import contextlib
import copyreg
import hashlib
import io
import logging
import os
import pickle
import sys
import zoneinfo
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

from bot.adapters.forked import can_fork
from bot.core.model import Event
from bot.errors import Problem

log = logging.getLogger("duebot")

SUFFIX = ".schedule-cache"
"""Beside the ledger: ``ledger.db`` keeps its schedules in ``ledger.db.schedule-cache``."""
FORMAT = "duebot schedule cache 1"
LIBRARIES = ("jinja2", "babel", "icalendar", "tzdata")
"""Distributions whose version can change what reading or proving a schedule gives."""
_PACKAGE = Path(__file__).resolve().parents[1]

Entry = tuple[str, str, Event, tuple[Problem, ...]]
"""The name a file is reported under, its text's digest, the event, its warnings."""


def cache_path(database_url: str) -> Path | None:
    """Where the cache of a SQLite ledger file lives; None for any other ledger (an
    in-memory SQLite, PostgreSQL): nothing is cached then."""
    scheme, sep, rest = database_url.partition("://")
    if not sep or not (scheme == "sqlite" or scheme.startswith("sqlite+")):
        return None
    if not rest.startswith("/"):
        return None
    database = rest[1:].split("?", 1)[0]
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database + SUFFIX)


def text_digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=20).hexdigest()


def code_version(templates: Mapping[str, str]) -> str:
    """Everything but the file and the zone data that reading and proving depend on."""
    digest = hashlib.blake2b(repr((FORMAT, sys.version, sys.implementation.name)).encode(),
                             digest_size=20)
    for source in sorted(_PACKAGE.rglob("*.py")):
        digest.update(str(source.relative_to(_PACKAGE)).encode())
        digest.update(hashlib.blake2b(source.read_bytes(), digest_size=20).digest())
    for name in sorted(templates):
        digest.update(repr((name, templates[name])).encode("utf-8", "surrogatepass"))
    from importlib.metadata import PackageNotFoundError, version

    for library in LIBRARIES:
        try:
            found = version(library)
        except PackageNotFoundError:
            found = "-"
        digest.update(f"{library}={found};".encode())
    return digest.hexdigest()


def zone_digest(key: str) -> str:
    """The digest of the file ``ZoneInfo(key)`` reads (its search order: ``TZPATH``, then the
    ``tzdata`` package); "-" when there is none."""
    for folder in zoneinfo.TZPATH:  # read now: zone_data may have reset it
        candidate = os.path.join(folder, key)
        if os.path.isfile(candidate):
            with open(candidate, "rb") as handle:
                return hashlib.blake2b(handle.read(), digest_size=20).hexdigest()
    try:
        from importlib.resources import files

        data = files("tzdata").joinpath("zoneinfo", *key.split("/")).read_bytes()
    except (ImportError, OSError, ValueError):
        return "-"
    return hashlib.blake2b(data, digest_size=20).hexdigest()


def _mapping(items: dict[Any, Any]) -> MappingProxyType[Any, Any]:
    return MappingProxyType(items)


class _Pickler(pickle.Pickler):
    """Pickles events: their read-only mappings as mappings, each zone by its key (noted, so
    that the cache records the data of every zone it depends on)."""

    def __init__(self, file: io.BytesIO) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.zones: set[str] = set()
        self.dispatch_table = copyreg.dispatch_table.copy()
        self.dispatch_table[MappingProxyType] = self._proxy

    @staticmethod
    def _proxy(proxy: MappingProxyType[Any, Any]) -> tuple[Any, ...]:
        return _mapping, (dict(proxy),)

    def reducer_override(self, obj: Any) -> Any:
        if type(obj) is ZoneInfo:
            self.zones.add(obj.key)
            return ZoneInfo, (obj.key,)
        return NotImplemented


def dumps(value: object) -> tuple[bytes, set[str]]:
    """``value`` pickled as the cache keeps events, and the keys of the zones it holds."""
    buffer = io.BytesIO()
    pickler = _Pickler(buffer)
    pickler.dump(value)
    return buffer.getvalue(), pickler.zones


class ScheduleCache:
    """The versions kept by the last start, and the ones this start read (to keep next)."""

    def __init__(self, path: Path | None, version: str) -> None:
        self.path = path
        self.version = version
        self._old: dict[str, Entry] = {}
        self._new: dict[str, Entry] = {}
        self._changed = False
        self._writer: int | None = None
        if path is not None:
            self._old = self._load(path)

    def _load(self, path: Path) -> dict[str, Entry]:
        try:
            with open(path, "rb") as handle:
                stored = pickle.load(handle)
            if not isinstance(stored, dict) or stored.get("format") != FORMAT:
                return {}
            if stored.get("version") != self.version:
                return {}
            zones: dict[str, str] = stored["zones"]
            if any(zone_digest(key) != digest for key, digest in zones.items()):
                return {}  # the time zone data changed: every instant is read again
            entries: dict[str, Entry] = pickle.loads(stored["entries"])
            return entries
        except FileNotFoundError:
            return {}
        except Exception as exc:  # corrupt, truncated, another version's classes: start over
            log.debug("schedule cache %s ignored: %s: %s", path, type(exc).__name__, exc)
            return {}

    def get(self, path: Path, name: str, text: str) -> tuple[Event, list[Problem]] | None:
        """The event and warnings read from exactly this text under this name, proven; None
        when this version was not kept."""
        key = str(path)
        found = self._old.get(key)
        if found is None or found[0] != name or found[1] != text_digest(text):
            return None
        self._new[key] = found
        return found[2], list(found[3])

    def put(self, path: Path, name: str, text: str, event: Event, problems: list[Problem]
            ) -> None:
        """Keep a version that was read and proven."""
        self.keep(path, (name, text_digest(text), event, tuple(problems)))

    def holds(self, path: Path) -> bool:
        """Whether the last start kept a version of ``path`` (of any text)."""
        return str(path) in self._old

    def entry(self, path: Path) -> Entry | None:
        """What this start keeps for ``path`` (read, or found kept) so far."""
        return self._new.get(str(path))

    def keep(self, path: Path, entry: Entry) -> None:
        """Keep an entry ``get`` or ``put`` made elsewhere (a forked reader's)."""
        key = str(path)
        old = self._old.get(key)
        self._new[key] = entry
        if old is None or old[:2] != entry[:2]:
            self._changed = True

    def save(self) -> None:
        """Write what this start read (and what it found kept), if anything differs from the
        file: in a forked child when this process has one thread, else here."""
        if self.path is None or not (self._changed or self._new.keys() != self._old.keys()):
            return
        self._old = dict(self._new)
        self._changed = False
        if can_fork():
            pid = os.fork()
            if pid == 0:  # the child: write, then leave without running the parent's exit code
                code = 1
                try:
                    self._write()
                    code = 0
                finally:
                    os._exit(code)
            self._writer = pid
            return
        self._write()

    def _write(self) -> None:
        assert self.path is not None
        try:
            entries, used = dumps(self._old)
            zones = {key: zone_digest(key) for key in sorted(used)}
            # The entries as bytes in the envelope: unpickled only once its version matched.
            whole = pickle.dumps({"format": FORMAT, "version": self.version, "zones": zones,
                                  "entries": entries}, protocol=pickle.HIGHEST_PROTOCOL)
            temporary = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
            try:
                temporary.write_bytes(whole)
                os.replace(temporary, self.path)
            finally:
                with contextlib.suppress(OSError):
                    temporary.unlink(missing_ok=True)
        except Exception as exc:  # a read-only folder, a full disk: only speed is lost
            log.debug("schedule cache %s not written: %s: %s", self.path, type(exc).__name__,
                      exc)

    def wait(self) -> None:
        """Wait for the child writing the file, if there is one (and reap it)."""
        if self._writer is not None:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self._writer, 0)
            self._writer = None

    def reap(self) -> None:
        """Reap the writing child if it has finished; never waits."""
        if self._writer is not None:
            try:
                done, _status = os.waitpid(self._writer, os.WNOHANG)
            except ChildProcessError:
                done = self._writer
            if done:
                self._writer = None

