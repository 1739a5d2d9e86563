"""duebot by mail, with real parts: smtplib sends to duebot's own listener (started by the code
``duebot run`` uses), duebot's replies go through the delivery loop to an aiosmtpd server that
plays the participant's mail host, and the confirm / unsubscribe links are followed over real
HTTP (uvicorn)."""

from __future__ import annotations

import logging
import re
import smtplib
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from email import message_from_string
from email.message import EmailMessage
from email.policy import default
from email.utils import make_msgid
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from smtp_server import Received, SmtpTestServer, free_port, running_smtp
from starlette.applications import Starlette

from bot import runner
from bot.adapters import mail_in as mailbot
from bot.config import Config, parse_config
from bot.ports import Row
from bot.service import Service

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "schedules" / "aisys-sosp17.toml"
START = datetime(2017, 9, 1, 12, 0, tzinfo=UTC)
ADDRESS = "dates@example.org"
PUBLIC = "https://dates.example.org"


class Clock:
    """The service's clock, moved by the test (never the wall clock)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def wait_for(predicate: Callable[[], Any], what: str, timeout: float = 10.0) -> Any:
    """Wait for another thread (the delivery loop) to get something done."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def config_text(tmp: Path, participant: SmtpTestServer, listen_port: int,
                more: Sequence[Path] = (), **mail: str) -> str:
    """``more``: further schedules after the shipped one."""
    extra = "".join(f"{k} = {v}\n" for k, v in mail.items())
    schedules = "".join(f'\n[[schedules]]\npath = "{path}"\nreminders_to = ["console:"]\n'
                        for path in more)
    return f"""
[storage]
database_url = "sqlite:///{tmp / 'duebot.db'}"

[delivery]
poll = "1s"

[smtp]
host = "{participant.host}"
port = {participant.port}
sender = "AI Systems Workshop <{ADDRESS}>"
timeout = 5

[http]
base_url = "{PUBLIC}"

[mail]
address = "{ADDRESS}"
listen = "127.0.0.1:{listen_port}"
rate_limit = "4 per hour"
max_bytes = 20000
spool = "{tmp / 'spool'}"
{extra}
[[schedules]]
path = "{SHIPPED}"
reminders_to = ["console:"]
{schedules}"""


class Rig:
    """duebot as ``duebot run`` starts it (service loop + background mail listener)."""

    def __init__(self, tmp: Path, participant: SmtpTestServer, more: Sequence[Path] = (),
                 **mail: str) -> None:
        self.tmp = tmp
        self.participant = participant
        self.port = free_port()
        self.config: Config = parse_config(config_text(tmp, participant, self.port, more,
                                                       **mail),
                                           str(tmp / "duebot.toml"), env={}, base=tmp)
        self.clock = Clock(START)
        self.service: Service | None = None
        self._stops: list[Callable[[], None]] = []

    def start(self) -> Rig:
        service = Service(self.config, clock=self.clock)
        service.reconcile(self.clock())
        service.start()
        self._stops = runner.start_background(service)
        self.service = service
        return self

    def stop(self) -> None:
        for stop in reversed(self._stops):
            stop()
        if self.service is not None:
            self.service.stop()
            self.service.ledger.close()
        self.service = None

    @property
    def svc(self) -> Service:
        assert self.service is not None
        return self.service

    def send(self, mail: EmailMessage, *, mail_from: str | None = None,
             to: str = ADDRESS) -> None:
        """Deliver to duebot's listener; returns once duebot said 250 (it has handled it)."""
        if "Message-ID" not in mail:
            mail["Message-ID"] = make_msgid(domain="uni.example.edu")
        sender = mail_from if mail_from is not None else str(mail["From"].addresses[0].addr_spec)
        with smtplib.SMTP("127.0.0.1", self.port, timeout=10) as client:
            client.send_message(mail, from_addr=sender, to_addrs=[to])

    def replies(self, kind: str = "reply") -> list[Row]:
        return [r for r in self.svc.ledger.rows() if r.kind == kind]

    def move_to(self, now: datetime) -> None:
        """Move the clock and let the delivery loop run once at the new time."""
        self.clock.now = now
        self.svc.wake()
        wait_for(lambda: (self.svc.health.last_delivery_run or START) >= now,
                 "a delivery run at the new time")


def arrived_for(server: SmtpTestServer, address: str) -> list[Received]:
    return [m for m in server.messages if address in m.rcpt_tos]


def one_reply(server: SmtpTestServer, address: str) -> EmailMessage:
    found = wait_for(lambda: arrived_for(server, address), f"a reply to {address}")
    assert len(found) == 1, [m.message["Subject"] for m in found]
    return found[0].message


def question(text: str, *, sender: str = "Alice Liu <alice@uni.example.edu>",
             subject: str = "Question", **headers: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = ADDRESS
    mail["Subject"] = subject
    for name, value in headers.items():
        mail[name.replace("_", "-")] = value
    mail.set_content(text)
    return mail


def body(mail: EmailMessage) -> str:
    part = mail.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


@pytest.fixture
def participant() -> Iterator[SmtpTestServer]:
    with running_smtp() as server:
        yield server


@pytest.fixture
def rig(tmp_path: Path, participant: SmtpTestServer) -> Iterator[Rig]:
    started = Rig(tmp_path, participant).start()
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture
def http(rig: Rig) -> Iterator[str]:
    """The mail routes on a real uvicorn server (as ``duebot run`` mounts them)."""
    app = Starlette(routes=mailbot.http_routes(rig.svc))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_for(lambda: server.started, "uvicorn to start")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


# -- questions ---------------------------------------------------------------------------------

POLITE = """Dear organizers,

could you kindly tell me when the abstract deadline is? I'm in Shanghai.

Best regards,
Alice Liu
Tsinghua University

On Mon, Aug 28, 2017 at 9:00 AM, Bob <bob@uni.example.edu> wrote:
> Where is the workshop held? And is it double blind?
> -- Bob
"""


@pytest.mark.parametrize("text, expected", [
    (POLITE, r"14:59 CST \(Asia/Shanghai"),
    ("when is the deadline?", r"Sunday 10 September 2017, 23:59 PDT"),
    ("Hello! What's the due date for poster abstracts??\n\nThanks in advance,\nBo",
     r"10 September 2017"),
    ("Hi, how much time do I have left to submit my abstract?", r"9 days 18 hours left"),
    ("Sehr geehrte Damen und Herren, bis wann ist die Deadline? Mit freundlichen Grüßen",
     r"10 September 2017"),
])
def test_deadline_question_is_answered_by_mail_in_any_phrasing(
        rig: Rig, participant: SmtpTestServer, text: str, expected: str) -> None:
    rig.send(question(text))
    reply = one_reply(participant, "alice@uni.example.edu")
    assert re.search(expected, body(reply)), body(reply)
    assert "double blind" not in body(reply).lower()  # the quoted thread was not the question


def test_html_only_question_is_read_as_text(rig: Rig, participant: SmtpTestServer) -> None:
    mail = question("", subject="hello")
    mail.set_content("<html><body><p>When is the <b>deadline</b>?</p>"
                     "<div class=\"gmail_quote\">On Monday Bob wrote: how many pages?</div>"
                     "</body></html>", subtype="html")
    rig.send(mail)
    assert "23:59 PDT" in body(one_reply(participant, "alice@uni.example.edu"))


def test_reply_keeps_the_thread_and_marks_itself_auto_replied(
        rig: Rig, participant: SmtpTestServer) -> None:
    mail = question("and when will we hear back?", subject="RE: Re: Deadline?",
                    Reply_To="Alice at home <alice.home@example.net>",
                    References="<first@uni.example.edu> <second@example.org>",
                    In_Reply_To="<second@example.org>")
    mail["Message-ID"] = "<third@uni.example.edu>"
    rig.send(mail)
    found = wait_for(lambda: arrived_for(participant, "alice.home@example.net"), "the reply")
    reply = found[0].message
    assert found[0].mail_from in ("", "<>")  # null return path (RFC 3834): nothing loops back
    assert reply["Subject"] == "Re: Deadline?"
    assert reply["In-Reply-To"] == "<third@uni.example.edu>"
    assert reply["References"].split() == ["<first@uni.example.edu>", "<second@example.org>",
                                           "<third@uni.example.edu>"]
    assert reply["To"].addresses[0].addr_spec == "alice.home@example.net"
    assert reply["From"].addresses[0].addr_spec == ADDRESS
    assert reply["From"].addresses[0].display_name == "AI Systems Workshop @ SOSP 2017"
    assert reply["Auto-Submitted"] == "auto-replied"
    assert "20 September 2017" in body(reply)  # the notification date
    assert not arrived_for(participant, "alice@uni.example.edu")


def test_a_redelivered_message_is_answered_once(rig: Rig, participant: SmtpTestServer) -> None:
    mail = question("when is the deadline?")
    rig.send(mail)
    rig.send(mail)
    one_reply(participant, "alice@uni.example.edu")
    assert len(rig.replies()) == 1


# -- never a loop ------------------------------------------------------------------------------

def dsn() -> EmailMessage:
    """A bounce whose sender looks like anyone: only its report part gives it away."""
    raw = (f"From: Mail Delivery Subsystem <mail@mx.uni.example.edu>\nTo: {ADDRESS}\n"
           "Subject: Undelivered Mail Returned to Sender\nMIME-Version: 1.0\n"
           "Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\n\n"
           "--b\nContent-Type: text/plain\n\nYour question about the deadline was not "
           "delivered.\n--b\nContent-Type: message/delivery-status\n\n"
           "Reporting-MTA: dns; mx.uni.example.edu\n\nFinal-Recipient: rfc822; "
           "x@uni.example.edu\nAction: failed\nStatus: 5.1.1\n--b--\n")
    parsed = message_from_string(raw, policy=default)
    assert isinstance(parsed, EmailMessage)
    return parsed


@pytest.mark.parametrize("make, mail_from", [
    (lambda: question("when is the deadline?", Auto_Submitted="auto-replied"), None),
    (lambda: question("I am out of office. deadline?", X_Autoreply="yes"), None),
    (lambda: question("deadline?", X_Autorespond="yes"), None),
    (lambda: question("when is the deadline?", Precedence="bulk"), None),
    (lambda: question("when is the deadline?", Precedence="list"), None),
    (lambda: question("when is the deadline?", List_Id="<systems.lists.example.org>"), None),
    (lambda: question("when is the deadline?"), ""),  # MAIL FROM:<>
    (lambda: question("when is the deadline?", sender=f"Duebot <{ADDRESS}>"), None),
    (lambda: question("subscribe", sender="dates+subscribe@example.org"), None),
    (lambda: question("deadline?", sender="MAILER-DAEMON@mx.example.edu"), None),
    (dsn, None),
], ids=["auto-submitted", "x-autoreply", "x-autorespond", "precedence-bulk", "precedence-list",
        "list-id", "null-return-path", "own-address", "own-plus-address", "mailer-daemon",
        "dsn"])
def test_automatic_mail_gets_no_answer(rig: Rig, participant: SmtpTestServer,
                                       make: Callable[[], EmailMessage],
                                       mail_from: str | None) -> None:
    rig.send(make(), mail_from=mail_from)
    # Handling is done when the listener says 250; a control mail proves the loop ran after it.
    rig.send(question("when is the deadline?", sender="control@uni.example.edu"))
    one_reply(participant, "control@uni.example.edu")
    assert [r.destination for r in rig.replies()] == ["mailto:control@uni.example.edu"]
    assert len(participant.messages) == 1


def test_auto_submitted_no_is_a_person(rig: Rig, participant: SmtpTestServer) -> None:
    rig.send(question("when is the deadline?", Auto_Submitted="no"))
    one_reply(participant, "alice@uni.example.edu")


def test_our_own_reply_fed_back_is_not_answered(rig: Rig, participant: SmtpTestServer) -> None:
    rig.send(question("when is the deadline?"))
    ours = one_reply(participant, "alice@uni.example.edu")
    rig.send(ours, mail_from="alice@uni.example.edu")  # a forwarding rule bounced it back
    rig.send(question("deadline?", sender="control@uni.example.edu"))
    one_reply(participant, "control@uni.example.edu")
    assert len(rig.replies()) == 2


def test_a_flood_from_one_sender_is_limited_across_a_restart(
        tmp_path: Path, participant: SmtpTestServer,
        caplog: pytest.LogCaptureFixture) -> None:
    rig = Rig(tmp_path, participant).start()
    try:
        for n in range(6):
            rig.send(question(f"deadline? ({n})", sender="flood@uni.example.edu"))
        assert len(rig.replies()) == 4  # rate_limit = "4 per hour"
        assert "rate limit" in caplog.text
    finally:
        rig.stop()
    restarted = Rig(tmp_path, participant)
    restarted.port = rig.port
    restarted.config = rig.config
    restarted.clock.now = START + timedelta(minutes=10)
    restarted.start()
    try:
        restarted.send(question("deadline? (after restart)", sender="flood@uni.example.edu"))
        restarted.send(question("deadline?", sender="someone.else@uni.example.edu"))
        wait_for(lambda: arrived_for(participant, "someone.else@uni.example.edu"), "control")
        assert len(restarted.replies()) == 5
        restarted.clock.now = START + timedelta(hours=2)  # the window has passed
        restarted.send(question("deadline? (next day)", sender="flood@uni.example.edu"))
        assert len(restarted.replies()) == 6
        wait_for(lambda: len(arrived_for(participant, "flood@uni.example.edu")) == 5,
                 "the fifth answer to the flooder")
    finally:
        restarted.stop()


# -- subscriptions -----------------------------------------------------------------------------

def confirm_link(mail: EmailMessage) -> str:
    match = re.search(re.escape(PUBLIC) + r"(/confirm/[A-Za-z0-9_-]+)", body(mail))
    assert match, body(mail)
    return match.group(1)


def test_subscription_round_trip_over_mail_and_http(rig: Rig, participant: SmtpTestServer,
                                                    http: str) -> None:
    carol = "carol@uni.example.edu"
    rig.send(question("Subscribe", sender=f"Carol <{carol}>", subject="please subscribe me"))
    confirmation = one_reply(participant, carol)
    assert confirmation["Subject"].startswith("Confirm")
    path = confirm_link(confirmation)
    assert rig.svc.ledger.active_subscribers() == {}  # double opt-in: nothing before the link

    page = httpx.get(http + path)
    assert page.status_code == 200 and carol in page.text
    wait_for(lambda: [r for r in rig.svc.ledger.rows() if r.destination == f"mailto:{carol}"
                      and r.kind == "reminder" and r.state == "pending"],
             "reminders planned for the new subscriber")

    rig.move_to(datetime(2017, 9, 4, 7, 0, tzinfo=UTC))  # the 7-day reminder is due 06:59Z
    reminders = [m.message for m in arrived_for(participant, carol)][1:]
    assert len(reminders) == 1
    unsubscribe = str(reminders[0]["List-Unsubscribe"]).strip()
    assert reminders[0]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    match = re.fullmatch(r"<" + re.escape(PUBLIC) + r"(/unsubscribe/[A-Za-z0-9_-]+)>",
                         unsubscribe)
    assert match, unsubscribe

    shown = httpx.get(http + match.group(1))  # a link scanner's GET changes nothing
    assert shown.status_code == 200 and "<form method=\"post\"" in shown.text
    assert rig.svc.ledger.active_subscribers() != {}
    done = httpx.post(http + match.group(1), content=b"List-Unsubscribe=One-Click",
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert done.status_code == 200
    assert rig.svc.ledger.active_subscribers() == {}
    wait_for(lambda: not [r for r in rig.svc.ledger.rows() if r.destination == f"mailto:{carol}"
                          and r.kind == "reminder" and r.state == "pending"],
             "the subscriber's unsent reminders cancelled")

    rig.move_to(datetime(2017, 9, 10, 7, 0, tzinfo=UTC))  # the 1-day reminder is due 06:59Z
    assert len(arrived_for(participant, carol)) == 2  # the confirmation and one reminder


def test_subscribe_by_plus_address_and_confirm_by_replying_yes(
        rig: Rig, participant: SmtpTestServer) -> None:
    dave = "dave@uni.example.edu"
    rig.send(question("hello", sender=dave, subject="hi"), to="dates+subscribe@example.org")
    confirmation = one_reply(participant, dave)
    assert re.fullmatch(r"<confirm\.[A-Za-z0-9_-]+@example\.org>", confirmation["Message-ID"])
    yes = question("Yes\n\n> Someone, hopefully you, asked for reminders", sender=dave,
                   subject=f"Re: {confirmation['Subject']}",
                   In_Reply_To=confirmation["Message-ID"],
                   References=confirmation["Message-ID"])
    rig.send(yes)
    wait_for(lambda: len(arrived_for(participant, dave)) == 2, "the confirmed reply")
    assert "Confirmed" in body(arrived_for(participant, dave)[1].message)
    assert rig.svc.ledger.active_subscribers() == {"aisys-sosp17": (f"mailto:{dave}",)}

    rig.send(question("unsubscribe", sender=dave, subject="stop"))
    wait_for(lambda: len(arrived_for(participant, dave)) == 3, "the unsubscribe reply")
    assert rig.svc.ledger.active_subscribers() == {}


def test_a_yes_from_another_address_confirms_nothing(rig: Rig,
                                                     participant: SmtpTestServer) -> None:
    rig.send(question("subscribe", sender="erin@uni.example.edu"))
    confirmation = one_reply(participant, "erin@uni.example.edu")
    rig.send(question("yes", sender="mallory@evil.example.com",
                      In_Reply_To=confirmation["Message-ID"]))
    wait_for(lambda: arrived_for(participant, "mallory@evil.example.com"), "a help reply")
    assert rig.svc.ledger.active_subscribers() == {}


# -- malformed mail ----------------------------------------------------------------------------

def raw_send(rig: Rig, raw: bytes, mail_from: str = "frank@uni.example.edu") -> None:
    with smtplib.SMTP("127.0.0.1", rig.port, timeout=10) as client:
        client.sendmail(mail_from, [ADDRESS], raw)


def test_malformed_mail_is_kept_and_answered_with_help_without_a_traceback(
        rig: Rig, participant: SmtpTestServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    unknown_charset = (b"From: Frank <frank@uni.example.edu>\r\nTo: dates@example.org\r\n"
                       b"Subject: =?x-klingon?q?=FF=FE?=\r\nMessage-ID: <m1@uni.example.edu>\r\n"
                       b"Content-Type: text/plain; charset=x-klingon\r\n"
                       b"Content-Transfer-Encoding: 8bit\r\n\r\n"
                       b"when is the deadline \xff\xfe\xfd?\r\n")
    raw_send(rig, unknown_charset)
    huge = (b"From: Grace <grace@uni.example.edu>\r\nTo: dates@example.org\r\n"
            b"Subject: deadline?\r\nMessage-ID: <m2@uni.example.edu>\r\n\r\n"
            + b"when is the deadline?\r\n" * 2000)
    raw_send(rig, huge, "grace@uni.example.edu")
    nobody = (b"To: dates@example.org\r\nSubject: deadline?\r\n"
              b"Message-ID: <m3@uni.example.edu>\r\n\r\nwhen is the deadline?\r\n")
    raw_send(rig, nobody, "someone@uni.example.edu")
    broken_mime = (b"From: Heidi <heidi@uni.example.edu>\r\nTo: dates@example.org\r\n"
                   b"Message-ID: <m4@uni.example.edu>\r\nMIME-Version: 1.0\r\n"
                   b"Content-Type: multipart/mixed; boundary=\"never-closed\"\r\n\r\n"
                   b"--never-closed\r\nContent-Type: text/plain; charset=utf-8\r\n"
                   b"Content-Transfer-Encoding: base64\r\n\r\n!!!not base64!!!\r\n")
    raw_send(rig, broken_mime, "heidi@uni.example.edu")

    frank = body(one_reply(participant, "frank@uni.example.edu"))
    assert "deadline" in frank.lower()
    grace = body(one_reply(participant, "grace@uni.example.edu"))
    assert "larger than 20 kB" in grace
    heidi = body(one_reply(participant, "heidi@uni.example.edu"))
    assert "Sorry" in heidi
    # No From: kept as it came, and answered at the envelope sender.
    someone = body(one_reply(participant, "someone@uni.example.edu"))
    assert "deadline" in someone.lower()
    kept = sorted(p.read_bytes() for p in (rig.tmp / "spool").glob("*.eml"))
    assert len(kept) == 4 and huge in kept and nobody in kept
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"
    assert len(participant.messages) == 4


def test_a_reply_that_cannot_be_sent_now_is_retried(rig: Rig,
                                                    participant: SmtpTestServer) -> None:
    participant.mode = "451"
    rig.send(question("when is the deadline?"))
    wait_for(lambda: [r for r in rig.replies() if r.state == "failed"], "a failed attempt")
    participant.mode = "accept"
    rig.move_to(START + timedelta(minutes=5))
    assert "23:59 PDT" in body(one_reply(participant, "alice@uni.example.edu"))
    assert rig.replies()[0].state == "sent"


def test_lmtp_listener_answers_too(tmp_path: Path, participant: SmtpTestServer) -> None:
    rig = Rig(tmp_path, participant, lmtp="true").start()
    try:
        mail = question("when is the deadline?")
        mail["Message-ID"] = make_msgid()
        with smtplib.LMTP("127.0.0.1", rig.port, timeout=10) as client:
            client.send_message(mail, to_addrs=[ADDRESS])
        assert "23:59 PDT" in body(one_reply(participant, "alice@uni.example.edu"))
    finally:
        rig.stop()


# -- not a spam relay -----------------------------------------------------------------------


def test_the_reply_budget_caps_replies_from_all_senders_together(
        tmp_path: Path, participant: SmtpTestServer) -> None:
    rig = Rig(tmp_path, participant, reply_budget="3").start()
    try:
        for i in range(5):  # five forged senders, one mail each: per-sender limits never bite
            rig.send(question("subscribe", sender=f"victim{i}@uni.example.edu"))
        assert len(rig.replies()) == 3
        # The hour passes: the budget is back.
        rig.clock.now = START + timedelta(hours=1, minutes=1)
        rig.send(question("when is the deadline?", sender="late@uni.example.edu"))
        assert len(rig.replies()) == 4
    finally:
        rig.stop()


def test_a_sender_the_mta_calls_forged_gets_no_answer(rig: Rig) -> None:
    forged = question("when is the deadline?", sender="ceo@bank.example",
                      Authentication_Results="mx.example.org; spf=fail "
                                             "smtp.mailfrom=bank.example; dmarc=fail")
    rig.send(forged, mail_from="spam@elsewhere.example")
    genuine = question("when is the deadline?", Authentication_Results="mx.example.org; "
                       "spf=pass smtp.mailfrom=uni.example.edu; dkim=pass; dmarc=pass")
    rig.send(genuine)
    assert [r.destination for r in rig.replies()] == ["mailto:alice@uni.example.edu"]


def test_a_spam_subject_is_not_echoed_in_our_reply(rig: Rig, participant: SmtpTestServer
                                                   ) -> None:
    rig.send(question("when is the deadline?",
                      subject="CHEAP meds http://spam.example/x visit pills.biz NOW $$$ "
                              "limited offer for everyone on the list today only"))
    subject = str(one_reply(participant, "alice@uni.example.edu")["Subject"])
    assert "spam.example" not in subject and "pills.biz" not in subject and "$" not in subject
    assert subject.startswith("Re: CHEAP meds") and len(subject) <= 4 + 40 + 3
