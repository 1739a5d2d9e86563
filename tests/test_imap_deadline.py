"""An IMAP server that trickles its answers, one byte inside every read timeout, no longer holds
the ``imap`` job for ever: each exchange of a poll (logging in, SELECT, SEARCH, each FETCH and
STORE) ends within its deadline (``mail_in.DEADLINE_FACTOR`` x the read timeout), the job is
down on ``/healthz`` with words that say so, the mail stays unseen, and the next poll of a
server that behaves again answers it, once.

Real parts: ``imaplib`` against ``tests/imap_server.py`` on loopback (its ``trickle``), the real
job on the service's scheduler (``duebot run``'s wiring), the replies through the SMTP test
server. The read timeout is made small (``mail_in.TIMEOUT``) so the deadline is a second.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from imap_server import running_imap
from smtp_server import running_smtp

import bot.adapters.mail_in
from bot.adapters.http import health_report
from bot.adapters.mail_in import DEADLINE_FACTOR
from tests.test_imap_job import question, replies_to, running
from tests.test_mailbot import wait_for

TIMEOUT = 0.25
DEADLINE = DEADLINE_FACTOR * TIMEOUT


@pytest.fixture(autouse=True)
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bot.adapters.mail_in, "TIMEOUT", TIMEOUT)


@pytest.mark.parametrize(("trickle_from", "what"), [
    ("", "logging in to 127.0.0.1"), ("UID FETCH", "fetching message 1")])
def test_a_trickling_imap_server_is_cut_at_the_deadline_and_healthz_says_it(
        tmp_path: Path, trickle_from: str, what: str) -> None:
    with running_smtp() as participant, running_imap() as imap:
        imap.trickle, imap.trickle_from = 0.05, trickle_from  # each byte inside the timeout
        imap.add(question("alice@uni.example.edu", "When is the abstract deadline?"))
        with running(tmp_path, participant, imap) as service:
            wait_for(lambda: not service.jobs.states()["imap"].up, "the job to report it",
                     timeout=DEADLINE + 5)
            runs = service.jobs.states()["imap"].runs
            began = time.monotonic()
            service.jobs.wake("imap")  # a poll of its own, timed: it ends at its deadline
            wait_for(lambda: service.jobs.states()["imap"].runs > runs, "the next poll")
            assert DEADLINE * 0.9 < time.monotonic() - began < DEADLINE + 1.5
            state = service.jobs.states()["imap"]
            assert state.crashes == 0, state.error  # the server's trouble, not a bug
            assert state.error == (
                f"IMAP 127.0.0.1: {what} did not finish within {DEADLINE:g} s (the server "
                f"answered slowly, each read inside {TIMEOUT:g} s): cut at the poll's "
                f"deadline; unseen mail waits for the next poll"), state.error
            report = health_report(service, "ok")
            assert report["ok"] is False and report["jobs"]["imap"]["up"] is False
            assert any(line.startswith("background job 'imap' failing since ")
                       and "cut at the poll's deadline" in line
                       for line in report["summary"]), report["summary"]
            assert imap.unseen() == [1]

            imap.trickle = 0.0  # the server behaves again
            service.jobs.wake("imap")
            wait_for(lambda: replies_to(participant, "alice@uni.example.edu") == 1,
                     "the answer to alice")
            wait_for(lambda: service.jobs.states()["imap"].up, "the job to be up again")
            assert imap.unseen() == []
        assert replies_to(participant, "alice@uni.example.edu") == 1  # once
