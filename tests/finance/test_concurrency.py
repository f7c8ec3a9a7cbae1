"""Real threads on PostgreSQL: numbers and payments under simultaneous finance users."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from finance.models import Allocation, Invoice, Payment
from finance.services.invoices import invoice_issue
from finance.services.payments import payment_record
from tests.factories.finance import finance_user, schedule_with_instalments, students


def _run_at_once(work, arguments) -> list[str]:
    barrier = threading.Barrier(len(arguments))
    outcomes: list[str] = []

    def run(argument) -> None:
        try:
            barrier.wait()
            work(argument)
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append(next(iter(exc.error_dict.values()))[0].code or "invalid")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(a,)) for a in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_twenty_invoices_issued_at_once_get_twenty_consecutive_numbers():
    cashier = finance_user()
    _, (first, _) = schedule_with_instalments(actor=cashier)
    people = students(first.schedule.cohort, 20)
    outcomes = _run_at_once(
        lambda student: invoice_issue(actor=cashier, students=[student], instalments=[first]),
        people,
    )
    assert outcomes == ["ok"] * 20
    year = timezone.localdate().year
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == [f"FAC-{year}-{n:04d}" for n in range(1, 21)]


@pytest.mark.django_db(transaction=True)
def test_two_finance_users_recording_the_same_payment_record_it_once():
    first_cashier, second_cashier = finance_user(), finance_user()
    _, (first, _) = schedule_with_instalments(actor=first_cashier)
    (student,) = students(first.schedule.cohort, 1)
    invoice_issue(actor=first_cashier, students=[student], instalments=[first])

    def record(cashier) -> None:
        payment_record(
            actor=cashier, student=student, method="transfer", reference="VIR-2026-118",
            paid_on=dt.date(2026, 11, 2), amount=Decimal("300000"),
        )  # fmt: skip

    outcomes = _run_at_once(record, [first_cashier, second_cashier])
    assert sorted(outcomes) == ["duplicate", "ok"]
    assert Payment.objects.count() == 1
    assert Allocation.objects.get().amount == Decimal("300000.00")
