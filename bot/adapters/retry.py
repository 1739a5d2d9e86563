"""duebot's one retry policy: exponential backoff with a cap, and a call retried under it.

Three places wait after a failure: the ledger retrying a statement after connection trouble,
``deliver --once`` riding out a database outage, and a background job that failed (its next
run comes after the backoff, from the scheduler in ``bot.adapters.clock``). The last is not a
call retried in a loop but "when does the timer fire next", which a retry library such as
tenacity does not answer (it owns a sleeping loop, the thing the scheduler replaced); one
small policy serves all three, so their waits read alike and are tested once.
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
