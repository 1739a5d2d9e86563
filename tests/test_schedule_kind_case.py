"""``kind`` takes exactly one of its five values, as ``fold`` and ``missed`` take theirs: a
"Deadline" or a "workshop" is an error at its line naming the kind meant, never accepted
unseen (the file would then say something duebot reads otherwise, or not at all)."""

from __future__ import annotations

import pytest

from bot.core.model import KINDS
from bot.core.schedule import read_schedule

HEAD = '[event]\nid = "w-2027"\nname = "W"\nzone = "UTC"\n'
DATE = '\n[[dates]]\nid = "d"\ntitle = "D"\nkind = "{kind}"\nat = "2027-03-01 23:59"\n'
ALIASES = {"workshop": "event", "conference": "event", "final": "camera-ready",
           "camera ready": "camera-ready", "camera_ready": "camera-ready",
           "deadlines": "deadline", "notifications": "notification"}


def _variants(kind: str) -> list[str]:
    return sorted({kind.upper(), kind.title(), kind.capitalize(), f" {kind} ",
                   kind.swapcase()} - {kind})


@pytest.mark.parametrize("kind", KINDS)
def test_the_exact_kind_is_read(kind: str) -> None:
    event, problems = read_schedule(HEAD + DATE.format(kind=kind))
    assert event is not None and not problems and event.dates[0].kind == kind


CASES = [(v, k) for k in KINDS for v in _variants(k)] + list(ALIASES.items())


@pytest.mark.parametrize(("written", "meant"), CASES, ids=[w for w, _ in CASES])
def test_another_spelling_is_an_error_naming_the_kind_meant(written: str, meant: str) -> None:
    text = HEAD + DATE.format(kind=written)
    event, problems = read_schedule(text, "s.toml")
    assert event is None
    (problem,) = problems
    assert problem.line == text.splitlines().index(f'kind = "{written}"') + 1
    assert problem.field == "dates[0].kind" and problem.severity == "error"
    assert f"did you mean {meant!r}?" in problem.message
    assert all(k in problem.message for k in KINDS)  # the allowed values, listed
