"""duebot.js says a "24:00" date as the end of its day where the viewer's clock shows that
midnight, and as the viewer's own clock elsewhere (headless Chromium, as test_web_browser)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.service import Service
from tests.browser import CHROMIUM, chromium, open_page, serve
from tests.test_day_end import SCHEDULE

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed"),
]
pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
NOW = datetime(2026, 4, 20, tzinfo=UTC)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Service]]:
    yield from serve(tmp_path_factory.mktemp("dayend"), SCHEDULE, lambda: NOW)


@pytest.mark.parametrize(("zone", "paper", "talk"), [
    ("Europe/Paris", "Friday 1 May 2026, end of day, 24:00 (Europe/Paris, UTC+02:00)",
     "Saturday 2 May 2026, 00:00 (Europe/Paris, UTC+02:00)"),
    # Chromium's en-US names Paris "GMT+2", which the script leaves out (as for Shanghai).
    ("America/Toronto", "Friday 1 May 2026, 18:00 EDT (America/Toronto, UTC-04:00)",
     "Friday 1 May 2026, 18:00 EDT (America/Toronto, UTC-04:00)"),
])
def test_viewer_time(browser: Any, site: tuple[str, Service], zone: str,
                     paper: str, talk: str) -> None:
    context, page = open_page(browser, site[0] + "/", zone, at=NOW)
    try:
        assert page.locator("#date-paper .viewer-time").inner_text() == paper
        assert page.locator("#date-talk .viewer-time").inner_text() == talk
        assert "end of day, 24:00 CEST" in page.locator("#date-paper").inner_text()
    finally:
        context.close()


SANTIAGO = SCHEDULE.replace('at = "2026-05-01 24:00"',
                            'at = "2026-09-05 24:00"\nzone = "America/Santiago"')


@pytest.fixture(scope="module")
def santiago(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Service]]:
    yield from serve(tmp_path_factory.mktemp("santiago"), SANTIAGO, lambda: NOW)


def test_where_the_clocks_skip_that_midnight(browser: Any,
                                             santiago: tuple[str, Service]) -> None:
    """Santiago goes from 24:00 on 5 September 2026 to 01:00 (-04 to -03): the day's end is
    said with the offset it ends in, by the server and the script alike."""
    context, page = open_page(browser, santiago[0] + "/", "America/Santiago", at=NOW)
    try:
        said = "Saturday 5 September 2026, end of day, 24:00"
        assert page.locator("#date-paper .viewer-time").inner_text() == \
            f"{said} (America/Santiago, UTC-04:00)"
        assert f"{said} UTC-04:00" in page.locator("#date-paper .event-time").inner_text()
    finally:
        context.close()


@pytest.mark.parametrize(("zone", "paper"), [
    ("Europe/Paris", "2026年5月1日星期五 24:00（中欧夏令时间，UTC+02:00）"),
    ("America/Toronto", "2026年5月1日星期五 18:00 EDT（北美东部夏令时间，UTC-04:00）"),
])
def test_the_chinese_page_says_the_viewers_24_00_as_the_end_of_the_day(
        browser: Any, site: tuple[str, Service], zone: str, paper: str) -> None:
    """On ``?lang=zh`` too: the day the date was written for, its weekday, and 24:00."""
    context, page = open_page(browser, site[0] + "/?lang=zh", zone, at=NOW)
    try:
        assert page.locator("#date-paper .viewer-time").inner_text() == paper
    finally:
        context.close()


RANGED = SCHEDULE.replace('at = "2026-05-02 00:00"',
                          'at = "2026-05-01 09:00"\nend = "2026-05-01 24:00"')


@pytest.fixture(scope="module")
def ranged(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Service]]:
    yield from serve(tmp_path_factory.mktemp("ranged"), RANGED, lambda: NOW)


def test_a_range_that_ends_at_24_00(browser: Any, ranged: tuple[str, Service]) -> None:
    """The end of a range written "24:00" (data-end-day-end) is the end of its day too."""
    context, page = open_page(browser, ranged[0] + "/", "Europe/Paris", at=NOW)
    try:
        assert page.locator("#date-talk .viewer-time").inner_text() == (
            "Friday 1 May 2026, 09:00 to Friday 1 May 2026, end of day, 24:00"
            " (Europe/Paris, UTC+02:00)")
    finally:
        context.close()


# -- the widget (/e/EVENT/widget.js), from /e/EVENT.json's day_ends ------------------------------

def _widget(browser: Any, url: str, zone: str) -> tuple[Any, str, str]:
    """The widget's page (the iframe form: the same script) in ``zone``; its two time lines."""
    context = browser.new_context(timezone_id=zone, locale="en-US")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.clock.set_fixed_time(NOW)
    page.goto(url + "/e/w/widget")
    page.wait_for_selector(".duebot-widget .duebot-countdown")
    viewer = page.locator(".duebot-viewer-time").inner_text()
    event = page.locator(".duebot-event-time")
    there = event.inner_text() if event.count() else ""
    assert errors == [], errors
    return context, viewer, there


BERLIN_END = "Friday 1 May 2026, end of day, 24:00 (Europe/Berlin, UTC+02:00)"


@pytest.mark.parametrize(("zone", "viewer", "there"), [
    ("Europe/Paris", "Friday 1 May 2026, end of day, 24:00 (Europe/Paris, UTC+02:00)",
     f"that is {BERLIN_END}"),
    ("America/Toronto", "Friday 1 May 2026, 18:00 EDT (America/Toronto, UTC-04:00)",
     f"that is {BERLIN_END}"),
    ("Europe/Berlin", BERLIN_END, ""),
])
def test_the_widget_says_24_00_as_the_end_of_its_day(
        browser: Any, site: tuple[str, Service], zone: str, viewer: str,
        there: str) -> None:
    context, shown, event_line = _widget(browser, site[0], zone)
    try:
        assert (shown, event_line) == (viewer, there)
    finally:
        context.close()


def test_the_widget_says_the_day_santiago_skips_into_as_the_day_that_ended(
        browser: Any, santiago: tuple[str, Service]) -> None:
    """24:00 on 5 September 2026 is 01:00 on the 6th in Santiago: the 5th ended, at -04."""
    context, shown, _ = _widget(browser, santiago[0], "America/Santiago")
    try:
        assert shown == "Saturday 5 September 2026, end of day, 24:00 " \
                        "(America/Santiago, UTC-04:00)"
    finally:
        context.close()


MIDNIGHT = SCHEDULE.replace('at = "2026-05-01 24:00"', 'at = "2026-05-02 00:00"')


@pytest.fixture(scope="module")
def midnight(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Service]]:
    yield from serve(tmp_path_factory.mktemp("midnight"), MIDNIGHT, lambda: NOW)


def test_the_widget_says_a_deadline_written_00_00_as_the_next_days_start(
        browser: Any, midnight: tuple[str, Service]) -> None:
    """A guard (it passed before the fix too): the same instant written "2026-05-02 00:00"
    is that day's start, as written, in the widget too."""
    context, shown, there = _widget(browser, midnight[0], "Europe/Paris")
    try:
        assert shown == "Saturday 2 May 2026, 00:00 (Europe/Paris, UTC+02:00)"
        assert there == "that is Saturday 2 May 2026, 00:00 (Europe/Berlin, UTC+02:00)"
    finally:
        context.close()
