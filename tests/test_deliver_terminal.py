"""``deliver --once`` at a terminal says each delivery once; into files, the log keeps its lines.

The terminal is a real pseudo-terminal (``pty``), both streams on it as in a shell.
"""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINE = "aisys-sosp17/abstract/1d|console:  due 2017-09-10 06:59Z"

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")


def config(tmp_path: Path) -> Path:
    (tmp_path / "demo.toml").write_text(
        (ROOT / "schedules" / "aisys-sosp17.toml").read_text(encoding="utf-8"), encoding="utf-8")
    path = tmp_path / "duebot.toml"
    path.write_text('[storage]\ndatabase_url = "sqlite:///l.db"\n[[schedules]]\n'
                    'path = "demo.toml"\nreminders_to = ["console:"]\n', encoding="utf-8")
    return path


def deliver_args(path: Path, now: str) -> list[str]:
    return [sys.executable, "-m", "bot", "deliver", "--once", "--config", str(path),
            "--now", now]


def env() -> dict[str, str]:
    """This checkout's code, whatever the working folder (the schedule's)."""
    return {**{k: v for k, v in os.environ.items() if not k.startswith("DUEBOT_")},
            "PYTHONPATH": str(ROOT)}


def on_a_terminal(args: list[str], cwd: Path) -> str:
    """What a person at a terminal sees: stdout and stderr on one pseudo-terminal."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(args, cwd=cwd, env=env(), stdin=subprocess.DEVNULL,
                               stdout=follower, stderr=follower)
    os.close(follower)
    seen = b""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the follower side closed: the process is done
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    assert process.wait(timeout=60) == 0, seen
    return seen.decode("utf-8", "replace")


def test_at_a_terminal_each_delivery_line_is_said_once(tmp_path: Path) -> None:
    path = config(tmp_path)
    on_a_terminal(deliver_args(path, "2017-09-04T07:00Z"), tmp_path)  # plans the ledger
    seen = on_a_terminal(deliver_args(path, "2017-09-10T07:00Z"), tmp_path)
    assert seen.count(LINE) == 1, seen
    assert "deliver at 2017-09-10 07:00 UTC: 1 sent" in seen
    assert "INFO duebot.delivery: reconciled" in seen  # the rest of the log stays


def test_into_files_the_log_keeps_its_line(tmp_path: Path) -> None:
    path = config(tmp_path)
    run = dict(cwd=tmp_path, env=env(), capture_output=True, text=True, timeout=60, check=True)
    subprocess.run(deliver_args(path, "2017-09-04T07:00Z"), **run)  # type: ignore[call-overload]
    done = subprocess.run(deliver_args(path, "2017-09-10T07:00Z"), **run)  # type: ignore[call-overload]
    assert done.stdout.count(LINE) == 1
    assert done.stderr.count(LINE) == 1 and "INFO duebot.delivery: sent" in done.stderr
