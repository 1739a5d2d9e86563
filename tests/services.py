"""What many tests and benchmarks set up alike: a schedule with one paper deadline, and a Service
over a real SQLite (or PostgreSQL) ledger with the console and, given a test SMTP server, mail.

Each test file keeps its own ``make_service`` signature (its tests call it); its body comes here,
so that a change to how a Service is assembled is made once.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported when used: benchmarks take deadline_schedule without the service
    from bot.adapters.smtp import SmtpChannel
    from bot.config import DeliveryConfig
    from bot.ports import Channel
    from bot.service import Service
    from tests.smtp_server import SmtpTestServer

SENDER = "Demo <noreply@example.org>"


def deadline_schedule(at: str | datetime, *, event_id: str = "demo",
                      name: str = "Demo Workshop", zone: str = "UTC", leads: str = '["1d"]',
                      extra: str = "") -> str:
    """An event with one date, ``paper`` (a deadline at ``at`` in ``zone``), and reminders
    ``leads`` before it; ``extra`` is TOML put between [event] and [reminders]."""
    when = at if isinstance(at, str) else f"{at:%Y-%m-%d %H:%M}"
    return f"""
[event]
id = "{event_id}"
name = "{name}"
zone = "{zone}"
{extra}
[reminders]
deadline = {leads}

[[dates]]
id = "paper"
title = "Paper deadline"
kind = "deadline"
at = "{when}"
"""


def mail_channel(smtp: SmtpTestServer, clock: Callable[[], datetime], *, timeout: float = 5,
                 connections: int | None = None, sender: str = SENDER) -> SmtpChannel:
    """The real ``mailto:`` channel, talking to the test server on loopback."""
    from bot.adapters.smtp import SmtpChannel, SmtpSettings

    settings = SmtpSettings(host=smtp.host, port=smtp.port, sender=sender, timeout=timeout)
    if connections is not None:
        settings = replace(settings, connections=connections)
    return SmtpChannel(settings, clock=clock)


def make_service(tmp_path: Path, schedule: str, destinations: Sequence[str],
                 clock: Callable[[], datetime], *, smtp: SmtpTestServer | None = None,
                 smtp_timeout: float = 5, connections: int | None = None,
                 sender: str = SENDER, delivery: DeliveryConfig | None = None,
                 approve: bool = False, console: io.StringIO | None = None,
                 database_url: str | None = None, owner: str = "test-replica",
                 channels: Mapping[str, Channel] | None = None) -> Service:
    """A Service over ``schedule`` in ``tmp_path/demo.toml`` (kept when a test already wrote or
    edited it), its ledger ``tmp_path/ledger.db`` unless ``database_url`` names another;
    ``channels``: more channels (a chat platform's, talking to its stand-in) by scheme."""
    from bot.adapters.console import ConsoleChannel
    from bot.config import Config, DeliveryConfig, ScheduleConfig, StorageConfig
    from bot.service import Service

    path = tmp_path / "demo.toml"
    if not path.exists():
        path.write_text(schedule, encoding="utf-8")
    config = Config(
        storage=StorageConfig(database_url=database_url
                              or f"sqlite:///{tmp_path / 'ledger.db'}"),
        delivery=delivery or DeliveryConfig(),
        schedules=(ScheduleConfig(path=path, reminders_to=tuple(destinations),
                                  approve=approve),),
    )
    every: dict[str, Channel] = {"console": ConsoleChannel(console or io.StringIO())}
    if smtp is not None:
        every["mailto"] = mail_channel(smtp, clock, timeout=smtp_timeout,
                                       connections=connections, sender=sender)
    every.update(channels or {})
    return Service(config, clock=clock, channels=every, owner=owner)
