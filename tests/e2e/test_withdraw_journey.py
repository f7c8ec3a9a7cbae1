"""An applicant withdraws a draft with JavaScript off: the link leads to a confirmation page
that says what will happen, its button withdraws, the message says when, and applying again
starts the same draft again (#12)."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Browser, expect

from enrollment.models import Application
from enrollment.services.applications import application_start
from tests.factories.accounts import PASSWORD
from tests.factories.enrollment import IntakeFactory
from tests.helpers import output_dir_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_draft_is_withdrawn_through_its_confirmation_and_started_again_without_javascript(
    browser: Browser, live_server, make_user
):
    intake = IntakeFactory.create(title_en="Call for applications 2026–2028")
    user = make_user(email="brouillon.e2e@example.dz")
    draft = application_start(applicant=user, intake=intake)
    shots = output_dir_for("e2e/withdraw")
    with translation.override("en"):
        link, button = gettext("Withdraw my draft…"), gettext("Withdraw my draft")
        reason = gettext("Why do you withdraw? (optional)")
        again = gettext("Start my application again")
        withdrawn = gettext("Withdrawn")
    context = browser.new_context(
        locale="en-US", java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.goto(f"{live_server.url}/me/applications/{draft.number}/")

    page.get_by_role("link", name=link).click()
    expect(page.get_by_test_id("confirmation")).to_contain_text(intake.title_en)
    page.screenshot(path=shots / "01-confirmation.png", full_page=True)
    assert Application.objects.get(pk=draft.pk).status == Application.Status.DRAFT

    page.get_by_label(reason).fill("Je postulerai plus tard")
    page.get_by_role("button", name=button).click()
    expect(page.get_by_test_id("status")).to_have_text(withdrawn)
    expect(page.locator(".messages")).to_contain_text(f"Draft {draft.number} withdrawn on")
    page.screenshot(path=shots / "02-withdrawn.png", full_page=True)
    withdrawn_draft = Application.objects.get(pk=draft.pk)
    assert withdrawn_draft.status == Application.Status.WITHDRAWN
    last = withdrawn_draft.events.last()
    assert last is not None
    assert last.note == "Je postulerai plus tard"

    page.get_by_role("button", name=again).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Identity")
    assert Application.objects.get(pk=draft.pk).status == Application.Status.DRAFT
    assert Application.objects.filter(applicant=user).count() == 1
    context.close()
