"""Reminders by Discord DM: signed interactions into the real app subscribe and tune the asker,
then the real ``DiscordChannel`` talks to an HTTP stand-in for Discord's API (tests.http_stub)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.adapters.discord_channel import DiscordChannel, pieces
from bot.adapters.http import build_app
from bot.config import Config, DiscordConfig, ScheduleConfig, StorageConfig, parse_config
from bot.core.destinations import check_destination
from bot.errors import ConfigError
from bot.ports import Outgoing
from bot.runner import http_routes
from bot.service import Service
from tests.conftest import SHIPPED
from tests.http_stub import HttpStub, Seen, running_http
from tests.slack_stub import serving
from tests.test_chat_platforms import PUBLIC_KEY, SIGNER, command

NOW = datetime(2017, 9, 3, 12, 0, tzinfo=UTC)
"""The day before the abstract deadline's 7-day reminder."""
USER = "80351110224678912"
DEST = f"discord:{USER}"
DUE = datetime(2017, 9, 4, 6, 59, tzinfo=UTC)
"""7 days before the abstract deadline (2017-09-11 06:59 UTC = 15:59 JST)."""
API = "/api/v10"


def _discord_api(stub: HttpStub) -> None:
    stub.route(f"{API}/users/@me/channels",
               lambda seen: (200, {"id": f"DM{seen.json()['recipient_id']}", "type": 1}))
    stub.route(f"{API}/channels/", lambda seen: (200, {"id": f"m{len(stub.seen)}"}))


@dataclass
class Harness:
    url: str
    http: httpx.Client
    service: Service
    api: HttpStub

    def say(self, text: str, user: str = USER) -> str:
        raw = json.dumps(command(text, user=user)).encode()
        stamp = str(int(NOW.timestamp()))
        response = self.http.post(f"{self.url}/discord/interactions", content=raw, headers={
            "X-Signature-Ed25519": SIGNER.sign(stamp.encode() + raw).signature.hex(),
            "X-Signature-Timestamp": stamp, "Content-Type": "application/json"})
        assert response.status_code == 200
        data = response.json()["data"]
        assert data["flags"] == 64
        return str(data["content"])

    def dms(self) -> list[Seen]:
        return [s for s in self.api.to(f"{API}/channels/") if s.path.endswith("/messages")]


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[Harness]:
    with running_http() as api:
        _discord_api(api)
        config = Config(
            source="test.toml",
            storage=StorageConfig(database_url=f"sqlite:///{tmp_path / 'ledger.db'}"),
            schedules=(ScheduleConfig(path=SHIPPED),),
            discord=DiscordConfig(public_key=PUBLIC_KEY, application_id="123456",
                                  bot_token="bot-token-xyz",
                                  api_base_url=f"http://{api.base}{API}"))
        service = Service(config, clock=lambda: NOW)
        app = build_app(service, extra_routes=http_routes(service))
        with serving(app) as url, httpx.Client(timeout=10) as client:
            yield Harness(url=url, http=client, service=service, api=api)
        service.ledger.close()


def _row(service: Service) -> Any:
    return next(r for r in service.ledger.rows() if r.destination == DEST
                and r.item_id == "aisys-sosp17/abstract/7d")


def test_subscribe_tune_zone_and_the_reminder_arrives_once_as_a_dm(harness: Harness) -> None:
    said = harness.say("subscribe")
    assert said.startswith("Subscribed") and "direct message" in said
    service = harness.service
    assert service.ledger.active_subscribers() == {"aisys-sosp17": (DEST,)}
    assert harness.say("my zone is Asia/Tokyo").startswith("Done: times in Asia/Tokyo")
    service.refresh(NOW)
    report = service.deliver_once(DUE)
    assert report.sent == 2 and report.dead == 0  # console and the subscriber's DM
    (opened,) = harness.api.to(f"{API}/users/@me/channels")
    assert opened.json() == {"recipient_id": USER}
    assert opened.headers["authorization"] == "Bot bot-token-xyz"
    (dm,) = harness.dms()
    assert dm.path == f"{API}/channels/DM{USER}/messages"
    content = dm.json()["content"]
    assert "15:59" in content and "JST" in content, content
    assert dm.json()["allowed_mentions"] == {"parse": []}
    row = _row(service)
    assert row.state == "sent" and row.remote_id.startswith(f"DM{USER}/")
    service.deliver_once(DUE + timedelta(minutes=5))
    assert len(harness.dms()) == 1  # once

    assert harness.say("unsubscribe").startswith("Unsubscribed")
    assert service.ledger.active_subscribers() == {}
    service.refresh(NOW)
    service.deliver_once(datetime(2017, 9, 10, 6, 59, tzinfo=UTC))  # the 1-day reminder's time
    assert len(harness.dms()) == 1


def test_a_settings_command_subscribes_the_asker_at_once(harness: Harness) -> None:
    said = harness.say("remind me 2 days before the abstract deadline", user="43")
    assert "2d before Poster abstract submission deadline" in said, said
    assert harness.service.ledger.active_subscribers() == {"aisys-sosp17": ("discord:43",)}
    assert "Asia/Tokyo" in harness.say("my zone is Asia/Tokyo", user="43")
    assert "Asia/Tokyo" in harness.say("settings", user="43")


def test_chinese_subscribe_and_unsubscribe(harness: Harness) -> None:
    assert "订阅" in harness.say("订阅", user="42")
    assert harness.service.ledger.active_subscribers() == {"aisys-sosp17": ("discord:42",)}
    harness.say("退订", user="42")
    assert harness.service.ledger.active_subscribers() == {}


def test_a_429_is_retried_after_retry_after_then_sent(harness: Harness) -> None:
    harness.say("subscribe")
    service = harness.service
    service.refresh(NOW)
    channel = service.engine.channels["discord"]
    assert isinstance(channel, DiscordChannel)
    ticks = [1000.0]
    channel.monotonic = lambda: ticks[0]
    harness.api.route(f"{API}/channels/", lambda seen: (
        429, {"message": "You are being rate limited.", "retry_after": 7.5, "global": False}))
    first = service.deliver_once(DUE)
    assert first.failed == 1
    row = _row(service)
    assert row.state == "failed" and "rate limit" in row.reason
    assert timedelta(seconds=7) <= row.next_attempt - DUE <= timedelta(seconds=20)
    harness.api.route(f"{API}/channels/", lambda seen: (200, {"id": "m9"}))
    asked = len(harness.api.seen)
    ticks[0] += 5  # still inside Discord's 7.5 s: not asked again
    assert channel.send(Outgoing(key="k", destination=DEST, subject="", text="T")).kind \
        == "retry"
    assert len(harness.api.seen) == asked
    ticks[0] += 5
    assert service.deliver_once(DUE + timedelta(seconds=30)).sent == 1
    assert _row(service).state == "sent"
    assert len(harness.api.to(f"{API}/users/@me/channels")) == 1  # the DM channel is cached


def test_a_global_429_holds_every_user_and_a_repeated_try_carries_the_same_nonce() -> None:
    with running_http() as api:
        _discord_api(api)
        ticks = [0.0]
        channel = DiscordChannel("t", f"http://{api.base}{API}", monotonic=lambda: ticks[0])
        one = Outgoing(key="k1", destination="discord:1", subject="", text="T")
        api.route(f"{API}/channels/", lambda seen: (
            429, {"message": "global", "retry_after": 2, "global": True}))
        assert channel.send(one).kind == "retry"
        asked = len(api.seen)
        other = Outgoing(key="k2", destination="discord:2", subject="", text="T")
        assert channel.send(other).kind == "retry" and len(api.seen) == asked
        ticks[0] = 3.0
        _discord_api(api)
        assert channel.send(one).kind == "sent"
        posts = [s.json() for s in api.to(f"{API}/channels/")]
        assert posts[0]["nonce"] == posts[1]["nonce"] and len(posts[0]["nonce"]) <= 25
        assert posts[1]["enforce_nonce"] is True


def test_a_403_is_dead_with_the_reason(harness: Harness) -> None:
    harness.say("subscribe")
    service = harness.service
    service.refresh(NOW)
    harness.api.route(f"{API}/users/@me/channels", lambda seen: (
        403, {"message": "Cannot send messages to this user", "code": 50007}))
    report = service.deliver_once(DUE)
    assert report.dead == 1
    row = _row(service)
    assert row.state == "dead"
    assert "HTTP 403" in row.reason and "Cannot send messages to this user" in row.reason
    assert "share a server" in row.reason


def test_a_5xx_or_no_connection_is_retried() -> None:
    with running_http() as api:
        _discord_api(api)
        api.script(f"{API}/users/", 502)
        channel = DiscordChannel("t", f"http://{api.base}{API}")
        message = Outgoing(key="k", destination="discord:1", subject="S", text="T")
        assert channel.send(message).kind == "retry"
        assert channel.send(message).kind == "sent"
    gone = DiscordChannel("t", f"http://{api.base}{API}", timeout=2)
    assert gone.send(message).kind == "retry"


def test_a_long_reminder_goes_as_several_messages_of_at_most_2000() -> None:
    text = "\n\n".join(f"paragraph {n} " + "x" * 300 for n in range(12))
    parts = pieces(text)
    assert len(parts) > 1 and all(len(p) <= 2000 for p in parts)
    assert "".join(parts).replace("\n", "") == text.replace("\n", "")
    assert pieces("y" * 4500) == ["y" * 2000, "y" * 2000, "y" * 500]


@pytest.mark.parametrize("bad", ["discord:", "discord:@ada", "discord:123abc", "discord: 12"])
def test_a_discord_destination_takes_digits_only(bad: str) -> None:
    with pytest.raises(ValueError, match="Discord user id"):
        check_destination(bad)


def test_config_errors_name_the_line(tmp_path: Path) -> None:
    text = (f'[[schedules]]\npath = "{SHIPPED}"\n'
            f'reminders_to = ["discord:{USER}"]\n')
    with pytest.raises(ConfigError) as missing:
        parse_config(text, source="duebot.toml", env={})
    shown = str(missing.value)
    assert "duebot.toml:3" in shown and "DISCORD_BOT_TOKEN" in shown
    assert parse_config(text, source="duebot.toml", env={"DISCORD_BOT_TOKEN": "t"})
    with pytest.raises(ConfigError) as bad:
        parse_config(text.replace(USER, "ada"), source="duebot.toml",
                     env={"DISCORD_BOT_TOKEN": "t"})
    assert "duebot.toml:3" in str(bad.value) and "digits only" in str(bad.value)
