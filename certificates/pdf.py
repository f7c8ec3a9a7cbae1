"""Rendering: snapshot → HTML → PDF/A-3b bytes, with the data embedded as JSON.

Plain functions, testable without Celery. The stylesheet and the font configuration are
parsed once per process and reused, which is most of what makes a batch fast. The templates
read the snapshot as documents.py writes it; ``issuer`` and ``signatories`` fall back on what
an older snapshot held (the programme's issuer names and signatory lines), so a document
issued before them renders again."""

from __future__ import annotations

import base64
import json
import mimetypes
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import pydyf
import segno
from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from weasyprint import CSS, HTML, Attachment
from weasyprint.text.fonts import FontConfiguration

TEMPLATE_VERSION = "3"
#: The deflate level of the PDF streams (see _fast_deflate).
DEFLATE_LEVEL = 1
STYLESHEET = Path(settings.BASE_DIR) / "templates" / "certificates" / "pdf" / "certificate.css"

#: The title of each kind in French, Arabic and English (the English edition, for a foreign
#: employer, prints English first and French beside it).
TITLES: dict[str, dict[str, str]] = {
    "enrollment": {
        "fr": "Attestation d'inscription",
        "ar": "شهادة تسجيل",
        "en": "Certificate of enrolment",
    },
    "transcript": {
        "fr": "Relevé de notes semestriel",
        "ar": "كشف النقاط السداسي",
        "en": "Semester transcript of records",
    },
    "cumulative-transcript": {
        "fr": "Relevé de notes cumulatif",
        "ar": "كشف النقاط التراكمي",
        "en": "Cumulative transcript of records",
    },
    "success": {
        "fr": "Attestation provisoire de succès",
        "ar": "شهادة النجاح المؤقتة",
        "en": "Provisional certificate of success",
    },
    "module": {
        "fr": "Certificat de module",
        "ar": "شهادة متابعة مادة",
        "en": "Module certificate",
    },
    "jury-record": {
        "fr": "Procès-verbal de délibération",
        "ar": "محضر المداولات",
        "en": "Record of the jury's deliberation",
    },
}


@lru_cache(maxsize=1)
def _fonts() -> FontConfiguration:
    return FontConfiguration()


@lru_cache(maxsize=1)
def _stylesheet() -> CSS:
    return CSS(filename=str(STYLESHEET), font_config=_fonts())


def verify_url(code: str) -> str:
    return f"{settings.SITE_URL}/verify/{code}/"


def qr_data_uri(url: str) -> str:
    """A small PNG (3 pixels a module), drawn 26 mm wide without smoothing: it costs next to
    nothing to lay out, where the SVG QR code cost about 15 ms a page to parse and draw. It
    decodes from 60 to 300 dpi renderings (checked with zbarimg). The mask is fixed: every
    mask is valid and decodes alike, and choosing the "best" of eight cost 4 of its 6 ms."""
    return str(segno.make(url, error="m", mask=0).png_data_uri(scale=3, border=2))


#: How a PNG and a JPEG file begin: a logo is printed only if its content is one of them.
_IMAGE_SIGNATURES = {"image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff"}


def logo_data_uri(name: str) -> str:
    """A logo (the issuer's, a partner's), read through the default storage (local or S3)
    and inlined; an empty string when it is missing, too large, or not a PNG or JPEG (by
    its name and its content), and nothing is printed in its place."""
    if not name:
        return ""
    kind = mimetypes.guess_type(name)[0]
    if kind not in _IMAGE_SIGNATURES:
        return ""
    try:
        with default_storage.open(name, "rb") as handle:
            content = handle.read(2 * 1024 * 1024 + 1)
    except (OSError, ValueError, SuspiciousFileOperation):
        return ""
    if len(content) > 2 * 1024 * 1024 or not content.startswith(_IMAGE_SIGNATURES[kind]):
        return ""
    return f"data:{kind};base64,{base64.b64encode(content).decode()}"


def edition(snapshot: dict[str, Any]) -> str:
    """ "fr" (French and Arabic, the default) or "en" (English, with French beside it, for a
    foreign employer). The jury record is an internal record: always French and Arabic."""
    if snapshot.get("kind") == "jury-record":
        return "fr"
    return "en" if snapshot.get("edition") == "en" else "fr"


def issuer(snapshot: dict[str, Any]) -> dict[str, str]:
    """Who issues the document, as the snapshot says (``data.issuer``), or as an older
    snapshot said it (the programme's issuer names only)."""
    programme = snapshot.get("programme", {})
    given = snapshot.get("issuer") or {}
    keys = ("name_fr", "name_ar", "name_en", "legal_basis_fr", "legal_basis_ar")
    found = {key: str(given.get(key) or "") for key in (*keys, "address_fr", "address_ar")}
    found["name_fr"] = found["name_fr"] or str(programme.get("issuer_fr") or "")
    found["name_ar"] = found["name_ar"] or str(programme.get("issuer_ar") or "")
    found["logo"] = str(given.get("logo") or "")
    return found


def signatories(snapshot: dict[str, Any]) -> list[dict[str, str]]:
    """The signatories in order, as the snapshot lists them (``data.signatories``), or from
    an older snapshot's lines "name — title" (a line without a dash is a title alone)."""
    keys = ("name_fr", "name_ar", "title_fr", "title_ar", "title_en")
    given = snapshot.get("signatories")
    if given is not None:
        return [{key: str(person.get(key) or "") for key in keys} for person in given]
    people = []
    for line in snapshot.get("programme", {}).get("signatories", []):
        name, _dash, title = str(line).rpartition(" — ")
        people.append(
            dict.fromkeys(keys, "") | {"name_fr": name.strip(), "title_fr": title.strip()}
        )
    return people


def render_html(snapshot: dict[str, Any], code: str) -> str:
    kind = snapshot["kind"]
    url = verify_url(code)
    data_issuer = issuer(snapshot)
    language = edition(snapshot)
    return render_to_string(
        f"certificates/pdf/{kind}.html",
        {
            "data": snapshot,
            "code": code,
            "verify_url": url,
            "qr": qr_data_uri(url),
            "edition": language,
            "en": language == "en",
            "title": TITLES[kind],
            "issuer": data_issuer,
            "issuer_logo": logo_data_uri(data_issuer["logo"]),
            "signatories": signatories(snapshot),
            "logos": [
                uri
                for p in snapshot.get("partners", [])
                if (uri := logo_data_uri(p.get("logo", "")))
            ],
        },
    )


def render_pdf(snapshot: dict[str, Any], code: str) -> bytes:
    """The PDF of a certificate: PDF/A-3b, metadata set, the printed data attached as JSON."""
    html = HTML(string=render_html(snapshot, code), base_url=str(settings.BASE_DIR))
    payload = json.dumps({"code": code, **snapshot}, ensure_ascii=False, sort_keys=True)
    attachment = Attachment(
        string=payload,
        name="certificate.json",
        description="Data printed on this certificate",
        relationship="Data",
    )
    document = html.render(font_config=_fonts(), stylesheets=[_stylesheet()])
    language = edition(snapshot)
    document.metadata.title = f"{TITLES[snapshot['kind']][language]} — {code}"
    document.metadata.authors = [issuer(snapshot)["name_fr"]]
    document.metadata.description = snapshot["programme"]["title_fr"]
    document.metadata.lang = language
    with _fast_deflate():
        return bytes(document.write_pdf(pdf_variant="pdf/a-3b", attachments=[attachment]))


class _DeflateAt:
    """``zlib`` as pydyf uses it, with another compression level."""

    def __init__(self, level: int) -> None:
        self.level = level
        self.compress = zlib.compress

    def compressobj(self, level: int = 9, **kwargs: Any) -> Any:
        return zlib.compressobj(level=self.level)


@contextmanager
def _fast_deflate() -> Iterator[None]:
    """pydyf (WeasyPrint's PDF writer) deflates every stream at level 9, which it offers no
    option to change. At level 1 a certificate is written 12 ms faster (of about 60 ms of
    CPU) for 6 % more bytes (43.8 KB instead of 41.2 KB): worth it for batches of a
    thousand. Only while our own documents are written (a worker renders one at a time)."""
    previous = pydyf.zlib
    pydyf.zlib = _DeflateAt(DEFLATE_LEVEL)
    try:
        yield
    finally:
        pydyf.zlib = previous


SAMPLE = {
    "kind": "enrollment",
    "holder": {
        "registration_number": "MCRT-0000-0000",
        "surname_latin": "Exemple",
        "given_names_latin": "Nom",
        "surname_ar": "مثال",
        "given_names_ar": "اسم",
        "born": {"presumed_year": 2000},
        "birth_place_latin": "Alger",
        "birth_place_ar": "الجزائر",
    },
    "programme": {
        "title_fr": "Master",
        "title_ar": "ماستر",
        "cohort_fr": "Promotion",
        "cohort_ar": "دفعة",
        "issuer_fr": "TEMA",
        "issuer_ar": "تيما",
        "signatories": ["Directeur"],
    },
    "level": "M1",
    "academic_year": "2000-2001",
    "issued_on": "2000-01-01",
    "place_fr": "Alger",
    "place_ar": "الجزائر",
}


def warm_up() -> None:
    """Render a sample once, so that a fresh worker process has its fonts, stylesheet and
    templates loaded before the first real certificate (called on ``worker_process_init``)."""
    render_pdf(SAMPLE, "0000-0000-0000-00")
