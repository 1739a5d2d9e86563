"""Work shared with a forked child (``bot.adapters.forked``): each item done once, by whichever
process got to it; a busy parent leaves more to the child; a child that dies costs only the
items it did not send."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from bot.adapters.forked import can_fork, fork_share

COUNT, RESERVED = 30, 10


def _alone(case: str, tmp_path: Path) -> None:
    """Run ``case`` here when this process may fork (one thread), else in a new interpreter:
    a full test run has threads alive (servers of earlier tests), and forking then is what
    start-up itself refuses (``can_fork``)."""
    if can_fork():
        globals()[case](tmp_path)
        return
    root = Path(__file__).resolve().parent.parent
    code = (f"import sys; sys.path.insert(0, {str(root)!r}); from pathlib import Path; "
            f"import tests.test_forked as t; t.{case}(Path({str(tmp_path)!r}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr[-3000:]


def _square(log: Path, die_on: int | None = None):  # type: ignore[no-untyped-def]
    def work(item: int) -> tuple[int, int]:
        if item == die_on:
            os._exit(3)
        with open(log, "a", encoding="utf-8") as out:
            out.write(f"{item}\n")
        return item, item * item
    return work


def _wait_for_lines(log: Path, count: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not log.exists() or len(log.read_text().splitlines()) < count:
        assert time.monotonic() < deadline, "the child did not get that far"
        time.sleep(0.01)


def _run(shared, work) -> tuple[list[int], list[tuple[int, int]]]:  # type: ignore[no-untyped-def]
    """Take the items in order as the service does: mine, else the child's, else do it here."""
    here, results = [], []
    for i in range(COUNT):
        shared.poll()
        found = None if shared.mine(i) else shared.theirs(i)
        if found is None:
            here.append(i)
            found = work(i)
        results.append(found)
    shared.close()
    return here, results


def _case_a_busy_parent_leaves_the_child_all_but_the_front_it_has_not_reached(
        tmp_path: Path) -> None:
    """While this process is busy (importing, at start-up), the child goes on past the half,
    down to the front; a fixed half would have left this process the first 15."""
    log = tmp_path / "child"
    shared = fork_share(_square(log), list(range(COUNT)), reserved=RESERVED)
    assert shared is not None
    _wait_for_lines(log, COUNT - 5)  # busy until the child did all but the first five
    here, results = _run(shared, lambda i: (i, i * i))
    assert results == [(i, i * i) for i in range(COUNT)]
    done_apart = [int(line) for line in log.read_text().splitlines()]
    assert sorted(done_apart + here) == list(range(COUNT)), "each item done once"
    assert here == list(range(len(here))) and len(here) <= 5
    assert done_apart == sorted(done_apart, reverse=True), "the child works from the back"


def _held(log: Path, gate: int):  # type: ignore[no-untyped-def]
    """The child's work, held at its first item until a byte comes through ``gate``: the
    order of the two processes set by the test, not by the scheduler."""
    square, waiting = _square(log), [True]

    def work(item: int) -> tuple[int, int]:
        if waiting[0]:
            os.read(gate, 1)
            waiting[0] = False
        return square(item)  # type: ignore[no-any-return]
    return work


def _case_the_child_keeps_its_reserved_items_even_when_this_process_is_quick(
        tmp_path: Path) -> None:
    """This process gets through every item open to it before the child does any (the child
    is held until then): it still leaves the child the last ``RESERVED``. Left to the
    scheduler, a loaded machine may instead run the child first, which then does all 30,
    rightly, and the case asserted nothing."""
    log = tmp_path / "child"
    gate_read, gate_write = os.pipe()
    try:
        shared = fork_share(_held(log, gate_read), list(range(COUNT)), reserved=RESERVED)
        assert shared is not None

        def work(i: int) -> tuple[int, int]:
            if i == COUNT - RESERVED - 1:  # the last one open to it: let the child go on
                os.write(gate_write, b"\0")
            return i, i * i
        here, results = _run(shared, work)
    finally:
        os.close(gate_read)
        os.close(gate_write)
    assert results == [(i, i * i) for i in range(COUNT)]
    assert here == list(range(COUNT - RESERVED)), "all it could take, none of the reserved"
    done_apart = [int(line) for line in log.read_text().splitlines()]
    assert done_apart == list(range(COUNT - 1, COUNT - RESERVED - 1, -1)), "the reserved"


def _case_a_child_that_dies_costs_only_what_it_did_not_send(tmp_path: Path) -> None:
    log = tmp_path / "child"
    die_on = COUNT - 4
    shared = fork_share(_square(log, die_on), list(range(COUNT)), reserved=RESERVED)
    assert shared is not None
    here, results = _run(shared, lambda i: (i, i * i))
    assert results == [(i, i * i) for i in range(COUNT)]
    sent = [int(line) for line in log.read_text().splitlines()]
    assert sent == [COUNT - 1, COUNT - 2, COUNT - 3]
    assert here == list(range(COUNT - 3)), "everything else, the one it died on too, done here"


def test_a_busy_parent_leaves_the_child_all_but_the_front_it_has_not_reached(
        tmp_path: Path) -> None:
    _alone("_case_a_busy_parent_leaves_the_child_all_but_the_front_it_has_not_reached", tmp_path)


def test_the_child_keeps_its_reserved_items_even_when_this_process_is_quick(tmp_path: Path) -> None:
    _alone("_case_the_child_keeps_its_reserved_items_even_when_this_process_is_quick", tmp_path)


def test_a_child_that_dies_costs_only_what_it_did_not_send(tmp_path: Path) -> None:
    _alone("_case_a_child_that_dies_costs_only_what_it_did_not_send", tmp_path)


def _hang_on(log: Path, item_hung: int):  # type: ignore[no-untyped-def]
    def work(item: int) -> tuple[int, int]:
        if item == item_hung:
            with open(log, "a", encoding="utf-8") as out:
                out.write(f"hung {os.getpid()}\n")
            time.sleep(3600)  # a child stuck for good (a lock it inherited, a dead NFS)
        return item, item * item
    return work


def _case_a_child_that_hangs_is_given_up_on_and_its_items_are_done_here(
        tmp_path: Path) -> None:
    log = tmp_path / "child"
    hung = COUNT - 3
    shared = fork_share(_hang_on(log, hung), list(range(COUNT)), reserved=RESERVED,
                        patience=0.3)
    assert shared is not None
    began = time.monotonic()
    here, results = _run(shared, lambda i: (i, i * i))
    assert time.monotonic() - began < 5, "waited on the hung child"
    assert results == [(i, i * i) for i in range(COUNT)]
    assert hung in here and COUNT - 1 not in here  # what it sent is taken, the rest done here
    pid = int(log.read_text().split()[1])
    assert shared.abandoned == (f"the forked schedule reader (pid {pid}) sent nothing for "
                                f"0.3 s: stopped, and what it had taken was read in this "
                                f"process")
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        pass  # killed and reaped: no process left behind
    else:
        raise AssertionError(f"the hung child {pid} is still there")


def test_a_child_that_hangs_is_given_up_on_and_its_items_are_done_here(
        tmp_path: Path) -> None:
    _alone("_case_a_child_that_hangs_is_given_up_on_and_its_items_are_done_here", tmp_path)
