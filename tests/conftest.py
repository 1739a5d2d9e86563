"""Shared fixtures: the shipped schedule and helpers to write schedules in tests."""

from __future__ import annotations

import os
import zoneinfo
from pathlib import Path

import pytest

# Zone rules from the tzdata package only, not the machine's files, so every run (and every
# duebot a test starts) sees the same rules; this must happen before any zone is loaded.
os.environ["PYTHONTZPATH"] = ""
zoneinfo.reset_tzpath(to=())

from bot.core.model import Event  # noqa: E402
from bot.core.schedule import parse_schedule  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "schedules" / "aisys-sosp17.toml"


@pytest.fixture
def shipped() -> Event:
    return parse_schedule(SHIPPED.read_text(encoding="utf-8"), str(SHIPPED))
