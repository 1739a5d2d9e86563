"""Replies in traditional Chinese for people who ask in it (``截稿是幾點？``).

The reply is rendered in simplified Chinese, then turned into traditional: zone names by
Babel's CLDR ``zh_Hant`` data, the engine's own phrases by a table of the characters they use
(one for one; a test holds that every character of a reply phrase is in ``TO_HANT`` or in
``SAME``). The schedule's own words (titles, venue) are kept as the organizers wrote them.
No conversion library is in the venv; the phrases are few and fixed, so a table does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from bot.core.ask.text import TRADITIONAL_PAIRS

# The simplified characters of the reply phrases (bot.core.ask.reply, bot.core.ask.zh) and
# of the question lexicon echoed back ("日程里没有关于“晚宴”的信息"), with their traditional form.
_PAIRS = (
    "东東两兩个個为為举舉么麼于於从從会會体體余餘关關写寫准準几幾别別办辦动動区區单單发發"
    "后後吗嗎国國场場审審录錄帮幫并並开開当當数數时時显顯标標气氣没沒点點现現离離紧緊组組"
    "织織终終经經结結给給续續联聯装裝见見计計议議记記评評询詢说說请請较較过過还還这這进進"
    "迟遲钟鐘链鏈问問间間页頁题題顺順里裡双雙来來内內样樣论論报報长長与與注註册冊费費签簽证證"
    "饭飯备備轮輪馆館线線网網邮郵谢謝们們让讓对對带帶参參礼禮术術验驗实實际際协協测測试試"
    "义義传傳处處产產业業读讀错錯误誤补補宽寬决決头頭够夠湾灣约約伦倫尔爾温溫华華旧舊欧歐"
    "号號专專门門届屆负負责責话話电電视視频頻讲講宾賓奖獎获獲机機车車铁鐵资資销銷预預订訂"
    "种種软軟选選择擇设設阶階讨討驳駁辩辯称稱则則启啟岁歲达達")
TO_HANT: dict[str, str] = {_PAIRS[i]: _PAIRS[i + 1] for i in range(0, len(_PAIRS), 2)}
"""Simplified -> traditional, for the characters the engine's phrases use."""

SAME = set(
    "一上下不中久之了些交京什以任位何作你例信倒候全共其具再出分到制前助北匿即原去取受另只可"
    "合同名否周和哪回固在地址多天好如姓它定客小少已年序延式我或截所抱持指按接提改放方日明星"
    "是更最月有期未本束板果查格模次歉止正比求活消用的相看知示程符第答系者至行被要身超距部都"
    "重附限隔需面怎盲穿懂息版球通那也等今昨晚末公布除外半早能先仍己自午及太得")
"""Characters written alike in both scripts (系 stays: 关系 is 關係 but 联系 is 聯繫)."""

_PHRASES = (("联系", "聯繫"), ("关系", "關係"))

# Characters only one script uses: a question with some of the first and none of the second
# is traditional ("截稿是幾點？"); one with both, or only shared characters, is simplified.
_AMBIGUOUS = set("里么于后准余系台周只复干面")
_SIMPLIFIED_ONLY = frozenset(
    ({s for s, t in TRADITIONAL_PAIRS if s != t} | set(TO_HANT)) - _AMBIGUOUS
    - {t for t, _ in TRADITIONAL_PAIRS} - set(TO_HANT.values()))
_TRADITIONAL_ONLY = frozenset(
    ({t for t, s in TRADITIONAL_PAIRS if s != t} | set(TO_HANT.values())) - _AMBIGUOUS
    - {s for _, s in TRADITIONAL_PAIRS} - set(TO_HANT))
_TABLE = str.maketrans(TO_HANT)


def is_traditional(question: str) -> bool:
    """Traditional when the question has a traditional-only character and no simplified-only
    one: mixed or shared text stays simplified, as before."""
    chars = set(question)
    return bool(chars & _TRADITIONAL_ONLY) and not chars & _SIMPLIFIED_ONLY


@lru_cache(maxsize=64)
def _kept(words: tuple[str, ...]) -> re.Pattern[str] | None:
    spans = sorted({w for w in words if w}, key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in spans)) if spans else None


def convert(text: str, *, names: Iterable[tuple[str, str]] = (),
            keep: Iterable[str] = ()) -> str:
    """``text`` in traditional Chinese: each ``(simplified, traditional)`` name first (CLDR's
    zone names), then the phrases, then one character for one; the words in ``keep`` (the
    schedule's own) as they are."""
    pattern = _kept(tuple(keep))
    out: list[str] = []
    start = 0
    for m in (pattern.finditer(text) if pattern is not None else ()):
        out.append(_convert(text[start:m.start()], names))
        out.append(m.group(0))
        start = m.end()
    out.append(_convert(text[start:], names))
    return "".join(out)


def _convert(text: str, names: Iterable[tuple[str, str]]) -> str:
    for simplified, traditional in names:
        text = text.replace(simplified, traditional)
    for simplified, traditional in _PHRASES:
        text = text.replace(simplified, traditional)
    return text.translate(_TABLE)
