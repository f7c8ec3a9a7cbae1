"""What a machine checks on any issued PDF: the hash, qpdf, the PDF/A-3b marks and metadata,
the embedded JSON, and the QR code read by zbarimg from the rendered page."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
from pathlib import Path
from typing import Any

from pypdf import PdfReader

from certificates.models import Certificate


def machine_checks(certificate: Certificate, folder: Path) -> dict[str, Any]:
    """Every check passed, or an AssertionError; returns the embedded JSON."""
    content = _content(certificate)
    assert hashlib.sha256(content).hexdigest() == certificate.sha256
    path = folder / f"c{certificate.pk}.pdf"
    path.write_bytes(content)
    qpdf = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert qpdf.returncode == 0, qpdf.stdout + qpdf.stderr
    stem = folder / f"c{certificate.pk}-page"
    last = str(len(PdfReader(io.BytesIO(content)).pages))  # the seal ends the document
    subprocess.run(
        ["pdftoppm", "-png", "-r", "110", "-f", last, "-l", last, str(path), str(stem)], check=True
    )
    page = next(folder.glob(f"c{certificate.pk}-page*.png"))
    qr = subprocess.run(
        ["zbarimg", "-q", "--raw", str(page)], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert qr.endswith(f"/verify/{certificate.code}/")
    reader = PdfReader(io.BytesIO(content))
    assert reader.metadata is not None
    assert certificate.code in str(reader.metadata.title)
    assert reader.metadata.author
    assert reader.metadata.subject
    assert reader.root_object.get("/Lang") == "fr"
    xmp = reader.xmp_metadata
    assert xmp is not None
    assert b'pdfaid:part="3" pdfaid:conformance="B"' in xmp.stream.get_data()  # PDF/A-3b
    [attachment] = reader.attachments["certificate.json"]
    data: dict[str, Any] = json.loads(attachment)
    assert data == {"code": certificate.code, **certificate.snapshot}
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
