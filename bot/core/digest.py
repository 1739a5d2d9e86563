"""Stable short names for keys and bodies: the first 128 bits of SHA-256, as 32 hex digits.

One digest for the jobs that need the same input to give the same short name everywhere and
forever: a delivery's Message-ID (a resend shows as the same mail), a mail reply's ledger key,
a feed's strong ETag.
"""

from __future__ import annotations

import hashlib

__all__ = ["message_id", "short_digest"]


def short_digest(data: str | bytes) -> str:
    """32 lowercase hex digits of SHA-256 (text is hashed as UTF-8)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return hashlib.sha256(raw).hexdigest()[:32]


def message_id(key: str, domain: str) -> str:
    """The Message-ID of a delivery: the same key always gives the same id, so resends show."""
    return f"<{short_digest(key)}@{domain}>"
