"""duebot in Slack: the Bolt app that answers questions, takes subscriptions and organizer commands.

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
``Ledger.first_times_keeping``, so this holds across replicas), and the bot's own messages and
other bots' are ignored. Whatever the bot echoes of anyone's text is escaped: nobody can make it
post ``<!channel>``.

What to answer is not decided here: questions and settings commands go to
``bot.app.chat_conversation`` (as Discord's, Zulip's and Mattermost's do), organizer commands to
``bot.app.chat_organizers``, subscriptions (``订阅`` too) to ``chat_conversation.subscription``.
This module knows Slack: who is an organizer (ids, user groups), the asker's zone
(``users.info``), threads and DMs, and the Block Kit (``bot.adapters.slack_format``) the
replies are posted in.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.adapters.retry import paced
from bot.adapters.schedule_files import display_path
from bot.adapters.send_deadline import AnswerCut, AnswerDeadline
from bot.adapters.slack_channel import slack_client
from bot.adapters.slack_format import answer_blocks
from bot.adapters.slack_format import sections as _sections
from bot.adapters.slack_format import within_limit as _within_limit
from bot.app import chat_conversation as chat
from bot.app import chat_organizers as organizers
from bot.app import threads
from bot.app.threads import Conversation
from bot.config import SlackConfig
from bot.core.model import Event
from bot.core.slack_mrkdwn import escape, slack_date, unescape
from bot.core.zones import Zone, parse_zone
from bot.errors import DuebotError

if TYPE_CHECKING:  # Bolt is imported when a SlackBot is built: most start-ups have none
    from slack_bolt import Ack, Respond
    from starlette.routing import Route

    from bot.app.running import Running

__all__ = ["SlackBot", "answer_blocks", "http_routes", "slack_date", "start_background"]

log = logging.getLogger("duebot.slack")

OFF = ("Slack is off: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN for "
       "Socket Mode)")
ZONE_TTL = 3600.0
"""Seconds a user's zone is trusted before ``users.info`` is asked again."""
GROUP_TTL = 300.0
RATE_WAIT = 10.0
"""The longest ``Retry-After`` an answer waits out (a 429 on its post or on ``users.info``):
a person is waiting for it. Slack's own are a few seconds; a longer one gives up, logged."""
RATE_TRIES = 3
"""Calls of one Slack method for one answer, at most, while Slack says 429."""
RESPOND_TIMEOUT = 30.0
"""Each read's timeout of Bolt's ``respond`` (slack_sdk's ``WebhookClient`` default)."""
T = TypeVar("T")
CONFIRM, CANCEL, CALENDAR = ("duebot_announce_confirm", "duebot_announce_cancel",
                             "duebot_add_to_calendar")
_MENTION = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>")


# --- what the bot says -----------------------------------------------------------------------

@dataclass(frozen=True)
class Reply:
    """What to say back: mrkdwn fallback text, blocks, and whether only the asker sees it;
    the thread readings to keep once it is out (``SlackBot._deliver``)."""

    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    private: bool = False
    readings: tuple[threads.Reading, ...] = ()


@dataclass(frozen=True)
class Asker:
    """Who asked, where, and how to answer there."""

    user: str
    channel: str = ""
    in_dm: bool = False
    thread_ts: str | None = None
    starts_thread: bool = False
    """A mention outside a thread: its own ``ts`` is the thread's, which has no past yet."""


def conversation_of(asker: Asker) -> Conversation | None:
    """A thread's follow-ups meet in the thread (a mention outside one starts it, at its own
    ``ts``), a DM's in the DM, its threads included (a reply in a thread on an answer follows
    the question asked above it); a slash command has neither, and is a question on its own."""
    if asker.in_dm:
        return Conversation(f"slack:{asker.channel}")
    if asker.thread_ts:
        return Conversation(f"slack:{asker.channel}:{asker.thread_ts}",
                            new=asker.starts_thread)
    return None


ANSWERED_SUBTYPES = frozenset({None, "file_share", "thread_broadcast"})
"""A message with a file attached, or a thread reply also sent to the conversation, still
asks; edits (``message_changed``), deletions, joins and bot messages are not asked again (the
first version was answered, once)."""
CHANGES = frozenset({"subscribe", "unsubscribe", "extend"})
"""Commands that change state: a retried event must not run them twice."""


class SlackBot:
    """The Bolt app and the handlers behind it, bound to one running service."""

    def __init__(self, service: Running, settings: SlackConfig, *,
                 client: WebClient | None = None, socket_mode: bool = False,
                 monotonic: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep,
                 deadline: float | None = None) -> None:
        """``deadline``: seconds each Slack call of an answer may take in all (default
        ``[delivery] send_deadline``): a trickling Slack must not hold Bolt's few threads."""
        self.service = service
        self.settings = settings
        self.client = client or slack_client(settings.bot_token, settings.api_base_url)
        self.answers = AnswerDeadline(
            deadline if deadline is not None
            else service.config.delivery.send_deadline.total_seconds(),
            platform="Slack", read_timeout=float(self.client.timeout),
            unavailable=service.engine.unavailable, clock=service.clock)
        self.monotonic = monotonic
        self.sleep = sleep
        self._zones: dict[str, tuple[float, Zone | None, str]] = {}
        """User -> when ``users.info`` was read, their zone and their locale (``zh-CN``)."""
        self._groups: dict[str, tuple[float, frozenset[str]]] = {}
        self._lock = threading.Lock()
        self._confirm_lock = threading.Lock()
        self.unsent = threads.Unsent()
        """Thread readings of answers being posted: kept once they are out."""
        from slack_bolt import App

        self.app = App(client=self.client, signing_secret=settings.signing_secret or "unused",
                       request_verification_enabled=not socket_mode,
                       token_verification_enabled=False,  # auth.test on the first request
                       ignoring_self_events_enabled=True, logger=log,
                       # say, set_status ... for Bolt's AI-assistant threads: no listener
                       # here takes them (answers are posted with chat.postMessage, below)
                       attaching_conversation_kwargs_enabled=False)
        self.app.event("app_mention")(self._on_mention)
        self.app.event("message")(self._on_message)
        self.app.command(settings.command)(ack=self._ack, lazy=[self._on_command])
        self.app.action(CONFIRM)(ack=self._ack, lazy=[self._on_confirm])
        self.app.action(CANCEL)(ack=self._ack, lazy=[self._on_cancel])
        self.app.action(CALENDAR)(self._ack)  # the button opens a link; Slack still tells us

    # -- Bolt listeners (short: translate, call, translate back) -----------------------------

    def _first_arrival(self, body: dict[str, Any],
                       readings: Sequence[threads.Reading] = ()
                       ) -> tuple[bool, tuple[threads.Reading, ...]]:
        """Slack retries an event it thinks we missed; the ledger lets one replica answer it.
        Returns whether this is the event's first arrival, and which of ``readings`` (a new
        thread's first: ``Reading.first``) the ledger kept with it.

        The ledger is asked by the listener, after Slack has its ack (a slow database must not
        make Slack retry), in the listener's own thread (no hand-off to another one), and the
        listener posts only if this was the event's first arrival: both of its keys (the
        event's, its message's) taken in one write, a new thread's reading in the same one
        (a second write on the way to the answer cost it about 0.15 ms).
        """
        event_id = body.get("event_id")
        if not (isinstance(event_id, str) and event_id and body.get("type") == "event_callback"):
            return True, ()
        keys = [f"slack:{event_id}"]
        event = body.get("event") or {}
        if isinstance(event, dict) and event.get("channel") and event.get("ts"):
            # The message itself, whichever event brings it: an edit that still mentions
            # the bot comes as a new app_mention with the message's own ts.
            keys.append(f"slack-message:{event['channel']}:{event['ts']}")
        first = tuple(r for r in readings if r.first)
        try:
            fresh = self.service.ledger.first_times_keeping(
                keys, self.service.clock(),
                [(r.key, r.event_id, r.context, r.now) for r in first])
        except Exception as exc:  # the ledger is down: better a rare double answer than none
            log.warning("could not check event %s against the ledger (%s): answering anyway",
                        event_id, exc)
            return True, ()
        if fresh:
            return True, first
        log.info("event %s already answered (a retry, or its message was, before an edit): "
                 "not answering again", event_id)
        return False, ()

    @staticmethod
    def _ack(ack: Ack) -> None:
        ack()

    def _on_mention(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        if event.get("bot_id") or event.get("subtype") not in ANSWERED_SUBTYPES:
            return
        channel = str(event.get("channel", ""))
        if event.get("channel_type") == "im" or channel.startswith("D"):
            return  # a mention in a DM is a message.im too, answered there: not twice
        asker = Asker(user=str(event.get("user", "")), channel=channel,
                      thread_ts=str(event.get("thread_ts") or event.get("ts") or "") or None,
                      starts_thread=not event.get("thread_ts"))
        text = _MENTION.sub(" ", unescape(str(event.get("text", ""))))
        self._answer_event(asker, text, body)

    def _on_message(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        if (event.get("channel_type") != "im" or event.get("bot_id")
                or event.get("subtype") not in ANSWERED_SUBTYPES or not event.get("user")):
            return  # edits, joins, bots (ourselves included) and channel chatter
        thread = event.get("thread_ts")
        asker = Asker(user=str(event["user"]), channel=str(event.get("channel", "")),
                      in_dm=True, thread_ts=str(thread) if thread else None)
        text = _MENTION.sub(" ", unescape(str(event.get("text", ""))))  # "@duebot subscribe"
        self._answer_event(asker, text, body)

    def _answer_event(self, asker: Asker, text: str, body: dict[str, Any]) -> None:
        text = text.strip()
        verb = text.split(maxsplit=1)[0].casefold() if text.split() else ""
        if verb in CHANGES or chat.subscription_verb(text):  # once the ledger says no retry
            if self._first_arrival(body)[0]:
                self._deliver(self.handle(asker, text), asker)
            return
        reply = self.handle(asker, text)
        first, kept = self._first_arrival(body, reply.readings)
        if first:
            self._deliver(reply, asker, kept=kept)
        else:  # a retry: the first arrival's answer and reading stand
            self._keep(reply, posted=False)

    def _on_command(self, command: dict[str, Any], respond: Respond) -> None:
        asker = Asker(user=str(command.get("user_id", "")),
                      channel=str(command.get("channel_id", "")))
        reply = self.handle(asker, unescape(str(command.get("text", ""))))
        posted = False
        try:
            posted = self._respond(respond, "answering a slash command", asker.user,
                                   text=reply.text, blocks=reply.blocks or None,
                                   response_type="ephemeral")
        finally:
            self._keep(reply, posted=posted)

    def _respond(self, respond: Respond, what: str, user: str, **message: Any) -> bool:
        """Bolt's ``respond`` (the ``response_url``) within the answer's deadline; False, logged
        once, when it was cut there."""
        try:
            self.answers.call(what, f"the response_url for {user}",
                              lambda: respond(**message), read_timeout=RESPOND_TIMEOUT)
        except AnswerCut as exc:
            log.warning("could not answer %s: %s", user, exc)
            return False
        return True

    def _on_confirm(self, body: dict[str, Any], respond: Respond) -> None:
        user = str((body.get("user") or {}).get("id", ""))
        actions = body.get("actions") or [{}]
        key = str(actions[0].get("value", ""))
        if not self.is_organizer(user):
            self._respond(respond, "refusing a button", user, text=self._refusal(),
                          replace_original=False, response_type="ephemeral")
            return
        self._respond(respond, "confirming an announcement", user,
                      text=self.confirm_preview(key, user), replace_original=True)

    def confirm_preview(self, key: str, user: str) -> str:
        """Queue the announcement a preview's key stands for, once (``chat_organizers``)."""
        return organizers.confirm(self.service, key, actor=f"slack:{user}",
                                  by=f"<@{escape(user)}>", lock=self._confirm_lock,
                                  escape=escape)

    def _on_cancel(self, body: dict[str, Any], respond: Respond) -> None:
        user = str((body.get("user") or {}).get("id", ""))
        self._respond(respond, "cancelling an announcement", user,
                      text="Announcement cancelled; nothing was sent.", replace_original=True)

    def _deliver(self, reply: Reply, asker: Asker, *,
                 kept: Collection[threads.Reading] = ()) -> None:
        """Post the reply, then keep its thread readings (not before: the ledger write is
        not on the way to the answer, and an answer that failed leaves the thread as it was).
        ``kept``: a new thread's reading, which the ledger took with the event's dedupe (the
        write already on that way): taken back if the post failed.

        Posted with ``chat.postMessage`` itself, not Bolt's ``say``: in a DM thread Bolt's
        ``say`` is its AI-assistant one, which first reads the thread (``conversations.replies``)
        and posted nothing when that failed."""
        posted = False
        try:
            where = f"channel {asker.channel}"  # each call within the answer's deadline
            if reply.private and not asker.in_dm:
                self._paced(lambda: self.answers.call(
                    "posting an answer (chat.postEphemeral)", where,
                    lambda: self.client.chat_postEphemeral(
                        channel=asker.channel, user=asker.user, text=reply.text,
                        blocks=reply.blocks or None, thread_ts=asker.thread_ts)))
            else:
                self._paced(lambda: self.answers.call(
                    "posting an answer (chat.postMessage)", where,
                    lambda: self.client.chat_postMessage(
                        channel=asker.channel, text=reply.text, blocks=reply.blocks or None,
                        thread_ts=asker.thread_ts, unfurl_links=False)))
            posted = True
        except (SlackApiError, SlackClientError, OSError) as exc:
            log.warning("could not answer %s in %s: %s", asker.user, asker.channel, exc)
        finally:
            self._keep(reply, posted=posted, kept=kept)

    def _paced(self, call: Callable[[], T]) -> T:
        """``call`` (one Web API call), again after Slack's ``Retry-After`` while it answers
        429 and asks for at most ``RATE_WAIT`` seconds: a 429 took nothing, so the retry cannot
        post twice. The client itself never retries (``slack_client``): a re-sent post that
        did land would."""
        return paced(call, asked=lambda exc: retry_after(exc)
                     if isinstance(exc, SlackApiError) else None,
                     longest=RATE_WAIT, attempts=RATE_TRIES,
                     what="Slack says 429 (rate limited)", sleep=self.sleep, logger=log)

    def _keep(self, reply: Reply, *, posted: bool,
              kept: Collection[threads.Reading] = ()) -> None:
        if reply.readings:
            threads.keep(self.service.ledger, reply.readings, posted=posted,
                         unsent=self.unsent, kept=kept)

    # -- what to do with a message ------------------------------------------------------------

    def handle(self, asker: Asker, text: str) -> Reply:
        """One message (plain text, the bot's mention removed) -> the reply; never raises.
        Its thread readings wait until the caller keeps them (``_deliver``)."""
        words = text.split()
        verb = words[0].casefold().strip(".!?:,") if words else ""
        rest = text.strip()[len(words[0]):].strip() if words else ""
        try:
            said = chat.subscription(self.service, text, f"slack:{asker.user}",
                                     self.service.clock(), source="slack",
                                     shown=lambda e: f"*{escape(e.name)}*")
            if said is not None:  # subscribe / 订阅 / unsubscribe / 退订, in their language
                return Reply(said, private=True)
            if verb in organizers.ORGANIZER_VERBS:
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
        return chat.pick(self.service.events(), rest)

    def question(self, asker: Asker, text: str) -> Reply:
        events, question = self._pick(chat.unquoted(text).strip())
        if not events:
            return Reply(chat.NO_SCHEDULE)
        now = self.service.clock()
        reader = self.zone_of(asker.user)
        blocks: list[dict[str, Any]] = []
        texts: list[str] = []
        answered = chat.answers_to_send(self.service, events, question, now=now, reader=reader,
                                        conversation=conversation_of(asker),
                                        unsent=self.unsent,
                                        language=self.locale_of(asker.user))
        for event, reply in answered.replies:
            heading = event.name if len(events) > 1 else ""
            blocks.extend(answer_blocks(reply, now, reader or event.zone, heading=heading))
            texts.append(escape(f"{heading}\n{reply.text}" if heading else reply.text))
        self.unsent.hold(answered.readings)  # until posted (``_deliver``)
        return Reply("\n\n".join(texts), _within_limit(blocks), readings=answered.readings)

    def preferences(self, asker: Asker, text: str) -> Reply | None:
        """``remind me 2 days before the abstract deadline``, ``settings`` ...; None if not."""
        events, command = self._pick(text.strip())
        if not events:
            return None
        said = chat.settings_reply(self.service, events, f"slack:{asker.user}", command,
                                   self.service.clock(), subscribe_if_needed=True)
        return None if said is None else Reply(escape(said), private=True)

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
            members = frozenset(str(u) for u in self.answers.call(
                "reading a user group (usergroups.users.list)", f"group {group}",
                lambda: self.client.usergroups_users_list(usergroup=group),
                posts=False).get("users") or [])
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
        return self._profile(user)[0]

    def locale_of(self, user: str) -> str:
        """The asker's Slack locale (``zh-CN``), read with their zone; "" if unknown."""
        return self._profile(user)[1]

    def _profile(self, user: str) -> tuple[Zone | None, str]:
        if not user:
            return None, ""
        with self._lock:
            cached = self._zones.get(user)
        if cached is not None and self.monotonic() - cached[0] < ZONE_TTL:
            return cached[1], cached[2]
        zone: Zone | None = None
        locale = ""
        try:
            profile = self._paced(lambda: self.answers.call(
                "reading the asker's zone (users.info)", f"user {user}",
                lambda: self.client.users_info(user=user, include_locale=True),
                posts=False)).get("user") or {}
            name, said = profile.get("tz"), profile.get("locale")
            locale = said if isinstance(said, str) else ""
            if isinstance(name, str) and name:
                zone = parse_zone(name)
        except (SlackApiError, SlackClientError, OSError) as exc:
            log.warning("users.info %s failed (%s): answering in the event's zone", user, exc)
            return (cached[1], cached[2]) if cached else (None, "")
        except ValueError:
            zone = None
        with self._lock:
            self._zones[user] = (self.monotonic(), zone, locale)
        return zone, locale

    # -- organizer commands (bot.app.chat_organizers), in Block Kit -----------------------------

    def status(self) -> Reply:
        text = organizers.status_text(self.service, self.service.clock(), escape,
                                      shown=display_path)
        return Reply(text, _within_limit(_sections(text)), private=True)

    def announce_preview(self, rest: str) -> Reply:
        """Render it exactly as it would go, with Confirm/Cancel (the button carries the key)."""
        events, text = self._pick(rest)
        ready = organizers.preview(self.service, events, text, self.service.clock(), escape)
        if isinstance(ready, str):
            return Reply(ready, private=True)
        quoted = "\n".join(f">{line}" for line in escape(ready.body).splitlines())
        targets = ", ".join(f"`{escape(d, markup=False)}`" for d in ready.destinations[:10])
        if len(ready.destinations) > 10:
            targets += f" and {len(ready.destinations) - 10} more"
        blocks: list[dict[str, Any]] = [
            *_sections(f"*Preview* of an announcement for *{escape(ready.event.name)}*, to "
                       f"{targets} when you confirm:\n*{escape(ready.subject)}*\n{quoted}"),
            {"type": "actions", "elements": [
                {"type": "button", "action_id": CONFIRM, "style": "primary",
                 "value": ready.key, "text": {"type": "plain_text", "text": "Confirm"}},
                {"type": "button", "action_id": CANCEL, "value": "cancel",
                 "text": {"type": "plain_text", "text": "Cancel"}}]},
        ]
        return Reply(f"Preview of an announcement for {escape(ready.event.name)}: "
                     f"{escape(ready.text)}", blocks, private=True)

    def queue_announcement(self, event_id: str, text: str, user: str, *,
                           announcement_id: str = "") -> str:
        """A confirmed announcement joins the ledger now; the delivery loop sends it."""
        return organizers.queue(self.service, event_id, text, actor=f"slack:{user}",
                                by=f"<@{escape(user)}>", announcement_id=announcement_id,
                                escape=escape)

    def extend(self, asker: Asker, rest: str) -> Reply:
        """``extend DATE-ID NEW-TIME [announce]``: edit the schedule file, re-time reminders."""
        from bot.adapters.schedule_edit import extend_date

        events, args = self._pick(rest)
        return Reply(organizers.extend(self.service, events, args, actor=f"slack:{asker.user}",
                                       now=self.service.clock(), edit=extend_date,
                                       escape=escape), private=True)


def retry_after(exc: SlackApiError) -> float | None:
    """The seconds a 429 asks us to wait (``Retry-After``, 1 when it says none); None for
    any other error."""
    response = getattr(exc, "response", None)
    if getattr(response, "status_code", None) != 429:
        return None
    headers = getattr(response, "headers", None) or {}
    said = next((v for k, v in dict(headers).items() if str(k).lower() == "retry-after"), "1")
    if isinstance(said, list):
        said = said[0] if said else "1"
    try:
        return max(0.0, float(str(said).strip()))
    except ValueError:
        return 1.0


# --- wiring into ``duebot run`` -----------------------------------------------------------------

# Slack is reached over HTTP or over Socket Mode, never both (``uses_socket_mode``): each entry
# point builds the one SlackBot of its service, and the route (or the socket handler) holds it.


def http_routes(service: Running) -> list[Route]:
    """``POST /slack/events`` when the bot token and signing secret are set; else none."""
    settings = service.config.slack
    if settings.uses_socket_mode:
        return []
    if not (settings.bot_token and settings.signing_secret):
        log.info(OFF)
        return []
    return routes_for(SlackBot(service, settings))


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

    handler = SocketModeHandler(SlackBot(service, settings, socket_mode=True).app,
                                settings.app_token)
    handler.connect()  # type: ignore[no-untyped-call]
    log.info("Slack connected over Socket Mode")
    return handler.close

