"""Schedules written to be hard, read back by the parsers calendars use: python ``icalendar``,
libical (Evolution, GNOME; through its GObject bindings and the system Python) and ical.js
(Thunderbird). Every reader must show the instant the schedule means.

The expected instants below are worked out by hand from the zones' rules (AoE is UTC-12;
Berlin springs forward at 01:00 UTC on the last Sunday of March; New York's 2040 summer time
follows the 2007 US rule; Sao Paulo kept summer time until 2019), not by the code under test.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import icalendar
import pytest

from bot.adapters.schedule_edit import cancel_date, extend_date
from bot.core.ical import build_calendar, build_date_calendar
from bot.core.model import Event
from bot.core.schedule import parse_schedule

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = Path("/work/main/.ci/node/node_modules")

TITLE = "Full paper, final; 论文提交截止 — 请检查PDF格式 😀🎉\nsecond line, a \\ backslash"
SCHEDULE = f"""
[event]
id = "hard"
name = "Hard, Workshop; 压力 🚀"
zone = "Europe/Berlin"
venue = "Hall A; Room \\"B\\", Level 3"

[contact]
name = "Chairs, PC"
email = "chairs@example.org"

[[dates]]
id = "aoe"
title = "Abstract (AoE)"
kind = "deadline"
at = "2027-03-01 23:59 AoE"

[[dates]]
id = "ist"
title = {json.dumps(TITLE, ensure_ascii=False)}
kind = "deadline"
at = "2027-03-05 23:59"
zone = "+05:30"

[[dates]]
id = "brt"
title = "Rebuttal"
kind = "other"
at = "2027-03-10 09:00"
zone = "-03:00"

[[dates]]
id = "berlin-winter"
title = "Last day of winter time"
kind = "deadline"
at = "2027-03-27 12:00"

[[dates]]
id = "berlin-summer"
title = "First hour of summer time"
kind = "deadline"
at = "2027-03-28 03:30"

[[dates]]
id = "ny-2040-summer"
title = "New York, 2040, summer"
kind = "deadline"
at = "2040-07-01 23:59"
zone = "America/New_York"

[[dates]]
id = "ny-2040-winter"
title = "New York, 2040, winter"
kind = "deadline"
at = "2040-01-15 12:00"
zone = "America/New_York"

[[dates]]
id = "ny-2006"
title = "New York under the old rule"
kind = "notification"
at = "2006-10-30 12:00"
zone = "America/New_York"

[[dates]]
id = "sao-paulo-2018"
title = "Sao Paulo with summer time"
kind = "notification"
at = "2018-12-01 12:00"
zone = "America/Sao_Paulo"

[[dates]]
id = "sao-paulo-2027"
title = "Sao Paulo without"
kind = "notification"
at = "2027-12-01 12:00"
zone = "America/Sao_Paulo"

[[dates]]
id = "shanghai"
title = "Camera-ready"
kind = "camera-ready"
at = "2027-04-01 23:59"
zone = "Asia/Shanghai"

[[dates]]
id = "utc"
title = "UTC deadline"
kind = "deadline"
at = "2027-04-02 12:00"
zone = "UTC"

[[dates]]
id = "notification"
title = "Notification day"
kind = "notification"
at = "2027-04-15"

[[dates]]
id = "workshop"
title = "Workshop"
kind = "event"
at = "2027-05-10"
end = "2027-05-12"
zone = "Asia/Shanghai"

[[dates]]
id = "dinner"
title = "Dinner across midnight"
kind = "event"
at = "2027-05-10 22:00"
end = "2027-05-11 01:30"
zone = "Asia/Shanghai"
"""


def _z(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# uid -> (start, end): UTC instants, or dates for all-day entries (the end exclusive).
EXPECTED: dict[str, tuple[datetime | date, datetime | date]] = {
    "aoe": (_z("2027-03-02T11:59"), _z("2027-03-02T11:59")),
    "ist": (_z("2027-03-05T18:29"), _z("2027-03-05T18:29")),
    "brt": (_z("2027-03-10T12:00"), _z("2027-03-10T12:00")),
    "berlin-winter": (_z("2027-03-27T11:00"), _z("2027-03-27T11:00")),
    "berlin-summer": (_z("2027-03-28T01:30"), _z("2027-03-28T01:30")),
    "ny-2040-summer": (_z("2040-07-02T03:59"), _z("2040-07-02T03:59")),
    "ny-2040-winter": (_z("2040-01-15T17:00"), _z("2040-01-15T17:00")),
    "ny-2006": (_z("2006-10-30T17:00"), _z("2006-10-30T17:00")),
    "sao-paulo-2018": (_z("2018-12-01T14:00"), _z("2018-12-01T14:00")),
    "sao-paulo-2027": (_z("2027-12-01T15:00"), _z("2027-12-01T15:00")),
    "shanghai": (_z("2027-04-01T15:59"), _z("2027-04-01T15:59")),
    "utc": (_z("2027-04-02T12:00"), _z("2027-04-02T12:00")),
    "notification": (date(2027, 4, 15), date(2027, 4, 16)),
    "workshop": (date(2027, 5, 10), date(2027, 5, 13)),
    "dinner": (_z("2027-05-10T14:00"), _z("2027-05-10T17:30")),
}


@pytest.fixture(scope="module")
def hard() -> Event:
    return parse_schedule(SCHEDULE)


def _text(value: datetime | date) -> str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat()


def _expected_text() -> dict[str, tuple[str, str]]:
    return {f"hard.{k}@duebot": (_text(s), _text(e)) for k, (s, e) in EXPECTED.items()}


def read_icalendar(data: bytes) -> dict[str, dict[str, Any]]:
    out = {}
    for vevent in icalendar.Calendar.from_ical(data).events:
        start = vevent.decoded("DTSTART")
        end = vevent.decoded("DTEND") if "DTEND" in vevent else start
        out[str(vevent["UID"])] = {"start": _text(start), "end": _text(end),
                                   "summary": str(vevent["SUMMARY"]),
                                   "sequence": int(vevent.get("SEQUENCE", 0)),
                                   "status": str(vevent["STATUS"]),
                                   "dtstamp": _text(vevent.decoded("DTSTAMP")),
                                   "modified": _text(vevent.decoded("LAST-MODIFIED"))
                                   if "LAST-MODIFIED" in vevent else None}
    return out


LIBICAL = """
import json, sys
import gi
gi.require_version("ICalGLib", "3.0")
from gi.repository import ICalGLib
comp = ICalGLib.Component.new_from_string(sys.stdin.read())
utc = ICalGLib.Timezone.get_utc_timezone()
def text(t):
    if t.is_date():
        return "%04d-%02d-%02d" % (t.get_year(), t.get_month(), t.get_day())
    t = t.convert_to_zone(utc)
    return "%04d-%02d-%02dT%02d:%02d:%02dZ" % (t.get_year(), t.get_month(), t.get_day(),
                                               t.get_hour(), t.get_minute(), t.get_second())
out = {}
v = comp.get_first_component(ICalGLib.ComponentKind.VEVENT_COMPONENT)
while v is not None:
    start = v.get_dtstart()
    end = v.get_dtend()
    modified = v.get_first_property(ICalGLib.PropertyKind.LASTMODIFIED_PROPERTY)
    out[v.get_uid()] = {"start": text(start), "end": text(start if end.is_null_time() else end),
                        "summary": v.get_summary(), "sequence": v.get_sequence(),
                        "modified": text(modified.get_lastmodified()) if modified else None}
    v = comp.get_next_component(ICalGLib.ComponentKind.VEVENT_COMPONENT)
print(json.dumps({"ok": bool(ICalGLib.restriction_check(comp)), "events": out}))
"""

ICALJS = """
const ICAL = require('ical.js');
const comp = new ICAL.Component(ICAL.parse(require('fs').readFileSync(0, 'utf8')));
const out = {};
const t = (x) => x.isDate ? x.toString() : x.toJSDate().toISOString().replace('.000Z', 'Z');
for (const v of comp.getAllSubcomponents('vevent')) {
  const e = new ICAL.Event(v);
  const modified = v.getFirstPropertyValue('last-modified');
  out[e.uid] = {start: t(e.startDate), end: t(e.endDate), summary: e.summary,
                sequence: e.sequence, modified: modified ? t(modified) : null};
}
console.log(JSON.stringify({events: out}));
"""


def _libical_python() -> str | None:
    python = "/usr/bin/python3"
    if not Path(python).exists():
        return None
    probe = subprocess.run([python, "-c", "import gi; gi.require_version('ICalGLib', '3.0'); "
                            "from gi.repository import ICalGLib"], capture_output=True,
                           check=False)
    return python if probe.returncode == 0 else None


def _node_env() -> dict[str, str] | None:
    if shutil.which("node") is None:
        return None
    env = {**os.environ}
    if NODE_MODULES.is_dir():
        env["NODE_PATH"] = str(NODE_MODULES)
    probe = subprocess.run(["node", "-e", "require('ical.js')"], capture_output=True, env=env,
                           cwd=ROOT, check=False)
    return env if probe.returncode == 0 else None


def read_libical(data: bytes) -> dict[str, dict[str, Any]]:
    python = _libical_python()
    assert python is not None
    result = subprocess.run([python, "-c", LIBICAL], input=data, capture_output=True,
                            check=True)
    parsed = json.loads(result.stdout)
    assert parsed["ok"], "libical's restriction check failed"
    events: dict[str, dict[str, Any]] = parsed["events"]
    return events


def read_icaljs(data: bytes) -> dict[str, dict[str, Any]]:
    env = _node_env()
    assert env is not None
    result = subprocess.run(["node", "-e", ICALJS], input=data, capture_output=True, env=env,
                            cwd=ROOT, check=True)
    events: dict[str, dict[str, Any]] = json.loads(result.stdout)["events"]
    return events


READERS = [
    pytest.param(read_icalendar, id="icalendar"),
    pytest.param(read_libical, id="libical", marks=pytest.mark.skipif(
        _libical_python() is None, reason="libical's GObject bindings not installed")),
    pytest.param(read_icaljs, id="ical.js", marks=pytest.mark.skipif(
        _node_env() is None, reason="node with ical.js not found")),
]


@pytest.mark.parametrize("read", READERS)
def test_every_reader_shows_the_instant_the_schedule_means(hard: Event, read: Any) -> None:
    got = read(build_calendar([hard]))
    assert {uid: (e["start"], e["end"]) for uid, e in got.items()} == _expected_text()


@pytest.mark.parametrize("read", READERS)
def test_titles_with_punctuation_chinese_emoji_and_a_line_break_read_back_as_written(
        hard: Event, read: Any) -> None:
    """Commas, semicolons, backslashes and the line break are escaped (RFC 5545 3.3.11), the
    folds fall between characters: each reader gets the organizer's text back."""
    got = read(build_calendar([hard]))
    assert got["hard.ist@duebot"]["summary"] == f"Hard, Workshop; 压力 🚀: {TITLE}"
    assert got["hard.aoe@duebot"]["summary"] == "Hard, Workshop; 压力 🚀: Abstract (AoE)"


def test_folded_lines_are_75_octets_at_most_and_never_split_a_character(hard: Event) -> None:
    data = build_calendar([hard])
    for line in data.split(b"\r\n"):
        assert len(line) <= 75, line
        line.decode("utf-8")  # raises if a fold fell inside a character
        assert not line.endswith(b"\\") or line.endswith(b"\\\\"), line  # escapes kept whole


def test_no_vtimezone_is_needed_so_none_can_be_wrong(hard: Event) -> None:
    """Timed dates are UTC instants: a reader needs no zone rules of ours (a VTIMEZONE whose
    transitions stop in 2037 would put 2040's summer time an hour off in Outlook)."""
    data = build_calendar([hard])
    assert b"VTIMEZONE" not in data and b"TZID" not in data
    assert b"DTSTART:20400702T035900Z" in data


@pytest.mark.parametrize("read", READERS)
def test_an_extension_raises_sequence_and_dtstamp_and_keeps_the_uid(
        tmp_path: Path, read: Any) -> None:
    path = tmp_path / "hard.toml"
    path.write_text(SCHEDULE, encoding="utf-8")
    before = read_icalendar(build_calendar([parse_schedule(SCHEDULE)]))
    extend_date(path, "aoe", "2027-03-03 23:59")
    moved = parse_schedule(path.read_text("utf-8"))
    after = read(build_calendar([moved]))
    uid = "hard.aoe@duebot"
    assert set(after) == set(before)  # the same entries: none added, none lost
    assert after[uid]["start"] == "2027-03-04T11:59:00Z"
    assert after[uid]["sequence"] == before[uid]["sequence"] + 1
    stamped = read_icalendar(build_calendar([moved]))[uid]["dtstamp"]
    assert stamped > before[uid]["dtstamp"]  # RFC 5546 2.1.5: a later revision, a later stamp
    # The one-date calendar (the "add this one" link) carries the same revision.
    one = read(build_date_calendar(moved, moved.date("aoe")))
    assert one[uid]["sequence"] == after[uid]["sequence"]


def test_a_cancelled_date_stays_as_cancelled_and_a_removed_one_vanishes(tmp_path: Path) -> None:
    path = tmp_path / "hard.toml"
    path.write_text(SCHEDULE, encoding="utf-8")
    cancel_date(path, "brt")
    cancelled = read_icalendar(build_calendar([parse_schedule(path.read_text("utf-8"))]))
    entry = cancelled["hard.brt@duebot"]
    assert entry["status"] == "CANCELLED" and entry["sequence"] == 1
    assert entry["summary"].startswith("Cancelled: ")
    # A date deleted from the file is gone from the feed: a subscribed calendar drops it at
    # its next refresh, as it drops any entry a refreshed feed no longer has.
    text = path.read_text("utf-8")
    start = text.index('[[dates]]\nid = "brt"')
    removed = text[:start] + text[text.index("[[dates]]", start + 1):]
    gone = read_icalendar(build_calendar([parse_schedule(removed)]))
    assert "hard.brt@duebot" not in gone and len(gone) == len(EXPECTED) - 1


# --- a hand edit, as a running duebot serves it ------------------------------------------------

def _serving(tmp_path: Path, path: Path, clock: list[datetime]) -> Any:
    """``duebot run``'s Service over ``path`` and a SQLite ledger in ``tmp_path``."""
    from bot.adapters.console import ConsoleChannel
    from bot.config import Config, HttpConfig, ScheduleConfig, StorageConfig
    from bot.service import Service

    config = Config(schedules=(ScheduleConfig(path=path),),
                    storage=StorageConfig(database_url=f"sqlite:///{tmp_path / 'ledger.db'}"),
                    http=HttpConfig(host="127.0.0.1", port=8080))
    return Service(config, clock=lambda: clock[0], channels={"console": ConsoleChannel()})


def _fetched(service: Any, path: str = "/calendar.ics") -> bytes:
    """The feed as a subscribed calendar fetches it from the running app."""
    import asyncio

    import httpx

    from bot.adapters.http import build_app

    async def go() -> bytes:
        transport = httpx.ASGITransport(app=build_app(service))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as c:
            response = await c.get(path)
            assert response.status_code == 200
            return response.content
    return asyncio.run(go())


def _edit(path: Path, old: str, new: str) -> None:
    """An organizer's hand edit (no ``sequence`` written), saved a second later."""
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    later = path.stat().st_mtime + 1
    os.utime(path, (later, later))


@pytest.mark.parametrize("read", READERS)
def test_a_hand_edit_of_at_raises_sequence_and_last_modified_of_that_date_only(
        tmp_path: Path, read: Any) -> None:
    path = tmp_path / "hard.toml"
    path.write_text(SCHEDULE, encoding="utf-8")
    clock = [datetime(2027, 1, 10, 9, 0, tzinfo=UTC)]
    service = _serving(tmp_path, path, clock)
    before = read(_fetched(service))
    uid = "hard.aoe@duebot"
    # Never changed since the ledger saw it: served as it always was, no LAST-MODIFIED.
    assert {e["modified"] for e in before.values()} == {None}

    clock[0] = datetime(2027, 1, 12, 15, 30, 5, tzinfo=UTC)
    _edit(path, 'at = "2027-03-01 23:59 AoE"', 'at = "2027-03-02 23:59 AoE"')
    assert service.reload()
    moved = read(_fetched(service))
    assert moved[uid]["start"] == "2027-03-03T11:59:00Z"
    assert moved[uid]["sequence"] == before[uid]["sequence"] + 1
    assert moved[uid]["modified"] == "2027-01-12T15:30:05Z"

    clock[0] = datetime(2027, 1, 14, 8, 0, tzinfo=UTC)
    _edit(path, 'at = "2027-03-02 23:59 AoE"', 'at = "2027-03-02 21:00 AoE"')
    assert service.reload()
    after = read(_fetched(service))
    assert after[uid]["start"] == "2027-03-03T09:00:00Z"
    assert after[uid]["sequence"] == moved[uid]["sequence"] + 1
    assert after[uid]["modified"] == "2027-01-14T08:00:00Z" > moved[uid]["modified"]
    assert {k: v for k, v in after.items() if k != uid} == {
        k: v for k, v in before.items() if k != uid}  # the other dates keep theirs
    # The one-date calendar ("add this one") carries the same revision.
    one = read(_fetched(service, "/e/hard/aoe.ics"))
    assert (one[uid]["sequence"], one[uid]["modified"]) == (
        after[uid]["sequence"], after[uid]["modified"])

    # A restart with the schedule unchanged raises nothing: the same bytes as before it.
    served = _fetched(service)
    service.ledger.close()
    clock[0] = datetime(2027, 1, 20, tzinfo=UTC)
    restarted = _serving(tmp_path, path, clock)
    try:
        assert _fetched(restarted) == served
    finally:
        restarted.ledger.close()
