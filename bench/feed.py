"""Feed benchmark: requests/s for duebot's /calendar.ics against a static file server.

    .venv/bin/python bench/feed.py [--seconds 5] [--connections 16] [--tool auto|wrk|httpx]

Both servers run in their own process on loopback with the same uvicorn settings:

* duebot: ``duebot run`` on the shipped schedule (SQLite, console channel), the whole app:
  routing, the once-a-second schedule check, the feed cache, ETag/Last-Modified headers, the
  request-counting middleware.
* static: Starlette's ``StaticFiles`` serving a file with the same bytes (it stats the file and
  streams it per request, with its own ETag/Last-Modified); and, as the ceiling for any app on
  this server, a bare Starlette route answering the same bytes from memory.

The load generator is ``wrk`` (Debian's package) when installed, otherwise a bounded async
httpx client (N concurrent clients for a fixed time) in a separate process. On a small machine
the httpx client, not the servers, is the bottleneck (a few hundred requests/s): prefer wrk.
The runs take turns: static, duebot, static, duebot; the best of each is reported, then the
ratio (goal: duebot >= 0.7 x static) and the cost of a conditional request that answers 304.
"""

from __future__ import annotations

import argparse
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
DUEBOT = Path(sys.executable).parent / "duebot"

STATIC_SERVER = """
import sys
import uvicorn
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from starlette.responses import Response
from starlette.routing import Route

BODY = open(sys.argv[1] + "/calendar.ics", "rb").read()


async def from_memory(request):
    return Response(BODY, media_type="text/calendar; charset=utf-8")


# /calendar.ics: the file from disk, per request; /memory.ics: the bytes from memory, the
# ceiling for any Starlette app on this uvicorn.
app = Starlette(routes=[Route("/memory.ics", from_memory),
                        Mount("/", app=StaticFiles(directory=sys.argv[1]))])
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_config=None, access_log=False,
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each run")
    parser.add_argument("--connections", type=int, default=16, help="concurrent clients")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each server")
    parser.add_argument("--tool", choices=("auto", "wrk", "httpx"), default="auto")
    args = parser.parse_args(argv)
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
        duebot_port, static_port = free_port(), free_port()
        (tmp / "duebot.toml").write_text(f"""
[storage]
database_url = "sqlite:///duebot.db"
[delivery]
poll = "1h"
[http]
port = {duebot_port}
[log]
level = "WARNING"
[[schedules]]
path = "aisys-sosp17.toml"
""", encoding="utf-8")
        duebot_url = f"http://127.0.0.1:{duebot_port}/calendar.ics"
        static_url = f"http://127.0.0.1:{static_port}/calendar.ics"
        with running([str(DUEBOT), "run", "--config", str(tmp / "duebot.toml")],
                     duebot_url, ROOT):
            feed = httpx.get(duebot_url)
            body, etag = feed.content, feed.headers["etag"]
            (tmp / "static").mkdir()
            (tmp / "static" / "calendar.ics").write_bytes(body)
            with running([sys.executable, "-c", STATIC_SERVER, str(tmp / "static"),
                          str(static_port)], static_url, ROOT):
                assert httpx.get(static_url).content == body, "the two servers differ"
                print(f"feed: {len(body)} bytes; load: {tool}, {args.connections} connections, "
                      f"{args.seconds:.0f}s per run, best of {args.rounds}; {os.cpu_count()} "
                      f"CPUs shared by servers and load generator")
                load(static_url, 1, args.connections, [])  # warm up both
                load(duebot_url, 1, args.connections, [])
                memory_url = static_url.replace("/calendar.ics", "/memory.ics")
                static_best = duebot_best = cond_best = memory_best = 0.0
                for _ in range(args.rounds):
                    static_best = max(static_best, load(static_url, args.seconds,
                                                        args.connections, []))
                    memory_best = max(memory_best, load(memory_url, args.seconds,
                                                        args.connections, []))
                    duebot_best = max(duebot_best, load(duebot_url, args.seconds,
                                                        args.connections, []))
                    cond_best = max(cond_best, load(duebot_url, args.seconds, args.connections,
                                                    [f"If-None-Match: {etag}"]))
                check = httpx.get(duebot_url, headers={"If-None-Match": etag})
                assert check.status_code == 304, check.status_code
    ratio = duebot_best / static_best
    print(f"static file server (StaticFiles): {static_best:9.0f} req/s")
    print(f"duebot /calendar.ics            : {duebot_best:9.0f} req/s   ratio {ratio:.2f} "
          f"({'meets' if ratio >= 0.7 else 'BELOW'} the 0.7 goal)")
    print(f"bytes from memory (ceiling)     : {memory_best:9.0f} req/s   duebot is "
          f"{duebot_best / memory_best:.2f} of it")
    print(f"duebot 304 (If-None-Match)      : {cond_best:9.0f} req/s   "
          f"{1e6 / cond_best:.0f} us/request vs {1e6 / duebot_best:.0f} us for the 200 "
          f"({len(body)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
