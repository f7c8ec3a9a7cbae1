"""A student's status changes keep who, when, from what, to what and why."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from enrollment.models import Student, StudentStatusChange
from enrollment.services.decisions import student_create
from enrollment.services.students import student_set_status
from tests.factories.enrollment import CohortFactory
from tests.helpers import logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort():
    return CohortFactory.create()


@pytest.fixture
def student(cohort, make_user) -> Student:
    return student_create(user=make_user(), cohort=cohort)


def status_url(student: Student) -> str:
    return reverse("studies:student_status", args=[student.cohort.slug, student.pk])


def test_a_change_with_a_reason_is_kept_with_who_and_what(make_user, student):
    coordinator = make_user("coordinator")
    client = logged_in(coordinator)
    response = client.post(
        status_url(student), {"status": "suspended", "reason": "  Medical leave, S2.  "}
    )
    assert response.status_code == 302
    student.refresh_from_db()
    assert student.status == Student.Status.SUSPENDED
    [change] = StudentStatusChange.objects.filter(student=student)
    assert (change.changed_by, change.before, change.after, change.reason) == (
        coordinator,
        "active",
        "suspended",
        "Medical leave, S2.",
    )
    assert change.changed_at is not None
    # The cohort page shows the history next to the student, labels and not codes.
    page = client.get(
        reverse("studies:cohort", args=[student.cohort.slug]), HTTP_ACCEPT_LANGUAGE="en"
    )
    text = page.content.decode()
    assert 'data-testid="status-history"' in text
    assert "Medical leave, S2." in text
    assert "Active → Suspended" in text
    assert 'name="reason"' in text


def test_the_cohort_page_reads_the_history_in_one_query(make_user, cohort):
    coordinator = make_user("coordinator")
    client = logged_in(coordinator)
    many = [student_create(user=make_user(), cohort=cohort) for _ in range(4)]
    for who in many:
        student_set_status(student=who, actor=coordinator, status="suspended", reason="r1")
        student_set_status(student=who, actor=coordinator, status="active", reason="r2")
    url = reverse("studies:cohort", args=[cohort.slug])
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    history = [q for q in queries.captured_queries if "studentstatuschange" in q["sql"]]
    assert len(history) == 1


def test_without_a_reason_the_message_is_next_to_the_field_and_nothing_changes(make_user, student):
    client = logged_in(make_user("coordinator"))
    response = client.post(
        status_url(student), {"status": "withdrawn", "reason": "  "}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert 'id="reason-error"' in text
    assert 'aria-describedby="reason-error"' in text
    assert "Say why the status of this student changes." in text
    student.refresh_from_db()
    assert student.status == Student.Status.ACTIVE
    assert not StudentStatusChange.objects.exists()


def test_the_service_puts_the_missing_reason_on_its_field(make_user, student):
    with pytest.raises(ValidationError) as error:
        student_set_status(
            student=student, actor=make_user("coordinator"), status="withdrawn", reason=""
        )
    assert list(error.value.message_dict) == ["reason"]


def test_an_unchanged_status_needs_no_reason_and_writes_nothing(make_user, student):
    coordinator = make_user("coordinator")
    same = student_set_status(student=student, actor=coordinator, status="active", reason="")
    assert same.status == "active"
    assert not StudentStatusChange.objects.exists()


def test_an_unknown_status_is_refused(make_user, student):
    client = logged_in(make_user("coordinator"))
    response = client.post(status_url(student), {"status": "emperor", "reason": "why not"})
    assert response.status_code == 400
    assert 'id="status-error"' in response.content.decode()
    student.refresh_from_db()
    assert student.status == "active"
    assert not StudentStatusChange.objects.exists()


@pytest.mark.parametrize("persona", ["applicant", "student", "lecturer"])
def test_only_a_coordinator_changes_a_status(persona_client, persona, student):
    response = persona_client(persona).post(
        status_url(student), {"status": "withdrawn", "reason": "no"}
    )
    assert response.status_code == 403
    student.refresh_from_db()
    assert student.status == "active"
    assert not StudentStatusChange.objects.exists()


def test_the_service_refuses_a_non_coordinator(make_user, student):
    with pytest.raises(PermissionDenied):
        student_set_status(
            student=student, actor=make_user("lecturer"), status="withdrawn", reason="no"
        )
    assert not StudentStatusChange.objects.exists()
