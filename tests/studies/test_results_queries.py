"""Results day: every student of a cohort opens their own space and "My programme" at once.
The queries of those pages are pinned, and the same for a cohort of 2 or of 9 students."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from curriculum.demo import seed_curriculum
from enrollment.demo import seed_students
from enrollment.models import Student
from enrollment.services.applications import application_start
from partners.demo import seed_partners
from partners.models import Organisation
from studies.demo import seed_marks
from studies.models import Offering
from studies.services.timetable import session_add
from tests.factories.enrollment import IntakeFactory, complete_profile

pytestmark = pytest.mark.django_db

# session, user, then the page's own: student record, published results, upcoming sessions,
# the modules with their lecturers and partners (one join), the calendar address (rotated or
# turned off).
MY_PROGRAMME_QUERIES = 7
# session, user, then applications, student records, open intakes.
MY_SPACE_QUERIES = 5


@pytest.fixture
def cohorts(make_user):
    """Two cohorts of the same programme, of 2 and of 9 students, each with the first
    semester marked, closed and published, the second delivered, and three sessions coming."""
    lecturer = make_user("lecturer", first_name="Karim", last_name="Belkacemi")
    coordinator = make_user("coordinator")
    programme = seed_curriculum(organisations=seed_partners(), lecturers=[lecturer])
    host = Organisation.objects.order_by("pk").first()
    made = {}
    for size in (2, 9):
        cohort, _ = seed_students(count=size, cohort_slug=f"results-{size}", programme=programme)
        seed_marks(cohort=cohort, coordinator=coordinator)
        second = Offering.objects.filter(cohort=cohort, semester=2).order_by("module__code")
        for day, offering in enumerate(second[:3], start=1):
            start = timezone.now() + dt.timedelta(days=day)
            session_add(
                offering=offering,
                actor=coordinator,
                starts_at=start,
                ends_at=start + dt.timedelta(hours=2),
                kind="lecture",
                place=f"Salle {day}",
                host=host,
            )
        made[size] = cohort
    return made


def student_client(cohort) -> Client:
    student = Student.objects.filter(cohort=cohort).order_by("-registration_number")[0]
    client = Client()
    client.force_login(student.user)
    return client


@pytest.mark.parametrize("size", [2, 9])
def test_my_programme_makes_the_same_queries_for_a_cohort_of_2_or_9_students(
    cohorts, size, django_assert_num_queries
):
    client = student_client(cohorts[size])
    with django_assert_num_queries(MY_PROGRAMME_QUERIES):
        html = client.get(reverse("studies:my_programme")).content.decode()
    # What the narrowed queries still print: results, timetable, lecturers, partners.
    assert "Semestre 1" in html
    assert "Salle 1" in html
    assert html.count("(Cours)") == 3
    assert "Karim Belkacemi" in html
    offering = Offering.objects.filter(cohort=cohorts[size], partners__isnull=False).first()
    assert offering is not None
    assert str(offering.partners.order_by("name_fr").first()) in html


@pytest.mark.parametrize("size", [2, 9])
def test_the_own_space_of_a_student_makes_the_same_queries_for_a_cohort_of_2_or_9(
    cohorts, size, django_assert_num_queries
):
    client = student_client(cohorts[size])
    with django_assert_num_queries(MY_SPACE_QUERIES):
        html = client.get(reverse("me")).content.decode()
    assert str(cohorts[size]) in html


def test_the_own_space_lists_three_applications_with_the_queries_of_one(
    make_user, django_assert_num_queries
):
    applicant = make_user("applicant")
    complete_profile(applicant)
    intakes = IntakeFactory.create_batch(3)
    client = Client()
    client.force_login(applicant)
    for count, intake in enumerate(intakes, start=1):
        application_start(applicant=applicant, intake=intake)
        if count == 2:
            continue
        with django_assert_num_queries(MY_SPACE_QUERIES):
            html = client.get(reverse("me")).content.decode()
        assert html.count("/me/applications/") == count
        assert str(intake) in html


def test_my_programme_lists_each_lecturer_and_partner_of_a_module_once_in_order(cohorts, make_user):
    cohort = cohorts[2]
    offering = Offering.objects.filter(cohort=cohort).order_by("semester", "module__code")[0]
    zoe = make_user("lecturer", email="zoe.lecturer@example.dz", first_name="Zoé", last_name="B")
    ali = make_user("lecturer", email="ali.lecturer@example.dz", first_name="", last_name="")
    offering.lecturers.set([zoe, ali])
    partners = list(Organisation.objects.order_by("-name_fr")[:3])
    offering.partners.set(partners)
    html = student_client(cohort).get(reverse("studies:my_programme")).content.decode()
    row = next(
        line for line in html.splitlines() if offering.module.code in line and "<td>S" in line
    )
    cells = html[html.index(row) :].split("</tr>")[0]
    # By e-mail (a lecturer without a name by the address), partners by name: each once.
    assert "ali.lecturer@example.dz, Zoé B" in cells
    by_name = Organisation.objects.filter(pk__in=[p.pk for p in partners]).order_by("name_fr")
    names = [str(p) for p in by_name]
    assert ", ".join(names) in cells
