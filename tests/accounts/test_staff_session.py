"""Staff access needs a session that passed the second factor, the Django admin's log-in is
allauth's (with MFA and its limits), dangerous actions need a recent authentication, and
role flags are not editable in the admin."""

from __future__ import annotations

import time

import pytest
from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from django.test import Client
from django.urls import reverse

from accounts.models import RoleChange, User
from tests.factories.accounts import PASSWORD, UserFactory
from tests.helpers import logged_in, login, mfa_login, pass_mfa, totp_code, totp_secret_of

pytestmark = pytest.mark.django_db

ADMIN_LOGIN = reverse("admin:login")
ADMIN_INDEX = reverse("admin:index")


# --- The Django admin's log-in ------------------------------------------------------------------
def test_the_admin_login_page_does_not_accept_a_password_alone(make_user):
    superuser = make_user("admin")
    client = Client()
    response = client.post(
        f"{ADMIN_LOGIN}?next={ADMIN_INDEX}",
        {"username": superuser.email, "password": PASSWORD, "next": ADMIN_INDEX},
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login") + "?next=")
    assert "_auth_user_id" not in client.session
    response = client.get(ADMIN_INDEX)
    assert response.status_code == 302
    assert response["Location"].startswith(ADMIN_LOGIN)


def test_the_superuser_reaches_the_admin_through_allauth_with_the_totp_code(make_user):
    superuser = make_user("admin")
    client = Client()
    response = client.get(ADMIN_INDEX, follow=True)
    login_url = response.redirect_chain[-1][0]
    assert login_url == f"{reverse('account_login')}?next=%2Fadmin%2F"
    response = client.post(login_url, {"login": superuser.email, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session  # the password alone is not enough
    secret = totp_secret_of(superuser)
    assert secret is not None
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert response["Location"] == ADMIN_INDEX
    assert client.get(ADMIN_INDEX).status_code == 200


def test_forty_wrong_passwords_for_the_admin_are_throttled(make_user):
    superuser = make_user("admin")
    client = Client()
    refused = 0
    for _ in range(40):
        response = client.post(
            ADMIN_LOGIN, {"username": superuser.email, "password": "wrong"}, follow=True
        )
        # Django's page never checks the password: it sends the post to allauth's log-in.
        assert response.redirect_chain[0][0].startswith(reverse("account_login"))
        response = login(client, superuser.email, "wrong")
        assert response.status_code == 200
        refused += "trop de tentatives" in response.content.decode().lower()
    assert refused >= 30
    response = login(client, superuser.email)  # the right one, while the limit holds
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_a_superuser_session_without_mfa_is_sent_to_the_code_then_reaches_the_admin(make_user):
    superuser = make_user("admin")
    client = Client()
    client.force_login(superuser)  # e.g. a session opened before MFA was enabled
    response = client.get(ADMIN_INDEX, follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("mfa_reauthenticate") + "?next=")
    assert client.get(reverse("staff_home"))["Location"].startswith(reverse("mfa_reauthenticate"))
    pass_mfa(client, superuser)
    assert client.get(ADMIN_INDEX).status_code == 200
    assert client.get(reverse("staff_home")).status_code == 200


def test_a_superuser_without_mfa_is_led_to_set_it_up_from_the_admin(make_user):
    superuser = make_user("admin", mfa=False)
    client = Client()
    login(client, superuser.email)
    assert client.session["_auth_user_id"] == str(superuser.pk)
    response = client.get(ADMIN_INDEX, follow=True)
    assert reverse("mfa_activate_totp") in [url for url, _ in response.redirect_chain]
    assert client.get(f"{ADMIN_LOGIN}?next=/admin/")["Location"] == reverse("mfa_activate_totp")


# --- Staff pages: this session, not the account -------------------------------------------------
def test_a_password_only_session_of_a_coordinator_with_mfa_is_asked_for_the_code(make_user):
    coordinator = make_user("coordinator")
    client = Client()
    client.force_login(coordinator)
    people = reverse("accounts:people")
    response = client.get(people)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('mfa_reauthenticate')}?next=%2Fstaff%2Fpeople%2F"
    response = client.post(response["Location"], {"code": "000000"})
    assert response.status_code == 200  # a wrong code: still not served
    assert client.get(people).status_code == 302
    pass_mfa(client, coordinator)
    assert client.get(people).status_code == 200


def test_authentication_records_of_another_account_do_not_count(make_user):
    coordinator, other = make_user("coordinator"), make_user("coordinator")
    client = logged_in(other)
    records = client.session[AUTHENTICATION_METHODS_SESSION_KEY]
    client.force_login(coordinator)  # same browser, another account, password only
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = records
    session.save()
    assert client.get(reverse("accounts:people")).status_code == 302


# --- Dangerous actions: a recent authentication ------------------------------------------------
def _age_authentications(client: Client, seconds: float) -> None:
    """As if the second factor (and any re-authentication) was passed ``seconds`` ago."""
    session = client.session
    records = session[AUTHENTICATION_METHODS_SESSION_KEY]
    for record in records:
        record["at"] -= seconds
    session[AUTHENTICATION_METHODS_SESSION_KEY] = records
    session.save()


def test_a_role_change_needs_an_authentication_of_the_last_five_minutes(make_user):
    coordinator = make_user("coordinator")
    person = UserFactory.create()
    client = Client()
    mfa_login(client, coordinator)
    _age_authentications(client, 301)
    assert client.get(reverse("accounts:person", args=[person.pk])).status_code == 200
    url = reverse("accounts:person_role", args=[person.pk])
    data = {"role": "lecturer", "granted": "1", "reason": "Cours F1.1.1"}
    response = client.post(url, data)
    assert response.status_code == 302
    reauthenticate = response["Location"]
    assert reauthenticate.startswith(reverse("account_reauthenticate") + "?next=")
    assert not User.objects.get(pk=person.pk).is_lecturer

    wrong = client.post(reauthenticate, {"password": "not-the-password"})
    assert wrong.status_code == 200
    assert not User.objects.get(pk=person.pk).is_lecturer
    # The password again: allauth replays the suspended change.
    response = client.post(reauthenticate, {"password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:person", args=[person.pk])
    assert User.objects.get(pk=person.pk).is_lecturer
    assert RoleChange.objects.filter(user=person, role="lecturer", changed_by=coordinator).exists()


def test_a_fresh_code_also_counts_and_lasts_the_timeout(make_user, settings):
    coordinator = make_user("coordinator")
    person = UserFactory.create()
    client = Client()
    mfa_login(client, coordinator)
    url = reverse("accounts:person_role", args=[person.pk])
    grant = {"role": "lecturer", "granted": "1", "reason": ""}
    # Just logged in with the code: recent enough.
    assert client.post(url, grant)["Location"] == reverse("accounts:person", args=[person.pk])
    assert User.objects.get(pk=person.pk).is_lecturer
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 1
    time.sleep(1.1)
    revoke = {"role": "lecturer", "granted": "0", "reason": ""}
    assert client.post(url, revoke)["Location"].startswith(reverse("account_reauthenticate"))
    assert User.objects.get(pk=person.pk).is_lecturer
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
    pass_mfa(client, coordinator)  # allauth's code page, instead of the password
    assert client.post(url, revoke).status_code == 302
    assert not User.objects.get(pk=person.pk).is_lecturer


# --- Role flags in the admin --------------------------------------------------------------------
def test_role_flags_are_read_only_in_the_admin(make_user):
    superuser = make_user("admin")
    client = Client()
    mfa_login(client, superuser)
    person = UserFactory.create()
    url = reverse("admin:accounts_user_change", args=[person.pk])
    page = client.get(url).content.decode()
    for flag in ("is_student", "is_lecturer", "is_coordinator", "is_superuser", "is_staff"):
        assert f'name="{flag}"' not in page, flag
    assert 'name="is_active"' in page
    response = client.post(
        url,
        {
            "email": person.email,
            "first_name": "Nadia",
            "last_name": person.last_name,
            "preferred_language": "fr",
            "is_active": "on",
            "is_student": "on",
            "is_lecturer": "on",
            "is_coordinator": "on",
            "is_superuser": "on",
            "is_staff": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    person.refresh_from_db()
    assert person.first_name == "Nadia"  # the change was saved…
    flags = (person.is_student, person.is_lecturer, person.is_coordinator, person.is_superuser)
    assert flags == (False, False, False, False)  # …but not the roles
    assert person.is_staff is False
    assert not RoleChange.objects.filter(user=person).exists()
