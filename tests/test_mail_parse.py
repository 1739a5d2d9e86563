"""Reading mail without I/O: quotes and signatures, loop rules, intents, the reader's zone, and
the ``[mail]`` config section."""

from __future__ import annotations

import sys
from collections.abc import Callable
from email import message_from_string
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from types import FrameType

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.config import parse_config
from bot.core.mail_parse import (
    MAX_MARKER_LINE,
    MAX_TEXT,
    SUBJECT_ECHO,
    authentication_failure,
    auto_reason,
    body_text,
    html_to_text,
    intent_of,
    reader_zone,
    reply_address,
    reply_subject,
    strip_quotes,
    thread_ids,
)
from bot.errors import ConfigError

OWN = ("dates@example.org",)


def mail(text: str = "when is the deadline?", **headers: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = headers.pop("From", "Alice <alice@uni.example.edu>")
    message["To"] = headers.pop("To", "dates@example.org")
    message["Subject"] = headers.pop("Subject", "question")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(text)
    return message


@pytest.mark.parametrize("text", [
    "When is it?\n\nOn Tue, Sep 5, 2017 at 10:00 AM, Bob <bob@x.org> wrote:\n> how many pages\n",
    "When is it?\n\nOn Tue, Sep 5, 2017 at 10:00 AM Bob Smith <bob@x.org>\nwrote:\n\n> pages\n",
    "When is it?\n> how many pages\n>> and the template?\n",
    "When is it?\n\n-- \nBob Smith\nHow many pages? Professor of pages\n",
    "When is it?\n\n-----Original Message-----\nFrom: Bob\nSubject: how many pages\n",
    "When is it?\n\nFrom: Bob <bob@x.org>\nSent: Tuesday\nTo: us\nSubject: pages\n",
    "When is it?\n\nBest regards,\nBob Smith\nPage Lab, Uni\n",
    "When is it?\n\nAm 05.09.2017 um 10:00 schrieb Bob <bob@x.org>:\n> Seiten?\n",
])
def test_quoted_thread_and_signature_are_not_part_of_the_question(text: str) -> None:
    assert strip_quotes(text) == "When is it?"


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200))
@example("0\r>")  # a lone CR ends a line too (hypothesis found it)
@example("ok\u2028> quoted")
def test_strip_quotes_never_raises_and_never_keeps_a_quoted_line(text: str) -> None:
    kept = strip_quotes(text)
    assert not any(line.lstrip().startswith(">") for line in kept.splitlines())


@pytest.mark.parametrize("subject, expected", [
    ("Deadline?", "Re: Deadline?"), ("Re: Deadline?", "Re: Deadline?"),
    ("RE: re: Re[2]: Deadline?", "Re: Deadline?"), ("AW: Fwd: Deadline?", "Re: Deadline?"),
    ("", "Re: your question"),
])
def test_reply_subject_is_never_doubled(subject: str, expected: str) -> None:
    assert reply_subject(subject) == expected


def test_html_is_turned_into_text_without_scripts_or_quoted_thread() -> None:
    text = html_to_text("<html><head><style>p {color: red}</style><script>alert(1)</script>"
                        "</head><body><p>When&nbsp;is the <b>deadline</b>?</p><blockquote>"
                        "how many pages</blockquote><p>Thanks</p></body></html>")
    assert "When is the deadline?" in text and "Thanks" in text
    assert "pages" not in text and "alert" not in text and "color" not in text


def test_unknown_charset_is_read_not_raised() -> None:
    message = mail()
    message.set_payload(b"when is the deadline \xff?".decode("latin-1"))
    message.replace_header("Content-Type", "text/plain; charset=x-klingon")
    assert "deadline" in body_text(message)


@pytest.mark.parametrize("headers, return_path, reason", [
    ({"Auto_Submitted": "auto-replied"}, None, "Auto-Submitted"),
    ({"Auto_Submitted": "auto-generated; type=vacation"}, None, "Auto-Submitted"),
    ({"Precedence": "junk"}, None, "Precedence"),
    ({"List_Id": "<x.lists.example.org>"}, None, "List-Id"),
    ({"X_Autorespond": "yes"}, None, "X-Autorespond"),
    ({}, "", "null return path"),
    ({"Return_Path": "<>"}, None, "null return path"),
    ({"From": "dates+unsubscribe@EXAMPLE.org"}, None, "own address"),
    ({"From": "postmaster@uni.example.edu"}, None, "automated sender"),
    ({"X_Loop": "dates@example.org"}, None, "X-Loop"),
])
def test_mail_we_must_not_answer(headers: dict[str, str], return_path: str | None,
                                 reason: str) -> None:
    found = auto_reason(mail(**headers), return_path=return_path, own=OWN)
    assert found is not None and reason in found


@pytest.mark.parametrize("headers", [{}, {"Auto_Submitted": "no"}, {"Precedence": "normal"}])
def test_mail_from_a_person_is_answered(headers: dict[str, str]) -> None:
    assert auto_reason(mail(**headers), return_path="alice@uni.example.edu", own=OWN) is None


DSN = """From: Mail Delivery Subsystem <mail@mx.uni.example.edu>
To: dates@example.org
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b"

--b
Content-Type: text/plain

The deadline question could not be delivered.
--b
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.uni.example.edu

Final-Recipient: rfc822; x@uni.example.edu
Action: failed
Status: 5.1.1
--b--
"""


def test_dsn_is_a_bounce() -> None:
    report = message_from_string(DSN, policy=default)
    found = auto_reason(report, return_path="x@y.org", own=OWN)
    assert found is not None and "delivery" in found


@pytest.mark.parametrize("text, subject, recipients, confirming, intent", [
    ("subscribe", "hello", (), False, "subscribe"),
    ("Please subscribe me!", "", (), False, "subscribe"),
    ("hi", "Unsubscribe", (), False, "unsubscribe"),
    ("stop", "Re: reminder", (), False, "unsubscribe"),
    ("anything", "hi", ("dates+subscribe@example.org",), False, "subscribe"),
    ("anything", "hi", ("Dates+Unsubscribe@example.org",), False, "unsubscribe"),
    ("Yes\n\n> Someone asked", "Re: Confirm", (), True, "confirm"),
    ("Yes", "Re: Confirm", (), False, "question"),
    ("How do I subscribe to the reminders?", "hi", (), False, "question"),
    ("can I unsubscribe later?", "hi", (), False, "question"),
    ("请订阅", "", (), False, "subscribe"),
    ("hi", "取消订阅", (), False, "unsubscribe"),
    ("退订。", "Re: 提醒", (), False, "unsubscribe"),
    ("确认", "Re: 确认：提醒", (), True, "confirm"),
    ("是", "Re: 确认：提醒", (), False, "question"),
    ("怎么订阅提醒？", "你好", (), False, "question"),
])
def test_intent(text: str, subject: str, recipients: tuple[str, ...], confirming: bool,
                intent: str) -> None:
    assert intent_of(mail(text, Subject=subject), recipients=recipients, own=OWN,
                     confirming=confirming) == intent


@pytest.mark.parametrize("text, zone", [
    ("I'm in Shanghai, when is it due?", "Asia/Shanghai"),
    ("we are based in New York", "America/New_York"),
    ("my timezone is Europe/Zurich", "Europe/Zurich"),
    ("what is that in Tokyo time?", "Asia/Tokyo"),
    ("I am in UTC+05:30 now", "UTC+05:30"),
    ("When is it? (Asia/Kolkata)", "Asia/Kolkata"),
    ("Is the workshop in Shanghai?", None),
    ("I'm in Bangalore this week; is it due yet?", "Asia/Kolkata"),
    ("we are based in Munich", "Europe/Berlin"),
    ("I am in Germany, when is it?", "Europe/Berlin"),
    ("I'm in the United States", None),
    ("我在北京工作，截止时间是几点？", "Asia/Shanghai"),
    ("我们在东京", "Asia/Tokyo"),
    ("I'm in a hurry", None),
])
def test_reader_zone_from_what_the_sender_says(text: str, zone: str | None) -> None:
    found = reader_zone(text)
    assert (found.key if found else None) == zone


def test_reply_goes_to_reply_to_and_thread_ids_chain() -> None:
    message = mail(Reply_To="Home <alice@home.example.net>", Message_ID="<c@x.org>",
                   References="<a@x.org> <b@x.org>", In_Reply_To="<b@x.org>")
    assert reply_address(message) == "alice@home.example.net"
    assert thread_ids(message) == ("<c@x.org>", ("<a@x.org>", "<b@x.org>", "<c@x.org>"))
    assert reply_address(mail(From="not an address")) == ""


# -- the [mail] section of the config ---------------------------------------------------------

def config(tmp_path: Path, mail_section: str, env: dict[str, str] | None = None) -> object:
    return parse_config(f"[mail]\n{mail_section}\n", "duebot.toml", env=env or {},
                        base=tmp_path)


def test_mail_config_reads_every_key(tmp_path: Path) -> None:
    cfg = parse_config(
        '[mail]\naddress = "dates@example.org"\nlisten = "127.0.0.1:2525"\nlmtp = true\n'
        'imap_host = "imap.example.org"\nimap_user = "dates"\nimap_poll = "2m"\n'
        'rate_limit = "20 per day"\nmax_bytes = 50000\n', "duebot.toml",
        env={"DUEBOT_IMAP_PASSWORD": "s3cret"}, base=tmp_path)
    mail_config = cfg.mail
    assert mail_config.enabled and mail_config.lmtp and mail_config.listen_at == (
        "127.0.0.1", 2525)
    assert mail_config.imap_password == "s3cret" and "s3cret" not in repr(mail_config)
    assert mail_config.rate_limit == 20 and mail_config.rate_window.days == 1
    assert mail_config.imap_port == 993 and mail_config.imap_poll.total_seconds() == 120
    assert mail_config.spool == tmp_path / "mail-spool"


def test_mail_config_reports_every_problem_at_once(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        config(tmp_path, 'listen = "2525"\nimap_host = "imap.example.org"\n'
                         'imap_user = "dates"\nrate_limt = 5\nrate_limit = "lots"\n')
    text = str(caught.value)
    for expected in ("need mail.address", "HOST:PORT", "DUEBOT_IMAP_PASSWORD",
                     "did you mean 'rate_limit'", "answers per sender"):
        assert expected in text, text


# -- cost: counted in Python line events, never timed -----------------------------------------


def _line_events(function: Callable[[], object]) -> int:
    """How many lines of Python ``function`` runs (its callees included): a cost measure that
    does not depend on the machine's speed or load."""
    count = 0

    def trace(frame: FrameType, event: str, arg: object) -> Callable[..., object] | None:
        nonlocal count
        if event == "line":
            count += 1
        return trace

    sys.settrace(trace)
    try:
        function()
    finally:
        sys.settrace(None)
    return count


def _reply_mail(lines: int) -> str:
    """A question with a long body: text, sign-off-like words and quotes mixed in."""
    body = [("> quoted earlier text" if i % 7 == 3 else "Thanks" if i % 11 == 5
             else f"line {i}: when is the deadline for the camera-ready version?")
            for i in range(lines)]
    return "\n".join(body)


def test_strip_quotes_costs_grow_linearly_with_the_mail() -> None:
    small = _line_events(lambda: strip_quotes(_reply_mail(80)))
    large = _line_events(lambda: strip_quotes(_reply_mail(320)))
    assert len(_reply_mail(320)) < MAX_TEXT  # still all read: the growth is the algorithm's
    assert large < 4.5 * small, (small, large)  # quadratic was 16x for 4x the lines


def test_strip_quotes_reads_a_bounded_prefix_of_a_huge_mail() -> None:
    huge = _reply_mail(40_000)
    kept = strip_quotes(huge)
    assert len(kept) <= MAX_TEXT
    assert kept.startswith("line 0: when is the deadline")
    at_bound = _line_events(lambda: strip_quotes(huge[:MAX_TEXT]))
    assert _line_events(lambda: strip_quotes(huge)) <= at_bound + 5


def test_a_long_line_is_text_not_an_attribution() -> None:
    # "On ... 2017 ... wrote:" over 20 kB made the attribution pattern backtrack for seconds;
    # lines that long are never attributions, so the patterns do not look at them.
    line = "On " + "x 2017 " * 2000 + "wrote:"
    assert len(line) > MAX_MARKER_LINE
    assert strip_quotes(f"When is it?\n{line}") == f"When is it?\n{line}"


# -- spam must not ride on our replies ------------------------------------------------------


@pytest.mark.parametrize("subject, expected", [
    ("CHEAP PILLS at http://spam.example/buy now!!! $$$ <b>", "Re: CHEAP PILLS at now!!!"),
    ("Win big: visit pharma-deals.biz or mail me@spam.example", "Re: Win big: visit or mail"),
    ("When is the deadline?", "Re: When is the deadline?"),
    ("A" * 30 + " " + "B" * 30, "Re: " + "A" * 30 + "..."),
    ("€€€ ☎ ✉ ➡ www.x.y", "Re: your question"),
])
def test_reply_subject_repeats_only_a_short_cleaned_subject(subject: str, expected: str
                                                            ) -> None:
    got = reply_subject(subject)
    assert got == expected
    assert len(got) <= len("Re: ") + SUBJECT_ECHO + len("...")


@pytest.mark.parametrize("results, forged", [
    ("mx.example.org; spf=fail smtp.mailfrom=bank.example; dkim=none; dmarc=fail", True),
    ("mx.example.org; dmarc=fail (p=none) header.from=bank.example", True),
    ("mx.example.org; spf=fail smtp.mailfrom=x.org; dkim=pass header.d=x.org", False),
    ("mx.example.org; spf=pass smtp.mailfrom=uni.example.edu; dkim=pass; dmarc=pass", False),
    ("mx.example.org; spf=softfail (not a fail) smtp.mailfrom=x.org", False),
    ("mx.example.org; none", False),
])
def test_authentication_results_that_say_forged_get_no_answer(results: str, forged: bool
                                                              ) -> None:
    message = mail(Authentication_Results=results)
    reason = auto_reason(message, return_path="alice@uni.example.edu", own=OWN)
    assert (reason is not None) == forged, reason
    assert (authentication_failure(message) is not None) == forged


def test_only_the_topmost_authentication_results_counts() -> None:
    # Our MTA adds its header on top; one further down came with the mail (anyone's word).
    raw = ("Authentication-Results: mx.example.org; spf=pass; dkim=pass; dmarc=pass\n"
           "Authentication-Results: upstream.example; dmarc=fail\n"
           "From: alice@uni.example.edu\nTo: dates@example.org\nSubject: hi\n\nWhen?\n")
    assert authentication_failure(message_from_string(raw, policy=default)) is None
    flipped = raw.replace("spf=pass; dkim=pass; dmarc=pass", "dmarc=fail", 1)
    assert authentication_failure(message_from_string(flipped, policy=default)) is not None


def test_an_unreadable_from_is_answered_at_the_envelope_sender() -> None:
    raw = "From: 0@\nTo: dates@example.org\nSubject: hi\n\nWhen is the deadline?\n"
    message = message_from_string(raw, policy=default)
    assert reply_address(message) == ""
    assert reply_address(message, envelope="alice@uni.example.edu") == "alice@uni.example.edu"
    with_reply_to = message_from_string("Reply-To: bob@uni.example.edu\n" + raw, policy=default)
    assert reply_address(with_reply_to, envelope="x@y.org") == "bob@uni.example.edu"
