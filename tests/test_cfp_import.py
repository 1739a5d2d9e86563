"""`duebot import-cfp`: calls in real styles -> draft schedules, every doubt flagged."""

from __future__ import annotations

import importlib.util
import io
import json
import re
import tomllib
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bot.cli.main import main
from bot.core.cfp import import_cfp
from bot.core.model import Event, ImportantDate
from bot.core.schedule import parse_schedule, read_schedule
from bot.core.zones import parse_zone
from bot.errors import DuebotError

CFPS = Path(__file__).parent / "cfps"
SHIPPED = Path(__file__).parent.parent / "schedules" / "aisys-sosp17.toml"


def imported(name: str, **options: object) -> tuple[Event, str, list[str]]:
    text = (CFPS / name).read_text(encoding="utf-8")
    draft, warnings, _ = import_cfp(text, source=name, **options)  # type: ignore[arg-type]
    event, problems = read_schedule(draft, name)
    assert problems == [], problems
    assert event is not None
    return event, draft, [str(w) for w in warnings]


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def by_kind(event: Event, kind: str) -> list[ImportantDate]:
    return [d for d in event.dates if d.kind == kind]


def only(event: Event, kind: str) -> ImportantDate:
    found = by_kind(event, kind)
    assert len(found) == 1, found
    return found[0]


def line_of(draft: str, needle: str) -> str:
    return next(line for line in draft.splitlines() if needle in line)


# --- the seed's call ------------------------------------------------------------------------


def test_seed_call_gives_the_shipped_instants() -> None:
    event, _, _ = imported("seed-call-for-posters.md")
    deadline = only(event, "deadline")
    assert deadline.at == utc(2017, 9, 11, 6, 59)
    assert deadline.extended and deadline.extended_from is None
    assert only(event, "notification").day == date(2017, 9, 20)
    assert only(event, "camera-ready").day == date(2017, 10, 10)
    workshop = only(event, "event")
    assert workshop.day == date(2017, 10, 28) and workshop.zone.key == "Asia/Shanghai"
    assert workshop.starts == utc(2017, 10, 27, 16, 0)
    assert event.venue_zone is not None and event.venue_zone.key == "Asia/Shanghai"
    assert (event.city, event.country, event.venue) == ("Shanghai", "China", "SOSP 2017")


def test_seed_call_flags_pst_2016_and_sepember_in_comments_and_warnings() -> None:
    _, draft, warnings = imported("seed-call-for-posters.md")
    assert '"PST" on a date in daylight time: read as Pacific time, PDT' in line_of(
        draft, 'zone = "America/Los_Angeles"  ')
    assert "call says 2016; read as 2017, the year of the other dates" in line_of(
        draft, '"2017-09-20"')
    assert "call says 2016; read as 2017" in line_of(draft, '"2017-10-10"')
    assert '"Sepember" read as September' in line_of(draft, '"2017-09-10 23:59"')
    assert warnings == [
        'seed-call-for-posters.md:29: warning: "Sepember" read as September',
        'seed-call-for-posters.md:29: warning: "PST" on a date in daylight time: read as '
        "Pacific time, PDT",
        "seed-call-for-posters.md:30: warning: call says 2016; read as 2017, the year of the "
        "other dates",
        "seed-call-for-posters.md:31: warning: call says 2016; read as 2017, the year of the "
        "other dates",
    ]


def test_seed_call_logistics() -> None:
    event, _, _ = imported("seed-call-for-posters.md")
    sub = event.submission
    assert sub.page_limit == 2 and sub.anonymized is False and sub.system == "CMT"
    assert sub.url == "https://cmt3.research.microsoft.com/User/Login?ReturnUrl=%2FASWSOSP2017"
    assert sub.template_url == "http://www.eecs.umich.edu/~pmchen/sosp/sosp17-template.tex"
    assert "PDF" in sub.format
    assert event.contact.email == "ai-systems-workshop-2017@googlegroups.com"


@pytest.mark.skipif(importlib.util.find_spec("bot.core.ask") is None,
                    reason="bot.core.ask not written")
@pytest.mark.parametrize("question", [
    "when is the deadline?", "how long until the deadline?", "when are notifications?",
    "when is the camera-ready due?", "when is the workshop?", "where is the workshop?",
])
@pytest.mark.parametrize("now", [utc(2017, 9, 1), utc(2017, 9, 15), utc(2017, 10, 20)])
def test_ask_answers_the_imported_seed_as_the_shipped_schedule(question: str,
                                                               now: datetime) -> None:
    from bot.core.ask import answer

    shipped = parse_schedule(SHIPPED.read_text(encoding="utf-8"))
    event, _, _ = imported("seed-call-for-posters.md")

    def said(schedule: Event) -> tuple[str, str, list[tuple[object, ...]]]:
        reply = answer(question, schedule, now=now)
        text = reply.text
        for when in schedule.dates:  # titles are the call's words, not the hand-written ones
            text = text.replace(when.title, "<title>").replace(when.title.lower(), "<title>")
        text = re.sub(r"\nMore: \S+", "", text.replace(schedule.name, "<name>"))
        return reply.intent, text, [(d.kind, d.starts, d.ends, d.zone.key, d.extended)
                                    for d in reply.dates]

    assert said(event) == said(shipped)


# --- calls in the styles real calls use ---------------------------------------------------------


def test_table_with_all_deadlines_aoe() -> None:
    event, _, warnings = imported("table-aoe.md")
    assert event.zone.key == "AoE"
    assert only(event, "deadline").at == utc(2018, 12, 3, 11, 59)
    assert only(event, "notification").day == date(2019, 1, 14)
    assert only(event, "camera-ready").at == utc(2019, 2, 2, 11, 59)
    workshop = only(event, "event")
    assert workshop.day == date(2019, 2, 28) and workshop.zone.key == "America/New_York"
    sub = event.submission
    assert (sub.page_limit, sub.anonymized, sub.system) == (6, True, "HotCRP")
    assert sub.template_url == "https://example.org/lss19/usenix-template.zip"
    assert event.contact.email == "lss19-chairs@example.org"
    assert warnings == []  # every weekday matches its date, every date has its zone


def test_bullets_with_sept_10th_and_year_from_option() -> None:
    event, _, warnings = imported("bullets-sept.md", year=2018)
    assert only(event, "deadline").at == utc(2018, 9, 11, 6, 59)  # 23:59 PDT
    assert only(event, "camera-ready").at == utc(2018, 10, 6, 6, 59)
    assert only(event, "notification").day == date(2018, 9, 24)
    workshop = only(event, "event")
    assert workshop.day == date(2018, 10, 29) and workshop.zone.key == "Asia/Kolkata"
    assert event.submission.page_limit == 2 and event.submission.anonymized is False
    assert event.submission.system == "EasyChair"
    assert warnings == []


def test_call_with_no_year_and_no_option_is_refused_not_invented() -> None:
    text = (CFPS / "bullets-sept.md").read_text(encoding="utf-8")
    with pytest.raises(DuebotError, match="pass --year"):
        import_cfp(text, source="bullets-sept.md")


def test_prose_call_with_utc_minus_12() -> None:
    event, _, _ = imported("prose.md")
    deadline = only(event, "deadline")
    assert deadline.at == utc(2019, 4, 11, 11, 59) and deadline.zone.key == "UTC-12:00"
    assert only(event, "notification").day == date(2019, 5, 8)
    assert only(event, "camera-ready").at == utc(2019, 5, 25, 11, 59)  # "due May 24": its end
    workshop = only(event, "event")
    assert workshop.day == date(2019, 6, 17) and workshop.zone.key == "America/Phoenix"
    assert workshop.title == "Third Workshop on Verified Compilers"
    assert event.submission.page_limit == 4


def test_iso_dates_with_zone_from_the_heading_and_an_event_range() -> None:
    event, _, warnings = imported("iso-utc12.md")
    assert [d.at for d in by_kind(event, "deadline")] == [utc(2020, 3, 3, 11, 59),
                                                          utc(2020, 3, 10, 11, 59)]
    assert only(event, "camera-ready").at == utc(2020, 5, 12, 11, 59)  # the end of its day
    symposium = only(event, "event")
    assert (symposium.day, symposium.end_day) == (date(2020, 6, 15), date(2020, 6, 17))
    assert symposium.zone.key == "Asia/Tokyo"
    assert event.submission.system == "OpenReview" and event.submission.anonymized is True
    assert warnings == ["iso-utc12.md:10: warning: no time given: assumed the end of the day, "
                        "23:59"]


def test_et_in_winter_is_eastern_standard_time() -> None:
    event, _, warnings = imported("et-winter.md")
    assert only(event, "deadline").at == utc(2017, 1, 16, 22, 0)
    assert only(event, "event").day == date(2017, 3, 3)
    assert warnings == []


def test_struck_out_and_was_dates_become_extended_from() -> None:
    event, draft, warnings = imported("struck.md")
    deadline = only(event, "deadline")
    assert deadline.at == utc(2018, 5, 12, 11, 59)
    assert deadline.extended_from == utc(2018, 5, 5, 11, 59)
    assert deadline.title == "Paper submission"
    notification = only(event, "notification")
    assert (notification.day, notification.extended_from_day) == (date(2018, 6, 8),
                                                                  date(2018, 6, 1))
    camera = only(event, "camera-ready")
    assert (camera.day, camera.extended_from_day) == (date(2018, 6, 29), date(2018, 6, 22))
    assert "assumed the same time of day" in line_of(draft, "extended_from = \"2018-05-04")
    assert warnings == ["struck.md:7: warning: the call gives the old date \"May 4, 2018\" "
                        "without its time: assumed the same time of day"]


def test_two_rounds_get_distinct_titles_and_ids() -> None:
    event, _, _ = imported("two-rounds.md")
    deadlines = by_kind(event, "deadline")
    assert [d.title for d in deadlines] == ["Round 1: Paper submission",
                                            "Round 2: Paper submission"]
    assert [d.at for d in deadlines] == [utc(2020, 6, 2, 11, 59), utc(2020, 9, 2, 11, 59)]
    assert [d.day for d in by_kind(event, "notification")] == [date(2020, 7, 15),
                                                               date(2020, 10, 15)]
    assert only(event, "camera-ready").at == utc(2020, 11, 16, 11, 59)
    conference = only(event, "event")
    assert (conference.day, conference.end_day) == (date(2021, 1, 12), date(2021, 1, 14))
    assert conference.zone.key == "Europe/Amsterdam"
    assert len({d.id for d in event.dates}) == len(event.dates)


def test_html_with_del_and_s_tags() -> None:
    event, _, warnings = imported("html-del.html")
    assert event.name == "HotTime 2017"
    deadline = only(event, "deadline")
    assert deadline.at == utc(2017, 4, 27, 19, 0)  # noon PDT
    assert deadline.extended_from == utc(2017, 4, 20, 19, 0)
    notification = only(event, "notification")
    assert (notification.day, notification.extended_from_day) == (date(2017, 5, 25),
                                                                  date(2017, 5, 20))
    assert only(event, "event").day == date(2017, 7, 9)
    sub = event.submission
    assert (sub.page_limit, sub.anonymized, sub.system) == (5, False, "HotCRP")
    assert event.contact.email == "chairs@hottime.example"
    assert only(event, "camera-ready").at == utc(2017, 6, 11, 6, 59)  # "due": end of June 10
    assert [w.split(": warning:")[0] for w in warnings] == ["html-del.html:10", "html-del.html:13",
                                                            "html-del.html:13"]


def test_html_table_in_utc() -> None:
    event, _, _ = imported("html-table.html")
    assert only(event, "deadline").at == utc(2022, 3, 4, 23, 59)
    assert only(event, "notification").day == date(2022, 4, 1)
    workshop = only(event, "event")
    assert workshop.day == date(2022, 5, 9) and workshop.zone.key == "Europe/London"


def test_midnight_pt_is_the_end_of_the_day_and_flagged() -> None:
    event, draft, warnings = imported("midnight-pt.md")
    assert event.name == "Interactive Systems Showcase 2019"
    assert only(event, "deadline").at == utc(2019, 11, 2, 7, 0)
    showcase = only(event, "event")
    assert (showcase.day, showcase.end_day) == (date(2020, 1, 22), date(2020, 1, 24))
    assert '"midnight" read as the end of November 1 (24:00)' in line_of(draft, "24:00")
    assert warnings == ['midnight-pt.md:4: warning: "midnight" read as the end of November 1 '
                        "(24:00)"]


def test_no_zone_anywhere_is_aoe_flagged_loudly_and_years_roll_over() -> None:
    event, draft, warnings = imported("no-year.md", year=2023)
    assert event.zone.key == "AoE"
    assert "CHECK THIS" in line_of(draft, 'zone = "AoE"')
    assert only(event, "deadline").at == utc(2023, 11, 21, 11, 59)
    assert only(event, "event").day == date(2024, 1, 15)
    assert any("read as 2024" in w for w in warnings)
    assert any(w.startswith("no-year.md:1: warning:") and "AoE" in w for w in warnings)


def test_zone_option_is_the_default_when_the_call_names_none() -> None:
    event, _, warnings = imported("no-year.md", year=2023, zone="Europe/Berlin")
    assert event.zone.key == "Europe/Berlin"
    assert only(event, "deadline").at == utc(2023, 11, 20, 22, 59)
    assert not any("AoE" in w for w in warnings)


def test_wrong_weekday_and_edt_in_winter_are_flagged() -> None:
    event, _, warnings = imported("wrong-weekday.md")
    assert only(event, "deadline").at == utc(2017, 3, 7, 4, 59)  # 23:59 EST
    assert warnings == [
        'wrong-weekday.md:4: warning: the call says "Tuesday", but 2017-03-06 is a Monday',
        'wrong-weekday.md:4: warning: "EDT" on a date in standard time: read as Eastern '
        "time, EST",
    ]


# --- safety of the output -----------------------------------------------------------------------


def test_titles_with_quotes_and_backslashes_are_escaped() -> None:
    call = ('# CFP: The "Quoted" \\ Workshop\n\n## Dates\n'
            '- Paper "draft" \\ deadline: 2021-05-01 12:00 UTC\n')
    draft, _, _ = import_cfp(call)
    data = tomllib.loads(draft)
    assert data["event"]["name"] == 'The "Quoted" \\ Workshop'
    assert data["dates"][0]["title"] == 'Paper "draft" \\ deadline'
    assert parse_schedule(draft).dates[0].at == utc(2021, 5, 1, 12, 0)


def test_a_call_without_dates_is_an_error() -> None:
    with pytest.raises(DuebotError, match="no date"):
        import_cfp("# Call for papers\n\nDates to be announced.\n")


def test_every_fixture_validates() -> None:
    for path in sorted(p for p in CFPS.iterdir() if p.is_file()):
        draft, _, _ = import_cfp(path.read_text(encoding="utf-8"), source=path.name, year=2030)
        assert read_schedule(draft, path.name)[1] == [], path.name


# --- the command line -------------------------------------------------------------------------


def test_cli_writes_a_schedule_that_validate_accepts(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "seed.toml"
    assert main(["import-cfp", str(CFPS / "seed-call-for-posters.md"), "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert re.search(r"seed-call-for-posters\.md:29: warning: \"PST\" on a date", err)
    assert main(["validate", "-q", str(out)]) == 0
    assert "error" not in capsys.readouterr().err


def test_cli_reads_stdin(monkeypatch: pytest.MonkeyPatch,
                         capsys: pytest.CaptureFixture[str]) -> None:
    call = (CFPS / "et-winter.md").read_text(encoding="utf-8")
    monkeypatch.setattr("sys.stdin", io.StringIO(call))
    assert main(["import-cfp", "-"]) == 0
    draft = capsys.readouterr().out
    assert only(parse_schedule(draft), "deadline").at == utc(2017, 1, 16, 22, 0)


def test_cli_unknown_zone_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import-cfp", str(CFPS / "no-year.md"), "--zone", "Mars/Olympus"]) == 1
    assert "unknown time zone" in capsys.readouterr().err


# --- property: whatever format a date is written in, the instant is the one written --------------

FORMATS = (
    lambda d: f"{d:%B} {d.day}, {d.year}",
    lambda d: f"{d:%b} {d.day}, {d.year}",
    lambda d: f"{d:%b}. {d.day}{_ordinal(d.day)}, {d.year}",
    lambda d: f"{d.day} {d:%B} {d.year}",
    lambda d: f"{d.day}{_ordinal(d.day)} of {d:%B} {d.year}",
    lambda d: d.isoformat(),
    lambda d: f"{d:%A}, {d:%B} {d.day}, {d.year}",
    lambda d: f"{d:%a} {d.day} {d:%b} {d.year}",
    lambda d: f"{d:%B} {d.day}{_ordinal(d.day)} {d.year}",
    lambda d: f"{d.day} {d:%b}. {d.year}",
    lambda d: f"{d:%Y/%m/%d}",
    lambda d: f"{d:%a}, {d.day} {d:%B}, {d.year}",
)
TIMES = (
    lambda t: f"{t:%H:%M}",
    lambda t: f"{(t.hour - 1) % 12 + 1}:{t:%M} {'pm' if t.hour >= 12 else 'am'}",
    lambda t: f"{(t.hour - 1) % 12 + 1}.{t:%M}{'PM' if t.hour >= 12 else 'AM'}",
)
ZONES = ("AoE", "UTC-12", "UTC", "PT", "ET", "UTC+8", "UTC+05:30", "Anywhere on Earth", "PDT",
         "EST", "GMT+2")


def _ordinal(day: int) -> str:
    if 10 <= day % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


def _expected(day: date, clock: time, zone: str) -> datetime | None:
    local = datetime.combine(day, clock)
    written = parse_zone({"Anywhere on Earth": "AoE"}.get(zone, zone))
    if written.kind == "abbreviation" and written.region:
        # The import rule: an abbreviation is read as its region's local time.
        written = parse_zone(written.region)
    try:
        return written.localize(local)
    except DuebotError:
        return None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(day=st.dates(date(2015, 1, 1), date(2035, 12, 31)),
       clock=st.times().map(lambda t: t.replace(second=0, microsecond=0)),
       date_format=st.sampled_from(FORMATS), time_format=st.sampled_from(TIMES),
       zone=st.sampled_from(ZONES))
def test_imported_instant_is_the_one_written(day: date, clock: time, date_format: object,
                                             time_format: object, zone: str) -> None:
    expected = _expected(day, clock, zone)
    assume(expected is not None)  # a wall-clock time the zone skips or repeats
    written = f"{date_format(day)}, {time_format(clock)} {zone}"  # type: ignore[operator]
    call = f"# Workshop on Properties\n\n## Important dates\n- Paper deadline: {written}\n"
    draft, _, _ = import_cfp(call)
    event = parse_schedule(draft)
    assert event.dates[0].at == expected, (written, draft)


LINES = st.sampled_from([
    "# Call for Papers: Robust Workshop 2024", "## Important Dates", "| Deadline | Date |",
    "- Paper deadline: May 1, 2024, 23:59 AoE", "* Notification: ~~June 1~~ June 8, 2024",
    "Submission: 2024-03-31 02:30 PT", "Camera-ready: Nov 3, 2024, 1:30 am ET (was Oct 30)",
    "The workshop is held in Tokyo on 12-13 Sept. 2024.", "Pages: up to 8 pages, double-blind.",
    "<p>Abstract due <del>Feb 30, 2024</del> March 1st, 12:00 am PST</p>", "", "Sepember 31",
    "| Workshop | Dec 30 - Jan 2, 2025 |", "Rebuttal: 29 Feb 2023", "Contact: a@b.example",
])


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(LINES, max_size=12), noise=st.text(max_size=40))
def test_any_call_gives_a_valid_schedule_or_a_clear_error(lines: list[str], noise: str) -> None:
    try:
        draft, _, _ = import_cfp("\n".join([*lines, noise]), source="fuzz.md")
    except DuebotError as exc:
        assert "no date" in str(exc)
        return
    assert read_schedule(draft, "fuzz.md")[1] == []


# --- a corpus of calls of our own writing: Markdown, plain text, HTML, PDF, Chinese ------------

CORPUS = CFPS / "corpus"
EXPECTED = tomllib.loads((CORPUS / "expected.toml").read_text(encoding="utf-8"))["call"]
QUESTIONS = {"deadline": "when is the deadline?", "notification": "when are notifications?",
             "camera-ready": "when is the camera-ready due?", "event": "when is the workshop?"}


def _call_file(name: str, folder: Path) -> Path:
    """The call as a chair would pass it: the file itself, or the PDF made from its text."""
    if not name.endswith(".pdf.txt"):
        return CORPUS / name
    import sys

    sys.path.insert(0, str(CORPUS))
    from make_pdfs import write_pdf  # type: ignore[import-not-found]

    text = (CORPUS / name).read_text(encoding="utf-8")
    return write_pdf(text, folder / name.removesuffix(".txt"))  # type: ignore[no-any-return]


def test_corpus_has_every_format() -> None:
    names = [c["file"] for c in EXPECTED]
    assert len(names) >= 25
    for ending in (".md", ".txt", ".html", ".pdf.txt"):
        assert any(n.endswith(ending) for n in names), ending
    assert sum(1 for n in names if n.startswith(("cn-", "pdf-chinese"))) >= 5


@pytest.mark.parametrize("call", EXPECTED, ids=[c["file"] for c in EXPECTED])
def test_corpus_call_imports_to_its_dates_and_doubts(call: dict[str, Any], tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    source = _call_file(call["file"], tmp_path)
    out = tmp_path / "draft.toml"
    assert main(["import-cfp", str(source), "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert re.search(r"^date\s+kind\s+local\s+UTC\s+doubt$", err, re.MULTILINE)  # the summary
    warnings = [line.split(": warning: ", 1)[1] for line in err.splitlines()
                if ": warning: " in line]
    assert warnings == call["doubts"]
    event = parse_schedule(out.read_text(encoding="utf-8"))
    assert (event.id, event.city, event.country) == (call["id"], call.get("city", ""),
                                                      call.get("country", ""))
    got = [[d.kind, f"{d.starts:%Y-%m-%d %H:%M}"] for d in event.dates]
    assert got == call["dates"]
    assert main(["validate", str(out)]) == 0
    assert "error" not in capsys.readouterr().err
    # `duebot ask` on the draft gives the instants the call means.
    now = "2020-01-01T00:00:00Z"
    for kind, question in QUESTIONS.items():
        wanted = {at for k, at in call["dates"] if k == kind}
        if not wanted:
            continue
        assert main(["ask", question, "--schedule", str(out), "--now", now, "--json"]) == 0
        reply = json.loads(capsys.readouterr().out)
        answered = {_starts(d, event) for d in reply["dates"] if d["kind"] == kind}
        assert answered and answered <= wanted, (question, reply["answer"])


def _starts(item: dict[str, Any], event: Event) -> str:
    if "at_utc" in item:
        return str(item["at_utc"]).replace("T", " ")[:16]
    when = next(d for d in event.dates if d.id == item["id"])
    return f"{when.starts:%Y-%m-%d %H:%M}"


def test_pdf_that_is_not_a_pdf_is_a_clear_error(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "call.pdf"
    bad.write_bytes(b"%PDF-1.4\n garbage")
    assert main(["import-cfp", str(bad)]) == 1
    assert "PDF" in capsys.readouterr().err


# --- the behaviours issue 20 asks for, one test each ----------------------------------------------


def corpus(name: str) -> tuple[Event, str, list[str]]:
    result = import_cfp((CORPUS / name).read_text(encoding="utf-8"), source=name)
    return parse_schedule(result.toml), result.toml, [w.message for w in result.warnings]


def test_a_deadline_given_as_a_date_with_a_zone_is_due_at_the_end_of_that_day() -> None:
    event, draft, warnings = corpus("name-line-austin.md")  # "Papers due: 2 February 2027 (AoE)"
    assert only(event, "deadline").at == utc(2027, 2, 3, 11, 59)
    assert "assumed the end of the day, 23:59" in line_of(draft, 'at = "2027-02-02 23:59"')
    assert "no time given: assumed the end of the day, 23:59" in warnings


def test_by_a_date_is_the_end_of_that_day_too() -> None:
    event, _, _ = corpus("by-date-no-zone.txt")  # "Papers must be submitted by 15 March 2027."
    assert only(event, "deadline").at == utc(2027, 3, 16, 11, 59)  # 23:59 AoE, flagged


def test_two_dates_in_one_sentence_become_two_entries_of_their_own_kinds() -> None:
    event, _, _ = corpus("two-in-a-sentence.md")
    assert only(event, "notification").day == date(2027, 6, 3)  # "Decisions go out on June 3"
    assert only(event, "camera-ready").at == utc(2027, 6, 25, 11, 59)  # "... reach us by June 24"
    event, _, _ = corpus("lead-names-both.md")
    assert [d.title for d in by_kind(event, "deadline")] == [
        "Submission deadline (abstract)", "Submission deadline (full paper)"]


def test_the_name_line_gives_name_and_id_while_place_and_dates_feed_city_and_event() -> None:
    event, _, _ = corpus("name-line-austin.md")
    assert (event.id, event.name) == ("wx-27", "WORKSHOP ON X (WX '27)")
    assert (event.city, event.country) == ("Austin", "USA")
    workshop = only(event, "event")
    assert (workshop.day, workshop.end_day, workshop.zone.key) == (
        date(2027, 5, 3), date(2027, 5, 5), "America/Chicago")


def test_numeric_dates_are_read_and_a_day_month_ambiguity_is_flagged() -> None:
    event, _, warnings = corpus("numeric-dmy.md")
    assert only(event, "notification").day == date(2027, 11, 5)  # 05/11/2027 beside 25/09/2027
    assert any('"05/11/2027" read as 05 November 2027 (day/month)' in w for w in warnings)
    event, _, warnings = corpus("numeric-ymd.md")  # 2027/9/10 has one reading
    assert only(event, "deadline").at == utc(2027, 9, 10, 14, 59) and warnings == []


def test_cst_in_a_call_from_china_is_china_standard_time_and_flagged() -> None:
    event, draft, warnings = corpus("cst-china.md")
    assert only(event, "deadline").at == utc(2027, 3, 13, 15, 59)
    assert "China Standard Time" in line_of(draft, 'zone = "Asia/Shanghai"  ')
    assert len(warnings) == 1 and "US Central" in warnings[0]
    event, _, warnings = corpus("cst-us.md")  # in Chicago, CST is Central: no doubt
    assert only(event, "deadline").at == utc(2027, 2, 12, 23, 0) and warnings == []


def test_a_call_in_chinese_is_read_by_the_same_engine() -> None:
    event, _, warnings = corpus("cn-basic.md")
    assert (event.id, event.city) == ("chinasys-2026", "北京")
    assert [(d.kind, d.starts) for d in event.dates] == [
        ("deadline", utc(2026, 3, 6, 15, 59)), ("deadline", utc(2026, 3, 13, 15, 59)),
        ("notification", utc(2026, 4, 9, 16, 0)), ("camera-ready", utc(2026, 4, 29, 16, 0)),
        ("event", utc(2026, 5, 21, 16, 0))]
    assert warnings == []


def test_import_cfp_prints_the_summary_table_before_the_toml(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import-cfp", str(CORPUS / "cst-china.md")]) == 0
    captured = capsys.readouterr()
    rows = [line.split() for line in captured.err.splitlines() if line.startswith(
        ("date ", "submission-deadline", "notification", "workshop"))]
    assert rows[0] == ["date", "kind", "local", "UTC", "doubt"]
    assert rows[1][:6] == ["submission-deadline", "deadline", "2027-03-13", "23:59",
                           "Asia/Shanghai", "2027-03-13"]
    assert '"CST" read as China Standard Time' in " ".join(rows[1])
    assert captured.out.startswith("# Draft schedule")


def test_every_venue_city_has_its_zone_from_the_one_places_table() -> None:
    from bot.core.cfp import CITY_COUNTRIES
    from bot.core.places import city_zone

    missing = [city for city in CITY_COUNTRIES if city_zone(city) is None]
    assert missing == []
    assert city_zone("Kyoto") == "Asia/Tokyo" and city_zone("Phoenix") == "America/Phoenix"
    assert city_zone("北京") == "Asia/Shanghai" and city_zone("IST") is None  # several zones


LISBON_CALL = """\
Lisbon Systems Workshop 2027

Important dates
Paper submission: March 14th, 2027, 23:59 AoE
Camera-ready: March 28th, 2027, 12:00 Lisbon time
Workshop reception: April 2nd, 2027, 18:00 New York time

Page limit: 4 pages (Papers are limited to 4 pages excluding references, submitted via \
HotCRP: https://lsw27.hotcrp.com)
"""


def test_a_city_followed_by_time_names_the_zone_and_the_page_note_keeps_to_the_limit() -> None:
    draft, warnings, _ = import_cfp(LISBON_CALL, source="lisbon.md")
    event, problems = read_schedule(draft, "lisbon.md")
    assert problems == [] and event is not None
    camera = only(event, "camera-ready")
    assert camera.zone.key == "Europe/Lisbon"
    assert camera.at == utc(2027, 3, 28, 11, 0)  # 12:00 WEST, the day Lisbon springs forward
    assert [d.zone.key for d in event.dates if d.title == "Workshop reception"] == [
        "America/New_York"]  # the longest place before "time": New York, not York
    assert not any("no zone on this line" in str(w) for w in warnings), warnings
    assert event.submission.page_limit == 4
    assert event.submission.page_limit_note == \
        "Page limit: 4 pages (Papers are limited to 4 pages excluding references)"
    # A note that goes on about the limit ("for both the submission and ...") is kept whole.
    seed, _, _ = imported("seed-call-for-posters.md")
    assert seed.submission.page_limit_note == ("We welcome poster abstracts up to 2 pages for "
                                               "both the submission and camera ready versions")
