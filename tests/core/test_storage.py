"""Files appear complete or not at all, a name that is an identity is written again in place,
and the sweep finds (then removes) the files that no row names."""

from __future__ import annotations

import errno
import os
import time

import pytest
from django.core.files.base import ContentFile, File

from core.storage import TEMP_PREFIX, AtomicFileSystemStorage, sweep


class DiskFullHalfWay(File):
    """Content whose second chunk cannot be written: the disk filled up."""

    def __init__(self) -> None:
        super().__init__(None, name="x.pdf")

    def chunks(self, chunk_size=None):
        yield b"%PDF-1.7 first half"
        raise OSError(errno.ENOSPC, "No space left on device")


def test_a_write_that_fails_half_way_leaves_no_file_at_all(tmp_path):
    storage = AtomicFileSystemStorage(location=tmp_path)
    with pytest.raises(OSError, match="No space left"):
        storage.save("certificates/ABCD.pdf", DiskFullHalfWay())
    with pytest.raises(OSError, match="No space left"):
        storage.replace("certificates/ABCD.pdf", DiskFullHalfWay())
    assert list((tmp_path / "certificates").iterdir()) == []


def test_replace_keeps_the_name_and_save_draws_a_new_one(tmp_path):
    storage = AtomicFileSystemStorage(location=tmp_path)
    assert storage.replace("certificates/ABCD.pdf", b"first") == "certificates/ABCD.pdf"
    assert storage.replace("certificates/ABCD.pdf", b"second") == "certificates/ABCD.pdf"
    assert (tmp_path / "certificates" / "ABCD.pdf").read_bytes() == b"second"
    other = storage.save("certificates/ABCD.pdf", ContentFile(b"third"))
    assert other != "certificates/ABCD.pdf"
    assert (tmp_path / other).read_bytes() == b"third"
    assert sorted(p.name for p in (tmp_path / "certificates").iterdir()) == sorted(
        ["ABCD.pdf", other.rsplit("/", 1)[1]]
    )


@pytest.mark.django_db
def test_the_sweep_reports_then_removes_only_old_files_no_row_names(settings, tmp_path):
    from certificates.models import Certificate
    from tests.factories.enrollment import CohortFactory

    private = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "core.storage.AtomicFileSystemStorage",
            "OPTIONS": {"location": str(private)},
        },
    }
    from core.storage import replace_file
    from core.uploads import get_private_storage

    private_storage = get_private_storage()

    kept = replace_file(private_storage, "certificates/KEPT.pdf", b"%PDF kept")
    Certificate.objects.create(
        kind="jury-record", code="KEPT", cohort=CohortFactory.create(), pdf=kept
    )
    replace_file(private_storage, "certificates/ORPHAN.pdf", b"%PDF no row")
    replace_file(private_storage, "certificates/RECENT.pdf", b"%PDF row being written")
    partial = private / "certificates" / f"{TEMP_PREFIX}abc"
    partial.write_bytes(b"%PDF half")
    old = time.time() - 2 * 86400
    for name in ("KEPT.pdf", "ORPHAN.pdf", partial.name):
        os.utime(private / "certificates" / name, (old, old))

    report = sweep(private_storage, grace_seconds=86400, remove=False)
    assert report.orphans == ["certificates/ORPHAN.pdf"]
    assert report.partial == [f"certificates/{TEMP_PREFIX}abc"]
    assert report.removed == 0
    assert (private / "certificates" / "ORPHAN.pdf").exists()

    report = sweep(private_storage, grace_seconds=86400, remove=True)
    assert report.removed == 2
    assert sorted(p.name for p in (private / "certificates").iterdir()) == [
        "KEPT.pdf",
        "RECENT.pdf",
    ]
