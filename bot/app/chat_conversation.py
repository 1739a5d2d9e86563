"""A chat message -> what to answer: a question (read against its conversation's last one), or
a settings command. Slack, Discord, Zulip and Mattermost share it; each front end only
translates its request in and this module's values out to its own format.

Picking the event is one rule everywhere: a leading event id picks that event, else every
loaded event is answered for.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from bot.app import preferences as settings
from bot.app import subscriptions, threads
from bot.app.threads import Conversation
from bot.core.language import N_, Language, language_code, language_of
from bot.core.mail_parse import reader_zone
from bot.core.model import Event, ImportantDate
from bot.core.zones import Zone

if TYPE_CHECKING:
    from bot.app.running import Running
    from bot.core.ask import Answer

__all__ = ["NO_SCHEDULE", "Answered", "ChatAnswer", "answer_question", "answers",
           "answers_to_send", "pick", "settings_reply", "subscription", "subscription_verb",
           "tie_break", "tune", "unquoted"]

NO_SCHEDULE = "No schedule is loaded right now; please ask the organizers."
EVERY_DATE = "dates"
"""What a command with no question asks (Discord's ``/deadline`` with its optional option
left out says "default: all dates", a bare Mattermost ``/deadline``, a bare mention): the list
of dates. One word, so the asker's locale still picks the language (``tie_break``)."""


@dataclass(frozen=True)
class Part:
    """One event's answer: its heading (when several events are loaded), text and dates."""

    heading: str
    text: str
    dates: tuple[ImportantDate, ...]
    reply: Answer | None = field(default=None, compare=False)
    """The engine's answer it came from: its language for the front end's own date lines."""


@dataclass(frozen=True)
class ChatAnswer:
    parts: tuple[Part, ...]
    now: datetime
    zone: Zone | None

    @property
    def text(self) -> str:
        return "\n\n".join(f"{p.heading}\n{p.text}" if p.heading else p.text
                           for p in self.parts) or NO_SCHEDULE


_QUOTED = re.compile(r"^[ \t]*(?:>|&gt;)")


def unquoted(text: str) -> str:
    """A chat message without the lines it quotes (``> ...``, as Slack, Discord, Zulip and
    Mattermost write a quote, and as people paste the bot's earlier answer above "and in
    IST?"): the quoted words are not the question. A message that is nothing but a quote
    is kept whole (someone quoting a question to ask it)."""
    kept = [line for line in text.splitlines() if not _QUOTED.match(line)]
    return "\n".join(kept).strip() if any(line.strip() for line in kept) else text


def answer_question(service: Running, question: str, *, zone: Zone | None = None,
                    language: str = "", conversation: Conversation | None = None
                    ) -> ChatAnswer:
    """Answer ``question`` about the loaded schedules as of the service's clock.

    ``zone`` is the asker's zone when the platform tells it; otherwise a zone the question
    names ("I'm in Shanghai") is used, else each event's own. ``language`` is the platform's
    locale for the asker (Discord's ``zh-CN``, Slack's ``users.info`` locale): it only
    breaks the tie when the question does not say its language (``tie_break``).
    ``conversation``: where this question's follow-ups meet (``bot.app.threads``); it reads
    against the conversation's last question about each event and is kept for the next.
    None: a question on its own.
    """
    picked, rest = pick(service.events(), unquoted(question).strip())
    rest = rest or EVERY_DATE
    now = service.clock()
    reader = zone or reader_zone(rest)
    parts = tuple(Part(heading=event.name if len(picked) > 1 else "", text=reply.text,
                       dates=reply.dates, reply=reply)
                  for event, reply in answers(service, picked, rest, now=now, reader=reader,
                                              conversation=conversation, language=language))
    return ChatAnswer(parts=parts, now=now, zone=reader)


def answers(service: Running, events: list[Event], question: str, *, now: datetime,
            reader: Zone | None, conversation: Conversation | None, language: str = ""
            ) -> list[tuple[Event, Answer]]:
    """Each event's answer, read against the conversation's last question about that event
    (a follow-up: "and in IST?"), whose reading is then kept for the next (at once: for a
    front end whose reply is its HTTP response)."""
    found = answers_to_send(service, events, question, now=now, reader=reader,
                            conversation=conversation, language=language)
    threads.keep(service.ledger, found.readings, posted=True)
    return list(found.replies)


@dataclass(frozen=True)
class Answered:
    """Each event's answer, and the readings its thread keeps once they are out."""

    replies: tuple[tuple[Event, Answer], ...]
    readings: tuple[threads.Reading, ...]


def answers_to_send(service: Running, events: list[Event], question: str, *, now: datetime,
                    reader: Zone | None, conversation: Conversation | None,
                    unsent: threads.Unsent | None = None, language: str = "") -> Answered:
    """As ``answers``, but nothing is kept yet: the caller sends the answers, then calls
    ``threads.keep`` (posted or not). ``unsent``: readings of answers still on their way
    (the caller holds these ones there until it keeps them), read before the ledger, so a
    follow-up arriving before the ledger has them still reads against them. ``language``:
    the asker's locale on the platform, the tie-breaker of ``tie_break``."""
    wanted = _said_in(tie_break(question, language))
    replies = []
    readings = []
    for event in events:
        key = conversation.key_for(event.id) if conversation else ""
        max_age = conversation.max_age if conversation else None
        context = None if conversation is None or conversation.new else threads.context_of(
            service.ledger, key, event.id, now, max_age, unsent=unsent)
        from bot.core.ask import answer  # here: importing the reader costs ~0.1 s a start

        reply = answer(question, event, now=now, reader=reader, context=context,
                       language=wanted)
        if key and reply.context:
            readings.append(threads.Reading(key, event.id, reply.context, now,
                                            first=conversation is not None and conversation.new))
        replies.append((event, reply))
    return Answered(tuple(replies), tuple(readings))


def _said_in(tie: tuple[str, bool] | None) -> str | None:
    """The engine's ``answer(language=)`` for ``tie_break``'s choice: ``zh-Hant`` for
    traditional characters; None (the question's own language) when there is no tie to
    break. The engine builds the whole reply in it (zone names from CLDR's ``zh_Hant``)."""
    if tie is None:
        return None
    code, traditional = tie
    return "zh-Hant" if code == "zh" and traditional else code if code in ("en", "zh") else None


_LATIN_WORD = re.compile(r"[^\W\d_]{2,}")


def tie_break(question: str, locale: str) -> tuple[str, bool] | None:
    """The language (and whether in traditional characters) to answer ``question`` in when
    its words do not tell and the platform's ``locale`` for the asker does: ``ddl?``, a bare
    ``deadline``, ``?`` from someone whose Discord or Slack speaks ``zh-CN`` (``zh-TW``,
    ``zh-HK``: traditional). None when the question tells (Chinese characters, or two English
    words or more: never overridden) or the locale names no language we answer in."""
    wanted = language_code(locale) if locale else None
    if wanted is None or language_of(question) or len(_LATIN_WORD.findall(question)) > 1:
        return None
    region = locale.replace("_", "-").casefold().split("-")[1:]
    return wanted, wanted == "zh" and bool({"tw", "hk", "mo", "hant"} & set(region))


def tune(service: Running, text: str, *, platform: str, destination: str | None) -> str | None:
    """A settings command (``remind me 2 days before ...``, ``my zone is ...``, ``settings``,
    ``reset``) from a chat; None when ``text`` is not one (it is a question).

    ``destination``: where this person's reminders go, as the platform vouches for them
    (Zulip: the sender's account address, ``mailto:...``). Their existing subscription there
    is tuned; nobody is subscribed from a chat, since the chat cannot show they read that
    mailbox. None: the platform gives no way to reach the person, and the reply says so
    instead of storing choices that nothing would deliver.
    """
    picked, rest = pick(service.events(), text.strip())
    if not picked or not rest:
        return None
    address = service.config.mail.address

    def by_mail(lang: Language) -> str:
        if address:
            return lang.gettext("mail %(address)s with \"subscribe\" and confirm") % {
                "address": address}
        return lang.gettext("subscribe by mail")

    verb = subscription_verb(rest)
    if destination is not None and verb is not None:
        return _mail_subscription(service, picked, destination, verb[0], rest, by_mail)
    if destination is None:
        if verb is None and not any(settings.recognizes(rest, event) for event in picked):
            return None
        lang = settings.speaking(service, settings.language_said(rest, picked[0]))
        return lang.gettext(
            "That is a change to your reminders, but I cannot send reminders to you on "
            "%(platform)s: it gives me no way to write to you directly, so I changed nothing. "
            "Reminders come by mail or Slack: %(by_mail)s (or write \"subscribe\" to me on "
            "Slack), then write this there, or use the page linked in each reminder.") % {
                "platform": platform, "by_mail": by_mail(lang)}
    who = destination.split(":", 1)[1]

    def how_to_subscribe(lang: Language) -> str:
        return lang.gettext("Your reminders would go to %(who)s: %(by_mail)s from that "
                            "address, then write this here again.") % {
                                "who": who, "by_mail": by_mail(lang)}

    return settings_reply(
        service, picked, destination, rest, service.clock(), subscribe_if_needed=False,
        how_to_subscribe=how_to_subscribe)


def _mail_subscription(service: Running, events: list[Event], destination: str, verb: str,
                       text: str, by_mail: Callable[[Language], str]) -> str:
    """``subscribe`` / ``unsubscribe`` from a chat that vouches for the sender's address
    (Zulip) but cannot show they read that mailbox: leaving stops the mail there at once;
    joining is by mail (double opt-in), and the reply says how, or that they already are."""
    said = settings.language_said(text, events[0]) if events else None
    chosen = next((p.language for e in events
                   for _, p in [settings.current(service.ledger, e.id, destination)]
                   if p.language), None)
    lang = settings.speaking(service, chosen or said)
    address = destination.split(":", 1)[1]
    if verb == "unsubscribe":
        now = service.clock()
        left = [ended for event in events for ended in subscriptions.unsubscribe(
            service, now, event_id=event.id, destination=destination, detail="in a chat")]
        return (lang.gettext("Done: duebot sends no more reminders to %(address)s.") if left
                else lang.gettext("%(address)s was not subscribed to any reminders; nothing "
                                  "more will come.")) % {"address": address}
    said_each = []
    for event in events:
        token, _ = settings.current(service.ledger, event.id, destination)
        if token is not None:
            said_each.append(lang.gettext("You are already subscribed: reminders for %(event)s "
                                          "come to %(address)s.") % {
                                              "event": event.name, "address": address})
        else:
            how = by_mail(lang)
            said_each.append(lang.gettext("You are not subscribed to reminders for %(event)s "
                                          "yet. %(how)s") % {
                                              "event": event.name,
                                              "how": how[:1].upper() + how[1:] + "."})
    return "\n\n".join(said_each)


def settings_reply(service: Running, events: list[Event], destination: str, command: str,
                   now: datetime, *, subscribe_if_needed: bool,
                   how_to_subscribe: Callable[[Language], str] | None = None) -> str | None:
    """``command`` applied to ``destination``'s choices for each event, in their words (each
    event named when there are several); None when it is no settings command.

    Whether it is one is read from the text alone first: a question (most chat messages) then
    costs no ledger read of the asker's subscription before it is answered.
    """
    if not all(settings.recognizes(command, event) for event in events):
        return None
    said = []
    for event in events:
        outcome = settings.handle(service, event, destination, command, now,
                                  subscribe_if_needed=subscribe_if_needed,
                                  settings_url=service.config.http.base_url,
                                  how_to_subscribe=how_to_subscribe)
        if outcome is None:
            return None
        said.append(outcome.text if len(events) == 1 else f"{event.name}: {outcome.text}")
    return "\n\n".join(said)


def pick(events: dict[str, Event], text: str) -> tuple[list[Event], str]:
    """Which events a message is about, and the rest of it: a leading event id picks one,
    else all of them, in id order."""
    first = text.split(maxsplit=1)
    if first and first[0] in events:
        return [events[first[0]]], text[len(first[0]):].strip()
    return [events[k] for k in sorted(events)], text


_SUBSCRIPTION = re.compile(
    r"^\s*(?:(?P<un>un)?subscribe(?![\w-])|(?:请|我要)?(?P<zh>取消订阅|退订|订阅)(?:提醒)?"
    r"(?=$|[\s.!?。！？,，:：]))[\s.!?。！？,，:：]*", re.IGNORECASE)
"""``subscribe``/``unsubscribe``, or as a Chinese reader writes them (``订阅``, ``取消订阅``,
``退订``, ``请订阅提醒``); not ``订阅者有多少？``, which is a question."""


_STOP_ALL = re.compile(
    r"^\s*(?:please\s+)?(?:stop(?:\s+sending(?:\s+me)?)?|no\s+more|i\s+(?:don'?t|do\s+not)"
    r"\s+want)\s+(?:the\s+|my\s+|all\s+|any\s+)?(?:more\s+)?reminders(?:,?\s*please)?"
    r"[\s.!]*$|^\s*(?:请)?(?:停止提醒|不要再?提醒我了?|别再?提醒我了?)[\s。！!.]*$",
    re.IGNORECASE)
"""``stop the reminders``, ``please stop sending me reminders``, ``no more reminders``,
``停止提醒``, ``不要再提醒我了``: what people write to leave; ``stop the reminders for posters``
names dates, and is a settings command instead (``preferences.exclusion``)."""


def subscription_verb(text: str) -> tuple[str, str] | None:
    """``("subscribe" | "unsubscribe", the rest)`` for a subscription command; else None."""
    if _STOP_ALL.match(text):
        return "unsubscribe", ""
    match = _SUBSCRIPTION.match(text)
    if match is None:
        return None
    leaving = bool(match["un"]) or match["zh"] in ("取消订阅", "退订")
    return ("unsubscribe" if leaving else "subscribe"), text[match.end():].strip()


def subscription(service: Running, text: str, destination: str, now: datetime, *, source: str,
                 shown: Callable[[Event], str] = lambda e: e.name) -> str | None:
    """``subscribe`` / ``unsubscribe`` (``订阅`` / ``退订``) from a chat that reaches the person
    directly (Slack's DMs), answered in their language; None when ``text`` is no such command.

    A new subscriber's language is the one the message is written in or asks for (``订阅``,
    ``subscribe in Chinese``, ``subscribe 中文``): it is stored as their choice, so their
    reminders come in it, and the answer says how to change it. A choice made before stays.
    ``shown``: an event's name as the chat shows it (escaped, bold).
    """
    found = subscription_verb(text)
    if found is None:
        return None
    verb, rest = found
    events, rest = pick(service.events(), rest)
    said = (settings.language_said(text, events[0]) if events else None) or language_code(
        re.sub(r"^(?:in|用)\s*", "", rest.strip(" .!。！"), flags=re.IGNORECASE))
    if not events:
        return settings.speaking(service, said).gettext(N_(
            "No schedule is loaded right now; there is nothing to subscribe to."))
    ledger = service.ledger
    before = {e.id: settings.current(ledger, e.id, destination) for e in events}
    chosen = next((p.language for _, p in before.values() if p.language), None)
    if verb == "unsubscribe":
        lang = settings.speaking(service, chosen or said)
        left = [ended for event in events for ended in subscriptions.unsubscribe(
            service, now, event_id=event.id, destination=destination, detail=f"in {source}")]
        names = lang.gettext(" and ").join(shown(e) for e in events)
        return (lang.gettext("Unsubscribed from %(events)s: no more reminders by direct "
                             "message.") % {"events": names} if left
                else lang.gettext("You were not subscribed; nothing changed."))
    new = []
    for event in events:
        subscriptions.subscribe(service, event.id, destination, now, source=source)
        if before[event.id][0] is None:  # new here: the language they wrote in is their choice
            new.append(settings.adopt_language(service, event, destination, said, now))
    language = chosen or next((code for code in new if code), None)
    lang = settings.speaking(service, language or said)
    names = lang.gettext(" and ").join(shown(e) for e in events)
    text = lang.gettext("Subscribed: I will send you reminders for %(events)s by direct "
                        "message. Send me `unsubscribe` to stop.") % {"events": names}
    note = settings.language_note(service, language) if any(new) else ""
    return f"{text} {note}" if note else text
