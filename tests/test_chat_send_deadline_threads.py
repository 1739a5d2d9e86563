"""``SendDeadline``'s audit-hook cut with several threads: each bounded call cuts its own
sockets only (never one another thread made meanwhile), several cut at once each in time, and
a bounded call inside another leaves the outer one bounded. Real sockets on loopback, a
trickling HTTP stand-in (``tests.http_stub``), small deadlines."""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
import time
import urllib.request

import pytest

from bot.adapters.send_deadline import SendDeadline
from tests.http_stub import running_http

DEADLINE = 0.5
EVERY = 0.05
CUT = (OSError, http.client.HTTPException)
"""What a cut read ends in: the reset, or http.client reading a cut status line."""


def trickled_read(url: str) -> None:
    with urllib.request.urlopen(url, timeout=5) as response:
        response.read()


def test_a_bounded_call_inside_another_leaves_the_outer_one_bounded() -> None:
    """Before: the inner call's end unarmed the thread, and the outer read trickled on."""
    bound = SendDeadline(DEADLINE, platform="test", read_timeout=5)
    with running_http() as api:
        api.trickle = EVERY
        began = time.monotonic()
        with bound.bounded() as outer:
            with SendDeadline(30, platform="inner", read_timeout=5).bounded() as inner:
                pass  # e.g. a lookup that finished at once
            with pytest.raises(CUT):  # http.client's IncompleteRead or the reset
                trickled_read(f"http://{api.base}/slow")
        took = time.monotonic() - began
        assert outer.cut and not inner.cut
        assert took < DEADLINE + 2.0, took


def test_an_inner_bounded_call_keeps_the_outer_deadline_when_it_is_earlier() -> None:
    with running_http() as api:
        api.trickle = EVERY
        began = time.monotonic()
        with (SendDeadline(DEADLINE, platform="outer", read_timeout=5).bounded(),
              SendDeadline(30, platform="inner", read_timeout=5).bounded() as inner,
              pytest.raises(CUT)):
            trickled_read(f"http://{api.base}/slow")
        assert inner.cut and time.monotonic() - began < DEADLINE + 2.0


def test_several_threads_cut_at_once_each_within_its_deadline() -> None:
    """Guard: one watchdog cuts every overdue call in one pass."""
    took: dict[int, float] = {}
    cut: dict[int, bool] = {}
    with running_http() as api:
        api.trickle = EVERY

        def one(n: int) -> None:
            began = time.monotonic()
            with (SendDeadline(DEADLINE, platform="t", read_timeout=5).bounded() as send,
                  contextlib.suppress(*CUT)):
                trickled_read(f"http://{api.base}/slow/{n}")
            took[n], cut[n] = time.monotonic() - began, send.cut

        workers = [threading.Thread(target=one, args=(n,), daemon=True) for n in range(6)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(DEADLINE + 10)
    assert sorted(cut) == list(range(6)) and all(cut.values()), cut
    assert max(took.values()) < DEADLINE + 2.0, took


def test_a_socket_another_thread_makes_during_a_bounded_call_is_not_cut() -> None:
    """Guard: sockets are learnt in the thread that makes them (``socket.__new__``)."""
    made = threading.Event()
    finished = threading.Event()
    pair: list[socket.socket] = []

    def other() -> None:
        pair.extend(socket.socketpair())
        made.set()
        finished.wait(10)

    with SendDeadline(0.05, platform="t", read_timeout=5).bounded() as send:
        worker = threading.Thread(target=other, daemon=True)
        worker.start()
        assert made.wait(10)
        deadline = time.monotonic() + 5
        while not send.cut:  # the watchdog cut this call, with the other socket alive
            assert time.monotonic() < deadline
            time.sleep(0.01)
    try:
        pair[0].sendall(b"still here")
        assert pair[1].recv(16) == b"still here"
        # And the other thread may open new ones: only the cut call is refused.
        fresh = socket.socket()
        fresh.close()
    finally:
        finished.set()
        worker.join(5)
        for sock in pair:
            sock.close()


def test_a_short_deadline_is_cut_in_time_while_the_watchdog_waits_for_a_longer_one() -> None:
    """The watchdog is woken only for a deadline earlier than the one it sleeps until: one
    armed after a longer one (still running in another thread, or ended) must still wake it."""
    release = threading.Event()
    armed = threading.Event()

    def long_send() -> None:
        with SendDeadline(30, platform="long", read_timeout=5).bounded():
            armed.set()
            release.wait(10)

    with SendDeadline(30, platform="ended", read_timeout=5).bounded():
        pass  # the watchdog now sleeps until this one's deadline, 30 s away
    worker = threading.Thread(target=long_send, daemon=True)
    worker.start()
    try:
        assert armed.wait(10)
        with running_http() as api:
            api.trickle = EVERY
            began = time.monotonic()
            with (SendDeadline(DEADLINE, platform="short", read_timeout=5).bounded() as send,
                  pytest.raises(CUT)):
                trickled_read(f"http://{api.base}/slow")
            assert send.cut and time.monotonic() - began < DEADLINE + 2.0
    finally:
        release.set()
        worker.join(5)
