"""Several duebot processes started at once on a brand-new database: all of them start.

A first deployment (a compose file with three replicas, a cron job beside a service) starts
several processes on an empty database at the same moment; each one that finds no schema
makes it. Before, on SQLite alembic committed after each migration, so a process starting
beside the one migrating read a half-built schema ("at revision 0001 ... run duebot db
upgrade") or met its lock halfway ("database is locked"); on PostgreSQL two ``duebot db
upgrade`` both created alembic's table (a unique violation, with a traceback). Now the whole
upgrade is one transaction under the schema lock (SQLite's write lock, a PostgreSQL advisory
lock), and the revision is read again under it.

The processes are real ones running the command line's ``main`` (what ``python -m bot``
runs); each imports duebot first and then waits for one go signal, so that they reach the
database within milliseconds of each other rather than a Python start-up apart.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.adapters.store.database import current_revision, head_revision, make_engine
from tests.pg import BEFORE_DUE, ROOT, write_config

pytestmark = pytest.mark.slow  # real processes

PROCESSES = 4

# Imports duebot (and alembic, which a first start imports), says so (a file named after its
# pid in the ready directory), waits for the go file, then runs the command line's main with
# the arguments given, as ``python -m bot ARGS`` would.
STARTER = """
import os, pathlib, sys, time
import alembic.command, alembic.runtime.migration
import bot.adapters.store.ledger, bot.cli.commands.service
from bot.cli.main import main
ready, go = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
(ready / str(os.getpid())).touch()
while not go.exists():
    time.sleep(0.002)
sys.exit(main(sys.argv[3:]))
"""



def _start_at_once(config: Path, commands: list[list[str]]) -> list[tuple[int, str]]:
    """Each command in its own process, released together; (exit code, stderr) of each."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("DUEBOT_DATABASE_URL", None)
    ready, go = config.parent / "ready", config.parent / "go"
    ready.mkdir()
    processes = [subprocess.Popen(
        [sys.executable, "-c", STARTER, str(ready), str(go), *args, "--config", str(config)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        for args in commands]
    # Released once all have imported; one that died importing is reported by its exit code.
    deadline = time.monotonic() + 120
    while (len(list(ready.iterdir())) < len(processes) and time.monotonic() < deadline
           and all(process.poll() is None for process in processes)):
        time.sleep(0.01)
    go.touch()
    return [(process.wait(timeout=120), process.communicate()[1]) for process in processes]


def test_processes_started_at_once_on_a_new_database_all_start_and_leave_it_at_head(
        tmp_path: Path, url: str) -> None:
    config = write_config(tmp_path, database_url=url, smtp_port=9, count=1)
    # Half run `duebot db upgrade`, half a service's start (`deliver --once`: nothing is due yet).
    commands = [["db", "upgrade"] if i % 2 else ["deliver", "--once", "--now",
                                                 BEFORE_DUE.isoformat()]
                for i in range(PROCESSES)]
    results = _start_at_once(config, commands)
    failed = [(args, code, err.strip()[-400:])
              for args, (code, err) in zip(commands, results, strict=True) if code != 0]
    assert failed == []
    assert all("Traceback" not in err for _, err in results)
    engine = make_engine(url)
    try:
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()
