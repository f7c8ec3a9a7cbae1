from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _private_files_in_tmp(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "core.storage.AtomicFileSystemStorage",
                    "OPTIONS": {"location": str(tmp_path / "media")}},
        "private": {"BACKEND": "core.storage.AtomicFileSystemStorage",
                    "OPTIONS": {"location": str(tmp_path / "private")}},
    }  # fmt: skip


@pytest.fixture
def setting(make_user):
    """A cohort of 3 students with the S1 modules delivered; the lecturer leads F1.1.1."""
    from tests.studies.studies_helpers import make_setting

    return make_setting(make_user)
