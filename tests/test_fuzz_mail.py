"""Fuzzing the mail parser: raw bytes as a hostile or broken mailer sends them, through every
reading step duebot takes before it answers. Any traceback fails; the number of examples is
bounded so that CI runs it in a few seconds (``DUEBOT_FUZZ_EXAMPLES`` raises it locally)."""

from __future__ import annotations

import os
from email.message import Message
from email.parser import BytesHeaderParser, BytesParser
from email.policy import default

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.core.mail_parse import (
    MAX_TEXT,
    auto_reason,
    body_text,
    intent_of,
    problems,
    question_of,
    reader_zone,
    reply_address,
    reply_subject,
    sender_address,
    strip_quotes,
    subject_of,
    thread_ids,
)

OWN = ("dates@example.org",)
EXAMPLES = int(os.environ.get("DUEBOT_FUZZ_EXAMPLES", "300"))

HEADERS = ("From", "Reply-To", "To", "Cc", "Subject", "Message-ID", "References", "In-Reply-To",
           "Content-Type", "Content-Transfer-Encoding", "Content-Disposition", "MIME-Version",
           "Auto-Submitted", "Precedence", "Return-Path", "X-Loop", "List-Id", "Delivered-To",
           "Authentication-Results", "Date")
# Pieces that parsers trip on: encoded words, odd charsets, boundaries, folding, NULs, CRs.
NASTY = ("=?utf-8?q?caf=C3=A9?=", "=?x-unknown?b?AAAA?=", "=?utf-8?b?###?=", "<>", "<a@b>",
         "\"quoted, name\" <q@x.org>", "undisclosed-recipients:;", "a@b@c", "@", "<<a@b>>",
         "multipart/mixed; boundary=\"b\"", "multipart/alternative; boundary=b",
         "text/plain; charset=x-nonsense", "text/html; charset=utf-8", "message/rfc822",
         "multipart/report; report-type=delivery-status; boundary=r", "base64",
         "quoted-printable", "8bit", "attachment; filename=x.txt", "\r\n\tfolded", "\x00", "\r",
         "auto-replied", "bulk", "spf=fail smtp.mailfrom=x.org; dkim=none; dmarc=fail",
         "On Tue, 5 Sep 2017, Bob wrote:", "> quoted", "-- ", "I'm in Shanghai", "subscribe")

header_value = st.one_of(
    st.sampled_from(NASTY),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60),
    st.lists(st.sampled_from(NASTY), min_size=1, max_size=4).map(" ".join),
)
body_line = st.one_of(
    st.sampled_from((*NASTY, "--b", "--b--", "--r", "", "=C3=A9=", "PGh0bWw+", "<p>hi</p>",
                             "<blockquote>x", "</div></div>", "&#xD800;", "&#99999999;")),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80),
)


def _raw(headers: list[tuple[str, str]], lines: list[str]) -> bytes:
    head = "".join(f"{name}: {value}\r\n" for name, value in headers)
    return (head + "\r\n" + "\r\n".join(lines)).encode("utf-8", "surrogateescape")


raw_mail = st.builds(
    _raw,
    st.lists(st.tuples(st.sampled_from(HEADERS), header_value), max_size=12),
    st.lists(body_line, max_size=30),
)


def read_everything(raw: bytes, *, head_only: bool = False) -> None:
    """Every step of ``MailBot`` that reads the message, in its order."""
    data = raw.replace(b"\r\n", b"\n")
    message: Message = (BytesHeaderParser(policy=default).parsebytes(data) if head_only
                        else BytesParser(policy=default).parsebytes(data))
    _, references = thread_ids(message)
    assert len(references) <= 20
    auto_reason(message, return_path=None, own=OWN)
    auto_reason(message, return_path="", own=OWN)
    to = reply_address(message)
    assert "\n" not in to and "\r" not in to
    sender_address(message)
    problems(message)
    text = body_text(message)
    assert isinstance(text, str)
    kept = strip_quotes(text)
    assert len(kept) <= MAX_TEXT
    question = question_of(message)
    reader_zone(question)
    for confirming in (False, True):
        intent_of(message, recipients=("dates+subscribe@example.org",), own=OWN,
                  confirming=confirming)
    subject = reply_subject(subject_of(message))
    assert subject.startswith("Re: ")


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(raw_mail)
@example(b"From: =?utf-8?q?a?= <>\r\nSubject: =?x-unknown?b?AAAA?=\r\n\r\nhi")
@example(b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain;"
         b" charset=x-nonsense\r\nContent-Transfer-Encoding: base64\r\n\r\n###\r\n--b--")
@example(b"From: a@b\r\nSubject: x\r\n\r\n0\r>")
def test_no_mail_makes_the_parser_raise(raw: bytes) -> None:
    read_everything(raw)
    read_everything(raw, head_only=True)  # the too-large path reads the headers only


@settings(max_examples=max(EXAMPLES // 3, 20), deadline=None)
@given(st.binary(max_size=2000))
def test_no_bytes_at_all_make_the_parser_raise(raw: bytes) -> None:
    read_everything(raw)
