"""Results day: every student lists their documents and downloads one. The queries of the list
and of the download are pinned, the same for a cohort of 3 or of 8 students and whatever the
number of documents a student holds."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from certificates import services
from certificates.models import Certificate, Kind
from enrollment.demo import seed_students
from enrollment.models import Student

pytestmark = pytest.mark.django_db

# session, user, then the student record and the documents.
LIST_QUERIES = 4
# session, user, then the document with its holder.
DOWNLOAD_QUERIES = 3


@pytest.fixture
def cohorts(cohort, coordinator, django_capture_on_commit_callbacks):
    """The 3-student cohort and one of 8, each student with a ready enrollment attestation."""
    larger, _ = seed_students(count=8, cohort_slug="promo-larger", programme=cohort.programme)
    with django_capture_on_commit_callbacks(execute=True):
        for each in (cohort, larger):
            services.batch_start(cohort=each, kind=Kind.ENROLLMENT, actor=coordinator)
    return {3: cohort, 8: larger}


def holder_client(cohort) -> tuple[Student, Client]:
    student = Student.objects.filter(cohort=cohort).order_by("-registration_number")[0]
    client = Client()
    client.force_login(student.user)
    return student, client


@pytest.mark.parametrize("size", [3, 8])
def test_the_list_of_documents_makes_the_same_queries_for_a_cohort_of_3_or_8(
    cohorts, size, django_assert_num_queries
):
    student, client = holder_client(cohorts[size])
    certificate = Certificate.objects.get(holder=student)
    with django_assert_num_queries(LIST_QUERIES):
        html = client.get(reverse("certificates:mine")).content.decode()
    assert certificate.code in html
    assert reverse("certificates:download", args=[certificate.code]) in html


def test_a_student_with_more_documents_lists_them_with_the_same_queries(
    cohorts, django_assert_num_queries, django_capture_on_commit_callbacks
):
    student, client = holder_client(cohorts[3])
    for _ in range(2):  # each supersedes the one before: all three are listed
        with django_capture_on_commit_callbacks(execute=True):
            services.certificate_request(student=student, kind=Kind.ENROLLMENT, actor=student.user)
    codes = list(Certificate.objects.filter(holder=student).values_list("code", flat=True))
    assert len(codes) == 3
    with django_assert_num_queries(LIST_QUERIES):
        html = client.get(reverse("certificates:mine")).content.decode()
    assert all(code in html for code in codes)
    assert html.count("Remplacé") == 2


@pytest.mark.parametrize("size", [3, 8])
def test_a_download_makes_the_same_queries_for_a_cohort_of_3_or_8(
    cohorts, size, django_assert_num_queries
):
    student, client = holder_client(cohorts[size])
    certificate = Certificate.objects.get(holder=student)
    with django_assert_num_queries(DOWNLOAD_QUERIES):
        response = client.get(reverse("certificates:download", args=[certificate.code]))
        content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert response.status_code == 200
    assert certificate.filename in response["Content-Disposition"]
    assert content == certificate.pdf.open("rb").read()
