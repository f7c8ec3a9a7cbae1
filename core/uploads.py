"""Checks of uploaded files by their content, shared by every app that takes uploads.

A file is judged by what it is, never by its name or the type the browser claims: an image
must open with Pillow as PNG, JPEG or WebP within a pixel budget (no decompression bombs); a
PDF must parse (qpdf: names decoded, object streams expanded), must not be encrypted and must
carry no active content in any of its objects: scripts, actions that launch, submit, import
or leave the document, additional or opening actions, embedded files, XFA forms, rich media.
"""

from __future__ import annotations

import io
import unicodedata
import uuid
import warnings
import zipfile
from collections.abc import Iterable
from pathlib import PurePath

import pikepdf
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
    """A PDF that parses (qpdf, through pikepdf), is not encrypted, has a page and carries
    no active content anywhere in the file (see ``pdf_active_content``)."""
    check_size(upload, max_bytes=max_bytes)
    data = _read(upload)
    if not data.lstrip()[:5] == b"%PDF-":
        raise ValidationError(_("The file is not a PDF document."), code="not_pdf")
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            if pdf.is_encrypted:
                raise _encrypted()
            pages = len(pdf.pages)
            found = pdf_active_content(pdf)
    except pikepdf.PasswordError as exc:
        raise _encrypted() from exc
    except ValidationError:
        raise
    except (pikepdf.PdfError, pikepdf.ForeignObjectError, ValueError, TypeError, KeyError,
            RecursionError, OSError) as exc:  # fmt: skip
        raise ValidationError(
            _("The PDF is damaged and cannot be read."), code="pdf_broken"
        ) from exc
    if pages == 0:
        raise ValidationError(_("The PDF has no page."), code="pdf_broken")
    if found:
        raise ValidationError(
            _(
                "The PDF contains scripts or actions (%(what)s); export it again as a plain "
                "PDF (for example with “Print to PDF”)."
            ),
            code="pdf_active_content",
            params={"what": found},
        )


# Office documents: OOXML (Word, Excel, PowerPoint) and OpenDocument files are ZIP archives.
# The main part names the kind; macro-enabled variants, macros (VBA, Basic, scripts),
# encrypted members and archives that would inflate past the limits are refused.
OFFICE_MAIN_PARTS = {
    "word/document.xml": "docx",
    "xl/workbook.xml": "xlsx",
    "ppt/presentation.xml": "pptx",
}
OPENDOCUMENT_TYPES = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
    b"application/vnd.oasis.opendocument.presentation": "odp",
}
OFFICE_CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
}
OFFICE_MAX_MEMBERS = 2_000
OFFICE_MAX_UNCOMPRESSED = 200 * 1000 * 1000
OFFICE_MAX_RATIO = 200  # for each member larger than 1 MiB once inflated
_MACRO_MARKERS = ("vbaproject.bin", "vbadata.xml", "basic/", "scripts/", "macros/")


def check_office(upload: UploadedFile, *, max_bytes: int) -> str:
    """Return the extension of an office document judged by its content (docx, xlsx, pptx,
    odt, ods, odp), or raise ValidationError. Only the archive's directory is read: nothing
    is inflated except the ODF ``mimetype`` member (a few bytes)."""
    check_size(upload, max_bytes=max_bytes)
    data = _read(upload)
    not_office = ValidationError(
        _("The file is not an office document (Word, Excel, PowerPoint or OpenDocument)."),
        code="not_office",
    )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise not_office from exc
    if (
        len(members) > OFFICE_MAX_MEMBERS
        or sum(m.file_size for m in members) > (OFFICE_MAX_UNCOMPRESSED)
        or any(
            m.file_size > 1024 * 1024 and m.file_size > OFFICE_MAX_RATIO * max(m.compress_size, 1)
            for m in members
        )
    ):
        raise ValidationError(
            _("The document would be too large once uncompressed."), code="office_bomb"
        )
    if any(m.flag_bits & 0x1 for m in members):
        raise ValidationError(
            _("The document is protected by a password; upload an unprotected copy."),
            code="office_encrypted",
        )
    names = {m.filename for m in members}
    lowered = [name.lower() for name in names]
    if any(marker in name for name in lowered for marker in _MACRO_MARKERS):
        raise ValidationError(
            _("The document contains macros; save it again without them."), code="office_macros"
        )
    if "[Content_Types].xml" in names:
        for part, extension in OFFICE_MAIN_PARTS.items():
            if part in names:
                return extension
        raise not_office
    if members and members[0].filename == "mimetype" and members[0].file_size < 100:
        try:
            kind = archive.read(members[0]).strip()
        except (zipfile.BadZipFile, OSError, ValueError, RuntimeError) as exc:
            raise not_office from exc
        if kind in OPENDOCUMENT_TYPES:
            return OPENDOCUMENT_TYPES[kind]
    raise not_office


def check_document(upload: UploadedFile, *, max_bytes: int, refused: ValidationError) -> str:
    """The extension of a shared document judged by its content — a PDF, an office document
    or an image — or a ValidationError: what ``check_pdf``, ``check_office`` or
    ``check_image`` found wrong, or ``refused`` (its own message) for any other type."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.lstrip().startswith(b"%PDF-"):
        check_pdf(upload, max_bytes=max_bytes)
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return check_office(upload, max_bytes=max_bytes)
    try:
        return check_image(upload, max_bytes=max_bytes)
    except ValidationError as exc:
        if exc.code != "not_image":
            raise
        raise refused from exc


def _encrypted() -> ValidationError:
    return ValidationError(
        _("The PDF is protected by a password; upload an unprotected copy."),
        code="pdf_encrypted",
    )


# Keys whose mere presence means content a reader runs, opens or sends: JavaScript (name
# tree and actions), additional actions (document, page, annotation, form field), embedded
# files (name tree, file specifications), XFA forms, rich media.
PDF_FORBIDDEN_KEYS = frozenset(
    {"/JavaScript", "/JS", "/AA", "/EmbeddedFiles", "/EmbeddedFile", "/EF", "/XFA",
     "/RichMediaContent", "/RichMediaSettings", "/Launch"}
)  # fmt: skip
# Action types (/S) that run something, leave the document or send data.
PDF_FORBIDDEN_ACTIONS = frozenset(
    {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToR", "/GoToE",
     "/RichMediaExecute", "/Rendition"}
)  # fmt: skip
PDF_FORBIDDEN_SUBTYPES = frozenset({"/FileAttachment", "/RichMedia", "/Movie", "/Sound", "/3D"})
PDF_FORBIDDEN_TYPES = frozenset({"/EmbeddedFile"})


def pdf_active_content(pdf: pikepdf.Pdf) -> str:
    """The first active content found in any object of the file (every object qpdf read,
    those inside compressed object streams and those nothing references included), or "".

    Names are compared as qpdf decoded them (``/Java#53cript`` is ``/JavaScript``). Each
    indirect object is visited once from ``pdf.objects``; its direct sub-objects are walked
    here, so a dictionary nested in an array in a page is seen too."""
    containers = (
        pikepdf.ObjectType.dictionary,
        pikepdf.ObjectType.array,
        pikepdf.ObjectType.stream,
    )
    for top in pdf.objects:
        stack = [top]
        while stack:
            obj = stack.pop()
            if not isinstance(obj, pikepdf.Object):
                continue  # numbers, booleans and null come back as Python values
            kind = obj._type_code
            if kind == pikepdf.ObjectType.stream:
                obj, kind = obj.stream_dict, pikepdf.ObjectType.dictionary
            if kind == pikepdf.ObjectType.dictionary:
                found = _forbidden_in(obj)
                if found:
                    return found
                children: Iterable[object] = obj.values()
            elif kind == pikepdf.ObjectType.array:
                children = obj
            else:
                continue
            # Indirect children are objects of pdf.objects themselves: visited on their turn.
            stack.extend(
                child
                for child in children
                if isinstance(child, pikepdf.Object)
                and child._type_code in containers
                and not child.is_indirect
            )
    return ""


def _forbidden_in(dictionary: pikepdf.Object) -> str:
    keys = set(dictionary.keys())
    forbidden = keys & PDF_FORBIDDEN_KEYS
    if forbidden:
        return min(forbidden)
    for key, names in (
        ("/S", PDF_FORBIDDEN_ACTIONS),
        ("/Subtype", PDF_FORBIDDEN_SUBTYPES),
        ("/Type", PDF_FORBIDDEN_TYPES),
    ):
        value = dictionary.get(key) if key in keys else None
        if isinstance(value, pikepdf.Name) and str(value) in names:
            return str(value)
    if "/OpenAction" in keys and not _harmless_open_action(dictionary["/OpenAction"]):
        return "/OpenAction"
    return ""


def _harmless_open_action(action: object) -> bool:
    """Opening at a page (a destination, or a GoTo action without a chain) is what word
    processors write; any other action run at opening is refused."""
    if isinstance(action, str):
        return True  # a named destination, as a Python string
    if not isinstance(action, pikepdf.Object):
        return False
    kind = action._type_code
    if kind in (pikepdf.ObjectType.array, pikepdf.ObjectType.name_, pikepdf.ObjectType.string):
        return True
    if kind == pikepdf.ObjectType.dictionary:
        return bool(action.get("/S") == pikepdf.Name.GoTo and "/Next" not in action)
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


DOWNLOAD_EXTENSIONS = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/webp": "webp",
    "application/zip": "zip",
    **{content_type: extension for extension, content_type in OFFICE_CONTENT_TYPES.items()},
}


def download_name(filename: str, content_type: str) -> str:
    """The name a download is saved under: the server's stem, cleaned, and the extension of
    the type stored with the file (checked by content at upload), whatever the name has."""
    stem = safe_filename(filename).split(".", 1)[0] or "file"
    return f"{stem}.{DOWNLOAD_EXTENSIONS.get(content_type, 'bin')}"


def private_file_response(file: FieldFile, *, filename: str, content_type: str) -> FileResponse:
    """Serve a private file to someone a view has already authorised: as a download named
    by ``download_name``, never cached by a shared cache, never sniffed into another type;
    404 if it is gone."""
    try:
        handle = file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        content_type=content_type,
        as_attachment=True,
        filename=download_name(filename, content_type),
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
