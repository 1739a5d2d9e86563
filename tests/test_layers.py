"""The folder tree is the architecture: import-linter holds the layers written in pyproject.

core <- ports <- config <- app <- adapters <- service <- runner <- cli, and the core imports no
vendor or I/O library (function-level imports count). A new edge that breaks them fails here,
in every run of the suite, not only in CI.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_imports_follow_the_layers_and_the_core_imports_no_vendor() -> None:
    tool = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert tool, "lint-imports is missing: pip install -e '.[test]'"
    result = subprocess.run([tool, "--no-cache"], cwd=ROOT, capture_output=True, text=True,
                            timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_only_the_store_imports_sqlalchemy() -> None:
    """The store maps SQLAlchemy's errors to bot.errors' StorageError: nobody else imports it
    (a forbidden contract in pyproject, direct imports only; importing the store is fine)."""
    tool = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert tool, "lint-imports is missing: pip install -e '.[test]'"
    result = subprocess.run([tool, "--no-cache", "--contract", "sqlalchemy-only-in-store"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Only the store imports SQLAlchemy" in result.stdout and "KEPT" in result.stdout
