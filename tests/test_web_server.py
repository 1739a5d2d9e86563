"""The HTTP side of a real ``duebot run``: a subprocess on a loopback port, a real HTTP client."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

import httpx
import icalendar
import pytest
import vobject

from tests.smtp_server import free_port

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "schedules" / "aisys-sosp17.toml"
DUEBOT = Path(sys.executable).parent / "duebot"

pytestmark = pytest.mark.slow

# Every date of the shipped schedule, as the feed must carry it.
EXPECTED: dict[str, tuple[datetime | date, datetime | date]] = {
    "aisys-sosp17.abstract@duebot": (datetime(2017, 9, 11, 6, 59, tzinfo=UTC),
                                     datetime(2017, 9, 11, 6, 59, tzinfo=UTC)),
    "aisys-sosp17.notification@duebot": (date(2017, 9, 20), date(2017, 9, 21)),
    "aisys-sosp17.camera-ready@duebot": (date(2017, 10, 10), date(2017, 10, 11)),
    "aisys-sosp17.workshop@duebot": (date(2017, 10, 28), date(2017, 10, 29)),
}


@dataclass
class Running:
    url: str
    schedule: Path
    process: subprocess.Popen[str]
    log: Path

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=10)


def start(tmp: Path, *, base_url: str = "", schedule_text: str | None = None,
          mtime: float | None = None) -> Running:
    schedule = tmp / "aisys-sosp17.toml"
    text = SHIPPED.read_text(encoding="utf-8") if schedule_text is None else schedule_text
    schedule.write_text(text, encoding="utf-8")
    if mtime is not None:
        os.utime(schedule, (mtime, mtime))
    port = free_port()
    config = tmp / "duebot.toml"
    base = f'base_url = "{base_url}"\n' if base_url else ""
    config.write_text(f"""
[storage]
database_url = "sqlite:///duebot.db"
[delivery]
poll = "1h"
[http]
host = "127.0.0.1"
port = {port}
{base}
[[schedules]]
path = "aisys-sosp17.toml"
reminders_to = ["console:"]
""", encoding="utf-8")
    log = tmp / "duebot.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DUEBOT_", "SLACK_"))}
    process = subprocess.Popen([str(DUEBOT), "run", "--config", str(config)], cwd=ROOT, env=env,
                               stdout=log.open("w"), stderr=subprocess.STDOUT, text=True)
    running = Running(url=f"http://127.0.0.1:{port}", schedule=schedule, process=process,
                      log=log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"duebot run exited {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{running.url}/healthz", timeout=1).status_code in (200, 503):
                return running
        except httpx.TransportError:
            time.sleep(0.1)
    stop(running)
    raise AssertionError(f"duebot run did not answer within 30s:\n{log.read_text()}")


def stop(running: Running) -> int:
    running.process.send_signal(signal.SIGTERM)
    try:
        return running.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        running.process.kill()
        raise


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    running = start(tmp_path_factory.mktemp("web"), base_url="https://dates.example.org")
    yield running
    assert stop(running) == 0, running.log.read_text()
    assert "duebot stopped cleanly" in running.log.read_text()


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[Running]:
    running = start(tmp_path)
    yield running
    stop(running)


def test_feed_headers_suit_calendar_clients(server: Running) -> None:
    with server.client() as client:
        response = client.get("/calendar.ics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert re.fullmatch(r'"[0-9a-f]{32}"', response.headers["etag"])  # strong: no W/
    assert response.headers["cache-control"] == "public, max-age=3600"
    assert response.headers["content-disposition"] == 'inline; filename="calendar.ics"'
    modified = parsedate_to_datetime(response.headers["last-modified"])
    assert modified == datetime.fromtimestamp(int(server.schedule.stat().st_mtime), UTC)
    assert response.content.startswith(b"BEGIN:VCALENDAR\r\n")
    assert b"SOURCE;VALUE=URI:https://dates.example.org/calendar.ics" in response.content


def test_etag_and_if_modified_since_answer_304_only_when_unchanged(server: Running) -> None:
    with server.client() as client:
        first = client.get("/calendar.ics")
        etag, modified = first.headers["etag"], first.headers["last-modified"]
        again = client.get("/calendar.ics")
        assert again.content == first.content and again.headers["etag"] == etag
        cached = client.get("/calendar.ics", headers={"If-None-Match": etag})
        assert cached.status_code == 304 and cached.content == b""
        assert cached.headers["etag"] == etag
        assert client.get("/calendar.ics", headers={"If-None-Match": '"old"'}).status_code == 200
        assert client.get("/calendar.ics",
                          headers={"If-Modified-Since": modified}).status_code == 304
        assert client.get("/calendar.ics", headers={
            "If-Modified-Since": "Thu, 01 Jan 2015 00:00:00 GMT"}).status_code == 200
        # Another feed's tag is not this one's.
        other = client.get("/e/aisys-sosp17.ics?kind=deadline").headers["etag"]
        assert other != etag
        assert client.get("/calendar.ics", headers={"If-None-Match": other}).status_code == 200


def test_replicas_of_one_schedule_serve_the_same_feed_and_honour_each_others_etag(
        tmp_path: Path) -> None:
    """Behind a load balancer a client's If-None-Match reaches any replica: their copies of
    the schedule were written at different times (a rolling deploy, another checkout), and
    still the bytes, the ETag and each DTSTAMP are the same."""
    replicas = []
    for number, mtime in ((1, 1_500_000_000), (2, 1_500_086_400)):
        folder = tmp_path / f"replica{number}"
        folder.mkdir()
        replicas.append(start(folder, mtime=mtime))
    try:
        paths = ["/calendar.ics", "/e/aisys-sosp17.ics", "/e/aisys-sosp17/abstract.ics"]
        with replicas[0].client() as one, replicas[1].client() as two:
            for path in paths:
                a, b = one.get(path), two.get(path)
                assert a.status_code == b.status_code == 200
                assert a.content == b.content, path
                assert a.headers["etag"] == b.headers["etag"]
                assert set(re.findall(rb"DTSTAMP:(\S+)", a.content)) <= {
                    b"19700101T000000Z", b"19700101T000001Z"}
                assert a.headers["last-modified"] != b.headers["last-modified"]
                assert two.get(path, headers={"If-None-Match": a.headers["etag"]}
                               ).status_code == 304
    finally:
        for running in replicas:
            stop(running)


def test_kind_filter_repeatable_or_comma_separated(server: Running) -> None:
    with server.client() as client:
        deadline = icalendar.Calendar.from_ical(client.get("/calendar.ics?kind=deadline").text)
        assert [str(e["UID"]) for e in deadline.walk("VEVENT")] == [
            "aisys-sosp17.abstract@duebot"]
        both = client.get("/e/aisys-sosp17.ics?kind=deadline&kind=event")
        comma = client.get("/e/aisys-sosp17.ics?kind=event,deadline")
        assert both.content == comma.content and both.headers["etag"] == comma.headers["etag"]
        uids = [str(e["UID"]) for e in icalendar.Calendar.from_ical(both.text).walk("VEVENT")]
        assert sorted(uids) == ["aisys-sosp17.abstract@duebot", "aisys-sosp17.workshop@duebot"]
        bad = client.get("/calendar.ics?kind=deadlines")
        assert bad.status_code == 400
        assert "unknown kind 'deadlines'" in bad.text and "did you mean 'deadline'" in bad.text


def test_per_event_and_per_date_feeds(server: Running) -> None:
    with server.client() as client:
        event = client.get("/e/aisys-sosp17.ics")
        assert event.status_code == 200
        assert event.headers["content-disposition"] == 'inline; filename="aisys-sosp17.ics"'
        one = client.get("/e/aisys-sosp17/abstract.ics")
        assert one.status_code == 200
        assert one.headers["content-type"] == "text/calendar; charset=utf-8"
        assert 'filename="aisys-sosp17-abstract.ics"' in one.headers["content-disposition"]
        events = icalendar.Calendar.from_ical(one.text).walk("VEVENT")
        assert [str(e["UID"]) for e in events] == ["aisys-sosp17.abstract@duebot"]
        cached = client.get("/e/aisys-sosp17/abstract.ics",
                            headers={"If-None-Match": one.headers["etag"]})
        assert cached.status_code == 304
        missing_date = client.get("/e/aisys-sosp17/nope.ics")
        assert missing_date.status_code == 404 and "abstract" in missing_date.text
        missing_event = client.get("/e/nope.ics")
        assert missing_event.status_code == 404 and "aisys-sosp17" in missing_event.text
        assert client.get("/e/nope").status_code == 404
        whole = client.get("/calendar.ics")
        head = client.head("/calendar.ics")
        assert head.status_code == 200 and head.content == b""
        assert head.headers["etag"] == whole.headers["etag"]


def _vobject_instant(value: datetime | date) -> datetime | date:
    if isinstance(value, datetime):
        assert value.tzinfo is not None
        return value.astimezone(UTC)
    return value


@pytest.mark.parametrize("path", ["/calendar.ics", "/e/aisys-sosp17.ics"])
def test_feed_over_http_parses_in_two_parsers_with_every_instant(server: Running,
                                                                 path: str) -> None:
    with server.client() as client:
        body = client.get(path).text
    by_icalendar = {}
    for vevent in icalendar.Calendar.from_ical(body).walk("VEVENT"):
        # An instant has no DTEND (RFC 5545): its end is its start.
        start = vevent.decoded("DTSTART")
        end = vevent.decoded("DTEND") if "DTEND" in vevent else start
        by_icalendar[str(vevent["UID"])] = (_vobject_instant(start), _vobject_instant(end))
    by_vobject = {}
    for vevent in vobject.readOne(body).vevent_list:
        by_vobject[vevent.uid.value] = (_vobject_instant(vevent.dtstart.value),
                                        _vobject_instant(getattr(vevent, "dtend",
                                                                 vevent.dtstart).value))
    assert by_icalendar == EXPECTED
    assert by_vobject == EXPECTED


def test_page_without_javascript_shows_event_zone_times_and_links(server: Running) -> None:
    with server.client() as client:
        page = client.get("/")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert "script-src 'self'" in page.headers["content-security-policy"]
        html = page.text
        assert '<time class="event-time" datetime="2017-09-11T06:59:00Z">Sunday 10 September ' \
               '2017, 23:59 PDT</time>' in html
        assert "webcal://dates.example.org/e/aisys-sosp17.ics" in html
        assert ("https://calendar.google.com/calendar/r?cid=webcal%3A%2F%2Fdates.example.org"
                "%2Fe%2Faisys-sosp17.ics") in html
        assert 'href="https://dates.example.org/e/aisys-sosp17/abstract.ics"' in html
        assert client.get("/e/aisys-sosp17").text.count("<h1>") == 1
        css = client.get("/static/duebot.css")
        js = client.get("/static/duebot.js")
        assert css.status_code == js.status_code == 200
        assert "javascript" in js.headers["content-type"]


def test_healthz_and_metrics(server: Running) -> None:
    with server.client() as client:
        client.get("/calendar.ics")
        health = client.get("/healthz")
        assert health.status_code == 200
        report = health.json()
        assert report["ok"] is True and report["database"] == "ok"
        assert report["schedules"][0]["loaded"] is True
        assert report["schedules"][0]["errors"] == []
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", report["last_reconcile"])
        metrics = client.get("/metrics")
    assert metrics.status_code == 200 and metrics.headers["content-type"].startswith(
        "text/plain")
    text = metrics.text
    # A fresh install plans the shipped (2017) reminders as skipped: they are all past.
    assert re.search(r'^duebot_deliveries\{state="skipped"\} [1-9]', text, re.M)
    assert re.search(r'^duebot_deliveries\{state="sent"\} 0\.0$', text, re.M)
    assert re.search(r"^duebot_last_reconcile_timestamp_seconds 1\.\d+e\+09$", text, re.M)
    assert re.search(r'^duebot_schedule_load_errors\{schedule="[^"]+"\} 0\.0$', text, re.M)
    assert re.search(r'^duebot_http_requests_total\{method="GET",route="calendar",'
                     r'status="200"\} [1-9]', text, re.M)


def _wait_for(client: httpx.Client, path: str, check: object, timeout: float = 10.0
              ) -> httpx.Response:
    """Poll a real server until ``check(response)`` holds (it reloads at most once a second)."""
    assert callable(check)
    end = time.monotonic() + timeout
    while True:
        response = client.get(path)
        if check(response) or time.monotonic() > end:
            return response
        time.sleep(0.1)


def test_schedule_edit_is_served_without_restart_and_a_broken_one_is_not(
        own_server: Running) -> None:
    schedule = own_server.schedule
    with own_server.client() as client:
        before = client.get("/calendar.ics")
        text = schedule.read_text(encoding="utf-8")
        extended = text.replace('at = "2017-09-10 23:59"', 'at = "2017-09-17 23:59"')
        schedule.write_text(extended, encoding="utf-8")
        mtime = schedule.stat().st_mtime + 5  # a later second, whatever the file system
        os.utime(schedule, (mtime, mtime))
        after = _wait_for(client, "/calendar.ics",
                          lambda r: r.headers["etag"] != before.headers["etag"])
        assert b"DTSTART:20170918T065900Z" in after.content
        assert parsedate_to_datetime(after.headers["last-modified"]) > parsedate_to_datetime(
            before.headers["last-modified"])
        assert client.get("/calendar.ics", headers={
            "If-None-Match": before.headers["etag"]}).status_code == 200
        assert client.get("/calendar.ics", headers={
            "If-Modified-Since": before.headers["last-modified"]}).status_code == 200
        assert "Sunday 17 September 2017, 23:59 PDT" in client.get("/").text

        schedule.write_text(extended.replace('kind = "deadline"', 'kind = "deadlin"', 1),
                            encoding="utf-8")
        os.utime(schedule, (mtime + 5, mtime + 5))
        health = _wait_for(client, "/healthz", lambda r: r.json()["schedules"][0]["errors"])
        report = health.json()
        assert health.status_code == 200  # the last good version is still served
        assert report["schedules"][0]["serving_last_good"] is True
        assert "deadlin" in report["schedules"][0]["errors"][0]
        still = client.get("/calendar.ics")
        assert still.content == after.content and still.headers["etag"] == after.headers["etag"]
        metrics = client.get("/metrics").text
        assert re.search(r"^duebot_schedule_load_errors\{[^}]*\} [1-9]", metrics, re.M)
    # One line says it all: the edit refused, the last good version served, FILE:LINE.
    refused = [line for line in own_server.log.read_text().splitlines()
               if "schedule edit refused, its last good version is still served: " in line]
    assert refused and re.search(r"served: \S+\.toml:\d+: error: .*deadlin", refused[0])
    assert "schedule not loaded" not in own_server.log.read_text()


def test_healthz_is_503_when_no_schedule_loaded(tmp_path: Path) -> None:
    running = start(tmp_path)
    try:
        running.schedule.write_text("[event]\nid = 1\n", encoding="utf-8")
        os.utime(running.schedule, (1, 1))
        with running.client() as client:
            health = _wait_for(client, "/healthz",
                               lambda r: r.json()["schedules"][0]["errors"])
            # The first version loaded, so it is still served: healthy, with the error shown.
            assert health.status_code == 200 and health.json()["schedules"][0]["errors"]
    finally:
        stop(running)
    # Started with a broken file: nothing to serve, so unhealthy.
    running = start(tmp_path, schedule_text="[event]\nid = 1\n")
    try:
        with running.client() as client:
            health = client.get("/healthz")
            assert health.status_code == 503
            assert health.json()["schedules"][0]["loaded"] is False
            assert client.get("/").status_code == 503
    finally:
        stop(running)


def test_sigterm_stops_server_and_background_jobs(tmp_path: Path) -> None:
    running = start(tmp_path)
    assert stop(running) == 0
    log = running.log.read_text()
    assert "background jobs stopped" in log and "duebot stopped cleanly" in log
    # How long stopping may take when a mail server hangs: what a grace period must cover.
    assert ("received SIGTERM: finishing the message in hand (at most [smtp] timeout = 30 s "
            "when a mail server does not answer), then stopping") in log


def test_port_in_use_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        (tmp_path / "aisys-sosp17.toml").write_text(SHIPPED.read_text(encoding="utf-8"),
                                                    encoding="utf-8")
        config = tmp_path / "duebot.toml"
        config.write_text(f'[http]\nport = {port}\n[storage]\ndatabase_url = '
                          f'"sqlite:///d.db"\n[[schedules]]\npath = "aisys-sosp17.toml"\n',
                          encoding="utf-8")
        result = subprocess.run([str(DUEBOT), "run", "--config", str(config)], cwd=ROOT,
                                capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 1
    assert f"cannot serve HTTP on 127.0.0.1:{port}" in result.stderr


def test_dockerfile_healthcheck_passes_against_a_real_server(server: Running) -> None:
    import json as _json

    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    line = next(x for x in dockerfile.splitlines() if x.startswith("HEALTHCHECK"))
    command = _json.loads(line.split("CMD", 1)[1])
    port = server.url.rsplit(":", 1)[1]
    env = {**os.environ, "DUEBOT_HTTP_PORT": port}
    result = subprocess.run([sys.executable, *command[1:]], env=env, capture_output=True,
                            text=True, timeout=30, check=False)
    assert result.returncode == 0, result.stderr
    env["DUEBOT_HTTP_PORT"] = str(free_port())  # nobody there: unhealthy
    result = subprocess.run([sys.executable, *command[1:]], env=env, capture_output=True,
                            text=True, timeout=30, check=False)
    assert result.returncode != 0
