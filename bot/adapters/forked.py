"""Work done in a forked child while this process goes on with its own (the second core).

A start-up of 1,000 new schedules reads and proves half of them in a child while it reads the
other half itself. The child's results come back pickled through a pipe; a child that fails
in any way (killed, an error while pickling) only costs its work again: the caller is told
there is no result and does the work itself, so what is logged and reported is the same.
"""

from __future__ import annotations

import os
import pickle
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

A = TypeVar("A")
B = TypeVar("B")


def can_fork() -> bool:
    """Forking is safe here: POSIX, and no other thread (whose locks a child would inherit
    held)."""
    return hasattr(os, "fork") and threading.active_count() == 1


def fork_map(work: Callable[[A], B], items: Sequence[A],
             dumps: Callable[[object], bytes] = pickle.dumps
             ) -> Callable[[], list[B] | None] | None:
    """``[work(item) for item in items]`` in a forked child. Returns the function that waits
    for the child and gives its results (None when it failed), or None when this process
    cannot fork (then nothing was started)."""
    if not can_fork():
        return None
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its results into the pipe, then leave without the parent's exit
        code = 1
        try:
            os.close(read_end)
            data = dumps([work(item) for item in items])
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(data)
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)

    def results() -> list[B] | None:
        with os.fdopen(read_end, "rb") as pipe:
            data = pipe.read()
        _pid, status = os.waitpid(pid, 0)
        if status != 0 or not data:
            return None
        try:
            found = pickle.loads(data)
        except Exception:
            return None
        return found if isinstance(found, list) and len(found) == len(items) else None

    return results
