"""The machine's PostgreSQL for tests and benchmarks: a fresh database per use, dropped after.

    with fresh_database() as url:      # postgresql+psycopg://postgres@127.0.0.1:5432/duebot_t_...
        ...

``DUEBOT_TEST_PG`` overrides where the server is (a libpq URL to a database the tests may use to
create others; default ``postgresql://postgres@127.0.0.1:5432/test``). Tests skip, saying why,
only when the server cannot be reached. Nothing here stops, reconfigures or restarts the server:
outages are made per database (``ALLOW_CONNECTIONS false``) and per connection
(``pg_terminate_backend``).

Also the pieces the replica tests and ``bench/replicas.py`` share: a one-reminder workshop with
N ``mailto:`` destinations, its config file, and ``duebot`` processes run against them.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.services import deadline_schedule

ROOT = Path(__file__).resolve().parent.parent
ADMIN_URL = os.environ.get("DUEBOT_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def unreachable_reason() -> str | None:
    """None when PostgreSQL answers; else why not, for a skip message."""
    try:
        with psycopg.connect(ADMIN_URL, connect_timeout=3, autocommit=True) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        return f"PostgreSQL at {ADMIN_URL} is unreachable ({str(exc).strip()[:200]})"
    return None


def require_pg() -> None:
    reason = unreachable_reason()
    if reason is not None:
        pytest.skip(reason)


def admin(sql: str, params: Sequence[Any] | None = None) -> list[tuple[Any, ...]]:
    """Run one statement on the admin database (AUTOCOMMIT) and return its rows, if any."""
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        cur = conn.execute(sql, params)  # type: ignore[arg-type]
        return list(cur.fetchall()) if cur.description else []


def sqlalchemy_url(dbname: str, **query: str) -> str:
    """The ``postgresql+psycopg://`` URL of ``dbname`` on the admin URL's server."""
    info = psycopg.conninfo.conninfo_to_dict(ADMIN_URL)
    user = info.get("user", "postgres")
    password = f":{info['password']}" if info.get("password") else ""
    host = info.get("host", "127.0.0.1")
    port = info.get("port", "5432")
    url = f"postgresql+psycopg://{user}{password}@{host}:{port}/{dbname}"
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


@contextmanager
def fresh_database(prefix: str = "duebot_t") -> Iterator[str]:
    """A new, empty database for one test run; dropped (connections and all) afterwards."""
    name = f"{prefix}_{secrets.token_hex(5)}"
    admin(f'CREATE DATABASE "{name}"')
    try:
        yield sqlalchemy_url(name)
    finally:
        admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def dbname(url: str) -> str:
    return url.rsplit("/", 1)[1].split("?", 1)[0]


def terminate(url: str, application_name: str | None = None) -> int:
    """``pg_terminate_backend`` every connection to the database (or one replica's); how many."""
    sql = ("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
           "AND pid <> pg_backend_pid()")
    params: list[str] = [dbname(url)]
    if application_name is not None:
        sql += " AND application_name = %s"
        params.append(application_name)
    return len(admin(sql, params))


def block(url: str) -> None:
    """Make the database unreachable for new and existing connections (the server stays up)."""
    admin(f'ALTER DATABASE "{dbname(url)}" ALLOW_CONNECTIONS false')
    terminate(url)


def unblock(url: str) -> None:
    admin(f'ALTER DATABASE "{dbname(url)}" ALLOW_CONNECTIONS true')


def query(url: str, sql: str, params: Sequence[Any] | None = None) -> list[tuple[Any, ...]]:
    """One statement on the test database itself, from outside duebot."""
    libpq = url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(libpq, autocommit=True) as conn:
        cur = conn.execute(sql, params)  # type: ignore[arg-type]
        return list(cur.fetchall()) if cur.description else []


# -- a workshop with many destinations, and duebot processes that send its reminder -----------

# One deadline, one reminder a day before it: each destination gets exactly one delivery.
DEADLINE = datetime(2030, 6, 2, 12, 0, tzinfo=UTC)
DUE = DEADLINE - timedelta(days=1)
BEFORE_DUE = DUE - timedelta(hours=1)
AT_DUE = DUE + timedelta(seconds=30)

WORKSHOP = deadline_schedule(DEADLINE, event_id="scale", name="Scale-out Workshop")


def destinations(count: int) -> list[str]:
    return [f"mailto:p{i:05d}@example.org" for i in range(count)]


def write_config(directory: Path, *, database_url: str, smtp_port: int, count: int,
                 lease: str = "60s", batch_size: int = 50, schedule: str = WORKSHOP) -> Path:
    """A config and schedule for ``count`` mail destinations of one reminder; the config path."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "scale.toml").write_text(schedule, encoding="utf-8")
    listed = ",\n  ".join(f'"{d}"' for d in destinations(count))
    config = directory / "duebot.toml"
    config.write_text(f"""
[storage]
database_url = "{database_url}"

[delivery]
lease = "{lease}"
batch_size = {batch_size}
retry_backoff = "1s"

[smtp]
host = "127.0.0.1"
port = {smtp_port}
sender = "Scale-out Workshop <noreply@example.org>"
timeout = 30

[http]
enabled = false

[log]
level = "WARNING"

[[schedules]]
path = "scale.toml"
reminders_to = [
  {listed}
]
""", encoding="utf-8")
    return config


class Replica:
    """One ``python -m bot`` process; its output goes to files (a full pipe would stall it)."""

    def __init__(self, config: Path, *args: str, name: str = "duebot",
                 database_url: str | None = None) -> None:
        env = dict(os.environ)
        env.pop("DUEBOT_DATABASE_URL", None)
        if database_url is not None:
            env["DUEBOT_DATABASE_URL"] = database_url
        env["PYTHONPATH"] = str(ROOT)
        self.name = name
        self.out = config.parent / f"{name}.{secrets.token_hex(3)}.out"
        self.err = self.out.with_suffix(".err")
        with self.out.open("w") as out, self.err.open("w") as err:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot", *args, "--config", str(config)], cwd=ROOT,
                env=env, stdout=out, stderr=err, text=True)

    @property
    def pid(self) -> int:
        return self.process.pid

    def wait(self, timeout: float = 600) -> int:
        return self.process.wait(timeout=timeout)

    @property
    def stdout(self) -> str:
        return self.out.read_text(encoding="utf-8", errors="replace")

    @property
    def stderr(self) -> str:
        return self.err.read_text(encoding="utf-8", errors="replace")


def deliver_once(config: Path, now: datetime, *, name: str = "duebot",
                 database_url: str | None = None) -> Replica:
    """``duebot deliver --once --now NOW``: one pass as a cron job (or a rehearsal) runs it."""
    return Replica(config, "deliver", "--once", "--now", now.isoformat(), name=name,
                   database_url=database_url)
