"""The academic record, end to end through the services: stored once by the juries, read the
same by the transcript, the cumulative transcript, the success attestation, the module
certificate, "My programme", the results page and the command (academic-rules.md §1.4–§1.9)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from certificates import documents
from certificates.models import Kind
from curriculum.models import Module
from studies import selectors
from studies.models import AcquiredBy, Jury, MarkSheet, ModuleResult, SemesterResult, Session
from studies.services.juries import (
    jury_close,
    jury_get_or_create,
    jury_publish,
    jury_reopen,
    year_jury_get_or_create,
)
from studies.services.marks import MarkRow, grid_save, grid_submit, offerings_open
from tests.helpers import logged_in

pytestmark = pytest.mark.django_db

Marks = str | dict[str, str]


def mark(setting, semester: int, marks: list[Marks], session: str = Session.NORMAL) -> None:
    """Grade the semester's sheets of a session: per student a uniform mark or a dict
    code → mark (a code left out of a dict keeps the student off that sheet)."""
    cohort, coordinator = setting["cohort"], setting["coordinator"]
    if session == Session.NORMAL and semester > 1:
        offerings_open(
            cohort=cohort, semester=semester, academic_year="2026-2027", actor=coordinator
        )
    for sheet in MarkSheet.objects.filter(
        offering__cohort=cohort, offering__semester=semester, session=session
    ).select_related("offering__module"):
        code = sheet.offering.module.code
        rows = []
        for student, given in zip(setting["students"], marks, strict=True):
            value = given if isinstance(given, str) else given.get(code)
            if value is not None:
                rows.append(MarkRow(student.pk, Decimal(value), Decimal(value)))
        grid_save(sheet=sheet, actor=coordinator, rows=rows)
        grid_submit(sheet=sheet, actor=coordinator)


def decide(setting, jury: Jury) -> Jury:
    jury = jury_close(jury=jury, actor=setting["coordinator"])
    return jury_publish(jury=jury, actor=setting["coordinator"])


def semester_jury(setting, semester: int, session: str = Session.NORMAL) -> Jury:
    return jury_get_or_create(cohort=setting["cohort"], semester=semester, session=session)


def year_jury(setting, year: int) -> Jury:
    return year_jury_get_or_create(cohort=setting["cohort"], year=year)


def test_annual_compensation_gives_the_weak_semester_its_credits_everywhere(setting):
    """S1 below 10, S2 above, annual average ≥ 10: 60 M1 credits on the S1 transcript,
    "My programme", the results page and the cumulative transcript; eligible for the success
    attestation once S3 and S4 are acquired and the final result is decided."""
    student = setting["students"][0]
    others = ["12", "12"]
    mark(setting, 1, ["9", *others])
    decide(setting, semester_jury(setting, 1))
    mark(setting, 2, ["11", *others])
    decide(setting, semester_jury(setting, 2))
    s1 = SemesterResult.objects.get(student=student, semester=1, current=True)
    assert (s1.average, s1.credits, s1.decision) == (Decimal("9.00"), 0, "AJOURNE")

    decide(setting, year_jury(setting, 1))

    s1 = SemesterResult.objects.get(student=student, semester=1, current=True)
    assert (s1.credits, s1.decision, s1.acquired_by) == (30, "ADMIS_COMP", AcquiredBy.ANNUAL)
    assert {m.acquired_by for m in s1.modules.all()} == {AcquiredBy.ANNUAL}
    assert sum(m.credits for m in s1.modules.all()) == 30
    # The first version is kept, no longer current.
    assert SemesterResult.objects.filter(student=student, semester=1, current=False).count() == 1
    transcript = documents.snapshot(Kind.TRANSCRIPT, student, semester=1)["semester"]
    assert (transcript["credits"], transcript["total_credits"]) == (30, 30)
    assert transcript["acquired_by"] == "annual"
    assert [m["credits"] for u in transcript["units"] for m in u["modules"]] == [
        m.credits
        for m in Module.objects.filter(unit__semester__number=1).order_by(
            "unit__position", "position"
        )
    ]
    client = logged_in(student.user)
    page = client.get(reverse("studies:my_programme")).content.decode()
    assert "60 sur 120 crédits acquis" in page  # French, the default language
    results = logged_in(setting["coordinator"]).get(
        reverse("studies:cohort_results", args=[setting["cohort"].slug])
    )
    year_row = {r.student_id: r for r in selectors.year_rows(cohort=setting["cohort"], year=1)}
    assert (year_row[student.pk].average, year_row[student.pk].credits) == (Decimal("10.00"), 60)
    assert "60/60" in results.content.decode()
    assert not documents.eligibility(Kind.SUCCESS, student).ok

    for semester in (3, 4):
        mark(setting, semester, ["13", *others])
        decide(setting, semester_jury(setting, semester))
    decide(setting, year_jury(setting, 2))

    cumulative = documents.snapshot(Kind.CUMULATIVE, student)
    assert [s["credits"] for s in cumulative["semesters"]] == [30, 30, 30, 30]
    assert cumulative["final"]["credits"] == 120
    # MSE = (9 + 11 + 13 + 13) / 4 = 11.50; no resit, no debt, no repeat: MC = MSE.
    assert (cumulative["final"]["average"], cumulative["final"]["ranking_average"]) == (
        "11.50",
        "11.50",
    )
    assert cumulative["final"]["mention"] == "PASSABLE"
    assert documents.eligibility(Kind.SUCCESS, student).ok
    assert selectors.academic_record(student=student)["total_credits"] == 120


def test_a_module_acquired_by_its_units_compensation_prints_its_credits(setting):
    """F1.1.2 at 9 in UEF1.1 with F1.1.1 at 12: the unit average 10.80 acquires the unit, and
    the module holds its 4 credits by unit compensation (academic-rules.md §1.4)."""
    student = setting["students"][0]
    marks = dict.fromkeys(("F1.1.1", "F1.2.1", "F1.2.2", "M1.1.1", "M1.1.2"), "12")
    marks |= {"F1.1.2": "9", "M1.1.3": "12", "D1.1.1": "12", "T1.1.1": "12"}
    mark(setting, 1, [marks, "12", "12"])
    decide(setting, semester_jury(setting, 1))
    stored = ModuleResult.objects.get(
        semester_result__student=student, semester_result__current=True, module__code="F1.1.2"
    )
    assert (stored.mark, stored.credits, stored.acquired_by) == (
        Decimal("9.00"),
        4,
        AcquiredBy.UNIT,
    )
    module = Module.objects.get(code="F1.1.2")
    result = documents.snapshot(Kind.MODULE, student, module=module)["result"]
    assert (result["mark"], result["credits"], result["validated"]) == ("9.00", 4, True)
    assert result["acquired_by"] == "unit"


def test_a_resit_keeps_the_better_mark_and_the_year_is_deliberated_again(setting):
    """A student below 10 in both semesters resits S1: the resit improves F1.1.1 (kept, session
    R) and not F1.1.2 (the first mark kept, session N); the year closed after the first
    sessions is reopened and closed again to take the resit into account."""
    weak = setting["students"][0]
    mark(setting, 1, ["7", "12", "12"])
    decide(setting, semester_jury(setting, 1))
    mark(setting, 2, ["10", "12", "12"])
    decide(setting, semester_jury(setting, 2))
    decide(setting, year_jury(setting, 1))
    first_year = selectors.year_rows(cohort=setting["cohort"], year=1)
    assert {r.student_id: r.decision for r in first_year}[weak.pk] == "AJOURNE"

    resit = dict.fromkeys(("F1.1.1", "F1.2.1", "F1.2.2", "M1.1.1", "M1.1.2"), "13")
    resit |= {"F1.1.2": "5", "M1.1.3": "13", "D1.1.1": "13", "T1.1.1": "13"}
    mark(setting, 1, [resit, {}, {}], session=Session.RESIT)
    with pytest.raises(ValidationError) as refused:
        jury_close(jury=semester_jury(setting, 1, Session.RESIT), actor=setting["coordinator"])
    assert refused.value.code == "year_decided"
    jury_reopen(jury=year_jury(setting, 1), actor=setting["coordinator"], reason="Rattrapage")
    decide(setting, semester_jury(setting, 1, Session.RESIT))
    s1 = SemesterResult.objects.get(student=weak, semester=1, current=True)
    assert (s1.session, s1.decision, s1.acquired_by) == ("R", "ADMIS_RATT", AcquiredBy.RESIT)
    kept = {m.module.code: m for m in s1.modules.select_related("module")}
    assert (kept["F1.1.1"].mark, kept["F1.1.1"].session) == (Decimal("13.00"), "R")
    assert (kept["F1.1.2"].mark, kept["F1.1.2"].session) == (Decimal("7.00"), "N")

    again = decide(setting, year_jury(setting, 1))
    assert again.version == 2
    rows = {r.student_id: r for r in selectors.year_rows(cohort=setting["cohort"], year=1)}
    assert (rows[weak.pk].decision, rows[weak.pk].credits) == ("ADMIS_RATT", 60)
    record = selectors.academic_record(student=weak)
    assert record["semesters"][0] == {
        "number": 1,
        "session": "resit",
        "average": str(s1.average),
        "credits": 30,
        "decision": "ADMIS_RATT",
        "acquired_by": "resit",
        "version": 1,
    }
    assert record["years"][0]["decision"] == "ADMIS_RATT"


def test_a_semester_jury_cannot_reopen_under_a_decided_year(setting):
    mark(setting, 1, ["12", "12", "12"])
    decide(setting, semester_jury(setting, 1))
    mark(setting, 2, ["12", "12", "12"])
    decide(setting, semester_jury(setting, 2))
    decide(setting, year_jury(setting, 1))
    with pytest.raises(ValidationError) as refused:
        jury_reopen(jury=semester_jury(setting, 1), actor=setting["coordinator"], reason="x")
    assert refused.value.messages == [
        _("Reopen the annual deliberation of year %(n)s first.") % {"n": 1}
    ]


def test_the_year_cannot_close_before_its_first_sessions(setting):
    mark(setting, 1, ["12", "12", "12"])
    decide(setting, semester_jury(setting, 1))
    with pytest.raises(ValidationError) as refused:
        jury_close(jury=year_jury(setting, 1), actor=setting["coordinator"])
    assert refused.value.messages == [
        _("The first-session jury of semester %(n)s is not closed.") % {"n": 2}
    ]
    assert year_jury(setting, 1).status == Jury.Status.OPEN


def test_reopening_writes_a_new_version_and_keeps_the_old(setting):
    student = setting["students"][0]
    mark(setting, 1, ["12", "12", "12"])
    jury = decide(setting, semester_jury(setting, 1))
    jury_reopen(jury=jury, actor=setting["coordinator"], reason="Erreur de saisie")
    sheet = MarkSheet.objects.get(offering__module__code="T1.1.1", session=Session.NORMAL)
    grid_save(
        sheet=sheet,
        actor=setting["coordinator"],
        rows=[MarkRow(student.pk, Decimal("20"), Decimal("20"))],
        reason="Erreur de saisie",
    )
    jury = decide(setting, semester_jury(setting, 1))
    assert jury.version == 2
    versions = SemesterResult.objects.filter(student=student, semester=1).order_by("version")
    assert [(r.version, r.current, r.average) for r in versions] == [
        (1, False, Decimal("12.00")),
        (2, True, Decimal("12.50")),
    ]
    published = selectors.published_semesters(students=[student])[student.pk][1]
    assert published.version == 2
