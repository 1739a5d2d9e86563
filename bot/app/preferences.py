"""A subscriber tunes their reminders: one use case behind Slack, mail, the web page and chats.

``remind me 2 days and 1 hour before the abstract deadline``, ``only deadlines``, ``my zone
is Asia/Tokyo``, ``in Chinese``, ``weekly digest``, ``settings``, ``reset``: read by
``bot.core.preferences``, stored beside the subscriber, audited, and picked up by the next
reconcile, which re-times or cancels the unsent reminders (the sent ones never go again).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from bot.app import subscriptions
from bot.core.language import ENGLISH, N_, NAMES, Language, accepted, language_of
from bot.core.model import Event
from bot.core.preferences import (
    Change,
    Preferences,
    describe,
    from_json,
    parse_command,
    reason_in,
    to_json,
)
from bot.ports import Subscribers

if TYPE_CHECKING:
    from bot.app.running import Running

_SETTINGS = re.compile(r"^\s*(?:my\s+)?(?:settings|preferences|prefs)\s*[?.!]*\s*$|^\s*设置\s*$",
                       re.IGNORECASE)


_EXCLUDE = tuple(re.compile(p, re.IGNORECASE | re.MULTILINE) for p in (
    r"^\s*(?:please\s+)?(?:stop|no\s+more|no|don'?t\s+send(?:\s+me)?|do\s+not\s+send"
    r"(?:\s+me)?|i\s+(?:don'?t|do\s+not)\s+want)\s+(?:sending\s+(?:me\s+)?)?"
    r"(?:the\s+|my\s+|any\s+|all\s+)?(?:more\s+)?reminders?\s+(?:for|about|of|on)\s+"
    r"(?P<what>.+?)\s*(?:,?\s*please)?\s*[.!]*\s*$",
    r"^\s*(?:please\s+)?(?:don'?t|do\s+not|stop)\s+remind(?:ing)?\s+me\s+(?:of|about)\s+"
    r"(?P<what>.+?)\s*(?:,?\s*please)?\s*[.!]*\s*$",
    r"^\s*(?:请)?(?:不要|别|不用)(?:再)?提醒(?:我)?(?P<what>[^了。！!.]+?)(?:的提醒)?了?\s*[。！!.]*\s*$",
    r"^\s*(?:请)?停止(?P<what>[^。！!.]+?)的提醒\s*[。！!.]*\s*$",
    r"^\s*(?P<what>[^。！!.]+?)(?:的提醒)?(?:不用|不要|别)(?:再)?提醒(?:我)?了?\s*[。！!.]*\s*$",
))
"""``stop the reminders for posters``, ``no more reminders about the camera-ready``, ``don't
remind me of the workshop``, ``不要再提醒我海报的截止日期``, ``停止通知的提醒``: the dates named
leave the subscriber's reminders, the others stay. With no date named, it is an unsubscribe
(``bot.app.chat_conversation.subscription_verb``, ``bot.core.mail_parse.intent_of``)."""
_KINDS_SAID = (("deadline", r"deadlines?|截止|截稿"), ("notification", r"notifications?|通知"),
               ("camera-ready", r"camera[- ]?ready|终稿|最终版"),
               ("event", r"workshop|events?|the\s+conference|会议|研讨会"))


def exclusion(text: str, event: Event, prefs: Preferences) -> Change | None:
    """``stop the reminders for X``: every date the subscriber hears of but X's; None when
    ``text`` says no such thing, or names no date of ``event`` (then it is not understood
    as one and goes on as a question or another command). Said on a line of its own: a
    mail's subject comes on the line before it."""
    found = next((m for m in (p.search(text) for p in _EXCLUDE) if m), None)
    if found is None:
        return None
    named = dates_named(found["what"], event)
    if not named:
        return None
    kept = frozenset(d.id for d in event.dates
                     if not d.cancelled and prefs.wants(d) and d.id not in named)
    titles = ", ".join(d.title for d in event.dates if d.id in named)
    return Change(prefs=replace(prefs, dates=kept, kinds=None),
                  parts=((N_("no reminders for %(what)s"), {"what": titles}),))


def dates_named(phrase: str, event: Event) -> set[str]:
    """The dates a short phrase names ("posters", "the camera-ready", "海报", "deadlines"):
    as the answer engine reads a topic, else by the kind its words say."""
    from bot.core.ask import understand  # here: importing the reader costs ~0.1 s a start

    reading = understand(phrase, event)
    ids = {i for t in reading.topics if t.kind == "date" for i in t.ids}
    if ids:
        return ids
    kinds = {kind for kind, words in _KINDS_SAID if re.search(words, phrase, re.IGNORECASE)}
    return {d.id for d in event.dates if d.kind in kinds}


_ASKS = re.compile(r"[?？]|^\s*(?:when|what|how|is|are|do|does|did|can|could|will|which|where|"
                   r"who|why)\b|吗\s*$|什么|几点|多久|哪", re.IGNORECASE)
_COMMANDS = re.compile(r"\bremind me\b|提前|提醒我|^\s*(?:please\s+)?(?:stop|no\s+more|don'?t|"
                       r"do\s+not)\b|不要|别再|停止", re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[?？.!。！])\s+|\n+")


def asks(text: str) -> bool:
    """Whether a sentence of ``text`` asks something ("When is the abstract due? My timezone
    is Europe/Paris."): then it is a question, answered in the zone it names, not a settings
    command, unless it says "remind me" (or "stop ..."). The core's own check looks at the
    whole text only, so a question followed by a statement (or after a mail's subject line)
    was taken for "my zone is ..." and stored instead of answered."""
    if _COMMANDS.search(text):
        return False
    return any(_ASKS.search(part) for part in _SENTENCE.split(text) if part.strip())


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
    if _SETTINGS.match(text) or exclusion(text, event, Preferences()) is not None:
        return True
    if asks(text):
        return False
    try:
        return parse_command(text, event, Preferences()) is not None
    except ValueError:
        return True


def language_said(text: str, event: Event) -> str | None:
    """The language a message asks for ("my language is zh") or is written in (Chinese
    characters); None when it says neither. For answering someone whose choices we do not have."""
    try:
        change = parse_command(text, event, Preferences())
    except ValueError:
        change = None
    return (change.prefs.language if change is not None else None) or language_of(text)


def handle(service: Running, event: Event, destination: str, text: str, now: datetime, *,
           subscribe_if_needed: bool, settings_url: str = "",
           how_to_subscribe: Callable[[Language], str] | None = None) -> Outcome | None:
    """Answer a settings command from ``destination``; None when ``text`` is not one.

    ``subscribe_if_needed``: a chat user who writes "remind me ..." is subscribed on the spot
    (they are who they say they are); a mail sender must confirm first (double opt-in).
    ``how_to_subscribe``: what to tell someone not subscribed yet, in their language (default:
    by mail). Their language is the one the message asks for or is written in.
    """
    ledger = service.ledger
    token, prefs = current(ledger, event.id, destination)
    if _SETTINGS.match(text):
        if token is None:
            lang = speaking(service, language_said(text, event))
            return Outcome(text=_not_subscribed(lang, event, how_to_subscribe, N_(
                "Write \"subscribe\" first, then tune them here.")))
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
    if asks(text):
        return None  # a question, even one that names the asker's zone
    try:
        excluded = exclusion(text, event, prefs)
        change = excluded or parse_command(text, event, prefs)
    except ValueError as exc:
        lang = speaking(service, prefs.language or language_of(text))
        return Outcome(text=lang.gettext("I could not change your reminders: %(why)s")
                       % {"why": reason_in(exc, lang)})
    if change is None:
        return None
    chosen = change.prefs
    note = ""
    if token is None:
        if not subscribe_if_needed:
            lang = speaking(service, change.prefs.language or language_of(text))
            return Outcome(text=_not_subscribed(lang, event, how_to_subscribe, N_(
                "Reply \"subscribe\" and confirm, then send this again."), yet=True))
        if excluded:  # "stop the reminders for X" subscribes nobody to the rest
            lang = speaking(service, language_of(text))
            return Outcome(text=_not_subscribed(lang, event, how_to_subscribe, N_(
                "Write \"subscribe\" first, then tune them here.")))
        subscriptions.subscribe(service, event.id, destination, now,
                                source=destination.split(":", 1)[0])
        if chosen.language is None and language_of(text):  # "提前两天提醒我" subscribes in zh
            chosen = replace(chosen, language=language_of(text))
            note = " " + language_note(service, chosen.language)
    save(service, event, destination, chosen, now)
    lang = speaking(service, chosen.language)  # "my language is 中文" is answered in it
    return Outcome(text=lang.gettext("Done: %(what)s. Write \"settings\" to see all your "
                                     "choices.") % {"what": change.summary_in(lang)} + note,
                   changed=True)


def _not_subscribed(lang: Language, event: Event, how: Callable[[Language], str] | None,
                    default: str, *, yet: bool = False) -> str:
    values = {"event": event.name, "how": how(lang) if how else lang.gettext(default)}
    if yet:
        return lang.gettext("You are not subscribed to reminders for %(event)s yet. "
                            "%(how)s") % values
    return lang.gettext("You are not subscribed to reminders for %(event)s. %(how)s") % values


def adopt_language(service: Running, event: Event, destination: str, language: str | None,
                   now: datetime) -> str | None:
    """A new subscriber's language: the one the message that subscribed them is written in or
    asks for, stored as their choice, so their reminders come in it too. A choice they made
    before (kept while pending or after leaving) is never overwritten. Returns the language
    now stored (None: none, and English it is)."""
    token = service.ledger.subscriber_token(event.id, destination)
    row = service.ledger.subscriber(token) if token is not None else None
    if row is None:
        return None
    try:
        prefs = from_json(str(row.get("preferences") or ""))
    except ValueError:
        prefs = Preferences()
    if prefs.language or not language:
        return prefs.language
    save(service, event, destination, replace(prefs, language=language), now)
    return language


def language_note(service: Running, language: str | None) -> str:
    """What a new subscriber is told about the language of their reminders, in it: which it is
    and how to change it. "" when they have none stored (English, as always)."""
    if not language:
        return ""
    lang = speaking(service, language)
    if lang.code == "en":
        return lang.gettext("Your reminders will come in English; for Chinese, write \"my "
                            "language is 中文\".")
    return lang.gettext("Your reminders will come in this language too; to have them in "
                        "English, write \"my language is English\".")


def speaking(service: Running, language: str | None) -> Language:
    """The language the service's templates speak as ``language`` (English without one)."""
    renderer = getattr(service, "renderer", None)
    if renderer is None or not language:
        return ENGLISH
    found: Language = renderer.speaking(language).lang
    return found


def for_reader(service: Running, chosen: str | None, accept_language: str = "") -> Language:
    """A page's language: the subscriber's choice; when they made none, the first language
    duebot speaks that the browser asks for (``Accept-Language``, by ``q``); else English."""
    renderer = getattr(service, "renderer", None)
    languages = tuple(renderer.languages) if renderer is not None else tuple(NAMES)
    return speaking(service, chosen or accepted(accept_language, languages))


def token_language(service: Running, token: str) -> str | None:
    """The language the subscriber behind ``token`` chose (None: none, or no such token)."""
    row = service.ledger.subscriber(token)
    try:
        return from_json(str((row or {}).get("preferences") or "")).language
    except ValueError:
        return None


def save(service: Running, event: Event, destination: str, prefs: Preferences,
         now: datetime) -> None:
    """Store, audit and wake the delivery loop: the next reconcile re-times unsent ones."""
    stored = "" if prefs.is_default else to_json(prefs)
    service.ledger.set_preferences(event.id, destination, stored, now)
    service.ledger.audit(now, actor=destination, action="preferences", event_id=event.id,
                         detail=stored or "defaults")
    service.subscribers_changed()


__all__ = ["Outcome", "adopt_language", "asks", "current", "dates_named", "exclusion", "for_reader",
           "handle", "language_note", "language_said", "recognizes", "save", "speaking",
           "token_language"]
