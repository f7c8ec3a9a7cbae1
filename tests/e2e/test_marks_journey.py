"""A lecturer types a grid with the keyboard and submits it; the coordinator closes and
publishes the jury; the student reads the transcript in Arabic, right-to-left."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from allauth.mfa.models import Authenticator
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Browser, expect

from studies.models import Mark, MarkSheet, Session
from studies.services.marks import MarkRow, grid_save, grid_submit
from tests.factories.accounts import PASSWORD
from tests.helpers import enable_totp, output_dir_for, totp_code
from tests.studies.studies_helpers import EXAMPLE_C, make_setting

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def staff_page(browser: Browser, live_server, user, secret: str, locale: str = "fr-FR"):
    context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Courriel").fill(user.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    page.get_by_label("Code").fill(totp_code(secret))
    page.get_by_role("button", name=re.compile("Connexion|Se connecter")).click()
    return context, page


def test_a_grid_typed_submitted_deliberated_published_and_read_in_arabic(
    browser: Browser, live_server, make_user
):
    shots = output_dir_for("e2e/marks")
    setting = make_setting(make_user)
    lecturer, coordinator = setting["lecturer"], setting["coordinator"]
    # Fresh authenticators whose secrets the test knows.
    Authenticator.objects.filter(user__in=[lecturer, coordinator]).delete()
    lecturer_secret, coordinator_secret = enable_totp(lecturer), enable_totp(coordinator)
    students = setting["students"]
    # Every module but F1.1.1 is marked by the coordination beforehand.
    for code in EXAMPLE_C:
        if code == "F1.1.1":
            continue
        sheet = MarkSheet.objects.get(offering__module__code=code, session=Session.NORMAL)
        grid_save(
            sheet=sheet,
            actor=coordinator,
            rows=[
                MarkRow(s.pk, Decimal(EXAMPLE_C[code]), Decimal(EXAMPLE_C[code])) for s in students
            ],
        )
        grid_submit(sheet=sheet, actor=coordinator)

    # --- The lecturer types F1.1.1 with the keyboard only.
    context, page = staff_page(browser, live_server, lecturer, lecturer_secret)
    page.goto(f"{live_server.url}/staff/grades/")
    page.get_by_role("link", name="F1.1.1").click()
    first = students[0]
    page.locator(f"#cc-{first.pk}").click()
    for index, _student in enumerate(students):
        page.keyboard.type("11")
        page.keyboard.press("Tab")
        page.keyboard.type("11" if index else "douze")
        if index < len(students) - 1:
            for _ in range(3):  # exam → absence → excluded → next row's continuous assessment
                page.keyboard.press("Tab")
    page.get_by_role("button", name="Enregistrer et transmettre").click()
    expect(page.get_by_role("alert")).to_contain_text("Rien n'a été enregistré")
    expect(page.locator(f"#exam-{first.pk}")).to_have_value("douze")
    page.locator(f"#exam-{first.pk}").fill("11")
    page.screenshot(path=shots / "01-grid.png", full_page=True)
    page.get_by_role("button", name="Enregistrer et transmettre").click()
    # The marks are saved; submitting them waits for its confirmation page.
    expect(page.get_by_test_id("confirmation")).to_be_visible()
    with translation.override("fr"):
        submit_grid = gettext("Submit the grid")
    page.get_by_role("button", name=submit_grid).click()
    expect(page.get_by_test_id("sheet-status")).to_have_text("Soumise")
    assert (
        Mark.objects.filter(sheet__offering__module__code="F1.1.1", mark=Decimal("11.00")).count()
        == 3
    )
    context.close()

    # --- The coordinator closes and publishes the jury.
    context, page = staff_page(browser, live_server, coordinator, coordinator_secret)
    page.goto(f"{live_server.url}/staff/cohorts/{setting['cohort'].slug}/juries/1/N/")
    expect(page.get_by_test_id("jury-table")).to_contain_text("Admis par compensation")
    for step, status in (("Clôturer le jury", "Clôturé"), ("Publier aux étudiants", "Publié")):
        page.get_by_role("link", name=step).click()  # its confirmation page, first
        expect(page.get_by_test_id("confirmation")).to_be_visible()
        page.get_by_role("button", name=step).click()
        expect(page.get_by_test_id("jury-status")).to_have_text(status)
    page.screenshot(path=shots / "02-jury.png", full_page=True)
    context.close()

    # --- The student reads the transcript in Arabic.
    student_context = browser.new_context(locale="ar", viewport={"width": 1280, "height": 900})
    page = student_context.new_page()
    page.set_default_timeout(15_000)
    from django.test import Client

    client = Client()
    client.force_login(first.user)
    session_cookie = client.cookies["sessionid"]
    student_context.add_cookies(
        [{"name": "sessionid", "value": session_cookie.value, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/me/programme/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_role("heading", level=1)).to_have_text("برنامجي")
    expect(page.get_by_test_id("credits")).to_contain_text("30")
    expect(page.get_by_text("ناجح بالتعويض")).to_be_visible()
    page.screenshot(path=shots / "03-transcript-arabic.png", full_page=True)
    student_context.close()
