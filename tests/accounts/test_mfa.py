"""Staff must have two-factor authentication before any staff page."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.test import Client
from django.urls import reverse

from tests.factories.accounts import PASSWORD
from tests.helpers import enable_totp, login, pass_mfa, totp_code

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["coordinator", "lecturer", "admin"])
def test_staff_without_mfa_are_sent_to_set_it_up(make_user, role):
    user = make_user(role, mfa=False)
    client = Client()
    login(client, user.email)
    response = client.get(reverse("staff_home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_a_coordinator_sets_up_totp_then_reaches_the_staff_pages(make_user):
    user = make_user("coordinator", mfa=False)
    client = Client()
    login(client, user.email)
    response = client.get(reverse("staff_home"), follow=True)
    assert response.redirect_chain[0][0] == reverse("mfa_activate_totp")
    # allauth asks for the password again before changing security settings.
    reauth_url = response.redirect_chain[-1][0]
    assert reauth_url.startswith(reverse("account_reauthenticate"))
    assert "authentification à deux facteurs" in response.content.decode().lower()
    response = client.post(reauth_url, {"password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("mfa_activate_totp")
    secret = client.session[SECRET_SESSION_KEY]

    wrong = client.post(reverse("mfa_activate_totp"), {"code": "000000"})
    assert wrong.status_code == 200
    assert not Authenticator.objects.filter(user=user).exists()

    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    # This session was opened with the password alone: the staff pages ask for a code.
    response = client.get(reverse("staff_home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_reauthenticate") + "?next=%2Fstaff%2F"
    pass_mfa(client, user)
    assert client.get(reverse("staff_home")).status_code == 200
    assert client.get(reverse("accounts:people")).status_code == 200


def test_a_coordinator_with_totp_logs_in_with_a_code_and_reaches_the_staff_pages(make_user):
    user = make_user("coordinator", mfa=False)
    secret = enable_totp(user)
    client = Client()
    response = login(client, user.email)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session  # the password alone is not enough

    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert client.get(reverse("staff_home")).status_code == 200
