"""Checks of uploaded files by their content, shared by every app that takes uploads.

A file is judged by what it is, never by its name or the type the browser claims: an image
must open with Pillow as PNG, JPEG or WebP within a pixel budget (no decompression bombs); a
PDF must parse, must not be encrypted and must carry no JavaScript or launch action.
"""

from __future__ import annotations

import io
import re
import unicodedata
import uuid
import warnings
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.storage import Storage, storages
from django.core.files.uploadedfile import UploadedFile
from django.core.signals import setting_changed
from django.db.models.fields.files import FieldFile
from django.dispatch import receiver
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.utils.functional import LazyObject, empty
from django.utils.translation import gettext_lazy as _
from PIL import Image

IMAGE_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}
MAX_IMAGE_PIXELS = 40_000_000
PDF_FORBIDDEN = (b"/JavaScript", b"/JS", b"/Launch", b"/EmbeddedFile", b"/RichMedia")


def check_size(upload: UploadedFile, *, max_bytes: int) -> None:
    if upload.size is None or upload.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    if upload.size > max_bytes:
        raise ValidationError(
            _("The file is too large (%(size)s); the limit is %(limit)s."),
            code="too_large",
            params={"size": filesizeformat(upload.size), "limit": filesizeformat(max_bytes)},
        )


def _read(upload: UploadedFile) -> bytes:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return data


def check_image(upload: UploadedFile, *, max_bytes: int) -> str:
    """Return the file extension matching the real format, or raise ValidationError."""
    check_size(upload, max_bytes=max_bytes)
    data = _read(upload)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                fmt = image.format or ""
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise ValidationError(_("The image has too many pixels."), code="image_bomb")
                image.verify()
    except ValidationError:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise ValidationError(_("The image has too many pixels."), code="image_bomb") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(
            _("The file is not an image (PNG, JPEG or WebP)."), code="not_image"
        ) from exc
    if fmt not in IMAGE_FORMATS:
        raise ValidationError(_("The file is not an image (PNG, JPEG or WebP)."), code="not_image")
    return IMAGE_FORMATS[fmt]


def check_pdf(upload: UploadedFile, *, max_bytes: int) -> None:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    check_size(upload, max_bytes=max_bytes)
    data = _read(upload)
    if not data.lstrip()[:5] == b"%PDF-":
        raise ValidationError(_("The file is not a PDF document."), code="not_pdf")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise ValidationError(
                _("The PDF is protected by a password; upload an unprotected copy."),
                code="pdf_encrypted",
            )
        pages = len(reader.pages)
        root: Any = reader.trailer["/Root"]
        names = root.get("/Names", {}) if hasattr(root, "get") else {}
        has_js = "/JavaScript" in names or ("/OpenAction" in root and _is_js(root["/OpenAction"]))
    except ValidationError:
        raise
    except (PdfReadError, KeyError, ValueError, TypeError, AttributeError, OSError) as exc:
        raise ValidationError(
            _("The PDF is damaged and cannot be read."), code="pdf_broken"
        ) from exc
    if pages == 0:
        raise ValidationError(_("The PDF has no page."), code="pdf_broken")
    # The parsed tree catches the common cases; the raw scan catches actions hidden in
    # streams or annotations that a reader would still run.
    if has_js or any(re.search(re.escape(token) + rb"[\s/<(\[]", data) for token in PDF_FORBIDDEN):
        raise ValidationError(
            _("The PDF contains scripts or actions; export it again as a plain PDF."),
            code="pdf_active_content",
        )


def _is_js(action: object) -> bool:
    try:
        resolved = action.get_object()  # type: ignore[attr-defined]
        return bool(resolved.get("/S") in ("/JavaScript", "/Launch"))
    except AttributeError:
        return False


def safe_filename(name: str, *, max_length: int = 120) -> str:
    """A display name without path, control characters or excessive length."""
    base = PurePath(name.replace("\\", "/")).name
    base = "".join(
        ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch)[0] != "C"
    )
    base = base.strip().strip(".") or "file"
    if len(base) > max_length:
        stem, dot, ext = base.rpartition(".")
        ext = ext[:10] if dot else ""
        base = (stem if dot else base)[: max_length - len(ext) - 1] + (f".{ext}" if ext else "")
    return base


class _PrivateStorage(LazyObject):
    """The ``private`` storage of STORAGES, looked up when used (so tests may move it)."""

    def _setup(self) -> None:
        self._wrapped = storages["private"]


private_storage = _PrivateStorage()


@receiver(setting_changed)
def _reset_private_storage(*, setting: str, **kwargs: object) -> None:
    if setting == "STORAGES":
        private_storage._wrapped = empty  # type: ignore[assignment]


def get_private_storage() -> Storage:
    """For ``FileField(storage=get_private_storage)``: files outside any public URL."""
    return private_storage  # type: ignore[return-value]


def random_name(folder: str, extension: str) -> str:
    """Storage name: a random one, so no uploaded name ever reaches the file system."""
    return f"{folder}/{uuid.uuid4().hex}.{extension}"


def private_file_response(file: FieldFile, *, filename: str, content_type: str) -> FileResponse:
    """Serve a private file to someone a view has already authorised: as a download,
    never cached by a shared cache, never sniffed into another type; 404 if it is gone."""
    try:
        handle = file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, content_type=content_type, as_attachment=True, filename=filename
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
