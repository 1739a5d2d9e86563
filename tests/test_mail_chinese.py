"""Mail in Chinese end to end, through the SMTP listener ``duebot run`` starts and the
delivery loop to the participant's aiosmtpd: GB2312/GBK/Big5 bodies and RFC 2047 subjects read
in full (GBK text labelled GB2312 too), Chinese quote headers and separators cut, the reply in
Chinese, UTF-8, in the thread."""

from __future__ import annotations

import base64
import smtplib
from pathlib import Path

import pytest
from smtp_server import SmtpTestServer

from tests import test_mailbot
from tests.test_mailbot import ADDRESS, Rig, body, one_reply

participant = test_mailbot.participant
rig = test_mailbot.rig

ALICE = "alice@uni.example.edu"


def send_raw(rig: Rig, raw: bytes, *, sender: str = ALICE) -> None:
    """The bytes as a mail program wrote them, to duebot's listener (250 once handled)."""
    with smtplib.SMTP("127.0.0.1", rig.port, timeout=10) as client:
        client.sendmail(sender, [ADDRESS], raw)


def raw_mail(text: str, charset: str, *, codec: str | None = None, subject: str = "Question",
             msgid: str = "<zh1@uni.example.edu>", more: str = "") -> bytes:
    """A single-part text/plain mail, 8-bit, labelled ``charset``, its bytes from ``codec``."""
    head = (f"From: Alice Liu <{ALICE}>\r\nTo: {ADDRESS}\r\nSubject: {subject}\r\n"
            f"Message-ID: {msgid}\r\nDate: Fri, 01 Sep 2017 20:00:00 +0800\r\n{more}"
            f"MIME-Version: 1.0\r\nContent-Type: text/plain; charset={charset}\r\n"
            f"Content-Transfer-Encoding: 8bit\r\n\r\n")
    return head.encode("ascii") + text.replace("\n", "\r\n").encode(codec or charset)


def b_word(text: str, charset: str, codec: str) -> str:
    return f"=?{charset}?B?{base64.b64encode(text.encode(codec)).decode('ascii')}?="


def test_a_gbk_subject_labelled_gb2312_is_read_in_full_and_repeated_in_utf8(
        rig: Rig, participant: SmtpTestServer) -> None:
    # 镕 is in GBK, not in GB2312: mail programs label such text GB2312 all the same.
    subject = b_word("朱镕的问题", "gb2312", "gbk")
    send_raw(rig, raw_mail("论文页数限制是多少？\n", "gb2312", codec="gbk", subject=subject))
    reply = one_reply(participant, ALICE)
    assert reply["Subject"] == "Re: 朱镕的问题"
    assert "页数上限为 2 页" in body(reply)
    assert reply.get_content_charset() == "utf-8"
    assert reply["In-Reply-To"] == "<zh1@uni.example.edu>"


@pytest.mark.parametrize("charset, codec, text", [
    ("gb2312", "gbk", "镕：论文页数限制是多少？"),
    ("GBK", "gbk", "镕：论文页数限制是多少？"),
    ("gb18030", "gb18030", "镕：论文页数限制是多少？"),
    ("big5", "big5hkscs", "嘅：論文頁數限制是多少？"),  # 嘅 is HKSCS, labelled Big5
])
def test_chinese_bodies_in_their_legacy_charsets_are_answered_in_chinese(
        rig: Rig, participant: SmtpTestServer, charset: str, codec: str, text: str) -> None:
    send_raw(rig, raw_mail(text + "\n", charset, codec=codec))
    said = body(one_reply(participant, ALICE))
    assert "2 页" in said or "2 頁" in said, said
    assert "\ufffd" not in said


QQ_QUOTE = """论文页数限制是多少？

------------------ 原始邮件 ------------------
发件人: "Bob"<bob@uni.example.edu>;
发送时间: 2017年8月28日(星期一) 上午9:00
收件人: "dates"<dates@example.org>;
主题: 截止日期

摘要截止日期是什么时候？
"""

GMAIL_QUOTE = """论文页数限制是多少？

在 2017年8月28日 周一 09:00，Bob <bob@uni.example.edu> 写道：
摘要截止日期是什么时候？
"""

OUTLOOK_QUOTE = """论文页数限制是多少？

发件人: Bob <bob@uni.example.edu>
发送时间: 2017年8月28日 9:00
收件人: dates
主题: 截止日期

摘要截止日期是什么时候？
"""

APPLE_HANT_QUOTE = """論文頁數限制是多少？

從我的 iPhone 傳送

Bob <bob@uni.example.edu> 於 2017年8月28日 週一 上午9:00 寫道：
摘要截止日期是什麼時候？
"""


@pytest.mark.parametrize("text", [QQ_QUOTE, GMAIL_QUOTE, OUTLOOK_QUOTE, APPLE_HANT_QUOTE],
                         ids=["qq", "gmail", "outlook", "apple-hant"])
def test_only_the_new_question_of_a_chinese_reply_is_answered(
        rig: Rig, participant: SmtpTestServer, text: str) -> None:
    send_raw(rig, raw_mail(text, "utf-8", subject="Re: question"))
    said = body(one_reply(participant, ALICE))
    assert "2 页" in said or "2 頁" in said, said
    # The quoted earlier question (the abstract deadline) is not answered again.
    assert "23:59" not in said and "截止" not in said.split("-- ")[0], said


@pytest.mark.parametrize("charset, codec, text", [
    ("gb2312", "gbk", "朱镕：论文页数限制是多少？"),
    ("big5", "big5hkscs", "嘅：論文頁數限制是多少？"),
])
def test_the_question_is_read_without_a_replacement_character(charset: str, codec: str,
                                                              text: str) -> None:
    from email.parser import BytesParser
    from email.policy import default

    from bot.core.mail_parse import question_of

    message = BytesParser(policy=default).parsebytes(raw_mail(text, charset, codec=codec))
    assert question_of(message) == f"Question\n{text}"


@pytest.mark.parametrize("date, shown, absent", [
    ("Fri, 01 Sep 2017 20:00:00 +0800", "14:59 UTC+08:00", ""),
    ("Fri, 01 Sep 2017 17:30:00 +0530", "12:29 UTC+05:30", ""),
    ("Fri, 01 Sep 2017 05:00:00 -0700", "23:59 PDT", "that is"),  # the event's own: once
    ("Fri, 01 Sep 2017 12:00:00 +0000", "23:59 PDT", "UTC+00:00"),  # UTC for all: not said
    ("Fri, 01 Sep 2017 12:00:00 -0000", "23:59 PDT", "UTC+00:00"),  # unknown (RFC 5322)
])
def test_the_offset_of_the_mails_date_is_the_readers_when_no_zone_is_named(
        rig: Rig, participant: SmtpTestServer, date: str, shown: str, absent: str) -> None:
    raw = raw_mail("When is the abstract deadline?\n", "utf-8").replace(
        b"Date: Fri, 01 Sep 2017 20:00:00 +0800", f"Date: {date}".encode())
    send_raw(rig, raw)
    said = body(one_reply(participant, ALICE))
    assert shown in said and "23:59 PDT" in said, said
    assert not absent or absent not in said, said


def test_a_zone_the_question_names_wins_over_the_dates_offset(
        rig: Rig, participant: SmtpTestServer) -> None:
    send_raw(rig, raw_mail("When is the abstract deadline? I'm in Paris.\n", "utf-8"))
    said = body(one_reply(participant, ALICE))
    assert "08:59 CEST" in said and "UTC+08:00" not in said, said


def test_a_charset_alias_python_lacks_is_read_not_kept_as_malformed(
        rig: Rig, participant: SmtpTestServer) -> None:
    send_raw(rig, raw_mail("论文页数限制是多少？\n", "x-gbk", codec="gbk"))
    assert "2 页" in body(one_reply(participant, ALICE))
    spool = rig.tmp / "spool"
    assert not spool.exists() or not list(spool.iterdir())  # nothing malformed about it


@pytest.mark.parametrize("subject", [
    "回复：摘要截止日期", "回复: 摘要截止日期", "RE：摘要截止日期", "转发：回复：摘要截止日期",
    b_word("回复：摘要截止日期", "gbk", "gbk")])
def test_a_chinese_reply_prefix_is_folded_into_one_re(rig: Rig, participant: SmtpTestServer,
                                                       subject: str) -> None:
    raw = raw_mail("论文页数限制是多少？\n", "utf-8", subject="SUBJECT").replace(
        b"SUBJECT", subject.encode("utf-8"))
    send_raw(rig, raw)
    reply = one_reply(participant, ALICE)
    assert reply["Subject"] == "Re: 摘要截止日期"
    said = body(reply)
    assert "23:59" not in said, said  # the subject is no new question in a reply


def test_over_imap_a_gbk_question_with_a_qq_quote_is_answered_once_in_chinese(
        tmp_path: Path) -> None:
    from imap_server import running_imap
    from smtp_server import running_smtp

    from tests.test_imap_job import running
    from tests.test_mailbot import arrived_for, wait_for

    raw = raw_mail(QQ_QUOTE.replace("论文", "朱镕：论文"), "gb2312", codec="gbk",
                   subject=b_word("回复：朱镕的问题", "gb2312", "gbk"),
                   msgid="<imap1@uni.example.edu>")
    control = raw_mail("How many pages?\n", "utf-8", msgid="<imap2@uni.example.edu>").replace(
        ALICE.encode(), b"control@uni.example.edu")
    with running_smtp() as participant, running_imap() as imap:
        imap.add(raw)
        with running(tmp_path, participant, imap) as service:
            found = wait_for(lambda: arrived_for(participant, ALICE), "the answer over IMAP")
            imap.add(raw)  # the same mail again (a second copy in the folder): no second answer
            imap.add(control)  # read after it: once this is answered, the copy was handled
            service.jobs.wake("imap")
            wait_for(lambda: arrived_for(participant, "control@uni.example.edu"),
                     "the control answer")
    assert len(arrived_for(participant, ALICE)) == 1
    reply = found[0].message
    assert reply["Subject"] == "Re: 朱镕的问题"
    assert reply["In-Reply-To"] == "<imap1@uni.example.edu>"
    said = body(reply)
    assert "页数上限为 2 页" in said and "截止" not in said.split("-- ")[0], said
