from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _private_files_in_tmp(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {"BACKEND": "core.storage.AtomicFileSystemStorage",
                    "OPTIONS": {"location": str(tmp_path / "private")}},
    }  # fmt: skip
