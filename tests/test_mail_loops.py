"""Mail that must not start a conversation between two machines, end to end: duebot's own
listener in, its replies out through the delivery loop to the participant's aiosmtpd, and a
ticket bot (no RFC 3834 headers) that answers every mail it gets, each reply fed back."""

from __future__ import annotations

from email.message import EmailMessage

import pytest
from smtp_server import SmtpTestServer

from tests import test_mailbot
from tests.test_mailbot import Rig, arrived_for, one_reply, question, wait_for

participant = test_mailbot.participant
rig = test_mailbot.rig

BOT = "helpdesk@tickets.example.com"


def ticket(number: int, *, replying_to: EmailMessage | None = None) -> EmailMessage:
    """What a helpdesk sends back to any mail: a new ticket number each time, the mail it
    answers quoted below, and none of the headers that would say it is automatic."""
    subject = "Your request has been received"
    text = (f"Thank you for contacting the helpdesk. Your ticket number is {1000 + number}.\n"
            f"An agent will get back to you within 2 business days.\n")
    mail = question(text, sender=f"Helpdesk <{BOT}>", subject=subject)
    if replying_to is not None:
        del mail["Subject"]
        mail["Subject"] = f"Re: {replying_to['Subject']}"
        mail["In-Reply-To"] = replying_to["Message-ID"]
        mail["References"] = replying_to["Message-ID"]
        part = replying_to.get_body(("plain",))
        assert part is not None
        quoted = "".join(f"> {line}\n" for line in str(part.get_content()).splitlines())
        mail.set_content(text + "\nOn Fri, 1 Sep 2017, duebot wrote:\n" + quoted)
    return mail


def test_a_bot_that_answers_every_mail_gets_two_answers_then_none(
        rig: Rig, participant: SmtpTestServer) -> None:
    rig.send(ticket(0))
    ours = [one_reply(participant, BOT)]
    for number in range(1, 6):
        rig.send(ticket(number, replying_to=ours[-1]))
        # Handled when the listener said 250; a control question shows the loop has run.
        control = f"control{number}@uni.example.edu"
        rig.send(question("how many pages?", sender=control))
        one_reply(participant, control)
        found = arrived_for(participant, BOT)
        if len(found) > len(ours):
            ours.append(found[-1].message)
    assert len(ours) == 2  # the first ticket, and one more as a person might ask again
    assert len(arrived_for(participant, BOT)) == 2


def test_a_person_asking_again_in_the_thread_is_answered(rig: Rig,
                                                         participant: SmtpTestServer) -> None:
    rig.send(question("when is the deadline?"))
    first = one_reply(participant, "alice@uni.example.edu")
    again = question("when is the deadline?", subject=f"Re: {first['Subject']}",
                     In_Reply_To=first["Message-ID"], References=first["Message-ID"])
    rig.send(again)
    wait_for(lambda: len(arrived_for(participant, "alice@uni.example.edu")) == 2,
             "the second answer")


@pytest.mark.parametrize("subject", ["Automatic reply: Question", "自动回复：问题",
                                     "Out of Office: back on Monday", "Autoreply: Question"])
def test_an_out_of_office_subject_gets_no_answer(rig: Rig, participant: SmtpTestServer,
                                                 subject: str) -> None:
    rig.send(question("I am out of the office until Monday. When is the deadline?",
                      subject=subject))
    rig.send(question("how many pages?", sender="control@uni.example.edu"))
    one_reply(participant, "control@uni.example.edu")
    assert not arrived_for(participant, "alice@uni.example.edu")
