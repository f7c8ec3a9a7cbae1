"""A visitor signs up, confirms through the link in the e-mail (sent by the real worker), logs
in, switches to Arabic and sees the page right-to-left. A screenshot of each step is kept."""

from __future__ import annotations

import re
from email import message_from_bytes
from email.message import Message
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.helpers import output_dir_for, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

PASSWORD = "Un-mot-de-passe-solide-2026"


def _text_of(message: Message) -> str:
    texts = []
    for part in message.walk():
        payload = part.get_payload(decode=True)
        if part.get_content_type() == "text/plain" and isinstance(payload, bytes):
            texts.append(payload.decode(part.get_content_charset() or "utf-8"))
    return "".join(texts)


def _confirmation_link(mail_dir: Path, address: str, before: set[Path]) -> str:
    def find() -> str | None:
        for path in set(mail_dir.iterdir()) - before:
            for chunk in path.read_bytes().split(b"-" * 79):
                if address.encode() not in chunk:
                    continue
                message = message_from_bytes(chunk.strip())
                body = _text_of(message)
                match = re.search(r"https?://\S+/accounts/confirm-email/\S+/", body)
                if match:
                    return match.group(0)
        return None

    return wait_for(find, timeout=30)


def test_a_visitor_signs_up_confirms_logs_in_and_reads_the_site_in_arabic(
    page: Page, live_server, celery_worker_process, mail_dir: Path
):
    shots = output_dir_for("e2e/signup")
    address = "visiteuse.e2e@example.dz"
    before = set(mail_dir.iterdir())

    page.goto(live_server.url)
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.screenshot(path=shots / "01-home.png", full_page=True)

    page.get_by_role("link", name="Créer un compte", exact=True).first.click()
    page.get_by_label("Courriel").fill(address)
    page.get_by_label("Mot de passe :", exact=True).fill(PASSWORD)
    page.get_by_label("Mot de passe (confirmation)").fill(PASSWORD)
    page.screenshot(path=shots / "02-signup.png", full_page=True)
    page.get_by_role("button", name="Création de compte").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Vérifiez votre")
    page.screenshot(path=shots / "03-verification-sent.png", full_page=True)

    link = _confirmation_link(mail_dir, address, before)
    page.goto(link)
    page.screenshot(path=shots / "04-confirm.png", full_page=True)
    page.get_by_role("button", name="Confirmer").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))

    page.get_by_label("Courriel").fill(address)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.screenshot(path=shots / "05-login.png", full_page=True)
    page.get_by_role("button", name="Connexion").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon espace")
    expect(page.get_by_test_id("roles")).to_contain_text("Candidat")
    page.screenshot(path=shots / "06-my-space.png", full_page=True)

    page.get_by_test_id("lang-ar").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.get_by_role("heading", level=1)).to_have_text("فضائي")
    page.screenshot(path=shots / "07-my-space-arabic.png", full_page=True)

    # Right-to-left for real: the main navigation starts on the right-hand side.
    brand = page.locator(".brand").bounding_box()
    switcher = page.locator(".lang-switch").bounding_box()
    assert brand
    assert switcher
    assert brand["x"] > switcher["x"]
