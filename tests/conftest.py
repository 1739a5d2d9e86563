"""Shared fixtures: the shipped schedule, a real SMTP server on loopback (``smtp``), and a
fresh ledger on SQLite and on PostgreSQL (``ledger``)."""

from __future__ import annotations

import os
import zoneinfo
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import settings

# Zone rules from the tzdata package only, not the machine's files, so every run (and every
# duebot a test starts) sees the same rules; this must happen before any zone is loaded.
os.environ["PYTHONTZPATH"] = ""
zoneinfo.reset_tzpath(to=())

# Property tests run a fixed set of generated examples (derandomized), so a CI run is red only
# for a change, never for a new random draw; HYPOTHESIS_PROFILE=explore draws fresh ones, many.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("explore", max_examples=400, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

from bot.core.model import Event  # noqa: E402
from bot.core.schedule import parse_schedule  # noqa: E402

if TYPE_CHECKING:
    from bot.adapters.store.ledger import Ledger
    from tests.smtp_server import SmtpTestServer

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "schedules" / "aisys-sosp17.toml"


@pytest.fixture
def shipped() -> Event:
    return parse_schedule(SHIPPED.read_text(encoding="utf-8"), str(SHIPPED))


@pytest.fixture
def smtp() -> Iterator[SmtpTestServer]:
    """A real SMTP server (aiosmtpd) on loopback that keeps what it receives."""
    from tests.smtp_server import running_smtp

    with running_smtp() as server:
        yield server


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The address of a brand-new database: a SQLite file not yet there, then (each test's
    second run) an empty PostgreSQL database."""
    from tests.pg import fresh_database, require_pg

    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ledger.db'}"
        return
    require_pg()
    with fresh_database() as made:
        yield made


@pytest.fixture(params=["sqlite", "postgresql"])
def ledger(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Ledger]:
    """A fresh ledger on a SQLite file, then (each test's second run) on PostgreSQL; a file
    with a ``ledger`` fixture of its own uses that one."""
    from bot.adapters.store.ledger import Ledger
    from tests.pg import fresh_database, require_pg

    if request.param == "sqlite":
        store = Ledger.open(f"sqlite:///{tmp_path / 'ledger.db'}", owner="test")
        yield store
        store.close()
        return
    require_pg()
    with fresh_database() as url:
        store = Ledger.open(url, owner="test")
        yield store
        store.close()


@pytest.fixture
def lite(tmp_path: Path) -> Iterator[Ledger]:
    """A fresh ledger on a SQLite file only."""
    from bot.adapters.store.ledger import Ledger

    store = Ledger.open(f"sqlite:///{tmp_path / 'ledger.db'}", owner="test")
    yield store
    store.close()
