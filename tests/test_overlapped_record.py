"""A sent message's record overlaps the next message's envelope, never its final dot.

The engine writes the outcome of a sent e-mail while the server reads the next message's
MAIL, RCPT and DATA (``SmtpChannel.send_overlapped``), so the record costs no round trip of
its own. The crash window must stay one message a session: here a real server (aiosmtpd on
loopback, PIPELINING offered) looks into the SQLite ledger each time a message's final dot
arrives, and every message it took before must already be recorded as sent.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

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


@pytest.mark.parametrize("connections", [1, 3])
def test_every_message_before_a_final_dot_is_recorded_but_one_per_session(
        tmp_path: Path, connections: int) -> None:
    server = SmtpTestServer(pipelining=True)
    watcher = LedgerWatcher(server, tmp_path / "ledger.db")
    server._controller.handler = watcher
    server.start()
    try:
        service = services.make_service(
            tmp_path, SCHEDULE, [f"mailto:p{i:02d}@example.org" for i in range(PEOPLE)],
            lambda: DUE, smtp=server, connections=connections,
            delivery=DeliveryConfig(batch_size=7))
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
