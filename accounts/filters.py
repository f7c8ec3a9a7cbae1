from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User

ROLE_CHOICES = (
    ("student", _("Student")),
    ("lecturer", _("Lecturer")),
    ("coordinator", _("Coordinator")),
    ("none", _("Applicant only")),
)


class PeopleFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name or e-mail"), method="search")
    role = django_filters.ChoiceFilter(label=_("Role"), choices=ROLE_CHOICES, method="by_role")
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = User
        fields = ["q", "role", "is_active"]

    def search(self, queryset: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        for word in value.split()[:5]:
            queryset = queryset.filter(
                Q(email__icontains=word)
                | Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
            )
        return queryset

    def by_role(self, queryset: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        if value == "none":
            return queryset.filter(is_student=False, is_lecturer=False, is_coordinator=False)
        return queryset.filter(**{f"is_{value}": True})
