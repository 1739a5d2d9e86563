"""``duebot import-cfp``: a call for papers (text, HTML or PDF) -> a draft schedule, its doubts."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.cli.common import parse_reader_zone, report, write_output
from bot.errors import UsageError


def cmd_import_cfp(args: argparse.Namespace) -> int:
    from bot.adapters.pdf_text import looks_like_pdf, pdf_text
    from bot.adapters.schedule_files import display_path
    from bot.core.cfp import import_cfp

    if args.source == "-":
        name, data = "<stdin>", sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") \
            else sys.stdin.read().encode("utf-8")
    else:
        path = Path(args.source)
        name = display_path(path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise UsageError(f"cannot read the call: {exc.strerror}", file=name) from None
    if looks_like_pdf(data):
        text = pdf_text(data, source=name)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise UsageError(f"cannot read the call: not UTF-8 text ({exc.reason})",
                             file=name) from None
    # An unknown zone is a usage error naming --zone; a city ("Beijing") is its zone, as --tz.
    zone = parse_reader_zone(args.zone, option="--zone")
    draft, warnings, summary = import_cfp(text, source=name, zone=zone.key if zone else None,
                                          year=args.year)
    report(warnings)
    print_summary(summary)
    if args.output and args.output != "-":
        write_output(args.output, draft.encode("utf-8"))
        print(f"wrote {args.output} ({len(warnings)} doubt{'s' if len(warnings) != 1 else ''} "
              f"to check)", file=sys.stderr)
    else:
        sys.stdout.write(draft)
    return 0


def print_summary(rows: Sequence[Any]) -> None:
    """What import-cfp found, one date a line, so a chair checks it before reading the TOML."""
    table = [("date", "kind", "local", "UTC", "doubt")]
    for row in rows:
        doubt = "; ".join(row.doubts) or "-"
        table.append((row.id, row.kind, row.local, row.utc, doubt))
    widths = [max(len(r[i]) for r in table) for i in range(4)]
    for cells in table:
        line = "  ".join(c.ljust(w) for c, w in zip(cells[:4], widths, strict=True))
        print(f"{line}  {cells[4]}", file=sys.stderr)
