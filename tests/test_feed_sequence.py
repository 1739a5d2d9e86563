"""A date's SEQUENCE and LAST-MODIFIED come from the ledger, so calendars see hand edits.

Organizers edit ``at`` (or ``end``, the title, ``cancelled``...) in the TOML by hand; RFC 5546
wants ``SEQUENCE`` raised for that, and Outlook or Apple Calendar keep their old copy of an
attached .ics otherwise. The ledger keeps each date's fingerprint and sequence
(``date_revisions``): a real Service on a real SQLite file (and PostgreSQL for the replicas),
the real SMTP channel into aiosmtpd on loopback for the attachment, the clock injected.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import icalendar
import psycopg
import pytest

from bot.adapters.schedule_edit import extend_date
from bot.adapters.store.ledger import Ledger
from bot.core.ical import build_calendar
from bot.core.revisions import Revision
from bot.service import Service
from tests.pg import fresh_database, query, require_pg
from tests.services import deadline_schedule, make_service
from tests.smtp_server import SmtpTestServer

START = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)
TWO_DATES = deadline_schedule("2027-03-01 12:00", event_id="seq", extra="") + """
[[dates]]
id = "day"
title = "Workshop day"
kind = "event"
at = "2027-05-01"
"""


def entries(data: bytes) -> dict[str, tuple[int, datetime | None, str]]:
    """Each entry's SEQUENCE, LAST-MODIFIED and start, by date id."""
    out = {}
    for vevent in icalendar.Calendar.from_ical(data).walk("VEVENT"):
        date_id = str(vevent["UID"]).removesuffix("@duebot").split(".", 1)[1]
        modified = vevent.decoded("LAST-MODIFIED") if "LAST-MODIFIED" in vevent else None
        out[date_id] = (int(vevent["SEQUENCE"]), modified, str(vevent.decoded("DTSTART")))
    return out


def feed(service: Service) -> dict[str, tuple[int, datetime | None, str]]:
    return entries(build_calendar(list(service.events().values())))


def edit(path: Path, old: str, new: str) -> None:
    """A hand edit, saved a second later (the reload notices a new mtime)."""
    text = path.read_text("utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")
    later = path.stat().st_mtime + 1
    os.utime(path, (later, later))


@pytest.fixture
def clock() -> list[datetime]:
    return [START]


@pytest.fixture
def service(tmp_path: Path, clock: list[datetime]) -> Iterator[Service]:
    running = make_service(tmp_path, TWO_DATES, ["console:"], lambda: clock[0])
    yield running
    running.ledger.close()


@pytest.mark.parametrize(("old", "new"), [
    ('at = "2027-03-01 12:00"', 'at = "2027-03-02 12:00"'),
    ('at = "2027-03-01 12:00"', 'at = "2027-03-01 12:00"\nend = "2027-03-01 18:00"'),
    ('title = "Paper deadline"', 'title = "Full paper deadline"'),
    ('at = "2027-03-01 12:00"', 'at = "2027-03-01 12:00"\ncancelled = true'),
    ('at = "2027-03-01 12:00"', 'at = "2027-03-01 12:00"\nzone = "Asia/Tokyo"'),
], ids=["at", "end", "title", "cancelled", "zone"])
def test_each_hand_edit_raises_the_edited_dates_sequence_once(
        service: Service, tmp_path: Path, clock: list[datetime], old: str, new: str) -> None:
    first = feed(service)
    # First seen: the schedule's own revision, served as it always was (no LAST-MODIFIED).
    assert first["paper"][:2] == (0, None) and first["day"][:2] == (0, None)
    clock[0] = START + timedelta(days=3, seconds=7)
    edit(tmp_path / "demo.toml", old, new)
    assert service.reload()
    after = feed(service)
    assert after["paper"][:2] == (1, clock[0])
    assert after["day"] == first["day"]
    # Seen again (another reload, a touch, a reconcile), the same change raises nothing more.
    clock[0] += timedelta(hours=1)
    edit(tmp_path / "demo.toml", "Workshop day", "Workshop day")
    service.refresh(clock[0], force=True)
    assert feed(service) == after


def test_a_new_date_starts_at_its_written_sequence_and_a_later_extend_still_goes_up(
        service: Service, tmp_path: Path, clock: list[datetime]) -> None:
    path = tmp_path / "demo.toml"
    clock[0] = START + timedelta(days=1)
    edit(path, 'at = "2027-03-01 12:00"', 'at = "2027-03-03 12:00"')  # hand edit: 1
    service.reload()
    assert feed(service)["paper"][0] == 1
    edit(path, 'at = "2027-05-01"', 'at = "2027-05-01"\nsequence = 4')  # written by hand
    service.reload()
    assert feed(service)["day"][0] == 4  # at least what the organizer wrote
    # `duebot extend` writes the file's sequence + 1 (1): the ledger's is 1 already.
    clock[0] = START + timedelta(days=2)
    extend_date(path, "paper", "2027-03-05 12:00")
    later = path.stat().st_mtime + 1
    os.utime(path, (later, later))
    service.reload()
    assert feed(service)["paper"][:2] == (2, clock[0])
    edit(path, '[[dates]]\nid = "day"', '[[dates]]\nid = "new"\ntitle = "New"\nkind = "other"\n'
                                        'at = "2027-06-01"\n\n[[dates]]\nid = "day"')
    service.reload()
    assert feed(service)["new"][:2] == (0, None)


def test_a_restart_with_the_schedule_unchanged_raises_nothing(
        tmp_path: Path, clock: list[datetime]) -> None:
    running = make_service(tmp_path, TWO_DATES, ["console:"], lambda: clock[0])
    edit(tmp_path / "demo.toml", 'at = "2027-03-01 12:00"', 'at = "2027-03-02 12:00"')
    running.reload()
    served = build_calendar(list(running.events().values()))
    running.ledger.close()
    for hours in (1, 30):
        clock[0] = START + timedelta(hours=hours)
        again = make_service(tmp_path, TWO_DATES, ["console:"], lambda: clock[0])
        try:
            assert build_calendar(list(again.events().values())) == served
        finally:
            again.ledger.close()


def test_the_attached_ics_carries_the_feeds_sequence(tmp_path: Path, smtp: SmtpTestServer,
                                                     clock: list[datetime]) -> None:
    running = make_service(tmp_path, TWO_DATES, ["mailto:a@example.org"], lambda: clock[0],
                           smtp=smtp)
    try:
        running.reconcile(clock[0])
        clock[0] = datetime(2027, 2, 10, 8, 0, tzinfo=UTC)
        edit(tmp_path / "demo.toml", 'at = "2027-03-01 12:00"', 'at = "2027-03-02 12:00"')
        running.refresh(clock[0])
        clock[0] = datetime(2027, 3, 1, 12, 0, 30, tzinfo=UTC)  # the 1d reminder's due time
        running.refresh(clock[0])
        report = running.deliver_once(clock[0])
        assert report.sent == 1, report
    finally:
        for channel in running.engine.channels.values():
            channel.close()
        running.ledger.close()
    (received,) = smtp.messages
    (attachment,) = received.message.iter_attachments()
    payload = attachment.get_payload(decode=True)
    assert isinstance(payload, bytes)
    attached = entries(payload)["paper"]
    served = feed(running)["paper"]
    assert attached[0] == served[0] == 1
    assert attached[1] == served[1] == datetime(2027, 2, 10, 8, 0, tzinfo=UTC)
    assert attached[2] == served[2] == "2027-03-02 12:00:00+00:00"


def test_when_the_ledger_cannot_say_the_last_version_keeps_serving(
        service: Service, tmp_path: Path, clock: list[datetime]) -> None:
    """New times must not go out at an old SEQUENCE: the edit waits for the database."""
    first = feed(service)
    clock[0] = START + timedelta(minutes=5)
    edit(tmp_path / "demo.toml", 'at = "2027-03-01 12:00"', 'at = "2027-03-02 12:00"')
    real = service.ledger
    db = tmp_path / "ledger.db"
    held = db.with_suffix(".held")
    real.close()
    db.rename(held)
    db.mkdir()  # the file's place taken by a directory: SQLite cannot open it
    try:
        assert not service.reload()
        assert feed(service) == first
    finally:
        db.rmdir()
        held.rename(db)
    assert service.reload()  # the database back: the edit is read again, and served raised
    assert feed(service)["paper"][:2] == (1, clock[0])


# -- replicas on PostgreSQL ------------------------------------------------------------------


@pytest.fixture
def pg_url() -> Iterator[str]:
    require_pg()
    with fresh_database() as url:
        Ledger.open(url).close()  # the schema, made once
        yield url


def test_replicas_seeing_one_change_at_once_raise_it_once(pg_url: str) -> None:
    replicas = [Ledger.open(pg_url, owner=f"r{n}") for n in range(4)]
    key = ("ws", "paper")
    try:
        assert replicas[0].revise({key: ("v0", 0)}, START)[key] == Revision(0, None)
        for version in range(1, 9):
            barrier = threading.Barrier(len(replicas))
            now = START + timedelta(minutes=version)
            got: list[Revision] = []

            def serve(ledger: Ledger, now: datetime = now, barrier: threading.Barrier = barrier,
                      version: int = version, got: list[Revision] = got) -> None:
                barrier.wait()
                got.append(ledger.revise({key: (f"v{version}", 0)}, now)[key])

            threads = [threading.Thread(target=serve, args=(r,)) for r in replicas]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(30)
            assert got == [Revision(version, now)] * len(replicas)
        assert replicas[1].date_revisions("ws") == {"paper": Revision(8, START + timedelta(
            minutes=8))}
    finally:
        for ledger in replicas:
            ledger.close()


def test_a_replica_that_waited_on_anothers_raise_does_not_raise_again(pg_url: str) -> None:
    """The interleaving that double-raises a read-then-write: replica A's raise is written
    and not committed; replica B reads the old fingerprint, then waits on A's row lock. B must
    find A's commit, not add one to it."""
    ledger = Ledger.open(pg_url, owner="b")
    key = ("ws", "paper")
    ledger.revise({key: ("v0", 0)}, START)
    libpq = pg_url.replace("postgresql+psycopg://", "postgresql://", 1)
    later = START + timedelta(hours=1)
    got: list[Revision | BaseException] = []

    def replica_b() -> None:
        try:
            got.append(ledger.revise({key: ("v1", 0)}, later + timedelta(minutes=5))[key])
        except BaseException as exc:  # reported below, not lost in the thread
            got.append(exc)

    with psycopg.connect(libpq) as replica_a:
        replica_a.execute("UPDATE date_revisions SET fingerprint = 'v1', sequence = 1, "
                          "modified = %s WHERE event_id = 'ws' AND date_id = 'paper'", (later,))
        thread = threading.Thread(target=replica_b)
        thread.start()
        deadline = time.monotonic() + 20
        while not query(pg_url, "SELECT 1 FROM pg_stat_activity WHERE wait_event_type = "
                                "'Lock' AND datname = current_database()"):
            assert time.monotonic() < deadline, "replica B never waited on A's row"
            assert thread.is_alive(), got
            time.sleep(0.02)
        replica_a.commit()
        thread.join(30)
    try:
        assert got == [Revision(1, later)]
        assert ledger.date_revisions("ws") == {"paper": Revision(1, later)}
    finally:
        ledger.close()


def test_new_dates_are_stored_as_written_beside_stored_and_changed_ones(
        ledger: Ledger) -> None:
    """New dates (a first start: every date; SQLite writes them through its driver) are
    served at their written sequence, as stored; a stored one as it was, a changed one raised
    once; a second look reads the same back."""
    ledger.revise({("ws", "kept"): ("k", 3), ("ws", "moved"): ("m", 0)}, START)
    later = START + timedelta(hours=1)
    wanted = {("ws", "kept"): ("k", 3), ("ws", "moved"): ("m2", 0),
              **{(f"e{i}", f"d{j}"): (f"f{i}.{j}", j % 3) for i in range(30) for j in range(7)}}
    expected = {("ws", "kept"): Revision(3, None), ("ws", "moved"): Revision(1, later),
                **{(f"e{i}", f"d{j}"): Revision(j % 3, None)
                   for i in range(30) for j in range(7)}}
    assert ledger.revise(wanted, later) == expected
    assert ledger.revise(wanted, later + timedelta(hours=1)) == expected
    assert ledger.date_revisions("e3") == {f"d{j}": Revision(j % 3, None) for j in range(7)}
    with ledger.engine.connect() as conn:
        stored = sorted(tuple(r) for r in conn.exec_driver_sql(
            "SELECT event_id, date_id, fingerprint, sequence FROM date_revisions"))
    assert stored == sorted((e, d, mark, expected[(e, d)].sequence)
                            for (e, d), (mark, _seq) in wanted.items())
