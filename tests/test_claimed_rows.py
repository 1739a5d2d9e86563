"""Rows a replica held when the schedule changed, and announcements sent from their row.

The row carries the instant ``at`` named when it was planned; reconcile re-times or cancels it
when the schedule changes. Reconcile never touches a claimed row, though: a row claimed by a
replica that died keeps the old instant and text until its lease runs out, and then the
engine that takes it over must judge it by the schedule as it is now, as it does a reminder.
On SQLite and PostgreSQL, with the real engine and a channel that records what it is given.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.adapters.store.ledger import Ledger
from bot.adapters.template_files import load_templates
from bot.app.delivery import Engine
from bot.config import DeliveryConfig
from bot.core.model import Event
from bot.core.preferences import Preferences
from bot.core.render import Renderer
from bot.core.schedule import parse_schedule
from bot.ports import Outcome, Outgoing

T0 = datetime(2030, 3, 1, 12, 0, tzinfo=UTC)
AT = datetime(2030, 3, 5, 17, 0, tzinfo=UTC)  # 09:00 PST
LATER = AT + timedelta(hours=2)
TO = ("mailto:a@example.org",)
KEY = "ann/demo/hello|mailto:a@example.org"
RENDERER = Renderer(load_templates())


def schedule(announcement: str | None, *, extra: str = "", paper: str = "2030-03-20 23:59",
             leads: str = "[]") -> Event:
    text = """
[event]
id = "demo"
name = "Demo Workshop"
zone = "America/Los_Angeles"

[reminders]
deadline = LEADS

[[dates]]
id = "paper"
title = "Paper deadline"
kind = "deadline"
at = "PAPER"
""".replace("LEADS", leads).replace("PAPER", paper) + extra
    if announcement is not None:
        text += f'\n[[announcements]]\nid = "hello"\nat = "{announcement}"\ntext = "Hello."\n'
    return parse_schedule(text)


class Recorder:
    scheme = "mailto"

    def __init__(self) -> None:
        self.sent: list[Outgoing] = []

    def send(self, message: Outgoing) -> Outcome:
        self.sent.append(message)
        return Outcome.sent()

    def close(self) -> None:
        pass


def engine(ledger: Ledger, event: Event, recorder: Recorder) -> Engine:
    return Engine(ledger, events={"demo": event}, destinations={"demo": TO},
                  renderer=RENDERER, channels={"mailto": recorder},
                  settings=DeliveryConfig())


def claimed_by_a_replica_that_dies(ledger: Ledger, now: datetime, key: str = KEY) -> None:
    [row] = ledger.claim(now, limit=10, lease=timedelta(0), owner="ghost")
    assert row.key == key


def state(ledger: Ledger, key: str = KEY) -> str:
    [row] = [r for r in ledger.rows(event_id="demo") if r.key == key]
    return row.state


def test_a_reminder_re_timed_at_claim_still_goes_late_after_the_next_reconcile(
        ledger: Ledger) -> None:
    """The engine re-times a claimed reminder whose date moved later; if the bot is down at
    the new time, the next reconcile (same schedule) must not take the row for "moved into
    the past" and skip it: it goes, late, within the grace window."""
    recorder = Recorder()
    key = "demo/paper/1d|mailto:a@example.org"
    due = datetime(2030, 3, 20, 6, 59, tzinfo=UTC)  # 23:59 PDT the day before
    bot = engine(ledger, schedule(None, leads='["1d"]'), recorder)
    bot.reconcile(T0)
    claimed_by_a_replica_that_dies(ledger, due, key)
    bot.set_schedules({"demo": schedule(None, leads='["1d"]', paper="2030-03-21 01:59")},
                      {"demo": TO})
    bot.reconcile(due)  # claimed: left alone
    bot.deliver_due(due)  # the engine re-times it to the new due time
    assert recorder.sent == [] and state(ledger, key) == "pending"
    moved = due + timedelta(hours=2)
    late = moved + timedelta(minutes=10)
    bot.reconcile(late)
    assert state(ledger, key) == "pending"
    bot.deliver_due(late)
    assert [(m.key, m.due) for m in recorder.sent] == [(key, moved)]


def test_one_removed_from_the_file_while_a_dead_replica_held_it_is_cancelled(
        ledger: Ledger) -> None:
    recorder = Recorder()
    bot = engine(ledger, schedule(f"{AT:%Y-%m-%d %H:%M} UTC"), recorder)
    bot.reconcile(T0)
    claimed_by_a_replica_that_dies(ledger, AT)
    bot.set_schedules({"demo": schedule(None)}, {"demo": TO})
    bot.reconcile(AT)  # the row is claimed: reconcile leaves it
    bot.deliver_due(AT)
    assert recorder.sent == []
    assert state(ledger) == "cancelled"


def test_one_moved_while_a_dead_replica_held_it_goes_at_its_new_time_only(
        ledger: Ledger) -> None:
    recorder = Recorder()
    bot = engine(ledger, schedule(f"{AT:%Y-%m-%d %H:%M} UTC"), recorder)
    bot.reconcile(T0)
    claimed_by_a_replica_that_dies(ledger, AT)
    bot.set_schedules({"demo": schedule(f"{LATER:%Y-%m-%d %H:%M} UTC")}, {"demo": TO})
    bot.reconcile(AT)
    bot.deliver_due(AT)
    assert recorder.sent == []
    assert state(ledger) == "pending"
    bot.deliver_due(LATER)
    assert [(m.key, m.due) for m in recorder.sent] == [(KEY, LATER)]
    assert "Hello." in recorder.sent[0].text


def test_a_row_re_timed_at_claim_is_not_taken_for_moved_by_the_next_reconcile(
        ledger: Ledger) -> None:
    """The engine re-times a claimed row it finds moved; the next reconcile, with the same
    schedule, must see a row that matches it (not one "moved into the past" to skip)."""
    recorder = Recorder()
    bot = engine(ledger, schedule(f"{AT:%Y-%m-%d %H:%M} UTC"), recorder)
    bot.reconcile(T0)
    claimed_by_a_replica_that_dies(ledger, AT)
    bot.set_schedules({"demo": schedule(f"{LATER:%Y-%m-%d %H:%M} UTC")}, {"demo": TO})
    bot.reconcile(AT)
    bot.deliver_due(AT)  # re-timed to LATER by the engine
    late = LATER + timedelta(minutes=10)  # the bot was down at LATER; within the grace
    bot.reconcile(late)
    assert state(ledger) == "pending"
    bot.deliver_due(late)
    assert [(m.key, m.due) for m in recorder.sent] == [(KEY, LATER)]


def test_the_at_edited_in_the_schedule_re_times_it_before_it_is_sent(ledger: Ledger) -> None:
    recorder = Recorder()
    bot = engine(ledger, schedule("paper-15d"), recorder)  # 2030-03-05 23:59 PST
    bot.reconcile(T0)
    bot.set_schedules({"demo": schedule("paper-14d")}, {"demo": TO})
    bot.reconcile(T0 + timedelta(hours=1))
    first = datetime(2030, 3, 6, 7, 59, tzinfo=UTC)
    bot.deliver_due(first)
    assert recorder.sent == []
    bot.deliver_due(first + timedelta(days=1))
    assert [(m.key, m.due) for m in recorder.sent] == [(KEY, first + timedelta(days=1))]


def test_one_scheduled_by_an_organizer_survives_a_schedule_reload(ledger: Ledger) -> None:
    recorder = Recorder()
    bot = engine(ledger, schedule(None), recorder)
    ledger.add_announcement(T0, id="cli", event_id="demo", when_spec="paper-1d",
                            destinations=[], text="From the command line.", template="",
                            actor="organizer")
    bot.reconcile(T0)
    edited = schedule(None, extra='description = "Edited."\n')
    bot.set_schedules({"demo": edited}, {"demo": TO})
    bot.reconcile(T0 + timedelta(hours=1))
    due = datetime(2030, 3, 20, 6, 59, tzinfo=UTC)
    bot.deliver_due(due)
    assert [m.key for m in recorder.sent] == ["ann/demo/cli|mailto:a@example.org"]
    assert "From the command line." in recorder.sent[0].text


def test_an_extension_notice_speaks_the_readers_language(ledger: Ledger) -> None:
    recorder = Recorder()
    bot = engine(ledger, schedule(None), recorder)
    ledger.add_announcement(T0, id="ext", event_id="demo", when_spec=f"{AT.isoformat()}",
                            destinations=[], template="extended", actor="organizer",
                            text='{"date": "paper", "new": "2030-03-20T23:59:00-07:00", '
                                 '"old": "2030-03-06T23:59:00-08:00", "later": "true"}')
    bot.set_schedules({"demo": schedule(None)}, {"demo": TO},
                      {"demo": {TO[0]: Preferences(language="zh", zone="Asia/Tokyo")}})
    bot.reconcile(T0)
    bot.deliver_due(AT)
    [message] = recorder.sent
    # Old and new on either side of the start of daylight saving time (10 March), each with
    # its own offset, and in UTC; the frame in the reader's language, their zone first.
    assert ("新时间：2030年3月21日星期四 15:59 JST（日本标准时间，UTC+09:00）；"
            "即2030年3月20日星期三 23:59 PDT（2030年3月21日星期四 06:59 UTC）") in message.text
    assert "即2030年3月6日星期三 23:59 PST（2030年3月7日星期四 07:59 UTC）" in message.text
    assert "已延期" in message.text


def test_two_replicas_one_with_a_stale_copy_send_an_announcement_once(ledger: Ledger) -> None:
    """Replica B still has the file from before the announcement moved from AT to LATER. The
    fresh replica reconciled last, so the row says LATER: nobody sends it at AT, and B, taking
    it at LATER, sends it once with the row's (fresh) instant. Whoever reconciles last wins
    (nothing tells a stale copy from a fresh one), but the key makes a second send impossible
    either way."""
    other = Ledger.open(ledger.engine.url.render_as_string(hide_password=False), owner="b")
    try:
        fresh_sent, stale_sent = Recorder(), Recorder()
        fresh = engine(ledger, schedule(f"{LATER:%Y-%m-%d %H:%M} UTC"), fresh_sent)
        stale = engine(other, schedule(f"{AT:%Y-%m-%d %H:%M} UTC"), stale_sent)
        stale.reconcile(T0)
        fresh.reconcile(T0 + timedelta(minutes=1))
        for moment in (AT, AT + timedelta(minutes=1), LATER):
            stale.deliver_due(moment)
            fresh.deliver_due(moment)
        assert fresh_sent.sent == []
        assert [(m.key, m.due) for m in stale_sent.sent] == [(KEY, LATER)]
        stale.reconcile(LATER)  # B's stale plan again: the row is sent, it stays so
        for moment in (LATER, LATER + timedelta(minutes=5)):
            stale.deliver_due(moment)
            fresh.deliver_due(moment)
        assert len(stale_sent.sent) + len(fresh_sent.sent) == 1
        assert state(ledger) == "sent"
    finally:
        other.close()
