"""Slack answer latency: duebot's Bolt app vs a bare Bolt app that answers a fixed string.

    .venv/bin/python bench/slack.py [--n 1000] [--profile FILE] [--quick]

Each request is a signed ``app_mention`` ("when is the deadline?") POSTed to ``/slack/events``
of an app served by uvicorn on loopback; the latency is from just before the POST until the
Web API stand-in (tests/slack_stub.py, the real slack_sdk client talking to it over HTTP)
records the answer's ``chat.postMessage``. One request at a time.

* duebot: the whole path: signature check, the retry dedupe (one insert of the event's two
  keys, its id and its message's, into the SQLite ledger), the asker's zone (``users.info``,
  cached per user after the first question), the answer engine, Block Kit with ``<!date>``
  tokens, ``chat.postMessage`` (within the send deadline's watchdog). The thread's reading
  is kept after the post (one upsert): outside the latency, but its work runs beside the next
  request's in this process.
* bare: ``App`` with one ``app_mention`` listener that says a fixed string, served the same way
  (same uvicorn, same dispatch in a worker thread): the floor for Bolt on this machine.

The two run in alternating blocks of 100 requests so that drift affects both alike. The
stand-in runs in this process (its HTTP server in a thread), for both sides. Each side's CPU
per request is the process's CPU time over its blocks (client, server and stand-in alike for
both: the difference is duebot's own), less noisy than the wall clock on a shared machine.

``--profile FILE`` runs duebot's side alone and profiles every thread started for it (uvicorn,
Starlette's worker, Bolt's listener, the stand-in's), each by its CPU time, merged into one
pstats file; the client's thread is not in it. The figures then include the profiler's cost.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import tempfile
import threading
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


class ThreadProfiles:
    """A cProfile of each thread started from now on (``threading.setprofile``), merged."""

    def __init__(self) -> None:
        self.profiles: list[cProfile.Profile] = []
        self._lock = threading.Lock()
        threading.setprofile(self._start)

    def _start(self, *_: object) -> None:
        profile = cProfile.Profile(time.thread_time)
        with self._lock:
            self.profiles.append(profile)
        profile.enable()  # replaces this hook in this thread

    def dump(self, path: str) -> None:
        threading.setprofile(None)  # type: ignore[arg-type]
        with self._lock:
            profiles = list(self.profiles)
        stats = pstats.Stats(profiles[0])
        for profile in profiles[1:]:
            stats.add(profile)
        stats.dump_stats(path)


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

    profiles = ThreadProfiles() if args.profile else None
    with tempfile.TemporaryDirectory() as tmp, running_slack() as slack:
        slack.add_user(USER, "Asia/Shanghai")
        app, service = duebot_app(slack, Path(tmp))
        with serving(app) as duebot_url, serving(bare_app(slack)) as bare_url, \
                httpx.Client(timeout=10) as client:
            ours = Runner("duebot", duebot_url, slack, client)
            bare = Runner("bare", bare_url, slack, client)
            runners = (ours,) if profiles else (ours, bare)
            for runner in runners:
                for _ in range(20):
                    runner.one(record=False)  # warm up: auth.test, users.info, imports
            text = slack.calls_to("chat.postMessage")[0].args["text"]
            cpu = dict.fromkeys(runners, 0.0)
            block = 100
            done = 0
            while done < args.n:
                size = min(block, args.n - done)
                for runner in runners:
                    began = time.process_time()
                    for _ in range(size):
                        runner.one()
                    cpu[runner] += time.process_time() - began
                done += size
            if profiles and args.profile:
                profiles.dump(args.profile)
                pstats.Stats(args.profile).sort_stats("cumulative").print_stats(25)
        service.ledger.close()

    print(f"{args.n} signed app_mention requests each, one at a time, on loopback")
    print(f"duebot answered: {text[:90]!r}...")
    for runner in runners:
        ms = [s * 1000 for s in runner.samples]
        print(f"  {runner.name:<7} p50 {percentile(ms, 50):6.2f} ms   p99 {percentile(ms, 99):6.2f}"
              f" ms   mean {statistics.fmean(ms):6.2f} ms   CPU {cpu[runner] / args.n * 1e6:5.0f}"
              f" µs a request")
    if profiles:
        return 0
    ratio50 = percentile(ours.samples, 50) / percentile(bare.samples, 50)
    ratio99 = percentile(ours.samples, 99) / percentile(bare.samples, 99)
    print(f"  ratio   p50 {ratio50:.2f}x   p99 {ratio99:.2f}x   (goal: within 1.3x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
