"""The calendar feed: every instant a subscriber's calendar shows is the schedule's instant.

Each feed is read back with two independent parsers (``icalendar`` and ``vobject``), and with
ical.js (Thunderbird's parser) when node and the package are at hand.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import icalendar
import pytest
import vobject
from freezegun import freeze_time
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bot.core.ical import (
    build_calendar,
    build_date_calendar,
    description_for,
    revision_stamp,
    summary_for,
    uid_for,
)
from bot.core.model import KINDS, Contact, Event, ImportantDate, Kind, Submission
from bot.core.schedule import parse_schedule
from bot.core.zones import iana_names, parse_zone
from bot.errors import UsageError, ZoneError

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Entry:
    """One VEVENT as a parser read it, normalized: UTC instants or plain dates."""

    uid: str
    summary: str
    start: datetime | date
    end: datetime | date
    sequence: int
    status: str
    categories: tuple[str, ...]


def _norm(value: datetime | date) -> datetime | date:
    if isinstance(value, datetime):
        assert value.tzinfo is not None, "a timed DTSTART/DTEND came back floating"
        return value.astimezone(UTC)
    return value


def read_with_icalendar(data: bytes) -> list[Entry]:
    calendar = icalendar.Calendar.from_ical(data)
    # A DATE-TIME DTSTART without DTEND is an instant: its end is its start (RFC 5545 3.6.1).
    return [
        Entry(uid=str(vevent["UID"]), summary=str(vevent["SUMMARY"]),
              start=_norm(vevent.decoded("DTSTART")),
              end=_norm(vevent.decoded("DTEND" if "DTEND" in vevent else "DTSTART")),
              sequence=vevent.sequence, status=str(vevent["STATUS"]),
              categories=tuple(vevent.categories))
        for vevent in calendar.events
    ]


def read_with_vobject(data: bytes) -> list[Entry]:
    calendar = vobject.readOne(data.decode("utf-8"))
    out = []
    for vevent in getattr(calendar, "vevent_list", []):
        out.append(Entry(
            uid=vevent.uid.value, summary=vevent.summary.value,
            start=_norm(vevent.dtstart.value),
            end=_norm(getattr(vevent, "dtend", vevent.dtstart).value),
            sequence=int(vevent.sequence.value), status=vevent.status.value,
            categories=tuple(vevent.categories.value),
        ))
    return out


PARSERS = {"icalendar": read_with_icalendar, "vobject": read_with_vobject}


def expected_entries(event: Event) -> list[Entry]:
    """What the schedule says, computed from the model without the feed's code paths."""
    out = []
    for when in event.dates:
        start: datetime | date
        end: datetime | date
        if when.at is not None:
            start, end = when.at, when.end or when.at
        else:
            assert when.day is not None
            start, end = when.day, (when.end_day or when.day) + timedelta(days=1)
        out.append(Entry(
            uid=f"{event.id}.{when.id}@duebot", summary=summary_for(event, when),
            start=start, end=end, sequence=when.sequence,
            status="CANCELLED" if when.cancelled else "CONFIRMED", categories=(when.kind,),
        ))
    return sorted(out, key=lambda e: e.uid)


def check_feed(event: Event, data: bytes) -> None:
    want = expected_entries(event)
    for name, read in PARSERS.items():
        got = sorted(read(data), key=lambda e: e.uid)
        assert got == want, f"{name} read the feed differently from the schedule"


def unescape(text: str) -> str:
    """RFC 5545 TEXT unescaping, for readers that hand back an untyped property raw."""
    return re.sub(r"\\([\\;,nN])",
                  lambda m: "\n" if m[1] in "nN" else m[1], text)


def unfolded(data: bytes) -> list[str]:
    return data.decode("utf-8").replace("\r\n ", "").split("\r\n")


def prop(data: bytes, name: str, uid: str | None = None) -> list[str]:
    """Raw content lines named ``name`` (optionally inside the VEVENT with ``uid``)."""
    lines = unfolded(data)
    if uid is not None:
        start = lines.index(f"UID:{uid}")
        begin = max(i for i in range(start) if lines[i] == "BEGIN:VEVENT")
        finish = lines.index("END:VEVENT", start)
        lines = lines[begin:finish]
    return [line for line in lines if line.split(";")[0].split(":")[0] == name]


# --- schedules used below -------------------------------------------------------------------

GENERATED = {
    "aoe-and-offsets": """
[event]
id = "ml-sys-26"
name = "MLSys Workshop 2026"
zone = "AoE"
[[dates]]
id = "abstract"
title = "Abstract registration"
kind = "deadline"
at = "2026-01-30 23:59"
[[dates]]
id = "paper"
title = "Full paper"
kind = "deadline"
at = "2026-02-06 23:59 UTC+05:30"
extended_from = "2026-02-01 23:59 UTC+05:30"
[[dates]]
id = "rebuttal"
title = "Rebuttal window"
kind = "other"
at = "2026-03-02 00:00 UTC"
end = "2026-03-06 12:00 UTC"
""",
    "dst-both-sides": """
[event]
id = "dst"
name = "Workshop across DST"
zone = "America/New_York"
[[dates]]
id = "before"
title = "Before the change"
kind = "deadline"
at = "2025-03-08 23:59"
[[dates]]
id = "after"
title = "After the change"
kind = "deadline"
at = "2025-03-09 23:59"
[[dates]]
id = "fold"
title = "In the repeated hour"
kind = "deadline"
at = "2025-11-02 01:30"
fold = "later"
[[dates]]
id = "pst-written"
title = "Written as PST in summer"
kind = "notification"
at = "2025-07-01 12:00 PST"
""",
    "ranges-and-cancelled": """
[event]
id = "conf"
name = "Conference; Zürich, 中国"
zone = "Europe/Zurich"
venue = "ETH; Hauptgebäude"
city = "Zürich"
country = "Schweiz, 中国"
[[dates]]
id = "main"
title = "Main conference"
kind = "event"
at = "2026-06-01"
end = "2026-06-03"
[[dates]]
id = "tutorial"
title = "Tutorial day"
kind = "event"
at = "2026-05-31 09:00"
end = "2026-05-31 17:30"
[[dates]]
id = "old-deadline"
title = "Posters (withdrawn)"
kind = "deadline"
at = "2026-04-01 23:59"
cancelled = true
sequence = 3
[[dates]]
id = "southern"
title = "Notifications from Auckland"
kind = "notification"
at = "2026-04-05 09:00"
zone = "Pacific/Auckland"
""",
}


@pytest.fixture(params=sorted(GENERATED))
def generated(request: pytest.FixtureRequest) -> Event:
    return parse_schedule(GENERATED[request.param], f"<{request.param}>")


def _event(*dates: ImportantDate, **fields: object) -> Event:
    base: dict[str, object] = {"id": "ev", "name": "Workshop", "zone": parse_zone("UTC"),
                               "dates": dates}
    base.update(fields)
    return Event(**base)  # type: ignore[arg-type]


def _deadline(**fields: object) -> ImportantDate:
    base: dict[str, object] = {"id": "paper", "title": "Paper deadline", "kind": "deadline",
                               "zone": parse_zone("AoE"),
                               "at": datetime(2026, 2, 7, 11, 59, tzinfo=UTC)}
    base.update(fields)
    return ImportantDate(**base)  # type: ignore[arg-type]


# --- instants -------------------------------------------------------------------------------

def test_shipped_feed_shows_the_schedules_instants_in_both_parsers(shipped: Event) -> None:
    data = build_calendar([shipped])
    check_feed(shipped, data)
    abstract = next(e for e in read_with_vobject(data) if e.uid.startswith(f"{shipped.id}.abs"))
    # 23:59 Pacific daylight time on 10 September 2017 is 06:59 UTC on the 11th.
    assert abstract.start == datetime(2017, 9, 11, 6, 59, tzinfo=UTC)
    workshop = next(e for e in read_with_icalendar(data) if "workshop@" in e.uid)
    assert (workshop.start, workshop.end) == (date(2017, 10, 28), date(2017, 10, 29))


def test_generated_schedules_round_trip_through_both_parsers(generated: Event) -> None:
    check_feed(generated, build_calendar([generated]))


def test_aoe_deadline_is_noon_utc_the_next_day() -> None:
    event = parse_schedule(GENERATED["aoe-and-offsets"])
    entry = next(e for e in read_with_icalendar(build_calendar([event]))
                 if e.uid == "ml-sys-26.abstract@duebot")
    assert entry.start == datetime(2026, 1, 31, 11, 59, tzinfo=UTC)


def test_deadline_is_a_point_in_time_that_blocks_nothing(shipped: Event) -> None:
    data = build_calendar([shipped])
    uid = uid_for(shipped, shipped.date("abstract"))
    assert prop(data, "DTSTART", uid) == ["DTSTART:20170911T065900Z"]
    # RFC 5545 wants DTEND later than DTSTART; an instant has none (it was equal to DTSTART).
    assert prop(data, "DTEND", uid) == []
    assert prop(data, "DURATION", uid) == []
    assert prop(data, "TRANSP", uid) == ["TRANSP:TRANSPARENT"]
    assert prop(data, "TRANSP", uid_for(shipped, shipped.date("workshop"))) == ["TRANSP:OPAQUE"]


def test_all_day_dates_have_an_exclusive_date_end() -> None:
    event = parse_schedule(GENERATED["ranges-and-cancelled"])
    data = build_calendar([event])
    uid = uid_for(event, event.date("main"))
    assert prop(data, "DTSTART", uid) == ["DTSTART;VALUE=DATE:20260601"]
    # 1 to 3 June inclusive: the calendar's end is the 4th.
    assert prop(data, "DTEND", uid) == ["DTEND;VALUE=DATE:20260604"]


def test_timed_range_ends_at_its_end() -> None:
    event = parse_schedule(GENERATED["ranges-and-cancelled"])
    uid = uid_for(event, event.date("tutorial"))
    data = build_calendar([event])
    # 17:30 in Zürich summer time (UTC+02:00).
    assert prop(data, "DTEND", uid) == ["DTEND:20260531T153000Z"]


def test_all_day_date_on_a_day_whose_midnight_does_not_exist() -> None:
    # Havana's clocks jumped from 00:00 to 01:00 on 12 March 2017: the day still exists.
    day = ImportantDate(id="day", title="Havana day", kind="event",
                        zone=parse_zone("America/Havana"), day=date(2017, 3, 12))
    event = _event(day, _deadline())
    data = build_calendar([event])
    check_feed(event, data)
    assert prop(data, "DTSTART", "ev.day@duebot") == ["DTSTART;VALUE=DATE:20170312"]


def test_no_tzid_and_no_vtimezone_anywhere(generated: Event, shipped: Event) -> None:
    for event in (generated, shipped):
        text = build_calendar([event]).decode("utf-8")
        assert "TZID" not in text
        assert "VTIMEZONE" not in text


# --- identity and updates -------------------------------------------------------------------

def test_uid_stays_when_title_and_time_change(shipped: Event) -> None:
    before = shipped.date("abstract")
    after = dataclasses.replace(before, title="Abstracts (extended again)",
                                at=before.at + timedelta(days=3) if before.at else None)
    moved = dataclasses.replace(shipped, dates=(after,))
    assert uid_for(shipped, before) == uid_for(moved, after) == "aisys-sosp17.abstract@duebot"
    old = read_with_icalendar(build_date_calendar(shipped, before))[0]
    new = read_with_vobject(build_calendar([moved]))[0]
    assert old.uid == new.uid
    assert (old.start, old.summary) != (new.start, new.summary)


def test_sequence_bump_reaches_the_feed() -> None:
    for sequence in (0, 1, 7):
        event = _event(_deadline(sequence=sequence))
        for read in PARSERS.values():
            assert read(build_calendar([event]))[0].sequence == sequence


def test_cancelled_date_is_status_cancelled() -> None:
    event = parse_schedule(GENERATED["ranges-and-cancelled"])
    data = build_calendar([event])
    for read in PARSERS.values():
        status = {e.uid: e.status for e in read(data)}
        assert status["conf.old-deadline@duebot"] == "CANCELLED"
        assert status["conf.main@duebot"] == "CONFIRMED"
    assert "CANCELLED" in description_for(event, event.date("old-deadline"))


def test_dtstamp_is_the_dates_revision_never_the_clock_nor_the_future(shipped: Event
                                                                        ) -> None:
    with freeze_time("2017-09-01T00:00:00Z"):
        first = build_calendar([shipped])
    with freeze_time("2031-06-15T12:34:56Z"):
        second = build_calendar([shipped])
    assert first == second
    for when in shipped.dates:
        # SEQUENCE seconds after the epoch: long past, the same on every machine.
        assert when.sequence in (0, 1)
        assert prop(first, "DTSTAMP", uid_for(shipped, when)) == [
            f"DTSTAMP:19700101T00000{when.sequence}Z"]
        assert revision_stamp(when) == datetime(1970, 1, 1, 0, 0, when.sequence, tzinfo=UTC)
    # An extension bumps SEQUENCE, and with it DTSTAMP: a later revision, a later stamp.
    abstract = shipped.date("abstract")
    moved = dataclasses.replace(abstract, sequence=abstract.sequence + 1)
    assert revision_stamp(moved) > revision_stamp(abstract)
    # A caller that knows when the data changed (a reminder's attachment) may still say so.
    changed = datetime(2017, 8, 20, 9, 30, tzinfo=UTC)
    assert prop(build_date_calendar(shipped, shipped.dates[0], stamp=changed), "DTSTAMP",
                uid_for(shipped, shipped.dates[0])) == ["DTSTAMP:20170820T093000Z"]


def test_publish_names_the_organizer_and_an_event_without_a_contact_has_no_method(
        shipped: Event) -> None:
    data = build_calendar([shipped])
    assert prop(data, "METHOD") == ["METHOD:PUBLISH"]
    uid = uid_for(shipped, shipped.date("abstract"))
    assert prop(data, "ORGANIZER", uid) == [
        'ORGANIZER;CN="AI Systems Workshop organizers":'
        'mailto:ai-systems-workshop-2017@googlegroups.com']
    anonymous = dataclasses.replace(shipped, contact=Contact())
    assert prop(build_calendar([anonymous]), "METHOD") == []
    assert prop(build_calendar([anonymous]), "ORGANIZER", uid) == []
    assert prop(build_calendar([shipped, dataclasses.replace(anonymous, id="other")]),
                "METHOD") == []


LIBICAL_SCRIPT = """
import sys
import gi
gi.require_version("ICalGLib", "3.0")
from gi.repository import ICalGLib
comp = ICalGLib.Component.new_from_string(sys.stdin.read())
ok = ICalGLib.restriction_check(comp)
problems = []
def walk(c):
    p = c.get_first_property(ICalGLib.PropertyKind.XLICERROR_PROPERTY)
    while p is not None:
        problems.append(p.get_xlicerror())
        p = c.get_next_property(ICalGLib.PropertyKind.XLICERROR_PROPERTY)
    s = c.get_first_component(ICalGLib.ComponentKind.ANY_COMPONENT)
    while s is not None:
        walk(s)
        s = c.get_next_component(ICalGLib.ComponentKind.ANY_COMPONENT)
walk(comp)
print("ok" if ok and not problems else "; ".join(problems) or "restriction_check failed")
"""


def _system_python_with_libical() -> str | None:
    for python in ("/usr/bin/python3",):
        if Path(python).exists() and subprocess.run(
                [python, "-c", "import gi; gi.require_version('ICalGLib', '3.0'); "
                 "from gi.repository import ICalGLib"], capture_output=True,
                check=False).returncode == 0:
            return python
    return None


@pytest.mark.skipif(_system_python_with_libical() is None,
                    reason="libical's GObject bindings not installed (apt-get install "
                           "gir1.2-ical-3.0 python3-gi)")
def test_libical_itip_check_passes_every_feed(shipped: Event, generated: Event) -> None:
    python = _system_python_with_libical()
    assert python is not None
    stamp = datetime(2017, 8, 20, 9, 30, tzinfo=UTC)
    for data in (build_calendar([shipped]), build_calendar([generated]),
                 build_date_calendar(shipped, shipped.date("abstract")),
                 build_date_calendar(shipped, shipped.date("abstract"), stamp=stamp)):
        result = subprocess.run([python, "-c", LIBICAL_SCRIPT], input=data, capture_output=True,
                                check=True)
        assert result.stdout.decode().strip() == "ok", result.stdout.decode()


def test_building_twice_gives_identical_bytes(shipped: Event) -> None:
    again = parse_schedule((ROOT / "schedules" / "aisys-sosp17.toml").read_text("utf-8"))
    assert build_calendar([shipped]) == build_calendar([again])
    assert build_date_calendar(shipped, shipped.dates[0]) == build_date_calendar(
        again, again.dates[0])


# --- calendar properties --------------------------------------------------------------------

def test_calendar_header_names_the_feed(shipped: Event) -> None:
    data = build_calendar([shipped])
    lines = unfolded(data)
    assert lines[:5] == ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//duebot//duebot 0.1//EN",
                         "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
    assert "X-WR-CALNAME:AI Systems Workshop @ SOSP 2017" in lines
    assert "NAME:AI Systems Workshop @ SOSP 2017" in lines
    assert any(line.startswith("X-WR-CALDESC:Posters on large-scale") for line in lines)


def test_refresh_interval_is_a_typed_duration(shipped: Event) -> None:
    data = build_calendar([shipped])
    assert prop(data, "REFRESH-INTERVAL") == ["REFRESH-INTERVAL;VALUE=DURATION:PT12H"]
    assert prop(data, "X-PUBLISHED-TTL") == ["X-PUBLISHED-TTL:PT12H"]
    hourly = build_calendar([shipped], refresh=timedelta(hours=1))
    assert prop(hourly, "REFRESH-INTERVAL") == ["REFRESH-INTERVAL;VALUE=DURATION:PT1H"]
    parsed = vobject.readOne(data.decode("utf-8"))
    assert parsed.refresh_interval.params == {"VALUE": ["DURATION"]}


def test_source_url_is_written_when_given(shipped: Event) -> None:
    assert prop(build_calendar([shipped]), "SOURCE") == []
    feed = build_calendar([shipped], url="https://duebot.example/aisys.ics")
    assert prop(feed, "SOURCE") == ["SOURCE;VALUE=URI:https://duebot.example/aisys.ics"]


def test_lines_are_crlf_and_at_most_75_octets(generated: Event, shipped: Event) -> None:
    for event in (generated, shipped):
        data = build_calendar([event])
        assert data.endswith(b"\r\n")
        assert b"\n" not in data.replace(b"\r\n", b"")
        assert b"\r" not in data.replace(b"\r\n", b"")
        for line in data.split(b"\r\n"):
            assert len(line) <= 75, line
            line.decode("utf-8")  # folding never splits a character


def test_one_date_calendar_is_a_single_event_for_import(shipped: Event) -> None:
    when = shipped.date("abstract")
    data = build_date_calendar(shipped, when)
    entries = read_with_icalendar(data)
    assert [e.uid for e in entries] == ["aisys-sosp17.abstract@duebot"]
    assert entries == read_with_vobject(data)
    assert b"REFRESH-INTERVAL" not in data  # nothing to refresh in a one-off import
    assert b"METHOD:PUBLISH" in data


# --- text -----------------------------------------------------------------------------------

def test_description_states_the_date_in_its_own_zone(shipped: Event) -> None:
    text = description_for(shipped, shipped.date("abstract"))
    assert text.startswith("Deadline: Sunday 10 September 2017, 23:59 PDT "
                           "(America/Los_Angeles, UTC-07:00)\n")
    assert "Submit via CMT: https://cmt3.research.microsoft.com/" in text
    assert "ai-systems-workshop-2017@googlegroups.com" in text
    workshop = description_for(shipped, shipped.date("workshop"))
    assert workshop.startswith("Event: Saturday 28 October 2017 (all day, Asia/Shanghai, "
                               "UTC+08:00)")
    assert "Where: SOSP 2017, Shanghai, China" in workshop


def test_summary_names_the_event_and_marks_extensions(shipped: Event) -> None:
    assert summary_for(shipped, shipped.date("abstract")) == (
        "AI Systems Workshop @ SOSP 2017: Poster abstract submission deadline (extended)")
    assert summary_for(shipped, shipped.date("notification")) == (
        "AI Systems Workshop @ SOSP 2017: Acceptance notifications")
    # The workshop day is titled with the event's name already: not said twice.
    assert summary_for(shipped, shipped.date("workshop")) == "AI Systems Workshop @ SOSP 2017"


ORGANIZER_TEXT = "Café; Zürich, 中国\nzweite Zeile \\ backslash"


def test_organizer_text_with_punctuation_and_non_ascii_round_trips() -> None:
    event = _event(
        _deadline(title=ORGANIZER_TEXT, description=ORGANIZER_TEXT),
        ImportantDate(id="day", title="Workshop day", kind="event", zone=parse_zone("UTC"),
                      day=date(2026, 6, 1)),
        name="Atelier «Süd»; Zürich, 中国", venue="Hörsaal; A, 1", city="Zürich", country="中国",
        description=ORGANIZER_TEXT,
    )
    data = build_calendar([event])
    for read in PARSERS.values():
        summaries = {e.uid: e.summary for e in read(data)}
        assert summaries["ev.paper@duebot"] == f"Atelier «Süd»; Zürich, 中国: {ORGANIZER_TEXT}"
    parsed = vobject.readOne(data.decode("utf-8"))
    paper = next(v for v in parsed.vevent_list if v.uid.value == "ev.paper@duebot")
    assert ORGANIZER_TEXT in paper.description.value
    day = next(v for v in parsed.vevent_list if v.uid.value == "ev.day@duebot")
    assert day.location.value == "Hörsaal; A, 1, Zürich, 中国"
    assert parsed.x_wr_calname.value == "Atelier «Süd»; Zürich, 中国"
    assert parsed.description.value == ORGANIZER_TEXT
    assert parsed.x_wr_caldesc.value == ORGANIZER_TEXT
    calendar = icalendar.Calendar.from_ical(data)
    assert str(calendar["DESCRIPTION"]) == ORGANIZER_TEXT
    # icalendar 7 leaves NAME and X-WR-* untyped: their text arrives still escaped.
    assert unescape(str(calendar["X-WR-CALNAME"])) == "Atelier «Süd»; Zürich, 中国"
    assert unescape(str(calendar["NAME"])) == "Atelier «Süd»; Zürich, 中国"
    assert str(calendar.walk("VEVENT")[1]["LOCATION"]) == "Hörsaal; A, 1, Zürich, 中国"


def test_control_characters_are_dropped_and_crs_become_newlines() -> None:
    event = _event(_deadline(title="Paper\x00 dead\x07line\r\nnext\rline\tend"))
    for read in PARSERS.values():
        assert read(build_calendar([event]))[0].summary == (
            "Workshop: Paper deadline\nnext\nline\tend")


def test_url_is_the_dates_then_the_submission_systems_then_the_events() -> None:
    event = _event(
        _deadline(id="own", url="https://date.example/"),
        _deadline(id="submit"),
        _deadline(id="notify", kind="notification"),
        url="https://event.example/", submission=Submission(system="HotCRP",
                                                            url="https://hotcrp.example/"),
    )
    data = build_calendar([event])
    assert prop(data, "URL", "ev.own@duebot") == ["URL:https://date.example/"]
    assert prop(data, "URL", "ev.submit@duebot") == ["URL:https://hotcrp.example/"]
    assert prop(data, "URL", "ev.notify@duebot") == ["URL:https://event.example/"]
    bare = build_calendar([_event(_deadline())])
    assert prop(bare, "URL", "ev.paper@duebot") == []


def test_contact_goes_into_the_description() -> None:
    event = _event(_deadline(), contact=Contact(name="Chairs", email="chairs@example.org"))
    assert "Contact: Chairs <chairs@example.org>" in description_for(event, event.dates[0])


# --- selection ------------------------------------------------------------------------------

def test_kinds_filter_keeps_only_those_kinds(shipped: Event) -> None:
    data = build_calendar([shipped], kinds={"deadline", "camera-ready"})
    for read in PARSERS.values():
        assert sorted(e.categories[0] for e in read(data)) == ["camera-ready", "deadline"]
    assert read_with_icalendar(build_calendar([shipped], kinds=[])) == []
    alone = read_with_vobject(build_calendar([shipped], kinds="deadline"))
    assert [e.categories for e in alone] == [("deadline",)]


def test_unknown_kind_is_a_usage_error_with_a_suggestion(shipped: Event) -> None:
    with pytest.raises(UsageError, match="did you mean 'deadline'"):
        build_calendar([shipped], kinds=["deadlines"])


def test_several_events_share_one_calendar(shipped: Event) -> None:
    other = parse_schedule(GENERATED["aoe-and-offsets"])
    data = build_calendar([shipped, other], name="All our workshops")
    assert "X-WR-CALNAME:All our workshops" in unfolded(data)
    uids = {e.uid for e in read_with_vobject(data)}
    assert uids == {uid_for(ev, d) for ev in (shipped, other) for d in ev.dates}
    unnamed = build_calendar([shipped, other])
    assert ("X-WR-CALNAME:AI Systems Workshop @ SOSP 2017 + MLSys Workshop 2026"
            in unfolded(unnamed))


# --- property: random schedules round-trip --------------------------------------------------

ZONE_NAMES = st.one_of(
    st.sampled_from(iana_names()),
    st.sampled_from(["AoE", "UTC", "PT", "ET", "PST", "PDT", "CST", "EDT", "HST"]),
    st.integers(min_value=-12 * 4, max_value=14 * 4).map(
        lambda q: f"UTC{'+' if q >= 0 else '-'}{abs(q) // 4:02d}:{abs(q) % 4 * 15:02d}"),
)
# Any text an organizer might paste, control characters and stray whitespace included.
TEXT = st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=40)


@st.composite
def important_dates(draw: st.DrawFn, index: int) -> ImportantDate:
    zone = parse_zone(draw(ZONE_NAMES))
    kind: Kind = draw(st.sampled_from(KINDS))
    common: dict[str, object] = {
        "id": f"d{index}", "title": draw(TEXT), "kind": kind, "zone": zone,
        "sequence": draw(st.integers(0, 20)), "cancelled": draw(st.booleans()),
        "extended_note": draw(st.booleans()),
    }
    if draw(st.booleans()):
        day = draw(st.dates(min_value=date(1995, 1, 1), max_value=date(2040, 12, 31)))
        span = draw(st.integers(0, 10))
        return ImportantDate(**common, day=day,  # type: ignore[arg-type]
                             end_day=day + timedelta(days=span) if span else None)
    local = draw(st.datetimes(min_value=datetime(1995, 1, 1), max_value=datetime(2040, 12, 31)))
    local = local.replace(second=0, microsecond=0)
    try:
        at = zone.localize(local, fold="earlier")
    except ZoneError:
        assume(False)  # a local time the clocks skip: the schedule reader refuses it
        raise
    minutes = draw(st.integers(0, 3 * 24 * 60))
    return ImportantDate(**common, at=at,  # type: ignore[arg-type]
                         end=at + timedelta(minutes=minutes) if minutes else None)


@st.composite
def events(draw: st.DrawFn) -> Event:
    count = draw(st.integers(1, 6))
    dates = tuple(draw(important_dates(i)) for i in range(count))
    return Event(id=draw(st.from_regex(r"[a-z0-9][a-z0-9_.-]{0,20}", fullmatch=True)),
                 name=draw(TEXT), zone=parse_zone("UTC"), dates=dates,
                 venue=draw(st.sampled_from(["", "Café; Zürich, 中国"])))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events())
def test_random_schedules_round_trip_through_both_parsers(event: Event) -> None:
    data = build_calendar([event])
    check_feed(event, data)
    for line in data.split(b"\r\n"):
        assert len(line) <= 75
    assert b"TZID" not in data
    assert build_calendar([event]) == data


# --- ical.js, the parser Thunderbird uses (optional) ----------------------------------------

ICALJS_SCRIPT = """
const ICAL = require('ical.js');
const text = require('fs').readFileSync(0, 'utf8');
const comp = new ICAL.Component(ICAL.parse(text));
const out = comp.getAllSubcomponents('vevent').map((v) => {
  const e = new ICAL.Event(v);
  const t = (x) => x.isDate ? x.toString() : x.toJSDate().toISOString();
  return {uid: e.uid, summary: e.summary, start: t(e.startDate), end: t(e.endDate),
          sequence: e.sequence};
});
console.log(JSON.stringify({name: comp.getFirstPropertyValue('x-wr-calname'), events: out}));
"""


def _icaljs_available() -> bool:
    if shutil.which("node") is None:
        return False
    probe = subprocess.run(["node", "-e", "require('ical.js')"], capture_output=True,
                           cwd=ROOT, check=False)
    return probe.returncode == 0


@pytest.mark.skipif(not _icaljs_available(), reason="node with the ical.js package not found")
def test_icaljs_reads_the_same_instants(shipped: Event, generated: Event) -> None:
    organizers = _event(_deadline(title=ORGANIZER_TEXT), name="Atelier «Süd»; Zürich, 中国")
    for event in (shipped, generated, organizers):
        result = subprocess.run(["node", "-e", ICALJS_SCRIPT], input=build_calendar([event]),
                                capture_output=True, cwd=ROOT, check=True)
        parsed = json.loads(result.stdout)
        assert unescape(parsed["name"]) == event.name  # ical.js does not type X-WR-CALNAME
        got = {item["uid"]: item for item in parsed["events"]}
        for want in expected_entries(event):
            item = got[want.uid]
            assert item["summary"] == want.summary
            assert item["sequence"] == want.sequence
            for key, value in (("start", want.start), ("end", want.end)):
                if isinstance(value, datetime):
                    assert item[key] == value.strftime("%Y-%m-%dT%H:%M:%S.000Z")
                else:
                    assert item[key] == value.isoformat()
