from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext as _

from enrollment.models import Student
from tests.factories.accounts import UserFactory
from tests.factories.enrollment import CohortFactory
from tests.helpers import logged_in

pytestmark = pytest.mark.django_db

HEADER = "email,surname_latin,given_names_latin,surname_ar,given_names_ar,level,group"


@pytest.fixture
def coordinator(make_user) -> Client:
    return logged_in(make_user("coordinator"))


def upload(lines: list[str]) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "students.csv", ("\n".join([HEADER, *lines]) + "\n").encode(), content_type="text/csv"
    )


def test_a_coordinator_adds_a_student_by_hand(coordinator):
    cohort = CohortFactory.create()
    response = coordinator.post(
        reverse("studies:student_add", args=[cohort.slug]),
        {
            "email": "Participant@Example.dz",
            "surname_latin": "Ait Ali",
            "given_names_latin": "Kamel",
            "surname_ar": "آيت علي",
            "given_names_ar": "كمال",
            "level": "M1",
            "group": "FC-1",
        },
    )
    assert response.status_code == 302
    student = Student.objects.get(cohort=cohort)
    assert student.user.email == "participant@example.dz"
    assert student.user.is_student
    assert student.group == "FC-1"
    assert student.registration_number.startswith(f"MCRT-{cohort.year}-")
    again = coordinator.post(
        reverse("studies:student_add", args=[cohort.slug]),
        {
            "email": "participant@example.dz",
            "surname_latin": "X",
            "given_names_latin": "Y",
            "surname_ar": "س",
            "given_names_ar": "ع",
            "level": "M1",
        },
    )
    assert again.status_code == 400
    assert Student.objects.filter(cohort=cohort).count() == 1


def test_an_import_with_invalid_rows_lists_them_all_and_imports_nothing(coordinator):
    cohort = CohortFactory.create()
    lines = [
        "a@example.dz,Benali,Amina,بن علي,أمينة,M1,A",
        "pas-une-adresse,Haddad,Sofiane,حداد,سفيان,M1,A",
        "a@example.dz,Benali,Amina,بن علي,أمينة,M1,A",
        "c@example.dz,,Nadia,,نادية,M3,B",
    ]
    url = reverse("studies:student_import", args=[cohort.slug])
    response = coordinator.post(url, {"file": upload(lines)})
    assert response.status_code == 400
    html = response.content.decode()
    for line in (3, 4, 5):
        assert f"Ligne {line}" in html
    assert "Ligne 2" not in html
    assert not Student.objects.exists()


def test_a_valid_import_is_previewed_then_created_on_confirmation(coordinator):
    cohort = CohortFactory.create()
    url = reverse("studies:student_import", args=[cohort.slug])
    lines = [
        "a@example.dz,Benali,Amina,بن علي,أمينة,M1,A",
        "b@example.dz,Haddad,Sofiane,حداد,سفيان,m2,B",
    ]
    response = coordinator.post(url, {"file": upload(lines)})
    assert response.status_code == 200
    assert not Student.objects.exists()
    response = coordinator.post(url, {"confirm": "1"})
    assert response.status_code == 302
    assert sorted(Student.objects.values_list("level", flat=True)) == ["M1", "M2"]
    # The preview is used once.
    response = coordinator.post(url, {"confirm": "1"}, follow=True)
    assert Student.objects.count() == 2


def test_a_file_without_the_email_column_gets_a_message(coordinator):
    cohort = CohortFactory.create()
    bad = SimpleUploadedFile("s.csv", b"name,level\nX,M1\n", content_type="text/csv")
    response = coordinator.post(
        reverse("studies:student_import", args=[cohort.slug]), {"file": bad}
    )
    assert response.status_code == 400
    assert "email" in response.content.decode()


def test_a_coordinator_changes_a_students_status(coordinator, make_user):
    from enrollment.services.decisions import student_create

    cohort = CohortFactory.create()
    student = student_create(user=make_user(), cohort=cohort)
    coordinator.post(
        reverse("studies:student_status", args=[cohort.slug, student.pk]),
        {"status": "suspended", "reason": "Congé de maladie"},
    )
    student.refresh_from_db()
    assert student.status == "suspended"
    coordinator.post(
        reverse("studies:student_status", args=[cohort.slug, student.pk]),
        {"status": "emperor", "reason": "x"},
    )
    student.refresh_from_db()
    assert student.status == "suspended"


@pytest.mark.parametrize(
    ("row", "column", "rule"),
    [
        ("a@example.dz,بن علي,Amina,بن علي,أمينة,M1,A", "surname_latin", "latin"),
        ("a@example.dz,Benali,Amina2,بن علي,أمينة,M1,A", "given_names_latin", "latin"),
        ("a@example.dz,Benali,Amina,Benali,أمينة,M1,A", "surname_ar", "arabic"),
        (f"a@example.dz,Benali,Amina,بن علي,{'ن' * 101},M1,A", "given_names_ar", "too_long"),
    ],
)
def test_an_imported_or_added_name_follows_the_profiles_script_rules(row, column, rule):
    """The same rules as the applicant's profile: the documents print these names."""
    from django.core.exceptions import ValidationError

    from enrollment.services.students import check_rows, student_add

    messages = {
        "latin": _("Use Latin letters only (spaces, hyphens and apostrophes allowed)."),
        "arabic": _("Use Arabic letters only (spaces, hyphens and apostrophes allowed)."),
        "too_long": _("At most %(max)d characters: the documents print no more.") % {"max": 100},
    }

    cohort = CohortFactory.create()
    fields = ("email", "surname_latin", "given_names_latin", "surname_ar", "given_names_ar")
    record = dict(zip((*fields, "level", "group"), row.split(","), strict=True))
    preview = check_rows(cohort=cohort, records=[record])
    expected = _("%(column)s: %(problem)s") % {"column": column, "problem": messages[rule]}
    assert preview.errors == {2: [expected]}
    coordinator = UserFactory.create(is_coordinator=True)
    with pytest.raises(ValidationError):
        student_add(cohort=cohort, actor=coordinator, data=record)
    assert not Student.objects.exists()
