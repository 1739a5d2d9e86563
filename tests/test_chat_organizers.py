"""Organizer commands from a chat (``bot.app.chat_organizers``) across replicas: two services
over one real SQLite ledger confirm the same preview; the one that loses the race says it was
already queued, and a real database failure is not mistaken for that."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bot.app import chat_organizers as organizers
from bot.config import Config, ScheduleConfig, StorageConfig
from bot.core.slack_mrkdwn import escape
from bot.service import Service
from tests.conftest import SHIPPED

NOW = datetime(2017, 9, 1, 12, tzinfo=UTC)
EVENT = "aisys-sosp17"


@pytest.fixture
def replicas(tmp_path: Path) -> Iterator[tuple[Service, Service]]:
    config = Config(source="test.toml",
                    storage=StorageConfig(database_url=f"sqlite:///{tmp_path / 'ledger.db'}"),
                    schedules=(ScheduleConfig(path=SHIPPED, reminders_to=("console:",)),))
    first, second = (Service(config, clock=lambda: NOW, owner=name) for name in ("a", "b"))
    yield first, second
    first.ledger.close()
    second.ledger.close()


class LaggingLedger:
    """A replica's ledger that does not see the other's announcement until it tried to write
    its own: both replicas passed the "already queued?" check, as two a moment apart can."""

    def __init__(self, ledger: Any, fail_with: Exception | None = None) -> None:
        self.real, self.fail_with, self.wrote = ledger, fail_with, False

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def announcement_rows(self, *args: Any) -> list[Any]:
        return self.real.announcement_rows(*args) if self.wrote else []

    def add_announcement(self, *args: Any, **kwargs: Any) -> None:
        self.wrote = True
        if self.fail_with is not None:
            raise self.fail_with
        self.real.add_announcement(*args, **kwargs)


class Lagging:
    """The replica itself, with that ledger."""

    def __init__(self, service: Service, fail_with: Exception | None = None) -> None:
        self.service = service
        self.ledger = LaggingLedger(service.ledger, fail_with)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.service, name)


def _preview(service: Service) -> organizers.Preview:
    ready = organizers.preview(service, [service.events()[EVENT]], "Submissions are open!",
                               NOW, escape)
    assert isinstance(ready, organizers.Preview)
    return ready


def test_the_replica_that_loses_the_race_says_already_queued(
        replicas: tuple[Service, Service]) -> None:
    first, second = replicas
    key = _preview(first).key
    said = organizers.confirm(first, key, actor="slack:U1", by="<@U1>", lock=threading.Lock(),
                              escape=escape)
    assert said.startswith(f"Announcement `slack-{key}` queued by <@U1>")
    late = organizers.confirm(Lagging(second), key, actor="slack:U2",  # type: ignore[arg-type]
                              by="<@U2>", lock=threading.Lock(), escape=escape)
    assert late == f"Already queued: announcement `slack-{key}`; nothing more sent."
    assert [r["id"] for r in first.ledger.announcement_rows(EVENT)] == [f"slack-{key}"]


def test_a_database_failure_while_queuing_is_not_read_as_already_queued(
        replicas: tuple[Service, Service]) -> None:
    first, _ = replicas
    key = _preview(first).key
    broken = Lagging(first, fail_with=sa.exc.OperationalError("INSERT", {}, Exception("gone")))
    with pytest.raises(sa.exc.OperationalError):
        organizers.confirm(broken, key, actor="slack:U1", by="<@U1>",  # type: ignore[arg-type]
                           lock=threading.Lock(), escape=escape)
    assert first.ledger.announcement_rows(EVENT) == []
