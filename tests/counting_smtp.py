"""A lean SMTP sink for many-message runs: counts each accepted message by its delivery key.

``tests/smtp_server.py`` parses every message fully (what the behaviour tests inspect); at
thousands of messages that parsing costs the 2-core machine as much CPU as a replica spends
sending. This sink reads only the ``X-Duebot-Key`` header and takes ``delay`` seconds per
message (aiosmtpd serves connections concurrently, as a real relay does).
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aiosmtpd.controller import Controller

from tests.smtp_server import free_port

_KEY = re.compile(rb"^X-Duebot-Key:[ \t]*(.*?)\r?$", re.MULTILINE | re.IGNORECASE)


class CountingSmtp:
    def __init__(self, *, delay: float = 0.0) -> None:
        self.host = "127.0.0.1"
        self.port = free_port()
        self.delay = delay
        self.keys: Counter[str] = Counter()
        self.accepted_at: list[float] = []
        """``time.perf_counter()`` of each 250, in order."""
        self._lock = threading.Lock()
        self._controller = Controller(self, hostname=self.host, port=self.port)

    @property
    def count(self) -> int:
        return len(self.accepted_at)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        found = _KEY.search(envelope.original_content or b"")
        key = found.group(1).decode("utf-8", "replace").strip() if found else ""
        with self._lock:
            self.keys[key] += 1
            self.accepted_at.append(time.perf_counter())
        return "250 2.0.0 Ok: queued"

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()


@contextmanager
def counting_smtp(delay: float = 0.0) -> Iterator[CountingSmtp]:
    server = CountingSmtp(delay=delay)
    server.start()
    try:
        yield server
    finally:
        server.stop()
