"""What ``duebot run`` imports on its way to serving: not the question reader (``bot.core.ask``,
~0.1 s) and not ``icalendar`` (~0.1 s) until something needs them, and what they write is the
same when they are needed. Each check runs in a fresh interpreter (this one has imported
everything already)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def fresh(code: str) -> str:
    """What ``code`` prints in a new interpreter."""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    return out.stdout.strip()


def test_the_service_and_its_http_side_import_no_reader() -> None:
    code = ("import sys, bot.service, bot.adapters.http, bot.app.delivery, bot.core.language; "
            "print(sorted(m for m in ('bot.core.ask',) if m in sys.modules))")
    assert fresh(code) == "[]"


def test_english_dates_need_no_reader_and_chinese_ones_are_the_readers() -> None:
    code = """
import sys
from datetime import date, datetime, timedelta, UTC
from bot.core.language import Language
from bot.core.zones import parse_zone
zone, moment = parse_zone("Asia/Shanghai"), datetime(2017, 9, 11, 6, 59, tzinfo=UTC)
en = Language("en")
english = [en.day(date(2017, 10, 10)), en.instant(moment, zone), en.caption(zone, moment),
           en.countdown(timedelta(days=9, hours=18))]
before = "bot.core.ask" in sys.modules
zh = Language("zh")
chinese = [zh.day(date(2017, 10, 10)), zh.instant(moment, zone), zh.caption(zone, moment),
           zh.countdown(timedelta(days=9, hours=18))]
from bot.core.ask import zh as reader
expected = [reader.format_day(date(2017, 10, 10)),
            f"{reader.format_instant(moment, zone)} {zone.abbreviation(moment)}",
            reader.zone_name(zone, moment), reader.countdown(timedelta(days=9, hours=18))]
import json
print(json.dumps([before, english, chinese == expected, chinese]))
"""
    before, english, same, chinese = json.loads(fresh(code))
    assert before is False
    assert english[0] == "Tuesday 10 October 2017"
    assert same is True
    assert chinese[0] == "2017年10月10日星期二"
    assert chinese[3] == "9天18小时"
