"""duebot: keeps the people of an academic workshop on time.

The public face of the package, for scripts and notebooks: read a schedule, plan its
reminders, read a config and run the service. Everything else is reached through its own
module (``bot.core``, ``bot.app``, ``bot.adapters``; see docs/architecture.md).

Only the errors are imported at once; the rest on first use, so that ``import bot.core.page``
(which runs this file first) stays as light and as pure as the page model itself.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from bot.errors import (
    ConfigError,
    DuebotError,
    Problem,
    ScheduleError,
    StorageConflict,
    StorageError,
    StorageUnavailable,
    TemplateError,
    UsageError,
    ZoneError,
)

if TYPE_CHECKING:
    from bot.config import Config, load_config
    from bot.core.model import Event, ImportantDate
    from bot.core.planner import Reminder, plan
    from bot.core.schedule import parse_schedule, read_schedule
    from bot.core.zones import Zone, parse_zone
    from bot.service import Service

__version__ = "0.1.0"

_LAZY = {
    "Event": "bot.core.model", "ImportantDate": "bot.core.model",
    "parse_schedule": "bot.core.schedule", "read_schedule": "bot.core.schedule",
    "Reminder": "bot.core.planner", "plan": "bot.core.planner",
    "Zone": "bot.core.zones", "parse_zone": "bot.core.zones",
    "Config": "bot.config", "load_config": "bot.config",
    "Service": "bot.service",
}

__all__ = [
    "Config", "ConfigError", "DuebotError", "Event", "ImportantDate", "Problem", "Reminder",
    "ScheduleError", "Service", "StorageConflict", "StorageError",
    "StorageUnavailable", "TemplateError",
    "UsageError", "Zone", "ZoneError", "__version__", "load_config", "parse_schedule",
    "parse_zone", "plan", "read_schedule",
]


def __getattr__(name: str) -> Any:
    """``bot.Event``, ``bot.plan`` ...: imported from their module on first use."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'bot' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
