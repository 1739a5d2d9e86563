"""What a question says it does not ask about: ``注册（不是论文注册）``, ``全文（而不是摘要）``,
``不是摘要注册，是会议注册``, ``registration (not paper registration)``, ``rather than the
abstract``. The reader reads the words excluded on their own; the dates they name are taken
out of the question's topics (where others are left), and the words are no topic themselves.
"""

from __future__ import annotations

import re

_STOP_ZH = r"[,，。;；?？!！()\n、:：]"
_ZH = re.compile(
    r"(?<!是)(?<!还)(?P<mark>而不是|并不是|不是|并非|而非|不包括|不含|除了|除去|撇开|抛开|撇除|"
    r"先不管|不管|先不算|不算|不计|不考虑|先不说|排除)"
    rf"(?P<x>(?:(?!{_STOP_ZH}|而是|是|以外|之外|不谈|不说|不论|不算|的话|还|也).)+)")
"""``是不是`` asks yes or no, so a 不是 after 是 is no exclusion; ``还不是`` ("not yet") none
either."""
_HEAD = re.compile(r"\s*(?P<of>[^的]+?)的(?:那个|那一个|这个|那种)?(?=[^\s的])")
"""``早鸟的那个注册``: what is set aside (早鸟) and, after 的, the head that is still asked."""
_ASKS = ("不是", "并不是", "并非")
"""The cues of ``不是X吗`` ("isn't it X?"): a question, no exclusion."""
_EN = re.compile(
    r"(?:\(\s*(?:not|excluding|except)|\b(?:rather than|instead of|other than|excluding|"
    r"except for|but not|besides|apart from|aside from|not counting|leaving aside|"
    r"setting aside|ignoring|skipping)|,\s*not|^\s*not(?=\s+(?:the|an?|my|our)\b))"
    r"\s+(?P<x>[^,.;?!()\n]+)")
_EN_AFTER = re.compile(r"(?:^|(?<=[?!.;]))\s*not\s+(?P<x>(?:the\s+|an?\s+)?[a-z][a-z-]*"
                       r"(?:\s+[a-z][a-z-]*){0,2})\s*(?=[,.;?!()\n]|$)")
"""A short "not X" after a question ("注册截止是哪天？not early bird"), as chats add it."""
_QUESTION_END = ("吗", "嗎", "呢", "吧", "么")


def excluded(norm: str) -> list[tuple[int, int, str]]:
    """Each exclusion in the normalized question: (where its marker starts, where the words
    excluded end, those words). ``不是X吗`` ("isn't it X?") asks, and excludes nothing;
    ``除了X还有别的吗`` excludes X. The one exclusion pass a Chinese question gets, English
    words in it too ("not the abstract, 全文几号截止？")."""
    out: list[tuple[int, int, str]] = []
    for m in _ZH.finditer(norm):
        words = m["x"].strip()
        if m["mark"] in _ASKS and (words.endswith(_QUESTION_END) or words.startswith("说")):
            continue  # "不是摘要注册吗？", "不是说3月7号截止吗？": asked, not set aside
        head = _HEAD.match(m["x"])
        if head is not None and words:
            # "不是早鸟的那个注册": the early-bird registration is set aside, and "注册" is
            # still what is asked (the dates the words name less those), so it stays read.
            out.append((m.start(), m.start("x") + head.end("of"), words))
        elif words:
            out.append((m.start(), m.end("x"), words))
    for m in _EN.finditer(norm):
        words = m["x"].strip()
        if words:
            out.append((m.start(), m.end("x"), words))
    for m in _EN_AFTER.finditer(norm):
        if m.start() and not any(s <= m.start("x") < e for s, e, _ in out):
            out.append((m.start(), m.end("x"), m["x"].strip()))
    return sorted(out)
