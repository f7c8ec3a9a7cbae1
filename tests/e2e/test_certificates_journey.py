"""A coordinator issues a cohort's attestations and watches the progress (a real worker
renders them), a student downloads theirs, a visitor verifies it by its code."""

from __future__ import annotations

import re

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from playwright.sync_api import Browser, expect

from certificates.demo import seed_issuer
from certificates.models import Certificate
from curriculum.demo import seed_curriculum
from enrollment.demo import seed_students
from partners.demo import seed_partners
from tests.factories.accounts import PASSWORD
from tests.helpers import enable_totp, output_dir_for, totp_code

pytestmark = [pytest.mark.e2e, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_cohort_gets_its_attestations_and_anyone_verifies_one(
    browser: Browser, live_server, celery_worker_process, make_user
):
    shots = output_dir_for("e2e/certificates")
    programme = seed_curriculum(organisations=seed_partners())
    cohort, _ = seed_students(count=4, cohort_slug="promo-e2e-certifs", programme=programme)
    seed_issuer()
    coordinator = make_user("coordinator")
    Authenticator.objects.filter(user=coordinator).delete()
    secret = enable_totp(coordinator)

    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Courriel").fill(coordinator.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    page.get_by_label("Code").fill(totp_code(secret))
    page.get_by_role("button", name=re.compile("Connexion|Se connecter")).click()
    page.goto(f"{live_server.url}/staff/cohorts/{cohort.slug}/certificates/")
    expect(page.get_by_test_id("eligible-count")).to_have_text("4 éligibles sur 4.")
    page.get_by_role("button", name="Lancer le lot").click()
    expect(page.get_by_test_id("batch-status")).to_have_text(
        "Terminé", timeout=60_000
    )  # the page refreshes itself
    expect(page.get_by_test_id("progress")).to_contain_text(
        "4 prêts, 0 en échec, 0 restants, sur 4."
    )
    page.screenshot(path=shots / "01-batch.png", full_page=True)
    context.close()

    student = cohort.students.order_by("registration_number")[0]
    certificate = Certificate.objects.get(holder=student)
    client = Client()
    client.force_login(student.user)
    context = browser.new_context(locale="fr-FR")
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/me/certificates/")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger").first.click()
    download = download_info.value
    assert download.suggested_filename.endswith(f"{certificate.code}.pdf")
    path = shots / "attestation.pdf"
    download.save_as(path)
    context.close()

    visitor = browser.new_context(locale="ar").new_page()
    visitor.goto(f"{live_server.url}/verify/")
    visitor.get_by_label(re.compile("الرمز")).fill(certificate.code.lower())
    visitor.get_by_role("button", name="تحقق").click()
    expect(visitor.locator("html")).to_have_attribute("dir", "rtl")
    expect(visitor.get_by_test_id("verdict")).to_contain_text("وثيقة صالحة")
    visitor.locator("input[type=file]").set_input_files(str(path))
    visitor.get_by_role("button", name="مقارنة").click()
    expect(visitor.get_by_test_id("match")).to_contain_text("نعم")
    visitor.screenshot(path=shots / "02-verified-arabic.png", full_page=True)
