"""The demo data's dates hold together: every call for applications opens and closes before
its cohort starts, and an attestation dated today certifies the academic year of today."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from certificates.models import Certificate, Kind
from curriculum.demo import seed_curriculum
from enrollment.demo import academic_year_of, cohort_start_in, seed_admissions
from enrollment.models import Cohort, Intake
from partners.demo import seed_partners

pytestmark = pytest.mark.django_db


def _starts_at(cohort: Cohort) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(cohort.start_date, dt.time.min))


def _holds(academic_year: str, day: dt.date) -> bool:
    first, second = (int(year) for year in academic_year.split("-"))
    assert second == first + 1, academic_year
    return dt.date(first, 9, 1) <= day <= dt.date(second, 8, 31)


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (dt.date(2026, 12, 1), 2026),
        (dt.date(2027, 1, 15), 2026),
        (dt.date(2027, 8, 31), 2026),
        (dt.date(2027, 9, 1), 2027),
    ],
)
def test_an_algerian_academic_year_runs_from_september_to_august(day, year):
    assert academic_year_of(day) == year


def test_a_demo_cohort_starts_on_the_first_sunday_of_october():
    assert cohort_start_in(2025) == dt.date(2025, 10, 5)
    assert cohort_start_in(2026) == dt.date(2026, 10, 4)
    assert cohort_start_in(2028) == dt.date(2028, 10, 1)  # 1 October 2028 is a Sunday


def test_every_demo_intake_closes_before_its_cohort_starts_and_the_student_is_certified_this_year(
    settings,
):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    # A fresh database: every kind of document is issued, none skipped.
    assert "skipped" not in out.getvalue()
    assert set(Certificate.objects.values_list("kind", flat=True)) == set(Kind.values)
    intakes = list(Intake.objects.select_related("cohort"))
    assert intakes, "the demo has no call for applications"
    for intake in intakes:
        assert intake.opens_at < intake.closes_at < _starts_at(intake.cohort), intake.slug

    today = timezone.localdate()
    attestation = Certificate.objects.get(
        kind=Kind.ENROLLMENT, holder__user__email="student@demo.tema-wtc.dz"
    )
    assert attestation.snapshot["issued_on"] == today.isoformat()
    assert _holds(attestation.snapshot["academic_year"], today), attestation.snapshot
    assert attestation.holder is not None
    assert attestation.holder.cohort.start_date.year == academic_year_of(today)


def test_an_intake_seeded_late_in_august_still_closes_before_its_cohort_starts():
    # On 25 August the usual 60 days would run to late October, past the cohort's start.
    programme = seed_curriculum(organisations=seed_partners(), lecturers=[])
    late_august = dt.datetime(2027, 8, 25, 10, 0, tzinfo=timezone.get_current_timezone())
    intake = seed_admissions(
        programme=programme, coordinator=None, reviewer=None, applicant=None, now=late_august
    )
    assert intake.cohort.start_date == dt.date(2027, 10, 3)
    assert intake.opens_at < late_august < intake.closes_at < _starts_at(intake.cohort)


def test_a_database_seeded_in_an_earlier_academic_year_is_seeded_again_for_this_one():
    """make run keeps var/: the demo applicants of last year's call apply to this year's."""
    programme = seed_curriculum(organisations=seed_partners(), lecturers=[])
    coordinator = User.objects.create(email="coordination@example.dz", is_coordinator=True)
    reviewer = User.objects.create(email="lecturer@example.dz", is_lecturer=True)
    old = seed_admissions(
        programme=programme, coordinator=coordinator, reviewer=reviewer, applicant=None
    )
    # As if it had been seeded a year ago: last year's call had last year's name.
    Intake.objects.filter(pk=old.pk).update(slug="appel-de-l-an-dernier")
    Cohort.objects.filter(pk=old.cohort_id).update(slug="promotion-de-l-an-dernier")
    new = seed_admissions(
        programme=programme, coordinator=coordinator, reviewer=reviewer, applicant=None
    )
    assert (new.pk, new.cohort_id) != (old.pk, old.cohort_id)
    assert new.applications.count() == old.applications.count() > 0
    assert set(new.applications.values_list("applicant", flat=True)) == set(
        old.applications.values_list("applicant", flat=True)
    )
