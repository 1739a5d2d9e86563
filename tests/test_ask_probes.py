"""Questions a demanding participant asks, on the shipped schedule and on differently shaped
ones (several tracks with AoE deadlines and an extension, a four-day event in India; a
half-day workshop in Berlin with no notification date), read by a reader in Shanghai so that
every reply must show the reader's zone and the date's own zone side by side.

Each probe asserts what makes the reply right or wrong: the date (and its instant), the zones
shown, the weekday, the countdown (said once), the language, or the honest decline. The
expectation language is the corpus's (``tests/ask_corpus.py``) plus:

    at=ISO      the first dated part's first date is this instant (UTC; a deadline's close,
                anything else's start)
    once=TEXT   the reply holds TEXT exactly once (a countdown is not said twice)
    first=TEXT  the reply starts with TEXT
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

import pytest

from bot.core.ask import Answer, answer
from bot.core.model import Event, ImportantDate
from bot.core.schedule import parse_schedule
from bot.core.zones import parse_zone
from tests.ask_corpus import Q
from tests.test_ask_corpus import problems

ROOT = Path(__file__).resolve().parent.parent
FILES = {"S": ROOT / "schedules" / "aisys-sosp17.toml",
         "T": ROOT / "tests" / "data" / "ask" / "tracks31.toml",
         "H": ROOT / "tests" / "data" / "ask" / "halfday27.toml",
         "M": ROOT / "tests" / "data" / "ask" / "mlsys30.toml"}
NOW = {"S": "2017-09-01T12:00:00+00:00", "T": "2030-09-01T00:00:00+00:00",
       "H": "2027-03-20T10:00:00+00:00", "M": "2029-10-01T00:00:00+00:00"}
READER = "Asia/Shanghai"

# Instants of the dates the probes name (UTC).
S_DEADLINE = "2017-09-11T06:59:00+00:00"    # 23:59 PDT on Sunday 10 September 2017
T_RESEARCH = "2030-09-20T11:59:00+00:00"    # 23:59 AoE on Thursday 19 September 2030
T_INDUSTRY = "2030-10-02T11:59:00+00:00"
H_DEADLINE = "2027-03-31T10:00:00+00:00"    # 12:00 CEST on Wednesday 31 March 2027
PASSED_S = "2017-09-12T00:00:00+00:00"


@dataclass(frozen=True)
class P:
    schedule: str
    question: str
    expect: str
    now: str = ""


PROBES: tuple[P, ...] = (
    # --- late submissions: what the schedule says, then the deadline and its countdown -------
    P("S", "can I submit late?", "k=late ; d=abstract ; at=" + S_DEADLINE + " ; "
      "has=does not say whether late submissions are accepted ; has=9 days 18 hours from now ; "
      "has=CST ; has=PDT ; not=No:"),
    P("S", "可以晚交吗", "zh ; k=late ; d=abstract ; has=日程里没有写是否接受迟交 ; "
      "has=2017年9月10日星期日 23:59 ; has=还有9天18小时"),
    P("S", "可以晚交吗？", "zh ; k=late ; d=abstract ; has=还有9天18小时"),
    P("S", "are late submissions accepted?", "k=late ; d=abstract ; not=Acceptance"),
    P("S", "is there a grace period after the deadline?", "k=late ; d=abstract"),
    P("S", "截止后还能补交吗？", "zh ; k=late ; d=abstract"),
    P("S", "can I submit late?", "k=late ; d=abstract ; has=has passed ; has=Next:", PASSED_S),
    P("S", "am I too late?", "yes ; d=abstract ; has=has passed", PASSED_S),
    P("T", "can I submit late?", "k=late ; first=No: the deadlines are firm ; "
      "d=research-abstract ; has=5 days 11 hours from now"),
    P("T", "可以晚交吗", "zh ; k=late ; first=不可以 ; d=research-abstract"),
    P("T", "接受迟交吗？", "zh ; k=late ; first=不可以"),
    P("T", "can I send the camera ready late?", "k=late ; d=camera-ready"),
    P("H", "can I submit late?", "k=late ; d=submission ; at=" + H_DEADLINE + " ; "
      "has=does not say ; has=edgeml27@example.de ; has=12:00 CEST ; has=18:00 CST"),
    P("H", "可以晚交吗？", "zh ; k=late ; d=submission ; has=还有11天"),
    P("M", "can I submit late?", "k=late ; d=abstract ; has=does not say"),
    # --- how long: the countdown once; the length of an event -------------------------------
    P("S", "还有多久截止？", "zh ; d=abstract ; once=9天18小时"),
    P("S", "how many hours until the deadline?", "d=abstract ; once=10 hours 59 minutes",
      "2017-09-10T20:00:00+00:00"),
    P("T", "how long until the camera ready?", "d=camera-ready ; once=106 days 11 hours"),
    P("T", "离终稿截止还有多久？", "zh ; d=camera-ready ; once=106天11小时"),
    P("T", "how many days do I have until the deadline?", "d=research-abstract ; "
      "once=19 days 11 hours"),
    P("S", "会议有几天？", "zh ; d=workshop ; has=持续1天 ; has=2017年10月28日星期六"),
    P("S", "会议持续几天", "zh ; d=workshop ; has=持续1天"),
    P("S", "会议多长时间", "zh ; d=workshop ; has=持续1天 ; not=页"),
    P("S", "how long is the workshop?", "d=workshop ; has=lasts 1 day ; "
      "has=Saturday 28 October 2017 ; not=page"),
    P("S", "how many days is the workshop?", "d=workshop ; has=lasts 1 day"),
    P("T", "how long is the conference?", "d=conference ; has=lasts 4 days ; "
      "has=Monday 10 March 2031 to Thursday 13 March 2031"),
    P("T", "会议有几天？", "zh ; d=conference ; has=持续4天"),
    P("T", "会议开多久", "zh ; d=conference ; has=持续4天"),
    P("T", "how long does the conference last?", "d=conference ; has=lasts 4 days"),
    P("H", "how long is the workshop?", "d=workshop ; has=lasts 4 hours ; "
      "has=15:00 CST to 19:00 CST ; has=09:00 CEST to 13:00 CEST"),
    P("H", "会议有几天？", "zh ; d=workshop ; has=持续4小时 ; has=15:00至19:00 ; "
      "has=09:00至13:00"),
    P("S", "how many days until the workshop?", "d=workshop ; has=left until ; not=lasts"),
    P("S", "还有几天截止？", "zh ; d=abstract ; has=还有9天18小时 ; not=持续"),
    # --- under way, now -----------------------------------------------------------------------
    P("S", "how long until the workshop?", "d=workshop ; has=under way now ; "
      "has=ending in 13 hours ; not=has passed", "2017-10-28T03:00:00+00:00"),
    P("T", "how long until the conference?", "d=conference ; has=under way now ; "
      "not=has passed", "2031-03-11T06:00:00+00:00"),
    P("T", "is the conference happening now?", "yes ; d=conference ; has=ending in",
      "2031-03-11T06:00:00+00:00"),
    P("T", "is the conference happening now?", "no ; d=conference"),
    P("T", "会议正在进行吗？", "zh ; yes ; d=conference", "2031-03-11T06:00:00+00:00"),
    P("S", "can I submit now?", "yes ; d=abstract"),
    P("S", "截止了吗？", "zh ; yes ; d=abstract ; has=已经过了", PASSED_S),
    P("S", "截止了吗？", "zh ; no ; d=abstract ; has=还没截止"),
    # --- several topics at once ----------------------------------------------------------------
    P("S", "when are the abstract deadline and the notification?",
      "d=abstract,notification ; has=Sunday 10 September 2017, 23:59 PDT ; "
      "has=Wednesday 20 September 2017"),
    P("S", "通知和终稿分别是什么时候", "zh ; d=notification,camera-ready"),
    P("T", "when are the research and industry deadlines?",
      "d=research-abstract,industry ; not=notification"),
    P("T", "when are the industry and demo deadlines?", "d=industry,demo"),
    P("T", "when is the deadline in Beijing time and how many pages?",
      "k=deadline,page_limit ; zone=Asia/Shanghai ; has=12 pages"),
    P("S", "deadline in Kolkata time and page limit?", "k=deadline,page_limit ; "
      "zone=Asia/Kolkata ; has=12:29 IST"),
    # --- zones named ----------------------------------------------------------------------------
    P("S", "when is the deadline in IST?", "d=abstract ; zone=Asia/Kolkata ; has=12:29 IST ; "
      "has=23:59 PDT ; has=Israel Standard Time"),
    P("S", "北京时间截止是几点", "zh ; d=abstract ; zone=Asia/Shanghai ; "
      "has=2017年9月11日星期一 14:59（中国标准时间"),
    P("S", "deadline in 北京时间", "zh ; d=abstract ; has=14:59"),
    P("T", "when is the industry track deadline in IST?", "d=industry ; at=" + T_INDUSTRY
      + " ; has=17:29 IST ; has=23:59 AoE"),
    P("T", "when is the demo deadline in Beijing time?", "d=demo ; has=19:59 CST ; "
      "has=Sunday 20 October 2030, 23:59 AoE"),
    P("T", "演示截止是北京时间几点？", "zh ; d=demo ; has=2030年10月21日星期一 19:59"),
    P("T", "deadline in PST?", "d=research-abstract ; has=04:59 PDT ; has=23:59 AoE"),
    P("T", "when is the camera-ready due in UTC?", "d=camera-ready ; has=11:59 UTC"),
    P("H", "研讨会是北京时间几点？", "zh ; d=workshop ; zone=Asia/Shanghai ; not=不是 ; "
      "has=15:00至19:00（中国标准时间"),
    P("S", "会议几号？北京时间", "zh ; d=workshop ; not=不是"),
    P("S", "when is the workshop in Pacific time?", "d=workshop ; "
      "has=in America/Los_Angeles: from Friday 27 October 2017, 09:00 PDT"),
    P("T", "what day is the conference in New York time?", "d=conference ; "
      "has=in America/New_York: from Sunday 9 March 2031, 14:30 EDT"),
    P("H", "when is the deadline in CET?", "d=submission ; has=12:00 CEST"),
    P("S", "is the deadline AoE?", "no ; d=abstract ; has=18:59 AoE ; has=America/Los_Angeles"),
    P("T", "is the deadline AoE?", "yes ; d=research-abstract"),
    P("T", "截止时间是AoE吗？", "zh ; yes"),
    P("H", "is the deadline AoE?", "no ; d=submission ; has=Europe/Berlin"),
    P("S", "what time zone is the deadline in?", "d=abstract ; "
      "has=The schedule gives it in PDT (America/Los_Angeles, UTC-07:00)"),
    P("S", "截止时间是哪个时区？", "zh ; d=abstract ; has=日程按北美太平洋夏令时间"),
    P("T", "which timezone is the deadline in?", "has=gives it in AoE"),
    # --- passed, extended, before and after -----------------------------------------------------
    P("S", "has the deadline passed?", "no ; d=abstract ; has=still open"),
    P("S", "has the deadline passed?", "yes ; d=abstract ; has=has passed ; "
      "has=passed 17 hours 1 minute ago", PASSED_S),
    P("T", "has the workshop proposal deadline passed?", "yes ; d=proposals"),
    P("T", "are workshop proposals still open?", "no ; d=proposals"),
    P("T", "has the research deadline been extended?", "yes ; d=research-paper ; "
      "at=" + T_RESEARCH + " ; has=Friday 13 September 2030, 19:59 CST ; "
      "has=shows no extension for: Research track abstract registration ; "
      "once=extended"),
    P("T", "what was the original research paper deadline?", "d=research-paper ; "
      "has=Friday 13 September 2030"),
    P("T", "研究截止延期了吗？", "zh ; yes ; has=原来是2030年9月13日"),
    P("H", "has the deadline been extended?", "no ; d=submission ; first=No: the schedule"),
    P("S", "原来的截止日期是哪天？", "zh ; d=abstract ; has=没有给出原来的日期 ; not=是的"),
    P("S", "what was the original deadline before the extension?", "d=abstract ; "
      "has=does not give the earlier date"),
    P("S", "what's after the notification?", "d=camera-ready ; "
      "has=After the Acceptance notifications comes"),
    P("S", "what comes after the deadline?", "d=notification ; not=late"),
    P("S", "通知之后是什么？", "zh ; d=camera-ready"),
    P("S", "what comes before the workshop?", "d=camera-ready ; not=Invited talks"),
    P("S", "what happens after the workshop?", "has=Nothing in the schedule comes after"),
    P("T", "what's after the notification?", "d=camera-ready"),
    P("H", "what's after the deadline?", "d=camera-ready"),
    # --- where, what time -------------------------------------------------------------------------
    P("S", "where is the workshop?", "k=event ; has=Shanghai, China"),
    P("T", "会议在哪里？", "zh ; k=event ; once=地点"),
    P("T", "where is the workshop?", "k=event ; has=Bengaluru ; once=Where:"),
    P("H", "where is it?", "k=event ; has=Berlin, Germany"),
    P("T", "is the conference in India?", "yes ; has=India"),
    P("S", "what time does the workshop start?", "d=workshop ; "
      "has=gives the day only, not the hours"),
    P("S", "会议几点开始？", "zh ; d=workshop ; has=没有写具体时间"),
    P("H", "what time does the workshop start?", "d=workshop ; has=09:00 CEST ; "
      "not=day only"),
    P("S", "what day of the week is the deadline?", "d=abstract ; has=Sunday ; has=Monday"),
    P("S", "is the deadline 11:59pm?", "yes ; d=abstract ; has=23:59 PDT"),
    P("S", "is the deadline at 11:59 PM PT?", "yes ; d=abstract"),
    P("H", "is the deadline at noon?", "yes ; d=submission ; has=12:00 CEST"),
    P("H", "is the deadline at 5pm?", "no ; d=submission"),
    P("H", "is the deadline at 6pm Beijing time?", "yes ; zone=Asia/Shanghai"),
    P("S", "截止是北京时间下午两点五十九吗？", "zh ; yes ; d=abstract"),
    P("S", "截止是下午三点吗？", "zh ; no ; d=abstract"),
    P("S", "when is the workshop and how many days is it?", "d=workshop ; has=lasts 1 day"),
    P("T", "when is the conference and how long is it?", "d=conference ; has=lasts 4 days ; "
      "not=page limit"),
    P("M", "how long is the discussion phase and when does it start?",
      "d=discussion,discussion ; has=lasts 13 days ; not=conference"),
    P("M", "讨论阶段几天？", "zh ; d=discussion ; has=持续13天"),
    P("S", "are we past the notification?", "yes ; d=notification",
      "2017-09-25T00:00:00+00:00"),
    P("H", "how long do I have left?", "d=submission ; once=30 minutes",
      "2027-03-31T09:30:00+00:00"),
    P("H", "还剩多少时间？", "zh ; d=submission ; once=30分钟", "2027-03-31T09:30:00+00:00"),
    P("S", "is the deadline on September 10?", "yes ; d=abstract ; has=Sunday 10 September"),
    P("S", "is the deadline on the 12th of September?", "no ; d=abstract"),
    P("S", "is the deadline on Sept 10 at 11:59pm?", "yes ; d=abstract"),
    P("S", "is the deadline on Sept 10 at 2:59pm?", "no ; d=abstract"),  # 2:59pm is the 11th
    P("S", "截止日期是9月10日吗？", "zh ; yes ; d=abstract"),
    P("S", "is the workshop on 27 October?", "no ; d=workshop"),
    P("T", "is the conference on March 12?", "yes ; d=conference"),
    P("S", "can the deadline be extended?", "d=abstract ; "
      "first=The schedule does not say whether it will be extended again ; not=Yes"),
    P("S", "还会延期吗？", "zh ; d=abstract ; first=日程里没有写是否会再次延期 ; not=是的"),
    P("T", "will the industry deadline be extended?", "d=industry ; "
      "first=The schedule does not say whether it will be extended"),
    P("S", "会议要穿正装吗？", "zh ; decline ; has=正装"),
    P("S", "is the workshop free?", "decline ; has=free"),
    P("S", "截止日期能晚一点吗？", "zh ; k=late ; d=abstract ; not=不是"),
    P("S", "截止之后是什么？", "zh ; d=notification"),
    P("S", "截止后提交可以吗？", "zh ; k=late"),
    # --- what the schedule does not hold: an honest decline, never another date ------------------
    P("S", "when is the industry track deadline?", "decline ; has=industry track"),
    P("S", "when is the deadline for the industry track?", "decline ; has=industry track"),
    P("S", "when is the industry paper deadline?", "decline ; has=industry"),
    P("S", "is there an industry track?", "decline"),
    P("S", "when's the poster session", "decline ; has=poster session"),
    P("S", "are there multiple tracks?", "decline ; has=multiple tracks"),
    P("S", "可以用中文投稿吗？", "zh ; decline"),
    P("S", "is there a registration deadline?", "decline ; has=registration"),
    P("S", "会议注册截止是什么时候？", "zh ; decline ; has=注册"),
    P("T", "is there a poster track?", "decline ; has=posters"),
    P("T", "when is the poster deadline?", "decline"),
    P("T", "有没有海报？", "zh ; decline ; has=海报"),
    P("S", "工业界论文什么时候截止？", "zh ; decline ; has=工业界"),
    P("T", "医学论文什么时候截止？", "zh ; decline ; has=医学"),
    P("T", "when is the artifact evaluation deadline?", "decline ; has=artifacts"),
    P("T", "when is the rebuttal?", "decline"),
    P("T", "how long is the rebuttal?", "decline ; not=page limit"),
    P("T", "is there a banquet?", "decline"),
    P("H", "when is the notification?", "k=not_held ; has=does not say when notifications"),
    P("H", "什么时候出录用通知？", "zh ; k=not_held ; has=日程里没有写录用通知的日期"),
    P("H", "how many pages?", "k=page_limit ; has=does not say how many pages"),
    P("M", "when is the poster session?", "decline"),
    # --- it is there: yes, with its date; typos forgiven ------------------------------------------
    P("T", "is there an industry track?", "yes ; d=industry"),
    P("T", "whn is the industri track dedline?", "d=industry"),
    P("S", "wen is teh camra redy deadline", "d=camera-ready"),
    P("S", "whats teh deadlin", "d=abstract"),
    P("S", "ddl是哪天", "zh ; d=abstract"),
    P("T", "研究论文的摘要注册是什么时候？", "zh ; d=research-abstract"),
    P("T", "工业界论文什么时候截止？", "zh ; d=industry ; at=" + T_INDUSTRY),
    P("T", "研究论文什么时候截止？", "zh ; d=research-paper ; at=" + T_RESEARCH),
)


@cache
def schedule(name: str) -> Event:
    return parse_schedule(FILES[name].read_text(encoding="utf-8"), str(FILES[name]))


def ask(p: P) -> Answer:
    now = datetime.fromisoformat(p.now or NOW[p.schedule])
    return answer(p.question, schedule(p.schedule), now=now, reader=parse_zone(READER))


def _key(when: ImportantDate) -> datetime:
    return when.ends if when.kind in ("deadline", "camera-ready") else when.starts


def _wrong(p: P, reply: Answer) -> list[str]:
    wrong: list[str] = []
    rest: list[str] = []
    for check in (c.strip() for c in p.expect.split(";")):
        name, _, value = check.partition("=")
        if name == "at":
            dated = [part for part in reply.parts if part.dates]
            got = _key(dated[0].dates[0]).isoformat() if dated else None
            if got != datetime.fromisoformat(value).isoformat():
                wrong.append(f"instant {got} != {value}")
        elif name == "once":
            if reply.text.count(value) != 1:
                wrong.append(f"{value!r} said {reply.text.count(value)} times")
        elif name == "first":
            if not reply.text.startswith(value):
                wrong.append(f"does not start with {value!r}")
        else:
            rest.append(check)
    return wrong + problems(Q(p.schedule, p.question, " ; ".join(rest), "probe"), reply)


def test_enough_probes_in_both_languages_on_four_schedules() -> None:
    assert len(PROBES) >= 80
    assert {p.schedule for p in PROBES} == set(FILES)
    assert sum("zh" in p.expect.split(" ; ") for p in PROBES) >= 25
    assert sum("decline" in p.expect for p in PROBES) >= 15


@pytest.mark.parametrize("probe", PROBES, ids=lambda p: f"{p.schedule}:{p.question[:40]}")
def test_probe_gets_the_fact_a_demanding_reader_expects(probe: P) -> None:
    reply = ask(probe)
    wrong = _wrong(probe, reply)
    assert not wrong, f"{'; '.join(wrong)}\n{reply.text}"


@pytest.mark.parametrize("probe", [p for p in PROBES if "decline" in p.expect],
                         ids=lambda p: f"{p.schedule}:{p.question[:40]}")
def test_a_declined_probe_names_no_date(probe: P) -> None:
    assert ask(probe).dates == ()
