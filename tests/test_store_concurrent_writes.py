"""Writes that another replica can race, and keys longer than their column, on both databases.

A race is made deterministic on PostgreSQL: another connection writes the same row and holds
its transaction open; the store's write runs in a thread until it waits on that row's lock
(``pg_stat_activity``), then the other side commits. SQLite needs no such case (its writers
queue at BEGIN IMMEDIATE), but the same calls must give the same answers there.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bot.adapters.store.ledger import Ledger
from bot.adapters.store.schema import inbound_hits, processed_inbound
from tests.pg import dbname, fresh_database, query, require_pg

NOW = datetime(2030, 1, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def pg() -> Iterator[tuple[Ledger, str]]:
    require_pg()
    with fresh_database() as url:
        ledger = Ledger.open(url, owner="test")
        try:
            yield ledger, url
        finally:
            ledger.close()


def _waiting_on_a_lock(url: str) -> bool:
    for _ in range(500):  # up to 10 s on a busy machine; usually the first look
        if query(url, "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
                 "AND wait_event_type = 'Lock'", [dbname(url)])[0][0]:
            return True
        time.sleep(0.02)
    return False


def _while_another_writes(ledger: Ledger, url: str, sql: str, write: Callable[[], Any]
                           ) -> Any:
    """``write()``'s result (or what it raised), run while another connection's uncommitted
    ``sql`` holds the row it wrote; that commits once ``write`` waits for it."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = write()
        except Exception as exc:  # the outcome to compare, whatever it is
            outcome["value"] = exc

    with ledger.engine.connect() as other:
        other.execute(sa.text(sql), {"at": NOW})
        thread = threading.Thread(target=run)
        thread.start()
        assert _waiting_on_a_lock(url), "the write never waited for the other one"
        other.commit()
        thread.join(timeout=30)
    return outcome["value"]


def test_a_subscribe_racing_another_replicas_gets_its_row_not_a_conflict(
        pg: tuple[Ledger, str]) -> None:
    ledger, url = pg
    got = _while_another_writes(ledger, url, (
        "INSERT INTO subscribers (event_id, destination, state, token, source, created_at, "
        "updated_at) VALUES ('ev', 'mailto:a@example.org', 'active', 'theirs', 'mail', :at, "
        ":at)"), lambda: ledger.subscribe("ev", "mailto:a@example.org", NOW, source="mail"))
    assert got == ("active", "theirs")
    assert ledger.subscriber_tokens("ev") == {"mailto:a@example.org": "theirs"}


def test_a_pending_subscribe_racing_a_confirmed_one_keeps_it_active(
        pg: tuple[Ledger, str]) -> None:
    ledger, url = pg
    got = _while_another_writes(ledger, url, (
        "INSERT INTO subscribers (event_id, destination, state, token, source, created_at, "
        "updated_at) VALUES ('ev', 'mailto:a@example.org', 'pending', 'theirs', 'mail', :at, "
        ":at)"), lambda: ledger.subscribe("ev", "mailto:a@example.org", NOW, source="slack"))
    assert got == ("active", "theirs")  # theirs was pending; ours confirmed it
    found = ledger.subscriber("theirs")
    assert found is not None and found["state"] == "active"


def test_a_confirmation_racing_an_unsubscribe_does_not_bring_the_subscriber_back(
        pg: tuple[Ledger, str]) -> None:
    ledger, url = pg
    _, token = ledger.subscribe("ev", "mailto:a@example.org", NOW, source="mail",
                                confirmed=False)
    got = _while_another_writes(
        ledger, url, f"UPDATE subscribers SET state = 'unsubscribed' WHERE token = '{token}'",
        lambda: ledger.confirm(token, NOW))
    assert got is None
    found = ledger.subscriber(token)
    assert found is not None and found["state"] == "unsubscribed"
    assert ledger.active_subscribers() == {}


def test_set_meta_racing_another_replicas_first_write_replaces_it(
        pg: tuple[Ledger, str]) -> None:
    ledger, url = pg
    got = _while_another_writes(
        ledger, url, "INSERT INTO duebot_meta (name, value) VALUES ('k', 'theirs')",
        lambda: ledger.set_meta("k", "ours"))
    assert got is None
    assert ledger.get_meta("k") == "ours"


def test_setdefault_meta_racing_another_replicas_first_write_returns_theirs(
        pg: tuple[Ledger, str]) -> None:
    """Two replicas making the form secret on first use at once: the second one waits for the
    first one's insert and takes its value (with set_meta, it replaced it: two secrets)."""
    ledger, url = pg
    got = _while_another_writes(
        ledger, url, "INSERT INTO duebot_meta (name, value) VALUES ('k', 'theirs')",
        lambda: ledger.setdefault_meta("k", "ours"))
    assert got == "theirs"
    assert ledger.get_meta("k") == "theirs"


def test_setdefault_meta_keeps_the_first_value_across_two_ledgers(
        ledger: Ledger, tmp_path: Path) -> None:
    other = Ledger.open(ledger.engine.url.render_as_string(hide_password=False), owner="b")
    try:
        assert ledger.setdefault_meta("k", "first") == "first"
        assert other.setdefault_meta("k", "second") == "first"
        assert ledger.setdefault_meta("k", "third") == "first"
        assert other.get_meta("k") == ledger.get_meta("k") == "first"
        other.set_meta("k", "replaced")  # set_meta still replaces
        assert ledger.setdefault_meta("k", "fourth") == "replaced"
    finally:
        other.close()


def test_subscribe_and_set_meta_are_idempotent(ledger: Ledger) -> None:
    state, token = ledger.subscribe("ev", "mailto:a@example.org", NOW, source="mail",
                                    confirmed=False)
    assert state == "pending"
    assert ledger.subscribe("ev", "mailto:a@example.org", NOW, source="mail") == (
        "active", token)
    assert ledger.subscribe("ev", "mailto:a@example.org", NOW, source="mail",
                            confirmed=False) == ("active", token)
    assert ledger.subscribe("ev", "mailto:b@example.org", NOW, source="mail")[1] != token
    ledger.set_meta("k", "one")
    ledger.set_meta("k", "two")
    assert ledger.get_meta("k") == "two"


def test_a_sender_longer_than_the_column_is_counted_alike_on_both_databases(
        ledger: Ledger) -> None:
    """A From address of 400 characters: PostgreSQL refused its hit (value too long), so its
    mail was deferred at every retry, where SQLite counted it."""
    window = timedelta(hours=1)
    long = "mail:" + "a" * 400 + "@example.org"
    other = "mail:" + "a" * 400 + "@example.net"  # the same first 320 characters
    assert ledger.hit(long, NOW, window=window) == 1
    assert ledger.record(NOW, inbound="mail:<1@example.org>", hits=[(long, window)])
    assert ledger.hits(long, NOW, window=window) == 2
    assert ledger.hits(other, NOW, window=window) == 0
    assert ledger.hit(other, NOW, window=window) == 1
    with ledger.engine.connect() as conn:
        lengths = conn.execute(sa.select(sa.func.length(inbound_hits.c.key))).scalars().all()
    assert lengths and max(lengths) <= 320


def test_an_inbound_key_longer_than_the_column_is_seen_once(ledger: Ledger) -> None:
    key = "mail:<" + "m" * 600 + "@example.org>"
    assert ledger.first_time(key, NOW)
    assert ledger.seen(key)
    assert not ledger.first_time(key, NOW)
    assert not ledger.record(NOW, inbound=key)
    assert not ledger.seen(key[:-2] + "x>")
    assert ledger.record(NOW, inbound=key[:-2] + "x>")
    with ledger.engine.connect() as conn:
        lengths = conn.execute(
            sa.select(sa.func.length(processed_inbound.c.key))).scalars().all()
    assert len(lengths) == 2 and max(lengths) <= 512


def test_several_inbound_keys_are_taken_at_once_each_exactly_once(ledger: Ledger) -> None:
    """Slack's dedupe takes an event's id and its message's in one statement: each key says
    whether it was new, as ``first_time`` would have, alone."""
    long = "slack-message:C1:" + "9" * 600
    assert ledger.first_times(["slack:Ev1", long], NOW) == (True, True)
    assert ledger.first_times(["slack:Ev1", long], NOW) == (False, False)  # a retry
    assert ledger.first_times(["slack:Ev2", long], NOW) == (True, False)  # an edit
    assert ledger.first_times(["slack:Ev3"], NOW) == (True,)
    assert ledger.first_times([], NOW) == ()
    assert not ledger.first_time("slack:Ev2", NOW) and ledger.seen(long)
    with ledger.engine.connect() as conn:
        rows = conn.execute(sa.select(processed_inbound.c.key, processed_inbound.c.at,
                                      processed_inbound.c.owner)).all()
    assert {(at, owner) for _, at, owner in rows} == {(NOW, "test")}
    assert len(rows) == 4 and max(len(key) for key, _, _ in rows) <= 512
