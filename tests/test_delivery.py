"""The delivery engine with a real SQLite ledger and a real SMTP server on loopback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.adapters.store.ledger import Ledger
from bot.config import DeliveryConfig
from bot.service import Service
from tests import services
from tests.services import deadline_schedule
from tests.smtp_server import SmtpTestServer, running_smtp

SCHEDULE = deadline_schedule("2030-03-20 23:59", zone="America/Los_Angeles",
                             leads='["7d", "1d", "3h"]', extra="""
[submission]
system = "HotCRP"
url = "https://demo.example.org/submit"
""")

NOW = datetime(2030, 3, 1, 12, 0, tzinfo=UTC)
DUE_7D = datetime(2030, 3, 14, 6, 59, tzinfo=UTC)  # 23:59 PDT on 13 March
DUE_1D = datetime(2030, 3, 20, 6, 59, tzinfo=UTC)
DUE_3H = datetime(2030, 3, 21, 3, 59, tzinfo=UTC)


def make_service(tmp_path: Path, smtp: SmtpTestServer, *, schedule: str = SCHEDULE,
                 clock: list[datetime] | None = None, **delivery: object) -> Service:
    moment = clock if clock is not None else [NOW]
    return services.make_service(
        tmp_path, schedule, ("mailto:participants@example.org", "console:"),
        lambda: moment[0], smtp=smtp,
        delivery=DeliveryConfig(**delivery))  # type: ignore[arg-type]


def test_each_reminder_goes_once_on_time_to_every_destination(tmp_path: Path,
                                                               smtp: SmtpTestServer) -> None:
    service = make_service(tmp_path, smtp)
    service.reconcile(NOW)
    assert service.deliver_once(NOW).sent == 0
    just_after = DUE_7D + timedelta(seconds=5)
    report = service.deliver_once(just_after)
    assert report.sent == 2  # mail + console
    assert len(smtp.messages) == 1
    mail = smtp.messages[0].message
    assert mail["To"] == "participants@example.org"
    assert "Paper deadline" in mail["Subject"]
    body = mail.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "Wednesday 20 March 2030, 23:59 PDT" in text
    assert "This reminder was due" not in text
    # again at the same instant, and after a restart: nothing more
    assert service.deliver_once(just_after).sent == 0
    again = make_service(tmp_path, smtp, clock=[just_after])
    again.reconcile(just_after)
    assert again.deliver_once(just_after).sent == 0
    assert len(smtp.messages) == 1


def test_fresh_install_sends_no_backlog(tmp_path: Path, smtp: SmtpTestServer) -> None:
    late = DUE_1D + timedelta(minutes=10)
    service = make_service(tmp_path, smtp, clock=[late])
    service.reconcile(late)
    report = service.deliver_once(late)
    assert report.sent == 0 and smtp.messages == []
    counts = service.ledger.counts()
    assert counts == {"skipped": 4, "pending": 2}  # 7d and 1d skipped for both destinations
    skipped = service.ledger.rows(states=["skipped"])
    assert all("planned after its due time" in r.reason for r in skipped)


def test_missed_reminder_within_grace_goes_late_with_a_note(tmp_path: Path,
                                                            smtp: SmtpTestServer) -> None:
    service = make_service(tmp_path, smtp)
    service.reconcile(NOW)  # planned while the bot was up ...
    back = DUE_7D + timedelta(minutes=40)  # ... then it was down when the 7d one was due
    report = service.deliver_once(back)
    assert report.sent == 2
    body = smtp.messages[0].message.get_body(("plain",))
    assert body is not None
    assert "This reminder was due at" in body.get_content()
    rows = service.ledger.rows(states=["sent"])
    assert all("late by 40m" in r.reason for r in rows)


def test_missed_reminder_beyond_grace_is_skipped_and_recorded(tmp_path: Path,
                                                              smtp: SmtpTestServer) -> None:
    service = make_service(tmp_path, smtp)
    service.reconcile(NOW)
    back = DUE_7D + timedelta(hours=2)
    report = service.deliver_once(back)
    assert report.sent == 0 and report.skipped == 2
    assert smtp.messages == []
    reasons = [r.reason for r in service.ledger.rows(states=["skipped"])]
    assert all("beyond the grace window" in r for r in reasons)


def test_reminder_is_never_sent_after_its_own_deadline(tmp_path: Path,
                                                       smtp: SmtpTestServer) -> None:
    service = make_service(tmp_path, smtp, grace=timedelta(days=30))
    service.reconcile(NOW)
    after_deadline = DUE_3H + timedelta(hours=3, minutes=1)
    report = service.deliver_once(after_deadline)
    assert report.sent == 0
    assert smtp.messages == []
    assert all("already past" in r.reason for r in service.ledger.rows(states=["skipped"]))


def test_extension_retimes_unsent_reminders_and_never_resends(tmp_path: Path,
                                                              smtp: SmtpTestServer) -> None:
    clock = [NOW]
    service = make_service(tmp_path, smtp, clock=clock)
    service.reconcile(NOW)
    clock[0] = DUE_7D + timedelta(seconds=1)
    assert service.deliver_once(clock[0]).sent == 2
    path = tmp_path / "demo.toml"
    path.write_text(SCHEDULE.replace("2030-03-20 23:59", "2030-03-27 23:59"), encoding="utf-8")
    service.refresh(clock[0])
    pending = {r.item_id: r.due for r in service.ledger.rows(states=["pending"])}
    assert pending["demo/paper/1d"] == DUE_1D + timedelta(days=7)
    assert pending["demo/paper/3h"] == DUE_3H + timedelta(days=7)
    sent = service.ledger.rows(states=["sent"])
    assert {r.item_id for r in sent} == {"demo/paper/7d"}
    # the old 1-day time passes: nothing goes; the new one: it goes, once
    assert service.deliver_once(DUE_1D + timedelta(seconds=1)).sent == 0
    assert service.deliver_once(DUE_1D + timedelta(days=7, seconds=1)).sent == 2
    assert len(smtp.messages) == 2


def test_cancelled_date_cancels_unsent_reminders(tmp_path: Path, smtp: SmtpTestServer) -> None:
    service = make_service(tmp_path, smtp)
    service.reconcile(NOW)
    path = tmp_path / "demo.toml"
    path.write_text(SCHEDULE + "cancelled = true\n", encoding="utf-8")
    service.refresh(NOW)
    assert service.ledger.counts() == {"cancelled": 6}
    assert service.deliver_once(DUE_3H).sent == 0


def test_smtp_temporary_failure_retries_with_backoff_then_sends(tmp_path: Path) -> None:
    with running_smtp(mode="451") as server:
        service = make_service(tmp_path, server)
        service.reconcile(NOW)
        moment = DUE_7D + timedelta(seconds=1)
        report = service.deliver_once(moment)
        assert report.failed == 1 and report.sent == 1  # console went, mail will retry
        row = service.ledger.rows(states=["failed"])[0]
        assert "451" in row.reason
        # The backoff, and up to a quarter more (bot.app.delivery.SPREAD)
        assert moment + timedelta(minutes=1) <= row.next_attempt <= moment + timedelta(
            minutes=1, seconds=15)
        server.mode = "accept"
        assert service.deliver_once(moment + timedelta(seconds=30)).sent == 0  # backoff
        assert service.deliver_once(row.next_attempt).sent == 1
        assert len(server.messages) == 1


def test_smtp_permanent_failure_is_dead_with_the_servers_words(tmp_path: Path) -> None:
    with running_smtp(mode="550") as server:
        service = make_service(tmp_path, server)
        service.reconcile(NOW)
        report = service.deliver_once(DUE_7D + timedelta(seconds=1))
        assert report.dead == 1
        row = service.ledger.rows(states=["dead"])[0]
        assert "550" in row.reason and "refused" in row.reason


def test_every_state_change_is_in_the_history(tmp_path: Path, smtp: SmtpTestServer) -> None:
    service = make_service(tmp_path, smtp)
    service.reconcile(NOW)
    service.deliver_once(DUE_7D + timedelta(seconds=1))
    key = "demo/paper/7d|mailto:participants@example.org"
    steps = [(h["from_state"], h["to_state"]) for h in service.ledger.history(key)]
    assert steps == [("", "pending"), ("claimed", "sent")]


def test_two_ledgers_on_one_file_never_claim_the_same_delivery(tmp_path: Path,
                                                               smtp: SmtpTestServer) -> None:
    service = make_service(tmp_path, smtp)
    service.reconcile(NOW)
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    a, b = Ledger.open(url, owner="a"), Ledger.open(url, owner="b")
    first = a.claim(DUE_3H, limit=3, lease=timedelta(seconds=60))
    second = b.claim(DUE_3H, limit=10, lease=timedelta(seconds=60))
    assert {r.key for r in first}.isdisjoint({r.key for r in second})
    assert len(first) + len(second) == 6


def test_schedule_grace_overrides_the_operators_default(tmp_path: Path,
                                                        smtp: SmtpTestServer) -> None:
    schedule = SCHEDULE.replace('deadline = ["7d", "1d", "3h"]',
                                'deadline = ["7d", "1d", "3h"]\ngrace = "3h"')
    service = make_service(tmp_path, smtp, schedule=schedule)
    service.reconcile(NOW)
    report = service.deliver_once(DUE_7D + timedelta(hours=2))  # beyond 1h, within 3h
    assert report.sent == 2 and report.skipped == 0
    body = smtp.messages[0].message.get_body(("plain",))
    assert body is not None and "This reminder was due at" in body.get_content()
