"""Organizer text shows as typed on every chat platform: a schedule title full of Slack mrkdwn,
Discord and CommonMark syntax, mentions and time tokens neither formats nor pings, through the
real apps and their stand-ins (the payload each platform is given is asserted).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from bot.adapters.apprise_channel import AppriseChannel
from bot.adapters.chat_webhooks import escape_markdown
from bot.adapters.discord_channel import DiscordChannel
from bot.adapters.http import build_app
from bot.adapters.slack_app import SlackBot, routes_for
from bot.adapters.slack_format import message_blocks
from bot.config import (
    Config,
    DiscordConfig,
    ScheduleConfig,
    SlackConfig,
    StorageConfig,
    WebhookBotConfig,
)
from bot.core.slack_mrkdwn import escape
from bot.ports import Outgoing
from bot.runner import http_routes
from bot.service import Service
from tests.conftest import SHIPPED
from tests.http_stub import running_http
from tests.slack_stub import running_slack, serving
from tests.test_chat_platforms import MM_TOKEN, PUBLIC_KEY, ZULIP_TOKEN, Harness, command
from tests.test_chat_platforms import outgoing_hook as mattermost_hook
from tests.test_slack import PARTICIPANT, SECRET, texts
from tests.test_slack import Harness as SlackHarness

NOW = datetime(2017, 9, 4, 7, 0, tzinfo=UTC)
TITLE = ("Call for *papers* _and_ ~demos~ a|b <!channel> @everyone `code` [link](http://x) "
         "<t:0:F> deadline")
ZWSP = "\u200b"


def hostile_schedule(tmp: Path) -> Path:
    """The shipped schedule with its abstract deadline renamed to ``TITLE``."""
    path = tmp / SHIPPED.name
    text = SHIPPED.read_text(encoding="utf-8")
    assert 'title = "Poster abstract submission deadline"' in text
    path.write_text(text.replace('title = "Poster abstract submission deadline"',
                                 f"title = {json.dumps(TITLE)}"), encoding="utf-8")
    return path


def slack_inert(shown: str) -> None:
    """No Slack markup can act in ``shown``: each ``*_~``` between zero-width spaces (outside
    a URL), no ``<`` but our own tokens."""
    plain = re.sub(r"https?://\S+", "", shown.replace("&lt;", "").replace("&gt;", ""))
    title_at = plain.find("Call for")
    assert title_at >= 0, shown
    region = plain[title_at:title_at + len(TITLE) * 3]
    region = region[:region.find("deadline")]
    for index, char in enumerate(region):
        if char in "*_~`":
            assert region[index - 1] == ZWSP and region[index + 1] == ZWSP, (char, region)


# --- Slack ------------------------------------------------------------------------------------

@pytest.fixture
def slack(tmp_path: Path) -> Iterator[SlackHarness]:
    with running_slack() as stub:
        stub.add_user(PARTICIPANT, "Asia/Shanghai")
        config = Config(
            source="test.toml",
            storage=StorageConfig(database_url=f"sqlite:///{tmp_path / 'ledger.db'}"),
            schedules=(ScheduleConfig(path=hostile_schedule(tmp_path)),),
            slack=SlackConfig(api_base_url=stub.api_url, bot_token="xoxb-test",
                              signing_secret=SECRET))
        service = Service(config, clock=lambda: NOW)
        bot = SlackBot(service, service.config.slack)
        with serving(Starlette(routes=routes_for(bot))) as url, \
                httpx.Client(timeout=10) as client:
            yield SlackHarness(slack=stub, service=service, url=url, http=client, bot=bot)
        service.ledger.close()


def test_slack_answer_shows_the_title_as_typed(slack: SlackHarness) -> None:
    slack.mention("when is the call for papers deadline?")
    (posted,) = (c.args for c in slack.slack.wait_for("chat.postMessage"))
    for block in posted["blocks"]:  # the text and each date line
        if "Call for" in block["text"]["text"]:
            slack_inert(block["text"]["text"])
    slack_inert(posted["text"])
    shown = texts(posted)
    assert "<!channel>" not in shown and "&lt;!channel&gt;" in shown
    assert "a|b" in shown
    assert shown.replace(ZWSP, "").count("*papers*") >= 2  # the text and the date line


def test_slack_reminder_lines_that_start_like_a_quote_are_no_quote() -> None:
    message = Outgoing(key="k", destination="slack:C1", subject="*Due* soon",
                       text="> quoted\n# not a heading\nsee https://x.org/a_b_c", due=NOW)
    (section, *_) = message_blocks(message)
    shown = section["text"]["text"]
    assert f"\n{ZWSP}&gt; quoted" in shown
    assert f"*{ZWSP}*{ZWSP}Due{ZWSP}*{ZWSP} soon*" in shown  # our bold around their stars
    assert "https://x.org/a_b_c" in shown  # a link stays whole


def test_slack_escape_leaves_a_code_span_alone() -> None:
    assert escape("slack:#dead_lines", markup=False) == "slack:#dead_lines"
    assert escape("a_b _c_") == f"a_b {ZWSP}_{ZWSP}c{ZWSP}_{ZWSP}"


# --- Discord, Zulip, Mattermost ---------------------------------------------------------------

@pytest.fixture
def webhooks(tmp_path: Path) -> Iterator[Harness]:
    config = Config(
        source="test.toml",
        storage=StorageConfig(database_url=f"sqlite:///{tmp_path / 'ledger.db'}"),
        schedules=(ScheduleConfig(path=hostile_schedule(tmp_path)),),
        discord=DiscordConfig(public_key=PUBLIC_KEY, application_id="123456"),
        zulip=WebhookBotConfig(tokens=(ZULIP_TOKEN,)),
        mattermost=WebhookBotConfig(tokens=(MM_TOKEN,)))
    clock = [NOW]
    service = Service(config, clock=lambda: clock[0])
    app = build_app(service, extra_routes=http_routes(service))
    with serving(app) as url, httpx.Client(timeout=10) as client:
        yield Harness(url=url, http=client, service=service, clock=clock)
    service.ledger.close()


ESCAPED = (r"Call for \*papers\* \_and\_ \~demos\~ a\|b \<!channel\> @everyone \`code\` "
           r"\[link\](http://x) \<t:0:F\> deadline")


def test_discord_answer_escapes_the_title_and_pings_nobody(webhooks: Harness) -> None:
    response = webhooks.discord(command("when is the call for papers deadline?"))
    data = response.json()["data"]
    assert data["allowed_mentions"] == {"parse": []}
    content = data["content"]
    assert f"- **{ESCAPED}**: <t:" in content  # the date line: our bold, their text
    assert "<t:0:F>" not in content and "<!channel>" not in content
    assert content.count(ESCAPED) >= 2, content  # in the answer's text too


def test_zulip_answer_escapes_the_title(webhooks: Harness) -> None:
    content = webhooks.zulip("@**duebot** when is the call for papers deadline?"
                             ).json()["content"]
    assert r"Call for \*papers\* \_and\_ ~" + ZWSP + "demos~" + ZWSP in content
    assert "<t:0:F>" not in content and "<" + ZWSP + "t:0:F" in content
    assert "@everyone" not in content and "@" + ZWSP + "everyone" in content
    assert r"\[link\](http://x)" in content


def test_mattermost_answer_escapes_the_title_and_defuses_everyone(webhooks: Harness) -> None:
    text = webhooks.mattermost(mattermost_hook("duebot when is the call for papers deadline?")
                               ).json()["text"]
    assert r"Call for \*papers\* \_and\_ \~demos\~ a\|b" in text
    assert "@everyone" not in text and "@" + ZWSP + "everyone" in text


def test_markdown_line_markers_are_escaped_and_urls_left_whole() -> None:
    assert escape_markdown("# big\n> quote\n-# small\n1. first\nhttps://x.org/a_b") == (
        "\\# big\n\\> quote\n\\-# small\n1\\. first\nhttps://x.org/a_b")


# --- deliveries: Discord DMs, Apprise ---------------------------------------------------------

def test_discord_reminder_dm_is_escaped() -> None:
    with running_http() as api:
        api.route("/api/v10/users/@me/channels", lambda seen: (200, {"id": "DM1", "type": 1}))
        api.route("/api/v10/channels/", lambda seen: (200, {"id": "m1"}))
        channel = DiscordChannel("token", f"http://{api.base}/api/v10")
        outcome = channel.send(Outgoing(key="k", destination="discord:1", subject="",
                                        text=f"{TITLE} is in 7 days.\n# soon", due=NOW))
        assert outcome.kind == "sent"
        (posted,) = api.to("/api/v10/channels/")
        body = posted.json()
        assert body["content"] == f"{ESCAPED} is in 7 days.\n\\# soon"
        assert body["allowed_mentions"] == {"parse": []}


def test_apprise_message_pings_nobody() -> None:
    with running_http() as server:
        server.route("/hook", lambda seen: (200, {}))
        outcome = AppriseChannel({}).send(Outgoing(
            key="k", destination=f"apprise:json://{server.base}/hook", subject="@channel news",
            text="@everyone: the <@123> deadline moved; write to a@b.org", due=NOW))
        assert outcome.kind == "sent"
        (posted,) = server.to("/hook")
        body = posted.json()
        assert body["message"] == (f"@{ZWSP}everyone: the <@{ZWSP}123> deadline moved; "
                                   f"write to a@b.org")
        assert body["title"] == f"@{ZWSP}channel news"
