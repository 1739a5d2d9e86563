"""The dates page in headless Chromium: the viewer's own zone and a live countdown.

Debian's ``chromium``, driven by Playwright for Python with ``executable_path`` (never
``playwright install``). The server runs in-process on a loopback port with its clock fixed at
the same instant as the page's, so the server's and the browser's countdowns agree.
Screenshots land in ``test-artifacts/``.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.service import Service
from tests.browser import CHROMIUM, chromium, open_page, serve

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
NOW = datetime(2017, 9, 1, 12, 0, tzinfo=UTC)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed "
                       "(apt-get install chromium; .ci/run installs it)"),
]
playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright (PyPI, in the test extra) is not installed")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Service]]:
    tmp = tmp_path_factory.mktemp("browser")
    yield from serve(tmp, (ROOT / "schedules" / "aisys-sosp17.toml").read_text(encoding="utf-8"),
                     lambda: NOW)


@pytest.fixture(scope="module")
def site(served: tuple[str, Service]) -> str:
    return served[0]


@pytest.mark.parametrize(("zone", "expected", "slug"), [
    ("Asia/Shanghai", "Monday 11 September 2017, 14:59 (Asia/Shanghai, UTC+08:00)",
     "shanghai"),
    ("America/New_York", "Monday 11 September 2017, 02:59 EDT (America/New_York, UTC-04:00)",
     "new-york"),
])
def test_deadline_in_the_viewers_zone_with_live_countdown(browser: Any, site: str, zone: str,
                                                          expected: str, slug: str) -> None:
    context, page = open_page(browser, site + "/", zone, at=NOW)
    try:
        abstract = page.locator("#date-abstract")
        assert abstract.locator(".viewer-time").inner_text() == expected
        # The event's own zone stays beside it.
        assert abstract.locator(".event-time").inner_text() == \
            "Sunday 10 September 2017, 23:59 PDT"
        assert "America/Los_Angeles, UTC-07:00" in abstract.locator(".zone").inner_text()
        # 2017-09-01 12:00Z to 2017-09-11 06:59Z: 9 days 18 hours 59 minutes.
        assert abstract.locator(".relation").inner_text() == "9 days 18 hours from now"
        hero = page.locator(".next")
        assert "Poster abstract submission deadline" in hero.locator("h2").inner_text()
        assert hero.locator(".relation").inner_text() == "9 days 18 hours from now"
        assert hero.locator(".viewer-time").inner_text() == expected
        # All-day dates stay days; their countdown runs to local midnight in their zone.
        workshop = page.locator("#date-workshop")
        assert workshop.locator(".event-time").inner_text() == "Saturday 28 October 2017 (all day)"
        assert workshop.locator(".relation").inner_text() == "56 days 4 hours from now"
        assert page.locator(".viewer-zone").first.inner_text() == zone
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"web-page-{slug}.png"), full_page=True)
    finally:
        context.close()


def test_countdown_keeps_running_and_strikes_the_deadline_when_it_passes(
        browser: Any, site: str) -> None:
    just_before = datetime(2017, 9, 11, 6, 58, 30, tzinfo=UTC)
    context, page = open_page(browser, site + "/", "Europe/Berlin", at=just_before, fixed=False)
    try:
        abstract = page.locator("#date-abstract")
        page.clock.run_for(1000)
        assert abstract.locator(".relation").inner_text() == "less than a minute from now"
        assert "passed" not in (abstract.get_attribute("class") or "")
        page.clock.run_for(31_000)
        assert abstract.locator(".relation").inner_text() == "passed less than a minute ago"
        assert "passed" in (abstract.get_attribute("class") or "").split()
        assert abstract.locator(".badge.state").inner_text().lower() == "passed"
        page.clock.run_for(3 * 3600 * 1000)
        assert abstract.locator(".relation").inner_text() == "passed 3 hours ago"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "web-page-passed.png"))
    finally:
        context.close()


def test_desktop_screenshot(browser: Any, site: str) -> None:
    context, page = open_page(browser, site + "/", "Asia/Shanghai", at=NOW, viewport=(1280, 900))
    try:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "web-page-desktop.png"), full_page=True)
        # Nothing sideways-scrolls on a phone or a desktop.
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 1280
    finally:
        context.close()


def test_phone_layout_does_not_scroll_sideways(browser: Any, site: str) -> None:
    context, page = open_page(browser, site + "/", "America/New_York", at=NOW,
                              viewport=(360, 740))
    try:
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        context.close()


def test_preferences_page_in_chinese_without_javascript(
        browser: Any, served: tuple[str, Service]) -> None:
    """A browser set to Chinese, with JavaScript off, opens a subscriber's page (who chose no
    language), reads it in Chinese and saves a choice with the plain form (Origin and form key
    as Chromium sends them)."""
    url, service = served
    who = "mailto:li@example.org"
    service.ledger.subscribe("aisys-sosp17", who, NOW, source="mail")
    token = service.ledger.subscriber_token("aisys-sosp17", who)
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai",
                                  java_script_enabled=False, user_agent="duebot-test")
    try:
        page = context.new_page()
        page.goto(f"{url}/me/{token}")
        assert page.locator("html").get_attribute("lang") == "zh-Hans"
        assert page.locator("h1").inner_text() == "您的提醒：AI Systems Workshop @ SOSP 2017"
        assert page.locator("legend").first.inner_text() == "哪些日期"
        page.fill("input[name=leads]", "2d 3h")
        page.select_option("select[name=digest]", "weekly")
        page.click("button[type=submit]")  # Chromium sends this page's Origin with the POST
        assert page.locator("[role=status]").inner_text() == \
            "已保存。尚未发送的提醒将按您的新选择发送。"
        assert "每周一上午一封汇总" in page.locator("ul").first.inner_text()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "me-page-zh.png"), full_page=True)
    finally:
        context.close()
    row = service.ledger.subscriber(str(token))
    assert row is not None and '"digest":"weekly"' in str(row["preferences"]).replace(" ", "")


LISBON_SCHEDULE = """\
[event]
id = "lis"
name = "Lisbon Workshop"
zone = "Europe/Lisbon"

[[dates]]
id = "winter"
title = "Abstract deadline"
kind = "deadline"
at = "2027-02-13 11:59"

[[dates]]
id = "spring"
title = "Paper deadline"
kind = "deadline"
at = "2027-03-28 12:00"

[[dates]]
id = "autumn"
title = "Late deadline"
kind = "deadline"
at = "2027-10-31 12:00"
"""


@pytest.fixture(scope="module")
def lisbon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[datetime]]]:
    """The Lisbon page, its server's clock a list the test sets before it opens the page."""
    clock = [datetime(2027, 2, 12, 12, 0, tzinfo=UTC)]
    for url, _service in serve(tmp_path_factory.mktemp("lisbon"), LISBON_SCHEDULE,
                               lambda: clock[0]):
        yield url, clock


def test_a_viewer_in_utc_reads_the_zone_once(browser: Any,
                                             lisbon: tuple[str, list[datetime]]) -> None:
    url, clock = lisbon
    clock[0] = datetime(2027, 2, 12, 12, 0, tzinfo=UTC)
    for zone in ("UTC", "Etc/UTC"):
        context, page = open_page(browser, url + "/", zone, at=clock[0])
        try:
            assert page.locator("#date-winter .viewer-time").inner_text() == \
                "Saturday 13 February 2027, 11:59 UTC"
        finally:
            context.close()
    # Elsewhere the zone's name and offset stay beside the time.
    context, page = open_page(browser, url + "/", "America/New_York", at=clock[0])
    try:
        assert page.locator("#date-winter .viewer-time").inner_text() == \
            "Saturday 13 February 2027, 06:59 EST (America/New_York, UTC-05:00)"
    finally:
        context.close()


@pytest.mark.parametrize(("now", "date_id", "said"), [
    # Noon the day before noon on the day Lisbon springs forward: 23 hours, read as 1 day.
    (datetime(2027, 3, 27, 12, 0, tzinfo=UTC), "spring", "1 day from now"),
    (datetime(2027, 3, 21, 12, 0, tzinfo=UTC), "spring", "7 days from now"),
    # And the day it falls back: 25 hours.
    (datetime(2027, 10, 30, 11, 0, tzinfo=UTC), "autumn", "1 day from now"),
    (datetime(2027, 3, 29, 11, 0, tzinfo=UTC), "spring", "passed 1 day ago"),
    # Under a day: the exact time left.
    (datetime(2027, 3, 27, 12, 1, tzinfo=UTC), "spring", "22 hours 59 minutes from now"),
])
def test_live_countdown_counts_calendar_days_in_the_dates_zone(
        browser: Any, lisbon: tuple[str, list[datetime]], now: datetime, date_id: str,
        said: str) -> None:
    url, clock = lisbon
    clock[0] = now
    context, page = open_page(browser, url + "/", "Asia/Tokyo", at=now)
    try:
        # The script's live text, and the server's before it (the same words).
        assert page.locator(f"#date-{date_id} .relation").inner_text() == said
        with urllib.request.urlopen(url + "/", timeout=10) as response:
            served = response.read().decode("utf-8")
        assert f">{said}</span>" in served
    finally:
        context.close()
