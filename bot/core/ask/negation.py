"""What a question says it does not ask about: ``注册（不是论文注册）``, ``全文（而不是摘要）``,
``不是摘要注册，是会议注册``, ``registration (not paper registration)``, ``rather than the
abstract``. The reader reads the words excluded on their own; the dates they name are taken
out of the question's topics (where others are left), and the words are no topic themselves.
"""

from __future__ import annotations

import re

_STOP_ZH = r"[,，。;；?？!！()\n、:：]"
_ZH = re.compile(
    r"(?<!是)(?P<mark>而不是|并不是|不是|并非|而非|不包括|不含|除了)"
    rf"(?P<x>(?:(?!{_STOP_ZH}|而是|是|以外|之外).)+)")
"""``是不是`` asks yes or no, so a 不是 after 是 is no exclusion."""
_EN = re.compile(
    r"(?:\(\s*(?:not|excluding|except)|\b(?:rather than|instead of|other than|excluding|"
    r"except for|but not)|,\s*not)\s+(?P<x>[^,.;?!()\n]+)")
_QUESTION_END = ("吗", "嗎", "呢", "吧", "么")


def excluded(norm: str) -> list[tuple[int, int, str]]:
    """Each exclusion in the normalized question: (where its marker starts, where the words
    excluded end, those words). ``不是X吗`` ("isn't it X?") asks, and excludes nothing."""
    out: list[tuple[int, int, str]] = []
    for m in _ZH.finditer(norm):
        words = m["x"].strip()
        if words and not words.endswith(_QUESTION_END):
            out.append((m.start(), m.end("x"), words))
    for m in _EN.finditer(norm):
        words = m["x"].strip()
        if words:
            out.append((m.start(), m.end("x"), words))
    return sorted(out)
