"""PostgreSQL's backends killed again and again under a running service (what a restart of the
server does to it, without restarting the shared server): every reminder goes once, the jobs
keep running, and no traceback is logged for what is an expected outage.

The service runs its real background jobs against a fresh database on the local server; the
backends of that database alone are ended with ``pg_terminate_backend`` (``tests/pg.py``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.pg import AT_DUE, BEFORE_DUE, terminate
from tests.test_replicas import Recording, in_process, pg_url, wait_for, workshop_due_at

__all__ = ["pg_url"]  # the fixture, used by name

PEOPLE = 150


def test_backends_killed_while_reminders_go_lose_none_send_none_twice_and_log_no_traceback(
        tmp_path: Path, pg_url: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="duebot")
    moment = [BEFORE_DUE]
    channel = Recording()
    service = in_process(pg_url, workshop_due_at(tmp_path, AT_DUE), owner="killed", poll="1s",
                         channel=channel, clock=lambda: moment[0], destinations=PEOPLE)
    service.reconcile(BEFORE_DUE)
    service.start()
    stop = threading.Event()
    killed = [0]

    def killer() -> None:
        while not stop.wait(0.05):
            killed[0] += terminate(pg_url)

    try:
        wait_for(lambda: service.health.last_delivery_run is not None, 10, "a first pass")
        thread = threading.Thread(target=killer, daemon=True)
        thread.start()
        moment[0] = AT_DUE
        service.wake()
        time.sleep(2.0)  # the outage: every connection it opens is ended within 50 ms
        stop.set()
        thread.join()
        service.wake()
        wait_for(lambda: len(channel.sent) >= PEOPLE and service.health.ok, 90,
                 "every reminder, after the database came back")
        time.sleep(0.5)
        assert killed[0] > 0
        assert Counter(Counter(channel.sent).values()) == {1: PEOPLE}  # each once
        assert service.ledger.counts() == {"sent": PEOPLE}
        states = service.jobs.states()
        assert all(state.up for state in states.values()), states
        assert states["deliver"].crashes == 0  # an outage, not a crash
        tracebacks = [r.getMessage() for r in caplog.records
                      if r.name.startswith("duebot") and r.exc_info]
        assert tracebacks == []
    finally:
        stop.set()
        service.stop()
        service.ledger.close()
