"""Scale-out benchmark: deliveries per second with 1, 2 and 4 duebot replicas on PostgreSQL.

    .venv/bin/python bench/replicas.py [--deliveries 2000] [--delay 0.05] [--batch-size 50]
                                       [--connections K] [--quick]

Each run gets a fresh PostgreSQL database (tests/pg.py; the machine's server on 127.0.0.1),
one reminder to N ``mailto:`` destinations, one reconcile before it is due, then R real
``python -m bot deliver --once`` processes started together, each with its pool of
``[smtp] connections`` (default 16) sending at once, all sending through the full path
(claim, render, build the e-mail, SMTP, record) to an aiosmtpd sink on loopback
(tests/counting_smtp.py: it reads only the key header, so its own CPU stays small) that takes
``--delay`` seconds per message as a real relay does, serving connections concurrently.
Reported per R:

* steady: messages / (last accepted - first accepted) at the server: the delivery rate itself;
* wall: N / (all processes exited - started), start-up (imports, config, reconcile) included;
* all sending at once: the rate from the last replica's first message to the first one's last
  (told apart by the client port of each message's connection, read with ``ss``): start-ups
  that end seconds apart on a busy machine left out;
* CPU per delivery, in microseconds: the replicas' own (their rusage), the SMTP sink's (this
  process), PostgreSQL's (its exited backends, as the postmaster's children: other sessions'
  backends that exit meanwhile are counted too) and the whole machine's busy time over the
  run (other sessions' work included): with 2 cores, a rate times the CPU a delivery costs
  cannot pass 2 seconds a second. "sending": with a replica's fixed cost taken out (start-up,
  its reconcile, a claim that finds nothing: measured on one that runs before anything is
  due).

Then the same with an instant server, and the ledger alone: R processes that only claim and
record (``Ledger.claim`` + ``Ledger.finish``), no rendering, no SMTP: the ceiling the database
puts on any number of replicas. The goal: 4 replicas >= 3x one, since the work waits on the
mail server, not the CPU.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.adapters.store.ledger import Ledger  # noqa: E402
from bot.ports import Planned  # noqa: E402
from tests.counting_smtp import CountingSmtp  # noqa: E402
from tests.pg import (  # noqa: E402
    AT_DUE,
    BEFORE_DUE,
    deliver_once,
    fresh_database,
    query,
    unreachable_reason,
    write_config,
)

REPLICAS = (1, 2, 4)
TICK = os.sysconf("SC_CLK_TCK")


def _postmaster_cpu(url: str) -> float:
    """CPU seconds of PostgreSQL's exited backends (reaped by the postmaster), or NaN if its
    /proc entry is not readable (a server on another machine). /proc is read while the
    connection is open: once it closes, its backend may be gone before the read (that race
    once printed a negative figure)."""
    import psycopg

    try:
        with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://", 1),
                             autocommit=True) as conn:
            backend = conn.execute("SELECT pg_backend_pid()").fetchone()
            assert backend is not None
            parent = Path(f"/proc/{backend[0]}/stat").read_text().rsplit(")", 1)[1].split()[1]
        fields = Path(f"/proc/{parent}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[13]) + int(fields[14])) / TICK  # cutime + cstime
    except (OSError, IndexError, ValueError):
        return float("nan")


def _machine_busy() -> float:
    """CPU seconds the whole machine was busy (every core, every process) since boot."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / TICK  # all but idle and iowait


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _own_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_SELF)
    return used.ru_utime + used.ru_stime


class _PeerSmtp(CountingSmtp):
    """The counting sink, also noting the client's port of each message's connection (so
    which replica sent it, with ``_Owners``)."""

    def __init__(self, *, delay: float) -> None:
        super().__init__(delay=delay)
        self.peers: list[int] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        reply = await super().handle_DATA(server, session, envelope)
        with self._lock:  # no await since the stamp: the two lists stay in step
            self.peers.append(int(session.peer[1]))
        return reply


_KEY = re.compile(rb"^X-Duebot-Key:[ \t]*(.*?)\r?$", re.MULTILINE | re.IGNORECASE)


class _LeanSmtp:
    """The same sink (250 to each final dot after ``delay``, each key counted, each 250 stamped
    with its client's port) as a bare asyncio protocol on uvloop when installed: aiosmtpd's
    per-command machinery cost the 2-core machine 0.8-1.2 ms of CPU a message, as much as a
    replica sends it with. It speaks what duebot's client does (EHLO with PIPELINING, MAIL,
    RCPT, DATA, RSET, NOOP, QUIT) and answers pipelined commands in order: nothing after a
    final dot is answered before that dot's 250, which comes ``delay`` after it arrived, so
    each connection still takes ``delay`` per message; connections run concurrently."""

    def __init__(self, *, delay: float) -> None:
        from tests.smtp_server import free_port

        self.host = "127.0.0.1"
        self.port = free_port()
        self.delay = delay
        self.keys: Counter[str] = Counter()
        self.accepted_at: list[float] = []
        self.peers: list[int] = []
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._loop: Any = None
        self._ready = threading.Event()

    @property
    def count(self) -> int:
        return len(self.accepted_at)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise SystemExit("the lean SMTP sink did not start")

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _serve(self) -> None:
        import asyncio

        try:
            import uvloop
            loop = uvloop.new_event_loop()
        except ImportError:
            loop = asyncio.new_event_loop()
        self._loop = loop
        sink = self

        class Session(asyncio.Protocol):
            def __init__(self) -> None:
                self.buffer = b""
                self.data: list[bytes] | None = None
                self.waiting = False

            def connection_made(self, transport: Any) -> None:
                self.transport = transport
                self.peer = int(transport.get_extra_info("peername")[1])
                transport.write(b"220 lean sink ESMTP\r\n")

            def data_received(self, chunk: bytes) -> None:
                self.buffer += chunk
                if not self.waiting:
                    self.work()

            def work(self) -> None:
                while not self.waiting:
                    end = self.buffer.find(b"\r\n")
                    if end < 0:
                        return
                    line, self.buffer = self.buffer[:end], self.buffer[end + 2:]
                    if self.data is not None:
                        if line == b".":
                            self.dot(b"\r\n".join(self.data))
                            self.data = None
                        else:
                            self.data.append(line)
                        continue
                    verb = line[:4].upper()
                    if verb == b"EHLO":
                        self.transport.write(b"250-lean sink\r\n250-PIPELINING\r\n"
                                             b"250-8BITMIME\r\n250 SIZE 100000000\r\n")
                    elif verb == b"DATA":
                        self.data = []
                        self.transport.write(b"354 go ahead\r\n")
                    elif verb == b"QUIT":
                        self.transport.write(b"221 bye\r\n")
                        self.transport.close()
                        return
                    else:  # HELO, MAIL, RCPT, RSET, NOOP
                        self.transport.write(b"250 ok\r\n")

            def dot(self, body: bytes) -> None:
                found = _KEY.search(body)
                key = found.group(1).decode("utf-8", "replace").strip() if found else ""
                self.waiting = True
                loop.call_later(sink.delay, self.accept, key)

            def accept(self, key: str) -> None:
                with sink._lock:
                    sink.keys[key] += 1
                    sink.accepted_at.append(time.perf_counter())
                    sink.peers.append(self.peer)
                self.waiting = False
                if not self.transport.is_closing():
                    self.transport.write(b"250 2.0.0 Ok: queued\r\n")
                    self.work()

        server = loop.run_until_complete(loop.create_server(Session, self.host, self.port,
                                                            backlog=512))
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            server.close()
            loop.run_until_complete(server.wait_closed())
            loop.close()


SINKS = ("lean", "aiosmtpd")


@contextmanager
def peer_smtp(delay: float, kind: str = "lean") -> Iterator[_PeerSmtp | _LeanSmtp]:
    server = _LeanSmtp(delay=delay) if kind == "lean" else _PeerSmtp(delay=delay)
    server.start()
    try:
        yield server
    finally:
        server.stop()


_SS_LINE = re.compile(r":(\d+)\s+\S+:\d+\s+users:\(\(\"[^\"]*\",pid=(\d+),")


class _Owners:
    """Which process holds each client port connected to the sink: ``ss`` read every 0.3 s
    while the replicas run."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.owner: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._stop.wait(0.3):
            listed = subprocess.run(["ss", "-tnpH", "state", "established", "dport", "=",
                                     f":{self.port}"], capture_output=True, text=True,
                                    check=False).stdout
            for found in _SS_LINE.finditer(listed):
                self.owner[int(found.group(1))] = int(found.group(2))

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def _together(stamps: list[float], peers: list[int], owners: dict[int, int],
              pids: list[int]) -> float | None:
    """Messages per second over the span when every replica was sending (from the last one's
    first message to the first one's last): the rate of R replicas at once, their start-ups
    (which on a busy machine end seconds apart) left out. None if a replica's messages could
    not be told or the span is under a second."""
    first: dict[int, float] = {}
    last: dict[int, float] = {}
    for stamp, peer in zip(stamps, peers, strict=True):
        pid = owners.get(peer)
        if pid is not None:
            first.setdefault(pid, stamp)
            last[pid] = stamp
    if set(first) != set(pids):
        return None
    start, end = max(first.values()), min(last.values())
    if end - start < 1.0:
        return None
    return sum(1 for stamp in stamps if start <= stamp <= end) / (end - start)


def delivery_run(replicas: int, deliveries: int, delay: float, batch_size: int,
                 workdir: Path, connections: int = 0, profile: Path | None = None,
                 sink: str = "lean") -> tuple[float, float, dict[str, Any]]:
    """(steady rate, wall rate, CPU microseconds per delivery by whom) for one run; checks
    that every delivery went exactly once."""
    with fresh_database("duebot_bench") as url, peer_smtp(delay=delay, kind=sink) as smtp:
        config = write_config(workdir / f"r{replicas}-d{delay}", database_url=url,
                              smtp_port=smtp.port, count=deliveries, batch_size=batch_size)
        if connections:  # else the config's default
            text = config.read_text(encoding="utf-8")
            config.write_text(text.replace("timeout = 30", f"timeout = 30\nconnections = "
                                           f"{connections}", 1), encoding="utf-8")
        planner = deliver_once(config, BEFORE_DUE, name="planner")
        if planner.wait() != 0:
            raise SystemExit(f"planning failed:\n{planner.stderr}")
        # A replica's fixed cost (start-up, its reconcile, a claim finding nothing): one that
        # runs before anything is due. Taken out of the replicas' CPU per delivery.
        before = (_children_cpu(), _postmaster_cpu(url))
        idle = deliver_once(config, BEFORE_DUE, name="idle")
        if idle.wait() != 0:
            raise SystemExit(f"an idle replica failed:\n{idle.stderr}")
        time.sleep(0.2)
        fixed = (_children_cpu() - before[0], _postmaster_cpu(url) - before[1])
        before = (_children_cpu(), _own_cpu(), _postmaster_cpu(url), _machine_busy())
        started = time.perf_counter()
        owners = _Owners(smtp.port)
        processes = [deliver_once(config, AT_DUE, name=f"r{i}") for i in range(replicas)]
        spies = [] if profile is None else [_spy(process.pid, profile / f"{replicas}-{delay}-"
                                                                         f"r{i}.txt")
                                            for i, process in enumerate(processes)]
        for process in processes:
            if process.wait() != 0:
                raise SystemExit(f"a replica failed:\n{process.stderr}")
        wall = time.perf_counter() - started
        owners.stop()
        for spy in spies:
            spy.wait()
        time.sleep(0.2)  # their backends exit (and are counted) once the replicas are gone
        after = (_children_cpu(), _own_cpu(), _postmaster_cpu(url), _machine_busy())
        cpu: dict[str, Any] = {name: (end - start) / deliveries * 1e6 for name, start, end in
               zip(("replicas", "sink", "postgres", "machine"), before, after, strict=True)}
        cpu["start-up"] = fixed[0]
        cpu["replicas sending"] = cpu["replicas"] - replicas * fixed[0] / deliveries * 1e6
        cpu["postgres sending"] = cpu["postgres"] - replicas * fixed[1] / deliveries * 1e6
        stamps = list(smtp.accepted_at)
        peers = list(smtp.peers)
        keys = smtp.keys
        sent = query(url, "SELECT count(*) FROM deliveries WHERE state = 'sent'")[0][0]
        if len(keys) != deliveries or max(keys.values()) != 1 or sent != deliveries:
            raise SystemExit(f"not exactly once: {len(keys)} keys, max "
                             f"{max(keys.values())} copies, {sent} recorded sent")
        steady = (len(stamps) - 1) / max(stamps[-1] - stamps[0], 1e-9)
        cpu["together"] = _together(stamps, peers, owners.owner,
                                    [process.pid for process in processes])
        cpu["first"] = stamps[0] - started  # start-up until the first message is accepted
        seconds = Counter(int(stamp - started) for stamp in stamps)
        cpu["timeline"] = " ".join(str(seconds.get(t, 0)) for t in range(max(seconds) + 1))
        return steady, deliveries / wall, cpu


def _spy(pid: int, out: Path) -> subprocess.Popen[bytes]:
    """py-spy sampling one replica until it exits (``--profile``): collapsed stacks, idle
    threads left out, so what is there is CPU (or the GIL's wait)."""
    spy = Path(sys.executable).parent / "py-spy"
    out.parent.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen([str(spy), "record", "--pid", str(pid), "--format", "raw",
                             "--rate", "200", "--gil", "-o", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _claim_worker(url: str, owner: str, batch_size: int, ready: object, go: object,
                  done: object) -> None:
    ledger = Ledger.open(url, owner=owner)
    ready.release()  # type: ignore[attr-defined]
    go.wait()  # type: ignore[attr-defined]
    handled = 0
    while True:
        rows = ledger.claim(AT_DUE, limit=batch_size, lease=timedelta(seconds=60))
        if not rows:
            break
        for row in rows:
            ledger.finish(row.key, "sent", AT_DUE, "sent")
            handled += 1
    done.put(handled)  # type: ignore[attr-defined]
    ledger.close()


def ledger_run(replicas: int, deliveries: int, batch_size: int) -> tuple[float, Counter[str]]:
    """Claims recorded per second by ``replicas`` processes doing nothing else, and what their
    backends were seen waiting on (sampled from ``pg_stat_activity``: "Lock" would mean
    replicas queue behind each other's row locks; "IO" is the commit's WAL flush)."""
    with fresh_database("duebot_bench") as url:
        ledger = Ledger.open(url, owner="planner")
        ledger.reconcile("scale", [
            Planned(key=f"r|mailto:p{i:05d}@example.org", event_id="scale", date_id="paper",
                    item_id="r", destination=f"mailto:p{i:05d}@example.org", due=AT_DUE)
            for i in range(deliveries)], BEFORE_DUE)
        ledger.close()
        context = multiprocessing.get_context("spawn")
        ready, go, done = context.Semaphore(0), context.Event(), context.Queue()
        workers = [context.Process(target=_claim_worker,
                                   args=(url, f"w{i}", batch_size, ready, go, done))
                   for i in range(replicas)]
        for worker in workers:
            worker.start()
        for _ in workers:
            ready.acquire()
        waits: Counter[str] = Counter()
        finished = threading.Event()

        def sample() -> None:
            while not finished.is_set():
                for kind, event in query(url, "SELECT wait_event_type, wait_event FROM "
                                              "pg_stat_activity WHERE datname = current_database()"
                                              " AND pid <> pg_backend_pid() AND state = 'active'"):
                    waits[f"{kind}:{event}" if kind else "running"] += 1
                time.sleep(0.01)

        sampler = threading.Thread(target=sample)
        started = time.perf_counter()
        go.set()
        sampler.start()
        handled = sum(done.get(timeout=600) for _ in workers)
        elapsed = time.perf_counter() - started
        finished.set()
        sampler.join()
        for worker in workers:
            worker.join()
        if handled != deliveries:
            raise SystemExit(f"ledger run: {handled} recorded of {deliveries}")
        return deliveries / elapsed, waits


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deliveries", type=int, default=2000)
    parser.add_argument("--delay", type=float, default=0.050,
                        help="seconds the SMTP server takes per message (a relay: 50 ms)")
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument("--connections", type=int, default=0,
                        help="[smtp] connections of each replica (default: the config's)")
    parser.add_argument("--quick", action="store_true", help="a smoke test: 400 deliveries")
    parser.add_argument("--profile", type=Path, default=None,
                        help="a directory for py-spy's collapsed stacks of each replica "
                             "(the GIL holder's: its CPU)")
    parser.add_argument("--sink", choices=SINKS, default="lean",
                        help="the SMTP sink: a bare asyncio one (lean, default) or aiosmtpd's")
    parser.add_argument("--ledger-only", action="store_true",
                        help="only the ledger runs (claim + record, no SMTP)")
    parser.add_argument("--relay-only", action="store_true",
                        help="only the runs against the slow relay (no instant server, no "
                             "ledger-only runs)")
    args = parser.parse_args()
    if args.quick:
        args.deliveries = 400
    reason = unreachable_reason()
    if reason:
        print(f"bench/replicas.py: {reason}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="duebot-bench-") as tmp:
        workdir = Path(tmp)
        servers = [(args.delay, f"SMTP server taking {args.delay * 1000:.0f} ms per message")]
        if not args.relay_only:
            servers.append((0.0, "instant SMTP server"))
        if args.ledger_only:
            servers = []
        for delay, label in servers:
            print(f"{args.deliveries} deliveries, full path, {label} ({args.sink} sink), "
                  f"batch {args.batch_size}, connections {args.connections or 'default'}:")
            rates: dict[int, float] = {}
            at_once: dict[int, float | None] = {}
            for replicas in REPLICAS:
                steady, wall, cpu = delivery_run(replicas, args.deliveries, delay,
                                                 args.batch_size, workdir, args.connections,
                                                 args.profile, args.sink)
                rates[replicas] = steady
                print(f"  {replicas} replica(s): {steady:7.1f} deliveries/s steady, "
                      f"{wall:7.1f}/s wall (start-up included)", flush=True)
                print(f"      CPU us/delivery: replicas {cpu['replicas']:.0f} (sending "
                      f"{cpu['replicas sending']:.0f}; start-up {cpu['start-up']:.2f} s each), "
                      f"sink {cpu['sink']:.0f}, postgres {cpu['postgres']:.0f} (sending "
                      f"{cpu['postgres sending']:.0f}), machine {cpu['machine']:.0f}",
                      flush=True)
                together = at_once[replicas] = cpu["together"]
                print(f"      all {replicas} sending at once: " + (
                    f"{together:.1f} deliveries/s" if together else "n/a") + ";", end="")
                print(f" first accepted {cpu['first']:.1f} s after the start; accepted "
                      f"each second: {cpu['timeline']}", flush=True)
            four, one = at_once[4], at_once[1]
            print(f"  ratio 4:1 = {rates[4] / rates[1]:.2f}x steady; all sending at once " + (
                f"{four / one:.2f}x" if four and one else "n/a"))
        if args.relay_only:
            return 0
        print(f"{args.deliveries * 5} claims, ledger only (claim + record, no SMTP), batch "
              f"{args.batch_size}:")
        base = 0.0
        for replicas in REPLICAS:
            rate, waits = ledger_run(replicas, args.deliveries * 5, args.batch_size)
            base = base or rate
            seen = sum(waits.values()) or 1
            top = ", ".join(f"{name} {n / seen:.0%}" for name, n in waits.most_common(4))
            print(f"  {replicas} process(es): {rate:7.1f} claims/s; backends seen: {top}",
                  flush=True)
        print(f"  ratio 4:1 = {rate / base:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
