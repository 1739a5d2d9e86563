"""Rewrite expected.toml from what import-cfp gives now.

Run after a deliberate change, then read the diff line by line: every changed instant or doubt
must be one you meant. ``.venv/bin/python tests/cfps/corpus/regenerate_expected.py``
"""

from __future__ import annotations

import json
import sys
import tempfile
import tomllib
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent.parent.parent))

from make_pdfs import write_pdf  # noqa: E402

from bot.adapters.pdf_text import pdf_text  # noqa: E402
from bot.core.cfp import import_cfp  # noqa: E402

HEADER = [
    "# What each call in this folder must import to: its dates (kind, instant in UTC; an",
    "# all-day date by when its day begins) in order, the event's id and place, and every doubt",
    "# flagged (one per warning, in order). *.pdf.txt calls are imported as PDFs.",
    "# Rewritten by regenerate_expected.py; review its diff by hand.",
    "",
]


def main() -> None:
    out = list(HEADER)
    scratch = Path(tempfile.mkdtemp())
    for path in sorted(HERE.iterdir()):
        if path.suffix in (".py", ".toml") or path.name.startswith("."):
            continue
        text = path.read_text(encoding="utf-8")
        if path.name.endswith(".pdf.txt"):
            text = pdf_text(write_pdf(text, scratch / "call.pdf").read_bytes())
        result = import_cfp(text, source=path.name)
        event = tomllib.loads(result.toml)["event"]
        out += ["[[call]]", f'file = "{path.name}"', f'id = "{event["id"]}"']
        out += [f'{key} = "{event[key]}"' for key in ("city", "country") if key in event]
        out.append("dates = [")
        out += [f'    ["{row.kind}", "{row.utc.removesuffix(" UTC")}"],' for row in result.summary]
        out += ["]", "doubts = ["]
        out += ["    " + json.dumps(w.message, ensure_ascii=False) + "," for w in result.warnings]
        out += ["]", ""]
    (HERE / "expected.toml").write_text("\n".join(out), encoding="utf-8")


if __name__ == "__main__":
    main()
