"""``duebot ask``: a participant's question answered from the schedule, as text or JSON."""

from __future__ import annotations

import argparse
import json
from typing import Any

from bot.cli.common import listed_event, load_event, parse_now, parse_reader_zone
from bot.core.model import ImportantDate


def _date_json(when: ImportantDate) -> dict[str, Any]:
    item: dict[str, Any] = {"id": when.id, "title": when.title, "kind": when.kind}
    if when.at is not None:
        item["at_utc"] = when.at.strftime("%Y-%m-%dT%H:%M:%SZ")
    else:
        assert when.day is not None
        item["date"] = when.day.isoformat()
        if when.end_day is not None:
            item["end_date"] = when.end_day.isoformat()
    item["zone"] = when.zone.key
    if when.cancelled:
        item["cancelled"] = True
    return item


def cmd_ask(args: argparse.Namespace) -> int:
    from bot.core.ask import answer, explain

    question = " ".join(args.question).strip()
    if args.config and not args.schedule:
        event, _ = listed_event(args.config)
    else:
        event = load_event(args.schedule)
    now = parse_now(args.now)
    reply = answer(question, event, now=now, reader=parse_reader_zone(args.tz))
    if args.json:
        payload: dict[str, Any] = {
            "question": question,
            "intent": reply.intent,
            "language": reply.language,
            "answer": reply.text,
            "parts": [{"kind": p.kind, "text": "\n".join(p.lines),
                       "dates": [d.id for d in p.dates],
                       **({"verdict": p.verdict} if p.verdict is not None else {})}
                      for p in reply.parts],
            "dates": [_date_json(d) for d in reply.dates],
            "now": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "tz": args.tz or event.zone.key,
            "event": event.id,
        }
        if args.explain and reply.reading is not None:
            payload["reading"] = reply.reading.as_dict()
        print(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        if args.explain:
            print(explain(reply))
            print("---")
        print(reply.text)
    return 0
