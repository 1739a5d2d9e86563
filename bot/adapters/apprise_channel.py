"""The ``apprise:`` channel: reminders and announcements to any service Apprise knows.

A destination is ``apprise:`` followed by an Apprise URL: ``apprise:discord://${DISCORD_HOOK}``,
``apprise:mmost://chat.example.org/${MM_HOOK}``, ``apprise:ntfy://ntfy.example.org/deadlines``,
``apprise:tgram://${TG_BOT}/${TG_CHAT}``. Secrets never live in the config file: each
``${NAME}`` is replaced, when the message goes, by the environment variable ``NAME`` (a name
that is not set is a config error naming it). The destination is stored in the ledger as
written, with its ``${NAME}`` placeholders; only Apprise's masked form
(``url(privacy=True)``) of the real URL is ever logged or recorded.

Apprise's notion of failure is mapped here, once, by the rule every HTTP channel shares
(``bot.adapters.http_failures``). ``notify()`` never raises: it returns a result whose attempts
carry the WARNING lines the plugin logged (``... error=503.``, ``A Connection error occurred
...``), and the plugin's ``Socket Exception`` line says what requests raised. From those: a 502,
503 (a 5xx but 500, 504), a refused connection, an unknown host, a connect timeout, a name
lookup or connect that the send's deadline cut -> an outage; a 429 -> a rate limit (neither uses
up an attempt); a read timeout, a connection closed while we waited, a 500 or 504, an answer the
deadline cut -> a counted ``retry`` that may have arrived; 408,
425 -> a counted ``retry``; any other 4xx, or a TLS certificate we do not trust -> ``dead`` with
the service's own words (a certificate stops SMTP, but this one channel carries every service);
a failure that names no status -> ``retry`` (bounded by ``max_attempts``, then dead with the
reason). Apprise's own retries are switched off (``retry=0``) whatever the URL says: a re-sent
webhook can land twice, and the ledger already retries.

``send`` builds its Apprise object per call and keeps nothing between calls, so one channel
may be used from several delivery threads at once.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from bot.adapters import http_failures
from bot.adapters.chat_webhooks import defuse_mentions
from bot.adapters.send_deadline import SendDeadline
from bot.ports import Outcome, Outgoing

if TYPE_CHECKING:  # imported where used: a third of a second at every start-up otherwise,
    import apprise  # and nearly every start-up sends nothing through Apprise

__all__ = ["AppriseChannel", "MissingVariable", "placeholders", "substitute"]

log = logging.getLogger("duebot.apprise")

SCHEME = "apprise"
PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_STATUS = re.compile(r"\berror=(\d{3})\b")
_CONNECTION = ("connection error", "socket exception", "timed out", "timeout")
_NOT_SENT = ("Failed to establish a new connection", "NameResolutionError", "Failed to resolve",
             "Name or service not known", "Temporary failure in name resolution",
             "ConnectTimeoutError", "connect timeout=", "Connection refused")
"""What requests (urllib3) says of a request that never went: no connection, no such host,
a connect that failed. Anything else (a read timeout, the connection closed while we waited
for the answer) may have delivered it; so may a TLS failure other than the certificate's,
since urllib3 reports one in the handshake and one while it reads the answer alike
(``SSLError``). urllib (Slack, Discord) tells them apart: ``http_failures.before_sending``."""
_UNTRUSTED = re.compile(r"CERTIFICATE_VERIFY_FAILED\]\s*([^(\"')]*)|(SSLCertVerificationError)")
"""requests' words for a certificate we do not trust (checked before ``_NOT_SENT``)."""
_LITERAL = re.compile(r"[A-Za-z0-9]{2}")
"""What is left of a private field once the substituted secrets are masked: any of it is typed
into the URL."""
PASSING_STATUS = frozenset({408, 425, 429})
"""4xx statuses that say "later", not "never"."""
DEFAULT_TIMEOUT = 30.0
"""Seconds one notify may take (the cut of ``SendDeadline``); well inside a delivery's
lease."""
_READ_TIMEOUT = 4.0
"""Apprise's default ``socket_read_timeout`` (a URL's ``rto=`` changes it), for the words."""


class _SecretFilter(logging.Filter):
    """Masks the substituted secrets in records of the loggers that may print a whole URL.

    Apprise logs the full URL at DEBUG (``Loaded JSON URL: ...``, ``JSON POST URL: ...``) and
    urllib3 logs each request's path; with ``[log] level = "DEBUG"`` a token would reach the
    log. A logger's filter sees each record it creates before any handler does.
    """

    LOGGERS = ("apprise", "urllib3.connectionpool")

    def __init__(self) -> None:
        super().__init__()
        self.secrets: frozenset[str] = frozenset()
        self._lock = threading.Lock()
        for name in self.LOGGERS:
            logging.getLogger(name).addFilter(self)

    def add(self, secrets: Iterable[str]) -> None:
        new = frozenset(secrets) - self.secrets
        if new:
            with self._lock:
                self.secrets = self.secrets | new

    def filter(self, record: logging.LogRecord) -> bool:
        secrets = self.secrets
        if secrets:
            text = record.getMessage()
            masked = _mask(text, secrets)
            if masked != text:
                record.msg, record.args = masked, ()
        return True


_FILTER = _SecretFilter()


class MissingVariable(KeyError):
    """A ``${NAME}`` in an Apprise URL names an environment variable that is not set."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name

    def __str__(self) -> str:
        return (f"the environment variable {self.name} is not set (the destination uses "
                f"${{{self.name}}})")


def placeholders(url: str) -> list[str]:
    """The environment variable names a URL refers to, in order, once each."""
    return list(dict.fromkeys(PLACEHOLDER.findall(url)))


def substitute(url: str, env: Mapping[str, str]) -> str:
    """The URL with each ``${NAME}`` replaced by ``env[NAME]``; MissingVariable if unset."""

    def value(match: re.Match[str]) -> str:
        found = env.get(match.group(1), "").strip()
        if not found:
            raise MissingVariable(match.group(1))
        return found

    return PLACEHOLDER.sub(value, url)


@dataclass(frozen=True)
class _Target:
    """One resolved destination: the plugin to notify and how it may be shown."""

    plugin: apprise.plugins.NotifyBase
    shown: str
    secrets: tuple[str, ...]


class AppriseChannel:
    """Sends each delivery through Apprise to the URL after ``apprise:``."""

    scheme = SCHEME

    def __init__(self, env: Mapping[str, str], *, timeout: float = DEFAULT_TIMEOUT,
                 deadline: float | None = None, app_id: str = "duebot") -> None:
        self.env = dict(env)
        """A snapshot: the variables are read once, when the channel is built."""
        self.timeout = timeout
        self.deadline = SendDeadline(min(timeout, deadline or timeout), platform="Apprise",
                                     read_timeout=_READ_TIMEOUT)
        """One notify ends within ``timeout`` (or the shorter ``deadline``): requests bounds
        each read, not the whole answer, so a service trickling it is cut here; so is a name
        lookup or a connect that never ends, as one that never sent its request."""
        self.app_id = app_id

    # -- checking destinations (at start-up) ------------------------------------------------

    def problem(self, destination: str) -> str:
        """Why ``destination`` cannot work ("" if it can): unknown service, unset variable, a
        secret written into the URL itself instead of as ``${NAME}``."""
        try:
            target = self._target(destination.split(":", 1)[1] if ":" in destination else "")
        except MissingVariable as exc:
            return f"{destination}: {exc}"
        except ValueError as exc:
            return f"{destination}: {exc}"
        written = literal_secrets(target.plugin, target.secrets)
        if written:
            return (f"apprise:{target.shown}: its {' and '.join(written)} is written in the "
                    f"config file; "
                    f"write it as ${{NAME}} and set the environment variable NAME (secrets "
                    f"never go in the config file)")
        return ""

    def problems(self, destinations: Iterable[str]) -> list[str]:
        return [p for d in dict.fromkeys(destinations)
                if d.startswith(SCHEME + ":") and (p := self.problem(d))]

    def shown(self, destination: str) -> str:
        """The destination as it may be logged: Apprise's masked URL, or as written."""
        try:
            return self._target(destination.split(":", 1)[1]).shown
        except (MissingVariable, ValueError, IndexError):
            return destination

    @staticmethod
    def platform(destination: str) -> str:
        """The service whose outage a destination's send sees, as written: ``apprise:`` and the
        URL's scheme and host (``apprise:mmost://chat.example.org``), so ``/healthz`` names each
        service away and one taking a message does not clear another. No secret: those are
        ``${NAME}`` here, and a ``user@`` is dropped."""
        url = destination.split(":", 1)[1] if destination.startswith(SCHEME + ":") else ""
        service, _, rest = url.partition("://")
        host = rest.split("/", 1)[0].split("?", 1)[0].rsplit("@", 1)[-1]
        return f"{SCHEME}:{service}://{host}" if service and host else SCHEME

    # -- the Channel port -------------------------------------------------------------------

    def send(self, message: Outgoing) -> Outcome:
        """Notify once; whatever Apprise reports comes back as an Outcome, never an exception."""
        try:
            target = self._target(message.address)
        except MissingVariable as exc:
            return Outcome(kind="dead", reason=f"apprise: {exc}: set it and send again")
        except ValueError as exc:
            return Outcome(kind="dead", reason=f"apprise: {exc}")
        # Plain text: Apprise escapes it for a Markdown service itself, but not its mentions
        # (a Discord or Mattermost webhook pings for ``@everyone``, ``@channel``).
        body = defuse_mentions(message.text.strip() or message.subject)
        import apprise

        heard = _Heard(target.plugin.logger)
        target.plugin.logger = heard  # type: ignore[assignment]  # this send's own plugin
        try:
            notifier = apprise.Apprise(asset=self._asset())
            notifier.add(target.plugin)
            with self.deadline.bounded() as bounded:
                result = notifier.notify(body=body, title=defuse_mentions(message.subject),
                                         body_format=apprise.NotifyFormat.TEXT)
        except Exception as exc:  # Apprise promises not to raise; a plugin bug still might
            return Outcome(kind="retry", reason=_mask(
                f"Apprise {target.shown} failed: {type(exc).__name__}: {exc!s:.200}",
                target.secrets))
        outcome = classify(result, target.shown, sockets=heard.sockets)
        outcome = self.deadline.judged(outcome, bounded, platform=f"Apprise {target.shown}")
        outcome = replace(outcome, reason=_mask(outcome.reason, target.secrets))
        if outcome.kind == "sent":
            log.info("%s sent through Apprise to %s", message.key, target.shown)
        return outcome

    def close(self) -> None:
        """Nothing is held between calls."""

    # -- helpers ----------------------------------------------------------------------------

    def _asset(self) -> apprise.AppriseAsset:
        import apprise

        # Notify in the calling (delivery) thread, the one ``SendDeadline`` bounds: with a
        # service_timeout, Apprise hands even a sequential send to a worker thread of its
        # own, out of the deadline's sight, and its "timed out" could not tell a name lookup
        # or connect that never ended (nothing sent) from an answer that never came.
        # async_mode=False: no pool of its own either.
        return apprise.AppriseAsset(app_id=self.app_id, async_mode=False, service_timeout=0)

    def _target(self, url: str) -> _Target:
        names = placeholders(url)
        real = substitute(url, self.env)
        secrets = tuple(v for n in names if len(v := self.env[n].strip()) >= 3)
        _FILTER.add(secrets)
        if not real.strip():
            raise ValueError("write an Apprise URL after apprise:, e.g. "
                             "\"apprise:ntfy://ntfy.example.org/deadlines\"")
        import apprise

        plugin = apprise.Apprise.instantiate(real, asset=self._asset())
        if plugin is None:
            scheme = real.split("://", 1)[0] if "://" in real else real[:20]
            raise ValueError(_mask(f"Apprise cannot use this URL (unknown service "
                                   f"{scheme!r} or a malformed URL; see "
                                   f"https://github.com/caronc/apprise/wiki)", secrets))
        # The ledger retries with backoff; a plugin retrying on its own may post twice, and an
        # "optional" service would report a failure as success.
        plugin.retry = 0
        plugin.optional = False
        shown = str(plugin.url(privacy=True))  # type: ignore[no-untyped-call]
        return _Target(plugin=plugin, shown=_mask(shown, secrets),
                       secrets=secrets)


def literal_secrets(plugin: apprise.plugins.NotifyBase, secrets: Iterable[str]) -> list[str]:
    """The URL fields Apprise itself calls private (passwords, tokens, webhook ids) whose value
    did not come from ``${NAME}`` substitution, by field name (never the value)."""
    found: list[str] = []
    for group in ("template_tokens", "template_args"):
        specs = getattr(plugin, group, None) or {}
        for name, spec in specs.items():
            if not isinstance(spec, dict) or not spec.get("private") or name in found:
                continue
            for attribute in dict.fromkeys((name, str(spec.get("map_to") or name))):
                value = getattr(plugin, attribute, None)
                values = value if isinstance(value, list | tuple | set) else [value]
                if any(isinstance(v, str) and _LITERAL.search(_mask(v, secrets))
                       for v in values):
                    found.append(name.replace("_", " "))
                    break
    return found


class _Heard:
    """A plugin's logger that also keeps what its ``requests`` call raised.

    Every plugin logs a refused connection and a read timeout alike, as the WARNING "A
    Connection error occurred ..."; only its DEBUG line ``Socket Exception: ...`` (the
    exception from requests, which DEBUG-off never builds into a record) tells a request that
    never went from one that went and got no answer. Set on one send's own plugin instance,
    everything else goes to the real logger (Apprise's per-attempt log capture included).
    """

    def __init__(self, real: Any) -> None:
        self._real = real
        self.sockets: list[str] = []

    def debug(self, msg: object, *args: object, **kwargs: Any) -> None:
        if str(msg).startswith("Socket Exception"):
            try:
                self.sockets.append(str(msg) % args if args else str(msg))
            except (TypeError, ValueError):
                self.sockets.append(str(msg))
        self._real.debug(msg, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def classify(result: apprise.AppriseResult, shown: str, *,
             sockets: Sequence[str] = ()) -> Outcome:
    """Apprise's result for one URL -> an Outcome: the one place its failures are read, by the
    rule every HTTP channel shares (``bot.adapters.http_failures``). ``sockets``: the
    exceptions its plugin's ``requests`` call raised (``_Heard``)."""
    from apprise import AppriseResultStatus

    services = list(result.results)
    if result.status == AppriseResultStatus.NOMATCH or not services:
        return Outcome(kind="dead", reason=f"Apprise sent nothing to {shown} (no service "
                                           f"matched the URL)")
    service = services[0]
    attempts = service.attempts
    last = attempts[-1] if attempts else None
    if last is not None and last.status == AppriseResultStatus.SUCCESS:
        return Outcome.sent()
    words = [entry.message for entry in service.logs()
             if entry.level in ("WARNING", "ERROR", "CRITICAL")]
    said = " ".join(words)[:300] or "no details"
    if last is not None and last.status == AppriseResultStatus.TIMEOUT:
        return Outcome.silence(f"Apprise {shown}: timed out ({said}): "
                               f"{http_failures.MAYBE_DELIVERED}")
    codes = [int(m) for w in words for m in _STATUS.findall(w)]
    if codes:
        status = codes[-1]
        by_status = http_failures.answered(f"Apprise {shown}", status, said)
        if by_status is not None:
            return by_status
        if status in PASSING_STATUS:
            return Outcome(kind="retry", reason=f"Apprise {shown}: HTTP {status} ({said})")
        if 400 <= status < 500:
            return Outcome(kind="dead", reason=f"Apprise {shown}: HTTP {status}, refused for "
                                               f"good ({said}); check the URL and its token")
    socket = " ".join(sockets)
    untrusted = max(_UNTRUSTED.finditer(socket), default=None,
                    key=lambda found: bool(found.group(1)))  # the check's words, if any
    if untrusted:
        # As SMTP stops on it (bot.adapters.http_failures), but one Apprise channel carries
        # every service: stopping it would stop the others too. So this destination's message
        # is dead with why, as for its other answers that it cannot work as configured (4xx).
        why = (untrusted.group(1) or "").removeprefix("certificate verify failed:").strip()
        why = why or "certificate verify failed"  # as ssl's verify_message for Slack, Discord
        return Outcome(kind="dead", reason=http_failures.untrusted(f"Apprise {shown}", why))
    if socket and any(marker in socket for marker in _NOT_SENT):
        return Outcome.outage(f"cannot reach Apprise {shown}: {_cause(socket)}")
    if socket:
        return Outcome(kind="retry", reason=f"no answer from Apprise {shown} after the "
                                            f"request went ({_cause(socket)}): "
                                            f"{http_failures.MAYBE_DELIVERED}",
                       silent="Read timed out" in socket)  # silence: the others held
    lowered = said.lower()
    if any(marker in lowered for marker in _CONNECTION):
        return Outcome(kind="retry", reason=f"Apprise {shown}: unreachable ({said})")
    return Outcome(kind="retry", reason=f"Apprise {shown}: failed ({said})")


def _cause(socket: str) -> str:
    """The last words of requests' exception: ``[Errno 111] Connection refused``."""
    for pattern in (r"Failed to resolve [^(]*\(([^)]*)\)", r"(\[Errno -?\d+\][^\"')]*)",
                    r"(Read timed out)", r"(RemoteDisconnected\('[^']*')",
                    r"(timed out)"):
        found = re.search(pattern, socket)
        if found:
            return found.group(1).strip()
    return socket.removeprefix("Socket Exception:").strip()[:200]


def _mask(text: str, secrets: Iterable[str]) -> str:
    """Belt and braces: no substituted secret appears in what we log or record."""
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text
