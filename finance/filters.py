from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from enrollment.models import Cohort
from finance.models import Invoice

STUDENT, ORGANISATION = "student", "organisation"
OPEN, PAID = "open", "paid"


class InvoiceFilter(django_filters.FilterSet):
    """Applied by ``finance.selectors.invoice_list`` on invoices annotated with ``left``."""

    q = django_filters.CharFilter(label=_("Number or name"), method="search")
    cohort = django_filters.ModelChoiceFilter(label=_("Cohort"), queryset=Cohort.objects.all())
    payer = django_filters.ChoiceFilter(
        label=_("Payer"),
        choices=((STUDENT, _("Student")), (ORGANISATION, _("Organisation"))),
        method="by_payer",
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=((OPEN, _("Open")), (PAID, _("Paid"))),
        method="by_status",
    )

    class Meta:
        model = Invoice
        fields = ["q", "cohort", "payer", "status"]

    def search(self, queryset: QuerySet[Invoice], name: str, value: str) -> QuerySet[Invoice]:
        """Every word (five at most) in the number, the student's name or registration
        number, or the organisation's name, accents and case ignored."""
        for word in value.split()[:5]:
            queryset = queryset.filter(
                Q(number__icontains=word)
                | Q(payer_student__registration_number__icontains=word)
                | Q(payer_student__user__last_name__unaccent__icontains=word)
                | Q(payer_student__user__first_name__unaccent__icontains=word)
                | Q(payer_organisation__name_fr__unaccent__icontains=word)
                | Q(payer_organisation__acronym__icontains=word)
            )
        return queryset

    def by_payer(self, queryset: QuerySet[Invoice], name: str, value: str) -> QuerySet[Invoice]:
        if value == STUDENT:
            return queryset.filter(payer_student__isnull=False)
        return queryset.filter(payer_organisation__isnull=False)

    def by_status(self, queryset: QuerySet[Invoice], name: str, value: str) -> QuerySet[Invoice]:
        if value == OPEN:
            return queryset.filter(left__gt=0)  # type: ignore[misc]
        return queryset.filter(left__lte=0)  # type: ignore[misc]
