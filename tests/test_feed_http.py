"""The feed as a subscribed calendar fetches it: validators, 304s, HEAD, and what an edit does.

A real ``duebot run`` app (Service, SQLite, the shipped HTTP stack) over httpx's ASGI
transport; the schedule file is edited between requests as an organizer would.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

import httpx
import icalendar
import pytest

from bot.adapters.console import ConsoleChannel
from bot.adapters.http import FeedCache, build_app
from bot.config import Config, HttpConfig, ScheduleConfig, StorageConfig
from bot.service import Service
from tests.smtp_server import free_port

NOW = datetime(2027, 2, 20, 12, 0, tzinfo=UTC)
SCHEDULE = """
[event]
id = "http-ws"
name = "HTTP Workshop"
zone = "America/New_York"

[[dates]]
id = "paper"
title = "Paper deadline"
kind = "deadline"
at = "2027-03-01 23:59"

[[dates]]
id = "rebuttal"
title = "Rebuttal"
kind = "other"
at = "2027-04-01 12:00"
"""


@pytest.fixture
def schedule(tmp_path: Path) -> Path:
    path = tmp_path / "http-ws.toml"
    path.write_text(SCHEDULE, encoding="utf-8")
    return path


@pytest.fixture
def service(tmp_path: Path, schedule: Path) -> Iterator[Service]:
    config = Config(schedules=(ScheduleConfig(path=schedule),),
                    storage=StorageConfig(database_url=f"sqlite:///{tmp_path / 'duebot.db'}"),
                    http=HttpConfig(host="127.0.0.1", port=free_port()))
    running = Service(config, clock=lambda: NOW, channels={"console": ConsoleChannel()})
    yield running
    running.ledger.close()


Call = tuple[str, str, dict[str, str]]


def one(service: Service, *calls: Call) -> list[httpx.Response]:
    """``calls`` in turn, to one app (one feed cache, as in ``duebot run``)."""
    async def go() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=build_app(service))
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as c:
            return [await c.request(method, path, headers=headers)
                    for method, path, headers in calls]
    return asyncio.run(go())


def test_last_modified_is_never_ahead_of_the_clock() -> None:
    """A file whose time is ahead of ours (a fast clock elsewhere) is taken as modified now."""
    now = 1_800_000_000.0
    cache = FeedCache(wall=lambda: now)
    feed = cache.get([], ("all",), lambda: b"x", modified=now + 86400, filename="c.ics")
    assert feed.last_modified == datetime.fromtimestamp(now, UTC)


def test_a_schedule_touched_into_the_future_sends_last_modified_no_later_than_date(
        service: Service, schedule: Path) -> None:
    ahead = time.time() + 3 * 86400
    os.utime(schedule, (ahead, ahead))
    service.reload()
    (response,) = one(service, ("GET", "/calendar.ics", {}))
    assert response.status_code == 200
    # httpx's ASGI transport sends no Date (uvicorn adds it): the clock is the bound.
    assert parsedate_to_datetime(response.headers["last-modified"]).timestamp() <= time.time()


def test_validators_head_and_content_type(service: Service) -> None:
    get, head = one(service, ("GET", "/calendar.ics", {}), ("HEAD", "/calendar.ics", {}))
    assert get.headers["content-type"] == "text/calendar; charset=utf-8"
    assert get.headers["cache-control"].startswith("public")
    assert head.status_code == 200 and head.content == b""
    for name in ("etag", "last-modified", "content-type", "cache-control"):
        assert head.headers[name] == get.headers[name]
    assert int(head.headers["content-length"]) == len(get.content)
    etag, modified = get.headers["etag"], get.headers["last-modified"]
    again = one(service,
                ("GET", "/calendar.ics", {"If-None-Match": etag}),
                ("GET", "/calendar.ics", {"If-Modified-Since": modified}),
                ("HEAD", "/calendar.ics", {"If-None-Match": etag}),
                ("GET", "/calendar.ics?kind=deadline", {"If-None-Match": etag}),
                ("GET", "/calendar.ics", {"If-None-Match": '"stale"',
                                          "If-Modified-Since": modified}))
    assert [r.status_code for r in again] == [304, 304, 304, 200, 200]
    assert again[0].content == b"" and again[0].headers["etag"] == etag


def test_a_removed_date_changes_the_validators_and_is_gone_from_the_next_fetch(
        service: Service, schedule: Path) -> None:
    """A subscribed calendar revalidating after the edit gets the new feed (no 304 on either
    validator), which no longer holds the date: it drops the entry, as it drops any entry a
    refreshed feed no longer has. The date's own link says it is not there."""
    async def go() -> tuple[httpx.Response, ...]:
        transport = httpx.ASGITransport(app=build_app(service))
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as c:
            first = await c.get("/calendar.ics")
            schedule.write_text(SCHEDULE[:SCHEDULE.index('[[dates]]\nid = "rebuttal"')],
                                encoding="utf-8")
            service.reload()
            by_tag = await c.get("/calendar.ics",
                                 headers={"If-None-Match": first.headers["etag"]})
            by_date = await c.get("/calendar.ics",
                                  headers={"If-Modified-Since": first.headers["last-modified"]})
            gone = await c.get("/e/http-ws/rebuttal.ics")
            return first, by_tag, by_date, gone

    first, by_tag, by_date, gone = asyncio.run(go())
    assert by_tag.status_code == by_date.status_code == 200
    assert by_tag.headers["etag"] != first.headers["etag"]
    assert (parsedate_to_datetime(by_tag.headers["last-modified"])
            > parsedate_to_datetime(first.headers["last-modified"]))
    uids = [str(e["UID"]) for e in icalendar.Calendar.from_ical(by_tag.content).events]
    assert uids == ["http-ws.paper@duebot"]
    assert gone.status_code == 404 and "no date 'rebuttal'" in gone.text
