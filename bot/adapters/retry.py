"""duebot's one retry policy: exponential backoff with a cap, and a call retried under it.

Three places wait after a failure: the ledger retrying a statement after connection trouble,
``deliver --once`` riding out a database outage, and a background job that failed (its next
run comes after the backoff, from the scheduler in ``bot.adapters.clock``). The last is not a
call retried in a loop but "when does the timer fire next", which a retry library such as
tenacity does not answer (it owns a sleeping loop, the thing the scheduler replaced); one
small policy serves all three, so their waits read alike and are tested once.

An answer a person waits for (Slack's post, Discord's deferred edit) retries only what a rate
limit asked for, briefly: ``paced``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")
log = logging.getLogger("duebot")


@dataclass(frozen=True, kw_only=True)
class Backoff:
    """Waits of ``first``, ``first * factor``, ... seconds, never more than ``cap``."""

    first: float
    factor: float = 2.0
    cap: float = 60.0

    def delay(self, failures: int) -> float:
        """The wait after ``failures`` failures in a row (1 for the first)."""
        if failures < 1:
            return 0.0
        return min(self.first * self.factor ** min(failures - 1, 64), self.cap)


def retrying(call: Callable[[int], T], *, policy: Backoff, attempts: int,
             transient: Callable[[BaseException], bool], what: str,
             sleep: Callable[[float], object] = time.sleep,
             give_up: Callable[[], bool] = lambda: False,
             describe: Callable[[BaseException], str] = str) -> T:
    """``call(n)`` for n = 0, 1, ... until it returns; a transient error waits and tries again.

    Any other error, the last attempt's error and an error once ``give_up()`` is true raise.
    """
    for number in range(attempts):
        try:
            return call(number)
        except Exception as exc:
            if number + 1 >= attempts or not transient(exc) or give_up():
                raise
            wait = policy.delay(number + 1)
            first_line = (describe(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
            log.warning("%s: %s; trying again in %.2fs", what, first_line, wait)
            sleep(wait)
    raise ValueError("attempts must be at least 1")


def paced(call: Callable[[], T], *, asked: Callable[[Exception], float | None],
          longest: float, attempts: int, what: str,
          sleep: Callable[[float], object] = time.sleep,
          logger: logging.Logger = log) -> T:
    """``call()`` again after the wait a rate limit asks for (``asked(exc)``; None: the error is
    no rate limit) while that is at most ``longest`` seconds, ``attempts`` calls in all: a
    person is waiting for the answer. A 429 took nothing, so the retry cannot send twice. Any
    other error, a longer wait and the last attempt's error raise."""
    for attempt in range(1, attempts + 1):
        try:
            return call()
        except Exception as exc:
            wait = asked(exc)
            if wait is None or wait > longest or attempt == attempts:
                raise
            logger.info("%s: trying again in %.1f s", what, wait)
            sleep(wait)
    raise ValueError("attempts must be at least 1")
