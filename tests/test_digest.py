"""One short digest for Message-IDs, mail reply keys and ETags (``bot.core.digest``)."""

from __future__ import annotations

from bot.core.digest import message_id, short_digest


def test_the_digest_is_the_first_128_bits_of_sha256_for_text_and_bytes_alike() -> None:
    abc = "ba7816bf8f01cfea414140de5dae2223"  # SHA-256("abc"), FIPS 180-2 appendix B.1
    assert short_digest("abc") == short_digest(b"abc") == abc
    assert short_digest("é") == short_digest("é".encode())


def test_a_message_id_is_the_same_for_the_same_key_and_differs_by_key() -> None:
    first = message_id("demo/paper/7d|mailto:a@example.org", "example.org")
    assert first == message_id("demo/paper/7d|mailto:a@example.org", "example.org")
    assert first.startswith("<") and first.endswith("@example.org>") and len(first) == 46
    assert first != message_id("demo/paper/7d|mailto:b@example.org", "example.org")
