"""Debian's Chromium under Playwright, for the tests that run the page's and the widget's
scripts: found in one place and launched one way (headless, kept off the network), so every
browser test sees the same browser; the page of one schedule served beside it, and a page
opened at a fixed instant in a viewer's zone."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.console import ConsoleChannel
from bot.adapters.http import build_app
from bot.config import Config, HttpConfig, ScheduleConfig, StorageConfig
from bot.service import Service
from tests.loopback import serving_on
from tests.smtp_server import free_port

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
"""Debian's chromium (``executable_path``; never ``playwright install``), None when absent."""
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
"""Playwright adds --headless itself; the rest keeps Chromium off the network."""


@contextmanager
def chromium() -> Iterator[Any]:
    """A launched Chromium (Playwright's sync ``Browser``), closed after; the test is skipped
    where Playwright is not installed."""
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright (PyPI, in the test extra) is not installed")
    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()


def serve(tmp: Path, schedule_text: str, clock: Callable[[], datetime]
          ) -> Iterator[tuple[str, Service]]:
    """The page of one schedule on a loopback port, its clock ``clock``."""
    schedule = tmp / "schedule.toml"
    schedule.write_text(schedule_text, encoding="utf-8")
    port = free_port()
    config = Config(schedules=(ScheduleConfig(path=schedule),),
                    storage=StorageConfig(database_url=f"sqlite:///{tmp / 'duebot.db'}"),
                    http=HttpConfig(host="127.0.0.1", port=port))
    service = Service(config, clock=clock, channels={"console": ConsoleChannel()})
    with serving_on(build_app(service), port, name="web-under-test") as url:
        yield url, service
    service.ledger.close()


def open_page(browser: Any, url: str, zone: str, *, at: datetime,
              viewport: tuple[int, int] = (390, 844), fixed: bool = True) -> tuple[Any, Any]:
    """A page at ``url`` in ``zone`` with the browser's clock at ``at`` (fixed, or paused
    there for the test to move), its script run and no script error; its context and it."""
    context = browser.new_context(timezone_id=zone, locale="en-US",
                                  viewport={"width": viewport[0], "height": viewport[1]},
                                  user_agent="duebot-test")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    if fixed:
        page.clock.set_fixed_time(at)
    else:  # a clock the test moves by hand
        page.clock.install(time=at - timedelta(seconds=10))
        page.clock.pause_at(at)
    page.goto(url)
    page.wait_for_selector("html.js")
    assert errors == [], errors
    return context, page
