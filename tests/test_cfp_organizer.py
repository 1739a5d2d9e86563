"""import-cfp as a new organizer meets it: calls in phrasings the other tests do not hold.

Each instant below was checked by hand with zoneinfo; each doubt names the call's line and what
it read, so the organizer checks exactly that line.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.core.cfp import import_cfp
from bot.core.model import Event
from bot.core.schedule import read_schedule
from tests.test_cfp_import import imported


def imported_text(text: str, **options: object) -> tuple[Event, str, list[str]]:
    draft, warnings, _ = import_cfp(text, source="call.md", **options)  # type: ignore[arg-type]
    event, problems = read_schedule(draft, "call.md")
    assert problems == [], problems
    assert event is not None
    return event, draft, [str(w) for w in warnings]


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def starts(event: Event) -> dict[str, datetime]:
    return {d.id: d.starts for d in event.dates}


# --- European zones: the words, and "CET" on a summer date -------------------------------------

def test_central_european_time_is_europe_not_us_central() -> None:
    """ "all times are Central European Time" used to match the US "central" rule (Chicago)."""
    event, draft, warnings = imported("central-european-time.md")
    assert "America/Chicago" not in draft
    assert event.zone.key == "Europe/Vienna"  # the venue keeps Central European clocks
    # 3 May 2024 23:59 in Vienna is CEST (UTC+02:00): 21:59 UTC.
    assert starts(event)["abstract-registration"] == utc(2024, 5, 3, 21, 59)
    assert starts(event)["paper-submission"] == utc(2024, 5, 10, 21, 59)
    assert any(w.startswith("central-european-time.md:6: warning: ") and '"CET" (UTC+01:00) on '
               "a date in summer time: read as Central European time in Europe/Vienna, CEST "
               "(UTC+02:00)" in w for w in warnings), warnings


def test_cet_on_a_summer_date_reads_as_local_time_and_says_so() -> None:
    """ "11:59 PM CET" in June: like the seed's "PST" in September, the organizers meant the local
    time (CEST then); read so, flagged on the date's line with the literal alternative."""
    event, draft, warnings = imported("euro-summer-cet.md")
    assert starts(event)["paper-submission"] == utc(2025, 6, 20, 21, 59)  # 23:59 CEST
    assert starts(event)["camera-ready"] == utc(2025, 8, 29, 21, 59)
    flagged = [w for w in warnings if '"CET" (UTC+01:00) on a date in summer time' in w]
    assert [w.split(": warning")[0] for w in flagged] == ["euro-summer-cet.md:9",
                                                          "euro-summer-cet.md:11"]
    assert 'if UTC+01:00 all year is meant, write zone = "UTC+01:00"' in flagged[0]
    assert "UTC+01:00 all year is meant" in draft  # the same doubt as a comment in the draft


def test_cet_in_winter_is_silent_and_cest_in_winter_is_flagged() -> None:
    call = ("# Call for Papers: Winter Workshop 2026\n\n## Important dates\n\n"
            "- Paper submission: January 15, 2026, 23:59 CET\n"
            "- Poster submission: January 22, 2026, 23:59 CEST\n"
            "- Workshop: March 3, 2026\n")
    event, _, warnings = imported_text(call)
    assert starts(event)["paper-submission"] == utc(2026, 1, 15, 22, 59)
    assert starts(event)["poster-submission"] == utc(2026, 1, 22, 22, 59)  # CET then
    assert [w for w in warnings if "CET" in w or "CEST" in w] == [
        'call.md:6: warning: "CEST" (UTC+02:00) on a date in standard time: read as Central '
        "European time in Europe/Paris, CET (UTC+01:00); if UTC+02:00 all year is meant, write "
        'zone = "UTC+02:00"']


def test_a_seasonal_abbreviation_the_venue_keeps_all_year_is_its_zone() -> None:
    """AEST in a Brisbane January is right (Queensland keeps no summer time): no doubt; in a
    Sydney January it is flagged, as Sydney is on AEDT."""
    for city, zone, hour, flagged in (("Brisbane, Australia", "Australia/Brisbane", 13, False),
                                      ("Sydney", "Australia/Sydney", 12, True)):
        call = (f"# Call for Papers: Southern Workshop 2027\n\nHeld in {city} on March 3, "
                f"2027.\n\n## Important dates\n\n- Paper submission: January 15, 2027, "
                f"23:59 AEST\n- Workshop: March 3, 2027\n")
        event, _, warnings = imported_text(call)
        assert starts(event)["paper-submission"] == utc(2027, 1, 15, hour, 59), city
        assert any("AEST" in w for w in warnings) is flagged, (city, warnings)
        assert event.date("paper-submission").zone.key in (zone, event.zone.key)


def test_a_call_wide_pst_note_flags_each_date_in_daylight_time() -> None:
    """ "All deadlines are 11:59 PM PST" over an August date was read as PDT without a word;
    the same text on the date's own line is flagged."""
    call = ("# Call for Papers: Test Workshop 2025\n\nThe workshop is held in Seattle on "
            "November 3, 2025.\n\n## Important dates\n\nAll deadlines are 11:59 PM PST.\n\n"
            "- Paper submission: August 1, 2025\n- Notification: September 5, 2025\n"
            "- Workshop: November 3, 2025\n")
    event, _, warnings = imported_text(call)
    assert starts(event)["paper-submission"] == utc(2025, 8, 2, 6, 59)  # 23:59 PDT
    assert warnings == ['call.md:9: warning: "PST" on a date in daylight time: read as Pacific '
                        "time, PDT"]


def test_a_venue_the_city_table_lacks_comes_from_held_in_city_country() -> None:
    """ "held in Lyon, France": Lyon is in no table of ours; France has one zone."""
    event, _, _ = imported("euro-summer-cet.md")
    assert (event.city, event.country) == ("Lyon", "France")
    assert event.venue_zone is not None and event.venue_zone.key == "Europe/Paris"
    assert starts(event)["workshop"] == utc(2025, 10, 26, 23, 0)  # 27 October, CET (UTC+01:00)


# --- lines that give no date, words that are not an extension, the event said twice ----------

def test_a_date_the_call_leaves_tbd_is_said_left_out_at_its_line() -> None:
    """ "Notification of acceptance: TBD" vanished from the draft without a word."""
    event, draft, warnings = imported("aoe-noyear-tbd.md", year=2026)
    assert [d.id for d in event.dates] == ["extended-abstract-due", "final-versions-due"]
    assert 'aoe-noyear-tbd.md:8: warning: left out: "Notification of acceptance": no date yet ' \
           '("TBD"); add it to the schedule when the call gives it' in warnings
    assert any(w.startswith('aoe-noyear-tbd.md:10: warning: left out: "Workshop day"')
               for w in warnings)
    assert "# left out (line 8): Notification of acceptance: TBD" in draft
    # the draft keeps the call's order: the left-out line sits between the two dates
    assert draft.index("line 8") < draft.index('id = "final-versions-due"') < draft.index(
        "line 10")


def test_a_month_without_its_day_is_left_out_with_why() -> None:
    call = ("# Call for Papers: Workshop on Things 2026\n\n## Important dates\n\n"
            "- Paper submission: May 1, 2026, 23:59 AoE\n- Notification: mid-June\n"
            "- Camera-ready: July 2026\n- Workshop: September 3, 2026\n")
    event, _, warnings = imported_text(call)
    assert [d.id for d in event.dates] == ["paper-submission", "workshop"]
    assert 'call.md:6: warning: left out: "Notification": "mid-June" gives no day; add it to ' \
           "the schedule when the call gives it" in warnings
    assert any(w.startswith('call.md:7: warning: left out: "Camera-ready": "July 2026"')
               for w in warnings)


def test_prose_that_is_not_a_date_line_is_not_left_out() -> None:
    """Only a line that names a date and gives none is reported: "Submissions: at most 6
    pages" is logistics, "venue TBD" in a sentence is not a date."""
    _, _, warnings = imported("central-european-time.md")
    assert not any("left out" in w for w in warnings), warnings
    _, _, warnings = imported("aoe-noyear-tbd.md", year=2026)
    assert not any(":3: warning" in w for w in warnings), warnings


def test_an_extended_abstract_is_not_an_extension() -> None:
    event, draft, _ = imported("aoe-noyear-tbd.md", year=2026)
    assert "extended = true" not in draft
    assert not event.date("extended-abstract-due").extended_note
    call = ("# Call for Papers: W 2026\n\n## Important dates\n\n"
            "- Extended submission deadline: May 8, 2026, 23:59 AoE\n- Workshop: June 3, 2026\n")
    event, _, _ = imported_text(call)
    assert event.date("extended-submission-deadline").extended_note


def test_end_of_day_is_read_as_2359_and_said() -> None:
    event, _, warnings = imported("aoe-noyear-tbd.md", year=2026)
    assert starts(event)["extended-abstract-due"] == utc(2026, 3, 15, 11, 59)  # 23:59 UTC-12
    assert 'aoe-noyear-tbd.md:7: warning: "end of day" read as 23:59 on March 14' in warnings


def test_the_event_said_in_prose_and_in_the_list_is_one_date() -> None:
    """A plain-text call: "FMR'24 takes place ... on 9 September 2024" and "Workshop: 9
    September 2024" gave two event dates."""
    event, _, _ = imported("central-european-time.md")
    events = [d for d in event.dates if d.kind == "event"]
    assert [(d.id, d.day) for d in events] == [("workshop", events[0].day)]
    assert str(events[0].day) == "2024-09-09"


# --- many zone forms in one call, checked by hand ---------------------------------------------

def test_assorted_zone_forms_give_the_instants_checked_by_hand() -> None:
    event, _, _ = imported("assorted-forms.md")
    assert starts(event) == {
        "abstract-registration": utc(2025, 6, 2, 11, 59),  # 11:59pm AoE = UTC-12:00
        "full-papers": utc(2025, 6, 9, 11, 59),  # "Anywhere on Earth (UTC-12)"
        "artifact-submission": utc(2025, 7, 15, 4, 0),  # 12:00 noon Beijing time, 15.07.2025
        "rebuttal-period": utc(2025, 7, 20, 12, 0),  # all day, from 00:00 AoE
        "notification": utc(2025, 8, 5, 12, 0),  # 8:00 PM (GMT+8)
        "camera-ready": utc(2025, 9, 8, 7, 0),  # midnight PDT = 24:00 PDT
        "posters": utc(2025, 9, 15, 11, 59),  # 23:59 UTC−12 (a Unicode minus)
        "workshop": utc(2025, 10, 26, 16, 0),  # 27 October in Hong Kong
    }
    assert event.date("workshop").end_day is not None
    assert str(event.date("workshop").end_day) == "2025-11-01"  # across the month
    assert event.date("posters").kind == "deadline"  # "Posters: <date>, 23:59" is due then


def test_a_date_of_unclear_kind_says_it_gets_no_reminders() -> None:
    _, draft, warnings = imported("assorted-forms.md")
    assert 'assorted-forms.md:10: warning: what "Rebuttal period" is was not clear: kind = ' \
           '"other" gets no reminders; if it is a deadline, write kind = "deadline"' in " ".join(
               warnings)
    assert 'kind = "other"                     # what "Rebuttal period" is' in draft


# --- the command line --------------------------------------------------------------------------

def test_import_cfp_zone_takes_a_city_as_tz_does_and_its_error_names_zone(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    call = tmp_path / "call.md"
    call.write_text("# CFP: Zoneless Workshop 2026\n\n## Dates\n\n- Paper deadline: July 1, "
                    "2026, 23:59\n- Workshop: September 2, 2026\n", encoding="utf-8")
    draft = tmp_path / "draft.toml"
    assert main(["import-cfp", str(call), "--zone", "Beijing", "-o", str(draft)]) == 0
    event, problems = read_schedule(draft.read_text(encoding="utf-8"), "draft.toml")
    assert problems == [] and event is not None
    assert event.zone.key == "Asia/Shanghai"
    assert event.date("paper-deadline").starts == utc(2026, 7, 1, 15, 59)
    capsys.readouterr()
    assert main(["import-cfp", str(call), "--zone", "Mars/Olympus"]) != 0
    err = capsys.readouterr().err
    assert "--zone: unknown time zone 'Mars/Olympus'" in err
    assert "--tz" not in err and "Traceback" not in err


def test_a_weekday_that_fits_the_other_dates_year_corrects_a_wrong_year() -> None:
    """ "Wednesday, July 31, 2018" among 2019 dates: 31 July 2019 is a Wednesday (2018's is a
    Tuesday), and July 2019 is in order before the rest: read as 2019, said."""
    event, _, warnings = imported("weekday-year.md")
    assert starts(event)["submission-deadline"] == utc(2019, 8, 1, 3, 59)  # 23:59 EDT
    assert warnings[0] == (
        'weekday-year.md:7: warning: call says "Wednesday, July 31, 2018", but July 31, 2018 is '
        "a Tuesday; it is a Wednesday in 2019, the year of the other dates: read as 2019")
    assert not any("is a Tuesday" in w and "2019-07-31" in w for w in warnings)


def test_a_time_in_a_dst_gap_is_left_out_and_one_in_a_fold_names_both_instants() -> None:
    event, draft, warnings = imported("dst-gap-fold.md")
    assert [d.id for d in event.dates] == ["papers", "workshop"]
    assert warnings[0].startswith("dst-gap-fold.md:5: warning: left out: 2026-03-08 02:30 does "
                                  "not exist in America/New_York")
    assert starts(event)["papers"] == utc(2026, 11, 1, 5, 30)  # 01:30 EDT, the first
    assert warnings[1] == (
        "dst-gap-fold.md:6: warning: 2026-11-01 01:30 happens twice in America/New_York (the "
        "clocks go back): read as the earlier, 05:30 UTC (EDT); for the later, 06:30 UTC (EST), "
        'write fold = "later"')
    assert 'fold = "earlier"' in draft


def test_a_plain_text_call_with_dot_leaders_and_a_bare_call_for_papers_line() -> None:
    """ "CALL FOR PAPERS" alone on the first line left the name empty (import-cfp said it had a
    bug); the underlined "IMPORTANT DATES" and the dot-leader lines ran into one paragraph."""
    event, _, warnings = imported("plain-leaders.txt")
    assert event.name == "The 5th International Workshop on Edge Intelligence (EdgeAI 2025)"
    assert event.id == "edgeai-2025"
    assert (event.city, event.country, event.venue) == ("Lisbon", "Portugal", "MobiSys 2025")
    assert [(d.id, d.kind) for d in event.dates] == [
        ("paper-submission-deadline", "deadline"), ("author-notification", "notification"),
        ("camera-ready-due", "camera-ready"), ("workshop", "event")]
    assert starts(event)["paper-submission-deadline"] == utc(2025, 4, 5, 11, 59)  # 23:59 AoE
    assert starts(event)["camera-ready-due"] == utc(2025, 5, 16, 22, 59)  # 23:59 WEST
    assert starts(event)["workshop"] == utc(2025, 6, 22, 23, 0)  # 23 June in Lisbon
    assert warnings == ["plain-leaders.txt:8: warning: no time given: assumed the end of the "
                        "day, 23:59"]


def test_midnight_before_a_skipped_midnight_is_kept_as_2400() -> None:
    """ "midnight Santiago time" on the day before DST starts at 00:00 was left out as "does not
    exist"; it is the end of that day."""
    event, draft, _ = imported("midnight-dst-santiago.md")
    assert 'at = "2026-09-05 24:00"' in draft
    assert starts(event)["paper-submission"] == utc(2026, 9, 6, 4, 0)


def test_both_seasons_named_read_as_local_time_without_a_doubt() -> None:
    """ "11:59 PM PST/PDT" in July was flagged as "PST" in daylight time; "CET/CEST" likewise."""
    event, _, warnings = imported("zone-pairs.md")
    assert starts(event) == {"abstracts": utc(2026, 7, 2, 6, 59),  # 23:59 PDT
                             "papers": utc(2026, 7, 8, 21, 59),  # 23:59 CEST
                             "posters": utc(2026, 1, 8, 22, 59),  # 23:59 CET
                             "workshop": utc(2026, 10, 2, 22, 0)}
    assert warnings == []


def test_a_chinese_date_line_with_only_a_month_is_left_out_with_why() -> None:
    """ "录用通知：2025年5月上旬" (early May) vanished without a word."""
    event, _, warnings = imported("chinese-month-only.md")
    assert [d.kind for d in event.dates] == ["deadline", "deadline", "deadline", "camera-ready",
                                             "event"]
    assert 'chinese-month-only.md:10: warning: left out: "录用通知": "2025年5月上旬" gives no ' \
           "day; add it to the schedule when the call gives it" in warnings
    # Beijing time, written before the date, after it, or only once in the call
    assert [d.starts for d in event.dates][:4] == [utc(2025, 3, 15, 15, 59),
                                                   utc(2025, 3, 22, 16, 0),
                                                   utc(2025, 3, 29, 15, 59),
                                                   utc(2025, 6, 1, 9, 0)]


def test_a_date_line_whose_date_cannot_be_read_is_left_out_with_why() -> None:
    call = ("# CFP: Relative Workshop 2026\n\n## Important dates\n\n"
            "- Paper submission: May 1, 2026, 23:59 AoE\n"
            "- Notification: two weeks after the deadline\n"
            "- Submission site: https://x.hotcrp.com\n- Submission format: PDF\n"
            "- Workshop: July 3, 2026\n\nAll deadlines are 11:59 PM AoE.\n")
    event, _, warnings = imported_text(call)
    assert [d.id for d in event.dates] == ["paper-submission", "workshop"]
    assert [w for w in warnings if "left out" in w] == [
        'call.md:6: warning: left out: "Notification": no date duebot can read in "two weeks '
        'after the deadline"; add it to the schedule when the call gives it']


def test_a_call_wide_zone_note_in_other_words_is_the_calls_zone() -> None:
    """ "Deadlines are 11:59pm PT." was not read as a note: the draft said the call names no
    zone and wrote AoE, five hours after the call's 23:59 PDT."""
    for note, zone, instant in (("Deadlines are 11:59pm PT.", "America/Los_Angeles",
                                 utc(2026, 7, 2, 6, 59)),
                                ("Time zone: UTC-12", "UTC-12:00", utc(2026, 7, 2, 11, 59)),
                                ("Deadlines expire at 23:59 CEST.", "Europe/Paris",
                                 utc(2026, 7, 1, 21, 59))):
        call = (f"# CFP: Note Workshop 2026\n\n## Important dates\n\n{note}\n\n"
                f"- Paper submission: July 1, 2026\n- Workshop: Sept 3, 2026\n")
        event, _, warnings = imported_text(call)
        assert event.date("paper-submission").zone.key == zone, note
        assert starts(event)["paper-submission"] == instant, note
        assert not any("names no time zone" in w for w in warnings), (note, warnings)


def test_zones_said_in_words_give_the_instants_checked_by_hand() -> None:
    """ "British Summer Time", "India Standard Time", "Japan Standard Time", "Hawaii time" were
    not read: those dates fell back to the call's other zone (US Central), hours off."""
    event, _, warnings = imported("zone-words.md")
    assert starts(event) == {
        "a-deadline": utc(2026, 7, 11, 6, 59),  # 11:59 p.m. (Pacific Time), PDT
        "b-deadline": utc(2026, 7, 12, 11, 59),  # 23:59 (UTC-12:00, AoE)
        "c-deadline": utc(2026, 7, 12, 21, 0),  # 5 PM Eastern, EDT
        "d-deadline": utc(2026, 7, 13, 12, 0),  # noon GMT
        "e-deadline": utc(2026, 7, 14, 21, 59),  # Central European Summer Time
        "f-deadline": utc(2026, 7, 15, 22, 59),  # British Summer Time
        "g-deadline": utc(2026, 7, 16, 18, 29),  # India Standard Time
        "h-deadline": utc(2026, 7, 17, 14, 59),  # Japan Standard Time
        "i-deadline": utc(2026, 7, 18, 15, 59),  # Singapore time
        "j-deadline": utc(2026, 7, 20, 4, 59),  # Central Daylight Time
        "k-deadline": utc(2026, 7, 21, 4, 59),  # Central Time (US)
        "l-deadline": utc(2026, 7, 22, 9, 59),  # Hawaii time
        "workshop": utc(2026, 9, 3, 5, 0),
    }
    assert not any("no zone on this line" in w for w in warnings), warnings
