"""The operator's config file: one frozen object, every problem reported at once.

Secrets never live in the file: the SMTP password comes from ``DUEBOT_SMTP_PASSWORD``, Slack's
tokens from ``SLACK_BOT_TOKEN`` / ``SLACK_SIGNING_SECRET`` / ``SLACK_APP_TOKEN``.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from email.headerregistry import Address
from email.utils import parseaddr
from pathlib import Path
from typing import Any, Literal

from bot.errors import ConfigError, Problem
from bot.schedule import SourceMap, parse_duration, suggest

Security = Literal["none", "starttls", "ssl"]
DESTINATION_SCHEMES = ("mailto", "console", "slack")

TOP_KEYS = ("storage", "delivery", "smtp", "schedules", "http", "slack", "log")
STORAGE_KEYS = ("database_url", "pool_size", "max_overflow", "pool_timeout")
DELIVERY_KEYS = ("grace", "lease", "batch_size", "max_attempts", "retry_backoff", "max_backoff",
                 "poll", "late_after")
SMTP_KEYS = ("host", "port", "sender", "security", "username", "timeout", "list_unsubscribe",
             "reply_to")
SCHEDULE_KEYS = ("path", "reminders_to")
HTTP_KEYS = ("enabled", "host", "port", "base_url")
LOG_KEYS = ("level",)


@dataclass(frozen=True, kw_only=True)
class StorageConfig:
    database_url: str = "sqlite:///duebot.db"
    pool_size: int = 5
    max_overflow: int = 5
    pool_timeout: float = 10.0


@dataclass(frozen=True, kw_only=True)
class DeliveryConfig:
    grace: timedelta = timedelta(hours=1)
    """How late a missed reminder may still go out (with a note); later ones are skipped."""
    lease: timedelta = timedelta(seconds=60)
    batch_size: int = 50
    max_attempts: int = 8
    retry_backoff: timedelta = timedelta(minutes=1)
    max_backoff: timedelta = timedelta(hours=1)
    poll: timedelta = timedelta(seconds=30)
    """The longest the service sleeps: how soon it notices an edited schedule file."""
    late_after: timedelta = timedelta(minutes=2)
    """A reminder sent later than this after its due time carries a "this was due at" note."""


@dataclass(frozen=True, kw_only=True)
class SmtpConfig:
    host: str = "127.0.0.1"
    port: int = 25
    sender: str = "duebot <noreply@localhost>"
    security: Security = "none"
    username: str = ""
    password: str = field(default="", repr=False)
    timeout: float = 30.0
    list_unsubscribe: str = ""
    reply_to: str = ""


@dataclass(frozen=True, kw_only=True)
class ScheduleConfig:
    path: Path
    reminders_to: tuple[str, ...] = ("console:",)


@dataclass(frozen=True, kw_only=True)
class HttpConfig:
    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = 8080
    base_url: str = ""

    @property
    def public_url(self) -> str:
        return (self.base_url or f"http://{self.host}:{self.port}").rstrip("/")


@dataclass(frozen=True, kw_only=True)
class Config:
    source: str = ""
    storage: StorageConfig = field(default_factory=StorageConfig)
    delivery: DeliveryConfig = field(default_factory=DeliveryConfig)
    smtp: SmtpConfig = field(default_factory=SmtpConfig)
    schedules: tuple[ScheduleConfig, ...] = ()
    http: HttpConfig = field(default_factory=HttpConfig)
    slack: Mapping[str, Any] = field(default_factory=dict)
    log_level: str = "INFO"


class _Reader:
    def __init__(self, text: str, source: str) -> None:
        self.map = SourceMap(text)
        self.source = source
        self.problems: list[Problem] = []

    def error(self, path: tuple[str | int, ...], message: str) -> None:
        dotted = ".".join(str(p) for p in path)
        self.problems.append(Problem(message=message, file=self.source, line=self.map.line(path),
                                     field=dotted))

    def table(self, data: object, path: tuple[str | int, ...], allowed: tuple[str, ...]
              ) -> dict[str, Any]:
        if not isinstance(data, dict):
            self.error(path, "expected a table")
            return {}
        for key in data:
            if key not in allowed:
                self.error((*path, key), f"unknown key {key!r}{suggest(key, allowed)} "
                                         f"(allowed here: {', '.join(allowed)})")
        return data

    def duration(self, data: Mapping[str, Any], path: tuple[str, ...], key: str,
                 default: timedelta) -> timedelta:
        if key not in data:
            return default
        try:
            value = parse_duration(data[key])
        except ValueError as exc:
            self.error((*path, key), str(exc))
            return default
        if value <= timedelta(0):
            self.error((*path, key), f"{data[key]!r} must be longer than zero")
            return default
        return value

    def integer(self, data: Mapping[str, Any], path: tuple[str, ...], key: str, default: int,
                *, low: int = 1, high: int = 1_000_000) -> int:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.error((*path, key), f"expected a whole number from {low} to {high}, got "
                                     f"{value!r}")
            return default
        return value

    def text(self, data: Mapping[str, Any], path: tuple[str, ...], key: str, default: str
             ) -> str:
        value = data.get(key, default)
        if not isinstance(value, str):
            self.error((*path, key), f"expected text, got {value!r}")
            return default
        return value


def check_destination(value: object) -> str:
    """``mailto:a@b``, ``console:``, ``slack:#channel`` or ``slack:C0123ABCD``; else ValueError."""
    if not isinstance(value, str) or ":" not in value:
        raise ValueError(f"{value!r} is not a destination: expected \"mailto:list@example.org\", "
                         f"\"console:\" or \"slack:#channel\"")
    scheme, _, rest = value.partition(":")
    if scheme not in DESTINATION_SCHEMES:
        raise ValueError(f"{value!r}: unknown destination scheme {scheme!r}"
                         f"{suggest(scheme, DESTINATION_SCHEMES)} (expected "
                         f"{', '.join(s + ':' for s in DESTINATION_SCHEMES)})")
    if any(ch in value for ch in "\r\n\0"):
        raise ValueError(f"{value!r}: line breaks are not allowed in a destination")
    if scheme == "mailto":
        for part in rest.split(","):
            _, address = parseaddr(part)
            if "@" not in address or " " in address.strip():
                raise ValueError(f"{value!r}: {part.strip()!r} is not an e-mail address")
    if scheme == "slack" and not rest.strip():
        raise ValueError(f"{value!r}: name the channel, e.g. \"slack:#general\" or "
                         f"\"slack:C0123ABCD\"")
    return value


def parse_config(text: str, source: str = "<config>", *, env: Mapping[str, str] | None = None,
                 base: Path | None = None) -> Config:
    """Build the Config; raises ConfigError listing every problem in the file."""
    env = os.environ if env is None else env
    reader = _Reader(text, source)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([Problem(message=f"TOML syntax: {getattr(exc, 'msg', exc)}",
                                   file=source, line=getattr(exc, "lineno", None))]) from None
    reader.table(data, (), TOP_KEYS)
    base = base or Path.cwd()

    raw = reader.table(data.get("storage", {}), ("storage",), STORAGE_KEYS)
    url = reader.text(raw, ("storage",), "database_url", StorageConfig.database_url)
    url = _resolve_sqlite(url, base, env)
    if not (url.startswith("sqlite:") or url.startswith("postgresql")):
        reader.error(("storage", "database_url"),
                     f"{url!r}: expected sqlite:///FILE or postgresql+psycopg://USER@HOST/DB")
    storage = StorageConfig(
        database_url=url,
        pool_size=reader.integer(raw, ("storage",), "pool_size", 5, low=1, high=100),
        max_overflow=reader.integer(raw, ("storage",), "max_overflow", 5, low=0, high=100),
        pool_timeout=float(reader.integer(raw, ("storage",), "pool_timeout", 10, high=600)),
    )

    raw = reader.table(data.get("delivery", {}), ("delivery",), DELIVERY_KEYS)
    d = DeliveryConfig()
    delivery = DeliveryConfig(
        grace=reader.duration(raw, ("delivery",), "grace", d.grace),
        lease=reader.duration(raw, ("delivery",), "lease", d.lease),
        batch_size=reader.integer(raw, ("delivery",), "batch_size", d.batch_size, high=10_000),
        max_attempts=reader.integer(raw, ("delivery",), "max_attempts", d.max_attempts,
                                    high=1000),
        retry_backoff=reader.duration(raw, ("delivery",), "retry_backoff", d.retry_backoff),
        max_backoff=reader.duration(raw, ("delivery",), "max_backoff", d.max_backoff),
        poll=reader.duration(raw, ("delivery",), "poll", d.poll),
        late_after=reader.duration(raw, ("delivery",), "late_after", d.late_after),
    )

    raw = reader.table(data.get("smtp", {}), ("smtp",), SMTP_KEYS)
    smtp = _smtp(reader, raw, env)

    schedules: list[ScheduleConfig] = []
    raw_list = data.get("schedules", [])
    if not isinstance(raw_list, list):
        reader.error(("schedules",), "write each schedule as a [[schedules]] table")
        raw_list = []
    for index, item in enumerate(raw_list):
        path = ("schedules", index)
        item = reader.table(item, path, SCHEDULE_KEYS)
        if "path" not in item or not isinstance(item["path"], str):
            reader.error(path, "missing required key 'path' (the schedule's TOML file)")
            continue
        file = Path(item["path"])
        if not file.is_absolute():
            file = base / file
        if not file.is_file():
            reader.error((*path, "path"), f"{item['path']!r}: no such schedule file "
                                          f"(looked at {file})")
        destinations = item.get("reminders_to", ["console:"])
        if isinstance(destinations, str):
            destinations = [destinations]
        checked: list[str] = []
        if not isinstance(destinations, list):
            reader.error((*path, "reminders_to"), "expected a list of destinations")
            destinations = []
        for value in destinations:
            try:
                checked.append(check_destination(value))
            except ValueError as exc:
                reader.error((*path, "reminders_to"), str(exc))
        schedules.append(ScheduleConfig(path=file, reminders_to=tuple(dict.fromkeys(checked))))
    if any(d.startswith("mailto:") for s in schedules for d in s.reminders_to) and not raw.get(
            "sender") and "smtp" not in data:
        reader.error(("smtp",), "mailto: destinations need an [smtp] table with host and sender")

    raw = reader.table(data.get("http", {}), ("http",), HTTP_KEYS)
    enabled = raw.get("enabled", True)
    if not isinstance(enabled, bool):
        reader.error(("http", "enabled"), f"expected true or false, got {enabled!r}")
        enabled = True
    http = HttpConfig(enabled=enabled, host=reader.text(raw, ("http",), "host", "127.0.0.1"),
                      port=reader.integer(raw, ("http",), "port", 8080, low=0, high=65535),
                      base_url=reader.text(raw, ("http",), "base_url", ""))

    slack = data.get("slack", {})
    if not isinstance(slack, dict):
        reader.error(("slack",), "expected a table")
        slack = {}

    raw = reader.table(data.get("log", {}), ("log",), LOG_KEYS)
    level = reader.text(raw, ("log",), "level", "INFO").upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        reader.error(("log", "level"), f"{level!r}: expected DEBUG, INFO, WARNING or ERROR")

    if reader.problems:
        raise ConfigError(reader.problems)
    return Config(source=source, storage=storage, delivery=delivery, smtp=smtp,
                  schedules=tuple(schedules), http=http, slack=slack, log_level=level)


def _resolve_sqlite(url: str, base: Path, env: Mapping[str, str]) -> str:
    """``sqlite:///duebot.db`` is relative to the config file's folder, not the cwd."""
    override = env.get("DUEBOT_DATABASE_URL")
    if override:
        url = override
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != prefix + ":memory:":
        return prefix + str((base / url[len(prefix):]).resolve())
    return url


def _smtp(reader: _Reader, raw: Mapping[str, Any], env: Mapping[str, str]) -> SmtpConfig:
    path = ("smtp",)
    security = raw.get("security", "none")
    if security not in ("none", "starttls", "ssl"):
        reader.error((*path, "security"), f"{security!r}: expected \"none\", \"starttls\" or "
                                          f"\"ssl\"")
        security = "none"
    sender = reader.text(raw, path, "sender", SmtpConfig.sender)
    if any(ch in sender for ch in "\r\n\0"):
        reader.error((*path, "sender"), "line breaks are not allowed in the sender")
    else:
        _, address = parseaddr(sender)
        try:
            Address(addr_spec=address)
            if "@" not in address:
                raise ValueError(address)
        except (ValueError, IndexError):
            reader.error((*path, "sender"), f"{sender!r} is not an address: expected "
                                            f"\"Name <noreply@example.org>\"")
    username = reader.text(raw, path, "username", "")
    password = env.get("DUEBOT_SMTP_PASSWORD", "")
    if username and not password:
        reader.error((*path, "username"), "smtp.username is set but the environment variable "
                                          "DUEBOT_SMTP_PASSWORD is empty: set it (secrets never "
                                          "go in the config file)")
    timeout = raw.get("timeout", 30)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        reader.error((*path, "timeout"), f"expected seconds (a number > 0), got {timeout!r}")
        timeout = 30
    return SmtpConfig(
        host=reader.text(raw, path, "host", "127.0.0.1"),
        port=reader.integer(raw, path, "port", 25, low=1, high=65535),
        sender=sender, security=security, username=username, password=password,
        timeout=float(timeout), list_unsubscribe=reader.text(raw, path, "list_unsubscribe", ""),
        reply_to=reader.text(raw, path, "reply_to", ""),
    )


def load_config(path: str | Path | None, *, env: Mapping[str, str] | None = None) -> Config:
    """Read the config file; None means the embedded default (shipped schedules, console)."""
    if path is None:
        from bot.schedule_files import project_root, shipped_schedules

        root = project_root()
        schedules = tuple(ScheduleConfig(path=p) for p in shipped_schedules(root))
        url = _resolve_sqlite("sqlite:///duebot.db", root, os.environ if env is None else env)
        return Config(source="<default>", schedules=schedules,
                      storage=StorageConfig(database_url=url))
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError([Problem(message=f"cannot read config: {exc.strerror}",
                                   file=str(path))]) from None
    return parse_config(text, str(path), env=env, base=file.resolve().parent)
