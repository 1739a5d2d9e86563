"""duebot's one retry policy (``bot.adapters.retry``): the waits, and a call retried under it."""

from __future__ import annotations

import pytest

from bot.adapters.retry import Backoff, retrying


def test_backoff_doubles_from_its_first_wait_up_to_its_cap() -> None:
    policy = Backoff(first=1.0, cap=60.0)
    assert [policy.delay(n) for n in range(1, 9)] == [1, 2, 4, 8, 16, 32, 60, 60]
    assert Backoff(first=0.05, factor=10.0, cap=2.0).delay(3) == 2.0
    assert policy.delay(10**6) == 60.0


def test_retrying_waits_on_transient_errors_and_raises_the_rest_at_once() -> None:
    slept: list[float] = []
    calls: list[int] = []

    def flaky(number: int) -> str:
        calls.append(number)
        if number < 2:
            raise ConnectionError("reset by peer")
        return "done"

    policy = Backoff(first=0.05, factor=10.0, cap=2.0)
    assert retrying(flaky, policy=policy, attempts=4, what="claim", sleep=slept.append,
                    transient=lambda exc: isinstance(exc, ConnectionError)) == "done"
    assert calls == [0, 1, 2] and slept == [0.05, 0.5]

    def broken(_number: int) -> str:
        raise ValueError("a bug")

    with pytest.raises(ValueError, match="a bug"):
        retrying(broken, policy=policy, attempts=4, what="claim", sleep=slept.append,
                 transient=lambda exc: isinstance(exc, ConnectionError))
    assert slept == [0.05, 0.5]

    def down(_number: int) -> str:
        raise ConnectionError("refused")

    with pytest.raises(ConnectionError):
        retrying(down, policy=policy, attempts=3, what="claim", sleep=slept.append,
                 transient=lambda exc: True)
    assert slept == [0.05, 0.5, 0.05, 0.5]
    with pytest.raises(ConnectionError):  # stopping: no more waiting
        retrying(down, policy=policy, attempts=3, what="claim", sleep=slept.append,
                 transient=lambda exc: True, give_up=lambda: True)
    assert len(slept) == 4
