"""Subscribing, confirming and leaving (``bot.app.subscriptions``), the one use case behind
Slack, mail, the links and the chats: the ledger changes, the audit log says who and how, and
the delivery loop is woken only when there is something new to deliver or cancel."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.adapters.console import ConsoleChannel
from bot.app import subscriptions
from bot.config import Config, ScheduleConfig, StorageConfig
from bot.service import Service
from tests.conftest import SHIPPED

NOW = datetime(2017, 7, 1, 12, tzinfo=UTC)
EVENT = "aisys-sosp17"


class Woken(Service):
    """The real service, counting how often a front end woke the delivery loop."""

    wakes = 0

    def subscribers_changed(self) -> None:
        self.wakes += 1
        super().subscribers_changed()


@pytest.fixture
def service(tmp_path: Path) -> Woken:
    config = Config(storage=StorageConfig(database_url=f"sqlite:///{tmp_path / 'ledger.db'}"),
                    schedules=(ScheduleConfig(path=SHIPPED, reminders_to=("console:",)),))
    return Woken(config, clock=lambda: NOW, channels={"console": ConsoleChannel(io.StringIO())},
                 owner="test")


def actions(service: Service) -> list[tuple[str, str, str]]:
    return [(a["action"], a["actor"], a["detail"])
            for a in reversed(service.ledger.audit_entries(EVENT))]


def test_a_chat_subscription_is_active_audited_and_wakes_the_loop(service: Woken) -> None:
    state, token = subscriptions.subscribe(service, EVENT, "slack:U1", NOW, source="slack")
    assert state == "active" and token
    assert service.ledger.active_subscribers()[EVENT] == ("slack:U1",)
    assert actions(service) == [("subscribe", "slack:U1", "")]
    assert service.wakes == 1


def test_a_mail_request_waits_for_its_confirmation_and_is_written_once(service: Woken) -> None:
    state, token = subscriptions.subscribe(service, EVENT, "mailto:a@example.org", NOW,
                                           source="mail", confirmed=False)
    assert state == "pending"
    assert EVENT not in service.ledger.active_subscribers()
    assert service.wakes == 0  # nothing to deliver yet
    assert subscriptions.confirm(service, token, NOW, detail="by link") == (
        EVENT, "mailto:a@example.org")
    assert service.wakes == 1
    # Asking again once active changes nothing and writes nothing.
    assert subscriptions.subscribe(service, EVENT, "mailto:a@example.org", NOW, source="mail",
                                   confirmed=False) == ("active", token)
    assert actions(service) == [("subscribe-requested", "mailto:a@example.org", ""),
                                ("subscribe-confirmed", "mailto:a@example.org", "by link")]
    assert service.wakes == 1


def test_an_unknown_confirmation_token_changes_nothing(service: Woken) -> None:
    assert subscriptions.confirm(service, "no-such-token", NOW, detail="by reply") is None
    assert actions(service) == [] and service.wakes == 0


def test_leaving_audits_each_ended_subscription_and_nothing_for_a_stranger(
        service: Woken) -> None:
    subscriptions.subscribe(service, EVENT, "slack:U1", NOW, source="slack")
    assert subscriptions.unsubscribe(service, NOW, destination="slack:U2",
                                     detail="in Slack") == []
    assert service.wakes == 1  # the subscribe only
    assert subscriptions.unsubscribe(service, NOW, event_id=EVENT, destination="slack:U1",
                                     detail="in Slack") == [(EVENT, "slack:U1")]
    assert EVENT not in service.ledger.active_subscribers()
    assert actions(service)[-1] == ("unsubscribed", "slack:U1", "in Slack")
    assert service.wakes == 2
