"""The lists of the teaching operations (#14): rooms and a cohort's timetable."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from enrollment.forms import DATE
from partners.models import Organisation
from studies.models import ClassSession, Room


class RoomFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name"), method="search")
    site = django_filters.ChoiceFilter(label=_("Site"), choices=Room.Site.choices)
    organisation = django_filters.ModelChoiceFilter(
        label=_("Partner"), queryset=Organisation.objects.filter(rooms__isnull=False).distinct()
    )
    active = django_filters.BooleanFilter(label=_("In use"))

    class Meta:
        model = Room
        fields = ["q", "site", "organisation", "active"]

    def search(self, queryset: QuerySet[Room], name: str, value: str) -> QuerySet[Room]:
        for word in value.split()[:5]:
            queryset = queryset.filter(Q(name__icontains=word) | Q(address__icontains=word))
        return queryset


class SessionFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=ClassSession.Kind.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ClassSession.Status.choices)
    semester = django_filters.NumberFilter(label=_("Semester"), field_name="offering__semester")
    room = django_filters.ModelChoiceFilter(label=_("Room"), queryset=Room.objects.all())
    lecturer = django_filters.ModelChoiceFilter(
        label=_("Lecturer"),
        queryset=User.objects.filter(is_lecturer=True),
        field_name="session_lecturers__lecturer",
        distinct=True,
    )
    after = django_filters.DateFilter(
        label=_("From"), field_name="starts_at", lookup_expr="date__gte", widget=DATE
    )
    before = django_filters.DateFilter(
        label=_("Until"), field_name="starts_at", lookup_expr="date__lte", widget=DATE
    )

    class Meta:
        model = ClassSession
        fields = ["semester", "kind", "status", "room", "lecturer", "after", "before"]
