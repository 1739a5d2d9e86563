"""Dates and countdowns in Chinese, by CLDR through Babel: weekday, 24-hour time, zone names."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from functools import lru_cache

from babel.dates import format_date, format_datetime, get_timezone_name

from bot.core.model import check_aware
from bot.core.timefmt import ended_day, two_units
from bot.core.zones import Zone

LOCALE = "zh_CN"
HANT = "zh_Hant"
"""Traditional Chinese, for zone names in a reply to a question asked in it."""


_UNITS = {"day": "天", "hour": "小时", "minute": "分钟"}


def countdown(delta: timedelta) -> str:
    """``9天18小时``, ``3小时5分钟``, ``12分钟``: two units at most, as the English one."""
    units = two_units(delta)
    return "".join(f"{n}{_UNITS[unit]}" for n, unit in units) if units else "不到1分钟"


_HOURS_ASKED = re.compile(r"(?:多少|几)个?(?:小时|钟头)")


def in_hours(delta: timedelta, question: str) -> str:
    """``（33小时）`` after ``1天9小时`` when the question asks how many hours ("还剩多少小时？")
    and the time left is a day or more: the count asked for, beside the usual one."""
    if delta < timedelta(days=1) or not _HOURS_ASKED.search(question):
        return ""
    return f"（{int(delta.total_seconds()) // 3600}小时）"


def besides(titles: list[str]) -> str:
    """``除了Abstract registration以外``: what a question set aside (不算, 除了, 先不管, 撇开 ...
    a date), named before the answer so the asker sees it was left out."""
    return f"除了{'、'.join(titles)}以外"


def relative(instant: datetime, now: datetime) -> str:
    delta = check_aware(instant) - check_aware(now)
    if delta > timedelta(0):
        return f"还有{countdown(delta)}"
    return f"已过去{countdown(delta)}"


@lru_cache(maxsize=4096)  # CLDR formatting is the costly part of a reply
def zone_name(zone: Zone, instant: datetime, locale: str = LOCALE) -> str:
    """``中国标准时间，UTC+08:00``; ``AoE（地球上任何地方，UTC-12:00）``; CLDR's traditional
    names with ``locale="zh_Hant"`` (``中國標準時間``)."""
    if zone.kind == "aoe":
        return "AoE（地球上任何地方，UTC-12:00）"
    if zone.kind == "offset" or zone.key == "UTC":
        return zone.key
    if zone.kind == "abbreviation":
        return f"{zone.key}，固定 {zone.offset_at(instant)}"
    local = zone.local(check_aware(instant))
    try:
        name = get_timezone_name(local, width="long", locale=locale)
    except (LookupError, ValueError):
        name = zone.region or zone.key
    return f"{name}，{zone.offset_at(instant)}"


@lru_cache(maxsize=4096)  # CLDR formatting is the costly part of a reply
def format_instant(instant: datetime, zone: Zone, day_end: bool = False) -> str:
    """``2017年9月11日星期一 14:59``: the wall-clock time in ``zone``; ``day_end`` (written
    "24:00"): ``2026年5月1日星期五 24:00``, the day it ends (``timefmt.ended_day``). CLDR's
    ``kk`` says 24 for midnight but keeps the next day's date, so the day is ours."""
    ended = ended_day(instant, zone, day_end)
    if ended is not None:
        return f"{format_day(ended)} 24:00"
    local = zone.local(check_aware(instant))
    return format_datetime(local, "yyyy年M月d日EEEE HH:mm", tzinfo=local.tzinfo,
                           locale=LOCALE)


@lru_cache(maxsize=4096)  # CLDR formatting is the costly part of a reply
def format_day(day: date) -> str:
    return format_date(day, "yyyy年M月d日EEEE", locale=LOCALE)
