"""The core is pure: no vendor I/O libraries, no clock reads, no file access.

Edges (storage, scheduler, Slack, SMTP, HTTP, CLI) depend on the core, never the other way round.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The pure core is every module under bot/core, plus bot.errors. (bot.core.cfp_import leans on
# dateparser and bot.core.mail_parse on the stdlib's email package; both import socket at import
# time without using it, so the import test leaves them out.)
CORE_FILES = sorted(p for p in (ROOT / "bot" / "core").glob("*.py") if p.name != "__init__.py")
CORE = ["errors"] + [f"core.{p.stem}" for p in CORE_FILES]
EDGE_ONLY = ["slack_bolt", "slack_sdk", "smtplib", "sqlalchemy", "apscheduler", "socket",
             "http", "urllib.request", "asyncio", "subprocess", "starlette", "uvicorn", "psycopg",
             "aiosmtpd", "imaplib", "bot.cli", "bot.app", "bot.adapters", "bot.service",
             "bot.runner", "bot.config"]
FORBIDDEN_CALLS = {"now", "utcnow", "today", "time", "monotonic", "perf_counter", "open",
                   "read_text", "read_bytes", "write_text", "write_bytes", "getenv", "sleep"}


def core_modules() -> list[str]:
    return [name for name in CORE if name not in ("core.cfp_import", "core.mail_parse")]


def module_path(name: str) -> Path:
    return ROOT / "bot" / (name.replace(".", "/") + ".py")


def test_core_imports_with_edge_libraries_blocked() -> None:
    blocked = ", ".join(repr(m) for m in EDGE_ONLY)
    modules = ", ".join(repr(f"bot.{m}") for m in core_modules())
    script = f"""
import importlib, importlib.abc, sys
BLOCKED = [{blocked}]
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if any(name == b or name.startswith(b + ".") for b in BLOCKED):
            raise ImportError("core imported edge module " + name)
        return None
sys.meta_path.insert(0, Block())
for module in [{modules}]:
    importlib.import_module(module)
print("ok")
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            cwd=ROOT, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


@pytest.mark.parametrize("name", CORE)
def test_core_module_reads_no_clock_and_no_files(name: str) -> None:
    tree = ast.parse(module_path(name).read_text(encoding="utf-8"))
    offenders = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else (
                func.id if isinstance(func, ast.Name) else "")
            if called in FORBIDDEN_CALLS:
                offenders.append(f"line {node.lineno}: {called}()")
    assert not offenders, f"{module_path(name)} calls {offenders}"
