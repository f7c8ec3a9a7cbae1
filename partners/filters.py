from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from partners.models import Agreement, Organisation


class OrganisationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name"), method="search")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Organisation.Kind.choices)
    sector = django_filters.ChoiceFilter(label=_("Sector"), choices=Organisation.Sector.choices)

    class Meta:
        model = Organisation
        fields = ["q", "kind", "sector"]

    def search(
        self, queryset: QuerySet[Organisation], name: str, value: str
    ) -> QuerySet[Organisation]:
        for word in value.split()[:5]:
            queryset = queryset.filter(
                Q(name_fr__icontains=word)
                | Q(name_ar__icontains=word)
                | Q(name_en__icontains=word)
                | Q(acronym__icontains=word)
            )
        return queryset


class AgreementFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Title"), field_name="title", lookup_expr="icontains")
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Agreement.Status.choices, field_name="current_status"
    )
    party = django_filters.ModelChoiceFilter(
        label=_("Party"), queryset=Organisation.objects.all(), field_name="parties"
    )
    scope = django_filters.ChoiceFilter(
        label=_("Scope"), choices=Agreement.SCOPES, method="by_scope"
    )

    class Meta:
        model = Agreement
        fields = ["q", "status", "party", "scope"]

    def by_scope(self, queryset: QuerySet[Agreement], name: str, value: str) -> QuerySet[Agreement]:
        return queryset.filter(**{value: True})
