"""Fuzz targets: the schedule reader and the config reader never raise anything but our errors.

Any text at all goes in; what comes out is an Event (which every later stage can then handle:
plan, lint, feed, page, answers, reminder text) or a list of problems, or a ``DuebotError``.
Any other exception, a traceback, fails. Bounded for CI (each target well under 20 s);
``DUEBOT_FUZZ_EXAMPLES=5000`` runs longer locally.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import tomlkit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.config import parse_config
from bot.core.ask import answer
from bot.core.ical import build_calendar
from bot.core.lint import lint
from bot.core.model import Event
from bot.core.page import page_view
from bot.core.planner import plan
from bot.core.render import reminder_context
from bot.core.schedule import read_schedule
from bot.core.timefmt import describe
from bot.core.zones import parse_zone
from bot.errors import DuebotError

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_TEXT = (ROOT / "schedules" / "aisys-sosp17.toml").read_text(encoding="utf-8")
CONFIG_TEXT = (ROOT / "config.example.toml").read_text(encoding="utf-8")
EXAMPLES = int(os.environ.get("DUEBOT_FUZZ_EXAMPLES", "150"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.filter_too_much])

# -- values an organizer (or an attacker) might write --------------------------------------

ZONES = st.sampled_from(["AoE", "UTC", "PT", "CST", "PST", "Etc/GMT+5", "Asia/Shanghai",
                         "America/Los_Angeles", "Australia/Lord_Howe", "Pacific/Chatham",
                         "Pacific/Apia", "America/Sao_Paulo", "UTC+14:00", "UTC-12", "+05:45",
                         "GMT-0", "america/new_york", "\u2212" + "03:00"])
YEARS = st.one_of(st.integers(min_value=2000, max_value=2040),
                  st.integers(min_value=1970, max_value=2100))
LOCAL_TEXT = st.builds(
    lambda y, m, d, hh, mm, zone: (f"{y:04d}-{m:02d}-{d:02d}" + (
        f" {hh:02d}:{0 if hh == 24 else mm:02d}" if hh >= 0 else "") + zone),
    YEARS, st.integers(1, 12), st.integers(1, 28), st.one_of(st.integers(-1, 23), st.just(24)),
    st.sampled_from([0, 30, 59, 15, 45]),
    st.one_of(st.just(""), ZONES.map(lambda z: f" {z}")))
DURATION_TEXT = st.builds(lambda n, unit, more: f"{n}{unit}{more}", st.integers(1, 400),
                          st.sampled_from(["d", "h", "m", "w", "weeks", "min"]),
                          st.sampled_from(["", " 12h", ",3h"]))
URL_TEXT = st.builds(lambda tail: f"https://example.org/{tail}",
                     st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7e), max_size=12))
# Values that once crashed a later stage, or might: what "anything at all" draws from first.
ODD_SCALARS: st.SearchStrategy[Any] = st.one_of(
    st.sampled_from(["Mars/Olympus", "", "utc+99", "UTC+05:61", "../etc/passwd", "Etc/GMT+99",
                     "9999-12-31 24:00", "0001-01-01 00:00", "2017-02-30", "2017-13-01",
                     "2017-01-01 25:00", "1969-12-31 23:59 UTC+14:00", "99999999999d",
                     "1000000w", "9" * 5000 + "s", "0s", "3651d", "javascript:alert(1)",
                     "www.example.org", "https://a\nb", "http://", "https://a\u2028b",
                     "x y", "never", "both", "party", "ftp:x", "\x00", "it'''s"]),
    st.integers(min_value=-(2**63), max_value=2**63 - 1), st.floats(allow_nan=True),
    st.dates(), st.times(), st.datetimes(timezones=st.one_of(st.none(), st.just(UTC))),
    st.booleans(), st.text(max_size=20))
ANY_VALUE = st.recursive(ODD_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=6)


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """The plausible values or anything at all (the config's fields)."""
    return st.one_of(strategy, ANY_VALUE)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, inner in value.items():
            found += _paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found += _paths(inner, (*prefix, index))
    return found


@st.composite
def one_odd_value(draw: st.DrawFn, tree: st.SearchStrategy[dict[str, Any]]) -> dict[str, Any]:
    """A plausible tree, often with one value (anywhere in it) replaced by anything at all."""
    data = draw(tree)
    paths = _paths(data)
    if paths and draw(st.booleans()):
        *parents, last = draw(st.sampled_from(paths))
        node: Any = data
        for part in parents:
            node = node[part]
        node[last] = draw(ANY_VALUE)
    return data


DATE_TABLE = st.fixed_dictionaries(
    {"id": st.sampled_from(["a", "b", "c", "d", "e"]), "title": st.text(min_size=1, max_size=20),
     "kind": st.sampled_from(["deadline", "notification", "camera-ready", "event", "other",
                              "final"]),
     "at": LOCAL_TEXT},
    optional={"zone": ZONES, "end": LOCAL_TEXT, "extended_from": LOCAL_TEXT,
              "fold": st.sampled_from(["earlier", "later"]),
              "reminders": st.lists(DURATION_TEXT, max_size=3), "url": URL_TEXT,
              "cancelled": st.booleans(), "extended": st.booleans(),
              "sequence": st.integers(0, 1000), "description": st.text()})
SCHEDULE = st.fixed_dictionaries(
    {"event": st.fixed_dictionaries(
        {"id": st.just("fuzz"), "name": st.text(min_size=1, max_size=30), "zone": ZONES},
        optional={"venue_zone": ZONES, "url": URL_TEXT, "city": st.text(max_size=10)}),
     "dates": st.lists(DATE_TABLE, min_size=1, max_size=4, unique_by=lambda d: str(d["id"]))},
    optional={
        "reminders": st.fixed_dictionaries({}, optional={
            "deadline": st.lists(DURATION_TEXT, max_size=3),
            "event": st.lists(DURATION_TEXT, max_size=3),
            "final_call": st.one_of(st.booleans(), DURATION_TEXT), "grace": DURATION_TEXT,
            "missed": st.sampled_from(["late", "skip"])}),
        "submission": st.fixed_dictionaries({}, optional={
            "url": URL_TEXT, "template_url": URL_TEXT, "page_limit": st.integers(1, 100),
            "anonymized": st.booleans()}),
        "contact": st.fixed_dictionaries({}, optional={"email": st.just("pc@example.org"),
                                                       "url": URL_TEXT}),
        "announcements": st.lists(st.fixed_dictionaries(
            {"id": st.sampled_from(["n1", "n2"]), "text": st.text(min_size=1, max_size=20),
             "at": st.one_of(LOCAL_TEXT.filter(lambda t: ":" in t),
                            st.sampled_from(["a-2d", "a+1h", "a", "b-7d"]))},
            optional={"to": st.lists(st.sampled_from(["console:", "mailto:x@example.org",
                                                      "slack:#c"]))}),
            max_size=2, unique_by=lambda a: str(a["id"])),
    })


def dump(data: dict[str, Any]) -> str | None:
    """TOML text for ``data``, or None for values TOML cannot hold (tomlkit refuses them)."""
    try:
        return tomlkit.dumps(data)  # sometimes not valid TOML: a fine case for the reader too
    except Exception:
        return None


# -- text mutations: what an editor slip or a hostile file does ------------------------------

@st.composite
def mutated(draw: st.DrawFn, text: str) -> str:
    """``text`` with a few lines deleted, duplicated or changed and odd characters dropped in."""
    lines = text.splitlines()
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        where = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["delete", "duplicate", "insert", "replace", "nest",
                                       "quote"]))
        if action == "delete":
            del lines[where]
        elif action == "duplicate":
            lines.insert(where, lines[where])
        elif action == "insert":
            lines.insert(where, draw(st.text(max_size=30)))
        elif action == "replace":
            line = lines[where]
            cut = draw(st.integers(0, len(line)))
            lines[where] = line[:cut] + draw(st.text(max_size=8)) + line[cut:]
        elif action == "nest":
            depth = draw(st.sampled_from([5, 50, 400, 3000]))
            lines.insert(where, "deep = " + "[" * depth + "]" * depth)
        else:
            lines.insert(where, 'tricky = "it\'\'\'s"')
    return "\n".join(lines) + draw(st.sampled_from(["", "\n", "\x00", "\r\n"]))


NOW = st.datetimes(min_value=datetime(1969, 1, 1), max_value=datetime(2101, 12, 31),
                   timezones=st.just(UTC))


def exercise(event: Event, now: datetime) -> None:
    """Every later stage an accepted schedule reaches: none of them may raise."""
    reminders = plan(event)
    lint(event)
    build_calendar([event])
    page_view([event], now, "https://example.org")
    reader = parse_zone("Asia/Kolkata")
    answer("when is the deadline?", event, now=now, reader=reader)
    for when in event.dates:
        describe(when, now, reader)
    for reminder in reminders[:6]:
        reminder_context(event, event.date(reminder.date_id), reminder, now=now, reader=reader)


def check_schedule(text: str, now: datetime) -> None:
    try:
        event, problems = read_schedule(text, "fuzz.toml")
    except DuebotError:
        return
    if event is None:
        assert problems, "a refused schedule must say why"
        for problem in problems:
            assert problem.file == "fuzz.toml"
            assert problem.line is None or problem.line >= 1, problem
        return
    exercise(event, now)


@FUZZ
@given(one_odd_value(SCHEDULE), NOW)
def test_schedule_reader_never_raises_on_generated_schedules(data: dict[str, Any],
                                                             now: datetime) -> None:
    text = dump(data)
    if text is not None:
        check_schedule(text, now)


@FUZZ
@given(mutated(SHIPPED_TEXT), NOW)
def test_schedule_reader_never_raises_on_mangled_text(text: str, now: datetime) -> None:
    check_schedule(text, now)


# -- the config reader ------------------------------------------------------------------------

CONFIG = st.fixed_dictionaries({}, optional={
    "storage": st.fixed_dictionaries({}, optional={"database_url": maybe(st.sampled_from(
        ["sqlite:", "postgresqlfoo://", "sqlite:///x.db", "postgresql+psycopg://u@h/d",
         "sqlite://", "mysql://x", "sqlite:///\x00", "postgresql://"])),
        "pool_size": maybe(st.integers(-1, 10**20))}),
    "delivery": st.fixed_dictionaries({}, optional={
        key: maybe(DURATION_TEXT) for key in ("grace", "lease", "retry_backoff", "max_backoff",
                                              "poll", "late_after")}),
    "http": st.fixed_dictionaries({}, optional={"port": maybe(st.integers(-1, 70000)),
                                                "host": maybe(st.text(max_size=10)),
                                                "base_url": maybe(URL_TEXT)}),
    "smtp": st.fixed_dictionaries({}, optional={"sender": maybe(st.text(max_size=20)),
                                                "timeout": maybe(st.floats()),
                                                "port": maybe(st.integers())}),
    "mail": st.fixed_dictionaries({}, optional={
        "address": maybe(st.just("dates@example.org")),
        "listen": maybe(st.sampled_from(["127.0.0.1:\u00b2", "127.0.0.1:2525", ":25", "x",
                                         "[::1]:2525", "h:99999", "h:\u0663"])),
        "rate_limit": maybe(st.sampled_from(["5 per hour", "0/1h", "5/99999999999d", 3])),
        "imap_poll": maybe(DURATION_TEXT)}),
    "schedules": maybe(st.lists(st.fixed_dictionaries({"path": maybe(st.just("s.toml"))}, optional={
        "reminders_to": maybe(st.lists(st.sampled_from(["console:", "mailto:x", "slack:"])))}),
        max_size=2)),
    "log": st.fixed_dictionaries({}, optional={"level": maybe(st.sampled_from(["INFO", "x"]))}),
})


def check_config(text: str, base: Path) -> None:
    try:
        parse_config(text, "fuzz-config.toml", env={}, base=base)
    except DuebotError as exc:
        for problem in exc.problems:
            assert problem.line is None or problem.line >= 1, problem


@FUZZ
@given(one_odd_value(CONFIG))
def test_config_reader_never_raises_on_generated_configs(data: dict[str, Any]) -> None:
    text = dump(data)
    if text is not None:
        check_config(text, ROOT)


@FUZZ
@given(mutated(CONFIG_TEXT))
def test_config_reader_never_raises_on_mangled_text(text: str) -> None:
    check_config(text, ROOT)


def test_the_generated_schedules_are_often_accepted() -> None:
    """A guard against a dull fuzz: enough generated schedules pass to reach the later stages."""
    accepted = 0

    @settings(max_examples=60, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(SCHEDULE)
    def count(data: dict[str, Any]) -> None:
        nonlocal accepted
        text = dump(data)
        if text is not None and read_schedule(text, "fuzz.toml")[0] is not None:
            accepted += 1

    count()
    print(f"{accepted} of 60 generated schedules accepted")
    assert accepted >= 20, accepted
