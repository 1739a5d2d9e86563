"""A date written "24:00" is said as the end of its day in its own zone on every surface (it was
said as the next day's 00:00, which readers take as a day late); the instant stays the next
day's start, and a reader elsewhere sees their own clock."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.adapters.chat_webhooks import date_words
from bot.adapters.slack_format import _date_line
from bot.adapters.template_files import load_templates
from bot.cli.main import main
from bot.core.ask import answer
from bot.core.ical import build_calendar
from bot.core.language import read_catalog
from bot.core.page import date_view
from bot.core.planner import plan
from bot.core.render import Renderer
from bot.core.schedule import parse_schedule
from bot.core.timefmt import describe
from bot.core.zones import parse_zone

SCHEDULE = """
[event]
id = "w"
name = "W"
zone = "Europe/Berlin"

[[dates]]
id = "paper"
title = "Paper deadline"
kind = "deadline"
at = "2026-05-01 24:00"

[[dates]]
id = "talk"
title = "Talk slot"
kind = "event"
at = "2026-05-02 00:00"
"""
NOW = datetime(2026, 4, 20, tzinfo=UTC)
EVENT = parse_schedule(SCHEDULE)
PAPER, TALK = EVENT.date("paper"), EVENT.date("talk")
END = "Friday 1 May 2026, end of day, 24:00 CEST"


def test_the_instant_is_the_next_days_start_and_only_24_00_is_a_day_end() -> None:
    assert PAPER.at == TALK.at == datetime(2026, 5, 1, 22, tzinfo=UTC)
    assert PAPER.is_day_end(PAPER.at) and not TALK.is_day_end(TALK.at)


def test_described_in_its_zone_as_the_end_of_the_day_elsewhere_as_the_readers_clock() -> None:
    assert describe(PAPER, NOW).sentence().startswith(END + " (Europe/Berlin")
    assert describe(TALK, NOW).sentence().startswith("Saturday 2 May 2026, 00:00 CEST")
    toronto = describe(PAPER, NOW, parse_zone("America/Toronto")).sentence()
    assert toronto.startswith("Friday 1 May 2026, 18:00 EDT") and f"that is {END}" in toronto


def test_chinese_says_the_day_it_ends() -> None:
    zh = read_catalog([], "zh")
    assert "2026年5月1日星期五 24:00 CEST" in zh.sentence(PAPER, NOW)
    assert "5月2日" not in zh.sentence(PAPER, NOW)


def test_ask_reply() -> None:
    text = answer("when is the paper deadline?", EVENT, now=NOW).text
    assert END in text and "2 May" not in text
    zh = answer("论文截止是什么时候？", EVENT, now=NOW).text
    assert "5月1日" in zh and "24:00" in zh and "5月2日" not in zh


def test_reminder() -> None:
    renderer = Renderer(load_templates())
    reminder = next(r for r in plan(EVENT) if r.date_id == "paper")
    message = renderer.reminder(EVENT, reminder)
    for part in (message.subject, message.text, message.html):
        assert "24:00" in part and "2 May" not in part, part


def test_dates_page_and_its_script_hook() -> None:
    view = date_view(EVENT, PAPER, NOW, "https://x")
    assert view.event_text == END and view.day_end
    assert not date_view(EVENT, TALK, NOW, "https://x").day_end


def test_feed_keeps_the_instant_and_says_the_day() -> None:
    ics = build_calendar([EVENT]).decode()
    assert "DTSTART:20260501T220000Z" in ics
    unfolded = ics.replace("\r\n ", "")
    assert "Friday 1 May 2026\\, end of day\\, 24:00 CEST" in unfolded


def test_slack_and_discord_lines() -> None:
    line = _date_line(PAPER, NOW, parse_zone("Europe/Berlin"))
    assert line.count("24:00") == 2 and "2 May" not in line
    assert END in date_words(PAPER, PAPER.at or NOW, None)[0]
    assert "24:00" in _date_line(PAPER, NOW, parse_zone("Europe/Berlin"), "zh")


@pytest.mark.parametrize("command", [["ask", "when is the deadline?"], ["reminders"], ["ics"]])
def test_the_example_schedule_is_named_on_stderr(
        command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)  # no schedules/ here
    assert main(command) == 0
    err = capsys.readouterr().err.splitlines()
    assert [line for line in err if "no schedules/ folder here: using duebot's own" in line
            and "aisys-sosp17.toml" in line and "--schedule FILE" in line]
    (tmp_path / "mine.toml").write_text(SCHEDULE, encoding="utf-8")
    assert main([*command, "--schedule", "mine.toml"]) == 0
    assert "duebot's own" not in capsys.readouterr().err


EXTENDED = parse_schedule(SCHEDULE.replace('at = "2026-05-01 24:00"',
                                           'at = "2026-05-08 24:00"\n'
                                           'extended_from = "2026-05-01 24:00"'))


def test_extension_notice_and_feed_entry_say_both_days() -> None:
    from bot.core import announcements
    from bot.core.model import Announcement
    from bot.core.updates import date_changes

    changed = EXTENDED.date("paper")
    assert changed.at is not None and changed.extended_from is not None
    notice = Announcement(id="n", at="2026-04-20T00:00:00+00:00",
                          template=announcements.EXTENDED_TEMPLATE,
                          params={"date": "paper", "old": changed.extended_from.isoformat(),
                                  "new": changed.at.isoformat(), "later": "true"})
    message = announcements.render(Renderer(load_templates()), EXTENDED, notice, when=NOW,
                                   now=NOW)
    for part in (message.subject, message.text):
        assert "Friday 8 May 2026, end of day, 24:00 CEST" in part, part
        assert "9 May" not in part and "2 May" not in part, part
    assert "Friday 1 May 2026, end of day, 24:00 CEST" in message.text
    slack = announcements.slack_text(EXTENDED, notice)
    assert "Friday 8 May 2026, end of day, 24:00 CEST" in slack and "9 May" not in slack
    (update,) = date_changes(EXTENDED, recorded={}, fallback=NOW)
    assert "It was Friday 1 May 2026, end of day, 24:00 CEST" in update.summary


def test_where_the_clocks_skip_the_next_midnight_the_day_ends_in_its_old_offset() -> None:
    """Santiago: 24:00 on 5 September 2026 is 04:00 UTC, when -04 becomes -03 (01:00)."""
    chile = parse_schedule(SCHEDULE.replace('at = "2026-05-01 24:00"',
                                            'at = "2026-09-05 24:00"\nzone = "America/Santiago"'))
    paper = chile.date("paper")
    assert paper.at == datetime(2026, 9, 6, 4, tzinfo=UTC)
    # The offset is the abbreviation already: the caption names the zone alone (timefmt).
    assert describe(paper, NOW).sentence().startswith(
        "Saturday 5 September 2026, end of day, 24:00 UTC-04:00 (America/Santiago) (")
    assert "2026年9月5日星期六 24:00 UTC-04:00" in read_catalog([], "zh").sentence(paper, NOW)
    # In Toronto the clock shows its own 00:00 of the 6th: not the day Santiago wrote.
    toronto = describe(paper, NOW, parse_zone("America/Toronto")).reader_text
    assert toronto.startswith("Sunday 6 September 2026, 00:00 EDT")


def test_ask_a_range_that_ends_at_24_00_and_the_date_in_a_named_zone() -> None:
    ranged = parse_schedule(SCHEDULE.replace('at = "2026-05-02 00:00"',
                                             'at = "2026-05-01 09:00"\nend = "2026-05-01 24:00"'))
    text = answer("when is the talk slot?", ranged, now=NOW).text
    assert "Friday 1 May 2026, 09:00 CEST to Friday 1 May 2026, end of day, 24:00 CEST" in text
    zh = answer("报告时段是什么时候？", ranged, now=NOW).text
    assert "2026年5月1日星期五 09:00至2026年5月1日星期五 24:00" in zh, zh
    paris = answer("when is the paper deadline in Paris time?", EVENT, now=NOW).text
    assert END in paris and "2 May" not in paris, paris


def test_the_json_says_which_instants_were_written_24_00_and_validates() -> None:
    """``day_ends`` (schema 1.1) lets other sites and the widget say 24:00 as the page does;
    a date without one has no such key, as 1.0 wrote it."""
    import json

    import jsonschema

    from bot.core.open_data import event_json

    schema = json.loads((Path(__file__).resolve().parent.parent / "docs" / "schema" /
                         "event.json").read_text(encoding="utf-8"))
    ranged = parse_schedule(SCHEDULE.replace('at = "2026-05-02 00:00"',
                                             'at = "2026-05-01 09:00"\nend = "2026-05-01 24:00"'))
    for event, expected in ((EVENT, {"paper": ["at"]}),
                            (ranged, {"paper": ["at"], "talk": ["end"]})):
        document = json.loads(event_json(event))
        jsonschema.Draft202012Validator(schema).validate(document)
        assert {d["id"]: d["day_ends"] for d in document["dates"] if "day_ends" in d} == \
            expected
