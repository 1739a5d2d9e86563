"""Reminders each person tunes: read the commands, plan per subscriber, never re-send.

The core is tested on its own (commands, storage, digests); the rest runs on real parts: the
Slack app behind signed requests with the Web API stand-in (tests/slack_stub.py), the real
SQLite ledger, and the preferences page over HTTP with its form key and Origin check.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import icalendar
import pytest
from test_slack import NOW, PARTICIPANT, Harness, harness  # noqa: F401 (fixture)

from bot.adapters.http import build_app
from bot.app import preferences as settings
from bot.core.preferences import (
    Preferences,
    digests_for_subscriber,
    from_json,
    parse_command,
    read_leads,
    reminders_for_subscriber,
    to_json,
)
from bot.core.schedule import parse_schedule
from tests.slack_stub import serving

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "schedules" / "aisys-sosp17.toml"
EVENT = parse_schedule(SHIPPED.read_text(encoding="utf-8"), str(SHIPPED))
ME = f"slack:{PARTICIPANT}"


# --- reading what people write ------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("remind me 2 days and 1 hour before the abstract deadline",
     {"leads": {"abstract": ["2d", "1h"]}}),
    ("Remind me 1 day 12 hours before camera-ready", {"leads": {"camera-ready": ["1d12h"]}}),
    ("remind me an hour before every deadline", {"leads": {"abstract": ["1h"]}}),
    ("remind me a week before", {"leads": {"*": ["7d"]}}),
    ("only deadlines", {"kinds": ["deadline"]}),
    ("only the abstract deadline please", {"dates": ["abstract"]}),
    ("my zone is Asia/Tokyo", {"zone": "Asia/Tokyo"}),
    ("set my timezone to Europe/Paris", {"zone": "Europe/Paris"}),
    ("reply in Chinese", {"language": "zh"}),
    ("用中文", {"language": "zh"}),
    ("weekly digest please", {"digest": "weekly"}),
    ("send me a digest of the next 7 days", {"digest": "next7"}),
    ("提前两天提醒我", {"leads": {"*": ["2d"]}}),
])
def test_commands_are_read_into_preferences(text: str, expected: dict[str, object]) -> None:
    change = parse_command(text, EVENT, Preferences())
    assert change is not None, text
    assert json.loads(to_json(change.prefs)) == expected


@pytest.mark.parametrize("text", [
    "when is the deadline?", "I'm in Shanghai, when is the deadline?", "is it in Chinese time?",
    "how many pages?", "截稿日期是什么时候？", "thanks!", "what does the digest contain?",
])
def test_questions_are_not_commands(text: str) -> None:
    assert parse_command(text, EVENT, Preferences()) is None


def test_impossible_command_says_why() -> None:
    with pytest.raises(ValueError, match="at most 90 days"):
        parse_command("remind me 200 days before the abstract deadline", EVENT, Preferences())
    with pytest.raises(ValueError, match="time zone"):
        parse_command("my zone is Narnia", EVENT, Preferences())


def test_reset_returns_to_the_organizers_plan() -> None:
    tuned = parse_command("only deadlines", EVENT, Preferences())
    assert tuned is not None
    reset = parse_command("reset to defaults", EVENT, tuned.prefs)
    assert reset is not None and reset.prefs.is_default


def test_leads_written_in_two_parts_are_one_lead() -> None:
    assert read_leads("1 day 12 hours") == (timedelta(days=1, hours=12),)
    assert read_leads("2 days and 1 hour") == (timedelta(days=2), timedelta(hours=1))


def test_stored_preferences_round_trip_and_bad_ones_name_the_field() -> None:
    prefs = from_json('{"kinds":["deadline"],"leads":{"*":["2d","1h"]},"zone":"Asia/Tokyo",'
                      '"language":"zh","digest":"weekly"}')
    assert from_json(to_json(prefs)) == prefs
    for bad, field in (('{"kinds":["banquet"]}', "kinds"), ('{"zone":"Nowhere/Land"}', "Nowhere"),
                       ('{"leads":{"*":["0m"]}}', "leads"), ('{"colour":"red"}', "colour"),
                       ('{"digest":"hourly"}', "digest")):
        with pytest.raises(Exception, match=field):
            from_json(bad)


def test_subscriber_reminders_keep_the_schedules_ids() -> None:
    ids = {r.id for r in reminders_for_subscriber(EVENT, Preferences(
        leads={"abstract": (timedelta(days=2), timedelta(hours=3))}))}
    assert "aisys-sosp17/abstract/2d" in ids and "aisys-sosp17/abstract/3h" in ids
    assert "aisys-sosp17/abstract/7d" not in ids
    assert "aisys-sosp17/workshop/7d" in ids  # other dates keep the organizers' lead times
    only = reminders_for_subscriber(EVENT, Preferences(kinds=frozenset({"deadline"})))
    assert {r.date_id for r in only} == {"abstract"}


def test_weekly_digest_lists_each_week_that_has_a_date_at_nine_local() -> None:
    prefs = Preferences(digest="weekly", zone="Asia/Shanghai")
    digests = digests_for_subscriber(EVENT, prefs, start=datetime(2017, 8, 1, tzinfo=UTC),
                                     end=datetime(2017, 11, 1, tzinfo=UTC))
    assert digests
    for digest in digests:
        local = digest.due.astimezone(prefs.reader_zone().tz)  # type: ignore[union-attr]
        assert (local.weekday(), local.hour, local.minute) == (0, 9, 0)
        assert digest.date_ids
    assert not reminders_for_subscriber(EVENT, prefs)  # a digest instead of single reminders


def test_digest_in_chinese_and_in_english() -> None:
    from bot.adapters.template_files import load_templates
    from bot.core.preferences import digest_message
    from bot.core.render import Renderer

    prefs = Preferences(digest="weekly", zone="Asia/Shanghai", language="zh")
    first = digests_for_subscriber(EVENT, prefs, start=datetime(2017, 9, 1, tzinfo=UTC),
                                   end=datetime(2017, 11, 1, tzinfo=UTC))[0]
    zh = Renderer(load_templates()).speaking("zh").lang
    message = digest_message(EVENT, first, prefs, now=first.due, lang=zh)
    assert message.subject == "AI Systems Workshop @ SOSP 2017：本周，1个日期"
    assert message.text.startswith("AI Systems Workshop @ SOSP 2017本周：\n")
    # Monday 09:00 in Shanghai: the reader's wall clock first, the deadline's own beside it.
    assert ("- Poster abstract submission deadline：2017年9月11日星期一 14:59 CST（中国标准时间，"
            "UTC+08:00）；即2017年9月10日星期日 23:59 PDT（北美太平洋夏令时间，UTC-07:00）"
            "（还有5小时59分钟）") in message.text
    english = digest_message(EVENT, first, prefs, now=first.due)
    assert english.subject == "AI Systems Workshop @ SOSP 2017: this week, 1 date"
    assert ("- Poster abstract submission deadline: Monday 11 September 2017, 14:59 CST "
            "(Asia/Shanghai, UTC+08:00); that is Sunday 10 September 2017, 23:59 PDT "
            "(America/Los_Angeles, UTC-07:00) (5 hours 59 minutes from now)") in english.text


# --- in Slack, through the ledger ----------------------------------------------------------


def _unsent(h: Harness) -> set[str]:
    return {r.key for r in h.service.ledger.rows() if r.destination == ME
            and r.state == "pending"}


def test_slack_command_retimes_unsent_and_never_resends(harness: Harness) -> None:  # noqa: F811
    h = harness
    h.dm("subscribe")
    h.slack.wait_for("chat.postMessage")
    service = h.service
    service.refresh(NOW)
    assert f"aisys-sosp17/abstract/7d|{ME}" in _unsent(h)
    # The 7-day reminder goes out as planned.
    report = service.deliver_once(datetime(2017, 9, 4, 6, 59, tzinfo=UTC))
    assert report.sent >= 1
    h.dm("remind me 7 days and 2 days and 1 hour before the abstract deadline")
    h.slack.wait_for("chat.postMessage", 3)
    assert "Done: 7d and 2d and 1h before Poster abstract submission deadline" in \
        h.posts()[-1]["text"]
    service.refresh(NOW)
    unsent = _unsent(h)
    assert f"aisys-sosp17/abstract/2d|{ME}" in unsent
    assert f"aisys-sosp17/abstract/1h|{ME}" in unsent
    assert f"aisys-sosp17/abstract/1d|{ME}" not in unsent  # no longer wanted: cancelled
    cancelled = {r.key for r in service.ledger.rows() if r.state == "cancelled"}
    assert f"aisys-sosp17/abstract/1d|{ME}" in cancelled
    sent = [r for r in service.ledger.rows() if r.key == f"aisys-sosp17/abstract/7d|{ME}"]
    assert [r.state for r in sent] == ["sent"]  # the one already sent is left alone
    # The 2-day reminder arrives once, and only for this subscriber.
    two_days = datetime(2017, 9, 9, 6, 59, tzinfo=UTC)
    before = len(h.posts())
    service.deliver_once(two_days)
    service.deliver_once(two_days + timedelta(minutes=1))
    dms = [p for p in h.posts()[before:] if p["channel"] == f"D{PARTICIPANT}"]
    assert len(dms) == 1
    # Settings shows the choices, with the page link when the base URL is set.
    count = len(h.posts())
    h.dm("settings")
    h.slack.wait_for("chat.postMessage", count + 1)
    assert "Lead times for Poster abstract submission deadline: 7d, 2d, 1h" in \
        h.posts()[-1]["text"]
    # Unsubscribing cancels what is left.
    count = len(h.posts())
    h.dm("unsubscribe")
    h.slack.wait_for("chat.postMessage", count + 1)
    service.refresh(NOW)
    assert _unsent(h) == set()


def test_subscriber_zone_shows_in_the_reminder(harness: Harness) -> None:  # noqa: F811
    h = harness
    h.dm("my zone is Asia/Kolkata")
    h.slack.wait_for("chat.postMessage")
    assert "Done: times in Asia/Kolkata" in h.posts()[-1]["text"]
    service = h.service
    service.refresh(NOW)
    before = len(h.posts())
    service.deliver_once(datetime(2017, 9, 4, 6, 59, tzinfo=UTC))
    h.slack.wait_for("chat.postMessage", before + 1)
    dm = next(p for p in h.posts()[before:] if p["channel"] == f"D{PARTICIPANT}")
    # 23:59 PDT on 10 September is 12:29 IST on 11 September.
    assert "12:29" in str(dm) and "Asia/Kolkata" in str(dm)


def test_chinese_subscriber_gets_a_chinese_reminder_on_slack(harness: Harness) -> None:  # noqa: F811
    h = harness
    h.dm("my language is 中文")
    h.slack.wait_for("chat.postMessage")
    assert "好的：使用中文。" in h.posts()[-1]["text"]
    h.dm("my zone is Asia/Shanghai")
    h.slack.wait_for("chat.postMessage", 2)
    service = h.service
    service.refresh(NOW)
    before = len(h.posts())
    service.deliver_once(datetime(2017, 9, 4, 6, 59, tzinfo=UTC))
    h.slack.wait_for("chat.postMessage", before + 1)
    dm = str(next(p for p in h.posts()[before:] if p["channel"] == f"D{PARTICIPANT}"))
    assert "您所在时区：2017年9月11日星期一 14:59 CST（中国标准时间，UTC+08:00）" in dm
    assert "In your time zone" not in dm


# --- the page /me/<token> and the personal feed --------------------------------------------


def test_preferences_page_changes_reminders_and_refuses_forged_posts(
        harness: Harness) -> None:  # noqa: F811
    h = harness
    service = h.service
    service.ledger.subscribe("aisys-sosp17", ME, NOW, source="slack")
    token = service.ledger.subscriber_token("aisys-sosp17", ME)
    assert token
    service.refresh(NOW)
    with serving(build_app(service)) as base:
        page = httpx.get(f"{base}/me/{token}")
        assert page.status_code == 200 and "Which dates" in page.text
        key = re.search(r'name="form_key" value="([0-9a-f]+)"', page.text)
        assert key
        form = {"form_key": key[1], "date": ["abstract", "workshop"], "leads": "2d 3h",
                "zone": "Europe/Paris", "language": "", "digest": ""}
        forged = httpx.post(f"{base}/me/{token}", data={**form, "form_key": "0" * 64})
        assert forged.status_code == 403
        elsewhere = httpx.post(f"{base}/me/{token}", data=form,
                               headers={"Origin": "https://evil.example"})
        assert elsewhere.status_code == 403 and "evil.example" in elsewhere.text
        saved = httpx.post(f"{base}/me/{token}", data=form, headers={"Origin": base})
        assert saved.status_code == 200 and "Saved." in saved.text
        _, prefs = settings.current(service.ledger, "aisys-sosp17", ME)
        assert prefs.dates == frozenset({"abstract", "workshop"})
        assert prefs.zone == "Europe/Paris"
        service.refresh(NOW)
        unsent = _unsent(h)
        assert unsent == {f"aisys-sosp17/abstract/2d|{ME}", f"aisys-sosp17/abstract/3h|{ME}",
                          f"aisys-sosp17/workshop/2d|{ME}", f"aisys-sosp17/workshop/3h|{ME}"}
        bad = httpx.post(f"{base}/me/{token}", data={**form, "zone": "Mars/Olympus"})
        assert bad.status_code == 200 and "Not saved" in bad.text
        # The personal feed: their dates only, alarms at their lead times.
        feed = httpx.get(f"{base}/me/{token}.ics")
        assert feed.status_code == 200
        calendar = icalendar.Calendar.from_ical(feed.content)
        uids = {str(v["uid"]) for v in calendar.walk("VEVENT")}
        assert uids == {"aisys-sosp17.abstract@duebot", "aisys-sosp17.workshop@duebot"}
        triggers = {a.decoded("trigger") for v in calendar.walk("VEVENT")
                    for a in v.walk("VALARM")}
        assert triggers == {timedelta(days=-2), timedelta(hours=-3)}
        assert httpx.get(f"{base}/me/nope").status_code == 404
        assert httpx.get(f"{base}/me/nope.ics").status_code == 404


# --- the page in the subscriber's language ---------------------------------------------------


@contextmanager
def _page_client(h: Harness, language: str | None = None) -> Iterator[tuple[httpx.Client, str]]:
    """The real app served on loopback, a client for it, and a subscriber's token."""
    service = h.service
    service.ledger.subscribe("aisys-sosp17", ME, NOW, source="slack")
    if language:
        service.ledger.set_preferences("aisys-sosp17", ME, json.dumps({"language": language}),
                                       NOW)
    token = service.ledger.subscriber_token("aisys-sosp17", ME)
    assert token
    with serving(build_app(service)) as url, httpx.Client(base_url=url, timeout=10) as client:
        yield client, token


def _form_of(page: str) -> dict[str, str | list[str]]:
    key = re.search(r'name="form_key" value="([0-9a-f]+)"', page)
    assert key
    return {"form_key": key[1], "date": ["abstract"], "leads": "", "zone": "",
            "language": "", "digest": ""}


def test_page_in_the_subscribers_language(harness: Harness) -> None:  # noqa: F811
    with _page_client(harness, "zh") as (client, token):
        _chinese_page(harness, client, token)


def _chinese_page(harness: Harness, client: httpx.Client, token: str) -> None:  # noqa: F811
    page = client.get(f"/me/{token}", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert page.status_code == 200 and page.headers["content-language"] == "zh-Hans"
    assert '<html lang="zh-Hans">' in page.text  # their choice wins over the browser's
    assert "<title>您的提醒：AI Systems Workshop @ SOSP 2017</title>" in page.text
    assert "<legend>哪些日期</legend>" in page.text and "语言：中文 (Chinese)" in page.text
    assert "> 截止日期</label>" in page.text and "<code>2d 1h</code>" in page.text
    assert '<option value="zh" selected>中文 (Chinese)</option>' in page.text
    assert "Which dates" not in page.text and "Save" not in page.text
    feed = icalendar.Calendar.from_ical(client.get(f"/me/{token}.ics").content)
    assert str(feed["X-WR-CALNAME"]) == "AI Systems Workshop @ SOSP 2017（您的日期）"
    # An impossible lead time is refused in Chinese, and nothing is stored.
    bad = client.post(f"/me/{token}", data={**_form_of(page.text), "leads": "200d",
                                            "language": "zh"})
    assert "未保存：提前量：200d 必须大于0且不超过90天" in bad.text
    assert "Not saved" not in bad.text
    nowhere = client.post(f"/me/{token}", data={**_form_of(page.text), "zone": "Narnia",
                                                "language": "zh"})
    assert "未保存：我不认识时区 &#39;Narnia&#39;" in nowhere.text
    forged = client.post(f"/me/{token}", data={**_form_of(page.text), "form_key": "0" * 64})
    assert forged.status_code == 403 and "未更改：表单已过期，或并非来自此页面。" in forged.text
    elsewhere = client.post(f"/me/{token}", data=_form_of(page.text),
                            headers={"Origin": "https://evil.example"})
    assert elsewhere.status_code == 403 and "请求来自 https://evil.example" in elsewhere.text
    _, prefs = settings.current(harness.service.ledger, "aisys-sosp17", ME)
    assert prefs.language == "zh" and prefs.dates is None and not prefs.leads
    # Choosing English on the Chinese page answers in English at once.
    saved = client.post(f"/me/{token}", data={**_form_of(page.text), "language": ""},
                        headers={"Origin": str(client.base_url).rstrip("/")})
    assert saved.status_code == 200 and '<html lang="en">' in saved.text
    assert "Saved. Unsent reminders follow your new choices." in saved.text


@pytest.mark.parametrize(("header", "tag", "words"), [
    ("zh-CN,zh;q=0.9,en;q=0.8", "zh-Hans", "哪些日期"),
    ("fr-FR,fr;q=0.9,zh-TW;q=0.5", "zh-Hans", "哪些日期"),
    ("en-US,en;q=0.9,zh;q=0.8", "en", "Which dates"),
    ("de;q=1, zh;q=0", "en", "Which dates"),
    (None, "en", "Which dates"),
])
def test_page_follows_the_browser_when_they_chose_no_language(
        harness: Harness, header: str | None, tag: str, words: str) -> None:  # noqa: F811
    with _page_client(harness) as (client, token):
        page = client.get(f"/me/{token}", headers={"Accept-Language": header} if header else {})
    assert f'<html lang="{tag}">' in page.text and words in page.text
    assert page.headers["vary"] == "Accept-Language"
    # The browser's language is not a choice: the form still says English, the default.
    assert '<option value="" selected>English</option>' in page.text


def test_unknown_link_in_the_browsers_language(harness: Harness) -> None:  # noqa: F811
    with _page_client(harness) as (client, _):
        gone = client.get("/me/nope", headers={"Accept-Language": "zh"})
        assert gone.status_code == 404 and "<h1>链接无效</h1>" in gone.text
        assert "<h1>Link not valid</h1>" in client.get("/me/nope").text


def test_kinds_are_named_in_the_subscribers_language() -> None:
    from bot.adapters.template_files import load_templates
    from bot.core.preferences import describe
    from bot.core.render import Renderer

    zh = Renderer(load_templates()).speaking("zh").lang
    change = parse_command("only deadlines and notifications", EVENT, Preferences())
    assert change is not None
    assert change.summary == "only deadline, notification"  # English as before
    assert change.summary_in(zh) == "仅限截止日期，录用通知"
    assert "仅限：截止日期，录用通知" in describe(EVENT, change.prefs, zh)
    assert "Only: deadline, notification" in describe(EVENT, change.prefs)
