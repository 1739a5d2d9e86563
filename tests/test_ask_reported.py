"""Answer problems other helpers reported, each probed in several phrasings (English and
Chinese where it applies) on small schedules written here:

- an either-or zone question ("CET or CEST?", "AoE or UTC?", "23:59 PST or PDT?") is
  answered with which one (or neither), never yes/no; a date given as UTC-12:00 is AoE;
- a short word is not read as another short word one letter off ("wiki" is not "wifi");
- a Chinese place answer joins Chinese names with the Chinese comma, not ", ";
- and the further problems below each heading.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.core.ask import Answer, answer
from bot.core.model import Event
from bot.core.schedule import parse_schedule
from bot.core.zones import parse_zone

NOW = datetime.fromisoformat("2027-01-01T00:00:00+00:00")


def _event(zone: str, dates: list[tuple[str, str, str, str]], extra: str = "") -> Event:
    body = "\n".join(f'[[dates]]\nid = "{i}"\ntitle = "{t}"\nkind = "{k}"\nat = "{a}"\n'
                     for i, t, k, a in dates)
    return parse_schedule(f'[event]\nid = "x"\nname = "X Workshop"\nzone = "{zone}"\n{extra}\n'
                          f'[contact]\nemail = "chairs@example.org"\n\n{body}')


def _ask(event: Event, question: str, reader: str | None = None) -> Answer:
    return answer(question, event, now=NOW, reader=parse_zone(reader) if reader else None)


BERLIN_SUMMER = _event("Europe/Berlin", [("paper", "Paper deadline", "deadline",
                                          "2027-09-10 23:59")])
BERLIN_WINTER = _event("Europe/Berlin", [("paper", "Paper deadline", "deadline",
                                          "2027-02-10 23:59")])
LA_SUMMER = _event("America/Los_Angeles", [("paper", "Paper deadline", "deadline",
                                            "2027-09-10 23:59")])
AOE = _event("AoE", [("paper", "Paper deadline", "deadline", "2027-03-10 23:59")])
MINUS12 = _event("UTC-12:00", [("paper", "Paper deadline", "deadline", "2027-03-10 23:59")])
UTC = _event("UTC", [("paper", "Paper deadline", "deadline", "2027-03-10 23:59")])

# (schedule, question, the zone the schedule gives the date in as the reply must say it, or
# "Neither", and words the reply must hold)
EITHER_OR = [
    (BERLIN_SUMMER, "is the deadline CET or CEST?", "in CEST:", ["23:59 CEST"]),
    (BERLIN_SUMMER, "Is the paper deadline in CET or in CEST?", "in CEST:", ["23:59 CEST"]),
    (BERLIN_SUMMER, "CET or CEST?", "in CEST:", ["23:59 CEST"]),
    (BERLIN_WINTER, "is the deadline CET or CEST?", "in CET:", ["23:59 CET"]),
    (LA_SUMMER, "Is it 23:59 PST or PDT?", "in PDT:", ["23:59 PDT"]),
    (LA_SUMMER, "is the deadline PST or PDT?", "in PDT:", ["23:59 PDT"]),
    (AOE, "is it AoE or UTC?", "in AoE:", ["23:59 AoE"]),
    (MINUS12, "is it AoE or UTC?", "in UTC-12:00, which is AoE", ["23:59 UTC-12:00"]),
    (MINUS12, "is the paper deadline UTC or AoE?", "in UTC-12:00, which is AoE", []),
    (UTC, "is the deadline AoE or UTC?", "in UTC:", ["23:59 UTC"]),
    (BERLIN_SUMMER, "is the deadline PST or EST?", "Neither", ["in CEST:", "23:59 CEST"]),
    (BERLIN_SUMMER, "is the deadline in PST or in CET?", "Neither", ["in CEST:"]),
]


@pytest.mark.parametrize(("event", "question", "which", "has"), EITHER_OR,
                         ids=[f"{q} [{w}]" for _, q, w, _ in EITHER_OR])
def test_either_or_zone_is_answered_with_which(event: Event, question: str, which: str,
                                               has: list[str]) -> None:
    text = _ask(event, question).text
    assert "Yes" not in text and "No:" not in text, text
    body = text.split("\n", 1)[1] if text.startswith("You did not say") else text
    if which == "Neither":
        assert body.startswith("Neither: the schedule gives"), text
    else:
        assert body.startswith(f"The schedule gives the Paper deadline {which}"), text
    for words in has:
        assert words in text, text


EITHER_OR_ZH = [
    (BERLIN_SUMMER, "截止时间是CET还是CEST？", "Paper deadline按中欧夏令时间给出："),
    (BERLIN_WINTER, "截止是CET还是CEST？", "Paper deadline按中欧标准时间给出："),
    (LA_SUMMER, "截止是PST还是PDT？", "Paper deadline按北美太平洋夏令时间给出："),
    (MINUS12, "截止时间是AoE还是UTC？", "Paper deadline按UTC-12:00给出（即AoE）："),
    (BERLIN_SUMMER, "截止时间是PST还是EST？", "都不是，"),
]


@pytest.mark.parametrize(("event", "question", "lead"), EITHER_OR_ZH,
                         ids=[q for _, q, _ in EITHER_OR_ZH])
def test_either_or_zone_in_chinese(event: Event, question: str, lead: str) -> None:
    text = _ask(event, question).text
    assert text.startswith(lead), text
    assert "是的" not in text and not text.startswith("不是"), text


# --- a short word is not another short word --------------------------------------------

CALL = _event("Asia/Shanghai", [("call", "Call for papers", "deadline", "2027-03-10 17:00")])


@pytest.mark.parametrize(("question", "word"), [
    ("is the call on the wiki?", "wifi"),
    ("is there a wiki page for the call?", "wifi"),
    ("will the talks be on the wiki?", "wifi"),
    ("Is the CFP on the wiki?", "wifi"),
])
def test_short_word_is_not_fuzzy_matched_to_another(question: str, word: str) -> None:
    reply = _ask(CALL, question)
    assert word not in reply.text.lower(), reply.text
    assert all(word not in m.meaning for m in reply.reading.matches), reply.text  # type: ignore[union-attr]


@pytest.mark.parametrize(("question", "has"), [
    ("when is the deaddline?", "Call for papers"),     # typos of long words still fixed
    ("is there wifi at the venue?", "wifi"),
    ("is there wfii at the venue?", "wifi"),           # a swap in a short word is a typo
])
def test_typos_still_corrected(question: str, has: str) -> None:
    assert has in _ask(CALL, question).text


# --- a Chinese place --------------------------------------------------------------------

CHENGDU = _event("Asia/Shanghai", [("w", "研讨会", "event", "2027-03-10 09:00")],
                 'venue = "四川大学"\ncity = "成都"\ncountry = "中国"')
CHENGDU_LATIN = _event("Asia/Shanghai", [("w", "Workshop", "event", "2027-03-10 09:00")],
                       'city = "Chengdu"\ncountry = "China"')


@pytest.mark.parametrize("question", ["会议在哪里举办？", "会议地点在哪？", "會議在哪裡舉辦？",
                                      "会议在成都吗？"])
def test_chinese_place_uses_the_chinese_comma(question: str) -> None:
    text = _ask(CHENGDU, question).text
    assert "四川大学，成都，中国" in text, text
    assert ", " not in text, text


def test_latin_place_in_a_chinese_reply_is_as_written() -> None:
    assert "Chengdu, China" in _ask(CHENGDU_LATIN, "会议在哪里举办？").text


# --- each clock once --------------------------------------------------------------------

SAO_PAULO = _event("America/Sao_Paulo", [("paper", "Paper deadline", "deadline",
                                          "2027-03-10 23:59")])
KOLKATA = _event("Asia/Kolkata", [("paper", "Paper deadline", "deadline", "2027-03-10 17:00")])
OFFSET_IN = _event("UTC+05:30", [("paper", "Paper deadline", "deadline", "2027-03-10 17:00")])


@pytest.mark.parametrize(("event", "question", "reader"), [
    (SAO_PAULO, "when is the paper deadline?", None),
    (SAO_PAULO, "when is the paper deadline?", "UTC-03:00"),
    (SAO_PAULO, "when is the paper deadline in Sao Paulo time?", None),
    (KOLKATA, "when is the paper deadline?", "UTC+05:30"),
    (KOLKATA, "when is the paper deadline in UTC+05:30?", None),
    (KOLKATA, "when is the paper deadline in IST?", None),
    (OFFSET_IN, "when is the paper deadline?", "Asia/Kolkata"),
    (OFFSET_IN, "when is the paper deadline in India time?", None),
])
def test_each_clock_is_said_once(event: Event, question: str, reader: str | None) -> None:
    text = _ask(event, question, reader).text
    first = next(line for line in text.split("\n") if "Paper deadline is" in line)
    clock = "23:59" if event is SAO_PAULO else "17:00"
    assert first.count(clock) == 1, text
    assert "; that is" not in first, text
    offset = event.dates[0].zone.offset_at(event.dates[0].starts)
    assert first.count(offset) <= 1, text


def test_different_clocks_are_both_said() -> None:
    text = _ask(KOLKATA, "when is the paper deadline?", "Europe/London").text
    assert "11:30 GMT" in text and "17:00 IST" in text, text


# --- 离开学: a leading 离 before a known word -----------------------------------------

SCHOOL = _event("Asia/Shanghai", [("open", "暑期学校开学", "event", "2027-07-10 09:00"),
                                  ("dep", "离营", "event", "2027-07-20 09:00")])


@pytest.mark.parametrize("question", ["离开学还有几天？", "距离开学还有几天？", "离开学还有多久",
                                      "離開學還有幾天？"])
def test_li_kaixue_is_until_the_opening(question: str) -> None:
    reply = _ask(SCHOOL, question)
    assert reply.dates and reply.dates[0].id == "open", reply.text


@pytest.mark.parametrize("question", ["什么时候离开？", "离开学校的时间？", "离开营地是哪天？"])
def test_likai_still_departs(question: str) -> None:
    reply = _ask(SCHOOL, question)
    assert reply.dates and reply.dates[0].id == "dep", reply.text


# --- a plural over many dates -----------------------------------------------------------

POSTERS = _event("Europe/Berlin", [
    (f"p{n:02d}", f"Poster session {n:02d} in hall B", "event",
     f"2027-03-{1 + n % 28:02d} {9 + n // 28:02d}:00") for n in range(60)])


@pytest.mark.parametrize("question", ["when are the poster sessions?", "poster sessions?",
                                      "When are the sessions in hall B?",
                                      "what time are the poster sessions?"])
def test_a_plural_lists_the_dates_it_names(question: str) -> None:
    reply = _ask(POSTERS, question)
    assert "does not say anything" not in reply.text, reply.text
    assert reply.dates and all(d.title.startswith("Poster session") for d in reply.dates)
    assert "Poster session 00 in hall B" in reply.text, reply.text
    assert "more" in reply.text and len(reply.text) < 2000, reply.text  # bounded, with a count


def test_a_subject_no_title_holds_is_still_declined() -> None:
    reply = _ask(AOE, "when are the sessions?")
    assert "does not say anything about the program" in reply.text, reply.text


# --- a decision the schedule does not give ----------------------------------------------

GRANT = _event("Europe/Berlin", [
    ("paper", "Paper deadline", "deadline", "2027-02-10 23:59"),
    ("tg", "Travel grant application deadline", "deadline", "2027-03-10 23:59")])
GRANT_DECIDED = _event("Europe/Berlin", [
    ("tg", "Travel grant application deadline", "deadline", "2027-03-10 23:59"),
    ("tgn", "Travel grant notification", "notification", "2027-04-01")])


@pytest.mark.parametrize(("question", "missing"), [
    ("when will I hear about the travel grant?", "decisions on travel grants"),
    ("when are travel grant decisions announced?", "decisions on travel grants"),
    ("when do we get notified about travel grants?", "decisions on travel grants"),
    ("when will I hear back about my paper?", "when notifications go out"),
    ("旅费资助什么时候出结果？", "差旅资助结果"),
    ("旅费资助的结果什么时候公布？", "差旅资助结果"),
])
def test_a_missing_decision_is_said_then_what_is_there(question: str, missing: str) -> None:
    reply = _ask(GRANT, question)
    first, _, rest = reply.text.partition("\n")
    assert missing in first and ("does not say" in first or "没有" in first), reply.text
    assert reply.dates, reply.text
    assert reply.dates[0].title in rest, reply.text


@pytest.mark.parametrize("question", ["when will I hear about the travel grant?",
                                      "when is the travel grant deadline?"])
def test_no_missing_note_where_the_date_is_there_or_not_asked(question: str) -> None:
    reply = _ask(GRANT_DECIDED if "hear" in question else GRANT, question)
    assert "does not say" not in reply.text, reply.text
