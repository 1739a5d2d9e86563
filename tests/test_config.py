"""The operator's config: the example loads; every mistake is named with FILE:LINE, all at once."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from bot.config import load_config, parse_config
from bot.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "config.example.toml"


def problems(text: str, tmp_path: Path, env: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, "bad.toml", env=env or {}, base=tmp_path)
    return [str(p) for p in caught.value.problems]


def duebot(tmp_path: Path, text: str, *args: str, env: dict[str, str] | None = None
           ) -> subprocess.CompletedProcess[str]:
    (tmp_path / "bad.toml").write_text(text, encoding="utf-8")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DUEBOT_")}
    return subprocess.run([sys.executable, "-m", "bot", *args, "--config", "bad.toml"],
                          cwd=tmp_path, env={**clean, "PYTHONPATH": str(ROOT), **(env or {})},
                          capture_output=True, text=True, timeout=60, check=False)


def test_the_example_config_loads_with_its_documented_defaults() -> None:
    config = load_config(EXAMPLE, env={})
    assert config.delivery.grace == timedelta(hours=1)
    assert config.delivery.lease == timedelta(seconds=60)
    assert config.smtp.security == "none" and config.smtp.port == 25
    assert config.storage.database_url == f"sqlite:///{ROOT / 'duebot.db'}"
    [schedule] = config.schedules
    assert schedule.path == ROOT / "schedules" / "aisys-sosp17.toml"
    assert schedule.reminders_to == ("console:",)


def test_unknown_key_is_an_error_with_a_suggestion_and_its_line(tmp_path: Path) -> None:
    [found] = problems('[delivery]\nlease = "2s"\ngrase = "1h"\n', tmp_path)
    assert found.startswith("bad.toml:3: error: delivery.grase: unknown key 'grase'; "
                            "did you mean 'grace'?")


BAD = """\
[delivery]
grace = "an hour"

[smtp]
host = "127.0.0.1"
port = 0
sender = "Workshop <noreply@example.org>"
security = "tls"

[http]
enabled = false

[[schedules]]
path = "demo.toml"
reminders_to = ["mail:x"]
"""


def test_every_bad_value_is_reported_at_once_with_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "demo.toml").write_text("", encoding="utf-8")
    found = problems(BAD, tmp_path)
    by_line = {int(p.split(":")[1]): p for p in found}
    assert sorted(by_line) == [2, 6, 8, 15], found
    assert "grace" in by_line[2] and "an hour" in by_line[2]
    assert "smtp.port" in by_line[6] and "1 to 65535" in by_line[6]
    assert "'tls'" in by_line[8] and '"starttls"' in by_line[8]
    assert "'mail:x'" in by_line[15] and "unknown destination scheme 'mail'" in by_line[15]
    assert "did you mean 'mailto'?" in by_line[15]


def test_cli_prints_each_problem_as_file_line_error_and_exits_1(tmp_path: Path) -> None:
    (tmp_path / "demo.toml").write_text("", encoding="utf-8")
    done = duebot(tmp_path, BAD, "deliver", "--once")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert [line.split(": error: ")[0] for line in lines] == [
        "bad.toml:2", "bad.toml:6", "bad.toml:8", "bad.toml:15"]


@pytest.mark.parametrize(("text", "needle"), [
    ('[smtp]\nsecurity = "tls"\n', "bad.toml:2: error: smtp.security: 'tls'"),
    ("[smtp]\nport = 0\n", "bad.toml:2: error: smtp.port: expected a whole number from 1"),
    ('[[schedules]]\npath = "demo.toml"\nreminders_to = ["mail:x"]\n',
     "bad.toml:3: error: schedules.0.reminders_to: 'mail:x': unknown destination scheme"),
    ('[delivery]\nlease = "5 parsecs"\n', "bad.toml:2: error: delivery.lease:"),
    ('[delivery]\nlease = "0s"\n', "bad.toml:2: error: delivery.lease: '0s' must be longer"),
], ids=["security", "port", "destination", "duration", "zero-duration"])
def test_one_bad_value_is_named_by_the_cli(tmp_path: Path, text: str, needle: str) -> None:
    (tmp_path / "demo.toml").write_text("", encoding="utf-8")
    done = duebot(tmp_path, text, "deliver", "--once")
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith(needle), done.stderr
    assert "Traceback" not in done.stderr


def test_username_without_the_password_variable_is_a_start_up_error(tmp_path: Path) -> None:
    text = '[smtp]\nsender = "W <noreply@example.org>"\nusername = "duebot"\n'
    done = duebot(tmp_path, text, "run")
    assert done.returncode == 1
    assert done.stderr.startswith("bad.toml:3: error: smtp.username:")
    assert "DUEBOT_SMTP_PASSWORD" in done.stderr and "Traceback" not in done.stderr
    config = parse_config(text, "bad.toml", env={"DUEBOT_SMTP_PASSWORD": "s3cret"},
                          base=tmp_path)
    assert config.smtp.password == "s3cret"
    assert "s3cret" not in repr(config)  # never printed with the config


def test_toml_syntax_error_names_the_line(tmp_path: Path) -> None:
    done = duebot(tmp_path, '[smtp]\nport = = 25\n', "status")
    assert done.returncode == 1
    assert done.stderr.startswith("bad.toml:2: error: TOML syntax"), done.stderr


@pytest.mark.parametrize("url", ["https://dates.example.org", "https://dates.example.org/",
                                 "http://127.0.0.1:8080", "https://example.org/duebot/"])
def test_a_base_url_is_the_public_address_with_at_most_a_path_prefix(tmp_path: Path,
                                                                     url: str) -> None:
    config = parse_config(f'[http]\nbase_url = "{url}"\n', "ok.toml", env={}, base=tmp_path)
    assert config.http.public_url == url.rstrip("/")


@pytest.mark.parametrize(("url", "why"), [
    ("dates.example.org", "not an http:// or https:// URL"),
    ("ftp://dates.example.org", "not an http:// or https:// URL"),
    ("https://", "no host name"),
    ("https://dates.example.org/?utm_source=x", "a query (?...)"),
    ("https://dates.example.org/#dates", "a fragment (#...)"),
    ("https://duebot:pw@dates.example.org", "a user name or password"),
    ("https://dates.example.org:99999", "the port is not a number"),
    ("https://dates.example.org/a/../b", "'.' and '..'"),
    ("https://dates.example.org/my dates", "spaces"),
    ("https://[::1", "not a URL"),
], ids=["no-scheme", "ftp", "no-host", "query", "fragment", "password", "port", "dots",
        "space", "bracket"])
def test_a_base_url_with_junk_is_an_error_at_its_line(tmp_path: Path, url: str,
                                                      why: str) -> None:
    [found] = problems(f'[http]\nport = 8080\nbase_url = "{url}"\n', tmp_path)
    assert found.startswith(f"bad.toml:3: error: http.base_url: {url!r}: {why}"), found
    assert 'expected the public address such as "https://dates.example.org"' in found


def test_a_slack_destination_without_the_token_is_an_error_at_its_reminders_to(
        tmp_path: Path) -> None:
    (tmp_path / "demo.toml").write_text("", encoding="utf-8")
    text = ('[[schedules]]\npath = "demo.toml"\n'
            'reminders_to = ["slack:#general", "slack:#random"]\n')
    [found] = problems(text, tmp_path)  # once per schedule, not per destination
    assert found.startswith("bad.toml:3: error: schedules.0.reminders_to: reminders_to has "
                            "slack: destinations but the environment variable SLACK_BOT_TOKEN")
    config = parse_config(text, "ok.toml", env={"SLACK_BOT_TOKEN": "xoxb-1"}, base=tmp_path)
    assert config.schedules[0].reminders_to == ("slack:#general", "slack:#random")


def test_the_example_documents_every_key_the_config_reads() -> None:
    """config.example.toml shows every key of every table (set, or commented out with its
    default or an example), so an operator never has to read bot/config.py to find one."""
    import re

    from bot import config as module

    tables = {"storage": module.STORAGE_KEYS, "delivery": module.DELIVERY_KEYS,
              "smtp": module.SMTP_KEYS, "schedules": module.SCHEDULE_KEYS,
              "http": module.HTTP_KEYS, "log": module.LOG_KEYS, "mail": module.MAIL_KEYS,
              "slack": module.SLACK_KEYS, "apprise": module.APPRISE_KEYS,
              "discord": module.DISCORD_KEYS, "zulip": module.CHAT_KEYS,
              "mattermost": module.CHAT_KEYS, "templates": module.TEMPLATES_KEYS}
    assert set(tables) == set(module.TOP_KEYS), "a table this test does not know"
    shown: dict[str, set[str]] = {}
    table = ""
    for line in EXAMPLE.read_text(encoding="utf-8").splitlines():
        if header := re.match(r"#?\s*\[\[?([a-z_]+)\]\]?(\s|$)", line):
            table = header[1]
        elif key := re.match(r"#?\s*([a-z_]+)\s*=", line):
            shown.setdefault(table, set()).add(key[1])
    missing = {name: sorted(set(keys) - shown.get(name, set()))
               for name, keys in tables.items() if set(keys) - shown.get(name, set())}
    assert not missing, f"config.example.toml does not show: {missing}"


def test_a_postgres_url_in_libpq_spelling_is_told_the_one_to_write(tmp_path: Path) -> None:
    [found] = problems('[storage]\ndatabase_url = "postgres://duebot@db/duebot"\n', tmp_path)
    assert found.startswith("bad.toml:2: error: storage.database_url: "
                            "'postgres://duebot@db/duebot': expected ")
    assert found.endswith("(write 'postgresql+psycopg://duebot@db/duebot')")


def test_a_schedule_path_naming_a_folder_says_it_is_a_folder(tmp_path: Path) -> None:
    (tmp_path / "schedules").mkdir()
    [found] = problems('[[schedules]]\npath = "schedules"\n', tmp_path)
    assert found.startswith("bad.toml:2: error: schedules.0.path: 'schedules' is a folder")
    assert "no such schedule file" not in found


def test_an_sqlite_file_in_a_folder_that_does_not_exist_is_an_error_at_its_line(
        tmp_path: Path) -> None:
    # It passed validate, then `run` stopped with "unable to open database file".
    [found] = problems('[storage]\ndatabase_url = "sqlite:///nodir/duebot.db"\n', tmp_path)
    assert found.startswith(f"bad.toml:2: error: storage.database_url: "
                            f"'sqlite:///{tmp_path / 'nodir' / 'duebot.db'}': the folder "
                            f"{tmp_path / 'nodir'} does not exist")
    # In memory, or in a folder that is there: fine.
    for url in ("sqlite:///:memory:", "sqlite:///duebot.db"):
        parse_config(f'[storage]\ndatabase_url = "{url}"\n', "ok.toml", env={}, base=tmp_path)
