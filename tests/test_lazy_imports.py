"""What ``duebot run`` imports on its way to serving: not the question reader (``bot.core.ask``,
~0.1 s) and not ``icalendar`` (~0.1 s) until something needs them, and what they write is the
same when they are needed. Each check runs in a fresh interpreter (this one has imported
everything already)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def fresh(code: str) -> str:
    """What ``code`` prints in a new interpreter."""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    return out.stdout.strip()


def test_the_service_and_its_http_side_import_neither() -> None:
    code = ("import sys, bot.service, bot.adapters.http, bot.app.delivery, bot.core.language; "
            "print(sorted(m for m in ('bot.core.ask', 'icalendar') if m in sys.modules))")
    assert fresh(code) == "[]"


def test_the_service_leaves_the_ledger_and_the_scheduler_to_start_up() -> None:
    """SQLAlchemy and APScheduler (~0.15 s) are imported by ``Service`` itself: at a first start
    with a forked reader, while the child reads (``Service._warm``), not before the fork."""
    code = ("import sys, bot.service; "
            "print(sorted(m for m in ('sqlalchemy', 'apscheduler') if m in sys.modules))")
    assert fresh(code) == "[]"


def test_a_first_start_imports_the_ledger_after_forking_its_reader(tmp_path: Path) -> None:
    """The ledger's and the scheduler's modules are imported by this process while the child
    reads: after the fork, and by this process only."""
    from bot.service import READ_AHEAD

    code = f"""
import os, sys
from pathlib import Path
import bot.adapters.forked as forked
import bot.service
from bot.config import Config, ScheduleConfig, StorageConfig
from bot.adapters.console import ConsoleChannel
tmp = Path({str(tmp_path)!r})
paths = []
for n in range({READ_AHEAD}):
    path = tmp / f"w{{n}}.toml"
    path.write_text(f'[event]\\nid = "w{{n}}"\\nname = "W"\\nzone = "UTC"\\n[[dates]]\\n'
                    f'id = "d"\\ntitle = "D"\\nkind = "deadline"\\nat = "2031-01-01 23:59"\\n')
    paths.append(path)
seen = []
real = forked.fork_share
def watched(*args, **kwargs):
    seen.append([m in sys.modules for m in ("sqlalchemy", "apscheduler")])
    return real(*args, **kwargs)
bot.service.fork_share = watched
config = Config(storage=StorageConfig(database_url=f"sqlite:///{{tmp}}/ledger.db"),
                schedules=tuple(ScheduleConfig(path=p, reminders_to=("console:",))
                                for p in paths))
service = bot.service.Service(config, channels={{"console": ConsoleChannel()}})
print(seen, len(service.events()))
"""
    assert fresh(code) == f"[[False, False]] {READ_AHEAD}"


def test_the_chat_and_mail_sides_load_the_reader_on_their_first_question() -> None:
    code = ("import sys, bot.runner; bot.runner._providers(); "
            "import bot.adapters.slack_format, bot.app.mail_conversation; "
            "print('bot.core.ask' in sys.modules)")
    assert fresh(code) == "False"


def test_english_dates_need_no_reader_and_chinese_ones_are_the_readers() -> None:
    code = """
import sys
from datetime import date, datetime, timedelta, UTC
from bot.core.language import Language
from bot.core.zones import parse_zone
zone, moment = parse_zone("Asia/Shanghai"), datetime(2017, 9, 11, 6, 59, tzinfo=UTC)
en = Language("en")
english = [en.day(date(2017, 10, 10)), en.instant(moment, zone), en.caption(zone, moment),
           en.countdown(timedelta(days=9, hours=18))]
before = "bot.core.ask" in sys.modules
zh = Language("zh")
chinese = [zh.day(date(2017, 10, 10)), zh.instant(moment, zone), zh.caption(zone, moment),
           zh.countdown(timedelta(days=9, hours=18))]
from bot.core.ask import zh as reader
expected = [reader.format_day(date(2017, 10, 10)),
            f"{reader.format_instant(moment, zone)} {zone.abbreviation(moment)}",
            reader.zone_name(zone, moment), reader.countdown(timedelta(days=9, hours=18))]
import json
print(json.dumps([before, english, chinese == expected, chinese]))
"""
    before, english, same, chinese = json.loads(fresh(code))
    assert before is False
    assert english[0] == "Tuesday 10 October 2017"
    assert same is True
    assert chinese[0] == "2017年10月10日星期二"
    assert chinese[3] == "9天18小时"


def test_icalendar_is_loaded_by_the_first_calendar_built() -> None:
    code = """
import sys
from bot.core.ical import build_calendar
from bot.core.schedule import read_schedule
event, problems = read_schedule(open("schedules/aisys-sosp17.toml", encoding="utf-8").read())
assert event is not None and not problems, problems
before = "icalendar" in sys.modules
body = build_calendar([event])
import icalendar
parsed = icalendar.Calendar.from_ical(body)
print(before, "icalendar" in sys.modules, len(parsed.walk("VEVENT")) == len(event.dates))
"""
    assert fresh(code) == "False True True"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# ``duebot run`` under a finder that writes down which of the two modules get imported, by
# which process (a forked reader too), and when: a line per import, before or after the first
# /healthz 200 (the test writes the mark).
WATCHED_RUN = """
import os, runpy, sys
from pathlib import Path
log, mark = Path(sys.argv[1]), Path(sys.argv[2])
class Watch:
    def find_spec(self, name, path=None, target=None):
        if name in ("icalendar", "bot.core.ask"):
            with log.open("a") as out:
                out.write(f"{name} {os.getpid()} {'after' if mark.exists() else 'before'}\\n")
        return None
sys.meta_path.insert(0, Watch())
sys.argv = ["duebot", "run", "--config", sys.argv[3]]
runpy.run_module("bot", run_name="__main__")
"""


def _start_until_healthy(tmp_path: Path, config: Path, port: int, name: str
                         ) -> list[tuple[str, int]]:
    """Start ``duebot run`` until /healthz is 200, stop it; the watched imports before that
    (module, process id)."""
    log, mark = tmp_path / f"{name}.log", tmp_path / f"{name}.mark"
    process = subprocess.Popen([sys.executable, "-c", WATCHED_RUN, str(log), str(mark),
                                str(config)], cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, env={**os.environ})
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, process.stderr.read().decode()[-2000:]  # type: ignore[union-attr]
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz",
                                            timeout=2) as answer:
                    if answer.status == 200:
                        mark.touch()
                        break
            except (urllib.error.URLError, OSError):
                pass
            assert time.monotonic() < deadline, "no /healthz 200"
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
    lines = log.read_text().splitlines() if log.exists() else []
    return [(line.split()[0], int(line.split()[1])) for line in lines
            if line.endswith(" before")]


def test_a_restart_serves_before_importing_either(tmp_path: Path) -> None:
    """The first start proves the schedule (it builds its calendar: icalendar is loaded); the
    restart finds it proved in the schedule cache and serves without it."""
    port = _free_port()
    schedule = tmp_path / "w.toml"
    schedule.write_text('[event]\nid = "w"\nname = "W"\nzone = "America/New_York"\n'
                        '[reminders]\ndeadline = ["7d", "1d"]\n'
                        '[[dates]]\nid = "d"\ntitle = "D"\nkind = "deadline"\n'
                        'at = "2031-01-01 23:59"\n', encoding="utf-8")
    config = tmp_path / "duebot.toml"
    config.write_text(f'[storage]\ndatabase_url = "sqlite:///{tmp_path}/ledger.db"\n'
                      '[http]\nhost = "127.0.0.1"\n'
                      f'port = {port}\n[log]\nlevel = "WARNING"\n'
                      '[[schedules]]\npath = "w.toml"\nreminders_to = ["console:"]\n',
                      encoding="utf-8")
    first = _start_until_healthy(tmp_path, config, port, "first")
    # the proof builds the calendar: the finder does see it
    assert [module for module, _pid in first] == ["icalendar"]
    again = _start_until_healthy(tmp_path, config, port, "again")
    assert again == []  # nor the question reader, which the chat and mail sides load on use


def test_a_first_start_that_forks_a_reader_imports_icalendar_once(tmp_path: Path) -> None:
    """Enough new schedules that half are read and proved in a forked child (READ_AHEAD):
    icalendar is imported before the fork, not by each process after it."""
    from bot.service import READ_AHEAD

    port = _free_port()
    entries = []
    for n in range(READ_AHEAD):
        (tmp_path / f"w{n}.toml").write_text(
            f'[event]\nid = "w{n}"\nname = "W{n}"\nzone = "America/New_York"\n'
            '[[dates]]\nid = "d"\ntitle = "D"\nkind = "deadline"\n'
            'at = "2031-01-01 23:59"\n', encoding="utf-8")
        entries.append(f'[[schedules]]\npath = "w{n}.toml"\nreminders_to = ["console:"]\n')
    config = tmp_path / "duebot.toml"
    config.write_text(f'[storage]\ndatabase_url = "sqlite:///{tmp_path}/ledger.db"\n'
                      f'[http]\nhost = "127.0.0.1"\nport = {port}\n[log]\nlevel = "WARNING"\n'
                      + "".join(entries), encoding="utf-8")
    first = _start_until_healthy(tmp_path, config, port, "first")
    assert [module for module, _pid in first] == ["icalendar"], first
