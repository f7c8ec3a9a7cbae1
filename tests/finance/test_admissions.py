"""The admissions side of the fees (#13): sponsorships declared at application and confirmed
by finance, the deposits that confirm a seat (and release it when unpaid), the application
fees paid by applicants."""

from __future__ import annotations

import datetime as dt
import threading
import time
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from enrollment.models import Application, Student
from enrollment.services.applications import application_submit
from enrollment.services.decisions import Decision, decide
from enrollment.services.review import eligibility_set
from finance import selectors
from finance.models import (
    Allocation,
    CreditNote,
    Invoice,
    InvoiceLine,
    MoneyEvent,
    Payment,
    Sponsorship,
)
from finance.services.application_fees import (
    APPLICATION_FEE_DAYS,
    application_fee_invoices_issue,
)
from finance.services.deposits import (
    deposit_due_on,
    deposit_invoices_issue,
    deposit_release,
    deposits_release_unpaid,
)
from finance.services.payments import payment_record
from finance.services.schedules import schedule_set
from finance.services.sponsorships import sponsorship_confirm_for_cohort
from finance.tasks import release_unpaid_deposits
from tests.factories.accounts import UserFactory
from tests.factories.enrollment import NOT_GUARDED, IntakeFactory, ready_application
from tests.factories.finance import accepted_student, finance_user
from tests.factories.partners import OrganisationFactory
from tests.helpers import logged_in

D = Decimal
F = Application.Financing
DEPOSIT, DAYS, FEE = D("50000.00"), 10, D("5000.00")


def _intake(cashier, *, seats: int = 25, deposit: bool = True, fee: bool = True):
    intake = IntakeFactory.create(seats=seats, cohort__seats=seats, **NOT_GUARDED)
    schedule_set(
        actor=cashier,
        cohort=intake.cohort,
        tuition_per_year=D("500000"),
        application_fee=FEE if fee else None,
        deposit=DEPOSIT if deposit else None,
        deposit_days=DAYS if deposit else None,
    )
    return intake


@pytest.fixture
def cashier(make_user):
    return make_user("finance")


@pytest.fixture
def intake(cashier):
    return _intake(cashier)


@pytest.fixture
def finance_client(cashier):
    return logged_in(cashier)


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- Sponsorships ------------------------------------------------------------------------------
@pytest.mark.django_db
def test_finance_picks_the_organisation_of_a_typed_name_and_the_consent_is_kept(
    intake, finance_client
):
    student = accepted_student(
        intake,
        financing=F.SPLIT,
        sponsor_name="Condor Electronics",
        sponsor_share=D("70"),
        sponsor_consent=True,
    )
    condor = OrganisationFactory.create(name_fr="Condor")
    url = reverse("finance:sponsorships", args=[intake.cohort.slug])
    html = finance_client.get(url).content.decode()
    row = html.split(f'data-student="{student.registration_number}"', 1)[1].split("</tr>")[0]
    assert "Condor Electronics" in row
    assert gettext("typed: not in the list") in row
    assert gettext("consents to show attendance and results") in row
    assert gettext("Not confirmed yet") in row

    response = finance_client.post(
        url,
        {"form": "row", "student": student.pk, "organisation": condor.pk, "share": "70"},
    )
    assert response.status_code == 302
    sponsorship = Sponsorship.objects.get(student=student)
    assert (sponsorship.organisation, sponsorship.share) == (condor, D("70.00"))
    assert sponsorship.confirmed_at is not None
    assert sponsorship.shares_progress is True
    event = MoneyEvent.objects.get(kind=MoneyEvent.Kind.SPONSORSHIP)
    assert event.after == {"share": "70", "shares_progress": True}
    row = finance_client.get(url).content.decode()
    assert 'data-testid="confirmed"' in row


@pytest.mark.django_db
def test_without_the_applicants_consent_the_sponsor_does_not_see_progress(intake, cashier):
    organisation = OrganisationFactory.create()
    student = accepted_student(
        intake, financing=F.SPONSOR, sponsor_organisation=organisation, sponsor_share=D(100)
    )
    sponsorship = sponsorship_confirm_for_cohort(
        actor=cashier, cohort=intake.cohort, student=student, organisation=organisation,
        share=D(100),
    )  # fmt: skip
    assert sponsorship.shares_progress is False


@pytest.mark.django_db
def test_finance_adds_a_sponsorship_that_was_not_declared(intake, finance_client):
    student = accepted_student(intake)
    organisation = OrganisationFactory.create()
    url = reverse("finance:sponsorships", args=[intake.cohort.slug])
    row = f'data-student="{student.registration_number}"'
    assert row not in finance_client.get(url).content.decode()
    response = finance_client.post(
        url, {"form": "add", "student": student.pk, "organisation": organisation.pk, "share": "40"}
    )
    assert response.status_code == 302
    assert Sponsorship.objects.get(student=student).share == D("40.00")
    html = finance_client.get(url).content.decode()
    assert gettext("Not declared: added by finance") in html.split(row, 1)[1].split("</tr>")[0]


@pytest.mark.django_db
def test_a_student_of_another_cohort_is_refused_with_a_message(intake, cashier):
    other = accepted_student(_intake(cashier))
    with pytest.raises(ValidationError) as exc:
        sponsorship_confirm_for_cohort(
            actor=cashier, cohort=intake.cohort, student=other,
            organisation=OrganisationFactory.create(), share=D(50),
        )  # fmt: skip
    assert exc.value.message_dict == {
        "student": [
            gettext("%(student)s is not a student of %(cohort)s.")
            % {"student": other.registration_number, "cohort": intake.cohort}
        ]
    }
    assert not Sponsorship.objects.exists()


@pytest.mark.django_db
def test_a_refused_share_is_shown_next_to_its_field(intake, finance_client):
    student = accepted_student(intake, financing=F.SPLIT, sponsor_name="X", sponsor_share=D(70))
    url = reverse("finance:sponsorships", args=[intake.cohort.slug])
    response = finance_client.post(
        url,
        {
            "form": "row",
            "student": student.pk,
            "organisation": OrganisationFactory.create().pk,
            "share": "120",
        },
    )
    assert response.status_code == 400
    message = gettext("The share is a percentage above 0 and up to 100, two decimals at most.")
    assert message in response.content.decode()
    assert not Sponsorship.objects.exists()


@pytest.mark.django_db
def test_the_sponsorships_page_takes_as_many_queries_for_more_students(intake, finance_client):
    url = reverse("finance:sponsorships", args=[intake.cohort.slug])
    counts = []
    for _ in range(2):
        accepted_student(
            intake, financing=F.SPLIT, sponsor_organisation=OrganisationFactory.create(),
            sponsor_share=D(60),
        )  # fmt: skip
        with CaptureQueriesContext(connection) as ctx:
            assert finance_client.get(url).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


# --- Deposits ----------------------------------------------------------------------------------
def test_the_deposit_is_due_from_the_acceptance_or_from_the_issue_if_later():
    day = dt.date(2026, 9, 1)
    assert deposit_due_on(accepted_on=day, issued_on=day, days=10) == dt.date(2026, 9, 11)
    later = dt.date(2026, 9, 20)
    assert deposit_due_on(accepted_on=day, issued_on=later, days=10) == dt.date(2026, 9, 30)
    assert deposit_due_on(accepted_on=None, issued_on=later, days=10) == dt.date(2026, 9, 30)


@pytest.mark.django_db
def test_each_accepted_student_gets_one_deposit_invoice_of_their_own_once(intake, cashier):
    organisation = OrganisationFactory.create()
    sponsored = accepted_student(
        intake, financing=F.SPONSOR, sponsor_organisation=organisation, sponsor_share=D(100)
    )
    sponsorship_confirm_for_cohort(
        actor=cashier, cohort=intake.cohort, student=sponsored, organisation=organisation,
        share=D(100),
    )  # fmt: skip
    alone = accepted_student(intake)
    invoices = deposit_invoices_issue(actor=cashier, cohort=intake.cohort)
    assert len(invoices) == 2
    year = timezone.localdate().year
    assert sorted(i.number for i in invoices) == [f"FAC-{year}-0001", f"FAC-{year}-0002"]
    today = timezone.localdate()
    by_student = {invoice.payer_student_id: invoice for invoice in invoices}
    assert set(by_student) == {sponsored.pk, alone.pk}  # the sponsor pays no deposit
    for student in (sponsored, alone):
        invoice = by_student[student.pk]
        [line] = invoice.lines.all()
        assert (line.kind, line.student, line.amount) == ("deposit", student, DEPOSIT)
        assert line.due_on == today + dt.timedelta(days=DAYS)
    events = MoneyEvent.objects.filter(kind=MoneyEvent.Kind.INVOICE)
    assert {e.student_id for e in events} == {sponsored.pk, alone.pk}
    assert deposit_invoices_issue(actor=cashier, cohort=intake.cohort) == []
    assert Invoice.objects.count() == 2


@pytest.mark.django_db
def test_a_schedule_without_a_deposit_issues_none(cashier):
    intake = _intake(cashier, deposit=False)
    accepted_student(intake)
    with pytest.raises(ValidationError) as exc:
        deposit_invoices_issue(actor=cashier, cohort=intake.cohort)
    assert exc.value.message_dict == {
        "students": [
            gettext("The fee schedule of %(cohort)s asks for no deposit.")
            % {"cohort": intake.cohort}
        ]
    }
    assert not Invoice.objects.exists()


@pytest.mark.django_db
def test_the_deposits_page_confirms_before_issuing_the_chosen_students(intake, finance_client):
    first, second = accepted_student(intake), accepted_student(intake)
    url = reverse("finance:deposits", args=[intake.cohort.slug])
    html = finance_client.get(url).content.decode()
    assert 'data-testid="deposit-terms"' in html
    assert first.registration_number in html

    nothing = finance_client.post(url, {"scope": "chosen"})
    assert nothing.status_code == 400
    assert gettext("Choose at least one student, or issue them all.") in nothing.content.decode()

    asked = finance_client.post(url, {"scope": "chosen", "students": [second.pk]})
    assert asked.status_code == 200
    assert 'data-testid="confirmation"' in asked.content.decode()
    assert not Invoice.objects.exists()

    done = finance_client.post(url, {"confirm": "yes", "chosen": str(second.pk)})
    assert done.status_code == 302
    assert [i.payer_student for i in Invoice.objects.all()] == [second]
    assert _messages(done) == [
        ngettext("%(count)d deposit invoice issued.", "%(count)d deposit invoices issued.", 1)
        % {"count": 1}
    ]
    everyone = finance_client.post(url, {"confirm": "yes", "scope": "all"})
    assert everyone.status_code == 302
    assert Invoice.objects.filter(payer_student=first).count() == 1


@pytest.fixture
def seat_with_waiting(cashier):
    """A cohort of one seat: a student holding it with a deposit invoiced, and an applicant
    on the waiting list."""
    intake = _intake(cashier, seats=1)
    student = accepted_student(intake)
    coordinator = UserFactory.create(is_coordinator=True)
    waiting_user = UserFactory.create()
    waiting = ready_application(waiting_user, intake)
    application_submit(application=waiting, actor=waiting_user)
    eligibility_set(application=waiting, actor=coordinator, eligible=True)
    decide(applications=[waiting], actor=coordinator, decision=Decision.WAITLIST)
    [invoice] = deposit_invoices_issue(actor=cashier, cohort=intake.cohort)
    return student, invoice.lines.get(), waiting


@pytest.mark.django_db
def test_a_deposit_unpaid_past_its_due_date_releases_the_seat_and_is_credited(
    seat_with_waiting,
):
    student, line, waiting = seat_with_waiting
    assert deposits_release_unpaid(today=line.due_on) == 0  # the due day itself counts
    assert deposits_release_unpaid(today=line.due_on + dt.timedelta(days=1)) == 1

    student.refresh_from_db()
    assert student.status == Student.Status.WITHDRAWN
    assert Application.objects.get(pk=student.application_id).status == "withdrawn"
    waiting.refresh_from_db()
    assert waiting.status == Application.Status.ADMITTED
    note = CreditNote.objects.get()
    assert (note.invoice_id, note.amount) == (line.invoice_id, DEPOSIT)
    assert selectors.line_left(line.pk) == 0
    totals = selectors.payer_totals(selectors.STUDENT, [student.pk])[student.pk]
    assert (totals.invoiced, totals.credited, totals.balance) == (DEPOSIT, DEPOSIT, 0)
    released = MoneyEvent.objects.get(kind=MoneyEvent.Kind.SEAT_RELEASED)
    assert released.actor is None
    assert released.before == {"student_status": "active", "deposit_left": "50000.00"}
    assert released.after == {
        "student_status": "withdrawn",
        "deposit_left": "0.00",
        "credit_note": note.number,
    }
    # Run again: nothing more.
    assert deposits_release_unpaid(today=line.due_on + dt.timedelta(days=2)) == 0
    assert CreditNote.objects.count() == 1


@pytest.mark.django_db
def test_a_deposit_paid_in_time_keeps_the_seat(seat_with_waiting, cashier):
    student, line, waiting = seat_with_waiting
    payment_record(
        actor=cashier, student=student, method="cash", paid_on=timezone.localdate(),
        amount=DEPOSIT,
    )  # fmt: skip
    assert deposits_release_unpaid(today=line.due_on + dt.timedelta(days=1)) == 0
    student.refresh_from_db()
    assert student.status == Student.Status.ACTIVE
    waiting.refresh_from_db()
    assert waiting.status == Application.Status.WAITLISTED
    assert not CreditNote.objects.exists()


def _deposit_due_yesterday(student: Student, cashier) -> InvoiceLine:
    """A deposit invoice issued some days ago, due yesterday (lines are never updated, so it
    is written as it was issued then)."""
    invoice = Invoice.objects.create(
        number=f"FAC-TEST-{student.pk}", cohort=student.cohort, payer_student=student,
        issued_at=timezone.now() - dt.timedelta(days=DAYS + 1), issued_by=cashier,
    )  # fmt: skip
    return InvoiceLine.objects.create(
        invoice=invoice, kind="deposit", student=student, amount=DEPOSIT, label="Acompte",
        due_on=timezone.localdate() - dt.timedelta(days=1),
    )  # fmt: skip


@pytest.mark.django_db
def test_the_hourly_task_releases_what_is_past_due(seat_with_waiting, cashier):
    student, _line, _waiting = seat_with_waiting
    assert release_unpaid_deposits() == 0  # due in DAYS days
    other = accepted_student(_intake(cashier))
    _deposit_due_yesterday(other, cashier)
    assert release_unpaid_deposits() == 1
    assert release_unpaid_deposits() == 0
    assert Student.objects.get(pk=other.pk).status == Student.Status.WITHDRAWN
    assert Student.objects.get(pk=student.pk).status == Student.Status.ACTIVE


@pytest.fixture
def due_yesterday():
    """A student's deposit unpaid and due yesterday (committed: the race tests use threads)."""
    cashier = finance_user()
    student = accepted_student(_intake(cashier))
    return cashier, student, _deposit_due_yesterday(student, cashier)


def _in_thread(work, *, then: threading.Event | None = None, hold: float = 0.0):
    """Run ``work`` in its own transaction on another connection; with ``then``, signal once
    the work is done and hold the transaction (its row locks) ``hold`` seconds before the
    commit."""
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            with transaction.atomic():
                outcome["result"] = work()
                if then is not None:
                    then.set()
                    time.sleep(hold)
        except BaseException as exc:  # reported by the test
            outcome["error"] = exc
            if then is not None:
                then.set()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def _pay(cashier, student):
    return lambda: payment_record(
        actor=cashier, student=student, method="transfer", reference="VIR-1",
        paid_on=timezone.localdate(), amount=DEPOSIT,
    )  # fmt: skip


def _settled(line) -> tuple[Decimal, Decimal]:
    """What payments and credit notes settled on the line."""
    paid = Allocation.objects.filter(line=line, payment__isnull=False)
    credited = Allocation.objects.filter(line=line, credit_note__isnull=False)
    return sum((a.amount for a in paid), D(0)), sum((a.amount for a in credited), D(0))


@pytest.mark.django_db(transaction=True)
def test_a_release_waiting_behind_a_late_payment_finds_the_deposit_paid(due_yesterday):
    cashier, student, line = due_yesterday
    paid = threading.Event()
    payer, payment = _in_thread(_pay(cashier, student), then=paid, hold=1.0)
    paid.wait(30)
    # The payment is recorded but not committed: the release queues on the student's row.
    releaser, release = _in_thread(
        lambda: deposit_release(line_id=line.pk, today=timezone.localdate())
    )
    payer.join(60)
    releaser.join(60)
    assert "error" not in payment
    assert release == {"result": False}
    student.refresh_from_db()
    assert student.status == Student.Status.ACTIVE
    assert _settled(line) == (DEPOSIT, 0)
    assert not MoneyEvent.objects.filter(kind=MoneyEvent.Kind.SEAT_RELEASED).exists()


@pytest.mark.django_db(transaction=True)
def test_a_late_payment_waiting_behind_a_release_is_kept_as_credit(due_yesterday):
    cashier, student, line = due_yesterday
    released = threading.Event()
    releaser, release = _in_thread(
        lambda: deposit_release(line_id=line.pk, today=timezone.localdate()),
        then=released,
        hold=1.0,
    )
    released.wait(30)
    # The seat is released but not committed: the payment queues on the student's row.
    payer, payment = _in_thread(_pay(cashier, student))
    releaser.join(60)
    payer.join(60)
    assert release == {"result": True}
    assert "error" not in payment
    student.refresh_from_db()
    assert student.status == Student.Status.WITHDRAWN
    assert _settled(line) == (0, DEPOSIT)  # never both: the deposit is credited, not paid
    result = payment["result"]
    assert (result.allocated, result.credit) == (0, DEPOSIT)
    assert MoneyEvent.objects.filter(kind=MoneyEvent.Kind.SEAT_RELEASED).count() == 1


# --- Application fees --------------------------------------------------------------------------
def _submitted(intake, n: int) -> list[Application]:
    applications = []
    for _ in range(n):
        user = UserFactory.create()
        application = ready_application(user, intake)
        applications.append(application_submit(application=application, actor=user))
    return applications


@pytest.mark.django_db
def test_submitted_applications_get_an_application_fee_invoice_to_the_applicant_once(
    intake, cashier
):
    first, second = _submitted(intake, 2)
    ready_application(UserFactory.create(), intake)  # a draft: nothing to invoice
    invoices = application_fee_invoices_issue(actor=cashier, intake=intake)
    assert {i.payer_application_id for i in invoices} == {first.pk, second.pk}
    for invoice in invoices:
        [line] = invoice.lines.all()
        assert (line.kind, line.application_id, line.amount, line.student) == (
            "application_fee",
            invoice.payer_application_id,
            FEE,
            None,
        )
        assert line.due_on == timezone.localdate() + dt.timedelta(days=APPLICATION_FEE_DAYS)
        assert invoice.cohort == intake.cohort
    assert application_fee_invoices_issue(actor=cashier, intake=intake) == []
    assert Invoice.objects.count() == 2


@pytest.mark.django_db
def test_an_applicant_pays_the_fee_recorded_with_the_application_number(
    intake, cashier, finance_client
):
    [application] = _submitted(intake, 1)
    [invoice] = application_fee_invoices_issue(actor=cashier, intake=intake)
    before = selectors.application_balances(applications=[application.pk])[application.pk]
    assert (before.balance, [o.number for o in before.open_invoices]) == (FEE, [invoice.number])
    response = finance_client.post(
        reverse("finance:payment_new"),
        {
            "application": application.number.lower(),
            "method": "ccp",
            "reference": "CCP 123",
            "paid_on": timezone.localdate().isoformat(),
            "amount": "5000",
        },
    )
    assert response.status_code == 302
    payment = Payment.objects.get()
    assert payment.payer_application == application
    assert payment.allocations.get().line.invoice == invoice
    after = selectors.application_balances(applications=[application.pk])[application.pk]
    assert (after.paid, after.balance, after.open_invoices) == (FEE, 0, [])
    html = finance_client.get(reverse("finance:application_fees", args=[intake.slug]))
    row = html.content.decode().split(f'data-application="{application.number}"')[1]
    assert gettext("Paid") in row.split("</tr>")[0]


@pytest.mark.django_db
def test_the_same_applicant_payment_twice_is_refused(intake, cashier):
    [application] = _submitted(intake, 1)
    application_fee_invoices_issue(actor=cashier, intake=intake)
    values = {
        "actor": cashier, "application": application, "method": "ccp", "reference": "CCP 9",
        "paid_on": timezone.localdate(), "amount": FEE,
    }  # fmt: skip
    payment_record(**values)
    with pytest.raises(ValidationError) as exc:
        payment_record(**values)
    assert exc.value.error_dict["reference"][0].code == "duplicate"


@pytest.mark.django_db
def test_the_application_fees_page_confirms_then_issues_all(intake, finance_client):
    first, second = _submitted(intake, 2)
    url = reverse("finance:application_fees", args=[intake.slug])
    html = finance_client.get(url).content.decode()
    assert 'data-testid="fee-terms"' in html
    assert first.number in html
    assert second.number in html
    asked = finance_client.post(url, {"scope": "all"})
    assert 'data-testid="confirmation"' in asked.content.decode()
    assert not Invoice.objects.exists()
    done = finance_client.post(url, {"confirm": "yes", "scope": "all"})
    assert done.status_code == 302
    assert Invoice.objects.filter(payer_application__isnull=False).count() == 2


@pytest.mark.django_db
def test_a_cohort_without_an_application_fee_invoices_none(cashier):
    intake = _intake(cashier, fee=False)
    _submitted(intake, 1)
    with pytest.raises(ValidationError) as exc:
        application_fee_invoices_issue(actor=cashier, intake=intake)
    assert exc.value.message_dict == {
        "applications": [
            gettext("The fee schedule of %(cohort)s has no application fee.")
            % {"cohort": intake.cohort}
        ]
    }
