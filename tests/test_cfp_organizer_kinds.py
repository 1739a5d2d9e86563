"""import-cfp on calls a new organizer wrote in session 8: an ML conference whose place follows
its dates on the line under the title, a summer school's admission rounds, an ML call's
supplementary material. Each instant checked by hand with zoneinfo."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.test_cfp_organizer import imported_text

ML_CALL = """LML 2027 -- Call for Papers

Conference on Learning Machines, December 6-12, 2027, Vancouver, Canada.

Key dates (all times 11:59pm PT):
  * Abstract submission: Tuesday, May 11
  * Full paper submission: Tuesday, May 18
  * Supplementary material: May 25
  * Author notification: September 2
"""

SCHOOL_CALL = """# Summer School on Distributed Systems 2027 (SSDS)

Indian Statistical Institute, Kolkata, India · 14–25 June 2027

Important dates (IST):

- Registration round 1 closes: 15 March 2027, 23:59
- Round 1 results: 31 March 2027
- Registration round 2 closes: 30 April 2027, 5:00 PM
- Round 2 admission results: 15 May 2027
- Summer school: 14 June 2027 – 25 June 2027
"""


def test_a_place_written_after_the_dates_under_the_title_is_the_venue() -> None:
    """ "Name, December 6-12, 2027, Vancouver, Canada." gave city "Conference on Learning
    Machines" and country "Canada." (the sentence's full stop), with no venue zone."""
    event, draft, warnings = imported_text(ML_CALL)
    assert event.city == "Vancouver", draft
    assert event.country == "Canada", draft
    assert event.venue_zone is not None and event.venue_zone.key == "America/Vancouver"
    assert not any("no zone known" in w for w in warnings), warnings


def test_supplementary_material_is_a_deadline_with_the_calls_time() -> None:
    event, draft, _ = imported_text(ML_CALL)
    supplement = event.date("supplementary-material")
    assert supplement.kind == "deadline", draft
    # 25 May 2027 23:59 PDT (UTC-07:00), as the other deadlines of the call.
    assert supplement.starts == datetime(2027, 5, 26, 6, 59, tzinfo=UTC)


def test_admission_results_are_notifications() -> None:
    event, draft, _ = imported_text(SCHOOL_CALL)
    kinds = {d.id: d.kind for d in event.dates}
    assert kinds["round-1-results"] == "notification", draft
    assert kinds["round-2-admission-results"] == "notification", draft
    assert kinds["registration-round-1-closes"] == "deadline"


DOTTED_CALL = """Workshop on Verified Compilers (WVC '27)
Austin, TX -- June 20, 2027

IMPORTANT DATES
Paper registration ......... Fri, Feb 26 (11:59pm PT)
Full paper ................. Fri, Mar 5 (11:59pm PT)
Notification ............... Apr 9
Workshop ................... Sun, Jun 20
"""


def test_the_year_under_the_title_is_the_year_of_dates_printed_without_one() -> None:
    """Every date line without a year, the event's own date with one under the title: the call
    was refused ("has no year and the call gives none; pass --year")."""
    event, _, warnings = imported_text(DOTTED_CALL)
    # 26 February 2027 23:59 PST (UTC-08:00); 5 March 2027 23:59 PST.
    assert event.date("paper-registration").starts == datetime(2027, 2, 27, 7, 59, tzinfo=UTC)
    assert event.date("full-paper").starts == datetime(2027, 3, 6, 7, 59, tzinfo=UTC)
    assert event.date("workshop").day is not None and event.date("workshop").day.year == 2027
    said = [w for w in warnings if '"Apr 9" has no year' in w]
    assert said and "read as 2027, the year the call's title line gives" in said[0], warnings


def test_extended_to_on_the_dates_line_makes_the_earlier_date_the_old_one() -> None:
    """ "Fri, Mar 5 (11:59pm PT) -- extended to Mar 12" was two dates: the paper deadline on
    5 March and a date titled "Extended to" on 12 March."""
    event, draft, _ = imported_text(DOTTED_CALL.replace(
        "Fri, Mar 5 (11:59pm PT)\n", "Fri, Mar 5 (11:59pm PT) -- extended to Mar 12\n"))
    assert [d.id for d in event.dates if "extended" in d.id] == [], draft
    paper = event.date("full-paper")
    # 12 March 2027 23:59 PST (UTC-08:00), extended from 5 March 23:59 PST.
    assert paper.starts == datetime(2027, 3, 13, 7, 59, tzinfo=UTC), draft
    assert paper.extended_from == datetime(2027, 3, 6, 7, 59, tzinfo=UTC), draft


def test_a_dot_leader_line_without_a_date_is_its_own_line_not_the_one_above() -> None:
    """ "Camera ready ....... TBD" was joined to the line above ("Notification: Apr 9 Camera
    ready ... TBD"): no word of the camera-ready was said."""
    call = DOTTED_CALL.replace("Notification ............... Apr 9\n",
                               "Notification ............... Apr 9\n"
                               "Camera ready ............... TBD\n")
    event, _, warnings = imported_text(call)
    assert event.date("notification").title == "Notification"
    assert 'call.md:8: warning: left out: "Camera ready": no date yet ("TBD"); add it to the ' \
           "schedule when the call gives it" in warnings, warnings


TABLE_CALL = """# Workshop on Robust Agents (RAW 2027)

Co-located with ICML 2027, Seoul, South Korea. July 30, 2027.

## Important Dates

| What | When (Anywhere on Earth) |
|---|---|
| Submission deadline | ~~May 20~~ May 27, 2027, 23:59 |
| Author notification | June 20, 2027 |
| Workshop | July 30, 2027 |
"""


def test_a_zone_in_the_tables_header_row_holds_for_its_dates() -> None:
    """ "When (Anywhere on Earth)" over the dates' column: the call names its zone; it was
    "the call names no time zone ... CHECK THIS"."""
    event, _, warnings = imported_text(TABLE_CALL)
    assert not any("names no time zone" in w for w in warnings), warnings
    assert event.zone.key == "AoE"
    # 27 May 2027 23:59 UTC-12:00.
    assert event.date("submission-deadline").starts == datetime(2027, 5, 28, 11, 59, tzinfo=UTC)


def test_applications_and_requests_until_a_day_are_deadlines() -> None:
    event, draft, _ = imported_text("""# São Paulo School of Advanced Science on Computing 2027

Universidade de São Paulo, São Paulo, Brazil — 2–13 August 2027

## Key dates (Brasília time, BRT)

* Applications, first round: until March 31, 2027, 6 pm
* First round results: April 15, 2027
* Travel grant requests: until ~~May 1, 2027~~ May 10, 2027 (extended)
* School: August 2–13, 2027
""")
    kinds = {d.id: d.kind for d in event.dates}
    assert kinds["applications-first-round"] == "deadline", draft
    assert kinds["travel-grant-requests"] == "deadline", draft
    assert kinds["first-round-results"] == "notification"
    # 31 March 2027 18:00 in São Paulo (UTC-03:00, no daylight time since 2019).
    assert event.date("applications-first-round").starts == datetime(2027, 3, 31, 21, 0,
                                                                      tzinfo=UTC)


def test_a_bold_sentence_with_the_deadline_is_read_not_taken_for_a_heading() -> None:
    """ "**Submission deadline extended to March 10, 2027 (was March 3, 2027), 11:59 pm PT.**"
    alone on its line became a heading: the call's main deadline was gone without a word."""
    event, draft, _ = imported_text("""# HotEdge '27 Call for Papers

The 10th Workshop on Hot Topics in Edge Computing takes place in Boston, MA, on July 12, 2027.

**Submission deadline extended to March 10, 2027 (was March 3, 2027), 11:59 pm PT.**

- Notification to authors: Tuesday, April 20th
""")
    (deadline,) = [d for d in event.dates if d.kind == "deadline"]
    # 10 March 2027 23:59 PST (UTC-08:00), extended from 3 March 23:59 PST.
    assert deadline.starts == datetime(2027, 3, 11, 7, 59, tzinfo=UTC), draft
    assert deadline.extended_from == datetime(2027, 3, 4, 7, 59, tzinfo=UTC), draft
    # The words that say it moved are no part of its title (nor of its id).
    assert (deadline.id, deadline.title) == ("submission-deadline", "Submission deadline")


def test_a_venue_written_country_first_with_a_middle_dot_gives_the_citys_zone() -> None:
    """ "会议地点：中国·杭州" was "no zone known for '中国·杭州'"."""
    event, draft, warnings = imported_text("""# 第三届大模型系统研讨会（LMSys Workshop 2027）

会议地点：中国·杭州

## 重要日期

- 论文提交截止：2027年4月15日 23:59（北京时间）
- 会议日期：2027年7月10日—11日
""")
    assert not any("no zone known" in w for w in warnings), warnings
    assert event.venue_zone is not None and event.venue_zone.key == "Asia/Shanghai", draft
    assert event.city == "杭州", draft
