"""The demo has fees worth looking at: a cohort with sponsors, instalments paid and overdue."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import call_command

from enrollment.demo import running_cohort_slug
from enrollment.models import Cohort
from finance import selectors
from finance.models import (
    Invoice,
    InvoiceLine,
    MoneyEvent,
    Payment,
    SponsorContact,
    Sponsorship,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return Cohort.objects.get(slug=running_cohort_slug())


def test_the_running_cohort_has_sponsors_paid_and_overdue_instalments(seeded):
    students = selectors.student_balances(cohort=seeded)
    sponsors = {s.organisation.slug: s.totals for s in selectors.sponsor_balances(cohort=seeded)}
    assert set(sponsors) == {"adc", "c-mec"}
    # The cluster paid its first grouped invoice, not the second; the company nothing yet.
    assert Decimal(0) < sponsors["adc"].paid < sponsors["adc"].invoiced
    assert sponsors["adc"].overdue > 0
    assert sponsors["c-mec"].paid == 0
    paid_up = [s for s in students if s.totals.invoiced and s.totals.balance == 0]
    overdue = [s for s in students if s.totals.overdue > 0]
    assert paid_up
    assert overdue
    grouped = Invoice.objects.filter(cohort=seeded, payer_organisation__slug="adc").first()
    assert grouped is not None
    assert grouped.lines.values("student").distinct().count() == 4


def test_the_clusters_contact_has_the_demo_sponsor_account_and_some_participants_consented(
    seeded,
):
    contact = SponsorContact.objects.get(organisation__slug="adc")
    assert contact.user is not None
    assert contact.user.email == "sponsor@demo.tema-wtc.dz"
    consents = Sponsorship.objects.filter(organisation__slug="adc").values_list(
        "shares_progress", flat=True
    )
    assert sorted(consents) == [False, False, True, True]


def test_the_open_call_has_its_fees_invoiced_and_the_accepted_offer_its_deposit(seeded):
    from enrollment.demo import open_intake_slug
    from enrollment.models import Intake

    intake = Intake.objects.get(slug=open_intake_slug())
    fees = InvoiceLine.objects.filter(kind=InvoiceLine.Kind.APPLICATION_FEE)
    submitted = intake.applications.exclude(submitted_at=None)
    assert fees.count() == submitted.exclude(status="withdrawn").count()  # withdrawn: not billed
    deposits = InvoiceLine.objects.filter(kind=InvoiceLine.Kind.DEPOSIT)
    assert deposits.count() == intake.cohort.students.count()
    assert deposits.exists()


def test_a_second_seed_changes_no_money(seeded):
    counts = (Invoice.objects.count(), Payment.objects.count(), MoneyEvent.objects.count())
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (Invoice.objects.count(), Payment.objects.count(), MoneyEvent.objects.count()) == counts
