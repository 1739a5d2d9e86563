"""A sent message's record comes before the next message's final dot, never after it.

The engine writes the outcome of a sent e-mail before the next message's final dot
(``SmtpChannel.send_overlapped``), and the next message's envelope goes in the same write as
this one's final dot (``upcoming``): one round trip a message. The crash window must stay one
message a session: here a real server (aiosmtpd on loopback, PIPELINING offered) looks into
the SQLite ledger each time a message's final dot arrives, and every message it took before
must already be recorded as sent.
"""

from __future__ import annotations

import smtplib
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session

from bot.adapters.smtp import SmtpChannel, SmtpSettings
from bot.config import DeliveryConfig
from bot.ports import Outgoing
from tests import services
from tests.services import deadline_schedule
from tests.smtp_server import SmtpTestServer, _Handler, running_smtp

SCHEDULE = deadline_schedule("2030-03-20 12:00", event_id="overlap", name="Overlap Workshop")
DUE = datetime(2030, 3, 19, 12, 0, tzinfo=UTC)
PEOPLE = 30


class LedgerWatcher(_Handler):
    """At each final dot: how many messages came before, and how many the ledger shows sent."""

    def __init__(self, owner: SmtpTestServer, db: Path) -> None:
        super().__init__(owner)
        self.db = db
        self.seen: list[tuple[int, int]] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        with sqlite3.connect(self.db, timeout=10) as conn:
            [(sent,)] = conn.execute("SELECT count(*) FROM deliveries WHERE state = 'sent'")
        self.seen.append((len(self.owner.messages), int(sent)))
        return str(await super().handle_DATA(server, session, envelope))


@pytest.mark.parametrize(("connections", "mail_only"), [(1, True), (1, False), (3, False)],
                         ids=["one-session-inline", "one-session-worker", "three-sessions"])
def test_every_message_before_a_final_dot_is_recorded_but_one_per_session(
        tmp_path: Path, connections: int, mail_only: bool,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """``mail_only``: the engine's one channel, one session, runs each send in its own thread
    (the next job put is the upcoming one); else on a worker (the next taken from its queue)."""
    ahead: list[bool] = []  # per message write: did the next envelope go with it?
    real_send = smtplib.SMTP.send

    def send(self: smtplib.SMTP, data: Any) -> None:
        if isinstance(data, bytes) and data.endswith(b"DATA\r\n"):
            ahead.append(b"\r\n.\r\nMAIL FROM:" in data)
        elif isinstance(data, bytes) and data.endswith(b"\r\n.\r\n"):
            ahead.append(False)
        real_send(self, data)

    monkeypatch.setattr(smtplib.SMTP, "send", send)
    server = SmtpTestServer(pipelining=True)
    watcher = LedgerWatcher(server, tmp_path / "ledger.db")
    server._controller.handler = watcher
    server.start()
    try:
        service = services.make_service(
            tmp_path, SCHEDULE, [f"mailto:p{i:02d}@example.org" for i in range(PEOPLE)],
            lambda: DUE, smtp=server, connections=connections,
            delivery=DeliveryConfig(batch_size=7))
        if mail_only:
            del service.engine.channels["console"]
        service.reconcile(DUE - timedelta(hours=1))
        report = service.deliver_once(DUE + timedelta(seconds=1))
        counts = service.ledger.counts("overlap")
        service.ledger.close()
    finally:
        server.stop()

    assert report.sent == PEOPLE
    assert counts == {"sent": PEOPLE}
    assert len(watcher.seen) == PEOPLE
    # Taken before this final dot, not yet recorded: at most one per session.
    assert all(before - sent <= connections for before, sent in watcher.seen), watcher.seen
    assert all(sent <= before for before, sent in watcher.seen)
    if connections == 1:  # one session: the previous message is recorded, every time
        assert [sent for _, sent in watcher.seen] == list(range(PEOPLE))
    if mail_only:  # the next envelope went with every final dot but the last
        assert ahead.count(True) == PEOPLE - 1, ahead
    else:  # with most: a worker holds the next job when its queue has one
        assert ahead.count(True) >= PEOPLE // 2, ahead


def outgoing(key: str) -> Outgoing:
    return Outgoing(key=key, destination="mailto:a@example.org", subject="Reminder",
                    text="Paper deadline tomorrow.\n")


@pytest.mark.parametrize("pipelining", [True, False])
def test_a_record_that_fails_abandons_the_next_message_before_its_final_dot(
        pipelining: bool) -> None:
    class LedgerDown(Exception):
        pass

    def failing_record() -> None:
        raise LedgerDown("the ledger is gone")

    with running_smtp(pipelining=pipelining) as server:
        mail = SmtpChannel(SmtpSettings(host=server.host, port=server.port,
                                        sender="noreply@example.org", timeout=5.0))
        with pytest.raises(LedgerDown):
            mail.send_overlapped(outgoing("k1"), failing_record)
        after = mail.send_overlapped(outgoing("k2"), lambda: None)
        mail.close()

    assert after.kind == "sent"
    assert [m.message["X-Duebot-Key"] for m in server.messages] == ["k2"]


def test_the_record_is_made_once_whatever_the_send_comes_to() -> None:
    calls: list[str] = []
    with running_smtp(pipelining=True, recipient_modes={"a@example.org": "550"}) as server:
        mail = SmtpChannel(SmtpSettings(host=server.host, port=server.port,
                                        sender="noreply@example.org", timeout=5.0))
        refused = mail.send_overlapped(outgoing("k1"), lambda: calls.append("refused"))
        bad = mail.send_overlapped(Outgoing(key="k2", destination="mailto:nobody",
                                            subject="s", text="t"),
                                   lambda: calls.append("bad address"))
        mail.close()

    assert (refused.kind, bad.kind) == ("dead", "dead")
    assert calls == ["refused", "bad address"]
