"""The ``apprise:`` channel against real HTTP servers on loopback that Apprise itself posts to.

Apprise's JSON webhook, Mattermost, ntfy and Matrix forms all take a host, so each test runs a
real server on 127.0.0.1 and asserts what arrived there, and what the ledger recorded.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.adapters.apprise_channel import AppriseChannel, placeholders, substitute
from bot.config import AppriseConfig, Config, ScheduleConfig, StorageConfig, parse_config
from bot.errors import ConfigError
from bot.ports import Outgoing
from bot.service import Service, build_channels
from tests.conftest import SHIPPED
from tests.http_stub import HttpStub, Seen, running_http

DUE = datetime(2017, 9, 4, 6, 59, tzinfo=UTC)
"""The abstract deadline's 7-day reminder (2017-09-10 23:59 PDT)."""
DUE_1D = datetime(2017, 9, 10, 6, 59, tzinfo=UTC)
DUE_3H = datetime(2017, 9, 11, 3, 59, tzinfo=UTC)
SECRET = "tok-9f8e7d6c5b4a"
ENV = {"HOOK_TOKEN": SECRET}


@pytest.fixture
def server() -> Iterator[HttpStub]:
    with running_http() as stub:
        yield stub


def hook(server: HttpStub) -> str:
    return f"apprise:json://{server.base}/hook/${{HOOK_TOKEN}}"


def service_for(tmp: Path, destination: str, env: dict[str, str] | None = None) -> Service:
    config = Config(source="test.toml",
                    storage=StorageConfig(database_url=f"sqlite:///{tmp / 'ledger.db'}"),
                    schedules=(ScheduleConfig(path=SHIPPED, reminders_to=(destination,)),),
                    apprise=AppriseConfig(env=ENV if env is None else env, timeout=10))
    service = Service(config, clock=lambda: DUE)
    service.reconcile(datetime(2017, 9, 1, tzinfo=UTC))
    return service


def outgoing(destination: str, key: str = "aisys/abstract/7d") -> Outgoing:
    return Outgoing(key=key, destination=destination, subject="Abstract deadline in 7 days",
                    text="The poster abstract deadline is in 7 days.", due=DUE,
                    event_id="aisys-sosp17", date_id="abstract")


# --- through the engine and the ledger --------------------------------------------------------

def test_each_reminder_arrives_once_with_the_secret_only_on_the_wire(
        server: HttpStub, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    service = service_for(tmp_path, hook(server))
    sent = 0
    for now in (DUE, DUE + timedelta(minutes=1), DUE_1D, DUE_1D + timedelta(minutes=5), DUE_3H,
                DUE_3H + timedelta(hours=1)):
        sent += service.deliver_once(now).sent
    arrived = server.to("/hook/")
    assert sent == 3 and len(arrived) == 3
    assert {s.path for s in arrived} == {f"/hook/{SECRET}"}
    titles = [s.json()["title"] for s in arrived]
    assert len(set(titles)) == 3, titles  # three different reminders, none twice
    assert all("abstract" in s.json()["message"].lower() for s in arrived)
    rows = service.ledger.rows(event_id="aisys-sosp17", states=["sent"])
    assert len(rows) == 3
    assert all(r.destination == hook(server) for r in rows)  # the placeholder, not the secret
    assert SECRET not in caplog.text
    assert all(SECRET not in (r.reason + r.key + r.remote_id) for r in rows)
    service.ledger.close()


def test_a_5xx_is_retried_with_backoff_then_sent(server: HttpStub, tmp_path: Path) -> None:
    server.script("/hook/", 503)
    service = service_for(tmp_path, hook(server))
    report = service.deliver_once(DUE)
    assert report.failed == 1 and report.sent == 0
    row = service.ledger.rows(states=["failed"])[0]
    assert "HTTP 503" in row.reason and SECRET not in row.reason
    assert row.next_attempt is not None and row.next_attempt > DUE
    assert service.deliver_once(row.next_attempt - timedelta(seconds=1)).handled == 0
    assert service.deliver_once(row.next_attempt).sent == 1
    assert len(server.to("/hook/")) == 2  # the failed try and the one that went
    # the 503 was the service being away, not this message's fault: it used no attempt
    assert service.ledger.rows(states=["sent"])[0].attempts == 1
    service.ledger.close()


def test_a_4xx_is_dead_with_the_services_reason(server: HttpStub, tmp_path: Path) -> None:
    server.script("/hook/", 404)
    service = service_for(tmp_path, hook(server))
    report = service.deliver_once(DUE)
    assert report.dead == 1
    row = service.ledger.rows(states=["dead"])[0]
    assert "HTTP 404" in row.reason and "refused for good" in row.reason
    assert "json://" in row.reason and SECRET not in row.reason
    assert service.deliver_once(DUE + timedelta(hours=2)).handled == 0
    assert len(server.to("/hook/")) == 1
    service.ledger.close()


def test_a_429_is_passing_not_dead(server: HttpStub) -> None:
    server.script("/hook/", 429)
    outcome = AppriseChannel(ENV).send(outgoing(hook(server)))
    assert outcome.kind == "retry" and "HTTP 429" in outcome.reason


def test_connection_refused_is_retried(tmp_path: Path) -> None:
    with running_http() as gone:
        url = hook(gone)
    outcome = AppriseChannel(ENV).send(outgoing(url))
    assert outcome.kind == "retry" and outcome.server_down, outcome
    assert "cannot reach" in outcome.reason and "Connection refused" in outcome.reason


def test_apprise_does_not_retry_on_its_own_even_when_the_url_asks(server: HttpStub) -> None:
    server.script("/hook/", 503, 503, 503)
    outcome = AppriseChannel(ENV).send(outgoing(hook(server) + "?retry=2"))
    assert outcome.kind == "retry"
    assert len(server.to("/hook/")) == 1  # the ledger retries, with backoff; Apprise does not


def test_an_optional_service_still_reports_its_failure(server: HttpStub) -> None:
    server.script("/hook/", 500)
    assert AppriseChannel(ENV).send(outgoing(hook(server) + "?optional=yes")).kind == "retry"


# --- the services that take a host -----------------------------------------------------------

def test_mattermost_incoming_webhook(server: HttpStub) -> None:
    url = f"apprise:mmost://{server.base}/${{HOOK_TOKEN}}"
    assert AppriseChannel(ENV).send(outgoing(url)).kind == "sent"
    (posted,) = server.to("/hooks/")
    assert posted.path == f"/hooks/{SECRET}"
    assert "The poster abstract deadline is in 7 days." in posted.json()["text"]


def test_ntfy_topic(server: HttpStub) -> None:
    url = f"apprise:ntfy://{server.base}/deadlines"
    assert AppriseChannel({}).send(outgoing(url)).kind == "sent"
    (posted,) = server.seen
    assert posted.json()["topic"] == "deadlines"
    assert posted.json()["title"] == "Abstract deadline in 7 days"


def test_matrix_room_logs_in_joins_and_posts(server: HttpStub) -> None:
    def login(seen: Seen) -> tuple[int, object]:
        return 200, {"access_token": "mx-access", "user_id": "@duebot:localhost",
                     "home_server": "localhost", "device_id": "DUEBOT"}

    server.route("/_matrix/client/versions", lambda s: (200, {"versions": ["r0.6.1", "v1.1"]}))
    server.route("/_matrix/client/v3/login", login)
    server.route("/_matrix/client/r0/login", login)
    for version in ("v3", "r0"):
        server.route(f"/_matrix/client/{version}/join/",
                     lambda s: (200, {"room_id": "!room:localhost"}))
        server.route(f"/_matrix/client/{version}/directory/room/",
                     lambda s: (200, {"room_id": "!room:localhost"}))
        server.route(f"/_matrix/client/{version}/rooms/",
                     lambda s: (200, {"event_id": "$event1"}))
    url = f"apprise:matrix://duebot:${{HOOK_TOKEN}}@{server.base}/%23deadlines"
    outcome = AppriseChannel(ENV).send(outgoing(url))
    assert outcome.kind == "sent", (outcome, [(s.method, s.path) for s in server.seen])
    logins = [s for s in server.seen if s.path.endswith("/login")]
    assert logins and logins[0].json()["password"] == SECRET
    posts = [s for s in server.seen if "/send/m.room.message" in s.path]
    assert len(posts) == 1 and "7 days" in posts[0].json()["body"]


# --- many delivery threads, one channel ------------------------------------------------------

def test_one_channel_sends_from_many_threads_each_once(server: HttpStub) -> None:
    channel = AppriseChannel(ENV)
    keys = [f"aisys/abstract/7d/{n}" for n in range(16)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(lambda k: channel.send(outgoing(hook(server), key=k)), keys))
    assert [o.kind for o in outcomes] == ["sent"] * 16
    assert len(server.to("/hook/")) == 16


# --- configuration -----------------------------------------------------------------------------

def test_placeholders_are_substituted_from_the_environment() -> None:
    url = "discord://${HOOK_ID}/${HOOK_TOKEN}"
    assert placeholders(url) == ["HOOK_ID", "HOOK_TOKEN"]
    assert substitute(url, {"HOOK_ID": "123", "HOOK_TOKEN": "abc"}) == "discord://123/abc"


def config_text(destination: str) -> str:
    return (f'[[schedules]]\npath = "{SHIPPED}"\n'
            f'reminders_to = ["console:", "{destination}"]\n')


def test_a_missing_variable_is_a_config_error_naming_it() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(config_text("apprise:mmost://chat.example.org/${MM_HOOK}"), "duebot.toml",
                     env={})
    text = str(caught.value)
    assert "MM_HOOK" in text and "duebot.toml:3" in text and "not set" in text


def test_the_config_keeps_the_placeholder_and_the_channel_reads_the_environment(
        server: HttpStub) -> None:
    config = parse_config(config_text(hook(server)), "duebot.toml", env=ENV)
    assert config.schedules[0].reminders_to[1] == hook(server)
    assert SECRET not in repr(config)
    channel = build_channels(config)["apprise"]
    assert channel.send(outgoing(hook(server))).kind == "sent"
    assert server.seen[0].path == f"/hook/{SECRET}"


@pytest.mark.parametrize("bad", ["apprise:", "apprise:not a url", "apprise:json://h/$TOKEN",
                                 "apprise:json://h/${TOKEN"])
def test_malformed_apprise_destinations_are_refused(bad: str) -> None:
    with pytest.raises(ConfigError, match="apprise"):
        parse_config(config_text(bad), "duebot.toml", env={})


def test_an_unknown_apprise_service_fails_at_start_up_without_showing_the_secret() -> None:
    config = Config(source="duebot.toml", schedules=(ScheduleConfig(
        path=SHIPPED, reminders_to=("apprise:nosuchservice://${HOOK_TOKEN}@host/x",)),),
        apprise=AppriseConfig(env=ENV))
    with pytest.raises(ConfigError) as caught:
        build_channels(config)
    assert "nosuchservice" in str(caught.value) and SECRET not in str(caught.value)


def test_an_announcement_to_an_unset_variable_is_dead_with_the_name() -> None:
    outcome = AppriseChannel({}).send(outgoing("apprise:json://127.0.0.1:9/${NOT_SET}"))
    assert outcome.kind == "dead" and "NOT_SET" in outcome.reason


@pytest.mark.parametrize(("url", "field"), [
    ("json://duebot:hunter2@127.0.0.1/x", "password"),
    ("mmost://chat.example.org/abcdefghijklmnopqrstuvwxyz", "token"),
    ("tgram://123456789:${TG_KEY}/123", "bot token"),
])
def test_a_secret_typed_into_the_url_is_refused_naming_the_field_not_the_value(
        url: str, field: str) -> None:
    config = Config(source="duebot.toml", schedules=(ScheduleConfig(
        path=SHIPPED, reminders_to=(f"apprise:{url}",)),),
        apprise=AppriseConfig(env={"TG_KEY": "AAbbccddeeffgghh"}))
    with pytest.raises(ConfigError) as caught:
        build_channels(config)
    text = str(caught.value)
    assert f"its {field} is written in the config file" in text and "${NAME}" in text
    assert "hunter2" not in text and "abcdefghijklmnopqrstuvwxyz" not in text


def test_secrets_all_from_the_environment_pass_the_check() -> None:
    config = Config(source="duebot.toml", schedules=(ScheduleConfig(
        path=SHIPPED, reminders_to=("apprise:tgram://${TG_ID}:${TG_KEY}/123",
                                    "apprise:json://duebot:${HOOK_TOKEN}@127.0.0.1/x",
                                    "apprise:ntfy://ntfy.example.org/deadlines")),),
        apprise=AppriseConfig(env={"TG_ID": "123456789", "TG_KEY": "AAbbccddeeffgghh", **ENV}))
    assert "apprise" in build_channels(config)
