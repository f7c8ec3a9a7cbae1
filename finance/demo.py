"""Demo fees for the running cohort: a fee schedule, its instalment plan, sponsors (a
cluster paying 70 % of four participants, a company paying all of two), the instalments due
so far invoiced, and payments — some on time, some late — so that the dashboard, the overdue
list, the student's and the sponsor's pages show something true from the first visit.

Created once, through the services (so that every figure and event is what finance would
have produced by hand); a cohort that already has a fee schedule is left as it is."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from enrollment.models import Cohort, Intake, Student
from finance import selectors
from finance.models import FeeSchedule, Payment
from finance.services.application_fees import application_fee_invoices_issue
from finance.services.contacts import contact_account_give, contact_add
from finance.services.deposits import deposit_invoices_issue
from finance.services.invoices import invoice_issue
from finance.services.payments import payment_record
from finance.services.schedules import (
    PlannedInstalment,
    instalments_plan,
    schedule_set,
    sponsorship_confirm,
)
from partners.models import Organisation

TUITION = Decimal("450000.00")
PLAN = (
    # (label fr, label ar, label en, share of the year, days after the cohort's start)
    ("Premier versement", "القسط الأول", "First instalment", Decimal("0.40"), 14),
    ("Deuxième versement", "القسط الثاني", "Second instalment", Decimal("0.30"), 45),
    ("Troisième versement", "القسط الثالث", "Third instalment", Decimal("0.30"), 137),
)
#: (organisation slug, share, how many of the cohort's students, from which position)
SPONSORS = (("adc", Decimal(70), 4, 1), ("c-mec", Decimal(100), 2, 5))


def seed_finance(
    *, cohort: Cohort, cashier: User, intake: Intake | None = None
) -> FeeSchedule | None:
    """Fees of ``cohort`` for its first two years, the sponsors' contacts (the cluster's
    with the demo sponsor account), and for ``intake`` (the open call) its cohort's schedule,
    its application fees and the deposits of the offers accepted; ``None`` when the running
    cohort's fees exist already."""
    if FeeSchedule.objects.filter(cohort=cohort).exists():
        return None
    _contacts(cashier)
    if intake is not None:
        _admissions(cashier=cashier, intake=intake)
    schedule = _schedule(cashier=cashier, cohort=cohort)
    for year in (1, 2):
        start = cohort.start_date.replace(year=cohort.start_date.year + year - 1)
        instalments_plan(
            actor=cashier,
            schedule=schedule,
            year=year,
            instalments=[
                PlannedInstalment(
                    label_fr=f"{fr} — année {year}",
                    label_ar=f"{ar} — السنة {year}",
                    label_en=f"{en} — year {year}",
                    amount=(TUITION * share).quantize(Decimal("0.01")),
                    due_date=start + dt.timedelta(days=days),
                )
                for fr, ar, en, share, days in PLAN
            ],
        )
    students = list(
        Student.objects.filter(cohort=cohort, status=Student.Status.ACTIVE)
        .select_related("user")
        .order_by("registration_number")
    )
    for slug, share, count, first in SPONSORS:
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            continue
        for n, student in enumerate(students[first : first + count]):
            # Half of the cluster's participants consented to its seeing their progress.
            sponsorship_confirm(
                actor=cashier,
                student=student,
                organisation=organisation,
                share=share,
                shares_progress=slug == "adc" and n % 2 == 0,
            )
    today = timezone.localdate()
    due = [i for i in schedule.instalments.filter(year=1) if i.due_date <= today + dt.timedelta(30)]
    for instalment in due if students else []:
        invoice_issue(actor=cashier, students=students, instalments=[instalment])
    _pay(cashier=cashier, cohort=cohort, students=students, today=today)
    return schedule


def _schedule(*, cashier: User, cohort: Cohort) -> FeeSchedule:
    return schedule_set(
        actor=cashier,
        cohort=cohort,
        tuition_per_year=TUITION,
        application_fee=Decimal("5000.00"),
        deposit=Decimal("50000.00"),
        deposit_days=15,
    )


def _contacts(cashier: User) -> None:
    """The cluster's contact has the demo sponsor account; the company's has none."""
    people = (
        ("adc", "Amine Khelifi", "sponsor@demo.tema-wtc.dz", "fr", True),
        ("c-mec", "Leïla Benali", "comptabilite@c-mec.example.dz", "ar", False),
    )
    for slug, name, email, language, account in people:
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None or organisation.finance_contacts.exists():
            continue
        contact = contact_add(
            actor=cashier, organisation=organisation, name=name, email=email, language=language
        )
        user = User.objects.filter(email=email, is_sponsor=True).first()
        if account and user is not None:
            contact_account_give(actor=cashier, contact=contact)


def _admissions(*, cashier: User, intake: Intake) -> None:
    """The open call's cohort: its fees, an invoice of the application fee to each applicant
    who submitted, and the deposit of each offer accepted."""
    if FeeSchedule.objects.filter(cohort_id=intake.cohort_id).exists():
        return
    _schedule(cashier=cashier, cohort=intake.cohort)
    if intake.applications.exclude(submitted_at=None).exists():
        application_fee_invoices_issue(actor=cashier, intake=intake)
    accepted = Student.objects.filter(cohort_id=intake.cohort_id)
    if accepted.filter(application__isnull=False).exists():
        deposit_invoices_issue(actor=cashier, cohort=intake.cohort)


def _pay(*, cashier: User, cohort: Cohort, students: list[Student], today: dt.date) -> None:
    """The first instalment paid by everyone but one student and the company; the second,
    fallen due since, by half of those paying themselves and by the cluster for none."""
    balances = {b.student.pk: b for b in selectors.student_balances(cohort=cohort)}
    for n, student in enumerate(students):
        totals = balances[student.pk].totals if student.pk in balances else None
        if totals is None or not totals.open_invoices or n == len(students) - 1:
            continue
        invoices = totals.open_invoices if n % 2 == 0 else totals.open_invoices[:1]
        for k, open_invoice in enumerate(invoices):
            payment_record(
                actor=cashier,
                method=Payment.Method.CCP if n % 3 else Payment.Method.TRANSFER,
                paid_on=min(today, cohort.start_date + dt.timedelta(days=10 + 30 * k)),
                amount=open_invoice.balance,
                reference=f"DEMO-{open_invoice.number}",
                student=student,
            )
    cluster = Organisation.objects.filter(slug="adc").first()
    if cluster is None:
        return
    totals = selectors.payer_totals(
        selectors.ORGANISATION, [cluster.pk], cohort=cohort, with_invoices=True
    ).get(cluster.pk)
    if totals is None or not totals.open_invoices:
        return
    first = totals.open_invoices[0]
    payment_record(
        actor=cashier,
        method=Payment.Method.TRANSFER,
        paid_on=min(today, cohort.start_date + dt.timedelta(days=20)),
        amount=first.balance,
        reference=f"VIR-ADC-{first.number}",
        organisation=cluster,
    )
