"""Start-up benchmark: ``duebot run`` with 1,000 schedules x 20 dates until ``/healthz`` is 200.

    .venv/bin/python bench/startup.py [--schedules 1000] [--dates 20] [--database URL]
                                      [--host 127.0.0.1 --port P] [--rounds 3] [--quick]
                                      [--phases] [--tree DIR]

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

``--phases`` runs duebot through a small starter (``PHASES``: the command line's ``main`` with
``run``, as ``python -m bot`` runs it) that notes the main process's CPU seconds as each phase
begins and ends: the interpreter, the command line's imports, reading and proving the
schedules, opening the ledger, the first reconcile, and from its end to the 200 (the HTTP
side; read from ``/proc``), with the forked readers' CPU apart. Nothing in duebot is changed:
the starter wraps four functions as their modules are imported (not earlier, so that what is
imported when stays as it is).
"""

from __future__ import annotations

import argparse
import json
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


PHASES = r"""
import json, os, sys, time
out = open(sys.argv[1], "w", buffering=1)

def mark(name):
    out.write(json.dumps([name, time.process_time(), time.perf_counter()]) + "\n")

mark("interpreter")
WRAP = {"bot.service": [("Service", "reload", "schedules")],
        "bot.adapters.store.ledger": [("Ledger", "open", "ledger open")],
        "bot.app.delivery": [("Engine", "reconcile", "reconcile")]}

def wrap(module):
    for owner_name, attr, name in WRAP.get(module.__name__, ()):
        owner = getattr(module, owner_name)
        real = owner.__dict__[attr]
        classmethod_ = isinstance(real, classmethod)
        func = real.__func__ if classmethod_ else real
        def wrapped(*args, _func=func, _name=name, **kwargs):
            mark(_name + " begins")
            try:
                return _func(*args, **kwargs)
            finally:
                mark(_name + " ends")
        setattr(owner, attr, classmethod(wrapped) if classmethod_ else wrapped)

class Hook:
    # A finder that wraps WRAP's functions once their module has run, as it is imported.
    def find_spec(self, name, path, target=None):
        if name not in WRAP:
            return None
        import importlib.util
        sys.meta_path.remove(self)
        try:
            spec = importlib.util.find_spec(name)
        finally:
            sys.meta_path.insert(0, self)
        loader = spec.loader
        real = loader.exec_module
        def exec_module(module):
            real(module)
            wrap(module)
        loader.exec_module = exec_module
        return spec

sys.meta_path.insert(0, Hook())
from bot.cli.main import main
mark("imports")
sys.exit(main(sys.argv[2:]))
"""
"""``--phases``' starter: ``python -c PHASES OUT run --config FILE``; one JSON line per mark."""


def _proc_cpu(pid: int) -> tuple[float, float]:
    """The process's own CPU seconds and its reaped children's, from ``/proc``."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    tick = os.sysconf("SC_CLK_TCK")
    utime, stime, cutime, cstime = (int(f) for f in fields[11:15])
    return (utime + stime) / tick, (cutime + cstime) / tick


def _phases(marks_file: Path, at_200: tuple[float, float], start: float, wall: float
            ) -> dict[str, tuple[float, float]]:
    """(CPU, wall) seconds of each phase of the main process, from the starter's marks."""
    marks: dict[str, tuple[float, float]] = {}
    for line in marks_file.read_text().splitlines():
        name, cpu, when = json.loads(line)
        marks.setdefault(name, (cpu, when))  # the first time: the start's, not a reload's
    cpu_200, children = at_200
    order = [("interpreter", None, "interpreter"),
             ("imports", "interpreter", "command line's imports"),
             ("schedules begins", "imports", "config, until reading"),
             ("schedules ends", "schedules begins", "reading and proving schedules"),
             ("ledger open begins", "schedules ends", "after reading, until the ledger"),
             ("ledger open ends", "ledger open begins", "opening the ledger"),
             ("reconcile begins", "ledger open ends", "until the first reconcile"),
             ("reconcile ends", "reconcile begins", "first reconcile")]
    phases: dict[str, tuple[float, float]] = {}
    for mark, since, label in order:
        if mark not in marks:
            continue
        cpu, when = marks[mark]
        cpu0, when0 = marks[since] if since else (0.0, start)
        phases[label] = (cpu - cpu0, when - when0)
    if "reconcile ends" in marks:
        cpu, when = marks["reconcile ends"]
        phases["after reconcile, until the 200"] = (cpu_200 - cpu, start + wall - when)
    phases["main process at the 200"] = (cpu_200, wall)
    phases["forked readers (reaped by the 200)"] = (children, 0.0)
    return phases


def time_until_healthy(config: Path, host: str, port: int, timeout: float = 300, *,
                       phases: Path | None = None, tree: Path = ROOT
                       ) -> tuple[float, float, dict[str, tuple[float, float]]]:
    """Seconds from starting ``duebot run`` to the first 200 from /healthz, the CPU seconds
    the process (and its children) had used by the end of its run, and with ``phases`` (a
    file for the starter's marks) the main process's CPU and wall seconds by phase; it is
    stopped (SIGINT) at the 200."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    command = [sys.executable, "-m", "bot"] if phases is None else [
        sys.executable, "-c", PHASES, str(phases)]
    start = time.perf_counter()
    process = subprocess.Popen([*command, "run", "--config", str(config)],
                               cwd=tree, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    by_phase: dict[str, tuple[float, float]] = {}
    try:
        wall = _healthy(process, host, port, start, timeout)
        if phases is not None:
            by_phase = _phases(phases, _proc_cpu(process.pid), start, wall)
    finally:
        process.send_signal(2)  # SIGINT: a clean stop
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, by_phase


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
    parser.add_argument("--tree", type=Path, default=ROOT,
                        help="the duebot tree to run (default: this bench's; another checkout "
                             "to compare two in the same minutes)")
    parser.add_argument("--phases", action="store_true",
                        help="also the main process's CPU by phase (through a starter that "
                             "notes them; see the module)")
    args = parser.parse_args(argv)
    schedules = 50 if args.quick else args.schedules
    port = args.port or free_port()
    figures: dict[str, list[tuple[float, float]]] = {"base": [], "first": [], "again": []}
    phases: dict[str, list[dict[str, tuple[float, float]]]] = {"first": [], "again": []}
    for _round in range(args.rounds):
        with tempfile.TemporaryDirectory(prefix="duebot-startup-") as tmp:
            if args.database:
                drop_tables(args.database)
            marks = Path(tmp) / "marks.jsonl" if args.phases else None
            base = write_tree(Path(tmp) / "base", 1, 1, host=args.host, port=port,
                              database="")
            figures["base"].append(time_until_healthy(base, args.host, port, phases=marks,
                                                      tree=args.tree)[:2])
            big = write_tree(Path(tmp) / "big", schedules, args.dates, host=args.host,
                             port=port, database=args.database)
            for key in ("first", "again"):
                wall, cpu_s, by_phase = time_until_healthy(big, args.host, port, phases=marks,
                                                           tree=args.tree)
                figures[key].append((wall, cpu_s))
                phases[key].append(by_phase)
    baseline, first, again = (statistics.median(w for w, _ in figures[k])
                              for k in ("base", "first", "again"))
    cpu = {k: statistics.median(c for _, c in v) for k, v in figures.items()}
    rows = schedules * args.dates * 2 * 2
    load = os.getloadavg()[0]
    print(f"start-up until /healthz 200 ({args.tree}, python {sys.version.split()[0]}, "
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
    if args.phases:
        print("  main process by phase, CPU s (wall s), medians; first start | again:")
        labels = list(dict.fromkeys(k for runs in phases.values() for run in runs for k in run))
        for label in labels:
            cells = []
            for key in ("first", "again"):
                runs = [run[label] for run in phases[key] if label in run]
                cells.append(f"{statistics.median(c for c, _ in runs):6.3f} "
                             f"({statistics.median(w for _, w in runs):6.3f})" if runs
                             else f"{'-':>15s}")
            print(f"    {label:36s} {cells[0]} | {cells[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
