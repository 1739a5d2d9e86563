"""Questions in traditional Chinese are answered in it: CLDR's zh_Hant zone names, the
engine's phrases through ``bot.core.ask.hant``'s table, the schedule's own words kept."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest

from bot.core.ask import answer, hant, reply, zh
from bot.core.schedule import parse_schedule

ROOT = Path(__file__).resolve().parent
SOSP = parse_schedule((ROOT.parent / "schedules" / "aisys-sosp17.toml").read_text("utf-8"))
CCF = parse_schedule((ROOT / "data" / "ask" / "ccfsys26.toml").read_text("utf-8"))
NOW = datetime.fromisoformat("2017-09-01T12:00:00+00:00")


@pytest.mark.parametrize(("question", "has"), [
    ("截稿是幾點？", "23:59（太平洋夏令時間，UTC-07:00）（還有9天18小時）"),
    ("會議在哪裡", "地點：SOSP 2017, Shanghai, China"),
    ("北京時間截止是幾點？", "2017年9月11日星期一 14:59（中國標準時間，UTC+08:00）"),
    ("有晚宴嗎？", "日程裡沒有關於晚宴的信息；請聯繫"),
])
def test_a_question_in_traditional_chinese_is_answered_in_it(question: str, has: str) -> None:
    said = answer(question, SOSP, now=NOW)
    assert has in said.text
    assert not set(said.text) & set(hant.TO_HANT) - {"系"}, said.text  # no simplified left
    assert all(not set(line) & set(hant.TO_HANT) for p in said.parts for line in p.lines)


@pytest.mark.parametrize("question", ["截稿是几点？", "会议在哪里", "截止日期是什么时候？",
                                      "截稿是幾点？"])  # mixed: simplified, as before
def test_simplified_or_mixed_questions_are_answered_in_simplified(question: str) -> None:
    said = answer(question, SOSP, now=NOW).text
    assert not set(said) & set(hant.TO_HANT.values()), said


def test_the_schedules_own_chinese_words_are_kept_as_written() -> None:
    titles = [d.title for d in CCF.dates if re.search(r"[\u4e00-\u9fff]", d.title)]
    assert titles
    said = answer("所有日期是甚麼時候？", CCF, now=datetime.fromisoformat(
        "2026-03-01T00:00:00+00:00")).text
    assert any(t in said for t in titles), said
    assert "還有" in said


def test_the_same_instants_in_both_scripts() -> None:
    for simplified, traditional in [("截稿是几点？", "截稿是幾點？"),
                                    ("录用通知什么时候发？", "錄用通知什麼時候發？")]:
        assert answer(simplified, SOSP, now=NOW).instants == answer(
            traditional, SOSP, now=NOW).instants


def test_every_character_of_the_reply_phrases_has_its_traditional_form() -> None:
    """A new phrase with a character neither in the table nor known to be written alike in
    both scripts fails here, before a reader in Taipei gets it half simplified."""
    source = "".join(Path(m.__file__ or "").read_text("utf-8") for m in (reply, zh))
    used = set(re.findall(r"[\u4e00-\u9fff]", "".join(
        s for s in re.findall(r'"[^"\n]*"', source))))
    missing = sorted(used - set(hant.TO_HANT) - hant.SAME)
    assert not missing, "".join(missing)
    assert not set(hant.TO_HANT) & hant.SAME


def test_answer_takes_the_language_to_answer_in() -> None:
    # A front end that knows the asker's language (a chat's zh-TW locale) has the engine build
    # the whole reply in it: every part, and the zone named by CLDR's zh_Hant name.
    event, now = SOSP, NOW
    said = answer("ddl in Kolkata?", event, now=now, language="zh-Hant")
    assert said.language == "zh" and said.traditional
    assert "印度標準時間" in said.text and "還有" in said.text, said.text
    lines = [line for p in said.parts for line in p.lines]
    assert lines and not {c for line in lines for c in line if c in hant.TO_HANT}, lines
    english = answer("ddl in Kolkata?", event, now=now)
    assert [d.id for d in said.dates] == [d.id for d in english.dates]
    assert said.intent == english.intent
    simplified = answer("ddl in Kolkata?", event, now=now, language="zh")
    assert "印度时间" in simplified.text and not simplified.traditional
    assert answer("截稿是幾點？", event, now=now, language="en").language == "en"
    with pytest.raises(ValueError, match="language='fr'"):
        answer("ddl?", event, now=now, language="fr")
