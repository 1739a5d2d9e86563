"""What a Chinese question sets aside (不算, 除了, 先不管, 撇开 ... a date): never the answer, and
the reply says which dates it left out, as English's "Besides ..." does. One exclusion pass
for a Chinese question (the English one read the words after 不是 again, and set aside the
abstract of "isn't it the abstract?": 不是X吗 asks, it excludes nothing).

bosws31 (Boston): abstract 17:00 EST Friday 7 March 2031, full paper 23:59 EDT Friday 14
March; the reader is in Shanghai on Saturday 1 March.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ask_probe import P, Schedules

DATA = Path(__file__).resolve().parent / "data" / "ask"
SCHEDULES = Schedules(files={"O": DATA / "bosws31.toml", "I": DATA / "icds27.toml"},
                      now={"O": "2031-03-01T12:00:00+00:00", "I": "2027-03-01T00:00:00+00:00"},
                      reader={"O": "Asia/Shanghai", "I": "Asia/Taipei"})


@pytest.mark.parametrize(("question", "first"), [
    ("不算摘要，下一个截止日期是什么时候？", "paper"),
    ("先不管摘要，下一个ddl是哪天？", "paper"),
    ("撇开摘要不谈，接下来还有什么截止？", "paper"),
    ("抛开摘要，下一个截止是几号？", "paper"),
    ("除了摘要以外，下一个截止日期是什么时候?", "paper"),
    ("不考虑摘要的话，最近的截止日期是哪天？", "paper"),
    ("not the abstract, 全文几号截止？", "paper"),
])
def test_a_date_set_aside_in_chinese_is_never_the_answer_and_is_named(question: str,
                                                                      first: str) -> None:
    reply = SCHEDULES.ask(P("O", question, "", "aside"))
    ids = [d.id for d in reply.dates]
    assert ids[:1] == [first] and "abstract" not in ids, reply.text
    assert "Abstract registration" in reply.text.split("\n")[0], reply.text


def test_a_registration_set_aside_is_named_and_the_other_given() -> None:
    reply = SCHEDULES.ask(P("I", "除了论文注册，注册还有哪些截止日期？", "", "aside"))
    ids = [d.id for d in reply.dates]
    assert "paper-registration" not in ids and "registration" in ids, reply.text
    assert reply.text.startswith("除了Paper registration (title and abstract)"), reply.text


def test_the_set_aside_wording_is_in_traditional_for_a_traditional_question() -> None:
    reply = SCHEDULES.ask(P("O", "不算摘要，下一個截止日期是什麼時候？", "", "aside"))
    assert reply.traditional and "abstract" not in [d.id for d in reply.dates], reply.text
    assert reply.text.startswith("除了Abstract registration"), reply.text


@pytest.mark.parametrize(("question", "want"), [
    ("截止日期不是摘要注册吗？", "abstract"),       # "isn't the deadline the abstract's?"
    ("不是说摘要3月7号截止吗？", "abstract"),       # "didn't they say 7 March?"
    ("摘要截止不是3月7号吗？", "abstract"),
])
def test_a_chinese_isnt_it_question_sets_nothing_aside(question: str, want: str) -> None:
    reply = SCHEDULES.ask(P("O", question, "", "aside"))
    assert want in [d.id for d in reply.dates], reply.text
    assert not reply.text.startswith("除了"), reply.text


def test_isnt_it_on_the_day_it_is_says_yes() -> None:
    reply = SCHEDULES.ask(P("O", "不是说摘要3月7号截止吗？", "", "aside"))
    assert reply.parts[0].verdict is True and reply.text.startswith("是的"), reply.text


@pytest.mark.parametrize("question", [
    "不考慮摘要的話，最近的截止日期是哪天？",   # 慮 read as 虑
    "拋開摘要，下一個截止是幾號？",             # 拋 read as 抛
    "下一个截止是几号？not the abstract",        # a "not X" added after the question
    "ddl是哪天? not abstract",
])
def test_traditional_and_trailing_english_exclusions_set_the_date_aside(question: str) -> None:
    reply = SCHEDULES.ask(P("O", question, "", "aside"))
    ids = [d.id for d in reply.dates]
    assert ids[:1] == ["paper"] and "abstract" not in ids, reply.text


def test_a_not_after_a_question_that_names_no_date_sets_nothing_aside() -> None:
    # A guard: "not sure" names no date.
    reply = SCHEDULES.ask(P("O", "摘要几号截止？not sure", "", "aside"))
    assert [d.id for d in reply.dates][:1] == ["abstract"], reply.text


@pytest.mark.parametrize("question", ["不是早鸟的那个注册，几号截止？", "不是早鸟的注册几号截止？",
                                      "注册（不是早鸟的）几号截止？"])
def test_a_head_after_de_is_still_asked_when_its_modifier_is_set_aside(question: str) -> None:
    # Found by hand: "not the early-bird one of registration" set registration itself aside
    # too, and answered the visa letters (the next deadline).
    reply = Schedules(files={"V": DATA / "vmlw31.toml"}, now={"V": "2031-05-22T06:00:00+00:00"},
                      reader={"V": "Asia/Shanghai"}).ask(P("V", question, "", "aside"))
    assert [d.id for d in reply.dates] == ["late"], reply.text
    assert reply.text.startswith("除了Early registration以外"), reply.text
