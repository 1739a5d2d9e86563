"""The ``console:`` channel: prints each delivery, so ``duebot run`` works with no credentials.

It ships in the product (errbot's ``TestBackend`` idea): dry runs, demos and tests see exactly
what would have gone out, through the same engine path as e-mail and Slack.
"""

from __future__ import annotations

import contextlib
import sys
from typing import TextIO

from bot.ports import Outcome, Outgoing

__all__ = ["ConsoleChannel"]

RULE = "-" * 72


class ConsoleChannel:
    """Writes a readable block per message to a text stream (standard output by default)."""

    scheme = "console"

    def __init__(self, stream: TextIO | None = None) -> None:
        # None means "sys.stdout at send time", so pytest's capsys and redirections apply.
        self._stream = stream

    def send(self, message: Outgoing) -> Outcome:
        """Print the message; a closed or broken stream is a passing failure, never a raise."""
        stream = self._stream if self._stream is not None else sys.stdout
        lines = [RULE, "To: console", f"Key: {message.key}", f"Subject: {message.subject}"]
        if message.due is not None:
            lines.append(f"Due: {message.due.isoformat()}")
        if message.ics:
            lines.append(f"Attachment: {message.ics_name} ({len(message.ics)} bytes)")
        lines += ["", message.text.rstrip("\n"), ""]
        block = "\n".join(lines) + "\n"
        encoding = getattr(stream, "encoding", None)
        if isinstance(encoding, str):
            # A C-locale terminal must not turn an "é" into a failure retried forever.
            with contextlib.suppress(LookupError):
                block = block.encode(encoding, "replace").decode(encoding)
        try:
            stream.write(block)
            stream.flush()
        except (OSError, ValueError) as exc:  # ValueError: I/O operation on closed file
            return Outcome(kind="retry", reason=f"console not writable: {exc}")
        return Outcome.sent()

    def close(self) -> None:
        """Nothing to release; the stream belongs to whoever passed it."""
