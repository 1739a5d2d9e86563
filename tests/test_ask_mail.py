"""The answer engine by mail: a follow-up in a mail thread reads against the thread's last
question; a question in Chinese is answered in Chinese."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from smtp_server import SmtpTestServer

from tests import test_mailbot
from tests.test_mailbot import SHIPPED, Rig, arrived_for, body, question, wait_for

# The mail tests' fixtures, shared: the participant's SMTP server and the running mail rig.
participant = test_mailbot.participant
rig = test_mailbot.rig

ALICE = "alice@uni.example.edu"


def test_a_follow_up_mail_in_the_thread_reads_against_its_last_question(
        rig: Rig, participant: SmtpTestServer) -> None:
    first = question("When is the camera-ready due?", subject="camera ready")
    first["Message-ID"] = "<q1@uni.example.edu>"
    rig.send(first)
    wait_for(lambda: len(arrived_for(participant, ALICE)) >= 1, "the first reply")
    follow = question("Thanks! And in IST?", subject="Re: camera ready",
                      References="<q1@uni.example.edu> <r1@duebot.test>",
                      In_Reply_To="<r1@duebot.test>")
    follow["Message-ID"] = "<q2@uni.example.edu>"
    rig.send(follow)
    found = wait_for(lambda: arrived_for(participant, ALICE)[1:], "the second reply")
    text = body(found[0].message)
    assert "Final file upload" in text
    assert "IST (Asia/Kolkata" in text


def test_a_chinese_follow_up_mail_after_an_english_question_is_answered_in_chinese(
        rig: Rig, participant: SmtpTestServer) -> None:
    """The reply's language is the follow-up's own; the thread gives the date."""
    first = question("When is the camera-ready due?", subject="camera ready")
    first["Message-ID"] = "<q1@uni.example.edu>"
    rig.send(first)
    wait_for(lambda: len(arrived_for(participant, ALICE)) >= 1, "the first reply")
    follow = question("那北京时间呢？", subject="Re: camera ready",
                      References="<q1@uni.example.edu> <r1@duebot.test>",
                      In_Reply_To="<r1@duebot.test>")
    follow["Message-ID"] = "<q2@uni.example.edu>"
    rig.send(follow)
    found = wait_for(lambda: arrived_for(participant, ALICE)[1:], "the second reply")
    text = body(found[0].message)
    assert text.startswith("Final file upload (camera-ready)：")
    assert "2017年10月11日星期三 15:00（中国标准时间，UTC+08:00）" in text
    assert "的日期助手" in text  # the signature in the answer's language too


@pytest.fixture
def two(tmp_path: Path, participant: SmtpTestServer) -> Iterator[Rig]:
    """duebot with two schedules: the shipped one and a copy under another id and name."""
    other = tmp_path / "other.toml"
    other.write_text(SHIPPED.read_text(encoding="utf-8").replace(
        'id = "aisys-sosp17"', 'id = "zz-other"').replace(
        'name = "AI Systems Workshop @ SOSP 2017"', 'name = "Other Workshop"'),
        encoding="utf-8")
    started = Rig(tmp_path, participant, more=[other]).start()
    try:
        yield started
    finally:
        started.stop()


def test_a_mail_thread_keeps_a_reading_per_event_as_slack_does(
        two: Rig, participant: SmtpTestServer) -> None:
    """A question about the other schedule in the thread does not overwrite this one's: the
    follow-up about the first (the default event) still reads against its camera-ready."""
    assert sorted(two.svc.events()) == ["aisys-sosp17", "zz-other"]
    thread = "<q1@uni.example.edu>"
    first = question("When is the camera-ready due?", subject="camera ready")
    first["Message-ID"] = thread
    two.send(first)
    wait_for(lambda: arrived_for(participant, ALICE), "the first reply")
    def in_thread(text: str, replying_to: str, nth: int) -> str:
        two.send(question(text, subject="Re: camera ready",
                          References=f"{thread} {replying_to}", In_Reply_To=replying_to))
        return body(wait_for(lambda: arrived_for(participant, ALICE)[nth:], f"reply {nth}")[0]
                    .message)

    assert "Other Workshop" in in_thread("When is the Other Workshop notification?",
                                         "<r1@duebot.test>", 1)
    text = in_thread("Thanks! And in IST?", "<r2@duebot.test>", 2)
    assert "AI Systems Workshop" in text
    assert "Final file upload" in text
    assert "IST (Asia/Kolkata" in text


def test_a_mail_in_chinese_is_answered_in_chinese(rig: Rig,
                                                  participant: SmtpTestServer) -> None:
    rig.send(question("老师好，请问截止日期是北京时间几点？谢谢", subject="截止日期"))
    found = wait_for(lambda: arrived_for(participant, ALICE), "the reply")
    said = body(found[0].message)
    assert "2017年9月11日星期一 14:59（中国标准时间" in said
    assert "duebot，AI Systems Workshop @ SOSP 2017 的日期助手。" in said  # signed in Chinese
