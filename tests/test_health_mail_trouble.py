"""``/healthz`` of the app ``duebot run`` serves, while the mail server misbehaves at 3 am.

A real SMTP server (aiosmtpd on loopback) stops answering at DATA, then answers 451, then
recovers; the real app answers over uvicorn. While reminders wait to be retried, ``/healthz``
says ``degraded``, how many, and the server's words; once they went out, ``ok`` again. It
stays 200 throughout: restarting duebot does not bring a mail server back.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.adapters.http import build_app
from bot.config import DeliveryConfig
from bot.service import Service
from tests import services
from tests.services import deadline_schedule
from tests.slack_stub import serving
from tests.smtp_server import SmtpTestServer, running_smtp

SCHEDULE = deadline_schedule("2030-03-20 12:00", event_id="night", name="Night Workshop")
DUE = datetime(2030, 3, 19, 12, 0, tzinfo=UTC)
BACKOFF = timedelta(minutes=1)
PEOPLE = ["ana@example.org", "bo@example.org"]


@pytest.fixture
def smtp() -> Iterator[SmtpTestServer]:
    with running_smtp() as server:
        yield server


def _service(tmp_path: Path, smtp: SmtpTestServer, clock: list[datetime]) -> Service:
    return services.make_service(
        tmp_path, SCHEDULE, [f"mailto:{a}" for a in PEOPLE], lambda: clock[0], smtp=smtp,
        smtp_timeout=0.3, sender="Night <noreply@example.org>",
        delivery=DeliveryConfig(lease=timedelta(seconds=2), retry_backoff=BACKOFF,
                                max_backoff=timedelta(minutes=10)))


def _health(url: str) -> tuple[int, dict[str, Any]]:
    response = httpx.get(f"{url}/healthz", timeout=10)
    return response.status_code, response.json()


def test_healthz_says_reminders_wait_for_a_mail_server_and_recovers_after(
        tmp_path: Path, smtp: SmtpTestServer) -> None:
    clock = [DUE - timedelta(hours=1)]
    service = _service(tmp_path, smtp, clock)
    service.reconcile(clock[0])
    with serving(build_app(service)) as url:
        status, report = _health(url)
        assert (status, report["status"], report["deliveries"]["retrying"]) == (200, "ok", 0)

        smtp.mode = "hang"  # takes the message, never answers the final dot
        clock[0] = DUE + timedelta(seconds=1)
        assert service.deliver_once(clock[0]).failed == len(PEOPLE)
        status, report = _health(url)
        assert status == 200 and report["ok"] is True
        assert report["status"] == "degraded"
        assert report["deliveries"]["retrying"] == len(PEOPLE)
        first = report["deliveries"]["errors"][0]
        assert first.startswith("night/paper/1d|mailto:")
        # The backoff, and up to a quarter more (bot.app.delivery.SPREAD).
        assert "no answer after DATA" in first and "next try 2030-03-19T12:01:" in first

        smtp.mode = "451"  # the hung sessions stay hung: they never said 250
        clock[0] += BACKOFF * 1.25 + timedelta(seconds=2)  # the backoff, spread, and the run
        assert service.deliver_once(clock[0]).failed == len(PEOPLE)
        status, report = _health(url)
        assert report["status"] == "degraded"
        assert "451" in report["deliveries"]["errors"][0]

        smtp.mode = "accept"
        clock[0] += timedelta(minutes=10)
        assert service.deliver_once(clock[0]).sent == len(PEOPLE)
        status, report = _health(url)
        assert (status, report["status"]) == (200, "ok")
        assert report["deliveries"] == {"retrying": 0, "dead": 0, "errors": [],
                                        "stopped_channels": {}, "unavailable": {},
                                        "unavailable_since": {}, "unavailable_next_try": {}}
        assert report["summary"] == []
    # Every reminder arrived, and once (the hung sends were never answered 250).
    assert Counter(r for m in smtp.messages for r in m.rcpt_tos) == Counter(PEOPLE)
    service.ledger.close()
