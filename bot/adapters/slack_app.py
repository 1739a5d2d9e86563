"""duebot in Slack: a Bolt app that answers questions, takes subscriptions and organizer commands.

One sync Bolt ``App`` (bolt-python's twin async tree is not used). It is reached two ways:

- over HTTP: ``http_routes(service)`` gives ``POST /slack/events`` (events, the slash command
  and interactivity all at that URL) for the one Starlette app ``bot.adapters.http``
  serves; the request is translated by ``slack_bolt.adapter.starlette`` and dispatched in a
  worker thread so the event loop never waits on Slack;
- over Socket Mode (``SLACK_APP_TOKEN``): ``start_background(service)`` connects a
  ``SocketModeHandler`` in a thread, for organizers without a public URL.

Bolt verifies every request's v0 signature and rejects timestamps older than five minutes;
events are acknowledged before the work starts (the slash command acks, then a lazy listener
answers through ``response_url``), retried events are answered once (``event_id`` goes through
``Ledger.first_time``, so this holds across replicas), and the bot's own messages and other
bots' are ignored. Whatever the bot echoes of anyone's text is escaped: nobody can make it post
``<!channel>``.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App, BoltContext, Respond, Say
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.adapters.slack_channel import escape, mrkdwn_chunks, slack_client
from bot.app import preferences as settings
from bot.config import SlackConfig
from bot.core.ask import Answer, answer, zh
from bot.core.model import Event, ImportantDate
from bot.core.timefmt import format_day, format_instant, relative, zone_caption
from bot.core.zones import Zone, parse_zone
from bot.errors import DuebotError, StorageConflict, StorageError

if TYPE_CHECKING:
    from starlette.routing import Route

    from bot.app.running import Running

__all__ = ["SlackBot", "answer_blocks", "http_routes", "slack_date", "start_background"]

log = logging.getLogger("duebot.slack")

OFF = ("Slack is off: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN for "
       "Socket Mode)")
ZONE_TTL = 3600.0
"""Seconds a user's zone is trusted before ``users.info`` is asked again."""
GROUP_TTL = 300.0
PREVIEW_LIMIT = 1800
"""Longest announcement a preview takes (its text stays server-side, the button carries a key:
the value, escaped JSON, went over Slack's 2,000 characters for texts under this cap)."""
PREVIEW_META = "slack-preview:"
"""Ledger meta name prefix of a preview's pending text, under its key (shared by replicas)."""
CONFIRM, CANCEL, CALENDAR = ("duebot_announce_confirm", "duebot_announce_cancel",
                             "duebot_add_to_calendar")
_MENTION = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>")


def unescape(text: str) -> str:
    """Slack sends ``&``, ``<``, ``>`` typed by people as entities; work on the plain text."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


# --- answers in Slack's own form ---------------------------------------------------------------

def slack_date(instant: datetime, fallback: str, *, with_time: bool = True) -> str:
    """``<!date^UNIX^{date_long_pretty} {time}|fallback>``: each reader sees their own time."""
    tokens = "{date_long_pretty} {time}" if with_time else "{date_long_pretty}"
    return f"<!date^{int(instant.timestamp())}^{tokens}|{escape(fallback)}>"


def _date_line_zh(when: ImportantDate, now: datetime, reader: Zone) -> str:
    """The same line for a question asked in Chinese: CLDR dates and zone names."""
    title = f"*{escape(when.title)}*"
    if when.cancelled:
        return f"• ~{escape(when.title)}~ 已取消"
    instant = when.ends if when.all_day and when.kind in ("deadline", "camera-ready") \
        else when.starts
    if when.all_day and when.kind not in ("deadline", "camera-ready"):
        assert when.day is not None
        days = zh.format_day(when.day)
        if when.end_day and when.end_day != when.day:
            days += f"至{zh.format_day(when.end_day)}"
        return (f"• {title}：{escape(days)}（全天，{escape(zh.zone_name(when.zone, instant))}）"
                f" · {escape(zh.relative(instant, now))}")
    own = f"{zh.format_instant(instant, when.zone)}（{zh.zone_name(when.zone, instant)}）"
    yours = slack_date(instant, zh.format_instant(instant, reader))
    return f"• {title}：{yours}（你的时间） · {escape(own)} · {escape(zh.relative(instant, now))}"


def _date_line(when: ImportantDate, now: datetime, reader: Zone, language: str = "en") -> str:
    if language == "zh":
        return _date_line_zh(when, now, reader)
    title = f"*{escape(when.title)}*"
    if when.cancelled:
        return f"• ~{escape(when.title)}~ cancelled"
    if when.all_day and when.kind not in ("deadline", "camera-ready"):
        assert when.day is not None
        days = format_day(when.day)
        if when.end_day and when.end_day != when.day:
            days += f" to {format_day(when.end_day)}"
        caption = zone_caption(when.zone, when.starts)
        return f"• {title}: {escape(days)} (all day, {escape(caption)}) · " \
               f"{escape(relative(when.starts, now))}"
    # An all-day deadline closes when its last day ends in its own zone.
    instant = when.ends if when.all_day else when.starts
    own = f"{format_instant(instant, when.zone)} ({zone_caption(when.zone, instant)})"
    yours = slack_date(instant, format_instant(instant, reader))
    return f"• {title}: {yours} your time · {escape(own)} · {escape(relative(instant, now))}"


def answer_blocks(reply: Answer, now: datetime, reader: Zone, *, heading: str = ""
                  ) -> list[dict[str, Any]]:
    """The text answer, then each date it speaks of as a Slack date token beside its zone."""
    text = escape(reply.text)
    if heading:
        text = f"*{escape(heading)}*\n{text}"
    blocks = _sections(text)
    lines = [_date_line(when, now, reader, reply.language) for when in reply.dates]
    if lines:
        blocks.extend(_sections("\n".join(lines)))
    return blocks


MAX_BLOCKS = 50
"""Slack's limit of blocks in one message."""


def _sections(mrkdwn: str) -> list[dict[str, Any]]:
    """Sections of at most 3,000 characters each, cut at lines or spaces, never inside a
    ``<!date>`` token (one section cut there showed the raw token)."""
    return [{"type": "section", "text": {"type": "mrkdwn", "text": piece}}
            for piece in mrkdwn_chunks(mrkdwn)]


def _within_limit(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """At most ``MAX_BLOCKS``; what does not fit is named, not silently dropped."""
    if len(blocks) <= MAX_BLOCKS:
        return blocks
    note = _sections(f"_{len(blocks) - MAX_BLOCKS + 1} more parts did not fit in one Slack "
                     f"message: ask about one event or date at a time._")
    return [*blocks[:MAX_BLOCKS - 1], *note]


# --- what the bot says -----------------------------------------------------------------------

@dataclass(frozen=True)
class Reply:
    """What to say back: mrkdwn fallback text, blocks, and whether only the asker sees it."""

    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    private: bool = False


@dataclass(frozen=True)
class Asker:
    """Who asked, where, and how to answer there."""

    user: str
    channel: str = ""
    in_dm: bool = False
    thread_ts: str | None = None


ORGANIZER_VERBS = ("announce", "status", "extend")
CHANGES = frozenset({"subscribe", "unsubscribe", "extend"})
"""Commands that change state: a retried event must not run them twice."""
FIRST = "duebot_first_arrival"


class SlackBot:
    """The Bolt app and the handlers behind it, bound to one running service."""

    def __init__(self, service: Running, settings: SlackConfig, *,
                 client: WebClient | None = None, socket_mode: bool = False,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.service = service
        self.settings = settings
        self.client = client or slack_client(settings.bot_token, settings.api_base_url)
        self.monotonic = monotonic
        self._zones: dict[str, tuple[float, Zone | None]] = {}
        self._groups: dict[str, tuple[float, frozenset[str]]] = {}
        self._lock = threading.Lock()
        self._confirm_lock = threading.Lock()
        self.app = App(client=self.client, signing_secret=settings.signing_secret or "unused",
                       request_verification_enabled=not socket_mode,
                       token_verification_enabled=False,  # auth.test on the first request
                       ignoring_self_events_enabled=True, logger=log)
        self.app.middleware(self._answer_once)
        self.app.event("app_mention")(self._on_mention)
        self.app.event("message")(self._on_message)
        self.app.command(settings.command)(ack=self._ack, lazy=[self._on_command])
        self.app.action(CONFIRM)(ack=self._ack, lazy=[self._on_confirm])
        self.app.action(CANCEL)(ack=self._ack, lazy=[self._on_cancel])
        self.app.action(CALENDAR)(self._ack)  # the button opens a link; Slack still tells us

    # -- Bolt listeners (short: translate, call, translate back) -----------------------------

    def _answer_once(self, body: dict[str, Any], context: BoltContext,
                     next: Callable[[], None]) -> None:
        """Slack retries an event it thinks we missed; the ledger lets one replica answer it.

        The ledger is asked by the listener, after Slack has its ack (a slow database must not
        make Slack retry), in the listener's own thread (no hand-off to another one), and the
        listener posts only if this was the event's first arrival.
        """
        event_id = body.get("event_id")
        if isinstance(event_id, str) and event_id and body.get("type") == "event_callback":
            context[FIRST] = (f"slack:{event_id}", self.service.clock())
        next()

    def _first_arrival(self, context: BoltContext, body: dict[str, Any]) -> bool:
        pending: tuple[str, datetime] | None = context.get(FIRST)
        if pending is None:
            return True
        try:
            if self.service.ledger.first_time(*pending):
                return True
        except Exception as exc:  # the ledger is down: better a rare double answer than none
            log.warning("could not check event %s against the ledger (%s): answering anyway",
                        body.get("event_id"), exc)
            return True
        log.info("event %s already answered (a retry): not answering again",
                 body.get("event_id"))
        return False

    @staticmethod
    def _ack(ack: Ack) -> None:
        ack()

    def _on_mention(self, event: dict[str, Any], body: dict[str, Any], context: BoltContext,
                    say: Say) -> None:
        if event.get("bot_id") or event.get("subtype"):
            return
        asker = Asker(user=str(event.get("user", "")), channel=str(event.get("channel", "")),
                      thread_ts=str(event.get("thread_ts") or event.get("ts") or "") or None)
        text = _MENTION.sub(" ", unescape(str(event.get("text", ""))))
        self._answer_event(asker, text, body, context, say)

    def _on_message(self, event: dict[str, Any], body: dict[str, Any], context: BoltContext,
                    say: Say) -> None:
        if (event.get("channel_type") != "im" or event.get("bot_id") or event.get("subtype")
                or not event.get("user")):
            return  # edits, joins, bots (ourselves included) and channel chatter
        asker = Asker(user=str(event["user"]), channel=str(event.get("channel", "")),
                      in_dm=True)
        self._answer_event(asker, unescape(str(event.get("text", ""))), body, context, say)

    def _answer_event(self, asker: Asker, text: str, body: dict[str, Any],
                      context: BoltContext, say: Say) -> None:
        verb = text.split(maxsplit=1)[0].casefold() if text.split() else ""
        if verb in CHANGES:  # act only once the ledger says this is no retry
            if self._first_arrival(context, body):
                self._deliver(self.handle(asker, text), asker, say=say)
            return
        reply = self.handle(asker, text)
        if self._first_arrival(context, body):
            self._deliver(reply, asker, say=say)

    def _on_command(self, command: dict[str, Any], respond: Respond) -> None:
        asker = Asker(user=str(command.get("user_id", "")),
                      channel=str(command.get("channel_id", "")))
        reply = self.handle(asker, unescape(str(command.get("text", ""))))
        respond(text=reply.text, blocks=reply.blocks or None, response_type="ephemeral")

    def _on_confirm(self, body: dict[str, Any], respond: Respond) -> None:
        user = str((body.get("user") or {}).get("id", ""))
        actions = body.get("actions") or [{}]
        key = str(actions[0].get("value", ""))
        if not self.is_organizer(user):
            respond(text=self._refusal(), replace_original=False, response_type="ephemeral")
            return
        respond(text=self.confirm_preview(key, user), replace_original=True)

    def confirm_preview(self, key: str, user: str) -> str:
        """Queue the announcement a preview's key stands for, once: a second click (or a
        second replica) is told it is already queued. The key is the idempotency key: the
        announcement's id is made from it."""
        if not re.fullmatch(r"[0-9a-f]{16}", key):
            return "That preview is no longer valid; send `announce` again."
        try:
            pending = json.loads(self.service.ledger.get_meta(PREVIEW_META + key) or "null")
            event_id, text = str(pending["event"]), str(pending["text"])
        except (ValueError, KeyError, TypeError):
            return "That preview is no longer valid; send `announce` again."
        announcement_id = f"slack-{key}"
        with self._confirm_lock:  # two clicks 0.3 s apart run in two threads
            if any(str(r["id"]) == announcement_id
                   for r in self.service.ledger.announcement_rows(event_id)):
                return (f"Already queued: announcement `{announcement_id}`; this click sent "
                        f"nothing more.")
            return self.queue_announcement(event_id, text, user,
                                           announcement_id=announcement_id)

    def _on_cancel(self, body: dict[str, Any], respond: Respond) -> None:
        respond(text="Announcement cancelled; nothing was sent.", replace_original=True)

    def _deliver(self, reply: Reply, asker: Asker, *, say: Say) -> None:
        try:
            if reply.private and not asker.in_dm:
                self.client.chat_postEphemeral(channel=asker.channel, user=asker.user,
                                               text=reply.text, blocks=reply.blocks or None,
                                               thread_ts=asker.thread_ts)
            else:
                say(text=reply.text, blocks=reply.blocks or None, thread_ts=asker.thread_ts,
                    unfurl_links=False)
        except (SlackApiError, SlackClientError, OSError) as exc:
            log.warning("could not answer %s in %s: %s", asker.user, asker.channel, exc)

    # -- what to do with a message ------------------------------------------------------------

    def handle(self, asker: Asker, text: str) -> Reply:
        """One message (plain text, the bot's mention removed) -> the reply; never raises."""
        words = text.split()
        verb = words[0].casefold().strip(".!?:,") if words else ""
        rest = text.strip()[len(words[0]):].strip() if words else ""
        try:
            if verb in ("subscribe", "unsubscribe"):
                return self.subscription(asker, verb, rest)
            if verb in ORGANIZER_VERBS:
                if not self.is_organizer(asker.user):
                    return Reply(self._refusal(), private=True)
                if verb == "announce":
                    return self.announce_preview(rest)
                if verb == "status":
                    return self.status()
                return self.extend(asker, rest)
            tuned = self.preferences(asker, text)
            if tuned is not None:
                return tuned
            return self.question(asker, text)
        except (SlackApiError, SlackClientError, OSError) as exc:
            log.warning("Slack call failed while answering %s: %s", asker.user, exc)
            return Reply("Sorry, I could not reach Slack just now; please try again.")
        except DuebotError as exc:
            return Reply(escape(f"Sorry: {exc}"), private=True)

    def _pick(self, rest: str) -> tuple[list[Event], str]:
        """Which events a message is about: a leading event id picks one, else all."""
        events = self.service.events()
        first = rest.split(maxsplit=1)
        if first and first[0] in events:
            return [events[first[0]]], rest[len(first[0]):].strip()
        return [events[k] for k in sorted(events)], rest

    def question(self, asker: Asker, text: str) -> Reply:
        events, question = self._pick(text.strip())
        if not events:
            return Reply("No schedule is loaded right now; please ask the organizers.")
        now = self.service.clock()
        reader = self.zone_of(asker.user)
        blocks: list[dict[str, Any]] = []
        texts: list[str] = []
        thread = (f"slack:{asker.channel}:{asker.thread_ts}" if asker.thread_ts
                  else f"slack:{asker.channel}" if asker.in_dm else "")
        for event in events:
            key = f"{thread}:{event.id}" if thread else ""
            reply = answer(question, event, now=now, reader=reader,
                           context=self._thread_context(key, event.id, now))
            self._remember_thread(key, event.id, reply, now)
            heading = event.name if len(events) > 1 else ""
            blocks.extend(answer_blocks(reply, now, reader or event.zone, heading=heading))
            texts.append(escape(f"{heading}\n{reply.text}" if heading else reply.text))
        return Reply("\n\n".join(texts), _within_limit(blocks))

    def preferences(self, asker: Asker, text: str) -> Reply | None:
        """``remind me 2 days before the abstract deadline``, ``settings`` ...; None if not."""
        events, command = self._pick(text.strip())
        if not events:
            return None
        now = self.service.clock()
        outcomes = []
        for event in events:
            outcome = settings.handle(self.service, event, f"slack:{asker.user}", command, now,
                                      subscribe_if_needed=True,
                                      settings_url=self.service.config.http.base_url)
            if outcome is None:
                return None
            outcomes.append(outcome.text if len(events) == 1 else f"{event.name}: {outcome.text}")
        return Reply(escape("\n\n".join(outcomes)), private=True)

    def _thread_context(self, key: str, event_id: str, now: datetime) -> dict[str, Any] | None:
        """The thread's last reading, for follow-ups ("and in IST?"); None if it has none."""
        if not key:
            return None
        try:
            return self.service.ledger.thread_context(key, event_id, now)
        except (DuebotError, StorageError) as exc:  # answer anyway, as a new question
            log.warning("thread context for %s unavailable: %s", key, exc)
            return None

    def _remember_thread(self, key: str, event_id: str, reply: Answer, now: datetime) -> None:
        if not key or not reply.context:
            return
        try:
            self.service.ledger.remember_thread(key, event_id, reply.context, now)
        except (DuebotError, StorageError) as exc:
            log.warning("could not keep the thread context of %s: %s", key, exc)

    def subscription(self, asker: Asker, verb: str, rest: str) -> Reply:
        events, _ = self._pick(rest)
        if not events:
            return Reply("No schedule is loaded right now; there is nothing to subscribe to.",
                         private=True)
        now = self.service.clock()
        destination = f"slack:{asker.user}"
        names = ", ".join(f"*{escape(e.name)}*" for e in events)
        ledger = self.service.ledger
        if verb == "subscribe":
            for event in events:
                ledger.subscribe(event.id, destination, now, source="slack")
                ledger.audit(now, actor=destination, action="subscribe", event_id=event.id)
            text = (f"Subscribed: I will send you reminders for {names} by direct message. "
                    f"Send me `unsubscribe` to stop.")
        else:
            left: list[tuple[str, str]] = []
            for event in events:
                left += ledger.unsubscribe(now, event_id=event.id, destination=destination)
                ledger.audit(now, actor=destination, action="unsubscribe", event_id=event.id)
            text = (f"Unsubscribed from {names}: no more reminders by direct message."
                    if left else "You were not subscribed; nothing changed.")
        self.service.subscribers_changed()
        return Reply(text, private=True)

    # -- who may do what ----------------------------------------------------------------------

    def is_organizer(self, user: str) -> bool:
        """Listed by id, or a member of a listed user group (``usergroups.users.list``)."""
        if not user:
            return False
        if user in self.settings.organizers:
            return True
        for group in self.settings.organizers:
            if group.startswith("S") and user in self._members(group):
                return True
        return False

    def _members(self, group: str) -> frozenset[str]:
        with self._lock:
            cached = self._groups.get(group)
        if cached is not None and self.monotonic() - cached[0] < GROUP_TTL:
            return cached[1]
        try:
            members = frozenset(str(u) for u in
                                self.client.usergroups_users_list(usergroup=group)
                                .get("users") or [])
        except (SlackApiError, SlackClientError, OSError) as exc:
            log.warning("cannot read user group %s (%s); its members are not organizers now",
                        group, exc)
            return cached[1] if cached else frozenset()
        with self._lock:
            self._groups[group] = (self.monotonic(), members)
        return members

    @staticmethod
    def _refusal() -> str:
        return ("Sorry, only the workshop's organizers can do that. Ask me a question instead, "
                "like \"when is the deadline?\"")

    def zone_of(self, user: str) -> Zone | None:
        """The asker's zone from ``users.info`` (``tz``, not ``tz_offset``: DST moves it)."""
        if not user:
            return None
        with self._lock:
            cached = self._zones.get(user)
        if cached is not None and self.monotonic() - cached[0] < ZONE_TTL:
            return cached[1]
        zone: Zone | None = None
        try:
            profile = self.client.users_info(user=user).get("user") or {}
            name = profile.get("tz")
            if isinstance(name, str) and name:
                zone = parse_zone(name)
        except (SlackApiError, SlackClientError, OSError) as exc:
            log.warning("users.info %s failed (%s): answering in the event's zone", user, exc)
            return cached[1] if cached else None
        except ValueError:
            zone = None
        with self._lock:
            self._zones[user] = (self.monotonic(), zone)
        return zone

    # -- organizer commands -------------------------------------------------------------------

    def status(self) -> Reply:
        from bot.app.status import gather

        now = self.service.clock()
        report = gather(self.service, now)
        lines: list[str] = []
        for entry in report["schedules"]:
            if "event" not in entry:
                lines.append(f"{entry['path']}: NOT LOADED ({'; '.join(entry['errors'])})")
                continue
            counts = ", ".join(f"{n} {s}" for s, n in sorted(entry["counts"].items()))
            lines.append(f"{entry['name']} ({entry['event']}): {counts or 'no deliveries'}")
            for row in entry["next"][:3]:
                lines.append(f"  next {row['due_utc']} ({row['in']}) {row['reminder']} -> "
                             f"{row['destination']}")
            for row in entry["failed"][:3]:
                lines.append(f"  {row['state']} {row['reminder']} -> {row['destination']}: "
                             f"{row['reason'][:120]}")
            for error in entry["errors"][:2]:
                lines.append(f"  schedule error: {error}")
        body = escape("\n".join(lines) or "No schedules.")
        text = f"duebot status at {report['now_utc']}\n```{body}```"
        return Reply(text, _within_limit(_sections(text)), private=True)

    def announce_preview(self, rest: str) -> Reply:
        """Render it exactly as it would go (``bot.app.announce.prepare``), with Confirm/Cancel."""
        from bot.app import announce

        events, text = self._pick(rest)
        text = text.strip()
        if not text:
            return Reply("Write the announcement after the word: `announce Submissions are "
                         "open!` (start with an event id if there are several).", private=True)
        if len(events) != 1:
            ids = ", ".join(f"`{escape(e.id)}`" for e in events) or "none loaded"
            return Reply(f"Which event? Start with its id: `announce EVENT-ID text` ({ids}).",
                         private=True)
        if len(text) > PREVIEW_LIMIT:
            return Reply(f"That is {len(text)} characters; announcements from Slack may have "
                         f"{PREVIEW_LIMIT}. Use `duebot announce` on the server for longer ones.",
                         private=True)
        event = events[0]
        now = self.service.clock()
        ready = announce.prepare(self.service, event, now.isoformat(), (), text=text, now=now)
        quoted = "\n".join(f">{line}" for line in escape(ready.message.text).splitlines())
        targets = ", ".join(f"`{escape(d)}`" for d in ready.destinations[:10])
        if len(ready.destinations) > 10:
            targets += f" and {len(ready.destinations) - 10} more"
        # The text stays server-side; the button carries only its key (Slack's values are at
        # most 2,000 characters), which also makes Confirm idempotent.
        value = secrets.token_hex(8)
        self.service.ledger.set_meta(PREVIEW_META + value, json.dumps(
            {"event": event.id, "text": text}, ensure_ascii=False))
        blocks: list[dict[str, Any]] = [
            *_sections(f"*Preview* of an announcement for *{escape(event.name)}*, to {targets} "
                     f"when you confirm:\n*{escape(ready.message.subject)}*\n{quoted}"),
            {"type": "actions", "elements": [
                {"type": "button", "action_id": CONFIRM, "style": "primary", "value": value,
                 "text": {"type": "plain_text", "text": "Confirm"}},
                {"type": "button", "action_id": CANCEL, "value": "cancel",
                 "text": {"type": "plain_text", "text": "Cancel"}}]},
        ]
        return Reply(f"Preview of an announcement for {escape(event.name)}: {escape(text)}",
                     blocks, private=True)

    def queue_announcement(self, event_id: str, text: str, user: str, *,
                           announcement_id: str = "") -> str:
        """A confirmed announcement joins the ledger now; the delivery loop sends it."""
        from bot.app import announce

        now = self.service.clock()
        event = self.service.events().get(event_id)
        if event is None:
            return "That event is no longer loaded; nothing was sent."
        try:
            announcement_id = announce.schedule_announcement(
                self.service, event, now.isoformat(), (), text=text, actor=f"slack:{user}",
                now=now, announcement_id=announcement_id)
        except DuebotError as exc:
            if announcement_id and "already used" in str(exc):
                return f"Already queued: announcement `{announcement_id}`; nothing more sent."
            return escape(f"Not queued: {exc}")
        except StorageConflict:  # another replica queued the same key a moment ago
            return f"Already queued: announcement `{announcement_id}`; nothing more sent."
        self.service.subscribers_changed()  # wake the delivery loop
        return (f"Announcement `{escape(announcement_id)}` queued by <@{escape(user)}>; it goes "
                f"out with the next delivery run.")

    def extend(self, asker: Asker, rest: str) -> Reply:
        """``extend DATE-ID NEW-TIME [announce]``: edit the schedule file, re-time reminders."""
        from bot.adapters.schedule_edit import extend_date
        from bot.app.organizers import apply_change

        events, args = self._pick(rest)
        parts = args.split(maxsplit=1)
        usage = ("Write `extend DATE-ID NEW-TIME`, e.g. `extend abstract 2017-09-17 23:59`; add "
                 "`announce` at the end to tell participants (start with an event id if there "
                 "are several).")
        if len(parts) < 2 or len(events) != 1:
            return Reply(usage, private=True)
        date_id, new_time = parts[0], parts[1].strip()
        tell = new_time.casefold().endswith(" announce")
        if tell:
            new_time = new_time[:-len(" announce")].strip()
        event = events[0]
        path = next((p for p, loaded in self.service.schedules.items()
                     if loaded.event is not None and loaded.event.id == event.id), None)
        if path is None:
            return Reply("That event is no longer loaded.", private=True)
        now = self.service.clock()
        actor = f"slack:{asker.user}"
        try:
            result = extend_date(path, date_id, new_time, actor=actor)
            applied = apply_change(self.service, result, actor=actor, now=now, announce=tell)
        except DuebotError as exc:
            return Reply(escape(f"Not changed: {exc}"), private=True)
        self.service.subscribers_changed()
        lines = [escape(result.summary()),
                 f"{applied.retimed} unsent reminder(s) re-timed, {applied.cancelled} "
                 f"cancelled, {applied.already_sent} already sent (not sent again)."]
        if applied.announcement_id:
            lines.append(f"Announcement `{escape(applied.announcement_id)}` queued.")
        return Reply("\n".join(lines), private=True)


# --- wiring into ``duebot run`` -----------------------------------------------------------------

_BOTS: dict[int, SlackBot] = {}


def bot_for(service: Running) -> SlackBot:
    """One Bolt app per service, whichever entry point asks first."""
    bot = _BOTS.get(id(service))
    if bot is None or bot.service is not service:
        settings = service.config.slack
        bot = SlackBot(service, settings, socket_mode=settings.uses_socket_mode)
        _BOTS[id(service)] = bot
    return bot


def http_routes(service: Running) -> list[Route]:
    """``POST /slack/events`` when the bot token and signing secret are set; else none."""
    settings = service.config.slack
    if settings.uses_socket_mode:
        return []
    if not (settings.bot_token and settings.signing_secret):
        log.info(OFF)
        return []
    return routes_for(bot_for(service))


_TIMESTAMP = re.compile(r"[0-9]{1,12}")
"""A Unix time in seconds, ASCII digits only (``int()`` also takes ``²``, spaces, ``_``)."""


def routes_for(bot: SlackBot) -> list[Route]:
    from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    async def slack_events(request: Request) -> Response:
        # slack_sdk's verifier calls int() on the timestamp: a non-numeric one was a 500.
        # Whatever cannot be a valid signature is refused here, before the body is read.
        stamp = request.headers.get("x-slack-request-timestamp", "")
        if not _TIMESTAMP.fullmatch(stamp):
            return Response("invalid or missing X-Slack-Request-Timestamp\n", status_code=401,
                            media_type="text/plain")
        body = await request.body()
        # Bolt's dispatch is synchronous (it waits for ack()): keep it off the event loop.
        response = await run_in_threadpool(bot.app.dispatch, to_bolt_request(request, body))
        return to_starlette_response(response)

    log.info("Slack events, commands and interactivity at POST /slack/events")
    return [Route("/slack/events", slack_events, methods=["POST"])]


def start_background(service: Running) -> Callable[[], None] | None:
    """Socket Mode in a thread when ``SLACK_APP_TOKEN`` is set; returns how to stop it."""
    settings = service.config.slack
    if settings.socket_mode and not settings.app_token:
        log.error("[slack] socket_mode = true but SLACK_APP_TOKEN is empty: Slack is off")
        return None
    if not settings.uses_socket_mode:
        if settings.bot_token and settings.signing_secret and not service.config.http.enabled:
            log.warning("Slack over HTTP needs [http] enabled = true (or use Socket Mode)")
        return None
    if not settings.bot_token:
        log.info(OFF)
        return None
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    handler = SocketModeHandler(bot_for(service).app, settings.app_token)
    handler.connect()  # type: ignore[no-untyped-call]
    log.info("Slack connected over Socket Mode")
    return handler.close

