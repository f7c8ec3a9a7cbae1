"""Shared by the tests of marks and juries: the S1 examples of academic-rules.md
and a filled cohort."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from certificates.demo import seed_issuer
from curriculum.demo import seed_curriculum
from enrollment.demo import seed_students
from partners.demo import seed_partners
from studies.models import MarkSheet, Session
from studies.services.marks import MarkRow, grid_save, grid_submit, offerings_open

EXAMPLE_C = {
    "F1.1.1": "11",
    "F1.1.2": "9",
    "F1.2.1": "8",
    "F1.2.2": "9.5",
    "M1.1.1": "13",
    "M1.1.2": "12",
    "M1.1.3": "14",
    "D1.1.1": "15",
    "T1.1.1": "12",
}
EXAMPLE_D = {
    "F1.1.1": "8",
    "F1.1.2": "9",
    "F1.2.1": "8",
    "F1.2.2": "9.5",
    "M1.1.1": "11",
    "M1.1.2": "10.5",
    "M1.1.3": "12",
    "D1.1.1": "14",
    "T1.1.1": "11",
}


def make_setting(make_user: Any) -> dict[str, Any]:
    """A cohort of 3 students with the S1 modules delivered; the lecturer leads F1.1.1."""
    lecturer = make_user("lecturer")
    programme = seed_curriculum(organisations=seed_partners(), lecturers=[lecturer])
    cohort, _ = seed_students(count=3, cohort_slug="promo-test", programme=programme)
    seed_issuer()  # who issues and signs the documents drawn from this cohort's record
    coordinator = make_user("coordinator")
    offerings_open(cohort=cohort, semester=1, academic_year="2025-2026", actor=coordinator)
    students = list(cohort.students.order_by("registration_number"))
    return {
        "cohort": cohort,
        "coordinator": coordinator,
        "lecturer": lecturer,
        "students": students,
    }


def sheet(code: str, session: str = Session.NORMAL) -> MarkSheet:
    return MarkSheet.objects.select_related("offering__module").get(
        offering__module__code=code, session=session
    )


def fill(setting, marks_by_student: list[dict[str, str]], submit: bool = True) -> None:
    coordinator = setting["coordinator"]
    for code in EXAMPLE_C:
        rows = [
            MarkRow(s.pk, Decimal(m[code]), Decimal(m[code]))
            for s, m in zip(setting["students"], marks_by_student, strict=True)
        ]
        grid_save(sheet=sheet(code), actor=coordinator, rows=rows)
        if submit:
            grid_submit(sheet=sheet(code), actor=coordinator)
