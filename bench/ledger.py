"""Ledger growth benchmark: reconcile at 1k/10k/50k destinations on SQLite and PostgreSQL.

    .venv/bin/python bench/ledger.py [--sizes 1000,10000,50000] [--backends sqlite,postgresql]
                                     [--repeat 3] [--quick]

One workshop with three reminders before one deadline (three rows per destination), N
``mailto:`` destinations, through the engine's own ``reconcile`` (plan in the core, then the
ledger). Each phase runs in a child process of its own, one after the other on the same
database, so that its peak RSS is its own:

* first plan: an empty ledger gets 3N rows;
* unchanged: the same plan again (nothing to do: the cost of finding that out);
* re-time: the deadline moves a day later, so every unsent row is re-timed.

Printed per size (medians of ``--repeat`` runs, 3 by default): seconds per phase, the peak RSS
(MB) of the worst phase and of a child that only sets up (imports, schedule, N destinations).
Ratios, all from this run (issue 16): re-time / first plan (goal <= 2), PostgreSQL first plan /
SQLite first plan (goal <= 1.5), peak RSS at the largest size (goal < 250 MB) and largest /
smallest size (flat in N: near 1). PostgreSQL is the machine's server (tests/pg.py, a fresh
database per size); it is left out, saying why, when unreachable. The load average is printed:
on a shared machine it says how much of the time was other work's.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.services import deadline_schedule  # noqa: E402

NOW = datetime(2030, 1, 10, 12, 0, tzinfo=UTC)


def schedule(deadline: str) -> str:
    return deadline_schedule(deadline, event_id="growth", name="Growth Workshop",
                             zone="Europe/Berlin", leads='["7d", "1d", "3h"]')


PHASES = ("setup", "first", "unchanged", "retime")


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(url: str, n: int, phase: str) -> dict[str, float]:
    """One phase in this process (the ledger already holds the earlier phases' rows)."""
    from bot.adapters.store.ledger import Ledger
    from bot.adapters.template_files import load_templates
    from bot.app.delivery import Engine
    from bot.config import DeliveryConfig
    from bot.core.render import Renderer
    from bot.core.schedule import parse_schedule

    ledger = Ledger.open(url, owner="bench")
    deadline = "2030-03-21 23:59" if phase == "retime" else "2030-03-20 23:59"
    event = parse_schedule(schedule(deadline), "growth.toml")
    people = {event.id: tuple(f"mailto:p{i:06d}@example.org" for i in range(n))}
    engine = Engine(ledger, events={event.id: event}, destinations=people,
                    renderer=Renderer(load_templates()), channels={},
                    settings=DeliveryConfig())
    seconds = 0.0
    if phase != "setup":
        start = time.perf_counter()
        report = engine.reconcile(NOW)[event.id]
        seconds = time.perf_counter() - start
        expected = {"first": (3 * n, 0, 0), "unchanged": (0, 0, 3 * n),
                    "retime": (0, 3 * n, 0)}[phase]
        if (report.added, report.retimed, report.unchanged) != expected:
            raise SystemExit(f"{phase}: unexpected report {report}")
        counts = ledger.counts()
        if counts != {"pending": 3 * n}:
            raise SystemExit(f"{phase}: unexpected ledger {counts}")
    ledger.close()
    return {"seconds": seconds, "mb": rss_mb()}


def run_child(url: str, n: int, phase: str) -> dict[str, float]:
    done = subprocess.run([sys.executable, __file__, "--child", url, str(n), phase], cwd=ROOT,
                          capture_output=True, text=True, timeout=3600, check=False)
    if done.returncode != 0:
        raise SystemExit(f"child failed ({url}, {n}, {phase}):\n{done.stderr[-3000:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run_size(url: str, n: int) -> dict[str, float]:
    out: dict[str, float] = {}
    for phase in PHASES:
        result = run_child(url, n, phase)
        out[phase], out[f"{phase}_mb"] = result["seconds"], result["mb"]
    out["peak_mb"] = max(out[f"{phase}_mb"] for phase in PHASES[1:])
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--quick", action="store_true", help="a smoke test: 1,000 only, once")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs per size, each on a fresh database; medians are shown")
    parser.add_argument("--child", nargs=3, metavar=("URL", "N", "PHASE"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child[0], int(args.child[1]), args.child[2])))
        return 0
    sizes = [1000] if args.quick else [int(s) for s in args.sizes.split(",")]
    load_before = os.getloadavg()
    repeat = 1 if args.quick else max(args.repeat, 1)
    runs: dict[tuple[str, int], list[dict[str, float]]] = {}
    for _ in range(repeat):  # interleaved, so a burst of other work hits every size alike
        for backend in args.backends.split(","):
            for n in sizes:
                if backend == "sqlite":
                    with tempfile.TemporaryDirectory(prefix="duebot-ledger-") as tmp:
                        result = run_size(f"sqlite:///{tmp}/ledger.db", n)
                else:
                    from tests.pg import fresh_database, unreachable_reason

                    reason = unreachable_reason()
                    if reason:
                        print(f"postgresql left out: {reason}")
                        break
                    with fresh_database("duebot_bench") as url:
                        result = run_size(url, n)
                runs.setdefault((backend, n), []).append(result)
    results = {where: {name: statistics.median(r[name] for r in found) for name in found[0]}
               for where, found in runs.items()}
    load_after = os.getloadavg()
    print(f"ledger growth (3 reminders x N destinations; python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs, load average {load_before[0]:.1f} before, "
          f"{load_after[0]:.1f} after; medians of {repeat})")
    print(f"  {'backend':<10} {'N':>6} {'rows':>7} {'first':>8} {'unchanged':>10} "
          f"{'re-time':>8} {'re-time/first':>14} {'peak MB':>8} {'setup MB':>9}")
    for (backend, n), r in results.items():
        print(f"  {backend:<10} {n:>6} {3 * n:>7} {r['first']:>7.2f}s {r['unchanged']:>9.2f}s "
              f"{r['retime']:>7.2f}s {r['retime'] / r['first']:>14.2f} {r['peak_mb']:>8.0f} "
              f"{r['setup_mb']:>9.0f}")
    for n in sizes:
        if ("sqlite", n) in results and ("postgresql", n) in results:
            ratio = results["postgresql", n]["first"] / results["sqlite", n]["first"]
            print(f"  first plan at {n}: postgresql / sqlite = {ratio:.2f} (goal <= 1.5)")
    big, small = max(sizes), min(sizes)
    for backend in ("sqlite", "postgresql"):
        if (backend, big) in results:
            r = results[backend, big]
            flat = r["peak_mb"] / results[backend, small]["peak_mb"]
            print(f"  {backend} at {big}: re-time / first = {r['retime'] / r['first']:.2f} "
                  f"(goal <= 2); peak RSS {r['peak_mb']:.0f} MB (goal < 250), "
                  f"{flat:.2f}x the peak at {small}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
