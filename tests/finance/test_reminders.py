"""Payment reminders (#13): before and after the earliest open due date of each invoice, on
the days of ``FINANCE_REMINDER_DAYS``, to the payer's contact in their language; each once,
a missed day sent late once."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone, translation

from accounts.models import OutgoingEmail
from enrollment.models import Cohort, Student
from enrollment.services.applications import application_submit
from finance.models import PaymentReminder
from finance.services.application_fees import application_fee_invoices_issue
from finance.services.contacts import contact_add
from finance.services.invoices import invoice_issue
from finance.services.payments import payment_record
from finance.services.reminders import reminders_send
from finance.services.schedules import (
    PlannedInstalment,
    instalments_plan,
    schedule_set,
    sponsorship_confirm,
)
from finance.tasks import send_payment_reminders
from tests.enrollment.test_emails import html_part
from tests.factories.enrollment import CohortFactory, IntakeFactory, ready_application
from tests.factories.finance import finance_user, students
from tests.factories.partners import OrganisationFactory

pytestmark = pytest.mark.django_db
D = Decimal
DAY = dt.timedelta(days=1)
#: The first instalment's due date; the runs below pretend "today" around it.
DUE = timezone.localdate() + dt.timedelta(days=60)
LATER = DUE + dt.timedelta(days=120)


@pytest.fixture
def cashier():
    return finance_user()


def _plan(cashier, cohort: Cohort):
    schedule = schedule_set(
        actor=cashier, cohort=cohort, tuition_per_year=D("500000"), application_fee=D("5000")
    )
    return instalments_plan(
        actor=cashier,
        schedule=schedule,
        year=1,
        instalments=[
            PlannedInstalment("Tranche 1", D("300000"), DUE, label_en="Instalment 1"),
            PlannedInstalment("Tranche 2", D("200000"), LATER, label_en="Instalment 2"),
        ],
    )


def _student(cashier, *, language: str = "fr") -> Student:
    cohort = CohortFactory.create()
    instalments = _plan(cashier, cohort)
    [student] = students(cohort, 1)
    student.user.preferred_language = language
    student.user.save(update_fields=["preferred_language"])
    invoice_issue(actor=cashier, students=[student], instalments=instalments)
    return student


def _run(capture, today: dt.date) -> int:
    with capture(execute=True):
        return reminders_send(today=today)


def test_a_student_is_reminded_a_week_before_once_even_when_the_task_runs_twice(
    cashier, django_capture_on_commit_callbacks, settings
):
    student = _student(cashier)
    assert _run(django_capture_on_commit_callbacks, DUE - 8 * DAY) == 0
    assert _run(django_capture_on_commit_callbacks, DUE - 7 * DAY) == 1
    assert _run(django_capture_on_commit_callbacks, DUE - 7 * DAY) == 0
    assert _run(django_capture_on_commit_callbacks, DUE) == 0  # no offset on the day itself
    [message] = mail.outbox
    invoice = student.invoices.get()
    assert message.to == [student.user.email]
    assert message.reply_to == [settings.FINANCE_EMAIL]
    assert invoice.number in message.subject
    body = str(message.body)
    with translation.override("fr"):
        hello = translation.gettext("Hello %(name)s,") % {"name": student.user.get_full_name()}
    assert body.startswith(hello)
    assert "500000,00" in body  # what is left on the invoice, with the French comma
    assert DUE.strftime("%d/%m/%Y") in body
    assert "/me/fees/" in body
    reminder = PaymentReminder.objects.get()
    assert (reminder.invoice, reminder.due_on, reminder.days) == (invoice, DUE, -7)
    assert reminder.sent_to == student.user.email
    # The reminder row and its e-mail were written together.
    assert OutgoingEmail.objects.count() == 1


def test_after_the_due_date_it_says_overdue_and_a_missed_day_is_sent_late_once(
    cashier, django_capture_on_commit_callbacks
):
    student = _student(cashier, language="en")
    assert _run(django_capture_on_commit_callbacks, DUE + DAY) == 1
    # The worker was down from day 2 to day 40: only the 30-day reminder goes out, once.
    assert _run(django_capture_on_commit_callbacks, DUE + 40 * DAY) == 1
    assert _run(django_capture_on_commit_callbacks, DUE + 41 * DAY) == 0
    assert list(PaymentReminder.objects.order_by("days").values_list("days", flat=True)) == [1, 30]
    late = mail.outbox[-1]
    with translation.override("en"):
        overdue = translation.gettext("Invoice %(number)s: payment overdue") % {
            "number": student.invoices.get().number
        }
    assert late.subject == overdue
    assert "40 days ago" in str(late.body)
    assert "500000.00" in str(late.body)  # English: the decimal point


def test_a_paid_invoice_is_not_reminded_and_a_partly_paid_one_counts_from_its_next_due_date(
    cashier, django_capture_on_commit_callbacks
):
    paid = _student(cashier)
    payment_record(
        actor=cashier, student=paid, method="cash", paid_on=timezone.localdate(), amount=D("500000")
    )
    partly = _student(cashier)
    payment_record(
        actor=cashier,
        student=partly,
        method="cash",
        paid_on=timezone.localdate(),
        amount=D("300000"),
    )
    assert _run(django_capture_on_commit_callbacks, DUE + DAY) == 0
    assert _run(django_capture_on_commit_callbacks, LATER - 7 * DAY) == 1
    [message] = mail.outbox
    assert message.to == [partly.user.email]
    assert "200000,00" in str(message.body)
    assert PaymentReminder.objects.get().due_on == LATER


def test_a_sponsor_is_reminded_through_each_contact_in_their_language_or_nobody_logged(
    cashier, django_capture_on_commit_callbacks, caplog
):
    cohort = CohortFactory.create()
    instalments = _plan(cashier, cohort)
    organisation = OrganisationFactory.create()
    [student] = students(cohort, 1)
    sponsorship_confirm(actor=cashier, student=student, organisation=organisation, share=D("100"))
    [invoice] = invoice_issue(actor=cashier, students=[student], instalments=instalments)
    assert invoice.payer_organisation == organisation
    with caplog.at_level(logging.WARNING, logger="finance.services.reminders"):
        assert _run(django_capture_on_commit_callbacks, DUE + DAY) == 0
    assert invoice.number in caplog.text
    assert not PaymentReminder.objects.exists()
    contact_add(
        actor=cashier, organisation=organisation, name="Karim Haddad", email="k@example.dz",
        language="ar",
    )  # fmt: skip
    contact_add(
        actor=cashier, organisation=organisation, name="Alice Martin", email="a@example.dz",
        language="en",
    )  # fmt: skip
    assert _run(django_capture_on_commit_callbacks, DUE + 2 * DAY) == 1
    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {"k@example.dz", "a@example.dz"}
    assert 'dir="rtl"' in html_part(by_address["k@example.dz"])
    assert "Karim Haddad" in str(by_address["k@example.dz"].body)
    with translation.override("ar"):
        assert (
            translation.gettext("Invoice %(number)s: payment overdue") % {"number": invoice.number}
            == by_address["k@example.dz"].subject
        )
    assert "Alice Martin" in str(by_address["a@example.dz"].body)
    assert 'dir="rtl"' not in html_part(by_address["a@example.dz"])
    # A contact without an account gets no link to a page they cannot open.
    assert "/sponsor/" not in str(by_address["a@example.dz"].body)


def test_an_applicant_is_reminded_of_the_application_fee(
    cashier, make_user, django_capture_on_commit_callbacks
):
    intake = IntakeFactory.create()
    _plan(cashier, intake.cohort)
    application = ready_application(make_user(), intake)
    with django_capture_on_commit_callbacks(execute=True):
        application_submit(application=application, actor=application.applicant)
    mail.outbox.clear()
    [invoice] = application_fee_invoices_issue(actor=cashier, intake=intake)
    due_on = invoice.lines.get().due_on
    assert _run(django_capture_on_commit_callbacks, due_on + 15 * DAY) == 1
    [message] = mail.outbox
    assert message.to == [application.applicant.email]
    assert invoice.number in message.subject
    assert "5000,00" in str(message.body)


def test_the_daily_task_sends_what_is_due_today(cashier, django_capture_on_commit_callbacks):
    cohort = CohortFactory.create()
    schedule = schedule_set(actor=cashier, cohort=cohort, tuition_per_year=D("100000"))
    instalments = instalments_plan(
        actor=cashier,
        schedule=schedule,
        year=1,
        instalments=[PlannedInstalment("Tranche 1", D("100000"), timezone.localdate() - 15 * DAY)],
    )
    [student] = students(cohort, 1)
    invoice_issue(actor=cashier, students=[student], instalments=instalments)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_payment_reminders() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert send_payment_reminders() == 0
    assert PaymentReminder.objects.get().days == 15
    assert len(mail.outbox) == 1
