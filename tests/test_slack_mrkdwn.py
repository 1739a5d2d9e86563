"""Slack's mrkdwn, written one way (``bot.core.slack_mrkdwn``): escaping, ``<!date>`` tokens, and
the extension notice that leads a Slack delivery (``bot.core.announcements.slack_text``)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from bot.core.announcements import slack_text
from bot.core.model import Announcement
from bot.core.slack_mrkdwn import escape, slack_date, unescape
from tests.conftest import SHIPPED


def test_escape_defuses_the_control_characters_and_unescape_undoes_it() -> None:
    said = "<!channel> & <@U1>"
    assert escape(said) == "&lt;!channel&gt; &amp; &lt;@U1&gt;"
    assert unescape(escape(said)) == said


def test_a_date_token_carries_the_instant_and_an_escaped_fallback() -> None:
    instant = datetime(2017, 9, 11, 6, 59, tzinfo=UTC)
    assert slack_date(instant, "a < b") == (
        "<!date^1505113140^{date_long_pretty} {time}|a &lt; b>")
    assert slack_date(instant, "x", with_time=False) == "<!date^1505113140^{date_long_pretty}|x>"


def test_an_extension_notice_names_the_date_escaped_and_both_times_as_tokens() -> None:
    from bot.core.schedule import read_schedule

    (event, *_) = read_schedule(SHIPPED.read_text(encoding="utf-8"), str(SHIPPED))
    event = replace(event, dates=tuple(replace(d, title="Abstracts <& posters>")
                                       if d.id == "abstract" else d for d in event.dates))
    notice = Announcement(id="x", at="now", params={
        "date": "abstract", "later": "true", "new": "2017-09-18T06:59:00+00:00",
        "old": "2017-09-11T06:59:00+00:00"})
    assert slack_text(event, notice) == (
        "*Abstracts &lt;&amp; posters&gt;* has been extended: it is now "
        "<!date^1505717940^{date_long_pretty} {time}|Sunday 17 September 2017, 23:59 PDT> "
        "(it was <!date^1505113140^{date_long_pretty} {time}|"
        "Sunday 10 September 2017, 23:59 PDT>).")
