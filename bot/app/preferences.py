"""A subscriber tunes their reminders: one use case behind Slack, mail, the web page and chats.

``remind me 2 days and 1 hour before the abstract deadline``, ``only deadlines``, ``my zone
is Asia/Tokyo``, ``in Chinese``, ``weekly digest``, ``settings``, ``reset``: read by
``bot.core.preferences``, stored beside the subscriber, audited, and picked up by the next
reconcile, which re-times or cancels the unsent reminders (the sent ones never go again).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.app import subscriptions
from bot.core.language import ENGLISH, Language
from bot.core.model import Event
from bot.core.preferences import (
    Preferences,
    describe,
    from_json,
    parse_command,
    to_json,
)
from bot.ports import Subscribers

if TYPE_CHECKING:
    from bot.app.running import Running

_SETTINGS = re.compile(r"^\s*(?:my\s+)?(?:settings|preferences|prefs)\s*[?.!]*\s*$|^\s*设置\s*$",
                       re.IGNORECASE)


@dataclass(frozen=True, kw_only=True)
class Outcome:
    """What to tell the person, and whether anything changed."""

    text: str
    changed: bool = False


def current(ledger: Subscribers, event_id: str, destination: str) -> tuple[str | None, Preferences]:
    """The subscriber's token (None if not subscribed) and their stored preferences."""
    token = ledger.subscriber_token(event_id, destination)
    if token is None:
        return None, Preferences()
    row = ledger.subscriber(token)
    if row is None or row["state"] != "active":
        return None, Preferences()
    try:
        return token, from_json(str(row.get("preferences") or ""))
    except ValueError:
        return token, Preferences()


def recognizes(text: str, event: Event) -> bool:
    """Whether ``text`` is a settings command (``settings``, ``remind me ...``, ``reset``), for
    a front end that cannot act on it and says so."""
    if _SETTINGS.match(text):
        return True
    try:
        return parse_command(text, event, Preferences()) is not None
    except ValueError:
        return True


def handle(service: Running, event: Event, destination: str, text: str, now: datetime, *,
           subscribe_if_needed: bool, settings_url: str = "",
           how_to_subscribe: str = "") -> Outcome | None:
    """Answer a settings command from ``destination``; None when ``text`` is not one.

    ``subscribe_if_needed``: a chat user who writes "remind me ..." is subscribed on the spot
    (they are who they say they are); a mail sender must confirm first (double opt-in).
    ``how_to_subscribe``: what to tell someone not subscribed yet (default: by mail).
    """
    ledger = service.ledger
    token, prefs = current(ledger, event.id, destination)
    if _SETTINGS.match(text):
        if token is None:
            return Outcome(text=f"You are not subscribed to reminders for {event.name}. "
                                + (how_to_subscribe or "Write \"subscribe\" first, then tune "
                                   "them here."))
        lang = speaking(service, prefs.language)
        _ = lang.gettext
        lines = "\n".join(f"- {line}" for line in describe(event, prefs, lang))
        where = ("\n" + _("Change them here: %(url)s") % {"url": f"{settings_url}/me/{token}"}
                 if settings_url else "")
        return Outcome(text=_("Your reminders for %(event)s:") % {"event": event.name}
                       + f"\n{lines}{where}\n"
                       + _("Write e.g. \"remind me 2 days and 1 hour before the abstract "
                           "deadline\", \"only deadlines\", \"my zone is Asia/Tokyo\", "
                           "\"my language is zh\", \"weekly digest\" or \"reset\"."))
    try:
        change = parse_command(text, event, prefs)
    except ValueError as exc:
        return Outcome(text=speaking(service, prefs.language).gettext(
            "I could not change your reminders: %(why)s") % {"why": exc})
    if change is None:
        return None
    if token is None:
        if not subscribe_if_needed:
            return Outcome(text=f"You are not subscribed to reminders for {event.name} yet. "
                                + (how_to_subscribe or "Reply \"subscribe\" and confirm, then "
                                   "send this again."))
        subscriptions.subscribe(service, event.id, destination, now,
                                source=destination.split(":", 1)[0])
    save(service, event, destination, change.prefs, now)
    lang = speaking(service, change.prefs.language)  # "my language is 中文" is answered in it
    return Outcome(text=lang.gettext("Done: %(what)s. Write \"settings\" to see all your "
                                     "choices.") % {"what": change.summary_in(lang)},
                   changed=True)


def speaking(service: Running, language: str | None) -> Language:
    """The language the service's templates speak as ``language`` (English without one)."""
    renderer = getattr(service, "renderer", None)
    if renderer is None or not language:
        return ENGLISH
    found: Language = renderer.speaking(language).lang
    return found


def save(service: Running, event: Event, destination: str, prefs: Preferences,
         now: datetime) -> None:
    """Store, audit and wake the delivery loop: the next reconcile re-times unsent ones."""
    stored = "" if prefs.is_default else to_json(prefs)
    service.ledger.set_preferences(event.id, destination, stored, now)
    service.ledger.audit(now, actor=destination, action="preferences", event_id=event.id,
                         detail=stored or "defaults")
    service.subscribers_changed()


__all__ = ["Outcome", "current", "handle", "recognizes", "save"]
