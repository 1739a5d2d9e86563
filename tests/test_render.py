"""Reminder messages: the right local time, organizer text kept as data, one-line subjects."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.adapters.template_files import load_templates
from bot.core.model import Event
from bot.core.planner import Reminder, plan
from bot.core.render import Message, Renderer, late_note, one_line
from bot.core.timefmt import format_day
from bot.core.zones import parse_zone
from bot.errors import TemplateError

INJECTION = "{{ 7*7 }} {% if true %}yes{% endif %} <script>alert(1)</script> & {#c#}"


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer(load_templates())


def reminder_for(event: Event, reminder_id: str) -> Reminder:
    return next(r for r in plan(event) if r.id == reminder_id)


def message(renderer: Renderer, event: Event, reminder_id: str = "aisys-sosp17/abstract/7d",
            **options: object) -> Message:
    return renderer.reminder(event, reminder_for(event, reminder_id), **options)  # type: ignore[arg-type]


def with_abstract(event: Event, **changes: object) -> Event:
    dates = tuple(dataclasses.replace(d, **changes) if d.id == "abstract" else d  # type: ignore[arg-type]
                  for d in event.dates)
    return dataclasses.replace(event, dates=dates)


# --- what the reminder says -----------------------------------------------------------------

def test_text_gives_the_deadline_in_its_zone_with_weekday_and_utc(renderer: Renderer,
                                                                 shipped: Event) -> None:
    text = message(renderer, shipped).text
    assert ("Poster abstract submission deadline: Sunday 10 September 2017, 23:59 PDT "
            "(America/Los_Angeles, UTC-07:00) — 7 days from the time this reminder was due"
            in text)
    assert "In UTC: Monday 11 September 2017, 06:59 UTC" in text


def test_text_says_how_to_submit_and_whom_to_ask(renderer: Renderer, shipped: Event) -> None:
    text = message(renderer, shipped).text
    assert "How to submit: via CMT, https://cmt3.research.microsoft.com/" in text
    assert "up to 2 pages" in text
    assert "ai-systems-workshop-2017@googlegroups.com" in text


def test_event_reminder_does_not_say_how_to_submit(renderer: Renderer, shipped: Event) -> None:
    text = message(renderer, shipped, "aisys-sosp17/workshop/1d").text
    assert "How to submit" not in text
    assert "Saturday 28 October 2017 (all day, Asia/Shanghai, UTC+08:00) — 1 day from" in text


def test_reader_zone_adds_the_readers_local_time(renderer: Renderer, shipped: Event) -> None:
    text = message(renderer, shipped, reader=parse_zone("Asia/Shanghai")).text
    assert "In your time zone: Monday 11 September 2017, 14:59 CST (Asia/Shanghai, UTC+08:00)" \
        in text


def test_reader_in_the_events_zone_gets_no_second_time(renderer: Renderer,
                                                       shipped: Event) -> None:
    text = message(renderer, shipped, reader=parse_zone("PT")).text
    assert "In your time zone" not in text


def test_countdown_runs_from_the_due_time_unless_now_is_given(renderer: Renderer,
                                                              shipped: Event) -> None:
    one_day = "aisys-sosp17/abstract/1d"
    assert "1 day from the time this reminder was due" in message(renderer, shipped,
                                                                  one_day).text
    due = reminder_for(shipped, one_day).due
    late = message(renderer, shipped, one_day, now=due + timedelta(hours=5))
    assert "19 hours from now" in late.text
    assert "in 19 hours" in late.subject


def test_same_reminder_renders_the_same_message(renderer: Renderer, shipped: Event) -> None:
    assert message(renderer, shipped) == message(renderer, shipped)


def test_late_note_is_shown_when_given(renderer: Renderer, shipped: Event) -> None:
    reminder = reminder_for(shipped, "aisys-sosp17/abstract/1d")
    note = late_note(reminder, shipped.zone)
    assert note == ("This reminder was due at Saturday 9 September 2017, 23:59 PDT "
                    "(Sunday 10 September 2017, 06:59 UTC); it is being sent late.")
    sent = renderer.reminder(shipped, reminder, late_note=note)
    assert sent.text.startswith(note)
    assert note in sent.html
    assert "being sent late" not in renderer.reminder(shipped, reminder).text


def test_final_call_says_so_in_the_subject(renderer: Renderer, shipped: Event) -> None:
    event = dataclasses.replace(shipped, policy=dataclasses.replace(
        shipped.policy, final_call=timedelta(hours=1)))
    final = message(renderer, event, "aisys-sosp17/abstract/1h")
    assert final.subject.startswith("[AI Systems Workshop @ SOSP 2017] Final call: ")
    assert "in 1 hour" in final.subject


def test_all_day_deadline_says_by_the_end_of_the_day(renderer: Renderer,
                                                     shipped: Event) -> None:
    event = with_abstract(shipped, at=None, day=datetime(2017, 9, 10).date())
    text = message(renderer, event).text
    assert "by the end of Sunday 10 September 2017 (America/Los_Angeles, UTC-07:00)" in text


# --- organizer text is data -----------------------------------------------------------------

def test_template_syntax_in_organizer_text_comes_out_literally(renderer: Renderer,
                                                              shipped: Event) -> None:
    event = with_abstract(shipped, title=INJECTION, description=INJECTION)
    sent = message(renderer, event)
    assert INJECTION in sent.text
    assert "{{ 7*7 }}" in sent.subject and "{% if true %}" in sent.subject
    assert "{{ 7*7 }} {% if true %}yes{% endif %} &lt;script&gt;alert(1)&lt;/script&gt; &amp;" \
        in sent.html
    assert "<script>" not in sent.html
    assert "49" not in sent.text + sent.subject + sent.html


def test_subject_is_one_line_whatever_the_title(renderer: Renderer, shipped: Event) -> None:
    event = with_abstract(shipped, title="Abstracts\r\nBcc: victim@example.org\x00\u2028x")
    subject = message(renderer, event).subject
    assert not any(ch in subject for ch in "\r\n\x00\u2028")
    assert "Abstracts Bcc: victim@example.org x" in subject


def test_unsafe_link_is_not_made_clickable(renderer: Renderer, shipped: Event) -> None:
    event = with_abstract(shipped, url="javascript:alert(1)")
    assert "javascript:" not in message(renderer, event).html
    linked = with_abstract(shipped, url="https://example.org/abstracts")
    assert 'href="https://example.org/abstracts"' in message(renderer, linked).html


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_one_line_never_keeps_a_line_break_or_control_character(text: str) -> None:
    line = one_line(text)
    assert len(line.splitlines()) <= 1
    assert not any(ch in line for ch in "\r\n\x00\x0b\x0c\x85\u2028\u2029")
    assert line == line.strip()


# --- template mistakes are TemplateErrors ---------------------------------------------------

def test_missing_field_raises_template_error_with_its_line(shipped: Event) -> None:
    templates = {**load_templates(), "reminder.txt.j2": "ok\n{{ event.sponsor }}\n"}
    renderer = Renderer(templates)
    with pytest.raises(TemplateError) as caught:
        renderer.reminder(shipped, reminder_for(shipped, "aisys-sosp17/abstract/7d"))
    assert caught.value.problem.file == "reminder.txt.j2"
    assert caught.value.problem.line == 2
    assert "sponsor" in caught.value.problem.message


def test_undefined_variable_in_generic_render_raises_template_error() -> None:
    with pytest.raises(TemplateError, match="'speaker' is undefined"):
        Renderer({"talk.txt.j2": "Talk by {{ speaker }}"}).render("talk.txt.j2")


def test_syntax_error_fails_when_the_renderer_is_built() -> None:
    with pytest.raises(TemplateError) as caught:
        Renderer({"broken.txt.j2": "line one\n{% if %}"})
    assert caught.value.problem.file == "broken.txt.j2"
    assert caught.value.problem.line == 2


def test_sandbox_refuses_python_internals() -> None:
    renderer = Renderer({"evil.txt.j2": "{{ ''.__class__.__mro__ }}"})
    with pytest.raises(TemplateError, match="unsafe"):
        renderer.render("evil.txt.j2")


def test_unknown_template_name_raises_template_error() -> None:
    with pytest.raises(TemplateError, match=r"no template named 'nope\.j2'"):
        Renderer({}).render("nope.j2")


def test_filters_format_instants_and_countdowns() -> None:
    renderer = Renderer({"t.txt.j2": "{{ at | instant(zone) }} | {{ at | caption(zone) }} | "
                                     "{{ at | utc }} | {{ at | countdown(since) }}"})
    at = datetime(2017, 9, 11, 6, 59, tzinfo=UTC)
    out = renderer.render("t.txt.j2", at=at, zone=parse_zone("America/Los_Angeles"),
                          since=at - timedelta(days=2, hours=3))
    assert out == ("Sunday 10 September 2017, 23:59 PDT | America/Los_Angeles, UTC-07:00 | "
                   "Monday 11 September 2017, 06:59 UTC | 2 days 3 hours")


def test_autoescape_is_for_html_templates_only() -> None:
    renderer = Renderer({"a.txt.j2": "{{ v }}", "a.html.j2": "{{ v }}"})
    assert renderer.render("a.txt.j2", v="<b>&") == "<b>&"
    assert renderer.render("a.html.j2", v="<b>&") == "&lt;b&gt;&amp;"


# --- the template files ---------------------------------------------------------------------

def test_shipped_templates_include_the_three_reminder_parts() -> None:
    names = load_templates()
    assert {"reminder.subject.j2", "reminder.txt.j2", "reminder.html.j2"} <= set(names)


def test_missing_template_folder_is_a_template_error(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match="no such template folder"):
        load_templates(tmp_path / "nowhere")


def test_folder_without_reminder_templates_is_a_template_error(tmp_path: Path) -> None:
    (tmp_path / "reminder.txt.j2").write_text("{{ date.title }}", encoding="utf-8")
    with pytest.raises(TemplateError, match=r"reminder\.subject\.j2, reminder\.html\.j2"):
        load_templates(tmp_path)


def test_templates_are_read_from_a_given_folder(tmp_path: Path, shipped: Event) -> None:
    for name, body in {"reminder.subject.j2": "S {{ date.title }}",
                       "reminder.txt.j2": "T {{ reminder.lead_text }}",
                       "reminder.html.j2": "<p>{{ date.title }}</p>"}.items():
        (tmp_path / name).write_text(body, encoding="utf-8")
    sent = message(Renderer(load_templates(tmp_path)), shipped)
    assert sent == Message(subject="S Poster abstract submission deadline", text="T 7d",
                           html="<p>Poster abstract submission deadline</p>")


# --- the reader's language ------------------------------------------------------------------

def test_chinese_reminder_has_chinese_words_weekday_and_the_readers_wall_clock(
        renderer: Renderer, shipped: Event) -> None:
    zh = renderer.speaking("zh")
    assert renderer.languages == ("en", "zh") and zh.lang.code == "zh"
    sent = message(zh, shipped, reader=parse_zone("Asia/Shanghai"))
    assert sent.subject == ("[AI Systems Workshop @ SOSP 2017] 提醒：Poster abstract submission "
                            "deadline 还有7天（2017年9月11日星期一 14:59 CST）")
    assert ("Poster abstract submission deadline：2017年9月10日星期日 23:59 PDT（北美太平洋夏令"
            "时间，UTC-07:00）——距本提醒的预定发送时间还有7天。") in sent.text
    assert "您所在时区：2017年9月11日星期一 14:59 CST（中国标准时间，UTC+08:00）。" in sent.text
    assert "篇幅：最多2页。" in sent.text and "duebot 提醒 aisys-sosp17/abstract/7d，提前7天。" \
        in sent.text
    assert '<html lang="zh-Hans">' in sent.html and "联系人：" in sent.html


def test_organizer_text_stays_escaped_inside_translated_html(renderer: Renderer,
                                                             shipped: Event) -> None:
    event = with_abstract(shipped, title="<b>x</b> & y")
    html = message(renderer.speaking("zh"), event).html
    assert "<strong>&lt;b&gt;x&lt;/b&gt; &amp; y</strong>：" in html


def test_a_language_without_a_catalog_is_english(renderer: Renderer, shipped: Event) -> None:
    assert message(renderer.speaking("fr"), shipped) == message(renderer, shipped)
    assert message(renderer.speaking(None), shipped) == message(renderer, shipped)


def test_late_note_in_chinese(renderer: Renderer, shipped: Event) -> None:
    reminder = reminder_for(shipped, "aisys-sosp17/abstract/1d")
    assert late_note(reminder, shipped.zone, renderer.speaking("zh").lang) == (
        "本提醒原定于2017年9月9日星期六 23:59 PDT（2017年9月10日星期日 06:59 UTC）发送，"
        "现延迟发出。")


def test_every_translatable_message_has_a_chinese_translation() -> None:
    """What `pybabel extract -F babel.cfg` finds in the code and the templates is all in
    templates/locale/zh.po, with the same placeholders: none shows in English by accident."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg
    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parent.parent
    with (root / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = {m[2] if isinstance(m[2], str) else m[2][0]
             for m in extract_from_dir(str(root), method_map, options_map=options_map)}
    assert "Done: %(what)s. Write \"settings\" to see all your choices." in found
    with (root / "templates" / "locale" / "zh.po").open("rb") as po:
        catalog = read_po(po)
    translated = {}
    for entry in catalog:
        if entry.id:
            key = entry.id if isinstance(entry.id, str) else entry.id[0]
            translated[key] = entry.string if isinstance(entry.string, str) else entry.string[0]
    assert found, "nothing extracted"
    assert sorted(found - {k for k, v in translated.items() if v}) == []
    for key in found:
        assert sorted(re.findall(r"%\(\w+\)s", key)) == sorted(
            re.findall(r"%\(\w+\)s", translated[key])) or "num" in key, key


def test_a_broken_catalog_is_a_template_error_naming_it() -> None:
    with pytest.raises(TemplateError) as caught:
        Renderer({**load_templates(), "locale/xx.po": 'msgid "a"\nmsgstr "b"\nmsgid broken'})
    assert "locale/xx.po" in str(caught.value)


def test_announcement_framing_is_translated_and_the_organizers_text_is_not(
        renderer: Renderer, shipped: Event) -> None:
    from bot.app import announce
    from bot.core.model import Announcement

    said = Announcement(id="open", at="2017-08-01T00:00Z", text="Submissions are open.")
    moved = Announcement(id="ext", at="x", template="extended", params={
        "date": "abstract", "old": "2017-09-01T10:00:00+00:00",
        "new": "2017-09-08T10:00:00+00:00", "later": "true"})
    when = datetime(2017, 8, 1, tzinfo=UTC)
    zh = renderer.speaking("zh")
    text = announce.render(zh, shipped, said, when=when).text
    assert text.startswith("Submissions are open.\n") and "duebot 公告 open。" in text
    extended = announce.render(zh, shipped, moved, when=when)
    assert "新时间：2017年9月8日星期五 03:00 PDT（2017年9月8日星期五 10:00 UTC）" in extended.text
    assert "已延期：现为" in extended.subject
    english = announce.render(renderer, shipped, moved, when=when).text
    assert "New time: Friday 8 September 2017, 03:00 PDT (Friday 8 September 2017, 10:00 UTC)" \
        in english


def test_extension_notice_texts_are_in_the_readers_language(renderer: Renderer,
                                                            shipped: Event) -> None:
    """``new_text``/``old_text`` (for an operator's own templates) are the ``moment`` filter's
    words: English byte for byte as before, Chinese for a Chinese reader."""
    from bot.app import announce
    from bot.core.model import Announcement

    moved = Announcement(id="ext", at="x", template="extended", params={
        "date": "abstract", "old": "2017-09-01T10:00:00+00:00",
        "new": "2017-09-08T10:00:00+00:00", "later": "true"})
    day = Announcement(id="day", at="x", template="extended", params={
        "date": "workshop", "new": "2017-10-29"})
    when = datetime(2017, 8, 1, tzinfo=UTC)
    english = announce.context(shipped, moved, when=when)
    assert english["new_text"] == ("Friday 8 September 2017, 03:00 PDT "
                                   "(Friday 8 September 2017, 10:00 UTC)")
    assert english["old_text"] == ("Friday 1 September 2017, 03:00 PDT "
                                   "(Friday 1 September 2017, 10:00 UTC)")
    assert announce.context(shipped, day, when=when)["new_text"] == (
        "Sunday 29 October 2017 (all day, Asia/Shanghai, UTC+08:00)")  # the workshop's zone
    chinese = announce.context(shipped, moved, when=when, lang=renderer.speaking("zh").lang)
    assert chinese["new_text"] == "2017年9月8日星期五 03:00 PDT（2017年9月8日星期五 10:00 UTC）"
    assert chinese["old_text"].startswith("2017年9月1日星期五 03:00 PDT")


def test_one_describe_says_a_date_in_english_and_in_chinese(renderer: Renderer,
                                                            shipped: Event) -> None:
    """``Language.sentence`` is ``timefmt.describe`` in that language: in English the very
    same text as ``describe(...).sentence()``, which the answer engine and the page use."""
    from bot.core.language import ENGLISH
    from bot.core.timefmt import describe

    workshop = shipped.date("workshop")
    dates = [shipped.date("abstract"), workshop,
             dataclasses.replace(workshop, end_day=date(2017, 10, 29)),
             shipped.date("camera-ready")]
    moments = [datetime(2017, 9, 1, 12, tzinfo=UTC), datetime(2017, 10, 28, 3, tzinfo=UTC),
               datetime(2017, 12, 1, tzinfo=UTC)]
    readers = [None, parse_zone("Asia/Tokyo"), parse_zone("America/Los_Angeles")]
    for when in dates:
        for now in moments:
            for reader in readers:
                assert ENGLISH.sentence(when, now, reader) == describe(when, now, reader
                                                                       ).sentence()
    tokyo, early, during = readers[1], moments[0], moments[1]
    assert describe(dates[0], early, tokyo).sentence() == (
        "Monday 11 September 2017, 15:59 JST (Asia/Tokyo, UTC+09:00); that is Sunday 10 "
        "September 2017, 23:59 PDT (America/Los_Angeles, UTC-07:00) (9 days 18 hours from now)")
    assert describe(dates[2], during).sentence() == (
        "Saturday 28 October 2017 to Sunday 29 October 2017 (all day, Asia/Shanghai, "
        "UTC+08:00) (under way now)")
    assert describe(dates[1], moments[2]).sentence().endswith("(passed 33 days 8 hours ago)")
    assert renderer.speaking("zh").lang.sentence(dates[0], early, tokyo) == (
        "2017年9月11日星期一 15:59 JST（日本标准时间，UTC+09:00）；即2017年9月10日星期日 23:59 PDT"
        "（北美太平洋夏令时间，UTC-07:00）（还有9天18小时）")


def test_an_extension_notice_shows_the_readers_own_zone_first(renderer: Renderer,
                                                              shipped: Event) -> None:
    """A subscriber who chose a zone reads the moved deadline in it, the date's own beside it;
    one whose zone keeps the same clock reads it as everyone does."""
    from bot.app import announce
    from bot.core.model import Announcement
    from bot.core.zones import parse_zone

    moved = Announcement(id="ext", at="x", template="extended", params={
        "date": "abstract", "old": "2017-09-01T10:00:00+00:00",
        "new": "2017-09-08T10:00:00+00:00", "later": "true"})
    when = datetime(2017, 8, 1, tzinfo=UTC)
    shanghai = parse_zone("Asia/Shanghai")
    text = announce.render(renderer, shipped, moved, when=when, reader=shanghai).text
    assert ("New time: Friday 8 September 2017, 18:00 CST (Asia/Shanghai, UTC+08:00); that is "
            "Friday 8 September 2017, 03:00 PDT (Friday 8 September 2017, 10:00 UTC)") in text
    assert "It was:   Friday 1 September 2017, 18:00 CST" in text
    zh = announce.render(renderer.speaking("zh"), shipped, moved, when=when, reader=shanghai)
    assert "新时间：2017年9月8日星期五 18:00 CST" in zh.text
    assert "；即2017年9月8日星期五 03:00 PDT" in zh.text
    same_clock = announce.render(renderer, shipped, moved, when=when,
                                 reader=parse_zone("America/Vancouver")).text
    assert "New time: Friday 8 September 2017, 03:00 PDT (Friday 8 September 2017, 10:00 UTC)" \
        in same_clock and "that is" not in same_clock


@given(st.dates(min_value=date(1970, 1, 1), max_value=date(2100, 12, 31)))
@settings(max_examples=300, deadline=None)
def test_days_are_written_as_strftime_writes_them(day: date) -> None:
    assert format_day(day) == f"{day:%A} {day.day} {day:%B %Y}"
