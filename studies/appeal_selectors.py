"""Read queries of consultation and appeals: a student's own marks and appeals, the appeals a
lecturer or a coordinator answers."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Case, IntegerField, QuerySet, Value, When

from accounts.access import Role, has_role
from accounts.models import User
from enrollment.models import Student
from studies.lifecycles import APPEAL
from studies.models import Appeal, ConsultationWindow, Mark, MarkChange, MarkSheet

CONSULTED = (MarkSheet.Status.SUBMITTED, MarkSheet.Status.LOCKED)


@dataclass
class ConsultedMark:
    """One grid of a student in its consultation window: the mark, the appeals, the form."""

    sheet: MarkSheet
    window: ConsultationWindow
    mark: Mark
    appeals: list[Appeal]
    is_open: bool
    may_file: bool
    form: Any = None
    #: per appeal: may the student withdraw it
    withdrawable: set[int] = field(default_factory=set)


def student_marks(*, user: User, now: datetime) -> dict[str, Any] | None:
    """A student's marks on the grids whose consultation has opened (open or closed since),
    oldest semester first, with their appeals; and the grids whose consultation is to come.
    None: the person is no student."""
    students = list(Student.objects.filter(user=user).values_list("pk", flat=True))
    if not students:
        return None
    marks = list(
        Mark.objects.filter(
            student_id__in=students,
            sheet__status__in=CONSULTED,
            sheet__consultation__isnull=False,
        )
        .select_related("sheet__consultation", "sheet__offering__module", "sheet__offering__cohort")
        .order_by(
            "sheet__offering__cohort__start_date",
            "sheet__offering__semester",
            "sheet__offering__module__unit__position",
            "sheet__offering__module__position",
            "sheet__session",
        )
    )
    appeals: dict[tuple[int, int], list[Appeal]] = defaultdict(list)
    for appeal in Appeal.objects.filter(
        student_id__in=students, sheet__in=[m.sheet_id for m in marks]
    ).order_by("filed_at", "pk"):
        appeals[(appeal.sheet_id, appeal.student_id)].append(appeal)
    rows, upcoming = [], []
    for mark in marks:
        sheet = mark.sheet
        window = sheet.consultation
        if not window.has_opened(now):
            upcoming.append(sheet)
            continue
        own = appeals[(sheet.pk, mark.student_id)]
        is_open = window.is_open(now)
        waiting = any(a.status == Appeal.Status.OPEN for a in own)
        rows.append(
            ConsultedMark(
                sheet=sheet,
                window=window,
                mark=mark,
                appeals=own,
                is_open=is_open,
                may_file=is_open and sheet.status == MarkSheet.Status.SUBMITTED and not waiting,
                withdrawable={a.pk for a in own if APPEAL.allows(a.status, "withdraw")},
            )
        )
    return {"rows": rows, "upcoming": upcoming}


def appeals_for(*, user: User) -> QuerySet[Appeal]:
    """The appeals a person answers: every one for a coordinator, those of their offerings
    for a lecturer; waiting ones first, oldest first."""
    queryset = Appeal.objects.select_related(
        "student__user", "sheet__offering__module", "sheet__offering__cohort", "answered_by"
    ).order_by(
        Case(
            When(status=Appeal.Status.OPEN, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
        "filed_at",
        "pk",
    )
    if has_role(user, Role.COORDINATOR):
        return queryset
    return queryset.filter(sheet__offering__lecturers=user)


def appeal_context(*, appeal: Appeal) -> dict[str, Any]:
    """What the page of one appeal shows beside it: the mark and its history, the window."""
    mark = Mark.objects.filter(sheet_id=appeal.sheet_id, student_id=appeal.student_id).first()
    return {
        "appeal": appeal,
        "sheet": appeal.sheet,
        "mark": mark,
        "window": ConsultationWindow.objects.filter(sheet_id=appeal.sheet_id).first(),
        "history": MarkChange.objects.filter(mark=mark).select_related("changed_by")
        if mark is not None
        else MarkChange.objects.none(),
        "others": Appeal.objects.filter(sheet_id=appeal.sheet_id, student_id=appeal.student_id)
        .exclude(pk=appeal.pk)
        .order_by("filed_at"),
    }
