"""A ledger that cannot be opened is said where its address is written: the config's
``storage.database_url`` at its line, or the environment variable that overrides it; a
command-line mistake is said before the ledger is tried."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli.main import main
from tests.services import deadline_schedule

REFUSED = "postgresql+psycopg://duebot@127.0.0.1:1/duebot"  # nothing listens on port 1


def config(tmp_path: Path) -> Path:
    (tmp_path / "demo.toml").write_text(deadline_schedule("2030-03-20 23:59"), encoding="utf-8")
    file = tmp_path / "duebot.toml"
    file.write_text(f'[[schedules]]\npath = "demo.toml"\n\n[storage]\n'
                    f'database_url = "{REFUSED}"\n', encoding="utf-8")
    return file


@pytest.mark.parametrize("argv", [["status"], ["deliver", "--once"], ["db", "current"]],
                         ids=["status", "deliver", "db"])
def test_an_unreachable_database_is_said_at_its_config_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        argv: list[str]) -> None:
    monkeypatch.delenv("DUEBOT_DATABASE_URL", raising=False)
    file = config(tmp_path)
    status = main([*argv, "--config", str(file)])
    err = capsys.readouterr().err
    assert status == 1
    assert "Traceback" not in err
    [line] = [x for x in err.splitlines() if ": error: " in x]
    assert line.startswith(f"{file}:5: error: storage.database_url: cannot ")
    assert "port 1 failed" in line


def test_an_unreachable_database_from_the_environment_names_the_variable(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    file = config(tmp_path)
    monkeypatch.setenv("DUEBOT_DATABASE_URL", REFUSED)
    status = main(["status", "--config", str(file)])
    err = capsys.readouterr().err
    assert status == 1
    [line] = [x for x in err.splitlines() if ": error: " in x]
    assert line.startswith("duebot: error: DUEBOT_DATABASE_URL: cannot open the ledger database")
    assert line.endswith("(DUEBOT_DATABASE_URL overrides the config's storage.database_url)")


def test_a_bad_now_on_status_is_refused_before_the_ledger_is_opened(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    # The mistake on the command line is the one to say; the ledger is not even tried.
    monkeypatch.delenv("DUEBOT_DATABASE_URL", raising=False)
    status = main(["status", "--config", str(config(tmp_path)), "--now", "yesterday"])
    err = capsys.readouterr().err
    assert status == 1
    assert err.startswith("duebot: error: --now 'yesterday': expected an instant with its zone")
    assert "ledger" not in err
