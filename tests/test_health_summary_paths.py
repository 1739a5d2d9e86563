"""``/healthz``'s summary names a schedule file once: its error already begins with FILE:LINE
("schedules/x.toml: schedules/x.toml:35: error: ..." read as a stutter)."""

from __future__ import annotations

from bot.adapters.http import summary

ERROR = ("schedules/ws.toml:35: error: dates[1].at: 2027-03-28 02:30 does not exist in "
         "Europe/Zurich")


def test_a_schedule_serving_its_last_good_version_is_named_once() -> None:
    (line,) = summary("ok", [{"path": "schedules/ws.toml", "loaded": True, "errors": [ERROR]}],
                      {}, None)
    assert line.startswith(ERROR + ". The last good version is served"), line
    assert line.count("schedules/ws.toml") == 1


def test_an_error_without_the_path_still_names_the_file() -> None:
    (line,) = summary("ok", [{"path": "schedules/ws.toml", "loaded": True,
                              "errors": ["the file could not be read"]}], {}, None)
    assert line.startswith("schedules/ws.toml: the file could not be read. "), line
