"""Mark sheets and juries: lmd computes, the services record, lock and publish."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from enrollment.demo import seed_students
from studies.models import (
    Jury,
    Mark,
    MarkChange,
    MarkSheet,
    Offering,
    SemesterResult,
    Session,
)
from studies.services.juries import (
    jury_close,
    jury_compute,
    jury_get_or_create,
    jury_publish,
    jury_reopen,
)
from studies.services.marks import MarkRow, grid_save, grid_submit, offerings_open
from tests.studies.studies_helpers import EXAMPLE_C, EXAMPLE_D, fill, sheet

pytestmark = pytest.mark.django_db


def test_offerings_copy_the_modules_lecturers_and_open_first_session_sheets(setting):
    assert Offering.objects.filter(cohort=setting["cohort"], semester=1).count() == 9
    f111 = Offering.objects.get(module__code="F1.1.1")
    assert list(f111.lecturers.all()) == [setting["lecturer"]]
    assert MarkSheet.objects.filter(session=Session.NORMAL).count() == 9
    offerings_open(
        cohort=setting["cohort"],
        semester=1,
        academic_year="2025-2026",
        actor=setting["coordinator"],
    )
    assert Offering.objects.count() == 9


def test_a_grid_computes_module_marks_with_lmd_and_keeps_history(setting):
    a, b, c = setting["students"]
    lecturer = setting["lecturer"]
    grid_save(
        sheet=sheet("F1.1.1"),
        actor=lecturer,
        rows=[
            MarkRow(a.pk, Decimal("12"), Decimal("9")),
            MarkRow(b.pk, Decimal("15"), None, absence=Mark.Absence.UNJUSTIFIED),
            MarkRow(c.pk, Decimal("14"), None, absence=Mark.Absence.JUSTIFIED),
        ],
    )
    marks = {m.student_id: m.mark for m in Mark.objects.all()}
    assert marks == {a.pk: Decimal("10.20"), b.pk: Decimal("6.00"), c.pk: None}  # examples A and L
    assert MarkChange.objects.count() == 3
    grid_save(
        sheet=sheet("F1.1.1"), actor=lecturer, rows=[MarkRow(a.pk, Decimal("12"), Decimal("10"))]
    )
    change = MarkChange.objects.order_by("-pk").first()
    assert change is not None
    assert (change.before["mark"], change.after["mark"], change.changed_by) == (
        "10.20",
        "10.80",
        lecturer,
    )


def test_a_lecturer_cannot_save_a_grid_they_do_not_teach(setting, make_user):
    with pytest.raises(PermissionDenied):
        grid_save(sheet=sheet("F1.1.2"), actor=setting["lecturer"], rows=[])
    with pytest.raises(PermissionDenied):
        grid_save(sheet=sheet("F1.1.1"), actor=make_user("lecturer"), rows=[])


def test_bad_rows_are_all_refused_and_nothing_is_saved(setting, make_user):
    a = setting["students"][0]
    other, _ = seed_students(
        count=1, cohort_slug="autre-promo", programme=setting["cohort"].programme
    )
    stranger = other.students.get()
    with pytest.raises(ValidationError) as exc:
        grid_save(
            sheet=sheet("F1.1.1"),
            actor=setting["lecturer"],
            rows=[
                MarkRow(a.pk, Decimal("12"), Decimal("9")),
                MarkRow(a.pk, Decimal("1"), Decimal("1")),
                MarkRow(stranger.pk, Decimal("12"), Decimal("9")),
            ],
        )
    assert len(exc.value.messages) == 2
    assert not Mark.objects.exists()


def test_a_mark_outside_0_20_is_refused(setting):
    a = setting["students"][0]
    with pytest.raises(ValueError, match="outside"):
        grid_save(
            sheet=sheet("F1.1.1"),
            actor=setting["lecturer"],
            rows=[MarkRow(a.pk, Decimal("21"), Decimal("9"))],
        )
    assert not Mark.objects.exists()


def test_saving_a_grid_costs_the_same_queries_for_10_or_40_students(setting, make_user):
    from enrollment.models import Student

    programme = setting["cohort"].programme
    counts = []
    for size, slug in ((10, "petite"), (40, "grande")):
        cohort, _ = seed_students(count=size, cohort_slug=slug, programme=programme)
        offerings_open(
            cohort=cohort, semester=1, academic_year="2025-2026", actor=setting["coordinator"]
        )
        target = MarkSheet.objects.get(offering__cohort=cohort, offering__module__code="F1.1.1")
        rows = [
            MarkRow(s.pk, Decimal("12"), Decimal("11"))
            for s in Student.objects.filter(cohort=cohort)
        ]
        with CaptureQueriesContext(connection) as ctx:
            grid_save(sheet=target, actor=setting["coordinator"], rows=rows)
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_a_submitted_grid_is_locked_for_its_lecturer_and_changed_by_coordinators_with_a_reason(
    setting,
):
    a, b, c = setting["students"]
    rows = [MarkRow(s.pk, Decimal("12"), Decimal("12")) for s in (a, b, c)]
    grid_save(sheet=sheet("F1.1.1"), actor=setting["lecturer"], rows=rows)
    grid_submit(sheet=sheet("F1.1.1"), actor=setting["lecturer"])
    with pytest.raises(ValidationError):
        grid_save(sheet=sheet("F1.1.1"), actor=setting["lecturer"], rows=rows)
    with pytest.raises(ValidationError):
        grid_save(
            sheet=sheet("F1.1.1"),
            actor=setting["coordinator"],
            rows=[MarkRow(a.pk, Decimal(13), Decimal(13))],
        )
    grid_save(
        sheet=sheet("F1.1.1"),
        actor=setting["coordinator"],
        rows=[MarkRow(a.pk, Decimal(13), Decimal(13))],
        reason="Recours accepté",
    )
    assert MarkChange.objects.filter(reason="Recours accepté").count() == 1


def test_the_jury_table_is_lmds_and_lists_anomalies(setting):
    fill(setting, [EXAMPLE_C, EXAMPLE_D, EXAMPLE_C], submit=False)
    table = jury_compute(cohort=setting["cohort"], semester=1)
    assert len(table.anomalies) == 9  # no grid submitted
    first, second, _ = table.rows
    assert first.result is not None
    assert (first.result.average, first.result.credits, first.result.decision) == (
        Decimal("11.06"),
        30,
        "ADMIS_COMP",
    )
    assert second.result is not None
    assert (second.result.average, second.result.credits) == (Decimal("9.81"), 12)
    assert second.result.resit_modules == {"F1.1.1", "F1.1.2", "F1.2.1", "F1.2.2"}


def test_closing_records_results_locks_grids_and_opens_the_resit(setting):
    fill(setting, [EXAMPLE_C, EXAMPLE_D, EXAMPLE_C])
    jury = jury_get_or_create(cohort=setting["cohort"], semester=1, session=Session.NORMAL)
    jury_close(jury=jury, actor=setting["coordinator"])
    results = {r.student_id: r for r in SemesterResult.objects.filter(current=True)}
    d_student = setting["students"][1]
    assert results[d_student.pk].decision == "AJOURNE"
    assert set(
        MarkSheet.objects.filter(session=Session.NORMAL).values_list("status", flat=True)
    ) == {"locked"}
    resit_codes = MarkSheet.objects.filter(session=Session.RESIT).values_list(
        "offering__module__code", flat=True
    )
    assert set(resit_codes) == {"F1.1.1", "F1.1.2", "F1.2.1", "F1.2.2"}
    with pytest.raises(ValidationError):
        grid_save(sheet=sheet("T1.1.1"), actor=setting["coordinator"], rows=[], reason="x")
    with pytest.raises(ValidationError) as exc:
        jury_close(jury=jury, actor=setting["coordinator"])
    assert exc.value.code == "closed"
    # The resit (example E): F111 CC 10 R 11, F112 CC 9 R 7, F121 CC 8 R 12, F122 CC 9 R 10.
    resit = {
        "F1.1.1": ("10", "11"),
        "F1.1.2": ("9", "7"),
        "F1.2.1": ("8", "12"),
        "F1.2.2": ("9", "10"),
    }
    for code, (cc, exam) in resit.items():
        target = sheet(code, Session.RESIT)
        grid_save(
            sheet=target,
            actor=setting["coordinator"],
            rows=[MarkRow(d_student.pk, Decimal(cc), Decimal(exam))],
        )
        grid_submit(sheet=target, actor=setting["coordinator"])
        with pytest.raises(ValidationError):  # only the students sent to the resit are on it
            grid_save(
                sheet=target,
                actor=setting["coordinator"],
                rows=[MarkRow(setting["students"][0].pk, Decimal(1), Decimal(1))],
            )
    resit_jury = jury_get_or_create(cohort=setting["cohort"], semester=1, session=Session.RESIT)
    jury_close(jury=resit_jury, actor=setting["coordinator"])
    result = SemesterResult.objects.get(jury=resit_jury)
    assert (result.student, result.average, result.credits, result.decision) == (
        d_student,
        Decimal("10.61"),
        30,
        "ADMIS_RATT",
    )


def test_a_jury_with_missing_marks_cannot_close(setting):
    fill(setting, [EXAMPLE_C, EXAMPLE_C, EXAMPLE_C], submit=False)
    jury = jury_get_or_create(cohort=setting["cohort"], semester=1, session=Session.NORMAL)
    with pytest.raises(ValidationError):
        jury_close(jury=jury, actor=setting["coordinator"])
    assert not SemesterResult.objects.exists()
    jury.refresh_from_db()
    assert jury.status == Jury.Status.OPEN


def test_publishing_emails_the_students_and_reopening_needs_a_reason(
    setting, django_capture_on_commit_callbacks
):
    fill(setting, [EXAMPLE_C, EXAMPLE_C, EXAMPLE_D])
    jury = jury_get_or_create(cohort=setting["cohort"], semester=1, session=Session.NORMAL)
    jury_close(jury=jury, actor=setting["coordinator"])
    with django_capture_on_commit_callbacks(execute=True):
        jury_publish(jury=jury, actor=setting["coordinator"])
    assert sorted(m.to[0] for m in mail.outbox) == sorted(s.user.email for s in setting["students"])
    to_d = next(m for m in mail.outbox if m.to == [setting["students"][2].user.email])
    assert "9,81/20" in to_d.body  # example D's semester average, in French as she reads it
    with pytest.raises(ValidationError):
        jury_reopen(jury=jury, actor=setting["coordinator"], reason=" ")
    jury_reopen(jury=jury, actor=setting["coordinator"], reason="Erreur de saisie en F1.1.2")
    assert jury.events.filter(action="reopened", reason="Erreur de saisie en F1.1.2").exists()
    with pytest.raises(PermissionDenied):
        jury_close(jury=jury, actor=setting["lecturer"])


@pytest.mark.django_db(transaction=True)
def test_two_coordinators_closing_the_same_jury_at_once_close_it_once(setting, make_user):
    fill(setting, [EXAMPLE_C, EXAMPLE_C, EXAMPLE_C])
    jury = jury_get_or_create(cohort=setting["cohort"], semester=1, session=Session.NORMAL)
    other = make_user("coordinator")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def close(actor) -> None:
        try:
            barrier.wait()
            jury_close(jury=jury, actor=actor)
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append(str(getattr(exc, "code", "error")))
        finally:
            connection.close()

    threads = [threading.Thread(target=close, args=(a,)) for a in (setting["coordinator"], other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["closed", "ok"]  # the second one is told the jury is closed
    assert SemesterResult.objects.filter(jury=jury).count() == 3
