"""A deferred Discord answer (the edit of the interaction's response) within the send deadline:
a webhook that trickles its answer, one byte inside every read timeout, is cut instead of
holding one of the four answering threads for ever. urllib talks to HTTP stand-ins on
loopback (``tests.http_stub``'s ``trickle``; a TLS port that never answers its handshake)."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from bot.adapters.discord import DiscordInteractions, routes_for
from bot.adapters.http import delivery_state, health_report
from bot.config import Config, DiscordConfig, ScheduleConfig, StorageConfig
from tests.conftest import SHIPPED
from tests.http_stub import running_http
from tests.slack_stub import serving
from tests.test_chat_platforms import NOW, PUBLIC_KEY, SIGNER, command
from tests.test_discord_interactions import ORIGINAL, SlowService

DEADLINE = 0.6
EVERY = 0.05


@contextmanager
def deferring(tmp: Path, api_base: str) -> Iterator[tuple[SlowService, httpx.Client, str]]:
    config = Config(
        source="test.toml",
        storage=StorageConfig(database_url=f"sqlite:///{tmp / 'ledger.db'}"),
        schedules=(ScheduleConfig(path=SHIPPED),),
        discord=DiscordConfig(public_key=PUBLIC_KEY, application_id="123456",
                              api_base_url=api_base))
    service = SlowService(config, clock=lambda: NOW)
    bot = DiscordInteractions(service, config.discord, defer_after=0.05, deadline=DEADLINE)
    with serving(Starlette(routes=routes_for(bot))) as url, httpx.Client(timeout=10) as client:
        yield service, client, url
    service.ledger.close()


def ask_deferred(service: SlowService, client: httpx.Client, url: str, question: str) -> None:
    """Post the command while the answer is held, so it is deferred (type 5), then let it go."""
    service.gate = threading.Event()
    raw = json.dumps(command(question)).encode()
    stamp = str(int(NOW.timestamp()))
    try:
        reply = client.post(f"{url}/discord/interactions", content=raw, headers={
            "X-Signature-Ed25519": SIGNER.sign(stamp.encode() + raw).signature.hex(),
            "X-Signature-Timestamp": stamp, "Content-Type": "application/json"})
        assert reply.json()["type"] == 5
    finally:
        service.gate.set()


def wait_until(test: object, within: float = 10.0) -> float:
    began = time.monotonic()
    while not test():  # type: ignore[operator]
        assert time.monotonic() - began < within, "never happened"
        time.sleep(0.01)
    return time.monotonic() - began


def test_a_deferred_answer_whose_edit_trickles_is_cut_once_and_not_sent_twice(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with running_http() as api, deferring(tmp_path, f"http://{api.base}/api/v10") as (
            service, client, url):
        api.trickle = EVERY
        caplog.set_level(logging.INFO, logger="duebot.discord")
        ask_deferred(service, client, url, "when is the abstract deadline?")
        took = wait_until(lambda: any("deferred Discord answer" in r.getMessage()
                                      and r.levelno == logging.WARNING
                                      for r in caplog.records))
        assert took < DEADLINE + 5, took
        assert len(api.to(ORIGINAL)) == 1  # the edit went: not sent again
        (said,) = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
        assert (f"Discord did not finish editing a deferred answer (the interaction's "
                f"response at {api.base}) within {DEADLINE:g} s") in said
        assert "not sent again (it may have been posted)" in said
        assert "check Discord's status page" in said
        assert "interaction-token" not in said  # the token is a credential
        # Once is news, not yet a pattern: /healthz says nothing of it.
        assert "discord" not in delivery_state(service)["unavailable"]

        # The answering thread is free again: the next trickling edit is cut too, and now
        # it is a pattern, on /healthz.
        ask_deferred(service, client, url, "when is the camera-ready deadline?")
        wait_until(lambda: len([r for r in caplog.records
                                if r.levelno >= logging.WARNING]) == 2)
        deliveries = delivery_state(service)
        assert deliveries["unavailable"]["discord"].startswith(
            "answering participants: 2 answers in a row cut at their deadline; the last: "
            "Discord did not finish editing a deferred answer"), deliveries
        report = health_report(service, "ok", deliveries)
        assert report["status"] == "degraded"
        assert any(line.startswith("discord: answers to participants are being cut") for line in
                   report["summary"]), report["summary"]
        assert len(api.to(ORIGINAL)) == 2

        api.trickle = 0.0
        ask_deferred(service, client, url, "when is the workshop?")
        wait_until(lambda: len(api.to(ORIGINAL)) == 3)


@contextmanager
def silent_tls() -> Iterator[tuple[str, list[socket.socket]]]:
    """A port that takes connections and never answers the TLS handshake."""
    server = socket.create_server(("127.0.0.1", 0))
    taken: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                taken.append(server.accept()[0])
            except TimeoutError:
                continue

    worker = threading.Thread(target=accept, daemon=True)
    worker.start()
    try:
        yield f"127.0.0.1:{server.getsockname()[1]}", taken
    finally:
        stop.set()
        worker.join(5)
        for sock in taken:
            sock.close()
        server.close()


def test_a_deferred_answer_cut_before_its_request_went_is_tried_once_more(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with silent_tls() as (where, taken), deferring(tmp_path, f"https://{where}/api/v10") as (
            service, client, url):
        caplog.set_level(logging.INFO, logger="duebot.discord")
        ask_deferred(service, client, url, "when is the abstract deadline?")
        took = wait_until(lambda: any(r.levelno >= logging.WARNING for r in caplog.records))
        assert 2 * DEADLINE <= took < 2 * DEADLINE + 5, took
        assert len(taken) == 2  # once more, not more
        (said,) = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
        assert "twice, each time before the request went: nothing was sent" in said, said
