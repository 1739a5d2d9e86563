"""The core is pure: no clock, no environment, no files, no edge module, at any depth of a module.

import-linter (``tests/test_layers.py``) holds which packages may import which; this test reads
each module under ``bot/core`` as a syntax tree, so an import or a call inside a function is
caught as surely as one at the top of the file.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE_FILES = sorted((ROOT / "bot" / "core").rglob("*.py"))

# Modules whose import alone means I/O, a clock or a vendor: the edge's business, not the core's.
EDGE_MODULES = (
    "os", "io", "time", "pathlib", "shutil", "tempfile", "glob", "socket", "ssl", "select",
    "selectors", "asyncio", "threading", "subprocess", "multiprocessing", "signal", "http",
    "urllib.request", "smtplib", "imaplib", "sqlite3", "logging",
    "sqlalchemy", "alembic", "psycopg", "slack_bolt", "slack_sdk", "starlette", "uvicorn",
    "aiosmtpd", "apscheduler", "httpx", "requests", "prometheus_client",
    "bot.app", "bot.adapters", "bot.service", "bot.runner", "bot.cli", "bot.config",
)
CLOCK_CALLS = {"now", "utcnow", "today", "monotonic", "perf_counter", "process_time", "sleep",
               "time_ns", "monotonic_ns"}
FILE_CALLS = {"open", "read_text", "read_bytes", "write_text", "write_bytes", "cwd", "home",
              "exists", "is_file", "is_dir", "iterdir", "glob", "rglob", "stat", "mkdir",
              "unlink", "listdir", "scandir"}  # os.walk needs `import os`, caught above
ENV_CALLS = {"getenv", "putenv", "unsetenv"}
ENV_NAMES = {"environ", "environb"}


def _is_edge(module: str) -> bool:
    return any(module == edge or module.startswith(edge + ".") for edge in EDGE_MODULES)


def offences(source: str) -> list[str]:
    """What in ``source`` reads the clock, the environment or files, or imports an edge."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [f"line {node.lineno}: import {a.name}" for a in node.names
                      if _is_edge(a.name)]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if _is_edge(node.module):
                found.append(f"line {node.lineno}: from {node.module} import ...")
        elif isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else (
                func.id if isinstance(func, ast.Name) else "")
            if called in CLOCK_CALLS:
                found.append(f"line {node.lineno}: {called}() reads the clock")
            elif called in FILE_CALLS:
                found.append(f"line {node.lineno}: {called}() touches files")
            elif called in ENV_CALLS:
                found.append(f"line {node.lineno}: {called}() reads the environment")
        elif isinstance(node, ast.Attribute) and node.attr in ENV_NAMES:
            found.append(f"line {node.lineno}: .{node.attr} reads the environment")
        elif isinstance(node, ast.Name) and node.id in ENV_NAMES:
            found.append(f"line {node.lineno}: {node.id} reads the environment")
    return found


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_core_module_reads_no_clock_environment_or_files_and_imports_no_edge(path: Path
                                                                             ) -> None:
    assert not offences(path.read_text(encoding="utf-8")), path


@pytest.mark.parametrize(("source", "why"), [
    ("def f():\n    import sqlalchemy\n", "import sqlalchemy"),
    ("def f():\n    from bot.config import load_config\n", "from bot.config"),
    ("from datetime import datetime\ndef f():\n    return datetime.now()\n", "reads the clock"),
    ("import os\n", "import os"),
    ("def f(env):\n    return env.environ['HOME']\n", "environment"),
    ("def f():\n    return open('x').read()\n", "touches files"),
    ("def f(p):\n    return p.read_text()\n", "touches files"),
])
def test_the_purity_check_catches_what_it_forbids(source: str, why: str) -> None:
    """A check that passes everything proves nothing: each kind of offence is caught."""
    assert any(why in offence for offence in offences(source))
