"""Questions over two schedules the engine was not built on: a conference with AoE abstract
and paper deadlines, an author-response range and a four-day event in Berlin across the switch
to summer time (``eurosys28``); a one-day workshop in Tokyo with every date in JST and no page
limit, anonymity rule, registration or FAQ (``mlt26``).

What they probe beyond ``test_ask_probes``: two dates compared ("is X before Y?", "which comes
first?", "how long between X and Y?"), ordinals read against the schedule's dated order ("the
2nd deadline", "最后一个截止日期"), two zones named at once ("in PST or UTC?"), traditional
Chinese, "my time" for readers in other zones, and an event's length across a DST change.

The expectation language is ``test_ask_probes``'s plus:

    all=ID[,ID]  the reply's dates start with these, in this order (a comparison speaks of two)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

import pytest

from bot.core.ask import Answer, answer
from bot.core.model import Event
from bot.core.schedule import parse_schedule
from bot.core.zones import parse_zone
from tests.test_ask_probes import _wrong

ROOT = Path(__file__).resolve().parent
FILES = {"B": ROOT / "data" / "ask" / "eurosys28.toml", "K": ROOT / "data" / "ask" / "mlt26.toml",
         "S": ROOT.parent / "schedules" / "aisys-sosp17.toml",
         "C": ROOT / "data" / "ask" / "ccfsys26.toml",
         "N": ROOT / "data" / "ask" / "nyws29.toml"}
NOW = {"B": "2027-10-01T00:00:00+00:00", "K": "2026-07-01T00:00:00+00:00",
       "S": "2017-09-01T12:00:00+00:00", "C": "2026-03-01T00:00:00+00:00",
       "N": "2029-01-15T00:00:00+00:00"}

# Instants (UTC): a deadline's close, anything else's start.
B_ABSTRACT = "2027-10-09T11:59:00+00:00"   # 23:59 AoE on Friday 8 October 2027
B_PAPER = "2027-10-16T11:59:00+00:00"      # 23:59 AoE on Friday 15 October 2027
B_RESPONSE = "2027-12-06T12:00:00+00:00"
B_NOTIF = "2028-01-10T12:00:00+00:00"      # all of Monday 10 January 2028, AoE
B_CAMERA = "2028-02-21T11:59:00+00:00"
B_CONF = "2028-03-23T23:00:00+00:00"       # Friday 24 March 2028, 00:00 CET
K_SUB = "2026-07-10T14:59:00+00:00"        # 23:59 JST on Friday 10 July 2026
K_NOTIF = "2026-08-06T15:00:00+00:00"      # all of Friday 7 August 2026, JST
K_CAMERA = "2026-08-28T08:00:00+00:00"
K_WS = "2026-09-14T00:30:00+00:00"
B_AFTER_PAPER = "2027-10-20T00:00:00+00:00"
K_AFTER_SUB = "2026-07-12T00:00:00+00:00"


@dataclass(frozen=True)
class P:
    schedule: str
    question: str
    expect: str
    now: str = ""
    reader: str = "Asia/Shanghai"


PROBES: tuple[P, ...] = (
    # --- two dates compared: both dates, then the order or the difference ------------------------
    P("B", "is the notification before the camera-ready deadline?",
      "yes ; k=compare ; all=notification,camera-ready ; has=Monday 10 January 2028 ; "
      "has=Sunday 20 February 2028, 23:59 AoE ; has=41 days"),
    P("B", "which comes first, the notification or the camera ready?",
      "k=compare ; all=notification,camera-ready ; first=Notification of acceptance comes first"),
    P("B", "how long between submission and notification?",
      "k=compare ; all=paper,notification ; has=87 days ; not=left until"),
    P("B", "how many days between the abstract registration and the full paper deadline?",
      "k=compare ; all=abstract,paper ; has=7 days"),
    P("B", "which is later, the abstract deadline or the paper deadline?",
      "k=compare ; all=paper,abstract ; first=Full paper submission comes later"),
    P("B", "does the author response come after the notification?",
      "no ; k=compare ; all=response,notification"),
    P("B", "is the camera ready due after the notification?", "yes ; k=compare"),
    P("B", "通知在截稿之前吗?", "zh ; no ; k=compare ; all=notification,abstract"),
    P("B", "摘要注册和全文截止相差几天？", "zh ; k=compare ; all=abstract,paper ; has=7天"),
    P("B", "通知在截稿之前嗎？", "zh ; no ; k=compare"),
    P("K", "how many days between the deadline and the notification?",
      "k=compare ; all=submission,notification ; has=28 days"),
    P("K", "how long from notification to camera-ready?",
      "k=compare ; all=notification,camera-ready ; has=21 days"),
    P("K", "is the camera-ready before the workshop?", "yes ; k=compare ; has=17 days"),
    P("K", "通知和终稿哪个先？", "zh ; k=compare ; all=notification,camera-ready ; "
      "first=Author notification在前"),
    P("K", "从截稿到通知有多少天？", "zh ; k=compare ; all=submission,notification ; has=28天"),
    P("K", "通知在终稿之前吗？", "zh ; yes ; k=compare"),
    P("K", "what's after the camera-ready?", "d=workshop ; not=compare"),
    P("B", "how many weeks between the notification and the conference?",
      "k=compare ; has=74 days (10 weeks 4 days)"),
    P("B", "the notification or the rebuttal, which is first?", "k=compare ; "
      "all=response,notification ; first=Author response period comes first"),
    P("B", "is the paper deadline before or after the abstract deadline?", "k=compare ; "
      "first=Abstract registration comes first"),
    P("B", "通知比终稿早吗？", "zh ; yes ; k=compare ; has=41天"),
    P("B", "终稿比会议晚吗？", "zh ; no ; k=compare"),
    P("B", "will we get notified before the camera-ready deadline?", "yes ; k=compare"),
    P("B", "which is earlier: the notification or the camera-ready?", "k=compare ; "
      "first=Notification of acceptance comes first"),
    P("B", "how long after the notification is the camera-ready due?", "k=compare ; "
      "all=notification,camera-ready ; has=41 days"),
    P("B", "通知早于终稿吗？", "zh ; yes ; k=compare"),
    P("B", "通知和终稿之间有多久？", "zh ; k=compare ; has=41天"),
    P("B", "通知在终稿之前还是之后？", "zh ; k=compare ; first=Notification of acceptance在前"),
    P("B", "is the notification before the camera-ready, in AoE and UTC?", "yes ; k=compare ; "
      "has=23:59 AoE ; has=in UTC: Monday 21 February 2028, 11:59 UTC"),
    P("C", "is the tutorial before the workshop?", "k=not_held ; has=CANCELLED ; "
      "has=nothing to compare"),
    P("C", "how many days between round 1 and round 2?", "k=compare ; all=round1,round2 ; "
      "has=56 days"),
    P("C", "第二个截止日期是什么时候？", "zh ; d=round2"),
    P("B", "is teh notificaiton befor the camrea ready?", "yes ; k=compare"),
    P("B", "notification vs camera ready, which first?", "k=compare ; "
      "first=Notification of acceptance comes first"),
    P("B", "how long betwen the abstract and the paper deadline?", "k=compare ; has=7 days"),
    P("B", "notification 在 camera-ready 之前吗？", "zh ; yes ; k=compare"),
    P("B", "btw, when are the abstract and paper deadlines?", "d=abstract,paper ; not=compare"),
    P("B", "is the banquet before the conference?", "k=not_held,event ; has=banquet ; "
      "not=comes before"),
    P("K", "which is first: the rebuttal or the notification?", "k=not_held,notification ; "
      "has=rebuttal ; not=comes first"),
    # --- ordinals: the schedule's dated order, of the kind named ---------------------------------
    P("B", "when is the 2nd deadline?", "d=paper ; at=" + B_PAPER + " ; has=second ; "
      "not=deadline for Abstract"),
    P("B", "first deadline?", "d=abstract ; at=" + B_ABSTRACT),
    P("B", "what's the last date?", "d=conference ; at=" + B_CONF),
    P("B", "what is the last deadline?", "d=camera-ready ; at=" + B_CAMERA),
    P("B", "when is the third deadline?", "d=camera-ready"),
    P("B", "when is the fifth deadline?", "decline ; has=3 deadlines"),
    P("B", "第二个截止日期是什么时候", "zh ; d=paper ; at=" + B_PAPER),
    P("B", "最后一个截止日期是哪天？", "zh ; d=camera-ready"),
    P("B", "what's the second date in the schedule?", "d=paper"),
    P("B", "when is the first deadline?", "d=abstract ; has=has passed", B_AFTER_PAPER),
    P("K", "what's the 2nd deadline?", "d=camera-ready ; at=" + K_CAMERA),
    P("K", "when is the third deadline?", "decline ; has=2 deadlines"),
    P("K", "last date?", "d=workshop"),
    P("K", "第一个日期是什么？", "zh ; d=submission"),
    P("B", "the 2nd deadline?", "d=paper"),
    P("B", "when is the 10th deadline?", "decline ; has=3 deadlines"),
    P("S", "is the September 10th deadline still open?", "yes ; d=abstract"),
    P("B", "when are the first and second deadlines?", "d=abstract,paper"),
    P("B", "the 2nd and 3rd deadlines?", "d=paper,camera-ready"),
    P("B", "when are the first and the last date?", "d=abstract,conference"),
    P("K", "when is the deadline, and the 2nd deadline?", "d=submission,camera-ready"),
    P("B", "which deadline comes first?", "d=abstract ; has=has passed", B_AFTER_PAPER),
    P("B", "倒数第二个截止日期?", "zh ; d=paper ; has=倒数第2个"),
    P("B", "the penultimate deadline?", "d=paper ; has=second to last"),
    P("B", "last date to submit?", "d=paper ; not=one date"),
    P("B", "when is the second notification?", "decline ; has=1 notification"),
    P("K", "when is the second round deadline?", "decline"),
    # --- two zones named: both given -------------------------------------------------------------
    P("K", "when is the deadline in PST or UTC?", "d=submission ; has=07:59 PDT ; "
      "has=14:59 UTC"),
    P("B", "when is the abstract deadline in AoE and Beijing time?", "d=abstract ; "
      "has=23:59 AoE ; has=19:59 CST"),
    P("B", "paper deadline in Berlin and Tokyo time?", "d=paper ; has=13:59 CEST ; "
      "has=In Tokyo time: Saturday 16 October 2027, 20:59 JST"),
    P("K", "deadline in UTC and in my time?", "d=submission ; has=14:59 UTC ; has=10:59 EDT",
      reader="America/New_York"),
    P("K", "截稿是北京时间和伦敦时间几点？", "zh ; d=submission ; has=22:59 ; has=15:59"),
    P("B", "截稿是柏林和东京时间几点？", "zh ; d=abstract ; has=13:59（中欧夏令时间 ; "
      "has=按东京时间：2027年10月9日星期六 20:59"),
    P("S", "is the workshop in Shanghai, and what time does it start?", "yes ; has=Shanghai"),
    P("B", "give me the deadline in EST and CET", "d=abstract ; has=07:59 EDT ; "
      "has=in CET: Saturday 16 October 2027, 13:59 CEST"),
    P("B", "deadline in both AoE and my local time", "d=abstract ; has=23:59 AoE ; "
      "has=19:59 CST"),
    P("K", "deadline in Tokyo or London?", "d=submission ; has=23:59 JST ; has=15:59 BST ; "
      "not=held at"),
    P("K", "when is the deadline in IST and UTC?", "d=submission ; has=14:59 UTC ; "
      "has=20:29 IST"),
    P("B", "how long between now and the deadline?", "d=abstract ; once=8 days 11 hours ; "
      "not=compare"),
    P("K", "从现在到截稿还有多久？", "zh ; d=submission ; once=9天14小时"),
    P("B", "what's the difference between the abstract and paper deadlines?",
      "k=compare ; has=7 days"),
    P("B", "when does the conference start in UTC and IST?", "d=conference ; has=23:00 UTC ; "
      "has=04:30 IST"),
    # --- several topics at once ------------------------------------------------------------------
    P("B", "when are the paper deadline and the notification?", "d=paper,notification ; "
      "at=" + B_PAPER),
    P("B", "when is the abstract deadline, the rebuttal and the camera ready?",
      "d=abstract,response,camera-ready"),
    P("K", "截稿和通知分别是什么时候？", "zh ; d=submission,notification"),
    P("K", "when is the deadline and where is the workshop?", "k=deadline,event ; "
      "has=Hongo Campus"),
    P("B", "what's the page limit and is it double blind?", "k=page_limit,anonymize ; "
      "has=12 pages ; has=double-blind"),
    P("K", "when is the notification and how many pages?", "k=notification,page_limit ; "
      "has=does not say how many pages"),
    # --- relative: time left, passed, today ------------------------------------------------------
    P("B", "how many days left until the paper deadline?", "d=paper ; once=15 days 11 hours"),
    P("B", "is the paper deadline already past?", "no ; d=paper"),
    P("B", "is the paper deadline already past?", "yes ; d=paper ; has=passed 3 days 12 hours "
      "ago", B_AFTER_PAPER),
    P("B", "is abstract registration still open?", "no ; d=abstract",
      "2027-10-09T12:30:00+00:00"),
    P("B", "did I miss the abstract deadline?", "yes ; d=abstract", "2027-10-10T00:00:00+00:00"),
    P("B", "is the conference this week?", "yes ; d=conference", "2028-03-21T00:00:00+00:00"),
    P("B", "how long until the conference?", "d=conference ; has=under way now",
      "2028-03-25T10:00:00+00:00"),
    P("K", "how long until the workshop?", "d=workshop ; once=75 days"),
    P("K", "is the deadline today?", "yes ; d=submission", "2026-07-10T03:00:00+00:00"),
    P("K", "is the deadline tomorrow?", "yes ; d=submission", "2026-07-09T03:00:00+00:00"),
    P("K", "还有几天截稿？", "zh ; d=submission ; once=9天14小时"),
    P("K", "截稿了吗？", "zh ; yes ; d=submission", K_AFTER_SUB),
    P("K", "is the workshop happening now?", "yes ; d=workshop", "2026-09-14T03:00:00+00:00"),
    P("K", "距离研讨会开始还有多少天？", "zh ; d=workshop ; once=75天"),
    P("K", "is the workshop in the morning?", "yes ; d=workshop"),
    P("K", "is the deadline in the afternoon?", "no ; d=submission"),
    P("K", "研讨会是下午三点开始吗？", "zh ; no ; d=workshop"),
    P("K", "研讨会是9点半开始吗？", "zh ; yes ; d=workshop"),
    P("B", "can I update my paper after the deadline?", "not=compare ; not=comes after"),
    # --- zones named: cities, abbreviations, offsets, "my time" ----------------------------------
    P("K", "deadline in Berlin time?", "d=submission ; has=16:59 CEST"),
    P("K", "when is the deadline in IST?", "d=submission ; zone=Asia/Kolkata ; has=20:29 IST"),
    P("K", "deadline in UTC+8", "d=submission ; has=22:59 UTC+08:00"),
    P("K", "deadline in GMT-5?", "d=submission ; has=09:59"),
    P("K", "when's the deadline for me in New York?", "d=submission ; zone=America/New_York ; "
      "has=10:59 EDT"),
    P("K", "what time is the deadline in my time?", "d=submission ; has=15:59 BST",
      reader="Europe/London"),
    P("B", "when is the abstract deadline in Pacific time?", "d=abstract ; has=04:59 PDT"),
    P("B", "abstract deadline in CET?", "d=abstract ; has=13:59 CEST"),
    P("B", "摘要截止是东京时间几点？", "zh ; d=abstract ; has=2027年10月9日星期六 20:59"),
    P("B", "when is the camera ready in Berlin time?", "d=camera-ready ; has=12:59 CET"),
    P("B", "what time zone is the deadline in?", "d=abstract ; has=gives it in AoE"),
    P("B", "when does the conference start in Beijing time?", "d=conference ; "
      "has=07:00 CST"),
    # --- an event across the switch to summer time -----------------------------------------------
    P("B", "how many days is the conference?", "d=conference ; has=lasts 4 days ; "
      "not=lasts 3 days"),
    P("B", "会议有几天？", "zh ; d=conference ; has=持续4天"),
    P("B", "when is the conference in Beijing time?", "d=conference ; has=07:00 CST ; "
      "has=06:00 CST"),
    P("B", "when is the conference?", "d=conference ; has=Friday 24 March 2028 to "
      "Monday 27 March 2028"),
    # --- a workshop given day by day (nyws29) ---------------------------------------------------
    P("N", "how many days is the workshop?", "d=day1 ; all=day1,day2 ; has=It spans 2 days"),
    P("N", "会议有几天？", "zh ; d=day1 ; has=共2天"),
    P("N", "what's the last event?", "d=day2"),
    P("N", "when is the 2nd deadline?", "d=sub ; has=Paper registration, Paper submission"),
    P("N", "which is first, paper registration or paper submission?", "k=compare ; "
      "first=Paper registration comes first ; has=7 days"),
    P("N", "is the camera ready due before early registration closes?", "yes ; k=compare ; "
      "has=5 days"),
    P("N", "is the notification before the rebuttal?", "no ; k=compare ; has=15 days"),
    P("N", "when is the workshop in London and Tokyo time?", "d=day1 ; has=14:00 BST ; "
      "has=In Tokyo time: Thursday 10 May 2029, 22:00 JST"),
    P("N", "when is the submission deadline in my time?", "d=sub ; has=17:00 EST",
      reader="America/New_York"),
    P("N", "how long is the rebuttal?", "d=reb ; has=lasts 3 days"),
    # --- what the schedule does not hold: declined, never another date ---------------------------
    P("B", "when is the banquet?", "decline ; has=banquet"),
    P("B", "what's the registration fee?", "decline"),
    P("B", "when is the poster session?", "decline"),
    P("B", "when is the artifact evaluation deadline?", "decline ; has=artifacts"),
    P("B", "when is the industry track deadline?", "decline ; has=industry"),
    P("B", "when is the keynote?", "decline"),
    P("B", "when is the shadow PC deadline?", "decline ; has=shadow"),
    P("B", "when is the doctoral symposium?", "decline ; has=doctoral"),
    P("K", "when is the deadline for short papers?", "decline ; has=short"),
    P("K", "when is the abstract deadline?", "decline ; has=abstract"),
    P("K", "海报什么时候交？", "zh ; decline ; has=海报"),
    P("K", "what's the page limit?", "k=page_limit ; has=does not say how many pages"),
    P("K", "is the review double blind?", "k=anonymize ; has=does not say whether"),
    P("K", "when is the registration deadline?", "decline ; has=registration"),
    P("K", "when is the rebuttal?", "decline"),
    P("K", "会议有晚宴吗？", "zh ; decline ; has=晚宴"),
    P("K", "注册费多少钱？", "zh ; decline"),
    P("K", "when is the hackathon?", "decline ; has=hackathon"),
    P("K", "is the workshop in Osaka?", "no ; has=Tokyo"),
    P("K", "is the workshop in Osaka or Tokyo?", "yes ; has=Tokyo"),
    # --- yes / no --------------------------------------------------------------------------------
    P("K", "is the deadline in JST?", "yes ; d=submission"),
    P("K", "is the deadline AoE?", "no ; d=submission"),
    P("B", "is the deadline AoE?", "yes ; d=abstract"),
    # "X or Y?" asks which zone: the one the schedule states, and the time in each named.
    # "is X after Y and before Z?": both comparisons answered, each with its verdict.
    P("B", "is the rebuttal after the paper deadline and before the notification?",
      "all=response,paper,notification ; once=comes after Full paper ; "
      "has=comes before Notification"),
    P("B", "作者回复期是在全文截止之后、录用通知之前吗？",
      "zh ; all=response,paper,notification ; has=Author response period在Notification of "
      "acceptance之前"),
    P("B", "录用通知在作者回复期之后，终稿截止之前吗？",
      "zh ; all=notification,response,camera-ready ; has=在Camera-ready deadline之前"),
    P("B", "is the notification after the rebuttal but after the conference?",
      "first=Yes ; has=No: Notification of acceptance comes before EuroSys 2028"),
    P("B", "is the deadline AoE or UTC?",
      "d=abstract ; first=The schedule gives ; has=in AoE: ; has=11:59 UTC"),
    P("B", "is the deadline UTC or AoE?",
      "d=abstract ; first=The schedule gives ; has=in AoE: ; has=11:59 UTC"),
    P("S", "is the deadline UTC or Pacific time?",
      "first=The schedule gives ; has=in PDT: ; has=06:59 UTC"),
    P("S", "is the deadline AoE or UTC?", "first=Neither: ; has=18:59 AoE ; has=06:59 UTC"),
    P("S", "is it Pacific time?", "first=Yes ; has=23:59 PDT"),
    P("B", "截止时间是AoE还是UTC？", "zh ; d=abstract ; first=Abstract registration按AoE给出 ; "
      "has=按UTC：2027年10月9日星期六 11:59"),
    P("S", "截止日期是北京时间还是太平洋时间？",
      "zh ; first=Poster abstract submission deadline（已延期）按北美太平洋夏令时间给出 ; "
      "has=即2017年9月11日星期一 14:59（中国标准时间"),
    P("S", "截止时间是AoE还是UTC？", "zh ; first=都不是， ; has=06:59（UTC）"),
    P("K", "is the workshop on a monday?", "yes ; d=workshop"),
    P("B", "is the notification on January 10?", "yes ; d=notification"),
    P("K", "is the deadline at 11:59pm?", "yes ; d=submission"),
    P("B", "is the conference in Berlin?", "yes ; has=Berlin"),
    # --- typos, traditional Chinese --------------------------------------------------------------
    P("K", "whens teh notifcation", "d=notification ; at=" + K_NOTIF),
    P("B", "wen is the abstarct registation", "d=abstract"),
    P("B", "camra redy deadlin?", "d=camera-ready"),
    P("K", "worksop location?", "k=event ; has=Hongo"),
    P("B", "摘要截止是北京時間幾點？",
      "zh ; zone=Asia/Shanghai ; d=abstract ; has=19:59（中國標準時間"),
    P("K", "截稿日期是甚麼時候？", "zh ; d=submission ; at=" + K_SUB),
    P("K", "錄用通知什麼時候出？", "zh ; d=notification"),
    P("B", "會議在哪裡？", "zh ; k=event ; has=Berlin ; has=地點："),
    P("K", "還有幾天截稿？", "zh ; d=submission ; once=9天14小時"),  # answered in traditional
    # --- Chinese by title words ------------------------------------------------------------------
    P("B", "全文截止是什么时候？", "zh ; d=paper"),
    P("B", "摘要注册截止时间？", "zh ; d=abstract"),
    P("B", "作者回复期是什么时候？", "zh ; d=response ; at=" + B_RESPONSE),
    P("K", "研讨会在哪里？", "zh ; k=event ; has=Tokyo"),
    P("K", "终稿几号截止？", "zh ; d=camera-ready ; at=" + K_CAMERA),
    P("K", "研讨会几点开始？", "zh ; d=workshop ; at=" + K_WS + " ; has=09:30"),
)


@cache
def schedule(name: str) -> Event:
    return parse_schedule(FILES[name].read_text(encoding="utf-8"), str(FILES[name]))


def ask(p: P) -> Answer:
    now = datetime.fromisoformat(p.now or NOW[p.schedule])
    return answer(p.question, schedule(p.schedule), now=now, reader=parse_zone(p.reader))


def _check(p: P, reply: Answer) -> list[str]:
    wrong: list[str] = []
    rest: list[str] = []
    for check in (c.strip() for c in p.expect.split(";")):
        name, _, value = check.partition("=")
        if name == "all":
            want = value.split(",")
            got = [d.id for d in reply.dates][:len(want)]
            if got != want:
                wrong.append(f"dates {got} != {want}")
        else:
            rest.append(check)
    return wrong + _wrong(P(p.schedule, p.question, " ; ".join(rest), p.now), reply)


def test_enough_fresh_probes_in_both_languages() -> None:
    assert len(PROBES) >= 80
    assert {p.schedule for p in PROBES} == set(FILES)
    assert sum(p.schedule in ("B", "K") for p in PROBES) >= 80  # the two new schedules
    assert sum("zh" in p.expect.split(" ; ") for p in PROBES) >= 20
    assert sum("decline" in p.expect for p in PROBES) >= 10


@pytest.mark.parametrize("probe", PROBES, ids=lambda p: f"{p.schedule}:{p.question[:40]}")
def test_fresh_probe_gets_the_fact_a_fair_reader_expects(probe: P) -> None:
    reply = ask(probe)
    wrong = _check(probe, reply)
    assert not wrong, f"{'; '.join(wrong)}\n{reply.text}"


@pytest.mark.parametrize("probe", [p for p in PROBES if "decline" in p.expect],
                         ids=lambda p: f"{p.schedule}:{p.question[:40]}")
def test_a_declined_fresh_probe_names_no_date(probe: P) -> None:
    assert ask(probe).dates == ()


def test_a_title_word_that_is_also_a_relative_word_names_the_title() -> None:
    # Found by the property test of test_ask_engine: "Following" read as "after" answered the
    # date after the one asked.
    event = parse_schedule('[event]\nid = "gen"\nname = "Generated"\nzone = "UTC"\n'
                           '[[dates]]\nid = "d0"\ntitle = "Following session"\nkind = "deadline"\n'
                           'at = "2031-01-10 12:00"\n[[dates]]\nid = "d1"\ntitle = "Aaaa bbbb"\n'
                           'kind = "deadline"\nat = "2031-02-11 12:00"\n')
    now = datetime.fromisoformat("2030-01-01T00:00:00+00:00")
    assert [d.id for d in answer("when is the following session?", event, now=now).dates] == [
        "d0"]
    assert "Following session" in answer("what comes before the aaaa bbbb?", event,
                                         now=now).text


def test_a_follow_up_to_a_comparison_compares_again_in_the_zone_named() -> None:
    event, now = schedule("B"), datetime.fromisoformat(NOW["B"])
    first = answer("is the notification before the camera-ready deadline?", event, now=now)
    again = answer("and in PST?", event, now=now, context=first.context)
    assert again.parts[0].kind == "compare" and again.parts[0].verdict is True
    assert [d.id for d in again.dates] == ["notification", "camera-ready"]
    assert "03:59 PST" in again.text


def test_comparing_with_a_date_the_schedule_lacks_says_so_and_gives_the_other() -> None:
    half = parse_schedule((ROOT / "data" / "ask" / "halfday27.toml").read_text(encoding="utf-8"))
    reply = answer("is the notification before the camera ready?", half,
                   now=datetime.fromisoformat("2027-03-20T10:00:00+00:00"))
    assert [p.kind for p in reply.parts] == ["not_held", "camera_ready"]
    assert "does not say when notifications" in reply.text and "15 May 2027" in reply.text
    assert all(p.verdict is None for p in reply.parts)  # no yes/no for a date not held
