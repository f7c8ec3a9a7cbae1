"""Balances: the only place where invoiced, credited, paid, balance and overdue are computed.

For a payer: ``balance = invoiced − credited − paid``; ``paid`` counts every payment of the
payer, also what is kept as credit (so a negative balance is money owed to the payer);
``overdue`` is what is left to pay on lines whose instalment is past due. Filtered by a
cohort, a sponsor's ``paid`` is what its payments settled on that cohort's invoices (its
unallocated credit belongs to no cohort). What is left on a line is its amount minus its
allocations (payments and credit notes).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import (
    Count,
    DecimalField,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from accounts.access import AnyUser, Role, has_role
from accounts.models import User
from enrollment.models import Application, Cohort, Intake, Student
from finance.filters import (
    InvoiceFilter,
    IssueStudentFilter,
    OverdueFilter,
    PaymentFilter,
    SponsorFilter,
)
from finance.models import (
    ZERO,
    Adjustment,
    Allocation,
    CreditNote,
    FeeSchedule,
    FinanceDocument,
    Instalment,
    Invoice,
    InvoiceLine,
    MoneyEvent,
    Payment,
    SponsorContact,
    Sponsorship,
    StatementImport,
    StatementLine,
)
from partners.models import Organisation
from studies import selectors as studies_selectors
from studies.models import SemesterResult, YearResult

STUDENT, ORGANISATION = "payer_student", "payer_organisation"
#: An applicant, for an application fee (before they are a student).
APPLICATION = "payer_application"


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
    for pk, number, student, organisation, application in rows.values_list(
        "pk", "number", STUDENT, ORGANISATION, APPLICATION
    ):
        left = invoiced[pk] - settled.get(pk, ZERO)
        if left > 0:
            result.append(_Open(student or organisation or application, number, left))
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
    *,
    student: Student | None = None,
    organisation: Organisation | None = None,
    application: Application | None = None,
) -> QuerySet[InvoiceLine]:
    """The payer's lines with something left, oldest first (due date, then as issued)."""
    lines = InvoiceLine.objects.filter(
        invoice__payer_student=student,
        invoice__payer_organisation=organisation,
        invoice__payer_application=application,
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


# --- Statement import (finance.services.statements) ------------------------------------------
@dataclass
class InvoiceDue:
    """An invoice as a statement line is matched to it: who pays it and what is left."""

    pk: int
    number: str
    student_id: int | None
    organisation_id: int | None
    application_id: int | None
    payer: str
    left: Decimal


def _invoice_due(invoice: Invoice) -> InvoiceDue:
    if invoice.payer_student is not None:
        student = invoice.payer_student
        payer = f"{student.registration_number} {student.user.get_full_name()}".strip()
    else:
        payer = str(invoice.payer_organisation or invoice.payer_application)
    return InvoiceDue(
        pk=invoice.pk,
        number=invoice.number,
        student_id=invoice.payer_student_id,
        organisation_id=invoice.payer_organisation_id,
        application_id=invoice.payer_application_id,
        payer=payer,
        left=invoice.left,  # type: ignore[attr-defined]
    )


def invoices_due(
    *, numbers: list[str], payer_numbers: list[str]
) -> tuple[dict[str, InvoiceDue], dict[str, list[InvoiceDue]]]:
    """In two queries, whatever the number of lines: the invoices of these numbers (open or
    not) by number, and the open invoices addressed to the students of these registration
    numbers or to the applicants of these application numbers, by that number, oldest
    first."""
    base = (
        invoices_with_totals()
        .select_related("payer_student__user", "payer_organisation", "payer_application")
        .only(
            "number",
            "issued_at",
            "payer_student__registration_number",
            "payer_student__user__first_name",
            "payer_student__user__last_name",
            "payer_organisation__name_fr",
            "payer_organisation__acronym",
            "payer_application__number",
        )
    )
    by_number = {
        invoice.number: _invoice_due(invoice) for invoice in base.filter(number__in=numbers)
    }
    by_payer: dict[str, list[InvoiceDue]] = defaultdict(list)
    if payer_numbers:
        rows = base.filter(
            Q(payer_student__registration_number__in=payer_numbers)
            | Q(payer_application__number__in=payer_numbers),
            left__gt=0,  # type: ignore[misc]
        ).order_by("issued_at", "pk")
        for invoice in rows:
            key = (
                invoice.payer_student.registration_number
                if invoice.payer_student is not None
                else invoice.payer_application.number  # type: ignore[union-attr]
            )
            by_payer[key].append(_invoice_due(invoice))
    return by_number, dict(by_payer)


PaymentKey = tuple[int | None, int | None, int | None, str, Decimal]


def payment_keys(references: list[str]) -> set[PaymentKey]:
    """(student id, organisation id, application id, reference, amount) of the payments
    with these (normalised) references: what ``payment_record`` refuses as a duplicate."""
    rows = Payment.objects.filter(reference__in=references).values_list(
        "payer_student_id", "payer_organisation_id", "payer_application_id", "reference", "amount"
    )
    return set(rows)


def statement_lines_recorded(fingerprints: list[str]) -> dict[str, StatementLine]:
    """The statement lines already recorded, by fingerprint, with their import."""
    rows = (
        StatementLine.objects.filter(fingerprint__in=fingerprints)
        .select_related("statement")
        .only("fingerprint", "row", "statement__filename")
    )
    return {line.fingerprint: line for line in rows}


def statement_list(*, user: AnyUser) -> QuerySet[StatementImport]:
    """The statements imported, newest first, with who uploaded and confirmed them and how
    many of their lines were recorded."""
    if not has_role(user, Role.FINANCE):
        raise PermissionDenied
    return (
        StatementImport.objects.select_related("uploaded_by", "confirmed_by")
        .annotate(recorded=Count("lines"))
        .order_by("-uploaded_at", "-pk")
    )


def statement_get_for_user(*, user: AnyUser, pk: int) -> StatementImport:
    """One imported statement for finance; anyone else is refused."""
    if not has_role(user, Role.FINANCE):
        raise PermissionDenied
    return StatementImport.objects.select_related("uploaded_by", "confirmed_by").get(pk=pk)


@dataclass
class RecordedLine:
    line: StatementLine
    invoices: list[str]
    allocated: Decimal

    @property
    def credit(self) -> Decimal:
        """What the payment left as the payer's credit (more than the invoices asked)."""
        return self.line.amount - self.allocated


def statement_recorded(statement: StatementImport) -> list[RecordedLine]:
    """The lines this import recorded, each with the invoices its payment settled."""
    lines = (
        StatementLine.objects.filter(statement=statement)
        .select_related("payment")
        .prefetch_related("payment__allocations__line__invoice")
        .order_by("row")
    )
    result = []
    for line in lines:
        allocations = list(line.payment.allocations.all())
        numbers = sorted({a.line.invoice.number for a in allocations})
        result.append(RecordedLine(line, numbers, sum((a.amount for a in allocations), ZERO)))
    return result


# --- Reminders, arrears, the overdue list and the sponsors' page -------------------------------
@dataclass(frozen=True)
class InvoiceToRemind:
    """An invoice with something left to pay, and the earliest due date of its open lines
    (what its reminders count from)."""

    invoice: Invoice
    due_on: dt.date
    left: Decimal


def invoices_to_remind() -> list[InvoiceToRemind]:
    """Every invoice with something left to pay, its payer read with it, in the order
    issued: two queries whatever their number."""
    rows = (
        invoice_lines_open(InvoiceLine.objects.all())
        .filter(open__gt=0)  # type: ignore[misc]
        .values_list("invoice_id", "due_on", "open")
    )
    earliest: dict[int, dt.date] = {}
    left: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for pk, due_on, open_amount in rows:
        earliest[pk] = min(due_on, earliest.get(pk, due_on))
        left[pk] += open_amount
    invoices = (
        Invoice.objects.filter(pk__in=earliest)
        .select_related("payer_student__user", "payer_organisation", "payer_application__applicant")
        .order_by("issued_at", "pk")
    )
    return [InvoiceToRemind(inv, earliest[inv.pk], left[inv.pk]) for inv in invoices]


def instalments_overdue_since(*, student_ids: list[int], before: dt.date) -> dict[int, dt.date]:
    """Per student, the earliest due date before ``before`` of an instalment line that is
    still open on the student's own invoices (a sponsor's unpaid share is the sponsor's
    debt, not the student's): one query."""
    lines = InvoiceLine.objects.filter(
        kind=InvoiceLine.Kind.INSTALMENT,
        invoice__payer_student__in=student_ids,
        due_on__lt=before,
    )
    result: dict[int, dt.date] = {}
    for pk, due_on in (
        invoice_lines_open(lines)
        .filter(open__gt=0)  # type: ignore[misc]
        .values_list("invoice__payer_student_id", "due_on")
    ):
        result[pk] = min(due_on, result.get(pk, due_on))
    return result


@dataclass(frozen=True)
class OverdueLine:
    """A line past its due date with something left to pay on it."""

    line: InvoiceLine
    days_late: int
    left: Decimal

    @property
    def payer(self) -> object:
        invoice = self.line.invoice
        return invoice.payer_student or invoice.payer_organisation or invoice.payer_application


def overdue_list(
    *, user: AnyUser, filters: dict[str, Any] | None = None
) -> tuple[OverdueFilter, list[OverdueLine]]:
    """The overdue lines, filtered, the longest late first."""
    if not may_read(user):
        raise PermissionDenied
    today = timezone.localdate()
    base = InvoiceLine.objects.filter(due_on__lt=today).select_related(
        "invoice__cohort",
        "invoice__payer_student__user",
        "invoice__payer_organisation",
        "invoice__payer_application__applicant",
        "student__user",
        "application__applicant",
    )
    filterset = OverdueFilter(filters or {}, queryset=base)
    lines = (
        invoice_lines_open(filterset.qs)
        .filter(open__gt=0)  # type: ignore[misc]
        .order_by("due_on", "invoice__number", "pk")
    )
    return filterset, [
        OverdueLine(line, (today - line.due_on).days, line.open)  # type: ignore[attr-defined]
        for line in lines
    ]


@dataclass(frozen=True)
class SponsorRow:
    organisation: Organisation
    participants: int
    totals: Totals


def sponsor_list(
    *, user: AnyUser, filters: dict[str, Any] | None = None
) -> tuple[SponsorFilter, list[SponsorRow]]:
    """Per sponsor (in a cohort, if the filter names one): its participants, what it was
    invoiced, credited, paid, its balance and what is overdue; by name. A sponsor with
    participants and no invoice yet is listed with zeros."""
    if not may_read(user):
        raise PermissionDenied
    filterset = SponsorFilter(filters or {}, queryset=Organisation.objects.all())
    cohort = filterset.form.cleaned_data.get("cohort") if filterset.is_valid() else None
    sponsorships = Sponsorship.objects.all()
    if cohort is not None:
        sponsorships = sponsorships.filter(student__cohort=cohort)
    participants = dict(
        sponsorships.values("organisation")
        .annotate(n=Count("student", distinct=True))
        .values_list("organisation", "n")
    )
    balances = {row.organisation.pk: row.totals for row in sponsor_balances(cohort=cohort)}
    organisations = Organisation.objects.filter(pk__in={*balances, *participants}).order_by(
        "name_fr", "pk"
    )
    return filterset, [
        SponsorRow(o, participants.get(o.pk, 0), balances.get(o.pk, Totals()))
        for o in organisations
    ]


def allocated_by_payment(payment_ids: list[int]) -> dict[int, Decimal]:
    """What each payment settles on invoice lines (the rest is kept as the payer's credit)."""
    return _sum_by(Allocation.objects.filter(payment__in=payment_ids), "payment_id")


# --- Documents (PDFs) and the sponsor's statement ---------------------------------------------
def documents_for_invoices(invoices: list[Invoice]) -> dict[int, FinanceDocument]:
    """The PDF of each invoice, by invoice id, in one query (pages link to them)."""
    rows = FinanceDocument.objects.filter(invoice__in=[i.pk for i in invoices])
    found = rows.only("pk", "kind", "status", "invoice_id")
    return {d.invoice_id: d for d in found if d.invoice_id is not None}


def documents_for_payments(payments: list[Payment]) -> dict[int, FinanceDocument]:
    """The receipt of each payment, by payment id, in one query."""
    rows = FinanceDocument.objects.filter(payment__in=[p.pk for p in payments])
    found = rows.only("pk", "kind", "status", "payment_id")
    return {d.payment_id: d for d in found if d.payment_id is not None}


def statements_for(*, organisation: Organisation) -> QuerySet[FinanceDocument]:
    """The organisation's statements, newest first."""
    return FinanceDocument.objects.filter(
        kind=FinanceDocument.Kind.STATEMENT, organisation=organisation
    ).select_related("cohort")


def sponsor_organisation_of(user: AnyUser) -> Organisation | None:
    """The organisation whose contact person this account is (``SponsorContact.user``, and
    the sponsor role still held)."""
    if not has_role(user, Role.SPONSOR) or not isinstance(user, User):
        return None
    return Organisation.objects.filter(finance_contacts__user=user).first()


def document_get_for_user(*, user: AnyUser, pk: int) -> FinanceDocument | None:
    """A PDF as its reader may have it: finance and the coordination any; a student (or an
    applicant, for the application fee) the invoices, credit notes and receipts of which they
    are the payer; a sponsor's contact person those of their organisation and its statements.
    None for anyone else, as for a document that does not exist."""
    document = (
        FinanceDocument.objects.select_related(
            "invoice", "credit_note__invoice", "payment", "organisation", "cohort"
        )
        .filter(pk=pk)
        .first()
    )
    if document is None or not user.is_authenticated:
        return None
    if may_read(user):
        return document
    invoice = document.invoice or (document.credit_note.invoice if document.credit_note else None)
    payer: Invoice | Payment | None = invoice or document.payment
    if payer is not None:
        if payer.payer_student_id is not None:
            owner = Student.objects.filter(pk=payer.payer_student_id, user=user).exists()
        elif payer.payer_application_id is not None:
            owner = payer.payer_application.applicant_id == user.pk  # type: ignore[union-attr]
        else:
            organisation = sponsor_organisation_of(user)
            owner = organisation is not None and organisation.pk == payer.payer_organisation_id
        return document if owner else None
    organisation = sponsor_organisation_of(user)
    return document if organisation is not None and organisation == document.organisation else None


@dataclass
class Participant:
    """A sponsored participant on the sponsor's statement: the organisation's share of their
    fees (invoiced, credited, paid, balance, overdue)."""

    sponsorship: Sponsorship
    totals: Totals


@dataclass
class SponsorStatement:
    organisation: Organisation
    cohort: Cohort
    totals: Totals
    participants: list[Participant]
    invoices: list[Invoice]
    payments: list[Payment]


def sponsor_statement(*, organisation: Organisation, cohort: Cohort) -> SponsorStatement:
    """What the sponsor's statement prints: its participants of the cohort with their
    figures (its invoices' lines for each of them), its totals on the cohort, its invoices
    (annotated ``total`` and ``left``) and the payments that settled them (annotated
    ``settled``: what each settled on this cohort's invoices)."""
    sponsorships = list(
        Sponsorship.objects.filter(organisation=organisation, student__cohort=cohort)
        .select_related("student__user__applicant_profile")
        .order_by("student__registration_number")
    )
    lines = InvoiceLine.objects.filter(
        invoice__payer_organisation=organisation, invoice__cohort=cohort
    )
    allocations = Allocation.objects.filter(line__in=lines)
    late = lines.filter(due_on__lt=timezone.localdate())
    invoiced = _sum_by(lines, "student_id")
    credited = _sum_by(allocations.filter(credit_note__isnull=False), "line__student_id")
    paid = _sum_by(allocations.filter(payment__isnull=False), "line__student_id")
    late_due = _sum_by(late, "student_id")
    late_settled = _sum_by(allocations.filter(line__in=late), "line__student_id")
    participants = []
    for sponsorship in sponsorships:
        pk = sponsorship.student_id
        totals = Totals(
            invoiced=invoiced.get(pk, ZERO),
            credited=credited.get(pk, ZERO),
            paid=paid.get(pk, ZERO),
            overdue=late_due.get(pk, ZERO) - late_settled.get(pk, ZERO),
        )
        participants.append(Participant(sponsorship, totals))
    overall = payer_totals(ORGANISATION, [organisation.pk], cohort=cohort).get(
        organisation.pk, Totals()
    )
    invoices = list(
        invoices_with_totals()
        .filter(payer_organisation=organisation, cohort=cohort)
        .order_by("issued_at", "pk")
    )
    settled = Sum("allocations__amount", filter=Q(allocations__line__in=lines))
    payments = list(
        Payment.objects.filter(payer_organisation=organisation, allocations__line__in=lines)
        .distinct()
        .order_by("paid_on", "pk")
    )
    by_payment = dict(
        Payment.objects.filter(pk__in=[p.pk for p in payments])
        .annotate(settled=settled)
        .values_list("pk", "settled")
    )
    for payment in payments:
        payment.settled = by_payment.get(payment.pk) or ZERO  # type: ignore[attr-defined]
    return SponsorStatement(organisation, cohort, overall, participants, invoices, payments)


# --- Admissions: sponsorships declared, deposits, application fees ---------------------------
#: What an application declares when an organisation pays (all, or part).
SPONSORED = (Application.Financing.SPONSOR, Application.Financing.SPLIT)


@dataclass
class SponsorshipRow:
    """A student of the cohort whose application declared an organisation paying, or who
    has a sponsorship (one finance added without a declaration)."""

    student: Student
    sponsorships: list[Sponsorship]

    @property
    def application(self) -> Application | None:
        return self.student.application

    @property
    def declared(self) -> bool:
        return self.application is not None and self.application.financing in SPONSORED

    @property
    def confirmed(self) -> bool:
        return any(s.confirmed_at is not None for s in self.sponsorships)


def cohort_sponsorships(*, user: AnyUser, cohort: Cohort) -> list[SponsorshipRow]:
    """The sponsorships to confirm and confirmed of a cohort, by registration number."""
    if not may_read(user):
        raise PermissionDenied
    students = (
        Student.objects.filter(cohort=cohort)
        .filter(Q(application__financing__in=SPONSORED) | Q(sponsorships__isnull=False))
        .distinct()
        .select_related("user", "application__sponsor_organisation")
        .prefetch_related(
            Prefetch(
                "sponsorships",
                queryset=Sponsorship.objects.select_related("organisation").order_by("pk"),
            )
        )
        .order_by("registration_number")
    )
    return [SponsorshipRow(s, list(s.sponsorships.all())) for s in students]


def deposit_candidates(*, cohort: Cohort) -> QuerySet[Student]:
    """The students of the cohort who took their seat by accepting an offer, still hold it,
    and have no deposit line yet."""
    return (
        Student.objects.filter(cohort=cohort, application__status=Application.Status.ACCEPTED)
        .exclude(status=Student.Status.WITHDRAWN)
        .exclude(invoice_lines__kind=InvoiceLine.Kind.DEPOSIT)
        .select_related("user", "application__offer")
        .order_by("registration_number")
    )


def deposit_lines(*, cohort: Cohort) -> QuerySet[InvoiceLine]:
    """The cohort's deposit lines, annotated with ``open`` (what is left to pay)."""
    lines = InvoiceLine.objects.filter(kind=InvoiceLine.Kind.DEPOSIT, invoice__cohort=cohort)
    return (
        invoice_lines_open(lines)
        .select_related("invoice", "student__user")
        .order_by("student__registration_number")
    )


def deposits_unpaid_past_due(*, today: dt.date | None = None) -> list[int]:
    """The deposit lines past their due date (the whole due day counts) with something left
    to pay, of students who still hold their seat: the seats to release."""
    today = today or timezone.localdate()
    lines = InvoiceLine.objects.filter(kind=InvoiceLine.Kind.DEPOSIT, due_on__lt=today).exclude(
        student__status=Student.Status.WITHDRAWN
    )
    return list(
        invoice_lines_open(lines)
        .filter(open__gt=0)  # type: ignore[misc]
        .order_by("due_on", "pk")
        .values_list("pk", flat=True)
    )


def line_left(line_id: int) -> Decimal:
    """What is left to pay on one invoice line."""
    line = invoice_lines_open(InvoiceLine.objects.filter(pk=line_id)).get()
    return line.open  # type: ignore[attr-defined]


def application_fee_candidates(*, intake: Intake) -> QuerySet[Application]:
    """The intake's submitted applications (not withdrawn) without an application fee line."""
    return (
        Application.objects.filter(intake=intake, submitted_at__isnull=False)
        .exclude(status=Application.Status.WITHDRAWN)
        .exclude(invoice_lines__kind=InvoiceLine.Kind.APPLICATION_FEE)
        .select_related("applicant")
        .order_by("number")
    )


def application_fee_lines(*, intake: Intake) -> QuerySet[InvoiceLine]:
    """The intake's application fee lines, annotated with ``open``."""
    lines = InvoiceLine.objects.filter(
        kind=InvoiceLine.Kind.APPLICATION_FEE, application__intake=intake
    )
    return (
        invoice_lines_open(lines)
        .select_related("invoice", "application__applicant")
        .order_by("application__number")
    )


def application_balances(*, applications: list[int] | None = None) -> dict[int, Totals]:
    """Per application (an applicant paying an application fee): invoiced, credited, paid,
    balance, overdue and open invoices, as ``payer_totals`` computes them for every payer."""
    return payer_totals(APPLICATION, applications, with_invoices=True)


# --- The billing pages: schedule, issuing, an invoice, a payment (finance.views.billing) ------
@dataclass(frozen=True)
class InstalmentRow:
    """An instalment and what was invoiced of it so far (students' and sponsors' shares)."""

    instalment: Instalment
    invoiced: Decimal
    students: int


@dataclass(frozen=True)
class PlanYear:
    year: int
    rows: list[InstalmentRow]

    @property
    def total(self) -> Decimal:
        return sum((row.instalment.amount for row in self.rows), ZERO)

    @property
    def invoiced(self) -> bool:
        """Something of the year is invoiced: ``instalments_plan`` refuses a new plan."""
        return any(row.students for row in self.rows)


@dataclass(frozen=True)
class ScheduleOverview:
    cohort: Cohort
    schedule: FeeSchedule | None
    years: list[PlanYear]
    adjustments: list[Adjustment]

    def year(self, number: int) -> PlanYear:
        return next(y for y in self.years if y.year == number)


def cohort_for_finance(*, user: AnyUser, slug: str) -> Cohort:
    if not may_read(user):
        raise PermissionDenied
    try:
        return Cohort.objects.select_related("programme").get(slug=slug)
    except Cohort.DoesNotExist as exc:
        raise Http404 from exc


def schedule_overview(*, user: AnyUser, cohort: Cohort) -> ScheduleOverview:
    """The cohort's fee schedule, its instalments per academic year of the programme with
    what is invoiced of each, and the adjustments granted on them."""
    if not may_read(user):
        raise PermissionDenied
    schedule = FeeSchedule.objects.filter(cohort=cohort).first()
    instalments = (
        list(Instalment.objects.filter(schedule=schedule).order_by("year", "position"))
        if schedule is not None
        else []
    )
    invoiced = {
        pk: (total, students)
        for pk, total, students in InvoiceLine.objects.filter(instalment__in=instalments)
        .values("instalment")
        .annotate(total=Sum("amount"), students=Count("student", distinct=True))
        .values_list("instalment", "total", "students")
    }
    last = max([(cohort.programme.semester_count + 1) // 2, *(i.year for i in instalments)])
    years = [
        PlanYear(
            year,
            [
                InstalmentRow(i, *invoiced.get(i.pk, (ZERO, 0)))
                for i in instalments
                if i.year == year
            ],
        )
        for year in range(1, last + 1)
    ]
    adjustments = list(
        Adjustment.objects.filter(instalment__in=instalments)
        .select_related("student__user", "instalment", "approved_by")
        .order_by("-created_at", "-pk")
    )
    return ScheduleOverview(cohort, schedule, years, adjustments)


def issue_students(
    *, user: AnyUser, cohort: Cohort, filters: dict[str, Any] | None = None
) -> tuple[IssueStudentFilter, list[Student]]:
    """The cohort's students that ``finance:invoice_issue`` offers, filtered by group or
    sponsor, each with its sponsorships (``student.sponsorships.all()``)."""
    if not may_read(user):
        raise PermissionDenied
    base = (
        Student.objects.filter(cohort=cohort)
        .select_related("user")
        .prefetch_related(
            Prefetch(
                "sponsorships",
                queryset=Sponsorship.objects.select_related("organisation").order_by("pk"),
            )
        )
    )
    filterset = IssueStudentFilter(filters or {}, queryset=base, cohort=cohort)
    return filterset, list(filterset.qs.order_by("registration_number"))


@dataclass(frozen=True)
class CreditNoteRow:
    note: CreditNote
    document: FinanceDocument | None


@dataclass(frozen=True)
class InvoiceDetail:
    """An invoice as its page shows it. ``invoice`` is annotated with ``total`` and
    ``left``, each line with ``open`` (what is left to pay on it)."""

    invoice: Invoice
    lines: list[InvoiceLine]
    allocations: list[Allocation]
    credit_notes: list[CreditNoteRow]
    events: list[MoneyEvent]
    document: FinanceDocument | None


def invoice_get_for_user(*, user: AnyUser, number: str) -> Invoice:
    """One invoice by its number, annotated with ``total`` and ``left``."""
    if not may_read(user):
        raise PermissionDenied
    try:
        return (
            invoices_with_totals()
            .select_related("cohort", "payer_student__user", "payer_organisation", "issued_by")
            .get(number=number)
        )
    except Invoice.DoesNotExist as exc:
        raise Http404 from exc


def invoices_issued(*, user: AnyUser, ids: list[int]) -> list[Invoice]:
    """The invoices just issued, as the result page lists them: with their payer and
    ``total``, in the order of their numbers."""
    if not may_read(user):
        raise PermissionDenied
    return list(
        invoices_with_totals()
        .filter(pk__in=ids)
        .select_related("payer_student__user", "payer_organisation")
        .order_by("number")
    )


def invoice_detail_for_user(*, user: AnyUser, number: str) -> InvoiceDetail:
    invoice = invoice_get_for_user(user=user, number=number)
    lines = list(
        invoice_lines_open(invoice.lines.all())
        .select_related("student__user", "sponsor")
        .order_by("pk")
    )
    allocations = list(
        Allocation.objects.filter(line__invoice=invoice)
        .select_related("line", "payment", "credit_note")
        .order_by("created_at", "pk")
    )
    notes = list(invoice.credit_notes.select_related("issued_by").order_by("issued_at", "pk"))
    documents = {d.credit_note_id: d for d in FinanceDocument.objects.filter(credit_note__in=notes)}
    payments = {a.payment_id for a in allocations if a.payment_id is not None}
    events = list(
        MoneyEvent.objects.filter(Q(invoice=invoice) | Q(payment__in=payments))
        .select_related("actor")
        .order_by("at", "pk")
    )
    return InvoiceDetail(
        invoice=invoice,
        lines=lines,
        allocations=allocations,
        credit_notes=[CreditNoteRow(n, documents.get(n.pk)) for n in notes],
        events=events,
        document=FinanceDocument.objects.filter(invoice=invoice).first(),
    )


def payments_with_totals() -> QuerySet[Payment]:
    """Payments annotated with ``allocated`` (what they settle on invoice lines) and
    ``credit`` (the rest, kept as the payer's credit)."""
    money = DecimalField(max_digits=14, decimal_places=2)
    allocated = (
        Allocation.objects.filter(payment=OuterRef("pk"))
        .values("payment")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Payment.objects.annotate(
        allocated=Coalesce(Subquery(allocated, output_field=money), Value(ZERO), output_field=money)
    ).annotate(credit=F("amount") - F("allocated"))


def payment_list(
    *, user: AnyUser, filters: dict[str, Any] | None = None
) -> tuple[PaymentFilter, QuerySet[Payment]]:
    """The finance list of payments, filtered, the latest paid first."""
    if not may_read(user):
        raise PermissionDenied
    base = payments_with_totals().select_related(
        "payer_student__user", "payer_organisation", "recorded_by"
    )
    filterset = PaymentFilter(filters or {}, queryset=base)
    return filterset, filterset.qs.order_by("-paid_on", "-pk")


@dataclass(frozen=True)
class PaymentDetail:
    """A payment (annotated with ``allocated`` and ``credit``), the invoice lines it settles,
    its receipt and its history."""

    payment: Payment
    allocations: list[Allocation]
    receipt: FinanceDocument | None
    events: list[MoneyEvent]


def payment_get_for_user(*, user: AnyUser, pk: int) -> Payment:
    """One payment for finance (its proof is served only to finance)."""
    if not has_role(user, Role.FINANCE):
        raise PermissionDenied
    try:
        return (
            payments_with_totals()
            .select_related("payer_student__user", "payer_organisation", "recorded_by")
            .get(pk=pk)
        )
    except Payment.DoesNotExist as exc:
        raise Http404 from exc


def payment_detail_for_user(*, user: AnyUser, pk: int) -> PaymentDetail:
    payment = payment_get_for_user(user=user, pk=pk)
    allocations = list(
        payment.allocations.select_related("line__invoice", "line__student").order_by(
            "line__due_on", "pk"
        )
    )
    events = list(
        MoneyEvent.objects.filter(payment=payment).select_related("actor").order_by("at", "pk")
    )
    receipt = FinanceDocument.objects.filter(payment=payment).first()
    return PaymentDetail(payment, allocations, receipt, events)


# --- The student's fees and the sponsor contact's space (finance.views.spaces) ----------------
def invoices_with_overdue() -> QuerySet[Invoice]:
    """``invoices_with_totals`` with ``overdue``: what is left to pay on its lines past due."""
    money = DecimalField(max_digits=14, decimal_places=2)
    today = timezone.localdate()
    late = (
        InvoiceLine.objects.filter(invoice=OuterRef("pk"), due_on__lt=today)
        .values("invoice")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    late_settled = (
        Allocation.objects.filter(line__invoice=OuterRef("pk"), line__due_on__lt=today)
        .values("line__invoice")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return (
        invoices_with_totals()
        .annotate(
            late=Coalesce(Subquery(late, output_field=money), Value(ZERO), output_field=money),
            late_settled=Coalesce(
                Subquery(late_settled, output_field=money), Value(ZERO), output_field=money
            ),
        )
        .annotate(overdue=F("late") - F("late_settled"))
    )


def _with_documents(invoices: list[Invoice], payments: list[Payment]) -> None:
    """Set ``pdf`` on each invoice, credit note (prefetched ``credit_notes``) and payment:
    its FinanceDocument, or None while there is none (the page says "being prepared")."""
    by_invoice = documents_for_invoices(invoices)
    by_payment = documents_for_payments(payments)
    notes = [note for invoice in invoices for note in invoice.credit_notes.all()]
    by_note = {
        d.credit_note_id: d
        for d in FinanceDocument.objects.filter(credit_note__in=[n.pk for n in notes]).only(
            "pk", "kind", "status", "credit_note_id"
        )
    }
    for invoice in invoices:
        invoice.pdf = by_invoice.get(invoice.pk)  # type: ignore[attr-defined]
    for note in notes:
        note.pdf = by_note.get(note.pk)  # type: ignore[attr-defined]
    for payment in payments:
        payment.pdf = by_payment.get(payment.pk)  # type: ignore[attr-defined]


def _own_invoices(queryset: QuerySet[Invoice]) -> QuerySet[Invoice]:
    return queryset.prefetch_related(
        Prefetch("credit_notes", queryset=CreditNote.objects.order_by("issued_at", "pk"))
    ).order_by("issued_at", "pk")


@dataclass
class SponsoredPart:
    """What one organisation's invoice charges for one student: the student sees their part
    of it (never the organisation's other participants)."""

    organisation: Organisation
    number: str
    issued_at: dt.datetime
    amount: Decimal
    settled: Decimal

    @property
    def left(self) -> Decimal:
        return self.amount - self.settled


@dataclass
class StudentFees:
    """One student record (one cohort) as its student sees its fees."""

    student: Student
    instalments: list[tuple[Instalment, list[Adjustment]]]
    sponsorships: list[Sponsorship]
    invoices: list[Invoice]
    sponsored: list[SponsoredPart]
    payments: list[Payment]
    totals: Totals


@dataclass
class ApplicationFees:
    """An applicant's application fee: its invoice(s), payments and balance."""

    application: Application
    invoices: list[Invoice]
    payments: list[Payment]
    totals: Totals


@dataclass
class MyFees:
    records: list[StudentFees]
    applications: list[ApplicationFees]


def fees_of(*, user: User) -> MyFees | None:
    """The user's own fees: per student record (a student of two cohorts has two), its
    schedule, adjustments, sponsorships, invoices, the parts its sponsors are invoiced,
    payments and totals; and the application fees invoiced to their applications. None when
    there is nothing of the kind. A constant number of queries whatever the number of
    invoices and payments."""
    students = list(
        Student.objects.filter(user=user)
        .select_related("cohort__fee_schedule")
        .order_by("-created_at", "pk")
    )
    applications = list(
        Application.objects.filter(applicant=user, invoices__isnull=False)
        .select_related("intake")
        .distinct()
        .order_by("pk")
    )
    if not students and not applications:
        return None
    records = _student_fees(students) if students else []
    app_fees = _application_fees(applications) if applications else []
    invoices = [i for r in records for i in r.invoices] + [i for a in app_fees for i in a.invoices]
    payments = [p for r in records for p in r.payments] + [p for a in app_fees for p in a.payments]
    _with_documents(invoices, payments)
    return MyFees(records, app_fees)


def _student_fees(students: list[Student]) -> list[StudentFees]:
    ids = [s.pk for s in students]
    instalments: dict[int, list[Instalment]] = defaultdict(list)
    for instalment in Instalment.objects.filter(
        schedule__cohort__in=[s.cohort_id for s in students]
    ).select_related("schedule"):
        instalments[instalment.schedule.cohort_id].append(instalment)
    adjustments: dict[tuple[int, int], list[Adjustment]] = defaultdict(list)
    for adjustment in Adjustment.objects.filter(student__in=ids).order_by("created_at", "pk"):
        adjustments[adjustment.student_id, adjustment.instalment_id].append(adjustment)
    sponsorships: dict[int, list[Sponsorship]] = defaultdict(list)
    for sponsorship in (
        Sponsorship.objects.filter(student__in=ids)
        .select_related("organisation")
        .order_by("organisation__name_fr")
    ):
        sponsorships[sponsorship.student_id].append(sponsorship)
    invoices: dict[int, list[Invoice]] = defaultdict(list)
    for invoice in _own_invoices(invoices_with_overdue().filter(payer_student__in=ids)):
        assert invoice.payer_student_id is not None
        invoices[invoice.payer_student_id].append(invoice)
    payments: dict[int, list[Payment]] = defaultdict(list)
    for payment in Payment.objects.filter(payer_student__in=ids).order_by("paid_on", "pk"):
        assert payment.payer_student_id is not None
        payments[payment.payer_student_id].append(payment)
    sponsored = _sponsored_parts(ids)
    totals = payer_totals(STUDENT, ids)
    return [
        StudentFees(
            student=s,
            instalments=[(i, adjustments[s.pk, i.pk]) for i in instalments.get(s.cohort_id, [])],
            sponsorships=sponsorships[s.pk],
            invoices=invoices[s.pk],
            sponsored=sponsored[s.pk],
            payments=payments[s.pk],
            totals=totals.get(s.pk, Totals()),
        )
        for s in students
    ]


def _sponsored_parts(ids: list[int]) -> dict[int, list[SponsoredPart]]:
    """Per student, their lines on organisations' invoices, summed per invoice."""
    lines = InvoiceLine.objects.filter(student__in=ids, invoice__payer_organisation__isnull=False)
    settled = {
        (row["line__student"], row["line__invoice"]): row["total"]
        for row in Allocation.objects.filter(line__in=lines)
        .values("line__student", "line__invoice")
        .annotate(total=Sum("amount"))
    }
    rows = list(
        lines.values(
            "student", "invoice", "invoice__number", "invoice__issued_at",
            "invoice__payer_organisation",
        )
        .annotate(total=Sum("amount"))
        .order_by("invoice__issued_at", "invoice")
    )  # fmt: skip
    organisations = Organisation.objects.in_bulk(
        {row["invoice__payer_organisation"] for row in rows}
    )
    parts: dict[int, list[SponsoredPart]] = defaultdict(list)
    for row in rows:
        parts[row["student"]].append(
            SponsoredPart(
                organisation=organisations[row["invoice__payer_organisation"]],
                number=row["invoice__number"],
                issued_at=row["invoice__issued_at"],
                amount=row["total"],
                settled=settled.get((row["student"], row["invoice"]), ZERO),
            )
        )
    return parts


def _application_fees(applications: list[Application]) -> list[ApplicationFees]:
    ids = [a.pk for a in applications]
    invoices: dict[int, list[Invoice]] = defaultdict(list)
    for invoice in _own_invoices(invoices_with_overdue().filter(payer_application__in=ids)):
        assert invoice.payer_application_id is not None
        invoices[invoice.payer_application_id].append(invoice)
    payments: dict[int, list[Payment]] = defaultdict(list)
    for payment in Payment.objects.filter(payer_application__in=ids).order_by("paid_on", "pk"):
        assert payment.payer_application_id is not None
        payments[payment.payer_application_id].append(payment)
    totals = payer_totals(APPLICATION, ids)
    return [
        ApplicationFees(a, invoices[a.pk], payments[a.pk], totals.get(a.pk, Totals()))
        for a in applications
    ]


def application_fees_exist(*, user: AnyUser) -> bool:
    """Whether an application fee was invoiced to one of the user's applications: with a
    student record, what "My fees" shows them (and their space links to)."""
    if not user.is_authenticated:
        return False
    return Invoice.objects.filter(payer_application__applicant=user).exists()


@dataclass
class Progress:
    """What a consenting participant's sponsor may see: the attendance rate (None: none
    taken) and the results as published by the juries."""

    attendance: int | None
    semesters: list[SemesterResult]
    years: list[YearResult]


@dataclass
class SponsorCohort:
    statement: SponsorStatement
    #: Each participant with their progress: None unless their sponsorship
    #: ``shares_progress`` (the participant's consent, given at application).
    rows: list[tuple[Participant, Progress | None]]


@dataclass
class SponsorSpace:
    contact: SponsorContact
    organisation: Organisation
    totals: Totals
    cohorts: list[SponsorCohort]
    invoices: list[Invoice]
    payments: list[Payment]
    statements: list[FinanceDocument]


def sponsor_contact_of(user: AnyUser) -> SponsorContact | None:
    """The contact whose account this is, when it is a sponsor's account."""
    if not has_role(user, Role.SPONSOR):
        return None
    assert isinstance(user, User)
    return SponsorContact.objects.select_related("organisation").filter(user=user).first()


def sponsor_space(*, contact: SponsorContact) -> SponsorSpace:
    """The sponsor contact's space: their organisation only. Per cohort, the statement
    (``sponsor_statement``: participants and what was invoiced to the organisation for each,
    paid, balance) and, for the participants who consented, attendance and published results
    (the studies selectors the student's own pages read); the organisation's invoices,
    payments and statements with their PDFs."""
    organisation = contact.organisation
    cohorts = (
        Cohort.objects.filter(
            Q(invoices__payer_organisation=organisation)
            | Q(students__sponsorships__organisation=organisation)
        )
        .distinct()
        .order_by("-start_date", "pk")
    )
    sections = []
    for cohort in cohorts:
        statement = sponsor_statement(organisation=organisation, cohort=cohort)
        progress = _progress(statement)
        rows = [(p, progress.get(p.sponsorship.student_id)) for p in statement.participants]
        sections.append(SponsorCohort(statement, rows))
    invoices = list(
        _own_invoices(
            invoices_with_overdue().filter(payer_organisation=organisation).select_related("cohort")
        )
    )
    payments = list(
        Payment.objects.filter(payer_organisation=organisation).order_by("paid_on", "pk")
    )
    _with_documents(invoices, payments)
    totals = payer_totals(ORGANISATION, [organisation.pk]).get(organisation.pk, Totals())
    return SponsorSpace(
        contact=contact,
        organisation=organisation,
        totals=totals,
        cohorts=sections,
        invoices=invoices,
        payments=payments,
        statements=list(statements_for(organisation=organisation).order_by("-created_at", "pk")),
    )


def _progress(statement: SponsorStatement) -> dict[int, Progress]:
    consenting = [
        p.sponsorship.student for p in statement.participants if p.sponsorship.shares_progress
    ]
    if not consenting:
        return {}
    rates = studies_selectors.attendance_rates(students=consenting)
    semesters = studies_selectors.published_semesters(students=consenting, detail=False)
    years = studies_selectors.published_years(students=consenting)
    result = {}
    for student in consenting:
        own = semesters.get(student.pk, {})
        annual = years.get(student.pk, {})
        result[student.pk] = Progress(
            attendance=rates.get(student.pk),
            semesters=[own[n] for n in sorted(own)],
            years=[annual[n] for n in sorted(annual)],
        )
    return result


def sponsor_contacts_of(*, user: AnyUser, pk: int) -> tuple[Organisation, list[SponsorContact]]:
    """An organisation and its finance contacts, for finance's page; Http404 if unknown."""
    from django.shortcuts import get_object_or_404

    if not has_role(user, Role.FINANCE):
        raise PermissionDenied
    organisation = get_object_or_404(Organisation, pk=pk)
    contacts = list(
        SponsorContact.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("name", "pk")
    )
    return organisation, contacts


def cohorts_for_finance(*, user: AnyUser) -> list[Cohort]:
    """Every cohort, newest first, with its fee schedule if it has one
    (``cohort.fee_schedule``): where finance sets a new cohort's fees."""
    if not may_read(user):
        raise PermissionDenied
    return list(
        Cohort.objects.select_related("fee_schedule")
        .annotate(students_count=Count("students"))
        .order_by("-start_date", "pk")
    )
