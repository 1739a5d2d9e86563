"""Feed benchmark: requests/s for duebot's /calendar.ics against a bare ASGI app.

    .venv/bin/python bench/feed.py [--seconds 5] [--connections 32] [--tool auto|wrk|httpx]
                                   [--host 127.0.0.1] [--port P] [--quick]

Both servers run in their own process on ``--host`` with the same uvicorn stack (uvloop and
httptools, uvicorn's standard extras, when installed; the line printed says which):

* duebot: ``duebot run`` on the shipped schedule (SQLite, console channel) on ``--port`` (a free
  one by default), the whole app: the once-a-second schedule check, the feed cache, ETag and
  Last-Modified, the request counting.
* bare ASGI (the baseline, goal: duebot >= 0.9 x it): a plain ASGI callable answering the same
  bytes with the same headers from memory, no framework: the ceiling for any app on this
  server. Beside it, for scale: a bare Starlette route answering the same bytes, and
  Starlette's ``StaticFiles`` serving them from a file.

The load generator is ``wrk`` (Debian's package) when installed, otherwise a bounded async
httpx client (N concurrent clients for a fixed time) in a separate process; on a small machine
the httpx client, not the servers, is the bottleneck (a few thousand requests/s): prefer wrk.
The runs take turns; the best of each is reported, then the ratio and the cost of a
conditional request that answers 304 (goal: cheaper than the 200).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

STATIC_SERVER = """
import json
import sys
import uvicorn
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

BODY = open(sys.argv[1] + "/calendar.ics", "rb").read()
HEADERS = [(k.encode("latin-1"), v.encode("latin-1"))
           for k, v in json.load(open(sys.argv[1] + "/headers.json"))]


async def from_memory(request):
    return Response(BODY, media_type="text/calendar; charset=utf-8")


# /memory.ics: a Starlette route; anything else under /: StaticFiles, the file from disk.
starlette_app = Starlette(routes=[Route("/memory.ics", from_memory),
                                  Mount("/static", app=StaticFiles(directory=sys.argv[1]))])


async def app(scope, receive, send):
    # /bare.ics: no framework at all, the same bytes and headers as duebot's 200.
    if scope["type"] == "http" and scope["path"] == "/bare.ics":
        await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
        await send({"type": "http.response.body", "body": BODY})
        return
    await starlette_app(scope, receive, send)


uvicorn.run(app, host=sys.argv[3], port=int(sys.argv[2]), log_config=None, access_log=False,
            server_header=False)
"""

# One client process for the httpx fallback: prints "requests seconds errors".
HTTPX_LOAD = """
import asyncio, sys, time
import httpx

url, seconds, connections = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
headers = dict(h.split(": ", 1) for h in sys.argv[4:])

async def worker(client, stop, counts):
    while time.perf_counter() < stop:
        r = await client.get(url, headers=headers)
        counts[0 if r.status_code in (200, 304) else 1] += 1

async def main():
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        counts = [0, 0]
        start = time.perf_counter()
        stop = start + seconds
        await asyncio.gather(*(worker(client, stop, counts) for _ in range(connections)))
        print(counts[0], time.perf_counter() - start, counts[1])

asyncio.run(main())
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until_up(url: str, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    import httpx

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if process.poll() is not None:
            raise SystemExit(f"server exited early ({process.returncode}) for {url}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit(f"no answer from {url}")


@contextmanager
def running(argv: list[str], url: str, cwd: Path) -> Iterator[None]:
    process = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL,
                               env={k: v for k, v in os.environ.items()
                                    if not k.startswith(("DUEBOT_", "SLACK_"))})
    try:
        wait_until_up(url, process)
        yield
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def load_wrk(url: str, seconds: float, connections: int, headers: list[str]) -> float:
    argv = ["wrk", "-t", "1", "-c", str(connections), "-d", f"{max(1, round(seconds))}s",
            "--latency"]
    for header in headers:
        argv += ["-H", header]
    out = subprocess.run([*argv, url], capture_output=True, text=True, check=True).stdout
    if "Non-2xx or 3xx responses" in out:
        raise SystemExit(f"errors under load:\n{out}")
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    assert match, out
    return float(match.group(1))


def load_httpx(url: str, seconds: float, connections: int, headers: list[str]) -> float:
    out = subprocess.run([sys.executable, "-c", HTTPX_LOAD, url, str(seconds), str(connections),
                          *headers], capture_output=True, text=True, check=True).stdout
    done, elapsed, errors = out.split()
    if int(errors):
        raise SystemExit(f"{errors} errors under load at {url}")
    return int(done) / float(elapsed)


def server_stack() -> str:
    """What uvicorn picks with loop="auto" and http="auto", as both servers run it."""
    import importlib.util

    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    return f"uvicorn {loop}+{http}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each run")
    parser.add_argument("--connections", type=int, default=32, help="concurrent clients")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each server")
    parser.add_argument("--tool", choices=("auto", "wrk", "httpx"), default="auto")
    parser.add_argument("--host", default="127.0.0.1", help="where both servers listen")
    parser.add_argument("--port", type=int, default=0, help="duebot's port (default: free)")
    parser.add_argument("--quick", action="store_true", help="a smoke test: 1 s, one round")
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds, args.rounds = 1.0, 1
    tool = args.tool
    if tool == "auto":
        tool = "wrk" if shutil.which("wrk") else "httpx"
    load = load_wrk if tool == "wrk" else load_httpx

    import httpx

    with tempfile.TemporaryDirectory(prefix="duebot-bench-") as tmp_name:
        tmp = Path(tmp_name)
        (tmp / "aisys-sosp17.toml").write_text(
            (ROOT / "schedules" / "aisys-sosp17.toml").read_text(encoding="utf-8"),
            encoding="utf-8")
        duebot_port, other_port = args.port or free_port(), free_port()
        (tmp / "duebot.toml").write_text(f"""
[storage]
database_url = "sqlite:///{tmp / 'duebot.db'}"
[delivery]
poll = "1h"
[http]
host = "{args.host}"
port = {duebot_port}
[log]
level = "WARNING"
[[schedules]]
path = "aisys-sosp17.toml"
""", encoding="utf-8")
        host = f"[{args.host}]" if ":" in args.host else args.host
        duebot_url = f"http://{host}:{duebot_port}/calendar.ics"
        other = f"http://{host}:{other_port}"
        bare_url, memory_url = f"{other}/bare.ics", f"{other}/memory.ics"
        static_url = f"{other}/static/calendar.ics"
        # ``python -m bot`` from this checkout: the code of this tree, not an installed one.
        with running([sys.executable, "-m", "bot", "run", "--config", str(tmp / "duebot.toml")],
                     duebot_url, ROOT):
            feed = httpx.get(duebot_url)
            body, etag = feed.content, feed.headers["etag"]
            (tmp / "static").mkdir()
            (tmp / "static" / "calendar.ics").write_bytes(body)
            # Without uvicorn's own Date: the server adds one to every answer (the bare app
            # sent two, a header more than duebot's).
            (tmp / "static" / "headers.json").write_text(json.dumps(
                [(k, v) for k, v in feed.headers.multi_items() if k.lower() != "date"]))
            with running([sys.executable, "-c", STATIC_SERVER, str(tmp / "static"),
                          str(other_port), args.host], bare_url, ROOT):
                for url in (bare_url, memory_url, static_url):
                    assert httpx.get(url).content == body, f"{url} differs from duebot's feed"
                names = sorted(k for k, _ in httpx.get(bare_url).headers.multi_items())
                assert names == sorted(k for k, _ in feed.headers.multi_items()), (
                    f"the bare app's headers differ from duebot's: {names}")
                print(f"feed: {len(body)} bytes; {server_stack()}; load: {tool}, "
                      f"{args.connections} connections, {args.seconds:.0f}s per run, best of "
                      f"{args.rounds}; {os.cpu_count()} CPUs shared by servers and load "
                      f"generator, load {os.getloadavg()[0]:.2f}")
                for url in (bare_url, duebot_url):  # warm up both servers
                    load(url, 1, args.connections, [])
                best = {"bare": 0.0, "duebot": 0.0, "304": 0.0, "starlette": 0.0,
                        "static": 0.0}
                for _ in range(args.rounds):
                    for name, url, headers in (
                            ("bare", bare_url, []), ("duebot", duebot_url, []),
                            ("304", duebot_url, [f"If-None-Match: {etag}"]),
                            ("starlette", memory_url, []), ("static", static_url, [])):
                        best[name] = max(best[name], load(url, args.seconds, args.connections,
                                                          headers))
                check = httpx.get(duebot_url, headers={"If-None-Match": etag})
                assert check.status_code == 304, check.status_code
    ratio = best["duebot"] / best["bare"]
    print(f"bare ASGI app, same bytes (baseline): {best['bare']:9.0f} req/s")
    print(f"duebot /calendar.ics                : {best['duebot']:9.0f} req/s   "
          f"{ratio:.2f} x bare (goal >= 0.90: {'met' if ratio >= 0.9 else 'NOT met'})")
    cheaper = best["304"] > best["duebot"]
    print(f"duebot 304 (If-None-Match)          : {best['304']:9.0f} req/s   "
          f"{1e6 / best['304']:.0f} us/request vs {1e6 / best['duebot']:.0f} us for the 200 "
          f"(goal: cheaper: {'met' if cheaper else 'NOT met'})")
    print(f"bare Starlette route, same bytes    : {best['starlette']:9.0f} req/s   "
          f"{best['starlette'] / best['bare']:.2f} x bare")
    print(f"Starlette StaticFiles, from a file  : {best['static']:9.0f} req/s   "
          f"{best['static'] / best['bare']:.2f} x bare")
    return 0


if __name__ == "__main__":
    sys.exit(main())
