"""The probe harness ``test_ask_unseen`` and ``test_ask_heldout`` share: a probe (``P``), what is
wrong with a reply to it (``wrong``), and the schedules probes are asked against
(``Schedules``: read once, asked at each schedule's "now" and in its reader's zone, and the
whole table run with right answers counted by category).

The expectation language is ``test_ask_fresh``'s (``d=``, ``all=``, ``at=``, ``has=``,
``not=``, ``yes``/``no``, ``decline``, ``zh``, ``zone=``, ``first=``, ``once=``) plus:

    dates=ID[,ID]  every date the reply speaks of, in any order, and no other
    nodate=ID      the reply does not speak of this date
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

from bot.core.ask import Answer, answer
from bot.core.model import Event
from bot.core.schedule import parse_schedule
from bot.core.zones import parse_zone
from tests.test_ask_fresh import P as FreshP
from tests.test_ask_fresh import _check


@dataclass(frozen=True)
class P:
    schedule: str
    question: str
    expect: str
    cat: str
    now: str = ""
    reader: str = ""


def wrong(p: P, reply: Answer) -> list[str]:
    """What is wrong with a reply, by the probe's expectations; empty when it is right."""
    out: list[str] = []
    rest: list[str] = []
    ids = [d.id for d in reply.dates]
    for check in (c.strip() for c in p.expect.split(";")):
        name, _, value = check.partition("=")
        if name == "dates":
            if sorted(ids) != sorted(value.split(",")):
                out.append(f"dates {ids} != {value}")
        elif name == "nodate":
            if value in ids:
                out.append(f"speaks of {value}")
        else:
            rest.append(check)
    fresh = FreshP(p.schedule, p.question, " ; ".join(rest), p.now)
    return out + _check(fresh, reply)


@cache
def _read(path: Path) -> Event:
    return parse_schedule(path.read_text(encoding="utf-8"), str(path))


@dataclass(frozen=True)
class Schedules:
    """Schedule files by a probe's ``schedule`` key, each with its "now" and reader's zone."""

    files: Mapping[str, Path]
    now: Mapping[str, str]
    reader: Mapping[str, str]

    def event(self, name: str) -> Event:
        return _read(self.files[name])

    def ask(self, p: P) -> Answer:
        now = datetime.fromisoformat(p.now or self.now[p.schedule])
        return answer(p.question, self.event(p.schedule), now=now,
                      reader=parse_zone(p.reader or self.reader[p.schedule]))

    def thread(self, name: str, questions: Iterable[str]) -> Answer:
        """Ask each question of one thread in turn, each read against the one before; the
        last answer."""
        event, now = self.event(name), datetime.fromisoformat(self.now[name])
        reader = parse_zone(self.reader[name])
        reply: Answer | None = None
        for question in questions:
            reply = answer(question, event, now=now, reader=reader,
                           context=None if reply is None else reply.context)
        assert reply is not None, "a thread of no question"
        return reply

    def misses(self, label: str, probes: Iterable[P]) -> list[str]:
        """Ask every probe; print how many were right, by category; what each wrong one got."""
        probes = tuple(probes)
        totals: Counter[str] = Counter()
        right: Counter[str] = Counter()
        misses: list[str] = []
        for p in probes:
            reply = self.ask(p)
            bad = wrong(p, reply)
            totals[p.cat] += 1
            if bad:
                misses.append(f"[{p.cat}] {p.schedule}: {p.question!r} ({p.now or 'now'}): "
                              f"{'; '.join(bad)}\n    -> {reply.text[:300]!r}")
            else:
                right[p.cat] += 1
        print(f"\n{label}: {sum(right.values())}/{len(probes)} right")
        for cat in sorted(totals):
            print(f"  {cat:9} {right[cat]:4}/{totals[cat]:<4}")
        return misses
