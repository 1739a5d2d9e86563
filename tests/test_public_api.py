"""``import bot`` offers a small public API; every name in ``__all__`` resolves."""

from __future__ import annotations

import bot


def test_every_public_name_resolves_to_its_module_object() -> None:
    for name in bot.__all__:
        assert getattr(bot, name) is not None, name
    assert bot.plan.__module__ == "bot.core.planner"
    assert bot.Event.__module__ == "bot.core.model"


def test_an_unknown_name_is_an_attribute_error() -> None:
    try:
        bot.no_such_thing  # noqa: B018
    except AttributeError as exc:
        assert "no_such_thing" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("bot.no_such_thing resolved")
