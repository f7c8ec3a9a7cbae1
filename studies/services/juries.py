"""Marks and juries. Every piece of academic arithmetic is ``curriculum.lmd``'s."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.access import Role, has_role
from accounts.models import User
from accounts.services import email_queue
from curriculum import lmd
from curriculum.models import Module, Programme
from enrollment.models import Cohort, Student
from studies import locks
from studies.models import (
    Jury,
    JuryEvent,
    JuryResult,
    Mark,
    MarkSheet,
    Offering,
    Session,
)

ACTIVE = (Student.Status.ACTIVE,)


# --- Juries -----------------------------------------------------------------------------------
@dataclass
class JuryRow:
    student: Student
    result: lmd.SemesterResult | None
    anomalies: list[str] = field(default_factory=list)


@dataclass
class JuryTable:
    semester: lmd.Semester
    units: list[str]
    rows: list[JuryRow]
    anomalies: list[str]


class NoStructureError(ValidationError):
    """The programme has no module in this semester: there is nothing to deliberate on."""


def semester_structure(programme: Programme, number: int) -> lmd.Semester:
    """The semester as lmd sees it; a ``NoStructureError`` (a ValidationError with a
    message for people) when the programme has no module in it."""
    modules = (
        Module.objects.filter(programme=programme, unit__semester__number=number)
        .select_related("unit")
        .order_by("unit__position", "unit__code", "position")
    )
    units: dict[str, list[lmd.Module]] = defaultdict(list)
    for module in modules:
        units[module.unit.code].append(
            lmd.Module(code=module.code, coefficient=module.coefficient, credits=module.credits)
        )
    if not units:
        raise NoStructureError(
            _("The programme has no module in semester %(n)s.") % {"n": number}, code="no_structure"
        )
    return lmd.Semester(
        number=number,
        units=[lmd.Unit(code=code, modules=items) for code, items in units.items()],
        final=number == programme.semester_count,
    )


def jury_compute(*, cohort: Cohort, semester: int, session: str = Session.NORMAL) -> JuryTable:
    """The jury's table for every active student, computed by ``lmd`` from the marks; the
    anomalies (missing marks, grids not submitted) say why a row has no result."""
    programme = cohort.programme
    rules = programme.rules()
    structure = semester_structure(programme, semester)
    codes = [m.code for m in structure.modules]
    sheets = list(
        MarkSheet.objects.filter(
            offering__cohort=cohort, offering__semester=semester, session=Session.NORMAL
        ).select_related("offering__module")
    )
    anomalies = [
        _("Grid of %(code)s not submitted.") % {"code": s.offering.module.code}
        for s in sheets
        if s.status == MarkSheet.Status.OPEN
    ]
    offered = {s.offering.module.code for s in sheets}
    anomalies += [
        _("No grid for %(code)s.") % {"code": code} for code in codes if code not in offered
    ]
    marks: dict[int, dict[str, Mark]] = defaultdict(dict)
    for mark in (
        Mark.objects.filter(sheet__in=sheets)
        .select_related("sheet__offering__module")
        .only("student_id", "mark", "absence", "excluded", "sheet__offering__module__code")
    ):
        marks[mark.student_id][mark.sheet.offering.module.code] = mark
    resit_marks: dict[int, dict[str, Decimal | None]] = defaultdict(dict)
    first_results: dict[int, dict[str, Any]] = {}
    if session == Session.RESIT:
        for mark in Mark.objects.filter(
            sheet__offering__cohort=cohort,
            sheet__offering__semester=semester,
            sheet__session=Session.RESIT,
        ).select_related("sheet__offering__module"):
            resit_marks[mark.student_id][mark.sheet.offering.module.code] = mark.mark
        first_results = dict(
            JuryResult.objects.filter(
                jury__cohort=cohort, jury__semester=semester, jury__session=Session.NORMAL
            ).values_list("student_id", "detail")
        )
    rows = []
    for student in (
        Student.objects.filter(cohort=cohort, status__in=ACTIVE)
        .select_related("user")
        .order_by("registration_number")
    ):
        own = marks.get(student.pk, {})
        missing = [
            code
            for code in codes
            if code not in own or (own[code].mark is None and own[code].absence == "")
        ]
        if missing:
            rows.append(
                JuryRow(
                    student, None, [_("Missing marks: %(codes)s.") % {"codes": ", ".join(missing)}]
                )
            )
            continue
        values = {code: own[code].mark for code in codes}
        excluded = {code for code in codes if own[code].excluded}
        justified = {code for code in codes if own[code].absence == Mark.Absence.JUSTIFIED}
        for code in justified:
            values.pop(code, None)
        result = lmd.evaluate_semester(
            structure, values, excluded=excluded, absent_justified=justified, rules=rules
        )
        if session == Session.RESIT:
            detail = first_results.get(student.pk)
            if detail is None or result.acquired:
                continue  # only the students sent to the resit sit before the resit jury
            result = lmd.evaluate_resit(
                structure,
                first=result,
                resit_marks={
                    c: v
                    for c, v in resit_marks.get(student.pk, {}).items()
                    if c in result.resit_modules
                },
                rules=rules,
            )
        rows.append(JuryRow(student, result))
    return JuryTable(structure, [u.code for u in structure.units], rows, anomalies)


def _detail(result: lmd.SemesterResult) -> dict[str, Any]:
    return {
        "units": {
            code: {"average": str(u.average), "credits": u.credits, "acquired": u.acquired}
            for code, u in result.units.items()
        },
        "modules": {
            code: {
                "mark": None if m.mark is None else str(m.mark),
                "credits": m.credits,
                "acquired": m.acquired,
            }
            for code, m in result.modules.items()
        },
        "resit_modules": sorted(result.resit_modules),
        "acquired": result.acquired,
    }


def jury_get_or_create(*, cohort: Cohort, semester: int, session: str) -> Jury:
    jury, _created = Jury.objects.get_or_create(cohort=cohort, semester=semester, session=session)
    return jury


def jury_close(*, jury: Jury, actor: User) -> Jury:
    """Close a jury: its results are recorded as lmd computes them and its grids locked.
    The row lock makes a second coordinator closing at the same moment get a message."""
    if not has_role(actor, Role.COORDINATOR):
        raise PermissionDenied
    with transaction.atomic():
        locked = locks.lock_jury(jury.pk, "cohort__programme")
        if locked.status != Jury.Status.OPEN:
            raise ValidationError(_("This jury is already closed."), code="closed")
        table = jury_compute(cohort=locked.cohort, semester=locked.semester, session=locked.session)
        problems = table.anomalies + [
            f"{row.student}: {' '.join(row.anomalies)}" for row in table.rows if row.anomalies
        ]
        if problems:
            raise ValidationError(problems)
        JuryResult.objects.filter(jury=locked).delete()
        JuryResult.objects.bulk_create(
            [
                JuryResult(
                    jury=locked,
                    student=row.student,
                    average=row.result.average,
                    credits=row.result.credits,
                    decision=row.result.decision,
                    detail=_detail(row.result),
                )
                for row in table.rows
                if row.result
            ]
        )
        MarkSheet.objects.filter(
            offering__cohort=locked.cohort,
            offering__semester=locked.semester,
            session=locked.session,
        ).update(status=MarkSheet.Status.LOCKED)
        locked.status = Jury.Status.CLOSED
        locked.closed_at = timezone.now()
        locked.closed_by = actor
        locked.save(update_fields=["status", "closed_at", "closed_by"])
        JuryEvent.objects.create(jury=locked, actor=actor, action="closed")
        if locked.session == Session.NORMAL:
            _open_resit_sheets(locked)
        return locked


def _open_resit_sheets(jury: Jury) -> None:
    codes = {
        code
        for detail in jury.results.values_list("detail", flat=True)
        for code in detail.get("resit_modules", [])
    }
    for offering in Offering.objects.filter(
        cohort=jury.cohort, semester=jury.semester, module__code__in=codes
    ):
        MarkSheet.objects.get_or_create(offering=offering, session=Session.RESIT)


@transaction.atomic
def jury_reopen(*, jury: Jury, actor: User, reason: str) -> Jury:
    if not has_role(actor, Role.COORDINATOR):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the jury is reopened.")})
    locked = locks.lock_jury(jury.pk)
    if locked.status == Jury.Status.OPEN:
        raise ValidationError(_("This jury is open."))
    locked.status = Jury.Status.OPEN
    locked.save(update_fields=["status"])
    MarkSheet.objects.filter(
        offering__cohort=locked.cohort_id,
        offering__semester=locked.semester,
        session=locked.session,
    ).update(status=MarkSheet.Status.SUBMITTED)
    JuryEvent.objects.create(jury=locked, actor=actor, action="reopened", reason=reason.strip())
    return locked


@transaction.atomic
def jury_publish(*, jury: Jury, actor: User) -> Jury:
    """Show the results to the students and tell them by e-mail (Celery, after commit)."""
    if not has_role(actor, Role.COORDINATOR):
        raise PermissionDenied
    locked = locks.lock_jury(jury.pk, "cohort")
    if locked.status != Jury.Status.CLOSED:
        raise ValidationError(_("Only a closed jury can be published."))
    locked.status = Jury.Status.PUBLISHED
    locked.published_at = timezone.now()
    locked.save(update_fields=["status", "published_at"])
    JuryEvent.objects.create(jury=locked, actor=actor, action="published")
    from django.core.mail import EmailMultiAlternatives
    from django.template.loader import render_to_string

    for result in locked.results.select_related("student__user"):
        user = result.student.user
        with translation.override(user.preferred_language or "fr"):
            context = {"jury": locked, "result": result, "user": user}
            subject = _("Your results of semester %(n)s are published") % {"n": locked.semester}
            body = render_to_string("studies/email/results_published.txt", context)
        email_queue(EmailMultiAlternatives(subject=subject, body=body, to=[user.email]))
    return locked


# --- Years and the whole programme ------------------------------------------------------------
def semester_outcomes(*, cohort: Cohort, semester: int) -> dict[int, lmd.SemesterResult]:
    """Each student's standing result for a semester: the resit's where the student sat one,
    the first session's otherwise; only semesters whose first-session jury is closed count."""
    juries = {j.session: j for j in Jury.objects.filter(cohort=cohort, semester=semester)}
    first = juries.get(Session.NORMAL)
    if first is None or first.status == Jury.Status.OPEN:
        return {}
    outcomes = {
        row.student.pk: row.result
        for row in jury_compute(cohort=cohort, semester=semester).rows
        if row.result
    }
    resit = juries.get(Session.RESIT)
    if resit is not None and resit.status != Jury.Status.OPEN:
        for row in jury_compute(cohort=cohort, semester=semester, session=Session.RESIT).rows:
            if row.result:
                outcomes[row.student.pk] = row.result
    return outcomes


@dataclass
class YearRow:
    student: Student
    year: lmd.YearResult
    progression: str | None


def year_results(*, cohort: Cohort, year: int) -> list[YearRow]:
    """Annual compensation (R-ANN-1) and, after M1, the progression to M2 (R-PROG-1)."""
    rules = cohort.programme.rules()
    odd, even = (
        semester_outcomes(cohort=cohort, semester=2 * year - 1),
        semester_outcomes(cohort=cohort, semester=2 * year),
    )
    students = (
        Student.objects.filter(pk__in=set(odd) & set(even))
        .select_related("user")
        .order_by("registration_number")
    )
    rows = []
    for student in students:
        result = lmd.evaluate_year(first=odd[student.pk], second=even[student.pk], rules=rules)
        progression = lmd.progression_m1_m2(result.credits, rules) if year == 1 else None
        rows.append(YearRow(student, result, progression))
    return rows


@dataclass
class FinalRow:
    student: Student
    result: lmd.FinalResult
    rank: int = 0


def final_results(*, cohort: Cohort) -> list[FinalRow]:
    """Final average (MSE), ranking average (MC, arrêté 714), mention and the promotion's
    ranking, for the students with every semester decided and 120 credits."""
    programme = cohort.programme
    rules = programme.rules()
    per_semester = [
        semester_outcomes(cohort=cohort, semester=n) for n in range(1, programme.semester_count + 1)
    ]
    common = (
        set.intersection(*(set(outcomes) for outcomes in per_semester)) if per_semester else set()
    )
    rows = []
    for student in Student.objects.filter(pk__in=common).select_related("user"):
        results = [outcomes[student.pk] for outcomes in per_semester]
        years = [
            lmd.evaluate_year(first=results[i], second=results[i + 1], rules=rules)
            for i in range(0, len(results) - 1, 2)
        ]
        if sum(y.credits for y in years) < programme.total_credits:
            continue
        resits = sum(1 for r in results if r.decision == lmd.ADMIS_RATT)
        final = lmd.final_result(
            semester_averages=[r.average for r in results],
            repeats=0,
            debts=0,
            resits=resits,
            rules=rules,
        )
        rows.append(FinalRow(student, final))
    rows.sort(key=lambda row: (-row.result.ranking_average, row.student.registration_number))
    for rank, row in enumerate(rows, start=1):
        row.rank = rank
    return rows
