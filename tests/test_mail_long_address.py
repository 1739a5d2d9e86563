"""A mail whose reply address is longer than an address can be is taken, logged, not answered.

RFC 5321 allows 254 characters in a path (4.5.3.1.3: 256 with the angle brackets). A From or
Reply-To longer than that could not be answered anyway (a server refuses the RCPT), and on
PostgreSQL the reply's destination (``mailto:`` and the address) overflowed its column: the
queueing failed, the sender was told 451 at every retry and the mail was never settled. Now
it is taken (250), marked seen, kept in the spool and logged as a warning, on both
databases; the real listener (aiosmtpd) on loopback, smtplib as the sending server.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterator
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pytest

from bot.adapters.mail_in import MailBot, MailListener
from bot.config import parse_config
from bot.service import Service
from tests.conftest import SHIPPED
from tests.pg import fresh_database, require_pg
from tests.smtp_server import free_port

ADDRESS = "dates@example.org"
DOMAIN = "@uni.example.edu"


class Rig:
    """A service over ``url`` with its mail listener on a loopback port."""

    def __init__(self, tmp: Path, url: str) -> None:
        self.port = free_port()
        self.spool = tmp / "spool"
        config = parse_config(f"""
[storage]
database_url = "{url}"
[http]
enabled = false
[smtp]
host = "127.0.0.1"
port = 9
sender = "AI Systems Workshop <{ADDRESS}>"
[mail]
address = "{ADDRESS}"
listen = "127.0.0.1:{self.port}"
spool = "{self.spool}"
[[schedules]]
path = "{SHIPPED}"
reminders_to = ["console:"]
""", str(tmp / "duebot.toml"), env={}, base=tmp)
        self.service = Service(config)
        self.listener = MailListener(MailBot(self.service), "127.0.0.1", self.port)
        self.listener.start()

    def stop(self) -> None:
        self.listener.stop()
        self.service.ledger.close()

    def send(self, mail: EmailMessage) -> int:
        """One SMTP transaction: the status DATA got."""
        try:
            with smtplib.SMTP("127.0.0.1", self.port, timeout=30) as client:
                client.send_message(mail, from_addr="relay@uni.example.edu",
                                    to_addrs=[ADDRESS])
        except smtplib.SMTPDataError as exc:
            return exc.smtp_code
        return 250

    def replies(self) -> list[str]:
        return [r.destination for r in self.service.ledger.rows() if r.kind == "reply"]


@pytest.fixture(params=["sqlite", "postgresql"])
def rig(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Rig]:
    if request.param == "sqlite":
        started = Rig(tmp_path, f"sqlite:///{tmp_path / 'ledger.db'}")
        try:
            yield started
        finally:
            started.stop()
        return
    require_pg()
    with fresh_database() as url:
        started = Rig(tmp_path, url)
        try:
            yield started
        finally:
            started.stop()


def question(header: str, sender: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = sender if header == "From" else "someone@uni.example.edu"
    if header != "From":
        mail[header] = sender
    mail["To"] = ADDRESS
    mail["Subject"] = "dates"
    mail["Message-ID"] = make_msgid(domain="uni.example.edu")
    mail.set_content("When is the deadline?")
    return mail


@pytest.mark.parametrize("header", ["From", "Reply-To"])
@pytest.mark.parametrize("length", [255, 400])
def test_a_reply_address_over_254_characters_is_taken_logged_and_not_answered(
        rig: Rig, caplog: pytest.LogCaptureFixture, header: str, length: int) -> None:
    long = "a" * (length - len(DOMAIN)) + DOMAIN
    assert len(long) == length
    mail = question(header, long)
    with caplog.at_level(logging.WARNING, logger="duebot"):
        assert rig.send(mail) == 250
    assert rig.replies() == []
    warned = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert any(f"{length} characters" in r.getMessage() and "254" in r.getMessage()
               and "not answered" in r.getMessage() for r in warned), [
        r.getMessage() for r in warned]
    assert len(list(rig.spool.iterdir())) == 1  # kept, for the operator to look at
    assert rig.send(mail) == 250  # seen: a redelivery is not looked at again
    assert rig.replies() == [] and len(list(rig.spool.iterdir())) == 1


def test_a_reply_address_of_254_characters_is_answered(rig: Rig) -> None:
    longest = "a" * (254 - len(DOMAIN)) + DOMAIN
    assert rig.send(question("From", longest)) == 250
    assert rig.replies() == [f"mailto:{longest}"]
