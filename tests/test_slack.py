"""The Slack app end to end: signed requests to the real Bolt app served by uvicorn, talking to
the Web API stand-in through the real slack_sdk client."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from starlette.applications import Starlette

from bot.adapters.schedule_files import load_file
from bot.adapters.slack_app import (
    CONFIRM,
    SlackBot,
    _sections,
    answer_blocks,
    http_routes,
    routes_for,
    slack_date,
)
from bot.config import Config, ScheduleConfig, SlackConfig, StorageConfig
from bot.core.ask import Answer
from bot.core.zones import parse_zone
from bot.service import Service
from tests.conftest import SHIPPED
from tests.slack_stub import BOT_ID, BOT_USER, SlackStub, event_body, running_slack, serving, sign

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
SHIPPED_EVENT = load_file(SHIPPED)
NOW = datetime(2017, 9, 1, 12, 0, tzinfo=UTC)
ORGANIZER = "UORGANIZER"
PARTICIPANT = "UPARTICIPANT"


@dataclass
class Harness:
    slack: SlackStub
    service: Service
    url: str
    http: httpx.Client
    events: int = 0
    bot: SlackBot | None = None

    def post(self, body: bytes, content_type: str = "application/json", *,
             headers: dict[str, str] | None = None, secret: str = SECRET,
             timestamp: int | None = None) -> httpx.Response:
        signed = sign(secret, body, timestamp)
        return self.http.post(f"{self.url}/slack/events", content=body,
                              headers={"Content-Type": content_type, **signed,
                                       **(headers or {})})

    def event(self, event: dict[str, Any], *, event_id: str | None = None,
              headers: dict[str, str] | None = None) -> httpx.Response:
        self.events += 1
        return self.post(event_body(event, event_id or f"Ev{self.events:04d}"),
                         headers=headers)

    def mention(self, text: str, user: str = PARTICIPANT, **kw: Any) -> httpx.Response:
        return self.event({"type": "app_mention", "user": user, "channel": "C0GENERAL",
                           "ts": f"1504267200.{self.events:06d}",
                           "text": f"<@{BOT_USER}> {text}"}, **kw)

    def dm(self, text: str, user: str = PARTICIPANT, **extra: Any) -> httpx.Response:
        return self.event({"type": "message", "channel_type": "im", "user": user,
                           "channel": f"D{user}", "ts": f"1504267200.{self.events:06d}",
                           "text": text, **extra})

    def command(self, text: str, user: str = PARTICIPANT) -> httpx.Response:
        body = urlencode({"token": "legacy", "team_id": "T0TEAM", "channel_id": "C0GENERAL",
                          "user_id": user, "command": "/duebot", "text": text,
                          "response_url": self.slack.response_url(), "trigger_id": "1.2.3",
                          "api_app_id": "A0DUEBOT"}).encode()
        return self.post(body, "application/x-www-form-urlencoded")

    def action(self, action_id: str, value: str, user: str) -> httpx.Response:
        payload = {"type": "block_actions", "team": {"id": "T0TEAM"}, "user": {"id": user},
                   "api_app_id": "A0DUEBOT", "trigger_id": "1.2.3",
                   "container": {"type": "message", "channel_id": f"D{user}"},
                   "channel": {"id": f"D{user}"}, "response_url": self.slack.response_url("a1"),
                   "actions": [{"type": "button", "action_id": action_id, "value": value,
                                "block_id": "b1", "action_ts": "1.2"}]}
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return self.post(body, "application/x-www-form-urlencoded")

    def posts(self) -> list[dict[str, Any]]:
        return [c.args for c in self.slack.calls_to("chat.postMessage")]


def make_service(slack: SlackStub, tmp: Path, *, reminders_to: tuple[str, ...] = ("console:",),
                 organizers: tuple[str, ...] = (ORGANIZER,), clock: Any = None) -> Service:
    schedule = tmp / SHIPPED.name  # a copy: `extend` edits the file
    schedule.write_text(SHIPPED.read_text(encoding="utf-8"), encoding="utf-8")
    config = Config(
        source="test.toml",
        storage=StorageConfig(database_url=f"sqlite:///{tmp / 'ledger.db'}"),
        schedules=(ScheduleConfig(path=schedule, reminders_to=reminders_to),),
        slack=SlackConfig(api_base_url=slack.api_url, organizers=organizers,
                          bot_token="xoxb-test", signing_secret=SECRET))
    return Service(config, clock=clock or (lambda: NOW))


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[Harness]:
    with running_slack() as slack:
        slack.add_user(PARTICIPANT, "Asia/Shanghai")
        slack.add_user(ORGANIZER, "Europe/Vienna")
        service = make_service(slack, tmp_path)
        app = Starlette(routes=http_routes(service))
        with serving(app) as url, httpx.Client(timeout=10) as client:
            yield Harness(slack=slack, service=service, url=url, http=client)
        service.ledger.close()


@contextmanager
def bolt_harness(tmp: Path, clock: Callable[[], datetime] | None = None
                 ) -> Iterator[Harness]:
    """The participant (in Shanghai) asking the Bolt app, ``SlackBot``, not the plain routes;
    ``clock``: the service's (a fixed ``NOW`` by default)."""
    with running_slack() as slack:
        slack.add_user(PARTICIPANT, "Asia/Shanghai")
        service = make_service(slack, tmp, clock=clock)
        bot = SlackBot(service, service.config.slack)
        app = Starlette(routes=routes_for(bot))
        with serving(app) as url, httpx.Client(timeout=10) as client:
            yield Harness(slack=slack, service=service, url=url, http=client, bot=bot)
        service.ledger.close()


def texts(args: dict[str, Any]) -> str:
    """Everything a message shows: its fallback and every block's text (not button values)."""
    found = [args.get("text", "")]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "text" and isinstance(value, str):
                    found.append(value)
                elif key != "value":
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(args.get("blocks") or [])
    return "\n".join(found)


def test_mention_is_answered_in_the_askers_zone_with_slack_date_tokens(harness: Harness) -> None:
    response = harness.mention("when is the deadline?")
    assert response.status_code == 200
    harness.slack.wait_for("chat.postMessage")
    post = harness.posts()[0]
    assert post["channel"] == "C0GENERAL"
    assert post["thread_ts"].startswith("1504267200.")
    shown = texts(post)
    # users.info said Asia/Shanghai: the text answer is in the asker's zone ...
    assert "Monday 11 September 2017, 14:59 CST" in post["text"]
    # ... and the date is also a Slack token, so every reader sees their own local time,
    # with the event's own zone beside it and a countdown.
    deadline = int(datetime(2017, 9, 11, 6, 59, tzinfo=UTC).timestamp())
    assert f"<!date^{deadline}^{{date_long_pretty}} {{time}}|" in shown
    assert "23:59 PDT (America/Los_Angeles, UTC-07:00)" in shown
    assert "9 days 18 hours from now" in shown
    assert [c.args["user"] for c in harness.slack.calls_to("users.info")] == [PARTICIPANT]


def test_direct_message_question_is_answered_in_the_dm(harness: Harness) -> None:
    harness.dm("how many pages?")
    harness.slack.wait_for("chat.postMessage")
    post = harness.posts()[0]
    assert post["channel"] == f"D{PARTICIPANT}"
    assert "2 pages" in post["text"]


def test_slash_command_acknowledges_at_once_then_answers_through_response_url(
        harness: Harness) -> None:
    response = harness.command("when is the deadline?")
    assert response.status_code == 200
    assert response.text == ""  # the ack: Slack shows nothing until the answer comes
    harness.slack.wait_for("response_url")
    answered = harness.slack.calls_to("response_url")[0].args
    assert answered["response_type"] == "ephemeral"
    assert "September 2017" in answered["text"]
    assert harness.posts() == []


def test_retried_event_is_answered_once(harness: Harness) -> None:
    first = harness.mention("when is the deadline?", event_id="EvSAME")
    harness.slack.wait_for("chat.postMessage")
    retry = harness.mention("when is the deadline?", event_id="EvSAME",
                            headers={"X-Slack-Retry-Num": "1",
                                     "X-Slack-Retry-Reason": "http_timeout"})
    assert (first.status_code, retry.status_code) == (200, 200)
    harness.dm("how many pages?")  # a later question: once it is answered, the retry was not
    harness.slack.wait_for("chat.postMessage", 2)
    posts = harness.posts()
    assert len(posts) == 2
    assert "2 pages" in posts[1]["text"]


def test_forged_signature_is_refused(harness: Harness) -> None:
    body = event_body({"type": "app_mention", "user": PARTICIPANT, "channel": "C0GENERAL",
                       "ts": "1.1", "text": "when?"}, "EvFORGED")
    response = harness.post(body, secret="not-the-signing-secret")
    assert response.status_code == 401
    assert harness.slack.calls_to("auth.test") == []  # refused before any work


def test_stale_timestamp_is_refused_even_with_a_valid_signature(harness: Harness) -> None:
    import time

    body = event_body({"type": "app_mention", "user": PARTICIPANT, "channel": "C0GENERAL",
                       "ts": "1.1", "text": "when?"}, "EvSTALE")
    response = harness.post(body, timestamp=int(time.time()) - 6 * 60)
    assert response.status_code == 401


def test_own_and_other_bots_messages_are_ignored(harness: Harness) -> None:
    harness.dm("when is the deadline?", user=BOT_USER, bot_id=BOT_ID)
    harness.dm("when is the deadline?", user="UOTHERBOT", bot_id="BOTHER",
               subtype="bot_message")
    harness.dm("message edited", subtype="message_changed")
    harness.dm("how many pages?")
    harness.slack.wait_for("chat.postMessage")
    posts = harness.posts()
    assert len(posts) == 1 and "2 pages" in posts[0]["text"]


def test_user_text_cannot_make_the_bot_ping_the_channel(harness: Harness) -> None:
    # A real @channel arrives as <!channel>; typed brackets arrive as entities.
    harness.dm("announce aisys-sosp17 <!channel> free pizza &lt;!here&gt; & more",
               user=ORGANIZER)
    harness.slack.wait_for("chat.postMessage")
    shown = texts(harness.posts()[0])
    assert "<!channel>" not in shown and "<!here>" not in shown
    assert "&lt;!channel&gt; free pizza &lt;!here&gt; &amp; more" in shown


def test_announce_is_for_organizers_only(harness: Harness) -> None:
    harness.dm("announce aisys-sosp17 The deadline moved!")
    harness.slack.wait_for("chat.postMessage")
    post = harness.posts()[0]
    assert "only the workshop's organizers" in post["text"]
    assert "Confirm" not in texts(post)


def test_announce_shows_a_preview_with_confirm_and_cancel(harness: Harness) -> None:
    harness.dm("announce aisys-sosp17 Posters go up at 9:00.", user=ORGANIZER)
    harness.slack.wait_for("chat.postMessage")
    blocks = harness.posts()[0]["blocks"]
    buttons = {e["action_id"]: e for b in blocks if b["type"] == "actions"
               for e in b["elements"]}
    assert set(buttons) == {"duebot_announce_confirm", "duebot_announce_cancel"}
    # The button carries a key; the text stays on our side.
    key = buttons["duebot_announce_confirm"]["value"]
    assert re.fullmatch(r"[0-9a-f]{16}", key)
    assert json.loads(harness.service.ledger.get_meta(f"slack-preview:{key}") or "") == {
        "event": "aisys-sosp17", "text": "Posters go up at 9:00."}


def preview_key(harness: Harness, text: str) -> str:
    """Ask for a preview as an organizer; the key its Confirm button carries."""
    before = len(harness.posts())
    harness.dm(f"announce aisys-sosp17 {text}", user=ORGANIZER)
    post = harness.slack.wait_for("chat.postMessage", before + 1)[before].args
    return next(e["value"] for b in post["blocks"] if b["type"] == "actions"
                for e in b["elements"] if e["action_id"] == CONFIRM)


def test_confirm_from_someone_else_is_refused(harness: Harness) -> None:
    value = preview_key(harness, "Hijacked")
    assert harness.action(CONFIRM, value, PARTICIPANT).status_code == 200
    harness.slack.wait_for("response_url")
    answered = harness.slack.calls_to("response_url")[0].args
    assert "only the workshop's organizers" in answered["text"]
    assert not harness.service.ledger.audit_entries()
    assert not harness.service.ledger.announcement_rows()


def test_a_double_clicked_confirm_queues_the_announcement_once(harness: Harness) -> None:
    key = preview_key(harness, "Posters go up at 9:00.")
    first = harness.action(CONFIRM, key, ORGANIZER)
    second = harness.action(CONFIRM, key, ORGANIZER)  # milliseconds later
    assert first.status_code == second.status_code == 200
    answers = [c.args["text"] for c in harness.slack.wait_for("response_url", 2)]
    assert len(harness.service.ledger.announcement_rows()) == 1
    assert sum("queued by" in a for a in answers) == 1, answers
    assert sum(a.startswith("Already queued") for a in answers) == 1, answers
    assert len([r for r in harness.service.ledger.rows() if r.kind == "announcement"]) == 1


def test_a_long_announcement_preview_fits_slacks_button_value(harness: Harness) -> None:
    # 1,790 characters of & < > become ~5,000 in escaped JSON: Slack refused the preview.
    text = "Q&A <room> " * 160 + "end"
    assert len(text) <= 1800
    key = preview_key(harness, text)
    assert len(key) <= 2000
    harness.action(CONFIRM, key, ORGANIZER)
    assert "queued by" in harness.slack.wait_for("response_url")[0].args["text"]
    stored = harness.service.ledger.announcement_rows()[0]
    assert stored["text"] == text


def test_a_long_answer_is_split_into_sections_without_cutting_a_date_token() -> None:
    when = SHIPPED_EVENT.date("abstract")
    line = slack_date(when.starts, "Sunday 10 September 2017, 23:59 PDT")
    reply = Answer(intent="deadline", text="x", dates=(when,) * 60)
    blocks = answer_blocks(reply, NOW, parse_zone("Asia/Shanghai"))
    long_text = " ".join([line] * 200)  # one 'line' of 12 kB of tokens
    blocks += answer_blocks(Answer(intent="x", text="", dates=()), NOW, parse_zone("UTC"))
    pieces = [b["text"]["text"] for b in blocks] + [
        b["text"]["text"] for b in _sections(long_text)]
    assert len(_sections(long_text)) >= 4
    for piece in pieces:
        assert len(piece) <= 3000
        assert piece.count("<") == piece.count(">"), piece[-80:]  # no token cut in two
    assert "".join(b["text"]["text"] for b in _sections(long_text)).count("<!date") == 200


def test_a_date_asked_about_again_reads_in_each_readers_zone_with_a_fresh_countdown() -> None:
    when = SHIPPED_EVENT.date("abstract")
    reply = Answer(intent="deadline", text="x", dates=(when,))

    def line(now: datetime, zone: str) -> str:
        return str(answer_blocks(reply, now, parse_zone(zone))[-1]["text"]["text"])

    shanghai, again = line(NOW, "Asia/Shanghai"), line(NOW, "Asia/Shanghai")
    vienna = line(NOW, "Europe/Vienna")
    later = line(NOW + timedelta(days=2), "Asia/Shanghai")
    assert shanghai == again
    assert "14:59 CST>" in shanghai and "08:59 CEST>" in vienna  # each reader's own time
    assert "23:59 PDT (America/Los_Angeles" in vienna  # the event's zone beside it
    assert "9 days 18 hours from now" in shanghai and "7 days 18 hours from now" in later


def test_status_for_an_organizer_by_slash_command(harness: Harness) -> None:
    harness.service.reconcile(NOW)
    harness.command("status", user=ORGANIZER)
    harness.slack.wait_for("response_url")
    answered = harness.slack.calls_to("response_url")[0].args
    assert "AI Systems Workshop @ SOSP 2017 (aisys-sosp17)" in answered["text"]
    assert "next 2017-09-04T06:59:00Z" in answered["text"]


def test_organizer_by_user_group_membership(tmp_path: Path) -> None:
    with running_slack() as slack:
        slack.state.usergroups["S0CHAIRS"] = ["UCHAIR"]
        slack.add_user("UCHAIR")
        service = make_service(slack, tmp_path, organizers=("S0CHAIRS",))
        from bot.adapters.slack_app import SlackBot

        bot = SlackBot(service, service.config.slack)
        assert bot.is_organizer("UCHAIR")
        assert not bot.is_organizer(PARTICIPANT)
        assert bot.is_organizer("UCHAIR")
        assert len(slack.calls_to("usergroups.users.list")) == 1  # cached
        service.ledger.close()


def test_subscribe_then_the_reminder_arrives_by_dm_through_the_ledger(harness: Harness) -> None:
    harness.dm("subscribe")
    harness.slack.wait_for("chat.postMessage")
    assert "Subscribed" in harness.posts()[0]["text"]
    service = harness.service
    assert service.ledger.active_subscribers() == {"aisys-sosp17": (f"slack:{PARTICIPANT}",)}
    service.refresh(NOW)
    due = datetime(2017, 9, 4, 6, 59, tzinfo=UTC)  # 7 days before the abstract deadline
    report = service.deliver_once(due)
    assert report.sent == 2  # console and the subscriber
    harness.slack.wait_for("chat.postMessage", 2)
    reminder = harness.posts()[1]
    assert reminder["channel"] == f"D{PARTICIPANT}"
    assert harness.slack.calls_to("conversations.open")[0].args["users"] == PARTICIPANT
    key = f"aisys-sosp17/abstract/7d|slack:{PARTICIPANT}"
    assert reminder["metadata"] == {"event_type": "duebot_delivery",
                                    "event_payload": {"key": key}}
    row = next(r for r in service.ledger.rows() if r.destination == f"slack:{PARTICIPANT}"
               and r.state == "sent")
    assert row.key == key and row.remote_id.startswith(f"D{PARTICIPANT}/")

    harness.dm("unsubscribe")
    harness.slack.wait_for("chat.postMessage", 3)
    assert "Unsubscribed" in harness.posts()[2]["text"]
    assert service.ledger.active_subscribers() == {}


def test_answers_follow_the_service_clock(harness: Harness) -> None:
    harness.service.clock = lambda: datetime(2017, 9, 12, tzinfo=UTC)
    harness.mention("when is the deadline?")
    harness.slack.wait_for("chat.postMessage")
    assert re.search(r"has passed", harness.posts()[0]["text"])


def test_confirmed_announcement_goes_out_through_the_ledger(harness: Harness) -> None:
    harness.dm("subscribe")
    harness.slack.wait_for("chat.postMessage")
    harness.service.refresh(NOW)  # what the woken delivery loop does first
    value = preview_key(harness, "Posters go up at 9:00 <!here>.")
    harness.action(CONFIRM, value, ORGANIZER)
    harness.slack.wait_for("response_url")
    confirmed = harness.slack.calls_to("response_url")[0].args
    assert confirmed["replace_original"] in (True, "true")
    assert "queued by <@UORGANIZER>" in confirmed["text"]
    service = harness.service
    report = service.deliver_once(NOW)
    assert report.sent == 2  # console and the subscriber's DM
    dm = harness.slack.wait_for("chat.postMessage", 3)[2].args  # subscribed, preview, this
    assert dm["channel"] == f"D{PARTICIPANT}"
    assert dm["metadata"]["event_payload"]["key"].startswith("ann/aisys-sosp17/")
    assert "Posters go up at 9:00 &lt;!here&gt;." in texts(dm)
    assert "<!here>" not in texts(dm)
    assert any(e["action"] == "announce" and e["actor"] == f"slack:{ORGANIZER}"
               for e in service.ledger.audit_entries())


def test_cancel_leaves_nothing_queued(harness: Harness) -> None:
    harness.action("duebot_announce_cancel", "cancel", ORGANIZER)
    harness.slack.wait_for("response_url")
    assert "cancelled" in harness.slack.calls_to("response_url")[0].args["text"]
    assert not harness.service.ledger.announcement_rows()


def test_extend_by_an_organizer_edits_the_schedule_and_retimes_reminders(
        harness: Harness) -> None:
    harness.service.reconcile(NOW)
    harness.command("extend abstract 2017-09-17 23:59", user=ORGANIZER)
    harness.slack.wait_for("response_url")
    answered = harness.slack.calls_to("response_url")[0].args["text"]
    assert "abstract: at 2017-09-10 23:59 -&gt; 2017-09-17 23:59 (extend)" in answered
    assert "re-timed" in answered
    rows = [r for r in harness.service.ledger.rows(event_id="aisys-sosp17")
            if r.item_id == "aisys-sosp17/abstract/7d"]
    assert rows[0].due == datetime(2017, 9, 11, 6, 59, tzinfo=UTC)


def test_extend_by_a_participant_is_refused(harness: Harness) -> None:
    harness.command("extend abstract 2017-09-17 23:59")
    harness.slack.wait_for("response_url")
    assert "only the workshop's organizers" in harness.slack.calls_to(
        "response_url")[0].args["text"]
    assert "2017-09-10 23:59" in harness.service.config.schedules[0].path.read_text()


def _first_reminder_dm(harness: Harness,
                       at: datetime = datetime(2017, 9, 4, 6, 59, tzinfo=UTC)) -> str:
    """The subscriber's first DM reminder (default: the 7-day one of the abstract deadline)."""
    service = harness.service
    service.refresh(NOW)
    before = len(harness.posts())
    service.deliver_once(at)
    harness.slack.wait_for("chat.postMessage", before + 1)
    return str(next(p for p in harness.posts()[before:] if p["channel"] == f"D{PARTICIPANT}"))


@pytest.mark.parametrize("written", ["订阅", "subscribe in Chinese", "请订阅提醒"])
def test_a_subscription_written_in_chinese_brings_chinese_reminders(
        harness: Harness, written: str) -> None:
    harness.dm(written)
    harness.slack.wait_for("chat.postMessage")
    said = harness.posts()[0]["text"]
    assert said.startswith(
        "已订阅：我会通过私信向您发送 *AI Systems Workshop @ SOSP 2017* 的提醒。")
    assert "如需改为英文，请写“my language is English”。" in said
    assert harness.service.ledger.active_subscribers() == {
        "aisys-sosp17": (f"slack:{PARTICIPANT}",)}
    dm = _first_reminder_dm(harness)
    assert "提醒：Poster abstract submission deadline 还有7天" in dm and "Reminder:" not in dm

    harness.dm("退订")
    harness.slack.wait_for("chat.postMessage", 3)
    assert harness.posts()[-1]["text"] == (
        "已退订 *AI Systems Workshop @ SOSP 2017*：不会再通过私信发送提醒。")
    assert harness.service.ledger.active_subscribers() == {}


def test_a_later_message_never_changes_the_language_a_subscriber_chose(
        harness: Harness) -> None:
    harness.dm("my language is English")  # subscribes on the spot, in English
    harness.slack.wait_for("chat.postMessage")
    harness.dm("订阅")  # already subscribed: answered in their choice, which stays
    harness.slack.wait_for("chat.postMessage", 2)
    said = harness.posts()[1]["text"]
    assert said == ("Subscribed: I will send you reminders for *AI Systems Workshop @ SOSP "
                    "2017* by direct message. Send me `unsubscribe` to stop.")
    assert "Reminder: Poster abstract submission deadline in 7 days" in _first_reminder_dm(
        harness)


def test_an_english_subscribe_is_answered_as_before_and_stores_no_language(
        harness: Harness) -> None:
    harness.dm("subscribe")
    harness.slack.wait_for("chat.postMessage")
    assert harness.posts()[0]["text"] == (
        "Subscribed: I will send you reminders for *AI Systems Workshop @ SOSP 2017* by direct "
        "message. Send me `unsubscribe` to stop.")
    assert harness.service.ledger.subscriber_preferences() == {}


def test_a_question_about_subscribers_is_no_subscription(harness: Harness) -> None:
    harness.dm("订阅者可以改时区吗？")
    harness.slack.wait_for("chat.postMessage")
    assert harness.service.ledger.active_subscribers() == {}


def test_a_chinese_command_that_subscribes_on_the_spot_stores_chinese(harness: Harness) -> None:
    harness.dm("提前两天提醒我")
    harness.slack.wait_for("chat.postMessage")
    said = harness.posts()[0]["text"]
    assert said.startswith("好的：") and "如需改为英文，请写“my language is English”。" in said
    two_days = datetime(2017, 9, 9, 6, 59, tzinfo=UTC)
    assert "提醒：Poster abstract submission deadline 还有2天" in _first_reminder_dm(harness,
                                                                                 two_days)


def test_status_shows_schedule_paths_as_the_cli_does(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Relative inside the working folder (as `duebot status`, the log and the errors write
    them), not the server's absolute path."""
    from bot.adapters.schedule_files import display_path
    from bot.app.status import gather, render_table

    monkeypatch.chdir(tmp_path)
    (tmp_path / "schedules").mkdir()
    with running_slack() as slack:
        slack.add_user(ORGANIZER, "Europe/Vienna")
        first = make_service(slack, tmp_path / "schedules")  # its schedule copy and settings
        first.ledger.close()
        kept = first.config
        missing = ScheduleConfig(path=tmp_path / "schedules" / "gone.toml",
                                 reminders_to=("console:",))
        service = Service(Config(source=kept.source, storage=kept.storage,
                                 schedules=(*kept.schedules, missing), slack=kept.slack),
                          clock=lambda: NOW)
        app = Starlette(routes=http_routes(service))
        with serving(app) as url, httpx.Client(timeout=10) as client:
            Harness(slack=slack, service=service, url=url, http=client).command(
                "status", user=ORGANIZER)
            slack.wait_for("response_url")
        text = slack.calls_to("response_url")[0].args["text"]
        cli = render_table(gather(service, NOW, shown=display_path))
        service.ledger.close()
    assert str(tmp_path) not in text
    assert ("AI Systems Workshop @ SOSP 2017 (aisys-sosp17) -- schedules/aisys-sosp17.toml: "
            in text)
    assert "schedules/gone.toml: NOT LOADED (schedules/gone.toml: " in text
    assert "-- schedules/aisys-sosp17.toml" in cli and "schedules/gone.toml: NOT LOADED" in cli
