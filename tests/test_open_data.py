"""Feeds that alert and open data: ?alarm= VALARMs, /e/EVENT.json, updates.atom, the widget.

A real ``Service`` over a real SQLite file behind the real Starlette app on a loopback port,
read with httpx; the feed parsed by icalendar, vobject and ical.js (when node has it), the
JSON checked against ``docs/schema/event.json`` with jsonschema, the Atom feed by feedparser.
The service's clock is a variable the tests move.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import httpx
import icalendar
import jsonschema
import pytest
import vobject

from bot.adapters.console import ConsoleChannel
from bot.adapters.http import build_app
from bot.adapters.schedule_edit import cancel_date, extend_date
from bot.app import announce
from bot.app.organizers import apply_change
from bot.config import Config, HttpConfig, ScheduleConfig, StorageConfig
from bot.core.ical import build_calendar, parse_alarms
from bot.core.open_data import event_json
from bot.core.schedule import parse_schedule
from bot.errors import UsageError
from bot.service import Service
from tests.browser import CHROMIUM, chromium
from tests.loopback import serving_on
from tests.smtp_server import free_port

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "schedules" / "aisys-sosp17.toml"
SCHEMA = json.loads((ROOT / "docs" / "schema" / "event.json").read_text(encoding="utf-8"))
START = datetime(2017, 9, 1, 12, 0, tzinfo=UTC)


@dataclass
class Site:
    url: str
    service: Service
    schedule: Path
    now: list[datetime] = field(default_factory=lambda: [START])

    def get(self, path: str, **kwargs: object) -> httpx.Response:
        return httpx.get(self.url + path, timeout=10, **kwargs)  # type: ignore[arg-type]


def serve(tmp: Path, *, base_url: str = "") -> Iterator[Site]:
    schedule = tmp / "aisys-sosp17.toml"
    schedule.write_text(SHIPPED.read_text(encoding="utf-8"), encoding="utf-8")
    port = free_port()
    config = Config(schedules=(ScheduleConfig(path=schedule, reminders_to=("console:",)),),
                    storage=StorageConfig(database_url=f"sqlite:///{tmp / 'duebot.db'}"),
                    http=HttpConfig(host="127.0.0.1", port=port, base_url=base_url))
    now = [START]
    service = Service(config, clock=lambda: now[0], channels={"console": ConsoleChannel()})
    service.refresh(START)
    try:
        with serving_on(build_app(service), port, name="open-data-under-test") as url:
            yield Site(url=url, service=service, schedule=schedule, now=now)
    finally:
        service.ledger.close()


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    yield from serve(tmp_path)


# --- ?alarm= ----------------------------------------------------------------------------------


def test_alarm_query_adds_a_valarm_per_lead_time_to_every_live_date(site: Site) -> None:
    response = site.get("/e/aisys-sosp17.ics?alarm=1d,3h")
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    assert events
    for vevent in events:
        alarms = vevent.walk("VALARM")
        triggers = sorted(a.decoded("trigger") for a in alarms)
        assert triggers == [timedelta(days=-1), timedelta(hours=-3)], vevent["uid"]
        assert {str(a["action"]) for a in alarms} == {"DISPLAY"}
        assert all(str(vevent["summary"]) == str(a["description"]) for a in alarms)
    # vobject reads the same alarms.
    parsed = vobject.readOne(response.text)
    first = parsed.vevent_list[0]
    assert sorted(a.trigger.value for a in first.valarm_list) == [timedelta(days=-1),
                                                                  timedelta(hours=-3)]
    # Without ?alarm= the feed has none, and its bytes differ (its own cache entry and ETag).
    plain = site.get("/e/aisys-sosp17.ics")
    assert b"VALARM" not in plain.content
    assert plain.headers["etag"] != response.headers["etag"]
    # The same alarms however written share one cache entry.
    again = site.get("/e/aisys-sosp17.ics?alarm=3h&alarm=1d")
    assert again.content == response.content


def test_alarm_leaves_cancelled_dates_silent() -> None:
    text = SHIPPED.read_text(encoding="utf-8").replace(
        'id = "notification"', 'id = "notification"\ncancelled = true', 1)
    event = parse_schedule(text, "x.toml")
    calendar = icalendar.Calendar.from_ical(build_calendar([event], alarms=(timedelta(days=1),)))
    by_uid = {str(v["uid"]): v for v in calendar.walk("VEVENT")}
    assert by_uid["aisys-sosp17.notification@duebot"].walk("VALARM") == []
    assert len(by_uid["aisys-sosp17.abstract@duebot"].walk("VALARM")) == 1


@pytest.mark.parametrize(("query", "words"), [
    ("alarm=soon", "not a duration"),
    ("alarm=0m", "more than 0"),
    ("alarm=400d", "at most 90 days"),
    ("alarm=1d,2d,3d,4d,5d,6d", "at most 5"),
])
def test_bad_alarm_query_is_a_400_that_says_what_is_wrong(site: Site, query: str,
                                                          words: str) -> None:
    response = site.get(f"/calendar.ics?{query}")
    assert response.status_code == 400
    assert words in response.text
    assert "?alarm=" in response.text


def test_parse_alarms_orders_and_dedupes() -> None:
    assert parse_alarms(["3h,1d", "1d", " "]) == (timedelta(days=1), timedelta(hours=3))
    with pytest.raises(UsageError):
        parse_alarms(["-1d"])


def _icaljs_available() -> bool:
    if shutil.which("node") is None:
        return False
    return subprocess.run(["node", "-e", "require('ical.js')"], capture_output=True, cwd=ROOT,
                          check=False).returncode == 0


@pytest.mark.skipif(not _icaljs_available(), reason="node with the ical.js package not found")
def test_icaljs_reads_the_alarms(site: Site) -> None:
    script = """
const ICAL = require('ical.js');
const comp = new ICAL.Component(ICAL.parse(require('fs').readFileSync(0, 'utf8')));
console.log(JSON.stringify(comp.getAllSubcomponents('vevent').map((v) =>
  v.getAllSubcomponents('valarm').map((a) => a.getFirstPropertyValue('trigger').toSeconds()))));
"""
    body = site.get("/e/aisys-sosp17.ics?alarm=2d,1h").content
    result = subprocess.run(["node", "-e", script], input=body, capture_output=True, cwd=ROOT,
                            check=True)
    triggers = json.loads(result.stdout)
    assert triggers and all(sorted(t) == [-2 * 86400, -3600] for t in triggers)


# --- /e/EVENT.json ----------------------------------------------------------------------------


def test_event_json_validates_against_the_published_schema(tmp_path: Path) -> None:
    for site in serve(tmp_path, base_url="https://dates.example.org"):
        response = site.get("/e/aisys-sosp17.json")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/json")
        document = response.json()
        jsonschema.Draft202012Validator(
            SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
        ).validate(document)
        abstract = next(d for d in document["dates"] if d["id"] == "abstract")
        # The instant comes from the schedule and the time engine: 23:59 PDT is 06:59Z.
        assert abstract["at"] == "2017-09-11T06:59:00Z"
        assert abstract["zone"] == "America/Los_Angeles"
        assert abstract["ics"] == "https://dates.example.org/e/aisys-sosp17/abstract.ics"
        workshop = next(d for d in document["dates"] if d["id"] == "workshop")
        assert workshop["all_day"] is True and workshop["day"] == "2017-10-28"
        assert document["links"]["updates"] == \
            "https://dates.example.org/e/aisys-sosp17/updates.atom"


def test_schema_rejects_a_document_that_breaks_it() -> None:
    event = parse_schedule(SHIPPED.read_text(encoding="utf-8"), str(SHIPPED))
    document = json.loads(event_json(event))
    document["dates"][0]["at"] = "10 September, 11.59pm"  # not an instant
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, SCHEMA)


def test_event_json_is_cors_enabled_and_answers_304(site: Site) -> None:
    first = site.get("/e/aisys-sosp17.json", headers={"Origin": "https://workshop.example"})
    assert first.headers["access-control-allow-origin"] == "*"
    assert "ETag" in first.headers["access-control-expose-headers"]
    etag = first.headers["etag"]
    again = site.get("/e/aisys-sosp17.json", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    preflight = httpx.options(site.url + "/e/aisys-sosp17.json", headers={
        "Origin": "https://workshop.example", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "if-none-match"})
    assert preflight.status_code == 204
    assert "If-None-Match" in preflight.headers["access-control-allow-headers"]
    # Byte-identical for the same schedule; a changed schedule changes the ETag.
    assert site.get("/e/aisys-sosp17.json").content == first.content
    result = extend_date(site.schedule, "abstract", "2017-09-17 23:59")
    apply_change(site.service, result, actor="alice", now=site.now[0])
    moved = site.get("/e/aisys-sosp17.json", headers={"If-None-Match": etag})
    assert moved.status_code == 200
    assert moved.headers["etag"] != etag
    abstract = next(d for d in moved.json()["dates"] if d["id"] == "abstract")
    assert abstract["at"] == "2017-09-18T06:59:00Z"
    assert abstract["extended_from"] == "2017-09-11T06:59:00Z"


def test_unknown_event_is_a_404_naming_the_known_ones(site: Site) -> None:
    response = site.get("/e/nope.json")
    assert response.status_code == 404
    assert "aisys-sosp17" in response.text


# --- /e/EVENT/updates.atom --------------------------------------------------------------------


def test_updates_feed_carries_extensions_cancellations_and_announcements(site: Site) -> None:
    empty = feedparser.parse(site.get("/e/aisys-sosp17/updates.atom").content)
    assert not empty.bozo, empty.bozo_exception
    assert empty.feed.title.startswith("AI Systems Workshop @ SOSP 2017")
    # The shipped schedule marks the abstract deadline extended (its earlier time unknown).
    assert [e.title for e in empty.entries] == [
        "Extended: Poster abstract submission deadline"]

    extended_at = datetime(2017, 9, 5, 9, 30, tzinfo=UTC)
    site.now[0] = extended_at
    result = extend_date(site.schedule, "abstract", "2017-09-17 23:59")
    apply_change(site.service, result, actor="alice", now=extended_at)
    cancelled_at = datetime(2017, 9, 6, 10, 0, tzinfo=UTC)
    result = cancel_date(site.schedule, "notification")
    apply_change(site.service, result, actor="bob", now=cancelled_at)
    event = site.service.events()["aisys-sosp17"]
    announce.schedule_announcement(site.service, event, "2017-09-07T08:00:00Z", ("console:",),
                                   text="Submissions are open.\nSee CMT.", actor="carol",
                                   now=cancelled_at, announcement_id="open")
    announce.schedule_announcement(site.service, event, "2017-09-20T08:00:00Z", ("console:",),
                                   text="Not yet due.", actor="carol", now=cancelled_at,
                                   announcement_id="later")

    site.now[0] = datetime(2017, 9, 8, tzinfo=UTC)
    response = site.get("/e/aisys-sosp17/updates.atom")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    assert response.headers["access-control-allow-origin"] == "*"
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    titles = [e.title for e in feed.entries]
    assert titles == ["Submissions are open.", "Cancelled: Acceptance notifications",
                      "Extended: Poster abstract submission deadline"], titles
    extended = feed.entries[2]
    # Dated when the change was recorded, and saying old and new time in the date's zone.
    assert extended.updated == "2017-09-05T09:30:00Z"
    assert "Sunday 17 September 2017, 23:59 PDT" in extended.summary
    assert "Sunday 10 September 2017, 23:59 PDT" in extended.summary
    assert feed.entries[1].updated == "2017-09-06T10:00:00Z"
    assert feed.entries[0].updated == "2017-09-07T08:00:00Z"
    assert "See CMT." in feed.entries[0].summary
    # Each change has its own stable id; the announcement not yet due is not there.
    assert len({e.id for e in feed.entries}) == 3
    assert all("Not yet due" not in e.summary for e in feed.entries)
    assert feed.feed.updated == "2017-09-07T08:00:00Z"

    etag = response.headers["etag"]
    assert site.get("/e/aisys-sosp17/updates.atom",
                    headers={"If-None-Match": etag}).status_code == 304
    site.now[0] = datetime(2017, 9, 21, tzinfo=UTC)
    later = feedparser.parse(site.get("/e/aisys-sosp17/updates.atom",
                                      headers={"If-None-Match": etag}).content)
    assert later.entries[0].title == "Not yet due."


def test_a_hand_edit_the_ledger_revised_is_an_entry_dated_when_it_was_first_served(
        site: Site) -> None:
    """An organizer who moves a date by editing `at` (no `duebot extend`, no extended_from)
    raises its SEQUENCE in the calendar feed; the updates feed says so too, dated when duebot
    first served the change (the ledger's, the same on every replica), not the file's time.
    A second hand edit of an extended date is a new entry, as a calendar sees a new revision."""
    text = site.schedule.read_text(encoding="utf-8")
    moved_at = datetime(2017, 9, 3, 8, 0, tzinfo=UTC)
    site.now[0] = moved_at
    site.schedule.write_text(text.replace('at = "2017-09-20"', 'at = "2017-09-22"', 1),
                             encoding="utf-8")
    site.service.refresh(moved_at)
    calendar = icalendar.Calendar.from_ical(site.get("/e/aisys-sosp17.ics").content)
    sequences = {str(c["uid"]): int(c["sequence"]) for c in calendar.walk("VEVENT")}
    assert sequences["aisys-sosp17.notification@duebot"] == 1
    feed = feedparser.parse(site.get("/e/aisys-sosp17/updates.atom").content)
    assert not feed.bozo, feed.bozo_exception
    changed = [e for e in feed.entries if "Acceptance notifications" in e.title]
    assert [e.title for e in changed] == ["Changed: Acceptance notifications"], feed.entries
    assert changed[0].updated == "2017-09-03T08:00:00Z"
    assert "Friday 22 September 2017" in changed[0].summary
    first_ids = {e.id for e in feed.entries}

    again_at = datetime(2017, 9, 4, 8, 0, tzinfo=UTC)
    site.now[0] = again_at
    edited = site.schedule.read_text(encoding="utf-8")
    site.schedule.write_text(edited.replace('at = "2017-09-10 23:59"', 'at = "2017-09-12 23:59"',
                                            1), encoding="utf-8")
    site.service.refresh(again_at)
    feed = feedparser.parse(site.get("/e/aisys-sosp17/updates.atom").content)
    abstract = [e for e in feed.entries if "Poster abstract" in e.title]
    assert len(abstract) == 1 and abstract[0].id not in first_ids, feed.entries
    assert abstract[0].updated == "2017-09-04T08:00:00Z"
    assert "Tuesday 12 September 2017" in abstract[0].summary


# --- the widget, in headless Chromium ---------------------------------------------------------

class _Host(threading.Thread):
    """The workshop's own website on another origin: one page that embeds the widget."""

    def __init__(self, html: str) -> None:
        super().__init__(daemon=True, name="workshop-site")
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        body = html.encode("utf-8")

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"

    def run(self) -> None:
        self.server.serve_forever()


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed "
                    "(apt-get install chromium; .ci/run installs it)")
@pytest.mark.parametrize(("zone", "viewer", "slug"), [
    ("Asia/Shanghai", "Monday 11 September 2017, 14:59 (Asia/Shanghai, UTC+08:00)", "shanghai"),
    ("Europe/Paris", "Monday 11 September 2017, 08:59 (Europe/Paris, UTC+02:00)", "paris"),
    ("America/New_York", "Monday 11 September 2017, 02:59 EDT (America/New_York, UTC-04:00)",
     "new-york"),
    # A reader in UTC reads the zone once, not "06:59 UTC (UTC, UTC)".
    ("UTC", "Monday 11 September 2017, 06:59 UTC", "utc"),
])
def test_widget_on_another_site_shows_the_next_deadline_in_the_readers_zone(
        site: Site, zone: str, viewer: str, slug: str) -> None:
    host = _Host("<!doctype html><title>Workshop</title><h1>Our workshop</h1>\n"
                 f'<script src="{site.url}/e/aisys-sosp17/widget.js" async></script>\n')
    host.start()
    try:
        with chromium() as browser:
            context = browser.new_context(timezone_id=zone, locale="en-US")
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.clock.install(time=START)
            page.goto(host.url)
            widget = page.locator(".duebot-widget")
            page.wait_for_selector(".duebot-widget .duebot-countdown")
            assert widget.locator(".duebot-event").inner_text() == \
                "AI Systems Workshop @ SOSP 2017"
            assert widget.locator(".duebot-title").inner_text() == \
                "Poster abstract submission deadline (extended)"
            assert widget.locator(".duebot-viewer-time").inner_text() == viewer
            assert widget.locator(".duebot-event-time").inner_text() == (
                "that is Sunday 10 September 2017, 23:59 PDT (America/Los_Angeles, UTC-07:00)")
            assert widget.locator(".duebot-countdown").inner_text() == \
                "9 days 18 hours left"
            page.screenshot(path=str(_artifacts() / f"widget-{slug}.png"))
            # It keeps counting, and moves on when the deadline passes: no deadline is left.
            page.clock.run_for(9 * 86400_000 + 18 * 3600_000 + 58 * 60_000)
            assert widget.locator(".duebot-countdown").inner_text() == \
                "less than a minute left"
            page.clock.run_for(61_000)
            assert widget.inner_text().endswith("Every deadline has passed.")
            assert errors == [], errors
            # The iframe form works the same, under duebot's own strict CSP.
            frame_page = context.new_page()
            frame_page.clock.install(time=START)
            frame_page.goto(f"{site.url}/e/aisys-sosp17/widget")
            frame_page.wait_for_selector(".duebot-widget .duebot-countdown")
            assert frame_page.locator(".duebot-countdown").inner_text() == "9 days 18 hours left"
            context.close()
    finally:
        host.server.shutdown()


def _artifacts() -> Path:
    folder = ROOT / "test-artifacts"
    folder.mkdir(exist_ok=True)
    return folder
