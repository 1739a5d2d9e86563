"""The plain-TOML fast path (``bot.core.toml_source.load``) reads exactly what tomllib reads.

It takes only texts it can read in full (tables, arrays of tables, one-line strings without
escapes, whole numbers, booleans, arrays of strings); for those, the data must equal
``tomllib.loads`` and the lines must equal ``SourceMap``'s. Everything else, every syntax error
included, must go to tomllib. Checked on near-miss lines (escapes, quotes, control characters,
leading zeros, keys and tables given twice) that a line pattern could get wrong.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.schedule import read_schedule
from bot.core.toml_source import SourceMap, _plain, load

ROOT = Path(__file__).resolve().parent.parent

KEYS = st.sampled_from(["id", "name", "zone", "at", "kind", "deadline", "a-b", "x_1", "7d",
                        "dates", "event", "ID"])
TEXT = st.text(st.sampled_from(list("ab 7d:#[]{},=.'\"\\\t\x01\x7f\u00e9\u2028\u8bd5")),
               max_size=8)
VALUES = st.one_of(
    TEXT.map(lambda t: f'"{t}"'), TEXT.map(lambda t: f"'{t}'"), TEXT,
    st.sampled_from(["0", "-0", "+7", "07", "1_000", "123456789012345678",
                     "1234567890123456789", "99999999999999999999", "1.5", "true", "false",
                     "True", "tru", "[]", "[ ]", '["7d", "1d"]', '["7d",]', "['a', \"b\"]",
                     '[,]', '["a" "b"]', '["a",,"b"]', '[1, 2]', '[["a"]]', '"""x"""',
                     "'''x'''", '""', "''", '"a"b"', '"\\u00e9"', '{ a = "b" }',
                     "2030-01-01", "2030-01-01T10:00:00"]),
)
COMMENTS = st.sampled_from(["", " # c", "#c", " # \"\"\" '''", " #\x01", "\t# é"])
LINES = st.one_of(
    st.tuples(KEYS, st.sampled_from([" = ", "=", " =\t", " : "]), VALUES, COMMENTS).map(
        lambda p: "".join(p)),
    st.tuples(st.sampled_from(["[", "[[", "[ ", "[[ "]), KEYS,
              st.sampled_from(["]", "]]", " ]", "]]]"]), COMMENTS).map(lambda p: "".join(p)),
    st.sampled_from(["", "   ", "# comment", "\t", "[a.b]", "a.b = 1", '"q" = 1',
                     "[[dates]]", "[event]", "\ufeff[event]", "key = \"x\"\r", "x"]),
)

SAFE = st.text(st.sampled_from(list("ab 7d:#[]{},=.'\t\u00e9\u2028\u8bd5")), max_size=8)
VALID = st.one_of(
    st.tuples(KEYS, st.sampled_from([" = ", "=", "\t=  "]), st.one_of(
        SAFE.map(lambda t: f'"{t}"'), SAFE.map(lambda t: f"'{t.replace(chr(39), '')}'"),
        st.integers(-10**6, 10**6).map(str), st.sampled_from(["true", "false"]),
        st.lists(SAFE.map(lambda t: f'"{t}"'), max_size=3).map(lambda xs: f"[{', '.join(xs)}]"),
    ), COMMENTS).map(lambda p: "".join(p)),
    st.tuples(st.sampled_from(["[", "[["]), KEYS, COMMENTS).map(
        lambda p: f"{p[0]}{p[1]}{']' * len(p[0])}{p[2]}"),
    st.sampled_from(["", "# c"]),
)
"""Lines the fast path takes (keys and tables may still clash)."""


def check(text: str) -> None:
    fast = _plain(text)
    if fast is None:
        return
    data, where = fast
    assert data == tomllib.loads(text)  # a text tomllib refuses must not come back here
    assert where.lines == SourceMap(text).lines


@given(st.lists(LINES, max_size=14).map("\n".join))
@settings(max_examples=600, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
def test_plain_texts_read_as_tomllib_reads_them(text: str) -> None:
    check(text)


@given(st.lists(VALID, max_size=16), st.one_of(st.none(), LINES), st.integers(0, 16))
@settings(max_examples=600, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
def test_plain_texts_with_one_odd_line_read_as_tomllib_reads_them(
        lines: list[str], odd: str | None, at: int) -> None:
    if odd is not None:
        lines.insert(at, odd)
    check("\n".join(lines))


@pytest.mark.parametrize("path", sorted((ROOT / "tests").rglob("*.toml")) + sorted(
    (ROOT / "schedules").glob("*.toml")), ids=lambda p: p.name)
def test_the_project_s_own_toml_files(path: Path) -> None:
    check(path.read_text(encoding="utf-8"))


PLAIN = ('[event]\nid = "w"\nname = "W"\nzone = "UTC"\n\n[reminders]\ndeadline = ["7d"]\n\n'
         '[[dates]]\nid = "a"\ntitle = "A"\nkind = "deadline"\nat = "2030-01-10 12:00"\n')


def test_a_plain_schedule_takes_the_fast_path_and_keeps_every_line() -> None:
    fast = _plain(PLAIN)
    assert fast is not None
    assert fast[1].lines[("dates", 0, "at")] == 13
    assert load(PLAIN)[0] == tomllib.loads(PLAIN)


@pytest.mark.parametrize(("text", "field", "line"), [
    (PLAIN + 'id = "b"\n', "", 14),                      # a key twice: tomllib's message
    (PLAIN + '[event]\n', "", 14),                       # a table twice
    (PLAIN.replace('kind = "deadline"', 'kind = "party"'), "dates[0].kind", 12),
    (PLAIN.replace('"2030-01-10 12:00"', '"2030-01-10 25:00"'), "dates[0].at", 13),
])
def test_errors_read_the_same_on_either_path(text: str, field: str, line: int) -> None:
    event, problems = read_schedule(text, "w.toml")
    assert event is None
    [problem] = problems
    assert (problem.field, problem.line) == (field, line), problem
    if not field:
        assert problem.message.startswith("TOML syntax:")
