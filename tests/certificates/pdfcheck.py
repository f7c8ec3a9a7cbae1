"""What a machine checks on any issued PDF: the hash, qpdf, the PDF/A-3b marks and metadata,
the embedded JSON, and the QR code read by zbarimg from the rendered page; and what the
layout tests check of the boxes on its pages (``layout_problems``)."""

from __future__ import annotations

import hashlib
import io
import json
import re
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from pypdf import PdfReader

from certificates.models import Certificate


def machine_checks(certificate: Certificate, folder: Path) -> dict[str, Any]:
    """Every check passed, or an AssertionError; returns the embedded JSON."""
    content = _content(certificate)
    assert hashlib.sha256(content).hexdigest() == certificate.sha256
    return content_checks(
        content, certificate.code, certificate.snapshot, folder, name=f"c{certificate.pk}"
    )


def content_checks(
    content: bytes, code: str, snapshot: dict[str, Any], folder: Path, *, name: str = "doc"
) -> dict[str, Any]:
    """qpdf, the QR code of every page (each carries the seal), the metadata, the PDF/A-3b
    marks and the embedded JSON of a rendered PDF; returns the embedded JSON."""
    from certificates.pdf import edition

    path = folder / f"{name}.pdf"
    path.write_bytes(content)
    qpdf = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert qpdf.returncode == 0, qpdf.stdout + qpdf.stderr
    stem = folder / f"{name}-page"
    subprocess.run(["pdftoppm", "-png", "-r", "110", str(path), str(stem)], check=True)
    pages = sorted(folder.glob(f"{name}-page*.png"))
    reader = PdfReader(io.BytesIO(content))
    assert len(pages) == len(reader.pages)
    for page in pages:  # the last one as every other: the seal is on each page
        qr = subprocess.run(
            ["zbarimg", "-q", "--raw", str(page)], capture_output=True, text=True, check=True
        ).stdout.strip()
        assert qr.endswith(f"/verify/{code}/"), (page.name, qr)
    assert reader.metadata is not None
    assert code in str(reader.metadata.title)
    assert reader.metadata.author
    assert reader.metadata.subject
    assert reader.root_object.get("/Lang") == edition(snapshot)
    xmp = reader.xmp_metadata
    assert xmp is not None
    assert b'pdfaid:part="3" pdfaid:conformance="B"' in xmp.stream.get_data()  # PDF/A-3b
    [attachment] = reader.attachments["certificate.json"]
    data: dict[str, Any] = json.loads(attachment)
    assert data == {"code": code, **snapshot}
    return data


def words(certificate: Certificate, folder: Path) -> str:
    """The text a reader copies out of the PDF, lines joined (a phrase may wrap)."""
    path = folder / f"c{certificate.pk}-text.pdf"
    path.write_bytes(_content(certificate))
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return " ".join(text.split())


def _content(certificate: Certificate) -> bytes:
    with certificate.pdf.open("rb") as handle:
        return handle.read()


#: The marks pdftotext puts around right-to-left runs (RLE … PDF) and any isolate left.
_BIDI_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
MM = 72 / 25.4
#: The seal's lowest point may come this close to the paper's edge, not closer.
EDGE = 6 * MM
#: Boxes may touch, not overlap by more than this (points): glyph boxes are font metrics.
TOUCH = 0.3


def pdf_lines(content: bytes) -> list[str]:
    """The lines pdftotext reads (in logical order), without its bidi marks."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(content)
        handle.flush()
        text = subprocess.run(
            ["pdftotext", handle.name, "-"], capture_output=True, text=True, check=True
        ).stdout
    return [" ".join(_BIDI_MARKS.sub("", line).split()) for line in text.splitlines()]


def pdf_text(content: bytes) -> str:
    """The text a reader copies out of the PDF, lines joined (a phrase may wrap)."""
    return " ".join(line for line in pdf_lines(content) if line)


def page_margins() -> tuple[float, float, float, float]:
    """The @page margins of certificate.css (top, right, bottom, left), in points."""
    from certificates.pdf import STYLESHEET

    css = STYLESHEET.read_text()
    match = re.search(r"@page\s*{[^}]*?margin:\s*([^;]+);", css)
    assert match, "certificate.css has no @page margin"
    values = [float(v.removesuffix("mm")) * MM for v in match.group(1).split()]
    # CSS shorthand: 1 value all sides, 2 vertical horizontal, 3 top horizontal bottom.
    expanded = {1: values * 4, 2: values * 2, 3: [*values, values[1]], 4: values}[len(values)]
    top, right, bottom, left = expanded
    return top, right, bottom, left


def _overlap(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return (
        min(a["x1"], b["x1"]) - max(a["x0"], b["x0"]) > TOUCH
        and min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]) > TOUCH
    )


def _where(box: dict[str, Any]) -> str:
    return f"{box.get('text', 'image')!r} at ({box['x0'] / MM:.1f}, {box['top'] / MM:.1f}) mm"


def layout_problems(content: bytes) -> list[str]:
    """Every collision on the pages, in words (empty when there is none): two words whose
    boxes overlap, a word over an image (the QR code, a logo), a box outside the page's
    margins or across the top of the bottom margin (which holds the seal alone), a page
    with nothing but the seal.

    Words are compared whole (pdfplumber's ``extract_words``): the glyphs of an Arabic word
    overlap one another once shaped (ligatures, marks), which is no collision, and its
    letters come in visual order, which does not matter for boxes."""
    import pdfplumber

    top, right, bottom, left = page_margins()
    problems = []
    with pdfplumber.open(io.BytesIO(content)) as document:
        for number, page in enumerate(document.pages, start=1):
            words = page.extract_words()
            images = list(page.images)
            foot = page.height - bottom
            body = [w for w in words if w["bottom"] <= foot]
            if not body:
                problems.append(f"page {number} holds only the seal")
            for box in [*words, *images]:
                inside = (
                    box["x0"] >= left - TOUCH
                    and box["x1"] <= page.width - right + TOUCH
                    and box["top"] >= top - TOUCH
                    and box["bottom"] <= page.height - EDGE
                )
                if not inside:
                    problems.append(f"page {number}: {_where(box)} outside the margins")
                elif box["top"] < foot - TOUCH < box["bottom"] - 2 * TOUCH:
                    problems.append(f"page {number}: {_where(box)} runs into the seal's margin")
            ordered = sorted(words, key=lambda w: w["top"])
            for i, word in enumerate(ordered):
                for other in ordered[i + 1 :]:
                    if other["top"] >= word["bottom"] - TOUCH:
                        break
                    if _overlap(word, other):
                        problems.append(f"page {number}: {_where(word)} overlaps {_where(other)}")
                for image in images:
                    if _overlap(word, image):
                        problems.append(f"page {number}: {_where(word)} overlaps an image")
    return problems


def rtl_text(content: bytes, font: str = "Amiri") -> str:
    """The right-to-left text of the pages (the glyphs of ``font``) in logical order, one
    right-aligned block after another. pdftotext cannot be trusted with Arabic: it splits a
    word where a non-joining letter leaves a gap ("مشار يع" for "مشاريع") and moves the
    words around a colon to the other end of the line. Here each line's glyphs are read
    from right to left, cut where a gap wider than 2 mm separates two cells, and the pieces
    that share a right edge (the lines of one right-aligned cell) are joined top to bottom.
    Digits come out reversed: for titles and names, not for numbers."""
    import pdfplumber

    blocks: list[str] = []
    with pdfplumber.open(io.BytesIO(content)) as document:
        for page in document.pages:
            lines: dict[int, list[dict[str, Any]]] = {}
            for char in page.chars:
                if font in char["fontname"]:
                    lines.setdefault(round(char["top"]), []).append(char)
            pieces: list[tuple[float, float, str]] = []  # right edge, top, text
            for top, chars in lines.items():
                chars.sort(key=lambda c: -c["x0"])
                cuts = [
                    i for i in range(1, len(chars)) if chars[i - 1]["x0"] - chars[i]["x1"] > 2 * MM
                ]
                for start, end in zip([0, *cuts], [*cuts, len(chars)], strict=True):
                    run = chars[start:end]
                    pieces.append((run[0]["x1"], float(top), "".join(c["text"] for c in run)))
            pieces.sort()
            column: list[tuple[float, float, str]] = []
            for piece in [*pieces, (float("inf"), 0.0, "")]:
                if column and piece[0] - column[-1][0] > 1 * MM:
                    column.sort(key=lambda line: line[1])
                    blocks.append(" ".join(" ".join(line[2] for line in column).split()))
                    column = []
                column.append(piece)
    return "\n".join(blocks)


_LATIN_RUN = re.compile(r"[0-9A-Za-z]+(?:[-/.,:][0-9A-Za-z]+)*/?")


def rtl_phrase(phrase: str) -> str:
    """A phrase as ``rtl_text`` reads it: its left-to-right runs (numbers, dates, codes)
    reversed, "1 ديسمبر 2026" as "1 ديسمبر 6202"."""
    return _LATIN_RUN.sub(lambda run: run.group()[::-1], phrase)
