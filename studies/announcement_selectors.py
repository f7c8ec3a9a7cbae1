"""Read queries of announcements: what the staff see (a coordinator all, filtered by cohort;
a lecturer those of the modules they teach and their own), what a student receives (their
cohort, their group, their cohort's modules), and the attachment's gate."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from accounts.access import Role, has_role
from accounts.models import User
from enrollment.models import Cohort, Student
from studies.models import Announcement


class AnnouncementFilter(django_filters.FilterSet):
    cohort = django_filters.ModelChoiceFilter(
        label=_("Cohort"), queryset=Cohort.objects.order_by("-start_date")
    )

    class Meta:
        model = Announcement
        fields = ["cohort"]


def _listed(queryset: QuerySet[Announcement]) -> QuerySet[Announcement]:
    return queryset.select_related("author", "cohort", "offering__module").order_by(
        "-created_at", "-pk"
    )


def announcement_list_for_staff(
    *, user: User, filters: Mapping[str, Any] | None = None
) -> tuple[AnnouncementFilter, QuerySet[Announcement]]:
    if has_role(user, Role.COORDINATOR):
        queryset = Announcement.objects.all()
    else:
        queryset = Announcement.objects.filter(
            Q(author=user) | Q(offering__lecturers=user)
        ).distinct()
    filterset = AnnouncementFilter(filters, queryset=_listed(queryset))
    return filterset, filterset.qs


def _addressed_to(user: User) -> Q:
    """The announcements that reach ``user`` as an active student (none when they are not)."""
    condition = Q(pk__in=[])
    records = Student.objects.filter(user=user, status=Student.Status.ACTIVE).values_list(
        "cohort_id", "group"
    )
    for cohort_id, group in records:
        condition |= Q(cohort_id=cohort_id, group="")
        if group:
            condition |= Q(cohort_id=cohort_id, group=group)
    return condition


def announcement_list_for_student(*, user: User) -> QuerySet[Announcement]:
    return _listed(Announcement.objects.filter(_addressed_to(user)))


def announcement_get_for_download(*, user: User, pk: int) -> Announcement:
    """An announcement whose attachment ``user`` may download: its author or its audience;
    404 for anyone else (nothing says the announcement exists)."""
    announcement = (
        Announcement.objects.filter(Q(author=user) | _addressed_to(user), pk=pk)
        .exclude(attachment="")
        .first()
    )
    if announcement is None:
        raise Http404
    return announcement
