"""Slack's Block Kit for what duebot posts: answers (each date as a ``<!date>`` token beside its
own zone, in the language asked) and deliveries (the words, where they come from, a calendar
button), cut to Slack's limits and never inside a token.

Pure formatting over the core's values; the Bolt app (``slack_app``) and the channel
(``slack_channel``) post what it builds.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.core.model import ImportantDate
from bot.core.slack_mrkdwn import escape, mrkdwn_chunks, slack_date
from bot.core.timefmt import (
    captioned,
    ends_written_day,
    format_day,
    format_instant,
    relative,
    zone_caption,
)
from bot.core.zones import Zone
from bot.ports import Outgoing

if TYPE_CHECKING:
    from bot.core.ask import Answer

__all__ = ["MAX_BLOCKS", "answer_blocks", "message_blocks", "sections", "within_limit"]


def _date_line_zh(when: ImportantDate, now: datetime, reader: Zone) -> str:
    """The same line for a question asked in Chinese: CLDR dates and zone names."""
    from bot.core.ask import zh  # here: importing the reader costs ~0.1 s a start

    title = f"*{escape(when.title)}*"
    if when.cancelled:
        return f"• ~{escape(when.title)}~ 已取消"
    instant = when.ends if when.all_day and when.kind in ("deadline", "camera-ready") \
        else when.starts
    if when.all_day and when.kind not in ("deadline", "camera-ready"):
        assert when.day is not None
        days = zh.format_day(when.day)
        if when.end_day and when.end_day != when.day:
            days += f"至{zh.format_day(when.end_day)}"
        return (f"• {title}：{escape(days)}（全天，{escape(zh.zone_name(when.zone, instant))}）"
                f" · {escape(zh.relative(instant, now))}")
    own = (f"{zh.format_instant(instant, when.zone, ends_written_day(when, instant, when.zone))}"
           f"（{zh.zone_name(when.zone, instant)}）")
    yours = slack_date(instant, zh.format_instant(instant, reader,
                                                  ends_written_day(when, instant, reader)))
    return f"• {title}：{yours}（你的时间） · {escape(own)} · {escape(zh.relative(instant, now))}"


def _date_line(when: ImportantDate, now: datetime, reader: Zone, language: str = "en") -> str:
    if language == "zh":
        return _date_line_zh(when, now, reader)
    title = f"*{escape(when.title)}*"
    if when.cancelled:
        return f"• ~{escape(when.title)}~ cancelled"
    if when.all_day and when.kind not in ("deadline", "camera-ready"):
        assert when.day is not None
        days = format_day(when.day)
        if when.end_day and when.end_day != when.day:
            days += f" to {format_day(when.end_day)}"
        caption = zone_caption(when.zone, when.starts)
        return f"• {title}: {escape(days)} (all day, {escape(caption)}) · " \
               f"{escape(relative(when.starts, now))}"
    # An all-day deadline closes when its last day ends in its own zone.
    instant = when.ends if when.all_day else when.starts
    return (f"• {title}: {_yours(instant, reader, ends_written_day(when, instant, reader))} "
            f"your time · {_own(instant, when.zone, ends_written_day(when, instant, when.zone))} · "
            f"{escape(relative(instant, now))}")


# The same dates are asked about again and again, by readers in a few zones: their words are
# kept (pure functions of the instant and the zone); only the countdown depends on ``now``.

@functools.lru_cache(maxsize=1024)
def _own(instant: datetime, zone: Zone, day_end: bool) -> str:
    return escape(captioned(instant, zone, day_end=day_end))


@functools.lru_cache(maxsize=1024)
def _yours(instant: datetime, reader: Zone, day_end: bool) -> str:
    return slack_date(instant, format_instant(instant, reader, day_end))


def answer_blocks(reply: Answer, now: datetime, reader: Zone, *, heading: str = ""
                  ) -> list[dict[str, Any]]:
    """The text answer, then each date it speaks of as a Slack date token beside its zone."""
    text = escape(reply.text)
    if heading:
        text = f"*{escape(heading)}*\n{text}"
    blocks = sections(text)
    from bot.core.ask import in_script  # here: importing the reader costs ~0.1 s a start

    lines = [in_script(reply, _date_line(when, now, reader, reply.language), reader, now)
             for when in reply.dates]
    if lines:
        blocks.extend(sections("\n".join(lines)))
    return blocks


MAX_BLOCKS = 50
"""Slack's limit of blocks in one message."""


def sections(mrkdwn: str) -> list[dict[str, Any]]:
    """Sections of at most 3,000 characters each, cut at lines or spaces, never inside a
    ``<!date>`` token (one section cut there showed the raw token)."""
    return [{"type": "section", "text": {"type": "mrkdwn", "text": piece}}
            for piece in mrkdwn_chunks(mrkdwn)]


def within_limit(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """At most ``MAX_BLOCKS``; what does not fit is named, not silently dropped."""
    if len(blocks) <= MAX_BLOCKS:
        return blocks
    note = sections(f"_{len(blocks) - MAX_BLOCKS + 1} more parts did not fit in one Slack "
                     f"message: ask about one event or date at a time._")
    return [*blocks[:MAX_BLOCKS - 1], *note]


def message_blocks(message: Outgoing) -> list[dict[str, Any]]:
    """Block Kit for one delivery: the words, where it comes from, a calendar button.

    ``slack_text`` (an extension notice from ``bot.app.announce``) is mrkdwn built by us,
    escaped already, with ``<!date>`` tokens: it leads, and the escaped text follows.
    """
    body = escape(message.text.strip())
    lead = message.slack_text
    if lead:
        body = f"{lead}\n\n{body}"
    head = f"*{escape(message.subject)}*\n" if message.subject else ""
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": piece}}
        for piece in mrkdwn_chunks(head + body)]
    origin = "duebot announcement" if message.key.startswith("ann/") else "duebot reminder"
    if message.event_id:
        origin += f" for {escape(message.event_id)}"
        if message.date_id:
            origin += f" / {escape(message.date_id)}"
    if message.address[:1] in ("U", "W"):
        origin += " · send me `unsubscribe` to stop these"
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": origin}]})
    url = message.calendar_url
    if url.startswith(("https://", "http://")):
        blocks.append({"type": "actions", "elements": [{
            "type": "button", "action_id": "duebot_add_to_calendar", "url": url,
            "text": {"type": "plain_text", "text": "Add to calendar"}}]})
    return blocks
