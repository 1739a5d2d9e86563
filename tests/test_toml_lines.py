"""Errors name the right line whatever the strings before them hold.

A ``'''`` inside a ``"..."`` string once made the line scan think a multi-line string had
begun, so every later error said "line 0" (or none); a Unicode line separator inside a string
shifted every later line by one.
"""

from __future__ import annotations

import pytest

from bot.config import parse_config
from bot.core.schedule import read_schedule
from bot.errors import ConfigError

HEAD = '[event]\nid = "t"\nname = "T 2030"\nzone = "UTC"\n'


def bad_date(description: str) -> str:
    return (f'{HEAD}\n[[dates]]\nid = "a"\ntitle = "A"\nkind = "deadline"\n'
            f'at = "2030-01-10 12:00"\ndescription = {description}\n\n'
            f'[[dates]]\nid = "b"\ntitle = "B"\nkind = "party"\nat = "2030-01-11 12:00"\n')


def line_of(text: str, needle: str) -> int:
    """The line as TOML counts them (only \\n ends a line), found without the SourceMap."""
    for number, line in enumerate(text.split("\n"), start=1):
        if needle in line:
            return number
    raise AssertionError(needle)


@pytest.mark.parametrize("description", [
    '"it\'\'\'s"',                       # ''' inside a basic string
    '"say \\"\\"\\" twice"',             # escaped """ inside a basic string
    "'a \"\"\" b'",                      # """ inside a literal string
    '"""one line"""',                    # a multi-line string opened and closed on one line
    "'''one line'''",
    '"""\nkind = "not a key"\n"""',      # key-looking text inside a multi-line string
    "'''\n[[dates]]\nid = \"fake\"\n'''",  # a header-looking line inside one
    '"""two\n\'\'\' inside\n"""',
    '"""ends with a quote \\""""',
    '"x" # a comment with \'\'\' in it',
    '"a\u2028b\u2029c\x85d"',           # separators that str.splitlines() would split at
    '"""first\r\nsecond"""',
])
def test_errors_after_any_string_name_their_own_line(description: str) -> None:
    text = bad_date(description)
    event, problems = read_schedule(text, "t.toml")
    assert event is None
    [problem] = problems
    assert problem.field == "dates[1].kind"
    assert problem.line == line_of(text, 'kind = "party"'), (description, problem)


def test_config_errors_after_a_tricky_string_name_their_line() -> None:
    text = '[smtp]\nsender = "duebot <a@example.org>"\nhost = "it\'\'\'s"\nport = 0\n'
    with pytest.raises(ConfigError) as caught:
        parse_config(text, "c.toml", env={})
    [problem] = caught.value.problems
    assert problem.line == 4


def test_a_misspelt_array_of_tables_is_said_at_its_first_header() -> None:
    # [[schedule]] for [[schedules]] (and [[date]] for [[dates]]) is the likeliest typo of a
    # new organizer: its "unknown key" error once carried no line at all.
    text = '[storage]\ndatabase_url = "sqlite:///x.db"\n\n[[schedule]]\npath = "a.toml"\n'
    with pytest.raises(ConfigError) as caught:
        parse_config(text, "c.toml", env={})
    [problem] = caught.value.problems
    assert str(problem).startswith("c.toml:4: error: schedule: unknown key 'schedule'; did "
                                   "you mean 'schedules'?")


@pytest.mark.parametrize("extra", ["", 'x = "it\'\'\'s"\n'], ids=["plain", "tomllib"])
def test_a_misspelt_dates_table_is_said_at_its_line(extra: str) -> None:
    # Both readers of a schedule (the plain-TOML one and tomllib with the line scan).
    text = (f'{HEAD}{extra}\n[[date]]\nid = "a"\ntitle = "A"\nkind = "deadline"\n'
            f'at = "2030-01-10 12:00"\n')
    _, problems = read_schedule(text, "t.toml")
    [problem] = [p for p in problems if p.field == "date"]
    assert problem.line == line_of(text, "[[date]]")
