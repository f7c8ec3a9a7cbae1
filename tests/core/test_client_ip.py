"""Limits see the real client: behind the trusted proxy the address is read from
X-Forwarded-For (what a client writes there itself is ignored); without a proxy the header is
ignored; a classroom behind one address logs in; one client's failures lock out nobody else."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from core.clientip import client_ip
from tests.factories.accounts import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.5"


def behind_proxy(client_address: str, claimed: str = "") -> Client:
    """A browser at ``client_address`` reaching the site through the proxy (which appends
    the address it saw to whatever the browser sent)."""
    chain = f"{claimed}, {client_address}" if claimed else client_address
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=chain)


def test_the_client_address_is_read_behind_the_trusted_proxies_only(settings):
    factory = RequestFactory()
    spoofed = factory.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="6.6.6.6, 41.200.1.7")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(spoofed) == PROXY  # no proxy declared: the header is the client's word
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(spoofed) == "41.200.1.7"  # what the proxy saw, not what was claimed
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(spoofed) == "6.6.6.6"
    too_short = factory.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="41.200.1.7")
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(too_short) == PROXY
    garbage = factory.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="not-an-address")
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(garbage) == PROXY


def test_behind_the_proxy_one_clients_verification_limit_is_not_everyones(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    url = reverse("certificates:verify", args=["ABCD-EFGH-JKMN-PQ"])
    noisy = behind_proxy("41.200.1.7", claimed="1.2.3.4")
    statuses = [noisy.get(url).status_code for _ in range(61)]
    assert statuses[:60] == [404] * 60
    assert statuses[60] == 403  # the 61st in a minute from that address
    assert behind_proxy("41.200.9.9").get(url).status_code == 404  # someone else: unaffected
    # Changing the claimed part of the header does not give the noisy client a new address.
    assert behind_proxy("41.200.1.7", claimed="5.5.5.5").get(url).status_code == 403


def test_a_classroom_behind_one_address_logs_in_and_one_account_is_locked_alone(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    classroom = [UserFactory.create(is_student=True) for _ in range(40)]
    for student in classroom:
        response = behind_proxy("41.111.0.1").post(
            reverse("account_login"), {"login": student.email, "password": PASSWORD}
        )
        assert response.status_code == 302, student.email

    # Someone tries passwords on one account: that account is locked after five failures…
    target, other = classroom[0], classroom[1]
    attacker = behind_proxy("41.111.0.1")
    for _ in range(6):
        attacker.post(reverse("account_login"), {"login": target.email, "password": "wrong"})
    refused = behind_proxy("41.111.0.1").post(
        reverse("account_login"), {"login": target.email, "password": PASSWORD}
    )
    assert refused.status_code == 200  # the form again, with "too many failed attempts"
    # …and nobody else of the classroom, on the same address, is locked out by it.
    response = behind_proxy("41.111.0.1").post(
        reverse("account_login"), {"login": other.email, "password": PASSWORD}
    )
    assert response.status_code == 302
