"""``-o FILE`` that cannot be written (no such folder, a folder, no permission) is the user's
mistake: ``FILE: error: cannot write ...`` and exit 1, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "schedules" / "aisys-sosp17.toml"
SEED = ROOT / "tests" / "cfps" / "seed-call-for-posters.md"


@pytest.mark.parametrize("argv", [
    ["ics", "--schedule", str(SHIPPED)],
    ["import-cfp", str(SEED)],
])
def test_an_output_file_that_cannot_be_written_is_a_clear_error(
        argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "no-such-folder" / "out.txt"
    assert main([*argv, "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"{out}: error: cannot write: No such file or directory" in err
    assert not out.exists()


def test_an_output_that_is_a_folder_is_a_clear_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ics", "--schedule", str(SHIPPED), "-o", str(tmp_path)]) == 1
    assert f"{tmp_path}: error: cannot write: Is a directory" in capsys.readouterr().err
