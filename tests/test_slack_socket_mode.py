"""Slack over Socket Mode end to end: ``start_background`` (what ``duebot run`` calls) connects
the real SocketModeHandler through ``apps.connections.open`` on the Web API stand-in to a
WebSocket stand-in on loopback, which pushes envelopes as Slack does; every envelope is acked,
answers go through the Web API, and a retried event is answered once."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from websockets.sync.server import Server, ServerConnection, serve

from bot.adapters.slack_app import start_background
from bot.config import Config, ScheduleConfig, SlackConfig, StorageConfig
from bot.service import Service
from tests.conftest import SHIPPED
from tests.slack_stub import BOT_USER, TEAM, SlackStub, running_slack
from tests.test_slack import NOW, PARTICIPANT


@dataclass
class SocketStub:
    """Slack's side of one Socket Mode connection: pushes envelopes, keeps the acks."""

    acks: list[dict[str, Any]] = field(default_factory=list)
    connected: threading.Event = field(default_factory=threading.Event)
    connection: ServerConnection | None = None
    lock: threading.Condition = field(default_factory=threading.Condition)

    def handler(self, connection: ServerConnection) -> None:
        self.connection = connection
        connection.send(json.dumps({"type": "hello", "num_connections": 1,
                                    "debug_info": {"host": "stub"},
                                    "connection_info": {"app_id": "A0DUEBOT"}}))
        self.connected.set()
        for message in connection:
            with self.lock:
                self.acks.append(json.loads(message))
                self.lock.notify_all()

    def push(self, envelope: dict[str, Any]) -> None:
        assert self.connection is not None
        self.connection.send(json.dumps(envelope))

    def wait_acks(self, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        with self.lock:
            while len(self.acks) < count:
                left = deadline - time.monotonic()
                assert left > 0, f"{len(self.acks)} of {count} acks"
                self.lock.wait(left)
            return list(self.acks)


def event_envelope(envelope_id: str, event_id: str, event: dict[str, Any], *,
                   retry: int = 0) -> dict[str, Any]:
    return {"envelope_id": envelope_id, "type": "events_api", "accepts_response_payload": False,
            "retry_attempt": retry, "retry_reason": "timeout" if retry else "",
            "payload": {"token": "legacy", "team_id": TEAM, "api_app_id": "A0DUEBOT",
                        "type": "event_callback", "event_id": event_id, "event_time": 1,
                        "authorizations": [{"team_id": TEAM, "user_id": BOT_USER,
                                            "is_bot": True}],
                        "event": event}}


@dataclass
class Rig:
    slack: SlackStub
    socket: SocketStub
    service: Service


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    socket = SocketStub()
    server: Server = serve(socket.handler, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.socket.getsockname()[1]
    with running_slack() as slack:
        slack.add_user(PARTICIPANT, "Asia/Shanghai")
        slack.state.socket_url = f"ws://127.0.0.1:{port}/link"
        config = Config(
            source="test.toml",
            storage=StorageConfig(database_url=f"sqlite:///{tmp_path / 'ledger.db'}"),
            schedules=(ScheduleConfig(path=SHIPPED, reminders_to=("console:",)),),
            slack=SlackConfig(api_base_url=slack.api_url, bot_token="xoxb-test",
                              app_token="xapp-test"))
        service = Service(config, clock=lambda: NOW)
        stop = start_background(service)
        assert stop is not None
        try:
            assert socket.connected.wait(10)
            yield Rig(slack, socket, service)
        finally:
            stop()
            server.shutdown()
            service.ledger.close()


def test_socket_mode_acks_answers_and_answers_a_retry_once(
        rig: Rig, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="duebot.slack")
    open_call = rig.slack.calls_to("apps.connections.open")[0]
    assert open_call.token == "xapp-test"  # the app-level token, not the bot's
    mention = {"type": "app_mention", "user": PARTICIPANT, "channel": "C0GENERAL",
               "ts": "1504267200.000001", "text": f"<@{BOT_USER}> when is the deadline?"}
    rig.socket.push(event_envelope("env-1", "EvSOCK1", mention))
    post = rig.slack.wait_for("chat.postMessage")[0].args
    assert post["channel"] == "C0GENERAL" and post["thread_ts"] == "1504267200.000001"
    assert "Monday 11 September 2017, 14:59 CST" in post["text"]
    rig.socket.push(event_envelope("env-2", "EvSOCK1", mention, retry=1))
    rig.socket.push(event_envelope("env-3", "EvSOCK2", {
        "type": "message", "channel_type": "im", "user": PARTICIPANT,
        "channel": f"D{PARTICIPANT}", "ts": "1504267201.000001", "text": "how many pages?"}))
    acks = rig.socket.wait_acks(3)
    assert [a["envelope_id"] for a in acks] == ["env-1", "env-2", "env-3"]
    posts = rig.slack.wait_for("chat.postMessage", 2)
    assert "2 pages" in posts[1].args["text"]
    deadline = time.monotonic() + 10  # the retry was handled: it says so, and posted nothing
    while not any("EvSOCK1 already answered" in r.getMessage() for r in caplog.records):
        assert time.monotonic() < deadline, "the retry was never handled"
        time.sleep(0.01)
    assert len(rig.slack.calls_to("chat.postMessage")) == 2


def test_socket_mode_slash_command_acks_then_answers_through_response_url(rig: Rig) -> None:
    rig.socket.push({"envelope_id": "cmd-1", "type": "slash_commands",
                     "accepts_response_payload": True, "payload": {
                         "token": "legacy", "team_id": TEAM, "channel_id": "C0GENERAL",
                         "user_id": PARTICIPANT, "command": "/duebot",
                         "text": "摘要截止日期是什么时候？",
                         "response_url": rig.slack.response_url(), "trigger_id": "1.2.3",
                         "api_app_id": "A0DUEBOT"}})
    assert rig.socket.wait_acks(1)[0]["envelope_id"] == "cmd-1"
    answered = rig.slack.wait_for("response_url")[0].args
    assert answered["response_type"] == "ephemeral"
    assert "2017年9月11日星期一 14:59" in answered["text"]
