"""``duebot announce --preview``: exactly what each destination would receive, built by the
channel's own code (an SMTP message, Slack blocks, console text); nothing is sent or saved."""

from __future__ import annotations

import json
import sys
from typing import Any

from bot.cli.common import describe_instant
from bot.errors import DuebotError


def preview(service: Any, prepared: Any) -> None:
    """Exactly what each destination would receive; nothing is saved."""
    from bot.app import announce
    from bot.ports import Outgoing

    event, ann = prepared.event, prepared.announcement
    print(f"preview of announcement at {prepared.due:%Y-%m-%d %H:%M} UTC "
          f"({describe_instant(prepared.due, event.zone)}); nothing is saved")
    for destination in prepared.destinations:
        outgoing = Outgoing(key=f"{announce.item_id(event.id, ann.id)}|{destination}",
                            destination=destination, subject=prepared.message.subject,
                            text=prepared.message.text, html=prepared.message.html,
                            due=prepared.due, event_id=event.id,
                            slack_text=announce.slack_text(event, ann))
        print(f"\n==== {destination} ====")
        scheme = destination.split(":", 1)[0]
        if scheme == "mailto":
            _preview_mail(service, outgoing)
        elif scheme == "slack":
            _preview_slack(outgoing)
        else:
            from bot.adapters.console import ConsoleChannel

            ConsoleChannel(sys.stdout).send(outgoing)


def _preview_mail(service: Any, outgoing: Any) -> None:
    from bot.adapters.smtp import SmtpChannel
    from bot.config import SmtpConfig

    try:  # only builds the message: no session is opened
        channel = SmtpChannel(service.config.smtp, clock=service.clock)
    except DuebotError:  # the embedded default's sender has no domain: show the shape anyway
        channel = SmtpChannel(SmtpConfig(sender="duebot <noreply@example.org>"),
                              clock=service.clock)
    mail = channel.build(outgoing)
    for name, value in mail.items():
        print(f"{name}: {value}")
    for part in mail.walk():
        if part.is_multipart():
            continue
        print(f"\n--- {part.get_content_type()} ---")
        print(str(part.get_content()).rstrip("\n"))


def _preview_slack(outgoing: Any) -> None:
    from bot.adapters.slack_channel import message_blocks

    for block in message_blocks(outgoing):  # the blocks as text, in order
        kind = block.get("type", "")
        if kind == "section":
            print(f"[section]\n{block['text']['text']}")
        elif kind == "context":
            print("[context] " + " ".join(e.get("text", "") for e in block["elements"]))
        elif kind == "actions":
            print("[buttons] " + ", ".join(e["text"]["text"] for e in block["elements"]))
        else:
            print(json.dumps(block, ensure_ascii=False))
    print(f"fallback: {outgoing.subject}")
