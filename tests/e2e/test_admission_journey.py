"""A visitor signs up, applies with documents, is reviewed, interviewed and admitted by a
coordinator, accepts the offer and sees their student space (in English, the visitor's
browser language; a real worker sends the e-mails)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from enrollment.models import Application, Interview, Student
from tests.e2e.test_signup_journey import _confirmation_link
from tests.factories.accounts import PASSWORD
from tests.factories.enrollment import IntakeFactory
from tests.factories.partners import pdf_bytes
from tests.helpers import output_dir_for, totp_code, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def shot(page: Page, folder: Path, name: str) -> None:
    page.screenshot(path=folder / f"{name}.png", full_page=True)


def test_a_visitor_applies_is_admitted_accepts_and_becomes_a_student(
    browser: Browser,
    live_server,
    celery_worker_process,
    mail_dir: Path,
    make_user,
    tmp_path,
    settings,
):
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "core.storage.AtomicFileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }
    shots = output_dir_for("e2e/admission")
    intake = IntakeFactory.create(title_en="Call for applications 2026–2028")
    coordinator = make_user("coordinator", mfa=False, email="coordinatrice@example.dz")
    from tests.helpers import enable_totp

    secret = enable_totp(coordinator)
    cv = tmp_path / "cv.pdf"
    cv.write_bytes(pdf_bytes())
    address = "candidate.e2e@example.dz"
    before = set(mail_dir.iterdir())

    applicant_context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    page = applicant_context.new_page()
    page.set_default_timeout(15_000)

    # --- The visitor finds the call and signs up from it.
    page.goto(f"{live_server.url}/admissions/{intake.slug}/")
    shot(page, shots, "01-intake")
    page.get_by_role("link", name="Create an account to apply").click()
    page.get_by_label("Email").fill(address)
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    page.goto(_confirmation_link(mail_dir, address, before))
    page.get_by_role("button", name="Confirm").click()
    page.get_by_label("Email").fill(address)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My space")

    # --- The application, step by step.
    page.get_by_role("link", name="Call for applications 2026–2028").first.click()
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Identity")
    fields = {
        "Surname (Latin script)": "Kaci",
        "Given names (Latin script)": "Nesrine",
        "Surname (Arabic script)": "قاسي",
        "Given names (Arabic script)": "نسرين",
        "Place of birth (Latin script)": "Tizi Ouzou",
        "Place of birth (Arabic script)": "تيزي وزو",
        "National identification number (NIN)": "119920000000000042",
        "Phone": "+213 555 12 34 56",
        "Address": "5 boulevard Stiti, Tizi Ouzou",
        "Wilaya": "Tizi Ouzou",
    }
    for label, value in fields.items():
        page.get_by_label(f"{label}:", exact=True).fill(value)
    page.get_by_label("Date of birth:", exact=True).fill("1992-03-14")
    page.get_by_label("Sector of interest:", exact=True).select_option("digital")
    page.get_by_label(re.compile("I consent")).check()
    shot(page, shots, "02-identity")
    page.get_by_role("button", name="Save and continue").click()

    page.get_by_label("Degree:", exact=True).select_option("licence")
    page.get_by_label("Field:", exact=True).fill("Informatique de gestion")
    page.get_by_label("Institution:", exact=True).fill("Université Mouloud Mammeri")
    page.get_by_label("Year obtained:", exact=True).fill("2014")
    page.get_by_label("Average /20:", exact=True).fill("13.20")
    page.get_by_role("button", name="Add this degree").click()
    expect(page.get_by_text("Informatique de gestion")).to_be_visible()
    page.get_by_role("button", name="Continue").click()

    page.get_by_label("Motivation:", exact=True).fill(
        "Structurer l'écosystème numérique de ma wilaya."
    )
    page.get_by_label("I pay my fees myself").check()
    page.get_by_role("button", name="Save and continue").click()

    for kind in ("cv", "identity"):
        row = page.get_by_test_id(f"requirement-{kind}")
        row.locator("input[type=file]").set_input_files(str(cv))
        row.get_by_role("button", name="Upload").click()
        expect(page.get_by_test_id(f"requirement-{kind}")).to_contain_text("cv.pdf")
    shot(page, shots, "03-documents")
    page.get_by_role("link", name="Continue").click()
    shot(page, shots, "04-check")
    page.get_by_role("button", name="Submit my application").click()
    expect(page.get_by_test_id("status")).to_have_text("Submitted")
    application = Application.objects.get(applicant__email=address)
    shot(page, shots, "05-submitted")

    # --- The coordinator, with two-factor authentication, reviews and admits.
    staff_context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    staff = staff_context.new_page()
    staff.set_default_timeout(15_000)
    staff.goto(f"{live_server.url}/accounts/login/")
    staff.get_by_label("Email").fill(coordinator.email)
    staff.get_by_label("Password").fill(PASSWORD)
    staff.get_by_role("button", name="Sign In").click()
    staff.get_by_label("Code").fill(totp_code(secret))
    staff.get_by_role("button", name="Sign In").click()
    staff.goto(f"{live_server.url}/staff/admissions/")
    staff.get_by_role("link", name=application.number).click()
    shot(staff, shots, "06-staff-application")
    # Nothing is decided before its time: no decision, shortlist or interview is offered yet.
    expect(staff.locator("form[action$='/decide/']")).to_have_count(0)
    expect(staff.locator("form[action$='/interview/']")).to_have_count(0)
    expect(staff.get_by_label("Eligibility:", exact=True)).to_have_value("")
    staff.get_by_label("Eligibility:", exact=True).select_option("1")
    staff.locator("form[action$='/eligibility/'] button").click()
    # The intake asks for every mandatory document accepted before a decision.
    for document in application.documents.filter(requirement__required=True):
        row = staff.get_by_test_id(f"document-{document.pk}")
        row.locator("select[name=accept]").select_option("1")
        row.get_by_role("button", name="Save").click()
        expect(staff.get_by_test_id(f"document-{document.pk}")).to_contain_text("Accepted")
    staff.get_by_label("Reviewer:", exact=True).select_option(str(coordinator.pk))
    staff.locator("form[action$='/assign/'] button").click()
    staff.get_by_label("Academic record /20:", exact=True).fill("15")
    staff.get_by_label("Experience /20:", exact=True).fill("12")
    staff.get_by_label("Motivation and project /20:", exact=True).fill("16")
    staff.get_by_role("button", name="Save my review").click()
    when = timezone.localtime(timezone.now() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    staff.get_by_label("Date and time:", exact=True).fill(when)
    staff.get_by_label("Place:", exact=True).fill("WTC Alger, salle 3")
    staff.get_by_label("Panel:", exact=True).select_option(str(coordinator.pk))
    staff.get_by_role("button", name="Schedule and invite").click()
    # No mark before the interview, and no admission before its mark.
    expect(staff.get_by_test_id("mark-later")).to_be_visible()
    expect(staff.locator("select[name=decision] option[value=admit]")).to_have_count(0)
    # Two days later: the interview takes place.
    Interview.objects.filter(application=application).update(
        scheduled_at=timezone.now() - dt.timedelta(minutes=5)
    )
    staff.reload()
    staff.get_by_label("Interview mark /20:", exact=True).fill("15.5")
    staff.get_by_role("button", name="Save the mark").click()
    expect(staff.get_by_test_id("status")).to_have_text("Interviewed")
    expect(staff.get_by_label("Decision:", exact=True)).to_have_value("")
    staff.get_by_label("Decision:", exact=True).select_option("admit")
    staff.get_by_role("button", name="Decide").click()
    expect(staff.get_by_test_id("status")).to_have_text("Admitted — offer made")
    shot(staff, shots, "07-admitted")

    # --- The applicant accepts and finds the student space.
    page.reload()
    expect(page.get_by_test_id("status")).to_have_text("Admitted — offer made")
    page.get_by_role("link", name="Accept my seat").click()  # what it does, first
    expect(page.get_by_test_id("confirmation")).to_contain_text("This answer is final")
    page.get_by_role("button", name="Accept my seat").click()
    expect(page.get_by_text(re.compile(r"registration number is MCRT-\d{4}-\d{4}"))).to_be_visible()
    page.get_by_role("link", name="My space").first.click()
    expect(page.get_by_role("heading", name="My enrolment")).to_be_visible()
    expect(page.get_by_test_id("roles")).to_contain_text("Student")
    shot(page, shots, "08-student-space")
    student = wait_for(lambda: Student.objects.filter(user__email=address).first())
    assert student.registration_number.startswith(f"MCRT-{intake.cohort.year}-")
    staff_context.close()
    applicant_context.close()
