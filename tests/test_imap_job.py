"""The ``imap`` job with real parts: ``imaplib`` against the IMAP test server on loopback,
duebot's replies through the delivery job to the SMTP test server, a real SQLite ledger."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from imap_server import ImapTestServer, running_imap
from smtp_server import SmtpTestServer, free_port, running_smtp

from bot import runner
from bot.adapters.http import health_report
from bot.config import parse_config
from bot.service import Service
from tests.test_mailbot import ADDRESS, START, Clock, config_text, wait_for


def question(sender: str, text: str) -> bytes:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = ADDRESS
    mail["Subject"] = "deadline?"
    mail["Message-ID"] = make_msgid(domain="uni.example.edu")
    mail.set_content(text)
    return mail.as_bytes()


@contextmanager
def running(tmp: Path, participant: SmtpTestServer, imap: ImapTestServer) -> Iterator[Service]:
    text = config_text(tmp, participant, free_port(), imap_host='"127.0.0.1"',
                       imap_port=str(imap.port), imap_security='"none"',
                       imap_user='"dates"', imap_poll='"1h"')
    config = parse_config(text, str(tmp / "duebot.toml"), env={"DUEBOT_IMAP_PASSWORD": "s3cret"},
                          base=tmp)
    clock = Clock(START)
    service = Service(config, clock=clock)
    service.reconcile(clock())
    service.start()
    stops: list[Callable[[], None]] = runner.start_background(service)
    try:
        yield service
    finally:
        for stop in reversed(stops):
            stop()
        service.stop()
        service.ledger.close()


def replies_to(server: SmtpTestServer, address: str) -> int:
    return sum(address in m.rcpt_tos for m in server.messages)


def test_the_imap_job_answers_mail_waits_out_a_server_that_goes_away_and_resumes(
        tmp_path: Path) -> None:
    with running_smtp() as participant, running_imap() as imap:
        imap.add(question("alice@uni.example.edu", "When is the abstract deadline?"))
        with running(tmp_path, participant, imap) as service:
            wait_for(lambda: replies_to(participant, "alice@uni.example.edu") == 1,
                     "the answer to alice")
            assert imap.unseen() == [] and imap.logins == 1

            imap.stop()  # the IMAP server goes away
            service.jobs.wake("imap")
            wait_for(lambda: not service.jobs.states()["imap"].up, "the job to report it")
            state = service.jobs.states()["imap"]
            assert state.crashes == 0 and "IMAP 127.0.0.1" in state.error  # waiting, not a bug
            report = health_report(service, "ok")
            assert report["ok"] is False and report["jobs"]["imap"]["up"] is False

            imap.start()  # back, with new mail
            imap.add(question("bob@uni.example.edu", "When is the camera-ready due?"))
            service.jobs.wake("imap")
            wait_for(lambda: replies_to(participant, "bob@uni.example.edu") == 1,
                     "the answer to bob")
            wait_for(lambda: service.jobs.states()["imap"].up, "the job to be up again")
            assert imap.unseen() == [] and imap.logins == 2
            assert health_report(service, "ok")["ok"] is True
            assert replies_to(participant, "alice@uni.example.edu") == 1  # nothing twice
