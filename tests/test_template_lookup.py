"""Shipped templates are found wherever duebot runs from: an operator's folder with its own
``schedules/`` and no ``templates/`` (``project_root()`` once took it for the checkout)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.adapters.http import web_templates_dir
from bot.adapters.template_files import SHIPPED_TEMPLATES, load_templates
from bot.core.render import REQUIRED

ROOT = Path(__file__).resolve().parent.parent
DUEBOT = Path(sys.executable).parent / "duebot"


def test_templates_come_from_duebot_not_the_working_directory(tmp_path: Path,
                                                              ) -> None:
    (tmp_path / "schedules").mkdir()
    (tmp_path / "schedules" / "ws.toml").write_text(
        (ROOT / "schedules" / "aisys-sosp17.toml").read_text("utf-8"), encoding="utf-8")
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        templates = load_templates()
        assert all(name in templates for name in REQUIRED)
        assert (web_templates_dir() / "page.html.j2").is_file()
    finally:
        os.chdir(old)
    assert SHIPPED_TEMPLATES == ROOT / "templates"


def test_reminders_render_in_an_operator_folder_without_templates(tmp_path: Path) -> None:
    (tmp_path / "schedules").mkdir()
    (tmp_path / "schedules" / "ws.toml").write_text(
        (ROOT / "schedules" / "aisys-sosp17.toml").read_text("utf-8"), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUEBOT_")}
    result = subprocess.run([str(DUEBOT), "reminders", "--schedule", "schedules/ws.toml"],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
                            check=False)
    assert result.returncode == 0, result.stderr
    assert "Poster abstract" in result.stdout
