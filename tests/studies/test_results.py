"""Annual compensation, progression to M2, final average, ranking average and mention."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from studies import selectors
from studies.models import MarkSheet, Session
from studies.services.juries import jury_close, jury_get_or_create, year_jury_get_or_create
from studies.services.marks import MarkRow, grid_save, grid_submit, offerings_open
from tests.helpers import logged_in

pytestmark = pytest.mark.django_db


def run_semester(setting, semester: int, marks: list[str]) -> None:
    """Every module of the semester marked uniformly per student, then the jury closed."""
    cohort, coordinator = setting["cohort"], setting["coordinator"]
    if semester > 1:
        offerings_open(
            cohort=cohort, semester=semester, academic_year="2026-2027", actor=coordinator
        )
    for sheet in MarkSheet.objects.filter(
        offering__cohort=cohort, offering__semester=semester, session=Session.NORMAL
    ):
        rows = [
            MarkRow(s.pk, Decimal(m), Decimal(m))
            for s, m in zip(setting["students"], marks, strict=True)
        ]
        grid_save(sheet=sheet, actor=coordinator, rows=rows)
        grid_submit(sheet=sheet, actor=coordinator)
    jury_close(
        jury=jury_get_or_create(cohort=cohort, semester=semester, session=Session.NORMAL),
        actor=coordinator,
    )


def close_year(setting, year: int) -> None:
    jury_close(
        jury=year_jury_get_or_create(cohort=setting["cohort"], year=year),
        actor=setting["coordinator"],
    )


def test_the_year_compensates_a_weak_semester_and_the_student_passes_to_m2(setting):
    run_semester(setting, 1, ["12", "9.4", "8"])
    run_semester(setting, 2, ["12", "10.8", "9"])
    close_year(setting, 1)
    rows = {r.student.pk: r for r in selectors.year_rows(cohort=setting["cohort"], year=1)}
    good, compensated, failed = setting["students"]
    assert (rows[good.pk].credits, rows[good.pk].progression) == (60, "ADMIS")
    # Example F: S1 9.40, S2 10.80 → 10.10, both semesters acquired by annual compensation.
    assert rows[compensated.pk].average == Decimal("10.10")
    assert (rows[compensated.pk].credits, rows[compensated.pk].decision) == (60, "ADMIS_COMP")
    assert rows[failed.pk].decision == "AJOURNE"
    assert rows[failed.pk].progression == "AJOURNE"


def test_the_final_results_rank_the_promotion_with_mentions(setting):
    run_semester(setting, 1, ["12.5", "16", "10"])
    run_semester(setting, 2, ["13", "16", "10"])
    run_semester(setting, 3, ["14", "16", "10"])
    run_semester(setting, 4, ["14.5", "17", "10"])
    close_year(setting, 1)
    close_year(setting, 2)
    rows = selectors.final_rows(cohort=setting["cohort"])
    first, second, third = setting["students"]
    assert [(r.student, r.rank) for r in rows] == [(second, 1), (first, 2), (third, 3)]
    by_student = {r.student: r for r in rows}
    assert (by_student[first].average, by_student[first].mention) == (
        Decimal("13.50"),
        "ASSEZ_BIEN",
    )
    assert by_student[second].mention == "TRES_BIEN"
    assert by_student[third].mention == "PASSABLE"


def test_the_results_page_shows_years_and_ranking(setting):
    run_semester(setting, 1, ["12", "11", "10"])
    run_semester(setting, 2, ["12", "11", "10"])
    close_year(setting, 1)
    client = logged_in(setting["coordinator"])
    html = client.get(
        reverse("studies:cohort_results", args=[setting["cohort"].slug])
    ).content.decode()
    assert 'data-testid="year-1"' in html
    assert "Admis" in html
    assert setting["students"][0].registration_number in html
