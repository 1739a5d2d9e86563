"""The question corpus: every question as people write it, each with its expected fact.

Prints accuracy per category (run with ``-s`` to see it); every question must pass.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from functools import cache
from pathlib import Path

import pytest

from bot.core.ask import Answer, answer
from bot.core.model import Event
from bot.core.schedule import parse_schedule
from tests.ask_corpus import CORPUS, NOW, Q

ROOT = Path(__file__).resolve().parent.parent
FILES = {"seed": ROOT / "schedules" / "aisys-sosp17.toml",
         "mlsys30": ROOT / "tests" / "data" / "ask" / "mlsys30.toml",
         "ccfsys26": ROOT / "tests" / "data" / "ask" / "ccfsys26.toml"}


@cache
def schedule(name: str) -> Event:
    return parse_schedule(FILES[name].read_text(encoding="utf-8"), str(FILES[name]))


def ask(q: Q) -> Answer:
    event = schedule(q.schedule)
    now = datetime.fromisoformat(q.now or NOW[q.schedule])
    context = None
    if q.after:
        context = answer(q.after, event, now=now).context
    return answer(q.question, event, now=now, context=context)


def problems(q: Q, reply: Answer) -> list[str]:
    """What is wrong with a reply, by the corpus's expectations; empty when it is right."""
    wrong: list[str] = []
    dated = [p for p in reply.parts if p.dates]
    for check in (c.strip() for c in q.expect.split(";")):
        if not check:
            continue
        name, _, value = check.partition("=")
        if name == "d":
            want = value.split(",")
            got = [p.dates[0].id for p in dated][:len(want)]
            if got != want:
                wrong.append(f"dates {got} != {want}")
        elif name == "k":
            want = value.split(",")
            got = [p.kind for p in reply.parts]
            if got != want:
                wrong.append(f"kinds {got} != {want}")
        elif name == "has":
            if value not in reply.text:
                wrong.append(f"missing {value!r}")
        elif name == "not":
            if value in reply.text:
                wrong.append(f"has {value!r}")
        elif name in ("yes", "no"):
            verdict = reply.parts[0].verdict if reply.parts else None
            lead = reply.text.split("\n")[-1] if False else reply.text
            starts = ("Yes:", "是的") if name == "yes" else ("No:", "不是")
            text_ok = any(line.startswith(starts) for line in lead.splitlines())
            if verdict is not (name == "yes") or not text_ok:
                wrong.append(f"verdict {verdict} / text does not say {name}")
        elif name == "decline":
            if reply.dates or any(p.kind not in ("not_held", "unknown") for p in reply.parts):
                wrong.append(f"not declined: {[p.kind for p in reply.parts]}, "
                             f"{[d.id for d in reply.dates]}")
        elif name == "zh":
            if reply.language != "zh":
                wrong.append("not answered in Chinese")
        elif name == "zone":
            zone = reply.reading.zone if reply.reading else None
            if zone is None or not zone.zones or zone.zones[0] != value:
                wrong.append(f"zone {zone.zones if zone else None} != {value}")
        else:
            raise AssertionError(f"unknown check {check!r} in the corpus")
    return wrong


def test_corpus_is_big_enough_and_covers_three_schedules() -> None:
    assert len(CORPUS) >= 250
    assert {q.schedule for q in CORPUS} == set(FILES)
    assert sum(q.category == "decline" for q in CORPUS) >= 25
    assert sum(q.category == "zh" for q in CORPUS) >= 50


def test_every_corpus_question_gets_its_expected_fact() -> None:
    totals: Counter[str] = Counter()
    right: Counter[str] = Counter()
    misses: list[str] = []
    for q in CORPUS:
        reply = ask(q)
        wrong = problems(q, reply)
        totals[q.category] += 1
        if wrong:
            misses.append(f"[{q.category}] {q.schedule}: {q.question!r}: {'; '.join(wrong)}\n"
                          f"    -> {reply.text[:240]!r}")
        else:
            right[q.category] += 1
    print(f"\nask corpus: {sum(right.values())}/{len(CORPUS)} right")
    for category in sorted(totals):
        print(f"  {category:9} {right[category]:4}/{totals[category]:<4} "
              f"{100 * right[category] / totals[category]:5.1f}%")
    assert not misses, "\n".join(misses)


@pytest.mark.parametrize("q", [q for q in CORPUS if q.category == "decline"],
                         ids=lambda q: q.question[:40])
def test_declined_questions_never_carry_a_date(q: Q) -> None:
    reply = ask(q)
    assert reply.dates == ()
