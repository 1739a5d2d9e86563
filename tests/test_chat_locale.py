"""The platform's locale for the asker breaks the tie when a question does not say its language
(``ddl?``, a bare ``deadline``): Discord's interaction ``locale``, Slack's ``users.info``
locale. A question written in one language is answered in it whatever the locale says.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from bot.adapters.slack_app import SlackBot, routes_for
from bot.app.chat_conversation import tie_break
from tests.slack_stub import running_slack, serving
from tests.test_chat_platforms import Harness, command
from tests.test_chat_platforms import harness as harness  # the fixture
from tests.test_slack import PARTICIPANT, make_service
from tests.test_slack import Harness as SlackHarness


def discord(harness: Harness, question: str, locale: str) -> str:
    response = harness.discord(command(question, locale=locale))
    assert response.status_code == 200
    return str(response.json()["data"]["content"])


@pytest.mark.parametrize("question", ["ddl?", "deadline", "DDL!!"])
def test_discord_a_question_that_says_no_language_is_answered_in_the_askers_locale(
        harness: Harness, question: str) -> None:
    content = discord(harness, question, "zh-CN")
    assert "已延期" in content and "还有" in content, content  # the engine's Chinese
    assert "你的时间" in content  # and the date line's
    assert "days" not in content


def test_discord_zh_tw_is_answered_in_traditional_characters(harness: Harness) -> None:
    content = discord(harness, "ddl?", "zh-TW")
    assert "還有" in content and "还有" not in content, content


def test_discord_a_question_written_in_one_language_keeps_it(harness: Harness) -> None:
    english = discord(harness, "when is the abstract deadline?", "zh-CN")
    assert "Poster abstract submission deadline (extended) is" in english
    assert "已延期" not in english
    chinese = discord(harness, "摘要截止是什么时候？", "en-US")
    assert "已延期" in chinese
    assert "ddl" not in discord(harness, "ddl?", "en-US")  # English, as before
    assert "(extended) is" in discord(harness, "ddl?", "en-US")


def test_tie_break_reads_only_the_locale_we_answer_in() -> None:
    assert tie_break("ddl?", "zh-CN") == ("zh", False)
    assert tie_break("ddl?", "zh-HK") == ("zh", True)
    assert tie_break("ddl?", "zh_Hant_TW") == ("zh", True)
    assert tie_break("ddl?", "en-GB") == ("en", False)
    assert tie_break("ddl?", "fr") is None and tie_break("ddl?", "") is None
    assert tie_break("when is it?", "zh-CN") is None
    assert tie_break("截止？", "en-US") is None


# --- Slack --------------------------------------------------------------------------------------

def test_discord_zh_tw_names_a_zone_by_cldr_zh_hant_and_says_every_phrase_in_it(
        harness: Harness) -> None:
    # It was converted character by character after the engine: "印度時間" where CLDR's
    # zh_Hant says "印度標準時間".
    content = discord(harness, "Kolkata?", "zh-TW")
    assert "印度標準時間" in content and "印度時間" not in content, content
    assert not _simplified(content), content


def _simplified(text: str) -> set[str]:
    """The simplified characters of a reply (the shipped schedule's titles are English)."""
    from bot.core.ask import hant

    return {c for c in text if c in hant.TO_HANT}


@pytest.fixture
def slack(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[SlackHarness]:
    with running_slack() as stub:
        stub.add_user(PARTICIPANT, "Asia/Shanghai")
        stub.state.users[PARTICIPANT]["locale"] = getattr(request, "param", "zh-CN")
        service = make_service(stub, tmp_path)
        bot = SlackBot(service, service.config.slack)
        with serving(Starlette(routes=routes_for(bot))) as url, \
                httpx.Client(timeout=10) as client:
            yield SlackHarness(slack=stub, service=service, url=url, http=client, bot=bot)
        service.ledger.close()


def test_slack_users_locale_breaks_the_tie(slack: SlackHarness) -> None:
    slack.mention("ddl?")
    (posted,) = (c.args for c in slack.slack.wait_for("chat.postMessage"))
    assert "已延期" in posted["text"], posted["text"]
    (asked, *_) = slack.slack.calls_to("users.info")
    assert str(asked.args.get("include_locale")).casefold() in ("1", "true"), asked.args


def test_slack_an_english_question_stays_english_for_a_chinese_locale(
        slack: SlackHarness) -> None:
    slack.mention("when is the abstract deadline?")
    (posted,) = (c.args for c in slack.slack.wait_for("chat.postMessage"))
    assert "(extended) is" in posted["text"] and "已延期" not in posted["text"]


@pytest.mark.parametrize("slack", ["zh-TW", "zh-HK"], indirect=True)
def test_slack_zh_tw_gets_the_engines_traditional_answer_with_cldr_zone_names(
        slack: SlackHarness) -> None:
    slack.mention("Kolkata?")
    (posted,) = (c.args for c in slack.slack.wait_for("chat.postMessage"))
    text = posted["text"]
    assert "印度標準時間" in text and "還有" in text, text
    assert not _simplified(text), text
