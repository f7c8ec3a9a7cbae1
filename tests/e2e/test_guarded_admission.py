"""A coordinator cannot take admissions out of order (#12): a bulk admission passes over the
files that are not ready and says why, and an application's page offers only the next steps
its state and its intake allow, with nothing consequential preselected."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from enrollment.models import Application, Offer
from enrollment.services.applications import application_submit
from tests.factories.accounts import PASSWORD
from tests.factories.enrollment import IntakeFactory, make_decidable, ready_application
from tests.helpers import enable_totp, output_dir_for, totp_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _submitted(make_user, intake) -> Application:
    user = make_user()
    application = ready_application(user, intake)
    application_submit(application=application, actor=user)
    application.refresh_from_db()
    return application


def _sign_in(browser: Browser, live_server, coordinator, secret: str) -> Page:
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(coordinator.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_label("Code").fill(totp_code(secret))
    page.get_by_role("button", name="Sign In").click()
    return page


def test_out_of_order_admission_steps_are_not_offered(
    browser: Browser, live_server, make_user, tmp_path, settings
):
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "core.storage.AtomicFileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }
    shots = output_dir_for("e2e/guarded-admission")
    intake = IntakeFactory.create(title_en="Call 2026–2028")
    coordinator = make_user("coordinator", mfa=False, email="coordination@example.dz")
    secret = enable_totp(coordinator)
    early = _submitted(make_user, intake)
    ready = make_decidable(_submitted(make_user, intake), coordinator=coordinator)
    page = _sign_in(browser, live_server, coordinator, secret)

    # --- In bulk: "Admit" is not the default, and only the ready file gets an offer.
    page.goto(f"{live_server.url}/staff/admissions/")
    action = page.get_by_label("With the selected applications:", exact=True)
    expect(action).to_have_value("")
    page.get_by_label(early.number, exact=True).check()
    page.get_by_label(ready.number, exact=True).check()
    action.select_option("admit")
    page.get_by_role("button", name="Apply to the selection").click()
    expect(page.get_by_text("1 application(s) updated.")).to_be_visible()
    skipped = page.get_by_text("Left as they were:")
    expect(skipped).to_contain_text(early.number)
    expect(skipped).to_contain_text("cannot be admitted in its current state")
    page.screenshot(path=shots / "01-bulk-skipped.png", full_page=True)
    assert Offer.objects.get().application_id == ready.pk
    early.refresh_from_db()
    assert early.status == Application.Status.SUBMITTED

    # --- A submitted file offers its eligibility, nothing further.
    page.goto(f"{live_server.url}/staff/admissions/{early.number}/")
    expect(page.get_by_test_id("status")).to_have_text("Submitted")
    for later_step in ("shortlist", "interview", "mark", "decide"):
        expect(page.locator(f"form[action$='/{later_step}/']")).to_have_count(0)
    eligibility = page.get_by_label("Eligibility:", exact=True)
    expect(eligibility).to_have_value("")
    eligibility.select_option("1")
    page.locator("form[action$='/eligibility/'] button").click()
    expect(page.get_by_test_id("status")).to_have_text("Eligible")

    # --- Eligible: the interview may be scheduled (never in the past); admission waits.
    waits = page.get_by_test_id("decision-waits")
    expect(waits).to_contain_text("The interview has not been marked.")
    expect(waits).to_contain_text("0 complete reviews of the 1 required.")
    expect(page.locator("form[action$='/decide/']")).to_have_count(0)
    yesterday = timezone.localtime(timezone.now() - dt.timedelta(days=1))
    page.get_by_label("Date and time:", exact=True).fill(yesterday.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Place:", exact=True).fill("WTC Alger, salle 3")
    page.get_by_label("Panel:", exact=True).select_option(str(coordinator.pk))
    page.get_by_role("button", name="Schedule and invite").click()
    expect(page.locator("#id_scheduled_at_error")).to_have_text(
        "An interview cannot be scheduled in the past."
    )
    page.screenshot(path=shots / "02-not-in-the-past.png", full_page=True)
    assert not hasattr(Application.objects.get(pk=early.pk), "interview")
    page.context.close()
