"""The SMTP channel's bytes: the shared MIME content and the per-recipient headers it adds.

A fan-out sends one reminder to thousands of addresses, so the channel serializes each
distinct content once and folds only the per-recipient headers per message, with shortcuts
for the usual plain values. These tests pin that the result is byte for byte the e-mail a
whole ``EmailMessage`` would give (the way the channel used to build every message), for any
text, and that ``build`` shows exactly what is sent.
"""

from __future__ import annotations

import contextlib
import email.policy
import re
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from smtp_server import running_smtp

from bot.adapters import smtp
from bot.adapters.smtp import SmtpChannel, SmtpSettings, message_id
from bot.ports import Outgoing

NOW = datetime(2030, 6, 1, 12, 0, 1, tzinfo=UTC)
WIRE = email.policy.default.clone(linesep="\r\n")
BOUNDARY = re.compile(rb'={15}\d+==')
CONFIGS: list[dict[str, str]] = [
    {"sender": "AI Systems Workshop <noreply@example.org>"},
    {"sender": '"Wörkshop, Ünï" <noreply@example.org>',
     "reply_to": "chairs@example.org, Bob Chair <bob@example.org>",
     "list_unsubscribe": "https://example.org/unsubscribe?l=aisys"},
    {"sender": "noreply@example.org", "list_unsubscribe": "mailto:leave@example.org"},
]


def whole_message(settings_: SmtpSettings, message: Outgoing) -> bytes:
    """The oracle: every header and part in one ``EmailMessage``, serialized as a whole."""
    sender = email.policy.default.header_factory("From", settings_.sender).addresses[0]
    mail = EmailMessage(policy=email.policy.default)
    mail["From"] = sender
    mail["To"] = email.policy.default.header_factory("To", message.address).addresses
    if settings_.reply_to:
        mail["Reply-To"] = email.policy.default.header_factory("To",
                                                               settings_.reply_to).addresses
    mail["Subject"] = smtp._one_line(message.subject)
    mail["Date"] = format_datetime(NOW)
    mail["Message-ID"] = message_id(message.key, sender.domain)
    mail["Auto-Submitted"] = "auto-generated"
    unsubscribe, one_click = smtp._unsubscribe_header(settings_.list_unsubscribe)
    if message.list_unsubscribe:
        with contextlib.suppress(smtp.ConfigError):  # a malformed link: the default stays
            unsubscribe, one_click = smtp._unsubscribe_header(message.list_unsubscribe)
    if unsubscribe:
        mail["List-Unsubscribe"] = unsubscribe
        if one_click:
            mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    mail["X-Duebot-Key"] = smtp._one_line(message.key)
    mail.set_content(message.text)
    if message.html:
        mail.add_alternative(message.html, subtype="html")
    if message.ics:
        mail.add_attachment(message.ics, maintype="text", subtype="calendar",
                            filename=smtp._one_line(message.ics_name) or "date.ics",
                            params={"method": "PUBLISH", "charset": "utf-8"})
    return mail.as_bytes(policy=WIRE)


def same_but_boundaries(raw: bytes) -> bytes:
    """Boundaries are random per serialization: number them in order of appearance."""
    seen: dict[bytes, bytes] = {}
    return BOUNDARY.sub(lambda m: seen.setdefault(m.group(0), b"B%d" % len(seen)), raw)


def channel(index: int = 0) -> SmtpChannel:
    return SmtpChannel(SmtpSettings(**CONFIGS[index]), clock=lambda: NOW)


def outgoing(**changes: Any) -> Outgoing:
    fields: dict[str, Any] = {
        "key": "bench/paper/-P1D|mailto:participant00001@example.org",
        "destination": "mailto:participant00001@example.org",
        "subject": "Paper deadline in 1 day", "text": "Paper deadline tomorrow.\n",
        "html": "<p>Paper deadline <b>tomorrow</b>.</p>\n",
        "ics": b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", "ics_name": "paper.ics"}
    fields.update(changes)
    return Outgoing(**fields)


DESTINATIONS = st.sampled_from([
    "mailto:participant00001@example.org", "mailto:a.b+tag@mail.example.co.uk",
    "mailto:Ann Ünï <ann@example.org>, bob@example.org", 'mailto:"Doe, J" <j@example.org>',
    "mailto:x@" + "very-long-subdomain." * 4 + "example.org",
])
UNSUBSCRIBE = st.sampled_from(["", "https://example.org/unsubscribe/tok3n", "not a <uri>",
                               "mailto:leave@example.org", " "])


@settings(max_examples=300, deadline=None)
@given(config=st.integers(0, len(CONFIGS) - 1), destination=DESTINATIONS,
       subject=st.text(), key=st.text(min_size=1), text=st.text(), html=st.text(),
       ics=st.binary(max_size=80), ics_name=st.text(max_size=40), own_unsubscribe=UNSUBSCRIBE)
def test_sent_bytes_equal_one_whole_email_message(config: int, destination: str, subject: str,
                                                   key: str, text: str, html: str, ics: bytes,
                                                   ics_name: str, own_unsubscribe: str) -> None:
    mail = channel(config)
    message = outgoing(destination=destination, subject=subject, key=key, text=text, html=html,
                       ics=ics, ics_name=ics_name,
                       list_unsubscribe=own_unsubscribe)
    first = mail.wire_bytes(message)
    again = mail.wire_bytes(message)  # now from the cached content

    expected = same_but_boundaries(whole_message(SmtpSettings(**CONFIGS[config]), message))
    assert same_but_boundaries(first) == expected
    assert again == first


@settings(max_examples=300, deadline=None)
@given(value=st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7e),
                     max_size=90),
       name=st.sampled_from(["Subject", "X-Duebot-Key", "List-Unsubscribe"]))
@example(value="=?utf-8?q?decoded_by_the_parser?=", name="Subject")
@example(value="x" * 70, name="Subject")
@example(value="x" * 69, name="Subject")
def test_plain_header_shortcut_folds_as_the_policy_does(name: str, value: str) -> None:
    header_name, header = WIRE.header_store_parse(name, value)
    assert smtp._fold(name, value) == WIRE.fold_binary(header_name, header)


ATOM = st.text(alphabet="abcxyzABC0189_%+-", min_size=1, max_size=12)


@settings(max_examples=300, deadline=None)
@given(local=st.lists(ATOM, min_size=1, max_size=3),
       labels=st.lists(st.text(alphabet="abc019-", min_size=1, max_size=20), min_size=2,
                       max_size=4))
def test_plain_address_shortcut_parses_and_folds_as_the_parser_does(local: list[str],
                                                                      labels: list[str]) -> None:
    text = ".".join(local) + "@" + ".".join(labels)
    mail = channel()
    try:
        parsed: tuple[Address, ...] | None = smtp._parse_addresses(text, what="recipient")
    except ValueError:
        parsed = None

    assert mail.recipients(outgoing(destination=f"mailto:{text}")) == parsed
    header_name, header = WIRE.header_store_parse("To", parsed)
    assert mail._to(parsed) == WIRE.fold_binary(header_name, header)


def test_message_ids_of_a_long_domain_are_folded_by_the_policy() -> None:
    domain = "mail." + "a-very-long-label-of-the-domain." * 3 + "example.org"
    mail = SmtpChannel(SmtpSettings(sender=f"noreply@{domain}"), clock=lambda: NOW)
    message = outgoing()

    raw = mail.wire_bytes(message)

    assert same_but_boundaries(raw) == same_but_boundaries(
        whole_message(SmtpSettings(sender=f"noreply@{domain}"), message))


def test_one_content_is_serialized_once_for_every_recipient() -> None:
    mail = channel()
    first = mail.wire_bytes(outgoing())
    second = mail.wire_bytes(outgoing(destination="mailto:other@example.org",
                                      key="bench/paper/-P1D|mailto:other@example.org"))
    changed = mail.wire_bytes(outgoing(text="Paper deadline moved.\n"))

    def content(raw: bytes) -> bytes:
        return raw[raw.index(b"MIME-Version:"):]

    assert content(first) == content(second)  # the same boundaries: built once
    assert content(changed) != content(first)
    assert b"To: other@example.org\r\n" in second


def test_content_cache_stays_small_and_correct() -> None:
    mail = channel()
    texts = [f"Reminder number {i}.\n" for i in range(3 * smtp._CACHE_SIZE)]
    for text in texts:
        mail.wire_bytes(outgoing(text=text))

    assert len(mail._contents) <= smtp._CACHE_SIZE
    early = outgoing(text=texts[0])  # long evicted: built again, still right
    assert same_but_boundaries(mail.wire_bytes(early)) == same_but_boundaries(
        whole_message(SmtpSettings(**CONFIGS[0]), early))


@pytest.mark.parametrize("config", range(len(CONFIGS)))
def test_build_is_what_the_server_receives(config: int) -> None:
    with running_smtp() as server:
        options = dict(CONFIGS[config], host=server.host, port=server.port, timeout=5.0)
        mail = SmtpChannel(SmtpSettings(**options), clock=lambda: NOW)
        message = outgoing(subject="Délai: papier ☃", text="Échéance demain.\n")
        outcome = mail.send(message)
        built = mail.build(message)
        mail.close()

    assert outcome.kind == "sent"
    received = BytesParser(policy=email.policy.default).parsebytes(
        server.messages[0].raw.replace(b"\r\n", b"\n"))
    assert built.items() == received.items()
    assert [p.get_content() for p in built.walk() if not p.is_multipart()] == [
        p.get_content() for p in received.walk() if not p.is_multipart()]
    assert built["Subject"] == "Délai: papier ☃"
