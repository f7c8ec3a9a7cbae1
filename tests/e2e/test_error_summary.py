"""The error summary of an application step in a real browser, under the site's
Content-Security-Policy: after a refused save, focus is on the summary (static/js/
error-summary.js), and a link of the summary puts it in the field it names."""

from __future__ import annotations

import pytest
from django.test import Client
from playwright.sync_api import Browser, expect

from enrollment.services.applications import application_start
from tests.factories.enrollment import IntakeFactory
from tests.helpers import output_dir_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_refused_profile_moves_focus_to_the_summary_then_to_the_field(
    browser: Browser, live_server, make_user
):
    user = make_user()
    application = application_start(applicant=user, intake=IntakeFactory.create())
    client = Client()
    client.force_login(user)
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.goto(f"{live_server.url}/me/applications/{application.number}/step/profile/")
    page.get_by_label("Surname (Latin script):", exact=True).fill("بن علي")
    page.get_by_label("Date of birth:", exact=True).fill("2020-01-01")
    page.get_by_role("button", name="Save and continue").click()

    summary = page.get_by_test_id("error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_count(2)
    page.screenshot(path=output_dir_for("e2e/validation") / "profile-errors.png", full_page=True)

    summary.get_by_role("link", name="Date of birth", exact=False).click()
    expect(page.get_by_label("Date of birth:", exact=True)).to_be_focused()
    assert not [e for e in errors if "Content Security Policy" in e]
    context.close()
