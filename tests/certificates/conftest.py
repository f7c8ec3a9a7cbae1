from __future__ import annotations

import pytest

from certificates.demo import seed_issuer
from curriculum.demo import seed_curriculum
from enrollment.demo import seed_students
from partners.demo import seed_partners


@pytest.fixture(autouse=True)
def _private_files_in_tmp(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {"BACKEND": "core.storage.AtomicFileSystemStorage",
                    "OPTIONS": {"location": str(tmp_path / "private")}},
    }  # fmt: skip


@pytest.fixture
def cohort(db, make_user):
    """Three active students with complete bilingual identities (one born a presumed year)."""
    programme = seed_curriculum(organisations=seed_partners())
    cohort, _ = seed_students(count=3, cohort_slug="promo-certifs", programme=programme)
    seed_issuer()  # the issuing authority and each document's signatories
    return cohort


@pytest.fixture
def coordinator(make_user):
    return make_user("coordinator")
