"""Consultation of marks and appeals (academic-rules.md §1.11).

After a grid is submitted, a coordinator sets its consultation window; during it each
student of the grid sees their component marks and may file one appeal at a time on it. A
lecturer of the offering or a coordinator answers: the mark is kept, or corrected. A
correction is a change of the mark like any other: computed by ``curriculum.lmd`` through
``studies.services.marks`` and written to ``MarkChange`` with its reason. The lifecycle is
``studies.lifecycles.APPEAL``; the jury of a semester cannot close while one of its appeals
waits for an answer (``open_appeals``).

Locks, each of its own row only: filing takes the sheet's jury (when it exists) then the
sheet, the order in which ``jury_close`` takes the jury and then locks the grids, so a
student cannot slip an appeal onto a grid the jury is closing over; answering takes the
appeal, then the sheet for a correction; withdrawing, the appeal.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from accounts.access import Role, has_role
from accounts.models import Notification, User
from accounts.services import email_queue
from enrollment.locks import SELF
from enrollment.models import Cohort, Student
from studies import locks
from studies.lifecycles import APPEAL, SHEET
from studies.models import (
    Appeal,
    ConsultationWindow,
    Jury,
    Mark,
    MarkChange,
    MarkSheet,
    Session,
)
from studies.services.marks import MarkRow, _as_dict, _module_mark, may_edit_sheet

REASON_MAX = 2000  # an appeal's reason, an answer
CHANGE_REASON_MAX = 300  # MarkChange.reason
#: outcome (the appeal's status after the answer) → the lifecycle's action
OUTCOMES: dict[str, str] = {Appeal.Status.KEPT: "keep", Appeal.Status.CORRECTED: "correct"}
CONSULTED = (MarkSheet.Status.SUBMITTED, MarkSheet.Status.LOCKED)


def _when(value: datetime) -> str:
    return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")


def _aware(value: datetime) -> datetime:
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def mark_state(mark: Mark | None) -> dict[str, Any]:
    """A mark as ``MarkChange`` records it (empty: no mark yet)."""
    if mark is None:
        return {}
    return _as_dict(
        MarkRow(mark.student_id, mark.cc, mark.exam, mark.absence, mark.excluded), mark.mark
    )


# --- The window -------------------------------------------------------------------------------
def consultation_set(
    *, sheet: MarkSheet, actor: User, opens_at: datetime, closes_at: datetime
) -> ConsultationWindow:
    """Set (or move) the consultation window of a submitted or locked grid."""
    if not has_role(actor, Role.COORDINATOR):
        raise PermissionDenied
    opens_at, closes_at = _aware(opens_at), _aware(closes_at)
    if closes_at <= opens_at:
        raise ValidationError({"closes_at": _("The consultation must close after it opens.")})
    with transaction.atomic():
        locked = locks.lock_mark_sheet(sheet.pk)
        if locked.status not in CONSULTED:
            raise ValidationError(
                _("The grid must be submitted before its marks are shown to the students.")
            )
        window, _created = ConsultationWindow.objects.update_or_create(
            sheet=locked,
            defaults={"opens_at": opens_at, "closes_at": closes_at, "set_by": actor},
        )
    return window


def window_refusal(window: ConsultationWindow | None, now: datetime) -> str:
    """Why no appeal may be filed at ``now`` under ``window``, in words (empty: it may)."""
    if window is None:
        return _("No consultation period is set for this grid: an appeal cannot be filed.")
    if now < window.opens_at:
        return _("The consultation period opens on %(date)s: an appeal cannot be filed yet.") % {
            "date": _when(window.opens_at)
        }
    if now >= window.closes_at:
        return _(
            "The consultation period closed on %(date)s: an appeal can no longer be filed."
        ) % {"date": _when(window.closes_at)}
    return ""


# --- Filing and withdrawing -------------------------------------------------------------------
def appeal_file(*, sheet: MarkSheet, student_user: User, reason: str) -> Appeal:
    """A student of the grid appeals against their mark on it, during the window."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why you appeal against this mark.")})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": _("Write %(n)s characters at most.") % {"n": REASON_MAX}})
    student = Student.objects.filter(user=student_user, marks__sheet=sheet.pk).first()
    if student is None:
        raise PermissionDenied  # not a student of this grid
    offering = MarkSheet.objects.values("offering__cohort_id", "offering__semester").get(
        pk=sheet.pk
    )
    with transaction.atomic():
        # The jury first, as jury_close takes it before locking the grids (see the module).
        Jury.objects.select_for_update(of=SELF).filter(
            cohort_id=offering["offering__cohort_id"],
            semester=offering["offering__semester"],
            session=sheet.session,
        ).order_by("pk").first()
        locked = locks.lock_mark_sheet(sheet.pk)
        refusal = window_refusal(
            ConsultationWindow.objects.filter(sheet=locked).first(), timezone.now()
        )
        if refusal:
            raise ValidationError(refusal, code="window")
        if locked.status != MarkSheet.Status.SUBMITTED:
            raise ValidationError(
                _("The jury has deliberated on these marks: an appeal is no longer possible."),
                code="locked",
            )
        already = _("You already have an appeal waiting for an answer on this module.")
        if Appeal.objects.filter(sheet=locked, student=student, status=Appeal.Status.OPEN).exists():
            raise ValidationError(already, code="open")
        try:
            with transaction.atomic():
                return Appeal.objects.create(sheet=locked, student=student, reason=reason)
        except IntegrityError:  # the constraint, should the check above ever be bypassed
            raise ValidationError(already, code="open") from None


def appeal_withdraw(*, appeal: Appeal, user: User) -> Appeal:
    """The student who filed an appeal withdraws it while it waits for its answer."""
    with transaction.atomic():
        locked = (
            Appeal.objects.select_for_update(of=SELF).select_related("student").get(pk=appeal.pk)
        )
        if locked.student.user_id != user.pk:
            raise PermissionDenied
        locked.status = APPEAL.next(locked.status, "withdraw", label=locked.get_status_display())
        locked.withdrawn_at = timezone.now()
        locked.save(update_fields=["status", "withdrawn_at"])
    return locked


# --- Answering --------------------------------------------------------------------------------
def _check_mark(name: str, value: Decimal | None, errors: dict[str, str]) -> None:
    if value is None:
        return
    if not value.is_finite() or value < 0 or value > 20:
        errors[name] = _("A mark is between 0 and 20.")
    elif value != value.quantize(Decimal("0.01")):
        errors[name] = _("A mark has two decimals at most.")


def appeal_answer(
    *,
    appeal: Appeal,
    actor: User,
    outcome: str,
    answer: str,
    cc: Decimal | None = None,
    exam: Decimal | None = None,
    reason: str = "",
) -> Appeal:
    """Answer an appeal: the mark is ``kept`` (with an answer to the student) or
    ``corrected`` (new continuous assessment and exam marks, with a reason kept in the history
    of the marks). A lecturer of the offering or a coordinator; the student is e-mailed.

    A correction replaces both components with ``cc`` and ``exam`` (None: no mark); an exam
    mark clears an absence recorded at the exam; ``excluded`` stays as it is."""
    action = OUTCOMES.get(outcome)
    if action is None:
        raise ValidationError({"outcome": _("Choose whether the mark is kept or corrected.")})
    answer, reason = answer.strip(), reason.strip()
    errors: dict[str, str] = {}
    if action == "keep" and not answer:
        errors["answer"] = _("Tell the student why the mark is kept.")
    if len(answer) > REASON_MAX:
        errors["answer"] = _("Write %(n)s characters at most.") % {"n": REASON_MAX}
    if action == "correct":
        if not reason:
            errors["reason"] = _("Say why the mark is corrected.")
        elif len(reason) > CHANGE_REASON_MAX:
            errors["reason"] = _("Write %(n)s characters at most.") % {"n": CHANGE_REASON_MAX}
        _check_mark("cc", cc, errors)
        _check_mark("exam", exam, errors)
    if errors:
        raise ValidationError(errors)
    sheet = MarkSheet.objects.select_related("offering__module").get(pk=appeal.sheet_id)
    if not may_edit_sheet(actor, sheet):
        raise PermissionDenied
    with transaction.atomic():
        locked = (
            Appeal.objects.select_for_update(of=SELF)
            .select_related("student__user")
            .get(pk=appeal.pk)
        )
        status = APPEAL.next(locked.status, action, label=locked.get_status_display())
        mark: Mark | None
        if action == "correct":
            mark, before, after = _correct(locked, actor=actor, cc=cc, exam=exam, reason=reason)
        else:
            mark = Mark.objects.filter(
                sheet_id=locked.sheet_id, student_id=locked.student_id
            ).first()
            before = after = mark_state(mark)
        locked.status = status
        locked.answer = answer or reason
        locked.answered_by = actor
        locked.answered_at = timezone.now()
        locked.before, locked.after = before, after
        locked.save(
            update_fields=["status", "answer", "answered_by", "answered_at", "before", "after"]
        )
        _email_answer(locked, sheet=sheet, mark=mark)
    return locked


def _correct(
    appeal: Appeal, *, actor: User, cc: Decimal | None, exam: Decimal | None, reason: str
) -> tuple[Mark, dict[str, Any], dict[str, Any]]:
    """Write the corrected mark under the grid's lock, as ``grid_save`` would, and its
    ``MarkChange``: a locked grid refuses it (its jury must be reopened first)."""
    sheet = locks.lock_mark_sheet(
        appeal.sheet_id, "offering__module", "offering__cohort__programme"
    )
    SHEET.next(sheet.status, "correct", label=sheet.get_status_display())
    mark = Mark.objects.filter(sheet=sheet, student_id=appeal.student_id).first()
    before = mark_state(mark)
    row = MarkRow(
        appeal.student_id,
        cc,
        exam,
        "" if exam is not None or mark is None else mark.absence,
        mark.excluded if mark is not None else False,
    )
    value = _module_mark(
        row,
        sheet.offering.module,
        sheet.offering.cohort.programme.rules(),
        sheet.session == Session.RESIT,
    )
    after = _as_dict(row, value)
    if after == before:
        raise ValidationError(
            _("These are the marks already recorded: change them, or answer that the mark is kept.")
        )
    if mark is None:
        mark = Mark(sheet=sheet, student_id=appeal.student_id)
    mark.cc, mark.exam, mark.absence, mark.excluded, mark.mark = (
        row.cc,
        row.exam,
        row.absence,
        row.excluded,
        value,
    )
    mark.updated_by = actor
    mark.save()
    mark.refresh_from_db(fields=["cc", "exam", "mark"])  # as stored: two decimals
    MarkChange.objects.create(
        mark=mark, changed_by=actor, before=before, after=after, reason=reason
    )
    return mark, before, after


def _email_answer(appeal: Appeal, *, sheet: MarkSheet, mark: Mark | None) -> None:
    """Tell the student, in their language, once the transaction commits."""
    user = appeal.student.user
    module = sheet.offering.module
    with translation.override(user.preferred_language or "fr"):
        context = {"appeal": appeal, "sheet": sheet, "module": module, "mark": mark, "user": user}
        subject = _("Your appeal on %(code)s has been answered") % {"code": module.code}
        body = render_to_string("studies/email/appeal_answered.txt", context)
    email_queue(
        EmailMultiAlternatives(subject=subject, body=body, to=[user.email]),
        kind=Notification.Kind.RESULTS,
    )


# --- The jury's check -------------------------------------------------------------------------
def open_appeals(*, cohort: Cohort, semester: int) -> list[str]:
    """The appeals of a semester still waiting for their answer, one line each."""
    rows = (
        Appeal.objects.filter(
            status=Appeal.Status.OPEN,
            sheet__offering__cohort=cohort,
            sheet__offering__semester=semester,
        )
        .order_by("student__registration_number", "sheet__offering__module__code", "pk")
        .values_list("student__registration_number", "sheet__offering__module__code")
    )
    return [
        _("The appeal of %(number)s on %(code)s is waiting for its answer.")
        % {"number": number, "code": code}
        for number, code in rows
    ]


__all__ = [
    "appeal_answer",
    "appeal_file",
    "appeal_withdraw",
    "consultation_set",
    "mark_state",
    "open_appeals",
    "window_refusal",
]
