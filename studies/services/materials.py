"""Materials of a module offering (#14): sections (titles in French, Arabic, English) holding
links and files, in the order their lecturers give them. A module's lecturers and the
coordinators manage them; the active students of the offering's cohort read them.

A file is checked by its content (``core.uploads``): a PDF without active content, an image
(PNG, JPEG, WebP) or an office document without macros, at most ``MATERIAL_MAX_BYTES``. A new
file for a material is its next version: the earlier ones are kept (and still downloadable),
the newest is the one shown. A file is stored only once its check passed, and removed again if
the row that names it is not written.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from accounts.models import User
from core.uploads import (
    OFFICE_CONTENT_TYPES,
    check_document,
    private_storage,
    random_name,
    safe_filename,
)
from studies.models import Material, MaterialSection, MaterialVersion, Offering
from studies.services.timetable import may_teach

#: Under the request limit (``REQUEST_MAX_BYTES``, 32 MB) so that the form can say it.
MATERIAL_MAX_BYTES = 30 * 1024 * 1024
MATERIAL_FOLDER = "materials"
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "webp": "image/webp",
    **OFFICE_CONTENT_TYPES,
}
UP, DOWN = "up", "down"


def may_manage(user: User, offering: Offering) -> bool:
    """A coordinator, or a lecturer of the offering."""
    return may_teach(user, offering)


def _require(actor: User, offering: Offering) -> None:
    if not may_manage(actor, offering):
        raise PermissionDenied


# --- Sections ----------------------------------------------------------------------------------
def section_save(
    *,
    actor: User,
    offering: Offering,
    title_fr: str,
    title_ar: str = "",
    title_en: str = "",
    section: MaterialSection | None = None,
) -> MaterialSection:
    """Create a section (placed last) or rename ``section``."""
    _require(actor, offering)
    with transaction.atomic():
        if section is None:
            last = MaterialSection.objects.filter(offering=offering).aggregate(n=Max("position"))
            section = MaterialSection(offering=offering, position=(last["n"] or 0) + 1)
        elif section.offering_id != offering.pk:
            raise PermissionDenied
        section.title_fr = title_fr.strip()
        section.title_ar = title_ar.strip()
        section.title_en = title_en.strip()
        section.full_clean()
        section.save()
    return section


def section_delete(*, actor: User, section: MaterialSection) -> None:
    """Delete a section with its materials and every version of their files."""
    _require(actor, section.offering)
    with transaction.atomic():
        names = list(
            MaterialVersion.objects.filter(material__section=section).values_list("file", flat=True)
        )
        section.delete()
        _remove_after_commit(names)


def section_move(*, actor: User, section: MaterialSection, direction: str) -> None:
    """Swap a section with its neighbour above (``up``) or below (``down``)."""
    _require(actor, section.offering)
    with transaction.atomic():
        siblings = list(
            MaterialSection.objects.select_for_update()
            .filter(offering_id=section.offering_id)
            .order_by("position", "pk")
        )
        _swap(siblings, section.pk, direction)


# --- Materials ---------------------------------------------------------------------------------
def file_check(upload: UploadedFile) -> str:
    """The extension of an allowed file, judged by its content; a ValidationError on the
    ``file`` field otherwise."""
    refused = ValidationError(
        _(
            "This type of file cannot be shared: a PDF, an image (PNG, JPEG, WebP) "
            "or an office document (Word, Excel, PowerPoint, OpenDocument) can."
        ),
        code="material_type",
    )
    try:
        return check_document(upload, max_bytes=MATERIAL_MAX_BYTES, refused=refused)
    except ValidationError as exc:
        raise ValidationError({"file": exc}) from exc


def material_add(
    *,
    actor: User,
    section: MaterialSection,
    title: str,
    url: str = "",
    upload: UploadedFile | None = None,
) -> Material:
    """A link (``url``) or a file (``upload``, its first version), placed last in its section."""
    _require(actor, section.offering)
    url = url.strip()
    if bool(url) == (upload is not None):
        raise ValidationError(_("Give either an address or a file."))
    extension = file_check(upload) if upload is not None else ""
    stored = ""
    saved = False
    try:
        with transaction.atomic():
            MaterialSection.objects.select_for_update().filter(pk=section.pk).get()
            last = Material.objects.filter(section=section).aggregate(n=Max("position"))
            material = Material(
                section=section,
                kind=Material.Kind.LINK if url else Material.Kind.FILE,
                title=title.strip(),
                url=url,
                position=(last["n"] or 0) + 1,
                added_by=actor,
            )
            material.full_clean()
            material.save()
            if upload is not None:
                stored = _store_version(material, actor=actor, upload=upload, extension=extension)
        saved = True
    finally:
        if stored and not saved:
            private_storage.delete(stored)
    return material


def material_version_add(
    *, actor: User, material: Material, upload: UploadedFile
) -> MaterialVersion:
    """The next version of a file material; the earlier ones are kept."""
    _require(actor, material.section.offering)
    if material.kind != Material.Kind.FILE:
        raise ValidationError({"file": _("A link has no file to replace.")})
    extension = file_check(upload)
    stored = ""
    saved = False
    try:
        with transaction.atomic():
            # The material's row is the lock: two uploads at once get numbers n+1 and n+2.
            Material.objects.select_for_update().filter(pk=material.pk).get()
            stored = _store_version(material, actor=actor, upload=upload, extension=extension)
        saved = True
    finally:
        if stored and not saved:
            private_storage.delete(stored)
    return material.versions.get(file=stored)


def _store_version(material: Material, *, actor: User, upload: UploadedFile, extension: str) -> str:
    last = material.versions.aggregate(n=Max("number"))["n"] or 0
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    stored = private_storage.save(random_name(MATERIAL_FOLDER, extension), upload)
    version = MaterialVersion(
        material=material,
        number=last + 1,
        filename=safe_filename(upload.name or f"file.{extension}"),
        size=upload.size or 0,
        sha256=digest.hexdigest(),
        uploaded_by=actor,
    )
    version.file.name = stored
    version.full_clean()
    version.save()
    return stored


def material_delete(*, actor: User, material: Material) -> None:
    """Delete a material and every version of its file."""
    _require(actor, material.section.offering)
    with transaction.atomic():
        names = list(material.versions.values_list("file", flat=True))
        material.delete()
        _remove_after_commit(names)


def material_move(*, actor: User, material: Material, direction: str) -> None:
    """Swap a material with its neighbour above (``up``) or below (``down``) in its section."""
    _require(actor, material.section.offering)
    with transaction.atomic():
        siblings = list(
            Material.objects.select_for_update()
            .filter(section_id=material.section_id)
            .order_by("position", "pk")
        )
        _swap(siblings, material.pk, direction)


def content_type(version: MaterialVersion) -> str:
    """The type of a stored version, from the extension its check gave it."""
    extension = (version.file.name or "").rsplit(".", 1)[-1].lower()
    return CONTENT_TYPES.get(extension, "application/octet-stream")


# --- Helpers -----------------------------------------------------------------------------------
def _swap(rows: Sequence[MaterialSection | Material], pk: int, direction: str) -> None:
    """Renumber ``rows`` 1..n in their order with the row ``pk`` moved one place; nothing
    moves past the first or the last place."""
    if direction not in (UP, DOWN):
        raise ValidationError(_("Move a row up or down."))
    ordered = list(rows)
    index = next(i for i, row in enumerate(ordered) if row.pk == pk)
    other = index - 1 if direction == UP else index + 1
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, row in enumerate(ordered, start=1):
        if row.position != position:
            type(row).objects.filter(pk=row.pk).update(position=position)


def _remove_after_commit(names: list[str]) -> None:
    def remove() -> None:
        for name in names:
            private_storage.delete(name)

    transaction.on_commit(remove)
