"""The ``slack:`` channel against the Web API stand-in: Block Kit, metadata, pacing, the crash
window, and Slack's errors mapped to outcomes (and through the engine to the ledger)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.adapters.slack_channel import SlackChannel, escape, slack_client
from bot.config import Config, ScheduleConfig, SlackConfig, StorageConfig
from bot.errors import ConfigError
from bot.ports import Outgoing
from bot.service import Service, build_channels
from tests.conftest import SHIPPED
from tests.slack_stub import SlackStub, dropped, error, ratelimited, running_slack

DUE = datetime(2017, 9, 4, 6, 59, tzinfo=UTC)


class FakeTime:
    """A monotonic clock that only moves when the channel sleeps (or the test says so)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 3))
        self.now += seconds


@pytest.fixture
def slack() -> Iterator[SlackStub]:
    with running_slack() as stub:
        stub.add_user("U0PART", "Asia/Shanghai")
        yield stub


def channel_for(slack: SlackStub, clock: FakeTime | None = None) -> SlackChannel:
    clock = clock or FakeTime()
    return SlackChannel(slack_client("xoxb-test", slack.api_url), channel_rate=1.0,
                        monotonic=clock, sleep=clock.sleep)


def outgoing(destination: str = "slack:#general", key: str = "aisys/abstract/7d|slack:#general",
             *, text: str = "The abstract deadline is in 7 days.", attempt: int = 1,
             calendar_url: str = "https://dates.example.org/e/aisys/abstract.ics") -> Outgoing:
    return Outgoing(key=key, destination=destination, subject="Abstract deadline in 7 days",
                    text=text, due=DUE, event_id="aisys", date_id="abstract",
                    calendar_url=calendar_url, attempt=attempt)


def test_a_reminder_is_block_kit_with_fallback_calendar_button_and_key_metadata(
        slack: SlackStub) -> None:
    outcome = channel_for(slack).send(outgoing())
    assert outcome.kind == "sent"
    post = slack.calls_to("chat.postMessage")[0].args
    assert post["channel"] == "#general"
    assert post["text"].startswith("Abstract deadline in 7 days\nThe abstract deadline")
    kinds = [b["type"] for b in post["blocks"]]
    assert kinds == ["section", "context", "actions"]
    button = post["blocks"][2]["elements"][0]
    assert button["url"] == "https://dates.example.org/e/aisys/abstract.ics"
    assert button["text"]["text"] == "Add to calendar"
    assert post["metadata"] == {"event_type": "duebot_delivery",
                                "event_payload": {"key": "aisys/abstract/7d|slack:#general"}}
    assert outcome.remote_id == f"C0GENERAL/{slack.posted('C0GENERAL')[0]['ts']}"
    assert slack.calls_to("chat.postMessage")[0].token == "xoxb-test"


def test_no_calendar_button_without_a_link(slack: SlackStub) -> None:
    channel_for(slack).send(outgoing(calendar_url=""))
    post = slack.calls_to("chat.postMessage")[0].args
    assert [b["type"] for b in post["blocks"]] == ["section", "context"]


def test_text_from_the_schedule_is_escaped(slack: SlackStub) -> None:
    channel_for(slack).send(outgoing(text="Bring <!channel> & <https://evil|a link>"))
    post = slack.calls_to("chat.postMessage")[0].args
    shown = post["text"] + json.dumps(post["blocks"])
    assert "<!channel>" not in shown and "<https://evil" not in shown
    assert "&lt;!channel&gt; &amp; &lt;https://evil|a link&gt;" in post["text"]


def test_escape_leaves_no_control_characters() -> None:
    assert escape("a<b>&c") == "a&lt;b&gt;&amp;c"
    assert "<" not in escape("<!here|x> <@U1>") and ">" not in escape("<!here|x> <@U1>")


def test_a_person_gets_a_dm_through_conversations_open(slack: SlackStub) -> None:
    channel = channel_for(slack)
    assert channel.send(outgoing("slack:U0PART", "k1|slack:U0PART")).kind == "sent"
    assert channel.send(outgoing("slack:U0PART", "k2|slack:U0PART")).kind == "sent"
    assert len(slack.calls_to("conversations.open")) == 1  # the DM's id is remembered
    assert [m["metadata"]["event_payload"]["key"] for m in slack.posted("DU0PART")] == [
        "k1|slack:U0PART", "k2|slack:U0PART"]
    context = slack.calls_to("chat.postMessage")[0].args["blocks"][1]
    assert "unsubscribe" in context["elements"][0]["text"]


def test_posts_are_paced_per_channel_without_waiting_on_the_wall_clock(
        slack: SlackStub) -> None:
    clock = FakeTime()
    channel = channel_for(slack, clock)
    channel.send(outgoing(key="a"))
    channel.send(outgoing("slack:C0RANDOM", key="b"))  # another channel: no wait
    assert clock.slept == []
    clock.now += 0.25
    channel.send(outgoing(key="c"))
    assert clock.slept == [0.75]
    channel.send(outgoing(key="d"))
    assert clock.slept == [0.75, 1.0]
    assert len(slack.calls_to("chat.postMessage")) == 4


def test_rate_limit_is_retried_after_retry_after_and_not_asked_again_meanwhile(
        slack: SlackStub) -> None:
    clock = FakeTime()
    channel = channel_for(slack, clock)
    slack.script("chat.postMessage", ratelimited(7))
    outcome = channel.send(outgoing(key="a"))
    assert (outcome.kind, outcome.retry_after) == ("retry", timedelta(seconds=7))
    clock.now += 2
    again = channel.send(outgoing(key="b"))
    assert (again.kind, again.retry_after) == ("retry", timedelta(seconds=5))
    assert len(slack.calls_to("chat.postMessage")) == 1
    clock.now += 5
    assert channel.send(outgoing(key="c")).kind == "sent"


@pytest.mark.parametrize(("code", "words"), [
    ("not_in_channel", "invite it there"),
    ("channel_not_found", "check reminders_to"),
    ("is_archived", "is archived"),
])
def test_channel_errors_are_dead_with_words_for_the_organizers(slack: SlackStub, code: str,
                                                                words: str) -> None:
    slack.script("chat.postMessage", error(code))
    outcome = channel_for(slack).send(outgoing())
    assert outcome.kind == "dead"
    assert code in outcome.reason and words in outcome.reason
    assert "slack:#general" in outcome.reason


@pytest.mark.parametrize("code", ["invalid_auth", "token_revoked", "account_inactive"])
def test_auth_errors_stop_the_channel(slack: SlackStub, code: str) -> None:
    slack.script("chat.postMessage", error(code))
    outcome = channel_for(slack).send(outgoing())
    assert outcome.kind == "stop" and code in outcome.reason
    assert "SLACK_BOT_TOKEN" in outcome.reason


def test_server_errors_are_passing(slack: SlackStub) -> None:
    slack.script("chat.postMessage", error("internal_error", 500))
    assert channel_for(slack).send(outgoing()).kind == "retry"


def test_dropped_connection_is_retried_once_by_us_not_by_slack_sdk(slack: SlackStub) -> None:
    slack.script("chat.postMessage", dropped())
    outcome = channel_for(slack).send(outgoing())
    # the post went and no answer came: it may have landed, so this try counts
    assert outcome.kind == "retry" and not outcome.uses_no_attempt
    assert "may have been delivered" in outcome.reason
    assert len(slack.calls_to("chat.postMessage")) == 1  # no hidden second post


def test_a_retry_after_a_post_that_landed_is_not_posted_twice(slack: SlackStub) -> None:
    slack.script("chat.postMessage", dropped(land=True))  # Slack took it; we never heard
    channel = channel_for(slack)
    first = channel.send(outgoing(key="k|slack:#general"))
    assert first.kind == "retry"
    second = channel_for(slack).send(outgoing(key="k|slack:#general", attempt=2))
    assert second.kind == "sent" and "already posted" in second.reason
    assert len(slack.posted("C0GENERAL")) == 1
    history = slack.calls_to("conversations.history")[0].args
    assert history["channel"] == "C0GENERAL"  # "#general" resolved by conversations.list
    assert history["include_all_metadata"] in ("1", "true", "True")
    assert float(history["oldest"]) <= DUE.timestamp()


def test_a_retry_that_did_not_land_is_posted(slack: SlackStub) -> None:
    channel = channel_for(slack)
    channel.send(outgoing(key="other|slack:#general"))
    outcome = channel.send(outgoing(key="k|slack:#general", attempt=2))
    assert outcome.kind == "sent" and outcome.reason == ""
    assert len(slack.posted("C0GENERAL")) == 2


# --- through the engine and the ledger --------------------------------------------------------

def slack_service(slack: SlackStub, tmp: Path, destination: str,
                  clock: FakeTime | None = None) -> Service:
    config = Config(source="test.toml",
                    storage=StorageConfig(database_url=f"sqlite:///{tmp / 'ledger.db'}"),
                    schedules=(ScheduleConfig(path=SHIPPED, reminders_to=(destination,)),),
                    slack=SlackConfig(api_base_url=slack.api_url, bot_token="xoxb-test",
                                      signing_secret="s"))
    channels = None if clock is None else {"slack": channel_for(slack, clock)}
    service = Service(config, clock=lambda: DUE, channels=channels)
    service.reconcile(datetime(2017, 9, 1, tzinfo=UTC))
    return service


def test_not_in_channel_makes_the_delivery_dead_with_the_reason(slack: SlackStub,
                                                                 tmp_path: Path) -> None:
    slack.state.outside.add("C0RANDOM")
    service = slack_service(slack, tmp_path, "slack:#random")
    report = service.deliver_once(DUE)
    assert report.dead == 1
    row = service.ledger.rows(states=["dead"])[0]
    assert "not_in_channel" in row.reason and "invite" in row.reason
    service.ledger.close()


def test_invalid_auth_stops_the_slack_channel_and_keeps_the_delivery(slack: SlackStub,
                                                                     tmp_path: Path) -> None:
    slack.script("chat.postMessage", error("invalid_auth"))
    service = slack_service(slack, tmp_path, "slack:#general")
    report = service.engine.deliver_due(DUE)
    assert report.sent == 0 and report.released == 1
    assert "invalid_auth" in service.engine.stopped["slack"]
    row = service.ledger.rows(event_id="aisys-sosp17")[0]
    assert row.state == "pending" and "channel stopped" in row.reason
    assert row.attempts == 0
    # Looked at again one poll later, not at once: a stopped channel must not make `run`
    # claim and give back the same rows every 50 ms.
    poll = service.config.delivery.poll
    assert row.next_attempt >= DUE + poll
    assert service.next_wait() >= poll.total_seconds() - 1
    again = service.engine.deliver_due(DUE + timedelta(seconds=1))
    assert again.released == 0 and again.sent == 0
    service.ledger.close()


def test_rate_limit_through_the_engine_retries_at_retry_after(slack: SlackStub,
                                                              tmp_path: Path) -> None:
    slack.script("chat.postMessage", ratelimited(30))
    clock = FakeTime()
    service = slack_service(slack, tmp_path, "slack:#general", clock)
    service.deliver_once(DUE)
    row = service.ledger.rows(states=["failed"])[0]
    assert row.next_attempt == DUE + timedelta(seconds=30)
    assert service.deliver_once(DUE + timedelta(seconds=29)).handled == 0
    clock.now += 30
    assert service.deliver_once(DUE + timedelta(seconds=30)).sent == 1
    assert len(slack.posted("C0GENERAL")) == 1
    service.ledger.close()


def test_a_crash_after_slack_took_the_post_does_not_post_twice(slack: SlackStub,
                                                               tmp_path: Path) -> None:
    slack.script("chat.postMessage", dropped(land=True))
    service = slack_service(slack, tmp_path, "slack:#general")
    service.deliver_once(DUE)  # recorded as a passing failure; the message is in the channel
    later = DUE + timedelta(minutes=2)
    assert service.deliver_once(later).sent == 1
    assert len(slack.posted("C0GENERAL")) == 1
    row = service.ledger.rows(states=["sent"])[0]
    assert "already posted" in row.reason and row.remote_id.startswith("C0GENERAL/")
    service.ledger.close()


def test_slack_destination_without_a_token_is_a_startup_error() -> None:
    config = Config(source="duebot.toml",
                    schedules=(ScheduleConfig(path=SHIPPED, reminders_to=("slack:#general",)),))
    with pytest.raises(ConfigError, match="SLACK_BOT_TOKEN"):
        build_channels(config)


def test_slack_channel_exists_whenever_there_is_a_token() -> None:
    config = Config(source="duebot.toml", schedules=(ScheduleConfig(path=SHIPPED),),
                    slack=SlackConfig(bot_token="xoxb-test"))
    assert set(build_channels(config)) == {"console", "slack", "apprise"}
