"""An id made from a long name is cut after a whole word (never "...-software-engin"), within
the limit the schedule needs (ids run to 64 characters), and the draft says it was shortened."""

from __future__ import annotations

import re
import tomllib

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.cfp import import_cfp
from bot.core.schedule import parse_schedule

WORDS = st.lists(st.text("abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=14),
                 min_size=6, max_size=14)


def _full(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _is_whole_words_of(short: str, full: str) -> bool:
    return full == short or full.startswith(short + "-")


@settings(max_examples=12, deadline=None)
@given(WORDS, WORDS)
def test_long_names_give_ids_cut_after_a_whole_word(name_words: list[str],
                                                     title_words: list[str]) -> None:
    name = "Workshop on " + " ".join(w.capitalize() for w in name_words) + " 2027"
    title = "Deadline for " + " ".join(title_words)
    call = f"# {name}\n\n- {title}: March 1, 2027 AoE\n- Workshop: June 2, 2027\n"
    imported = import_cfp(call)
    data = tomllib.loads(imported.toml)
    event_id = data["event"]["id"]
    deadline = next(d for d in data["dates"] if d["kind"] == "deadline")
    for made, source in ((event_id, data["event"]["name"]), (deadline["id"], deadline["title"])):
        full = _full(source)
        assert _is_whole_words_of(made, full), (made, full)
        assert len(made) <= 64
        line = next(x for x in imported.toml.splitlines() if x.startswith(f'id = "{made}"'))
        assert ("shortened" in line) == (made != full), line
    parse_schedule(imported.toml)  # a valid schedule whatever the length
