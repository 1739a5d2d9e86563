"""First steps of reading: normalize, tell the language, cut into tokens that keep their spans."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

Language = Literal["en", "zh"]
MAX_QUESTION = 2000
"""Longer text is cut: nobody's question is longer, and the reader's work stays bounded."""

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?|[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+"
                   r"|[?？;；。!！\n,，、]")
_EMOJI = re.compile(r"[\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F]")


def normalize(text: str) -> str:
    """NFKC (full-width to half-width), casefolded, accents and emoji off; spans kept 1:1."""
    text = unicodedata.normalize("NFKC", text[:MAX_QUESTION])
    text = _EMOJI.sub(" ", text)
    out = []
    for ch in text.casefold():
        # One character in, one out, so spans point back at the question.
        if ch.isascii() or _CJK.match(ch):
            out.append(ch)
        else:
            base = unicodedata.normalize("NFKD", ch)
            kept = "".join(c for c in base if not unicodedata.combining(c))
            out.append(kept[:1] if len(kept) >= 1 and kept[:1].isascii() else ch)
    return "".join(out).replace("’", "'")


def language(text: str) -> Language:
    """Chinese when the text holds CJK ideographs (mixed text too), English otherwise."""
    return "zh" if _CJK.search(text) else "en"


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


@dataclass(frozen=True)
class Piece:
    """A run of the normalized text: an English word, a run of Chinese, or a separator."""

    text: str
    start: int
    end: int

    @property
    def cjk(self) -> bool:
        return bool(_CJK.match(self.text))

    @property
    def separator(self) -> bool:
        return self.text in "?？;；。!！\n,，、"


def pieces(normalized: str) -> list[Piece]:
    return [Piece(m.group(0), m.start(), m.end()) for m in _WORD.finditer(normalized)]
