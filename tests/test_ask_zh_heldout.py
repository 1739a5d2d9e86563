"""Chinese questions, Simplified and Traditional, as mainland, Taiwan and Hong Kong participants
write them, colloquial and formal, against nine schedules, written from the schedules' TOML
before the engine was run on them (each expected instant, zone and weekday worked out by hand
from the file). A new schedule (``twws30``: Taipei, two abstract deadlines, an extended paper,
an oral-presentation schedule, visa letters, travel grants) holds what the others lack.

Readers sit in Taipei, Hong Kong or Shanghai (UTC+08:00), so a date's own zone and the
reader's differ by a day for the European and American deadlines. The expectation language is
``tests/ask_probe.py``'s; ``has=`` strings of a Traditional question are in Traditional.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.ask import hant
from tests.ask_probe import P, Schedules, wrong

ROOT = Path(__file__).resolve().parent
DATA = ROOT / "data" / "ask"
FILES = {"T": DATA / "twws30.toml", "D": DATA / "dsw26.toml", "I": DATA / "icds27.toml",
         "A": DATA / "apsys29.toml", "L": DATA / "mlss28.toml", "B": DATA / "eurosys28.toml",
         "K": DATA / "mlt26.toml", "C": DATA / "ccfsys26.toml", "N": DATA / "nyws29.toml",
         "S": ROOT.parent / "schedules" / "aisys-sosp17.toml"}
NOW = {"T": "2030-02-20T00:00:00+00:00", "D": "2026-08-20T08:00:00+00:00",
       "I": "2027-03-01T00:00:00+00:00", "A": "2028-11-01T00:00:00+00:00",
       "L": "2028-03-10T06:00:00+00:00", "B": "2027-10-01T00:00:00+00:00",
       "K": "2026-07-01T00:00:00+00:00", "C": "2026-03-01T00:00:00+00:00",
       "S": "2017-09-01T12:00:00+00:00", "N": "2029-01-15T00:00:00+00:00"}
READER = {"T": "Asia/Taipei", "D": "Asia/Hong_Kong", "I": "Asia/Taipei", "A": "Asia/Hong_Kong",
          "L": "Asia/Shanghai", "B": "Asia/Shanghai", "K": "Asia/Taipei", "C": "Asia/Shanghai",
          "S": "Asia/Shanghai", "N": "Asia/Shanghai"}

# Instants (UTC) of twws30, every time in Taipei (UTC+08:00): a deadline's close, else start.
T_ABS = "2030-03-01T15:59:00+00:00"      # 23:59 on Friday 1 March 2030
T_PAPER = "2030-03-15T15:59:00+00:00"    # 23:59 on Friday 15 March (was Friday 8 March)
T_POSTER = "2030-04-10T15:59:00+00:00"   # 23:59 on Wednesday 10 April
T_NOTIF = "2030-04-19T16:00:00+00:00"    # all of Saturday 20 April
T_ORAL = "2030-05-01T16:00:00+00:00"     # all of Thursday 2 May
T_VISA = "2030-05-10T09:00:00+00:00"     # 17:00 on Friday 10 May
T_TRAVEL = "2030-05-15T15:59:00+00:00"   # 23:59 on Wednesday 15 May
T_CR = "2030-05-20T15:59:00+00:00"       # 23:59 on Monday 20 May
T_EARLY = "2030-05-31T15:59:00+00:00"    # 23:59 on Friday 31 May
T_WS = "2030-06-24T01:00:00+00:00"       # 09:00 Monday 24 June to 17:00 Wednesday 26 June
T_BETWEEN = "2030-03-05T00:00:00+00:00"  # the paper abstract passed, the poster one not
T_ALL_ABS = "2030-04-15T00:00:00+00:00"  # both abstracts passed
D_SUB = "2026-08-31T10:00:00+00:00"      # 12:00 CEST on Monday 31 August 2026
D_VISA = "2026-09-10T15:00:00+00:00"     # 17:00 CEST on Thursday 10 September
D_CR = "2026-10-05T16:00:00+00:00"       # 18:00 CEST Monday 5 October: 00:00 Tuesday in HK
D_REG = "2026-10-16T21:59:00+00:00"      # 23:59 CEST Friday 16 October: 05:59 Saturday in HK
D_TUT = "2026-10-25T08:00:00+00:00"      # 09:00 CET on Sunday 25 October (clocks changed)
D_WS = "2026-10-26T08:00:00+00:00"       # 09:00 CET Monday 26 to 17:30 Tuesday 27 October
I_PREG = "2027-03-06T11:59:00+00:00"     # 23:59 AoE Friday 5 March 2027
I_PAPER = "2027-03-13T11:59:00+00:00"    # 23:59 AoE Friday 12 March
I_CR = "2027-06-02T11:59:00+00:00"       # 23:59 AoE Tuesday 1 June
I_EARLY = "2027-06-16T02:59:00+00:00"    # 23:59 São Paulo Tuesday 15 June
I_REG = "2027-07-21T02:59:00+00:00"      # 23:59 São Paulo Tuesday 20 July
A_ABS = "2028-11-10T12:59:00+00:00"      # 23:59 AEDT Friday 10 November 2028
A_PAPER = "2028-11-24T12:59:00+00:00"    # 23:59 AEDT Friday 24 November (was 17th)
A_TRAVEL = "2029-02-01T12:59:00+00:00"   # 23:59 AEDT Thursday 1 February 2029
A_CR = "2029-02-10T12:59:00+00:00"       # 23:59 AEDT Saturday 10 February
L_APP = "2028-03-15T18:29:00+00:00"      # 23:59 UTC+05:30 Wednesday 15 March 2028
L_GRANT = "2028-03-29T18:29:00+00:00"
L_CONFIRM = "2028-05-05T11:30:00+00:00"  # 17:00 UTC+05:30 Friday 5 May
B_ABS = "2027-10-09T11:59:00+00:00"      # 23:59 AoE Friday 8 October 2027
B_PAPER = "2027-10-16T11:59:00+00:00"    # 23:59 AoE Friday 15 October
B_CR = "2028-02-21T11:59:00+00:00"       # 23:59 AoE Sunday 20 February 2028
K_SUB = "2026-07-10T14:59:00+00:00"      # 23:59 JST Friday 10 July 2026
K_CR = "2026-08-28T08:00:00+00:00"       # 17:00 JST Friday 28 August
C_R1 = "2026-03-15T15:59:00+00:00"       # 23:59 CST Sunday 15 March 2026 (was 8 March)
S_ABS = "2017-09-11T06:59:00+00:00"      # 23:59 PDT Sunday 10 September 2017

PROBES: tuple[P, ...] = (
    # ===== twws30 (Taipei), Simplified ====================================================
    P("T", "论文摘要什么时候截止？", f"zh ; d=abstract ; at={T_ABS} ; "
      "has=2030年3月1日星期五 23:59 ; has=9天15小时", "topic"),
    P("T", "全文投稿截止日期是哪天？", f"zh ; d=paper ; at={T_PAPER} ; has=2030年3月15日星期五",
      "topic"),
    P("T", "海报摘要几号截止？", f"zh ; d=poster ; at={T_POSTER} ; has=2030年4月10日", "topic"),
    P("T", "海报摘要截止是星期几？", "zh ; d=poster ; has=星期三", "weekday"),
    P("T", "录用通知什么时候出？", f"zh ; d=notification ; at={T_NOTIF} ; has=2030年4月20日",
      "topic"),
    P("T", "口头报告的安排什么时候公布？", f"zh ; d=oral ; at={T_ORAL} ; has=2030年5月2日",
      "topic"),
    P("T", "签证邀请函最晚几号申请？", f"zh ; d=visa ; at={T_VISA} ; has=2030年5月10日星期五 17:00",
      "topic"),
    P("T", "学生旅费资助什么时候截止？", f"zh ; d=travel ; at={T_TRAVEL} ; has=2030年5月15日",
      "topic"),
    P("T", "相机就绪稿什么时候交？", f"zh ; d=camera-ready ; at={T_CR} ; has=2030年5月20日星期一",
      "topic"),
    P("T", "终稿几号截止？", f"zh ; d=camera-ready ; at={T_CR}", "topic"),
    P("T", "camera-ready 是几号？", f"zh ; d=camera-ready ; at={T_CR}", "topic"),
    P("T", "早期注册截止是哪天？", f"zh ; d=early ; at={T_EARLY} ; has=2030年5月31日星期五",
      "topic"),
    P("T", "研讨会什么时候开？", f"zh ; d=workshop ; at={T_WS} ; has=2030年6月24日星期一",
      "topic"),
    P("T", "会议开几天？", "zh ; d=workshop ; has=3天", "range"),
    P("T", "研讨会是周一开始吗？", "zh ; yes ; d=workshop", "weekday"),
    P("T", "研讨会几号结束？", "zh ; d=workshop ; has=2030年6月26日", "range"),
    P("T", "全文截稿延期了吗？", "zh ; yes ; d=paper ; has=2030年3月8日", "extend"),
    P("T", "原来的全文截止日期是哪天？", "zh ; d=paper ; has=2030年3月8日", "extend"),
    P("T", "摘要截止还有几天？", "zh ; d=abstract ; has=9天", "countdown"),
    P("T", "离全文截稿还有多久？", "zh ; d=paper ; has=23天15小时", "countdown"),
    P("T", "论文摘要截止是美西时间几点？", "zh ; d=abstract ; has=2030年3月1日星期五 07:59",
      "zone"),
    P("T", "全文截止换成东部时间是几点？", "zh ; d=paper ; has=2030年3月15日星期五 11:59", "zone"),
    P("T", "全文截止日本时间几点", "zh ; d=paper ; has=2030年3月16日星期六 00:59", "zone"),
    P("T", "签证信截止按太平洋时间是几点？", "zh ; d=visa ; has=2030年5月10日星期五 02:00", "zone"),
    P("T", "研讨会开幕是美西时间几点？", "zh ; d=workshop ; has=2030年6月23日星期日 18:00", "zone"),
    P("T", "摘要截止北京时间几点？", "zh ; d=abstract ; has=2030年3月1日星期五 23:59", "zone"),
    P("T", "全文截止是UTC几点？", "zh ; d=paper ; has=15:59", "zone"),
    P("T", "摘要截止了吗？", "zh ; d=abstract ; dates=abstract,poster ; not=是的 ; "
      "has=2030年3月1日 ; has=2030年4月10日", "passed", T_BETWEEN),
    P("T", "摘要截止了吗？", "zh ; yes ; dates=abstract,poster", "passed", T_ALL_ABS),
    P("T", "全文截止了吗？", "zh ; no ; d=paper", "passed", T_BETWEEN),
    P("T", "海报摘要还能交吗？", "zh ; yes ; d=poster", "passed", T_BETWEEN),
    P("T", "注册（不是论文摘要注册）几号截止？", f"zh ; d=early ; at={T_EARLY} ; nodate=abstract",
      "negation"),
    P("T", "注册截止是哪天？不是摘要注册，是会议注册", "zh ; d=early ; nodate=abstract",
      "negation"),
    P("T", "我问的是海报摘要，而不是论文摘要，几号截止？", "zh ; d=poster ; nodate=abstract",
      "negation"),
    P("T", "请问本次研讨会的全文提交截止时间是何时？", f"zh ; d=paper ; at={T_PAPER}", "formal"),
    P("T", "烦请告知录用通知的发布日期。", "zh ; d=notification", "formal"),
    P("T", "ddl是啥时候啊", f"zh ; d=abstract ; at={T_ABS}", "colloquial"),
    P("T", "会议在哪里开？", "zh ; has=National Taiwan University", "topic"),
    P("T", "注册费多少钱？", "zh ; decline", "decline"),
    P("T", "会场附近有酒店推荐吗？", "zh ; decline", "decline"),
    P("T", "有最佳海报奖吗？", "zh ; decline", "decline"),
    # ===== twws30, Traditional (Taiwan and Hong Kong) ======================================
    P("T", "論文摘要什麼時候截止？", f"zh ; d=abstract ; at={T_ABS} ; "
      "has=2030年3月1日星期五 23:59 ; has=台北標準時間", "hant"),
    P("T", "海報摘要幾號截止？", f"zh ; d=poster ; at={T_POSTER} ; has=2030年4月10日", "hant"),
    P("T", "口頭報告的時程何時公布？", f"zh ; d=oral ; at={T_ORAL}", "hant"),
    P("T", "簽證邀請函申請截止是幾號？", f"zh ; d=visa ; at={T_VISA} ; has=2030年5月10日",
      "hant"),
    P("T", "學生旅費補助什麼時候截止？", f"zh ; d=travel ; at={T_TRAVEL}", "hant"),
    P("T", "最終版論文何時要交？", f"zh ; d=camera-ready ; at={T_CR}", "hant"),
    P("T", "研討會開幾天？", "zh ; d=workshop ; has=3天", "hant"),
    P("T", "全文截稿延期了嗎？", "zh ; yes ; d=paper ; has=2030年3月8日 ; has=延", "hant"),
    P("T", "摘要截止了嗎？", "zh ; d=abstract ; dates=abstract,poster ; not=是的 ; "
      "has=2030年3月1日 ; has=2030年4月10日", "hant", T_BETWEEN),
    P("T", "全文截止是香港時間幾點？", "zh ; d=paper ; has=2030年3月15日星期五 23:59 ; "
      "has=香港標準時間", "hant"),
    P("T", "全文截止換成美東時間是幾點？", "zh ; d=paper ; has=11:59 ; not=东 ; not=时间", "hant"),
    P("T", "研討會在哪裡舉行？", "zh ; has=National Taiwan University ; not=点", "hant"),
    P("T", "什麼時候放榜？", f"zh ; d=notification ; at={T_NOTIF}", "hant"),
    P("T", "早鳥註冊幾號截止？", f"zh ; d=early ; at={T_EARLY}", "hant"),
    P("T", "註冊費多少？", "zh ; decline", "hant"),
    P("T", "摘要截止還有幾天？", "zh ; d=abstract ; has=9天 ; has=還有", "hant"),
    P("T", "海報摘要截止是禮拜幾？", "zh ; d=poster ; has=星期三", "hant"),
    # ===== dsw26 (Munich, CEST -> CET), reader in Hong Kong ===============================
    P("D", "投稿截止是什么时候？", f"zh ; d=submission ; at={D_SUB} ; "
      "has=2026年8月31日星期一 12:00 ; has=2026年8月31日星期一 18:00 ; has=11天2小时", "topic"),
    P("D", "论文截稿东部时间几点？", "zh ; d=submission ; has=2026年8月31日星期一 06:00", "zone"),
    P("D", "投稿截止换算成日本时间是几点？", "zh ; d=submission ; has=19:00", "zone"),
    P("D", "截稿是台北時間幾點？", "zh ; d=submission ; has=2026年8月31日星期一 18:00", "zone"),
    P("D", "签证邀请信几号截止？", f"zh ; d=visa ; at={D_VISA} ; has=2026年9月10日星期四 17:00",
      "topic"),
    P("D", "签证截止是太平洋时间几点？", "zh ; d=visa ; has=2026年9月10日星期四 08:00", "zone"),
    P("D", "相机就绪稿北京时间几点截止？", f"zh ; d=camera-ready ; at={D_CR} ; "
      "has=2026年10月6日星期二 00:00", "zone"),
    P("D", "终稿提交截止是星期几？", "zh ; d=camera-ready ; has=星期一", "weekday"),
    P("D", "注册截止那天是星期几？", f"zh ; d=registration ; at={D_REG} ; has=星期五", "weekday"),
    P("D", "注册截止是香港时间几点？", "zh ; d=registration ; has=2026年10月17日星期六 05:59",
      "zone"),
    P("D", "教程几点开始？", f"zh ; d=tutorial ; at={D_TUT} ; has=09:00", "topic"),
    P("D", "研讨会开几天？", "zh ; d=workshop ; has=2天", "range"),
    P("D", "研讨会是星期几开始？", f"zh ; d=workshop ; at={D_WS} ; has=星期一", "weekday"),
    P("D", "研讨会在哪儿？", "zh ; has=TUM Garching", "topic"),
    P("D", "投稿截止还有几天？", "zh ; d=submission ; has=11天", "countdown"),
    P("D", "签证邀请函截止了吗？", "zh ; yes ; d=visa", "passed", "2026-09-15T00:00:00+00:00"),
    P("D", "投稿延期了吗？", "zh ; no ; d=submission", "extend"),
    P("D", "有旅费资助吗？", "zh ; decline", "decline"),
    P("D", "海报什么时候截止？", "zh ; decline", "decline"),
    P("D", "口头报告几号公布？", "zh ; decline", "decline"),
    P("D", "簽證邀請函幾號截止？", f"zh ; d=visa ; at={D_VISA} ; has=中歐夏令時間", "hant"),
    P("D", "研討會開幾天？", "zh ; d=workshop ; has=2天", "hant"),
    P("D", "相機就緒稿香港時間幾點截止？", "zh ; d=camera-ready ; "
      "has=2026年10月6日星期二 00:00 ; has=香港標準時間", "hant"),
    P("D", "有差旅補助嗎？", "zh ; decline", "hant"),
    # ===== icds27 (AoE, São Paulo), reader in Taipei =====================================
    P("I", "论文注册什么时候截止？", f"zh ; d=paper-registration ; at={I_PREG} ; "
      "has=2027年3月5日星期五 23:59 ; has=5天11小时", "topic"),
    P("I", "全文截稿香港時間幾點？", f"zh ; d=paper ; at={I_PAPER} ; "
      "has=2027年3月13日星期六 19:59", "zone"),
    P("I", "全文截止是美东时间几点？", "zh ; d=paper ; has=2027年3月13日星期六 06:59", "zone"),
    P("I", "全文截止太平洋时间几点", "zh ; d=paper ; has=03:59", "zone"),
    P("I", "反驳期多长？", "zh ; d=rebuttal ; has=4天", "range"),
    P("I", "rebuttal几号开始？", "zh ; d=rebuttal ; has=2027年4月20日", "topic"),
    P("I", "相机就绪版几号交？", f"zh ; d=camera-ready ; at={I_CR} ; has=2027年6月1日星期二",
      "topic"),
    P("I", "会议开几天？", "zh ; d=conference ; has=3天", "range"),
    P("I", "注册（不是论文注册）什么时候截止？", "zh ; nodate=paper-registration ; "
      "has=2027年7月20日", "negation"),
    P("I", "我问的是会议注册，而不是论文注册：最晚几号？", f"zh ; d=registration ; at={I_REG} ; "
      "nodate=paper-registration", "negation"),
    P("I", "早鸟注册北京时间几点截止？", f"zh ; d=early-bird ; at={I_EARLY} ; "
      "has=2027年6月16日星期三 10:59", "zone"),
    P("I", "截止日期都过了吗？", "zh ; not=是的 ; has=2027年3月5日 ; has=2027年3月12日", "passed",
      "2027-03-08T00:00:00+00:00"),
    P("I", "论文注册截止了吗？", "zh ; yes ; d=paper-registration", "passed",
      "2027-03-08T00:00:00+00:00"),
    P("I", "全文还来得及交吗？", "zh ; yes ; d=paper", "passed", "2027-03-08T00:00:00+00:00"),
    P("I", "有签证邀请函吗？", "zh ; decline", "decline"),
    P("I", "有学生旅费资助吗？", "zh ; decline", "decline"),
    P("I", "海报几号截止？", "zh ; decline", "decline"),
    P("I", "會議註冊（不是論文註冊）幾號截止？", "zh ; nodate=paper-registration ; "
      "has=2027年7月20日", "hant"),
    P("I", "全文截稿是星期幾？", "zh ; d=paper ; has=星期五", "hant"),
    P("I", "反駁期有幾天？", "zh ; d=rebuttal ; has=4天", "hant"),
    # ===== apsys29 (Sydney), reader in Hong Kong ==========================================
    P("A", "摘要截止香港时间几点？", f"zh ; d=abstract ; at={A_ABS} ; "
      "has=2028年11月10日星期五 20:59", "zone"),
    P("A", "論文截稿台北時間幾點？", f"zh ; d=paper ; at={A_PAPER} ; "
      "has=2028年11月24日星期五 20:59", "zone"),
    P("A", "全文截止是UTC+8几点？", "zh ; d=paper ; has=20:59 ; has=UTC+08:00", "zone"),
    P("A", "论文截止延期了吗？原来是哪天？", "zh ; yes ; d=paper ; has=2028年11月17日", "extend"),
    P("A", "旅费资助几号截止？", f"zh ; d=travel ; at={A_TRAVEL} ; has=2029年2月1日星期四",
      "topic"),
    P("A", "终稿截止是星期几？", f"zh ; d=camera-ready ; at={A_CR} ; has=星期六", "weekday"),
    P("A", "会议开几天？", "zh ; d=conference ; has=4天", "range"),
    P("A", "会议几号开始几号结束？", "zh ; d=conference ; has=2029年3月30日 ; has=2029年4月2日",
      "range"),
    P("A", "摘要还有几天截止？", "zh ; d=abstract ; has=9天12小时", "countdown"),
    P("A", "有海报环节吗？", "zh ; decline", "decline"),
    P("A", "旅費補助幾號截止？", f"zh ; d=travel ; at={A_TRAVEL}", "hant"),
    P("A", "會議開幾天？", "zh ; d=conference ; has=4天", "hant"),
    # ===== mlss28 (UTC+05:30), reader in Shanghai =========================================
    P("L", "申请截止北京时间几点？", f"zh ; d=application ; at={L_APP} ; "
      "has=2028年3月16日星期四 02:29", "zone"),
    P("L", "申请还有几天截止？", "zh ; d=application ; has=5天12小时", "countdown"),
    P("L", "旅费资助申请几号截止？", f"zh ; d=grant ; at={L_GRANT} ; has=2028年3月29日", "topic"),
    P("L", "确认参加最晚几点？", f"zh ; d=confirm ; at={L_CONFIRM} ; has=17:00", "topic"),
    P("L", "暑期学校开几天？", "zh ; d=school ; has=12天", "range"),
    P("L", "课程星期几开始？", "zh ; d=school ; has=星期六", "weekday"),
    P("L", "旅費補助申請截止了嗎？", "zh ; no ; d=grant", "hant"),
    P("L", "有签证邀请信吗？", "zh ; decline", "decline"),
    # ===== eurosys28 (AoE, Berlin), reader in Shanghai ====================================
    P("B", "摘要注册北京时间几点截止？", f"zh ; d=abstract ; at={B_ABS} ; "
      "has=2027年10月9日星期六 19:59", "zone"),
    P("B", "截止日期（不是摘要）是什么时候？", f"zh ; d=paper ; at={B_PAPER} ; nodate=abstract",
      "negation"),
    P("B", "全文（而不是摘要）几号截止？", f"zh ; d=paper ; at={B_PAPER} ; nodate=abstract",
      "negation"),
    P("B", "作者回复期有几天？", "zh ; d=response ; has=4天", "range"),
    P("B", "相机就绪稿几号交？", f"zh ; d=camera-ready ; at={B_CR} ; has=2028年2月20日星期日",
      "topic"),
    P("B", "会议开几天？", "zh ; d=conference ; has=4天", "range"),
    P("B", "摘要截止了吗？", "zh ; yes ; d=abstract", "passed", "2027-10-12T00:00:00+00:00"),
    P("B", "有旅费资助吗？", "zh ; decline", "decline"),
    # ===== mlt26 (Tokyo), reader in Taipei =================================================
    P("K", "投稿截止台北時間幾點？", f"zh ; d=submission ; at={K_SUB} ; "
      "has=2026年7月10日星期五 22:59", "zone"),
    P("K", "终稿北京时间几点截止？", f"zh ; d=camera-ready ; at={K_CR} ; has=16:00", "zone"),
    P("K", "研讨会开几天？", "zh ; d=workshop ; has=1天", "range"),
    P("K", "研讨会是星期几？", "zh ; d=workshop ; has=星期一", "weekday"),
    P("K", "截稿还剩几天？", "zh ; d=submission ; has=9天14小时", "countdown"),
    P("K", "注册什么时候截止？", "zh ; decline", "decline"),
    P("K", "有签证邀请函吗？", "zh ; decline", "decline"),
    # ===== ccfsys26 (Shanghai) ============================================================
    P("C", "第一轮投稿延期了吗？", f"zh ; yes ; d=round1 ; at={C_R1} ; has=2026年3月8日",
      "extend"),
    P("C", "第一轮截稿还有几天？", "zh ; d=round1 ; has=14天15小时", "countdown"),
    P("C", "第二轮几号截止？是星期几？", "zh ; d=round2 ; has=2026年5月10日星期日", "weekday"),
    P("C", "研讨会开几天？", "zh ; d=workshop ; has=2天", "range"),
    P("C", "第一輪投稿截止是美西時間幾點？", "zh ; d=round1 ; has=2026年3月15日星期日 08:59",
      "hant"),
    # ===== the shipped schedule (Pacific deadline, Shanghai workshop) =====================
    P("S", "海报摘要什么时候截止？北京时间", f"zh ; d=abstract ; at={S_ABS} ; "
      "has=2017年9月11日星期一 14:59", "zone"),
    P("S", "截稿是太平洋时间几点？", "zh ; d=abstract ; has=2017年9月10日星期日 23:59", "zone"),
    P("S", "海報摘要截止是香港時間幾點？", "zh ; d=abstract ; has=2017年9月11日星期一 14:59 ; "
      "has=香港標準時間", "hant"),
    P("S", "有旅费资助吗？", "zh ; decline", "decline"),
)

# A second round, written after the first passed and before the engine ran it: more zones
# named in Chinese (伦敦, 首尔, 巴黎, 悉尼, 东八区, GMT+8), days and weekdays asked as yes/no,
# several dates at once, Hong Kong (Cantonese) phrasing.
T_WEEK = "2030-02-26T00:00:00+00:00"     # Tuesday 26 February 2030, 08:00 in Taipei
T_EVE = "2030-02-28T04:00:00+00:00"      # Thursday 28 February, 12:00 in Taipei
ROUND_2: tuple[P, ...] = (
    P("T", "论文摘要注册截止是伦敦时间几点？", "zh ; d=abstract ; has=2030年3月1日星期五 15:59",
      "zone"),
    P("T", "全文截止是纽约时间几点？", "zh ; d=paper ; has=2030年3月15日星期五 11:59", "zone"),
    P("T", "海报摘要截止是首尔时间几点？", "zh ; d=poster ; has=2030年4月11日星期四 00:59", "zone"),
    P("T", "签证邀请函截止 GMT+8 几点？", "zh ; d=visa ; has=17:00", "zone"),
    P("T", "旅费资助申请截止东八区几点", "zh ; d=travel ; has=2030年5月15日星期三 23:59", "zone"),
    P("T", "研讨会开幕是伦敦时间几点？", "zh ; d=workshop ; has=2030年6月24日星期一 02:00", "zone"),
    P("T", "终稿截止是巴黎时间几点？", "zh ; d=camera-ready ; has=17:59", "zone"),
    P("T", "研讨会在星期几结束？", "zh ; d=workshop ; has=星期三", "weekday"),
    P("T", "录用通知是几月几号？", "zh ; d=notification ; has=2030年4月20日", "topic"),
    P("T", "录用通知是周六吗？", "zh ; yes ; d=notification", "weekday"),
    P("T", "海报摘要截止是4月10号吗？", "zh ; yes ; d=poster", "weekday"),
    P("T", "全文截止是3月8号吗？", "zh ; no ; d=paper", "extend"),
    P("T", "全文截止日期推迟了吗？", "zh ; yes ; d=paper", "extend"),
    P("T", "海报摘要延期了吗？", "zh ; no ; d=poster", "extend"),
    P("T", "距离研讨会开幕还有多少天？", "zh ; d=workshop ; has=124天", "countdown"),
    P("T", "签证邀请函和旅费资助分别几号截止？", "zh ; d=visa,travel", "multi"),
    P("T", "海报和口头报告分别什么时候？", "zh ; d=poster,oral", "multi"),
    P("T", "本周有截止吗？", "zh ; yes ; d=abstract", "relative", T_WEEK),
    P("T", "明天截止的是什么？", "zh ; d=abstract", "relative", T_EVE),
    P("T", "研讨会是线上还是线下？", "zh ; decline", "decline"),
    P("T", "有没有午餐？", "zh ; decline", "decline"),
    P("T", "会议注册费是多少？", "zh ; decline", "decline"),
    P("T", "页数限制是多少？", "zh ; has=8", "other"),
    P("T", "是双盲评审吗？", "zh ; yes", "other"),
    P("T", "投稿系统是哪个？", "zh ; has=HotCRP", "other"),
    P("T", "ddl还有多久", "zh ; d=abstract ; has=9天15小时", "countdown"),
    P("T", "論文摘要截止是倫敦時間幾點？", "zh ; d=abstract ; has=15:59", "hant"),
    P("T", "海報摘要截止是首爾時間幾點？", "zh ; d=poster ; has=2030年4月11日星期四 00:59", "hant"),
    P("T", "全文截稿日延後了嗎？", "zh ; yes ; d=paper", "hant"),
    P("T", "研討會在禮拜幾結束？", "zh ; d=workshop ; has=星期三", "hant"),
    P("T", "錄取通知幾月幾號出？", "zh ; d=notification ; has=2030年4月20日", "hant"),
    P("T", "簽證邀請函跟旅費補助各是幾號截止？", "zh ; d=visa,travel", "hant"),
    P("T", "距離研討會開幕還有幾天？", "zh ; d=workshop ; has=124天", "hant"),
    P("T", "報名費多少錢？", "zh ; decline", "hant"),
    P("T", "口頭報告名單什麼時候公布？", "zh ; d=oral", "hant"),
    P("T", "幾時截稿？", "zh ; d=abstract", "hant"),
    P("T", "研討會喺邊度舉行？", "zh ; has=National Taiwan University", "hant"),
    P("T", "香港時間幾點截稿？", "zh ; d=abstract ; has=23:59", "hant"),
    P("D", "投稿截止伦敦时间几点？", "zh ; d=submission ; has=2026年8月31日星期一 11:00", "zone"),
    P("D", "注册截止按悉尼时间是几点？", "zh ; d=registration ; "
      "has=2026年10月17日星期六 08:59", "zone"),
    P("D", "教程北京时间几点结束？", "zh ; d=tutorial ; has=19:30", "zone"),
    P("D", "研讨会几号结束？", "zh ; d=workshop ; has=2026年10月27日", "range"),
    P("D", "研讨会星期二结束吗？", "zh ; yes ; d=workshop", "weekday"),
    P("D", "签证信截止还有多少天？", "zh ; d=visa ; has=21天7小时", "countdown"),
    P("D", "录用通知是几号？", "zh ; d=notification ; has=2026年9月21日", "topic"),
    P("D", "终稿是10月5号截止吗？", "zh ; yes ; d=camera-ready", "weekday"),
    P("D", "有没有旅费资助？", "zh ; decline", "decline"),
    P("D", "研讨会提供午餐吗？", "zh ; decline", "decline"),
    P("D", "簽證邀請信截止還有幾天？", "zh ; d=visa ; has=21天", "hant"),
    P("D", "教程幾點結束？", "zh ; d=tutorial ; has=12:30", "hant"),
    P("D", "研討會星期二結束嗎？", "zh ; yes ; d=workshop", "hant"),
    P("D", "慕尼黑時間幾點截稿？", "zh ; d=submission ; has=12:00", "hant"),
    P("I", "论文注册截止是AoE吗？", "zh ; yes ; d=paper-registration", "zone"),
    P("I", "早鸟注册截止是巴西时间还是AoE？", "zh ; d=early-bird ; has=巴西利亚", "zone"),
    P("I", "全文截止按伦敦时间是几点？", "zh ; d=paper ; has=2027年3月13日星期六 11:59", "zone"),
    P("I", "rebuttal什么时候结束？", "zh ; d=rebuttal ; has=2027年4月23日", "range"),
    P("I", "录用通知星期几出？", "zh ; d=notification ; has=星期五", "weekday"),
    P("I", "相机就绪稿截止还有几天？", "zh ; d=camera-ready ; has=93天11小时", "countdown"),
    P("I", "注册费学生多少钱？", "zh ; decline", "decline"),
    P("I", "有没有海报环节？", "zh ; decline", "decline"),
    P("I", "會議註冊截止是巴西時間幾點？", "zh ; d=registration ; has=23:59", "hant"),
    P("I", "全文截稿延期了嗎？", "zh ; no ; d=paper", "hant"),
    P("L", "推荐信截止北京时间几点？", "zh ; d=letters ; has=2028年3月23日星期四 02:29", "zone"),
    P("L", "录取结果几号出？", "zh ; d=admission ; has=2028年4月20日", "topic"),
    P("L", "几号报到？是星期几？", "zh ; d=arrival ; has=星期五", "weekday"),
    P("L", "申请截止了吗？", "zh ; no ; d=application", "passed"),
    P("L", "確認參加截止是北京時間幾點？", "zh ; d=confirm ; has=19:30", "hant"),
    P("A", "博士生论坛截止香港时间几点？", "zh ; d=dc ; has=2028年12月15日星期五 20:59", "zone"),
    P("A", "注册什么时候开始？北京时间", "zh ; d=reg-open ; has=2029年1月25日星期四 06:00",
      "zone"),
    P("A", "早期注册截止是几号？", "zh ; d=early ; has=2029年3月1日", "topic"),
    P("A", "会议在悉尼吗？", "zh ; yes", "topic"),
    P("A", "旅費補助截止是香港時間幾點？", "zh ; d=travel ; has=20:59", "hant"),
    P("B", "全文截止是AoE几点？", "zh ; d=paper ; has=2027年10月15日星期五 23:59", "zone"),
    P("B", "作者回复什么时候开始？", "zh ; d=response ; has=2027年12月6日", "range"),
    P("B", "会议在柏林吗？", "zh ; yes", "topic"),
    P("B", "摘要注册截止还有几天？", "zh ; d=abstract ; has=8天11小时", "countdown"),
    P("K", "截稿是日本时间几点？", "zh ; d=submission ; has=2026年7月10日星期五 23:59", "zone"),
    P("K", "录用通知几号？", "zh ; d=notification ; has=2026年8月7日", "topic"),
    P("K", "研讨会几点开始几点结束？", "zh ; d=workshop ; has=09:30 ; has=17:30", "range"),
    P("K", "研討會幾點開始？台北時間", "zh ; d=workshop ; has=08:30", "hant"),
    P("S", "海报摘要截止还有几天？", "zh ; d=abstract ; has=9天18小时", "countdown"),
    P("S", "终稿什么时候交？", "zh ; d=camera-ready ; has=2017年10月10日", "topic"),
    P("S", "录用通知几号？", "zh ; d=notification ; has=2017年9月20日", "topic"),
    P("S", "截止日期延期了吗？", "zh ; yes ; d=abstract", "extend"),
    P("C", "教程取消了吗？", "zh ; yes", "topic"),
    P("C", "第二轮截稿是美东时间几点？", "zh ; d=round2 ; has=2026年5月10日星期日 11:59", "zone"),
    P("C", "录用通知出了吗？", "zh ; no ; d=notification", "passed"),
)

# The known gaps this file was written for, each checked to fail before its fix: "has it
# closed?" of several deadlines partly passed answered 是的 (now 不是都过了 and each named, as
# English's "Not all of them"), and an exclusion in words or brackets was read as a topic.
GAPS: tuple[P, ...] = (
    P("T", "截止了吗？", "zh ; dates=abstract,paper,poster,visa ; not=是的 ; has=不是都过了 ; "
      "has=2030年3月1日 ; has=2030年3月15日", "passed", T_BETWEEN),
    P("T", "截止了嗎？", "zh ; not=是的 ; has=不是都過了 ; has=還沒截止", "passed", T_BETWEEN),
    P("T", "截稿了吗？", "zh ; not=是的 ; has=2030年3月15日 ; nodate=visa", "passed", T_BETWEEN),
    P("D", "截止了吗？", "zh ; not=是的 ; has=不是都过了 ; has=2026年9月10日", "passed",
      "2026-09-01T00:00:00+00:00"),
    P("T", "摘要都截止了吗？", "zh ; yes ; dates=abstract,poster ; has=也已经过了", "passed",
      T_ALL_ABS),
    P("T", "have the abstract deadlines passed?", "yes ; dates=abstract,poster ; "
      "has=Also passed", "passed", T_ALL_ABS),
    P("I", "when is registration (not paper registration)?", "nodate=paper-registration ; "
      "has=20 July 2027", "negation"),
    P("B", "when is the deadline, not the abstract one?", "d=paper ; nodate=abstract",
      "negation"),
    P("I", "除了论文注册，注册还有哪些截止日期？", "zh ; nodate=paper-registration ; "
      "has=2027年7月20日", "negation"),
    # Found by asking by hand after the third round: how to get a visa letter answered with
    # the paper's submission system; "the same day?" answered with no yes or no.
    P("D", "签证邀请函怎么申请？", "zh ; d=visa ; not=HotCRP", "found"),
    P("D", "how do I apply for a visa letter?", "d=visa ; not=HotCRP", "found"),
    P("D", "教程和研讨会是同一天吗？", "zh ; no ; dates=tutorial,workshop ; has=相隔1天", "found"),
    P("L", "推荐信和申请截止是同一天吗？", "zh ; no ; has=相隔7天", "found"),
    P("T", "摘要和全文是同一天截止吗？", "zh ; no ; dates=abstract,paper", "found"),
    P("D", "are the tutorial and the workshop on the same day?", "no ; has=1 day apart", "found"),
    P("K", "研讨会和截稿是同一天吗？", "zh ; no ; dates=submission,workshop", "found"),
    # "by when" (在什么时候之前) was read as "what comes before it".
    P("I", "最終版本要在什麼時候之前上傳？", "zh ; d=camera-ready ; nodate=notification", "found"),
    P("T", "全文要在几号之前提交？", "zh ; d=paper", "found"),
    # Taiwan's own names of places (CLDR zh_Hant: 雪梨, 紐西蘭) named no zone; 原本 no
    # earlier date.
    P("A", "雪梨時間幾點截稿？",
      "zh ; first=Abstract submission：2028年11月10日星期五 23:59（澳洲東部", "found"),
    P("T", "全文截止是紐西蘭時間幾點？", "zh ; d=paper ; has=2030年3月16日星期六 04:59", "found"),
    P("A", "原本的截稿日是哪天？", "zh ; d=paper ; has=2028年11月17日", "found"),
    # A traditional reply echoed the asker's words folded (“学費減免”); dormitories were no
    # subject (学生宿舍 answered with the application portal).
    P("L", "有學費減免嗎？", "zh ; decline ; not=学", "found"),
    P("L", "學生宿舍怎麼申請？", "zh ; decline ; not=portal", "found"),
    # 夏令时 was an unknown subject ("日程里没有关于“夏令时”的信息"), though the zone says it.
    P("B", "会议期间会换夏令时吗？", "zh ; d=conference ; has=会议期间改为UTC+02:00", "found"),
    P("D", "注册截止是夏令时吗？", "zh ; d=registration ; has=日程按中欧夏令时间", "found"),
    # A workshop in Hangzhou was said not to be in 杭州 (a city CLDR names no zone by).
    P("C", "研讨会在杭州吗？", "zh ; yes", "found"),
    P("C", "研討會在杭州嗎？", "zh ; yes", "found"),
    P("A", "會議在雪梨嗎？", "zh ; yes", "found"),
    # "the second day" of a workshop given day by day (nyws29) answered day 1 first.
    P("N", "研討會第二天幾點結束？", "zh ; dates=day2 ; has=13:00", "found"),
    P("N", "第一天几点开始？", "zh ; dates=day1 ; has=09:00", "found"),
    # 后天 ("the day after tomorrow") was an unknown subject; 下个月 no month at all.
    P("T", "后天有截止吗？", "zh ; yes ; dates=abstract", "found", "2030-02-27T04:00:00+00:00"),
    P("T", "後天有截止嗎？", "zh ; no", "found", "2030-02-26T04:00:00+00:00"),
    P("T", "下个月有什么截止？", "zh ; dates=abstract,paper ; has=下个月", "found",
      "2030-02-27T04:00:00+00:00"),
    # Taiwan's 完稿 (the final manuscript) and 繳交 (hand in) were unknown words.
    P("D", "請問完稿何時繳交？", "zh ; d=camera-ready ; has=2026年10月6日星期二 00:00", "found"),
)

# A third round, written after the second passed and before the engine ran it: text mixed
# with English, two zones at once, either-or zones, "已经/还/了没" against a moved clock.
ROUND_3: tuple[P, ...] = (
    P("T", "camera ready deadline是几号", "zh ; d=camera-ready ; has=2030年5月20日", "mixed"),
    P("T", "poster abstract 北京时间几点截止", "zh ; d=poster ; has=23:59", "mixed"),
    P("T", "DDL是几号？", "zh ; d=abstract", "mixed"),
    P("T", "visa letter 最晚什么时候申请", "zh ; d=visa", "mixed"),
    P("T", "workshop开几天", "zh ; d=workshop ; has=3天", "mixed"),
    P("T", "摘要注册截止北京时间和美西时间分别几点？", "zh ; d=abstract ; has=23:59 ; has=07:59",
      "zone"),
    P("T", "全文截止是UTC还是台北时间？", "zh ; d=paper ; has=台北标准时间", "zone"),
    P("D", "注册截止是哪一天？按我这边时间", "zh ; d=registration ; "
      "has=2026年10月17日星期六 05:59", "zone"),
    P("D", "研讨会几号到几号？", "zh ; d=workshop ; has=2026年10月26日 ; has=2026年10月27日",
      "range"),
    P("A", "会议几号到几号，按悉尼时间？", "zh ; d=conference ; has=2029年3月30日 ; "
      "has=2029年4月2日", "range"),
    P("B", "相机就绪稿AoE几点截止", "zh ; d=camera-ready ; has=2028年2月20日星期日 23:59", "zone"),
    P("S", "摘要截止是PDT还是PST？", "zh ; d=abstract ; has=夏令", "zone"),
    P("T", "投稿截止了没？", "zh ; not=是的", "passed", T_BETWEEN),
    P("T", "录用结果出来了吗？", "zh ; yes ; d=notification", "passed",
      "2030-04-25T00:00:00+00:00"),
    P("T", "研讨会已经开始了吗？", "zh ; yes ; d=workshop", "passed", "2030-06-25T02:00:00+00:00"),
    P("T", "研讨会结束了吗？", "zh ; no ; d=workshop", "passed", "2030-06-25T02:00:00+00:00"),
    P("T", "终稿还能交吗？", "zh ; no ; d=camera-ready", "passed", "2030-05-21T00:00:00+00:00"),
    P("T", "早鸟注册还开放吗？", "zh ; yes ; d=early", "passed", "2030-05-21T00:00:00+00:00"),
    P("T", "終稿還能交嗎？", "zh ; no ; d=camera-ready", "hant", "2030-05-21T00:00:00+00:00"),
    P("T", "研討會已經開始了嗎？", "zh ; yes ; d=workshop", "hant", "2030-06-25T02:00:00+00:00"),
)

THREADS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    # A thread's questions in order (the third round); the last one's reply is checked.
    ("T", ("全文什么时候截止？", "那北京时间呢？"), "zh ; d=paper ; has=2030年3月15日星期五 23:59"),
    ("T", ("全文什么时候截止？", "換成美西時間呢？"), "zh ; d=paper ; "
     "has=2030年3月15日星期五 08:59 ; has=太平洋夏令時間"),
    ("D", ("签证邀请函几号截止？", "香港时间呢？"), "zh ; d=visa ; has=2026年9月10日星期四 23:00"),
    ("D", ("when is the camera-ready deadline?", "北京时间几点？"),
     "zh ; d=camera-ready ; has=2026年10月6日星期二 00:00"),
    ("I", ("论文注册什么时候截止？", "全文呢？"), "zh ; d=paper"),
    ("I", ("反驳期什么时候？", "有几天？"), "zh ; d=rebuttal ; has=4天"),
    ("A", ("论文截止是哪天？", "延期了吗？"), "zh ; yes ; d=paper"),
    ("T", ("海报摘要几号截止？", "是星期几？"), "zh ; d=poster ; has=星期三"),
    ("K", ("研讨会几点开始？", "在哪里？"), "zh ; has=Hongo Campus"),
    ("L", ("申请什么时候截止？", "还有几天？"), "zh ; d=application ; has=5天12小时"),
)


SCHEDULES = Schedules(FILES, NOW, READER)


def test_enough_chinese_probes_in_both_scripts() -> None:
    assert len(PROBES) >= 120
    assert all("zh" in p.expect.split(" ; ") for p in PROBES)
    assert sum(p.cat == "hant" for p in PROBES) >= 25
    assert sum("decline" in p.expect for p in PROBES) >= 15
    assert len({p.schedule for p in PROBES}) >= 6


def test_every_chinese_held_out_probe_gets_what_a_good_organizer_would_answer() -> None:
    misses = SCHEDULES.misses("Chinese held-out probes", PROBES)
    assert not misses, f"{len(misses)} wrong:\n" + "\n".join(misses)


def test_every_third_round_chinese_probe_gets_what_a_good_organizer_would_answer() -> None:
    misses = SCHEDULES.misses("Chinese held-out probes, third round", ROUND_3)
    assert not misses, f"{len(misses)} wrong:\n" + "\n".join(misses)


@pytest.mark.parametrize("thread", THREADS, ids=lambda t: f"{t[0]}:{t[1][-1][:12]}")
def test_a_chinese_follow_up_in_a_thread_is_read_against_the_thread(
        thread: tuple[str, tuple[str, ...], str]) -> None:
    name, questions, expect = thread
    reply = SCHEDULES.thread(name, questions)
    bad = wrong(P(name, questions[-1], expect, "thread"), reply)
    assert not bad, f"{bad}\n{reply.text}"


def test_the_known_chinese_gaps_are_closed() -> None:
    misses = SCHEDULES.misses("known gaps", GAPS)
    assert not misses, f"{len(misses)} wrong:\n" + "\n".join(misses)


def test_every_second_round_chinese_probe_gets_what_a_good_organizer_would_answer() -> None:
    misses = SCHEDULES.misses("Chinese held-out probes, second round", ROUND_2)
    assert not misses, f"{len(misses)} wrong:\n" + "\n".join(misses)


@pytest.mark.parametrize("probe", [p for p in (*PROBES, *ROUND_2, *ROUND_3)
                                   if "decline" in p.expect],
                         ids=lambda p: f"{p.schedule}:{p.question[:20]}")
def test_a_chinese_unheld_subject_is_never_given_a_date(probe: P) -> None:
    assert SCHEDULES.ask(probe).dates == ()


@pytest.mark.parametrize("probe", [p for p in (*PROBES, *ROUND_2, *ROUND_3)
                                   if hant.is_traditional(p.question)],
                         ids=lambda p: f"{p.schedule}:{p.question[:20]}")
def test_a_traditional_question_is_answered_wholly_in_traditional(probe: P) -> None:
    # Every phrase and zone name in traditional characters; only the schedule's own words
    # stay as the organizers wrote them.
    reply = SCHEDULES.ask(probe)
    event = SCHEDULES.event(probe.schedule)
    text = reply.text
    for kept in sorted([event.name, *(d.title for d in event.dates)], key=len, reverse=True):
        text = text.replace(kept, "")
    simplified = sorted({c for c in text if c in hant.TO_HANT})
    assert reply.traditional and not simplified, (simplified, reply.text)
