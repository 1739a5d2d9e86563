"""Slack answer latency: duebot's Bolt app vs a bare Bolt app that answers a fixed string.

    .venv/bin/python bench/slack.py [--n 1000] [--profile FILE] [--quick]

Each request is a signed ``app_mention`` ("when is the deadline?") POSTed to ``/slack/events``
of an app served by uvicorn on loopback; the latency is from just before the POST until the
Web API stand-in (tests/slack_stub.py, the real slack_sdk client talking to it over HTTP)
records the answer's ``chat.postMessage``. One request at a time.

* duebot: the whole path: signature check, the retry dedupe (one insert into the SQLite
  ledger), the asker's zone (``users.info``, cached per user after the first question), the
  answer engine, Block Kit with ``<!date>`` tokens, ``chat.postMessage``. The thread's reading
  is kept after the post (one upsert): outside the latency, but its work runs beside the next
  request's in this process.
* bare: ``App`` with one ``app_mention`` listener that says a fixed string, served the same way
  (same uvicorn, same dispatch in a worker thread): the floor for Bolt on this machine.

The two run in alternating blocks of 100 requests so that drift affects both alike. The
stand-in runs in this process (its HTTP server in a thread), for both sides.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from slack_bolt import App, Say  # noqa: E402
from starlette.applications import Starlette  # noqa: E402

from bot.adapters.slack_app import http_routes  # noqa: E402
from bot.adapters.slack_channel import slack_client  # noqa: E402
from bot.config import Config, ScheduleConfig, SlackConfig, StorageConfig  # noqa: E402
from bot.service import Service  # noqa: E402
from tests.slack_stub import BOT_USER, SlackStub, event_body, running_slack, serving, sign  # noqa: E402

SECRET = "bench-signing-secret"
SHIPPED = ROOT / "schedules" / "aisys-sosp17.toml"
USER = "U0ASKER"


def duebot_app(slack: SlackStub, folder: Path) -> tuple[Starlette, Service]:
    config = Config(
        source="bench",
        storage=StorageConfig(database_url=f"sqlite:///{folder / 'ledger.db'}"),
        schedules=(ScheduleConfig(path=SHIPPED, reminders_to=("console:",)),),
        slack=SlackConfig(api_base_url=slack.api_url, bot_token="xoxb-bench",
                          signing_secret=SECRET))
    now = datetime(2017, 9, 1, 12, 0, tzinfo=UTC)
    service = Service(config, clock=lambda: now)
    return Starlette(routes=http_routes(service)), service


def bare_app(slack: SlackStub) -> Starlette:
    from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    app = App(client=slack_client("xoxb-bench", slack.api_url), signing_secret=SECRET,
              token_verification_enabled=False)

    @app.event("app_mention")
    def answer(say: Say) -> None:
        say(text="The deadline is Sunday 10 September 2017, 23:59 PDT.")

    async def endpoint(request: Request) -> Response:
        body = await request.body()
        response = await run_in_threadpool(app.dispatch, to_bolt_request(request, body))
        return to_starlette_response(response)

    return Starlette(routes=[Route("/slack/events", endpoint, methods=["POST"])])


class Runner:
    def __init__(self, name: str, url: str, slack: SlackStub, client: httpx.Client) -> None:
        self.name, self.url, self.slack, self.client = name, url, slack, client
        self.samples: list[float] = []
        self.sent = 0

    def one(self, record: bool = True) -> None:
        self.sent += 1
        event_id = f"Ev{self.name}{self.sent:06d}"
        body = event_body({"type": "app_mention", "user": USER, "channel": "C0GENERAL",
                           "ts": f"1504267200.{self.sent:06d}",
                           "text": f"<@{BOT_USER}> when is the deadline?"}, event_id)
        before = len(self.slack.calls_to("chat.postMessage"))
        start = time.monotonic()
        response = self.client.post(f"{self.url}/slack/events", content=body,
                                    headers={"Content-Type": "application/json",
                                             **sign(SECRET, body)})
        if response.status_code != 200:
            raise SystemExit(f"{self.name}: HTTP {response.status_code}: {response.text}")
        posted = self.slack.wait_for("chat.postMessage", before + 1)[before]
        if record:
            self.samples.append(posted.at - start)


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="requests per app")
    parser.add_argument("--profile", metavar="FILE", help="write duebot's side to a pstats file")
    parser.add_argument("--quick", action="store_true", help="a smoke test: 200 requests")
    args = parser.parse_args(argv)
    if args.quick:
        args.n = 200

    with tempfile.TemporaryDirectory() as tmp, running_slack() as slack:
        slack.add_user(USER, "Asia/Shanghai")
        app, service = duebot_app(slack, Path(tmp))
        with serving(app) as duebot_url, serving(bare_app(slack)) as bare_url, \
                httpx.Client(timeout=10) as client:
            ours = Runner("duebot", duebot_url, slack, client)
            bare = Runner("bare", bare_url, slack, client)
            for runner in (ours, bare):
                for _ in range(20):
                    runner.one(record=False)  # warm up: auth.test, users.info, imports
            text = slack.calls_to("chat.postMessage")[0].args["text"]
            profiler = cProfile.Profile() if args.profile else None
            block = 100
            done = 0
            while done < args.n:
                size = min(block, args.n - done)
                for _ in range(size):
                    if profiler:
                        profiler.enable()
                    ours.one()
                    if profiler:
                        profiler.disable()
                for _ in range(size):
                    bare.one()
                done += size
            if profiler and args.profile:
                profiler.dump_stats(args.profile)
                pstats.Stats(args.profile).sort_stats("cumulative").print_stats(15)
        service.ledger.close()

    print(f"{args.n} signed app_mention requests each, one at a time, on loopback")
    print(f"duebot answered: {text[:90]!r}...")
    for runner in (ours, bare):
        ms = [s * 1000 for s in runner.samples]
        print(f"  {runner.name:<7} p50 {percentile(ms, 50):6.2f} ms   p99 {percentile(ms, 99):6.2f}"
              f" ms   mean {statistics.fmean(ms):6.2f} ms")
    ratio50 = percentile(ours.samples, 50) / percentile(bare.samples, 50)
    ratio99 = percentile(ours.samples, 99) / percentile(bare.samples, 99)
    print(f"  ratio   p50 {ratio50:.2f}x   p99 {ratio99:.2f}x   (goal: within 1.3x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
