"""Fees from the application to the student's balance (#13): an applicant declares that a
cluster pays 70 % of the fees, is admitted and accepts; finance (with two-factor
authentication) confirms the sponsorship, issues the deposit and the cluster's grouped
invoice, imports the bank statement that pays it; the student sees what is left to pay."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from enrollment.models import Application, Student
from enrollment.services.applications import application_submit
from enrollment.services.decisions import Decision, decide
from enrollment.services.review import eligibility_set
from finance import selectors
from finance.models import Invoice, InvoiceLine, Sponsorship
from finance.services.schedules import PlannedInstalment, instalments_plan, schedule_set
from tests.factories.accounts import PASSWORD
from tests.factories.enrollment import NOT_GUARDED, IntakeFactory, ready_application
from tests.factories.partners import OrganisationFactory
from tests.helpers import enable_totp, output_dir_for, totp_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _context_page(browser: Browser) -> Page:
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def _log_in(page: Page, live_server, email: str, secret: str | None = None) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    if secret is not None:
        page.get_by_label("Code").fill(totp_code(secret))
        page.get_by_role("button", name="Sign In").click()


def test_a_sponsored_applicant_becomes_a_student_whose_sponsor_pays_by_transfer(
    browser: Browser, live_server, make_user, tmp_path, settings
):
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "core.storage.AtomicFileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }
    shots = output_dir_for("e2e/fees")
    intake = IntakeFactory.create(title_en="Call 2026–2028", **NOT_GUARDED)
    cohort = intake.cohort
    cluster = OrganisationFactory.create(
        name_fr="Algerian Digital Cluster", name_en="Algerian Digital Cluster", acronym="ADC"
    )
    cashier = make_user("finance", mfa=False, email="finance@example.dz")
    secret = enable_totp(cashier)
    coordinator = make_user("coordinator", email="coordination@example.dz")
    schedule = schedule_set(
        actor=cashier,
        cohort=cohort,
        tuition_per_year=Decimal("300000"),
        deposit=Decimal("50000"),
        deposit_days=15,
    )
    first = instalments_plan(
        actor=cashier,
        schedule=schedule,
        year=1,
        instalments=[
            PlannedInstalment(
                label_fr="Frais de formation — année 1",
                label_en="Tuition — year 1",
                amount=Decimal("300000"),
                due_date=timezone.localdate() + dt.timedelta(days=30),
            )
        ],
    )[0]
    applicant = make_user(email="candidate.fees@example.dz")
    application = ready_application(applicant, intake)
    Application.objects.filter(pk=application.pk).update(financing="")

    # --- The applicant says who pays: the cluster 70 %, consenting to its seeing progress.
    page = _context_page(browser)
    _log_in(page, live_server, applicant.email)
    page.goto(f"{live_server.url}/me/applications/{application.number}/step/motivation/")
    page.get_by_label("An organisation pays part of them, I pay the rest").check()
    page.get_by_label("Organisation that pays:", exact=True).select_option(label=str(cluster))
    page.get_by_label("Part paid by the organisation (%):", exact=True).fill("70")
    page.get_by_label(re.compile("may see my attendance")).check()
    page.screenshot(path=shots / "01-financing.png", full_page=True)
    page.get_by_role("button", name="Save and continue").click()
    application.refresh_from_db()
    assert application.financing == Application.Financing.SPLIT
    assert application.sponsor_organisation == cluster
    assert application.sponsor_share == Decimal(70)
    assert application.sponsor_consent is True

    # The coordination admits (the services; the admission pages have their own journey).
    application_submit(application=application, actor=applicant)
    eligibility_set(application=application, actor=coordinator, eligible=True)
    decide(applications=[application], actor=coordinator, decision=Decision.ADMIT)

    # --- The applicant accepts the offer.
    page.goto(f"{live_server.url}/me/applications/{application.number}/")
    page.get_by_role("link", name="Accept my seat").click()
    page.get_by_role("button", name="Accept my seat").click()
    expect(page.get_by_text(re.compile(r"registration number is MCRT-\d{4}-\d{4}"))).to_be_visible()
    student = Student.objects.get(user=applicant)

    # --- Finance confirms the declared sponsorship, as declared.
    staff = _context_page(browser)
    _log_in(staff, live_server, cashier.email, secret)
    staff.goto(f"{live_server.url}/staff/finance/cohorts/{cohort.slug}/sponsorships/")
    row = staff.get_by_test_id("sponsorships").locator("tr", has_text=student.registration_number)
    expect(row).to_contain_text("70")
    row.get_by_role("button", name="Confirm").click()
    expect(staff.get_by_test_id("confirmed")).to_contain_text("70")
    sponsorship = Sponsorship.objects.get(student=student)
    assert sponsorship.confirmed_at is not None
    assert sponsorship.shares_progress is True
    staff.screenshot(path=shots / "02-sponsorship.png", full_page=True)

    # --- The deposit, the student's alone.
    staff.goto(f"{live_server.url}/staff/finance/cohorts/{cohort.slug}/deposits/")
    staff.get_by_role("button", name="Issue for the 1 student listed").click()
    expect(staff.get_by_test_id("confirmation")).to_be_visible()
    staff.get_by_role("button", name="Issue the deposit invoices").click()
    expect(staff.get_by_test_id("deposit-lines")).to_contain_text(student.registration_number)
    deposit = InvoiceLine.objects.get(kind=InvoiceLine.Kind.DEPOSIT, student=student)
    assert deposit.amount == Decimal("50000.00")
    assert deposit.invoice.payer_student == student

    # --- The tuition: 70 % on the cluster's invoice, 30 % on the student's.
    staff.goto(f"{live_server.url}/staff/finance/cohorts/{cohort.slug}/invoice/")
    staff.get_by_label(first.label_en).check()
    staff.get_by_role("button", name="Show what would be issued").click()
    expect(staff.get_by_test_id("confirmation")).to_be_visible()
    staff.screenshot(path=shots / "03-preview.png", full_page=True)
    staff.get_by_role("button", name="Issue 2 invoices").click()
    expect(staff.get_by_text("2 invoices issued.")).to_be_visible()
    grouped = Invoice.objects.get(payer_organisation=cluster)
    assert grouped.lines.get().amount == Decimal("210000.00")

    # --- The bank statement pays the cluster's invoice; nothing is recorded before confirming.
    statement = tmp_path / "releve.csv"
    statement.write_text(
        "date;montant;référence;payeur\n"
        f"{timezone.localdate():%d/%m/%Y};210 000,00;VIR {grouped.number};ADC\n",
        encoding="utf-8",
    )
    staff.goto(f"{live_server.url}/staff/finance/statements/")
    staff.get_by_label(re.compile("Statement")).set_input_files(str(statement))
    staff.get_by_role("button", name="Read the statement").click()
    proposal = staff.get_by_test_id("proposal")
    expect(proposal).to_contain_text(grouped.number)
    expect(proposal).to_contain_text("Matched")
    assert selectors.invoice_left(grouped) == Decimal("210000.00")
    staff.screenshot(path=shots / "04-statement.png", full_page=True)
    staff.get_by_role("button", name="Record 1 payment…").click()
    staff.get_by_role("button", name="Record the payments").click()
    expect(staff.get_by_test_id("recorded")).to_contain_text(grouped.number)
    assert selectors.invoice_left(grouped) == Decimal("0.00")

    # --- The student sees their own balance: the deposit and their 30 %, the cluster's paid.
    page.goto(f"{live_server.url}/me/fees/")
    expect(page.get_by_text(re.compile(r"Paid by .*ADC.*210[\s,. ]?000"))).to_be_visible()
    (own,) = selectors.student_balances(cohort=cohort)
    assert own.totals.balance == Decimal("140000.00")  # the 50,000 deposit + 30 % of 300,000
    expect(page.get_by_test_id("left")).to_have_text("140,000.00")
    page.screenshot(path=shots / "05-my-fees.png", full_page=True)
