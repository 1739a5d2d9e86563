"""bot.app.unavailable: what /healthz names as away, recorded from several sender threads whose
records need not come in the order their sends ended."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from bot.app.unavailable import Unavailable

NOW = datetime(2030, 3, 19, 12, 0, tzinfo=UTC)


def test_an_older_sighting_never_overrides_a_newer_one() -> None:
    seen = Unavailable(timedelta(hours=2))
    # a message sent at 3 is recorded after a send that ended at 2 found Slack away
    seen.away("slack", "server unavailable: Slack: HTTP 503", ended=2.0, at=NOW)
    seen.took("slack", ended=3.0)
    assert "slack" not in seen
    # a send that ended before that success, recorded late, does not bring it back
    seen.away("slack", "server unavailable: stale", ended=2.5, at=NOW)
    assert not seen
    # a success recorded late (its record waited for the next message) does not clear a
    # newer outage
    seen.away("slack", "server unavailable: Slack: HTTP 502", ended=5.0, at=NOW)
    seen.took("slack", ended=4.0)
    assert seen["slack"] == "server unavailable: Slack: HTTP 502"
    assert seen.snapshot() == {"slack": "server unavailable: Slack: HTTP 502"}


def test_an_entry_lapses_after_its_window_without_a_sighting() -> None:
    seen = Unavailable(timedelta(hours=2))
    seen.away("discord", "rate limited: Discord", ended=1.0, at=NOW)
    seen.ran(NOW + timedelta(hours=2))
    assert "discord" in seen
    seen.away("discord", "rate limited: Discord again", ended=2.0, at=NOW + timedelta(hours=1))
    seen.ran(NOW + timedelta(hours=3))
    assert seen["discord"] == "rate limited: Discord again"
    seen.ran(NOW + timedelta(hours=3, seconds=1))
    assert "discord" not in seen


def test_concurrent_sightings_keep_the_latest() -> None:
    seen = Unavailable(timedelta(hours=2))
    start = threading.Barrier(8)

    def worker(number: int) -> None:
        start.wait()
        for step in range(2000):
            ended = float(step * 8 + number)
            if step % 2:
                seen.took("slack", ended=ended)
            else:
                seen.away("slack", f"away {ended}", ended=ended, at=NOW)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # the last sighting of all (ended 15999: step 1999 of worker 7) was a success
    assert "slack" not in seen
    seen.away("slack", "late", ended=15998.0, at=NOW)
    assert "slack" not in seen
