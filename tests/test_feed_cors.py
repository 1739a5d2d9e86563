"""The calendar feeds from another site's page: a browser calendar (ical.js, FullCalendar)
reads ``/calendar.ics`` cross-origin and revalidates with ``If-None-Match``, which needs a
preflight. The app ``duebot run`` serves, over uvicorn, with a real HTTP client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.adapters.http import build_app
from bot.config import Config, ScheduleConfig, StorageConfig
from bot.service import Service
from tests.conftest import SHIPPED
from tests.slack_stub import serving

FEEDS = ["/calendar.ics", "/calendar.ics?kind=deadline", "/e/aisys-sosp17.ics",
         "/e/aisys-sosp17/abstract.ics"]
ORIGIN = {"Origin": "https://workshop.example.org"}


@pytest.fixture
def url(tmp_path: Path) -> Iterator[str]:
    service = Service(Config(
        storage=StorageConfig(database_url=f"sqlite:///{tmp_path / 'ledger.db'}"),
        schedules=(ScheduleConfig(path=SHIPPED, reminders_to=("console:",)),)))
    with serving(build_app(service)) as served:
        yield served
    service.ledger.close()


@pytest.mark.parametrize("path", FEEDS)
def test_a_feed_is_readable_from_another_origin_and_revalidates_there(url: str,
                                                                      path: str) -> None:
    with httpx.Client(base_url=url, timeout=10) as client:
        full = client.get(path, headers=ORIGIN)
        assert full.status_code == 200
        assert full.headers["access-control-allow-origin"] == "*"
        assert "ETag" in full.headers["access-control-expose-headers"]
        preflight = client.options(path, headers={
            **ORIGIN, "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match"})
        assert preflight.status_code == 204
        assert "If-None-Match" in preflight.headers["access-control-allow-headers"]
        assert "GET" in preflight.headers["access-control-allow-methods"]
        again = client.get(path, headers={**ORIGIN, "If-None-Match": full.headers["etag"]})
        assert again.status_code == 304
        assert again.headers["access-control-allow-origin"] == "*"
        head = client.head(path, headers=ORIGIN)
        assert head.status_code == 200 and head.content == b""
        assert head.headers["etag"] == full.headers["etag"]
        assert head.headers["content-length"] == str(len(full.content))
