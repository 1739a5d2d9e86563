"""Shared fixtures: the shipped schedule and helpers to write schedules in tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.model import Event
from bot.core.schedule import parse_schedule

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "schedules" / "aisys-sosp17.toml"


@pytest.fixture
def shipped() -> Event:
    return parse_schedule(SHIPPED.read_text(encoding="utf-8"), str(SHIPPED))
