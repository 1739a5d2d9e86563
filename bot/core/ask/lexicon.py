"""The bilingual vocabulary of questions about academic dates: general words, no one workshop's.

A *concept* is what several spellings mean ("registration", "register", "注册", "报名").
Dates are found by the concepts of their own titles and kinds (see ``index``); this lexicon
only says which words mean the same thing, which subjects people ask about that a schedule may
not hold, and the words that carry the form of a question.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

ConceptClass = Literal["kind", "word", "generic", "field", "subject", "social"]


@dataclass(frozen=True)
class Concept:
    id: str
    cls: ConceptClass
    en: tuple[str, ...]
    zh: tuple[str, ...] = ()
    label_en: str = ""
    label_zh: str = ""

    @property
    def declines_if_absent(self) -> bool:
        """Named but held by nothing in the schedule: say so rather than answer another thing."""
        return self.cls in ("word", "subject")


def _c(cid: str, cls: ConceptClass, en: str, zh: str = "", label_en: str = "",
       label_zh: str = "") -> Concept:
    return Concept(cid, cls, tuple(w.strip() for w in en.split("|") if w.strip()),
                   tuple(w.strip() for w in zh.split("|") if w.strip()), label_en or cid,
                   label_zh)


CONCEPTS: tuple[Concept, ...] = (
    # Kinds of date (every schedule has these words available through its kinds).
    _c("deadline", "kind", "deadline|deadlines|due|dues|cutoff|cut off|close|closes|closing|"
       "closed|ddl|dl|duedate|dead line|dead lines",
       "截止|截稿|截止日期|截止时间|最后期限|期限|ddl|截至", "deadline", "截止日期"),
    _c("notify", "kind", "notification|notifications|notify|notified|decision|decisions|"
       "acceptance|accept|accepted|accepts|reject|rejected|rejection|result|results|outcome|"
       "outcomes|hear back|hear from|hear about|hear anything|find out|get back|will we know|"
       "will i know|we'll know|i'll know|do we know if|know if we|know if i|know whether",
       "录用|通知|录取|结果|接收|决定|录用通知|是否录用|出结果|放榜|出榜|中稿", "notification",
       "录用通知"),
    _c("camera", "kind", "camera ready|cameraready|camera|camready|crc|cr|final version|"
       "final paper|final file|final copy|final manuscript|proceedings|final",
       "最终版|终稿|定稿|最终版本|相机就绪|相机版|正式版|出版|完稿|最终稿|终版|正式稿",
       "camera-ready", "最终版本"),
    _c("event", "kind", "workshop|workshops|conference|event|symposium|meeting|school|"
       "summer school|winter school|spring school|autumn school",
       "会议|研讨会|大会|活动|工作坊|暑期学校|暑期班|暑校|冬季学校|学校", "the event", "会议"),
    _c("happen", "generic", "held|take place|takes place|taking place|happen|happening|"
       "attend|attending|start|starts|begin|begins", "举办|召开|举行|开会|开始|开学|开幕",
       "the event", "会议"),
    # Words of date titles, general to academic events. Named but not held: declined.
    _c("abstract", "word", "abstract|abstracts", "摘要", "the abstract", "摘要"),
    _c("register", "word", "register|registration|registrations|registering|registered|"
       "sign up|signup", "注册|报名|登记", "registration", "注册"),
    _c("rebuttal", "word", "rebuttal|rebuttals|author response|response period|author feedback|"
       "respond|responding|response|responses|respond to reviews|reply to the reviews",
       "反驳|答辩|作者回复|rebuttal", "the rebuttal", "反驳"),
    _c("discussion", "word", "discussion|discussions|discuss", "讨论", "the discussion",
       "讨论"),
    _c("research", "word", "research", "研究", "the research track", "研究"),
    _c("industry", "word", "industry|industrial|practitioner|practitioners",
       "工业|工业界|产业|业界", "the industry track", "工业界"),
    _c("full", "word", "full", "完整|全文", "the full paper", "全文"),
    _c("demo", "word", "demo|demos|demonstration", "演示", "demos", "演示"),
    # A track of its own, not a late submission ("is there a late-breaking results track?").
    _c("latebreaking", "word", "late breaking|late-breaking|late breaking results|"
       "late-breaking results", "", "late-breaking results"),
    _c("artifact", "word", "artifact|artifacts|artefact|artifact evaluation", "工件|制品",
       "artifacts", "制品"),
    _c("tutorial", "word", "tutorial|tutorials", "教程|讲习", "tutorials", "教程"),
    _c("proposal", "word", "proposal|proposals", "提案|申请书", "proposals", "提案"),
    # Steps of a school's or a grant's application, general to academic events.
    _c("apply", "generic", "apply|applying|applied|application|applications|applicant|"
       "applicants", "申请|报名申请", "applications", "申请"),
    _c("letters", "word", "reference letter|reference letters|recommendation letter|"
       "recommendation letters|letter of recommendation|letters of recommendation|"
       "recommender|recommenders|referee|referees|reference",
       "推荐信|推荐人", "reference letters", "推荐信"),
    _c("confirm", "word", "confirm|confirmation|confirming|rsvp|accept my offer|"
       "accept the offer|accept an offer|accept my place|accept the place|accept admission",
       "确认|确认参加", "confirmation", "确认"),
    _c("arrival", "word", "arrive|arrival|arriving|arrivals|check in|checkin|move in",
       "报到|抵达|到达|入住|签到", "arrival", "报到"),
    _c("departure", "word", "depart|departure|departing|leave|leaving|check out|checkout|"
       "move out", "离开|离校|返程|退房|离营", "departure", "离开"),
    _c("doctoral", "word", "doctoral|doctoral consortium|doctoral symposium|phd forum|"
       "phd symposium|doctoral workshop", "博士生论坛|博士论坛|博士生研讨会|博士生论文",
       "the doctoral consortium", "博士生论坛"),
    _c("lecture", "word", "lecture|lectures|course|courses|classes", "课程|讲座|上课",
       "lectures", "课程"),
    _c("early", "word", "early|early bird", "早鸟|提前|早期", "early registration", "早鸟注册"),
    _c("oral", "word", "oral|orals|oral presentation|oral presentations|oral talk|oral talks",
       "口头报告|口头|口头展示|口头汇报", "oral presentations", "口头报告"),
    _c("student", "word", "student|students|phd", "学生", "students", "学生"),
    _c("bid", "word", "bid|bids|bidding", "竞标|投标", "bidding", "竞标"),
    _c("round", "generic", "round|rounds|cycle", "轮", "submission rounds", "多轮投稿"),
    _c("phase", "generic", "phase|period|window|stage|range", "阶段|期间", "phase", "阶段"),
    _c("paper", "generic", "paper|papers|manuscript|manuscripts|article|work",
       "论文|文章|稿件", "paper", "论文"),
    _c("poster", "generic", "poster|posters", "海报|墙报", "posters", "海报"),
    _c("submit", "generic", "submit|submission|submissions|submitting|submitted|send in|"
       "hand in|upload|uploading|uploaded",
       "提交|投稿|递交|上传|交稿|缴交|送件", "submission", "提交"),
    _c("review", "generic", "review|reviews|reviewing|reviewer|reviewers", "评审|审稿",
       "reviews", "评审"),
    _c("talk", "generic", "talk|talks|presentation|presentations|present|presenting|speak",
       "报告|演讲|展示", "talks", "报告"),
    # Fields of the schedule beside its dates.
    _c("pages", "field", "page|pages|pp|page limit|length|word limit|words|longer|shorter|"
       "appendix|references", "页|页数|篇幅|字数|几页|多少页|页数限制", "page limit", "页数"),
    _c("format", "field", "format|formats|formatting|formatted|template|templates|latex|tex|"
       "style|font|margins|margin|columns|column|overleaf|docx|pdf|layout|guidelines",
       "格式|模板|排版|字体|latex", "format", "格式"),
    _c("anonymity", "field", "anonymous|anonymize|anonymise|anonymized|anonymised|anonymity|"
       "anonymization|anon|blind|double blind|doubleblind|single blind|deanonymize|identity|"
       "author names|names|affiliation|affiliations|author list",
       "匿名|双盲|单盲|盲审", "anonymity", "匿名"),
    _c("how_submit", "field", "link|url|portal|website|site|system|easychair|hotcrp|"
       "openreview|cmt|online", "链接|网址|网站|系统|入口|平台", "how to submit", "提交方式"),
    _c("contact", "field", "contact|email|e mail|mail|organizer|organizers|organiser|"
       "organisers|chair|chairs|reach|phone|committee|who do i ask|who can i ask|who to ask|"
       "who should i ask|who do i contact",
       "联系|邮箱|邮件|组织者|主办方|主席|联系方式|负责人", "contact", "联系方式"),
    _c("venue", "field", "venue|location|located|city|place|address|room|country",
       "地点|地址|哪里|在哪|哪儿|城市|会场|场地|边度", "venue", "地点"),
    _c("all_dates", "field", "dates|schedule|timeline|important dates|key dates|calendar|"
       "milestones|overview|agenda|list|all|everything",
       "日程|重要日期|时间表|所有日期|全部日期|时间线|日期列表", "all dates", "重要日期"),
    # Late submissions: what the schedule (its FAQ) says of them, and the deadline itself.
    _c("late", "field", "late|late submission|late submissions|submit late|submitting late|"
       "submitted late|grace period|grace|late paper|late papers|belated|"
       "submit after the deadline|submit after deadline|submit past the deadline|"
       "submission after the deadline|submissions after the deadline|accept after the deadline|"
       "send after the deadline|upload after the deadline|miss the deadline|"
       "missed the deadline",
       "晚交|迟交|补交|逾期|延迟提交|晚提交|迟到提交|截止后提交|截止以后提交|宽限|宽限期|晚一点|"
       "晚一些|晚几天|晚点交|过了截止|迟到|晚期|晚鸟|截止后还能|截止之后还能|截止以后还能|"
       "截止后可以|截止之后可以|截止以后可以|截止后还可以|截止之后还可以|截止以后还可以|"
       "截稿后还能|截稿后可以|截稿后还可以", "late submissions", "迟交"),
    _c("help", "social", "help|commands|command|usage|what can you do|who are you|"
       "what are you|how does this work",
       "帮助|你能做什么|你是谁|怎么用|使用说明", "help", "帮助"),
    _c("greeting", "social", "hi|hello|hey|hiya|howdy|greetings|yo|good morning",
       "你好|您好|嗨|早上好", "greeting", "问候"),
    _c("thanks", "social", "thanks|thank|thx|ty|cheers|thankyou|tysm|thnx",
       "谢谢|多谢|感谢", "thanks", "感谢"),
    # Subjects people ask about that schedules seldom hold: never answered with a date.
    _c("banquet", "subject", "banquet|dinner|reception|social event|party|gala|dinners",
       "晚宴|宴会|招待会|晚餐|聚餐", "the banquet", "晚宴"),
    _c("fee", "subject", "fee|fees|cost|costs|price|pay|payment|ticket|tickets|expensive|"
       "how much is|how much are|how much does it cost|how much do i pay|tuition",
       "费用|注册费|报名费|价格|多少钱|收费|付款|学费|会费|缴费", "fees", "费用"),
    _c("stats", "subject", "acceptance rate|acceptance rates|acceptance ratio|how many papers|"
       "how many submissions|number of papers|number of submissions|statistics|stats",
       "录用率|接收率|录取率|多少篇", "acceptance statistics", "录用统计"),
    _c("visa", "subject", "visa|visas|invitation letter|invitation letters|letter of invitation|"
       "letters of invitation|visa letter|visa letters|support letter|support letters",
       "签证|邀请函|邀请信", "visas", "签证"),
    _c("hotel", "subject", "hotel|hotels|accommodation|accommodations|lodging|stay|room block",
       "酒店|住宿|宾馆|住哪|宿舍|旅馆|饭店|民宿|住处", "accommodation", "住宿"),
    _c("grant", "subject", "travel grant|travel grants|grant|grants|funding|scholarship|"
       "stipend|travel support|reimbursement",
       "资助|差旅|旅费|补助|奖学金|报销|补贴|津贴", "travel grants", "差旅资助"),
    _c("food", "subject", "lunch|breakfast|coffee|food|meal|meals|catering|vegetarian",
       "午餐|午饭|早餐|咖啡|餐饮|吃饭|晚餐|茶歇|便当", "meals", "餐饮"),
    _c("transport", "subject", "parking|shuttle|airport|transport|transportation|bus|train|"
       "taxi|metro|directions|park|car", "交通|机场|停车|地铁|班车|怎么去", "getting there",
       "交通"),
    _c("wifi", "subject", "wifi|wi fi|internet|network password", "无线|网络密码|wifi",
       "wifi", "无线网络"),
    _c("keynote", "subject", "keynote|keynotes|speaker|speakers|invited talk|invited talks|"
       "panel", "主旨|主题演讲|讲者|嘉宾|特邀报告", "speakers", "讲者"),
    _c("poster_size", "subject", "poster size|size|dimensions|a0|a1|inches|printing|print|"
       "portrait|landscape|board", "海报尺寸|尺寸|打印|大小", "poster size", "海报尺寸"),
    _c("remote", "subject", "remote|remotely|online presentation|virtual|zoom|in person|"
       "in-person|hybrid|video call|livestream|stream", "远程|线上|在线|视频|直播|线下|视讯|远端",
       "remote participation", "远程参加"),
    _c("recording", "subject", "recording|recordings|recorded|slides|video|videos",
       "录像|录播|幻灯片|视频回放", "recordings", "录像"),
    _c("award", "subject", "award|awards|prize|prizes|best paper", "奖|获奖|最佳论文",
       "awards", "奖项"),
    _c("volunteer", "subject", "volunteer|volunteers|childcare|child care",
       "志愿者|托儿", "volunteering", "志愿者"),
    _c("publication", "subject", "proceedings be published|proceedings published|"
       "proceedings be available|proceedings available|proceedings come out|"
       "proceedings be online|proceedings online|publication of the proceedings|"
       "proceedings publication|proceedings appear|proceedings be out",
       "论文集出版|论文集什么时候出版", "the publication of the proceedings", "论文集出版"),
    _c("program", "subject", "program|programme|sessions|session schedule|timetable",
       "议程|程序|日程安排", "the program", "议程"),
)
BY_ID: Mapping[str, Concept] = {c.id: c for c in CONCEPTS}

# The same city by another name ("Bangalore" is Bengaluru): a venue asked by either is it.
CITY_VARIANTS: Mapping[str, str] = {
    "bangalore": "bengaluru", "bombay": "mumbai", "calcutta": "kolkata", "madras": "chennai",
    "peking": "beijing", "munchen": "munich", "koln": "cologne", "wien": "vienna",
    "praha": "prague", "lisboa": "lisbon", "roma": "rome", "milano": "milan",
    "firenze": "florence", "napoli": "naples", "bruxelles": "brussels", "den haag": "the hague",
    "saigon": "ho chi minh city", "canton": "guangzhou",
    # Chinese names CLDR gives only for a zone's own city ("慕尼黑" is no zone's).
    "慕尼黑": "munich", "圣保罗": "sao paulo", "悉尼": "sydney", "班加罗尔": "bengaluru",
    "墨尔本": "melbourne", "巴塞罗那": "barcelona", "米兰": "milan", "波士顿": "boston",
    "西雅图": "seattle", "旧金山": "san francisco", "硅谷": "san francisco",
    "法兰克福": "frankfurt", "汉堡": "hamburg", "日内瓦": "geneva", "剑桥": "cambridge",
    "牛津": "oxford", "爱丁堡": "edinburgh", "京都": "kyoto", "大阪": "osaka",
    "蒙特利尔": "montreal", "匹兹堡": "pittsburgh", "孟买": "mumbai", "新德里": "new delhi",
    # Cities CLDR names no zone by (they share Shanghai's or Taipei's), and Taiwan's names.
    "北京": "beijing", "杭州": "hangzhou", "深圳": "shenzhen", "广州": "guangzhou",
    "南京": "nanjing", "武汉": "wuhan", "成都": "chengdu", "西安": "xi'an", "天津": "tianjin",
    "合肥": "hefei", "苏州": "suzhou", "新竹": "hsinchu", "台中": "taichung",
    "台南": "tainan", "高雄": "kaohsiung", "雪梨": "sydney",
}

# --- forms and relative words -------------------------------------------------------------

WHEN_EN: tuple[str, ...] = (
    "when", "what time", "what day", "which day", "what date", "which date", "by when",
    "until when", "what month", "date", "time", "whens", "wen", "whn", "what's the date",
)
WHEN_ZH: tuple[str, ...] = ("什么时候", "何时", "几点", "哪天", "几号", "几月几日", "几月几号",
                            "什么时间", "哪一天", "日期", "啥时候", "多会儿", "时间")
HOW_LONG_EN: tuple[str, ...] = (
    "how long", "how much time", "how many days", "how many hours", "how many weeks",
    "time left", "days left", "hours left", "countdown", "how soon", "remaining", "left",
    "to go", "how much longer",
)
HOW_LONG_ZH: tuple[str, ...] = ("多久", "多长时间", "还有几天", "还剩", "剩下", "倒计时",
                                "还有多少时间", "还有多长", "几天", "多少天", "多长",
                                "几个小时", "几小时", "多少小时", "多少个小时")
WHERE_EN: tuple[str, ...] = ("where",)
WHERE_ZH: tuple[str, ...] = ("哪里", "在哪", "哪儿", "什么地方", "地点")
WHAT_ZH: tuple[str, ...] = ("什么", "啥", "还是")
"""Not a yes/no question: the ``么`` of ``今天吃什么`` is no ``吗``; ``是X还是Y`` asks which
(its ``还`` is no "still")."""
HOW_EN: tuple[str, ...] = ("how do", "how can", "how should", "how to", "how does", "how")
HOW_ZH: tuple[str, ...] = ("怎么", "如何", "怎样", "怎么样")
YES_NO_START = frozenset({
    "is", "are", "was", "were", "do", "does", "did", "can", "could", "will", "would", "should",
    "has", "have", "had", "am", "may", "must", "isn't", "aren't", "don't", "doesn't", "won't",
    "can't", "shall", "so", "right", "it's", "its", "that's",
    "ist", "sind", "est", "est-ce",  # German and French: "ist der Workshop in CET?"
})
YES_NO_ZH: tuple[str, ...] = ("吗", "是否", "是不是", "有没有", "能不能", "可不可以", "会不会",
                              "对吧", "对不对", "么", "还能", "要不要", "需不需要", "可以")

RELATIVE_EN: Mapping[str, str] = {
    "today": "today", "today's": "today", "tonight": "tonight", "tomorrow": "tomorrow",
    "tmrw": "tomorrow",
    "tmr": "tomorrow", "yesterday": "yesterday", "this week": "this_week",
    "this weekend": "this_weekend", "weekend": "this_weekend", "next week": "next_week",
    "last week": "last_week", "last month": "last_month", "past week": "last_week",
    "a weekday": "weekday", "weekdays": "weekday", "a business day": "weekday",
    "a working day": "weekday", "a workday": "weekday",
    "this month": "this_month", "next month": "next_month",
    "day after tomorrow": "day_after", "still": "still", "yet": "still", "open": "open",
    "opened": "started", "open yet": "started", "open already": "started",
    "next": "next", "upcoming": "next", "coming": "next", "already": "passed",
    "passed": "passed", "over": "passed", "closed": "passed",
    "missed": "passed", "miss": "passed", "too late": "passed", "am i late": "passed",
    "past": "passed",
    "expired": "passed", "ended": "passed", "finished": "passed", "over yet": "passed",
    "started": "started", "begun": "started", "began": "started", "kicked off": "started",
    "out": "out", "out yet": "out", "out already": "out", "been sent": "out",
    "been released": "out", "been announced": "out", "been published": "out",
    "sent out": "out", "come out": "out",
    "extended": "extended", "extension": "extended", "extend": "extended",
    "original": "extended", "originally": "extended", "previous deadline": "extended",
    "old deadline": "extended", "earlier deadline": "extended", "new deadline": "extended",
    "postponed": "extended", "postpone": "extended", "pushed back": "extended",
    "delayed": "extended", "moved": "extended", "move": "extended", "changed": "extended",
    "rescheduled": "extended", "shifted": "extended",
    "now": "now", "right now": "now", "currently": "now", "ongoing": "now",
    "under way": "now", "underway": "now", "in progress": "now", "happening now": "now",
    "after": "after", "following": "after", "comes after": "after", "right after": "after",
    "before": "before", "prior to": "before", "comes before": "before",
}
RELATIVE_ZH: Mapping[str, str] = {
    "下一个": "next", "下个": "next", "今天": "today", "今日": "today", "今晚": "tonight",
    "明天": "tomorrow", "明日": "tomorrow",
    "昨天": "yesterday", "本周": "this_week", "这周": "this_week", "这个星期": "this_week",
    "周末": "this_weekend", "这周末": "this_weekend", "本周末": "this_weekend", "工作日": "weekday",
    "上周": "last_week", "上个星期": "last_week", "上个月": "last_month", "上月": "last_month",
    "这个周末": "this_weekend", "下周": "next_week", "本月": "this_month", "这个月": "this_month",
    "下个月": "next_month", "下月": "next_month", "后天": "day_after",
    "还": "still", "仍然": "still", "还能": "still", "来得及": "still", "还开放": "still",
    "已经": "passed", "过了": "passed", "错过": "passed", "晚了": "passed", "太晚": "passed",
    "结束了": "passed", "开始了": "started", "开始了吗": "started", "开始了没": "started",
    "出来了": "out", "出了吗": "out", "发了吗": "out", "公布了": "out", "发布了": "out",
    "截止了吗": "passed", "截稿了吗": "passed",
    "截止了没": "passed", "截稿了没": "passed",
    # Cantonese (咗 and 嚟 read as 了 and 来): "截咗未？" has it closed, "仲嚟得切？" still in time
    "截了未": "passed", "截止了未": "passed", "截稿了未": "passed", "来得切": "still",
    "过期了": "passed", "延期": "extended",
    "延长": "extended",
    "推迟": "extended", "延后": "extended", "原来": "extended", "原定": "extended",
    "原先": "extended", "最初": "extended", "延长了": "extended", "原本": "extended",
    "本来": "extended", "延后了": "extended", "顺延": "extended",
    "现在": "now", "正在": "now", "正在进行": "now", "目前": "now", "进行中": "now",
    "之后": "after", "以后": "after", "后面": "after", "之前": "before", "以前": "before",
}
WEEKDAYS_EN: Mapping[str, int] = {
    "monday": 0, "mon": 0, "tuesday": 1, "tue": 1, "tues": 1, "wednesday": 2, "wed": 2,
    "thursday": 3, "thu": 3, "thurs": 3, "friday": 4, "fri": 4, "saturday": 5, "sat": 5,
    "sunday": 6, "sun": 6,
}
WEEKDAYS_ZH: Mapping[str, int] = {
    **{f"{p}{d}": i for p in ("周", "星期", "礼拜") for i, d in enumerate("一二三四五六")},
    "周日": 6, "周天": 6, "星期日": 6, "星期天": 6, "礼拜天": 6, "礼拜日": 6,
}
MY_TIME_EN: tuple[str, ...] = ("my time", "my timezone", "my time zone", "my local time",
                               "local time", "my tz", "where i am", "for me")
MY_TIME_ZH: tuple[str, ...] = ("我的时间", "我这边", "我这里", "本地时间", "我的时区")
VENUE_TIME_EN: tuple[str, ...] = ("venue time", "conference time", "workshop time",
                                  "time at the venue", "local time at the venue")
VENUE_TIME_ZH: tuple[str, ...] = ("当地时间", "会场时间", "会议当地时间")
NEGATIVE_BLIND = ("single blind", "single-blind", "singleblind", "单盲")

# Words that carry no subject: a question made only of these (and a form) is a bare "when".
def _split(text: str) -> list[str]:
    return text.split()


STOPWORDS: frozenset[str] = frozenset(_split("""
a about above after again against all also am an and any anyone anything are aren't around as
ask asking at be because been before being below between both but by can can't cannot could
couldn't did didn't do does doesn't doing don't down during each either else ever every few for
from further get gets getting give go goes going gonna got had hadn't has hasn't have haven't
having he her here hers herself him himself his how i i'd i'll i'm i've if in into is isn't it
it's its itself just know let let's like likely make me might mine more most much must my
myself need needs no nor not now of off on once one only or other our ours ourselves out over
own please pls plz quick quickly quite rather really regarding right same say says see she
should shouldn't so some something soon sorry still such sure tell than thank thanks that
that's the their theirs them themselves then there there's these they they're thing things
think this those though through thx to too u under until up upon ur us use very via wanna want
was wasn't we we're were weren't what what's whats when where which while who why will with
within won't would wouldn't yeah yes yet you you're your yours yourself hey hi ok okay oh um
hmm btw again wondering wonder curious question questions quick exactly actual actually also
anyway hello dear best regards team guys folks everyone anybody happen happens kindly could
possible possibly find check info information details detail exact exactly official officially
our the be been include including included put going come comes coming let know knows knowing
day days hour hours week weeks minute minutes month months year years date dates time times
left remaining long many much soon how what which happening again due able allowed allow okay
fine new next last first second third final still yet already time zone timezone tz zone clock
also other another ones one thing someone there deadline later earlier sooner latest earliest
end ends ending opens starts begins finishes noon midnight midday provide provides provided
offer offers offered issue issues give gives
wann ist die der das den dem und oder wie wo bis quand quelle quel quels quelles est la le les
du des et ou cuando cual es el los las del y que
"""))
"""(The last line: German, French and Spanish words a question in those languages asks with;
no subject of their own, so "quelle est la deadline ?" asks the deadline.)"""

TITLE_QUALIFIERS: frozenset[str] = frozenset({"long"})
"""Stopwords of a question ("how long", "as long as") that in a title say which date it is
("Long paper deadline" beside "Short paper deadline"): a title's word all the same."""

TODAY_ASKED = re.compile(
    r"\bwhat(?:'s|s| is)?\s+(?:the\s+)?(?:date|day)\s+(?:is\s+it\s+)?(?:today|now)\b"
    r"|\bwhat(?:'s|s| is)?\s+(?:the\s+)?(?:date|day)\s+is\s+it\b|\btoday'?s date\b"
    r"|\bwhat(?:'s|s| is)\s+today\b|\bwhat day of the week is it\b"
    r"|今[天日](?:是)?(?:几|幾)?(?:月)?(?:几|幾)[号號日]|今[天日](?:是)?(?:星期|周|週|礼拜|禮拜)(?:几|幾)"
    r"|今[天日]是(?:什么|什麼|哪)(?:日子|天)|今[天日](?:的)?日期")
""""what's the date today?", 「今天几号？」: the asker's own today, not a date of the schedule."""
