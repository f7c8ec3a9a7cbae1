"""The accounting export: journal lines of the invoices, credit notes and payments of a
period, on the accounts of the Algerian SCF (``settings.FINANCE_ACCOUNTS``, journal codes in
``settings.FINANCE_JOURNALS``).

- an invoice (sales journal): debit the payer's receivable (411) with its total, credit
  revenue (706) with each of its lines;
- a credit note (sales journal): the reverse, debit revenue, credit the receivable;
- a payment (the journal of the bank, the CCP or the cash box, by its method): debit that
  account, credit the receivable with what the payment settles, and customer advances
  (4191) with what is kept as the payer's credit.

Each piece balances: its debits equal its credits. The piece of an invoice is its number,
of a credit note its number, of a payment its receipt's number.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import AnyUser, Role, has_role
from enrollment.models import Cohort
from finance import selectors
from finance.documents import receipt_number
from finance.models import ZERO, CreditNote, Invoice, Payment

#: The book (journal and account) of each payment method.
METHOD_BOOKS = {
    Payment.Method.TRANSFER: "bank",
    Payment.Method.CHEQUE: "bank",
    Payment.Method.CARD: "bank",
    Payment.Method.CCP: "ccp",
    Payment.Method.CASH: "cash",
}


@dataclass(frozen=True)
class JournalLine:
    date: dt.date
    journal: str
    account: str
    label: str
    piece: str
    debit: Decimal
    credit: Decimal
    payer: str


@dataclass
class Journal:
    lines: list[JournalLine] = field(default_factory=list)

    @property
    def debit(self) -> Decimal:
        return sum((line.debit for line in self.lines), ZERO)

    @property
    def credit(self) -> Decimal:
        return sum((line.credit for line in self.lines), ZERO)


def may_export(user: AnyUser) -> bool:
    """The accounts are finance's: the coordination reads balances, not the books."""
    return has_role(user, Role.FINANCE)


def journal_for_user(
    *,
    user: AnyUser,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    cohort: Cohort | None = None,
) -> Journal:
    """The journal lines of the period (both days included; open-ended without them) and
    of the cohort, by date, then invoices, credit notes and payments, then piece."""
    if not may_export(user):
        raise PermissionDenied
    pieces: list[tuple[dt.date, int, str, list[JournalLine]]] = []
    for invoice in _invoices(date_from, date_to, cohort):
        lines = _invoice_lines(invoice)
        pieces.append((lines[0].date, 0, invoice.number, lines))
    for note in _credit_notes(date_from, date_to, cohort):
        lines = _credit_note_lines(note)
        pieces.append((lines[0].date, 1, note.number, lines))
    payments = list(_payments(date_from, date_to, cohort))
    allocated = selectors.allocated_by_payment([p.pk for p in payments])
    for payment in payments:
        lines = _payment_lines(payment, allocated.get(payment.pk, ZERO))
        pieces.append((payment.paid_on, 2, lines[0].piece, lines))
    pieces.sort(key=lambda piece: piece[:3])
    return Journal([line for *_key, lines in pieces for line in lines])


def _period(field_name: str, date_from: dt.date | None, date_to: dt.date | None) -> Q:
    query = Q()
    if date_from is not None:
        query &= Q(**{f"{field_name}__gte": date_from})
    if date_to is not None:
        query &= Q(**{f"{field_name}__lte": date_to})
    return query


PAYERS = ("payer_student__user", "payer_organisation", "payer_application__applicant")


def _invoices(
    date_from: dt.date | None, date_to: dt.date | None, cohort: Cohort | None
) -> QuerySet[Invoice]:
    invoices = Invoice.objects.filter(_period("issued_at__date", date_from, date_to))
    if cohort is not None:
        invoices = invoices.filter(cohort=cohort)
    return invoices.select_related(*PAYERS).prefetch_related("lines")


def _credit_notes(
    date_from: dt.date | None, date_to: dt.date | None, cohort: Cohort | None
) -> QuerySet[CreditNote]:
    notes = CreditNote.objects.filter(_period("issued_at__date", date_from, date_to))
    if cohort is not None:
        notes = notes.filter(invoice__cohort=cohort)
    return notes.select_related(*(f"invoice__{payer}" for payer in PAYERS))


def _payments(
    date_from: dt.date | None, date_to: dt.date | None, cohort: Cohort | None
) -> QuerySet[Payment]:
    payments = Payment.objects.filter(_period("paid_on", date_from, date_to))
    if cohort is not None:
        # A sponsor's payment may settle several cohorts' invoices: it is listed whole.
        ids = Payment.objects.filter(
            Q(payer_student__cohort=cohort)
            | Q(payer_application__intake__cohort=cohort)
            | Q(allocations__line__invoice__cohort=cohort)
        ).values("pk")
        payments = payments.filter(pk__in=ids)
    return payments.select_related(*PAYERS)


def payer_name(holder: Invoice | Payment) -> str:
    if holder.payer_student is not None:
        student = holder.payer_student
        return f"{student.registration_number} {student.user.get_full_name()}"
    if holder.payer_application is not None:
        application = holder.payer_application
        return f"{application.number} {application.applicant.get_full_name()}"
    return str(holder.payer_organisation)


def _invoice_lines(invoice: Invoice) -> list[JournalLine]:
    day = timezone.localdate(invoice.issued_at)
    journal, accounts = settings.FINANCE_JOURNALS["sales"], settings.FINANCE_ACCOUNTS
    payer = payer_name(invoice)
    lines = list(invoice.lines.all())
    total = sum((line.amount for line in lines), ZERO)
    label = _("Invoice %(number)s") % {"number": invoice.number}
    result = [
        JournalLine(day, journal, accounts["receivable"], label, invoice.number, total, ZERO, payer)
    ]
    result += [
        JournalLine(
            day, journal, accounts["revenue"], line.label, invoice.number, ZERO, line.amount, payer
        )
        for line in lines
    ]
    return result


def _credit_note_lines(note: CreditNote) -> list[JournalLine]:
    day = timezone.localdate(note.issued_at)
    journal, accounts = settings.FINANCE_JOURNALS["sales"], settings.FINANCE_ACCOUNTS
    payer = payer_name(note.invoice)
    label = _("Credit note %(number)s on invoice %(invoice)s") % {
        "number": note.number,
        "invoice": note.invoice.number,
    }
    return [
        JournalLine(
            day, journal, accounts["revenue"], label, note.number, note.amount, ZERO, payer
        ),
        JournalLine(
            day, journal, accounts["receivable"], label, note.number, ZERO, note.amount, payer
        ),
    ]


def _payment_lines(payment: Payment, allocated: Decimal) -> list[JournalLine]:
    book = METHOD_BOOKS[Payment.Method(payment.method)]
    journal, accounts = settings.FINANCE_JOURNALS[book], settings.FINANCE_ACCOUNTS
    piece, payer = receipt_number(payment), payer_name(payment)
    label = _("Payment (%(method)s) %(reference)s") % {
        "method": payment.get_method_display(),
        "reference": payment.reference,
    }
    label = label.strip()
    day = payment.paid_on
    lines = [JournalLine(day, journal, accounts[book], label, piece, payment.amount, ZERO, payer)]
    if allocated > 0:
        lines.append(
            JournalLine(day, journal, accounts["receivable"], label, piece, ZERO, allocated, payer)
        )
    if payment.amount > allocated:
        kept = payment.amount - allocated
        lines.append(
            JournalLine(day, journal, accounts["advances"], label, piece, ZERO, kept, payer)
        )
    return lines


def journal_rows(journal: Journal) -> Iterator[list[object]]:
    """The journal as a spreadsheet: a header, then one row per line."""
    yield [
        _("Date"),
        _("Journal"),
        _("Account"),
        _("Label"),
        _("Piece"),
        _("Debit (DZD)"),
        _("Credit (DZD)"),
        _("Payer"),
    ]
    for line in journal.lines:
        yield [
            line.date,
            line.journal,
            line.account,
            line.label,
            line.piece,
            line.debit,
            line.credit,
            line.payer,
        ]
