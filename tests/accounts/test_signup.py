"""Sign-up, verification, log-in, rate limits and enumeration."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import OutgoingEmail, User
from tests.factories.accounts import PASSWORD
from tests.helpers import login

pytestmark = pytest.mark.django_db

CONFIRM_LINK = re.compile(r"https?://[^\s]+/accounts/confirm-email/[^\s/]+/")


def signup(client: Client, email: str):
    return client.post(
        reverse("account_signup"),
        {"email": email, "password1": PASSWORD, "password2": PASSWORD},
    )


def test_signup_sends_a_verification_email_that_confirms_and_allows_log_in(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = signup(client, "Nouvelle.Candidate@example.dz")
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email__iexact="nouvelle.candidate@example.dz")
    assert user.preferred_language == "fr"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nouvelle.candidate@example.dz"]
    assert OutgoingEmail.objects.get().status == OutgoingEmail.Status.SENT

    link = CONFIRM_LINK.search(str(message.body))
    assert link, message.body
    path = link.group(0).split("testserver", 1)[1]
    assert client.get(path).status_code == 200  # a confirmation page, not a GET side effect
    assert not EmailAddress.objects.get(user=user).verified
    response = client.post(path)
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified

    client.logout()
    response = login(client, "nouvelle.candidate@example.dz")
    assert response.status_code == 302
    assert response["Location"] == reverse("me")
    assert client.get(reverse("me")).status_code == 200


def test_an_unverified_account_cannot_log_in(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        signup(client, "pas.verifie@example.dz")
    client.logout()
    response = login(Client(), "pas.verifie@example.dz")
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    anonymous = Client()
    login(anonymous, "pas.verifie@example.dz")
    assert "_auth_user_id" not in anonymous.session
    assert anonymous.get(reverse("me")).status_code == 302


def test_a_sixth_wrong_password_in_a_row_is_refused_by_the_rate_limit(client, make_user):
    user = make_user()
    for _ in range(5):
        response = login(client, user.email, "wrong-password")
        assert response.status_code == 200
        assert "incorrect" in response.content.decode().lower()
    response = login(client, user.email, "wrong-password")
    assert response.status_code == 200
    assert "trop de tentatives" in response.content.decode().lower()
    # Even the right password is refused while the limit holds.
    response = login(client, user.email)
    assert "_auth_user_id" not in client.session


def test_signing_up_with_an_existing_address_looks_like_a_fresh_sign_up(
    make_user, django_capture_on_commit_callbacks
):
    existing = make_user(email="deja.inscrit@example.dz")
    with django_capture_on_commit_callbacks(execute=True):
        fresh = signup(Client(), "tout.nouveau@example.dz")
        taken = signup(Client(), "deja.inscrit@example.dz")
    assert fresh.status_code == taken.status_code == 302
    assert fresh["Location"] == taken["Location"]
    fresh_page = Client().get(fresh["Location"]).content.decode()
    taken_page = Client().get(taken["Location"]).content.decode()
    csrf = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert csrf.sub("", fresh_page).replace("tout.nouveau", "X") == csrf.sub(
        "", taken_page
    ).replace("deja.inscrit", "X")
    # No second account; the owner is told someone tried, the visitor learns nothing.
    assert User.objects.filter(email__iexact="deja.inscrit@example.dz").count() == 1
    assert sorted(m.to[0] for m in mail.outbox) == [existing.email, "tout.nouveau@example.dz"]


def test_password_reset_does_not_reveal_whether_an_address_has_an_account(
    make_user, django_capture_on_commit_callbacks
):
    user = make_user()
    with django_capture_on_commit_callbacks(execute=True):
        known = Client().post(reverse("account_reset_password"), {"email": user.email})
        unknown = Client().post(reverse("account_reset_password"), {"email": "nobody@example.dz"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert [m.to[0] for m in mail.outbox].count(user.email) == 1
    reset_mail = next(m for m in mail.outbox if m.to == [user.email])
    link = re.search(r"/accounts/password/reset/key/[^\s]+", str(reset_mail.body))
    assert link
    client = Client()
    response = client.get(link.group(0), follow=True)
    new_password = "an-Other-passw0rd-2026"
    response = client.post(
        response.redirect_chain[-1][0], {"password1": new_password, "password2": new_password}
    )
    assert response.status_code == 302
    assert login(Client(), user.email, new_password).status_code == 302


def test_a_person_can_change_their_email_address_after_verifying_the_new_one(
    make_user, django_capture_on_commit_callbacks
):
    user = make_user()
    old_address = user.email
    client = Client()
    login(client, user.email)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_email"), {"action_add": "", "email": "nouvelle.adresse@example.dz"}
        )
    assert response.status_code == 302
    message = mail.outbox[-1]
    assert message.to == ["nouvelle.adresse@example.dz"]
    match = CONFIRM_LINK.search(str(message.body))
    assert match
    path = match.group(0).split("testserver", 1)[1]
    client.post(path)
    user.refresh_from_db()
    assert user.email == "nouvelle.adresse@example.dz"
    assert not EmailAddress.objects.filter(email=old_address).exists()


def test_the_signup_form_shows_translated_errors_tied_to_their_field(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "not-an-address", "password1": "short", "password2": "other"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'aria-invalid="true"' in html
    assert 'id="id_email_error"' in html
    assert re.search(r'id="id_email"[^>]*aria-describedby="[^"]*id_email_error', html) or re.search(
        r'aria-describedby="[^"]*id_email_error[^"]*"[^>]*id="id_email"', html
    )
    assert "Saisissez une adresse" in html  # French by default
    assert not User.objects.exists()


class CountingHasher(MD5PasswordHasher):
    """The test suite's fast hasher, counting how often a password is hashed."""

    calls = 0

    def encode(self, password: str, salt: str) -> str:
        CountingHasher.calls += 1
        return super().encode(password, salt)


def test_a_signup_costs_one_password_hash_whether_the_address_is_registered_or_not(
    client, settings
):
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    User.objects.create_user(email="deja.inscrite@example.dz", password=PASSWORD)

    CountingHasher.calls = 0
    new = signup(client, "nouvelle.adresse@example.dz")
    hashes_new = CountingHasher.calls
    CountingHasher.calls = 0
    existing = signup(Client(), "deja.inscrite@example.dz")
    hashes_existing = CountingHasher.calls

    # The same answer, after the same costly work (the hash dominates a signup's time).
    assert (new.status_code, new["Location"]) == (existing.status_code, existing["Location"])
    assert hashes_new == hashes_existing == 1
