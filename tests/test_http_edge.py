"""The HTTP edge as ``duebot run`` builds it (duebot's routes, Slack's and the mail links in one
app, served by uvicorn on loopback): body limits before reading, bounded metrics labels,
refused forged hosts and Slack requests whose timestamp cannot be one."""

from __future__ import annotations

import random
import socket
import string
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from bot import runner
from bot.adapters.http import BODY_LIMIT, body_limit, build_app
from bot.config import Config, HttpConfig, ScheduleConfig, SlackConfig, StorageConfig
from bot.service import Service
from tests.conftest import SHIPPED
from tests.slack_stub import running_slack, serving, sign

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


@dataclass
class Edge:
    url: str
    service: Service

    @property
    def address(self) -> tuple[str, int]:
        parts = urlsplit(self.url)
        assert parts.hostname is not None and parts.port is not None
        return parts.hostname, parts.port


def _service(tmp: Path, api_url: str, *, base_url: str = "") -> Service:
    config = Config(
        source="test.toml",
        storage=StorageConfig(database_url=f"sqlite:///{tmp / 'ledger.db'}"),
        schedules=(ScheduleConfig(path=SHIPPED, reminders_to=("console:",)),),
        http=HttpConfig(base_url=base_url),
        slack=SlackConfig(api_base_url=api_url, bot_token="xoxb-test", signing_secret=SECRET))
    return Service(config)


@pytest.fixture
def edge(tmp_path: Path) -> Iterator[Edge]:
    with running_slack() as slack:
        service = _service(tmp_path, slack.api_url)
        app = build_app(service, extra_routes=runner.http_routes(service))
        with serving(app) as url:
            yield Edge(url=url, service=service)
        service.ledger.close()


def raw_request(edge: Edge, head: str, body: bytes = b"", *, timeout: float = 5.0) -> str:
    """Send bytes as they are (no client library smoothing them) and read the answer."""
    with socket.create_connection(edge.address, timeout=timeout) as sock:
        sock.sendall(head.replace("\n", "\r\n").encode() + b"\r\n" + body)
        chunks = b""
        while b"\r\n\r\n" not in chunks:
            data = sock.recv(65536)
            if not data:
                break
            chunks += data
    return chunks.decode("latin-1")


def status_of(answer: str) -> int:
    return int(answer.split(" ", 2)[1])


# -- item 5: bodies limited before they are read ------------------------------------------------


@pytest.mark.parametrize("path", ["/slack/events", "/unsubscribe/some-token", "/calendar.ics"])
def test_a_huge_declared_body_is_refused_before_any_of_it_is_sent(edge: Edge, path: str
                                                                  ) -> None:
    # 300 MB announced, nothing sent: the answer must come without waiting for the body
    # (it used to read it all, then say 401).
    head = (f"POST {path} HTTP/1.1\nHost: 127.0.0.1\nContent-Type: application/json\n"
            f"Content-Length: 300000000\n")
    answer = raw_request(edge, head)
    assert status_of(answer) == 413, answer


def test_a_chunked_body_is_cut_off_at_the_limit(edge: Edge) -> None:
    limit = body_limit("/slack/events")
    sent = 0

    def chunks() -> Iterator[bytes]:
        nonlocal sent
        piece = b"x" * 65536
        for _ in range(64):  # 4 MB, far over the limit
            sent += len(piece)
            yield piece

    with httpx.Client(timeout=10) as client:
        try:
            response = client.post(f"{edge.url}/slack/events", content=chunks(),
                                   headers=sign(SECRET, b""))
        except httpx.HTTPError:  # the server may close before the client has sent it all
            pytest.fail("the 413 should arrive as an answer, not a dropped connection")
    assert response.status_code == 413
    assert str(limit) in response.text


def test_bodies_within_the_limits_still_reach_their_routes(edge: Edge) -> None:
    with httpx.Client(timeout=10) as client:
        unsigned = client.post(f"{edge.url}/slack/events", content=b"{}",
                               headers={"X-Slack-Request-Timestamp": "1",
                                        "X-Slack-Signature": "v0=00"})
        assert unsigned.status_code == 401  # read, and refused by Bolt's signature check
        one_click = client.post(f"{edge.url}/unsubscribe/unknown-token",
                                content=b"List-Unsubscribe=One-Click",
                                headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert one_click.status_code == 200
        too_big = client.post(f"{edge.url}/unsubscribe/unknown-token",
                              content=b"x" * (BODY_LIMIT + 1))
        assert too_big.status_code == 413


# -- item 6: /metrics stays small whatever methods clients invent ----------------------------


def test_metrics_labels_stay_bounded_under_invented_methods(edge: Edge) -> None:
    rng = random.Random(6)
    invented = {"".join(rng.choices(string.ascii_uppercase, k=12)) for _ in range(300)}
    refused_by_parser = 0
    for method in invented:
        answer = raw_request(edge, f"{method} /healthz HTTP/1.1\nHost: 127.0.0.1\n"
                                   f"Connection: close\n")
        assert answer.startswith("HTTP/1.1 ")
        # httptools (uvicorn[standard]) refuses unknown methods before the app sees them.
        refused_by_parser += "Invalid HTTP request" in answer
    with httpx.Client(timeout=10) as client:
        metrics = client.get(f"{edge.url}/metrics").text
    assert not any(method in metrics for method in invented)
    if refused_by_parser < len(invented):
        assert 'method="other"' in metrics
    lines = [line for line in metrics.splitlines() if line.startswith("duebot_http_requests")]
    assert len(lines) < 20, lines  # it was one series per invented method


# -- item 9: a Slack request whose timestamp is not a number ---------------------------------


@pytest.mark.parametrize("stamp", ["soon", "", "1e9", "²", "12.5", "9" * 40])
def test_a_slack_request_with_an_unreadable_timestamp_is_401_not_500(edge: Edge, stamp: str
                                                                    ) -> None:
    with httpx.Client(timeout=10) as client:
        response = client.post(f"{edge.url}/slack/events", content=b'{"type":"event_callback"}',
                               headers={"X-Slack-Request-Timestamp": stamp.encode("utf-8"),
                                        "X-Slack-Signature": "v0=abc",
                                        "Content-Type": "application/json"})
    assert response.status_code == 401


# -- item 10: a forged Host never reaches the page's links -----------------------------------


def test_with_no_base_url_a_forged_host_is_refused(edge: Edge) -> None:
    with httpx.Client(timeout=10) as client:
        forged = client.get(f"{edge.url}/", headers={"Host": "evil.example"})
        assert forged.status_code == 400
        assert "base_url" in forged.text and "evil.example" not in forged.text.split("'")[2]
        # Every route whose answer carries links: the open-data JSON too.
        assert client.get(f"{edge.url}/e/aisys-sosp17.json",
                          headers={"Host": "evil.example"}).status_code == 400
        own = client.get(f"{edge.url}/e/aisys-sosp17")
        assert own.status_code == 200
        assert f'href="{edge.url}/e/aisys-sosp17.ics"' in own.text
        local = client.get(f"{edge.url}/", headers={"Host": f"localhost:{edge.address[1]}"})
        assert local.status_code == 200 and "evil.example" not in local.text


def test_with_a_base_url_links_use_it_whatever_the_host(tmp_path: Path) -> None:
    with running_slack() as slack:
        service = _service(tmp_path, slack.api_url, base_url="https://dates.example.org")
        with serving(build_app(service)) as url, httpx.Client(timeout=10) as client:
            page = client.get(f"{url}/", headers={"Host": "evil.example"})
        service.ledger.close()
    assert page.status_code == 200
    assert "evil.example" not in page.text
    assert 'href="https://dates.example.org/e/aisys-sosp17.ics"' in page.text


def test_chat_webhooks_take_their_longest_message() -> None:
    # Zulip: 10,000 characters, Mattermost: 16,383, each up to 6 bytes once JSON-escaped.
    for path in ("/zulip/webhook", "/mattermost", "/discord/interactions"):
        assert body_limit(path) >= 6 * 16_383 + 4096, path
    assert body_limit("/me/some-token") == BODY_LIMIT
