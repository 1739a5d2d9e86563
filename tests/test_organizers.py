"""Organizers (issue 7): announcements, the outbox, and extensions that re-time everything.

End to end with the real SMTP test server, a real SQLite ledger and injected clocks.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar

from bot.adapters.schedule_edit import cancel_date, extend_date
from bot.app import announce
from bot.app.organizers import apply_change
from bot.cli.main import main
from bot.core.ical import build_calendar
from bot.core.schedule import read_schedule
from bot.errors import TemplateError, UsageError
from bot.service import Service
from tests import services
from tests.smtp_server import SmtpTestServer

SCHEDULE = """\
# Demo workshop -- the organizers' own notes stay put.
[event]
id = "demo"
name = "Demo Workshop"
zone = "America/Los_Angeles"   # Pacific time

[submission]
system = "HotCRP"
url = "https://demo.example.org/submit"

[reminders]
deadline = ["7d", "1d"]

[[dates]]
id = "paper"
title = "Paper deadline"
kind = "deadline"
at = "2030-03-20 23:59"        # as the call says

[[dates]]
id = "workshop"
title = "Demo Workshop"
kind = "event"
at = "2030-06-01"
reminders = []
"""

NOW = datetime(2030, 3, 1, 12, 0, tzinfo=UTC)
PAPER = datetime(2030, 3, 21, 6, 59, tzinfo=UTC)  # 23:59 PDT on 20 March
DUE_7D = PAPER - timedelta(days=7)
DUE_1D = PAPER - timedelta(days=1)
MAIL = "mailto:participants@example.org"
DESTINATIONS = (MAIL, "console:")


def make_service(tmp_path: Path, smtp: SmtpTestServer, *, schedule: str = SCHEDULE,
                 clock: list[datetime] | None = None, approve: bool = False,
                 console: io.StringIO | None = None) -> Service:
    moment = clock if clock is not None else [NOW]
    return services.make_service(tmp_path, schedule, DESTINATIONS, lambda: moment[0], smtp=smtp,
                                 approve=approve, console=console)


def _vevent(data: bytes, uid: str) -> dict[str, Any]:
    for component in Calendar.from_ical(data).walk("VEVENT"):
        if str(component["UID"]) == uid:
            return {"dtstart": component.decoded("DTSTART"),
                    "sequence": int(str(component["SEQUENCE"])),
                    "status": str(component["STATUS"])}
    raise AssertionError(uid)


# -- extensions ---------------------------------------------------------------------------------

def test_extension_moves_the_feed_event_retimes_reminders_and_announces_once(
        tmp_path: Path, smtp: SmtpTestServer) -> None:
    clock = [NOW]
    service = make_service(tmp_path, smtp, clock=clock)
    service.reconcile(NOW)
    feed_before = build_calendar(list(service.events().values()))
    clock[0] = DUE_7D + timedelta(seconds=5)
    assert service.deliver_once(clock[0]).sent == 2  # the 7-day reminder, mail + console
    assert len(smtp.messages) == 1

    clock[0] = DUE_7D + timedelta(hours=1)
    result = extend_date(tmp_path / "demo.toml", "paper", "2030-03-27 23:59", actor="alice")
    applied = apply_change(service, result, actor="alice", now=clock[0], announce=True)
    assert (applied.retimed, applied.already_sent) == (2, 2)

    feed_after = build_calendar(list(service.events().values()))
    uid = "demo.paper@duebot"
    before, after = _vevent(feed_before, uid), _vevent(feed_after, uid)
    assert before["dtstart"] == PAPER and after["dtstart"] == PAPER + timedelta(days=7)
    assert after["sequence"] == before["sequence"] + 1 == 1
    pending = {r.item_id: r.due for r in service.ledger.rows(states=["pending"])
               if r.kind == "reminder"}
    assert pending == {"demo/paper/1d": DUE_1D + timedelta(days=7)}

    # the notice goes at the next run, to every destination, once
    report = service.deliver_once(clock[0] + timedelta(seconds=30))
    assert report.sent == 2
    notice = smtp.messages[-1].message
    assert "Paper deadline extended" in notice["Subject"]
    body = notice.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "Wednesday 27 March 2030, 23:59 PDT (Thursday 28 March 2030, 06:59 UTC)" in text
    assert "Wednesday 20 March 2030, 23:59 PDT (Thursday 21 March 2030, 06:59 UTC)" in text
    assert service.deliver_once(clock[0] + timedelta(minutes=5)).sent == 0

    # the old 1-day time passes quietly; the new one sends; the 7-day one never again
    assert service.deliver_once(DUE_1D + timedelta(seconds=5)).sent == 0
    assert service.deliver_once(DUE_1D + timedelta(days=7, seconds=5)).sent == 2
    subjects = [m.message["Subject"] for m in smtp.messages]
    assert len(subjects) == 3
    assert sum("Reminder" in s for s in subjects) == 2
    keys = [m.message["X-Duebot-Key"] for m in smtp.messages]
    assert len(set(keys)) == len(keys)
    audit = service.ledger.audit_entries("demo")
    assert any(a["actor"] == "alice" and a["action"] == "extend-date"
               and "2030-03-20 23:59 -> 2030-03-27 23:59" in a["detail"] for a in audit)


def test_status_shows_who_changed_what(tmp_path: Path, smtp: SmtpTestServer) -> None:
    from bot.app.status import gather, render_table

    service = make_service(tmp_path, smtp)
    service.reconcile(NOW)
    result = extend_date(tmp_path / "demo.toml", "paper", "2030-03-22 12:00")
    apply_change(service, result, actor="bob", now=NOW)
    table = render_table(gather(service, NOW))
    assert "bob: extend-date paper: at 2030-03-20 23:59 -> 2030-03-22 12:00" in table


def test_extend_keeps_comments_and_layout(tmp_path: Path) -> None:
    path = tmp_path / "demo.toml"
    path.write_text(SCHEDULE, encoding="utf-8")
    extend_date(path, "paper", "2030-03-27 23:59")
    text = path.read_text(encoding="utf-8")
    assert text == SCHEDULE.replace(
        'at = "2030-03-20 23:59"        # as the call says\n',
        'at = "2030-03-27 23:59"        # as the call says\n'
        'extended_from = "2030-03-20 23:59"\n'
        'sequence = 1\n')


def test_a_second_extension_keeps_the_first_earlier_time(tmp_path: Path) -> None:
    path = tmp_path / "demo.toml"
    path.write_text(SCHEDULE, encoding="utf-8")
    extend_date(path, "paper", "2030-03-27 23:59")
    second = extend_date(path, "paper", "2030-04-03 23:59")
    assert second.extended_from == "2030-03-20 23:59"
    assert second.old_text == "2030-03-27 23:59" and second.sequence == 2
    when = second.event.date("paper")
    assert when.sequence == 2
    assert when.extended_from == PAPER


def test_moving_earlier_is_a_move_not_an_extension(tmp_path: Path) -> None:
    path = tmp_path / "demo.toml"
    path.write_text(SCHEDULE, encoding="utf-8")
    result = extend_date(path, "paper", "2030-03-18 23:59")
    assert result.action == "move"
    assert "extended_from" not in path.read_text(encoding="utf-8")
    assert result.event.date("paper").sequence == 1


def test_a_hand_edit_with_extended_from_gives_the_same_sequence(tmp_path: Path) -> None:
    path = tmp_path / "demo.toml"
    path.write_text(SCHEDULE, encoding="utf-8")
    by_command = extend_date(path, "paper", "2030-03-27 23:59").event
    by_hand, problems = read_schedule(SCHEDULE.replace(
        'at = "2030-03-20 23:59"', 'at = "2030-03-27 23:59"\nextended_from = "2030-03-20 23:59"'))
    assert by_hand is not None, problems
    assert by_hand.date("paper").sequence == by_command.date("paper").sequence == 1
    assert build_calendar([by_hand]) == build_calendar([by_command])


def test_extend_refuses_a_time_that_does_not_exist_and_leaves_the_file(tmp_path: Path) -> None:
    path = tmp_path / "demo.toml"
    path.write_text(SCHEDULE, encoding="utf-8")
    with pytest.raises(Exception, match="does not exist"):
        extend_date(path, "paper", "2030-03-10 02:30")  # the spring-forward gap
    with pytest.raises(UsageError, match="did you mean 'paper'"):
        extend_date(path, "papr", "2030-03-27 23:59")
    assert path.read_text(encoding="utf-8") == SCHEDULE


def test_cli_extend_into_a_gap_names_the_argument_not_the_files_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The bad value came from the command line: the file's line still holds the old one."""
    (tmp_path / "demo.toml").write_text(SCHEDULE, encoding="utf-8")
    config = tmp_path / "duebot.toml"
    config.write_text('[storage]\ndatabase_url = "sqlite:///l.db"\n[[schedules]]\n'
                      'path = "demo.toml"\nreminders_to = ["console:"]\n', encoding="utf-8")
    assert main(["extend", "paper", "2030-03-10 02:30", "--config", str(config)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("duebot: error: new time for paper: 2030-03-10 02:30 does not exist "
                          "in America/Los_Angeles"), err
    assert "demo.toml is unchanged" in err and "demo.toml:" not in err
    assert "Traceback" not in err
    assert (tmp_path / "demo.toml").read_text(encoding="utf-8") == SCHEDULE


def test_cancelled_date_is_cancelled_in_the_feed_and_the_ledger(tmp_path: Path,
                                                                smtp: SmtpTestServer) -> None:
    service = make_service(tmp_path, smtp)
    service.reconcile(NOW)
    result = cancel_date(tmp_path / "demo.toml", "paper")
    applied = apply_change(service, result, actor="carol", now=NOW)
    assert applied.cancelled == 4
    feed = _vevent(build_calendar(list(service.events().values())), "demo.paper@duebot")
    assert feed["status"] == "CANCELLED" and feed["sequence"] == 1
    assert service.deliver_once(DUE_1D).sent == 0 and smtp.messages == []


def test_cli_extend_with_config_retimes_and_audits(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "demo.toml").write_text(SCHEDULE, encoding="utf-8")
    config = tmp_path / "duebot.toml"
    config.write_text('[storage]\ndatabase_url = "sqlite:///l.db"\n[[schedules]]\n'
                      'path = "demo.toml"\nreminders_to = ["console:"]\n', encoding="utf-8")
    assert main(["deliver", "--once", "--config", str(config), "--now",
                 NOW.isoformat()]) == 0
    assert main(["extend", "paper", "2030-03-27 23:59", "--config", str(config), "--by", "dora",
                 "--announce", "--now", NOW.isoformat()]) == 0
    out = capsys.readouterr().out
    assert "2 unsent reminder(s) re-timed" in out
    assert "announcement paper-extended-1 queued to console:" in out
    assert main(["status", "--config", str(config), "--now", NOW.isoformat()]) == 0
    assert "dora: extend-date" in capsys.readouterr().out


# -- announcements ----------------------------------------------------------------------------

FILE_ANNOUNCEMENT = """
[[announcements]]
id = "two-days-left"
at = "paper-2d"
text = "Two days left: submit your paper."
"""


def test_relative_announcement_moves_with_its_date(tmp_path: Path, smtp: SmtpTestServer) -> None:
    clock = [NOW]
    service = make_service(tmp_path, smtp, schedule=SCHEDULE + FILE_ANNOUNCEMENT, clock=clock)
    service.reconcile(NOW)
    rows = [r for r in service.ledger.rows() if r.kind == "announcement"]
    assert {r.key for r in rows} == {f"ann/demo/two-days-left|{d}" for d in DESTINATIONS}
    assert {r.due for r in rows} == {PAPER - timedelta(days=2)}
    # a hand edit of `at` moves it too
    path = tmp_path / "demo.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("2030-03-20 23:59",
                                                             "2030-03-27 23:59"))
    service.refresh(NOW, force=True)
    rows = [r for r in service.ledger.rows() if r.kind == "announcement"]
    assert {r.due for r in rows} == {PAPER + timedelta(days=5)}
    assert service.deliver_once(PAPER - timedelta(days=2, seconds=-5)).sent == 0
    assert service.deliver_once(PAPER + timedelta(days=5, seconds=5)).sent == 2
    assert [m.message["Subject"] for m in smtp.messages] == [
        "[Demo Workshop] Two days left: submit your paper."]


def test_announcement_by_command_reaches_every_destination_once(tmp_path: Path,
                                                                smtp: SmtpTestServer) -> None:
    service = make_service(tmp_path, smtp)
    event = service.events()["demo"]
    ann_id = announce.schedule_announcement(
        service, event, "2030-03-05 09:00 America/Los_Angeles", (), text="Submissions are open.",
        actor="alice", now=NOW)
    assert ann_id == "a1"
    at = datetime(2030, 3, 5, 17, 0, tzinfo=UTC)  # 09:00 PST
    assert service.deliver_once(at - timedelta(seconds=1)).sent == 0
    assert service.deliver_once(at).sent == 2
    assert service.deliver_once(at + timedelta(minutes=1)).sent == 0
    again = make_service(tmp_path, smtp)
    again.reconcile(at)
    assert again.deliver_once(at + timedelta(minutes=2)).sent == 0
    assert len(smtp.messages) == 1
    assert smtp.messages[0].message["X-Duebot-Key"] == f"ann/demo/a1|{MAIL}"


def test_preview_saves_nothing_and_shows_the_real_mail(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    (tmp_path / "demo.toml").write_text(SCHEDULE, encoding="utf-8")
    config = tmp_path / "duebot.toml"
    config.write_text('[storage]\ndatabase_url = "sqlite:///l.db"\n'
                      '[smtp]\nsender = "Demo <noreply@example.org>"\n'
                      '[[schedules]]\npath = "demo.toml"\n'
                      f'reminders_to = ["{MAIL}", "console:"]\n', encoding="utf-8")
    assert main(["announce", "--config", str(config), "--at", "paper-1d", "--text",
                 "Tomorrow!", "--preview", "--now", NOW.isoformat()]) == 0
    out = capsys.readouterr().out
    assert "nothing is saved" in out
    assert "To: participants@example.org" in out and "Message-ID: <" in out
    assert "--- text/plain ---" in out and "--- text/html ---" in out
    assert "<p>Tomorrow!</p>" in out
    assert "Subject: [Demo Workshop] Tomorrow!" in out
    assert main(["announcements", "--config", str(config), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    from bot.adapters.store.ledger import Ledger

    ledger = Ledger.open(f"sqlite:///{tmp_path / 'l.db'}")
    assert ledger.counts() == {} and ledger.announcement_rows() == []


def test_cancel_announcement_cancels_its_unsent_deliveries(tmp_path: Path,
                                                           smtp: SmtpTestServer) -> None:
    service = make_service(tmp_path, smtp)
    event = service.events()["demo"]
    ann_id = announce.schedule_announcement(service, event, "paper-3d", (), text="Soon.",
                                            actor="alice", now=NOW)
    assert announce.cancel_announcement(service, ann_id, actor="alice", now=NOW) == 2
    states = {r.state for r in service.ledger.rows() if r.kind == "announcement"}
    assert states == {"cancelled"}
    assert service.deliver_once(PAPER - timedelta(days=3)).sent == 0
    with pytest.raises(UsageError, match="already cancelled"):
        announce.cancel_announcement(service, ann_id, actor="alice", now=NOW)


def test_missed_announcement_beyond_grace_is_skipped(tmp_path: Path,
                                                     smtp: SmtpTestServer) -> None:
    service = make_service(tmp_path, smtp)
    event = service.events()["demo"]
    announce.schedule_announcement(service, event, "paper-3d", (MAIL,), text="Soon.",
                                   actor="alice", now=NOW)
    report = service.deliver_once(PAPER - timedelta(days=3) + timedelta(hours=2))
    assert report.sent == 0 and smtp.messages == []
    row = next(r for r in service.ledger.rows() if r.kind == "announcement")
    assert "beyond the grace window" in row.reason


def test_sending_an_announcement_reads_the_row_not_the_at_text(
        tmp_path: Path, smtp: SmtpTestServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """``at`` is read once, when planned; the row's due and payload are all a send needs."""
    from bot.core import announcements, schedule

    service = make_service(tmp_path, smtp, schedule=SCHEDULE + FILE_ANNOUNCEMENT)
    event = service.events()["demo"]
    announce.schedule_announcement(service, event, "paper-3d", (MAIL,), text="Soon.",
                                   actor="alice", now=NOW)

    def tripwire(*args: object, **kwargs: object) -> Any:
        raise AssertionError("the at text was read again at send time")

    monkeypatch.setattr(schedule, "parse_when", tripwire)
    monkeypatch.setattr(announcements, "parse_when", tripwire)
    assert service.deliver_once(PAPER - timedelta(days=3, seconds=-5)).sent == 1
    assert service.deliver_once(PAPER - timedelta(days=2, seconds=-5)).sent == 2
    assert sorted(m.message["Subject"] for m in smtp.messages) == [
        "[Demo Workshop] Soon.", "[Demo Workshop] Two days left: submit your paper."]


def test_an_announcement_row_carries_its_announcement() -> None:
    from bot.core import announcements
    from bot.core.model import Announcement

    notice = Announcement(id="paper-extended-1", at="2030-03-01T12:00:00+00:00",
                          to=("console:",), template=announce.EXTENDED_TEMPLATE,
                          params={"date": "paper", "new": "2030-03-27T23:59:00-07:00"})
    back = announcements.from_payload("paper-extended-1", announcements.payload(notice))
    assert (back.id, back.at, back.template, dict(back.params)) == (
        notice.id, notice.at, notice.template, dict(notice.params))
    assert announcements.id_of("demo", announcements.item_id("demo", "a1")) == "a1"
    with pytest.raises(ValueError, match="unreadable announcement payload"):
        announcements.from_payload("a1", '{"text": "no at"}')


def test_template_with_a_field_the_schedule_lacks_fails_when_scheduled(
        tmp_path: Path, smtp: SmtpTestServer) -> None:
    service = make_service(tmp_path, smtp)
    event = service.events()["demo"]  # has no camera-ready date
    with pytest.raises(TemplateError, match="camera_ready"):
        announce.schedule_announcement(service, event, "paper+1d", (), template="camera-ready",
                                       actor="alice", now=NOW)
    assert service.ledger.announcement_rows() == []
    assert [r for r in service.ledger.rows() if r.kind == "announcement"] == []


def test_template_announcement_renders_the_schedules_fields(tmp_path: Path,
                                                            smtp: SmtpTestServer) -> None:
    schedule = SCHEDULE + ('\n[[dates]]\nid = "camera-ready"\ntitle = "Final version"\n'
                           'kind = "camera-ready"\nat = "2030-04-20"\n')
    service = make_service(tmp_path, smtp, schedule=schedule)
    event = service.events()["demo"]
    announce.schedule_announcement(service, event, "2030-04-01T09:00:00-07:00", (MAIL,),
                                   template="camera-ready", actor="alice", now=NOW)
    service.deliver_once(datetime(2030, 4, 1, 16, 0, 1, tzinfo=UTC))
    mail = smtp.messages[0].message
    assert mail["Subject"] == ("[Demo Workshop] Camera-ready instructions: due Saturday 20 April "
                               "2030")
    body = mail.get_body(("plain",))
    assert body is not None and "via HotCRP: https://demo.example.org/submit" in body.get_content()


def test_file_announcement_with_a_missing_field_is_a_validate_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "demo.toml"
    path.write_text(SCHEDULE + '\n[[announcements]]\nid = "cr"\nat = "paper+1d"\n'
                               'template = "camera-ready"\n', encoding="utf-8")
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err
    line = SCHEDULE.count("\n") + 5
    assert f"demo.toml:{line}: error: announcements: announcement 'cr'" in err
    assert "camera_ready" in err


def test_schedule_reader_reports_announcement_mistakes_with_lines() -> None:
    text = SCHEDULE + ('\n[[announcements]]\nid = "x"\nat = "papr-2d"\ntext = "hi"\n'
                       'template = "extended"\nto = ["smtp:list@example.org"]\n')
    event, problems = read_schedule(text, "demo.toml")
    assert event is None
    messages = {(p.line, p.message.split(":")[0]) for p in problems}
    base = SCHEDULE.count("\n") + 2
    assert any(line == base + 2 and "did you mean 'paper'" in p.message
               for p in problems for line in [p.line])
    assert (base, "an announcement needs exactly one of 'text' (the message) or 'template' "
                  "(a template name under templates/)") in messages
    assert any(p.line == base + 5 and "unknown destination scheme" in p.message
               for p in problems)


def test_announcement_times_read_as_written() -> None:
    event, _ = read_schedule(SCHEDULE)
    assert event is not None
    assert announce.when_of(event, "paper") == PAPER
    assert announce.when_of(event, "paper-2d") == PAPER - timedelta(days=2)
    assert announce.when_of(event, "paper+1h") == PAPER + timedelta(hours=1)
    # whole days keep the wall clock: 7 days before 20 March 23:59 PDT is 13 March 23:59 PDT
    assert announce.when_of(event, "workshop-1d") == datetime(2030, 5, 31, 7, 0, tzinfo=UTC)
    assert announce.when_of(event, "2030-03-05 09:00") == datetime(2030, 3, 5, 17, 0,
                                                                   tzinfo=UTC)
    assert announce.when_of(event, "2030-03-05T09:00:00Z") == datetime(2030, 3, 5, 9, 0,
                                                                       tzinfo=UTC)
    with pytest.raises(ValueError, match="no time of day"):
        announce.when_of(event, "2030-03-05")


# -- the outbox -------------------------------------------------------------------------------

def test_outbox_holds_deliveries_until_approved(tmp_path: Path, smtp: SmtpTestServer) -> None:
    service = make_service(tmp_path, smtp, approve=True)
    service.reconcile(NOW)
    waiting = announce.outbox(service, NOW)
    assert {row.item_id for row, _ in waiting} == {"demo/paper/7d", "demo/paper/1d"}
    assert all("Paper deadline" in subject for _, subject in waiting)
    assert service.deliver_once(DUE_7D + timedelta(seconds=5)).sent == 0  # not approved yet
    keys = announce.approve(service, ["demo/paper/7d"], actor="erin",
                            now=DUE_7D + timedelta(minutes=1))
    assert len(keys) == 2
    report = service.deliver_once(DUE_7D + timedelta(minutes=2))
    assert report.sent == 2 and len(smtp.messages) == 1
    row = next(r for r in service.ledger.rows(states=["sent"]) if r.destination == MAIL)
    assert row.approved_by == "erin"
    assert any(a["action"] == "approve" and a["actor"] == "erin"
               for a in service.ledger.audit_entries("demo"))


def test_unapproved_delivery_past_due_and_grace_is_skipped_not_sent(
        tmp_path: Path, smtp: SmtpTestServer) -> None:
    service = make_service(tmp_path, smtp, approve=True)
    service.reconcile(NOW)
    late = DUE_7D + timedelta(hours=1, minutes=1)
    report = service.deliver_once(late)
    assert report.skipped == 2 and report.sent == 0
    skipped = service.ledger.rows(states=["skipped"])
    assert {r.item_id for r in skipped} == {"demo/paper/7d"}
    assert all("not approved" in r.reason for r in skipped)
    # approving afterwards cannot bring it back as a surprise
    assert announce.approve(service, None, actor="erin", now=late) != []
    assert service.deliver_once(late + timedelta(minutes=1)).sent == 0
    assert smtp.messages == []


def test_cli_outbox_and_approve_all(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "demo.toml").write_text(SCHEDULE, encoding="utf-8")
    config = tmp_path / "duebot.toml"
    config.write_text('[storage]\ndatabase_url = "sqlite:///l.db"\n[[schedules]]\n'
                      'path = "demo.toml"\nreminders_to = ["console:"]\napprove = true\n',
                      encoding="utf-8")
    now = NOW.isoformat()
    assert main(["deliver", "--once", "--config", str(config), "--now", now]) == 0
    capsys.readouterr()
    assert main(["outbox", "--config", str(config), "--now", now]) == 0
    out = capsys.readouterr().out
    assert "demo/paper/7d -> console:" in out and "[Demo Workshop] Reminder: Paper deadline" in out
    assert main(["approve", "--all", "--by", "fay", "--config", str(config), "--now", now]) == 0
    assert "approved 2 deliveries" in capsys.readouterr().out
    assert main(["outbox", "--config", str(config), "--now", now]) == 0
    assert "the outbox is empty" in capsys.readouterr().out
