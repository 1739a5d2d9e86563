"""A thread's follow-up context (``bot.app.threads``), shared by Slack and mail: a ledger that
cannot give or keep it means answering as a new question; a bug of ours still goes up."""

from __future__ import annotations

import io
import logging
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.console import ConsoleChannel
from bot.app import threads
from bot.config import Config, ScheduleConfig, StorageConfig
from bot.service import Service
from tests.conftest import SHIPPED

NOW = datetime(2017, 7, 1, 12, tzinfo=UTC)
EVENT = "aisys-sosp17"


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Service]:
    config = Config(storage=StorageConfig(database_url=f"sqlite:///{tmp_path / 'ledger.db'}"),
                    schedules=(ScheduleConfig(path=SHIPPED, reminders_to=("console:",)),))
    made = Service(config, clock=lambda: NOW,
                   channels={"console": ConsoleChannel(io.StringIO())}, owner="test")
    yield made
    made.ledger.close()


def test_a_thread_remembers_its_last_reading_for_the_same_event(service: Service) -> None:
    threads.remember(service.ledger, "mail:a@example.org:<1@x>", EVENT, {"date": "abstract"},
                     NOW)
    assert threads.context_of(service.ledger, "mail:a@example.org:<1@x>", EVENT, NOW) == {
        "date": "abstract"}
    assert threads.context_of(service.ledger, "mail:a@example.org:<1@x>", "other", NOW) is None
    assert threads.context_of(service.ledger, "", EVENT, NOW) is None  # no thread


def test_a_ledger_that_lost_the_thread_table_answers_as_new(
        service: Service, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with sqlite3.connect(tmp_path / "ledger.db") as db:  # the real file, broken by hand
        db.execute("DROP TABLE ask_threads")
    with caplog.at_level(logging.WARNING, logger="duebot.threads"):
        threads.remember(service.ledger, "slack:C1:1.2", EVENT, {"date": "abstract"}, NOW)
        assert threads.context_of(service.ledger, "slack:C1:1.2", EVENT, NOW) is None
    assert [r.getMessage().split(":")[0] for r in caplog.records] == [
        "could not keep the thread context of slack", "thread context for slack"]


def test_a_bug_in_reading_the_context_is_not_swallowed(service: Service) -> None:
    class Broken:
        """The real ledger, but its thread read has a bug (not a storage failure)."""

        def __getattr__(self, name: str) -> Any:
            return getattr(service.ledger, name)

        def thread_context(self, *args: object) -> None:
            raise TypeError("a bug")

    with pytest.raises(TypeError, match="a bug"):
        threads.context_of(Broken(), "slack:C1:1.2", EVENT, NOW)  # type: ignore[arg-type]


def test_a_sitting_is_shorter_than_a_thread_and_keeps_other_threads(service: Service) -> None:
    sitting = threads.Conversation.of("discord", "C9", "U7", max_age=threads.SITTING)
    assert sitting is not None
    key = sitting.key_for(EVENT)
    threads.remember(service.ledger, key, EVENT, {"date": "abstract"}, NOW)
    threads.remember(service.ledger, "slack:C1:1.2", EVENT, {"date": "notification"}, NOW)
    later = NOW + threads.SITTING + timedelta(minutes=1)
    assert threads.context_of(service.ledger, key, EVENT, later, sitting.max_age) is None
    assert threads.context_of(service.ledger, key, EVENT, later) == {"date": "abstract"}
    # Keeping a sitting's reading later does not forget a day-long thread's.
    threads.remember(service.ledger, key, EVENT, {"date": "camera-ready"}, later)
    assert threads.context_of(service.ledger, "slack:C1:1.2", EVENT, later) == {
        "date": "notification"}


def test_a_conversation_key_is_bounded_and_needs_every_part() -> None:
    many = [f"person{n}@example.org" for n in range(200)]
    group = threads.Conversation.of("zulip", "bot@example.org", "direct", *many)
    assert group is not None and len(group.key_for("e" * 64)) < 320  # the ledger's key column
    assert threads.Conversation.of("mattermost", "", "u1") is None
    assert threads.Conversation.of("mattermost") is None


def test_an_unsent_reading_is_read_first_and_reaches_the_ledger_once_posted(
        service: Service) -> None:
    unsent = threads.Unsent()
    reading = threads.Reading("slack:C1:1.2", EVENT, {"date": "notification"}, NOW)
    unsent.hold([reading])
    # The answer is on its way: the ledger has nothing yet, a follow-up reads the held one.
    assert threads.context_of(service.ledger, "slack:C1:1.2", EVENT, NOW) is None
    assert threads.context_of(service.ledger, "slack:C1:1.2", EVENT, NOW,
                              unsent=unsent) == {"date": "notification"}
    assert threads.context_of(service.ledger, "slack:C1:1.2", "other", NOW,
                              unsent=unsent) is None
    threads.keep(service.ledger, [reading], posted=True, unsent=unsent)
    assert len(unsent) == 0
    assert threads.context_of(service.ledger, "slack:C1:1.2", EVENT, NOW) == {
        "date": "notification"}


def test_a_reading_whose_answer_was_not_posted_is_forgotten(service: Service) -> None:
    threads.remember(service.ledger, "slack:C1:1.2", EVENT, {"date": "abstract"}, NOW)
    unsent = threads.Unsent()
    reading = threads.Reading("slack:C1:1.2", EVENT, {"date": "camera-ready"}, NOW)
    unsent.hold([reading])
    threads.keep(service.ledger, [reading], posted=False, unsent=unsent)
    assert len(unsent) == 0
    # The asker never saw the camera-ready answer: the thread reads as they last saw it.
    assert threads.context_of(service.ledger, "slack:C1:1.2", EVENT, NOW,
                              unsent=unsent) == {"date": "abstract"}


def test_a_reading_superseded_while_it_was_posted_is_not_written_over_the_later_one(
        service: Service) -> None:
    unsent = threads.Unsent()
    first = threads.Reading("slack:C1:1.2", EVENT, {"date": "abstract"}, NOW)
    later = threads.Reading("slack:C1:1.2", EVENT, {"date": "notification"}, NOW)
    unsent.hold([first])
    unsent.hold([later])  # a follow-up answered while the first answer was being posted
    threads.keep(service.ledger, [later], posted=True, unsent=unsent)
    threads.keep(service.ledger, [first], posted=True, unsent=unsent)  # its post was slower
    assert len(unsent) == 0
    assert threads.context_of(service.ledger, "slack:C1:1.2", EVENT, NOW) == {
        "date": "notification"}
