"""A date's calendar fingerprint (``bot.core.revisions.fingerprint``) is stored in every
ledger (``date_revisions``): the same schedule must give the very same text forever, or every
date of every ledger would be served at a raised SEQUENCE after an upgrade. These values were
computed before the fingerprint's encoding was made cheaper."""

from __future__ import annotations

from pathlib import Path

from bot.core.revisions import fingerprint
from bot.core.schedule import read_schedule

ROOT = Path(__file__).resolve().parent.parent

VARIED = '''
[event]
id = "zh"
name = "研讨会 “Ünïcode”"
zone = "Asia/Shanghai"
city = "Shanghai"
country = "China"

[reminders]
deadline = ["1d"]

[[dates]]
id = "paper"
title = "论文截止 \\"quoted\\""
kind = "deadline"
at = "2031-03-01 23:59 AoE"
extended_from = "2031-02-20 23:59 AoE"
description = "Line one\\nline two"

[[dates]]
id = "days"
title = "Workshop"
kind = "event"
at = "2031-05-01"
end = "2031-05-03"

[[dates]]
id = "gone"
title = "Posters"
kind = "deadline"
at = "2031-04-01 12:00"
cancelled = true
sequence = 2
'''


def fingerprints(text: str, name: str) -> dict[str, str]:
    event, problems = read_schedule(text, name)
    assert event is not None and not problems
    return {when.id: fingerprint(event, when) for when in event.dates}


def test_the_shipped_schedules_fingerprints_stay_what_ledgers_store() -> None:
    text = (ROOT / "schedules" / "aisys-sosp17.toml").read_text(encoding="utf-8")
    assert fingerprints(text, "aisys.toml") == {
        "abstract": "b38d6293b30007ad4b790942cd420869",
        "notification": "56c94b0dfa6223e31162e49b9217ab47",
        "camera-ready": "13135b521c67245646496d426dbad58c",
        "workshop": "b7fb52088e2c6d7c661e2e6376ada8a7"}


def test_extended_all_day_cancelled_and_unicode_dates_fingerprints_stay() -> None:
    assert fingerprints(VARIED, "zh.toml") == {
        "paper": "3db025275cdd22d30ac1ac18975f0396",
        "days": "4e282459b7933e9d2dae3e8d7801ab43",
        "gone": "ee4524caa92d146b14c960084219caf1"}
