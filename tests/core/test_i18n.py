"""French by default, English and Arabic on request; Arabic is right-to-left; every string
of the project is translated in the French and Arabic catalogues."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.test import Client
from django.urls import reverse

from tests.helpers import ROOT

pytestmark = pytest.mark.django_db


def test_pages_are_in_french_by_default(client):
    html = client.get(reverse("home")).content.decode()
    assert '<html lang="fr" dir="ltr">' in html
    assert "Master en management de cluster et réseaux territoriaux" in html


def test_accept_language_arabic_gives_a_right_to_left_page(client):
    html = client.get(reverse("home"), headers={"accept-language": "ar"}).content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert "ماستر" in html


def test_accept_language_english_gives_english(client):
    html = client.get(reverse("home"), headers={"accept-language": "en"}).content.decode()
    assert '<html lang="en" dir="ltr">' in html
    assert "Master in cluster and territorial network management" in html


def test_the_switcher_changes_the_language_and_remembers_it_on_the_account(make_user):
    user = make_user()
    client = Client()
    client.force_login(user)
    response = client.post(reverse("set_language"), {"language": "ar", "next": "/me/"})
    assert response.status_code == 302
    assert response["Location"] == "/me/"
    html = client.get("/me/").content.decode()
    assert 'dir="rtl"' in html
    user.refresh_from_db()
    assert user.preferred_language == "ar"


def test_the_switcher_ignores_an_unknown_language_and_a_foreign_next_url(client):
    response = client.post(
        reverse("set_language"), {"language": "xx", "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]
    assert '<html lang="fr"' in client.get(reverse("home")).content.decode()


@pytest.fixture(scope="module")
def extracted_catalogues(tmp_path_factory) -> Path:
    """Run makemessages on a symlinked copy of the project, so the real catalogues stay
    untouched, and return the folder holding the merged .po files."""
    if shutil.which("xgettext") is None:
        pytest.fail("gettext is not installed (make test installs it).")
    work = tmp_path_factory.mktemp("messages")
    for name in os.listdir(ROOT):
        if name in {"locale", ".venv", "var", ".git"} or name.startswith("."):
            continue
        (work / name).symlink_to(ROOT / name)
    shutil.copytree(ROOT / "locale", work / "locale")
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "fr",
            "-l",
            "ar",
            "--symlinks",
            "--no-location",
            "--ignore=tests/*",
            "--ignore=benchmarks/*",
            "--ignore=*.egg-info/*",
        ],
        cwd=work,
        check=True,
        capture_output=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
    )
    return work / "locale"


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_every_string_of_the_project_is_translated(extracted_catalogues, language):
    po = polib.pofile(str(extracted_catalogues / language / "LC_MESSAGES" / "django.po"))
    untranslated = [e.msgid for e in po if not e.obsolete and not e.translated()]
    assert untranslated == [], f"{len(untranslated)} untranslated in {language}: {untranslated}"
