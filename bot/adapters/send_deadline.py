"""One chat or webhook send within an overall deadline, whatever HTTP library carries it.

slack_sdk (urllib), Discord's urllib calls and Apprise's plugins (requests, urllib3) bound each
read, never the whole exchange: a platform that trickles its answer, one byte inside every read
timeout, holds a delivery thread for as long as it likes (mail has the same trouble, and the
same cure, in ``bot.adapters.smtp``'s ``_Deadlines``). None of them lets a caller reach the
socket, so the sockets a bounded send opens are learnt from Python's own audit events
(``socket.__new__``, raised in the thread that makes one, TLS-wrapped sockets included): one
watchdog thread shuts down the sockets of a send whose deadline passed, so the read in
progress ends at once, and a socket the send would open or connect after that is refused
(``Cut``). The shutdown and the send's end take one lock, so no cut lands after the send
ended (on a socket another send reuses). The audit hook is added on the first bounded send
(a process that sends no chat never has it); it looks at two event names and a dict.

What the cut means is the channel's to say (``judged``): the library's error after it tells a
request that never went (an outage, no attempt used) from one whose answer was cut (the
message may have been delivered: counted, and ``Outcome.silent`` holds the run's other
deliveries on that platform for the next try).

A name lookup is no socket: ``getaddrinfo`` has no timeout and nothing to shut down, so a
resolver that never answers held a bounded send for as long as it liked. ``lookup`` makes
it in a helper thread and gives up at the caller's deadline (``Unresolved``); a lookup of the
same name already in flight is waited on, not made again, so a resolver that hangs costs one
thread per name, not one per send. A bounded send's own lookups (its library calls
``socket.getaddrinfo``) go through it: the first bounded call puts ``_bounded_getaddrinfo``
in ``socket.getaddrinfo``'s place, which asks ``lookup`` for a thread whose send is bounded
and is ``getaddrinfo`` itself for any other. A connect whose SYN is never answered is a
socket like any other: shut at the deadline, the connect ends at once.

A bounded call inside another one keeps the earlier deadline, and the outer call is bounded
again when the inner one ends. ``AnswerDeadline`` bounds the calls that answer a participant
(Slack's answer posts, ``respond`` and ``users.info``; Discord's deferred answer) the same way.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from datetime import datetime
from typing import Literal, TypeVar

from bot.adapters import http_failures
from bot.app.unavailable import Unavailable
from bot.ports import Outcome

ANSWERING = "answering participants: "
"""How an ``unavailable`` entry of answers cut in a row begins (``/healthz`` words it apart)."""
__all__ = ["ANSWERING", "REPEATED", "AnswerCut", "AnswerDeadline", "Cut", "SendDeadline",
           "Unresolved", "lookup"]

T = TypeVar("T")
REPEATED = 2
"""Answers cut in a row (none finished between) before ``/healthz`` names the platform."""


class Cut(ConnectionAbortedError):
    """A socket refused to a send whose deadline passed (or the cut connection's error)."""


class AnswerCut(Cut):
    """A participant's answer cut at its deadline; the words say what, where and what next."""


class Unresolved(TimeoutError):
    """A name lookup given up at the caller's deadline (the resolver never answered)."""


_AddrInfo = list[
    tuple[Literal[socket.AddressFamily.AF_INET], socket.SocketKind, int, str, tuple[str, int]]
    | tuple[Literal[socket.AddressFamily.AF_INET6], socket.SocketKind, int, str,
            tuple[str, int, int, int] | tuple[int, bytes]]]
"""What ``socket.getaddrinfo`` gives (typeshed's words for it)."""


class _Lookup:
    """One name lookup in its helper thread; ``done`` is set with its result or error."""

    __slots__ = ("done", "error", "result")

    def __init__(self) -> None:
        self.done = threading.Event()
        self.result: _AddrInfo | None = None
        self.error: BaseException | None = None


_lookups: dict[tuple[object, ...], _Lookup] = {}
_lookups_lock = threading.Lock()


def lookup(host: str | bytes | None, port: str | bytes | int | None, family: int = 0,
           type: int = 0, proto: int = 0, flags: int = 0, *, within: float) -> _AddrInfo:
    """``socket.getaddrinfo(...)``, given up after ``within`` seconds (``Unresolved``); its
    own error (``socket.gaierror``) as it raised it. The lookup itself goes on in its thread
    until the resolver ends it (the system's resolver gives up within a minute or so), and
    a caller asking for the same name meanwhile waits on it."""
    if _numeric(host):  # an address asks no resolver: nothing to wait for, no thread
        return _getaddrinfo(host, port, family, type, proto, flags | socket.AI_NUMERICHOST)
    key = (host, port, family, type, proto, flags)
    with _lookups_lock:
        found = _lookups.get(key)
        if found is None:
            found = _lookups[key] = _Lookup()
            threading.Thread(target=_resolve, args=(key, found), daemon=True,
                             name="duebot-name-lookup").start()
    if not found.done.wait(None if within == float("inf") else max(within, 0.0)):
        raise Unresolved(f"the name lookup of {_name(host)} never ended")
    if found.error is not None:
        raise found.error
    assert found.result is not None
    return found.result


def _resolve(key: tuple[object, ...], into: _Lookup) -> None:
    try:
        into.result = socket.getaddrinfo(*key)  # type: ignore[arg-type]
    except BaseException as exc:  # handed to the callers waiting on it
        into.error = exc
    finally:
        with _lookups_lock:
            _lookups.pop(key, None)
        into.done.set()


def _numeric(host: str | bytes | None) -> bool:
    """Whether ``host`` is an IPv4 or IPv6 address (no name to look up)."""
    if host is None:
        return True  # the wildcard or loopback address: getaddrinfo asks no resolver
    try:
        ipaddress.ip_address(_name(host))  # a scoped IPv6 one ("fe80::1%eth0") too
    except ValueError:
        return False
    return True


def _name(host: str | bytes | None) -> str:
    return host.decode("ascii", "replace") if isinstance(host, bytes) else str(host)


def _bounded_getaddrinfo(host: str | bytes | None, port: str | bytes | int | None,
                         family: int = 0, type: int = 0, proto: int = 0,
                         flags: int = 0) -> _AddrInfo:
    """``socket.getaddrinfo`` while duebot runs: within the send's deadline for a thread whose
    send is bounded (``Cut`` once it passed), else the real one, as is."""
    send = _armed.get(threading.get_ident())
    if send is None:
        return _getaddrinfo(host, port, family, type, proto, flags)
    if send.cut:
        raise Cut("the send's deadline passed: no new connection")
    send.looking_up = _name(host)
    try:
        return lookup(host, port, family, type, proto, flags,
                      within=send.due - time.monotonic())
    except Unresolved as exc:
        with _lock:  # given up at the deadline, maybe just before the watchdog saw it
            if not send.cut:
                send.cut_now()
        raise Cut(f"{exc}: cut at the send's deadline") from None
    finally:
        send.looking_up = ""


_bounded_getaddrinfo.duebot = True  # type: ignore[attr-defined]
_getaddrinfo = socket.getaddrinfo
"""The real ``getaddrinfo``, as it was when ``_bounded_getaddrinfo`` took its place."""


def _bound_lookups() -> None:
    """``_bounded_getaddrinfo`` in ``socket.getaddrinfo``'s place (again, if something put
    another there since; that one is what it then calls)."""
    global _getaddrinfo
    current = socket.getaddrinfo
    if not getattr(current, "duebot", False):
        _getaddrinfo = current
        socket.getaddrinfo = _bounded_getaddrinfo


class _Send:
    __slots__ = ("connecting", "cut", "due", "looking_up", "sockets", "waited")

    def __init__(self, due: float) -> None:
        self.due = due
        self.cut = False
        self.sockets: list[socket.socket] = []
        self.looking_up = ""
        """The name whose lookup the send waits on, if it does."""
        self.connecting: tuple[socket.socket, str] | None = None
        """The send's last connect: its socket and the address, as ``host:port``."""
        self.waited = ""
        """What the send waited on when it was cut, when that was no answer (a name lookup
        that never ended, a connect never answered): the words say that, not "slowly"."""

    def cut_now(self) -> None:
        """Cut (under ``_lock``): what it waits on named, its sockets shut."""
        self.cut = True
        if self.looking_up:
            self.waited = f"the name lookup of {self.looking_up} never ended"
        elif self.connecting is not None and not _connected(self.connecting[0]):
            self.waited = f"no connection to {self.connecting[1]}"
        for sock in self.sockets:
            if sock.fileno() != -1:  # closed ones are gone; TLS: the plain fd's
                with contextlib.suppress(OSError):
                    socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _connected(sock: socket.socket) -> bool:
    try:
        sock.getpeername()
    except OSError:  # not connected (yet), or closed
        return False
    return True


def _address(address: object) -> str:
    if isinstance(address, tuple) and len(address) >= 2:
        host = str(address[0])
        return f"[{host}]:{address[1]}" if ":" in host else f"{host}:{address[1]}"
    return str(address)


_lock = threading.Condition(threading.Lock())
_armed: dict[int, _Send] = {}
_hooked = False
_watching = False
_wake_at = float("inf")
"""When the watchdog wakes on its own next (infinity: it waits to be told). A send due later
need not wake it: it wakes by then anyway and waits on for the earliest deadline it finds, so a
steady stream of answers wakes it once a deadline, not once an answer."""


def _audit(event: str, args: tuple[object, ...]) -> None:
    """Python's audit hook: a socket made (or connected) by a thread whose send is bounded."""
    if event != "socket.__new__" and event != "socket.connect":  # the fast path: most events
        return
    send = _armed.get(threading.get_ident())
    if send is None:
        return
    if send.cut:
        raise Cut("the send's deadline passed: no new connection")
    if event == "socket.__new__" and isinstance(args[0], socket.socket):
        with _lock:
            send.sockets.append(args[0])
    elif event == "socket.connect" and isinstance(args[0], socket.socket):
        send.connecting = (args[0], _address(args[1]))


def _forked() -> None:
    """A forked child has no watchdog thread: its first bounded call starts one."""
    global _watching, _wake_at
    _watching = False
    _wake_at = float("inf")
    _armed.clear()


os.register_at_fork(after_in_child=_forked)


def _watch() -> None:
    """Sleep until the earliest deadline; cut what is overdue. It stays, idle, when nothing is
    bounded: one thread started per call cost every Slack answer about 0.3 ms."""
    global _wake_at
    with _lock:
        while True:
            now = time.monotonic()
            first = min((send.due for send in _armed.values() if not send.cut), default=None)
            if first is None or first > now:  # a cut send waits for its thread to end it
                _wake_at = float("inf") if first is None else first
                _lock.wait(None if first is None else first - now)
                continue
            for send in _armed.values():
                if send.due <= now and not send.cut:
                    send.cut_now()


class SendDeadline:
    """``bounded()`` around one send: it is cut ``seconds`` after it began."""

    def __init__(self, seconds: float, *, platform: str, read_timeout: float) -> None:
        if not seconds > 0:
            raise ValueError(f"a send deadline must be above zero seconds, got {seconds!r}")
        self.seconds = seconds
        self.platform = platform
        self.read_timeout = read_timeout

    @contextlib.contextmanager
    def bounded(self, sockets: Iterable[socket.socket] = ()) -> Iterator[_Send]:
        """This thread's send, cut at its deadline; ``.cut`` says afterwards if it was.
        ``sockets``: made before it (a session kept between calls), shut with its own."""
        global _hooked, _watching
        ident = threading.get_ident()
        send = _Send(time.monotonic() + self.seconds)
        send.sockets.extend(sockets)
        with _lock:
            if not _hooked:
                sys.addaudithook(_audit)
                _hooked = True
            _bound_lookups()
            outer = _armed.get(ident)  # a bounded call inside another: the earlier deadline
            if outer is not None:
                send.due = min(send.due, outer.due)
                send.cut = outer.cut
            _armed[ident] = send
            if not _watching:
                _watching = True
                threading.Thread(target=_watch, daemon=True,
                                 name="duebot-send-deadlines").start()
            if send.due < _wake_at:  # else no wake-up (a thread switch on every answer)
                _lock.notify_all()
        try:
            yield send
        finally:
            with _lock:  # after this, no cut lands on this send's sockets
                if outer is None:
                    _armed.pop(ident, None)
                else:  # the outer call is bounded again, its inner sockets with it
                    outer.sockets.extend(send.sockets)  # cut with it if it is overdue
                    _armed[ident] = outer
                    if outer.due < _wake_at:  # its deadline may be the earliest again
                        _lock.notify_all()
                # else no wake-up: the watchdog, waking at the deadline it waited for, finds
                # nothing due and waits for the next

    def words(self, platform: str | None = None, waited: str = "") -> str:
        """``waited``: what the cut send waited on that never answered (``_Send.waited``)."""
        if waited:
            return (f"{platform or self.platform} did not answer within {self.seconds:g} s: "
                    f"{waited}, cut at the send's deadline")
        return (f"{platform or self.platform} did not finish within {self.seconds:g} s (it "
                f"answered slowly, each read inside {self.read_timeout:g} s): cut at the "
                f"send's deadline")

    def judged(self, outcome: Outcome, cut: bool | _Send, *,
               platform: str | None = None) -> Outcome:
        """The outcome of a send that was cut at its deadline, in words that say so: one that
        never went (the library's error says the request was not written: an outage) waits
        with no attempt used; any other failure may have been delivered (counted, the others
        on the platform held). A message taken before the cut, or a rate limit read in full,
        stands. ``platform``: the name the words give it (one Apprise service). ``cut``: the
        bounded send (or whether it was cut); one cut in its name lookup or its connect never
        sent its request, whatever the library made of that."""
        send = cut if isinstance(cut, _Send) else None
        if not (send.cut if send is not None else cut) or outcome.kind == "sent" or (
                outcome.rate_limited):
            return outcome
        waited = send.waited if send is not None else ""
        if outcome.server_down:
            return replace(outcome, reason=f"{self.words(platform, waited)} before the "
                           f"request went")
        if waited:  # the library took the cut for a lost answer: nothing was written
            return Outcome.outage(f"{self.words(platform, waited)} before the request went")
        return Outcome.silence(f"{self.words(platform)}: {http_failures.MAYBE_DELIVERED}")


class AnswerDeadline:
    """The calls that answer a participant (the reply's post, the asker's profile, a deferred
    answer's edit), each within the send deadline: a platform that trickles its answer must
    not hold a worker thread (Bolt's pool, Discord's answering pool: a few would stop every
    answer). A call cut before its request went is made once more (nothing went); one cut
    after it went is not (it may have been posted: never twice), and raises ``AnswerCut``,
    whose words the caller logs once. ``REPEATED`` cuts in a row (of one kind of call) put
    the platform on ``/healthz`` (``unavailable``, as deliveries do) until it takes a message
    or the entry lapses."""

    def __init__(self, seconds: float, *, platform: str, read_timeout: float,
                 unavailable: Unavailable | None = None,
                 clock: Callable[[], datetime] | None = None, repeated: int = REPEATED) -> None:
        self.deadline = SendDeadline(seconds, platform=platform, read_timeout=read_timeout)
        self.unavailable = unavailable
        self.clock = clock
        self.repeated = repeated
        self._lock = threading.Lock()
        self._in_a_row: dict[str, int] = {}
        """Per kind of call (``what``): cut in a row. Another kind's success (a profile read)
        says nothing of the posts that keep being cut."""

    def call(self, what: str, where: str, call: Callable[[], T], *, posts: bool = True,
             read_timeout: float | None = None) -> T:
        """``call()`` within the deadline; ``what`` (``posting the answer``) and ``where`` (a
        channel, a host: never a token) name it in the words. ``posts``: it may create a
        message, so a cut after the request went is "may have been posted". ``read_timeout``:
        this call's, when it is not the platform's usual one."""
        for attempt in (1, 2):
            with self.deadline.bounded() as send:
                try:
                    result = call()
                except Exception as exc:
                    if not send.cut:
                        raise
                    failure: Exception = exc
                else:
                    with self._lock:
                        self._in_a_row.pop(what, None)
                    return result
            unsent = (isinstance(failure, Cut) or bool(send.waited)
                      or http_failures.before_sending(failure))
            if unsent and attempt == 1:
                continue  # nothing went: once more, with a deadline of its own
            raise self._cut(what, where, unsent=unsent, posts=posts,
                            read_timeout=read_timeout, waited=send.waited) from failure
        raise AssertionError("unreachable")  # pragma: no cover

    def _cut(self, what: str, where: str, *, unsent: bool, posts: bool,
             read_timeout: float | None, waited: str = "") -> AnswerCut:
        d = self.deadline
        reads = d.read_timeout if read_timeout is None else read_timeout
        if unsent:
            then = "twice, each time before the request went: nothing was sent"
        elif posts:
            then = "after the request went: not sent again (it may have been posted)"
        else:
            then = "after the request went"
        how = waited or f"(it answered slowly, each read inside {reads:g} s)"
        words = (f"{d.platform} did not finish {what} ({where}) within {d.seconds:g} s"
                 f"{': ' if waited else ' '}{how}: cut at the answer's deadline {then}. The "
                 f"participant may ask again; if this keeps happening, check {d.platform}'s "
                 + ("status page and its name in DNS (the resolver duebot's host uses)"
                    if waited.startswith("the name lookup") else
                    "status page and the firewall or route to it" if waited else
                    "status page and the network path to it (a proxy that trickles)"))
        with self._lock:
            count = self._in_a_row[what] = self._in_a_row.get(what, 0) + 1
            repeated = count >= self.repeated
        if repeated and self.unavailable is not None and self.clock is not None:
            self.unavailable.away(d.platform.lower(), f"{ANSWERING}{count} "
                                  f"answers in a row cut at their deadline; the last: {words}",
                                  ended=time.monotonic(), at=self.clock())
        return AnswerCut(words)
