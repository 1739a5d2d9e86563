"""Where a connection waits for ever, on loopback: a name whose lookup never ends, and
addresses whose SYNs are never answered.

``Resolver`` stands in for ``socket.getaddrinfo`` for a few test names only (every other name
as the machine has it): ``SLOW`` is answered (as 127.0.0.1) only once ``answer`` is set, at
the test's end; ``BLACKHOLED`` gives ``blackholed_addresses``. Those are real loopback
listeners (127.0.0.2 ...) that never accept and whose accept queue is full, so the kernel
drops every SYN to them: a connect waits, as for an address that drops packets.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

SLOW = "slow-dns.relay.test"
BLACKHOLED = "blackholed.relay.test"


class Resolver:
    def __init__(self, real: Any, blackholed: list[tuple[str, int]]) -> None:
        self.real = real
        self.blackholed = blackholed
        self.answer = threading.Event()
        self.asked: list[str] = []

    def __call__(self, host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == SLOW:
            self.asked.append(host)
            self.answer.wait(30)
            return self.real("127.0.0.1", port, *args, **kwargs)
        if host == BLACKHOLED:
            return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", address)
                    for address in self.blackholed]
        return self.real(host, port, *args, **kwargs)


@contextmanager
def blackholed_addresses(count: int = 8) -> Iterator[list[tuple[str, int]]]:
    """``count`` loopback addresses whose listener never accepts, its queue full."""
    listeners: list[socket.socket] = []
    fillers: list[socket.socket] = []
    addresses: list[tuple[str, int]] = []
    try:
        for n in range(2, 2 + count):
            listener = socket.socket()
            listener.bind((f"127.0.0.{n}", 0))
            listener.listen(0)
            listeners.append(listener)
            address = listener.getsockname()
            while True:  # fill its accept queue: the next SYN is dropped
                filler = socket.socket()
                filler.settimeout(0.05)
                try:
                    filler.connect(address)
                except TimeoutError:
                    filler.close()
                    break
                fillers.append(filler)
            addresses.append(address)
        yield addresses
    finally:
        for sock in fillers + listeners:
            sock.close()


def stand_in(monkeypatch: Any, blackholed: list[tuple[str, int]]) -> Resolver:
    """A ``Resolver`` in ``socket.getaddrinfo``'s place for the test, over the real lookup
    (``bot.adapters.send_deadline`` bounds it where a send is bounded: it calls the resolver
    it found there, so that one is the stand-in too)."""
    from bot.adapters import send_deadline

    current = socket.getaddrinfo
    real = send_deadline._getaddrinfo if getattr(current, "duebot", False) else current
    resolver = Resolver(real, blackholed)
    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    monkeypatch.setattr(send_deadline, "_getaddrinfo", resolver, raising=False)
    return resolver
