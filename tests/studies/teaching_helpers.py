"""Shared by the tests of rooms, sessions and hours (#14): a cohort of four students in two
groups, its S1 of 2026-2027 delivered, rooms at TEMA, at the WTC and at a partner."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from curriculum.demo import seed_curriculum
from enrollment.demo import cohort_get_or_create, seed_students
from enrollment.models import Cohort, Student
from partners.demo import seed_partners
from studies.models import Offering, Room
from studies.services.marks import offerings_open
from tests.factories.partners import OrganisationFactory

YEAR = "2026-2027"


def at(day: str, hour: str) -> dt.datetime:
    """A moment on the clock of Algiers: at("2026-10-12", "09:30")."""
    return timezone.make_aware(dt.datetime.fromisoformat(f"{day}T{hour}"))


def make_cohort(slug: str, programme: Any, coordinator: Any) -> Cohort:
    cohort = cohort_get_or_create(slug=slug, programme=programme, start=dt.date(2026, 10, 4))
    seed_students(count=4, cohort_slug=slug, programme=programme)
    students = list(Student.objects.filter(cohort=cohort).order_by("registration_number"))
    for student, group in zip(students, ["A", "A", "B", "B"], strict=True):
        Student.objects.filter(pk=student.pk).update(group=group)
    offerings_open(cohort=cohort, semester=1, academic_year=YEAR, actor=coordinator)
    offerings_open(cohort=cohort, semester=2, academic_year=YEAR, actor=coordinator)
    return cohort


def make_teaching(make_user: Any) -> dict[str, Any]:
    lecturer = make_user("lecturer", first_name="Karim", last_name="Belkacemi")
    partner_lecturer = make_user("lecturer", first_name="Nadia", last_name="Haddad")
    coordinator = make_user("coordinator")
    programme = seed_curriculum(organisations=seed_partners(), lecturers=[lecturer])
    cohort = make_cohort("promo-teaching", programme, coordinator)
    partner = OrganisationFactory.create(acronym="CMP", name_fr="Cluster mécanique")
    rooms = {
        "tema": Room.objects.create(name="TEMA 101", site=Room.Site.TEMA, capacity=30),
        "wtc": Room.objects.create(
            name="Salle Atlas", site=Room.Site.WTC, capacity=3, address="Pins maritimes"
        ),
        "partner": Room.objects.create(
            name="Atelier 2", site=Room.Site.PARTNER, organisation=partner, capacity=1
        ),
    }
    return {
        "coordinator": coordinator,
        "lecturer": lecturer,
        "partner_lecturer": partner_lecturer,
        "programme": programme,
        "cohort": cohort,
        "partner": partner,
        "rooms": rooms,
        "students": list(cohort.students.select_related("user").order_by("registration_number")),
    }


def offering(cohort: Cohort, code: str) -> Offering:
    return Offering.objects.select_related("module", "cohort").get(cohort=cohort, module__code=code)
