"""The next message's envelope goes with this message's final dot (``upcoming``, RFC 2920).

One write a message: the body, its final dot, then the next message's MAIL, RCPT and DATA;
the next send finds their answers waiting. A real server (aiosmtpd on loopback, PIPELINING
offered) misbehaves at chosen points of that group: every message must still get the outcome
it gets one transaction at a time, go at most once, and never be taken as sent when it was not.
"""

from __future__ import annotations

import asyncio
import smtplib
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session

from bot.adapters.smtp import SmtpChannel, SmtpSettings
from bot.ports import Outcome, Outgoing
from tests.smtp_server import REPLIES, SmtpTestServer, TlsPair, _Handler, tls_pair


class Scripted(_Handler):
    """``_Handler``, except at the n-th MAIL, RCPT or DATA (final dot) of the server's life:
    ``421`` (say it and hang up), ``451``/``550`` (refuse), ``hang`` (no answer until the
    server's ``release()``), ``drop`` (hang up without a word), ``close`` (answer, then hang
    up). ``log`` has each command as it arrives, and the test's own marks."""

    def __init__(self, owner: SmtpTestServer, script: dict[tuple[str, int], str]) -> None:
        super().__init__(owner)
        self.script = script
        self.counts: Counter[str] = Counter()
        self.log: list[str] = []

    def _step(self, command: str) -> str:
        self.counts[command] += 1
        self.log.append(f"{command} {self.counts[command]}")
        return self.script.get((command, self.counts[command]), "")

    async def _act(self, server: SMTP, command: str, action: str) -> str:
        transport = server.transport
        assert isinstance(transport, asyncio.Transport)
        if action == "421":
            asyncio.get_running_loop().call_soon(transport.close)  # after the reply is out
            return "421 4.3.2 shutting down"
        if action in ("451", "550"):
            return REPLIES.get(command, REPLIES["RCPT"])[action]
        if action == "hang":
            await self.owner._hang()
            return ""
        if action == "drop":
            transport.abort()
            return "421 gone"  # never reaches the client
        return ""

    async def handle_MAIL(self, server: SMTP, session: Session, envelope: Envelope,
                          address: str, mail_options: list[str]) -> str:
        answer = await self._act(server, "MAIL", self._step("MAIL"))
        if answer:
            return answer
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 2.1.0 OK"

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope,
                          address: str, rcpt_options: list[str]) -> str:
        answer = await self._act(server, "RCPT", self._step("RCPT"))
        if answer:
            return answer
        return str(await super().handle_RCPT(server, session, envelope, address, rcpt_options))

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        action = self._step("DOT")
        answer = await self._act(server, "DATA", "" if action == "close" else action)
        if answer:
            return answer
        reply = str(await super().handle_DATA(server, session, envelope))
        if action == "close":  # the 250, then at once the end: nothing more is read
            transport = server.transport
            assert isinstance(transport, asyncio.Transport)
            transport.write(reply.encode() + b"\r\n")
            transport.abort()
        return reply


@contextmanager
def scripted(script: dict[tuple[str, int], str] | None = None, *,
             pipelining: bool = True) -> Iterator[tuple[SmtpTestServer, Scripted]]:
    server = SmtpTestServer(pipelining=pipelining)
    handler = Scripted(server, script or {})
    server._controller.handler = handler
    server.start()
    try:
        yield server, handler
    finally:
        server.stop()


def channel(server: SmtpTestServer, **changes: Any) -> SmtpChannel:
    settings: dict[str, Any] = {"sender": "noreply@example.org", "timeout": 5.0, **changes}
    return SmtpChannel(SmtpSettings(host=server.host, port=server.port, **settings))


def outgoing(key: str, to: str = "a@example.org") -> Outgoing:
    return Outgoing(key=key, destination=f"mailto:{to}", subject="Reminder",
                    text="Paper deadline tomorrow.\n")


def chain(mail: SmtpChannel, messages: list[Outgoing], log: list[str] | None = None,
          *, last_upcoming: str | None = None) -> list[Outcome]:
    """Send each with the next one's destination as ``upcoming``, as the engine does; each
    send's ``meanwhile`` notes "record <key before>" in ``log``."""
    outcomes: list[Outcome] = []
    before = ""
    for index, message in enumerate(messages):
        upcoming = (messages[index + 1].destination if index + 1 < len(messages)
                    else last_upcoming)

        def record(key: str = before) -> None:
            if log is not None and key:
                log.append(f"record {key}")

        outcomes.append(mail.send_overlapped(message, record, upcoming=upcoming))
        before = message.key
    return outcomes


def keys(server: SmtpTestServer) -> list[str]:
    return [str(m.message["X-Duebot-Key"]) for m in server.messages]


@pytest.fixture
def writes(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Every write the client makes (``smtplib.SMTP.send``), after the session is open."""
    seen: list[bytes] = []
    real = smtplib.SMTP.send

    def send(self: smtplib.SMTP, data: Any) -> None:
        seen.append(data if isinstance(data, bytes) else str(data).encode())
        real(self, data)

    monkeypatch.setattr(smtplib.SMTP, "send", send)
    return seen


def transaction_writes(writes: list[bytes]) -> list[bytes]:
    return [w for w in writes if not w.startswith((b"ehlo", b"EHLO", b"quit", b"QUIT"))]


def test_each_message_takes_one_write_with_the_next_envelope(writes: list[bytes]) -> None:
    messages = [outgoing(f"k{n}", f"p{n}@example.org") for n in range(5)]
    log: list[str] = []
    with scripted() as (server, _handler):
        mail = channel(server)
        outcomes = chain(mail, messages, log)
        mail.close()

    assert [o.kind for o in outcomes] == ["sent"] * 5
    assert keys(server) == [f"k{n}" for n in range(5)]
    assert [m.rcpt_tos for m in server.messages] == [(f"p{n}@example.org",) for n in range(5)]
    assert server.connections == 1
    sent = transaction_writes(writes)
    assert len(sent) == 1 + 5  # the first envelope, then each message with the next envelope
    assert all(b"\r\n.\r\nMAIL FROM:<noreply@example.org>\r\nRCPT TO:<p%d@example.org>\r\n"
               b"DATA\r\n" % (n + 1) in sent[n + 1] for n in range(4))
    assert sent[-1].endswith(b"\r\n.\r\n")  # no next message: no envelope left open


def test_the_previous_record_comes_before_each_final_dot() -> None:
    messages = [outgoing(f"k{n}") for n in range(4)]
    with scripted() as (server, handler):
        mail = channel(server)
        chain(mail, messages, handler.log)
        mail.close()

    dots = [i for i, line in enumerate(handler.log) if line.startswith("DOT")]
    records = {line.split()[1]: i for i, line in enumerate(handler.log)
               if line.startswith("record")}
    for n in range(1, 4):  # message n's final dot comes after message n-1's record
        assert records[f"k{n - 1}"] < dots[n], handler.log


def test_a_refused_next_recipient_is_that_messages_outcome_and_the_session_goes_on() -> None:
    messages = [outgoing("k1"), outgoing("k2", "gone@example.org"), outgoing("k3")]
    with scripted({("RCPT", 2): "550"}) as (server, _handler):
        mail = channel(server)
        outcomes = chain(mail, messages)
        mail.close()

    assert [o.kind for o in outcomes] == ["sent", "dead", "sent"]
    assert "550 5.1.1 mailbox unavailable" in outcomes[1].reason
    assert keys(server) == ["k1", "k3"]
    assert server.connections == 1  # the refused transaction ended by RSET, not a hang-up


def test_451_for_the_next_recipient_is_retry_and_nothing_of_it_goes() -> None:
    messages = [outgoing("k1"), outgoing("k2", "busy@example.org"), outgoing("k3")]
    with scripted({("RCPT", 2): "451"}) as (server, _handler):
        mail = channel(server)
        outcomes = chain(mail, messages)
        mail.close()

    assert [o.kind for o in outcomes] == ["sent", "retry", "sent"]
    assert "451 4.2.1" in outcomes[1].reason
    assert keys(server) == ["k1", "k3"]


def test_421_at_the_next_mail_reconnects_and_sends_each_once() -> None:
    messages = [outgoing("k1"), outgoing("k2"), outgoing("k3")]
    with scripted({("MAIL", 2): "421"}) as (server, _handler):
        mail = channel(server)
        outcomes = chain(mail, messages)
        mail.close()

    assert [o.kind for o in outcomes] == ["sent"] * 3
    assert keys(server) == ["k1", "k2", "k3"]
    assert server.connections == 2


def test_421_at_the_next_recipient_is_a_server_down_retry() -> None:
    messages = [outgoing("k1"), outgoing("k2"), outgoing("k3")]
    with scripted({("RCPT", 2): "421"}) as (server, _handler):
        mail = channel(server)
        outcomes = chain(mail, messages)
        mail.close()

    assert [o.kind for o in outcomes] == ["sent", "retry", "sent"]
    assert outcomes[1].server_down
    assert keys(server) == ["k1", "k3"]


def test_a_server_that_hangs_up_after_the_250_costs_a_reconnect_only() -> None:
    messages = [outgoing("k1"), outgoing("k2"), outgoing("k3")]
    with scripted({("DOT", 1): "close"}) as (server, _handler):
        mail = channel(server)
        outcomes = chain(mail, messages)
        mail.close()

    assert [o.kind for o in outcomes] == ["sent"] * 3
    assert keys(server) == ["k1", "k2", "k3"]
    assert server.connections == 2


def test_no_answer_to_the_dot_is_retry_and_the_next_goes_on_a_new_connection() -> None:
    messages = [outgoing("k1"), outgoing("k2")]
    with scripted({("DOT", 1): "drop"}) as (server, _handler):
        mail = channel(server)
        outcomes = chain(mail, messages)
        mail.close()

    assert [o.kind for o in outcomes] == ["retry", "sent"]
    assert keys(server) == ["k2"]
    assert server.connections == 2


def test_5xx_at_the_dot_with_the_next_envelope_out_is_dead_and_never_rset_into_data() -> None:
    """After the refused dot the server goes on to the next envelope and into DATA: an RSET
    there would be message text, and the next message would arrive with it in front."""
    messages = [outgoing("k1"), outgoing("k2"), outgoing("k3")]
    with scripted({("DOT", 1): "550"}) as (server, _handler):
        mail = channel(server)
        outcomes = chain(mail, messages)
        mail.close()

    assert [o.kind for o in outcomes] == ["dead", "sent", "sent"]
    assert "550 5.7.1" in outcomes[0].reason
    assert keys(server) == ["k2", "k3"]
    assert all(m.raw.startswith(b"From: ") for m in server.messages)
    assert server.connections == 2


def test_a_354_that_never_comes_holds_up_only_its_own_message() -> None:
    messages = [outgoing("k1"), outgoing("k2", "slow@example.org")]
    with scripted({("RCPT", 2): "hang"}) as (server, _handler):
        mail = channel(server, timeout=1.0)
        started = time.monotonic()
        first = mail.send_overlapped(messages[0], lambda: None,
                                     upcoming=messages[1].destination)
        first_took = time.monotonic() - started
        second = mail.send_overlapped(messages[1], lambda: None)
        server.release()  # a late 250 for the abandoned RCPT goes nowhere
        mail.close()

    assert first.kind == "sent"
    assert first_took < 1.0  # its verdict is the 250 for its dot, not the next 354
    assert second.kind == "retry"
    assert keys(server) == ["k1"]


def test_a_next_send_for_another_envelope_abandons_the_open_one() -> None:
    with scripted() as (server, _handler):
        mail = channel(server, connections=1)
        first = mail.send_overlapped(outgoing("k1"), lambda: None,
                                     upcoming="mailto:expected@example.org")
        other = mail.send_overlapped(outgoing("k2", "other@example.org"), lambda: None)
        mail.close()

    assert (first.kind, other.kind) == ("sent", "sent")
    assert [(m.message["X-Duebot-Key"], m.rcpt_tos) for m in server.messages] == [
        ("k1", ("a@example.org",)), ("k2", ("other@example.org",))]
    assert server.connections == 2


def test_close_with_an_envelope_open_delivers_nothing_and_frees_the_connection() -> None:
    with scripted() as (server, handler):
        mail = channel(server, connections=1)
        first = mail.send_overlapped(outgoing("k1"), lambda: None,
                                     upcoming="mailto:never@example.org")
        started = time.monotonic()
        mail.close()
        closed_in = time.monotonic() - started
        results: list[Outcome] = []
        sender = threading.Thread(target=lambda: results.append(mail.send(outgoing("k2"))))
        sender.start()
        sender.join(timeout=10)  # a connection slot kept by the open envelope would block
        mail.close()

    assert first.kind == "sent"
    assert closed_in < 5.0  # no QUIT waiting for an answer that, in DATA, never comes
    assert [o.kind for o in results] == ["sent"]
    assert keys(server) == ["k1", "k2"]
    assert handler.counts["DOT"] == 2


def test_a_server_without_pipelining_gets_no_envelope_ahead(writes: list[bytes]) -> None:
    messages = [outgoing(f"k{n}") for n in range(3)]
    with scripted(pipelining=False) as (server, _handler):
        mail = channel(server)
        outcomes = chain(mail, messages)
        mail.close()

    assert [o.kind for o in outcomes] == ["sent"] * 3
    assert keys(server) == ["k0", "k1", "k2"]
    assert not any(b".\r\nMAIL" in w for w in writes)
    assert server.connections == 1


def test_a_record_that_fails_abandons_the_opened_message_before_its_dot() -> None:
    class LedgerDown(Exception):
        pass

    def failing_record() -> None:
        raise LedgerDown("the ledger is gone")

    with scripted() as (server, _handler):
        mail = channel(server)
        first = mail.send_overlapped(outgoing("k1"), lambda: None,
                                     upcoming="mailto:a@example.org")
        with pytest.raises(LedgerDown):
            mail.send_overlapped(outgoing("k2"), failing_record, upcoming="mailto:a@example.org")
        after = mail.send_overlapped(outgoing("k3"), lambda: None)
        mail.close()

    assert (first.kind, after.kind) == ("sent", "sent")
    assert keys(server) == ["k1", "k3"]


def test_sessions_stay_within_the_pool_size_across_threads() -> None:
    """Each thread keeps its open envelope with its connection slot; no more than
    ``connections`` sessions exist at once, and every message goes once."""
    per_thread = 6
    with scripted() as (server, _handler):
        mail = channel(server, connections=2)
        outcomes: list[Outcome] = []

        def worker(name: str) -> None:
            outcomes.extend(chain(mail, [outgoing(f"{name}{n}", f"{name}{n}@example.org")
                                         for n in range(per_thread)]))

        threads = [threading.Thread(target=worker, args=(name,)) for name in "xy"]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        mail.close()

    assert [o.kind for o in outcomes] == ["sent"] * 2 * per_thread
    assert sorted(keys(server)) == sorted(f"{t}{n}" for t in "xy" for n in range(per_thread))
    assert server.connections <= 2


def test_every_kind_of_destination_finds_the_envelope_opened_for_it(
        writes: list[bytes]) -> None:
    """The envelope opened from ``upcoming`` is the one the send itself makes: else the
    connection would be closed and opened again for each."""
    destinations = ["a@example.org", "Ann Example <ann@example.org>",
                    "a@example.org, b@example.org", "A.B+tag@Example.ORG", "c@example.org"]
    messages = [outgoing(f"k{n}", to) for n, to in enumerate(destinations)]
    with scripted() as (server, _handler):
        mail = channel(server)
        outcomes = chain(mail, messages)
        mail.close()

    assert [o.kind for o in outcomes] == ["sent"] * len(destinations)
    assert [m.rcpt_tos for m in server.messages] == [
        ("a@example.org",), ("ann@example.org",), ("a@example.org", "b@example.org"),
        ("A.B+tag@Example.ORG",), ("c@example.org",)]
    assert server.connections == 1
    assert len(transaction_writes(writes)) == 1 + len(destinations)


class IdleCloser(Scripted):
    """After answering the n-th RCPT (and so the DATA behind it, pipelined), the server
    waits in DATA for a body that does not come and ends the session as an idle timeout
    does: ``421`` then the end (Postfix: ``smtpd_timeout``, 300 s, 10 s under stress), or
    the end without a word (``silent``)."""

    def __init__(self, owner: SmtpTestServer, rcpt: int, *, silent: bool = False) -> None:
        super().__init__(owner, {})
        self.rcpt = rcpt
        self.silent = silent
        self.timed_out = threading.Event()

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope,
                          address: str, rcpt_options: list[str]) -> str:
        answer = str(await super().handle_RCPT(server, session, envelope, address,
                                               rcpt_options))
        if self.counts["RCPT"] == self.rcpt:
            transport = server.transport
            assert isinstance(transport, asyncio.Transport)

            def time_out() -> None:
                if not self.silent:
                    transport.write(b"421 4.4.2 example.org Error: timeout exceeded\r\n")
                transport.close()
                self.timed_out.set()

            asyncio.get_running_loop().call_later(0.05, time_out)  # after the 354 is out
        return answer


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> TlsPair:
    pair = tls_pair(tmp_path_factory.mktemp("tls"))
    if pair is None:
        pytest.skip("no way here to make a self-signed certificate")
    return pair


def tls_server(handler: type[Scripted], tls: TlsPair | None, *args: Any,
               **kwargs: Any) -> tuple[SmtpTestServer, Any, dict[str, Any]]:
    """A pipelining server with ``handler`` (implicit TLS if ``tls``), started, and the
    channel settings that reach it."""
    server = SmtpTestServer(pipelining=True,
                            implicit_tls=tls.server if tls is not None else None)
    made = handler(server, *args, **kwargs)
    server._controller.handler = made
    server.start()
    settings: dict[str, Any] = ({"security": "ssl", "ssl_context": tls.client}
                                if tls is not None else {})
    return server, made, settings


@pytest.mark.parametrize("secure", [False, True], ids=["plain", "tls"])
@pytest.mark.parametrize("silent", [False, True], ids=["421", "closed"])
def test_an_open_envelope_the_server_timed_out_goes_again_on_a_new_connection(
        silent: bool, secure: bool, request: pytest.FixtureRequest) -> None:
    """The next message was slow to come (a slow claim, a database failover): the server
    ended the session waiting in DATA. Its 250s and 354 are still there to read, but the
    body must not go into the dead session (a 421 to the dot would count an attempt for
    nothing, and the message would not go): the send opens a new connection, once."""
    pair = request.getfixturevalue("tls") if secure else None
    server, handler, settings = tls_server(IdleCloser, pair, 2, silent=silent)
    try:
        mail = channel(server, **settings)
        first = mail.send_overlapped(outgoing("k1"), lambda: None,
                                     upcoming="mailto:a@example.org")
        assert handler.timed_out.wait(5)
        time.sleep(0.1)  # the 421 and the end have reached the client's socket
        second = mail.send_overlapped(outgoing("k2"), lambda: None)
        mail.close()
    finally:
        server.stop()

    assert (first.kind, second.kind) == ("sent", "sent"), second.reason
    assert keys(server) == ["k1", "k2"]
    assert server.connections == 2


def test_over_tls_each_message_still_takes_its_open_envelope(tls: TlsPair) -> None:
    """The check that the server has not spoken since its 354 finds nothing on a live TLS
    session: every message goes on the one connection."""
    server, _handler, settings = tls_server(Scripted, tls, {})
    try:
        mail = channel(server, **settings)
        outcomes = chain(mail, [outgoing(f"k{n}", f"p{n}@example.org") for n in range(4)])
        mail.close()
    finally:
        server.stop()

    assert [o.kind for o in outcomes] == ["sent"] * 4
    assert keys(server) == [f"k{n}" for n in range(4)]
    assert server.connections == 1
