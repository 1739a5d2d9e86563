"""Where a message may go: ``mailto:``, ``console:``, ``slack:``, ``discord:`` and ``apprise:``
destinations, checked once.

Both the operator's config (``reminders_to``) and a schedule's ``[[announcements]] to`` name
destinations; one check serves both, so neither file format borrows from the other. Pure: the
environment is a parameter (``missing_variables``), never read here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from email.utils import parseaddr

from bot.errors import suggest

DESTINATION_SCHEMES = ("mailto", "console", "slack", "discord", "apprise")
ENV_PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
"""``${NAME}`` in an ``apprise:`` URL: the environment variable NAME (see apprise_channel)."""


def check_destination(value: object) -> str:
    """``mailto:a@b``, ``console:``, ``slack:#channel``, ``slack:C0123ABCD``,
    ``discord:USER_ID`` or ``apprise:SERVICE://...``; else ValueError."""
    if not isinstance(value, str) or ":" not in value:
        raise ValueError(f"{value!r} is not a destination: expected \"mailto:list@example.org\", "
                         f"\"console:\", \"slack:#channel\" or \"apprise:ntfy://host/topic\"")
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
    if scheme == "discord" and not re.fullmatch(r"[0-9]{1,20}", rest):
        raise ValueError(f"{value!r}: expected a Discord user id after discord: (digits only, "
                         f"e.g. \"discord:80351110224678912\"; Developer Mode, Copy User ID)")
    if scheme == "apprise":
        check_apprise_url(value, rest)
    return value


def check_apprise_url(value: str, url: str) -> None:
    """The shape of an Apprise URL (Apprise itself judges the rest when the channel is built)."""
    service, sep, after = url.partition("://")
    if not sep or not re.fullmatch(r"[a-z][a-z0-9+.-]*", service) or not after.strip():
        raise ValueError(f"{value!r}: expected an Apprise URL after apprise:, e.g. "
                         f"\"apprise:ntfy://ntfy.example.org/deadlines\" or "
                         f"\"apprise:discord://${{DISCORD_WEBHOOK}}\"")
    leftover = ENV_PLACEHOLDER.sub("", url)
    if "${" in leftover or re.search(r"\$[A-Za-z_]", leftover):
        raise ValueError(f"{value!r}: write environment variables as ${{NAME}} (letters, digits "
                         f"and _), e.g. \"apprise:mmost://chat.example.org/${{MM_HOOK}}\"")


def missing_variables(destination: str, env: Mapping[str, str]) -> list[str]:
    """The ``${NAME}``s of an ``apprise:`` destination that ``env`` does not set."""
    if not destination.startswith("apprise:"):
        return []
    return [name for name in dict.fromkeys(ENV_PLACEHOLDER.findall(destination))
            if not env.get(name, "").strip()]
