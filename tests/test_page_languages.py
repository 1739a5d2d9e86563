"""The dates page in the reader's language: ``?lang=zh``, else the browser's Accept-Language.

In Chinese the server writes every date as CLDR does (``2027年3月1日星期一 23:59 AoE``), the
countdown (``还有9天18小时``), the kinds and the page's own words; the script keeps counting
in Chinese and writes the viewer's time with the zone's Chinese name. English is unchanged.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import jinja2
import pytest

from bot.adapters.console import ConsoleChannel
from bot.adapters.http import build_app
from bot.adapters.template_files import load_templates
from bot.config import Config, HttpConfig, ScheduleConfig, StorageConfig
from bot.core.language import ENGLISH, Language
from bot.core.model import Event
from bot.core.page import page_view
from bot.core.render import Renderer
from bot.core.schedule import parse_schedule
from bot.core.timefmt import countdown
from bot.service import Service
from tests.browser import CHROMIUM, chromium
from tests.loopback import serving_on
from tests.smtp_server import free_port

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2027, 2, 20, 12, 0, tzinfo=UTC)
SCHEDULE = """
[event]
id = "langs"
name = "Zones Workshop"
zone = "Europe/Berlin"

[contact]
email = "chairs@example.org"

[submission]
system = "HotCRP"
url = "https://hotcrp.example.org/"
page_limit = 4

[[dates]]
id = "abstract"
title = "Abstract"
kind = "deadline"
at = "2027-03-01 23:59 AoE"

[[dates]]
id = "past"
title = "Intent to submit"
kind = "other"
at = "2027-02-01 12:00"
zone = "UTC"

[[dates]]
id = "workshop"
title = "Workshop"
kind = "event"
at = "2027-05-10"
end = "2027-05-12"
zone = "Asia/Shanghai"

[[dates]]
id = "dinner"
title = "Dinner"
kind = "event"
at = "2027-05-10 22:00"
end = "2027-05-11 01:30"
zone = "Asia/Shanghai"
"""
# English words of the page that a Chinese page must not show.
ENGLISH_WORDS = ("Important dates", "Next deadline", "Your time", "How to submit",
                 "Add this date", "from now", "passed ", "Deadline<", "(all day)",
                 "Subscribe (", "Countdowns as of")


@pytest.fixture(scope="module")
def event() -> Event:
    return parse_schedule(SCHEDULE)


@pytest.fixture(scope="module")
def chinese() -> Language:
    return Renderer(load_templates()).speaking("zh").lang


def render(view: Any) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(ROOT / "templates" / "web"),
                             autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    return env.get_template("page.html.j2").render(page=view, static="https://x.test/static")


def test_the_view_says_dates_countdowns_and_kinds_in_chinese(event: Event,
                                                             chinese: Language) -> None:
    view = page_view([event], NOW, "https://x.test", chinese)
    dates = {d.id: d for d in view.events[0].dates}
    abstract = dates["abstract"]
    assert abstract.event_text == "2027年3月1日星期一 23:59 AoE"
    assert abstract.zone_caption == "地球上任何地方，UTC-12:00"  # "AoE" is said beside the time
    assert abstract.relation == "还有9天23小时"
    assert abstract.label == "截止日期"
    assert dates["past"].relation == "已过去19天"
    assert dates["workshop"].event_text == "2027年5月10日星期一至2027年5月12日星期三（全天）"
    assert view.events[0].next_label == "下一个截止日期"
    assert view.title == "Zones Workshop：重要日期"
    assert view.lang_tag == "zh-Hans"
    assert ("页数限制", "4页", "") in view.events[0].logistics


def test_the_english_view_is_as_before(event: Event) -> None:
    view = page_view([event], NOW, "https://x.test")
    abstract = view.events[0].dates[1]
    assert abstract.id == "abstract"
    assert abstract.event_text == "Monday 1 March 2027, 23:59 AoE"
    assert abstract.relation == "9 days 23 hours from now"
    assert abstract.label == "Deadline"
    assert view.lang_tag == "en"


def test_the_chinese_page_has_no_english_words_left(event: Event, chinese: Language) -> None:
    html = render(page_view([event], NOW, "https://x.test", chinese))
    assert '<html lang="zh-Hans">' in html
    assert "重要日期" in html and "下一个截止日期" in html and "投稿方式" in html
    assert "下一个截止日期：" in html and "下一个截止日期:" not in html  # a full-width colon
    assert '<span class="zone">（地球上任何地方，UTC-12:00）</span>' in html  # full-width
    for words in ENGLISH_WORDS:
        assert words not in html, words
    # The way back to English, as an absolute link.
    assert 'href="https://x.test/e/langs?lang=en"' in html


@pytest.mark.parametrize("code", ["en", "zh"])
def test_the_scripts_countdown_words_are_the_servers(event: Event, chinese: Language,
                                                     code: str) -> None:
    """``duebot.js`` builds countdowns from these words; they must say what the server says."""
    lang = chinese if code == "zh" else ENGLISH
    words = json.loads(page_view([event], NOW, "https://x.test", lang).script_words)

    def script_countdown(delta: timedelta) -> str:  # duebot.js's countdown, in Python
        seconds = int(delta.total_seconds())
        days, rest = divmod(seconds, 86400)
        hours, minutes = rest // 3600, rest % 3600 // 60
        def unit(n: int, name: str) -> str:
            return str(words["units"][name][0 if n == 1 else 1]).replace("{n}", str(n))
        if days:
            return unit(days, "day") + (words["between"] + unit(hours, "hour") if hours else "")
        if hours:
            return unit(hours, "hour") + (words["between"] + unit(minutes, "minute")
                                          if minutes else "")
        return unit(minutes, "minute") if minutes else str(words["under_minute"])

    for delta in (timedelta(days=9, hours=18), timedelta(days=1), timedelta(days=2, hours=1),
                  timedelta(hours=3, minutes=5), timedelta(minutes=1), timedelta(seconds=5)):
        said = lang.countdown(delta)
        assert script_countdown(delta) == said
        if code == "en":
            assert said == countdown(delta)
    assert words["from_now"] == lang.gettext("%(time)s from now")


# --- over HTTP ------------------------------------------------------------------------------

@pytest.fixture
def service(tmp_path: Path) -> Iterator[Service]:
    schedule = tmp_path / "langs.toml"
    schedule.write_text(SCHEDULE, encoding="utf-8")
    config = Config(schedules=(ScheduleConfig(path=schedule),),
                    storage=StorageConfig(database_url=f"sqlite:///{tmp_path / 'duebot.db'}"),
                    http=HttpConfig(host="127.0.0.1", port=free_port()))
    running = Service(config, clock=lambda: NOW, channels={"console": ConsoleChannel()})
    yield running
    running.ledger.close()


def _get(service: Service, path: str, headers: dict[str, str] | None = None) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=build_app(service))
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as c:
            return await c.get(path, headers=headers or {})
    return asyncio.run(go())


def _lang(response: httpx.Response) -> str:
    found = re.search(r'<html lang="([^"]+)"', response.text)
    assert found is not None
    return found[1]


@pytest.mark.parametrize(("path", "accept", "expected"), [
    ("/", "", "en"),
    ("/?lang=zh", "", "zh-Hans"),
    ("/e/langs?lang=zh-Hans", "", "zh-Hans"),
    ("/?lang=Chinese", "en-US", "zh-Hans"),
    ("/", "zh-CN,zh;q=0.9,en;q=0.8", "zh-Hans"),
    ("/", "en-GB,en;q=0.9,zh;q=0.5", "en"),
    ("/", "zh-TW", "zh-Hans"),
    ("/?lang=en", "zh-CN", "en"),         # the link's choice wins over the browser
    ("/?lang=fr", "zh-CN", "zh-Hans"),    # a language duebot does not speak: the browser's
    ("/?lang=fr", "", "en"),
])
def test_the_page_language_is_the_links_then_the_browsers(service: Service, path: str,
                                                          accept: str, expected: str) -> None:
    response = _get(service, path, {"Accept-Language": accept} if accept else None)
    assert response.status_code == 200
    assert _lang(response) == expected
    assert response.headers["content-language"] == expected
    assert "accept-language" in response.headers["vary"].lower()


def test_a_chinese_reader_without_javascript_reads_every_date(service: Service) -> None:
    html = _get(service, "/e/langs", {"Accept-Language": "zh-CN"}).text
    assert "2027年3月1日星期一 23:59 AoE" in html
    assert "还有9天23小时" in html
    # A date that has passed is struck through and marked as passed.
    assert re.search(r'<del class="t">Intent to submit</del>.*?已过</span>', html, re.S)
    assert "已过去19天" in html


# --- in Chromium ------------------------------------------------------------------------------

@pytest.fixture
def site(tmp_path: Path) -> Iterator[str]:
    schedule = tmp_path / "langs.toml"
    schedule.write_text(SCHEDULE, encoding="utf-8")
    port = free_port()
    config = Config(schedules=(ScheduleConfig(path=schedule),),
                    storage=StorageConfig(database_url=f"sqlite:///{tmp_path / 'duebot.db'}"),
                    http=HttpConfig(host="127.0.0.1", port=port))
    running = Service(config, clock=lambda: NOW, channels={"console": ConsoleChannel()})
    with serving_on(build_app(running), port, name="page-languages") as url:
        yield url
    running.ledger.close()


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
def test_the_script_keeps_counting_in_chinese_in_the_readers_zone(site: str) -> None:
    with chromium() as browser:
        context = browser.new_context(timezone_id="Asia/Shanghai", locale="zh-CN")
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.clock.install(time=NOW - timedelta(seconds=10))
        page.clock.pause_at(NOW)
        page.goto(f"{site}/e/langs")
        page.wait_for_selector("html.js")
        assert errors == []
        assert page.locator("html").get_attribute("lang") == "zh-Hans"
        item = page.locator("#date-abstract")
        # AoE's 23:59 on 1 March is 19:59 on 2 March in Shanghai, the zone said once.
        assert item.locator(".viewer-time").inner_text() == (
            "2027年3月2日星期二 19:59（中国标准时间，UTC+08:00）")
        assert item.locator(".relation").inner_text() == "还有9天23小时"
        assert page.locator(".viewer-zone").first.inner_text() == "Asia/Shanghai"
        # Past the deadline: the script strikes it and says so in Chinese.
        page.clock.pause_at(datetime(2027, 3, 2, 11, 59, 30, tzinfo=UTC))
        page.clock.run_for(1000)
        assert item.locator(".relation").inner_text() == "已过去不到1分钟"
        assert item.locator(".badge.state").inner_text() == "已过"
        assert "passed" in (item.get_attribute("class") or "")


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
@pytest.mark.parametrize(("zone", "lang", "expected"), [
    ("America/New_York", "en", "Monday 10 May 2027, 10:00 EDT to Monday 10 May 2027, 13:30 EDT "
     "(America/New_York, UTC-04:00)"),
    ("Asia/Shanghai", "zh", "2027年5月10日星期一 22:00至2027年5月11日星期二 01:30"
     "（中国标准时间，UTC+08:00）"),
])
def test_an_evening_across_midnight_shows_both_ends_in_the_readers_zone(
        site: str, zone: str, lang: str, expected: str) -> None:
    with chromium() as browser:
        page = browser.new_context(timezone_id=zone).new_page()
        page.clock.set_fixed_time(NOW)
        page.goto(f"{site}/e/langs?lang={lang}")
        page.wait_for_selector("html.js")
        assert page.locator("#date-dinner .viewer-time").inner_text() == expected


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
@pytest.mark.parametrize(("zone", "once", "twice"), [
    ("Asia/Shanghai", "dinner", "abstract"),   # the dinner is in Shanghai
    ("UTC", "past", "dinner"),                 # "Intent to submit" is given in UTC
    ("Etc/GMT+12", "abstract", "past"),        # AoE's clock, under another name
])
def test_a_viewer_on_the_dates_own_clock_reads_the_time_once(
        site: str, zone: str, once: str, twice: str) -> None:
    with chromium() as browser:
        page = browser.new_context(timezone_id=zone).new_page()
        page.clock.set_fixed_time(NOW)
        page.goto(f"{site}/e/langs")
        page.wait_for_selector("html.js")
        same = page.locator(f"#date-{once}")
        assert not same.locator(".viewer").is_visible()
        assert not same.locator(".event-zone .js-only").is_visible()  # no "Event's time:"
        assert same.locator(".event-time").is_visible()
        other = page.locator(f"#date-{twice}")
        assert other.locator(".viewer").is_visible()
        assert other.locator(".event-zone .js-only").inner_text().startswith("Event's time")
