"""The console channel that ships in the product: what it prints and what it returns."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.adapters.console import RULE, ConsoleChannel
from bot.ports import Outgoing


def outgoing(**changes: str) -> Outgoing:
    fields: dict[str, Any] = {
        "key": "aisys-sosp17/deadline/-P7D/console:", "destination": "console:",
        "subject": "Paper deadline in 7 days",
              "text": "The paper deadline is Saturday 5 August, 23:59 AoE.\n"}
    fields.update(changes)
    return Outgoing(**fields, due=datetime(2017, 7, 29, 11, 59, tzinfo=UTC))


def test_console_prints_a_readable_block_and_reports_sent() -> None:
    stream = io.StringIO()
    outcome = ConsoleChannel(stream).send(outgoing())

    assert outcome.kind == "sent"
    lines = stream.getvalue().splitlines()
    assert lines[:4] == [RULE, "To: console", "Key: aisys-sosp17/deadline/-P7D/console:",
                         "Subject: Paper deadline in 7 days"]
    assert "Due: 2017-07-29T11:59:00+00:00" in lines
    assert "The paper deadline is Saturday 5 August, 23:59 AoE." in lines


def test_console_writes_to_stdout_as_it_is_at_send_time(
        capsys: pytest.CaptureFixture[str]) -> None:
    console = ConsoleChannel()
    console.send(outgoing(subject="first"))
    console.send(outgoing(subject="second"))
    console.close()

    printed = capsys.readouterr().out
    assert printed.count("To: console") == 2
    assert printed.index("Subject: first") < printed.index("Subject: second")


def test_console_closed_stream_is_retry_not_an_exception() -> None:
    stream = io.StringIO()
    stream.close()

    outcome = ConsoleChannel(stream).send(outgoing())

    assert outcome.kind == "retry"
    assert "console" in outcome.reason


def test_console_on_an_ascii_terminal_replaces_what_it_cannot_show() -> None:
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="ascii")

    outcome = ConsoleChannel(stream).send(outgoing(subject="Frist verlängert ☕"))

    assert outcome.kind == "sent"
    assert b"Subject: Frist verl?ngert ?" in raw.getvalue()
