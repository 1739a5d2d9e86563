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
* wall: N / (all processes exited - started), start-up (imports, config, reconcile) included.

Then the same with an instant server, and the ledger alone: R processes that only claim and
record (``Ledger.claim`` + ``Ledger.finish``), no rendering, no SMTP: the ceiling the database
puts on any number of replicas. The goal: 4 replicas >= 3x one, since the work waits on the
mail server, not the CPU.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.adapters.store.ledger import Ledger  # noqa: E402
from bot.ports import Planned  # noqa: E402
from tests.counting_smtp import counting_smtp  # noqa: E402
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


def delivery_run(replicas: int, deliveries: int, delay: float, batch_size: int,
                 workdir: Path, connections: int = 0) -> tuple[float, float]:
    """(steady rate, wall rate) for one run; checks that every delivery went exactly once."""
    with fresh_database("duebot_bench") as url, counting_smtp(delay=delay) as smtp:
        config = write_config(workdir / f"r{replicas}-d{delay}", database_url=url,
                              smtp_port=smtp.port, count=deliveries, batch_size=batch_size)
        if connections:  # else the config's default
            text = config.read_text(encoding="utf-8")
            config.write_text(text.replace("timeout = 30", f"timeout = 30\nconnections = "
                                           f"{connections}", 1), encoding="utf-8")
        planner = deliver_once(config, BEFORE_DUE, name="planner")
        if planner.wait() != 0:
            raise SystemExit(f"planning failed:\n{planner.stderr}")
        started = time.perf_counter()
        processes = [deliver_once(config, AT_DUE, name=f"r{i}") for i in range(replicas)]
        for process in processes:
            if process.wait() != 0:
                raise SystemExit(f"a replica failed:\n{process.stderr}")
        wall = time.perf_counter() - started
        stamps = list(smtp.accepted_at)
        keys = smtp.keys
        sent = query(url, "SELECT count(*) FROM deliveries WHERE state = 'sent'")[0][0]
        if len(keys) != deliveries or max(keys.values()) != 1 or sent != deliveries:
            raise SystemExit(f"not exactly once: {len(keys)} keys, max "
                             f"{max(keys.values())} copies, {sent} recorded sent")
        steady = (len(stamps) - 1) / max(stamps[-1] - stamps[0], 1e-9)
        return steady, deliveries / wall


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
    args = parser.parse_args()
    if args.quick:
        args.deliveries = 400
    reason = unreachable_reason()
    if reason:
        print(f"bench/replicas.py: {reason}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="duebot-bench-") as tmp:
        workdir = Path(tmp)
        for delay, label in ((args.delay, f"SMTP server taking {args.delay * 1000:.0f} ms "
                                          f"per message"), (0.0, "instant SMTP server")):
            print(f"{args.deliveries} deliveries, full path, {label}, batch "
                  f"{args.batch_size}:")
            rates = {}
            for replicas in REPLICAS:
                steady, wall = delivery_run(replicas, args.deliveries, delay, args.batch_size,
                                            workdir, args.connections)
                rates[replicas] = steady
                print(f"  {replicas} replica(s): {steady:7.1f} deliveries/s steady, "
                      f"{wall:7.1f}/s wall (start-up included)", flush=True)
            print(f"  ratio 4:1 = {rates[4] / rates[1]:.2f}x")
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
