"""The answer engine's promises beyond the corpus: instants only from the schedule, the same
instants in both languages, every date reachable by its title, FAQ validation and the page,
follow-ups kept per thread in the ledger, and ``duebot ask --explain``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jinja2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.ask import answer, understand
from bot.core.ask.lexicon import STOPWORDS
from bot.core.model import Event, ImportantDate
from bot.core.page import event_view, page_view
from bot.core.places import lookup
from bot.core.schedule import parse_schedule, read_schedule
from bot.core.zones import parse_zone

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2017, 9, 1, 12, 0, tzinfo=UTC)
SEED = parse_schedule((ROOT / "schedules" / "aisys-sosp17.toml").read_text(encoding="utf-8"))
MLSYS = parse_schedule((ROOT / "tests" / "data" / "ask" / "mlsys30.toml").read_text(
    encoding="utf-8"))


def _instants(reply_dates: tuple[ImportantDate, ...]) -> set[datetime]:
    return {i for d in reply_dates for i in (d.starts, d.ends)}


# --- instants come from the schedule, never from the text -----------------------------------

_TEXT_TIMES = st.sampled_from([
    "at 3pm", "on 2031-01-05 10:00", "by Friday 9am", "2017-09-12", "23:59", "tomorrow noon",
    "in 2 hours", "October 1", "12/25", "UTC+14:00", "1999-12-31 23:59:59", "9月15日",
])


@settings(max_examples=150, deadline=None)
@given(question=st.sampled_from(["when is the deadline", "is the notification", "deadline in IST",
                                 "截止日期是什么时候", "how long until the workshop",
                                 "camera ready due", "when?"]),
       noise=_TEXT_TIMES, hours=st.integers(-24 * 60, 24 * 60))
def test_instants_never_come_from_the_question_text(question: str, noise: str,
                                                    hours: int) -> None:
    now = NOW + timedelta(hours=hours)
    reply = answer(f"{question} {noise}", SEED, now=now)
    schedule_instants = {i for d in SEED.dates for i in (d.starts, d.ends)}
    assert _instants(reply.dates) <= schedule_instants
    assert set(reply.instants) <= schedule_instants


PAIRS = [
    ("when is the deadline?", "截止日期是什么时候？"),
    ("when is the notification?", "什么时候出录用通知？"),
    ("when is the camera-ready due?", "终稿什么时候交？"),
    ("when is the workshop?", "会议是哪天？"),
    ("how long until the deadline?", "还有多久截止？"),
    ("when is the deadline in Tokyo time?", "东京时间几点截止？"),
    ("is the deadline on a Sunday?", "截止日期是星期天吗？"),
    ("has the deadline been extended?", "截止日期延期了吗？"),
    ("when is the deadline and how many pages?", "截止日期和页数限制"),
]


@pytest.mark.parametrize(("english", "chinese"), PAIRS)
@pytest.mark.parametrize("hours", [0, 24 * 12, 24 * 60])
def test_the_same_question_in_both_languages_gives_the_same_instants(
        english: str, chinese: str, hours: int) -> None:
    now = NOW + timedelta(hours=hours)
    en = answer(english, SEED, now=now)
    zh = answer(chinese, SEED, now=now)
    assert en.language == "en" and zh.language == "zh"
    assert [d.id for d in en.dates] == [d.id for d in zh.dates]
    assert en.instants == zh.instants
    assert [p.verdict for p in en.parts] == [p.verdict for p in zh.parts]


# Words that tell titles apart; a title differing from another only by "the" or "else" cannot
# be told apart by anyone, so function words are left out of the generator.
_WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=4, max_size=9).filter(
    lambda w: w not in STOPWORDS)


@settings(max_examples=60, deadline=None)
@given(titles=st.lists(st.tuples(_WORDS, _WORDS), min_size=2, max_size=12,
                       unique_by=lambda t: t[0]),
       kinds=st.lists(st.sampled_from(["deadline", "notification", "camera-ready", "event",
                                       "other"]), min_size=12, max_size=12))
def test_every_date_of_any_schedule_is_reachable_by_its_title(
        titles: list[tuple[str, str]], kinds: list[str]) -> None:
    blocks = []
    for i, (word, other) in enumerate(titles):
        blocks.append(f'[[dates]]\nid = "d{i}"\ntitle = "{word.capitalize()} {other}"\n'
                      f'kind = "{kinds[i]}"\nat = "2031-0{1 + i % 9}-1{i % 9} 12:00"\n')
    event = parse_schedule('[event]\nid = "gen"\nname = "Generated"\nzone = "UTC"\n'
                           + "\n".join(blocks))
    now = datetime(2030, 1, 1, tzinfo=UTC)
    for i, (word, other) in enumerate(titles):
        reply = answer(f"when is the {word} {other}?", event, now=now)
        assert reply.dates and reply.dates[0].id == f"d{i}", (word, other, reply.text)


def test_a_reply_on_a_big_schedule_names_the_next_few_and_how_to_see_the_rest() -> None:
    blocks = [f'[[dates]]\nid = "r{i}"\ntitle = "Round {i} deadline"\nkind = "deadline"\n'
              f'at = "{2030 + i // 300}-{1 + i % 12:02d}-{1 + i % 27:02d} 23:59"\n'
              for i in range(1000)]
    event = parse_schedule('[event]\nid = "big"\nname = "Big"\nzone = "AoE"\n' + "".join(blocks))
    reply = answer("when is the deadline?", event, now=datetime(2029, 6, 1, tzinfo=UTC))
    assert len(reply.text) < 1500
    assert "more" in reply.text and "all dates" in reply.text
    assert len(reply.dates) <= 3
    listing = answer("list all dates", event, now=datetime(2029, 6, 1, tzinfo=UTC))
    assert len(listing.text.splitlines()) < 20 and "see the dates page" in listing.text


# --- zones named ----------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "zone"), [
    ("Bangalore", "Asia/Kolkata"), ("北京", "Asia/Shanghai"), ("Beijing", "Asia/Shanghai"),
    ("巴黎", "Europe/Paris"), ("Zurich", "Europe/Zurich"), ("Central European Time",
                                                           "Europe/Paris"),
    ("中欧时间", "Europe/Paris"), ("India", "Asia/Kolkata"), ("印度时间", "Asia/Kolkata"),
    ("Japan", "Asia/Tokyo"), ("São Paulo", "America/Sao_Paulo"), ("Europe/Berlin", "Europe/Berlin"),
])
def test_the_gazetteer_knows_cities_countries_and_zone_names_in_both_languages(
        name: str, zone: str) -> None:
    found = lookup(name)
    assert found is not None and found.zones[0] == zone


@pytest.mark.parametrize(("abbr", "count"), [("IST", 3), ("CST", 2), ("BST", 2), ("AST", 2)])
def test_ambiguous_abbreviations_stay_ambiguous(abbr: str, count: int) -> None:
    found = lookup(abbr)
    assert found is not None and found.ambiguous and len(found.zones) == count


def test_a_country_with_several_zones_is_not_guessed() -> None:
    found = lookup("United States")
    assert found is not None and found.ambiguous


def test_cst_asked_about_a_china_workshop_reads_china_first_and_says_the_other() -> None:
    reply = answer("deadline in CST?", SEED, now=NOW)
    assert reply.reading is not None and reply.reading.zone is not None
    assert reply.reading.zone.zones[0] == "Asia/Shanghai"
    assert "14:59 CST (Asia/Shanghai" in reply.text
    assert "If you meant US Central Time: Monday 11 September 2017, 01:59 CDT" in reply.text


def test_a_reader_zone_is_overridden_by_the_zone_the_question_names() -> None:
    reply = answer("deadline in JST?", SEED, now=NOW, reader=parse_zone("Europe/Paris"))
    assert "15:59 JST" in reply.text and "CEST" not in reply.text


# --- FAQ in the schedule: validated, on the page, answered ----------------------------------

_EVENT = '[event]\nid = "x"\nname = "X"\nzone = "UTC"\n[[dates]]\nid = "d"\ntitle = "D"\n' \
         'kind = "deadline"\nat = "2030-01-01 12:00"\n'


@pytest.mark.parametrize(("faq", "line", "message"), [
    ('[[faq]]\nid = "a"\nanswer = "yes"\n', 11, "missing required key 'ask'"),
    ('[[faq]]\nid = "a"\nask = []\nanswer = "yes"\n', 13, "non-empty list"),
    ('[[faq]]\nid = "a"\nask = ["Q?"]\n', 11, "missing required key 'answer'"),
    ('[[faq]]\nid = "a"\nask = ["Q?"]\nanswer = "A"\ntranslations = { "chinese!" = "x" }\n',
     15, "not a language code"),
    ('[[faq]]\nid = "a"\nask = ["Q?"]\nanswer = "A"\n[[faq]]\nid = "b"\nask = ["q?"]\n'
     'answer = "B"\n', 17, "already used"),
    ('[[faq]]\nid = "a"\nask = ["Q?"]\nanswer = "A"\nwhen = "x"\n', 15, "unknown key 'when'"),
])
def test_faq_mistakes_are_reported_with_file_and_line(faq: str, line: int, message: str) -> None:
    event, problems = read_schedule(_EVENT + "\n" + faq, "x.toml")
    assert event is None
    assert any(p.line == line and message in p.message and p.file == "x.toml"
               for p in problems), [str(p) for p in problems]


def test_the_cli_validate_prints_faq_errors_as_file_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(_EVENT + '\n[[faq]]\nid = "a"\nask = "Q?"\n', encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "bot", "validate", str(path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1
    # The CLI shows the path relative to its working folder where it can: match the file's tail.
    assert f"{path.name}:11: error: faq[0]: missing required key 'answer'" in done.stderr


def test_faq_entries_are_on_the_page_with_the_answer_ask_gives() -> None:
    view = event_view(SEED, NOW, "https://d.example.org")
    assert [f.id for f in view.faq] == [f.id for f in SEED.faq]
    six = next(f for f in view.faq if f.id == "six-page-papers")
    reply = answer("can I send a six page paper?", SEED, now=NOW)
    assert reply.text == six.answer
    assert dict(six.translations)["zh"] == answer("可以投6页的论文吗？", SEED, now=NOW).text
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(ROOT / "templates" / "web"),
                             autoescape=True, undefined=jinja2.StrictUndefined)
    html = env.get_template("page.html.j2").render(
        page=page_view([SEED], NOW, "https://d.example.org"), static="https://d/static")
    assert 'class="faq"' in html and "Can I submit a 6-page paper?" in html
    assert '<p lang="zh" class="translation">' in html


def test_faq_matching_forgives_typos_and_word_order() -> None:
    for question in ("remote presentaton allowed?", "can i remotely present",
                     "presenting remotely, is that possible?"):
        reply = answer(question, MLSYS, now=datetime(2029, 10, 1, tzinfo=UTC))
        assert reply.parts[0].kind == "faq", (question, reply.text)


# --- follow-ups: context per thread, in the ledger ------------------------------------------

def test_follow_up_reads_against_the_last_question_and_context_is_small() -> None:
    first = answer("when is the deadline?", SEED, now=NOW)
    assert len(json.dumps(first.context)) < 1000
    follow = answer("and in IST?", SEED, now=NOW, context=first.context)
    assert follow.reading is not None and follow.reading.followup
    assert [d.id for d in follow.dates] == ["abstract"] and "12:29 IST" in follow.text
    alone = answer("and in IST?", SEED, now=NOW)
    assert "You did not say which date" in alone.text


def test_thread_context_is_kept_in_the_ledger_bounded_in_age(tmp_path: Path) -> None:
    from bot.adapters.store.ledger import Ledger, make_engine, upgrade

    engine = make_engine(f"sqlite:///{tmp_path / 'ledger.db'}")
    upgrade(engine)
    ledger = Ledger(engine)
    first = answer("when is the notification?", SEED, now=NOW)
    ledger.remember_thread("slack:C1:171.5", SEED.id, first.context, NOW)
    other = Ledger(make_engine(f"sqlite:///{tmp_path / 'ledger.db'}"))  # another replica
    kept = other.thread_context("slack:C1:171.5", SEED.id, NOW + timedelta(minutes=5))
    assert kept == first.context
    reply = answer("and in Paris?", SEED, now=NOW, context=kept)
    assert [d.id for d in reply.dates] == ["notification"]
    assert other.thread_context("slack:C1:171.5", SEED.id, NOW + timedelta(days=2)) is None
    assert other.thread_context("slack:C1:171.5", "another-event", NOW) is None
    ledger.remember_thread("slack:C2:1.0", SEED.id, first.context, NOW + timedelta(days=3))
    assert ledger.thread_context("slack:C1:171.5", SEED.id, NOW + timedelta(days=3),
                                 max_age=timedelta(days=30)) is None  # pruned on write


# --- the CLI shows how a question was read --------------------------------------------------

def test_cli_explain_shows_the_reading() -> None:
    done = subprocess.run([sys.executable, "-m", "bot", "ask", "--explain", "--now",
                           "2017-09-01T12:00:00Z", "when", "is", "camera-ready", "due", "and",
                           "how", "long", "can", "it", "be", "in", "IST?"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=True)
    out = done.stdout
    assert "language: en" in out and "[ambiguous]" in out
    assert "clause 1:" in out and "clause 2:" in out
    assert "plan: camera_ready | page_limit" in out


def test_cli_json_explain_gives_the_reading_and_parts() -> None:
    done = subprocess.run([sys.executable, "-m", "bot", "ask", "--json", "--explain", "--now",
                           "2017-09-01T12:00:00Z", "截止日期是AoE吗？"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=True)
    payload = json.loads(done.stdout)
    assert payload["language"] == "zh"
    assert payload["parts"][0]["verdict"] is False
    assert payload["reading"]["zone"]["zones"] == ["AoE"]


def test_understand_is_pure_and_cheap_to_repeat() -> None:
    first = understand("when is the deadline in IST?", SEED)
    second = understand("when is the deadline in IST?", SEED)
    assert first == second


def test_event_built_in_code_without_faq_still_answers(shipped: Event) -> None:
    assert shipped.faq  # the seed ships FAQ entries from its call
    bare = parse_schedule(_EVENT)
    assert answer("can I present remotely?", bare,
                  now=datetime(2029, 1, 1, tzinfo=UTC)).parts[0].kind == "not_held"


def test_a_field_word_inside_a_title_said_whole_is_the_titles_word() -> None:
    # Found by the property above: "country" asks about the venue, unless it is part of the
    # title the question names word for word.
    event = parse_schedule('[event]\nid = "gen"\nname = "Generated"\nzone = "UTC"\n'
                           '[[dates]]\nid = "reports"\ntitle = "Country reports"\n'
                           'kind = "deadline"\nat = "2031-05-14 12:00"\n'
                           '[[dates]]\nid = "main"\ntitle = "Main event"\nkind = "event"\n'
                           'at = "2031-06-15 12:00"\n')
    now = datetime(2030, 1, 1, tzinfo=UTC)
    reply = answer("when is the country reports?", event, now=now)
    assert [d.id for d in reply.dates] == ["reports"], reply.text
    assert "where it is held" not in reply.text
    venue = answer("which country is it in?", event, now=now)
    assert "where it is held" in venue.text, venue.text
