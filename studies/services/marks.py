"""Marks and juries. Every piece of academic arithmetic is ``curriculum.lmd``'s."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import Role, has_role
from accounts.models import User
from curriculum import lmd
from curriculum.models import Module, ModuleLecturer, ModulePartner
from enrollment.models import Cohort, Student
from studies import locks
from studies.lifecycles import SHEET
from studies.models import (
    AcquiredBy,
    Jury,
    Mark,
    MarkChange,
    MarkSheet,
    Offering,
    SemesterResult,
    Session,
)

ACTIVE = (Student.Status.ACTIVE,)


# --- Offerings --------------------------------------------------------------------------------
@transaction.atomic
def offerings_open(
    *, cohort: Cohort, semester: int, academic_year: str, actor: User
) -> list[Offering]:
    """Deliver every module of a semester to a cohort, with the module's lecturers and
    partners, and open the first-session mark sheets. Running it again adds nothing."""
    if not has_role(actor, Role.COORDINATOR):
        raise PermissionDenied
    modules = list(
        Module.objects.filter(programme=cohort.programme_id, unit__semester__number=semester)
    )
    if not modules:
        raise ValidationError(_("The programme has no module in semester %(n)s.") % {"n": semester})
    offerings = []
    for module in modules:
        offering, created = Offering.objects.get_or_create(
            cohort=cohort,
            module=module,
            defaults={"academic_year": academic_year, "semester": semester},
        )
        if created:
            offering.lecturers.set(
                ModuleLecturer.objects.filter(module=module).values_list("lecturer", flat=True)
            )
            offering.partners.set(
                ModulePartner.objects.filter(module=module).values_list("organisation", flat=True)
            )
        MarkSheet.objects.get_or_create(offering=offering, session=Session.NORMAL)
        offerings.append(offering)
    return offerings


def may_edit_sheet(user: User, sheet: MarkSheet) -> bool:
    if has_role(user, Role.COORDINATOR):
        return True
    return sheet.offering.lecturers.filter(pk=user.pk).exists()


# --- Mark sheets ------------------------------------------------------------------------------
@dataclass(frozen=True)
class MarkRow:
    student_id: int
    cc: Decimal | None
    exam: Decimal | None
    absence: str = ""
    excluded: bool = False


def sheet_students(sheet: MarkSheet) -> list[Student]:
    """Who is on a sheet: the cohort's active students; at the resit, only those whom the
    closed first-session jury sent to the resit for this module."""
    offering = sheet.offering
    students = (
        Student.objects.filter(cohort_id=offering.cohort_id, status__in=ACTIVE)
        .select_related("user")
        .order_by("user__last_name", "registration_number")
    )
    if sheet.session == Session.NORMAL:
        return list(students)
    code = offering.module.code
    first = SemesterResult.objects.filter(
        jury__cohort_id=offering.cohort_id,
        jury__semester=offering.semester,
        jury__session=Session.NORMAL,
        jury__status__in=(Jury.Status.CLOSED, Jury.Status.PUBLISHED, Jury.Status.REOPENED),
        version=F("jury__version"),
    ).values_list("student_id", "resit_modules")
    compensated = set(
        SemesterResult.objects.filter(
            student__cohort_id=offering.cohort_id,
            semester=offering.semester,
            current=True,
            acquired_by=AcquiredBy.ANNUAL,
        ).values_list("student_id", flat=True)
    )  # a semester the year acquired by compensation is not resat
    wanted = {pk for pk, modules in first if code in modules and pk not in compensated}
    return [s for s in students if s.pk in wanted]


def _module_mark(row: MarkRow, module: Module, rules: lmd.RuleSet, resit: bool) -> Decimal | None:
    """The module mark of a row (R-MAT-1/2): none for a justified absence or an empty row,
    the exam counting 0 for an unjustified absence; at the resit, the resit-session mark
    (the better of the two sessions is kept by ``lmd.evaluate_resit``)."""
    if row.absence == Mark.Absence.JUSTIFIED or (
        row.cc is None and row.exam is None and not row.absence
    ):
        return None
    exam = None if row.absence == Mark.Absence.UNJUSTIFIED else row.exam
    if resit:
        return lmd.resit_session_mark(cc=row.cc, resit=exam, w_cc=module.w_cc, rules=rules)
    return lmd.module_mark(cc=row.cc, exam=exam, w_cc=module.w_cc, rules=rules)


def grid_save(*, sheet: MarkSheet, actor: User, rows: list[MarkRow], reason: str = "") -> int:
    """Save a whole grid in one transaction, every row checked first; a number of queries
    that does not grow with the students. Returns the number of marks changed."""
    with transaction.atomic():
        locked = locks.lock_mark_sheet(sheet.pk, "offering__module", "offering__cohort__programme")
        if not may_edit_sheet(actor, locked):
            raise PermissionDenied
        coordinator = has_role(actor, Role.COORDINATOR)
        # The sheet's lifecycle (studies.lifecycles.SHEET): saved while open; once submitted,
        # only the coordination corrects it, with a reason; locked by a closed jury.
        action = "save" if locked.status == MarkSheet.Status.OPEN else "correct"
        if action == "correct" and locked.status == MarkSheet.Status.SUBMITTED and not coordinator:
            raise ValidationError(str(SHEET.refusals["save"]))
        SHEET.next(locked.status, action)
        if action == "correct" and not reason.strip():
            raise ValidationError({"reason": _("Say why a submitted mark is changed.")})
        allowed = {s.pk: s for s in sheet_students(locked)}
        seen: set[int] = set()
        errors = []
        for row in rows:
            if row.student_id not in allowed:
                errors.append(
                    _("Row %(id)s: this student is not on this grid.") % {"id": row.student_id}
                )
            elif row.student_id in seen:
                errors.append(_("Row %(id)s: the student appears twice.") % {"id": row.student_id})
            seen.add(row.student_id)
        if errors:
            raise ValidationError(errors)
        module = locked.offering.module
        rules = locked.offering.cohort.programme.rules()
        resit = locked.session == Session.RESIT
        existing = {m.student_id: m for m in Mark.objects.filter(sheet=locked)}
        to_create, to_update, changes = [], [], []
        for row in rows:
            mark_value = _module_mark(row, module, rules, resit)
            current = existing.get(row.student_id)
            after = _as_dict(row, mark_value)
            if current is None:
                to_create.append(
                    Mark(
                        sheet=locked,
                        student_id=row.student_id,
                        cc=row.cc,
                        exam=row.exam,
                        absence=row.absence,
                        excluded=row.excluded,
                        mark=mark_value,
                        updated_by=actor,
                    )
                )
                continue
            before = _as_dict(
                MarkRow(
                    row.student_id, current.cc, current.exam, current.absence, current.excluded
                ),
                current.mark,
            )
            if before == after:
                continue
            current.cc, current.exam, current.absence, current.excluded, current.mark = (
                row.cc,
                row.exam,
                row.absence,
                row.excluded,
                mark_value,
            )
            current.updated_by = actor
            current.updated_at = timezone.now()
            to_update.append(current)
            changes.append((current, before, after))
        created = Mark.objects.bulk_create(to_create)
        Mark.objects.bulk_update(
            to_update, ["cc", "exam", "absence", "excluded", "mark", "updated_by", "updated_at"]
        )
        history = [
            MarkChange(
                mark=m,
                changed_by=actor,
                before={},
                after=_as_dict(MarkRow(m.student_id, m.cc, m.exam, m.absence, m.excluded), m.mark),
                reason=reason[:300],
            )
            for m in created
        ]
        history += [
            MarkChange(mark=m, changed_by=actor, before=b, after=a, reason=reason[:300])
            for m, b, a in changes
        ]
        MarkChange.objects.bulk_create(history)
        return len(history)


def _as_dict(row: MarkRow, mark: Decimal | None) -> dict[str, Any]:
    def text(value: Decimal | None) -> str | None:
        return None if value is None else f"{value:.2f}"

    return {
        "cc": text(row.cc),
        "exam": text(row.exam),
        "absence": row.absence,
        "excluded": row.excluded,
        "mark": text(mark),
    }


@transaction.atomic
def grid_submit(*, sheet: MarkSheet, actor: User) -> MarkSheet:
    locked = locks.lock_mark_sheet(sheet.pk, "offering")
    if not may_edit_sheet(actor, locked):
        raise PermissionDenied
    status = SHEET.next(locked.status, "submit")
    missing = (
        len(sheet_students(locked))
        - Mark.objects.filter(sheet=locked).exclude(mark__isnull=True, absence="").count()
    )
    if missing > 0:
        raise ValidationError(
            _("%(n)s student(s) have no mark and no absence yet.") % {"n": missing}
        )
    locked.status = status
    locked.submitted_by = actor
    locked.submitted_at = timezone.now()
    locked.save(update_fields=["status", "submitted_by", "submitted_at"])
    return locked
