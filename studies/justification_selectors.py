"""Read queries of absence justifications: a student's own absences (with their
justification), the coordinators' list (filtered by cohort and status, the waiting ones by
default), and the gates of a justification and of its document."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.http import Http404, QueryDict
from django.utils.translation import gettext_lazy as _

from accounts.access import Role, has_role
from accounts.models import User
from enrollment.models import Cohort
from studies.models import AbsenceJustification, Attendance


class JustificationFilter(django_filters.FilterSet):
    cohort = django_filters.ModelChoiceFilter(
        label=_("Cohort"),
        field_name="attendance__student__cohort",
        queryset=Cohort.objects.order_by("-start_date"),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=AbsenceJustification.Status.choices,
        empty_label=_("All"),
    )

    class Meta:
        model = AbsenceJustification
        fields = ["cohort", "status"]


def absences_for_student(*, user: User) -> QuerySet[Attendance]:
    """The absences (justified or not) of ``user``'s student records, latest session first."""
    return (
        Attendance.objects.filter(
            student__user=user,
            status__in=[Attendance.Status.ABSENT, Attendance.Status.JUSTIFIED],
        )
        .select_related("session__offering__module", "student__cohort__programme", "justification")
        .order_by("-session__starts_at", "-pk")
    )


def attendance_get_for_student(*, user: User, pk: int) -> Attendance:
    """One of ``user``'s own attendance rows; 404 for anyone else's."""
    attendance = (
        Attendance.objects.filter(pk=pk, student__user=user)
        .select_related("session__offering__module", "student__cohort__programme")
        .first()
    )
    if attendance is None:
        raise Http404
    return attendance


def justification_list(
    *, filters: QueryDict | None = None
) -> tuple[JustificationFilter, QuerySet[AbsenceJustification]]:
    """The coordinators' list; without a status chosen, the justifications waiting (an
    empty status: all of them)."""
    data = filters.copy() if filters is not None else QueryDict(mutable=True)
    if "status" not in data:
        data["status"] = AbsenceJustification.Status.PENDING
    queryset = AbsenceJustification.objects.select_related(
        "attendance__session__offering__module",
        "attendance__student__user",
        "attendance__student__cohort",
        "decided_by",
    ).order_by("submitted_at", "pk")
    filterset = JustificationFilter(data, queryset=queryset)
    return filterset, filterset.qs


def justification_get_for_staff(*, pk: int) -> AbsenceJustification:
    justification = (
        AbsenceJustification.objects.select_related(
            "attendance__session__offering__module",
            "attendance__student__user",
            "attendance__student__cohort__programme",
            "decided_by",
        )
        .filter(pk=pk)
        .first()
    )
    if justification is None:
        raise Http404
    return justification


def justification_get_for_download(*, user: User, pk: int) -> AbsenceJustification:
    """A justification whose document ``user`` may download: the student who sent it or a
    coordinator; 404 for anyone else (nothing says it exists)."""
    owner = Q(attendance__student__user=user)
    condition = Q() if has_role(user, Role.COORDINATOR) else owner
    justification = AbsenceJustification.objects.filter(condition, pk=pk).exclude(file="").first()
    if justification is None:
        raise Http404
    return justification
