"""The chat use case (``bot.app.chat_conversation``) against a real SQLite ledger: what it asks
the ledger, and when, for a question and for a settings command."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.console import ConsoleChannel
from bot.app import chat_conversation as chat
from bot.config import Config, ScheduleConfig, StorageConfig
from bot.ports import Ledger
from bot.service import Service
from tests.conftest import SHIPPED

NOW = datetime(2017, 9, 1, 12, tzinfo=UTC)
ASKER = "slack:UASKER"


class Counting:
    """The real ledger, counting the calls made to it by name."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        found = getattr(self.ledger, name)
        if not callable(found):
            return found

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(name)
            return found(*args, **kwargs)
        return counted


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Service]:
    config = Config(storage=StorageConfig(database_url=f"sqlite:///{tmp_path / 'ledger.db'}"),
                    schedules=(ScheduleConfig(path=SHIPPED, reminders_to=("console:",)),))
    made = Service(config, clock=lambda: NOW,
                   channels={"console": ConsoleChannel(io.StringIO())}, owner="test")
    yield made
    made.ledger.close()


def test_a_question_is_no_settings_command_and_reads_no_subscription(service: Service) -> None:
    counting = Counting(service.ledger)
    service.ledger = counting  # type: ignore[assignment]
    events = list(service.events().values())
    assert chat.settings_reply(service, events, ASKER, "when is the deadline?", NOW,
                               subscribe_if_needed=True) is None
    assert counting.calls == []
    # A settings command still reads (and here subscribes) the asker.
    said = chat.settings_reply(service, events, ASKER, "remind me 2 days before", NOW,
                               subscribe_if_needed=True)
    assert said is not None and said.startswith("Done:")
    assert "subscriber_token" in counting.calls
