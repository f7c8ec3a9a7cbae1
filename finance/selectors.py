"""Balances: the only place where invoiced, credited, paid, balance and overdue are computed.

For a payer: ``balance = invoiced − credited − paid``; ``paid`` counts every payment of the
payer, also what is kept as credit (so a negative balance is money owed to the payer);
``overdue`` is what is left to pay on lines whose instalment is past due. Filtered by a
cohort, a sponsor's ``paid`` is what its payments settled on that cohort's invoices (its
unallocated credit belongs to no cohort). What is left on a line is its amount minus its
allocations (payments and credit notes).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import DecimalField, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.access import AnyUser, Role, has_role
from enrollment.models import Cohort, Student
from finance.filters import InvoiceFilter
from finance.models import (
    ZERO,
    Adjustment,
    Allocation,
    CreditNote,
    Instalment,
    Invoice,
    InvoiceLine,
    Payment,
)
from partners.models import Organisation

STUDENT, ORGANISATION = "payer_student", "payer_organisation"


@dataclass
class OpenInvoice:
    number: str
    balance: Decimal


@dataclass
class Totals:
    invoiced: Decimal = ZERO
    credited: Decimal = ZERO
    paid: Decimal = ZERO
    overdue: Decimal = ZERO
    open_invoices: list[OpenInvoice] = field(default_factory=list)

    @property
    def balance(self) -> Decimal:
        return self.invoiced - self.credited - self.paid


@dataclass
class StudentBalance:
    student: Student
    totals: Totals


@dataclass
class SponsorBalance:
    organisation: Organisation
    totals: Totals


def may_read(user: AnyUser) -> bool:
    """Finance reads and writes; the coordination reads balances."""
    return has_role(user, Role.FINANCE, Role.COORDINATOR)


def _sum_by(queryset: QuerySet, key: str, amount: str = "amount") -> dict[int, Decimal]:
    rows = queryset.values(key).annotate(total=Sum(amount)).values_list(key, "total")
    return dict(rows)


def _payer_filter(prefix: str, key: str, ids: list[int] | None) -> Q:
    if ids is None:
        return Q(**{f"{prefix}{key}__isnull": False})
    return Q(**{f"{prefix}{key}__in": ids})


def payer_totals(
    key: str, ids: list[int] | None, *, cohort: Cohort | None = None, with_invoices: bool = False
) -> dict[int, Totals]:
    """Totals per payer id (``key``: ``payer_student`` or ``payer_organisation``)."""
    lines = InvoiceLine.objects.filter(_payer_filter("invoice__", key, ids))
    credits = CreditNote.objects.filter(_payer_filter("invoice__", key, ids))
    if cohort is not None:
        lines = lines.filter(invoice__cohort=cohort)
        credits = credits.filter(invoice__cohort=cohort)
    allocations = Allocation.objects.filter(line__in=lines)
    if cohort is not None and key == ORGANISATION:
        paid = _sum_by(allocations.filter(payment__isnull=False), f"line__invoice__{key}")
    else:
        payments = Payment.objects.filter(_payer_filter("", key, ids))
        if cohort is not None:
            payments = payments.filter(payer_student__cohort=cohort)
        paid = _sum_by(payments, key)
    today = timezone.localdate()
    late = lines.filter(due_on__lt=today)
    late_settled = _sum_by(allocations.filter(line__in=late), f"line__invoice__{key}")
    totals: dict[int, Totals] = defaultdict(Totals)
    for pk, total in _sum_by(lines, f"invoice__{key}").items():
        totals[pk].invoiced = total
    for pk, total in _sum_by(credits, f"invoice__{key}").items():
        totals[pk].credited = total
    for pk, total in paid.items():
        totals[pk].paid = total
    for pk, total in _sum_by(late, f"invoice__{key}").items():
        totals[pk].overdue = total - late_settled.get(pk, ZERO)
    if with_invoices:
        for invoice in open_invoices(lines):
            totals[invoice.payer].open_invoices.append(OpenInvoice(invoice.number, invoice.open))
    return totals


@dataclass
class _Open:
    payer: int
    number: str
    open: Decimal


def open_invoices(lines: QuerySet[InvoiceLine]) -> list[_Open]:
    """The invoices of these lines with something left to pay, in the order issued."""
    invoiced = _sum_by(lines, "invoice_id")
    settled = _sum_by(Allocation.objects.filter(line__in=lines), "line__invoice_id")
    result = []
    rows = Invoice.objects.filter(pk__in=invoiced).order_by("issued_at", "pk")
    for pk, number, student, organisation in rows.values_list(
        "pk", "number", STUDENT, ORGANISATION
    ):
        left = invoiced[pk] - settled.get(pk, ZERO)
        if left > 0:
            result.append(_Open(student or organisation, number, left))
    return result


def invoice_left(invoice: Invoice) -> Decimal:
    """What is left to pay on an invoice: its lines minus their payments and credits."""
    return invoice_lines_open(invoice.lines.all()).aggregate(
        left=Coalesce(Sum("open"), Value(ZERO))
    )["left"]


def invoice_lines_open(lines: QuerySet[InvoiceLine]) -> QuerySet[InvoiceLine]:
    """Lines annotated with ``open``: the amount minus its allocations."""
    return lines.annotate(
        open=F("amount")
        - Coalesce(
            Sum("allocations__amount"),
            Value(ZERO),
            output_field=DecimalField(max_digits=12, decimal_places=2),
        )
    )


def open_lines_of_payer(
    *, student: Student | None = None, organisation: Organisation | None = None
) -> QuerySet[InvoiceLine]:
    """The payer's lines with something left, oldest first (due date, then as issued)."""
    lines = InvoiceLine.objects.filter(
        invoice__payer_student=student, invoice__payer_organisation=organisation
    )
    return (
        invoice_lines_open(lines)
        .filter(open__gt=0)  # type: ignore[misc]
        .order_by("due_on", "invoice__issued_at", "invoice_id", "pk")
    )


def student_balances(*, cohort: Cohort | None = None) -> list[StudentBalance]:
    """Every student of the cohort (without a cohort: every student with an invoice or a
    payment), by registration number."""
    if cohort is not None:
        students = Student.objects.filter(cohort=cohort)
    else:
        students = Student.objects.filter(
            Q(invoices__isnull=False) | Q(payments__isnull=False)
        ).distinct()
    students = students.select_related("user").order_by("registration_number")
    ids = [s.pk for s in students] if cohort is not None else None
    totals = payer_totals(STUDENT, ids, cohort=cohort, with_invoices=True)
    return [StudentBalance(s, totals.get(s.pk, Totals())) for s in students]


def sponsor_balances(*, cohort: Cohort | None = None) -> list[SponsorBalance]:
    """Every organisation invoiced (in the cohort, if given) or that paid, by name."""
    invoiced = Invoice.objects.filter(payer_organisation__isnull=False)
    if cohort is not None:
        invoiced = invoiced.filter(cohort=cohort)
        organisations = Organisation.objects.filter(invoices__in=invoiced)
    else:
        organisations = Organisation.objects.filter(
            Q(invoices__isnull=False) | Q(payments__isnull=False)
        )
    organisations = organisations.distinct().order_by("name_fr")
    totals = payer_totals(ORGANISATION, None, cohort=cohort)
    return [SponsorBalance(o, totals.get(o.pk, Totals())) for o in organisations]


def cohort_totals(*, cohort: Cohort) -> Totals:
    """The cohort's students and sponsors together."""
    result = Totals()
    for rows in (
        payer_totals(STUDENT, None, cohort=cohort),
        payer_totals(ORGANISATION, None, cohort=cohort),
    ):
        for totals in rows.values():
            result.invoiced += totals.invoiced
            result.credited += totals.credited
            result.paid += totals.paid
            result.overdue += totals.overdue
    return result


def balances_for_user(
    *, user: AnyUser, cohort: Cohort | None = None
) -> tuple[list[StudentBalance], list[SponsorBalance]]:
    """The balances as a page would show them: finance and the coordination only."""
    if not may_read(user):
        raise PermissionDenied
    return student_balances(cohort=cohort), sponsor_balances(cohort=cohort)


HUNDRED = Decimal(100)


@dataclass
class CohortFigures:
    """One row of the finance dashboard: what the cohort's fee schedule expects of its
    students (withdrawn ones left out, adjustments taken off) beside what was invoiced,
    credited, received and is overdue."""

    cohort: Cohort
    expected: Decimal
    totals: Totals


def cohort_expected(*, cohort: Cohort) -> Decimal:
    """Every instalment of the cohort's schedule for each of its students not withdrawn,
    less the discounts, scholarships and waivers granted on them."""
    students = Student.objects.filter(cohort=cohort).exclude(status=Student.Status.WITHDRAWN)
    instalments = Instalment.objects.filter(schedule__cohort=cohort)
    per_student = instalments.aggregate(total=Coalesce(Sum("amount"), Value(ZERO)))["total"]
    expected = per_student * students.count()
    adjustments = Adjustment.objects.filter(
        student__in=students, instalment__in=instalments
    ).select_related("instalment")
    for adjustment in adjustments:
        if adjustment.amount is not None:
            expected -= adjustment.amount
        elif adjustment.percent is not None:
            part = adjustment.instalment.amount * adjustment.percent / HUNDRED
            expected -= part.quantize(Decimal("0.01"))
    return expected


def cohort_figures_for_user(*, user: AnyUser) -> list[CohortFigures]:
    """The finance dashboard: every cohort with a fee schedule or an invoice, newest first."""
    if not may_read(user):
        raise PermissionDenied
    cohorts = (
        Cohort.objects.filter(Q(fee_schedule__isnull=False) | Q(invoices__isnull=False))
        .distinct()
        .order_by("-start_date", "pk")
    )
    return [CohortFigures(c, cohort_expected(cohort=c), cohort_totals(cohort=c)) for c in cohorts]


def invoices_with_totals() -> QuerySet[Invoice]:
    """Invoices annotated with ``total`` (their lines) and ``left`` (what is left to pay:
    the lines minus their allocations, payments and credit notes alike)."""
    money = DecimalField(max_digits=14, decimal_places=2)
    lines = (
        InvoiceLine.objects.filter(invoice=OuterRef("pk"))
        .values("invoice")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    settled = (
        Allocation.objects.filter(line__invoice=OuterRef("pk"))
        .values("line__invoice")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Invoice.objects.annotate(
        total=Coalesce(Subquery(lines, output_field=money), Value(ZERO), output_field=money),
        settled=Coalesce(Subquery(settled, output_field=money), Value(ZERO), output_field=money),
    ).annotate(left=F("total") - F("settled"))


def invoice_list(
    *, user: AnyUser, filters: dict[str, Any] | None = None
) -> tuple[InvoiceFilter, QuerySet[Invoice]]:
    """The finance list of invoices, filtered, newest first."""
    if not may_read(user):
        raise PermissionDenied
    base = invoices_with_totals().select_related(
        "cohort", "payer_student__user", "payer_organisation"
    )
    filterset = InvoiceFilter(filters or {}, queryset=base)
    return filterset, filterset.qs.order_by("-issued_at", "-pk")
