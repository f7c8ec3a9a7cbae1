"""The log-in page keeps its empty form's HTML once rendered (every student opens it on results
day): the page reads the same as when the form is rendered each time, in every language, and
a form sent back with an error is rendered anew."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.templatetags import rendered_forms

pytestmark = pytest.mark.django_db


def page(language: str = "fr", **query: str) -> str:
    html = (
        Client()
        .get(reverse("account_login"), query, headers={"accept-language": language})
        .content.decode()
    )
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", html)


@pytest.fixture(autouse=True)
def _nothing_kept(monkeypatch):
    monkeypatch.setattr(rendered_forms, "_rendered", {})


def test_the_login_page_reads_the_same_with_its_form_kept_in_every_language(monkeypatch):
    kept = {language: (page(language), page(language)) for language in ("fr", "ar", "en")}
    monkeypatch.setattr(rendered_forms, "KEPT", ())
    for language, (first, second) in kept.items():
        assert first == second == page(language)
    assert 'placeholder="Adresse e-mail"' in kept["fr"][0]
    assert 'lang="ar" dir="rtl"' in kept["ar"][0]
    assert "Remember Me" in kept["en"][0]
    assert len(rendered_forms._rendered) == 3


def test_the_login_page_reads_no_query(django_assert_num_queries):
    page()
    with django_assert_num_queries(0):
        page(next="/me/programme/")


def test_a_form_sent_back_with_an_error_is_rendered_anew(make_user):
    user = make_user("student")
    page()
    response = Client().post(
        reverse("account_login"), {"login": user.email, "password": "not the password"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert f'value="{user.email}"' in html
    assert 'class="errorlist' in html
    assert f'value="{user.email}"' not in page()
