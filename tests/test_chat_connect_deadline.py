"""A chat platform whose name never resolves, or whose address never answers a SYN: the send
(and a participant's answer) ends at ``[delivery] send_deadline`` with words that say what it
waited for, not "it answered slowly".

The real client libraries (slack_sdk, urllib for Discord) against
``tests/blackholes.py``: a resolver that answers the slow name only at the test's end, and
loopback listeners whose accept queue is full. The read timeout is far longer than the
deadline, so only the deadline can end them in time. Apprise too: it notifies in the
delivery's own thread, which the deadline bounds (a worker thread of Apprise's would be out of
its sight, and Apprise's own timeout there reads as "may have been delivered").
"""

from __future__ import annotations

import functools
import socket
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.adapters.apprise_channel import AppriseChannel
from bot.adapters.discord_channel import DiscordChannel
from bot.adapters.send_deadline import AnswerCut, AnswerDeadline
from bot.adapters.slack_channel import SlackChannel, slack_client
from bot.ports import Outcome, Outgoing
from tests.blackholes import SLOW, Resolver, blackholed_addresses, stand_in

READ = 5.0
DEADLINE = 0.6
DUE = datetime(2025, 3, 19, 12, 0, tzinfo=UTC)
USER = "80351110224678912"


@pytest.fixture
def blackholed() -> Iterator[list[tuple[str, int]]]:
    with blackholed_addresses(1) as addresses:
        yield addresses


@pytest.fixture
def resolver(monkeypatch: pytest.MonkeyPatch,
             blackholed: list[tuple[str, int]]) -> Iterator[Resolver]:
    resolver = stand_in(monkeypatch, blackholed)
    yield resolver
    resolver.answer.set()


def timed(call: Callable[[], Outcome]) -> tuple[Outcome, float]:
    """``call()`` in a thread, so a send that never ends fails the test instead of hanging."""
    found: list[Outcome] = []
    began = time.monotonic()
    worker = threading.Thread(target=lambda: found.append(call()), daemon=True)
    worker.start()
    worker.join(DEADLINE + 3.0)
    took = time.monotonic() - began
    assert found, f"the send still hangs after {took:.1f} s"
    return found[0], took


def message(destination: str) -> Outgoing:
    return Outgoing(key=f"demo/paper/1d|{destination}", destination=destination,
                    subject="Paper deadline in 1 day", text="The paper deadline is tomorrow.",
                    due=DUE, event_id="demo", date_id="paper", attempt=1)


LOOKUP = f"the name lookup of {SLOW} never ended, cut at the send's deadline"


def test_a_slack_post_whose_name_never_resolves_ends_at_the_deadline_unsent(
        resolver: Resolver) -> None:
    channel = SlackChannel(slack_client("xoxb-test", f"http://{SLOW}:9/api/",
                                        timeout=int(READ)),
                           deadline=DEADLINE, concurrency=1, sleep=lambda _: None)
    outcome, took = timed(lambda: channel.send(message("slack:#general")))
    assert resolver.asked == [SLOW]
    assert took < DEADLINE + 0.5, took
    assert outcome.kind == "retry" and outcome.server_down and not outcome.silent, outcome
    assert outcome.reason == (f"Slack did not answer within {DEADLINE:g} s: {LOOKUP} "
                              f"before the request went")


def test_a_discord_send_whose_syn_is_never_answered_ends_at_the_deadline_unsent(
        resolver: Resolver, blackholed: list[tuple[str, int]]) -> None:
    host, port = blackholed[0]
    channel = DiscordChannel("t", f"http://{host}:{port}/api/v10", timeout=READ,
                             deadline=DEADLINE)
    outcome, took = timed(lambda: channel.send(message(f"discord:{USER}")))
    assert took < DEADLINE + 0.5, took
    assert outcome.kind == "retry" and outcome.server_down, outcome
    assert outcome.reason == (f"Discord did not answer within {DEADLINE:g} s: no connection "
                              f"to {host}:{port}, cut at the send's deadline before the "
                              f"request went")


def _apprise(destination: str) -> AppriseChannel:
    channel = AppriseChannel({}, timeout=DEADLINE)
    assert channel.problem(destination) == ""  # Apprise imported: the time below is the
    return channel  # send's, not a first import's on a busy host


def test_an_apprise_send_whose_name_never_resolves_ends_at_the_deadline_unsent(
        resolver: Resolver) -> None:
    """No attempt used: the request never went, as for Slack and Discord."""
    destination = f"apprise:json://{SLOW}:9/h"
    channel = _apprise(destination)
    outcome, took = timed(lambda: channel.send(message(destination)))
    assert resolver.asked == [SLOW]
    assert took < DEADLINE + 0.5, took
    assert outcome.kind == "retry" and outcome.server_down and not outcome.silent, outcome
    assert outcome.reason == (f"Apprise {channel.shown(destination)} did not answer within "
                              f"{DEADLINE:g} s: {LOOKUP} before the request went")


def test_an_apprise_send_whose_syn_is_never_answered_ends_at_the_deadline_unsent(
        resolver: Resolver, blackholed: list[tuple[str, int]]) -> None:
    host, port = blackholed[0]
    destination = f"apprise:json://{host}:{port}/h"
    channel = _apprise(destination)
    outcome, took = timed(lambda: channel.send(message(destination)))
    assert took < DEADLINE + 0.5, took
    assert outcome.kind == "retry" and outcome.server_down and not outcome.silent, outcome
    assert outcome.reason == (f"Apprise {channel.shown(destination)} did not answer within "
                              f"{DEADLINE:g} s: no connection to {host}:{port}, cut at the "
                              f"send's deadline before the request went")


def test_an_answer_whose_name_never_resolves_is_cut_twice_as_unsent(
        resolver: Resolver) -> None:
    """Nothing went: tried once more, with a deadline of its own, then given up in words."""
    answers = AnswerDeadline(DEADLINE, platform="Slack", read_timeout=READ)
    began = time.monotonic()
    with pytest.raises(AnswerCut) as cut:
        answers.call("posting an answer", "channel C1", lambda: urllib.request.urlopen(
            f"http://{SLOW}:9/api/chat.postMessage", timeout=READ).read())
    assert time.monotonic() - began < 2 * DEADLINE + 0.5
    said = str(cut.value)
    assert said.startswith(f"Slack did not finish posting an answer (channel C1) within "
                           f"{DEADLINE:g} s: the name lookup of {SLOW} never ended: cut at "
                           f"the answer's deadline twice, each time before the request "
                           f"went: nothing was sent"), said
    assert "check Slack's status page and its name in DNS" in said, said


def test_a_name_that_resolves_in_time_is_the_real_answer(resolver: Resolver) -> None:
    """Unbounded threads, and bounded ones in time, get what the resolver says."""
    resolver.answer.set()
    assert socket.getaddrinfo(SLOW, 80)[0][4][0] == "127.0.0.1"
    answers = AnswerDeadline(DEADLINE, platform="Slack", read_timeout=READ)
    found = answers.call("looking", "here", lambda: socket.getaddrinfo(SLOW, 80))
    assert found[0][4][0] == "127.0.0.1"


def test_an_address_is_resolved_at_once_and_a_name_still_in_its_own_thread(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """An IP address asks no resolver (nothing can hang): no lookup thread for it on the way
    to each answer; a name still gets one, bounded by the deadline."""
    from bot.adapters import send_deadline
    looked_up: list[object] = []
    real_resolve = send_deadline._resolve

    def recorded(key: tuple[object, ...], into: Any) -> None:  # the lookup thread's work
        looked_up.append(key[0])
        real_resolve(key, into)

    monkeypatch.setattr(send_deadline, "_resolve", recorded)
    answers = AnswerDeadline(DEADLINE, platform="Slack", read_timeout=READ)
    for host in ("127.0.0.1", "::1", b"127.0.0.1", None):
        found = answers.call("looking", "here", functools.partial(
            socket.getaddrinfo, host, 80, type=socket.SOCK_STREAM))
        assert found == send_deadline._getaddrinfo(host, 80, type=socket.SOCK_STREAM)
    # SMTP's connect asks ``lookup`` itself
    assert send_deadline.lookup("127.0.0.1", 25, 0, socket.SOCK_STREAM, within=DEADLINE) \
        == send_deadline._getaddrinfo("127.0.0.1", 25, 0, socket.SOCK_STREAM)
    assert looked_up == []
    answers.call("looking", "here", lambda: socket.getaddrinfo("localhost", 80))
    assert looked_up == ["localhost"]
