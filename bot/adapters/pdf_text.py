"""The text of a call circulated as PDF, for the same importer (bot.core.cfp) as Markdown.

An adapter: pypdf (pure Python, maintained, no system libraries) is a vendor, and its errors
are mapped to ours here. It reads the bytes it is given; the CLI reads the file. A scanned call
(images only) has no text to read, and is refused as such.
"""

from __future__ import annotations

import io
import logging

from bot.errors import DuebotError


def looks_like_pdf(data: bytes) -> bool:
    return data.lstrip()[:5] == b"%PDF-"


def pdf_text(data: bytes, *, source: str = "<call>") -> str:
    """Every page's text, pages apart by a blank line; DuebotError if there is none to read."""
    from pypdf import PdfReader  # imported here: only PDF calls pay for it
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its repairs are not the chair's worry
    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise DuebotError(f"cannot read the PDF: {exc}", file=source) from None
    text = "\n\n".join(_paragraphs(page.strip("\n")) for page in pages)
    if not text.strip():
        raise DuebotError("the PDF holds no text (a scan?): nothing to import; paste the call's "
                          "text into a .txt file instead", file=source)
    return text


def _paragraphs(page: str) -> str:
    """A PDF's lines with blank lines between those that are not one sentence wrapped.

    PDF text has no paragraph marks: a line that starts in lower case, or follows a long line
    that did not end a sentence, goes on the one before; any other line starts a block.
    """
    out: list[str] = []
    previous = ""
    for line in page.splitlines():
        stripped = line.strip()
        wrapped = bool(previous) and bool(stripped) and (
            stripped[0].islower() or (len(previous) > 70 and previous[-1] not in ".:;!?。"))
        out.append(("\n" if wrapped or not out else "\n\n") + line.rstrip())
        previous = stripped
    return "".join(out).lstrip("\n")
