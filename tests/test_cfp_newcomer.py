"""import-cfp -> validate -> ask -> ics on calls a new organizer wrote (tests/cfps/organizer).

expected.toml there was written by hand from each call's text (offsets from the tz database,
each noted in its header), never from the importer's output: a call read differently fails
here, whatever the draft says.
"""

from __future__ import annotations

import json
import re
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.cli.main import main
from bot.core.cfp import import_cfp
from bot.core.schedule import parse_schedule

CALLS = Path(__file__).parent / "cfps" / "organizer"
EXPECTED: list[dict[str, Any]] = tomllib.loads(
    (CALLS / "expected.toml").read_text(encoding="utf-8"))["call"]
QUESTIONS = {"deadline": "when is the deadline?", "notification": "when are notifications?",
             "camera-ready": "when is the camera-ready due?", "event": "when is the workshop?"}


def _run(call: dict[str, Any], tmp_path: Path,
         capsys: pytest.CaptureFixture[str]) -> tuple[Path, list[tuple[int, str]]]:
    out = tmp_path / "draft.toml"
    assert main(["import-cfp", str(CALLS / call["file"]), "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "Traceback" not in err
    warnings = []
    for line in err.splitlines():
        match = re.match(r".*?:(\d+): warning: (.*)$", line)
        if match:
            warnings.append((int(match[1]), match[2]))
    return out, warnings


def test_the_folder_holds_a_dozen_calls_in_every_style() -> None:
    names = [c["file"] for c in EXPECTED]
    assert len(names) >= 12
    on_disk = sorted(p.name for p in CALLS.iterdir() if p.suffix in (".md", ".txt", ".html"))
    assert sorted(names) == on_disk  # every call has its expected reading
    for ending in (".md", ".txt", ".html"):
        assert any(n.endswith(ending) for n in names), ending


@pytest.mark.parametrize("call", EXPECTED, ids=[c["file"] for c in EXPECTED])
def test_a_call_imports_validates_answers_and_feeds_what_it_says(
        call: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, warnings = _run(call, tmp_path, capsys)
    event = parse_schedule(out.read_text(encoding="utf-8"))
    got = [[d.kind, f"{d.starts:%Y-%m-%d %H:%M}"] for d in event.dates]
    wanted = [list(d) for d in call["dates"]]
    gap = call.get("known_gap")
    if gap is not None:
        # The one date the importer cannot place: it must say so at the line of the place.
        line, words = gap["doubt"]
        assert any(n == line and words in w for n, w in warnings), (warnings, gap)
        wanted[gap["index"]][1] = got[gap["index"]][1]
    assert sorted(got) == sorted(wanted)
    assert event.city == call.get("city", event.city)
    assert event.country == call.get("country", "")
    if "venue_zone" in call:
        assert event.venue_zone is not None and event.venue_zone.key == call["venue_zone"]
    for date_id, last in call.get("range_end", {}).items():
        assert str(event.date(date_id).end_day) == last
    for date_id, last in call.get("range_end_at", {}).items():
        end = event.date(date_id).end
        assert end is not None and f"{end:%Y-%m-%d %H:%M}" == last
    for date_id, old in call.get("extended_from", {}).items():
        earlier = event.date(date_id).extended_from
        assert earlier is not None and f"{earlier:%Y-%m-%d %H:%M}" == old
    if "titles" in call:
        assert [d.title for d in event.dates] == call["titles"]
    if "page_limit" in call:
        assert event.submission.page_limit == call["page_limit"]
    for line in call.get("quiet_lines", []):
        assert not [w for n, w in warnings if n == line], (line, warnings)
    for line, words in call.get("doubt_lines", []):
        assert any(n == line and words in w for n, w in warnings), (line, words, warnings)

    assert main(["validate", str(out)]) == 0
    assert ": error: " not in capsys.readouterr().err

    # `duebot ask`, long before the first date, gives the instants the call means.
    first = min(datetime.fromisoformat(at + "+00:00") for _, at in call["dates"])
    now = f"{first.year - 1}-01-01T00:00:00Z"
    for kind, question in QUESTIONS.items():
        wanted_at = {at for k, at in wanted if k == kind}
        if not wanted_at:
            continue
        assert main(["ask", question, "--schedule", str(out), "--now", now, "--json"]) == 0
        reply = json.loads(capsys.readouterr().out)
        answered = {str(d["at_utc"]).replace("T", " ")[:16] if "at_utc" in d else
                    f"{event.date(d['id']).starts:%Y-%m-%d %H:%M}"
                    for d in reply["dates"] if d["kind"] == kind}
        assert answered and answered <= wanted_at, (question, reply["answer"])

    # The feed: a timed date's DTSTART is its instant in UTC; an all-day one its local day.
    feed = tmp_path / "feed.ics"
    assert main(["ics", "--schedule", str(out), "-o", str(feed)]) == 0
    capsys.readouterr()
    starts = re.findall(r"^DTSTART(?:;VALUE=DATE)?:(\S+)$", feed.read_text(encoding="utf-8"),
                        re.MULTILINE)
    wanted_starts = [f"{d.day:%Y%m%d}" if d.all_day else
                     f"{d.starts.astimezone(UTC):%Y%m%dT%H%M%SZ}" for d in event.dates]
    assert sorted(starts) == sorted(wanted_starts)  # the feed lists them in time order


# --- 10/09/2026 is never guessed without a word ---------------------------------------------

_AMBIGUOUS = re.compile(r"(?<![\d/.-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4})(?![\d/])")
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"]


def _calls_with_numeric_dates() -> list[Path]:
    root = Path(__file__).parent / "cfps"
    return sorted(p for p in root.rglob("*") if p.suffix in (".md", ".txt", ".html")
                  and _AMBIGUOUS.search(p.read_text(encoding="utf-8")))


@pytest.mark.parametrize("path", _calls_with_numeric_dates(), ids=lambda p: p.name)
def test_an_ambiguous_numeric_date_is_flagged_at_its_line_with_both_readings(path: Path) -> None:
    """Every a/b/YYYY (a, b at most 12 and unequal) in any call of tests/cfps that the draft
    takes a date from is flagged, at a line that holds it, naming both readings; in the
    warnings and as a comment in the draft."""
    text = path.read_text(encoding="utf-8")
    result = import_cfp(text, source=path.name)
    lines = text.splitlines()
    days = {d.local_text[:10] for d in parse_schedule(result.toml).dates}
    for match in {m for line in lines for m in _AMBIGUOUS.findall(line)}:
        a, b, year = int(match[0]), int(match[2]), match[3]
        written = f"{match[0]}{match[1]}{match[2]}{match[1]}{year}"
        if a == b or a > 12 or b > 12:
            continue
        if not days & {f"{year}-{a:02d}-{b:02d}", f"{year}-{b:02d}-{a:02d}"}:
            continue  # the draft holds neither reading: nothing was guessed
        said = [p for p in result.warnings if f'"{written}" read as' in p.message]
        assert said, (path.name, written)
        for problem in said:
            assert problem.line is not None and written in lines[problem.line - 1]
            day_month = re.search(rf"\b0?{a} {_MONTHS[b - 1]}|{_MONTHS[b - 1]} 0?{a}\b",
                                  problem.message)
            month_day = re.search(rf"\b0?{b} {_MONTHS[a - 1]}|{_MONTHS[a - 1]} 0?{b}\b",
                                  problem.message)
            assert day_month and month_day, (path.name, problem.message)
        assert any(written in line and "#" in line for line in result.toml.splitlines())


def test_a_lone_ambiguous_date_is_read_day_first_and_says_the_other_reading() -> None:
    result = import_cfp("# Workshop on Tests (WT 2026)\n\n- Paper deadline: 03/04/2026, "
                        "23:59 AoE\n", source="call.md")
    [flag] = [p for p in result.warnings if "03/04/2026" in p.message]
    assert flag.line == 3
    assert "3 April" in flag.message.replace("03 April", "3 April")
    assert "March 4" in flag.message


def test_a_weekday_beside_a_numeric_date_settles_day_and_month() -> None:
    """ "Friday, 10/09/2026": 9 October 2026 is a Friday, 10 September a Thursday. The weekday
    was part of the title ("Abstract deadline Friday") and no evidence at all."""
    call = ("# Workshop on Tests (WT 2026)\n\n## Important dates\n\n"
            "- Abstract deadline: Friday, 10/09/2026, 23:59 AoE\n- Notification: 11/12/2026\n")
    result = import_cfp(call, source="call.md")
    event = parse_schedule(result.toml)
    abstract, notification = event.dates
    assert abstract.title == "Abstract deadline"
    assert f"{abstract.starts:%Y-%m-%d %H:%M}" == "2026-10-10 11:59"  # 9 Oct 23:59 AoE
    assert f"{notification.day}" == "2026-11-12"  # month first, as the weekday showed
    [flag] = [p for p in result.warnings if p.line == 5]
    assert '"Friday"' in flag.message and "September 10" in flag.message
