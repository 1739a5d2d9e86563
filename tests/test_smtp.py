"""The SMTP channel against a real aiosmtpd server on loopback: what arrives, and what each
failure of the server comes to."""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

import icalendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from smtp_server import REPLIES, SmtpTestServer, TlsPair, free_port, running_smtp, tls_pair

from bot.adapters.smtp import InvalidRecipient, SmtpChannel, SmtpSettings, message_id
from bot.errors import ConfigError
from bot.ports import Outgoing

NOW = datetime(2017, 9, 1, 12, 0, tzinfo=UTC)
SENDER = "AI Systems Workshop <noreply@example.org>"


def clock() -> datetime:
    return NOW


def calendar_bytes() -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", "-//duebot tests//EN")
    cal.add("version", "2.0")
    event = icalendar.Event()
    event.add("uid", "deadline@aisys-sosp17")
    event.add("summary", "Paper submission deadline")
    event.add("dtstart", datetime(2017, 8, 5, 11, 59, tzinfo=UTC))
    event.add("dtstamp", NOW)
    cal.add_component(event)
    ical: bytes = cal.to_ical()
    return ical


def outgoing(**changes: Any) -> Outgoing:
    fields: dict[str, Any] = {
        "key": "aisys-sosp17/deadline/-P7D/mailto:participants@example.org",
        "destination": "mailto:Participants <participants@example.org>",
        "subject": "Paper deadline in 7 days",
        "text": "The paper deadline is Saturday 5 August, 23:59 AoE.\n",
        "html": "<p>The paper deadline is <b>Saturday 5 August</b>, 23:59 AoE.</p>\n",
        "ics": calendar_bytes(),
        "ics_name": "deadline.ics",
    }
    fields.update(changes)
    return Outgoing(**fields)


def channel(server: SmtpTestServer | None = None, **changes: Any) -> SmtpChannel:
    options: dict[str, Any] = {"sender": SENDER, "timeout": 5.0,
                               "list_unsubscribe": "https://example.org/unsubscribe?l=aisys"}
    if server is not None:
        options.update(host=server.host, port=server.port)
    options.update(changes)
    return SmtpChannel(SmtpSettings(**options), clock=clock)


def header_lines(raw: bytes) -> list[bytes]:
    """The top-level header block, unfolded into one entry per header."""
    block = raw.split(b"\r\n\r\n", 1)[0]
    return re.split(rb"\r\n(?![ \t])", block)


def header_names(raw: bytes) -> list[str]:
    return [line.split(b":", 1)[0].decode("ascii").lower() for line in header_lines(raw)]


@pytest.fixture(params=[False, True], ids=["one-command-at-a-time", "pipelined"])
def pipelining(request: pytest.FixtureRequest) -> bool:
    """Whether the server offers PIPELINING (RFC 2920): the channel then sends MAIL, RCPT and
    DATA in one write; every outcome below must be the same either way."""
    return bool(request.param)


@pytest.fixture
def server(pipelining: bool) -> Iterator[SmtpTestServer]:
    with running_smtp(pipelining=pipelining) as running:
        yield running


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> TlsPair:
    pair = tls_pair(tmp_path_factory.mktemp("tls"))
    if pair is None:
        pytest.skip("neither the cryptography package nor an openssl binary is available "
                    "to make a self-signed certificate")
    return pair


# -- what arrives ---------------------------------------------------------------------------


def test_accepted_message_arrives_with_each_header_once(server: SmtpTestServer) -> None:
    message = outgoing()
    with channel(server) as mail:
        outcome = mail.send(message)

    assert outcome.kind == "sent"
    [got] = server.messages
    assert outcome.remote_id == got.queue_id
    assert got.mail_from == "noreply@example.org"
    assert got.rcpt_tos == ("participants@example.org",)
    names = header_names(got.raw)
    for name in ("from", "to", "subject", "date", "message-id", "auto-submitted",
                 "list-unsubscribe", "list-unsubscribe-post", "x-duebot-key"):
        assert names.count(name) == 1, name
    assert "bcc" not in names
    received = got.message
    assert received["From"] == SENDER
    assert received["To"] == "Participants <participants@example.org>"
    assert received["Subject"] == "Paper deadline in 7 days"
    assert received["Date"] == format_datetime(NOW) == "Fri, 01 Sep 2017 12:00:00 +0000"
    digest = hashlib.sha256(message.key.encode()).hexdigest()[:32]
    assert received["Message-ID"] == f"<{digest}@example.org>"
    assert received["Auto-Submitted"] == "auto-generated"
    assert received["List-Unsubscribe"] == "<https://example.org/unsubscribe?l=aisys>"
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert received["X-Duebot-Key"] == message.key


def test_text_html_and_calendar_parts_arrive_intact(server: SmtpTestServer) -> None:
    message = outgoing()
    with channel(server) as mail:
        assert mail.send(message).kind == "sent"

    received = server.messages[0].message
    text = received.get_body(preferencelist=("plain",))
    html = received.get_body(preferencelist=("html",))
    assert isinstance(text, EmailMessage) and isinstance(html, EmailMessage)
    assert text.get_content() == message.text
    assert html.get_content() == message.html
    [attachment] = list(received.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_param("method") == "PUBLISH"
    assert attachment.get_param("charset") == "utf-8"
    assert attachment.get_filename() == "deadline.ics"
    payload = attachment.get_payload(decode=True)
    assert isinstance(payload, bytes)
    assert payload == message.ics
    [event] = icalendar.Calendar.from_ical(payload).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Paper submission deadline"


def test_message_without_html_or_ics_is_plain_text(server: SmtpTestServer) -> None:
    with channel(server) as mail:
        assert mail.send(outgoing(html="", ics=b"")).kind == "sent"

    received = server.messages[0].message
    assert received.get_content_type() == "text/plain"
    assert received.get_content() == outgoing().text


def test_non_ascii_subject_and_body_arrive_intact(server: SmtpTestServer) -> None:
    subject = "Frist verlängert – 締め切り延長 🎉"
    text = "Neue Frist: 12. August, 23:59 AoE. Café ☕, naïve, 締め切り\n"
    html = "<p>Neue Frist: <b>12. August</b> – Café ☕</p>\n"
    with channel(server) as mail:
        assert mail.send(outgoing(subject=subject, text=text, html=html)).kind == "sent"

    got = server.messages[0]
    assert got.message["Subject"] == subject
    [subject_line] = [h for h in header_lines(got.raw) if h.startswith(b"Subject:")]
    assert b"=?utf-8?" in subject_line  # RFC 2047 encoded words: headers stay ASCII
    assert all(line.isascii() for line in header_lines(got.raw))
    plain = got.message.get_body(preferencelist=("plain",))
    rich = got.message.get_body(preferencelist=("html",))
    assert plain is not None and rich is not None
    assert plain.get_content() == text
    assert rich.get_content() == html
    assert "BODY=8BITMIME" in got.mail_options


def test_several_recipients_in_one_destination_each_get_it(server: SmtpTestServer) -> None:
    destination = "mailto:Chairs <chairs@example.org>, pc@example.org"
    with channel(server) as mail:
        assert mail.send(outgoing(destination=destination)).kind == "sent"

    [got] = server.messages
    assert got.rcpt_tos == ("chairs@example.org", "pc@example.org")
    assert got.message["To"] == "Chairs <chairs@example.org>, pc@example.org"


def test_list_unsubscribe_mailto_offers_no_one_click(server: SmtpTestServer) -> None:
    with channel(server, list_unsubscribe="mailto:leave@example.org") as mail:
        assert mail.send(outgoing()).kind == "sent"

    names = header_names(server.messages[0].raw)
    assert server.messages[0].message["List-Unsubscribe"] == "<mailto:leave@example.org>"
    assert "list-unsubscribe-post" not in names


def test_no_list_unsubscribe_header_when_unset(server: SmtpTestServer) -> None:
    with channel(server, list_unsubscribe="", reply_to="chairs@example.org") as mail:
        assert mail.send(outgoing()).kind == "sent"

    names = header_names(server.messages[0].raw)
    assert "list-unsubscribe" not in names
    assert server.messages[0].message["Reply-To"] == "chairs@example.org"


def test_message_id_depends_only_on_the_key_and_sender_domain() -> None:
    mail = channel()
    first = mail.build(outgoing())["Message-ID"]
    assert mail.build(outgoing(subject="changed", text="changed"))["Message-ID"] == first
    assert mail.build(outgoing(key="another"))["Message-ID"] != first
    assert first == message_id(outgoing().key, "example.org")
    assert re.fullmatch(r"<[0-9a-f]{32}@example\.org>", first)


def test_naive_clock_is_refused_loudly() -> None:
    mail = SmtpChannel(SmtpSettings(sender=SENDER), clock=lambda: datetime(2017, 9, 1, 12))
    with pytest.raises(ValueError, match="naive"):
        mail.build(outgoing())


# -- one connection per batch ---------------------------------------------------------------


def test_one_connection_carries_three_sends(server: SmtpTestServer) -> None:
    with channel(server) as mail:
        outcomes = [mail.send(outgoing(key=f"k{n}")) for n in range(3)]

    assert [o.kind for o in outcomes] == ["sent"] * 3
    assert len(server.messages) == 3
    assert server.connections == 1
    assert len({o.remote_id for o in outcomes}) == 3


def test_connection_closed_by_server_while_idle_is_reopened(server: SmtpTestServer) -> None:
    with channel(server) as mail:
        assert mail.send(outgoing(key="k1")).kind == "sent"
        server.disconnect_all()
        outcome = mail.send(outgoing(key="k2"))

    assert outcome.kind == "sent"
    assert server.connections == 2
    assert [m.message["X-Duebot-Key"] for m in server.messages] == ["k1", "k2"]


def test_send_after_close_opens_a_new_connection(server: SmtpTestServer) -> None:
    mail = channel(server)
    assert mail.send(outgoing(key="k1")).kind == "sent"
    mail.close()
    mail.close()  # idempotent
    assert mail.send(outgoing(key="k2")).kind == "sent"
    mail.close()
    assert server.connections == 2


# -- failures -------------------------------------------------------------------------------


def test_451_at_data_is_retry_and_the_next_send_reconnects(server: SmtpTestServer) -> None:
    server.mode = "451"
    with channel(server) as mail:
        outcome = mail.send(outgoing())
        server.mode = "accept"
        again = mail.send(outgoing())

    assert outcome.kind == "retry"
    assert outcome.reason == REPLIES["DATA"]["451"]
    assert again.kind == "sent"
    assert server.connections == 2
    assert len(server.messages) == 1


def test_451_for_the_recipient_is_retry(pipelining: bool) -> None:
    with running_smtp(recipient_modes={"participants@example.org": "451"},
                      pipelining=pipelining) as server, \
            channel(server) as mail:
        outcome = mail.send(outgoing())

    assert outcome.kind == "retry"
    assert "451 4.2.1 mailbox busy" in outcome.reason
    assert server.messages == []


def test_550_for_the_recipient_is_dead_with_the_servers_words(pipelining: bool) -> None:
    with running_smtp(recipient_modes={"participants@example.org": "550"},
                      pipelining=pipelining) as server, \
            channel(server) as mail:
        outcome = mail.send(outgoing())
        after = mail.send(outgoing(destination="mailto:other@example.org"))

    assert outcome.kind == "dead"
    assert "550 5.1.1 mailbox unavailable" in outcome.reason
    assert "participants@example.org" in outcome.reason
    assert after.kind == "sent"
    assert server.connections == 1  # a permanent refusal does not cost the session


def test_550_at_data_is_dead_with_the_servers_words(server: SmtpTestServer) -> None:
    server.mode = "550"
    with channel(server) as mail:
        outcome = mail.send(outgoing())

    assert outcome.kind == "dead"
    assert outcome.reason == "550 5.7.1 message refused by policy"


def test_some_recipients_refused_is_sent_and_names_the_refused(pipelining: bool) -> None:
    with running_smtp(recipient_modes={"gone@example.org": "550"},
                      pipelining=pipelining) as server, \
            channel(server) as mail:
        outcome = mail.send(outgoing(destination="mailto:gone@example.org, pc@example.org"))

    assert outcome.kind == "sent"
    assert "gone@example.org: 550 5.1.1 mailbox unavailable" in outcome.reason
    assert server.messages[0].rcpt_tos == ("pc@example.org",)


def test_hanging_server_is_retry_within_the_timeout(server: SmtpTestServer) -> None:
    server.mode = "hang"
    started = time.monotonic()
    with channel(server, timeout=1.0) as mail:
        outcome = mail.send(outgoing())
    elapsed = time.monotonic() - started

    assert outcome.kind == "retry"
    # Stalled at DATA: the server may hold the message, and the reason says so.
    assert "timed out" in outcome.reason or outcome.reason.endswith(
        "within 1 s: the message may have been delivered")
    assert elapsed < 4.0
    assert server.messages == []


def test_dropped_connection_is_retry_and_the_next_send_reconnects(
        server: SmtpTestServer) -> None:
    server.mode = "drop"
    with channel(server) as mail:
        outcome = mail.send(outgoing(key="k1"))
        server.mode = "accept"
        again = mail.send(outgoing(key="k2"))

    assert outcome.kind == "retry"
    assert "lost" in outcome.reason
    assert again.kind == "sent"
    assert server.connections == 2
    assert [m.message["X-Duebot-Key"] for m in server.messages] == ["k2"]


def test_server_not_listening_is_retry() -> None:
    mail = channel(host="127.0.0.1", port=free_port())
    outcome = mail.send(outgoing())

    assert outcome.kind == "retry"
    assert "127.0.0.1" in outcome.reason


# -- header injection and bad addresses ----------------------------------------------------


def test_header_injection_in_subject_never_becomes_a_header(server: SmtpTestServer) -> None:
    with channel(server) as mail:
        outcome = mail.send(outgoing(subject="Hi\r\nBcc: victim@example.org"))

    assert outcome.kind == "sent"
    [got] = server.messages
    assert not any(line.lower().startswith(b"bcc:") for line in got.raw.split(b"\r\n"))
    assert "bcc" not in header_names(got.raw)
    assert got.rcpt_tos == ("participants@example.org",)
    assert got.message["Subject"] == "Hi Bcc: victim@example.org"


@pytest.mark.parametrize("destination", [
    "mailto:participants@example.org\r\nBcc: victim@example.org",
    "mailto:participants@example.org\nBcc: victim@example.org",
    "mailto:participants@example.org\x00victim@example.org",
])
def test_control_characters_in_the_recipient_are_dead(server: SmtpTestServer,
                                                      destination: str) -> None:
    with channel(server) as mail:
        outcome = mail.send(outgoing(destination=destination))

    assert outcome.kind == "dead"
    assert outcome.reason.startswith("invalid address")
    assert server.connections == 0
    assert server.messages == []


@pytest.mark.parametrize("destination", [
    "mailto:", "mailto:not-an-address", "mailto:someone@", "mailto:Ann <ann@example.org",
    "mailto:ann@example.org?subject=hello", "console:", "mailto:ünï@example.org",
])
def test_invalid_recipient_is_dead_without_touching_the_server(server: SmtpTestServer,
                                                               destination: str) -> None:
    with channel(server) as mail:
        outcome = mail.send(outgoing(destination=destination))
        with pytest.raises(InvalidRecipient):
            mail.build(outgoing(destination=destination))

    assert outcome.kind == "dead"
    assert "invalid address" in outcome.reason
    assert server.connections == 0


@settings(max_examples=100, deadline=None)
@given(subject=st.text(), key=st.text(min_size=1), ics_name=st.text())
def test_no_organizer_text_adds_a_header(subject: str, key: str, ics_name: str) -> None:
    mail = channel()
    built = mail.build(outgoing(subject=subject, key=key, ics_name=ics_name))
    raw = built.as_bytes(policy=built.policy.clone(linesep="\r\n"))

    assert header_names(raw) == [
        "from", "to", "subject", "date", "message-id", "auto-submitted", "list-unsubscribe",
        "list-unsubscribe-post", "x-duebot-key", "mime-version", "content-type"]
    assert len(list(built.iter_attachments())) == 1


@pytest.mark.parametrize("sender", [
    "", "noreply", "noreply@", "Workshop <noreply@example.org>\r\nBcc: victim@example.org",
    "a@example.org, b@example.org",
])
def test_invalid_sender_is_a_config_error_naming_the_key(sender: str) -> None:
    with pytest.raises(ConfigError) as caught:
        SmtpChannel(SmtpSettings(sender=sender))
    assert caught.value.problem.field == "smtp.sender"


@pytest.mark.parametrize(("changes", "key"), [
    ({"list_unsubscribe": "ftp://example.org/x"}, "smtp.list_unsubscribe"),
    ({"list_unsubscribe": "https://example.org/a\r\nBcc: x@example.org"},
     "smtp.list_unsubscribe"),
    ({"reply_to": "not an address"}, "smtp.reply_to"),
    ({"security": "tls"}, "smtp.security"),
    ({"port": 0}, "smtp.port"),
    ({"timeout": 0.0}, "smtp.timeout"),
])
def test_bad_settings_are_config_errors_naming_the_key(changes: dict[str, Any],
                                                       key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        SmtpChannel(SmtpSettings(sender=SENDER, **changes))
    assert caught.value.problem.field == key


# -- TLS and authentication -----------------------------------------------------------------


def test_starttls_with_login_sends_encrypted(tls: TlsPair) -> None:
    with running_smtp(starttls=tls.server, auth=("duebot", "s3cret")) as server, \
            channel(server, security="starttls", ssl_context=tls.client,
                    username="duebot", password="s3cret") as mail:
        outcomes = [mail.send(outgoing(key=f"k{n}")) for n in range(2)]

    assert [o.kind for o in outcomes] == ["sent", "sent"]
    assert all(m.tls and m.login == "duebot" for m in server.messages)
    assert server.connections == 1


def test_implicit_ssl_sends(tls: TlsPair) -> None:
    with running_smtp(implicit_tls=tls.server) as server, \
            channel(server, security="ssl", ssl_context=tls.client) as mail:
        outcome = mail.send(outgoing())

    assert outcome.kind == "sent"
    assert len(server.messages) == 1


def test_wrong_password_is_stop(tls: TlsPair) -> None:
    with running_smtp(starttls=tls.server, auth=("duebot", "s3cret")) as server, \
            channel(server, security="starttls", ssl_context=tls.client,
                    username="duebot", password="wrong") as mail:
        outcome = mail.send(outgoing())

    assert outcome.kind == "stop"
    assert "535" in outcome.reason
    assert server.messages == []


def test_untrusted_certificate_is_stop(tls: TlsPair) -> None:
    with running_smtp(starttls=tls.server) as server, \
            channel(server, security="starttls") as mail:  # system CAs do not know ours
        outcome = mail.send(outgoing())

    assert outcome.kind == "stop"
    assert "not trusted" in outcome.reason
    assert server.messages == []


def test_starttls_not_offered_is_stop_and_nothing_goes_in_clear(
        server: SmtpTestServer) -> None:
    with channel(server, security="starttls") as mail:
        outcome = mail.send(outgoing())

    assert outcome.kind == "stop"
    assert "STARTTLS" in outcome.reason
    assert server.messages == []


def test_a_pipelining_server_gets_the_envelope_in_one_write(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Offered PIPELINING, the channel never sends MAIL or RCPT one command at a time."""
    import smtplib

    def one_at_a_time(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("MAIL/RCPT sent one at a time to a pipelining server")

    monkeypatch.setattr(smtplib.SMTP, "mail", one_at_a_time)
    monkeypatch.setattr(smtplib.SMTP, "rcpt", one_at_a_time)
    with running_smtp(pipelining=True) as server, channel(server) as mail:
        outcomes = [mail.send(outgoing(key=f"k{n}", destination="mailto:a@example.org, "
                                                               "b@example.org"))
                    for n in range(3)]
        dotted = mail.send(outgoing(key="dots", text=".\n..\nend\n", html="", ics=b""))
    assert [o.kind for o in [*outcomes, dotted]] == ["sent"] * 4
    assert [m.rcpt_tos for m in server.messages[:3]] == [("a@example.org", "b@example.org")] * 3
    assert server.messages[3].message.get_content() == ".\n..\nend\n"
    assert server.connections == 1
