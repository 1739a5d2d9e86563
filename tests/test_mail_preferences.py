"""Preference commands by mail, end to end: smtplib to duebot's own listener, the real SQLite
ledger, the delivery loop, and an aiosmtpd server playing the subscriber's mail host.

A confirmed subscriber writes "remind me 1 day before the abstract deadline" / "my zone is
Asia/Shanghai" / "my language is 中文": the unsent deliveries are re-planned in the ledger, the
confirmation comes back, and the later runs send each reminder once, at its new time, in
Chinese with the Chinese weekday and their zone's wall clock; the one already sent never goes
again.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.message import EmailMessage

import httpx
from smtp_server import SmtpTestServer
from test_mailbot import (  # noqa: F401 (fixtures)
    Rig,
    arrived_for,
    body,
    confirm_link,
    http,
    participant,
    question,
    rig,
    wait_for,
)

from bot.core.preferences import from_json

DAVE = "dave@uni.example.edu"
ME = f"mailto:{DAVE}"
EVENT = "aisys-sosp17"
# The abstract deadline: Sunday 10 September 2017, 23:59 PDT = 06:59 UTC on the 11th.
SEVEN_DAYS = datetime(2017, 9, 4, 7, 0, tzinfo=UTC)   # just after the 7d reminder was due
ONE_DAY = datetime(2017, 9, 10, 7, 0, tzinfo=UTC)     # just after the 1d reminder was due
THREE_HOURS = datetime(2017, 9, 11, 4, 0, tzinfo=UTC)  # just after the 3h one would have been


def subscribe(rig: Rig, participant: SmtpTestServer) -> None:  # noqa: F811
    confirmation = asked(rig, participant, "subscribe", "hi", "the confirmation")
    replied(rig, participant, confirmation, "yes")
    assert rig.svc.ledger.active_subscribers() == {EVENT: (ME,)}


def asked(rig: Rig, participant: SmtpTestServer,  # noqa: F811
          text: str, subject: str, what: str) -> EmailMessage:
    """Dave's mail, and duebot's answer to it."""
    seen = len(arrived_for(participant, DAVE))
    rig.send(question(text, sender=DAVE, subject=subject))
    return wait_for(lambda: arrived_for(participant, DAVE)[seen:], what)[0].message


def replied(rig: Rig, participant: SmtpTestServer,  # noqa: F811
            to: EmailMessage, text: str) -> str:
    """Dave's reply to one of duebot's mails, and the text of duebot's answer."""
    seen = len(arrived_for(participant, DAVE))
    rig.send(question(text, sender=DAVE, subject=f"Re: {to['Subject']}",
                      In_Reply_To=to["Message-ID"], References=to["Message-ID"]))
    return body(wait_for(lambda: arrived_for(participant, DAVE)[seen:], "the answer")[0]
                .message)


def mails(participant: SmtpTestServer) -> list[str]:  # noqa: F811
    return [str(m.message["Subject"]) for m in arrived_for(participant, DAVE)]


def abstract_rows(rig: Rig) -> dict[str, str]:  # noqa: F811
    return {r.item_id.rsplit("/", 1)[1]: r.state for r in rig.svc.ledger.rows()
            if r.destination == ME and r.date_id == "abstract" and r.kind != "reply"}


def test_mail_commands_retime_unsent_reminders_and_never_resend(
        rig: Rig, participant: SmtpTestServer) -> None:  # noqa: F811
    subscribe(rig, participant)
    rig.move_to(SEVEN_DAYS)
    wait_for(lambda: len(arrived_for(participant, DAVE)) == 3, "the 7-day reminder")
    assert "Reminder: Poster abstract submission deadline in 7 days" in mails(participant)[2]
    assert abstract_rows(rig) == {"7d": "sent", "1d": "pending", "3h": "pending"}

    rig.send(question("remind me 1 day before the abstract deadline\n"
                      "my zone is Asia/Shanghai", sender=DAVE, subject="settings"))
    wait_for(lambda: len(arrived_for(participant, DAVE)) == 4, "the confirmation of the change")
    said = body(arrived_for(participant, DAVE)[3].message)
    assert "Done: times in Asia/Shanghai; 1d before Poster abstract submission deadline" in said
    rig.move_to(datetime(2017, 9, 4, 7, 5, tzinfo=UTC))  # the loop reconciles the change
    # The sent one stays sent; the 3h one is cancelled; the 1d one waits for its time.
    assert abstract_rows(rig) == {"7d": "sent", "1d": "pending", "3h": "cancelled"}

    rig.send(question("my language is 中文", sender=DAVE, subject="language"))
    wait_for(lambda: len(arrived_for(participant, DAVE)) == 5, "the language confirmation")
    # Answered in the language just chosen.
    assert "好的：使用中文。" in body(arrived_for(participant, DAVE)[4].message)

    rig.move_to(ONE_DAY)
    wait_for(lambda: len(arrived_for(participant, DAVE)) == 6, "the 1-day reminder")
    reminder = arrived_for(participant, DAVE)[5].message
    text = body(reminder)
    # In Chinese, with the Chinese weekday; the reader's wall clock (14:59 in Shanghai on
    # Monday the 11th) beside the deadline's own (23:59 PDT on Sunday the 10th).
    assert str(reminder["Subject"]).startswith(
        "[AI Systems Workshop @ SOSP 2017] 提醒：Poster abstract submission deadline 还有1天")
    assert "2017年9月11日星期一 14:59 CST" in str(reminder["Subject"])
    assert "2017年9月10日星期日 23:59 PDT（北美太平洋夏令时间，UTC-07:00）" in text
    assert "您所在时区：2017年9月11日星期一 14:59 CST（中国标准时间，UTC+08:00）。" in text
    assert "Reminder:" not in text and "In UTC" not in text
    html = reminder.get_body(preferencelist=("html",))
    assert html is not None and '<html lang="zh-Hans">' in str(html.get_content())

    rig.move_to(THREE_HOURS)
    rig.move_to(datetime(2017, 9, 12, tzinfo=UTC))
    assert len(arrived_for(participant, DAVE)) == 6  # nothing twice, and no 3h reminder
    assert abstract_rows(rig) == {"7d": "sent", "1d": "sent", "3h": "cancelled"}


def test_an_english_subscriber_is_unchanged_and_an_unknown_language_says_so(
        rig: Rig, participant: SmtpTestServer) -> None:  # noqa: F811
    subscribe(rig, participant)
    rig.send(question("my language is Klingon", sender=DAVE, subject="language"))
    wait_for(lambda: len(arrived_for(participant, DAVE)) == 3, "the answer")
    said = body(arrived_for(participant, DAVE)[2].message)
    assert "in English: I cannot write Klingon yet" in said
    rig.move_to(SEVEN_DAYS)
    wait_for(lambda: len(arrived_for(participant, DAVE)) == 4, "the 7-day reminder")
    reminder = arrived_for(participant, DAVE)[3].message
    assert str(reminder["Subject"]) == ("[AI Systems Workshop @ SOSP 2017] Reminder: Poster "
                                        "abstract submission deadline in 7 days (Sunday 10 "
                                        "September 2017, 23:59 PDT)")
    assert "In UTC: Monday 11 September 2017, 06:59 UTC." in body(reminder)


def test_a_chinese_weekly_digest_comes_on_monday_morning_in_the_readers_zone(
        rig: Rig, participant: SmtpTestServer) -> None:  # noqa: F811
    subscribe(rig, participant)
    rig.send(question("weekly digest\nmy zone is Asia/Shanghai\nmy language is zh",
                      sender=DAVE, subject="settings"))
    wait_for(lambda: len(arrived_for(participant, DAVE)) == 3, "the confirmation")
    said = body(arrived_for(participant, DAVE)[2].message)
    assert "好的：时间显示于Asia/Shanghai；使用中文；每周一一封汇总。" in said
    rig.move_to(SEVEN_DAYS)  # the 7-day reminder is not sent: a digest instead
    rig.move_to(datetime(2017, 9, 11, 1, 5, tzinfo=UTC))  # Monday 09:05 in Shanghai
    wait_for(lambda: len(arrived_for(participant, DAVE)) == 4, "the digest")
    digest = arrived_for(participant, DAVE)[3].message
    assert str(digest["Subject"]) == "AI Systems Workshop @ SOSP 2017：本周，1个日期"
    assert "2017年9月11日星期一 14:59 CST（中国标准时间，UTC+08:00）；即2017年9月10日星期日 " \
        "23:59 PDT" in body(digest)
    rig.move_to(datetime(2017, 9, 12, tzinfo=UTC))
    assert len(arrived_for(participant, DAVE)) == 4


def test_someone_not_yet_subscribed_is_answered_in_the_language_they_wrote(
        rig: Rig, participant: SmtpTestServer) -> None:  # noqa: F811
    rig.send(question("提前两天提醒我", sender=DAVE, subject="提醒"))
    wait_for(lambda: len(arrived_for(participant, DAVE)) == 1, "the answer")
    said = body(arrived_for(participant, DAVE)[0].message)
    assert ("您尚未订阅 AI Systems Workshop @ SOSP 2017 的提醒。请回复“subscribe”（订阅）"
            "并确认") in said
    rig.send(question("my language is zh", sender=DAVE, subject="language"))
    wait_for(lambda: len(arrived_for(participant, DAVE)) == 2, "the second answer")
    assert "您尚未订阅" in body(arrived_for(participant, DAVE)[1].message)
    assert rig.svc.ledger.active_subscribers() == {}  # nothing without the confirmation


def test_an_impossible_lead_time_is_refused_in_the_subscribers_language(
        rig: Rig, participant: SmtpTestServer) -> None:  # noqa: F811
    subscribe(rig, participant)
    rig.send(question("my language is 中文", sender=DAVE, subject="language"))
    wait_for(lambda: len(arrived_for(participant, DAVE)) == 3, "the language confirmation")
    rig.send(question("remind me 200 days before the abstract deadline", sender=DAVE,
                      subject="settings"))
    wait_for(lambda: len(arrived_for(participant, DAVE)) == 4, "the refusal")
    said = body(arrived_for(participant, DAVE)[3].message)
    assert "无法更改您的提醒：提前量：200d 必须大于0且不超过90天" in said
    assert "must be" not in said


def _tokens_out(text: str) -> str:
    return re.sub(r"/(confirm|unsubscribe)/[A-Za-z0-9_-]+", r"/\1/TOKEN", text)


ENGLISH_CONFIRMATION = (
    "Someone, hopefully you, asked for reminders of the important dates of AI Systems "
    "Workshop @ SOSP 2017 to be sent to dave@uni.example.edu.\n\n"
    "To confirm, open this link:\n\n    https://dates.example.org/confirm/TOKEN\n\n"
    "or reply \"yes\" to this mail. If it was not you, ignore this mail: nothing more will be "
    "sent.\n\n-- \nduebot, the dates assistant of AI Systems Workshop @ SOSP 2017. Ask me "
    "about the dates; reply \"subscribe\" for reminders by mail. A person: "
    "ai-systems-workshop-2017@googlegroups.com.\n")


def test_an_english_subscription_by_mail_is_word_for_word_as_before(
        rig: Rig, participant: SmtpTestServer) -> None:  # noqa: F811
    confirmation = asked(rig, participant, "subscribe", "hi", "the confirmation")
    assert str(confirmation["Subject"]) == "Confirm: reminders for AI Systems Workshop @ SOSP 2017"
    assert _tokens_out(body(confirmation)) == ENGLISH_CONFIRMATION
    assert _tokens_out(replied(rig, participant, confirmation, "yes")).startswith(
        "Confirmed: reminders for AI Systems Workshop @ SOSP 2017 will come to "
        "dave@uni.example.edu.\n\nTo stop them, open "
        "https://dates.example.org/unsubscribe/TOKEN or reply \"unsubscribe\".\n\n-- \n")


def test_a_subscription_written_in_chinese_is_confirmed_in_chinese(
        rig: Rig, participant: SmtpTestServer) -> None:  # noqa: F811
    confirmation = asked(rig, participant, "订阅", "订阅", "the confirmation")
    said = body(confirmation)
    assert str(confirmation["Subject"]) == "确认：AI Systems Workshop @ SOSP 2017 的提醒"
    assert "有人（希望是您）请求将 AI Systems Workshop @ SOSP 2017 的重要日期提醒发送到 " \
        "dave@uni.example.edu。" in said
    assert "https://dates.example.org/confirm/" in said
    assert "Someone" not in said and "Ask me" not in said
    assert rig.svc.ledger.active_subscribers() == {}
    assert replied(rig, participant, confirmation, "确认").startswith(
        "已确认：AI Systems Workshop @ SOSP 2017 的提醒将发送到 dave@uni.example.edu。")
    assert rig.svc.ledger.active_subscribers() == {EVENT: (ME,)}
    again = asked(rig, participant, "订阅", "订阅", "already subscribed")  # a second time
    assert body(again).startswith("您已订阅：")
    done = asked(rig, participant, "退订", "退订", "unsubscribed")
    assert body(done).startswith("好的：duebot 不会再向 dave@uni.example.edu 发送提醒。")
    assert rig.svc.ledger.active_subscribers() == {}


def test_a_subscriber_who_chose_chinese_is_answered_in_it_whatever_they_write(
        rig: Rig, participant: SmtpTestServer) -> None:  # noqa: F811
    subscribe(rig, participant)
    asked(rig, participant, "my language is 中文", "language", "the language confirmation")
    done = body(asked(rig, participant, "unsubscribe", "stop", "unsubscribed"))
    assert done.startswith("好的：duebot 不会再向 dave@uni.example.edu 发送提醒。")
    assert "duebot，AI Systems Workshop @ SOSP 2017 的日期助手。" in done


def test_a_question_is_signed_in_the_language_it_is_answered_in(
        rig: Rig, participant: SmtpTestServer) -> None:  # noqa: F811
    """Their choice is Chinese, the question English: the answer is English (the answer
    engine follows the question), and the signature with it, not a Chinese line under it."""
    subscribe(rig, participant)
    asked(rig, participant, "my language is 中文", "language", "the language confirmation")
    answer = body(asked(rig, participant, "When is the abstract deadline?", "q", "the answer"))
    assert "Sunday 10 September 2017" in answer and "Ask me about the dates" in answer


def test_the_link_pages_speak_the_subscribers_language_else_the_browsers(
        rig: Rig, participant: SmtpTestServer, http: str) -> None:  # noqa: F811
    confirmation = asked(rig, participant, "订阅", "订阅", "the confirmation")
    page = httpx.get(http + confirm_link(confirmation),
                     headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"})
    assert page.status_code == 200 and page.headers["Content-Language"] == "zh-Hans"
    assert '<html lang="zh-Hans">' in page.text and "<title>已订阅</title>" in page.text
    assert f"AI Systems Workshop @ SOSP 2017 的提醒将发送到 {DAVE}。" in page.text
    english = httpx.get(http + "/confirm/" + "x" * 20)
    assert english.status_code == 404 and english.headers["Content-Language"] == "en"
    assert "<title>Link not valid</title>" in english.text

    asked(rig, participant, "my language is 中文", "language", "the language confirmation")
    rig.move_to(SEVEN_DAYS)
    reminder = wait_for(lambda: arrived_for(participant, DAVE)[2:], "the reminder")[0].message
    stop = str(reminder["List-Unsubscribe"]).strip("<> ").removeprefix(
        "https://dates.example.org")
    shown = httpx.get(http + stop, headers={"Accept-Language": "en"})  # their choice wins
    assert "<title>停止提醒？</title>" in shown.text and "退订</button>" in shown.text
    done = httpx.post(http + stop, content=b"List-Unsubscribe=One-Click",
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert "<title>已退订</title>" in done.text
    assert rig.svc.ledger.active_subscribers() == {}


def test_a_subscription_written_in_chinese_brings_chinese_reminders(
        rig: Rig, participant: SmtpTestServer) -> None:  # noqa: F811
    """``订阅`` stores Chinese as Dave's choice (the confirmation says how to change it), so the
    first reminder is Chinese without a ``my language is 中文``."""
    confirmation = asked(rig, participant, "订阅", "订阅", "the confirmation")
    assert "您的提醒也将以中文发送；如需改为英文，请写“my language is English”。" in \
        body(confirmation)
    confirmed = replied(rig, participant, confirmation, "确认")
    assert confirmed.startswith("已确认：")  # and says it again: this is the mail one keeps
    assert "如需改为英文，请写“my language is English”。" in confirmed
    rig.move_to(SEVEN_DAYS)
    reminder = wait_for(lambda: arrived_for(participant, DAVE)[2:], "the reminder")[0].message
    assert str(reminder["Subject"]).startswith(
        "[AI Systems Workshop @ SOSP 2017] 提醒：Poster abstract submission deadline 还有7天")
    assert "Reminder:" not in body(reminder)
    # A later English "subscribe" (already subscribed) changes nothing; the choice stays theirs.
    asked(rig, participant, "subscribe", "subscribe", "already subscribed")
    assert from_json(rig.svc.ledger.subscriber_preferences()[EVENT][ME]).language == "zh"


def test_a_confirmation_written_in_chinese_brings_chinese_reminders(
        rig: Rig, participant: SmtpTestServer) -> None:  # noqa: F811
    confirmation = asked(rig, participant, "subscribe", "hi", "the confirmation")
    assert _tokens_out(body(confirmation)) == ENGLISH_CONFIRMATION  # no language said yet
    confirmed = replied(rig, participant, confirmation, "确认")
    assert confirmed.startswith("已确认：AI Systems Workshop @ SOSP 2017 的提醒将发送到 ")
    assert "如需改为英文，请写“my language is English”。" in confirmed
    rig.move_to(SEVEN_DAYS)
    reminder = wait_for(lambda: arrived_for(participant, DAVE)[2:], "the reminder")[0].message
    assert "提醒：" in str(reminder["Subject"])


def test_a_language_asked_for_stays_whatever_the_confirmation_is_written_in(
        rig: Rig, participant: SmtpTestServer) -> None:  # noqa: F811
    confirmation = asked(rig, participant, "my language is English", "subscribe",
                         "the confirmation")
    assert ("Your reminders will come in English; for Chinese, write \"my language is 中文\"."
            in body(confirmation))
    confirmed = replied(rig, participant, confirmation, "确认")
    assert confirmed.startswith("Confirmed: ")  # their choice, not the reply's language
    _planned(rig, DAVE)
    rig.move_to(SEVEN_DAYS)
    reminder = wait_for(lambda: arrived_for(participant, DAVE)[2:], "the reminder")[0].message
    assert str(reminder["Subject"]).startswith("[AI Systems Workshop @ SOSP 2017] Reminder: ")


def _planned(rig: Rig, address: str) -> None:  # noqa: F811
    """Wait until the new subscriber's reminders are planned (the reconcile after their
    confirmation), before the clock moves past the first one."""
    wait_for(lambda: [r for r in rig.svc.ledger.rows() if r.destination == f"mailto:{address}"
                      and r.kind == "reminder" and r.state == "pending"],
             f"reminders planned for {address}")


def test_the_link_confirms_in_the_language_the_subscription_was_written_in(
        rig: Rig, participant: SmtpTestServer, http: str) -> None:  # noqa: F811
    """No Accept-Language at all: the language stored from ``订阅`` is the page's, and the
    page says how to change it; the first reminder is Chinese."""
    confirmation = asked(rig, participant, "订阅", "订阅", "the confirmation")
    page = httpx.get(http + confirm_link(confirmation))
    assert page.status_code == 200 and page.headers["Content-Language"] == "zh-Hans"
    assert "如需改为英文，请写“my language is English”。" in page.text
    _planned(rig, DAVE)  # the link's reconcile first: else the clock may pass it (a busy CI)
    rig.move_to(SEVEN_DAYS)
    reminder = wait_for(lambda: arrived_for(participant, DAVE)[1:], "the reminder")[0].message
    assert "提醒：" in str(reminder["Subject"])
