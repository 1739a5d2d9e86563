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
import smtplib
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


def smtp_transparency(raw: bytes) -> bytes:
    """DATA as RFC 5321 wants it, written out plainly: CRLF lines, leading dots doubled."""
    lines = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    return b"".join((b"." + line if line.startswith(b".") else line) + b"\r\n"
                    for line in lines) + b".\r\n"


@settings(max_examples=300, deadline=None)
@given(config=st.integers(0, len(CONFIGS) - 1), destination=DESTINATIONS,
       subject=st.text(), key=st.text(min_size=1),
       text=st.text(alphabet=st.sampled_from(["a", "é", "截", ".", "\n", "\r", " ", "-"])),
       html=st.text(), own_unsubscribe=UNSUBSCRIBE)
@example(config=0, destination="mailto:a@example.org", subject=".", key=".",
         text=".\n..\n.\r.\r\n.", html="", own_unsubscribe="")
def test_what_data_carries_is_the_whole_email_made_transparent(
        config: int, destination: str, subject: str, key: str, text: str, html: str,
        own_unsubscribe: str) -> None:
    mail = channel(config)
    message = outgoing(destination=destination, subject=subject, key=key, text=text,
                       html=html, list_unsubscribe=own_unsubscribe)
    raw = mail.wire_bytes(message)

    data, recipients = mail._prepare(message)

    assert recipients == tuple(smtplib.quoteaddr(a.addr_spec).encode("ascii")
                               for a in mail.recipients(message))
    assert data.wire == smtp_transparency(raw)
    assert data.size == len(raw)
    assert data.ascii == raw.isascii()


@pytest.mark.parametrize(("subject", "text", "html"), [
    ("Paper deadline in 1 day (Sunday 2 June 2030, 12:00 UTC)",
     "Paper deadline: Sunday 2 June 2030, 12:00 UTC.\n.\nHow to submit: via HotCRP.\n",
     "<p>Paper deadline</p>\n"),
    ("[研讨会] 提醒：论文截止日期还有 1 天（2030年6月2日 星期日 20:00 中国标准时间）",
     "论文截止：2030年6月2日 星期日 20:00（北京时间）。\n.以点开头的一行\n提交方式：HotCRP。\n",
     "<p>论文截止：<b>2030年6月2日</b></p>\n"),
], ids=["ascii", "chinese"])
def test_the_fast_composition_is_what_the_email_library_composes_and_arrives_so(
        subject: str, text: str, html: str) -> None:
    """Per recipient the channel only fills in To, Message-ID and the key around content
    serialized once: byte for byte the e-mail the email package builds whole, for two
    recipients in a row, and what the server receives parses back to the same."""
    configs = dict(CONFIGS[1], timeout=5.0)
    with running_smtp(pipelining=True) as server:
        mail = SmtpChannel(SmtpSettings(host=server.host, port=server.port, **configs),
                           clock=lambda: NOW)
        messages = [outgoing(subject=subject, text=text, html=html,
                             key=f"bench/paper/1d|mailto:p{n}@example.org",
                             destination=f"mailto:p{n}@example.org") for n in range(2)]
        sent = [mail.wire_bytes(m) for m in messages]
        outcomes = [mail.send(m) for m in messages]
        mail.close()

    assert [o.kind for o in outcomes] == ["sent", "sent"]
    for message, raw, received in zip(messages, sent, server.messages, strict=True):
        assert same_but_boundaries(raw) == same_but_boundaries(
            whole_message(SmtpSettings(**configs), message))
        assert received.raw.replace(b"\r\n", b"\n") == raw.replace(b"\r\n", b"\n")
        parsed = received.message
        assert parsed["Subject"] == subject
        assert parsed["To"] == message.address
        assert parsed["Message-ID"] == message_id(message.key, "example.org")
        assert parsed["List-Unsubscribe"] == "<https://example.org/unsubscribe?l=aisys>"
        assert all(line.isascii() for line in raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n"))
        body = parsed.get_body(preferencelist=("plain",))
        assert body is not None and body.get_content() == text
    assert sent[0] != sent[1]
    assert len({m.message["Message-ID"] for m in server.messages}) == 2


@settings(max_examples=300, deadline=None)
@given(address=st.from_regex(smtp._ENVELOPE_ADDRESS, fullmatch=True))
def test_envelope_addresses_are_quoted_as_smtplib_quotes_them(address: str) -> None:
    import smtplib

    assert smtp._envelope_address(address) == smtplib.quoteaddr(address).encode("ascii")


def test_the_null_return_path_and_odd_addresses_go_as_smtplib_sends_them() -> None:
    import smtplib

    assert smtp._envelope_address("") == b"<>"
    for odd in ('"john doe"@example.org', "a..b@example.org", "Ann <ann@example.org>"):
        assert smtp._envelope_address(odd) == smtplib.quoteaddr(odd).encode("ascii")
