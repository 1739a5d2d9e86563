"""A mail server that stalls at each point of the dialogue, or answers one byte at a time.

The real ``mailto:`` channel against a raw-socket server on loopback
(``tests/stalling_smtp.py``). Each stall ends within the channel's time (a per-read timeout,
or the per-message deadline for a server that trickles: each byte inside the timeout, the whole
far beyond it), with words that say where; before any of the message went it is the server's
outage (no attempt used), after the final dot the message may have been delivered, and the
reason says so (it counts as an attempt: RFC 1047's duplicate window).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from bot.adapters.smtp import DEADLINE_FACTOR, SmtpChannel, SmtpSettings
from bot.ports import Outcome, Outgoing
from tests.smtp_server import running_smtp
from tests.stalling_smtp import StallingSmtp, stalling_smtp

TIMEOUT = 0.5
DEADLINE = DEADLINE_FACTOR * TIMEOUT


@pytest.fixture
def server() -> Iterator[StallingSmtp]:
    with stalling_smtp() as stalling:
        yield stalling


def send(server: StallingSmtp, security: str = "none") -> tuple[Outcome, float]:
    """One message, in a thread so that a send that never ends fails the test instead."""
    mail = SmtpChannel(SmtpSettings(host=server.host, port=server.port, timeout=TIMEOUT,
                                    security=security,  # type: ignore[arg-type]
                                    sender="duebot <noreply@example.org>"),
                       clock=lambda: datetime(2030, 3, 19, tzinfo=UTC))
    found: list[Outcome] = []
    began = time.monotonic()
    worker = threading.Thread(target=lambda: found.append(mail.send(Outgoing(
        key="k1", destination="mailto:pc@example.org", subject="s", text="t\n"))),
        daemon=True)
    worker.start()
    worker.join(DEADLINE + 10 * TIMEOUT)
    took = time.monotonic() - began
    assert found, f"the send still hangs after {took:.1f} s"
    mail.close()
    return found[0], took


@pytest.mark.parametrize(("stall", "words"), [
    ("banner", "no greeting from 127.0.0.1:{port} within 0.5 s"),
    ("ehlo", "no answer to EHLO from 127.0.0.1:{port} within 0.5 s"),
    ("mail", "no answer to MAIL FROM from 127.0.0.1:{port} within 0.5 s"),
])
def test_a_stall_before_the_message_is_the_servers_outage_in_words_that_say_where(
        server: StallingSmtp, stall: str, words: str) -> None:
    server.stall = stall
    outcome, took = send(server)
    assert outcome.kind == "retry" and outcome.server_down, outcome
    assert outcome.reason == words.format(port=server.port)
    assert took < 3 * TIMEOUT


def test_a_starttls_handshake_that_never_starts_ends_at_the_timeout_as_an_outage(
        server: StallingSmtp) -> None:
    server.stall = "starttls"
    outcome, took = send(server, security="starttls")
    assert outcome.kind == "retry" and outcome.server_down, outcome
    assert outcome.reason == f"127.0.0.1:{server.port} timed out after 0.5 s"
    assert took < 3 * TIMEOUT


@pytest.mark.parametrize("stall", ["data", "dot"])
def test_no_answer_once_the_message_went_may_have_delivered_it_and_counts(
        server: StallingSmtp, stall: str) -> None:
    server.stall = stall
    outcome, _ = send(server)
    assert outcome.kind == "retry" and not outcome.server_down, outcome
    assert outcome.reason.endswith("the message may have been delivered"), outcome.reason


def test_a_server_that_trickles_its_greeting_is_cut_at_the_deadline_as_an_outage(
        server: StallingSmtp) -> None:
    server.stall, server.trickle_every = "trickle", 0.2  # each byte well inside the timeout
    outcome, took = send(server)
    assert DEADLINE <= took < DEADLINE + 2 * TIMEOUT, took
    assert outcome.kind == "retry" and outcome.server_down, outcome
    assert outcome.reason == (f"127.0.0.1:{server.port} did not finish within {DEADLINE:g} s "
                              f"(each answer came slowly, never {TIMEOUT:g} s apart)")
    assert server.messages == []


def test_a_trickled_answer_to_the_final_dot_is_cut_at_the_deadline_and_may_have_delivered(
        server: StallingSmtp) -> None:
    server.stall, server.trickle_every = "trickle_dot", 0.2
    outcome, took = send(server)
    assert DEADLINE <= took < DEADLINE + 2 * TIMEOUT, took
    assert outcome.kind == "retry" and not outcome.server_down, outcome
    assert outcome.reason == (f"127.0.0.1:{server.port} did not finish within {DEADLINE:g} s "
                              f"(each answer came slowly, never {TIMEOUT:g} s apart): the "
                              f"message may have been delivered")
    assert server.messages == ["k1"]


def test_the_deadline_counts_the_servers_time_not_our_own_record_before_the_message(
        server: StallingSmtp) -> None:
    """``send_overlapped``'s callback (the engine records the previous message: a database
    that retries may take seconds) is duebot's time, not the server's: not cut for it."""
    mail = SmtpChannel(SmtpSettings(host=server.host, port=server.port, timeout=0.2,
                                    sender="duebot <noreply@example.org>"),
                       clock=lambda: datetime(2030, 3, 19, tzinfo=UTC))
    outcome = mail.send_overlapped(
        Outgoing(key="k1", destination="mailto:pc@example.org", subject="s", text="t\n"),
        lambda: time.sleep(DEADLINE_FACTOR * 0.2 * 1.5))
    mail.close()
    assert outcome.kind == "sent", outcome
    assert server.messages == ["k1"]


def test_a_reused_session_cut_at_the_deadline_is_not_reopened_without_one(
        server: StallingSmtp) -> None:
    """A kept session that trickles its answer to MAIL FROM is cut at the deadline; the send
    then ends as the server's outage, instead of opening a new session that has no deadline
    left (a server trickling there would hold the sender for minutes)."""
    server.stall, server.trickle_every = "trickle_later", 0.3  # "250 ok" takes 2.4 s
    mail = SmtpChannel(SmtpSettings(host=server.host, port=server.port, timeout=TIMEOUT,
                                    sender="duebot <noreply@example.org>"),
                       clock=lambda: datetime(2030, 3, 19, tzinfo=UTC))
    first = mail.send(Outgoing(key="k1", destination="mailto:pc@example.org", subject="s",
                               text="t\n"))
    assert first.kind == "sent", first
    server.stall = "trickle"  # a new session would trickle from its greeting on
    found: list[Outcome] = []
    began = time.monotonic()
    worker = threading.Thread(target=lambda: found.append(mail.send(Outgoing(
        key="k2", destination="mailto:pc@example.org", subject="s", text="t\n"))),
        daemon=True)
    worker.start()
    worker.join(DEADLINE + 10 * TIMEOUT)
    took = time.monotonic() - began
    assert found, f"the send still hangs after {took:.1f} s"
    mail.close()
    assert found[0].kind == "retry" and found[0].server_down, found[0]
    assert took < DEADLINE + 2 * TIMEOUT, took
    assert server.messages == ["k1"]


def cut_just_before_the_send_ends(mail: SmtpChannel) -> list[bool]:
    """Make the deadline's watchdog cut this thread's send at the last instant: after its
    last reply was read, before the send ended (a race of one tick, made to happen here by
    marking the send overdue as it ends and waiting for the real watchdog to cut it)."""
    deadlines = mail._deadlines
    real = deadlines.disarm
    cuts: list[bool] = []

    def disarm() -> object:
        ident = threading.get_ident()
        with deadlines._lock:
            found = deadlines._due.get(ident)
            if found is not None and found[1] is not None:
                deadlines._due[ident] = (0.0, found[1])
        waited = time.monotonic()
        while found is not None and ident not in deadlines._fired:
            assert time.monotonic() - waited < 5, "the watchdog never cut"
            time.sleep(0.01)
        cuts.append(ident in deadlines._fired)
        return real()

    deadlines.disarm = disarm  # type: ignore[method-assign]
    return cuts


def test_a_refusal_read_in_full_just_before_the_cut_is_the_servers_words() -> None:
    """A 451 for the recipient, read in full, then the watchdog's cut: the outcome is the
    server's 451 (retried, counted), not 'did not finish ... may have been delivered' (which
    would make its next send say it may be a second copy)."""
    with running_smtp(recipient_modes={"pc@example.org": "451"}) as aio:
        mail = SmtpChannel(SmtpSettings(host=aio.host, port=aio.port, timeout=TIMEOUT,
                                        sender="duebot <noreply@example.org>"),
                           clock=lambda: datetime(2030, 3, 19, tzinfo=UTC))
        cuts = cut_just_before_the_send_ends(mail)
        outcome = mail.send(Outgoing(key="k1", destination="mailto:pc@example.org",
                                     subject="s", text="t\n"))
        mail.close()
    assert cuts == [True]
    assert outcome.kind == "retry" and not outcome.silent, outcome
    assert outcome.reason.startswith("451"), outcome.reason


def test_a_session_cut_just_after_its_message_was_taken_goes_back_to_no_pool() -> None:
    """The 250 was read, then the cut: the message is sent (the server said so in full), and
    the cut session is closed, not pooled for the next send to find dead."""
    with running_smtp() as aio:
        mail = SmtpChannel(SmtpSettings(host=aio.host, port=aio.port, timeout=TIMEOUT,
                                        sender="duebot <noreply@example.org>", connections=1),
                           clock=lambda: datetime(2030, 3, 19, tzinfo=UTC))
        first = mail.send(Outgoing(key="k0", destination="mailto:pc@example.org",
                                   subject="s", text="t\n"))  # a session in the pool
        cuts = cut_just_before_the_send_ends(mail)
        outcome = mail.send(Outgoing(key="k1", destination="mailto:pc@example.org",
                                     subject="s", text="t\n"))
        assert (first.kind, outcome.kind, cuts) == ("sent", "sent", [True]), outcome
        assert mail._idle == []  # the cut session was closed
        mail.close()
