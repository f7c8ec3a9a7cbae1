"""The staff home's links (#14): each role is shown the teaching pages it may open (module
evaluations, announcements, materials, absence justifications), and every link it is shown
opens for it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from curriculum.models import Module, Semester, TeachingUnit
from enrollment.models import Cohort, Student
from enrollment.services.decisions import student_create
from studies.models import Offering
from tests.factories.accounts import UserFactory
from tests.factories.enrollment import CohortFactory
from tests.helpers import logged_in

pytestmark = pytest.mark.django_db


def _offering(cohort: Cohort, code: str) -> Offering:
    programme = cohort.programme
    semester, _ = Semester.objects.get_or_create(programme=programme, number=1)
    unit, _ = TeachingUnit.objects.get_or_create(
        programme=programme, semester=semester, code="UE-H",
        defaults={"kind": "UEF", "credits": 4, "coefficient": 2},
    )  # fmt: skip
    module, _ = Module.objects.get_or_create(
        programme=programme, unit=unit, code=code,
        defaults={"title_fr": f"Module {code}", "credits": 2, "coefficient": 1},
    )  # fmt: skip
    return Offering.objects.create(
        cohort=cohort, module=module, semester=1, academic_year="2026-2027"
    )


@pytest.fixture
def school(make_user) -> dict[str, Any]:
    """A cohort studying (one active student) and one whose students all left; the lecturer
    teaches a module of each, and another module of the first is someone else's."""
    lecturer = make_user("lecturer")
    studying = CohortFactory.create()
    student_create(user=UserFactory.create(), cohort=studying)
    left = CohortFactory.create()
    gone = student_create(user=UserFactory.create(), cohort=left)
    Student.objects.filter(pk=gone.pk).update(status=Student.Status.WITHDRAWN)
    own = _offering(studying, "H1")
    own.lecturers.add(lecturer)
    past = _offering(left, "H1")
    past.lecturers.add(lecturer)
    return {
        "lecturer": lecturer,
        "studying": studying,
        "left": left,
        "own": own,
        "past": past,
        "other": _offering(studying, "H2"),
    }


def card_links(client: Client) -> list[str]:
    response = client.get(reverse("staff_home"))
    assert response.status_code == 200
    content = response.content.decode()
    cards = content.split('<ul class="cards">', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'href="([^"]+)"', cards)


def materials(offering: Offering) -> str:
    return reverse("studies:materials_manage", args=[offering.pk])


def evaluations(cohort: Cohort) -> str:
    return reverse("studies:evaluations", args=[cohort.slug])


def test_a_lecturer_is_shown_evaluations_announcements_and_the_materials_of_their_modules(
    school,
):
    links = card_links(logged_in(school["lecturer"]))
    assert reverse("studies:staff_evaluations") in links
    assert reverse("studies:announcements") in links
    # Only the module they teach to a cohort still studying; never another lecturer's.
    assert [link for link in links if "/materials/" in link] == [materials(school["own"])]
    # Pages of the coordination are not offered.
    assert reverse("studies:justifications") not in links
    assert not [link for link in links if link.endswith("/evaluations/") and "cohorts" in link]


def test_a_coordinator_is_shown_each_studying_cohorts_evaluations_and_the_justifications(
    school, make_user
):
    links = card_links(logged_in(make_user("coordinator")))
    assert evaluations(school["studying"]) in links
    assert evaluations(school["left"]) not in links
    assert reverse("studies:justifications") in links
    assert reverse("studies:staff_evaluations") in links
    assert reverse("studies:announcements") in links
    # A coordinator who teaches no module has no "materials of my modules" card.
    assert not [link for link in links if "/materials/" in link]


def test_finance_is_shown_no_teaching_page(school, make_user):
    links = card_links(logged_in(make_user("finance")))
    assert links == [reverse("finance:dashboard"), reverse("mfa_index")]


@pytest.mark.parametrize("role", ["lecturer", "coordinator", "finance", "admin"])
def test_every_link_of_the_staff_home_opens_for_the_role_it_is_shown_to(school, make_user, role):
    user = school["lecturer"] if role == "lecturer" else make_user(role)
    client = logged_in(user)
    links = card_links(client)
    assert links
    refused = {}
    for link in links:
        response = client.get(link, follow=True)
        hops = [url for url, _ in response.redirect_chain]
        if response.status_code != 200 or any("/accounts/" in url for url in hops):
            refused[link] = (response.status_code, hops)
    assert refused == {}
