"""Ledger growth benchmark: reconcile at 1k/10k/50k destinations on SQLite and PostgreSQL.

    .venv/bin/python bench/ledger.py [--sizes 1000,10000,50000] [--backends sqlite,postgresql]
                                     [--quick]

One workshop with three reminders before one deadline (three rows per destination), N
``mailto:`` destinations, through the engine's own ``reconcile`` (plan in the core, then the
ledger), each size in a fresh child process so that its peak RSS is its own:

* first plan: an empty ledger gets 3N rows;
* unchanged: the same plan again (nothing to do: the cost of finding that out);
* re-time: the deadline moves a day later, so every unsent row is re-timed.

Printed per size: seconds per phase and the peak RSS (MB) after each. Ratios (issue 16):
re-time / first plan (goal <= 2), PostgreSQL first plan / SQLite first plan (goal <= 1.5),
peak RSS at the largest size (goal < 250 MB, flat in N). PostgreSQL is the machine's server
(tests/pg.py, a fresh database per run); it is left out, saying why, when unreachable.
"""

from __future__ import annotations

import argparse
import json
import resource
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


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(url: str, n: int) -> dict[str, float]:
    """Run the three phases in this process; the figures as a dict."""
    from bot.adapters.store.ledger import Ledger
    from bot.adapters.template_files import load_templates
    from bot.app.delivery import Engine
    from bot.config import DeliveryConfig
    from bot.core.render import Renderer
    from bot.core.schedule import parse_schedule

    ledger = Ledger.open(url, owner="bench")
    first = parse_schedule(schedule("2030-03-20 23:59"), "growth.toml")
    moved = parse_schedule(schedule("2030-03-21 23:59"), "growth.toml")
    people = {first.id: tuple(f"mailto:p{i:06d}@example.org" for i in range(n))}
    engine = Engine(ledger, events={first.id: first}, destinations=people,
                    renderer=Renderer(load_templates()), channels={},
                    settings=DeliveryConfig())
    out: dict[str, float] = {"base_mb": rss_mb()}
    for phase, event in (("first", first), ("unchanged", first), ("retime", moved)):
        if event is not first:
            engine.set_schedules({event.id: event}, people)
        start = time.perf_counter()
        engine.reconcile(NOW)
        out[phase] = time.perf_counter() - start
        out[f"{phase}_mb"] = rss_mb()
    counts = ledger.counts()
    if counts != {"pending": 3 * n}:
        raise SystemExit(f"unexpected ledger: {counts}")
    ledger.close()
    return out


def run_child(url: str, n: int) -> dict[str, float]:
    done = subprocess.run([sys.executable, __file__, "--child", url, str(n)], cwd=ROOT,
                          capture_output=True, text=True, timeout=3600, check=False)
    if done.returncode != 0:
        raise SystemExit(f"child failed ({url}, {n}):\n{done.stderr[-3000:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--quick", action="store_true", help="a smoke test: 1,000 only")
    parser.add_argument("--child", nargs=2, metavar=("URL", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child[0], int(args.child[1]))))
        return 0
    sizes = [1000] if args.quick else [int(s) for s in args.sizes.split(",")]
    results: dict[tuple[str, int], dict[str, float]] = {}
    for backend in args.backends.split(","):
        for n in sizes:
            if backend == "sqlite":
                with tempfile.TemporaryDirectory(prefix="duebot-ledger-") as tmp:
                    results[backend, n] = run_child(f"sqlite:///{tmp}/ledger.db", n)
            else:
                from tests.pg import fresh_database, unreachable_reason

                reason = unreachable_reason()
                if reason:
                    print(f"postgresql left out: {reason}")
                    break
                with fresh_database("duebot_bench") as url:
                    results[backend, n] = run_child(url, n)
    print(f"ledger growth (3 reminders x N destinations; python {sys.version.split()[0]})")
    print(f"  {'backend':<10} {'N':>6} {'rows':>7} {'first':>8} {'unchanged':>10} "
          f"{'re-time':>8} {'re-time/first':>14} {'peak MB':>8}")
    for (backend, n), r in results.items():
        print(f"  {backend:<10} {n:>6} {3 * n:>7} {r['first']:>7.2f}s {r['unchanged']:>9.2f}s "
              f"{r['retime']:>7.2f}s {r['retime'] / r['first']:>14.2f} {r['retime_mb']:>8.0f}")
    for n in sizes:
        if ("sqlite", n) in results and ("postgresql", n) in results:
            ratio = results["postgresql", n]["first"] / results["sqlite", n]["first"]
            print(f"  first plan at {n}: postgresql / sqlite = {ratio:.2f} (goal <= 1.5)")
    big = max(sizes)
    for backend in ("sqlite", "postgresql"):
        if (backend, big) in results:
            r = results[backend, big]
            print(f"  {backend} at {big}: re-time / first = {r['retime'] / r['first']:.2f} "
                  f"(goal <= 2); peak RSS {r['retime_mb']:.0f} MB (goal < 250)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
