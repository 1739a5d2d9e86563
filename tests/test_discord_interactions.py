"""Discord interactions end to end beyond the quick answer: signed requests (PyNaCl) into the
real Starlette route served by uvicorn; a slow answer deferred (type 5) and then sent by
editing the original response on the Discord API stand-in; long answers within 2000
characters without a cut ``<t:...>`` token."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from bot.adapters.discord import CONTENT_LIMIT, DiscordInteractions, fit, routes_for
from bot.config import Config, DiscordConfig, ScheduleConfig, StorageConfig
from bot.core.model import Event
from bot.service import Service
from tests.conftest import SHIPPED
from tests.http_stub import HttpStub, running_http
from tests.slack_stub import serving
from tests.test_chat_platforms import NOW, PUBLIC_KEY, SIGNER, command

ORIGINAL = "/api/v10/webhooks/123456/interaction-token/messages/@original"


class SlowService(Service):
    """The real service, whose schedules can be made to take their time (a slow database)."""

    gate: threading.Event | None = None

    def events(self) -> dict[str, Event]:
        if self.gate is not None:
            assert self.gate.wait(30)
        return super().events()


@dataclass
class Rig:
    url: str
    http: httpx.Client
    service: SlowService
    api: HttpStub

    def post(self, payload: dict[str, Any]) -> httpx.Response:
        raw = json.dumps(payload).encode()
        stamp = str(int(NOW.timestamp()))
        return self.http.post(f"{self.url}/discord/interactions", content=raw, headers={
            "X-Signature-Ed25519": SIGNER.sign(stamp.encode() + raw).signature.hex(),
            "X-Signature-Timestamp": stamp, "Content-Type": "application/json"})


def rig_for(tmp: Path, schedule: Path, api: HttpStub, *, defer_after: float = 10.0
            ) -> Iterator[Rig]:
    """``defer_after``: long, unless a test defers on purpose (a loaded machine must not)."""
    config = Config(
        source="test.toml",
        storage=StorageConfig(database_url=f"sqlite:///{tmp / 'ledger.db'}"),
        schedules=(ScheduleConfig(path=schedule),),
        discord=DiscordConfig(public_key=PUBLIC_KEY, application_id="123456",
                              api_base_url=f"http://{api.base}/api/v10"))
    service = SlowService(config, clock=lambda: NOW)
    bot = DiscordInteractions(service, config.discord, defer_after=defer_after)
    with serving(Starlette(routes=routes_for(bot))) as url, httpx.Client(timeout=10) as client:
        yield Rig(url, client, service, api)
    service.ledger.close()


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    with running_http() as api:
        yield from rig_for(tmp_path, SHIPPED, api)


@pytest.fixture
def deferring(tmp_path: Path) -> Iterator[Rig]:
    with running_http() as api:
        yield from rig_for(tmp_path, SHIPPED, api, defer_after=0.2)


def wait_for_edit(api: HttpStub) -> dict[str, Any]:
    deadline = time.monotonic() + 10
    while not api.to(ORIGINAL):
        assert time.monotonic() < deadline, "the deferred answer never came"
        time.sleep(0.01)
    (seen,) = api.to(ORIGINAL)
    assert seen.method == "PATCH"
    body: dict[str, Any] = seen.json()
    return body


def test_a_slow_answer_is_deferred_then_sent_by_editing_the_response(deferring: Rig) -> None:
    rig = deferring
    rig.service.gate = threading.Event()
    try:
        response = rig.post(command("@everyone when is the abstract deadline?"))
        assert response.status_code == 200
        assert response.json() == {"type": 5, "data": {"flags": 64}}  # "thinking...", private
        assert rig.api.seen == []
    finally:
        rig.service.gate.set()
    edit = wait_for_edit(rig.api)
    assert "23:59 PDT" in edit["content"] and "<t:" in edit["content"]
    assert edit["allowed_mentions"] == {"parse": []}  # @everyone pings nobody


def test_a_quick_answer_is_not_deferred(rig: Rig) -> None:
    reply = rig.post(command("摘要截止日期是什么时候？")).json()
    assert reply["type"] == 4
    assert "你的时间" in reply["data"]["content"]
    assert rig.api.seen == []


def many_dates(tmp: Path, count: int) -> Path:
    text = SHIPPED.read_text(encoding="utf-8")
    extra = "".join(
        f'\n[[dates]]\nid = "session-{n:02d}"\ntitle = "Poster session {n:02d} in hall B '
        f'(bring your poster)"\nkind = "event"\nat = "2017-10-28 {8 + n // 6:02d}:{n % 6 * 10:02d}"'
        f'\nzone = "Asia/Shanghai"\n' for n in range(count))
    marker = "\n# Organizers' answers"
    path = tmp / "many.toml"
    path.write_text(text.replace(marker, extra + marker, 1), encoding="utf-8")
    return path


def test_a_long_answer_keeps_whole_date_lines_and_says_how_many_did_not_fit(
        tmp_path: Path) -> None:
    with running_http() as api:
        for rig in rig_for(tmp_path, many_dates(tmp_path, 60), api):
            content = rig.post(command("what are the important dates?")).json()["data"][
                "content"]
    assert len(content) <= CONTENT_LIMIT
    assert content.count("<t:") == len(re.findall(r"<t:\d+:[FR]>", content))  # none cut
    assert content.endswith("did not fit in one message: ask about one date at a time.)")
    assert int(re.findall(r"\((\d+) more lines? did not fit", content)[-1]) > 0


def test_fit_keeps_text_and_lines_whole() -> None:
    lines = [f"- **D{n}**: <t:{1500000000 + n}:F> your time, <t:{1500000000 + n}:R>"
             for n in range(100)]
    out = fit("The dates:", lines)
    assert len(out) <= CONTENT_LIMIT and out.startswith("The dates:\n- **D0**")
    shown = out.count("\n- **D")
    assert out.endswith(f"\n({100 - shown} more lines did not fit in one message: ask about "
                        f"one date at a time.)")
    assert fit("short", lines[:2]) == "\n".join(["short", *lines[:2]])
    long = fit("word " * 600, lines[:3])
    assert len(long) <= CONTENT_LIMIT
    assert long.endswith("word…\n(3 more lines did not fit in one message: ask about one date "
                         "at a time.)")
    zh = fit("日期：", lines, zh=True)
    assert len(zh) <= CONTENT_LIMIT and zh.endswith("行未能显示：请一次问一个日期。）")
