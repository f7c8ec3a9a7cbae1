"""File storage that never leaves a partial file, and the sweep of files no row names.

Django's ``FileSystemStorage`` writes straight into the final name: a full disk, a killed
worker or an exception half-way leaves a truncated file there, and the retry is stored
beside it as ``NAME_xxxxxxx.pdf``. Here every file is written to a hidden temporary name
in the same folder, flushed to disk, and only then linked (or renamed) into place; a
failure removes the temporary file, so a name is either absent or complete.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core.files.base import ContentFile, File
from django.core.files.storage import FileSystemStorage, Storage
from django.db import models, transaction
from django.utils.functional import LazyObject, empty

logger = logging.getLogger(__name__)

TEMP_PREFIX = ".partial-"


class AtomicFileSystemStorage(FileSystemStorage):
    """``save`` keeps Django's rule (a new name when the name is taken); ``replace`` writes
    the given name whatever is there, for a file whose name is its identity (a certificate's
    code: a retry must write the same name)."""

    def _write_temporary(self, name: str, content: File) -> str:
        full_path = self.path(name)
        directory = os.path.dirname(full_path)
        os.makedirs(directory, exist_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=directory)
        try:
            with os.fdopen(fd, "wb") as out:
                if hasattr(content, "seek") and not getattr(content, "closed", False):
                    with contextlib.suppress(AttributeError, OSError, ValueError):
                        content.seek(0)
                for chunk in content.chunks():
                    out.write(chunk if isinstance(chunk, bytes) else chunk.encode())
                out.flush()
                os.fsync(out.fileno())
            if self.file_permissions_mode is not None:
                os.chmod(temporary, self.file_permissions_mode)
            else:
                os.chmod(temporary, 0o666 & ~_umask())
        except BaseException:
            _remove_quietly(temporary)
            raise
        return temporary

    def _save(self, name: str, content: File) -> str:
        temporary = self._write_temporary(name, content)
        try:
            while True:
                full_path = self.path(name)
                try:
                    # link() fails when the name exists: the complete file appears at once,
                    # and never over another one.
                    os.link(temporary, full_path)
                    break
                except FileExistsError:
                    name = self.get_available_name(name)
        finally:
            _remove_quietly(temporary)
        return self._relative(full_path)

    def replace(self, name: str, content: bytes | File) -> str:
        """Write ``name`` atomically, replacing what is there; returns the stored name."""
        if isinstance(content, bytes):
            content = ContentFile(content)
        temporary = self._write_temporary(name, content)
        full_path = self.path(name)
        try:
            os.replace(temporary, full_path)
        except BaseException:
            _remove_quietly(temporary)
            raise
        return self._relative(full_path)

    def _relative(self, full_path: str) -> str:
        return os.path.relpath(full_path, self.location).replace("\\", "/")


class StagedFile:
    """A file written and flushed under a temporary name, published under its real name by
    a rename (no disk wait) when the caller is ready — typically inside the transaction
    that records it, so the slow part (writing, fsync) happens before any lock is taken."""

    def __init__(self, storage: AtomicFileSystemStorage, name: str, content: bytes) -> None:
        self.storage, self.name = storage, name
        self._temporary: str | None = storage._write_temporary(name, ContentFile(content))

    def publish(self) -> str:
        if self._temporary is None:
            raise RuntimeError("already published or discarded")
        os.replace(self._temporary, self.storage.path(self.name))
        self._temporary = None
        return self.name

    def discard(self) -> None:
        if self._temporary is not None:
            _remove_quietly(self._temporary)
            self._temporary = None


def _unwrap(storage: Any) -> Any:
    """The storage itself, where it is reached through a LazyObject (core.uploads)."""
    if isinstance(storage, LazyObject):
        if storage._wrapped is empty:
            storage._setup()
        return storage._wrapped
    return storage


def stage_file(storage: Storage, name: str, content: bytes) -> StagedFile:
    target = _unwrap(storage)
    if not isinstance(target, AtomicFileSystemStorage):
        raise TypeError("stage_file needs an AtomicFileSystemStorage")
    return StagedFile(target, name, content)


def replace_file(storage: Storage, name: str, content: bytes) -> str:
    """Store ``content`` under exactly ``name`` (atomically where the storage can)."""
    target = _unwrap(storage)
    if isinstance(target, AtomicFileSystemStorage):
        return target.replace(name, content)
    if storage.exists(name):
        storage.delete(name)
    return storage.save(name, ContentFile(content))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _remove_quietly(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


# --- The sweep ------------------------------------------------------------------------------
@dataclass
class SweepReport:
    root: str
    referenced: int = 0
    orphans: list[str] = field(default_factory=list)
    partial: list[str] = field(default_factory=list)
    removed: int = 0


def _file_fields() -> Iterator[tuple[type[models.Model], models.FileField]]:
    for model in apps.get_models():
        for model_field in model._meta.get_fields():
            if isinstance(model_field, models.FileField):
                yield model, model_field


def referenced_names(storage_location: str) -> set[str]:
    """Every name a row of any model stores in a file field of this storage."""
    names: set[str] = set()
    for model, file_field in _file_fields():
        location = getattr(file_field.storage, "location", None)
        if location is None or os.path.abspath(location) != os.path.abspath(storage_location):
            continue
        names.update(
            model._default_manager.exclude(**{file_field.name: ""})
            .exclude(**{f"{file_field.name}__isnull": True})
            .values_list(file_field.name, flat=True)
            .iterator()
        )
    return names


def _same_storage(file_field: models.FileField, location: str) -> bool:
    field_location = getattr(file_field.storage, "location", None)
    return field_location is not None and os.path.abspath(field_location) == os.path.abspath(
        location
    )


def is_referenced(storage: Storage, name: str) -> bool:
    """Whether a row of any model names ``name`` in a file field of this storage."""
    location = str(getattr(storage, "location", ""))
    return any(
        model._default_manager.filter(**{file_field.name: name}).exists()
        for model, file_field in _file_fields()
        if _same_storage(file_field, location)
    )


def delete_when_unreferenced(storage: Storage, name: str | None) -> None:
    """Once the current transaction commits (at once outside one), delete the file ``name``
    if no row names it any more: a replaced file goes, a file still named (the same file
    kept by another row) stays, and a rolled-back change keeps its old file."""
    if not name:
        return

    def delete() -> None:
        if not is_referenced(storage, name):
            storage.delete(name)

    transaction.on_commit(delete)


def sweep(storage: Storage, *, grace_seconds: int, remove: bool) -> SweepReport:
    """Files under ``storage`` that no row names (older than the grace period, so a file
    whose row is being written is left alone), and partial files a killed process left.
    Reported always; removed when ``remove``."""
    location = str(getattr(storage, "location", ""))
    report = SweepReport(root=location)
    root = Path(location)
    if not location or not root.is_dir():
        return report
    names = referenced_names(location)
    report.referenced = len(names)
    cutoff = time.time() - grace_seconds
    for path in root.rglob("*"):
        if not path.is_file():
            continue
        try:
            if path.stat().st_mtime > cutoff:
                continue
        except FileNotFoundError:
            continue
        relative = path.relative_to(root).as_posix()
        if path.name.startswith(TEMP_PREFIX):
            report.partial.append(relative)
        elif relative not in names:
            report.orphans.append(relative)
        else:
            continue
        if remove:
            _remove_quietly(str(path))
            report.removed += 1
    for kind, found in (("partial", report.partial), ("orphan", report.orphans)):
        if found:
            logger.warning(
                "%d %s file(s) under %s%s: %s",
                len(found),
                kind,
                location,
                " removed" if remove else "",
                ", ".join(found[:20]),
            )
    return report
