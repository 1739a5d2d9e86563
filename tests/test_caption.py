"""A time in UTC or a fixed offset says its zone once: "06:59 UTC", never "06:59 UTC (UTC)".

The caption beside a time tells zones apart whatever their abbreviation; where the caption is
the abbreviation itself it says nothing new, in answers, reminders, chat lines, the calendar
feed and the dates page alike. Every other zone keeps its caption."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import jinja2
import pytest

from bot.adapters.chat_webhooks import date_words
from bot.adapters.slack_format import answer_blocks
from bot.adapters.template_files import load_templates
from bot.core.ask import answer
from bot.core.ical import when_text as ical_when_text
from bot.core.language import ENGLISH
from bot.core.model import Event
from bot.core.page import date_view, page_view
from bot.core.planner import plan
from bot.core.render import Renderer, moment_text
from bot.core.timefmt import caption_after, captioned, describe
from bot.core.zones import parse_zone

NOW = datetime(2017, 9, 1, 12, 0, tzinfo=UTC)
DEADLINE = datetime(2017, 9, 11, 6, 59, tzinfo=UTC)

ONCE = [
    ("UTC", "Monday 11 September 2017, 06:59 UTC"),
    ("UTC+08:00", "Monday 11 September 2017, 14:59 UTC+08:00"),
    ("UTC-03:30", "Monday 11 September 2017, 03:29 UTC-03:30"),
]
CAPTIONED = [
    ("AoE", "Sunday 10 September 2017, 18:59 AoE (Anywhere on Earth, UTC-12:00)"),
    ("Europe/Berlin", "Monday 11 September 2017, 08:59 CEST (Europe/Berlin, UTC+02:00)"),
    ("CST", "Monday 11 September 2017, 00:59 CST (fixed UTC-06:00)"),
]


def _in_zone(event: Event, key: str) -> Event:
    """The shipped schedule with its poster deadline given in zone ``key``."""
    zone = parse_zone(key)
    dates = tuple(dataclasses.replace(d, zone=zone) if d.id == "abstract" else d
                  for d in event.dates)
    return dataclasses.replace(event, zone=zone, dates=dates)


@pytest.mark.parametrize(("key", "text"), ONCE + CAPTIONED)
def test_captioned_says_each_name_once(key: str, text: str) -> None:
    assert captioned(DEADLINE, parse_zone(key)) == text


@pytest.mark.parametrize(("key", "text"), ONCE)
def test_answer_in_a_reader_zone_of_utc_or_an_offset(shipped: Event, key: str,
                                                      text: str) -> None:
    reply = answer("when is the deadline?", shipped, now=NOW, reader=parse_zone(key))
    assert f"is {text}; that is Sunday 10 September 2017, 23:59 PDT " \
           f"(America/Los_Angeles, UTC-07:00)" in reply.text
    assert f"{text} (" not in reply.text


@pytest.mark.parametrize(("key", "text"), CAPTIONED[:2])
def test_answer_in_other_zones_keeps_the_caption(shipped: Event, key: str, text: str) -> None:
    reply = answer("when is the deadline?", shipped, now=NOW, reader=parse_zone(key))
    assert f"is {text}; that is" in reply.text


def test_zone_named_in_the_question(shipped: Event) -> None:
    reply = answer("when is the deadline in UTC+8?", shipped, now=NOW)
    assert "14:59 UTC+08:00 (UTC+08:00)" not in reply.text
    assert "14:59 UTC+08:00" in reply.text


def test_which_zone_answer_of_a_utc_schedule(shipped: Event) -> None:
    reply = answer("what zone is the deadline in?", _in_zone(shipped, "UTC"), now=NOW)
    assert "The schedule gives it in UTC." in reply.text
    reply = answer("what zone is the deadline in?", shipped, now=NOW)
    assert "The schedule gives it in PDT (America/Los_Angeles, UTC-07:00)." in reply.text


def test_chinese_already_says_the_zone_once(shipped: Event) -> None:
    # Chinese times carry no abbreviation, so the caption is the only name: kept.
    reply = answer("截稿是UTC几点?", shipped, now=NOW, reader=parse_zone("UTC"))
    assert "2017年9月11日星期一 06:59（UTC）" in reply.text
    assert "UTC（UTC）" not in reply.text


def test_describe_in_chinese_words_says_utc_once(shipped: Event) -> None:
    zh = Renderer(load_templates()).speaking("zh").lang
    when = next(d for d in shipped.dates if d.id == "abstract")
    text = describe(when, NOW, parse_zone("UTC"), zh).reader_text
    assert text == "2017年9月11日星期一 06:59 UTC"
    assert caption_after(parse_zone("Asia/Shanghai"), DEADLINE, zh) != ""


def test_reminder_for_a_utc_reader(shipped: Event) -> None:
    reminder = next(r for r in plan(shipped) if r.id == "aisys-sosp17/abstract/7d")
    sent = Renderer(load_templates()).reminder(shipped, reminder, reader=parse_zone("UTC"))
    assert "06:59 UTC (UTC)" not in sent.text and "06:59 UTC (UTC)" not in sent.html
    assert "Monday 11 September 2017, 06:59 UTC" in sent.text
    assert "23:59 PDT (America/Los_Angeles, UTC-07:00)" in sent.text


def test_reminder_of_a_utc_deadline(shipped: Event) -> None:
    event = _in_zone(shipped, "UTC+08:00")
    reminder = next(r for r in plan(event) if r.id == "aisys-sosp17/abstract/7d")
    sent = Renderer(load_templates()).reminder(event, reminder)
    assert "UTC+08:00 (UTC+08:00)" not in sent.text
    assert "Monday 11 September 2017, 14:59 UTC+08:00" in sent.text


def test_slack_and_chat_date_lines(shipped: Event) -> None:
    event = _in_zone(shipped, "UTC")
    reply = answer("when is the deadline?", event, now=NOW)
    blocks = str(answer_blocks(reply, NOW, parse_zone("Asia/Shanghai")))
    assert "06:59 UTC (UTC)" not in blocks and "06:59 UTC" in blocks
    when = next(d for d in event.dates if d.id == "abstract")
    assert date_words(when, DEADLINE, reply)[0] == "Monday 11 September 2017, 06:59 UTC"
    la = next(d for d in shipped.dates if d.id == "abstract")
    assert date_words(la, DEADLINE, reply)[0] == \
        "Sunday 10 September 2017, 23:59 PDT (America/Los_Angeles, UTC-07:00)"


def test_calendar_description(shipped: Event) -> None:
    when = next(d for d in _in_zone(shipped, "UTC").dates if d.id == "abstract")
    assert ical_when_text(when) == "Monday 11 September 2017, 06:59 UTC"
    when = next(d for d in _in_zone(shipped, "AoE").dates if d.id == "abstract")
    assert ical_when_text(when) == CAPTIONED[0][1]


def test_dates_page(shipped: Event) -> None:
    event = _in_zone(shipped, "UTC")
    when = next(d for d in event.dates if d.id == "abstract")
    assert date_view(event, when, NOW, "https://x.test").zone_caption == ""
    when = next(d for d in shipped.dates if d.id == "abstract")
    assert date_view(shipped, when, NOW, "https://x.test").zone_caption == \
        "America/Los_Angeles, UTC-07:00"


def _page(event: Event) -> str:
    root = Path(__file__).resolve().parent.parent / "templates" / "web"
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(root), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True)
    return env.get_template("page.html.j2").render(page=page_view([event], NOW, "https://x.test"),
                                                   static="https://x.test/static")


def test_dates_page_html(shipped: Event) -> None:
    html = _page(_in_zone(shipped, "UTC"))
    assert "06:59 UTC</time>" in html
    assert '<span class="zone">(UTC)</span>' not in html
    assert '<span class="zone">(America/Los_Angeles, UTC-07:00)</span>' in _page(shipped)


def test_extension_notice_of_a_utc_date() -> None:
    new = "2017-09-11T06:59:00+00:00"
    assert moment_text(ENGLISH, new, parse_zone("UTC")) == "Monday 11 September 2017, 06:59 UTC"
    # A reader in UTC finds UTC's time beside the date's own: said once, not before it too.
    assert moment_text(ENGLISH, new, parse_zone("UTC+08:00"), parse_zone("UTC")) == (
        "Monday 11 September 2017, 14:59 UTC+08:00 (Monday 11 September 2017, 06:59 UTC)")
    assert moment_text(ENGLISH, new, parse_zone("Europe/Berlin")) == (
        "Monday 11 September 2017, 08:59 CEST (Monday 11 September 2017, 06:59 UTC)")
