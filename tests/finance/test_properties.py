"""Property: whatever the sequence of invoices, credit notes and payments, the balances of
``finance.selectors`` equal invoiced − credited − paid summed from the rows themselves, and
no line is ever settled beyond its amount."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finance import selectors
from finance.models import Allocation, CreditNote, Invoice, InvoiceLine, Payment
from finance.services.invoices import credit_note_issue, invoice_issue
from finance.services.payments import payment_record
from finance.services.schedules import sponsorship_confirm
from tests.factories.finance import finance_user, schedule_with_instalments, students
from tests.factories.partners import OrganisationFactory

pytestmark = pytest.mark.django_db

amounts = st.integers(min_value=1, max_value=40_000_000).map(lambda c: Decimal(c) / 100)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("invoice"), st.integers(0, 2), st.integers(0, 2)),
        st.tuples(st.just("credit"), st.integers(0, 20), amounts),
        st.tuples(st.just("pay"), st.integers(0, 3), amounts, st.booleans()),
    ),
    max_size=12,
)


def _total(queryset, **filters) -> Decimal:
    return queryset.filter(**filters).aggregate(t=Sum("amount"))["t"] or Decimal(0)


def _check_invariants(people, company) -> None:
    for line in InvoiceLine.objects.all():
        assert _total(Allocation.objects, line=line) <= line.amount
    for payment in Payment.objects.all():
        assert _total(Allocation.objects, payment=payment) <= payment.amount
    for note in CreditNote.objects.all():
        assert _total(Allocation.objects, credit_note=note) == note.amount
    cohort = people[0].cohort
    rows = {row.student.pk: row.totals for row in selectors.student_balances(cohort=cohort)}
    for student in people:
        invoiced = _total(InvoiceLine.objects, invoice__payer_student=student)
        credited = _total(CreditNote.objects, invoice__payer_student=student)
        paid = _total(Payment.objects, payer_student=student)
        totals = rows[student.pk]
        assert (totals.invoiced, totals.credited, totals.paid) == (invoiced, credited, paid)
        assert totals.balance == invoiced - credited - paid
        settled = _total(
            Allocation.objects, line__invoice__payer_student=student, payment__isnull=False
        )
        assert sum(i.balance for i in totals.open_invoices) == invoiced - credited - settled
        assert 0 <= totals.overdue <= invoiced - credited - settled
    sponsors = {row.organisation.pk: row.totals for row in selectors.sponsor_balances()}
    if company.pk in sponsors:
        invoiced = _total(InvoiceLine.objects, invoice__payer_organisation=company)
        credited = _total(CreditNote.objects, invoice__payer_organisation=company)
        paid = _total(Payment.objects, payer_organisation=company)
        assert sponsors[company.pk].balance == invoiced - credited - paid


def test_balances_never_drift_and_no_line_is_paid_twice():
    cashier = finance_user()
    _, instalments = schedule_with_instalments(
        actor=cashier, amounts=("100000", "150000.50", "49999.50")
    )
    people = students(instalments[0].schedule.cohort, 3)
    company = OrganisationFactory.create()
    sponsorship_confirm(actor=cashier, student=people[0], organisation=company, share=Decimal("60"))

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(steps=operations)
    def run(steps) -> None:
        refusals: list[tuple[str, list[str]]] = []
        with transaction.atomic():
            for n, step in enumerate(steps):
                try:
                    if step[0] == "invoice":
                        _, who, which = step
                        invoice_issue(
                            actor=cashier, students=[people[who]], instalments=[instalments[which]]
                        )
                    elif step[0] == "credit":
                        _, pick, amount = step
                        invoices = list(Invoice.objects.order_by("pk"))
                        if invoices:
                            credit_note_issue(
                                actor=cashier, invoice=invoices[pick % len(invoices)],
                                amount=amount, reason="Correction",
                            )  # fmt: skip
                    else:
                        _, who, amount, cash = step
                        payer = {"organisation": company} if who == 3 else {"student": people[who]}
                        payment_record(
                            actor=cashier, method="cash" if cash else "transfer",
                            reference="" if cash else f"REF-{n}", paid_on=dt.date(2026, 11, 2),
                            amount=amount, **payer,
                        )  # fmt: skip
                except ValidationError as exc:
                    refusals.append((step[0], sorted(exc.message_dict)))
                _check_invariants(people, company)
            # Only a credit note beyond what is left may be refused.
            assert all(refusal == ("credit", ["amount"]) for refusal in refusals), refusals
            transaction.set_rollback(True)

    run()
