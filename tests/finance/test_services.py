from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone
from django.utils.translation import gettext

from finance import selectors
from finance.models import Allocation, Invoice, MoneyEvent, Payment
from finance.services.invoices import credit_note_issue, invoice_issue
from finance.services.payments import payment_record
from finance.services.schedules import (
    PlannedInstalment,
    adjustment_grant,
    instalments_plan,
    sponsorship_confirm,
)
from tests.factories.enrollment import CohortFactory
from tests.factories.finance import finance_user, schedule_with_instalments, students
from tests.factories.partners import OrganisationFactory

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = dt.date(2026, 11, 2)


@pytest.fixture
def cashier():
    return finance_user()


def test_a_plan_must_add_up_to_the_tuition(cashier):
    schedule, _ = schedule_with_instalments(actor=cashier)
    planned = [PlannedInstalment(label_fr="Unique", amount=D("100"), due_date=TODAY)]
    with pytest.raises(ValidationError) as exc:
        instalments_plan(actor=cashier, schedule=schedule, year=2, instalments=planned)
    assert "instalments" in exc.value.message_dict


@pytest.mark.parametrize("amount", ["0", "-5", "10.001"])
def test_zero_negative_and_three_decimal_amounts_are_refused_on_the_field(cashier, amount):
    _, (first, _) = schedule_with_instalments(actor=cashier)
    (student,) = students(first.schedule.cohort, 1)
    invoice_issue(actor=cashier, students=[student], instalments=[first])
    with pytest.raises(ValidationError) as exc:
        payment_record(
            actor=cashier, student=student, method="transfer", reference="V1",
            paid_on=TODAY, amount=D(amount),
        )  # fmt: skip
    expected = (
        gettext("An amount has at most two decimals.")
        if amount == "10.001"
        else gettext("The amount must be more than zero.")
    )
    assert exc.value.message_dict == {"amount": [expected]}
    assert not Payment.objects.exists()


def test_a_70_30_split_invoices_the_sponsor_on_one_grouped_invoice(cashier):
    _, (first, second) = schedule_with_instalments(actor=cashier)
    cohort = first.schedule.cohort
    a, b, c = students(cohort, 3)
    company = OrganisationFactory.create()
    sponsorship_confirm(actor=cashier, student=a, organisation=company, share=D("70"))
    sponsorship_confirm(actor=cashier, student=b, organisation=company, share=D("70"))
    invoices = invoice_issue(actor=cashier, students=[a, b, c], instalments=[first])
    year = timezone.localdate().year
    assert [i.number for i in invoices] == [f"FAC-{year}-{n:04d}" for n in (1, 2, 3, 4)]
    grouped = Invoice.objects.get(payer_organisation=company)
    assert sorted(line.amount for line in grouped.lines.all()) == [D("210000.00")] * 2
    assert {line.student for line in grouped.lines.all()} == {a, b}
    assert Invoice.objects.get(payer_student=a).lines.get().amount == D("90000.00")
    assert Invoice.objects.get(payer_student=c).lines.get().amount == D("300000.00")
    # Issued twice: nothing more.
    assert invoice_issue(actor=cashier, students=[a, b, c], instalments=[first]) == []
    assert MoneyEvent.objects.filter(kind="invoice").count() == 4
    assert second.invoice_lines.count() == 0


def test_shares_of_a_student_never_exceed_100_percent(cashier):
    _, (first, _) = schedule_with_instalments(actor=cashier)
    (student,) = students(first.schedule.cohort, 1)
    sponsorship_confirm(
        actor=cashier, student=student, organisation=OrganisationFactory.create(), share=D("70")
    )
    with pytest.raises(ValidationError) as exc:
        sponsorship_confirm(
            actor=cashier, student=student, organisation=OrganisationFactory.create(), share=D(40)
        )
    assert "share" in exc.value.message_dict


def test_a_student_of_another_cohort_is_refused_and_nothing_is_issued(cashier):
    _, (first, _) = schedule_with_instalments(actor=cashier)
    (ours,) = students(first.schedule.cohort, 1)
    (theirs,) = students(CohortFactory.create(), 1)
    with pytest.raises(ValidationError) as exc:
        invoice_issue(actor=cashier, students=[ours, theirs], instalments=[first])
    assert theirs.registration_number in exc.value.message_dict["students"][0]
    assert not Invoice.objects.exists()


def test_an_adjustment_lowers_the_invoiced_amount_and_is_refused_once_invoiced(cashier):
    _, (first, _) = schedule_with_instalments(actor=cashier)
    (student,) = students(first.schedule.cohort, 1)
    adjustment_grant(
        actor=cashier, student=student, instalment=first, kind="scholarship", percent=D("25"),
        reason="Bourse du cluster", approver_name="M. Directeur",
    )  # fmt: skip
    (invoice,) = invoice_issue(actor=cashier, students=[student], instalments=[first])
    assert invoice.lines.get().amount == D("225000.00")
    with pytest.raises(ValidationError) as exc:
        adjustment_grant(
            actor=cashier, student=student, instalment=first, kind="discount", amount=D("10"),
            reason="Remise", approver_name="M. Directeur",
        )  # fmt: skip
    assert "instalment" in exc.value.message_dict


def test_a_credit_note_is_at_most_what_is_left_and_lowers_the_balance(cashier):
    _, (first, _) = schedule_with_instalments(actor=cashier)
    (student,) = students(first.schedule.cohort, 1)
    (invoice,) = invoice_issue(actor=cashier, students=[student], instalments=[first])
    payment_record(
        actor=cashier, student=student, method="ccp", reference="CCP-1", paid_on=TODAY,
        amount=D("250000"),
    )  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        credit_note_issue(actor=cashier, invoice=invoice, amount=D("50000.01"), reason="Erreur")
    assert "amount" in exc.value.message_dict
    note = credit_note_issue(actor=cashier, invoice=invoice, amount=D("50000"), reason="Erreur")
    assert note.number == f"AVO-{timezone.localdate().year}-0001"
    (row,) = selectors.student_balances(cohort=first.schedule.cohort)
    assert (row.totals.invoiced, row.totals.credited, row.totals.paid) == (
        D("300000.00"), D("50000.00"), D("250000.00"),
    )  # fmt: skip
    assert row.totals.balance == 0
    assert row.totals.overdue == 0
    assert row.totals.open_invoices == []


def test_a_payment_goes_to_the_oldest_lines_and_an_over_payment_is_kept_as_credit(cashier):
    _, (first, second) = schedule_with_instalments(actor=cashier)
    (student,) = students(first.schedule.cohort, 1)
    invoice_issue(actor=cashier, students=[student], instalments=[second])
    invoice_issue(actor=cashier, students=[student], instalments=[first])
    result = payment_record(
        actor=cashier, student=student, method="transfer", reference="vir  77",
        paid_on=TODAY, amount=D("350000"),
    )  # fmt: skip
    first_line = first.invoice_lines.get()
    assert Allocation.objects.get(line=first_line).amount == D("300000.00")
    assert Allocation.objects.get(line=second.invoice_lines.get()).amount == D("50000.00")
    assert result.credit == 0
    over = payment_record(
        actor=cashier, student=student, method="cheque", reference="CH-9", paid_on=TODAY,
        amount=D("160000"),
    )  # fmt: skip
    assert over.credit == D("10000.00")
    assert over.message == gettext(
        "Payment of %(amount)s DZD recorded: %(allocated)s DZD settle open invoices and "
        "%(credit)s DZD, more than what was due, are kept as the payer's credit."
    ) % {"amount": "160\xa0000,00", "allocated": "150\xa0000,00", "credit": "10\xa0000,00"}
    (row,) = selectors.student_balances(cohort=first.schedule.cohort)
    assert row.totals.balance == D("-10000.00")
    event = MoneyEvent.objects.get(payment=over.payment)
    assert event.before == {"balance": "150000.00"}
    assert event.after["credit"] == "10000.00"
    assert event.actor == cashier


def test_overdue_is_what_is_left_on_past_due_lines(cashier):
    _, instalments = schedule_with_instalments(actor=cashier)
    (student,) = students(instalments[0].schedule.cohort, 1)
    invoice_issue(actor=cashier, students=[student], instalments=instalments)
    payment_record(actor=cashier, student=student, method="cash", paid_on=TODAY, amount=D("100000"))
    (row,) = selectors.student_balances(cohort=instalments[0].schedule.cohort)
    assert row.totals.overdue == D("200000.00")
    assert row.totals.balance == D("400000.00")


def test_a_payment_on_chosen_lines_must_choose_the_payers_lines(cashier):
    _, (first, second) = schedule_with_instalments(actor=cashier)
    mine, other = students(first.schedule.cohort, 2)
    invoice_issue(actor=cashier, students=[mine, other], instalments=[first, second])
    with pytest.raises(ValidationError) as exc:
        payment_record(
            actor=cashier, student=mine, method="card", reference="T1", paid_on=TODAY,
            amount=D("10"), lines=[other.invoice_lines.get(instalment=first)],
        )  # fmt: skip
    assert "lines" in exc.value.message_dict
    chosen = mine.invoice_lines.get(instalment=second)
    payment_record(
        actor=cashier, student=mine, method="card", reference="T1", paid_on=TODAY,
        amount=D("10"), lines=[chosen],
    )  # fmt: skip
    assert Allocation.objects.get().line == chosen


def test_the_same_payment_twice_is_refused_as_a_duplicate(cashier):
    _, (first, _) = schedule_with_instalments(actor=cashier)
    (student,) = students(first.schedule.cohort, 1)

    def record(reference: str) -> None:
        payment_record(
            actor=cashier, student=student, reference=reference, method="transfer",
            paid_on=TODAY, amount=D("1000"),
        )  # fmt: skip

    record("VIR 123")
    record("VIR 124")  # another reference: another payment
    with pytest.raises(ValidationError) as exc:
        record(" vir  123 ")
    assert exc.value.error_dict["reference"][0].code == "duplicate"
    assert Payment.objects.count() == 2


def test_the_command_prints_the_contract_json(cashier, capsys):
    _, (first, _) = schedule_with_instalments(actor=cashier)
    cohort = first.schedule.cohort
    (student,) = students(cohort, 1)
    company = OrganisationFactory.create(name_fr="Cluster Méca", acronym="CME")
    sponsorship_confirm(actor=cashier, student=student, organisation=company, share=D("70"))
    invoices = invoice_issue(actor=cashier, students=[student], instalments=[first])
    payment_record(
        actor=cashier, organisation=company, method="transfer", reference="V-9", paid_on=TODAY,
        amount=D("10000.50"),
    )  # fmt: skip
    call_command("finance_balances", "--cohort", cohort.slug, "--json")
    report = json.loads(capsys.readouterr().out)
    own = next(i for i in invoices if i.payer_student_id)
    assert report == {
        "students": [
            {
                "registration_number": student.registration_number,
                "invoiced": "90000.00",
                "credited": "0.00",
                "paid": "0.00",
                "balance": "90000.00",
                "overdue": "90000.00",
                "open_invoices": [{"number": own.number, "balance": "90000.00"}],
            }
        ],
        "sponsors": [
            {
                "name": company.display_name,
                "invoiced": "210000.00",
                "paid": "10000.50",
                "balance": "199999.50",
            },
        ],
    }
    call_command("finance_balances", "--cohort", cohort.slug)
    text = capsys.readouterr().out
    assert student.registration_number in text
    assert "199999.50" in text


@pytest.mark.parametrize("persona", ["applicant", "student", "lecturer", "coordinator"])
def test_only_finance_changes_money(make_user, cashier, persona):
    _, (first, _) = schedule_with_instalments(actor=cashier)
    (student,) = students(first.schedule.cohort, 1)
    user = make_user(persona)
    with pytest.raises(PermissionDenied):
        invoice_issue(actor=user, students=[student], instalments=[first])
    with pytest.raises(PermissionDenied):
        payment_record(actor=user, student=student, method="cash", paid_on=TODAY, amount=D("1"))
    assert not Invoice.objects.exists()
    assert not Payment.objects.exists()


@pytest.mark.parametrize(
    ("persona", "reads"),
    [("applicant", False), ("student", False), ("lecturer", False), ("coordinator", True),
     ("finance", True), ("admin", True)],
)  # fmt: skip
def test_balances_are_read_by_finance_and_the_coordination_only(make_user, persona, reads):
    user = make_user(persona)
    if reads:
        assert selectors.balances_for_user(user=user) == ([], [])
    else:
        with pytest.raises(PermissionDenied):
            selectors.balances_for_user(user=user)


def test_the_admin_may_act_as_finance(make_user):
    admin = make_user("admin")
    schedule, _ = schedule_with_instalments(actor=admin)
    assert schedule.pk is not None


def test_a_proof_is_checked_by_its_content_and_kept_privately(cashier, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.factories.partners import pdf_upload

    _, (first, _) = schedule_with_instalments(actor=cashier)
    (student,) = students(first.schedule.cohort, 1)
    result = payment_record(
        actor=cashier, student=student, method="cheque", reference="CH-1", paid_on=TODAY,
        amount=D("5"), proof=pdf_upload("recu.pdf"),
    )  # fmt: skip
    assert str(result.payment.proof.name).startswith("payments/")
    assert (tmp_path / "private" / result.payment.proof.name).is_file()
    with pytest.raises(ValidationError) as exc:
        payment_record(
            actor=cashier, student=student, method="cheque", reference="CH-2", paid_on=TODAY,
            amount=D("5"), proof=SimpleUploadedFile("recu.pdf", b"not a scan"),
        )  # fmt: skip
    assert "proof" in exc.value.message_dict
    assert Payment.objects.count() == 1


def test_an_issued_invoice_its_lines_and_credit_notes_are_never_changed(cashier):
    from django.db import DatabaseError, transaction

    from finance.models import CreditNote, InvoiceLine

    _, (first, _) = schedule_with_instalments(actor=cashier)
    (student,) = students(first.schedule.cohort, 1)
    (invoice,) = invoice_issue(actor=cashier, students=[student], instalments=[first])
    credit_note_issue(actor=cashier, invoice=invoice, amount=D("1"), reason="Erreur")
    for queryset, change in (
        (Invoice.objects.all(), {"number": "FAC-1999-0001"}),
        (InvoiceLine.objects.all(), {"amount": D("1")}),
        (CreditNote.objects.all(), {"amount": D("2")}),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            queryset.update(**change)
    assert invoice.lines.get().amount == D("300000.00")


def test_a_sponsorship_not_confirmed_by_finance_blocks_the_invoice(cashier):
    from finance.models import Sponsorship

    _, (first, _) = schedule_with_instalments(actor=cashier)
    (student,) = students(first.schedule.cohort, 1)
    # Declared (as the application will let applicants do), not confirmed yet.
    Sponsorship.objects.create(
        student=student, organisation=OrganisationFactory.create(), share=D("70")
    )
    with pytest.raises(ValidationError) as exc:
        invoice_issue(actor=cashier, students=[student], instalments=[first])
    assert exc.value.message_dict == {
        "students": [
            gettext("The sponsorship of %(student)s is not confirmed yet.")
            % {"student": student.registration_number}
        ]
    }
    assert not Invoice.objects.exists()


def test_a_student_listed_twice_is_invoiced_once(cashier):
    _, (first, _) = schedule_with_instalments(actor=cashier)
    (student,) = students(first.schedule.cohort, 1)
    (invoice,) = invoice_issue(actor=cashier, students=[student, student], instalments=[first])
    assert invoice.lines.count() == 1


def test_a_payment_dated_in_the_future_is_refused(cashier):
    _, (first, _) = schedule_with_instalments(actor=cashier)
    (student,) = students(first.schedule.cohort, 1)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        payment_record(
            actor=cashier, student=student, method="cash", paid_on=tomorrow, amount=D("5")
        )
    assert exc.value.message_dict == {
        "paid_on": [gettext("A payment cannot be dated in the future.")]
    }
