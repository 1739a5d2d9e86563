"""Shipped templates are found wherever duebot runs from: an operator's folder with its own
``schedules/`` and no ``templates/`` (``project_root()`` once took it for the checkout)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

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


# --- the operator's own folder: [templates] folder -------------------------------------------

CONFIG = """\
[storage]
database_url = "sqlite:///duebot.db"

[templates]
folder = "{folder}"

[[schedules]]
path = "{schedule}"
reminders_to = ["console:"]
"""


def operator_folder(tmp_path: Path) -> Path:
    """A folder with one replaced file (the footer every reminder includes) and one new one."""
    folder = tmp_path / "my-templates"
    folder.mkdir()
    (folder / "footer.txt.j2").write_text("-- \nOur own footer for {{ event.name }}\n",
                                          encoding="utf-8")
    (folder / "welcome.subject.j2").write_text("Welcome to {{ event.name }}", encoding="utf-8")
    return folder


def run_duebot(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUEBOT_")}
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=cwd,
                          env={**env, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
                          timeout=120, check=False)


def test_the_operators_folder_comes_first_and_the_shipped_files_fill_in(tmp_path: Path) -> None:
    folder = operator_folder(tmp_path)
    templates = load_templates(override=folder)
    shipped = load_templates()
    assert templates["footer.txt.j2"].startswith("-- \nOur own footer")
    assert templates["welcome.subject.j2"] == "Welcome to {{ event.name }}"
    assert templates["reminder.txt.j2"] == shipped["reminder.txt.j2"]
    assert templates["locale/zh.po"] == shipped["locale/zh.po"]


def test_a_reminder_sent_by_the_service_uses_the_operators_footer(tmp_path: Path) -> None:
    operator_folder(tmp_path)
    schedule = ROOT / "schedules" / "aisys-sosp17.toml"
    (tmp_path / "duebot.toml").write_text(
        CONFIG.format(folder="my-templates", schedule=schedule), encoding="utf-8")
    for now in ("2017-09-01T00:00:00Z", "2017-09-04T07:00:00Z"):  # plan, then the 7d reminder
        result = run_duebot(tmp_path, "deliver", "--once", "--now", now, "--config", "duebot.toml")
        assert result.returncode == 0, result.stderr
    assert "1 sent" in result.stdout
    assert "Our own footer for AI Systems Workshop @ SOSP 2017" in result.stdout
    assert "Poster abstract submission deadline" in result.stdout  # the shipped reminder


def test_a_template_folder_that_does_not_exist_is_an_error_at_its_line(tmp_path: Path) -> None:
    schedule = ROOT / "schedules" / "aisys-sosp17.toml"
    (tmp_path / "duebot.toml").write_text(
        CONFIG.format(folder="no-such-folder", schedule=schedule), encoding="utf-8")
    for command in (["validate"], ["run"]):
        result = run_duebot(tmp_path, *command, "--config", "duebot.toml")
        assert result.returncode == 1, result
        assert (f"duebot.toml:5: error: templates.folder: 'no-such-folder': no such folder "
                f"({tmp_path / 'no-such-folder'})") in result.stderr
        assert "Traceback" not in result.stderr


def test_validate_config_reports_an_unreadable_template_in_the_folder(tmp_path: Path) -> None:
    folder = operator_folder(tmp_path)
    (folder / "footer.txt.j2").write_bytes(b"caf\xe9\n")
    schedule = ROOT / "schedules" / "aisys-sosp17.toml"
    (tmp_path / "duebot.toml").write_text(
        CONFIG.format(folder="my-templates", schedule=schedule), encoding="utf-8")
    result = run_duebot(tmp_path, "validate", "--config", "duebot.toml")
    assert result.returncode == 1
    assert "my-templates/footer.txt.j2: error: not UTF-8 text" in result.stderr
    assert "Traceback" not in result.stderr


# --- a plain (non-editable) install carries the shipped templates -----------------------------

@pytest.mark.slow  # a wheel build (setuptools from the package index): about 5-10 s
def test_an_installed_wheel_finds_its_templates_outside_the_checkout(tmp_path: Path) -> None:
    """``pip wheel`` from a copy of the sources (no build/ in the checkout), installed with
    ``--target``; run from a folder far from the checkout, it renders with ``bot/templates``."""
    import shutil
    import zipfile

    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for folder in ("bot", "templates"):
        shutil.copytree(ROOT / folder, source / folder,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", str(source), "--no-deps", "-w", str(tmp_path / "wheel")],
                   check=True, capture_output=True, timeout=300)
    [wheel] = (tmp_path / "wheel").glob("duebot-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {f"bot/templates/{p.relative_to(ROOT / 'templates').as_posix()}"
               for p in (ROOT / "templates").rglob("*") if p.is_file()}
    assert shipped <= names, sorted(shipped - names)
    assert {"bot/templates/locale/zh.po", "bot/templates/web/page.html.j2",
            "bot/static/duebot.js"} <= names
    subprocess.run([*pip, "install", "--no-deps", "--target", str(tmp_path / "site"),
                    str(wheel)], check=True, capture_output=True, timeout=300)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUEBOT_")}
    env["PYTHONPATH"] = str(tmp_path / "site")
    probe = ("import bot.adapters.template_files as t, bot.adapters.http as h; "
             "print(t.SHIPPED_TEMPLATES); print(h.web_templates_dir())")
    found = subprocess.run([sys.executable, "-c", probe], cwd=elsewhere, env=env,
                           capture_output=True, text=True, timeout=60, check=True)
    assert found.stdout.split() == [str(tmp_path / "site" / "bot" / "templates"),
                                    str(tmp_path / "site" / "bot" / "templates" / "web")]
    schedule = ROOT / "schedules" / "aisys-sosp17.toml"
    for args in (["reminders", "--schedule", str(schedule)],
                 ["ask", "摘要什么时候截止？", "--schedule", str(schedule),
                  "--now", "2017-09-01T12:00:00Z"]):
        result = subprocess.run([sys.executable, "-m", "bot", *args], cwd=elsewhere, env=env,
                                capture_output=True, text=True, timeout=60, check=False)
        assert result.returncode == 0, result.stderr
    assert "还有9天" in result.stdout
