"""Work shared with a forked child while this process goes on with its own (the second core).

A start-up of 1,000 new schedules reads and proves them in two processes: this one takes them
from the front, in order, a forked child from the back, until they meet; neither knows in
advance how much else the other has to do (this one also imports what serving needs, and
unpickles what the child sends), so a fixed split left one waiting for the other. The child
sends each result as soon as it has it, pickled through a pipe that this process drains
between its own items, so little is left to unpickle once they meet. A child that fails in
any way (killed, an error while pickling) only costs its work again: the caller is told there
is no result for the items it did not send, and does them itself, so what is logged and
reported is the same. A child that hangs (alive, sending nothing: a lock it inherited held, a
file system that does not answer) is waited for ``patience`` seconds at most, each time this
process waits on it: then it is killed and counts as one that failed; ``abandoned`` says so,
in words for the log and ``/healthz``.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import pickle
import select
import signal
import struct
import threading
import time
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

A = TypeVar("A")
B = TypeVar("B")

_HEADER = struct.Struct("<II")
"""A result on the pipe: the item's index and the length of its pickle (0: none)."""
_WAIT = 0.05
"""Seconds between looks at whether the other process is still there, while waiting."""
PATIENCE = 30.0
"""Seconds this process waits on a child that sends nothing before it gives up on it. Reading
and proving one schedule takes milliseconds; a child silent this long is stuck."""


def can_fork() -> bool:
    """Forking is safe here: POSIX, and no other thread (whose locks a child would inherit
    held)."""
    return hasattr(os, "fork") and threading.active_count() == 1


class Shared(Generic[B]):
    """Items split between this process (from the front, ``mine``) and a forked child (from
    the back); the child's results (``theirs``)."""

    def __init__(self, count: int, reserved: int, *, patience: float = PATIENCE,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._count = count
        self._patience = patience
        self._clock = clock
        self.abandoned = ""
        """Why the child was given up on (killed), when it was: its items are done here."""
        self._limit = count - reserved  # the child's alone from here on
        # Two counters both processes see: the front (the next item this process takes) and
        # the back (the child has taken every item from there on); changed under the lock, a
        # pipe holding one byte that whoever changes them reads and then writes back.
        self._counters = mmap.mmap(-1, 16)
        self._view = memoryview(self._counters).cast("q")
        self._view[0], self._view[1] = 0, count
        self._lock_read, self._lock_write = os.pipe()
        os.set_blocking(self._lock_read, False)
        os.write(self._lock_write, b"\0")
        self._results_read, self._results_write = os.pipe()
        self._pid = 0
        self._parent = os.getpid()
        self._buffer = bytearray()
        self._found: dict[int, B] = {}
        self._gone = False  # the child has exited (reaped)
        self._ended = False  # and everything it sent is taken in

    # -- both sides -----------------------------------------------------------------------

    def _take(self, alive: Callable[[], bool], front: bool) -> int | None:
        """The next item from the front (this process) or the back (the child); None when
        the two have met, or the other process is gone (holding the lock, perhaps)."""
        began = self._clock()
        while True:
            try:
                os.read(self._lock_read, 1)
                break
            except BlockingIOError:
                if not alive():
                    return None
                if front and self._clock() - began > self._patience:
                    self._abandon("held the items' lock")
                    return None
                select.select([self._lock_read], [], [], _WAIT)
        try:
            low, high = self._view[0], self._view[1]
            if front:
                if low >= min(high, self._limit):
                    return None
                self._view[0] = low + 1
                return low
            if high <= low:
                return None
            self._view[1] = high - 1
            return high - 1
        finally:
            os.write(self._lock_write, b"\0")

    # -- this process -----------------------------------------------------------------------

    def mine(self, index: int) -> bool:
        """Whether this process does item ``index`` itself (asked in order, from 0): it takes
        it unless the child has; once the child has one, the rest are the child's."""
        if index != self._view[0]:
            return False
        if not self._gone:
            taken = self._take(self._alive, front=True)
            if taken is not None or not self._gone:
                return taken == index
        # The child is gone: what it took and did not send is done here (``theirs`` is None).
        if index < self._view[1]:
            self._view[0] = index + 1
            return True
        return False

    def poll(self) -> None:
        """Take in what the child has sent so far, without waiting."""
        self._drain(wait=False)

    def theirs(self, index: int) -> B | None:
        """The child's result for item ``index``, waiting for it; None when the child did not
        send one (it failed): do it here."""
        while index not in self._found and not self._ended:
            self._drain(wait=True)
        return self._found.get(index)

    def close(self) -> None:
        """Wait for the child to end (it has sent everything asked for by now), then let go
        of the pipes, so that no later child inherits them."""
        while not self._ended:
            self._drain(wait=True)
        for fd in (self._lock_read, self._lock_write):
            os.close(fd)
        self._view.release()
        self._counters.close()

    def discard(self) -> None:
        """Let go of the pipes and counters of a child that was never started."""
        for fd in (self._lock_read, self._lock_write, self._results_read,
                   self._results_write):
            os.close(fd)
        self._view.release()
        self._counters.close()

    def _alive(self) -> bool:
        if not self._gone:
            try:
                self._gone = os.waitpid(self._pid, os.WNOHANG)[0] != 0
            except ChildProcessError:
                self._gone = True
        return not self._gone

    def _drain(self, *, wait: bool) -> None:
        if self._ended:
            return
        if wait:
            began = self._clock()
            while not select.select([self._results_read], [], [], _WAIT)[0]:
                if self._clock() - began > self._patience:
                    self._abandon("sent nothing")
                    return
        while True:
            try:
                chunk = os.read(self._results_read, 1 << 20)
            except BlockingIOError:
                break
            if not chunk:  # the child closed its end: all it will send is here
                self._ended = True
                os.close(self._results_read)
                if not self._gone:
                    self._gone = True
                    os.waitpid(self._pid, 0)
                break
            self._buffer += chunk
        self._unpack()

    def _abandon(self, doing: str) -> None:
        """Give up on a child that is stuck: kill it, take in nothing more from it; the items
        it took and did not send are done here (``theirs`` is None for them)."""
        self.abandoned = (f"the forked schedule reader (pid {self._pid}) {doing} for "
                          f"{self._patience:g} s: stopped, and what it had taken was read in "
                          f"this process")
        with contextlib.suppress(OSError):
            os.kill(self._pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self._pid, 0)
        self._gone = self._ended = True
        os.close(self._results_read)

    def _unpack(self) -> None:
        """Unpickle every whole result in the buffer (a cut one waits for its rest)."""
        buffer, start = self._buffer, 0
        while len(buffer) - start >= _HEADER.size:
            index, size = _HEADER.unpack_from(buffer, start)
            end = start + _HEADER.size + size
            if end > len(buffer):
                break
            if size:
                try:
                    found = pickle.loads(buffer[start + _HEADER.size:end])
                except Exception:
                    found = None
                if found is not None:
                    self._found[index] = found
            start = end
        del buffer[:start]

    # -- the child ----------------------------------------------------------------------------

    def _serve(self, work: Callable[[A], B], items: Sequence[A],
               dumps: Callable[[object], bytes]) -> None:
        """Take items from the back until the two meet; send each result as it is ready (a
        full pipe is not waited for until the end)."""
        out = self._results_write
        os.set_blocking(out, False)
        pending = bytearray()
        while True:
            index = self._take(lambda: os.getppid() == self._parent, front=False)
            if index is None:
                break
            try:
                data = dumps(work(items[index]))
            except Exception:
                data = b""
            pending += _HEADER.pack(index, len(data))
            pending += data
            with contextlib.suppress(BlockingIOError):  # a full pipe: sent later
                del pending[:os.write(out, pending)]
        os.set_blocking(out, True)
        view = memoryview(pending)
        while view:
            view = view[os.write(out, view):]


def fork_share(work: Callable[[A], B], items: Sequence[A], *, reserved: int = 0,
               dumps: Callable[[object], bytes] = pickle.dumps, patience: float = PATIENCE,
               clock: Callable[[], float] = time.monotonic) -> Shared[B] | None:
    """Start a forked child doing ``work(item)`` for ``items`` from the back (the last
    ``reserved`` are its alone); this process asks ``mine(i)`` for each item in order and does
    those itself, and takes the child's with ``theirs(i)``. None when this process cannot fork
    (then nothing was started). ``patience``: seconds of waiting on a child that sends
    nothing before it is killed (``Shared.abandoned``)."""
    if not can_fork() or not items:
        return None
    shared: Shared[B] = Shared(len(items), min(max(reserved, 0), len(items)),
                               patience=patience, clock=clock)
    try:
        pid = os.fork()
    except OSError:  # no process to spare (a limit reached): all is done here
        shared.discard()
        return None
    if pid == 0:  # the child: its results into the pipe, then leave without the parent's exit
        code = 1
        try:
            os.close(shared._results_read)
            shared._serve(work, items, dumps)
            code = 0
        finally:
            os._exit(code)
    shared._pid = pid
    os.close(shared._results_write)
    os.set_blocking(shared._results_read, False)
    return shared
