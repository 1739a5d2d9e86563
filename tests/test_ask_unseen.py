"""Questions over three schedules no other test was written against, as participants write them.

``icds27`` (I): a conference with "registration" in three titles (paper registration; early-bird
and regular conference registration), AoE paper deadlines, a rebuttal range, a camera-ready and
a three-day event in São Paulo (UTC-03:00, no DST); no travel grants, visa letters or FAQ.
``dsw26`` (D): a workshop in Munich across the October switch from CEST to CET, every time in
Europe/Berlin, a visa-letter deadline, a tutorial on the day the clocks change.
``mlss28`` (L): a summer school given in a bare offset (UTC+05:30): application, reference
letters, a travel grant, admission decisions, confirmation, arrival, twelve days of lectures,
departure.

Each probe holds what a good organizer's answer must contain and must not: the instant, the
wall-clock time in the zone named (or the asker's), the weekday, the countdown, a past date said
to be past, or an honest "the schedule does not say" with no date for what it does not hold.
The expectation language is ``tests/ask_probe.py``'s (``test_ask_fresh``'s, plus ``dates=``
and ``nodate=``).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tests.ask_probe import P, Schedules

ROOT = Path(__file__).resolve().parent / "data" / "ask"
FILES = {"I": ROOT / "icds27.toml", "D": ROOT / "dsw26.toml", "L": ROOT / "mlss28.toml"}
NOW = {"I": "2027-03-01T00:00:00+00:00", "D": "2026-08-20T08:00:00+00:00",
       "L": "2028-03-10T06:00:00+00:00"}
READER = {"I": "America/Los_Angeles", "D": "Asia/Shanghai", "L": "Asia/Kolkata"}

# Instants (UTC): a deadline's close, anything else's start.
I_PREG = "2027-03-06T11:59:00+00:00"    # 23:59 AoE on Friday 5 March 2027
I_PAPER = "2027-03-13T11:59:00+00:00"   # 23:59 AoE on Friday 12 March 2027
I_REB = "2027-04-20T12:00:00+00:00"     # 00:00 AoE on Tuesday 20 April, to 23:59 AoE Friday 23
I_NOTIF = "2027-05-07T12:00:00+00:00"   # all of Friday 7 May 2027, AoE
I_CR = "2027-06-02T11:59:00+00:00"      # 23:59 AoE on Tuesday 1 June 2027
I_EARLY = "2027-06-16T02:59:00+00:00"   # 23:59 in São Paulo on Tuesday 15 June 2027
I_REG = "2027-07-21T02:59:00+00:00"     # 23:59 in São Paulo on Tuesday 20 July 2027
I_CONF = "2027-08-09T03:00:00+00:00"    # Monday 9 to Wednesday 11 August 2027, São Paulo
D_SUB = "2026-08-31T10:00:00+00:00"     # 12:00 CEST on Monday 31 August 2026
D_VISA = "2026-09-10T15:00:00+00:00"    # 17:00 CEST on Thursday 10 September 2026
D_NOTIF = "2026-09-20T22:00:00+00:00"   # all of Monday 21 September 2026, Berlin
D_CR = "2026-10-05T16:00:00+00:00"      # 18:00 CEST on Monday 5 October 2026
D_REG = "2026-10-16T21:59:00+00:00"     # 23:59 CEST on Friday 16 October 2026
D_TUT = "2026-10-25T08:00:00+00:00"     # 09:00 CET on Sunday 25 October 2026 (clocks changed)
D_WS = "2026-10-26T08:00:00+00:00"      # 09:00 CET on Monday 26 October 2026
L_APP = "2028-03-15T18:29:00+00:00"     # 23:59 UTC+05:30 on Wednesday 15 March 2028
L_LET = "2028-03-22T18:29:00+00:00"
L_GRANT = "2028-03-29T18:29:00+00:00"
L_ADM = "2028-04-19T18:30:00+00:00"     # all of Thursday 20 April 2028, UTC+05:30
L_CONF = "2028-05-05T11:30:00+00:00"    # 17:00 UTC+05:30 on Friday 5 May 2028
L_ARR = "2028-06-29T18:30:00+00:00"     # Friday 30 June 2028
L_SCHOOL = "2028-06-30T18:30:00+00:00"  # Saturday 1 July to Wednesday 12 July 2028
L_DEP = "2028-07-12T18:30:00+00:00"     # Thursday 13 July 2028

I_AFTER_PAPER = "2027-03-20T00:00:00+00:00"
I_IN_REBUTTAL = "2027-04-21T00:00:00+00:00"   # Wednesday 21 April, the rebuttal open
I_EARLY_OPEN = "2027-06-10T00:00:00+00:00"    # early bird still open, camera-ready passed
I_EARLY_GONE = "2027-06-20T00:00:00+00:00"    # early bird over, registration open
I_CONF_ON = "2027-08-10T15:00:00+00:00"       # the second day of the conference
D_DAY_BEFORE = "2026-10-24T10:00:00+00:00"    # Saturday 24 October: the tutorial tomorrow
D_WS_MORNING = "2026-10-26T07:00:00+00:00"    # Monday 26 October, 08:00 CET: workshop today
D_REG_WEEK = "2026-10-13T08:00:00+00:00"      # Tuesday 13 October: registration this week
L_ARRIVAL_EVE = "2028-06-29T06:00:00+00:00"   # Thursday 29 June: arrival tomorrow
L_SCHOOL_ON = "2028-07-05T06:00:00+00:00"     # the school under way
L_AFTER_ALL = "2028-08-01T00:00:00+00:00"     # everything over


PROBES: tuple[P, ...] = (
    # ===== icds27: dates by their titles, plain and indirect ===============================
    P("I", "when is the paper registration deadline?",
      f"d=paper-registration ; at={I_PREG} ; has=Friday 5 March 2027, 23:59 AoE ; "
      "has=Saturday 6 March 2027, 03:59 PST ; has=5 days 11 hours", "topic"),
    P("I", "When do I need to register my paper?", f"d=paper-registration ; at={I_PREG}",
      "topic"),
    P("I", "when do I need to submit my paper", f"d=paper ; at={I_PAPER}", "topic"),
    P("I", "when is the full paper due?", f"d=paper ; at={I_PAPER} ; "
      "has=Friday 12 March 2027, 23:59 AoE ; nodate=paper-registration", "topic"),
    P("I", "deadline for the full paper submission", f"d=paper ; at={I_PAPER}", "topic"),
    P("I", "when is the abstract due", f"d=paper-registration ; at={I_PREG} ; nodate=paper",
      "topic"),
    P("I", "title and abstract deadline?", f"d=paper-registration ; at={I_PREG}", "topic"),
    P("I", "when is the rebuttal?", f"d=rebuttal ; at={I_REB} ; has=Tuesday 20 April 2027 ; "
      "has=Friday 23 April 2027, 23:59 AoE", "topic"),
    P("I", "when does the rebuttal period start?", f"d=rebuttal ; at={I_REB}", "topic"),
    P("I", "when does the rebuttal end?", "d=rebuttal ; has=23:59 AoE ; nodate=early-bird",
      "topic", I_IN_REBUTTAL),
    P("I", "when can we respond to the reviews?", f"d=rebuttal ; at={I_REB}", "topic"),
    P("I", "when will I know if my paper got accepted?", f"d=notification ; at={I_NOTIF} ; "
      "has=Friday 7 May 2027", "topic"),
    P("I", "when do acceptance decisions come out", f"d=notification ; at={I_NOTIF}", "topic"),
    P("I", "when is the camera ready deadline", f"d=camera-ready ; at={I_CR} ; "
      "has=Tuesday 1 June 2027, 23:59 AoE", "topic"),
    P("I", "when is the final version due?", f"d=camera-ready ; at={I_CR}", "topic"),
    P("I", "when does early bird registration end?", f"d=early-bird ; at={I_EARLY} ; "
      "has=Tuesday 15 June 2027, 23:59 ; has=19:59 PDT ; nodate=paper-registration", "topic"),
    P("I", "last day for the early-bird rate?", f"d=early-bird ; at={I_EARLY}", "topic"),
    P("I", "when does conference registration close?", f"d=registration ; at={I_REG} ; "
      "has=Tuesday 20 July 2027, 23:59 ; nodate=paper-registration", "topic"),
    P("I", "last day to register for the conference", f"d=registration ; at={I_REG} ; "
      "nodate=paper-registration", "topic"),
    P("I", "when is the conference?", f"d=conference ; at={I_CONF} ; has=Monday 9 August 2027 ; "
      "has=Wednesday 11 August 2027 ; nodate=early-bird ; nodate=registration", "topic"),
    P("I", "what are the dates of the main conference", f"d=conference ; at={I_CONF} ; "
      "nodate=early-bird", "topic"),
    P("I", "where is ICDS this year?", "has=São Paulo ; has=Brazil", "topic"),
    P("I", "where is the venue", "has=Centro de Convenções Frei Caneca", "topic"),
    P("I", "how many days is the conference?", "has=3 days ; d=conference", "topic"),
    P("I", "when do I register?", f"has={'5 March 2027'} ; has=15 June 2027 ; has=20 July 2027",
      "topic"),
    # --- several topics in one question ---------------------------------------------------
    P("I", "when are the paper registration and the full paper deadlines?",
      f"d=paper-registration,paper ; at={I_PREG}", "multi"),
    P("I", "when is the rebuttal and when is the notification?",
      "d=rebuttal,notification", "multi"),
    P("I", "camera ready and early bird deadlines?", "d=camera-ready,early-bird", "multi"),
    P("I", "when and where is the conference?", "d=conference ; has=São Paulo", "multi"),
    P("I", "what's the page limit and when is the paper due?",
      "k=page_limit,deadline ; has=8 pages ; has=12 March 2027", "multi"),
    # --- zones named ----------------------------------------------------------------------
    P("I", "when is the full paper deadline in GMT-3?", f"d=paper ; at={I_PAPER} ; "
      "has=Saturday 13 March 2027, 08:59 UTC-03:00 ; zone=UTC-03:00", "zone"),
    P("I", "paper deadline in Beijing time?", "has=Saturday 13 March 2027, 19:59 CST ; "
      "zone=Asia/Shanghai", "zone"),
    P("I", "what's the paper registration deadline in IST?", "d=paper-registration ; "
      "has=17:29 IST ; has=can mean ; zone=Asia/Kolkata", "zone"),
    P("I", "full paper deadline in CST?", "d=paper ; has=CST can mean ; has=05:59 CST",
      "zone"),
    P("I", "when does early bird end in London time?", "d=early-bird ; "
      "has=Wednesday 16 June 2027, 03:59 BST", "zone"),
    P("I", "when is the camera-ready due in Tokyo", "d=camera-ready ; "
      "has=Wednesday 2 June 2027, 20:59 JST", "zone"),
    P("I", "when is the paper deadline in UTC+5:30?", "has=Saturday 13 March 2027, 17:29 UTC+05:30",
      "zone"),
    P("I", "what time is the abstract deadline in UTC", "d=paper-registration ; "
      "has=Saturday 6 March 2027, 11:59 UTC", "zone"),
    P("I", "when is the full paper deadline in Sao Paulo time?", "d=paper ; "
      "has=Saturday 13 March 2027, 08:59", "zone"),
    P("I", "when is the paper deadline in my time?", "has=Saturday 13 March 2027, 03:59 PST",
      "zone"),
    P("I", "is the deadline AoE?", "yes ; d=paper-registration", "zone"),
    P("I", "conference registration deadline in Eastern time?", "d=registration ; "
      "has=Tuesday 20 July 2027, 22:59 EDT", "zone"),
    P("I", "what time zone are the deadlines in?", "has=AoE ; not=I did not understand",
      "zone"),
    # --- relative words and past dates ----------------------------------------------------
    P("I", "is the early bird still open?", "yes ; d=early-bird ; has=6 days 2 hours", "relative",
      I_EARLY_OPEN),
    P("I", "is the early bird still open?", "no ; d=early-bird ; has=passed", "relative",
      I_EARLY_GONE),
    P("I", "can I still get the early bird price?", "no ; d=early-bird", "relative",
      I_EARLY_GONE),
    P("I", "has the rebuttal period started?", "yes ; d=rebuttal", "relative", I_IN_REBUTTAL),
    P("I", "has the rebuttal period started?", "no ; d=rebuttal", "relative"),
    P("I", "is the rebuttal open now?", "yes ; d=rebuttal ; has=under way", "relative",
      I_IN_REBUTTAL),
    P("I", "has the paper deadline passed?", "yes ; has=passed ; not=days from now", "relative",
      I_AFTER_PAPER),
    P("I", "when was the paper registration deadline?", "d=paper-registration ; "
      "has=has passed", "relative", I_AFTER_PAPER),
    P("I", "can I still submit a paper?", "no ; d=paper", "relative", I_AFTER_PAPER),
    P("I", "how many days until camera ready", f"d=camera-ready ; at={I_CR} ; "
      "has=93 days 11 hours", "relative"),
    P("I", "how long until the early bird ends?", "d=early-bird ; has=6 days 2 hours",
      "relative", I_EARLY_OPEN),
    P("I", "how much time do I have left to submit?", "d=paper ; has=12 days 11 hours",
      "relative"),
    P("I", "is anything due this week?", "yes ; d=paper-registration", "relative",
      "2027-03-02T00:00:00+00:00"),
    P("I", "is the conference today?", "yes ; d=conference", "relative", I_CONF_ON),
    P("I", "is the conference happening now?", "yes ; d=conference", "relative", I_CONF_ON),
    P("I", "what's the next deadline?", "d=paper-registration ; at=" + I_PREG, "relative"),
    P("I", "what's the next deadline?", "d=camera-ready", "relative", I_IN_REBUTTAL),
    P("I", "what's next?", "d=rebuttal", "relative", I_AFTER_PAPER),
    P("I", "is the notification out yet?", "no ; d=notification", "relative", I_IN_REBUTTAL),
    P("I", "is the paper deadline on Friday?", "yes", "relative"),
    P("I", "is the full paper deadline on March 12?", "yes ; d=paper", "relative"),
    P("I", "is the camera ready due on June 2?", "yes ; d=camera-ready", "relative"),
    P("I", "was the paper deadline extended?", "no", "relative"),
    P("I", "will the deadline be extended?", "has=does not say whether it will be extended",
      "relative"),
    # --- typos ------------------------------------------------------------------------------
    P("I", "wehn is the papr registraton deadline", "d=paper-registration", "typo"),
    P("I", "camera redy deadlin?", "d=camera-ready", "typo"),
    P("I", "when is the rebutal", "d=rebuttal", "typo"),
    P("I", "notifcation date?", "d=notification", "typo"),
    P("I", "erly bird registration deadline", "d=early-bird", "typo"),
    P("I", "when is the confernce", "d=conference", "typo"),
    # --- not in the schedule: never a date --------------------------------------------------
    P("I", "when is the travel grant deadline?", "decline ; has=travel grants", "decline"),
    P("I", "when can I request a visa invitation letter?", "decline ; has=visas", "decline"),
    P("I", "how much is the registration fee?", "decline ; has=fees", "decline"),
    P("I", "when is the banquet?", "decline", "decline"),
    P("I", "when is the workshop proposal deadline?", "decline ; has=proposals",
      "decline"),
    P("I", "when is the poster deadline?", "decline", "decline"),
    P("I", "when is the artifact evaluation deadline?", "decline", "decline"),
    P("I", "is there a student volunteer program?", "decline", "decline"),
    P("I", "what hotel should I book?", "decline", "decline"),
    P("I", "when is the keynote?", "decline", "decline"),
    P("I", "when is the tutorial day?", "decline", "decline"),
    # --- not about dates ----------------------------------------------------------------------
    P("I", "how many pages can the paper be?", "k=page_limit ; has=8 pages", "other"),
    P("I", "is the review double blind?", "yes ; k=anonymize", "other"),
    P("I", "where do I submit?", "k=submit ; has=EasyChair", "other"),
    P("I", "what template should I use?", "has=IEEEtran", "other"),
    P("I", "who do I contact about my registration?", "has=chairs@icds.example.org", "other"),
    P("I", "thanks!", "k=greeting ; not=2027", "other"),
    P("I", "what's the weather like in Sao Paulo?", "decline", "other"),
    # --- Chinese, simplified ----------------------------------------------------------------
    P("I", "论文注册截止是什么时候？", "zh ; d=paper-registration ; has=2027年3月5日星期五 23:59",
      "zh"),
    P("I", "全文截稿时间是几号？", "zh ; d=paper ; has=2027年3月12日星期五 23:59 ; "
      "nodate=paper-registration", "zh"),
    P("I", "rebuttal 什么时候开始？", "zh ; d=rebuttal ; has=2027年4月20日星期二", "zh"),
    P("I", "反驳阶段什么时候？", "zh ; d=rebuttal", "zh"),
    P("I", "录用通知什么时候出？", "zh ; d=notification ; has=2027年5月7日星期五", "zh"),
    P("I", "终稿什么时候交？", "zh ; d=camera-ready ; has=2027年6月1日星期二 23:59", "zh"),
    P("I", "早鸟注册什么时候截止？", "zh ; d=early-bird ; has=2027年6月15日星期二 23:59", "zh"),
    P("I", "会议注册的最后期限是哪天？", "zh ; d=registration ; has=2027年7月20日星期二 23:59 ; "
      "nodate=paper-registration", "zh"),
    P("I", "会议在哪里举办？", "zh ; has=São Paulo", "zh"),
    P("I", "会议什么时候开？", "zh ; d=conference ; has=2027年8月9日星期一", "zh"),
    P("I", "全文截止按北京时间是几点？", "zh ; d=paper ; has=2027年3月13日星期六 19:59 ; "
      "zone=Asia/Shanghai", "zh"),
    P("I", "全文截止是美西时间几点？", "zh ; d=paper ; has=2027年3月13日星期六 03:59", "zh"),
    P("I", "早鸟注册截止换成东部时间是几点？", "zh ; d=early-bird ; has=2027年6月15日星期二 22:59",
      "zh"),
    P("I", "早鸟还能报吗？", "zh ; yes ; d=early-bird", "zh", I_EARLY_OPEN),
    P("I", "早鸟结束了吗？", "zh ; yes ; d=early-bird", "zh", I_EARLY_GONE),
    P("I", "距离终稿截止还有几天？", "zh ; d=camera-ready ; has=93天11小时", "zh"),
    P("I", "paper ddl 是什么时候", "zh ; has=2027年3月12日", "zh"),
    P("I", "camera ready ddl是几号", "zh ; d=camera-ready", "zh"),
    P("I", "有旅费资助吗？", "zh ; decline", "zh"),
    P("I", "签证邀请函怎么申请？", "zh ; decline", "zh"),
    P("I", "注册费多少钱？", "zh ; decline", "zh"),
    P("I", "论文可以写几页？", "zh ; has=8", "zh"),
    # --- Chinese, traditional ---------------------------------------------------------------
    P("I", "論文註冊截止是什麼時候？", "zh ; d=paper-registration ; has=2027年3月5日", "hant"),
    P("I", "早鳥註冊幾號截止？", "zh ; d=early-bird ; has=2027年6月15日", "hant"),
    P("I", "會議在哪裡舉行？", "zh ; has=São Paulo", "hant"),
    P("I", "錄用通知什麼時候發？", "zh ; d=notification", "hant"),
    P("I", "有沒有旅費補助？", "zh ; decline", "hant"),

    # ===== dsw26: a workshop across the October DST change, Berlin times ====================
    P("D", "when is the submission deadline?", f"d=submission ; at={D_SUB} ; "
      "has=Monday 31 August 2026, 18:00 CST ; has=12:00 CEST ; has=11 days 2 hours",
      "topic"),
    P("D", "paper deadline?", f"d=submission ; at={D_SUB}", "topic"),
    P("D", "when do papers have to be in", f"d=submission ; at={D_SUB}", "topic"),
    P("D", "when is the visa letter deadline?", f"d=visa ; at={D_VISA} ; "
      "has=Thursday 10 September 2026, 23:00 CST ; nodate=registration", "topic"),
    P("D", "by when do I have to ask for a visa invitation letter?", f"d=visa ; at={D_VISA}",
      "topic"),
    P("D", "I need a visa, when should I request the letter?", "d=visa", "topic"),
    P("D", "when is the notification?", f"d=notification ; at={D_NOTIF} ; "
      "has=Monday 21 September 2026", "topic"),
    P("D", "when will authors be notified?", "d=notification", "topic"),
    P("D", "when is the camera-ready version due?", f"d=camera-ready ; at={D_CR} ; "
      "has=Monday 5 October 2026, 18:00 CEST ; has=Tuesday 6 October 2026, 00:00 CST", "topic"),
    P("D", "registration deadline?", f"d=registration ; at={D_REG} ; "
      "has=Friday 16 October 2026, 23:59 CEST ; has=Saturday 17 October 2026, 05:59 CST",
      "topic"),
    P("D", "last day to register?", f"d=registration ; at={D_REG}", "topic"),
    P("D", "when is the tutorial?", f"d=tutorial ; at={D_TUT} ; "
      "has=Sunday 25 October 2026, 09:00 CET ; has=16:00 CST ; not=CEST", "topic"),
    P("D", "what time does the fault injection tutorial start?", f"d=tutorial ; at={D_TUT} ; "
      "has=09:00 CET", "topic"),
    P("D", "when is the workshop?", f"d=workshop ; at={D_WS} ; has=Monday 26 October 2026 ; "
      "has=Tuesday 27 October 2026", "topic"),
    P("D", "when does the workshop start?", f"d=workshop ; at={D_WS} ; has=09:00 CET",
      "topic"),
    P("D", "when does the workshop end?", "d=workshop ; has=17:30 CET", "topic"),
    P("D", "how long is the workshop?", "has=2 days ; d=workshop", "topic"),
    P("D", "where is the workshop?", "has=TUM Garching ; has=Munich", "topic"),
    P("D", "list all the important dates", "has=Paper submission deadline ; "
      "has=Visa invitation letter requests ; has=Dependable Systems Workshop", "topic"),
    # --- DST: times on both sides of the change ----------------------------------------------
    P("D", "what time is the tutorial in UTC?", "d=tutorial ; has=08:00 UTC", "dst"),
    P("D", "what time is the registration deadline in UTC?", "d=registration ; "
      "has=Friday 16 October 2026, 21:59 UTC", "dst"),
    P("D", "when does the workshop start in New York time?", "d=workshop ; "
      "has=Monday 26 October 2026, 04:00 EDT", "dst"),
    P("D", "when does the workshop start in London?", "d=workshop ; "
      "has=Monday 26 October 2026, 08:00 GMT", "dst"),
    P("D", "what time is the tutorial for me?", "d=tutorial ; has=16:00 CST", "dst",
      reader="Asia/Shanghai"),
    P("D", "when does the workshop begin in Chicago time?", "d=workshop ; has=03:00 CDT",
      "dst"),
    P("D", "is the tutorial at 9am?", "yes ; d=tutorial", "dst"),
    P("D", "is the camera ready deadline at 6pm Berlin time?", "yes ; d=camera-ready", "dst"),
    P("D", "submission deadline in Pacific time?", "d=submission ; "
      "has=Monday 31 August 2026, 03:00 PDT", "dst"),
    P("D", "submission deadline in PST", "d=submission ; has=PDT", "dst"),
    # --- zones named ----------------------------------------------------------------------
    P("D", "submission deadline in IST?", "d=submission ; has=15:30 IST ; has=can mean",
      "zone"),
    P("D", "when is the submission deadline in GMT+8", "d=submission ; has=18:00 UTC+08:00",
      "zone"),
    P("D", "when is the visa letter deadline in Tokyo time?", "d=visa ; "
      "has=Friday 11 September 2026, 00:00 JST", "zone"),
    P("D", "registration deadline in AoE?", "d=registration ; has=09:59 AoE", "zone"),
    P("D", "camera ready in Kolkata time", "d=camera-ready ; has=21:30 IST", "zone"),
    P("D", "when's the deadline in Berlin time", "d=submission ; has=12:00 CEST", "zone"),
    P("D", "is the deadline in CET?", "d=submission ; has=CEST", "zone"),
    P("D", "what time zone is the deadline in?", "d=submission ; has=Europe/Berlin", "zone"),
    # --- relative -----------------------------------------------------------------------------
    P("D", "is the tutorial tomorrow?", "yes ; d=tutorial", "relative", D_DAY_BEFORE),
    P("D", "is the workshop tomorrow?", "no ; d=workshop", "relative", D_DAY_BEFORE),
    P("D", "is the workshop today?", "yes ; d=workshop", "relative", D_WS_MORNING),
    P("D", "has the workshop started?", "no ; d=workshop", "relative", D_WS_MORNING),
    P("D", "how long until the workshop starts?", "d=workshop ; has=1 hour", "relative",
      D_WS_MORNING),
    P("D", "is registration still open?", "yes ; d=registration", "relative", D_REG_WEEK),
    P("D", "is the registration deadline this week?", "yes ; d=registration", "relative",
      D_REG_WEEK),
    P("D", "is the registration deadline this week?", "no ; d=registration", "relative"),
    P("D", "can I still register?", "no ; d=registration", "relative", D_DAY_BEFORE),
    P("D", "did I miss the submission deadline?", "no ; d=submission", "relative"),
    P("D", "did I miss the submission deadline?", "yes ; d=submission", "relative",
      D_REG_WEEK),
    P("D", "when was the submission deadline?", "d=submission ; has=has passed", "relative",
      D_REG_WEEK),
    P("D", "how many days until the submission deadline?", "d=submission ; "
      "has=11 days 2 hours", "relative"),
    P("D", "how much time is left to register?", "d=registration ; has=3 days 13 hours",
      "relative", D_REG_WEEK),
    P("D", "what's the next deadline?", "d=submission", "relative"),
    P("D", "what's the next deadline?", "d=registration", "relative", D_REG_WEEK),
    P("D", "what's the next date?", "d=tutorial", "relative", D_DAY_BEFORE),
    P("D", "is the notification on a Monday?", "yes ; d=notification", "relative"),
    P("D", "are notifications out already?", "no ; d=notification", "relative"),
    P("D", "has the submission deadline been extended?", "no ; d=submission", "relative"),
    # --- typos ------------------------------------------------------------------------------
    P("D", "whens the submision deadline", "d=submission", "typo"),
    P("D", "when is the tutoral", "d=tutorial", "typo"),
    P("D", "regstration deadline?", "d=registration", "typo"),
    P("D", "camra ready due date", "d=camera-ready", "typo"),
    P("D", "when is the worshop", "d=workshop", "typo"),
    P("D", "notificaton date?", "d=notification", "typo"),
    # --- not in the schedule ----------------------------------------------------------------
    P("D", "when is the travel grant deadline?", "decline ; has=travel grants", "decline"),
    P("D", "how much does registration cost?", "decline ; has=fees", "decline"),
    P("D", "when is the rebuttal?", "decline", "decline"),
    P("D", "when is the abstract deadline?", "decline", "decline"),
    P("D", "when is the poster session?", "decline", "decline"),
    P("D", "when is the social dinner?", "decline", "decline"),
    P("D", "is there a best paper award?", "decline", "decline"),
    P("D", "can I present remotely?", "decline", "decline"),
    P("D", "when is the early bird deadline?", "decline ; has=early", "decline"),
    P("D", "is lunch provided?", "decline", "decline"),
    # --- not about dates ----------------------------------------------------------------------
    P("D", "what's the page limit?", "has=6 pages", "other"),
    P("D", "does the paper need to be anonymized?", "no ; k=anonymize", "other"),
    P("D", "what format should the paper be in?", "has=LNCS", "other"),
    P("D", "how do I submit?", "has=HotCRP", "other"),
    P("D", "who organizes the workshop?", "has=dsw26-chairs@example.org", "other"),
    P("D", "hello", "k=greeting", "other"),
    # --- Chinese ------------------------------------------------------------------------------
    P("D", "投稿截止是什么时候？", "zh ; d=submission ; has=2026年8月31日星期一 18:00", "zh"),
    P("D", "截稿时间按北京时间是几点？", "zh ; d=submission ; has=18:00（中国标准时间", "zh"),
    P("D", "签证邀请函什么时候截止申请？", "zh ; d=visa ; has=2026年9月10日星期四 23:00", "zh"),
    P("D", "签证信最晚什么时候要？", "zh ; d=visa", "zh"),
    P("D", "录用通知什么时候？", "zh ; d=notification ; has=2026年9月21日星期一", "zh"),
    P("D", "最终版本几号交？", "zh ; d=camera-ready ; has=2026年10月5日星期一 18:00", "zh"),
    P("D", "注册截止日期是哪天？", "zh ; d=registration ; has=2026年10月16日星期五 23:59", "zh"),
    P("D", "教程几点开始？", "zh ; d=tutorial ; has=2026年10月25日星期日 16:00", "zh"),
    P("D", "研讨会什么时候开始？", "zh ; d=workshop ; has=2026年10月26日星期一 16:00", "zh"),
    P("D", "研讨会在哪里？", "zh ; has=Munich", "zh"),
    P("D", "研讨会开几天？", "zh ; d=workshop ; has=2", "zh"),
    P("D", "研讨会按美东时间几点开始？", "zh ; d=workshop ; has=2026年10月26日星期一 04:00",
      "zh"),
    P("D", "workshop 东部时间几点开始", "zh ; d=workshop ; has=04:00", "zh"),
    P("D", "注册还开放吗？", "zh ; yes ; d=registration", "zh", D_REG_WEEK),
    P("D", "截稿了吗？", "zh ; yes ; d=submission", "zh", D_REG_WEEK),
    P("D", "离截稿还有多久？", "zh ; d=submission ; has=11天2小时", "zh"),
    P("D", "明天有教程吗？", "zh ; yes ; d=tutorial", "zh", D_DAY_BEFORE),
    P("D", "submission ddl 是几号", "zh ; d=submission", "zh"),
    P("D", "有旅费资助吗？", "zh ; decline", "zh"),
    P("D", "会议有午餐吗？", "zh ; decline", "zh"),
    P("D", "注册费是多少？", "zh ; decline", "zh"),
    P("D", "页数限制是多少？", "zh ; has=6", "zh"),
    # --- traditional ------------------------------------------------------------------------
    P("D", "簽證邀請函什麼時候截止？", "zh ; d=visa", "hant"),
    P("D", "註冊截止是幾號？", "zh ; d=registration ; has=2026年10月16日", "hant"),
    P("D", "研討會幾點開始？", "zh ; d=workshop", "hant"),
    P("D", "投稿截止時間是什麼時候？", "zh ; d=submission", "hant"),

    # ===== mlss28: a summer school in UTC+05:30 =========================================
    P("L", "when is the application deadline?", f"d=application ; at={L_APP} ; "
      "has=Wednesday 15 March 2028, 23:59 UTC+05:30 ; has=5 days 12 hours ; not=Submit via",
      "topic"),
    P("L", "when do I need to apply by?", f"d=application ; at={L_APP}", "topic"),
    P("L", "last day to apply?", f"d=application ; at={L_APP}", "topic"),
    P("L", "when are reference letters due?", f"d=letters ; at={L_LET} ; "
      "has=Wednesday 22 March 2028, 23:59", "topic"),
    P("L", "when do my recommenders need to send their letters?", "d=letters", "topic"),
    P("L", "when is the travel grant application due?", f"d=grant ; at={L_GRANT} ; "
      "has=Wednesday 29 March 2028, 23:59", "topic"),
    P("L", "when can I apply for a travel grant?", f"d=grant ; at={L_GRANT}", "topic"),
    P("L", "when will admission decisions be announced?", f"d=admission ; at={L_ADM} ; "
      "has=Thursday 20 April 2028", "topic"),
    P("L", "when will I know if I'm accepted?", "d=admission", "topic"),
    P("L", "when do I have to confirm my participation?", f"d=confirm ; at={L_CONF} ; "
      "has=Friday 5 May 2028, 17:00", "topic"),
    P("L", "confirmation deadline?", f"d=confirm ; at={L_CONF}", "topic"),
    P("L", "when should I arrive?", f"d=arrival ; at={L_ARR} ; has=Friday 30 June 2028",
      "topic"),
    P("L", "when is check-in?", f"d=arrival ; at={L_ARR}", "topic"),
    P("L", "when does the summer school start?", f"d=school ; at={L_SCHOOL} ; "
      "has=Saturday 1 July 2028", "topic"),
    P("L", "when are the lectures?", f"d=school ; at={L_SCHOOL} ; not=Submit via", "topic"),
    P("L", "when does the school end?", "d=school ; has=Wednesday 12 July 2028", "topic"),
    P("L", "how long is the summer school?", "has=12 days ; d=school ; not=Submit via",
      "topic"),
    P("L", "when is departure?", f"d=departure ; at={L_DEP} ; has=Thursday 13 July 2028",
      "topic"),
    P("L", "when do we leave?", "d=departure", "topic"),
    P("L", "where is the summer school held?", "has=IISc campus ; has=Bengaluru", "topic"),
    P("L", "what are the key dates?", "has=Application deadline ; has=Departure day",
      "topic"),
    P("L", "how do I apply?", "has=https://apply.mlss.example.org", "topic"),
    # --- several topics --------------------------------------------------------------------
    P("L", "when is the application deadline and when are reference letters due?",
      "d=application,letters", "multi"),
    P("L", "when do decisions come out and when do I have to confirm?",
      "d=admission,confirm", "multi"),
    P("L", "when is arrival and when is departure?", "d=arrival,departure", "multi"),
    P("L", "when and where is the school?", "d=school ; has=Bengaluru", "multi"),
    # --- zones ------------------------------------------------------------------------------
    P("L", "application deadline in Berlin time?", "d=application ; "
      "has=Wednesday 15 March 2028, 19:29 CET", "zone"),
    P("L", "when is the application deadline in New York?", "d=application ; "
      "has=Wednesday 15 March 2028, 14:29 EDT", "zone"),
    P("L", "application deadline in Beijing time", "d=application ; "
      "has=Thursday 16 March 2028, 02:29 CST", "zone"),
    P("L", "application deadline in 北京时间", "d=application ; has=02:29", "zone"),
    P("L", "what is the deadline in IST?", "d=application ; has=23:59 IST", "zone"),
    P("L", "is the application deadline in India time?", "yes ; d=application", "zone"),
    P("L", "when is the application deadline in GMT", "d=application ; "
      "has=Wednesday 15 March 2028, 18:29 UTC", "zone"),
    P("L", "travel grant deadline in London time?", "d=grant ; "
      "has=Wednesday 29 March 2028, 19:29 BST", "zone"),
    P("L", "travel grant deadline in Berlin time?", "d=grant ; has=20:29 CEST", "zone"),
    P("L", "what time is the confirmation deadline in PST", "d=confirm ; has=04:30 PDT",
      "zone"),
    P("L", "when is the application deadline for me?", "d=application ; has=19:29 CET",
      "zone", reader="Europe/Berlin"),
    P("L", "application deadline in my time zone", "d=application ; has=14:29 EDT", "zone",
      reader="America/New_York"),
    # --- relative ---------------------------------------------------------------------------
    P("L", "is the application still open?", "yes ; d=application", "relative"),
    P("L", "is the application deadline this week?", "yes ; d=application", "relative",
      "2028-03-13T06:00:00+00:00"),
    P("L", "is the grant application due this week?", "no ; d=grant", "relative"),
    P("L", "can I still apply?", "no ; has=passed", "relative", L_ARRIVAL_EVE),
    P("L", "is arrival tomorrow?", "yes ; d=arrival", "relative", L_ARRIVAL_EVE),
    P("L", "is the school going on now?", "yes ; d=school", "relative", L_SCHOOL_ON),
    P("L", "how many days left until the school starts?", "d=school ; has=112 days",
      "relative"),
    P("L", "how many days until arrival?", "d=arrival ; has=111 days", "relative"),
    P("L", "how much time until the application closes?", "d=application ; "
      "has=5 days 12 hours", "relative"),
    P("L", "what's the next deadline?", "d=application", "relative"),
    P("L", "what's coming up next?", "d=arrival", "relative", "2028-05-10T00:00:00+00:00"),
    P("L", "when was the application deadline?", "d=application ; has=has passed", "relative",
      L_SCHOOL_ON),
    P("L", "have admission decisions been sent?", "yes ; d=admission", "relative",
      L_SCHOOL_ON),
    P("L", "is the school over?", "yes ; d=school", "relative", L_AFTER_ALL),
    P("L", "what's the next date?", "has=Nothing ; d=departure", "relative", L_AFTER_ALL),
    P("L", "is the application deadline on Wednesday?", "yes ; d=application", "relative"),
    P("L", "is the school in July?", "yes ; d=school", "relative"),
    # --- typos ------------------------------------------------------------------------------
    P("L", "aplication deadline?", "d=application", "typo"),
    P("L", "when are refrence leters due", "d=letters", "typo"),
    P("L", "travle grant deadline", "d=grant", "typo"),
    P("L", "when is arival", "d=arrival", "typo"),
    P("L", "when does the sumer school start", "d=school", "typo"),
    # --- not in the schedule ----------------------------------------------------------------
    P("L", "when is the visa letter deadline?", "decline ; has=visas", "decline"),
    P("L", "how much is the fee?", "decline ; has=fees", "decline"),
    P("L", "is accommodation provided?", "decline", "decline"),
    P("L", "when is the poster session?", "decline", "decline"),
    P("L", "when is the paper deadline?", "decline", "decline"),
    P("L", "when is the camera ready due?", "k=not_held ; "
      "has=does not say when the final version is due", "decline"),
    P("L", "is there a hackathon?", "decline", "decline"),
    P("L", "what's the dress code?", "decline", "decline"),
    P("L", "will lectures be recorded?", "decline", "decline"),
    P("L", "when is the excursion?", "decline ; has=excursion", "decline"),
    # --- not about dates ----------------------------------------------------------------------
    P("L", "who can I ask about my application?", "has=mlss2028@example.org", "other"),
    P("L", "how many pages should my statement be?", "has=does not say ; not=July", "other"),
    P("L", "thank you!", "k=greeting", "other"),
    # --- Chinese ------------------------------------------------------------------------------
    P("L", "申请截止是什么时候？", "zh ; d=application ; has=2028年3月15日星期三 23:59", "zh"),
    P("L", "推荐信什么时候截止？", "zh ; d=letters ; has=2028年3月22日星期三 23:59", "zh"),
    P("L", "旅费资助什么时候截止申请？", "zh ; d=grant ; has=2028年3月29日星期三 23:59", "zh"),
    P("L", "录取结果什么时候出？", "zh ; d=admission ; has=2028年4月20日星期四", "zh"),
    P("L", "确认参加的截止日期是哪天？", "zh ; d=confirm ; has=2028年5月5日星期五 17:00", "zh"),
    P("L", "什么时候报到？", "zh ; d=arrival ; has=2028年6月30日星期五", "zh"),
    P("L", "暑期学校什么时候开始？", "zh ; d=school ; has=2028年7月1日星期六", "zh"),
    P("L", "暑期学校持续多少天？", "zh ; d=school ; has=12", "zh"),
    P("L", "暑期学校在哪里？", "zh ; has=Bengaluru", "zh"),
    P("L", "申请截止按北京时间是几点？", "zh ; d=application ; has=2028年3月16日星期四 02:29",
      "zh"),
    P("L", "申请截止是东八区几点？", "zh ; d=application ; has=02:29", "zh"),
    P("L", "还能申请吗？", "zh ; yes ; d=application", "zh"),
    P("L", "离申请截止还有几天？", "zh ; d=application ; has=5天12小时", "zh"),
    P("L", "application ddl 是几号", "zh ; d=application", "zh"),
    P("L", "有签证邀请函吗？", "zh ; decline", "zh"),
    P("L", "住宿怎么安排？", "zh ; decline", "zh"),
    P("L", "报名费多少钱？", "zh ; decline", "zh"),
    # --- traditional ------------------------------------------------------------------------
    P("L", "申請截止是什麼時候？", "zh ; d=application", "hant"),
    P("L", "推薦信幾號截止？", "zh ; d=letters", "hant"),
    P("L", "暑期學校在哪裡？", "zh ; has=Bengaluru", "hant"),
    P("L", "旅費補助什麼時候截止？", "zh ; d=grant", "hant"),
)


SCHEDULES = Schedules(FILES, NOW, READER)
ask = SCHEDULES.ask


def test_enough_unseen_probes_of_every_kind() -> None:
    assert len(PROBES) >= 250
    assert {p.schedule for p in PROBES} == set(FILES)
    cats = Counter(p.cat for p in PROBES)
    assert cats["decline"] >= 30 and cats["zh"] + cats["hant"] >= 60 and cats["typo"] >= 15


def test_every_unseen_probe_gets_what_a_good_organizer_would_answer() -> None:
    misses = SCHEDULES.misses("unseen probes", PROBES)
    assert not misses, f"{len(misses)} wrong:\n" + "\n".join(misses)


@pytest.mark.parametrize("probe", [p for p in PROBES if "decline" in p.expect],
                         ids=lambda p: f"{p.schedule}:{p.question[:40]}")
def test_an_unheld_subject_is_never_given_a_date(probe: P) -> None:
    assert ask(probe).dates == ()
