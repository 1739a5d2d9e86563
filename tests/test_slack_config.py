"""``[slack]`` in the config file: known keys parsed, mistakes reported with suggestions, tokens
only from the environment; and how ``duebot run`` decides whether Slack is on."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.config import SlackConfig, parse_config
from bot.errors import ConfigError

ENV = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "secret"}


def test_slack_table_is_parsed_and_tokens_come_from_the_environment(tmp_path: Path) -> None:
    config = parse_config('''
[slack]
api_base_url = "http://127.0.0.1:9999/api"
organizers = ["U0ALICE", "S0CHAIRS"]
command = "/dates"
channel_rate = 0.5
socket_mode = false
''', env=ENV, base=tmp_path)
    slack = config.slack
    assert slack.api_base_url == "http://127.0.0.1:9999/api/"  # slack_sdk joins onto a folder
    assert slack.organizers == ("U0ALICE", "S0CHAIRS")
    assert (slack.command, slack.channel_rate, slack.socket_mode) == ("/dates", 0.5, False)
    assert (slack.bot_token, slack.signing_secret, slack.app_token) == ("xoxb-1", "secret", "")
    assert "xoxb-1" not in repr(slack) and "secret" not in repr(slack)


def test_defaults_without_a_slack_table(tmp_path: Path) -> None:
    slack = parse_config("", env={}, base=tmp_path).slack
    assert slack == SlackConfig()
    assert slack.api_base_url == "https://slack.com/api/" and slack.command == "/duebot"


def test_every_slack_mistake_is_reported_at_once(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config('''
[slack]
organisers = ["U0ALICE"]
organizers = ["alice", 7]
command = "duebot"
channel_rate = 0
socket_mode = "yes"
token = "xoxb-in-the-file"
''', env={}, base=tmp_path)
    text = str(caught.value)
    assert "unknown key 'organisers'" in text and "did you mean 'organizers'" in text
    assert "'alice': expected a user id" in text and "7: expected a user id" in text
    assert "'duebot': expected a slash command" in text
    assert "channel_rate" in text and "socket_mode" in text
    assert "unknown key 'token'" in text


def test_socket_mode_follows_the_app_token(tmp_path: Path) -> None:
    on = parse_config("", env={**ENV, "SLACK_APP_TOKEN": "xapp-1"}, base=tmp_path).slack
    assert on.uses_socket_mode
    off = parse_config("[slack]\nsocket_mode = false\n",
                       env={**ENV, "SLACK_APP_TOKEN": "xapp-1"}, base=tmp_path).slack
    assert not off.uses_socket_mode
    assert not parse_config("", env=ENV, base=tmp_path).slack.uses_socket_mode


def test_without_tokens_slack_is_off_with_one_clear_line(tmp_path: Path,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    from bot.adapters.slack_app import http_routes, start_background
    from bot.config import Config, ScheduleConfig, StorageConfig
    from bot.service import Service
    from tests.conftest import SHIPPED

    config = Config(storage=StorageConfig(database_url=f"sqlite:///{tmp_path / 'l.db'}"),
                    schedules=(ScheduleConfig(path=SHIPPED),))
    service = Service(config)
    with caplog.at_level(logging.INFO, logger="duebot.slack"):
        assert http_routes(service) == []
        assert start_background(service) is None
    lines = [r.getMessage() for r in caplog.records if r.name == "duebot.slack"]
    assert lines == ["Slack is off: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or "
                     "SLACK_APP_TOKEN for Socket Mode)"]
    service.ledger.close()


def test_manifest_asks_for_exactly_the_scopes_and_events_duebot_uses() -> None:
    import re

    from tests.conftest import ROOT

    text = (ROOT / "slack" / "manifest.yml").read_text(encoding="utf-8")
    scopes = set(re.findall(r"^\s+- ([a-z_.]+:[a-z_.]+|commands)\s", text, re.MULTILINE))
    assert scopes == {"app_mentions:read", "chat:write", "commands", "im:history", "im:read",
                      "im:write", "users:read", "channels:history", "channels:read",
                      "usergroups:read"}
    events = set(re.findall(r"^\s+- (app_mention|message\.\w+)\s*$", text, re.MULTILINE))
    assert events == {"app_mention", "message.im"}
    assert "command: /duebot" in text and "is_enabled: true" in text
    assert text.count("https://YOUR-HOST/slack/events") == 3


def test_socket_mode_without_an_app_token_says_so(tmp_path: Path,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    from bot.adapters.slack_app import start_background
    from bot.config import Config, ScheduleConfig, StorageConfig
    from bot.service import Service
    from tests.conftest import SHIPPED

    config = Config(storage=StorageConfig(database_url=f"sqlite:///{tmp_path / 'l.db'}"),
                    schedules=(ScheduleConfig(path=SHIPPED),),
                    slack=SlackConfig(socket_mode=True, bot_token="xoxb-1"))
    service = Service(config)
    with caplog.at_level(logging.INFO, logger="duebot.slack"):
        assert start_background(service) is None
    assert "socket_mode = true but SLACK_APP_TOKEN is empty" in caplog.text
    service.ledger.close()
