"""Proving a schedule version: every shape of reminder is rendered, each shape only once."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from bot.adapters.template_files import load_templates
from bot.app.proving import Prover, shape
from bot.core.model import Event
from bot.core.planner import Reminder, plan
from bot.core.render import Message, Renderer
from bot.core.schedule import read_schedule
from bot.errors import TemplateError


def schedule(ident: str, *dates: str, final_call: str = "") -> Event:
    """An event whose dates are given as TOML fragments (``at = ...`` and extra keys)."""
    policy = f'final_call = "{final_call}"\n' if final_call else ""
    text = (f'[event]\nid = "{ident}"\nname = "Workshop {ident}"\nzone = "Europe/Berlin"\n'
            f'[reminders]\ndeadline = ["7d", "1d"]\n{policy}')
    for number, extra in enumerate(dates):
        text += (f'[[dates]]\nid = "d{number}"\ntitle = "Deadline {ident} {number}"\n'
                 f'kind = "deadline"\nat = "2031-0{1 + number}-10 23:59"\n{extra}\n')
    event, problems = read_schedule(text, f"{ident}.toml")
    assert event is not None, problems
    return event


class Counting(Renderer):
    """The real renderer, counting the reminders it renders."""

    def __init__(self, templates: dict[str, str]) -> None:
        super().__init__(templates)
        self.count = 0

    def reminder(self, event: Event, reminder: Reminder, **options: Any) -> Message:
        self.count += 1
        return super().reminder(event, reminder, **options)


def with_text(template: str) -> dict[str, str]:
    return {**load_templates(), "reminder.txt.j2": template}


def test_same_shapes_are_rendered_once_across_events() -> None:
    renderer = Counting(load_templates())
    prover = Prover(renderer)
    first = schedule("a", "", "")
    prover.prove(first, plan(first))
    once = renderer.count
    assert once == 1  # two dates x two leads, all of one shape
    for number in range(20):
        event = schedule(f"b{number}", "", "")
        prover.prove(event, plan(event))
    assert renderer.count == once
    described = schedule("c", "", 'description = "Bring a poster."')
    prover.prove(described, plan(described))
    # A described date is a new shape, and so is its event: a template may read every date
    # of the event, so the plain one is rendered again within it.
    assert renderer.count == once + 2


def test_a_template_failing_only_on_a_final_call_is_caught() -> None:
    template = "{% if final_call %}{{ date.no_such_field }}{% endif %}ok\n"
    prover = Prover(Renderer(with_text(template)))
    plain = schedule("plain", "")
    prover.prove(plain, plan(plain))  # no final call: fine
    called = schedule("called", "", final_call="3h")
    with pytest.raises(TemplateError, match="no_such_field"):
        prover.prove(called, plan(called))


def test_a_template_failing_on_one_date_of_many_is_caught() -> None:
    template = "{% if date.url %}{{ date.url.no_such_field }}{% endif %}ok\n"
    prover = Prover(Renderer(with_text(template)))
    event = schedule("many", "", "", "", 'url = "https://example.org/cfp"')
    with pytest.raises(TemplateError, match="no_such_field"):
        prover.prove(event, plan(event))


def test_shape_keeps_presence_and_kind_and_drops_the_text() -> None:
    one, other = schedule("x", 'description = "A"'), schedule("y", 'description = "B"')
    assert shape(one.dates[0]) == shape(other.dates[0])
    bare = schedule("z", "")
    assert shape(bare.dates[0]) != shape(one.dates[0])
    assert shape(()) != shape((1,)) and shape(0) != shape(1) and shape("") != shape("a")
    event = schedule("k", "")
    other_kind = dataclasses.replace(event.dates[0], kind="notification")
    assert shape(other_kind) != shape(event.dates[0])  # a kind is kept whole, not as "set"
