"""Discord, Zulip and Mattermost end to end: signed or tokened requests from a real HTTP client
(httpx) into duebot's real app (``build_app`` + the runner's routes) served by uvicorn."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from nacl.signing import SigningKey

from bot.adapters.discord import command_definition, register_command
from bot.adapters.http import build_app
from bot.cli.main import main
from bot.config import (
    Config,
    DiscordConfig,
    ScheduleConfig,
    StorageConfig,
    WebhookBotConfig,
    parse_config,
)
from bot.errors import ConfigError, UsageError
from bot.runner import http_routes
from bot.service import Service
from tests.conftest import SHIPPED
from tests.http_stub import HttpStub, running_http
from tests.slack_stub import serving

NOW = datetime(2017, 9, 4, 7, 0, tzinfo=UTC)
"""A week before the abstract deadline (2017-09-10 23:59 PDT = 2017-09-11 06:59 UTC)."""
DEADLINE_UNIX = int(datetime(2017, 9, 11, 6, 59, tzinfo=UTC).timestamp())
SIGNER = SigningKey(bytes(range(32)))
PUBLIC_KEY = SIGNER.verify_key.encode().hex()
ZULIP_TOKEN = "zulip-outgoing-token-1234"
MM_TOKEN = "mattermost-hook-token-5678"
MM_COMMAND_TOKEN = "mattermost-command-token-90"


@dataclass
class Harness:
    url: str
    http: httpx.Client
    service: Service
    clock: list[datetime]
    """The service's clock, ``clock[0]``: a test moves it (Discord's signatures follow it)."""

    def discord(self, payload: dict[str, Any], *, timestamp: int | None = None,
                key: SigningKey = SIGNER, body: bytes | None = None,
                signature: str | None = None) -> httpx.Response:
        raw = body if body is not None else json.dumps(payload).encode()
        stamp = str(int(self.clock[0].timestamp()) if timestamp is None else timestamp)
        sig = signature if signature is not None else key.sign(stamp.encode() + raw).signature.hex()
        return self.http.post(f"{self.url}/discord/interactions", content=raw, headers={
            "X-Signature-Ed25519": sig, "X-Signature-Timestamp": stamp,
            "Content-Type": "application/json"})

    def zulip(self, content: str, *, token: str = ZULIP_TOKEN, trigger: str = "mention",
              topic: str = "deadlines", stream: str = "workshop",
              direct: tuple[str, ...] = ()) -> httpx.Response:
        """A stream message in ``stream`` > ``topic``; with ``direct``, a direct message
        among those addresses (the bot's added, as Zulip lists it)."""
        message: dict[str, Any] = {
            "type": "stream", "display_recipient": stream, "subject": topic,
            "stream_id": 7 if stream == "workshop" else 8, "content": content, "id": 42,
            "sender_email": "ada@example.org", "sender_full_name": "Ada"}
        if direct:
            message.update(type="private", subject="", display_recipient=[
                {"email": a, "id": n, "full_name": a}
                for n, a in enumerate(("duebot-bot@zulip.example.org", *direct))])
            del message["stream_id"]
        return self.http.post(f"{self.url}/zulip/webhook", json={
            "bot_email": "duebot-bot@zulip.example.org", "bot_full_name": "duebot",
            "data": content, "token": token, "trigger": trigger, "message": message})

    def mattermost(self, fields: dict[str, str], *, form: bool = True,
                   headers: dict[str, str] | None = None) -> httpx.Response:
        if form:
            return self.http.post(f"{self.url}/mattermost", content=urlencode(fields).encode(),
                                  headers={"Content-Type": "application/x-www-form-urlencoded",
                                           **(headers or {})})
        return self.http.post(f"{self.url}/mattermost", json=fields, headers=headers or {})


def command(question: str | None, *, name: str = "deadline", locale: str = "en-US",
            channel: str | None = None, user: str = "77") -> dict[str, Any]:
    data: dict[str, Any] = {"id": "1", "name": name, "type": 1}
    if question is not None:
        data["options"] = [{"name": "question", "type": 3, "value": question}]
    interaction = {"type": 2, "id": "900", "application_id": "123456",
                   "token": "interaction-token", "locale": locale, "data": data,
                   "member": {"user": {"id": user, "username": "ada"}}}
    if channel is not None:
        interaction |= {"guild_id": "500", "channel_id": channel,
                        "channel": {"id": channel, "type": 0}}
    return interaction


def outgoing_hook(text: str, token: str = MM_TOKEN, *, channel: str = "c1", user: str = "u1",
                  post: str = "p123") -> dict[str, str]:
    return {"token": token, "team_id": "t1", "team_domain": "workshop", "channel_id": channel,
            "channel_name": "town-square", "timestamp": "1504508400000", "user_id": user,
            "user_name": "ada", "post_id": post, "text": text, "trigger_word": "duebot",
            "file_ids": ""}


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[Harness]:
    config = Config(
        source="test.toml",
        storage=StorageConfig(database_url=f"sqlite:///{tmp_path / 'ledger.db'}"),
        schedules=(ScheduleConfig(path=SHIPPED),),
        discord=DiscordConfig(public_key=PUBLIC_KEY, application_id="123456"),
        zulip=WebhookBotConfig(tokens=(ZULIP_TOKEN,)),
        mattermost=WebhookBotConfig(tokens=(MM_TOKEN, MM_COMMAND_TOKEN)))
    clock = [NOW]
    service = Service(config, clock=lambda: clock[0])
    app = build_app(service, extra_routes=http_routes(service))
    with serving(app) as url, httpx.Client(timeout=10) as client:
        yield Harness(url=url, http=client, service=service, clock=clock)
    service.ledger.close()


# --- Discord --------------------------------------------------------------------------------

def test_discord_ping_is_answered_with_pong(harness: Harness) -> None:
    response = harness.discord({"type": 1})
    assert response.status_code == 200 and response.json() == {"type": 1}


def test_discord_slash_command_answers_the_question_with_reader_local_timestamps(
        harness: Harness) -> None:
    response = harness.discord(command("when is the abstract deadline?"))
    assert response.status_code == 200
    reply = response.json()
    assert reply["type"] == 4
    data = reply["data"]
    assert data["flags"] == 64  # only the asker sees it
    assert data["allowed_mentions"] == {"parse": []}
    assert "Poster abstract submission deadline" in data["content"]
    assert "23:59 PDT" in data["content"]  # the deadline's own zone ...
    assert f"<t:{DEADLINE_UNIX}:F>" in data["content"]  # ... and each reader's own
    assert len(data["content"]) <= 2000


def test_discord_forged_signature_is_401(harness: Harness) -> None:
    forger = SigningKey(bytes(range(1, 33)))
    assert harness.discord(command("when?"), key=forger).status_code == 401
    assert harness.discord(command("when?"), signature="zz" * 64).status_code == 401
    assert harness.discord(command("when?"), signature="").status_code == 401


def test_discord_body_changed_after_signing_is_401(harness: Harness) -> None:
    raw = json.dumps(command("when?")).encode()
    stamp = str(int(NOW.timestamp()))
    signature = SIGNER.sign(stamp.encode() + raw).signature.hex()
    tampered = raw.replace(b"when?", b"what?")
    assert harness.discord({}, body=tampered, signature=signature).status_code == 401
    assert harness.discord({}, body=raw, signature=signature).status_code == 200


def test_discord_stale_timestamp_is_401_even_when_signed(harness: Harness) -> None:
    stale = int((NOW - timedelta(minutes=6)).timestamp())
    assert harness.discord(command("when?"), timestamp=stale).status_code == 401
    recent = int((NOW - timedelta(minutes=4)).timestamp())
    assert harness.discord(command("when?"), timestamp=recent).status_code == 200
    future = int((NOW + timedelta(minutes=6)).timestamp())
    assert harness.discord(command("when?"), timestamp=future).status_code == 401


def test_discord_command_without_a_question_lists_the_dates(harness: Harness) -> None:
    data = harness.discord(command(None)).json()["data"]
    assert data["content"].strip()


def test_discord_unknown_command_gets_a_pointer(harness: Harness) -> None:
    data = harness.discord(command("when?", name="other")).json()["data"]
    assert "/deadline" in data["content"]


def test_discord_routes_are_absent_without_a_public_key(tmp_path: Path) -> None:
    config = Config(source="t.toml", schedules=(ScheduleConfig(path=SHIPPED),),
                    storage=StorageConfig(database_url=f"sqlite:///{tmp_path / 'l.db'}"))
    service = Service(config, clock=lambda: NOW)
    paths = {getattr(r, "path", "") for r in http_routes(service)}
    assert not paths & {"/discord/interactions", "/zulip/webhook", "/mattermost"}
    service.ledger.close()


# --- Zulip ------------------------------------------------------------------------------------

def test_zulip_mention_is_answered_in_the_same_topic(harness: Harness) -> None:
    response = harness.zulip("@**duebot** when is the abstract deadline?")
    assert response.status_code == 200
    content = response.json()["content"]
    assert "Poster abstract submission deadline" in content
    assert "<time:2017-09-11T06:59:00Z>" in content  # each reader's own zone in Zulip


def test_zulip_wrong_or_missing_token_is_401(harness: Harness) -> None:
    assert harness.zulip("@**duebot** when?", token="guess").status_code == 401
    assert harness.zulip("@**duebot** when?", token="").status_code == 401
    assert harness.zulip("@**duebot** when?", token="zulip-outgoing-token-123\u00e9"
                         ).status_code == 401


def test_zulip_direct_message_is_answered(harness: Harness) -> None:
    response = harness.zulip("when is the notification?", trigger="direct_message")
    assert response.status_code == 200
    assert "Acceptance notifications" in response.json()["content"]


# --- Mattermost -------------------------------------------------------------------------------

def test_mattermost_outgoing_webhook_replies_in_the_thread(harness: Harness) -> None:
    response = harness.mattermost(outgoing_hook("duebot when is the abstract deadline?"))
    assert response.status_code == 200
    reply = response.json()
    assert reply["response_type"] == "comment"
    assert "Poster abstract submission deadline" in reply["text"]


def test_mattermost_json_body_works_too(harness: Harness) -> None:
    response = harness.mattermost(outgoing_hook("duebot when is the deadline?"), form=False)
    assert response.status_code == 200 and "deadline" in response.json()["text"]


def test_mattermost_slash_command_token_in_the_header_answers_privately(
        harness: Harness) -> None:
    fields = {"command": "/deadline", "text": "when is the camera-ready due?",
              "team_id": "t1", "channel_id": "c1", "user_id": "u1", "user_name": "ada",
              "response_url": "http://127.0.0.1:9/x", "trigger_id": "tr"}
    response = harness.mattermost(fields, headers={"Authorization": f"Token {MM_COMMAND_TOKEN}"})
    assert response.status_code == 200
    assert response.json()["response_type"] == "ephemeral"
    assert "camera-ready" in response.json()["text"].lower()


def test_mattermost_wrong_token_is_401(harness: Harness) -> None:
    assert harness.mattermost(outgoing_hook("duebot when?", token="nope")).status_code == 401
    assert harness.mattermost(outgoing_hook("duebot when?", token="")).status_code == 401
    assert harness.mattermost({"text": "when?"}, headers={"Authorization": "Token nope"}
                              ).status_code == 401


# --- follow-ups: the same thread (or sitting) reads against its last question ---------------
# Kept in the ledger's ask_threads (the real SQLite file here), as for Slack and mail.

FRESH = "You did not say which date"
"""What a bare "when is it?" says when nothing came before it in its conversation."""


def _threads_kept(harness: Harness) -> list[str]:
    path = harness.service.config.storage.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        return [str(key) for (key,) in db.execute("SELECT key FROM ask_threads ORDER BY key")]


def test_zulip_follow_up_in_the_same_topic_reads_against_its_last_question(
        harness: Harness) -> None:
    harness.zulip("@**duebot** when is the abstract deadline?")
    again = harness.zulip("@**duebot** when is it?").json()["content"]
    assert "Poster abstract submission deadline" in again and FRESH not in again
    switched = harness.zulip("@**duebot** what about camera-ready?").json()["content"]
    assert "Final file upload" in switched
    # Zulip compares topic names without case: "Deadlines" is the same topic.
    ist = harness.zulip("@**duebot** and in IST?", topic="Deadlines").json()["content"]
    assert "Final file upload" in ist and "IST (Asia/Kolkata" in ist
    assert [k.split(":")[0] for k in _threads_kept(harness)] == ["zulip"]


def test_zulip_follow_up_is_answered_in_its_own_language_with_the_topics_context(
        harness: Harness) -> None:
    """The language follows the message answered; the date and zone come from the topic."""
    harness.zulip("@**duebot** when is the abstract deadline?")
    beijing = harness.zulip("@**duebot** 那北京时间呢？").json()["content"]
    assert beijing.startswith("Poster abstract submission deadline（已延期）：")
    assert "2017年9月11日星期一 14:59（中国标准时间" in beijing
    # Zulip's date line too, in the language of the message answered.
    assert "**：<time:2017-09-11T06:59:00Z> 你的时间 · 2017年9月10日星期日 23:59（北美太平洋" \
        "夏令时间" in beijing and "your time" not in beijing
    again = harness.zulip("@**duebot** and in UTC?").json()["content"]
    assert again.startswith("The Poster abstract submission deadline") and "06:59 UTC" in again
    harness.zulip("@**duebot** 截稿是什么时候？", topic="zh")
    english = harness.zulip("@**duebot** and in Paris?", topic="zh").json()["content"]
    assert english.startswith("The Poster abstract") and "Europe/Paris" in english
    assert "your time · Sunday 10 September 2017, 23:59 PDT" in english


def test_discord_date_lines_are_in_the_language_asked_traditional_too(harness: Harness) -> None:
    said = harness.discord(command("截稿是幾點？", channel="900100")).json()["data"]["content"]
    assert "你的時間, <t:" in said and "2017年9月10日星期日 23:59（太平洋夏令時間" in said, said
    assert "your time" not in said


def test_zulip_another_topic_stream_or_a_direct_message_starts_fresh(harness: Harness) -> None:
    harness.zulip("@**duebot** when is the camera-ready due?")
    for elsewhere in ({"topic": "travel"}, {"stream": "general"},
                      {"direct": ("ada@example.org",)}):
        said = harness.zulip("@**duebot** when is it?", **elsewhere).json()["content"]
        assert FRESH in said, elsewhere


def test_zulip_direct_message_conversation_keeps_its_context(harness: Harness) -> None:
    pair = ("ada@example.org",)
    harness.zulip("when is the camera-ready due?", trigger="direct_message", direct=pair)
    said = harness.zulip("is it AoE?", trigger="direct_message", direct=pair).json()["content"]
    assert said.startswith("No:") and "Final file upload" in said
    group = harness.zulip("is it AoE?", trigger="direct_message",
                          direct=("ada@example.org", "bob@example.org")).json()["content"]
    assert "Final file upload" not in group  # another set of people: another conversation


def test_mattermost_follow_up_from_the_same_person_in_the_channel(harness: Harness) -> None:
    harness.mattermost(outgoing_hook("duebot when is the abstract deadline?", post="p1"))
    again = harness.mattermost(outgoing_hook("duebot when is it?", post="p2")).json()["text"]
    assert "Poster abstract submission deadline" in again and FRESH not in again
    # The slash command in that channel is the same person's same conversation.
    slash = harness.mattermost({"token": MM_COMMAND_TOKEN, "command": "/deadline",
                                "text": "what about camera-ready?", "channel_id": "c1",
                                "user_id": "u1", "user_name": "ada"}).json()
    assert slash["response_type"] == "ephemeral" and "Final file upload" in slash["text"]
    ist = harness.mattermost(outgoing_hook("duebot and in IST?", post="p3")).json()["text"]
    assert "Final file upload" in ist and "IST (Asia/Kolkata" in ist


def test_mattermost_another_person_channel_or_a_later_question_starts_fresh(
        harness: Harness) -> None:
    harness.mattermost(outgoing_hook("duebot when is the camera-ready due?"))
    for who in ({"user": "u2"}, {"channel": "c2"}):
        said = harness.mattermost(outgoing_hook("duebot when is it?", **who)).json()["text"]
        assert FRESH in said, who
    harness.clock[0] = NOW + timedelta(minutes=29)
    assert "Final file upload" in harness.mattermost(
        outgoing_hook("duebot when is it?")).json()["text"]
    harness.clock[0] = NOW + timedelta(minutes=29 + 31)  # a pause longer than a sitting
    assert FRESH in harness.mattermost(outgoing_hook("duebot when is it?")).json()["text"]


def test_discord_next_command_in_the_channel_within_a_sitting_is_a_follow_up(
        harness: Harness) -> None:
    harness.discord(command("when is the abstract deadline?", channel="900100"))
    again = harness.discord(command("when is it?", channel="900100")).json()["data"]["content"]
    assert "Poster abstract submission deadline" in again and FRESH not in again
    harness.discord(command("what about camera-ready?", channel="900100"))
    aoe = harness.discord(command("is it AoE?", channel="900100")).json()["data"]["content"]
    assert aoe.startswith("No:") and "Final file upload" in aoe
    for elsewhere in ({"user": "78"}, {"channel": "900200"}):
        said = harness.discord(command("when is it?", **{"channel": "900100", **elsewhere})
                               ).json()["data"]["content"]
        assert FRESH in said, elsewhere
    harness.clock[0] = NOW + timedelta(minutes=31)
    later = harness.discord(command("when is it?", channel="900100")).json()["data"]["content"]
    assert FRESH in later


# --- registering the Discord command ------------------------------------------------------------

@pytest.fixture
def discord_api() -> Iterator[HttpStub]:
    with running_http() as stub:
        stub.route("/api/v10/applications/", lambda seen: (201, {"id": "555", **seen.json()}))
        yield stub


def test_register_posts_the_command_with_the_bot_token(discord_api: HttpStub) -> None:
    settings = DiscordConfig(application_id="123456", bot_token="bot-token-xyz",
                             api_base_url=f"http://{discord_api.base}/api/v10")
    answer = register_command(settings)
    (seen,) = discord_api.seen
    assert seen.method == "POST" and seen.path == "/api/v10/applications/123456/commands"
    assert seen.headers["authorization"] == "Bot bot-token-xyz"
    assert seen.json() == command_definition(settings)
    assert seen.json()["options"][0] == {
        "type": 3, "name": "question", "required": False,
        "description": seen.json()["options"][0]["description"]}
    assert answer["id"] == "555"


def test_register_in_one_guild(discord_api: HttpStub) -> None:
    settings = DiscordConfig(application_id="123456", bot_token="t", guild_id="42",
                             api_base_url=f"http://{discord_api.base}/api/v10")
    register_command(settings)
    assert discord_api.seen[0].path == "/api/v10/applications/123456/guilds/42/commands"


def test_register_says_why_discord_refused(discord_api: HttpStub) -> None:
    discord_api.script("/api/v10/", 401)
    settings = DiscordConfig(application_id="1", bot_token="bad",
                             api_base_url=f"http://{discord_api.base}/api/v10")
    with pytest.raises(UsageError, match=r"HTTP 401.*DISCORD_BOT_TOKEN"):
        register_command(settings)


def test_register_without_a_token_names_the_variable() -> None:
    with pytest.raises(UsageError, match="DISCORD_BOT_TOKEN"):
        register_command(DiscordConfig(application_id="1"))


def test_duebot_discord_register_command_line(discord_api: HttpStub, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "duebot.toml"
    config.write_text(f'[discord]\napplication_id = "123456"\n'
                      f'api_base_url = "http://{discord_api.base}/api/v10"\n'
                      f'[[schedules]]\npath = "{SHIPPED}"\n', encoding="utf-8")
    monkeypatch.setenv("DISCORD_BOT_TOKEN", "cli-token")
    assert main(["discord", "register", "--config", str(config)]) == 0
    assert discord_api.seen[0].headers["authorization"] == "Bot cli-token"
    assert "/deadline" in capsys.readouterr().out
    monkeypatch.delenv("DISCORD_BOT_TOKEN")
    assert main(["discord", "register", "--config", str(config)]) == 1
    assert "DISCORD_BOT_TOKEN" in capsys.readouterr().err


# --- configuration ------------------------------------------------------------------------------

def test_platform_secrets_come_from_the_environment() -> None:
    text = f'[discord]\napplication_id = "123456"\n[[schedules]]\npath = "{SHIPPED}"\n'
    config = parse_config(text, "duebot.toml", env={
        "DISCORD_PUBLIC_KEY": PUBLIC_KEY.upper(), "DISCORD_BOT_TOKEN": "bt",
        "ZULIP_WEBHOOK_TOKEN": ZULIP_TOKEN, "MATTERMOST_TOKEN": MM_TOKEN})
    assert config.discord.enabled and config.discord.public_key == PUBLIC_KEY
    assert config.discord.bot_token == "bt"
    assert config.zulip.on and config.zulip.tokens == (ZULIP_TOKEN,)
    assert config.mattermost.tokens == (MM_TOKEN,)
    assert ZULIP_TOKEN not in repr(config) and "bt'" not in repr(config)


def test_a_malformed_public_key_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"DISCORD_PUBLIC_KEY.*64 hex"):
        parse_config(f'[[schedules]]\npath = "{SHIPPED}"\n', "duebot.toml",
                     env={"DISCORD_PUBLIC_KEY": "abc"})


def test_zulip_enabled_without_its_token_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="ZULIP_WEBHOOK_TOKEN"):
        parse_config(f'[zulip]\nenabled = true\n[[schedules]]\npath = "{SHIPPED}"\n',
                     "duebot.toml", env={})



def test_the_example_documents_every_platform_key_and_parses_uncommented() -> None:
    from bot.config import APPRISE_KEYS, CHAT_KEYS, DISCORD_KEYS

    example = (Path(__file__).resolve().parent.parent / "config.example.toml").read_text(
        encoding="utf-8")
    start = example.index("# [apprise]")
    block = "\n".join(line[2:] if line.startswith("# ") else line
                      for line in example[start:].splitlines())
    block = block.replace('public_key = "..."', f'public_key = "{PUBLIC_KEY}"')
    for table, keys in (("apprise", APPRISE_KEYS), ("discord", DISCORD_KEYS),
                        ("zulip", CHAT_KEYS), ("mattermost", CHAT_KEYS)):
        section = block.split(f"[{table}]", 1)[1].split("\n[", 1)[0]
        for key in keys:
            assert f"\n{key} = " in section, (table, key)
    config = parse_config(block + f'\n[[schedules]]\npath = "{SHIPPED}"\n', "example.toml",
                          env={"ZULIP_WEBHOOK_TOKEN": "z", "MATTERMOST_TOKEN": "m"})
    assert config.discord.max_age == 300 and config.discord.command == "deadline"
    assert config.apprise.timeout == 30


# --- settings commands ------------------------------------------------------------------------
# Zulip vouches for the sender's account address: its commands tune that address's (confirmed)
# mail subscription. Mattermost (and Discord without DISCORD_BOT_TOKEN: with it, see
# tests/test_discord_channel.py) tell only a user id: nothing can reach that person, so the
# reply says so and nothing is stored.

ADA = "mailto:ada@example.org"


def _subscribers(service: Service) -> dict[str, tuple[str, ...]]:
    return service.ledger.active_subscribers()


@pytest.mark.parametrize("text", ["remind me 2 days before the abstract deadline",
                                  "my zone is Asia/Tokyo", "weekly digest", "settings", "reset"])
def test_discord_settings_command_says_it_cannot_reach_the_user(harness: Harness,
                                                                 text: str) -> None:
    response = harness.discord(command(text))
    assert response.status_code == 200
    content = response.json()["data"]["content"]
    assert "cannot send reminders to you on Discord" in content and "changed nothing" in content
    assert _subscribers(harness.service) == {}


@pytest.mark.parametrize("text", ["my language is zh", "提前两天提醒我", "设置"])
def test_discord_says_so_in_the_language_the_command_asks_for_or_is_written_in(
        harness: Harness, text: str) -> None:
    content = harness.discord(command(text)).json()["data"]["content"]
    assert "我无法在 Discord 上给您发送提醒" in content and "什么也没有更改" in content
    assert "cannot send" not in content and _subscribers(harness.service) == {}


def test_discord_question_is_still_answered(harness: Harness) -> None:
    content = harness.discord(command("is the abstract deadline in PDT?")).json()["data"]
    assert "cannot send reminders" not in content["content"]
    assert "23:59 PDT" in content["content"]


@pytest.mark.parametrize("form", [True, False])
def test_mattermost_settings_command_says_it_cannot_reach_the_user(harness: Harness,
                                                                    form: bool) -> None:
    response = harness.mattermost(outgoing_hook("duebot my zone is Asia/Tokyo"), form=form)
    assert response.status_code == 200
    assert "cannot send reminders to you on Mattermost" in response.json()["text"]
    slash = harness.mattermost({"token": MM_COMMAND_TOKEN, "command": "/deadline",
                                "text": "remind me 1 day before the abstract deadline",
                                "user_id": "u1", "user_name": "ada"}, form=form)
    assert slash.json()["response_type"] == "ephemeral"
    assert "cannot send reminders to you on Mattermost" in slash.json()["text"]
    assert _subscribers(harness.service) == {}


def test_zulip_settings_tune_the_senders_mail_subscription(harness: Harness) -> None:
    service = harness.service
    first = harness.zulip("@**duebot** remind me 2 days before the abstract deadline")
    assert first.status_code == 200
    said = first.json()["content"]
    assert "not subscribed" in said and "ada@example.org" in said
    assert _subscribers(service) == {}  # never subscribed from a chat
    chinese = harness.zulip("@**duebot** 提前两天提醒我").json()["content"]
    assert "您尚未订阅 AI Systems Workshop @ SOSP 2017 的提醒。您的提醒将发送到 ada@example.org" \
        in chinese and "not subscribed" not in chinese

    service.ledger.subscribe("aisys-sosp17", ADA, NOW, source="mailto")  # confirmed by mail
    service.refresh(NOW)
    done = harness.zulip("@**duebot** remind me 2 days before the abstract deadline").json()
    assert "Done: 2d before Poster abstract submission deadline" in done["content"]
    assert harness.zulip("my zone is Asia/Tokyo").json()["content"].startswith(
        "Done: times in Asia/Tokyo")
    assert "好的：使用中文。" in harness.zulip("my language is 中文").json()["content"]
    service.refresh(NOW)
    planned = {r.item_id: r.state for r in service.ledger.rows()
               if r.destination == ADA and r.date_id == "abstract"}
    assert planned["aisys-sosp17/abstract/2d"] == "pending"  # re-timed: 2d instead of 1d, 3h
    assert planned["aisys-sosp17/abstract/1d"] == planned["aisys-sosp17/abstract/3h"] \
        == "cancelled"

    settings = harness.zulip("settings").json()["content"]
    assert "Poster abstract submission deadline的提前量：2d" in settings  # in Chinese now
    assert "时间显示于：Asia/Tokyo" in settings and "语言：中文" in settings
    assert "my language is en" in settings
    reset = harness.zulip("reset").json()["content"]
    assert reset.startswith("好的：所有提醒恢复为组织者的安排。")
    assert harness.zulip("my language is English").json()["content"].startswith(
        "Done: in English.")
    service.refresh(NOW)
    assert {r.item_id for r in service.ledger.rows() if r.destination == ADA
            and r.date_id == "abstract" and r.state == "pending"} >= {
        "aisys-sosp17/abstract/1d", "aisys-sosp17/abstract/3h"}
