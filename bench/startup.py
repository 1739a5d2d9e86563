"""Start-up benchmark: ``duebot run`` with 1,000 schedules x 20 dates until ``/healthz`` is 200.

    .venv/bin/python bench/startup.py [--schedules 1000] [--dates 20] [--database URL]
                                      [--host 127.0.0.1 --port P] [--rounds 3] [--quick]

Writes S schedule files of D dates each (deadlines with two reminders each, all in the future,
each schedule sending to ``console:`` and one ``mailto:``), a config with HTTP on
``--host/--port`` (a free port by default) and a fresh SQLite ledger (or ``--database``), then
times, from the process start, the first 200 answer of ``/healthz``: reading every schedule,
planning, the first reconcile into an empty ledger, and the HTTP side coming up. The
baseline, measured in the same run, is the same command on one schedule of one date: the
interpreter, the imports and the server stack alone. Goal (issue 16): under 3 s. A second start
on the now full ledger (the restart case: nothing to add) is timed too.

Each round starts afresh (new files, new ledger: with ``--database`` its tables are dropped
first) and times the three in turn, so that each round's figures share the machine's load;
the medians are printed, with the CPU seconds the process used (less sensitive to other
load on the machine than the wall time).
"""

from __future__ import annotations

import argparse
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def write_tree(directory: Path, schedules: int, dates: int, *, host: str, port: int,
               database: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    entries = []
    for s in range(schedules):
        lines = [f'[event]\nid = "w{s:04d}"\nname = "Workshop {s}"\nzone = "America/New_York"\n',
                 '[reminders]\ndeadline = ["7d", "1d"]\n']
        for d in range(dates):
            lines.append(f'[[dates]]\nid = "d{d:02d}"\ntitle = "Deadline {d}"\n'
                         f'kind = "deadline"\nat = "2031-{1 + d % 12:02d}-{1 + d:02d} 23:59"\n')
        path = directory / f"w{s:04d}.toml"
        path.write_text("\n".join(lines), encoding="utf-8")
        entries.append(f'[[schedules]]\npath = "{path.name}"\n'
                       f'reminders_to = ["console:", "mailto:list{s}@example.org"]\n')
    config = directory / "duebot.toml"
    config.write_text(f"""
[storage]
database_url = "{database or f'sqlite:///{directory}/ledger.db'}"

[smtp]
host = "127.0.0.1"
port = 2525
sender = "Bench <noreply@example.org>"

[http]
host = "{host}"
port = {port}

[log]
level = "WARNING"

""" + "\n".join(entries), encoding="utf-8")
    return config


def time_until_healthy(config: Path, host: str, port: int, timeout: float = 300
                       ) -> tuple[float, float]:
    """Seconds from starting ``duebot run`` to the first 200 from /healthz, and the CPU
    seconds the process had used by the end of its run; it is stopped (SIGINT) at the 200."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "bot", "run", "--config", str(config)],
                               cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wall = _healthy(process, host, port, start, timeout)
    finally:
        process.send_signal(2)  # SIGINT: a clean stop
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _healthy(process: subprocess.Popen[bytes], host: str, port: int, start: float,
             timeout: float) -> float:
        url = f"http://{host}:{port}/healthz"
        while True:
            if process.poll() is not None:
                err = process.stderr.read().decode() if process.stderr else ""
                raise SystemExit(f"duebot run exited early:\n{err[-3000:]}")
            try:
                with urllib.request.urlopen(url, timeout=2) as answer:
                    if answer.status == 200:
                        return time.perf_counter() - start
            except (urllib.error.URLError, OSError):
                pass
            if time.perf_counter() - start > timeout:
                raise SystemExit("no healthy /healthz in time")
            time.sleep(0.02)


def drop_tables(database: str) -> None:
    """An empty PostgreSQL ledger for a round: its tables dropped (duebot creates them)."""
    import sqlalchemy as sa

    engine = sa.create_engine(database)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--schedules", type=int, default=1000)
    parser.add_argument("--dates", type=int, default=20)
    parser.add_argument("--database", default="",
                        help="a ledger URL (default: fresh SQLite); its tables are DROPPED")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--rounds", type=int, default=1, help="medians of this many rounds")
    parser.add_argument("--quick", action="store_true", help="a smoke test: 50 schedules")
    args = parser.parse_args(argv)
    schedules = 50 if args.quick else args.schedules
    port = args.port or free_port()
    figures: dict[str, list[tuple[float, float]]] = {"base": [], "first": [], "again": []}
    for _round in range(args.rounds):
        with tempfile.TemporaryDirectory(prefix="duebot-startup-") as tmp:
            if args.database:
                drop_tables(args.database)
            base = write_tree(Path(tmp) / "base", 1, 1, host=args.host, port=port,
                              database="")
            figures["base"].append(time_until_healthy(base, args.host, port))
            big = write_tree(Path(tmp) / "big", schedules, args.dates, host=args.host,
                             port=port, database=args.database)
            figures["first"].append(time_until_healthy(big, args.host, port))
            figures["again"].append(time_until_healthy(big, args.host, port))
    baseline, first, again = (statistics.median(w for w, _ in figures[k])
                              for k in ("base", "first", "again"))
    cpu = {k: statistics.median(c for _, c in v) for k, v in figures.items()}
    rows = schedules * args.dates * 2 * 2
    load = os.getloadavg()[0]
    print(f"start-up until /healthz 200 (python {sys.version.split()[0]}, "
          f"{'PostgreSQL' if args.database else 'SQLite'}, medians of {args.rounds}, "
          f"load average {load:.1f}):")
    print(f"  baseline, 1 schedule x 1 date:              {baseline:6.2f} s"
          f"  (CPU {cpu['base']:.2f} s)")
    print(f"  {schedules} schedules x {args.dates} dates, empty ledger ({rows} rows): "
          f"{first:6.2f} s"
          f"  ({first / baseline:.1f}x baseline; goal < 3 s: "
          f"{'met' if first < 3 else 'NOT met'}; CPU {cpu['first']:.2f} s)")
    print(f"  the same again, ledger already planned:     {again:6.2f} s"
          f"  ({again / baseline:.1f}x baseline; goal < 3 s: "
          f"{'met' if again < 3 else 'NOT met'}; CPU {cpu['again']:.2f} s)")
    if args.rounds > 1:
        for name, key in (("baseline", "base"), ("first", "first"), ("again", "again")):
            print(f"    {name:8s} rounds: " + ", ".join(f"{w:.2f}" for w, _ in figures[key]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
