"""Results day: every student of a cohort opens their own space and "My programme" at once.
The queries of those pages are pinned, and the same for a cohort of 2 or of 9 students."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from certificates.demo import seed_issuer
from certificates.models import Kind
from certificates.services import eligible_list
from curriculum.demo import seed_curriculum
from enrollment.demo import seed_students
from enrollment.models import Student
from enrollment.services.applications import application_start
from partners.demo import seed_partners
from partners.models import Organisation
from studies.demo import seed_marks
from studies.models import MarkSheet, Offering
from studies.services.juries import (
    jury_close,
    jury_get_or_create,
    jury_publish,
    year_jury_get_or_create,
)
from studies.services.marks import MarkRow, grid_save, grid_submit, sheet_students
from studies.services.timetable import session_add
from tests.factories.enrollment import IntakeFactory, complete_profile
from tests.helpers import logged_in

pytestmark = pytest.mark.django_db

# session, user, then the page's own: student record (with the cohort's last jury event and
# the calendar address), published semester results with their units and modules (three),
# published years, upcoming sessions, the modules with their lecturers and partners (one join).
MY_PROGRAMME_QUERIES = 9
# Once its parts are cached (studies/results_cache.py): session, user, student record.
MY_PROGRAMME_CACHED_QUERIES = 3
# Staff pages (session, user, MFA authenticators, …) read the stored record in a constant
# number of queries whatever the size of the cohort.
JURY_PAGE_QUERIES = 13
RESULTS_PAGE_QUERIES = 8
# students, the signatories of the kind, their published semesters, and the programme's
# arrears setting (finance's blocker, #13: off, so no balance is read): a transcript's
# eligibility.
ELIGIBILITY_QUERIES = 4
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
        seed_issuer()
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
    with django_assert_num_queries(MY_PROGRAMME_CACHED_QUERIES):
        again = client.get(reverse("studies:my_programme")).content.decode()
    assert "Semestre 1" in again
    assert again.count("(Cours)") == 3
    assert "Karim Belkacemi" in again


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
        # Without a student record: and whether an application fee was invoiced (finance).
        with django_assert_num_queries(MY_SPACE_QUERIES + 1):
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


def coordinator_client(make_user):
    return logged_in(make_user("coordinator"))


@pytest.mark.parametrize("size", [2, 9])
def test_the_jury_page_reads_the_record_in_the_same_queries_for_2_or_9_students(
    cohorts, size, make_user, django_assert_num_queries
):
    client = coordinator_client(make_user)
    url = reverse("studies:jury", args=[cohorts[size].slug, 1, "N"])
    with django_assert_num_queries(JURY_PAGE_QUERIES):
        html = client.get(url).content.decode()
    assert html.count('<th scope="row" dir="ltr">') == size


@pytest.mark.parametrize("size", [2, 9])
def test_the_results_page_makes_the_same_queries_for_2_or_9_students(
    cohorts, size, make_user, django_assert_num_queries
):
    cohort = cohorts[size]
    coordinator = make_user("coordinator")
    for sheet in MarkSheet.objects.filter(offering__cohort=cohort, offering__semester=2):
        rows = [MarkRow(s.pk, Decimal(12), Decimal(12)) for s in sheet_students(sheet)]
        grid_save(sheet=sheet, actor=coordinator, rows=rows)
        grid_submit(sheet=sheet, actor=coordinator)
    jury_close(jury=jury_get_or_create(cohort=cohort, semester=2, session="N"), actor=coordinator)
    year = jury_close(jury=year_jury_get_or_create(cohort=cohort, year=1), actor=coordinator)
    jury_publish(jury=year, actor=coordinator)
    client = coordinator_client(make_user)
    with django_assert_num_queries(RESULTS_PAGE_QUERIES):
        html = client.get(reverse("studies:cohort_results", args=[cohort.slug])).content.decode()
    assert html.count("/60</td>") == size


@pytest.mark.parametrize("size", [2, 9])
def test_transcript_eligibility_for_a_cohort_makes_the_same_queries_for_2_or_9_students(
    cohorts, size, django_assert_num_queries
):
    with django_assert_num_queries(ELIGIBILITY_QUERIES):
        verdicts = eligible_list(cohort=cohorts[size], kind=Kind.TRANSCRIPT, semester=1)
    assert [v.ok for v in verdicts] == [True] * size
