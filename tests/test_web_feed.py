"""Feed caching and validators (bot.adapters.http), and the [http] environment overrides."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.http import Feed, FeedCache, http_date, not_modified, parse_kinds, strong_etag
from bot.config import parse_config
from bot.core.ical import build_calendar
from bot.core.model import Event
from bot.errors import ConfigError, UsageError
from tests.services import deadline_schedule

MODIFIED = datetime(2017, 9, 1, 12, 0, 0, tzinfo=UTC)


def feed(body: bytes = b"BEGIN:VCALENDAR", modified: datetime = MODIFIED) -> Feed:
    return Feed(body=body, etag=strong_etag(body), last_modified=modified,
                filename="calendar.ics")


def test_matching_etag_is_not_modified_and_weak_prefix_is_accepted() -> None:
    f = feed()
    assert not_modified(f, f.etag, None)
    assert not_modified(f, f'"other", W/{f.etag}', None)
    assert not_modified(f, "*", None)
    assert not not_modified(f, '"other"', None)


def test_if_none_match_wins_over_if_modified_since() -> None:
    f = feed()
    # A stale tag with a fresh date: the bytes changed, so the client must get them.
    assert not not_modified(f, '"stale"', http_date(MODIFIED + timedelta(days=1)))


def test_if_modified_since_compares_whole_seconds() -> None:
    f = feed()
    assert not_modified(f, None, "Fri, 01 Sep 2017 12:00:00 GMT")
    assert not_modified(f, None, "Sat, 02 Sep 2017 00:00:00 GMT")
    assert not not_modified(f, None, "Fri, 01 Sep 2017 11:59:59 GMT")
    assert not not_modified(f, None, "not a date")
    assert not not_modified(f, None, None)


def test_kinds_filter_accepts_repeats_and_commas_in_one_order() -> None:
    assert parse_kinds(["event", "deadline"]) == ("deadline", "event")
    assert parse_kinds(["event,deadline", "deadline"]) == ("deadline", "event")
    assert parse_kinds([]) is None and parse_kinds([""]) is None


def test_unknown_kind_is_an_error_with_a_suggestion() -> None:
    with pytest.raises(UsageError, match=r"unknown kind 'deadlines'.*did you mean 'deadline'"):
        parse_kinds(["deadlines"])


def test_cache_builds_once_per_schedule_change(shipped: Event) -> None:
    cache = FeedCache()
    events = [shipped]
    calls: list[int] = []

    def build() -> bytes:
        calls.append(1)
        return build_calendar(events)

    first = cache.get(events, ("all",), build, modified=1504267200.7, filename="c.ics")
    again = cache.get(list(events), ("all",), build, modified=1504267200.7, filename="c.ics")
    assert again is first and len(calls) == 1
    assert first.last_modified == datetime(2017, 9, 1, 12, 0, tzinfo=UTC)
    # DTSTAMP is each date's revision, not the file's time: the same on every replica.
    assert set(re.findall(rb"DTSTAMP:(\S+)", first.body)) == {b"19700101T000000Z",
                                                              b"19700101T000001Z"}
    # Same content read again (a touched file): rebuilt, same bytes and validators.
    reread = Event(**{**shipped.__dict__})
    same = cache.get([reread], ("all",), lambda: build_calendar([reread]),
                     modified=1504353600.0, filename="c.ics")
    assert len(calls) == 1 and cache.builds == 2
    assert same.etag == first.etag and same.last_modified == first.last_modified
    assert same.body == first.body


def test_changed_bytes_in_the_same_second_still_move_last_modified(shipped: Event) -> None:
    cache = FeedCache()
    first = cache.get([shipped], ("all",), lambda: b"one", modified=100.2,
                      filename="c.ics")
    other = Event(**{**shipped.__dict__, "name": "Renamed"})
    second = cache.get([other], ("all",), lambda: b"two", modified=100.9,
                       filename="c.ics")
    assert second.etag != first.etag
    assert second.last_modified == first.last_modified + timedelta(seconds=1)
    # So a client that saw the first version gets the second.
    assert not not_modified(second, None, http_date(first.last_modified))


CONFIG = """
[http]
host = "127.0.0.1"
port = 8080
"""


def test_environment_overrides_http_host_and_port() -> None:
    config = parse_config(CONFIG, env={"DUEBOT_HTTP_HOST": "0.0.0.0", "DUEBOT_HTTP_PORT": "9000"})
    assert (config.http.host, config.http.port) == ("0.0.0.0", 9000)
    plain = parse_config(CONFIG, env={})
    assert (plain.http.host, plain.http.port) == ("127.0.0.1", 8080)


def test_bad_port_in_environment_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="DUEBOT_HTTP_PORT='http'"):
        parse_config(CONFIG, env={"DUEBOT_HTTP_PORT": "http"})


SCHEDULE = deadline_schedule("2030-06-10 12:00")


def demo_service(tmp_path: Path) -> Any:
    """A Service on SCHEDULE with a SQLite ledger in ``tmp_path`` and its clock at 2030-06-01."""
    from bot.adapters.console import ConsoleChannel
    from bot.config import Config, ScheduleConfig, StorageConfig
    from bot.service import Service

    schedule = tmp_path / "demo.toml"
    schedule.write_text(SCHEDULE, encoding="utf-8")
    config = Config(schedules=(ScheduleConfig(path=schedule),),
                    storage=StorageConfig(database_url=f"sqlite:///{tmp_path / 'd.db'}"))
    now = datetime(2030, 6, 1, tzinfo=UTC)
    return Service(config, clock=lambda: now, channels={"console": ConsoleChannel()})


def test_a_change_seen_first_by_the_web_side_is_still_reconciled(tmp_path: Path) -> None:
    """The web side reloads on requests; the delivery loop must not miss what it saw."""
    from bot.adapters.console import ConsoleChannel
    from bot.config import Config, ScheduleConfig, StorageConfig
    from bot.service import Service

    schedule = tmp_path / "demo.toml"
    schedule.write_text(SCHEDULE, encoding="utf-8")
    now = datetime(2030, 6, 1, tzinfo=UTC)
    config = Config(schedules=(ScheduleConfig(path=schedule),),
                    storage=StorageConfig(database_url=f"sqlite:///{tmp_path / 'd.db'}"))
    service = Service(config, clock=lambda: now, channels={"console": ConsoleChannel()})
    try:
        service.reconcile(now)
        [row] = service.ledger.rows(states=["pending"])
        assert row.due == datetime(2030, 6, 9, 12, 0, tzinfo=UTC)
        schedule.write_text(SCHEDULE.replace("2030-06-10 12:00", "2030-06-17 12:00"),
                            encoding="utf-8")
        os.utime(schedule, (2e9, 2e9))
        generation = service.generation
        assert service.reload() is True  # what a request to /calendar.ics does
        assert service.generation == generation + 1
        service.refresh(now)  # the delivery loop's next turn: its own reload sees no change
        [row] = service.ledger.rows(states=["pending"])
        assert row.due == datetime(2030, 6, 16, 12, 0, tzinfo=UTC)
    finally:
        service.ledger.close()


def test_healthz_is_503_and_metrics_say_so_when_the_database_is_unreachable(
        tmp_path: Path) -> None:
    import asyncio

    import httpx
    import sqlalchemy as sa

    from bot.adapters.http import build_app

    service = demo_service(tmp_path)
    working = service.ledger.engine

    async def scenario() -> None:
        transport = httpx.ASGITransport(app=build_app(service))
        async with httpx.AsyncClient(transport=transport, base_url="http://duebot") as client:
            assert (await client.get("/healthz")).status_code == 200
            service.ledger.engine = sa.create_engine(
                f"sqlite:///{tmp_path / 'no-such-dir' / 'd.db'}")
            health = await client.get("/healthz")
            assert health.status_code == 503
            assert health.json()["database"].startswith("unreachable")
            assert health.json()["schedules"][0]["loaded"] is True
            assert "duebot_database_up 0.0" in (await client.get("/metrics")).text
            # The feed does not need the database.
            assert (await client.get("/calendar.ics")).status_code == 200

    try:
        asyncio.run(scenario())
    finally:
        service.ledger.close()
        working.dispose()


def test_the_calendar_fast_path_answers_as_the_route_does(tmp_path: Path) -> None:
    """``GET /calendar.ics`` skips the router (``CalendarFastPath``); a request with a body
    goes through it. Both give the same bytes and headers, 304s and counts."""
    import asyncio

    import httpx

    from bot.adapters.http import build_app

    service = demo_service(tmp_path)
    routed = {"Content-Length": "0"}  # a (empty) body: the fast path leaves it to the router

    async def scenario() -> None:
        transport = httpx.ASGITransport(app=build_app(service))
        async with httpx.AsyncClient(transport=transport, base_url="http://duebot") as client:
            fast = await client.get("/calendar.ics")
            slow = await client.get("/calendar.ics", headers=routed)
            assert fast.status_code == slow.status_code == 200
            assert fast.content == slow.content and b"Paper deadline" in fast.content
            assert fast.headers.multi_items() == slow.headers.multi_items()
            assert fast.headers["content-type"] == "text/calendar; charset=utf-8"
            etag, modified = fast.headers["etag"], fast.headers["last-modified"]
            for headers in ({"If-None-Match": etag}, {"If-Modified-Since": modified}):
                fast = await client.get("/calendar.ics", headers=headers)
                slow = await client.get("/calendar.ics", headers={**headers, **routed})
                assert fast.status_code == slow.status_code == 304
                assert fast.content == slow.content == b""
                assert fast.headers.multi_items() == slow.headers.multi_items()
            stale = await client.get("/calendar.ics", headers={"If-None-Match": '"old"'})
            assert stale.status_code == 200 and stale.content
            head = await client.head("/calendar.ics")
            assert head.status_code == 200 and head.headers["etag"] == etag
            too_big = await client.get("/calendar.ics", headers={"Content-Length": "99999999"})
            assert too_big.status_code == 413
            metrics = (await client.get("/metrics")).text
            assert 'route="calendar",status="200"} 3.0' in metrics  # GET: fast, routed, stale
            assert 'route="calendar",status="304"} 4.0' in metrics
            assert 'method="HEAD",route="calendar",status="200"} 1.0' in metrics

    try:
        asyncio.run(scenario())
    finally:
        service.ledger.close()


def test_fast_path_counts_are_added_once_per_scrape_and_none_is_lost() -> None:
    """``FastCounts`` adds what grew since the last read: two scrapes do not count twice, and
    a request counted between them shows in the second."""
    from prometheus_client import CollectorRegistry, Counter, generate_latest

    from bot.adapters.http import FastCounts

    registry = CollectorRegistry(auto_describe=True)
    counter = Counter("duebot_http_requests", "HTTP requests answered",
                      ["method", "route", "status"], registry=None)
    counts = FastCounts(counter)
    registry.register(counts)
    registry.register(counter)

    def scraped(status: int) -> str | None:
        text = generate_latest(registry).decode()
        found = re.search(rf'^duebot_http_requests_total\{{method="GET",route="calendar",'
                          rf'status="{status}"\}} (\S+)$', text, re.M)
        return found.group(1) if found else None

    assert scraped(200) is None  # nothing answered: no series yet
    counts.counts["GET", 200] += 3
    counts.counts["GET", 304] += 1
    assert scraped(200) == "3.0" and scraped(304) == "1.0"
    assert scraped(200) == "3.0"  # read again: not added twice
    counts.counts["GET", 200] += 2
    assert scraped(200) == "5.0"
