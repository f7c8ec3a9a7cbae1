"""The cached parts of "My programme" (studies/results_cache.py, #16): what a student reads
is what is published at that moment, their own, in their language, their group's timetable;
a publication renders the transcripts ahead."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext

from curriculum.demo import seed_curriculum
from enrollment.demo import seed_students
from enrollment.models import Student
from partners.demo import seed_partners
from studies import results_cache, selectors
from studies.demo import seed_marks
from studies.models import Jury, Offering, SemesterResult
from studies.services.juries import jury_close, jury_publish, jury_reopen
from studies.services.sessions import semester_dates, session_book, session_cancel

pytestmark = pytest.mark.django_db

SEMESTER_1 = 'data-testid="semester-1"'


@pytest.fixture
def school(make_user):
    lecturer = make_user("lecturer")
    coordinator = make_user("coordinator")
    programme = seed_curriculum(organisations=seed_partners(), lecturers=[lecturer])
    cohort, _ = seed_students(count=3, cohort_slug="promo-cache", programme=programme)
    students = list(cohort.students.select_related("user").order_by("registration_number"))
    return {"cohort": cohort, "coordinator": coordinator, "students": students}


def page(student: Student) -> str:
    client = Client()
    client.force_login(student.user)
    response = client.get(reverse("studies:my_programme"))
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_a_publication_shows_at_once_on_a_page_already_cached(school):
    student = school["students"][0]
    assert gettext("No result has been published yet.") in page(student)
    assert gettext("No result has been published yet.") in page(student)  # now from the cache

    seed_marks(cohort=school["cohort"], coordinator=school["coordinator"])  # S1 published
    assert SEMESTER_1 in page(student)

    jury = Jury.objects.get(cohort=school["cohort"], semester=1)
    jury_reopen(jury=jury, actor=school["coordinator"], reason="Erreur de saisie")
    reopened = page(student)
    assert SEMESTER_1 not in reopened
    assert gettext("No result has been published yet.") in reopened

    jury.refresh_from_db()
    jury_close(jury=jury, actor=school["coordinator"])
    jury_publish(jury=jury, actor=school["coordinator"])
    assert SEMESTER_1 in page(student)


def test_each_student_reads_their_own_transcript(school):
    seed_marks(cohort=school["cohort"], coordinator=school["coordinator"])
    pages = [page(student) for student in school["students"]]
    for student, text in zip(school["students"], pages, strict=True):
        (result,) = SemesterResult.objects.filter(
            student=student, jury__status=Jury.Status.PUBLISHED
        )
        with translation.override("fr"):
            average = formats.localize(result.average)
        assert f"{average}/20" in text
        record = selectors.student_results(student)
        assert (
            gettext("%(earned)s of %(total)s credits earned")
            % {"earned": record["earned"], "total": record["total"]}
            in text
        )
    keys = set()
    for student in school["students"]:
        annotated = selectors.programme_student(user=student.user)
        assert annotated is not None
        keys.add(results_cache.results_fragment(annotated).key)
    assert len(keys) == len(school["students"])


def test_a_publication_renders_each_transcript_ahead_in_the_students_language(
    school, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    arabic = school["students"][1]
    arabic.user.preferred_language = "ar"
    arabic.user.save(update_fields=["preferred_language"])
    cache.clear()
    with django_capture_on_commit_callbacks(execute=True):
        seed_marks(cohort=school["cohort"], coordinator=school["coordinator"])
    headings = set()
    for student in school["students"]:
        annotated = selectors.programme_student(user=student.user)
        assert annotated is not None
        language = student.user.preferred_language or "fr"
        with translation.override(language):
            kept = cache.get(results_cache.results_fragment(annotated).key)
            heading = gettext("Transcript so far")
        assert kept is not None, student
        assert SEMESTER_1 in kept
        assert heading in html.unescape(kept)
        headings.add(heading)
    assert len(headings) == 2  # French for two, Arabic for the third
    # The first visit reads the transcript from the cache: no query of the results.
    client = Client()
    client.force_login(school["students"][0].user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("studies:my_programme")).status_code == 200
    table = SemesterResult._meta.db_table
    assert not [q for q in queries.captured_queries if f'FROM "{table}"' in q["sql"]]


def test_the_timetable_is_the_students_group(school):
    first, second, _third = school["students"]
    Student.objects.filter(pk=first.pk).update(group="A")
    Student.objects.filter(pk=second.pk).update(group="B")
    seed_marks(cohort=school["cohort"], coordinator=school["coordinator"])  # opens S1 and S2
    start = timezone.now() + dt.timedelta(days=2)
    offering = next(
        o
        for o in Offering.objects.filter(cohort=school["cohort"]).order_by("pk")
        if (window := semester_dates(o)) is not None and window[0] <= start.date() <= window[1]
    )
    for group, hour in (("A", 9), ("B", 14)):
        at = start.replace(hour=hour, minute=0, second=0, microsecond=0)
        session_book(
            offering=offering,
            actor=school["coordinator"],
            kind="lecture",
            starts_at=at,
            ends_at=at + dt.timedelta(hours=2),
            group=group,
        )
    with translation.override("fr"):
        nine = formats.date_format(
            timezone.localtime(start.replace(hour=9, minute=0, second=0, microsecond=0)),
            "SHORT_DATETIME_FORMAT",
        )
        two = formats.date_format(
            timezone.localtime(start.replace(hour=14, minute=0, second=0, microsecond=0)),
            "SHORT_DATETIME_FORMAT",
        )
    page_a = page(first)
    page_b = page(second)
    assert nine in page_a
    assert two not in page_a
    assert two in page_b
    assert nine not in page_b


def test_a_session_cancelled_leaves_the_cached_timetable_at_once(
    school, django_capture_on_commit_callbacks
):
    student = school["students"][0]
    seed_marks(cohort=school["cohort"], coordinator=school["coordinator"])
    start = (timezone.now() + dt.timedelta(days=2)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    offering = next(
        o
        for o in Offering.objects.filter(cohort=school["cohort"]).order_by("pk")
        if (window := semester_dates(o)) is not None and window[0] <= start.date() <= window[1]
    )
    with django_capture_on_commit_callbacks(execute=True):
        session = session_book(
            offering=offering,
            actor=school["coordinator"],
            kind="lecture",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
        )
    with translation.override("fr"):
        when = formats.date_format(timezone.localtime(start), "SHORT_DATETIME_FORMAT")
    assert when in page(student)
    assert when in page(student)  # from the cache
    with django_capture_on_commit_callbacks(execute=True):
        session_cancel(session=session, actor=school["coordinator"], reason="Grève")
    assert when not in page(student)
