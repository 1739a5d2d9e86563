"""Fan-out benchmark: N personalized reminder e-mails through duebot vs a bare smtplib loop.

    .venv/bin/python bench/fanout.py [--n 10000] [--batch-size 50] [--rounds 1] [--profile FILE]

Both sides talk to equivalent servers: each run gets a fresh copy of the tests' aiosmtpd server
(tests/smtp_server.py), started the same way in its own process on loopback (so its parsing
does not share our GIL) and warmed up with the same 200 messages before the clock starts. With
``--rounds R`` the two sides alternate R times (each round swaps which goes first) and the
medians are compared, which evens out a machine whose load changes under the benchmark.

* duebot: one reminder x N distinct ``mailto:`` destinations, through the whole path: plan and
  reconcile into a SQLite ledger, claim in batches, render, build the e-mail (Message-ID from the
  key, .ics attached), send over one reused SMTP session, record each outcome (one commit each).
* bare: the same N e-mails, built beforehand, sent with ``smtplib.SMTP.sendmail`` over one
  connection: the ceiling for a Python client against this server.

Lateness: the service loop runs with a real-time clock (shifted so the reminder falls due a
moment after start); for each message, time the server accepted it minus its due time.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import smtplib
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.adapters.smtp import SmtpChannel, SmtpSettings  # noqa: E402
from bot.config import Config, DeliveryConfig, ScheduleConfig, StorageConfig  # noqa: E402
from bot.ports import Channel, Outcome, Outgoing  # noqa: E402
from bot.service import Service  # noqa: E402

SENDER = "AI Systems Workshop <noreply@example.org>"
# The reminder is due at the deadline minus one day; the deadline is a whole minute (schedule
# times have minute precision), and the clock is shifted so that "now" is just before it.
DEADLINE = datetime(2030, 6, 2, 12, 0, tzinfo=UTC)
DUE = DEADLINE - timedelta(days=1)

SCHEDULE = f"""
[event]
id = "bench"
name = "Benchmark Workshop"
zone = "UTC"

[submission]
system = "HotCRP"
url = "https://bench.example.org/submit"

[reminders]
deadline = ["1d"]

[[dates]]
id = "paper"
title = "Paper deadline"
kind = "deadline"
at = "{DEADLINE:%Y-%m-%d %H:%M}"
"""


# -- the server, in its own process ---------------------------------------------------------

def serve(port_file: str) -> None:
    """Child mode: run the test server; answer "count" on stdin with messages received."""
    from tests.smtp_server import running_smtp

    with running_smtp() as server:
        Path(port_file).write_text(str(server.port))
        for line in sys.stdin:
            command = line.strip()
            if command == "count":
                print(len(server.messages), flush=True)
            elif command == "reset":  # answers how many there were
                count = len(server.messages)
                server.messages.clear()
                print(count, flush=True)
            elif command == "quit":
                break


class Server:
    def __init__(self, process: subprocess.Popen[str], port: int) -> None:
        self.process = process
        self.host = "127.0.0.1"
        self.port = port

    def ask(self, command: str) -> int:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return int(self.process.stdout.readline())


@contextmanager
def server_process(workdir: Path) -> Iterator[Server]:
    port_file = workdir / "port"
    port_file.unlink(missing_ok=True)  # left by the previous server
    process = subprocess.Popen([sys.executable, __file__, "--serve", str(port_file)],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                               cwd=ROOT)
    try:
        deadline = time.monotonic() + 30
        while not (port_file.exists() and port_file.read_text()):
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("the SMTP server did not start")
            time.sleep(0.02)
        yield Server(process, int(port_file.read_text()))
    finally:
        if process.poll() is None:
            assert process.stdin is not None
            process.stdin.write("quit\n")
            process.stdin.close()
            process.wait(timeout=10)


# -- duebot's side --------------------------------------------------------------------------

class Timed:
    """Wraps a channel: when each message was accepted, on the service's clock."""

    def __init__(self, inner: SmtpChannel, clock: Callable[[], datetime]) -> None:
        self.inner = inner
        self.scheme = inner.scheme
        self.clock = clock
        self.accepted: list[datetime] = []

    def send(self, message: Outgoing) -> Outcome:
        outcome = self.inner.send(message)
        if outcome.kind == "sent":
            self.accepted.append(self.clock())
        return outcome

    def close(self) -> None:
        self.inner.close()


def destinations(n: int) -> tuple[str, ...]:
    return tuple(f"mailto:participant{i:05d}@example.org" for i in range(n))


def make_service(workdir: Path, server: Server, n: int, clock: Callable[[], datetime],
                 batch_size: int) -> tuple[Service, Timed]:
    schedule = workdir / "bench.toml"
    schedule.write_text(SCHEDULE, encoding="utf-8")
    db = workdir / "ledger.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    config = Config(
        storage=StorageConfig(database_url=f"sqlite:///{db}"),
        delivery=DeliveryConfig(batch_size=batch_size, poll=timedelta(seconds=1)),
        schedules=(ScheduleConfig(path=schedule, reminders_to=destinations(n)),),
    )
    channel = Timed(SmtpChannel(SmtpSettings(host=server.host, port=server.port,
                                             sender=SENDER, timeout=30)), clock)
    channels: dict[str, Channel] = {"mailto": channel}
    return Service(config, clock=clock, channels=channels, owner="bench"), channel


def run_duebot(workdir: Path, server: Server, n: int, batch_size: int,
               profile: str | None) -> tuple[float, int]:
    """Throughput: reconcile + deliver everything, driven with an explicit now."""
    before = DUE - timedelta(minutes=5)
    service, channel = make_service(workdir, server, n, lambda: before, batch_size)
    profiler = cProfile.Profile() if profile else None
    start = time.perf_counter()
    if profiler:
        profiler.enable()
    service.reconcile(before)
    report = service.deliver_once(DUE + timedelta(seconds=1))
    if profiler:
        profiler.disable()
    elapsed = time.perf_counter() - start
    service.ledger.close()
    if profiler and profile:
        profiler.dump_stats(profile)
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
        print(out.getvalue(), file=sys.stderr)
    if report.sent != n or len(channel.accepted) != n:
        raise SystemExit(f"duebot sent {report.sent} of {n}: {report}")
    return elapsed, report.sent


def run_lateness(workdir: Path, server: Server, n: int, batch_size: int) -> list[float]:
    """The real loop with a real-rate clock that reaches the due time 0.5 s after start."""
    offset = (DUE - timedelta(seconds=0.5)) - datetime.now(UTC)

    def clock() -> datetime:
        return datetime.now(UTC) + offset

    service, channel = make_service(workdir, server, n, clock, batch_size)
    service.start()
    try:
        limit = time.monotonic() + 600
        while len(channel.accepted) < n and time.monotonic() < limit:
            time.sleep(0.05)
    finally:
        service.stop()
        service.ledger.close()
    if len(channel.accepted) != n:
        raise SystemExit(f"the loop sent {len(channel.accepted)} of {n}")
    return [(t - DUE).total_seconds() for t in channel.accepted]


# -- the bare loop --------------------------------------------------------------------------

def prerendered(workdir: Path, n: int) -> list[tuple[str, list[str], bytes]]:
    """The same e-mails duebot sends, built once up front (not timed)."""
    from bot.adapters.template_files import load_templates
    from bot.core.ical import build_date_calendar
    from bot.core.planner import plan
    from bot.core.render import Renderer
    from bot.core.schedule import parse_schedule

    event = parse_schedule(SCHEDULE, "bench.toml")
    reminder = plan(event)[0]
    message = Renderer(load_templates()).reminder(event, reminder)
    when = event.date(reminder.date_id)
    ics = build_date_calendar(event, when)
    channel = SmtpChannel(SmtpSettings(sender=SENDER), clock=lambda: DUE)
    out = []
    for destination in destinations(n):
        outgoing = Outgoing(key=f"{reminder.id}|{destination}", destination=destination,
                            subject=message.subject, text=message.text, html=message.html,
                            ics=ics, ics_name=f"{when.id}.ics", due=reminder.due)
        out.append(("noreply@example.org", [destination.removeprefix("mailto:")],
                    channel.wire_bytes(outgoing)))
    return out


def run_bare(server: Server, messages: list[tuple[str, list[str], bytes]]) -> float:
    start = time.perf_counter()
    with smtplib.SMTP(server.host, server.port, timeout=30) as conn:
        for sender, recipients, payload in messages:
            conn.sendmail(sender, recipients, payload)
    return time.perf_counter() - start


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


@contextmanager
def warm_server(workdir: Path, warmup: list[tuple[str, list[str], bytes]]) -> Iterator[Server]:
    """A fresh server process, warmed up with the same messages for either side."""
    with server_process(workdir) as server:
        run_bare(server, warmup)
        server.ask("reset")
        yield server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="destinations (default 10000)")
    parser.add_argument("--batch-size", type=int, default=DeliveryConfig.batch_size,
                        help="deliveries claimed at once (default: the config's default)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="alternate the two sides this many times; compare medians")
    parser.add_argument("--profile", metavar="FILE", help="cProfile the duebot run into FILE")
    parser.add_argument("--no-lateness", action="store_true", help="skip the lateness run")
    parser.add_argument("--serve", metavar="PORT_FILE", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.serve)
        return 0
    n = args.n
    load_before = os.getloadavg()
    bare_times: list[float] = []
    full_times: list[float] = []
    lateness: list[float] = []
    late_received = 0
    with tempfile.TemporaryDirectory(prefix="duebot-bench-") as tmp:
        workdir = Path(tmp)
        messages = prerendered(workdir, n)
        warmup = prerendered(workdir, min(200, n))
        received: dict[str, int] = {}

        def bare_side() -> None:
            with warm_server(workdir, warmup) as server:
                bare_times.append(run_bare(server, messages))
                received["bare"] = server.ask("reset")

        def duebot_side() -> None:
            with warm_server(workdir, warmup) as server:
                full, _ = run_duebot(workdir, server, n, args.batch_size, args.profile)
                full_times.append(full)
                received["duebot"] = server.ask("reset")

        for number in range(max(1, args.rounds)):
            # Alternate which side goes first, so a drift in the machine's load favours neither.
            for side in (bare_side, duebot_side) if number % 2 == 0 else (duebot_side, bare_side):
                side()
            if received != {"bare": n, "duebot": n}:
                raise SystemExit(f"server received {received}, expected {n} each")
        if not args.no_lateness:
            with warm_server(workdir, warmup) as server:
                lateness = run_lateness(workdir, server, n, args.batch_size)
                late_received = server.ask("count")
    load_after = os.getloadavg()

    bare, full = statistics.median(bare_times), statistics.median(full_times)
    bare_rate, full_rate = n / bare, n / full
    print(f"fan-out of {n} personalized reminder e-mails to aiosmtpd on loopback "
          f"(python {sys.version.split()[0]}, {os.cpu_count()} cpus, batch_size "
          f"{args.batch_size}, load average {load_before[0]:.2f} before, "
          f"{load_after[0]:.2f} after)")
    if len(bare_times) > 1:
        print(f"  {len(bare_times)} alternating rounds, medians below; bare "
              f"{', '.join(f'{t:.2f}' for t in bare_times)} s; duebot "
              f"{', '.join(f'{t:.2f}' for t in full_times)} s")
    print(f"  bare smtplib loop (pre-rendered, one connection): {bare:7.2f} s "
          f"{bare_rate:8.0f} msgs/s {1000 * bare / n:6.2f} ms/msg")
    print(f"  duebot full path (reconcile, claim, render, send, record): {full:7.2f} s "
          f"{full_rate:8.0f} msgs/s {1000 * full / n:6.2f} ms/msg")
    ratio = full_rate / bare_rate
    print(f"  ratio duebot/bare: {ratio:.2f} (goal >= 0.80: "
          f"{'met' if ratio >= 0.8 else 'NOT met'}); duebot's own cost "
          f"{1000 * (full - bare) / n:.2f} ms/msg")
    if lateness:
        print(f"  lateness (accepted by the server minus due), {len(lateness)} messages due "
              f"at one instant, real-clock service loop, {late_received} received:")
        print(f"    p50 {percentile(lateness, 0.5):.3f} s   p99 {percentile(lateness, 0.99):.3f} s"
              f"   first {min(lateness):.3f} s   last {max(lateness):.3f} s   mean "
              f"{statistics.fmean(lateness):.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
