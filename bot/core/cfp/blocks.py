"""The call as blocks of text: headings, list items, table rows and paragraphs, each with its lines.

Markdown, plain text and HTML come out as the same blocks, so the rest of the importer reads one
shape. Struck-out text is kept as ``~~...~~`` and links as ``[text](url)``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser

from bot.core.cfp.dates import _find_dates

_STRUCK = re.compile(r"~~(.+?)~~")


_LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]+)\)")


def _plain(text: str) -> str:
    text = _LINK.sub(r"\1", text)
    text = text.replace("**", "").replace("__", "").replace("`", "")
    text = re.sub(r"(?<!\w)[*_](?!\s)|(?<!\s)[*_](?!\w)", "", text)
    return re.sub(r"\s+", " ", text).strip()


@dataclass
class _Block:
    """One logical line of the call: a heading, list item, table row or paragraph."""

    kind: str  # "heading" | "item" | "row" | "para"
    text: str
    starts: list[tuple[int, int]]  # (offset in text, line in the call)
    level: int = 0

    def line_at(self, offset: int) -> int:
        line = self.starts[0][1]
        for start, number in self.starts:
            if start <= offset:
                line = number
        return line


_HEADING_MD = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")


_ITEM_MD = re.compile(r"^\s*(?:[*+\-•]|\d+[.)])\s+")


_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")


# "Paper deadline: May 1" alone on a line: in plain text and PDFs such lines follow each other
# with no blank line between, and each is a date of its own, not one paragraph.
_LABEL_LINE = re.compile(r"^\s*[^\s:|][^:|]{0,60}:\s*\S")
_SHORT_LABEL = re.compile(r"^\s*(?:[A-Za-z][A-Za-z ]{0,20}|[\u4e00-\u9fff]{2,8}):\s*\S")


# "Important dates" / "重要日期" alone on a line of plain text: a heading without its marks.
_PLAIN_HEADING = re.compile(r"(?:important|key)\s+dates|dates|deadlines|timeline|重要日期|"
                            r"重要时间|日程安排", re.IGNORECASE)


# "Paper submission deadline ...... April 4, 2025": a plain-text call's dot leaders, "label: date".
_LEADER = re.compile(r"^(?P<label>\s*\S.*?)\s*(?:\.\s*){3,}\s*(?P<rest>\S.*)$")
# A rule alone on a line ("-----", "=====", "*****"): under a heading, or between sections.
_RULE = re.compile(r"^\s{0,3}(?:[-=_*~]\s*){3,}$")


def _leaders_as_labels(line: str) -> str:
    match = _LEADER.match(line)
    if match and not _find_dates(match["label"]) and (
            _find_dates(match["rest"]) or (_LONG_LEADER.search(line) and len(match["rest"]) <= 40)):
        # A long leader lays out label and value even when the value is no date ("Camera
        # ready ....... TBD"); three dots may be prose's ellipsis.
        return f"{match['label']}: {match['rest']}"
    return line


_LONG_LEADER = re.compile(r"(?:\.\s*){5,}")


def _markdown_blocks(text: str) -> list[_Block]:
    blocks: list[_Block] = []
    current: _Block | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = _leaders_as_labels(raw.rstrip())
        if not line.strip():
            current = None
            continue
        if _RULE.match(line) and current is None:
            continue  # "IMPORTANT DATES" underlined in plain text, or a rule between sections
        setext = _SETEXT.match(line)
        if setext and current is not None and current.kind == "para" and len(current.starts) == 1:
            current.kind, current.level = "heading", 1 if setext[1][0] == "=" else 2
            current = None
            continue
        heading = _HEADING_MD.match(line)
        if heading:
            blocks.append(_Block("heading", heading[2], [(0, number)], len(heading[1])))
            current = None
            continue
        stripped = line.strip()
        if stripped.startswith("|"):
            if not re.fullmatch(r"[|:\-\s]+", stripped):
                blocks.append(_Block("row", stripped, [(0, number)]))
            current = None
            continue
        item = _ITEM_MD.match(line)
        if item:
            current = _Block("item", line[item.end():].strip(), [(0, number)])
            blocks.append(current)
            continue
        if current is not None and not ((_LABEL_LINE.match(stripped) and _find_dates(stripped))
                                        or _SHORT_LABEL.match(stripped)):
            current.starts.append((len(current.text) + 1, number))
            current.text += " " + stripped
            continue
        bold = re.fullmatch(r"(\*\*|__)([^*_]+)\1:?", stripped)
        if bold and _find_dates(bold[2]) and (_LABEL_LINE.match(bold[2])
                                              or len(bold[2]) > 40):
            # "**Submission deadline: January 9, 2027, 23:59 (UTC-12)**", "**Submission
            # deadline extended to March 10, 2027 (was March 3), 11:59 pm PT.**": a date line
            # in bold, not a heading (its date was lost).
            current = _Block("item", bold[2].strip(), [(0, number)])
            blocks.append(current)
            continue
        if bold or _PLAIN_HEADING.fullmatch(stripped) or (
                stripped.endswith(":") and len(stripped) < 40 and not _find_dates(stripped)):
            blocks.append(_Block("heading", stripped.strip("*_:").strip(), [(0, number)], 3))
            current = None  # what follows is under it, not part of the paragraph before
            continue
        current = _Block("para", stripped, [(0, number)])
        blocks.append(current)
    return blocks


_BLOCK_TAGS = {"p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "dd",
               "title", "section", "article", "blockquote", "ul", "ol", "table", "br", "pre",
               "header", "footer", "main", "dl", "tbody", "thead", "body", "html", "head"}


_STRIKE_TAGS = {"del", "s", "strike"}


_SKIP_TAGS = {"script", "style"}


class _HTMLBlocks(HTMLParser):
    """HTML to the same blocks as Markdown, struck text as ``~~...~~`` and links as ``[t](u)``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[_Block] = []
        self.parts: list[str] = []
        self.first_line: int | None = None
        self.kind = "para"
        self.level = 0
        self.skip = 0
        self.href: list[str | None] = []
        self.cells = 0

    def flush(self) -> None:
        text = re.sub(r"\s+", " ", "".join(self.parts)).strip()
        if text and text.replace("~~", "").replace("*", "").strip() and self.first_line:
            kind = self.kind
            if kind == "row":
                text = "| " + text
            self.blocks.append(_Block(kind, text, [(0, self.first_line)], self.level))
        self.parts, self.first_line = [], None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.skip += 1
        elif tag in _BLOCK_TAGS:
            self.flush()
            self.kind, self.level = "para", 0
            if tag in ("h1", "h2", "h3", "h4", "h5", "h6", "title"):
                self.kind, self.level = "heading", 1 if tag == "title" else int(tag[1])
            elif tag in ("li", "dd"):
                self.kind = "item"
            elif tag == "dt":
                self.kind = "term"
            elif tag == "tr":
                self.kind, self.cells = "row", 0
        elif tag in ("td", "th"):
            if self.cells:
                self.parts.append(" | ")
            self.cells += 1
        elif tag in _STRIKE_TAGS:
            self.parts.append("~~")
        elif tag in ("b", "strong"):
            self.parts.append("**")
        elif tag == "a":
            self.href.append(dict(attrs).get("href"))
            self.parts.append("[")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK_TAGS:
            self.flush()
            self.kind, self.level = "para", 0
        elif tag in _STRIKE_TAGS:
            self.parts.append("~~")
        elif tag in ("b", "strong"):
            self.parts.append("**")
        elif tag == "a":
            href = self.href.pop() if self.href else None
            self.parts.append(f"]({href})" if href else "]")

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if data.strip() and self.first_line is None:
            self.first_line = self.getpos()[0] + data[: len(data) - len(data.lstrip())].count(
                "\n")
        self.parts.append(data)


def _looks_like_html(text: str) -> bool:
    return bool(re.search(r"<(?:html|body|p|div|h[1-6]|table|ul|li|br)\b", text, re.IGNORECASE))


_INLINE_STRIKE = re.compile(r"<(del|s|strike)\b[^>\n]*>([^<\n]*)</\1\s*>", re.IGNORECASE)


def _blocks(text: str) -> list[_Block]:
    # NFKC: full-width colons, brackets and digits (common in Chinese calls) become ASCII, and
    # ligatures from PDFs plain letters; line breaks are kept, so line numbers still hold.
    text = unicodedata.normalize("NFKC", text)
    if not _looks_like_html(text):
        # Markdown with inline HTML: "<s>Nov 15</s> Nov 22" is struck as "~~Nov 15~~" is (the
        # old date was read and the new one left out).
        text = _INLINE_STRIKE.sub(r"~~\2~~", text)
        return _markdown_blocks(text)
    parser = _HTMLBlocks()
    parser.feed(text)
    parser.close()
    parser.flush()
    return _terms_with_definitions(parser.blocks)


def _terms_with_definitions(blocks: list[_Block]) -> list[_Block]:
    """``<dt>Paper deadline</dt><dd>May 1</dd>`` is one item, "Paper deadline: May 1"."""
    out: list[_Block] = []
    for block in blocks:
        if block.kind == "item" and out and out[-1].kind == "term":
            term = out.pop()
            text = f"{term.text.rstrip(': ')}: "
            block = _Block("item", text + block.text,
                           [(0, term.starts[0][1]), *((len(text) + o, n) for o, n in block.starts)])
        out.append(block)
    for block in out:
        if block.kind == "term":
            block.kind = "item"
    return out
