"""``duebot status``: per schedule, what was sent, what is next and when, what failed and why."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.app.running import Running
from bot.core.timefmt import format_instant, relative
from bot.ports import Row


def _row(row: Row) -> dict[str, Any]:
    return {
        "key": row.key, "reminder": row.item_id, "destination": row.destination,
        "state": row.state, "due_utc": row.due.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "sent_utc": row.sent_at.strftime("%Y-%m-%dT%H:%M:%SZ") if row.sent_at else None,
        "attempts": row.attempts, "reason": row.reason,
    }


def gather(service: Running, now: datetime, *, shown: Callable[[Path], str] = str
           ) -> dict[str, Any]:
    """Everything status shows, as plain data (the table and --json print the same thing).

    ``shown``: how a schedule's path is written, as the caller's other output writes it (the
    CLI: relative inside the working folder, absolute outside it)."""
    events = service.events()
    schedules = []
    for loaded in service.schedules.values():
        event = loaded.event
        entry: dict[str, Any] = {"path": shown(Path(loaded.path)),
                                 "errors": [str(p) for p in loaded.problems]}
        if event is None:
            schedules.append(entry)
            continue
        rows = service.ledger.rows(event_id=event.id)
        waiting = [r for r in rows if r.state in ("pending", "failed", "claimed")]
        entry.update({
            "event": event.id,
            "name": event.name,
            "counts": service.ledger.counts(event.id),
            "sent": [_row(r) for r in rows if r.state == "sent"],
            "next": [{**_row(r), "in": relative(r.next_attempt, now),
                      "due_local": format_instant(r.due, event.zone)}
                     for r in sorted(waiting, key=lambda r: r.next_attempt)[:10]],
            "failed": [_row(r) for r in rows if r.state in ("failed", "dead")],
            "skipped": [_row(r) for r in rows if r.state == "skipped"],
            "outbox": len(service.ledger.outbox(event.id)),
            "audit": [{"at_utc": a["at"].strftime("%Y-%m-%dT%H:%M:%SZ"), "actor": a["actor"],
                       "action": a["action"], "detail": a["detail"]}
                      for a in service.ledger.audit_entries(event.id, limit=10)],
        })
        schedules.append(entry)
    return {"now_utc": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "replica": service.owner,
            "schedules": schedules, "events": sorted(events)}


def render_table(status: dict[str, Any]) -> str:
    lines = [f"duebot status at {status['now_utc']}"]
    for entry in status["schedules"]:
        lines.append("")
        if "event" not in entry:
            lines.append(f"{entry['path']}: NOT LOADED")
            lines.extend(f"  {e}" for e in entry["errors"])
            continue
        counts = ", ".join(f"{n} {s}" for s, n in sorted(entry["counts"].items())) or "none"
        lines.append(f"{entry['name']} ({entry['event']}) -- {entry['path']}")
        lines.append(f"  deliveries: {counts}")
        for error in entry["errors"]:
            lines.append(f"  schedule error (serving last good version): {error}")
        if entry["next"]:
            lines.append("  next:")
            for r in entry["next"]:
                lines.append(f"    {r['due_utc']}  {r['in']:<26} {r['reminder']} -> "
                             f"{r['destination']} [{r['state']}]")
        else:
            lines.append("  next: nothing waiting")
        if entry["sent"]:
            lines.append(f"  sent ({len(entry['sent'])}), latest:")
            for r in entry["sent"][-5:]:
                lines.append(f"    {r['sent_utc']}  {r['reminder']} -> {r['destination']}")
        if entry["failed"]:
            lines.append("  failed:")
            for r in entry["failed"]:
                lines.append(f"    {r['state']:<6} {r['reminder']} -> {r['destination']}: "
                             f"{r['reason']}")
        if entry["skipped"]:
            example = entry["skipped"][0]["reason"]
            lines.append(f"  skipped: {len(entry['skipped'])} (e.g. {example})")
        if entry.get("outbox"):
            lines.append(f"  outbox: {entry['outbox']} waiting for approval (duebot outbox)")
        if entry.get("audit"):
            lines.append("  changes (latest first):")
            for a in entry["audit"]:
                lines.append(f"    {a['at_utc']}  {a['actor']}: {a['action']} {a['detail']}")
    return "\n".join(lines)
