from __future__ import annotations

import pytest

from curriculum.demo import seed_curriculum
from curriculum.models import Programme
from partners.demo import seed_partners


@pytest.fixture
def programme(db, make_user) -> Programme:
    """The four-semester curriculum of docs/academic-rules.md §4, as seed_demo loads it."""
    lecturer = make_user("lecturer", email="lead.lecturer@example.dz")
    return seed_curriculum(organisations=seed_partners(), lecturers=[lecturer])
