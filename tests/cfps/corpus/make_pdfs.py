"""Write each ``*.pdf.txt`` call here as a PDF, line by line, as chairs circulate calls.

Used by tests/test_cfp_import.py (into a temporary folder); run by hand to look at one:
``python tests/cfps/corpus/make_pdfs.py OUT_DIR``. reportlab's built-in CID font STSong-Light
writes Chinese without a font file on the machine.
"""

from __future__ import annotations

import sys
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

HERE = Path(__file__).parent


def write_pdf(text: str, out: Path) -> Path:
    """One line of text per line of PDF; a new page when the page is full."""
    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    cjk = any("\u4e00" <= c <= "\u9fff" for c in text)
    page = canvas.Canvas(str(out), pagesize=A4)
    font = "STSong-Light" if cjk else "Helvetica"
    y = A4[1] - 72
    for line in text.splitlines():
        if y < 72:
            page.showPage()
            y = A4[1] - 72
        page.setFont(font, 11)
        page.drawString(72, y, line)
        y -= 16
    page.save()
    return out


def write_all(folder: Path) -> list[Path]:
    return [write_pdf(src.read_text(encoding="utf-8"), folder / src.name.removesuffix(".txt"))
            for src in sorted(HERE.glob("*.pdf.txt"))]


if __name__ == "__main__":
    for path in write_all(Path(sys.argv[1])):
        print(path)
