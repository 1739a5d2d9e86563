"""First steps of reading: normalize, tell the language, cut into tokens that keep their spans."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

Language = Literal["en", "zh"]
MAX_QUESTION = 2000
"""Longer text is cut: nobody's question is longer, and the reader's work stays bounded."""

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?|[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+"
                   r"|[?？;；。!！\n,，、]")
_EMOJI = re.compile(r"[\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F]")

# Traditional characters that questions about dates use, read as the simplified ones the
# lexicon holds (one character for one, so spans still point back at the question).
_TRADITIONAL_FROM, _TRADITIONAL_TO = (
    "時間麼幾點會議個錄終嗎裡裏區東樣論報這現開長與註冊費簽證飯離數計過後還準備審評輪場館線網"
    "聯繫係郵題問請謝們說讓從對帶發辦舉參週禮頁雙單學術經驗實際協測試義傳處產業讀寫錯誤遲補寬"
    "決結鐘頭夠為於國臺灣紐約倫爾溫華舊歐標號兩專門屆組織負責話電視頻講賓獎獲機車鐵資銷預訂種"
    "軟體選擇詢設階討復駁辯稱則麽嘛啟啓續隔歲當達"
    "鳥薦價錢優護駐飛曆歷紀簡氣額繳滿廳應該確認換轉歡檔關閉課師營團級員覽隊環訊壇徵頒聽"
    "緒遞將邊圖畫僅貼佈載響總務習導齊規劃喺嘅沒慮拋並咗嚟",
    "时间么几点会议个录终吗里里区东样论报这现开长与注册费签证饭离数计过后还准备审评轮场馆线网"
    "联系系邮题问请谢们说让从对带发办举参周礼页双单学术经验实际协测试义传处产业读写错误迟补宽"
    "决结钟头够为于国台湾纽约伦尔温华旧欧标号两专门届组织负责话电视频讲宾奖获机车铁资销预订种"
    "软体选择询设阶讨复驳辩称则么嘛启启续隔岁当达"
    "鸟荐价钱优护驻飞历历纪简气额缴满厅应该确认换转欢档关闭课师营团级员览队环讯坛征颁听"
    "绪递将边图画仅贴布载响总务习导齐规划在的没虑抛并了来")
_TRADITIONAL = str.maketrans(_TRADITIONAL_FROM, _TRADITIONAL_TO)
TRADITIONAL_PAIRS: tuple[tuple[str, str], ...] = tuple(zip(_TRADITIONAL_FROM, _TRADITIONAL_TO,
                                                           strict=True))
"""(traditional, simplified) for each character the question reader folds."""


def normalize(text: str) -> str:
    """NFKC (full-width to half-width), casefolded, accents and emoji off; spans kept 1:1."""
    text = unicodedata.normalize("NFKC", text[:MAX_QUESTION])
    text = _EMOJI.sub(" ", text)
    out = []
    for ch in text.casefold():
        # One character in, one out, so spans point back at the question.
        if ch.isascii() or _CJK.match(ch):
            out.append(ch)
        else:
            base = unicodedata.normalize("NFKD", ch)
            kept = "".join(c for c in base if not unicodedata.combining(c))
            out.append(kept[:1] if len(kept) >= 1 and kept[:1].isascii() else ch)
    # "甚麼" is the traditional "什么"; the rest one character for one.
    return "".join(out).replace("’", "'").translate(_TRADITIONAL).replace("甚么", "什么")


def language(text: str) -> Language:
    """Chinese when the text holds CJK ideographs (mixed text too), English otherwise."""
    return "zh" if _CJK.search(text) else "en"


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


@dataclass(frozen=True)
class Piece:
    """A run of the normalized text: an English word, a run of Chinese, or a separator."""

    text: str
    start: int
    end: int

    @property
    def cjk(self) -> bool:
        return bool(_CJK.match(self.text))

    @property
    def separator(self) -> bool:
        return self.text in "?？;；。!！\n,，、"


def pieces(normalized: str) -> list[Piece]:
    return [Piece(m.group(0), m.start(), m.end()) for m in _WORD.finditer(normalized)]
