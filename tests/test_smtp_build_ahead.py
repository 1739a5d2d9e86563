"""The next e-mail is composed while the server reads this one's final dot (``following``).

``send_overlapped`` asks for the next message once this one's dot and the next envelope are
written, before this message's verdict is read; the next send of that very message takes it
as composed. It writes nothing, so the record still waits for the verdict, and anything wrong
with the next message is said by its own send, as before. A real server (aiosmtpd on
loopback, PIPELINING offered) that holds the first dot's answer until the test lets it go.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.smtp import SmtpChannel, SmtpSettings
from bot.app.delivery import Engine
from bot.ports import Outgoing, Row
from tests import services
from tests.services import deadline_schedule
from tests.smtp_server import running_smtp
from tests.test_smtp_next_envelope import outgoing, scripted

NOW = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)
SCHEDULE = deadline_schedule("2030-03-20 12:00", event_id="ahead", name="Ahead Workshop")
DUE = datetime(2030, 3, 19, 12, 0, tzinfo=UTC)


def fixed_channel(host: str, port: int) -> SmtpChannel:
    return SmtpChannel(SmtpSettings(host=host, port=port, sender="noreply@example.org",
                                    timeout=5.0), clock=lambda: NOW)


def test_the_next_message_is_composed_before_this_ones_verdict_and_sent_as_composed() -> None:
    with scripted({("DOT", 1): "hang"}) as (server, _handler):
        mail = fixed_channel(server.host, server.port)
        first, second = outgoing("k1"), outgoing("k2", "b@example.org")
        seen: list[tuple[str, int]] = []

        def following() -> Outgoing:
            # The server holds the first dot's answer: composing here is before the verdict.
            limit = time.monotonic() + 5
            while server.hung == 0 and time.monotonic() < limit:
                time.sleep(0.005)
            seen.append((threading.current_thread().name, server.hung))
            server.release()
            return second

        sent = mail.send_overlapped(first, lambda: None, upcoming=second.destination,
                                    following=following)
        composed = mail._ready.get(threading.get_ident())
        after = mail.send_overlapped(second, lambda: None)
        mail.close()

    assert (sent.kind, after.kind) == ("sent", "sent")
    assert seen == [(threading.current_thread().name, 1)]
    assert composed is not None and composed[0] is second
    assert [m.raw for m in server.messages] == [mail.wire_bytes(first), mail.wire_bytes(second)]


def test_trouble_with_the_next_message_is_said_by_its_own_send() -> None:
    with scripted() as (server, _handler):
        mail = fixed_channel(server.host, server.port)
        nobody = Outgoing(key="k2", destination="mailto:nobody", subject="Reminder", text=".\n")

        def broken() -> Outgoing:
            raise RuntimeError("a template changed")

        sent = mail.send_overlapped(outgoing("k1"), lambda: None,
                                    upcoming="mailto:b@example.org", following=broken)
        again = mail.send_overlapped(outgoing("k3", "b@example.org"), lambda: None,
                                     upcoming=nobody.destination, following=lambda: nobody)
        bad = mail.send_overlapped(nobody, lambda: None)
        plain = fixed_channel(server.host, server.port).send(nobody)
        mail.close()

    assert (sent.kind, again.kind) == ("sent", "sent")
    assert bad.kind == "dead" and bad.reason == plain.reason
    assert "nobody" in bad.reason
    assert [m.rcpt_tos for m in server.messages] == [("a@example.org",), ("b@example.org",)]


def test_the_engine_builds_each_message_once_and_sends_it_as_built(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The engine's next job is built by ``following`` and its send uses that build: one
    rendering per message, on one inline session and on a pool of three."""
    built: list[str] = []
    render = Engine.render

    def counting(self: Engine, row: Row, *args: Any, **kwargs: Any) -> Outgoing:
        built.append(row.key)
        return render(self, row, *args, **kwargs)

    monkeypatch.setattr(Engine, "render", counting)
    for connections in (1, 3):
        built.clear()
        (tmp_path / str(connections)).mkdir()
        with running_smtp(pipelining=True) as server:
            service = services.make_service(
                tmp_path / str(connections), SCHEDULE,
                [f"mailto:p{i}@example.org" for i in range(40)], lambda: DUE,
                smtp=server, connections=connections)
            del service.engine.channels["console"]
            service.reconcile(DUE - timedelta(hours=1))
            report = service.deliver_once(DUE)
            service.ledger.close()
        assert report.sent == 40
        assert sorted(built) == sorted(set(built)) and len(built) == 40
        assert sorted(str(m.message["X-Duebot-Key"]) for m in server.messages) == sorted(built)
