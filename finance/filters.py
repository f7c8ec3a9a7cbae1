from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, TypeVar

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enrollment.models import Cohort, Student
from finance.models import Allocation, Invoice, InvoiceLine, Payment
from partners.models import Organisation

STUDENT, ORGANISATION = "student", "organisation"
#: What a payer pays: invoices and payments share their payer columns.
PaidBy = TypeVar("PaidBy", Invoice, Payment)
OPEN, PAID = "open", "paid"


def payer_words(queryset: QuerySet[PaidBy], value: str, *, own: str) -> QuerySet[PaidBy]:
    """Invoices' and payments' search: every word (five at most) in their own ``own`` field,
    the paying student's name or registration number, or the paying organisation's name,
    accents and case ignored."""
    for word in value.split()[:5]:
        queryset = queryset.filter(
            Q(**{f"{own}__icontains": word})
            | Q(payer_student__registration_number__icontains=word)
            | Q(payer_student__user__last_name__unaccent__icontains=word)
            | Q(payer_student__user__first_name__unaccent__icontains=word)
            | Q(payer_organisation__name_fr__unaccent__icontains=word)
            | Q(payer_organisation__acronym__icontains=word)
        )
    return queryset


def payer_kind(queryset: QuerySet[PaidBy], value: str) -> QuerySet[PaidBy]:
    """Paid (or to be paid) by a student, or by an organisation."""
    if value == STUDENT:
        return queryset.filter(payer_student__isnull=False)
    return queryset.filter(payer_organisation__isnull=False)


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
        return payer_words(queryset, value, own="number")

    def by_payer(self, queryset: QuerySet[Invoice], name: str, value: str) -> QuerySet[Invoice]:
        return payer_kind(queryset, value)

    def by_status(self, queryset: QuerySet[Invoice], name: str, value: str) -> QuerySet[Invoice]:
        if value == OPEN:
            return queryset.filter(left__gt=0)  # type: ignore[misc]
        return queryset.filter(left__lte=0)  # type: ignore[misc]


class OverdueFilter(django_filters.FilterSet):
    """Applied by ``finance.selectors.overdue_list`` on the lines past their due date."""

    cohort = django_filters.ModelChoiceFilter(
        label=_("Cohort"), field_name="invoice__cohort", queryset=Cohort.objects.all()
    )
    sponsor = django_filters.ModelChoiceFilter(
        label=_("Sponsor"),
        field_name="invoice__payer_organisation",
        queryset=Organisation.objects.filter(invoices__isnull=False).distinct().order_by("name_fr"),
    )
    days = django_filters.NumberFilter(
        label=_("Late by at least (days)"), method="late_by", min_value=1
    )

    class Meta:
        model = InvoiceLine
        fields = ["cohort", "sponsor", "days"]

    def late_by(
        self, queryset: QuerySet[InvoiceLine], name: str, value: Decimal
    ) -> QuerySet[InvoiceLine]:
        return queryset.filter(due_on__lte=timezone.localdate() - dt.timedelta(days=int(value)))


class SponsorFilter(django_filters.FilterSet):
    """Read by ``finance.selectors.sponsor_list``: the cohort whose figures are shown."""

    cohort = django_filters.ModelChoiceFilter(
        label=_("Cohort"), queryset=Cohort.objects.all(), method="in_cohort"
    )

    class Meta:
        model = Organisation
        fields = ["cohort"]

    def in_cohort(
        self, queryset: QuerySet[Organisation], name: str, value: Cohort
    ) -> QuerySet[Organisation]:
        return queryset.filter(
            Q(invoices__cohort=value) | Q(sponsorships__student__cohort=value)
        ).distinct()


class IssueStudentFilter(django_filters.FilterSet):
    """The students ``finance:invoice_issue`` offers, applied by
    ``finance.selectors.issue_students`` on one cohort's students: its groups and its
    sponsors are the choices."""

    group = django_filters.ChoiceFilter(label=_("Group"), choices=())
    sponsor = django_filters.ModelChoiceFilter(
        label=_("Sponsor"),
        field_name="sponsorships__organisation",
        queryset=Organisation.objects.none(),
        null_label=_("No sponsor: pays alone"),
        distinct=True,
    )

    class Meta:
        model = Student
        fields = ["group", "sponsor"]

    def __init__(self, *args: Any, cohort: Cohort, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        groups = (
            Student.objects.filter(cohort=cohort)
            .exclude(group="")
            .values_list("group", flat=True)
            .distinct()
            .order_by("group")
        )
        self.filters["group"].extra["choices"] = [(g, g) for g in groups]
        self.filters["sponsor"].queryset = (
            Organisation.objects.filter(sponsorships__student__cohort=cohort)
            .distinct()
            .order_by("name_fr")
        )


class PaymentFilter(django_filters.FilterSet):
    """Applied by ``finance.selectors.payment_list`` on payments annotated with
    ``allocated``."""

    q = django_filters.CharFilter(label=_("Reference or payer"), method="search")
    method = django_filters.ChoiceFilter(label=_("Method"), choices=Payment.Method.choices)
    payer = django_filters.ChoiceFilter(
        label=_("Payer"),
        choices=((STUDENT, _("Student")), (ORGANISATION, _("Organisation"))),
        method="by_payer",
    )
    cohort = django_filters.ModelChoiceFilter(
        label=_("Cohort"), queryset=Cohort.objects.all(), method="in_cohort"
    )
    paid_after = django_filters.DateFilter(
        label=_("Paid on or after"),
        field_name="paid_on",
        lookup_expr="gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    paid_before = django_filters.DateFilter(
        label=_("Paid on or before"),
        field_name="paid_on",
        lookup_expr="lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Payment
        fields = ["q", "method", "payer", "cohort", "paid_after", "paid_before"]

    def search(self, queryset: QuerySet[Payment], name: str, value: str) -> QuerySet[Payment]:
        """Every word (five at most) in the reference, the student's name or registration
        number, or the organisation's name, accents and case ignored."""
        return payer_words(queryset, value, own="reference")

    def by_payer(self, queryset: QuerySet[Payment], name: str, value: str) -> QuerySet[Payment]:
        return payer_kind(queryset, value)

    def in_cohort(self, queryset: QuerySet[Payment], name: str, value: Cohort) -> QuerySet[Payment]:
        """A student's payments by the student's cohort; an organisation's by the invoices
        they settled."""
        settled = Allocation.objects.filter(
            payment__isnull=False, line__invoice__cohort=value
        ).values("payment_id")
        return queryset.filter(Q(payer_student__cohort=value) | Q(pk__in=settled))
