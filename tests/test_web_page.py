"""The dates page as values (bot.core.page) and its HTML, without a server: now is a parameter."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import jinja2
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.ical import build_calendar
from bot.core.model import Event
from bot.core.page import event_view, feed_links, page_view
from bot.core.schedule import parse_schedule
from bot.core.timefmt import calendar_delta, countdown
from bot.errors import ScheduleError

ROOT = Path(__file__).resolve().parent.parent
BASE = "https://dates.example.org"
BEFORE = datetime(2017, 9, 1, 12, 0, tzinfo=UTC)          # before every date
BETWEEN = datetime(2017, 9, 15, 12, 0, tzinfo=UTC)        # abstract passed, notification next


def render(events: list[Event], now: datetime) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(ROOT / "templates" / "web"),
                             autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    return env.get_template("page.html.j2").render(page=page_view(events, now, BASE),
                                                   static=f"{BASE}/static")


def test_countdown_and_event_zone_time_as_of_now(shipped: Event) -> None:
    view = event_view(shipped, BEFORE, BASE)
    abstract = view.dates[0]
    assert abstract.id == "abstract"
    assert abstract.event_text == "Sunday 10 September 2017, 23:59 PDT"
    assert abstract.zone_caption == "America/Los_Angeles, UTC-07:00"
    assert abstract.start_utc == "2017-09-11T06:59:00Z"
    assert abstract.relation == "9 days 18 hours from now"
    assert not abstract.passed


def test_next_deadline_skips_passed_dates_and_prefers_deadlines(shipped: Event) -> None:
    before = event_view(shipped, BEFORE, BASE)
    assert before.next_date is not None and before.next_date.id == "abstract"
    assert before.next_label == "Next deadline"
    between = event_view(shipped, BETWEEN, BASE)
    assert [d.id for d in between.dates if d.passed] == ["abstract"]
    # The notification comes first, but the next thing to hand in is the camera-ready version.
    assert between.next_date is not None and between.next_date.id == "camera-ready"
    assert [d.id for d in between.dates if d.is_next] == ["camera-ready"]
    after_deadlines = event_view(shipped, datetime(2017, 10, 20, tzinfo=UTC), BASE)
    assert after_deadlines.next_label == "Next date"
    assert after_deadlines.next_date is not None
    assert after_deadlines.next_date.id == "workshop"
    over = event_view(shipped, datetime(2018, 1, 1, tzinfo=UTC), BASE)
    assert over.next_date is None and all(d.passed for d in over.dates)


def test_all_day_date_counts_down_to_its_local_midnight(shipped: Event) -> None:
    workshop = event_view(shipped, BEFORE, BASE).dates[-1]
    assert workshop.all_day and workshop.event_text == "Saturday 28 October 2017 (all day)"
    # Midnight in Shanghai is 16:00 UTC the day before.
    assert workshop.start_utc == "2017-10-27T16:00:00Z"
    assert workshop.end_utc == "2017-10-28T16:00:00Z"
    during = event_view(shipped, datetime(2017, 10, 28, 2, 0, tzinfo=UTC), BASE).dates[-1]
    assert during.relation == "today" and not during.passed


def test_feed_links_subscribe_by_webcal_and_google() -> None:
    links = feed_links("https://dates.example.org/e/aisys-sosp17.ics?kind=deadline")
    assert links.webcal == "webcal://dates.example.org/e/aisys-sosp17.ics?kind=deadline"
    prefix = "https://calendar.google.com/calendar/r?cid="
    assert links.google.startswith(prefix)
    assert unquote(links.google[len(prefix):]) == links.webcal
    assert "?" not in links.google[len(prefix):]  # the feed's own query must not leak out


def test_event_links_are_absolute_and_per_date(shipped: Event) -> None:
    view = event_view(shipped, BEFORE, BASE)
    assert view.feed.ics == f"{BASE}/e/aisys-sosp17.ics"
    assert view.deadlines_feed.ics == f"{BASE}/e/aisys-sosp17.ics?kind=deadline,camera-ready"
    assert [d.ics for d in view.dates] == [f"{BASE}/e/aisys-sosp17/{i}.ics" for i in
                                           ("abstract", "notification", "camera-ready",
                                            "workshop")]


def test_logistics_say_how_to_submit(shipped: Event) -> None:
    rows = {what: (text, link) for what, text, link in event_view(shipped, BEFORE,
                                                                  BASE).logistics}
    assert rows["Submit via"] == ("CMT", shipped.submission.url)
    assert rows["Page limit"][0].startswith("2 pages (")
    assert rows["Anonymized"][0].startswith("no")
    assert "sigplanconf" in rows["Format"][0]


class _Outline(HTMLParser):
    """Landmarks, headings, time elements and struck-through text of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.headings: list[int] = []
        self.times: list[str] = []
        self.deleted: list[str] = []
        self.lang = ""
        self._del = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        found = dict(attrs)
        if tag == "html":
            self.lang = found.get("lang") or ""
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "time":
            self.times.append(found.get("datetime") or "")
        if tag == "del":
            self._del += 1
            self.deleted.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "del":
            self._del -= 1

    def handle_data(self, data: str) -> None:
        if self._del:
            self.deleted[-1] += data


def test_page_is_accessible_markup_without_javascript(shipped: Event) -> None:
    html = render([shipped], BETWEEN)
    outline = _Outline()
    outline.feed(html)
    assert outline.lang == "en"
    assert {"header", "main", "footer"} <= set(outline.tags)
    assert outline.headings[0] == 1 and outline.headings.count(1) == 1
    # No level skipped on the way down.
    assert all(b <= a + 1 for a, b in zip(outline.headings, outline.headings[1:], strict=False))
    assert '<meta name="viewport"' in html
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", t) for t in outline.times)
    # Server-rendered time in the event's zone, struck through once passed, and said in words.
    assert "Poster abstract submission deadline" in outline.deleted
    assert "Sunday 10 September 2017, 23:59 PDT" in outline.deleted
    assert '<span class="badge state">passed</span>' in html
    assert "Acceptance notifications" not in outline.deleted


def test_page_loads_nothing_from_elsewhere(shipped: Event) -> None:
    html = render([shipped], BEFORE)
    for tag in re.findall(r"<(?:script|link)\b[^>]*>", html):
        src = re.search(r'(?:src|href)="([^"]+)"', tag)
        assert src is not None and src.group(1).startswith(f"{BASE}/"), tag


def test_page_escapes_schedule_text(shipped: Event) -> None:
    text = (ROOT / "schedules" / "aisys-sosp17.toml").read_text(encoding="utf-8")
    text = text.replace('title = "Acceptance notifications"',
                        'title = "<script>alert(1)</script> notifications"')
    event = parse_schedule(text, "x.toml")
    html = render([event], BEFORE)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; notifications" in html


def test_index_lists_every_event_with_its_next_date(shipped: Event) -> None:
    text = (ROOT / "schedules" / "aisys-sosp17.toml").read_text(encoding="utf-8")
    other = parse_schedule(text.replace('id = "aisys-sosp17"', 'id = "other-ws"')
                           .replace('name = "AI Systems Workshop @ SOSP 2017"',
                                    'name = "Other Workshop"'), "other.toml")
    view = page_view([shipped, other], BEFORE, BASE)
    assert not view.single and view.feed.ics == f"{BASE}/calendar.ics"
    html = render([shipped, other], BEFORE)
    assert f'href="{BASE}/e/other-ws"' in html and f'href="{BASE}/e/aisys-sosp17"' in html
    assert html.count("9 days 18 hours from now") == 2


@given(st.integers(min_value=0, max_value=200 * 86400))
def test_relation_matches_timefmt_countdown(seconds: int) -> None:
    text = (ROOT / "schedules" / "aisys-sosp17.toml").read_text(encoding="utf-8")
    event = _SHIPPED_CACHE.setdefault("e", parse_schedule(text, "s.toml"))
    deadline = datetime(2017, 9, 11, 6, 59, tzinfo=UTC)
    now = deadline - timedelta(seconds=seconds)
    abstract = event_view(event, now, BASE).dates[0]
    if seconds == 0:
        assert abstract.passed and abstract.relation.startswith("passed")
    else:
        # Days on the calendar of the deadline's zone: the same as the elapsed time while Los
        # Angeles keeps summer time (from 12 March 2017), an hour off on days before it.
        said = countdown(calendar_delta(deadline, now, event.zone))
        assert abstract.relation == f"{said} from now"
        if now >= datetime(2017, 3, 12, 10, 0, tzinfo=UTC):
            assert said == countdown(timedelta(seconds=seconds))


_SHIPPED_CACHE: dict[str, Event] = {}


@pytest.mark.parametrize("module", ["bot.core.page"])
def test_page_model_is_pure(module: str) -> None:
    """bot.core.page imports with the web server, database and clock-reading modules blocked."""
    blocked = ["starlette", "uvicorn", "sqlalchemy", "socket", "asyncio", "bot.service",
               "bot.adapters", "prometheus_client"]
    script = f"""
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if any(name == b or name.startswith(b + ".") for b in {blocked!r}):
            raise ImportError("blocked: " + name)
sys.meta_path.insert(0, Block())
import {module}
"""
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stderr
    source = (ROOT / "bot" / "core" / "page.py").read_text(encoding="utf-8")
    assert not re.search(r"\.(now|utcnow|today|time|monotonic)\(", source)


HOSTILE_URLS = ("javascript:alert(1)", " JavaScript:alert(2)", "java\tscript:alert(3)",
                "data:text/html,<script>alert(4)</script>", "vbscript:msgbox(5)")


@pytest.mark.parametrize("bad", HOSTILE_URLS)
def test_organizer_urls_that_could_run_code_never_become_links(shipped: Event, bad: str
                                                               ) -> None:
    # The schedule reader refuses such URLs (FILE:LINE error); the page and the feed must not
    # trust that alone, so the hostile values are put into the model directly.
    text = (ROOT / "schedules" / "aisys-sosp17.toml").read_text("utf-8")
    with pytest.raises(ScheduleError, match=r"only https:// and http:// links|a URL cannot"):
        parse_schedule(text.replace('id = "abstract"\n', f'id = "abstract"\nurl = "{bad}"\n'
                                    .replace("\t", "\\t")))
    dates = tuple(replace(d, url=bad) if d.id == "abstract" else d for d in shipped.dates)
    hostile = replace(shipped, url=bad, dates=dates,
                      submission=replace(shipped.submission, url=bad, template_url=bad),
                      contact=replace(shipped.contact, url=bad))
    assert hostile.url.strip() == bad.strip() == hostile.contact.url.strip()  # as written
    html = render([hostile], BEFORE)
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert hrefs and all(h.startswith(("https://", "http://", "mailto:", "webcal://", "#"))
                         for h in hrefs), hrefs
    # The feed's URL properties too (calendar apps make them clickable).
    feed = build_calendar([hostile]).decode().replace("\r\n ", "")
    urls = [line for line in feed.splitlines() if line.startswith("URL")]
    assert all(line.startswith(("URL:https://", "URL:http://")) for line in urls), urls
