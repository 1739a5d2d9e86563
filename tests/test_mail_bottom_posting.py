"""A reply written below the quote (bottom-posting, as on many academic lists) end to end:
the SMTP listener ``duebot run`` starts, the answer through the delivery loop to aiosmtpd. The
new text below the quote is the question, read against the thread's last one."""

from __future__ import annotations

import pytest
from smtp_server import SmtpTestServer

from tests import test_mailbot
from tests.test_mailbot import Rig, arrived_for, body, question, wait_for

participant = test_mailbot.participant
rig = test_mailbot.rig

ALICE = "alice@uni.example.edu"


@pytest.mark.parametrize("attribution, follow_up, expected", [
    ("On Fri, Sep 1, 2017 at 8:00 PM, AI Systems Workshop <dates@example.org> wrote:",
     "Thanks! And in IST?", "IST (Asia/Kolkata"),
    ("在 2017年9月1日 周五 20:00，AI Systems Workshop <dates@example.org> 写道：",
     "那用北京时间是几点？", "中国标准时间"),
], ids=["english", "chinese"])
def test_a_bottom_posted_follow_up_is_read_below_the_quote(
        rig: Rig, participant: SmtpTestServer, attribution: str, follow_up: str,
        expected: str) -> None:
    first = question("When is the camera-ready due?", subject="camera ready")
    first["Message-ID"] = "<q1@uni.example.edu>"
    rig.send(first)
    ours = wait_for(lambda: arrived_for(participant, ALICE), "the first answer")[0].message
    quoted = "".join(f"> {line}\n" for line in body(ours).splitlines())
    follow = question(f"{attribution}\n{quoted}\n{follow_up}\n\n-- \nAlice Liu\n",
                      subject=f"Re: {ours['Subject']}", In_Reply_To=ours["Message-ID"],
                      References=f"<q1@uni.example.edu> {ours['Message-ID']}")
    rig.send(follow)
    found = wait_for(lambda: arrived_for(participant, ALICE)[1:], "the second answer")
    said = body(found[0].message)
    assert "could not find a question" not in said, said
    assert expected in said, said
