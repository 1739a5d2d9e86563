"""A fourth held-out round of Chinese questions, as people write them in WeChat groups, Slack
and mail (Simplified mostly, some Traditional, many mixed with English: DDL, camera ready,
rebuttal), written with their expected answers from the schedules' TOML before the engine was
run on them. Three schedules of different shapes:

- ``S``, the shipped SOSP 2017 AI Systems Workshop (Pacific deadline, Shanghai workshop), asked
  on Sunday 10 September 2017, 16:00 in Beijing: the deadline is tomorrow afternoon there;
- ``C``, ``aicon32``: a conference whose abstract, paper, rebuttal, notification and
  camera-ready are all AoE, five days in Vancouver; asked on Tuesday 20 January 2032, 10:00
  in Beijing;
- ``V``, ``vmlw31``: a week in Vienna (CEST) with poster abstracts, visa letters, early and
  late registration, a tutorial day and four days of programme with times; asked on Thursday
  22 May 2031, 14:00 in Beijing (08:00 in Vienna).

Every reader sits in Beijing (Asia/Shanghai) unless the probe says otherwise. Every instant
below was worked out by hand (zoneinfo, not the engine): see the comments by each block.
The probes a fair reader would call wrong and that are not fixed yet are strict xfails,
each with its reason, in ``STILL_WRONG``.

Run on the engine as it was when they were written (main at a19a742): 189 of 206 right (17
wrong: exclusions read twice, an FAQ asked in other words, "late registration", 了没 and 这周末,
hours asked, 正式 read as a subject); after this round's fixes: 204 of 206.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.ask import hant
from tests.ask_probe import P, Schedules, wrong

ROOT = Path(__file__).resolve().parent
DATA = ROOT / "data" / "ask"
SCHEDULES = Schedules(
    files={"S": ROOT.parent / "schedules" / "aisys-sosp17.toml", "C": DATA / "aicon32.toml",
           "V": DATA / "vmlw31.toml"},
    now={"S": "2017-09-10T08:00:00+00:00", "C": "2032-01-20T02:00:00+00:00",
         "V": "2031-05-22T06:00:00+00:00"},
    reader={"S": "Asia/Shanghai", "C": "Asia/Shanghai", "V": "Asia/Shanghai"})

# --- S: aisys-sosp17 (UTC) -------------------------------------------------------------------
# abstract   2017-09-11 06:59  = Mon 11 Sep 14:59 Beijing, Sun 10 Sep 23:59 PDT,
#                                Mon 02:59 EDT, Mon 15:59 JST, Mon 07:59 BST; 22 h 59 min away
# notification all of Wed 20 Sep (Pacific): 9 days 23 hours away
# camera-ready all of Tue 10 Oct (Pacific); workshop all of Sat 28 Oct in Shanghai
S_ABS = "2017-09-11T06:59:00+00:00"
# --- C: aicon32 (UTC) -------------------------------------------------------------------------
# abstract   2032-01-24 11:59  = Fri 23 Jan 23:59 AoE, Sat 24 Jan 19:59 Beijing, 03:59 PST,
#                                06:59 EST, 20:59 JST; 4 days 9 hours away
# paper      2032-01-31 11:59  = Fri 30 Jan 23:59 AoE, Sat 31 Jan 19:59 Beijing, 03:59 PST;
#                                11 days 9 hours away
# rebuttal   Mon 15 Mar 00:00 AoE (20:00 Beijing) to Fri 19 Mar 23:59 AoE: 5 days
# notification all of Fri 9 April AoE; camera-ready Fri 7 May 23:59 AoE = Sat 8 May 19:59
# Beijing, 109 days 9 hours away; conference Mon 12 to Fri 16 July in Vancouver (5 days),
# 174 days 5 hours away
C_ABS = "2032-01-24T11:59:00+00:00"
C_PAPER = "2032-01-31T11:59:00+00:00"
C_CR = "2032-05-08T11:59:00+00:00"
# --- V: vmlw31 (UTC) --------------------------------------------------------------------------
# poster     2031-04-30 21:59  = Wed 30 Apr 23:59 CEST, Thu 1 May 05:59 Beijing: passed
# notification all of Tue 20 May (Vienna): passed
# visa       2031-05-23 15:00  = Fri 23 May 17:00 CEST, 23:00 Beijing, 08:00 PDT, Sat 00:00
#                                JST; 1 day 9 hours (33 hours) away: tomorrow
# early      2031-05-31 21:59  = Sat 31 May 23:59 CEST, Sun 1 Jun 05:59 Beijing, 14:59 PDT;
#                                9 days 15 hours away
# late       2031-06-27 21:59  = Fri 27 Jun 23:59 CEST, Sat 28 Jun 05:59 Beijing; 36 days
#                                15 hours away
# tutorials  all of Sun 6 July; week Mon 7 July 09:00 CEST (15:00 Beijing) to Thu 10 July
#                                17:30 CEST (23:30 Beijing): 4 days, 46 days 1 hour away
V_VISA = "2031-05-23T15:00:00+00:00"
V_EARLY = "2031-05-31T21:59:00+00:00"
V_LATE = "2031-06-27T21:59:00+00:00"
V_WEEK = "2031-07-07T07:00:00+00:00"

PROBES: tuple[P, ...] = (
    # ===== S: the shipped SOSP 2017 schedule ==================================================
    P("S", "ddl是几号？", f"zh ; d=abstract ; at={S_ABS} ; has=2017年9月11日星期一 14:59",
      "topic"),
    P("S", "DDL是几号", "zh ; d=abstract ; has=2017年9月11日", "mixed"),
    P("S", "海报摘要截止北京时间几点？", "zh ; d=abstract ; has=2017年9月11日星期一 14:59 ; "
      "has=中国标准时间", "zone"),
    P("S", "截稿是美西时间几点", "zh ; d=abstract ; has=2017年9月10日星期日 23:59", "zone"),
    P("S", "ddl 太平洋时间是几点？", "zh ; d=abstract ; has=2017年9月10日星期日 23:59 ; "
      "has=北美太平洋夏令时间", "zone"),
    P("S", "截止时间换成东部时间是几点？", "zh ; d=abstract ; has=2017年9月11日星期一 02:59",
      "zone"),
    P("S", "摘要截止日本时间几点", "zh ; d=abstract ; has=2017年9月11日星期一 15:59", "zone"),
    P("S", "截止是UTC+8几点？", "zh ; d=abstract ; has=14:59", "zone"),
    P("S", "截稿 UTC 几点", "zh ; d=abstract ; has=06:59", "zone"),
    P("S", "截止是伦敦时间几点？", "zh ; d=abstract ; has=2017年9月11日星期一 07:59", "zone"),
    P("S", "是明天截止吗？", "zh ; yes ; d=abstract", "relative"),
    P("S", "摘要是不是明天截止？", "zh ; yes ; d=abstract", "relative"),
    P("S", "明天有什么截止？", "zh ; d=abstract", "relative"),
    P("S", "还来得及投吗？", "zh ; yes ; d=abstract", "passed"),
    P("S", "截止了吗？", "zh ; no ; d=abstract", "passed"),
    P("S", "海报摘要还能交吗", "zh ; yes ; d=abstract", "passed"),
    P("S", "ddl还有多久", "zh ; d=abstract ; has=22小时59分钟", "countdown"),
    P("S", "离截稿还剩多少小时？", "zh ; d=abstract ; has=22小时59分钟", "countdown"),
    P("S", "截止还有几天？", "zh ; d=abstract ; has=22小时59分钟", "countdown"),
    P("S", "录用通知什么时候出？", "zh ; d=notification ; has=2017年9月20日", "topic"),
    P("S", "notification 几号", "zh ; d=notification ; has=2017年9月20日", "mixed"),
    P("S", "结果啥时候出来", "zh ; d=notification ; has=2017年9月20日", "colloquial"),
    P("S", "camera ready 几号交？", "zh ; d=camera-ready ; has=2017年10月10日", "mixed"),
    P("S", "终稿截止是星期几？", "zh ; d=camera-ready ; has=星期二", "weekday"),
    P("S", "研讨会哪天开？", "zh ; d=workshop ; has=2017年10月28日星期六", "topic"),
    P("S", "workshop是周六吗？", "zh ; yes ; d=workshop", "weekday"),
    P("S", "研讨会在哪里？", "zh ; has=Shanghai", "topic"),
    P("S", "会议在上海吗？", "zh ; yes", "topic"),
    P("S", "摘要延期了吗？", "zh ; yes ; d=abstract", "extend"),
    P("S", "页数限制是多少？", "zh ; has=2", "other"),
    P("S", "在哪个系统提交？", "zh ; has=CMT", "other"),
    P("S", "是双盲吗？", "zh ; no", "other"),
    P("S", "可以投6页的论文吗？", "zh ; has=不可以", "faq"),
    P("S", "摘要和录用通知分别是几号？", "zh ; d=abstract,notification", "multi"),
    P("S", "截稿和开会分别是哪天？", "zh ; d=abstract,workshop", "multi"),
    P("S", "有旅费资助吗？", "zh ; decline", "decline"),
    P("S", "注册截止是哪天？", "zh ; decline", "decline"),
    P("S", "rebuttal 什么时候？", "zh ; decline", "decline"),
    P("S", "有签证邀请函吗？", "zh ; decline", "decline"),
    P("S", "会场附近酒店怎么订？", "zh ; decline", "decline"),
    P("S", "有晚宴吗", "zh ; decline", "decline"),
    P("S", "截稿是幾號？北京時間", "zh ; d=abstract ; has=2017年9月11日星期一 14:59 ; "
      "has=中國標準時間", "hant"),
    P("S", "截止還有幾個小時？", "zh ; d=abstract ; has=22小時59分鐘", "hant"),
    P("S", "是明天截止嗎？", "zh ; yes ; d=abstract", "hant"),
    P("S", "錄取通知幾號出？", "zh ; d=notification ; has=2017年9月20日", "hant"),
    P("S", "研討會在哪裡？", "zh ; has=Shanghai", "hant"),
    P("S", "有旅費補助嗎？", "zh ; decline", "hant"),
    P("S", "截稿是美西時間幾點？", "zh ; d=abstract ; has=23:59 ; has=太平洋夏令時間", "hant"),
    # ===== C: aicon32, AoE ===================================================================
    P("C", "abstract ddl 是几号？", f"zh ; d=abstract ; at={C_ABS} ; "
      "has=2032年1月24日星期六 19:59", "mixed"),
    P("C", "ddl是几号", f"zh ; d=abstract ; at={C_ABS}", "mixed"),
    P("C", "摘要截止北京时间几点？", "zh ; d=abstract ; has=2032年1月24日星期六 19:59 ; "
      "has=中国标准时间", "zone"),
    P("C", "摘要截止是AoE几点？", "zh ; d=abstract ; has=2032年1月23日星期五 23:59", "zone"),
    P("C", "全文截止是什么时候？", f"zh ; d=paper ; at={C_PAPER} ; "
      "has=2032年1月31日星期六 19:59", "topic"),
    P("C", "paper deadline 北京时间几点", "zh ; d=paper ; has=2032年1月31日星期六 19:59",
      "mixed"),
    P("C", "full paper ddl 美西时间几点？", "zh ; d=paper ; has=2032年1月31日星期六 03:59 ; "
      "has=北美太平洋标准时间", "zone"),
    P("C", "全文截止东部时间是几点？", "zh ; d=paper ; has=2032年1月31日星期六 06:59", "zone"),
    P("C", "全文截止日本时间几点", "zh ; d=paper ; has=2032年1月31日星期六 20:59", "zone"),
    P("C", "摘要截止 UTC+8 是几点？", "zh ; d=abstract ; has=19:59", "zone"),
    P("C", "摘要截止东八区几点？", "zh ; d=abstract ; has=2032年1月24日星期六 19:59", "zone"),
    P("C", "AoE是什么时区？截止北京时间几点", "zh ; d=abstract ; has=UTC-12:00 ; has=19:59",
      "zone"),
    P("C", "截止是AoE还是北京时间？", "zh ; d=abstract ; has=AoE", "zone"),
    P("C", "全文截止是伦敦时间几点？", "zh ; d=paper ; has=2032年1月31日星期六 11:59", "zone"),
    P("C", "摘要截止首尔时间几点？", "zh ; d=abstract ; has=2032年1月24日星期六 20:59", "zone"),
    P("C", "摘要截止新加坡时间几点？", "zh ; d=abstract ; has=2032年1月24日星期六 19:59",
      "zone"),
    P("C", "rebuttal 什么时候开始？", "zh ; d=rebuttal ; has=2032年3月15日", "range"),
    P("C", "rebuttal期有几天？", "zh ; d=rebuttal ; has=5天", "range"),
    P("C", "作者回复期几号结束？", "zh ; d=rebuttal ; has=2032年3月19日", "range"),
    P("C", "反驳阶段北京时间几点开始？", "zh ; d=rebuttal ; has=2032年3月15日星期一 20:00",
      "zone"),
    P("C", "录用通知是哪天？", "zh ; d=notification ; has=2032年4月9日", "topic"),
    P("C", "notification 是星期几？", "zh ; d=notification ; has=星期五", "weekday"),
    P("C", "审稿结果什么时候出？", "zh ; d=notification ; has=2032年4月9日", "topic"),
    P("C", "camera ready ddl是几号？", f"zh ; d=camera-ready ; at={C_CR} ; "
      "has=2032年5月8日星期六 19:59", "mixed"),
    P("C", "终稿什么时候交？北京时间", "zh ; d=camera-ready ; has=2032年5月8日星期六 19:59",
      "zone"),
    P("C", "camera-ready还有多少天？", "zh ; d=camera-ready ; has=109天9小时", "countdown"),
    P("C", "会议几号开？", "zh ; d=conference ; has=2032年7月12日", "topic"),
    P("C", "会议开几天？", "zh ; d=conference ; has=5天", "range"),
    P("C", "会议几号到几号？", "zh ; d=conference ; has=2032年7月12日 ; has=2032年7月16日",
      "range"),
    P("C", "会议在哪儿开？", "zh ; has=Vancouver", "topic"),
    P("C", "会议在温哥华吗？", "zh ; yes", "topic"),
    P("C", "会议在多伦多吗？", "zh ; no ; has=Vancouver", "topic"),
    P("C", "距离开会还有多久？", "zh ; d=conference ; has=174天", "countdown"),
    P("C", "摘要还有几天截止？", "zh ; d=abstract ; has=4天9小时", "countdown"),
    P("C", "离全文ddl还剩几天", "zh ; d=paper ; has=11天9小时", "countdown"),
    P("C", "ddl还有多久啊", "zh ; d=abstract ; has=4天9小时", "countdown"),
    P("C", "摘要截止了吗？", "zh ; no ; d=abstract", "passed"),
    P("C", "全文还来得及吗？", "zh ; yes ; d=paper", "passed"),
    P("C", "摘要截止了吗？", "zh ; yes ; d=abstract", "passed", "2032-01-26T00:00:00+00:00"),
    P("C", "全文还能交吗？", "zh ; yes ; d=paper", "passed", "2032-01-26T00:00:00+00:00"),
    P("C", "全文截止了没", "zh ; yes ; d=paper", "passed", "2032-02-02T00:00:00+00:00"),
    P("C", "摘要是不是明天截止？", "zh ; no ; d=abstract", "relative"),
    P("C", "摘要是这周六截止吗？", "zh ; yes ; d=abstract", "relative"),
    P("C", "本周有截止吗？", "zh ; yes ; d=abstract", "relative"),
    P("C", "下周有什么截止？", "zh ; d=paper ; nodate=abstract", "relative"),
    P("C", "今天有截止吗？", "zh ; no", "relative"),
    P("C", "摘要截止是星期几？", "zh ; d=abstract ; has=星期六", "weekday"),
    P("C", "摘要截止在AoE是星期五吗？", "zh ; yes ; d=abstract", "weekday"),
    P("C", "摘要和全文分别几号截止？", "zh ; d=abstract,paper ; has=2032年1月24日 ; "
      "has=2032年1月31日", "multi"),
    P("C", "摘要和全文ddl北京时间分别几点？", "zh ; d=abstract,paper ; has=19:59", "multi"),
    P("C", "rebuttal和notification分别是什么时候？", "zh ; d=rebuttal,notification", "multi"),
    P("C", "全文截止几号？会议在哪？", "zh ; d=paper ; has=Vancouver", "multi"),
    P("C", "页数限制多少？", "zh ; has=9", "other"),
    P("C", "在哪投稿？", "zh ; has=OpenReview", "other"),
    P("C", "需要匿名吗？", "zh ; yes", "other"),
    P("C", "注册截止是哪天？", "zh ; decline", "decline"),
    P("C", "早鸟注册几号截止？", "zh ; decline", "decline"),
    P("C", "有签证邀请信吗？", "zh ; decline", "decline"),
    P("C", "有没有旅费资助？", "zh ; decline", "decline"),
    P("C", "workshop 的ddl是哪天？", "zh ; decline", "decline"),
    P("C", "海报什么时候截止？", "zh ; decline", "decline"),
    P("C", "晚宴在哪天？", "zh ; decline", "decline"),
    P("C", "注册费多少钱？", "zh ; decline", "decline"),
    P("C", "全文截止（不算摘要）是几号？", f"zh ; d=paper ; at={C_PAPER} ; nodate=abstract",
      "negation"),
    P("C", "不算摘要的话，下一个ddl是哪天？", "zh ; d=paper ; nodate=abstract ; "
      "has=除了Abstract submission", "negation"),
    P("C", "除了摘要，还有哪些截止日期？", "zh ; nodate=abstract ; has=除了Abstract submission ; "
      "has=2032年1月31日", "negation"),
    P("C", "先不管摘要，全文是几号？", "zh ; d=paper ; nodate=abstract", "negation"),
    P("C", "摘要截止時間是北京時間幾點？", "zh ; d=abstract ; has=2032年1月24日星期六 19:59 ; "
      "has=中國標準時間", "hant"),
    P("C", "全文截稿是幾號？", f"zh ; d=paper ; at={C_PAPER}", "hant"),
    P("C", "rebuttal期有幾天？", "zh ; d=rebuttal ; has=5天", "hant"),
    P("C", "錄取通知什麼時候出？", "zh ; d=notification ; has=2032年4月9日", "hant"),
    P("C", "會議在哪裡舉行？", "zh ; has=Vancouver", "hant"),
    P("C", "全文截止還有幾天？", "zh ; d=paper ; has=11天9小時 ; has=還有", "hant"),
    P("C", "摘要截止了嗎？", "zh ; no ; d=abstract", "hant"),
    P("C", "有簽證邀請函嗎？", "zh ; decline", "hant"),
    P("C", "註冊截止是哪天？", "zh ; decline", "hant"),
    P("C", "camera ready是台北時間幾點？", "zh ; d=camera-ready ; has=2032年5月8日星期六 19:59 ; "
      "has=台北標準時間", "hant"),
    P("C", "全文截止是太平洋時間幾點？", "zh ; d=paper ; has=03:59 ; has=太平洋標準時間", "hant"),
    P("C", "會議開幾天？", "zh ; d=conference ; has=5天", "hant"),
    # ===== V: vmlw31, Vienna ==================================================================
    P("V", "ddl是几号", f"zh ; d=visa ; at={V_VISA}", "mixed"),
    P("V", "海报摘要什么时候截止？", "zh ; d=poster ; has=2031年4月30日", "topic"),
    P("V", "poster abstract截止了吗？", "zh ; yes ; d=poster", "passed"),
    P("V", "海报还能投吗？", "zh ; no ; d=poster", "passed"),
    P("V", "海报录用通知出了吗？", "zh ; yes ; d=notification", "passed"),
    P("V", "录用结果是哪天出的？", "zh ; d=notification ; has=2031年5月20日", "topic"),
    P("V", "签证邀请函几号截止？", f"zh ; d=visa ; at={V_VISA} ; "
      "has=2031年5月23日星期五 23:00", "topic"),
    P("V", "visa letter 最晚什么时候申请？", "zh ; d=visa ; has=2031年5月23日", "mixed"),
    P("V", "签证信截止维也纳时间几点？", "zh ; d=visa ; has=2031年5月23日星期五 17:00 ; "
      "has=中欧夏令时间", "zone"),
    P("V", "签证邀请函截止是美西时间几点？", "zh ; d=visa ; has=2031年5月23日星期五 08:00",
      "zone"),
    P("V", "签证信截止日本时间几点？", "zh ; d=visa ; has=2031年5月24日星期六 00:00", "zone"),
    P("V", "签证信是明天截止吗？", "zh ; yes ; d=visa", "relative"),
    P("V", "签证邀请函是不是今天截止？", "zh ; no ; d=visa", "relative"),
    P("V", "明天截止的是什么？", "zh ; d=visa", "relative"),
    P("V", "签证信还来得及申请吗？", "zh ; yes ; d=visa", "passed"),
    P("V", "签证邀请函还剩多少小时？", "zh ; d=visa ; has=33小时", "countdown"),
    P("V", "签证信截止还有多久？", "zh ; d=visa ; has=1天9小时", "countdown"),
    P("V", "早鸟注册几号截止？", f"zh ; d=early ; at={V_EARLY} ; has=2031年6月1日星期日 05:59",
      "topic"),
    P("V", "early bird 什么时候截止？", f"zh ; d=early ; at={V_EARLY}", "mixed"),
    P("V", "早期注册截止是维也纳时间几点？", "zh ; d=early ; has=2031年5月31日星期六 23:59",
      "zone"),
    P("V", "早鸟注册截止中欧时间几点", "zh ; d=early ; has=2031年5月31日星期六 23:59", "zone"),
    P("V", "早鸟还有几天？", "zh ; d=early ; has=9天15小时", "countdown"),
    P("V", "早鸟注册还来得及吗？", "zh ; yes ; d=early", "passed"),
    P("V", "早鸟注册截止是周末吗？", "zh ; yes ; d=early", "weekday"),
    P("V", "晚期注册什么时候截止？", f"zh ; d=late ; at={V_LATE} ; has=2031年6月28日星期六 05:59",
      "topic"),
    P("V", "late registration 截止是维也纳时间几点？", "zh ; d=late ; "
      "has=2031年6月27日星期五 23:59", "mixed"),
    P("V", "注册最晚几号？", f"zh ; d=late ; at={V_LATE}", "topic"),
    P("V", "早鸟过了还能注册吗？", "zh ; yes ; has=2031年6月28日", "passed",
      "2031-06-05T00:00:00+00:00"),
    P("V", "注册还来得及吗？", "zh ; yes ; d=late", "passed", "2031-06-05T00:00:00+00:00"),
    P("V", "注册截止了吗？", "zh ; yes ; d=late", "passed", "2031-06-30T00:00:00+00:00"),
    P("V", "晚期注册还剩几天？", "zh ; d=late ; has=36天15小时", "countdown"),
    P("V", "早鸟和晚期注册分别几号截止？", "zh ; d=early,late ; has=2031年6月1日 ; "
      "has=2031年6月28日", "multi"),
    P("V", "注册（不是早鸟）截止是哪天？", f"zh ; d=late ; at={V_LATE} ; nodate=early",
      "negation"),
    P("V", "不算早鸟，注册最晚几号？", "zh ; d=late ; nodate=early ; "
      "has=除了Early registration", "negation"),
    P("V", "注册费多少钱？", "zh ; has=250 欧元", "faq"),
    P("V", "学生注册费是多少？", "zh ; has=150 欧元", "faq"),
    P("V", "教程是哪天？", "zh ; d=tutorials ; has=2031年7月6日星期日", "topic"),
    P("V", "tutorial 是周日吗？", "zh ; yes ; d=tutorials", "weekday"),
    P("V", "正式会议几号开始？", f"zh ; d=week ; at={V_WEEK} ; has=2031年7月7日星期一", "topic"),
    P("V", "会议开几天？", "zh ; d=week ; has=4天", "range"),
    P("V", "会议几号结束？", "zh ; d=week ; has=2031年7月10日星期四", "range"),
    P("V", "会议第一天几点开始？北京时间", "zh ; d=week ; has=15:00", "zone"),
    P("V", "会议几点结束？维也纳时间", "zh ; d=week ; has=17:30", "range"),
    P("V", "会议在哪里开？", "zh ; has=TU Wien", "topic"),
    P("V", "会议在维也纳吗？", "zh ; yes", "topic"),
    P("V", "会议在柏林吗？", "zh ; no ; has=Vienna", "topic"),
    P("V", "距离开会还有几天？", "zh ; d=week ; has=46天", "countdown"),
    P("V", "下周有什么截止？", "zh ; d=early", "relative"),
    P("V", "这周末有截止吗？", "zh ; no", "relative"),
    P("V", "今天有截止吗？", "zh ; no", "relative"),
    P("V", "签证信和早鸟注册分别是几号？", "zh ; d=visa,early", "multi"),
    P("V", "海报截止和录用通知分别是哪天？", "zh ; d=poster,notification", "multi"),
    P("V", "签证邀请函几号截止？注册费多少？", "zh ; d=visa ; has=250 欧元", "multi"),
    P("V", "页数限制是多少？", "zh ; has=2", "other"),
    P("V", "在哪个系统投稿？", "zh ; has=EasyChair", "other"),
    P("V", "camera ready 什么时候交？", "zh ; decline", "decline"),
    P("V", "rebuttal几号开始？", "zh ; decline", "decline"),
    P("V", "有旅费资助吗？", "zh ; decline", "decline"),
    P("V", "会议提供午餐吗？", "zh ; decline", "decline"),
    P("V", "有晚宴吗？", "zh ; decline", "decline"),
    P("V", "附近酒店有推荐吗？", "zh ; decline", "decline"),
    P("V", "口头报告名单什么时候公布？", "zh ; decline", "decline"),
    P("V", "全文投稿几号截止？", "zh ; decline", "decline"),
    P("V", "簽證邀請函幾號截止？", f"zh ; d=visa ; at={V_VISA} ; has=中國標準時間", "hant"),
    P("V", "簽證信是明天截止嗎？", "zh ; yes ; d=visa", "hant"),
    P("V", "早鳥註冊還有幾天？", "zh ; d=early ; has=9天15小時", "hant"),
    P("V", "早鳥註冊截止是維也納時間幾點？", "zh ; d=early ; has=23:59 ; has=中歐夏令時間",
      "hant"),
    P("V", "晚期註冊什麼時候截止？", f"zh ; d=late ; at={V_LATE}", "hant"),
    P("V", "海報摘要截止了嗎？", "zh ; yes ; d=poster", "hant"),
    P("V", "會議開幾天？", "zh ; d=week ; has=4天", "hant"),
    P("V", "會議在哪裡？", "zh ; has=TU Wien", "hant"),
    P("V", "註冊費多少？", "zh ; has=250", "hant"),
    P("V", "有旅費補助嗎？", "zh ; decline", "hant"),
    P("V", "教程是禮拜幾？", "zh ; d=tutorials ; has=星期日", "hant"),
)

# Readers elsewhere: a student in California, one in Tokyo.
ELSEWHERE: tuple[P, ...] = (
    P("C", "摘要截止我这边几点？", "zh ; d=abstract ; has=2032年1月24日星期六 03:59", "zone",
      reader="America/Los_Angeles"),
    P("C", "全文截止还有几天？", "zh ; d=paper ; has=11天9小时", "countdown",
      reader="America/Los_Angeles"),
    P("V", "签证信截止是几点？", "zh ; d=visa ; has=2031年5月23日星期五 08:00", "zone",
      reader="America/Los_Angeles"),
    P("V", "早鸟注册截止北京时间几点？", "zh ; d=early ; has=2031年6月1日星期日 05:59", "zone",
      reader="Asia/Tokyo"),
    P("S", "截稿是北京时间几点？", "zh ; d=abstract ; has=2017年9月11日星期一 14:59", "zone",
      reader="America/New_York"),
)

STILL_WRONG: dict[str, str] = {
    "C:workshop 的ddl是哪天？": "'workshop' is the event concept whatever the schedule calls "
    "its event: on a conference with no workshops it answers the conference's own dates "
    "(no deadline at all) instead of saying the schedule has no workshop deadline",
    "V:camera ready 什么时候交？": "a date kind the schedule lacks (camera-ready) is declined, "
    "then the next date is offered (下一个日期：the visa letters), by design in both "
    "languages: no wrong date, but more than the bare decline this probe asks for",
}
"""Probes still wrong after this round's fixes, by ``_key`` (schedule:question[@now]): why
(each a strict xfail)."""

ALL = (*PROBES, *ELSEWHERE)


def _key(p: P) -> str:
    return f"{p.schedule}:{p.question}" + (f"@{p.now[:10]}" if p.now else "") + (
        f"@{p.reader}" if p.reader else "")


def _id(p: P) -> str:
    return _key(p)[:40]


def test_enough_fourth_round_probes() -> None:
    assert len(ALL) >= 200
    assert {p.schedule for p in ALL} == {"S", "C", "V"}
    assert sum(p.cat == "hant" for p in ALL) >= 30
    assert sum("decline" in p.expect for p in ALL) >= 25
    assert all("zh" in p.expect.split(" ; ") for p in ALL)


def test_the_fourth_round_as_a_table() -> None:
    """Prints right answers by category (the xfails below say which are still wrong)."""
    misses = SCHEDULES.misses("Chinese held-out probes, fourth round", ALL)
    assert len(misses) == len(STILL_WRONG), "\n".join(misses)
    assert set(STILL_WRONG) <= {_key(p) for p in ALL}


@pytest.mark.parametrize("probe", ALL, ids=_id)
def test_a_fourth_round_probe_gets_what_a_fair_reader_expects(probe: P,
                                                              request: pytest.FixtureRequest
                                                              ) -> None:
    if _key(probe) in STILL_WRONG:
        request.applymarker(pytest.mark.xfail(reason=STILL_WRONG[_key(probe)], strict=True))
    reply = SCHEDULES.ask(probe)
    bad = wrong(probe, reply)
    assert not bad, f"{'; '.join(bad)}\n{reply.text}"


@pytest.mark.parametrize("probe", [p for p in ALL if "decline" in p.expect], ids=_id)
def test_a_fourth_round_unheld_subject_is_never_given_a_date(probe: P,
                                                           request: pytest.FixtureRequest
                                                           ) -> None:
    if _key(probe) in STILL_WRONG:
        request.applymarker(pytest.mark.xfail(reason=STILL_WRONG[_key(probe)], strict=True))
    assert SCHEDULES.ask(probe).dates == ()


@pytest.mark.parametrize("probe", [p for p in ALL if hant.is_traditional(p.question)], ids=_id)
def test_a_fourth_round_traditional_question_is_answered_in_traditional(probe: P) -> None:
    reply = SCHEDULES.ask(probe)
    event = SCHEDULES.event(probe.schedule)
    text = reply.text
    for kept in sorted([event.name, *(d.title for d in event.dates)], key=len, reverse=True):
        text = text.replace(kept, "")
    assert reply.traditional and not {c for c in text if c in hant.TO_HANT}, reply.text
