"""Config values that crashed later (a traceback where ``FILE:LINE`` is promised) are refused
by the config reader at their line, through the real CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import load_config, parse_config
from bot.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent


def problems(text: str, tmp_path: Path, env: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, "bad.toml", env=env or {}, base=tmp_path)
    return [str(p) for p in caught.value.problems]


def duebot(folder: Path, content: bytes, *args: str) -> subprocess.CompletedProcess[str]:
    (folder / "bad.toml").write_bytes(content)
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DUEBOT_")}
    return subprocess.run([sys.executable, "-m", "bot", *args, "--config", "bad.toml"],
                          cwd=folder, env={**clean, "PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True, timeout=60, check=False)


@pytest.mark.parametrize(("content", "needle"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00\xff", "bad.toml:1: error: not UTF-8 text (byte 0x89 at column 1)"),
    (b'[log]\nlevel = "INFO"\n# caf\xe9\n',
     "bad.toml:3: error: not UTF-8 text (byte 0xe9 at column 6)"),
    ('[mail]\naddress = "d@example.org"\nlisten = "127.0.0.1:\u00b2"\n'.encode(),
     "bad.toml:3: error: mail.listen: '127.0.0.1:\u00b2': expected HOST:PORT"),
    ('[mail]\naddress = "d@example.org"\nlisten = "127.0.0.1:\u0663"\n'.encode(),
     "bad.toml:3: error: mail.listen:"),
    (b'[delivery]\ngrace = "99999999999d"\n',
     "bad.toml:2: error: delivery.grace: '99999999999d' is too long: durations run up to 3650d"),
    (b'[delivery]\npoll = "1000000w"\n', "bad.toml:2: error: delivery.poll:"),
    (b'[storage]\ndatabase_url = "sqlite:"\n',
     "bad.toml:2: error: storage.database_url: 'sqlite:': expected sqlite:///FILE"),
    (b'[storage]\ndatabase_url = "postgresqlfoo://"\n',
     "bad.toml:2: error: storage.database_url: 'postgresqlfoo://'"),
    (b'[storage]\ndatabase_url = "mysql://u@h/db"\n', "bad.toml:2: error: storage.database_url:"),
    (b"[smtp]\ntimeout = inf\n", "bad.toml:2: error: smtp.timeout: expected seconds"),
    (b"[smtp]\ntimeout = nan\n", "bad.toml:2: error: smtp.timeout: expected seconds"),
    (b"x = " + b"[" * 5000 + b"]" * 5000 + b"\n",
     "bad.toml:1: error: arrays or inline tables nested too deeply"),
], ids=["binary", "latin-1", "superscript-port", "arabic-digit-port", "grace", "poll",
        "sqlite-colon", "postgresqlfoo", "mysql", "timeout-inf", "timeout-nan", "nested"])
def test_values_that_crashed_later_are_errors_at_their_line(tmp_path: Path, content: bytes,
                                                            needle: str) -> None:
    done = duebot(tmp_path, content, "deliver", "--once", "--dry-run")
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith(needle), done.stderr


@pytest.mark.parametrize("url", ["sqlite:///duebot.db", "sqlite:///:memory:", "sqlite://",
                                 "postgresql+psycopg://u@127.0.0.1:5432/db",
                                 "postgresql://u@127.0.0.1/db", "postgresql:///db"])
def test_database_urls_the_ledger_can_open_are_accepted(tmp_path: Path, url: str) -> None:
    config = parse_config(f'[storage]\ndatabase_url = "{url}"\n', "ok.toml", env={},
                          base=tmp_path)
    assert config.storage.database_url.split(":")[0] == url.split(":")[0]


def test_a_bad_port_in_the_environment_is_named(tmp_path: Path) -> None:
    [problem] = problems("", tmp_path, env={"DUEBOT_HTTP_PORT": "\u00b2"})
    assert "DUEBOT_HTTP_PORT='\u00b2': expected a port number" in problem


def test_load_config_reports_a_binary_file_as_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "c.toml").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ConfigError, match="not UTF-8 text"):
        load_config(tmp_path / "c.toml", env={})


@pytest.mark.parametrize(("text", "field"), [
    ('[storage]\ndatabase_url = "sqlite:///a\\u0000b"\n', "storage.database_url"),
    ('[mail]\nspool = "a\\u0000b"\n', "mail.spool"),
    ('[[schedules]]\npath = "a\\u0000b"\n', "schedules.0.path"),
])
def test_a_nul_character_in_a_file_name_is_an_error_at_its_line(tmp_path: Path, text: str,
                                                                field: str) -> None:
    found = problems(text, tmp_path)
    assert any(f"bad.toml:2: error: {field}" in p for p in found), found


def test_a_send_deadline_is_one_send_long_not_a_batch(tmp_path: Path) -> None:
    assert problems('[delivery]\nsend_deadline = "2h"\n', tmp_path) == [
        "bad.toml:2: error: delivery.send_deadline: '2h': expected at most 1h (one send, not "
        "a batch)"]
    assert problems('[delivery]\nsend_deadline = "0s"\n', tmp_path)[0].startswith(
        "bad.toml:2: error: delivery.send_deadline:")
    config = parse_config('[delivery]\nsend_deadline = "90s"\n', "ok.toml", env={},
                          base=tmp_path)
    assert config.delivery.send_deadline.total_seconds() == 90
