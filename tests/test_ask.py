"""What participants ask, and what duebot answers: the right intent, the right instants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from freezegun import freeze_time
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.ask import INTENTS, Answer, answer
from bot.core.model import Event
from bot.core.schedule import parse_schedule
from bot.core.zones import parse_zone

NOW = datetime(2017, 9, 1, 12, 0, tzinfo=UTC)
SHIPPED_EVENT = parse_schedule(
    (Path(__file__).resolve().parent.parent / "schedules" / "aisys-sosp17.toml").read_text(
        encoding="utf-8"))
LA_DEADLINE = "Sunday 10 September 2017, 23:59 PDT (America/Los_Angeles, UTC-07:00)"

PHRASINGS: dict[str, list[str]] = {
    "deadline": [
        "when is the deadline?", "deadline??", "whens the dealine", "When are abstracts due?",
        "what's the submission deadline", "is the deadline passed?", "Deadline", "DEADLINE!!!",
        "has the deadline been extended?", "when is the deadlne", "submision deadline?",
        "whats the dead line", "when do I submit", "is it too late to submit?",
        "hi, when is the deadline please", "wat is teh deadline", "when is it due",
        "till when can I submit", "what time is the deadline", "any deadline extension?",
        "when do submissions close", "when is the cutoff", "when is the dealdine",
        "can I still submit",
    ],
    "time_left": [
        "how much time do I have left", "how long until submissions close",
        "how many days until the deadline", "how many days left", "time left?",
        "how long do we have", "how many hours are remaining", "countdown",
        "how soon is the deadline",
    ],
    "notification": [
        "when will we hear back", "when are notifications", "when are acceptance decisions",
        "when will I know if my poster is accepted", "notifcation date",
        "when do we get the reviews", "when is the notification deadline",
        "when will we find out", "acceptance notification?",
    ],
    "camera_ready": [
        "camera ready date", "when is the final version due", "camra ready",
        "camera-ready deadline", "when is the camera ready deadline", "final paper due when?",
        "when do I upload the final version",
    ],
    "event": [
        "when and where is the workshop", "where is it held", "what day is the workshop",
        "where is it", "when is the workshop", "where does the workshop take place",
        "what is the venue", "how long until the workshop", "workshop location?",
    ],
    "submit": [
        "how do I submit", "where do I submit", "submission link", "what is the url",
        "is the submission site open", "cmt link?",
        "where do i upload my abstract",
    ],
    "faq": ["can I submit 6 pages", "can I submit a six-page paper"],
    "format": [
        "what format", "what template", "latex template", "tempalte?", "what font size",
        "where can I find the template", "what is the submission format",
        "is there a word template", "which style file do I use",
    ],
    "page_limit": [
        "page limit", "how many pages", "can I submit 3 pages",
        "how long can the abstract be", "is there a word limit", "max pages?",
        "whats the length limit",
    ],
    "anonymize": [
        "do I need to anonymize", "is it double blind", "blind review?", "anonimize?",
        "should the submission be anonymous", "do I include author names",
        "is review double-blind", "single blind?",
    ],
    "contact": [
        "who do I contact", "contact email", "organizers", "e-mail the chairs",
        "how do I contact the organisers", "who can I ask questions",
    ],
    "all_dates": [
        "all important dates", "list the dates", "schedule", "timeline", "key dates?",
        "show me the calendar", "what are the important dates",
    ],
    "greeting": ["hi", "hello!", "hey there", "thanks!", "thank you", "good morning"],
    "help": ["help", "what can you do", "who are you", "how does this work", "", "   ", "?!"],
}


@pytest.mark.parametrize(("intent", "question"),
                         [(i, q) for i, qs in PHRASINGS.items() for q in qs])
def test_phrasings_and_typos_reach_their_intent(intent: str, question: str) -> None:
    assert answer(question, SHIPPED_EVENT, now=NOW).intent == intent


@pytest.mark.parametrize("question", ["blorp", "what is the meaning of life",
                                      "do you like pizza", "asdf qwerty"])
def test_unanswerable_question_lists_what_can_be_answered(shipped: Event,
                                                          question: str) -> None:
    reply = answer(question, shipped, now=NOW)
    assert reply.dates == ()
    if reply.intent == "not_held":  # a subject it cannot place: said so, with the contact
        assert reply.text.startswith("The schedule does not say anything about")
        assert "ai-systems-workshop-2017@googlegroups.com" in reply.text
        return
    assert reply.intent == "unknown"
    assert "did not understand" in reply.text
    for topic in ("deadline", "hear back", "double blind", "contact", "important dates"):
        assert topic in reply.text


def test_empty_question_gets_help(shipped: Event) -> None:
    reply = answer("", shipped, now=NOW)
    assert reply.intent == "help"
    assert "when is the deadline?" in reply.text
    assert "did not understand" not in reply.text


def test_deadline_in_shanghai_with_pacific_time_beside(shipped: Event) -> None:
    reply = answer("when is the deadline?", shipped, now=NOW,
                   reader=parse_zone("Asia/Shanghai"))
    assert reply.intent == "deadline"
    assert ("Monday 11 September 2017, 14:59 CST (Asia/Shanghai, UTC+08:00); that is "
            f"{LA_DEADLINE} (9 days 18 hours from now)") in reply.text
    assert "(extended)" in reply.text
    assert [d.id for d in reply.dates] == ["abstract"]


@pytest.mark.parametrize(("zone", "local"), [
    ("Asia/Shanghai", "Monday 11 September 2017, 14:59 CST (Asia/Shanghai, UTC+08:00)"),
    ("America/New_York", "Monday 11 September 2017, 02:59 EDT (America/New_York, UTC-04:00)"),
    ("AoE", "Sunday 10 September 2017, 18:59 AoE (Anywhere on Earth, UTC-12:00)"),
    ("UTC+05:30", "Monday 11 September 2017, 12:29 UTC+05:30"),
    ("UTC", "Monday 11 September 2017, 06:59 UTC"),
])
def test_deadline_instant_in_each_reader_zone(shipped: Event, zone: str, local: str) -> None:
    reply = answer("whens the dealine", shipped, now=NOW, reader=parse_zone(zone))
    assert f"{local}; that is {LA_DEADLINE}" in reply.text


def test_no_reader_zone_means_the_event_zone_alone(shipped: Event) -> None:
    reply = answer("deadline?", shipped, now=NOW)
    assert f"is {LA_DEADLINE} (9 days 18 hours from now)" in reply.text
    assert "that is" not in reply.text


def test_time_left_counts_down_to_the_next_deadline(shipped: Event) -> None:
    reply = answer("how much time do I have left", shipped, now=NOW,
                   reader=parse_zone("America/New_York"))
    assert reply.intent == "time_left"
    assert reply.text.startswith(
        "9 days 18 hours left until the Poster abstract submission deadline (extended): "
        "Monday 11 September 2017, 02:59 EDT")
    assert [d.id for d in reply.dates] == ["abstract"]


def test_countdown_three_hours_before(shipped: Event) -> None:
    now = datetime(2017, 9, 11, 3, 59, tzinfo=UTC)
    reply = answer("time left?", shipped, now=now)
    assert reply.text.startswith("3 hours left until")


def test_passed_deadline_says_so_and_points_to_what_is_next(shipped: Event) -> None:
    now = datetime(2017, 9, 15, 6, 59, tzinfo=UTC)
    reply = answer("is the deadline passed?", shipped, now=now,
                   reader=parse_zone("Asia/Shanghai"))
    assert "has passed" in reply.text
    assert "(passed 4 days ago)" in reply.text
    assert "Next: Acceptance notifications: Wednesday 20 September 2017" in reply.text
    assert [d.id for d in reply.dates] == ["abstract", "notification"]
    assert "from now" in reply.text.splitlines()[-1]


def test_time_left_when_no_deadline_is_open(shipped: Event) -> None:
    reply = answer("how long until submissions close", shipped,
                   now=datetime(2017, 9, 12, tzinfo=UTC))
    assert reply.intent == "time_left"
    assert reply.text.startswith("No deadline is still open.")


def test_after_everything_nothing_is_ahead(shipped: Event) -> None:
    reply = answer("when is the deadline", shipped, now=datetime(2018, 1, 1, tzinfo=UTC))
    assert "Nothing else in the schedule is still ahead." in reply.text


def test_extension_question_is_answered(shipped: Event) -> None:
    reply = answer("has the deadline been extended?", shipped, now=NOW)
    assert reply.text.startswith("Yes: the Poster abstract submission deadline (extended) is "
                                 "now "), reply.text  # the date it is now, then the mark
    assert "the schedule marks it as extended" in reply.text


def _schedule(dates: str, extra: str = "") -> Event:
    return parse_schedule(f"""
[event]
id = "test-ws"
name = "Test Workshop"
zone = "AoE"
{extra}
{dates}
""")


TWO_ROUNDS = """
[[dates]]
id = "r1"
title = "Round 1 papers"
kind = "deadline"
at = "2024-03-01 23:59"
extended_from = "2024-02-25 23:59"

[[dates]]
id = "r2"
title = "Round 2 deadline"
kind = "deadline"
at = "2024-05-01"

[[dates]]
id = "reg"
title = "Abstract registration"
kind = "deadline"
at = "2024-04-01 12:00 UTC"
cancelled = true

[[dates]]
id = "ws"
title = "The workshop"
kind = "event"
at = "2024-07-10"
end = "2024-07-11"
"""


def test_two_rounds_name_the_next_and_list_the_later() -> None:
    event = _schedule(TWO_ROUNDS)
    reply = answer("when is the deadline", event, now=datetime(2024, 2, 20, tzinfo=UTC),
                   reader=parse_zone("America/New_York"))
    lines = reply.text.splitlines()
    assert lines[0] == (
        "The next deadline is the deadline for Round 1 papers (extended): Saturday 2 March "
        "2024, 06:59 EST (America/New_York, UTC-05:00); that is Friday 1 March 2024, 23:59 "
        "AoE (Anywhere on Earth, UTC-12:00) (11 days 11 hours from now).")
    assert lines[1] == "After that:"
    # An all-day AoE deadline closes when that day ends on Earth's last zone.
    assert lines[2] == (
        "- Round 2 deadline: at the end of Wednesday 1 May 2024 (Anywhere on Earth, "
        "UTC-12:00); that is Thursday 2 May 2024, 08:00 EDT (America/New_York, UTC-04:00) "
        "(72 days 12 hours from now)")
    assert [d.id for d in reply.dates] == ["r1", "r2", "reg"]


def test_extension_gives_the_earlier_time() -> None:
    event = _schedule(TWO_ROUNDS)
    reply = answer("has it been extended?", event, now=datetime(2024, 2, 20, tzinfo=UTC),
                   reader=parse_zone("AoE"))
    assert reply.text.startswith("Yes: "), reply.text
    assert " was extended to " in reply.text and \
        "; it was Sunday 25 February 2024, 23:59 AoE" in reply.text, reply.text


def test_second_round_after_the_first_has_closed() -> None:
    event = _schedule(TWO_ROUNDS)
    reply = answer("deadline?", event, now=datetime(2024, 5, 1, 20, 0, tzinfo=UTC),
                   reader=parse_zone("Asia/Shanghai"))
    assert reply.text.startswith("The Round 2 deadline is at the end of Wednesday 1 May 2024")
    assert "Thursday 2 May 2024, 20:00 CST (Asia/Shanghai, UTC+08:00) (16 hours from now)" \
        in reply.text
    assert "Round 1" not in reply.text


def test_cancelled_deadline_is_never_presented_as_live() -> None:
    event = _schedule(TWO_ROUNDS)
    reply = answer("when is the deadline", event, now=datetime(2024, 3, 5, tzinfo=UTC),
                   reader=parse_zone("UTC"))
    cancelled = [line for line in reply.text.splitlines() if "Abstract registration" in line]
    assert cancelled == ["The deadline for Abstract registration has been cancelled (it was "
                         "Monday 1 April 2024, 12:00 UTC)."]
    assert not reply.text.startswith("The deadline for Abstract registration")


def test_only_cancelled_deadline_is_not_a_countdown() -> None:
    event = _schedule("""
[[dates]]
id = "d"
title = "Paper deadline"
kind = "deadline"
at = "2024-04-01 23:59"
cancelled = true
""")
    reply = answer("how long until the deadline", event, now=datetime(2024, 3, 1, tzinfo=UTC))
    assert "has been cancelled" in reply.text
    assert "left until" not in reply.text
    assert "from now" not in reply.text.splitlines()[0]


def test_cancelled_notification_says_cancelled() -> None:
    event = _schedule("""
[[dates]]
id = "n"
title = "Notifications"
kind = "notification"
at = "2024-04-01"
cancelled = true
""", '[contact]\nemail = "chairs@example.org"')
    reply = answer("when will we hear back", event, now=datetime(2024, 3, 1, tzinfo=UTC))
    assert "CANCELLED" in reply.text
    assert "from now" not in reply.text
    assert "chairs@example.org" in reply.text


def test_all_dates_in_order_with_passed_and_cancelled_marked() -> None:
    event = _schedule(TWO_ROUNDS)
    reply = answer("list all the dates", event, now=datetime(2024, 3, 5, tzinfo=UTC),
                   reader=parse_zone("America/New_York"))
    lines = reply.text.splitlines()
    assert lines[0] == "Important dates for Test Workshop (times in America/New_York):"
    assert lines[1].startswith("- [passed] Round 1 papers (extended): Saturday 2 March 2024")
    assert lines[2].startswith("- [cancelled] Abstract registration: CANCELLED")
    assert lines[3].startswith("- Round 2 deadline: at the end of Wednesday 1 May 2024")
    assert lines[4].startswith("- The workshop: Wednesday 10 July 2024 to Thursday 11 July 2024")
    assert [d.id for d in reply.dates] == ["r1", "reg", "r2", "ws"]


def test_event_range_under_way() -> None:
    event = _schedule(TWO_ROUNDS)
    reply = answer("when is the workshop", event, now=datetime(2024, 7, 11, 12, tzinfo=UTC))
    assert "Wednesday 10 July 2024 to Thursday 11 July 2024" in reply.text
    assert "(under way now)" in reply.text


def test_timed_range_shows_both_ends_in_both_zones() -> None:
    event = _schedule("""
[[dates]]
id = "ws"
title = "Workshop day"
kind = "event"
at = "2024-07-10 09:00 Europe/Vienna"
end = "2024-07-10 17:30 Europe/Vienna"
""", 'venue = "TU Wien"\ncity = "Vienna"\ncountry = "Austria"\nvenue_zone = "Europe/Vienna"')
    reply = answer("when and where is the workshop", event,
                   now=datetime(2024, 7, 1, tzinfo=UTC), reader=parse_zone("Asia/Tokyo"))
    assert ("Wednesday 10 July 2024, 16:00 JST to Thursday 11 July 2024, 00:30 JST "
            "(Asia/Tokyo, UTC+09:00); that is Wednesday 10 July 2024, 09:00 CEST to 17:30 CEST "
            "(Europe/Vienna, UTC+02:00)") in reply.text
    assert "Where: TU Wien, Vienna, Austria." in reply.text
    assert "In short: Wednesday 10 July 2024 in Vienna, Austria." in reply.text


def test_event_answer_gives_day_and_place(shipped: Event) -> None:
    reply = answer("when and where is the workshop", shipped, now=NOW,
                   reader=parse_zone("America/New_York"))
    assert reply.intent == "event"
    assert "Saturday 28 October 2017 in Shanghai, China" in reply.text
    assert "Where: SOSP 2017, Shanghai, China." in reply.text
    assert "Local time at the venue: Asia/Shanghai (UTC+08:00)." in reply.text
    assert [d.id for d in reply.dates] == ["workshop"]


@pytest.mark.parametrize(("question", "intent", "date_id", "expected"), [
    ("when will we hear back", "notification", "notification",
     "Acceptance notifications: Wednesday 20 September 2017 (all day, America/Los_Angeles: PDT, "
     "UTC-07:00) (18 days 19 hours from now) (in Asia/Shanghai: from Wednesday 20 September "
     "2017, 15:00 CST to Thursday 21 September 2017, 15:00 CST)"),
    ("camera ready date", "camera_ready", "camera-ready",
     "Final file upload (camera-ready): at the end of Tuesday 10 October 2017 "
     "(America/Los_Angeles: PDT, UTC-07:00); that is Wednesday 11 October 2017, 15:00 CST "
     "(Asia/Shanghai, UTC+08:00) (39 days 19 hours from now)"),
])
def test_dated_answers_in_reader_zone(shipped: Event, question: str, intent: str,
                                      date_id: str, expected: str) -> None:
    reply = answer(question, shipped, now=NOW, reader=parse_zone("Asia/Shanghai"))
    assert reply.intent == intent
    assert expected in reply.text
    assert [d.id for d in reply.dates] == [date_id]


def test_submit_gives_system_link_and_deadline(shipped: Event) -> None:
    reply = answer("how do I submit", shipped, now=NOW)
    assert reply.text.splitlines()[0] == (
        "Submit via CMT: https://cmt3.research.microsoft.com/User/Login?ReturnUrl=%2FASWSOSP2017")
    assert LA_DEADLINE in reply.text
    assert [d.id for d in reply.dates] == ["abstract"]


def test_format_gives_template_and_link(shipped: Event) -> None:
    reply = answer("what latex template", shipped, now=NOW)
    assert "sigplanconf (10pt, preprint)" in reply.text
    assert "http://www.eecs.umich.edu/~pmchen/sosp/sosp17-template.tex" in reply.text
    assert reply.dates == ()


@pytest.mark.parametrize(("question", "verdict"), [
    ("can I submit 3 pages", "So 3 pages is over the limit of 2 pages."),
    ("can I submit a three-page abstract?", "So 3 pages is over the limit of 2 pages."),
    ("is 2 pages ok", "So 2 pages is within the limit."),
])
def test_page_limit_answers_the_number_asked(shipped: Event, question: str,
                                             verdict: str) -> None:
    reply = answer(question, shipped, now=NOW)
    assert reply.intent == "page_limit"
    yes = "within" in verdict
    assert reply.text.startswith(f"{'Yes' if yes else 'No'}: the page limit is 2 pages.")
    assert "6-page papers are not accepted" in reply.text
    assert verdict in reply.text


@pytest.mark.parametrize(("flag", "expected"), [
    ("anonymized = true", "Yes: submissions must be anonymized"),
    ("anonymized = false", "No: submissions do not have to be anonymized"),
    ("", "The schedule does not say whether submissions must be anonymized; ask "
         "Chairs (chairs@example.org)."),
])
def test_anonymity_follows_the_schedule(flag: str, expected: str) -> None:
    event = _schedule(TWO_ROUNDS, f'[submission]\n{flag}\n[contact]\nname = "Chairs"\n'
                                  f'email = "chairs@example.org"')
    reply = answer("is it double blind?", event, now=datetime(2024, 1, 1, tzinfo=UTC))
    assert reply.text == expected or reply.text.startswith(expected)


def test_anonymity_shipped(shipped: Event) -> None:
    assert answer("do I need to anonymize", shipped, now=NOW).text.startswith(
        "No: submissions do not have to be anonymized")


@pytest.mark.parametrize(("question", "expected"), [
    ("how do I submit", "The schedule does not say how to submit; see https://example.org/ws."),
    ("what format", "The schedule does not say what format submissions must follow; see "
                    "https://example.org/ws."),
    ("page limit", "The schedule does not say how many pages are allowed; see "
                   "https://example.org/ws."),
    ("who do I contact", "The schedule does not list a contact address; see "
                         "https://example.org/ws."),
    ("where is it held", "The schedule does not say where it is held; see "
                         "https://example.org/ws."),
])
def test_missing_logistics_say_so_and_point_somewhere(question: str, expected: str) -> None:
    event = _schedule(TWO_ROUNDS, 'url = "https://example.org/ws"')
    reply = answer(question, event, now=datetime(2024, 1, 1, tzinfo=UTC))
    assert expected in reply.text


def test_schedule_without_deadlines_says_so() -> None:
    event = _schedule("""
[[dates]]
id = "ws"
title = "Workshop"
kind = "event"
at = "2024-07-10"
""", '[contact]\nemail = "chairs@example.org"')
    reply = answer("when is the deadline", event, now=datetime(2024, 1, 1, tzinfo=UTC))
    assert reply.text.startswith("The schedule does not say when submissions are due; ask "
                                 "chairs@example.org.")
    assert "Next: Workshop: Wednesday 10 July 2024" in reply.text


def test_contact(shipped: Event) -> None:
    reply = answer("who do I contact", shipped, now=NOW)
    assert reply.text == ("Contact AI Systems Workshop organizers at "
                          "ai-systems-workshop-2017@googlegroups.com.")


def test_greeting_and_thanks(shipped: Event) -> None:
    assert answer("hi", shipped, now=NOW).text.startswith("Hi! I'm duebot for AI Systems")
    assert answer("thanks!", shipped, now=NOW).text.startswith("You're welcome!")


def test_answer_is_deterministic_given_now(shipped: Event) -> None:
    zone = parse_zone("Asia/Shanghai")
    with freeze_time("2030-01-01T00:00:00Z"):
        first = answer("how much time is left", shipped, now=NOW, reader=zone)
    with freeze_time("2017-09-10T00:00:00Z"):
        second = answer("how much time is left", shipped, now=NOW, reader=zone)
    assert first == second
    later = answer("how much time is left", shipped, now=datetime(2017, 9, 10, tzinfo=UTC),
                   reader=zone)
    assert later.text != first.text


def test_naive_now_is_refused(shipped: Event) -> None:
    with pytest.raises(ValueError, match="naive"):
        answer("deadline", shipped, now=datetime(2017, 9, 1, 12, 0))


@settings(max_examples=300, deadline=None)
@given(question=st.text(max_size=200), hours=st.integers(min_value=-24 * 400,
                                                         max_value=24 * 400))
def test_answer_never_raises_and_never_returns_empty(question: str, hours: int) -> None:
    reply = answer(question, SHIPPED_EVENT, now=NOW + timedelta(hours=hours),
                   reader=parse_zone("UTC+05:30"))
    assert isinstance(reply, Answer)
    assert reply.intent in INTENTS
    assert reply.text.strip()


@settings(max_examples=200, deadline=None)
@given(words=st.lists(st.sampled_from(
    ["when", "deadline", "dealine", "camera", "ready", "where", "pages", "how", "long", "blind",
     "contact", "dates", "hi", "help", "the", "is", "6", "submit", "left", "final", "xyz"]),
    max_size=8))
def test_keyword_soup_never_raises(words: list[str]) -> None:
    event = _schedule(TWO_ROUNDS)
    reply = answer(" ".join(words), event, now=datetime(2024, 3, 5, tzinfo=UTC),
                   reader=parse_zone("AoE"))
    assert reply.text.strip()
    assert reply.intent in INTENTS

