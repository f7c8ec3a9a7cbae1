from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import RoleChange
from tests.factories.accounts import UserFactory
from tests.helpers import logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator_client(make_user):
    return logged_in(make_user("coordinator"))


def test_people_list_filters_by_role_and_searches_by_name(coordinator_client):
    UserFactory.create(email="amina.lecturer@example.dz", is_lecturer=True)
    UserFactory.create(email="omar.student@example.dz", is_student=True, last_name="Zerrouki")
    html = coordinator_client.get(reverse("accounts:people"), {"role": "lecturer"}).content.decode()
    assert "amina.lecturer@example.dz" in html
    assert "omar.student@example.dz" not in html
    html = coordinator_client.get(reverse("accounts:people"), {"q": "zerrouki"}).content.decode()
    assert "omar.student@example.dz" in html
    assert "amina.lecturer@example.dz" not in html


def test_people_list_query_count_does_not_grow_with_the_page(
    coordinator_client, django_assert_max_num_queries
):
    UserFactory.create_batch(5)
    with django_assert_max_num_queries(8) as small:
        coordinator_client.get(reverse("accounts:people"))
    UserFactory.create_batch(40)
    with django_assert_max_num_queries(len(small.captured_queries)):
        coordinator_client.get(reverse("accounts:people"))


def test_an_invalid_filter_value_is_ignored_not_a_500(coordinator_client):
    response = coordinator_client.get(reverse("accounts:people"), {"role": "emperor", "page": "x"})
    assert response.status_code == 200


def test_a_coordinator_grants_the_lecturer_role_from_the_person_page(coordinator_client):
    person = UserFactory.create()
    response = coordinator_client.post(
        reverse("accounts:person_role", args=[person.pk]),
        {"role": "lecturer", "granted": "1", "reason": "Intervenant ESI"},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.is_lecturer
    html = coordinator_client.get(reverse("accounts:person", args=[person.pk])).content.decode()
    assert "Intervenant ESI" in html


def test_a_coordinator_granting_coordinator_gets_a_message_on_the_form(coordinator_client):
    person = UserFactory.create()
    response = coordinator_client.post(
        reverse("accounts:person_role", args=[person.pk]),
        {"role": "coordinator", "granted": "1"},
    )
    assert response.status_code == 400
    assert "Vous ne pouvez pas" in response.content.decode()
    person.refresh_from_db()
    assert not person.is_coordinator
    assert not RoleChange.objects.exists()


def test_script_in_a_reason_is_shown_escaped(coordinator_client):
    person = UserFactory.create()
    coordinator_client.post(
        reverse("accounts:person_role", args=[person.pk]),
        {"role": "lecturer", "granted": "1", "reason": "<script>alert(1)</script>"},
    )
    html = coordinator_client.get(reverse("accounts:person", args=[person.pk])).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_an_unknown_person_is_a_404(coordinator_client):
    assert coordinator_client.get(reverse("accounts:person", args=[999999])).status_code == 404


def test_the_role_change_endpoint_refuses_get(coordinator_client):
    person = UserFactory.create()
    response = coordinator_client.get(reverse("accounts:person_role", args=[person.pk]))
    assert response.status_code == 405
