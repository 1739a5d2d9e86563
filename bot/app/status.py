"""``duebot status``: per schedule, what was sent, what is next and when, what failed and why."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.app.announce import desired_announcements
from bot.app.delivery import WAITING, desired_deliveries, desired_digests
from bot.app.running import Running
from bot.core.model import Event
from bot.core.timefmt import countdown, format_instant, relative
from bot.ports import Planned, Row

PLAN_IT = "`duebot deliver --once` or `duebot run`"
"""What plans a ledger (reconcile). ``status`` and ``outbox`` only read: a ``--now`` rehearsal
that reconciled would plan, or skip as past, real deliveries at a pretended time."""


def _row(row: Row) -> dict[str, Any]:
    return {
        "key": row.key, "reminder": row.item_id, "destination": row.destination,
        "state": row.state, "due_utc": row.due.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "sent_utc": row.sent_at.strftime("%Y-%m-%dT%H:%M:%SZ") if row.sent_at else None,
        "attempts": row.attempts, "reason": row.reason,
    }


def _waiting(rows: list[Row]) -> dict[str, dict[str, Any]]:
    """Per channel, the deliveries that wait on their platform (away, or rate limiting: no
    attempt used), the platform's latest words, the oldest one's due time (waiting since at
    least then) and the next try, so an outage reads as one line."""
    found: dict[str, dict[str, Any]] = {}
    for row in sorted(rows, key=lambda r: r.updated_at):
        if row.state == "failed" and row.reason.startswith(WAITING):
            entry = found.setdefault(row.destination.split(":", 1)[0], {
                "count": 0, "oldest_due_utc": _utc(row.due),
                "next_try_utc": _utc(row.next_attempt)})
            entry["count"] += 1
            entry["reason"] = row.reason
            entry["oldest_due_utc"] = min(entry["oldest_due_utc"], _utc(row.due))
            entry["next_try_utc"] = min(entry["next_try_utc"], _utc(row.next_attempt))
    return found


def _utc(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def next_try(row: Row, now: datetime) -> str:
    """What follows a waiting delivery's due time in ``next:``, each number named: ``" (in 3
    days)"`` for one not tried yet, ``", next try in 1 minute"`` after a failure (a countdown
    beside the due time read as if the due time were a minute away)."""
    if row.state == "claimed":
        return ", being sent now"
    if row.attempts == 0 and row.next_attempt == row.due:
        if row.due > now:
            return f" (in {countdown(row.due - now)})"
        return f" ({countdown(now - row.due)} ago: goes at the next pass)"
    if row.next_attempt > now:
        return f", next try in {countdown(row.next_attempt - now)}"
    return f", next try at the next pass (its time came {countdown(now - row.next_attempt)} ago)"


def approving(service: Running) -> frozenset[str]:
    """The events whose deliveries wait in the outbox (``approve = true`` in their
    ``[[schedules]]`` entry)."""
    paths = {s.path for s in service.config.schedules if s.approve}
    return frozenset(loaded.event.id for path, loaded in service.schedules.items()
                     if loaded.event is not None and path in paths)


def unplanned(service: Running, event: Event, rows: list[Row] | None = None) -> list[Planned]:
    """What the schedule makes that the ledger does not hold yet (a fresh ledger: all of it),
    as the next reconcile would plan it; ``rows``: the event's rows, if already read."""
    engine = service.engine
    destinations = engine.destinations.get(event.id, ())
    chosen = engine.preferences.get(event.id, {})
    approve = event.id in approving(service)
    wanted = [*desired_deliveries(event, destinations, approve=approve, preferences=chosen),
              *desired_digests(event, chosen, destinations),
              *desired_announcements(event, (), destinations, approve=approve)]
    held = {r.key for r in (rows if rows is not None
                            else service.ledger.rows(event_id=event.id))}
    return sorted((p for p in wanted if p.key not in held), key=lambda p: (p.due, p.key))


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
                      "next_try_utc": r.next_attempt.strftime("%Y-%m-%dT%H:%M:%SZ"),
                      "when": next_try(r, now),
                      "due_local": format_instant(r.due, event.zone)}
                     for r in sorted(waiting, key=lambda r: r.next_attempt)[:10]],
            "failed": [_row(r) for r in rows if r.state in ("failed", "dead")],
            "waiting_on_platform": _waiting(rows),
            "skipped": [_row(r) for r in rows if r.state == "skipped"],
            "outbox": len(service.ledger.outbox(event.id)),
            "unplanned": len(unplanned(service, event, rows)),
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
        if entry.get("unplanned"):
            lines.append(f"  not planned yet: {entry['unplanned']} deliveries the schedule makes "
                         f"are not in the ledger ({PLAN_IT} plans them; `duebot deliver --once "
                         f"--dry-run --now ISO` shows what would go)")
        for error in entry["errors"]:
            lines.append(f"  schedule error (serving last good version): {error}")
        if entry["next"]:
            lines.append("  next:")
            for r in entry["next"]:
                lines.append(f"    due {r['due_utc']}{r['when']:<28} {r['reminder']} -> "
                             f"{r['destination']} [{r['state']}]")
        else:
            lines.append("  next: nothing waiting")
        if entry["sent"]:
            lines.append(f"  sent ({len(entry['sent'])}), latest:")
            for r in entry["sent"][-5:]:
                lines.append(f"    {r['sent_utc']}  {r['reminder']} -> {r['destination']}")
        for scheme, waiting in entry.get("waiting_on_platform", {}).items():
            lines.append(f"  waiting on {scheme}: {waiting['count']} (no attempt used; "
                         f"latest: {waiting['reason']})")
            lines.append(f"    oldest due {waiting['oldest_due_utc']}, next try "
                         f"{waiting['next_try_utc']}: duebot keeps trying by itself and sends "
                         f"each once {scheme} answers (dead, with why, only once its reminder "
                         f"no longer makes sense); check that server")
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
