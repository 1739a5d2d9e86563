"""The operator's config file: one frozen object, every problem reported at once.

Secrets never live in the file: the SMTP password comes from ``DUEBOT_SMTP_PASSWORD``, Slack's
tokens from ``SLACK_BOT_TOKEN`` / ``SLACK_SIGNING_SECRET`` / ``SLACK_APP_TOKEN``.
``DUEBOT_HTTP_HOST`` / ``DUEBOT_HTTP_PORT`` override ``[http] host`` / ``port`` (containers).
"""

from __future__ import annotations

import os
import re
import ssl
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from email.headerregistry import Address
from email.utils import parseaddr
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from bot.core.destinations import check_destination, missing_variables
from bot.core.schedule import parse_duration
from bot.core.toml_source import TomlReader, nesting_problem, syntax_problem
from bot.errors import ConfigError, Problem, shown

Security = Literal["none", "starttls", "ssl"]

TOP_KEYS = ("storage", "delivery", "smtp", "schedules", "http", "slack", "log", "mail",
            "apprise", "discord", "zulip", "mattermost", "templates")
STORAGE_KEYS = ("database_url", "pool_size", "max_overflow", "pool_timeout")
DELIVERY_KEYS = ("grace", "lease", "batch_size", "max_attempts", "retry_backoff", "max_backoff",
                 "poll", "late_after", "send_deadline")
SMTP_KEYS = ("host", "port", "sender", "security", "username", "timeout", "list_unsubscribe",
             "reply_to", "connections")
SCHEDULE_KEYS = ("path", "reminders_to", "approve")
HTTP_KEYS = ("enabled", "host", "port", "base_url")
LOG_KEYS = ("level",)
MAIL_KEYS = ("address", "listen", "lmtp", "imap_host", "imap_port", "imap_user", "imap_folder",
             "imap_poll", "imap_security", "imap_ca_file", "rate_limit", "reply_budget",
             "max_bytes", "spool")
SLACK_KEYS = ("api_base_url", "organizers", "socket_mode", "command", "channel_rate")
SLACK_API = "https://slack.com/api/"
APPRISE_KEYS = ("timeout",)
DISCORD_KEYS = ("application_id", "public_key", "command", "guild_id", "api_base_url",
                "ephemeral", "max_age")
DISCORD_API = "https://discord.com/api/v10"
CHAT_KEYS = ("enabled",)
TEMPLATES_KEYS = ("folder",)
# ASCII digits only: str.isdigit() takes "²" and "٣", which int() or the socket then refuse.
_PORT = re.compile(r"[0-9]{1,5}")
# What the ledger's engine can open: SQLite (a file, or memory) and PostgreSQL through psycopg.
_DATABASE_URL = re.compile(r"sqlite(?:\+pysqlite)?://(?:/[^\x00-\x1f]+)?"
                           r"|postgresql(?:\+psycopg)?://[^\s\x00-\x1f]*")


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
    send_deadline: timedelta = timedelta(seconds=60)
    """The longest one chat or webhook send (Slack, Discord, Apprise) may take in all: their
    HTTP clients bound each read only, so a platform trickling its answer would hold a sender
    for hours (``bot.adapters.send_deadline``). Mail's is 4 x ``[smtp] timeout``."""


@dataclass(frozen=True, kw_only=True)
class SmtpConfig:
    """How to reach the mail server (``[smtp]``); the ``mailto:`` channel takes it as is."""

    host: str = "127.0.0.1"
    port: int = 25
    sender: str = "duebot <noreply@localhost>"
    """The From address, display name allowed: ``AI Systems Workshop <noreply@example.org>``."""
    security: Security = "none"
    username: str = ""
    password: str = field(default="", repr=False)
    """Never in a file: the config loader reads it from ``DUEBOT_SMTP_PASSWORD``."""
    timeout: float = 30.0
    list_unsubscribe: str = ""
    """``mailto:`` or ``https:`` URI; with https, RFC 8058 one-click unsubscribe is offered."""
    reply_to: str = ""
    ssl_context: ssl.SSLContext | None = field(default=None, repr=False, compare=False)
    """For ``starttls``/``ssl``; default: the system's trusted CAs with hostname checking. Not
    in the file: a caller with its own CA (a test, an embedding program) passes one."""
    connections: int = 16
    """SMTP sessions each process keeps open at once: a relay that takes 50 ms a message
    carries ~20 a second per session, so 16 clear 10,000 due at one instant in about 31 s (8
    would need 62 s); Postfix accepts 50 sessions from one client by default
    (``smtpd_client_connection_count_limit``), room for three replicas of 16."""


@dataclass(frozen=True, kw_only=True)
class ScheduleConfig:
    path: Path
    reminders_to: tuple[str, ...] = ("console:",)
    approve: bool = False
    """Hold every delivery in the outbox until ``duebot approve`` (an organizer) lets it go."""


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
class SlackConfig:
    """``[slack]``: where the Web API is and who may give organizer commands; tokens from env."""

    api_base_url: str = SLACK_API
    """The real ``slack_sdk`` ``base_url`` option; tests point it at a stand-in."""
    organizers: tuple[str, ...] = ()
    """User ids (``U0123``) and user group ids (``S0123``) allowed organizer commands."""
    socket_mode: bool | None = None
    """None: Socket Mode exactly when ``SLACK_APP_TOKEN`` is set."""
    command: str = "/duebot"
    channel_rate: float = 1.0
    """Messages per second per channel (Slack allows about one)."""
    bot_token: str = field(default="", repr=False)
    signing_secret: str = field(default="", repr=False)
    app_token: str = field(default="", repr=False)

    @property
    def uses_socket_mode(self) -> bool:
        return bool(self.app_token) and self.socket_mode is not False


SLACK_TOKEN_MISSING = ("reminders_to has slack: destinations but the environment variable "
                       "SLACK_BOT_TOKEN is empty: set it to the app's bot token (xoxb-...)")


DISCORD_TOKEN_MISSING = ("reminders_to has discord: destinations but the environment variable "
                         "DISCORD_BOT_TOKEN is empty: set it to the bot's token (Developer "
                         "Portal, Bot)")


def with_slack_tokens(slack: SlackConfig, env: Mapping[str, str]) -> SlackConfig:
    """The same settings with the tokens taken from the environment (never from the file)."""
    return replace(slack, bot_token=env.get("SLACK_BOT_TOKEN", "").strip(),
                   signing_secret=env.get("SLACK_SIGNING_SECRET", "").strip(),
                   app_token=env.get("SLACK_APP_TOKEN", "").strip())


@dataclass(frozen=True, kw_only=True)
class MailConfig:
    """``[mail]``: the workshop address duebot answers as, and how mail reaches it.

    The IMAP password comes from ``DUEBOT_IMAP_PASSWORD``; replies go out through ``[smtp]``.
    """

    address: str = ""
    """The address participants write to, e.g. ``dates@example.org`` (``+subscribe`` too)."""
    listen: str = ""
    """``host:port`` of the SMTP (or LMTP) listener a mail server delivers to; "" for none."""
    lmtp: bool = False
    imap_host: str = ""
    imap_port: int = 993
    imap_user: str = ""
    imap_password: str = field(default="", repr=False)
    imap_folder: str = "INBOX"
    imap_poll: timedelta = timedelta(seconds=60)
    imap_security: Security = "ssl"
    imap_ca_file: Path | None = None
    """A CA bundle (PEM) to verify the IMAP server with, for a private CA; None: the system's."""
    rate_limit: int = 5
    """Answers per sender per ``rate_window``; more get none (and are logged)."""
    rate_window: timedelta = timedelta(hours=1)
    reply_budget: int = 200
    """Replies and confirmations per hour from all senders together: forged senders cannot
    make duebot a spam relay beyond this (more are not answered, and logged)."""
    max_bytes: int = 10_000_000
    spool: Path = Path("mail-spool")
    """Where mail that could not be handled is kept, so nothing is lost."""

    @property
    def enabled(self) -> bool:
        return bool(self.listen or self.imap_host)

    @property
    def listen_at(self) -> tuple[str, int]:
        host, _, port = self.listen.rpartition(":")
        return host.strip("[]") or "127.0.0.1", int(port)


@dataclass(frozen=True, kw_only=True)
class AppriseConfig:
    """``[apprise]``: how long one notification may take; the environment its URLs read.

    ``env`` is where each ``${NAME}`` in an ``apprise:`` URL is looked up when a message goes
    (the process environment unless a test gives another).
    """

    timeout: float = 30.0
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ), repr=False)


@dataclass(frozen=True, kw_only=True)
class DiscordConfig:
    """``[discord]``: the slash command answered at ``POST /discord/interactions``.

    On when the application's public key is known (``public_key`` or ``DISCORD_PUBLIC_KEY``);
    the bot token (``DISCORD_BOT_TOKEN``) is needed by ``duebot discord register`` and for
    reminders by DM (``discord:USER_ID`` destinations, subscribers from the slash command).
    """

    application_id: str = ""
    public_key: str = ""
    """Hex Ed25519 key from the Developer Portal (not a secret; the environment overrides)."""
    command: str = "deadline"
    guild_id: str = ""
    """Register in one server (instant) instead of globally (``duebot discord register``)."""
    api_base_url: str = DISCORD_API
    ephemeral: bool = True
    """Answers only the asker sees (as Slack's slash command does)."""
    max_age: float = 300.0
    """Seconds a signed request's timestamp may be off; older ones are refused (replays)."""
    bot_token: str = field(default="", repr=False)

    @property
    def enabled(self) -> bool:
        return bool(self.public_key)


@dataclass(frozen=True, kw_only=True)
class WebhookBotConfig:
    """``[zulip]`` / ``[mattermost]``: an outgoing-webhook bot; its tokens from the environment.

    On when a token is set, unless ``enabled = false``.
    """

    enabled: bool | None = None
    tokens: tuple[str, ...] = field(default=(), repr=False)

    @property
    def on(self) -> bool:
        return bool(self.tokens) and self.enabled is not False


@dataclass(frozen=True, kw_only=True)
class Config:
    source: str = ""
    storage: StorageConfig = field(default_factory=StorageConfig)
    delivery: DeliveryConfig = field(default_factory=DeliveryConfig)
    smtp: SmtpConfig = field(default_factory=SmtpConfig)
    schedules: tuple[ScheduleConfig, ...] = ()
    http: HttpConfig = field(default_factory=HttpConfig)
    slack: SlackConfig = field(default_factory=SlackConfig)
    log_level: str = "INFO"
    mail: MailConfig = field(default_factory=MailConfig)
    apprise: AppriseConfig = field(default_factory=AppriseConfig)
    discord: DiscordConfig = field(default_factory=DiscordConfig)
    zulip: WebhookBotConfig = field(default_factory=WebhookBotConfig)
    mattermost: WebhookBotConfig = field(default_factory=WebhookBotConfig)
    templates: Path | None = None
    """``[templates] folder``: the operator's templates, looked up before the shipped ones."""


class _Reader(TomlReader):
    """The config's reader: TomlReader plus durations, bounded numbers and text with defaults."""

    def field(self, path: tuple[str | int, ...]) -> str:
        return ".".join(str(p) for p in path)  # "schedules.0.path", as config errors always said

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
            self.error((*path, key), f"expected text, got {shown(value)}")
            return default
        if "\x00" in value:  # no file name, address or URL holds one; the OS refuses them later
            self.error((*path, key), f"{shown(value)}: a NUL character is not allowed here")
            return default
        return value


def parse_config(text: str, source: str = "<config>", *, env: Mapping[str, str] | None = None,
                 base: Path | None = None) -> Config:
    """Build the Config; raises ConfigError listing every problem in the file."""
    env = os.environ if env is None else env
    reader = _Reader(text, source)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([syntax_problem(exc, text, source)]) from None
    except RecursionError:
        raise ConfigError([nesting_problem(text, source)]) from None
    reader.table(data, (), TOP_KEYS)
    base = base or Path.cwd()

    raw = reader.table(data.get("storage", {}), ("storage",), STORAGE_KEYS)
    url = reader.text(raw, ("storage",), "database_url", StorageConfig.database_url)
    url = _resolve_sqlite(url, base, env)
    if not _DATABASE_URL.fullmatch(url):
        # Heroku and libpq write postgres://, which SQLAlchemy does not know: say the spelling.
        hint = (f" (write {'postgresql+psycopg://' + url.split('://', 1)[1]!r})"
                if url.startswith("postgres://") else "")
        reader.error(("storage", "database_url"),
                     f"{url!r}: expected sqlite:///FILE, sqlite:///:memory: or "
                     f"postgresql+psycopg://USER@HOST/DB{hint}")
    elif (sqlite_dir := _sqlite_folder(url)) is not None and not sqlite_dir.is_dir():
        # SQLite makes the file but not its folder: "unable to open database file" at start.
        came = " (from DUEBOT_DATABASE_URL)" if env.get("DUEBOT_DATABASE_URL") else ""
        reader.error(("storage", "database_url"),
                     f"{url!r}{came}: the folder {sqlite_dir} does not exist (SQLite creates the "
                     f"file, not its folder): create it, or name a file in a folder that exists")
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
        send_deadline=reader.duration(raw, ("delivery",), "send_deadline", d.send_deadline),
    )
    if delivery.send_deadline > timedelta(hours=1):
        reader.error(("delivery", "send_deadline"), f"{raw.get('send_deadline')!r}: expected "
                                                    f"at most 1h (one send, not a batch)")
        delivery = replace(delivery, send_deadline=d.send_deadline)

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
        if isinstance(item.get("path"), str) and "\x00" in item["path"]:
            reader.error((*path, "path"), "a NUL character is not allowed in a file name")
            continue
        if "path" not in item or not isinstance(item["path"], str):
            reader.error(path, "missing required key 'path' (the schedule's TOML file)")
            continue
        file = Path(item["path"])
        if not file.is_absolute():
            file = base / file
        if file.is_dir():
            reader.error((*path, "path"), f"{item['path']!r} is a folder ({file}): expected "
                                          f"one schedule's TOML file, one [[schedules]] "
                                          f"table for each")
        elif not file.is_file():
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
                continue
            if value.startswith("slack:") and not env.get("SLACK_BOT_TOKEN", "").strip() and (
                    not any(d.startswith("slack:") for d in checked[:-1])):
                reader.error((*path, "reminders_to"), SLACK_TOKEN_MISSING)
            if value.startswith("discord:") and not env.get("DISCORD_BOT_TOKEN", "").strip() \
                    and not any(d.startswith("discord:") for d in checked[:-1]):
                reader.error((*path, "reminders_to"), DISCORD_TOKEN_MISSING)
            for name in missing_variables(value, env):
                reader.error((*path, "reminders_to"),
                             f"{value!r} uses ${{{name}}} but the environment variable {name} "
                             f"is not set: set it to the secret part of the URL (secrets never "
                             f"go in the config file)")
        approve = item.get("approve", False)
        if not isinstance(approve, bool):
            reader.error((*path, "approve"), f"expected true or false, got {approve!r}")
            approve = False
        schedules.append(ScheduleConfig(path=file, reminders_to=tuple(dict.fromkeys(checked)),
                                        approve=approve))
    if any(d.startswith("mailto:") for s in schedules for d in s.reminders_to) and (
            "smtp" not in data):
        reader.error(("smtp",), "mailto: destinations need an [smtp] table with host and sender")

    raw = reader.table(data.get("http", {}), ("http",), HTTP_KEYS)
    enabled = raw.get("enabled", True)
    if not isinstance(enabled, bool):
        reader.error(("http", "enabled"), f"expected true or false, got {enabled!r}")
        enabled = True
    host = reader.text(raw, ("http",), "host", "127.0.0.1")
    port = reader.integer(raw, ("http",), "port", 8080, low=0, high=65535)
    # A container binds 0.0.0.0 while the file (shared with bare-metal runs) says 127.0.0.1.
    host = env.get("DUEBOT_HTTP_HOST", "").strip() or host
    if env.get("DUEBOT_HTTP_PORT", "").strip():
        raw_port = env["DUEBOT_HTTP_PORT"].strip()
        if _PORT.fullmatch(raw_port) and int(raw_port) <= 65535:
            port = int(raw_port)
        else:
            reader.problems.append(Problem(
                message=f"environment variable DUEBOT_HTTP_PORT={raw_port!r}: expected a port "
                        f"number from 0 to 65535", file=source, field="http.port"))
    base_url = reader.text(raw, ("http",), "base_url", "")
    if base_url and (mistake := base_url_problem(base_url)):
        reader.error(("http", "base_url"), f"{base_url!r}: {mistake}; expected the public "
                                           f"address such as \"https://dates.example.org\" "
                                           f"(a path prefix such as /duebot is fine)")
        base_url = ""
    http = HttpConfig(enabled=enabled, host=host, port=port, base_url=base_url)

    raw = reader.table(data.get("slack", {}), ("slack",), SLACK_KEYS)
    slack = _slack(reader, raw, env)

    raw = reader.table(data.get("mail", {}), ("mail",), MAIL_KEYS)
    mail = _mail(reader, raw, env, base, storage.database_url)

    raw = reader.table(data.get("apprise", {}), ("apprise",), APPRISE_KEYS)
    apprise_timeout = raw.get("timeout", 30)
    if (isinstance(apprise_timeout, bool) or not isinstance(apprise_timeout, int | float)
            or not 0 < apprise_timeout <= 300):
        reader.error(("apprise", "timeout"), f"expected seconds (a number above 0, at most "
                                             f"300), got {apprise_timeout!r}")
        apprise_timeout = 30
    apprise_config = AppriseConfig(timeout=float(apprise_timeout), env=dict(env))

    raw = reader.table(data.get("discord", {}), ("discord",), DISCORD_KEYS)
    discord = _discord(reader, raw, env)
    chat: dict[str, WebhookBotConfig] = {}
    for name in ("zulip", "mattermost"):
        raw = reader.table(data.get(name, {}), (name,), CHAT_KEYS)
        enabled = raw.get("enabled")
        if enabled is not None and not isinstance(enabled, bool):
            reader.error((name, "enabled"), f"expected true or false, got {enabled!r}")
            enabled = None
        chat[name] = webhook_bot(name, env, enabled)
        if enabled is True and not chat[name].tokens:
            variables = " or ".join(WEBHOOK_TOKEN_VARIABLES[name])
            reader.error((name, "enabled"), f"{name}.enabled = true but {variables} is not set: "
                                            f"set it to the token {name.title()} shows for the "
                                            f"outgoing webhook")

    raw = reader.table(data.get("log", {}), ("log",), LOG_KEYS)
    level = reader.text(raw, ("log",), "level", "INFO").upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        reader.error(("log", "level"), f"{level!r}: expected DEBUG, INFO, WARNING or ERROR")

    raw = reader.table(data.get("templates", {}), ("templates",), TEMPLATES_KEYS)
    templates = None
    if folder := reader.text(raw, ("templates",), "folder", ""):
        templates = base / folder
        if not templates.is_dir():
            reader.error(("templates", "folder"), f"{folder!r}: no such folder ({templates}); "
                                                  f"expected a folder of *.j2 templates that "
                                                  f"replace the shipped ones of the same name")
            templates = None

    if reader.problems:
        raise ConfigError(sorted(reader.problems, key=lambda p: p.line or 0))  # file order
    return Config(source=source, storage=storage, delivery=delivery, smtp=smtp,
                  schedules=tuple(schedules), http=http, slack=slack, log_level=level,
                  mail=mail, apprise=apprise_config, discord=discord, zulip=chat["zulip"],
                  mattermost=chat["mattermost"], templates=templates)


def _resolve_sqlite(url: str, base: Path, env: Mapping[str, str]) -> str:
    """``sqlite:///duebot.db`` is relative to the config file's folder, not the cwd."""
    override = env.get("DUEBOT_DATABASE_URL")
    if override:
        url = override
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != prefix + ":memory:":
        return prefix + str((base / url[len(prefix):]).resolve())
    return url


def _sqlite_folder(url: str) -> Path | None:
    """The folder an SQLite file URL puts the file in; None for other URLs and ``:memory:``."""
    scheme, _, rest = url.partition(":///")
    if scheme not in ("sqlite", "sqlite+pysqlite") or not rest:
        return None
    path = rest.split("?", 1)[0]  # resolved: absolute; ":memory:" and "file:" URIs are not
    return Path(path).parent if path.startswith("/") else None


def base_url_problem(url: str) -> str:
    """What is wrong with ``[http] base_url`` as the start of every link duebot writes ("" if
    nothing): links are ``base_url + "/e/ID.ics"``, so a query, a fragment or a password in it
    would end up in the middle of each one."""
    if any(ch.isspace() or ord(ch) < 32 or ch == "\\" for ch in url):
        return "spaces, control characters and backslashes are not allowed"
    try:
        parts = urlsplit(url)
    except ValueError:  # "https://[" : an IPv6 bracket left open
        return "not a URL"
    if parts.scheme not in ("http", "https") or not url.lower().startswith(parts.scheme + "://"):
        return "not an http:// or https:// URL"
    if not parts.hostname:
        return "no host name"
    if parts.username is not None or parts.password is not None:
        return "a user name or password does not belong in a public link"
    try:
        parts.port  # noqa: B018 - raises for a port that is not a number from 0 to 65535
    except ValueError:
        return "the port is not a number from 0 to 65535"
    if parts.query or "?" in url:
        return "a query (?...) does not belong in the base of every link"
    if parts.fragment or "#" in url:
        return "a fragment (#...) does not belong in the base of every link"
    if any(segment in (".", "..") for segment in parts.path.split("/")):
        return "'.' and '..' do not belong in the path"
    return ""


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
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not (
            0 < timeout <= 3600):  # also refuses nan and inf, which sockets cannot take
        reader.error((*path, "timeout"), f"expected seconds (a number above 0, at most 3600), "
                                         f"got {timeout!r}")
        timeout = 30
    return SmtpConfig(
        host=reader.text(raw, path, "host", "127.0.0.1"),
        port=reader.integer(raw, path, "port", 25, low=1, high=65535),
        sender=sender, security=security, username=username, password=password,
        timeout=float(timeout), list_unsubscribe=reader.text(raw, path, "list_unsubscribe", ""),
        reply_to=reader.text(raw, path, "reply_to", ""),
        connections=reader.integer(raw, path, "connections", SmtpConfig.connections, low=1,
                                   high=256),
    )


def _mail(reader: _Reader, raw: Mapping[str, Any], env: Mapping[str, str], base: Path,
          database_url: str) -> MailConfig:
    path = ("mail",)
    d = MailConfig()
    address = reader.text(raw, path, "address", "").strip()
    listen = reader.text(raw, path, "listen", "").strip()
    imap_host = reader.text(raw, path, "imap_host", "").strip()
    if address:
        _, spec = parseaddr(address)
        if "@" not in spec or spec != address or any(c in address for c in "\r\n\0 "):
            reader.error((*path, "address"), f"{address!r}: expected the bare address duebot "
                                             f"answers as, e.g. \"dates@example.org\"")
    elif listen or imap_host:
        reader.error((*path, "address"), "mail.listen / mail.imap_host need mail.address: the "
                                         "workshop address duebot answers as")
    if listen:
        host, _, port = listen.rpartition(":")
        if not host or not _PORT.fullmatch(port) or not 0 < int(port) < 65536:
            reader.error((*path, "listen"), f"{listen!r}: expected HOST:PORT, e.g. "
                                            f"\"127.0.0.1:2525\"")
            listen = ""
    lmtp = raw.get("lmtp", False)
    if not isinstance(lmtp, bool):
        reader.error((*path, "lmtp"), f"expected true or false, got {lmtp!r}")
        lmtp = False
    security = raw.get("imap_security", "ssl")
    if security not in ("none", "starttls", "ssl"):
        reader.error((*path, "imap_security"), f"{security!r}: expected \"ssl\", \"starttls\" "
                                               f"or \"none\"")
        security = "ssl"
    user = reader.text(raw, path, "imap_user", "")
    password = env.get("DUEBOT_IMAP_PASSWORD", "")
    if imap_host and not user:
        reader.error((*path, "imap_user"), "mail.imap_host needs mail.imap_user (the password "
                                           "comes from DUEBOT_IMAP_PASSWORD)")
    if imap_host and user and not password:
        reader.error((*path, "imap_user"), "the environment variable DUEBOT_IMAP_PASSWORD is "
                                           "empty: set it (secrets never go in the config file)")
    count, window = d.rate_limit, d.rate_window
    limit = raw.get("rate_limit", f"{d.rate_limit} per hour")
    match = re.fullmatch(r"\s*(\d+)\s*(?:per|/)\s*(\S+)\s*", str(limit)) if not isinstance(
        limit, bool) else None
    units = {"minute": "1m", "hour": "1h", "day": "1d"}
    if isinstance(limit, int) and not isinstance(limit, bool) and limit > 0:
        count = limit
    elif match and int(match[1]) > 0:
        try:
            window = parse_duration(units.get(match[2].lower().rstrip("s"), match[2]))
            count = int(match[1])
        except ValueError:
            match = None
    if not (isinstance(limit, int) and not isinstance(limit, bool) and limit > 0) and not match:
        reader.error((*path, "rate_limit"), f"{limit!r}: expected answers per sender, e.g. "
                                            f"\"5 per hour\", \"20 per day\" or \"5/30m\"")
    ca_text = reader.text(raw, path, "imap_ca_file", "")
    ca_file: Path | None = None
    if ca_text:
        ca_file = Path(ca_text) if Path(ca_text).is_absolute() else base / ca_text
        if not ca_file.is_file():
            reader.error((*path, "imap_ca_file"), f"{ca_text!r}: no such file (expected a PEM "
                                                  f"file of CA certificates)")
            ca_file = None
    spool_text = reader.text(raw, path, "spool", "")
    if spool_text:
        spool = Path(spool_text) if Path(spool_text).is_absolute() else base / spool_text
    elif database_url.startswith("sqlite:///") and ":memory:" not in database_url:
        spool = Path(database_url[len("sqlite:///"):]).parent / "mail-spool"
    else:
        spool = base / "mail-spool"
    return MailConfig(
        address=address, listen=listen, lmtp=lmtp, imap_host=imap_host,
        imap_port=reader.integer(raw, path, "imap_port", 993 if security == "ssl" else 143,
                                 high=65535),
        imap_user=user, imap_password=password,
        imap_folder=reader.text(raw, path, "imap_folder", "INBOX"),
        imap_poll=reader.duration(raw, path, "imap_poll", d.imap_poll),
        imap_security=security, imap_ca_file=ca_file, rate_limit=count, rate_window=window,
        reply_budget=reader.integer(raw, path, "reply_budget", d.reply_budget, low=1,
                                    high=1_000_000),
        max_bytes=reader.integer(raw, path, "max_bytes", d.max_bytes, low=1024,
                                 high=1_000_000_000),
        spool=spool)


def _slack(reader: _Reader, raw: Mapping[str, Any], env: Mapping[str, str]) -> SlackConfig:
    path = ("slack",)
    url = reader.text(raw, path, "api_base_url", SLACK_API)
    if not url.startswith(("https://", "http://")):
        reader.error((*path, "api_base_url"), f"{url!r}: expected a URL such as \"{SLACK_API}\"")
        url = SLACK_API
    organizers = raw.get("organizers", [])
    if isinstance(organizers, str):
        organizers = [organizers]
    checked: list[str] = []
    if not isinstance(organizers, list):
        reader.error((*path, "organizers"), "expected a list of Slack user or user group ids")
        organizers = []
    for value in organizers:
        if not isinstance(value, str) or not re.fullmatch(r"[UWS][A-Z0-9]{2,}", value):
            reader.error((*path, "organizers"),
                         f"{value!r}: expected a user id like \"U0123ABCD\" or a user group id "
                         f"like \"S0123ABCD\" (profile menu: Copy member ID)")
            continue
        checked.append(value)
    socket_mode = raw.get("socket_mode")
    if socket_mode is not None and not isinstance(socket_mode, bool):
        reader.error((*path, "socket_mode"), f"expected true or false, got {socket_mode!r}")
        socket_mode = None
    command = reader.text(raw, path, "command", "/duebot")
    if not re.fullmatch(r"/[a-z0-9_-]{1,31}", command):
        reader.error((*path, "command"), f"{command!r}: expected a slash command like "
                                         f"\"/duebot\" (lower case, no spaces)")
        command = "/duebot"
    rate = raw.get("channel_rate", 1)
    if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 < rate <= 100:
        reader.error((*path, "channel_rate"), f"expected messages per second (a number above 0, "
                                              f"at most 100), got {rate!r}")
        rate = 1
    return with_slack_tokens(SlackConfig(
        api_base_url=url.rstrip("/") + "/", organizers=tuple(checked), socket_mode=socket_mode,
        command=command, channel_rate=float(rate)), env)


WEBHOOK_TOKEN_VARIABLES = {"zulip": ("ZULIP_WEBHOOK_TOKEN",),
                           "mattermost": ("MATTERMOST_TOKEN", "MATTERMOST_COMMAND_TOKEN")}
"""Where each outgoing-webhook bot's tokens come from (Mattermost: the outgoing webhook's and
the slash command's; either may be set)."""


def webhook_bot(name: str, env: Mapping[str, str], enabled: bool | None = None
                ) -> WebhookBotConfig:
    tokens = tuple(t for v in WEBHOOK_TOKEN_VARIABLES[name] if (t := env.get(v, "").strip()))
    return WebhookBotConfig(enabled=enabled, tokens=tokens)


def _discord(reader: _Reader, raw: Mapping[str, Any], env: Mapping[str, str]) -> DiscordConfig:
    path = ("discord",)
    d = DiscordConfig()
    application_id = str(raw.get("application_id", "")).strip()
    if application_id and not re.fullmatch(r"[0-9]{1,20}", application_id):
        reader.error((*path, "application_id"), f"{application_id!r}: expected the numeric "
                                                f"application id (Developer Portal, General "
                                                f"Information)")
    guild_id = str(raw.get("guild_id", "")).strip()
    if guild_id and not re.fullmatch(r"[0-9]{1,20}", guild_id):
        reader.error((*path, "guild_id"), f"{guild_id!r}: expected a numeric server id")
    key = env.get("DISCORD_PUBLIC_KEY", "").strip() or reader.text(raw, path, "public_key", "")
    if key and not re.fullmatch(r"[0-9a-fA-F]{64}", key):
        where = "DISCORD_PUBLIC_KEY" if env.get("DISCORD_PUBLIC_KEY", "").strip() else \
            "discord.public_key"
        reader.error((*path, "public_key"), f"{where}: expected the application's public key, "
                                            f"64 hex digits (Developer Portal, General "
                                            f"Information), got {len(key)} characters")
        key = ""
    command = reader.text(raw, path, "command", d.command)
    if not re.fullmatch(r"[a-z0-9_-]{1,32}", command):
        reader.error((*path, "command"), f"{command!r}: expected a command name like "
                                         f"\"deadline\" (lower case, no slash, no spaces)")
        command = d.command
    url = reader.text(raw, path, "api_base_url", DISCORD_API).rstrip("/")
    if not url.startswith(("https://", "http://")):
        reader.error((*path, "api_base_url"), f"{url!r}: expected a URL such as "
                                              f"\"{DISCORD_API}\"")
        url = DISCORD_API
    ephemeral = raw.get("ephemeral", True)
    if not isinstance(ephemeral, bool):
        reader.error((*path, "ephemeral"), f"expected true or false, got {ephemeral!r}")
        ephemeral = True
    max_age = reader.duration(raw, path, "max_age", timedelta(seconds=d.max_age))
    return with_discord_tokens(DiscordConfig(
        application_id=application_id, public_key=key.lower(), command=command,
        guild_id=guild_id, api_base_url=url, ephemeral=ephemeral,
        max_age=max_age.total_seconds()), env)


def with_discord_tokens(discord: DiscordConfig, env: Mapping[str, str]) -> DiscordConfig:
    """The bot token (and a public key given only in the environment) from ``env``."""
    key = env.get("DISCORD_PUBLIC_KEY", "").strip().lower() or discord.public_key
    if not re.fullmatch(r"[0-9a-f]{64}", key):
        key = ""
    return replace(discord, public_key=key,
                   bot_token=env.get("DISCORD_BOT_TOKEN", "").strip(),
                   application_id=discord.application_id
                   or env.get("DISCORD_APPLICATION_ID", "").strip())


def default_config(root: Path, schedules: Iterable[Path], *,
                   env: Mapping[str, str] | None = None) -> Config:
    """The config without a file: the given (shipped) schedules to the console, SQLite in root.

    The caller finds ``root`` and the schedules (``bot.adapters.schedule_files``), so that this
    module reads no folder of its own and sits below the adapters.
    """
    environment = os.environ if env is None else env
    url = _resolve_sqlite("sqlite:///duebot.db", root, environment)
    return Config(source="<default>", schedules=tuple(ScheduleConfig(path=p) for p in schedules),
                  storage=StorageConfig(database_url=url),
                  slack=with_slack_tokens(SlackConfig(), environment),
                  apprise=AppriseConfig(env=dict(environment)),
                  discord=with_discord_tokens(DiscordConfig(), environment),
                  zulip=webhook_bot("zulip", environment),
                  mattermost=webhook_bot("mattermost", environment))


def load_config(path: str | Path, *, env: Mapping[str, str] | None = None) -> Config:
    """Read the config file; every problem in it is reported at once (ConfigError)."""
    file = Path(path)
    try:
        content = file.read_bytes()
    except OSError as exc:
        raise ConfigError([Problem(message=f"cannot read config: {exc.strerror}",
                                   file=str(path))]) from None
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = content[:exc.start].count(b"\n") + 1
        column = exc.start - content.rfind(b"\n", 0, exc.start)
        raise ConfigError([Problem(
            message=f"not UTF-8 text (byte 0x{content[exc.start]:02x} at column "
                    f"{column}): a config file is TOML "
                    f"text; is this the right file?", file=str(path), line=line)]) from None
    return parse_config(text, str(path), env=env, base=file.resolve().parent)
