"""A participant writing to duebot by mail, end to end: smtplib (or raw bytes, as a mail
program wrote them) to the SMTP listener ``duebot run`` starts, the conversation, the ledger,
and the delivery loop's reply to the participant's aiosmtpd on loopback.

Each answer is checked against the shipped schedule by hand (the clock: 2017-09-01 12:00 UTC):
the abstract deadline is Sunday 2017-09-10 23:59 PDT = 2017-09-11 06:59 UTC (Monday 14:59 in
Beijing, 15:59 at +09:00, 9 days 18 hours from now); the notification Wednesday 2017-09-20 and
the camera-ready Tuesday 2017-10-10, all day in Los Angeles (the camera-ready's end is
Wednesday 11 October 15:00 in Beijing); the workshop Saturday 2017-10-28 in Shanghai.
"""

from __future__ import annotations

import base64
import quopri
import smtplib
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from smtp_server import SmtpTestServer

from tests import test_mailbot
from tests.test_mailbot import (
    ADDRESS,
    START,
    Rig,
    arrived_for,
    body,
    one_reply,
    question,
    wait_for,
)

participant = test_mailbot.participant
rig = test_mailbot.rig

ALICE = "alice@uni.example.edu"
TITLES = ("Poster abstract submission deadline", "Acceptance notifications",
          "Final file upload (camera-ready)", "AI Systems Workshop @ SOSP 2017")


def send_raw(rig: Rig, raw: bytes, *, sender: str = ALICE) -> None:
    with smtplib.SMTP("127.0.0.1", rig.port, timeout=10) as client:
        client.sendmail(sender, [ADDRESS], raw)


def head(subject: str = "Question", *, msgid: str = "", more: str = "",
         date: str = "Fri, 01 Sep 2017 20:00:00 +0800") -> str:
    return (f"From: Alice Liu <{ALICE}>\r\nTo: {ADDRESS}\r\nSubject: {subject}\r\n"
            f"Message-ID: {msgid or make_msgid(domain='uni.example.edu')}\r\n"
            f"Date: {date}\r\n{more}MIME-Version: 1.0\r\n")


def nth(server: SmtpTestServer, address: str, n: int) -> EmailMessage:
    found = wait_for(lambda: len(arrived_for(server, address)) >= n and arrived_for(
        server, address), f"mail {n} to {address}")
    return found[n - 1].message


def later(rig: Rig, hours: int) -> None:
    """Move the clock on (past the per-sender rate limit of 4 an hour)."""
    rig.clock.now = START + timedelta(hours=hours)


def reply_to(ours: EmailMessage, text: str, *, sender: str = f"Alice Liu <{ALICE}>",
             earlier: str = "") -> EmailMessage:
    """A reply to our mail, threaded as a mail program threads it."""
    refs = " ".join(x for x in (earlier, str(ours["References"] or ""), ours["Message-ID"])
                    if x)
    mail = question(text, sender=sender, subject=f"Re: {ours['Subject']}",
                    In_Reply_To=ours["Message-ID"], References=" ".join(dict.fromkeys(
                        refs.split())))
    return mail


# -- how people write --------------------------------------------------------------------------

def test_an_html_only_quoted_printable_chinese_mail_is_answered_in_chinese(
        rig: Rig, participant: SmtpTestServer) -> None:
    html = ("<html><body><div>老师您好：</div><p>请问<b>摘要</b>截止时间是北京时间几点？</p>"
            "<div class=\"gmail_quote\">Bob 写道：会议在哪里？</div></body></html>")
    raw = (head("摘要截止").replace("Subject: 摘要截止", "Subject: =?utf-8?b?"
                                   + base64.b64encode("摘要截止".encode()).decode() + "?=")
           + "Content-Type: text/html; charset=utf-8\r\n"
           "Content-Transfer-Encoding: quoted-printable\r\n\r\n").encode("ascii") \
        + quopri.encodestring(html.encode("utf-8"))
    send_raw(rig, raw)
    said = body(one_reply(participant, ALICE))
    assert "2017年9月11日星期一 14:59（中国标准时间，UTC+08:00）" in said, said
    assert "会议在哪里" not in said and "上海" not in said.split("-- ")[0]


def test_a_quoted_printable_chinese_plain_mail_with_a_date_at_0800_gets_beijing_time(
        rig: Rig, participant: SmtpTestServer) -> None:
    raw = (head() + "Content-Type: text/plain; charset=utf-8\r\n"
           "Content-Transfer-Encoding: quoted-printable\r\n\r\n").encode("ascii") \
        + quopri.encodestring("截稿是什么时候？\r\n".encode())
    send_raw(rig, raw)
    said = body(one_reply(participant, ALICE))
    assert "2017年9月11日星期一 14:59" in said and "UTC+08:00" in said, said
    assert "2017年9月10日星期日 23:59（北美太平洋夏令时间，UTC-07:00）" in said


def test_a_date_header_at_0900_gives_that_offset_beside_the_events_zone(
        rig: Rig, participant: SmtpTestServer) -> None:
    rig.send(question("when is the abstract deadline?", Date="Fri, 01 Sep 2017 21:00:00 +0900"))
    said = body(one_reply(participant, ALICE))
    assert "Monday 11 September 2017, 15:59" in said and "UTC+09:00" in said, said
    assert "Sunday 10 September 2017, 23:59 PDT" in said


QQ_MAIL = """请问录用通知什么时候发？

发自我的iPhone

------------------ 原始邮件 ------------------
发件人: "Bob"<bob@uni.example.edu>;
发送时间: 2017年8月28日(星期一) 上午9:00
收件人: "dates"<dates@example.org>;
主题: 问题

页数限制是多少？会议在哪里？
"""


def test_a_gb2312_qq_mail_with_a_phone_signature_and_a_quoted_mail(
        rig: Rig, participant: SmtpTestServer) -> None:
    raw = (head("=?gb2312?B?" + base64.b64encode("录用通知".encode("gb2312")).decode()
                + "?=") + "Content-Type: text/plain; charset=gb2312\r\n"
           "Content-Transfer-Encoding: base64\r\n\r\n").encode("ascii") \
        + base64.encodebytes(QQ_MAIL.replace("\n", "\r\n").encode("gbk"))
    send_raw(rig, raw)
    reply = one_reply(participant, ALICE)
    said = body(reply)
    assert "Acceptance notifications" in said and "2017年9月20日星期三" in said, said
    assert "页数上限" not in said and "上海" not in said.split("-- ")[0]
    assert reply["Subject"] == "Re: 录用通知"


OUTLOOK = """Hi,

Is the camera-ready deadline AoE?

Thanks,
Bob Chen
PhD student, Systems Group
Example University | +1 555 0100

________________________________
From: Alice Liu <alice@uni.example.edu>
Sent: Thursday, August 31, 2017 10:00 AM
To: Bob Chen <bob@uni.example.edu>
Subject: FW: AI Systems workshop

When is the banquet? Is there a hotel block?

-----Original Message-----
From: organizers
How many pages may the abstract have? Where is the workshop?
"""


def test_an_outlook_reply_with_a_signature_and_a_long_thread_asks_only_its_own_question(
        rig: Rig, participant: SmtpTestServer) -> None:
    rig.send(question(OUTLOOK, sender="Bob Chen <bob@uni.example.edu>",
                      subject="RE: FW: AI Systems workshop"))
    said = body(one_reply(participant, "bob@uni.example.edu"))
    assert said.startswith("No"), said
    assert "Final file upload (camera-ready)" in said and "Tuesday 10 October 2017" in said
    for other in ("banquet", "hotel", "2 pages", "Shanghai, China"):
        assert other not in said, other


def test_a_reply_to_header_gets_the_answer_and_the_from_gets_nothing(
        rig: Rig, participant: SmtpTestServer) -> None:
    rig.send(question("How many pages may the abstract have?",
                      sender="Alice Liu <alice@lab-gateway.example.edu>",
                      Reply_To="Alice Liu <alice.liu@home.example.net>"))
    said = body(one_reply(participant, "alice.liu@home.example.net"))
    assert "2 pages" in said
    assert not arrived_for(participant, "alice@lab-gateway.example.edu")


def test_subscribe_with_reply_to_subscribes_the_reply_to_address(
        rig: Rig, participant: SmtpTestServer) -> None:
    home = "alice.liu@home.example.net"
    rig.send(question("subscribe", sender=f"Alice <{ALICE}>", Reply_To=home))
    confirmation = one_reply(participant, home)
    assert home in body(confirmation)
    rig.send(reply_to(confirmation, "yes", sender=f"Alice <{ALICE}>") if False else
             _with_reply_to(reply_to(confirmation, "yes"), home))
    wait_for(lambda: len(arrived_for(participant, home)) == 2, "the confirmation reply")
    assert rig.svc.ledger.active_subscribers() == {"aisys-sosp17": (f"mailto:{home}",)}


def _with_reply_to(mail: EmailMessage, address: str) -> EmailMessage:
    mail["Reply-To"] = address
    return mail


def test_a_mail_from_a_mailing_list_is_not_answered(rig: Rig,
                                                    participant: SmtpTestServer) -> None:
    # The README: no answer to List-Id (or Precedence: list), whoever Reply-To names.
    rig.send(question("When is the deadline? (asked on the list)",
                      sender="'Alice Liu' via AI Systems <ai-systems@googlegroups.com>",
                      Reply_To=ALICE, List_Id="<ai-systems.googlegroups.com>",
                      Precedence="list"), mail_from="ai-systems+bncBC@googlegroups.com")
    rig.send(question("when is the deadline?", sender="control@uni.example.edu"))
    one_reply(participant, "control@uni.example.edu")
    assert not arrived_for(participant, ALICE)
    assert not arrived_for(participant, "ai-systems@googlegroups.com")


def test_an_attachment_is_not_read_as_the_question(rig: Rig,
                                                   participant: SmtpTestServer) -> None:
    mail = question("How many pages may this draft have? It is attached.")
    mail.add_attachment(b"%PDF-1.4\nWhen is the banquet? Where is the hotel?\n%%EOF\n",
                        maintype="application", subtype="pdf", filename="draft.pdf")
    mail.add_attachment("notes: when is the banquet?", filename="notes.txt")
    rig.send(mail)
    said = body(one_reply(participant, ALICE))
    assert "2 pages" in said and "banquet" not in said, said


def test_two_questions_in_one_mail_get_one_reply_with_both_in_order(
        rig: Rig, participant: SmtpTestServer) -> None:
    rig.send(question("Dear organizers,\n\nwhen will the notifications be sent? And where is "
                      "the workshop held?\n\nBest,\nAlice"))
    said = body(one_reply(participant, ALICE))
    assert "Wednesday 20 September 2017" in said and "Shanghai" in said, said
    assert said.index("20 September") < said.index("Shanghai")


def test_a_multipart_alternative_mail_is_read_from_its_plain_part(
        rig: Rig, participant: SmtpTestServer) -> None:
    mail = question("What is the page limit?")
    mail.add_alternative("<p>What is the page limit?</p>", subtype="html")
    rig.send(mail)
    assert "2 pages" in body(one_reply(participant, ALICE))


def test_a_chinese_subject_with_no_body_is_the_question(rig: Rig,
                                                        participant: SmtpTestServer) -> None:
    raw = (head("=?utf-8?b?" + base64.b64encode("会议在哪里举办？".encode()).decode() + "?=")
           + "Content-Type: text/plain; charset=utf-8\r\n\r\n\r\n").encode("ascii")
    send_raw(rig, raw)
    said = body(one_reply(participant, ALICE))
    assert "上海" in said or "Shanghai" in said, said
    assert "2017年10月28日星期六" in said


def test_a_question_the_schedule_cannot_answer_is_declined_with_what_it_holds(
        rig: Rig, participant: SmtpTestServer) -> None:
    rig.send(question("Is there a discount at the conference hotel?"))
    said = body(one_reply(participant, ALICE)).split("\n-- \n")[0]
    assert "does not say" in said and "ai-systems-workshop-2017@googlegroups.com" in said
    for title in TITLES:
        assert title in said, title
    for word in ("September", "October", "day", "PDT", "CST"):  # no date passes for the hotel's
        assert word not in said, word


# -- follow-ups in a mail thread ---------------------------------------------------------------

def test_and_in_beijing_time_in_reply_to_our_answer_keeps_the_camera_ready(
        rig: Rig, participant: SmtpTestServer) -> None:
    rig.send(question("When is the camera-ready due?"))
    ours = one_reply(participant, ALICE)
    assert "Tuesday 10 October 2017" in body(ours)
    rig.send(reply_to(ours, "and in Beijing time?\n\nOn Fri, Sep 1, 2017, duebot wrote:\n"
                            "> Final file upload (camera-ready): at the end of Tuesday"))
    said = body(nth(participant, ALICE, 2))
    assert "Final file upload (camera-ready)" in said, said
    assert "Wednesday 11 October 2017, 15:00 CST (Asia/Shanghai, UTC+08:00)" in said, said


def test_what_about_the_poster_one_in_reply_switches_the_date(
        rig: Rig, participant: SmtpTestServer) -> None:
    rig.send(question("When is the notification?"))
    ours = one_reply(participant, ALICE)
    rig.send(reply_to(ours, "What about the poster one?"))
    said = body(nth(participant, ALICE, 2))
    assert said.startswith("The Poster abstract submission deadline"), said
    assert "Sunday 10 September 2017, 23:59 PDT" in said


def test_a_chinese_follow_up_in_the_thread_is_answered_in_chinese(
        rig: Rig, participant: SmtpTestServer) -> None:
    rig.send(question("When is the abstract deadline?"))
    ours = one_reply(participant, ALICE)
    rig.send(reply_to(ours, "那北京时间呢？"))
    said = body(nth(participant, ALICE, 2))
    assert "2017年9月11日星期一 14:59（中国标准时间" in said, said


def test_a_new_mail_without_references_starts_afresh(rig: Rig,
                                                     participant: SmtpTestServer) -> None:
    rig.send(question("When is the camera-ready due?"))
    one_reply(participant, ALICE)
    rig.send(question("and in Beijing time?", subject="another question"))
    said = body(nth(participant, ALICE, 2))
    assert "Final file upload" not in said.split("\n-- \n")[0], said


# -- subscribing and tuning by mail --------------------------------------------------------------

def test_subscribe_remind_me_3_days_before_then_stop_the_posters_then_leave(
        rig: Rig, participant: SmtpTestServer) -> None:
    rig.send(question("subscribe"))
    confirmation = one_reply(participant, ALICE)
    rig.send(reply_to(confirmation, "yes"))
    assert "Confirmed" in body(nth(participant, ALICE, 2))
    rig.send(question("remind me 3 days before the abstract deadline", subject="reminders"))
    said = body(nth(participant, ALICE, 3))
    assert said.startswith("Done: 3d before Poster abstract submission deadline"), said
    svc = rig.svc
    svc.refresh(rig.clock())
    mine = [r for r in svc.ledger.rows() if r.destination == f"mailto:{ALICE}"
            and r.state == "pending"]
    assert {r.item_id for r in mine if r.date_id == "abstract"} == {"aisys-sosp17/abstract/3d"}
    later(rig, 1)
    rig.send(question("Please stop the reminders for posters.", subject="reminders"))
    said = body(nth(participant, ALICE, 4))
    assert said.startswith("Done: no reminders for Poster abstract submission deadline"), said
    svc.refresh(rig.clock())
    dates = {r.date_id for r in svc.ledger.rows() if r.destination == f"mailto:{ALICE}"
             and r.state == "pending"}
    assert "abstract" not in dates and {"camera-ready", "workshop"} <= dates, dates
    later(rig, 2)
    rig.send(question("stop the reminders", subject="enough"))
    said = body(nth(participant, ALICE, 5))
    assert said.startswith("Done: duebot sends no more reminders"), said
    assert svc.ledger.active_subscribers() == {}


def test_chinese_subscribe_confirm_tune_and_leave(rig: Rig, participant: SmtpTestServer) -> None:
    rig.send(question("订阅", subject="订阅"))
    confirmation = one_reply(participant, ALICE)
    assert str(confirmation["Subject"]).startswith("确认：")
    rig.send(reply_to(confirmation, "确认"))
    confirmed = body(nth(participant, ALICE, 2))
    assert "中文" in confirmed or "确认" in confirmed, confirmed
    rig.send(question("提前三天提醒我摘要截止日期", subject="提醒"))
    said = body(nth(participant, ALICE, 3))
    assert said.startswith("好的") and "3d" in said, said
    later(rig, 1)
    rig.send(question("不要再提醒我海报的截止日期", subject="提醒"))
    said = body(nth(participant, ALICE, 4))
    assert said.startswith("好的") and "不再提醒Poster abstract submission deadline" in said, said
    svc = rig.svc
    svc.refresh(rig.clock())
    dates = {r.date_id for r in svc.ledger.rows() if r.destination == f"mailto:{ALICE}"
             and r.state == "pending"}
    assert "abstract" not in dates and "workshop" in dates, dates
    later(rig, 2)
    rig.send(question("退订", subject="退订"))
    said = body(nth(participant, ALICE, 5))
    assert "\ufffd" not in said and svc.ledger.active_subscribers() == {}
    assert "Done" not in said.split("\n-- \n")[0], said  # in Chinese, as they chose


def test_a_settings_command_before_subscribing_changes_nothing_and_says_how(
        rig: Rig, participant: SmtpTestServer) -> None:
    rig.send(question("remind me 3 days before the abstract deadline"))
    said = body(one_reply(participant, ALICE))
    assert "not subscribed" in said and "subscribe" in said, said
    assert rig.svc.ledger.active_subscribers() == {}


def test_an_unsubscribe_over_the_rate_limit_is_done_without_an_answer(
        rig: Rig, participant: SmtpTestServer) -> None:
    rig.send(question("subscribe"))
    confirmation = one_reply(participant, ALICE)
    rig.send(reply_to(confirmation, "yes"))
    nth(participant, ALICE, 2)
    rig.send(question("how many pages?"))
    rig.send(question("where is the workshop?"))
    nth(participant, ALICE, 4)  # rate_limit = "4 per hour": this sender has had them all
    rig.send(question("no more reminders, please", subject="thanks"))
    assert rig.svc.ledger.active_subscribers() == {}
    rig.send(question("when is the deadline?", sender="control@uni.example.edu"))
    one_reply(participant, "control@uni.example.edu")
    assert len(arrived_for(participant, ALICE)) == 4  # the limit holds: no fifth mail


def test_a_follow_up_that_carries_only_in_reply_to_reads_against_our_answer(
        rig: Rig, participant: SmtpTestServer) -> None:
    rig.send(question("When is the camera-ready due?"))
    ours = one_reply(participant, ALICE)
    # Some web and phone clients send In-Reply-To alone, no References.
    rig.send(question("and in Beijing time?", subject=f"Re: {ours['Subject']}",
                      In_Reply_To=ours["Message-ID"]))
    second = nth(participant, ALICE, 2)
    said = body(second)
    assert "Wednesday 11 October 2017, 15:00 CST" in said, said
    # The next one, with the whole References, reads against the latest answer it saw.
    rig.send(reply_to(second, "is it AoE?"))
    said = body(nth(participant, ALICE, 3))
    assert said.startswith("No") and "Final file upload (camera-ready)" in said, said


def test_a_question_that_then_names_the_senders_zone_is_answered_in_it_not_stored(
        rig: Rig, participant: SmtpTestServer) -> None:
    mail = question("", subject="Abstract")
    mail.set_content("<div>When is the abstract due? my timezone is Europe/Paris</div>"
                     "<div>--</div><div>Alice</div>", subtype="html")
    rig.send(mail)
    said = body(one_reply(participant, ALICE))
    assert "Monday 11 September 2017, 08:59 CEST (Europe/Paris, UTC+02:00)" in said, said
    assert "not subscribed" not in said


def test_a_settings_command_under_a_subject_that_asks_is_still_the_command(
        rig: Rig, participant: SmtpTestServer) -> None:
    rig.svc.ledger.subscribe("aisys-sosp17", f"mailto:{ALICE}", START, source="mail")
    rig.send(question("my zone is Asia/Tokyo", subject="Could you show times in my zone?"))
    said = body(one_reply(participant, ALICE))
    assert said.startswith("Done: times in Asia/Tokyo"), said


def test_is_the_workshop_on_a_weekend_is_yes_for_a_saturday(
        rig: Rig, participant: SmtpTestServer) -> None:
    rig.send(question("Is the workshop on a weekend?"))
    said = body(one_reply(participant, ALICE))
    assert said.startswith("Yes") and "Saturday 28 October 2017" in said, said


def test_can_i_submit_late_and_when_says_the_deadline_once(
        rig: Rig, participant: SmtpTestServer) -> None:
    rig.send(question("Can I submit late? When is the deadline in Beijing time?"))
    said = body(one_reply(participant, ALICE))
    assert "does not say whether late submissions are accepted" in said, said
    assert said.count("Monday 11 September 2017, 14:59 CST") == 1, said


def test_bu_yao_zai_ti_xing_wo_le_by_mail_unsubscribes_in_chinese(
        rig: Rig, participant: SmtpTestServer) -> None:
    rig.svc.ledger.subscribe("aisys-sosp17", f"mailto:{ALICE}", START, source="mail")
    rig.send(question("请不要再提醒我了。", subject="提醒"))
    said = body(one_reply(participant, ALICE)).split("\n-- \n")[0]
    assert ALICE in said and "Done" not in said and "\ufffd" not in said, said
    assert rig.svc.ledger.active_subscribers() == {}
