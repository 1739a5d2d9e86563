"""Fan-out benchmark: N personalized reminder e-mails through duebot's pool vs bare smtplib.

    .venv/bin/python bench/fanout.py [--server sink|relay] [--n N] [--connections K]
                                     [--host H --port P] [--lateness N] [--quick]

One reminder to N distinct ``mailto:`` destinations, three ways, one after the other in the
same run, against the same server:

* duebot: the full path with ``[smtp] connections = K``: reconcile into a SQLite ledger, claim
  in batches, render once per reminder, build each e-mail (Message-ID from the key, .ics
  attached), send on K pooled sessions, record each outcome with its own commit.
* bare-1: the same e-mails, built beforehand, sent by ``smtplib.SMTP.sendmail`` on one
  connection: a Python client's ceiling per connection.
* bare-K: the same, on K connections in K threads: the limit for a pool of that size.

Servers: ``sink`` is Postfix's ``smtp-sink`` (a very fast discard server; ``apt-get install
postfix``), or aiosmtpd's lean counting sink (tests/counting_smtp.py) in its own process when
smtp-sink is missing; ``relay`` is that aiosmtpd sink taking 50 ms a message, as a relay does.
``--host/--port`` sends to a server you run instead. Goals (issue 16): relay: duebot >= 0.8 x
bare-K; sink: duebot >= 0.5 x bare-1 per connection used; ``--lateness 10000`` (relay): p99 of
(accepted - due) for 10,000 due at one instant, service loop on a real-rate clock, under 60 s.
"""

from __future__ import annotations

import argparse
import os
import queue
import shutil
import smtplib
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.adapters.smtp import SmtpChannel, SmtpSettings  # noqa: E402
from bot.config import Config, DeliveryConfig, ScheduleConfig, SmtpConfig, StorageConfig  # noqa: E402
from bot.ports import Channel, Outcome, Outgoing  # noqa: E402
from bot.service import Service  # noqa: E402
from tests.services import deadline_schedule  # noqa: E402
from tests.smtp_server import free_port  # noqa: E402

SENDER = "AI Systems Workshop <noreply@example.org>"
DEADLINE = datetime(2030, 6, 2, 12, 0, tzinfo=UTC)
DUE = DEADLINE - timedelta(days=1)
RELAY_DELAY = 0.05

SCHEDULE = deadline_schedule(DEADLINE, event_id="bench", name="Benchmark Workshop", extra="""
[submission]
system = "HotCRP"
url = "https://bench.example.org/submit"
""")


# -- servers ----------------------------------------------------------------------------------

def serve_counting(port_file: str, delay: float) -> None:
    """Child mode: the lean aiosmtpd sink; prints its port, then counts on "count"."""
    from tests.counting_smtp import counting_smtp

    with counting_smtp(delay=delay) as server:
        Path(port_file).write_text(str(server.port))
        for line in sys.stdin:
            if line.strip() == "count":
                print(server.count, flush=True)
            elif line.strip() == "quit":
                break


@contextmanager
def spawned_server(kind: str, workdir: Path) -> Iterator[tuple[str, int, str]]:
    """(host, port, description) of a server started for this run, stopped after it."""
    sink = shutil.which("smtp-sink") or ("/usr/sbin/smtp-sink"
                                         if Path("/usr/sbin/smtp-sink").exists() else None)
    if kind == "sink" and sink:
        port = free_port()
        argv = [sink, "-u", "nobody", f"127.0.0.1:{port}", "256"] if os.geteuid() == 0 else [
            sink, f"127.0.0.1:{port}", "256"]
        process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            wait_listening(port, process)
            yield "127.0.0.1", port, "Postfix smtp-sink"
        finally:
            process.terminate()
            process.wait(timeout=10)
        return
    delay = RELAY_DELAY if kind == "relay" else 0.0
    port_file = workdir / f"port-{kind}"
    process = subprocess.Popen([sys.executable, __file__, "--serve", str(port_file),
                                "--delay", str(delay)], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        limit = time.monotonic() + 30
        while not (port_file.exists() and port_file.read_text()):
            if time.monotonic() > limit or process.poll() is not None:
                raise SystemExit("the aiosmtpd sink did not start")
            time.sleep(0.02)
        what = (f"aiosmtpd sink, {1000 * delay:.0f} ms a message" if delay
                else "aiosmtpd sink (smtp-sink not installed)")
        yield "127.0.0.1", int(port_file.read_text()), what
    finally:
        assert process.stdin is not None
        process.stdin.write("quit\n")
        process.stdin.close()
        process.wait(timeout=10)


def wait_listening(port: int, process: subprocess.Popen[bytes]) -> None:
    limit = time.monotonic() + 10
    while time.monotonic() < limit:
        if process.poll() is not None:
            raise SystemExit(f"smtp-sink exited: {process.stderr.read() if process.stderr else ''}")
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=2):
                return
        except OSError:
            time.sleep(0.05)
    raise SystemExit("smtp-sink did not start")


# -- duebot's side ----------------------------------------------------------------------------

class Timed:
    """Wraps the pooled channel: when each message was accepted, on the service's clock."""

    def __init__(self, inner: SmtpChannel, clock: Callable[[], datetime]) -> None:
        self.inner = inner
        self.scheme = inner.scheme
        self.concurrency = inner.concurrency
        self.clock = clock
        self.accepted: list[datetime] = []
        self._lock = threading.Lock()

    def send(self, message: Outgoing) -> Outcome:
        return self._timed(self.inner.send(message))

    builds_ahead = True

    def send_overlapped(self, message: Outgoing, meanwhile: Callable[[], None], *,
                        upcoming: str | None = None,
                        following: Callable[[], Outgoing | None] | None = None) -> Outcome:
        """The pooled channel's own: the previous record made before this final dot, the
        next envelope (``upcoming``) sent with it, the next message built (``following``)
        while the server reads it."""
        return self._timed(self.inner.send_overlapped(message, meanwhile, upcoming=upcoming,
                                                      following=following))

    def _timed(self, outcome: Outcome) -> Outcome:
        if outcome.kind == "sent":
            at = self.clock()
            with self._lock:
                self.accepted.append(at)
        return outcome

    def close(self) -> None:
        self.inner.close()


def destinations(n: int) -> tuple[str, ...]:
    return tuple(f"mailto:participant{i:05d}@example.org" for i in range(n))


def make_service(workdir: Path, host: str, port: int, n: int, connections: int,
                 clock: Callable[[], datetime], batch_size: int) -> tuple[Service, Timed]:
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
    channel = Timed(SmtpChannel(SmtpSettings(host=host, port=port, sender=SENDER, timeout=30,
                                             connections=connections)), clock)
    channels: dict[str, Channel] = {"mailto": channel}
    return Service(config, clock=clock, channels=channels, owner="bench"), channel


def run_duebot(workdir: Path, host: str, port: int, n: int, connections: int,
               batch_size: int) -> float:
    """Seconds for reconcile + deliver everything, driven with an explicit now."""
    before = DUE - timedelta(minutes=5)
    service, channel = make_service(workdir, host, port, n, connections, lambda: before,
                                    batch_size)
    start = time.perf_counter()
    service.reconcile(before)
    report = service.deliver_once(DUE + timedelta(seconds=1))
    elapsed = time.perf_counter() - start
    service.ledger.close()
    if report.sent != n or len(channel.accepted) != n:
        raise SystemExit(f"duebot sent {report.sent} of {n}: {report}")
    return elapsed


def run_lateness(workdir: Path, host: str, port: int, n: int, connections: int,
                 batch_size: int) -> list[float]:
    """The real service loop on a real-rate clock that reaches the due time 0.5 s after the
    service is built (on a loaded machine building it can take longer than that, and a
    reminder planned after its due time is skipped, not sent)."""
    offset = [timedelta(0)]

    def clock() -> datetime:
        return datetime.now(UTC) + offset[0]

    service, channel = make_service(workdir, host, port, n, connections, clock, batch_size)
    offset[0] = (DUE - timedelta(seconds=0.5)) - datetime.now(UTC)
    service.start()
    try:
        limit = time.monotonic() + 900
        while len(channel.accepted) < n and time.monotonic() < limit:
            time.sleep(0.05)
    finally:
        service.stop()
        service.ledger.close()
    if len(channel.accepted) != n:
        raise SystemExit(f"the loop sent {len(channel.accepted)} of {n}")
    return [(t - DUE).total_seconds() for t in channel.accepted]


# -- the bare loops ---------------------------------------------------------------------------

Mail = tuple[str, list[str], bytes]


def prerendered(n: int) -> list[Mail]:
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


def run_bare(host: str, port: int, messages: list[Mail], connections: int) -> float:
    """Seconds to send them all on ``connections`` smtplib connections, one thread each."""
    work: queue.SimpleQueue[Mail | None] = queue.SimpleQueue()
    for mail in messages:
        work.put(mail)
    for _ in range(connections):
        work.put(None)

    def worker() -> None:
        with smtplib.SMTP(host, port, timeout=30) as conn:
            while (mail := work.get()) is not None:
                conn.sendmail(*mail)

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", choices=("sink", "relay"), default="relay")
    parser.add_argument("--host", help="send to this server instead of starting one")
    parser.add_argument("--port", type=int, default=25)
    parser.add_argument("--n", type=int, help="destinations (sink 5000, relay 1000)")
    parser.add_argument("--connections", type=int, default=SmtpConfig.connections,
                        help=f"duebot's [smtp] connections and bare-K's (default "
                             f"{SmtpConfig.connections})")
    parser.add_argument("--batch-size", type=int, default=DeliveryConfig.batch_size)
    parser.add_argument("--rounds", type=int, default=1, help="repeat, report medians")
    parser.add_argument("--lateness", type=int, default=0, metavar="N",
                        help="also run the service loop with N due at one instant")
    parser.add_argument("--quick", action="store_true", help="a smoke test: 200 mails")
    parser.add_argument("--serve", metavar="PORT_FILE", help=argparse.SUPPRESS)
    parser.add_argument("--delay", type=float, default=0.0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve_counting(args.serve, args.delay)
        return 0
    n = args.n or (200 if args.quick else 5000 if args.server == "sink" else 1000)
    k = args.connections
    load_before = os.getloadavg()
    times: dict[str, list[float]] = {"bare-1": [], "bare-K": [], "duebot": []}
    lateness: list[float] = []
    with tempfile.TemporaryDirectory(prefix="duebot-fanout-") as tmp:
        workdir = Path(tmp)
        messages = prerendered(n)

        @contextmanager
        def server() -> Iterator[tuple[str, int, str]]:
            if args.host:
                yield args.host, args.port, f"{args.host}:{args.port}"
            else:
                with spawned_server(args.server, workdir) as found:
                    yield found

        with server() as (host, port, what):
            run_bare(host, port, messages[: min(200, n)], 1)  # warm up the server
            for _ in range(max(1, args.rounds)):
                if args.server == "sink" or args.host:
                    times["bare-1"].append(run_bare(host, port, messages, 1))
                times["bare-K"].append(run_bare(host, port, messages, k))
                times["duebot"].append(run_duebot(workdir, host, port, n, k, args.batch_size))
            if args.lateness:
                lateness = run_lateness(workdir, host, port, args.lateness, k, args.batch_size)
    load_after = os.getloadavg()

    rate = {name: n / statistics.median(t) for name, t in times.items() if t}
    print(f"fan-out of {n} reminder e-mails to {what} (python {sys.version.split()[0]}, "
          f"{os.cpu_count()} cpus, load {load_before[0]:.2f} -> {load_after[0]:.2f}, "
          f"K = {k} connections, batch_size {args.batch_size})")
    for name, value in rate.items():
        print(f"  {name:<7} {value:8.1f} msgs/s")
    ratio_k = rate["duebot"] / rate["bare-K"]
    if args.server == "relay" and not args.host:
        limit = k / RELAY_DELAY
        print(f"  duebot / bare-K: {ratio_k:.2f} (goal >= 0.80: "
              f"{'met' if ratio_k >= 0.8 else 'NOT met'}); pool limit {limit:.0f} msgs/s")
    else:
        per = rate["duebot"] / (k * rate["bare-1"])
        print(f"  duebot / bare-K: {ratio_k:.2f}; duebot / bare-1: "
              f"{rate['duebot'] / rate['bare-1']:.2f}; per connection used: {per:.2f} x bare-1 "
              f"(goal >= 0.50: {'met' if per >= 0.5 else 'NOT met'})")
    if lateness:
        p99 = percentile(lateness, 0.99)
        print(f"  lateness, {len(lateness)} due at one instant: p50 "
              f"{percentile(lateness, 0.5):.2f} s, p99 {p99:.2f} s (goal < 60 s: "
              f"{'met' if p99 < 60 else 'NOT met'}), last {max(lateness):.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
