"""The cached parts of "My programme", the page every student opens on results day (#16).

Three parts cost most of the page: the published transcript, the timetable to come and the
modules with their lecturers. Each is rendered once and kept (core/fragments.py), keyed on
what its content depends on:

- the transcript: per student and language, and the cohort's last jury event
  (``selectors.results_stamp``) — every close, reopen and publication writes one, so the
  results published change only with it and a kept transcript is never out of date. When a
  jury publishes, the worker renders each student's transcript ahead (``results_warm``), so
  the students who open the page on results day read it instead of computing it;
- the timetable: per cohort group and language, one minute (the sessions that end drop
  out), and dropped at once when a session of the cohort is booked, moved or cancelled;
- the modules: per cohort and language, five minutes (a lecturer assigned shows within them).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.safestring import SafeString

from accounts.models import User
from core.fragments import Fragment, fragments
from enrollment.models import Student
from studies import selectors
from studies.services import timetable

RESULTS_TIMEOUT = 24 * 3600
UPCOMING_TIMEOUT = 60
MODULES_TIMEOUT = 5 * 60


def results_fragment(student: Student, record: dict[str, Any] | None = None) -> Fragment:
    """``student`` carries ``results_stamp`` (``selectors.programme_student``)."""
    return Fragment(
        template="studies/_my_results.html",
        vary_on=(
            student.pk,
            student.results_stamp,  # type: ignore[attr-defined]
            student.cohort.programme.total_credits,
            translation.get_language(),
        ),
        context=lambda: {
            "student": student,
            "record": record if record is not None else selectors.student_results(student),
        },
        timeout=RESULTS_TIMEOUT,
    )


def programme_fragments(
    *, student: Student, user: User, request: HttpRequest | None = None
) -> dict[str, SafeString]:
    """The transcript, the modules and (when it is the cohort group's) the timetable."""
    language = translation.get_language()
    specs = {
        "results": results_fragment(student),
        "modules": Fragment(
            template="studies/_my_modules.html",
            vary_on=(student.cohort_id, language),
            context=lambda: {"offerings": selectors.taught_modules(cohort=student.cohort)},
            timeout=MODULES_TIMEOUT,
        ),
    }
    # A person's timetable is their cohort group's, unless they also teach or have another
    # active record (then it is read for them alone, below the cache).
    if (
        student.status == Student.Status.ACTIVE
        and not student.others_active  # type: ignore[attr-defined]
        and not user.is_lecturer
    ):
        specs["upcoming"] = _upcoming_fragment(
            cohort_pk=student.cohort_id, group=student.group, user=user
        )
    return fragments(specs, request=request)


def _upcoming_fragment(*, cohort_pk: int, group: str, user: User | None) -> Fragment:
    return Fragment(
        template="studies/_my_upcoming.html",
        vary_on=(cohort_pk, group, translation.get_language()),
        context=lambda: {
            "upcoming": timetable.upcoming_for(user, now=timezone.now()) if user else []
        },
        timeout=UPCOMING_TIMEOUT,
    )


def timetable_forget(*, cohort_pk: int) -> None:
    """Drops the cohort's cached timetables (each group's, in each language)."""
    groups = set(Student.objects.filter(cohort_id=cohort_pk).values_list("group", flat=True))
    keys = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            keys += [
                _upcoming_fragment(cohort_pk=cohort_pk, group=g, user=None).key
                for g in groups | {""}
            ]
    cache.delete_many(keys)


def results_warm(*, cohort_pk: int) -> int:
    """Renders the transcript of each active student of the cohort ahead, in their
    language, as "My programme" will ask for it. Returns the number of students."""
    students = list(
        Student.objects.filter(cohort_id=cohort_pk, status=Student.Status.ACTIVE)
        .select_related("cohort__programme", "user")
        .annotate(results_stamp=selectors.results_stamp())
        .order_by("pk")
    )
    records = selectors.students_results(students)
    for student in students:
        with translation.override(student.user.preferred_language or settings.LANGUAGE_CODE):
            fragments({"results": results_fragment(student, records[student.pk])})
    return len(students)
