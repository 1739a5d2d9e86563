"""The one rule every HTTP channel maps its failures by (bot.adapters.http_failures), read
against real urllib failures on loopback: refused, unknown host, silent after the request."""

from __future__ import annotations

import socket
import ssl
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.adapters import http_failures
from bot.ports import Outcome

NOW = datetime(2030, 3, 19, 12, 0, tzinfo=UTC)


def failure(url: str, timeout: float = 0.5) -> BaseException:
    try:
        urllib.request.urlopen(urllib.request.Request(url, data=b"{}", method="POST"),
                               timeout=timeout)
    except (OSError, urllib.error.URLError) as exc:
        return exc
    raise AssertionError("it answered")


@pytest.fixture
def silent() -> Iterator[int]:
    """A server that reads the request and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    done = threading.Event()
    held: list[socket.socket] = []

    def accept() -> None:
        server.settimeout(0.1)
        while not done.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            held.append(conn)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield int(server.getsockname()[1])
    done.set()
    thread.join(timeout=5)
    for conn in held:
        conn.close()
    server.close()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_refused_and_unknown_host_are_outages_even_when_posting() -> None:
    refused = http_failures.unreachable(
        "Slack", failure(f"http://127.0.0.1:{closed_port()}/api"), posting=True)
    assert refused == Outcome.outage("cannot reach Slack: Connection refused")
    unknown = http_failures.unreachable("Discord", failure("http://no-such-host.invalid/"),
                                        posting=True)
    assert unknown.server_down and unknown.reason.startswith("cannot reach Discord: ")


def test_silence_after_the_request_counts_when_posting_and_not_otherwise(silent: int) -> None:
    exc = failure(f"http://127.0.0.1:{silent}/messages")
    posted = http_failures.unreachable("Discord", exc, posting=True)
    assert posted.kind == "retry" and not posted.uses_no_attempt
    assert posted.silent  # the others on the platform wait for the next try
    assert posted.reason == ("no answer from Discord after the request went (timed out): the "
                             "message may have been delivered")
    opening = http_failures.unreachable("Discord", exc, posting=False)
    assert opening == Outcome.outage("Discord did not answer: timed out")


@pytest.mark.parametrize(("status", "kind"), [(500, "counted"), (502, "outage"),
                                              (503, "outage"), (504, "counted"),
                                              (520, "counted"), (521, "outage"),
                                              (522, "outage"), (524, "counted"),
                                              (429, "rate limit"), (400, None), (404, None)])
def test_statuses(status: int, kind: str | None) -> None:
    outcome = http_failures.answered("Zulip", status, "busy")
    if kind is None:
        assert outcome is None  # the platform's own words decide: dead, stop ...
        return
    assert outcome is not None and outcome.kind == "retry"
    assert {"outage": outcome.server_down, "rate limit": outcome.rate_limited,
            "counted": not outcome.uses_no_attempt}[kind], outcome
    if kind == "counted":
        assert "may have been delivered" in outcome.reason
        # A gateway that timed out waiting: silence, the others held; a 500 is an answer.
        assert outcome.silent == (status in (504, 524)), outcome


def test_retry_after_in_seconds_or_as_a_date_is_waited_rounded_up() -> None:
    assert http_failures.retry_after("120") == 120.0
    assert http_failures.retry_after(["7.5"]) == 7.5
    assert http_failures.retry_after("Tue, 19 Mar 2030 12:05:00 GMT", now=NOW) == 300.0
    assert http_failures.retry_after("soon") is None and http_failures.retry_after(None) is None
    limited = http_failures.answered("Slack", 429, "ratelimited", 7.5)
    assert limited is not None and limited.retry_after == timedelta(seconds=8)
    outage = http_failures.answered("Slack", 503, "", 300.0)
    assert outage is not None and outage.retry_after == timedelta(seconds=300)
    assert outage.reason == "Slack: HTTP 503"
    unnamed = http_failures.answered("Slack", 429)
    assert unnamed is not None and unnamed.retry_after == timedelta(seconds=30)


def test_a_connect_timeout_is_an_outage() -> None:
    # what urllib raises when connect() times out (a firewall dropping SYNs): the request
    # never went, whatever call it was
    exc = urllib.error.URLError(TimeoutError("timed out"))
    assert http_failures.unreachable("Slack", exc, posting=True) == Outcome.outage(
        "cannot reach Slack: timed out")


def test_a_retry_after_that_is_no_finite_time_or_longer_than_a_day_is_bounded() -> None:
    # a bogus header must neither raise (timedelta overflows) nor silence the channel until
    # the process restarts: at most a day, and nan/inf are read as "not named"
    day = http_failures.LONGEST_WAIT
    assert http_failures.retry_after("1e20") == day
    assert http_failures.retry_after("100000000000000000000000") == day
    assert http_failures.retry_after("inf") is None and http_failures.retry_after("nan") is None
    assert http_failures.retry_after("-5") == 0.0
    assert http_failures.retry_after("Fri, 31 Dec 9999 23:59:59 GMT", now=NOW) == day
    limited = http_failures.answered("Discord", 429, "", 1e20)
    assert limited is not None and limited.retry_after == timedelta(days=1)
    assert http_failures.wait(float("1e300")) == timedelta(days=1)


def test_a_certificate_we_do_not_trust_stops_and_another_tls_failure_is_an_outage() -> None:
    # as SMTP (bot.adapters.smtp): not weather, an operator must act; a handshake cut off is
    untrusted = ssl.SSLCertVerificationError(1, "certificate verify failed")
    untrusted.verify_message = "certificate has expired"
    stop = http_failures.unreachable("Slack", urllib.error.URLError(untrusted), posting=False)
    assert stop.kind == "stop" and stop.reason.startswith(
        "TLS certificate of Slack not trusted: certificate has expired; "), stop
    cut = ssl.SSLError(1, "[SSL: UNEXPECTED_EOF_WHILE_READING] EOF in violation of protocol")
    away = http_failures.unreachable("Slack", urllib.error.URLError(cut), posting=True)
    assert away.server_down and away.reason.startswith("cannot reach Slack: "), away
