"""Debian's Chromium under Playwright, for the tests that run the page's and the widget's
scripts: found in one place and launched one way (headless, kept off the network), so every
browser test sees the same browser."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

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
