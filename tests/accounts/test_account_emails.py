"""allauth's e-mails (#12): the site's name in the reader's language, a greeting and the
direct link — where they used to say "Bonjour, c'est  ! … sur ."."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.factories.accounts import PASSWORD

pytestmark = pytest.mark.django_db

SITE_NAMES = {"fr": "Master TEMA–WTC", "en": "TEMA–WTC Master", "ar": "ماستر TEMA–WTC"}


def _client(language: str) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _words(language: str, msgid: str, **params: str) -> str:
    with translation.override(language):
        return translation.gettext(msgid) % params if params else translation.gettext(msgid)


@pytest.mark.parametrize("language", ["fr", "en", "ar"])
def test_the_signup_confirmation_names_the_site_and_carries_the_link(
    language, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _client(language).post(
            reverse("account_signup"),
            {"email": "nouvelle@example.dz", "password1": PASSWORD, "password2": PASSWORD},
        )
    [message] = mail.outbox
    body = str(message.body)
    assert body.splitlines()[0] == _words(language, "Hello,")
    assert SITE_NAMES[language] in body
    assert re.search(r"http://testserver/accounts/confirm-email/[^\s/]+/", body), body
    assert settings.SITE_URL in body
    # No empty site name left where allauth's default templates put it.
    assert " !" not in body.split("\n", 1)[0]
    assert "  " not in body


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_password_reset_greets_the_person_and_carries_the_link(
    language, make_user, django_capture_on_commit_callbacks
):
    user = make_user(first_name="Amina", last_name="Benali")
    with django_capture_on_commit_callbacks(execute=True):
        _client(language).post(reverse("account_reset_password"), {"email": user.email})
    [message] = mail.outbox
    body = str(message.body)
    assert body.splitlines()[0] == _words(language, "Hello %(name)s,", name="Amina Benali")
    assert SITE_NAMES[language] in body
    assert re.search(r"http://testserver/accounts/password/reset/key/[^\s]+", body), body


def test_the_mails_about_an_existing_or_unknown_account_name_the_site_and_link(
    make_user, django_capture_on_commit_callbacks
):
    existing = make_user(email="deja@example.dz")
    with django_capture_on_commit_callbacks(execute=True):
        _client("fr").post(
            reverse("account_signup"),
            {"email": existing.email, "password1": PASSWORD, "password2": PASSWORD},
        )
        _client("fr").post(reverse("account_reset_password"), {"email": "personne@example.dz"})
    already, unknown = mail.outbox
    assert SITE_NAMES["fr"] in str(already.body)
    assert "http://testserver/accounts/password/reset/" in str(already.body)
    assert SITE_NAMES["fr"] in str(unknown.body)
    assert "http://testserver/accounts/signup/" in str(unknown.body)
