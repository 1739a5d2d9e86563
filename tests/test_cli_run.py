"""`duebot deliver --once [--dry-run]`, `status [--json]` and `db` as an operator runs them."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.adapters.store.ledger import head_revision
from tests.services import deadline_schedule
from tests.smtp_server import running_smtp

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow

SCHEDULE = deadline_schedule("2030-03-20 23:59", zone="America/Los_Angeles",
                             leads='["7d", "1d", "3h"]')
PLAN_AT = "2030-03-01T12:00:00Z"
AFTER_7D = "2030-03-14T07:00:00Z"  # the 7d reminder was due 06:59 UTC


def write(tmp_path: Path, port: int = 2525) -> Path:
    (tmp_path / "demo.toml").write_text(SCHEDULE, encoding="utf-8")
    config = tmp_path / "duebot.toml"
    config.write_text(f"""
[storage]
database_url = "sqlite:///ledger.db"

[smtp]
host = "127.0.0.1"
port = {port}
sender = "Demo <noreply@example.org>"
timeout = 5

[http]
enabled = false

[[schedules]]
path = "demo.toml"
reminders_to = ["mailto:participants@example.org", "console:"]
""", encoding="utf-8")
    return config


def duebot(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUEBOT_")}
    done = subprocess.run([sys.executable, "-m", "bot", *args, "--config", str(config)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
                          check=False)
    assert "Traceback" not in done.stderr, done.stderr
    return done


def snapshot(db: Path) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """Every delivery and every history line: what "records nothing" must leave alone."""
    if not db.exists():
        return [], []
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT * FROM deliveries ORDER BY key").fetchall()
        history = conn.execute("SELECT * FROM delivery_log ORDER BY id").fetchall()
    return rows, history


def test_dry_run_shows_what_would_go_and_records_nothing(tmp_path: Path) -> None:
    config = write(tmp_path)
    db = tmp_path / "ledger.db"
    assert duebot(config, "deliver", "--once", "--now", PLAN_AT).returncode == 0
    before = snapshot(db)
    assert len(before[0]) == 6
    done = duebot(config, "deliver", "--once", "--dry-run", "--now", AFTER_7D)
    assert done.returncode == 0, done.stderr
    assert "nothing is sent or recorded" in done.stdout
    assert "would send: demo/paper/7d|console:" in done.stdout
    assert "would send: demo/paper/7d|mailto:participants@example.org" in done.stdout
    assert "To: console" not in done.stdout  # the console channel printed nothing
    assert "demo/paper/1d" not in done.stdout  # not due yet
    assert snapshot(db) == before


def test_dry_run_on_a_fresh_ledger_plans_nothing_into_it(tmp_path: Path) -> None:
    config = write(tmp_path)
    done = duebot(config, "deliver", "--once", "--dry-run", "--now", AFTER_7D)
    assert done.returncode == 0
    assert "would send: demo/paper/7d|console:" in done.stdout
    assert snapshot(tmp_path / "ledger.db")[0] == []


def test_status_shows_sent_next_and_failed_with_the_servers_words(tmp_path: Path) -> None:
    with running_smtp(mode="550") as server:
        config = write(tmp_path, server.port)
        assert duebot(config, "deliver", "--once", "--now", PLAN_AT).returncode == 0
        done = duebot(config, "deliver", "--once", "--now", AFTER_7D)
    assert done.returncode == 3  # a dead delivery is worth a non-zero exit for cron
    as_json = duebot(config, "status", "--json", "--now", AFTER_7D)
    assert as_json.returncode == 0, as_json.stderr
    status = json.loads(as_json.stdout)
    [entry] = status["schedules"]
    assert entry["event"] == "demo"
    assert [(r["reminder"], r["destination"]) for r in entry["sent"]] == [
        ("demo/paper/7d", "console:")]
    [failed] = entry["failed"]
    assert failed["state"] == "dead" and "550" in failed["reason"]
    assert failed["destination"] == "mailto:participants@example.org"
    nxt = [(r["reminder"], r["due_utc"]) for r in entry["next"]]
    assert nxt[0] == ("demo/paper/1d", "2030-03-20T06:59:00Z") and len(nxt) == 4
    assert entry["counts"] == {"sent": 1, "dead": 1, "pending": 4}

    table = duebot(config, "status", "--now", AFTER_7D)
    assert table.returncode == 0
    text = table.stdout
    assert "Demo Workshop (demo)" in text
    assert "next:" in text and "2030-03-20T06:59:00Z" in text
    assert "failed:" in text and "550 5.7.1 message refused by policy" in text
    assert "sent (1)" in text


def test_status_next_row_names_the_due_time_and_the_next_try(tmp_path: Path) -> None:
    """A delivery that failed for now: its due time and its next try, each said for what it
    is (the countdown beside the due time used to read as the time to the due time)."""
    with running_smtp(mode="451") as server:
        config = write(tmp_path, server.port)
        assert duebot(config, "deliver", "--once", "--now", PLAN_AT).returncode == 0
        duebot(config, "deliver", "--once", "--now", AFTER_7D)
    status = json.loads(duebot(config, "status", "--json", "--now", AFTER_7D).stdout)
    [entry] = status["schedules"]
    [failed] = [r for r in entry["next"] if r["state"] == "failed"]
    assert failed["due_utc"] == "2030-03-14T06:59:00Z"
    assert failed["next_try_utc"] > AFTER_7D  # ISO strings in UTC order as the instants
    text = duebot(config, "status", "--now", AFTER_7D).stdout
    [row] = [line for line in text.splitlines() if "[failed]" in line]
    assert row.strip().startswith("due 2030-03-14T06:59:00Z, next try in ")
    assert "from now" not in row
    # One not tried yet says how far its due time is.
    [later] = [line for line in text.splitlines() if "demo/paper/1d -> console:" in line]
    assert later.strip().startswith("due 2030-03-20T06:59:00Z (in 5 days 23 hours)")


def test_db_current_and_upgrade(tmp_path: Path) -> None:
    config = write(tmp_path)
    head = head_revision()
    fresh = duebot(config, "db", "current")
    assert fresh.returncode == 0
    assert f"schema: empty; this duebot needs {head}: out of date" in fresh.stdout
    upgraded = duebot(config, "db", "upgrade")
    assert upgraded.returncode == 0
    assert f"schema: empty -> {head} (head)" in upgraded.stdout
    current = duebot(config, "db", "current")
    assert f"schema: {head}; this duebot needs {head}: up to date" in current.stdout
    again = duebot(config, "db", "upgrade")  # idempotent
    assert f"schema: {head} -> {head} (head)" in again.stdout
