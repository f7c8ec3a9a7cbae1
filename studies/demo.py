"""Demo data of studies: the running cohort's first year and a graduated cohort."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from curriculum.models import Programme
from enrollment.demo import academic_year_of, cohort_get_or_create, seed_students
from enrollment.models import Cohort, Student


def seed_marks(*, cohort: Cohort, coordinator: User) -> None:
    """The running cohort's first year: S1 marked, its jury closed and published; S2
    delivered with grids half filled. Runs once (nothing happens if S1 is delivered)."""
    from studies.models import Mark, MarkSheet, Session
    from studies.services import juries, marks

    # "Delivered" is marked: `seed_demo --students N --cohort SLUG` opens every semester of a
    # cohort beforehand (its offerings exist, no mark yet), and its S1 is still to be marked.
    if Mark.objects.filter(sheet__offering__cohort=cohort).exists():
        return
    year = f"{cohort.start_date.year}-{cohort.start_date.year + 1}"
    marks.offerings_open(cohort=cohort, semester=1, academic_year=year, actor=coordinator)
    marks.offerings_open(cohort=cohort, semester=2, academic_year=year, actor=coordinator)
    rng = random.Random(cohort.slug)  # noqa: S311
    students = list(cohort.students.filter(status=Student.Status.ACTIVE))
    for sheet in MarkSheet.objects.filter(
        offering__cohort=cohort, session=Session.NORMAL
    ).select_related("offering"):
        if sheet.offering.semester > 2 or (
            sheet.offering.semester == 2 and sheet.offering.module.code > "F2.2"
        ):
            continue
        rows = [
            marks.MarkRow(s.pk, Decimal(rng.randint(16, 38)) / 2, Decimal(rng.randint(12, 38)) / 2)
            for s in students
        ]
        marks.grid_save(sheet=sheet, actor=coordinator, rows=rows)
        if sheet.offering.semester == 1:
            marks.grid_submit(sheet=sheet, actor=coordinator)
    jury = juries.jury_get_or_create(cohort=cohort, semester=1, session=Session.NORMAL)
    juries.jury_close(jury=jury, actor=coordinator)
    juries.jury_publish(jury=jury, actor=coordinator)


def seed_graduates(*, programme: Programme, coordinator: User, count: int = 4) -> Cohort:
    """A cohort that finished two years ago: four semesters marked (all passed), every jury
    closed and published, so that its cumulative transcripts and success attestations can be
    issued. Runs once (nothing happens if the cohort has offerings)."""
    from studies.models import MarkSheet, Offering, Session
    from studies.services import juries, marks

    # Started two academic years before this one: its four semesters are over.
    start = dt.date(academic_year_of(timezone.localdate()) - 2, 10, 1)
    cohort = cohort_get_or_create(
        slug=f"promotion-{start.year}-{start.year + 2}", programme=programme, start=start
    )
    cohort, _ = seed_students(count=count, cohort_slug=cohort.slug, programme=programme)
    if Offering.objects.filter(cohort=cohort).exists():
        return cohort
    rng = random.Random(cohort.slug)  # noqa: S311
    students = list(cohort.students.filter(status=Student.Status.ACTIVE))
    for semester in range(1, programme.semester_count + 1):
        year = start.year + (semester - 1) // 2
        marks.offerings_open(
            cohort=cohort, semester=semester, academic_year=f"{year}-{year + 1}", actor=coordinator
        )
        for sheet in MarkSheet.objects.filter(
            offering__cohort=cohort, offering__semester=semester, session=Session.NORMAL
        ):
            rows = [
                marks.MarkRow(
                    s.pk, Decimal(rng.randint(24, 36)) / 2, Decimal(rng.randint(24, 36)) / 2
                )
                for s in students
            ]
            marks.grid_save(sheet=sheet, actor=coordinator, rows=rows)
            marks.grid_submit(sheet=sheet, actor=coordinator)
        jury = juries.jury_get_or_create(cohort=cohort, semester=semester, session=Session.NORMAL)
        juries.jury_close(jury=jury, actor=coordinator)
        juries.jury_publish(jury=jury, actor=coordinator)
        if semester % 2 == 0:  # the year's deliberation; the last one decides the final result
            deliberation = juries.year_jury_get_or_create(cohort=cohort, year=semester // 2)
            juries.jury_close(jury=deliberation, actor=coordinator)
            juries.jury_publish(jury=deliberation, actor=coordinator)
    return cohort
