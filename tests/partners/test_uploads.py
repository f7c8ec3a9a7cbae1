"""Uploaded files are judged by their content: bad ones get a clear message."""

from __future__ import annotations

import io

import pikepdf
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from core.uploads import check_image, check_pdf, safe_filename
from tests.factories.partners import (
    PDF_TRICKS,
    clean_pdf_bytes,
    pdf_bytes,
    pdf_upload,
    png_upload,
)

MB = 1024 * 1024


def codes(exc: pytest.ExceptionInfo[ValidationError]) -> list[str | None]:
    return [e.code for e in exc.value.error_list]


def test_a_real_png_passes_and_its_extension_comes_from_its_content():
    assert check_image(png_upload("logo.jpg"), max_bytes=MB) == "png"


def test_a_webp_and_a_jpeg_pass():
    assert check_image(png_upload("a.webp", fmt="WEBP"), max_bytes=MB) == "webp"
    assert check_image(png_upload("a.jpg", fmt="JPEG"), max_bytes=MB) == "jpg"


def test_a_text_file_named_png_is_not_an_image():
    upload = SimpleUploadedFile("logo.png", b"hello, I am text", content_type="image/png")
    with pytest.raises(ValidationError) as exc:
        check_image(upload, max_bytes=MB)
    assert codes(exc) == ["not_image"]


def test_a_gif_is_refused():
    buffer = io.BytesIO()
    Image.new("P", (8, 8)).save(buffer, format="GIF")
    with pytest.raises(ValidationError) as exc:
        check_image(SimpleUploadedFile("a.gif", buffer.getvalue()), max_bytes=MB)
    assert codes(exc) == ["not_image"]


def test_an_image_bomb_is_refused_without_being_decoded():
    # 10 000 × 10 000 pixels compress to a few kB of PNG.
    buffer = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(buffer, format="PNG")
    assert len(buffer.getvalue()) < MB
    with pytest.raises(ValidationError) as exc:
        check_image(SimpleUploadedFile("bomb.png", buffer.getvalue()), max_bytes=MB)
    assert codes(exc) == ["image_bomb"]


def test_an_empty_file_and_an_oversize_file_are_refused():
    with pytest.raises(ValidationError) as exc:
        check_image(SimpleUploadedFile("empty.png", b""), max_bytes=MB)
    assert codes(exc) == ["empty"]
    with pytest.raises(ValidationError) as exc:
        check_image(png_upload(size=(600, 600)), max_bytes=100)
    assert codes(exc) == ["too_large"]


def test_a_real_pdf_passes():
    check_pdf(pdf_upload(), max_bytes=MB)


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"GIF89a not a pdf at all", "not_pdf"),
        (b"%PDF-1.7\n this is broken beyond repair", "pdf_broken"),
        (pdf_bytes(encrypted=True), "pdf_encrypted"),
        (pdf_bytes(javascript=True), "pdf_active_content"),
    ],
    ids=["not-a-pdf", "broken", "encrypted", "javascript"],
)
def test_bad_pdfs_are_refused_with_their_reason(content, code):
    with pytest.raises(ValidationError) as exc:
        check_pdf(SimpleUploadedFile("x.pdf", content), max_bytes=MB)
    assert codes(exc) == [code]


def test_a_pdf_with_a_launch_action_is_refused():
    content = pdf_bytes().replace(
        b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /Launch /F (calc.exe) >>"
    )
    with pytest.raises(ValidationError) as exc:
        check_pdf(SimpleUploadedFile("x.pdf", content), max_bytes=MB)
    assert codes(exc)[0] in {"pdf_active_content", "pdf_broken"}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\convention.pdf", "convention.pdf"),
        ("con\x00ven\x1ftion.pdf", "convention.pdf"),
        ("a" * 300 + ".pdf", "a" * 116 + ".pdf"),
        ("...", "file"),
    ],
)
def test_file_names_lose_paths_control_characters_and_excess_length(name, expected):
    assert safe_filename(name) == expected


# --- PDFs are judged by parsing them (qpdf), every object of the file --------------------------
def test_a_clean_pdf_with_a_web_link_and_an_opening_page_passes():
    check_pdf(SimpleUploadedFile("cv.pdf", clean_pdf_bytes()), max_bytes=MB)


FOUND = {
    "annotation-additional-action": "/AA",
    "document-additional-action": "/AA",
    "embedded-file": "/EmbeddedFiles",
    "embedded-go-to": "/GoToE",
    "escaped-javascript-name": "/JS",
    "escaped-launch-name": "/Launch",
    "file-attachment-annotation": "/FileAttachment",
    "form-field-additional-action": "/AA",
    "import-data": "/ImportData",
    "javascript-in-object-stream": "/JavaScript",
    "open-action-chain": "/OpenAction",
    "open-action-launch": "/OpenAction",
    "page-additional-action": "/AA",
    "remote-go-to": "/GoToR",
    "rich-media": "/RichMedia",
    "submit-form": "/SubmitForm",
    "unreferenced-javascript-object": "/JS",
    "xfa-form": "/XFA",
}


@pytest.mark.parametrize("trick", sorted(PDF_TRICKS))
def test_a_pdf_with_active_content_is_refused_whatever_the_trick(trick):
    content = PDF_TRICKS[trick]()
    # A valid file, read without repair: the check finds the trick, not a broken file.
    with pikepdf.open(io.BytesIO(content), suppress_warnings=False) as pdf:
        assert len(pdf.pages) == 1
        assert pdf.get_warnings() == []
    with pytest.raises(ValidationError) as exc:
        check_pdf(SimpleUploadedFile("x.pdf", content), max_bytes=MB)
    assert codes(exc) == ["pdf_active_content"]
    with translation.override("fr"):
        message = exc.value.messages[0]
    assert "scripts ou des actions" in message
    assert f"({FOUND[trick]})" in message


def test_the_escaped_names_are_in_the_file_as_written():
    assert b"/Java#53cript" in PDF_TRICKS["escaped-javascript-name"]()
    assert b"/Laun#63h" in PDF_TRICKS["escaped-launch-name"]()


def test_a_pdf_encrypted_with_an_owner_password_only_is_refused():
    pdf = pikepdf.Pdf.new()
    pdf.add_blank_page()
    buffer = io.BytesIO()
    pdf.save(buffer, encryption=pikepdf.Encryption(owner="owner", user=""))
    with pytest.raises(ValidationError) as exc:
        check_pdf(SimpleUploadedFile("x.pdf", buffer.getvalue()), max_bytes=MB)
    assert codes(exc) == ["pdf_encrypted"]


def test_a_truncated_pdf_is_refused_as_damaged():
    content = clean_pdf_bytes()
    with pytest.raises(ValidationError) as exc:
        check_pdf(SimpleUploadedFile("x.pdf", content[: len(content) // 3]), max_bytes=MB)
    assert codes(exc) in (["pdf_broken"], ["pdf_active_content"])
