"""Passwords are hashed with Argon2id; older PBKDF2 hashes are upgraded at the next log-in."""

from __future__ import annotations

import importlib

import pytest
from django.contrib.auth.hashers import identify_hasher, make_password
from django.test import Client

from tests.factories.accounts import PASSWORD
from tests.helpers import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def project_hashers(settings):
    """The hashers of config/settings.py (the suite uses MD5 for speed)."""
    settings.PASSWORD_HASHERS = importlib.import_module("config.settings").PASSWORD_HASHERS
    return settings.PASSWORD_HASHERS


def test_argon2id_comes_first_and_pbkdf2_is_still_read(project_hashers):
    assert project_hashers[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in project_hashers
    encoded = make_password(PASSWORD)
    assert encoded.startswith("argon2$argon2id$")


def test_a_pbkdf2_user_logging_in_gets_an_argon2id_hash(project_hashers, make_user):
    user = make_user()
    user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])
    assert identify_hasher(user.password).algorithm == "pbkdf2_sha256"

    client = Client()
    response = login(client, user.email)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password(PASSWORD)
    # The new hash works for the next log-in.
    assert login(Client(), user.email).status_code == 302
