"""The identity a document prints is never blank (academic-rules.md §3): a student whose
names, birth or nationality are missing, too long to print or in the wrong script is not
eligible, with what is wrong in words; the coordination completes it from the student's
page, and the student becomes eligible."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _

from certificates import services
from certificates.demo import seed_issuer
from certificates.models import Kind
from core.scripts_check import is_arabic, is_latin
from enrollment.models import ApplicantProfile, Student
from enrollment.services.profiles import identity_complete
from tests.helpers import logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _issuer(db):
    seed_issuer()


def first(cohort) -> Student:
    return Student.objects.filter(cohort=cohort).select_related("user").order_by("pk")[0]


def verdict(cohort, student: Student, kind: str = Kind.ENROLLMENT):
    return next(
        v for v in services.eligible_list(cohort=cohort, kind=kind) if v.student.pk == student.pk
    )


def reason_missing(*labels: str) -> str:
    return _("missing: %(fields)s") % {"fields": ", ".join(labels)}


def identity_url(student: Student) -> str:
    return reverse("studies:student_identity", args=[student.cohort.slug, student.pk])


# --- The script checker -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "latin", "arabic"),
    [
        ("Benali", True, False),
        ("Aït-Saïd", True, False),
        ("O'Neil", True, False),
        ("Bordj Bou Arréridj", True, False),
        ("بن علي", False, True),
        ("مُحَمَّد", False, True),  # with its vowel marks
        ("عبد الله", False, True),
        ("Benali2", False, False),
        ("Ali محمد", False, False),
        ("Ali.", False, False),
        ("", False, False),
        (" - ' ", False, False),
        ("Дмитрий", False, False),
    ],
)
def test_the_script_checker(text, latin, arabic):
    assert (is_latin(text), is_arabic(text)) == (latin, arabic)


# --- Eligibility ------------------------------------------------------------------------------
def test_a_complete_identity_is_eligible(cohort):
    assert all(v.ok for v in services.eligible_list(cohort=cohort, kind=Kind.ENROLLMENT))


def test_missing_fields_are_listed_in_words(cohort):
    student = first(cohort)
    ApplicantProfile.objects.filter(user=student.user).update(surname_ar="", birth_place_ar="")
    result = verdict(cohort, student)
    assert not result.ok
    assert result.reason == reason_missing(_("Arabic surname"), _("birth place (Arabic)"))
    others = list(services.eligible_list(cohort=cohort, kind=Kind.ENROLLMENT))
    assert sum(v.ok for v in others) == 2


def test_birth_and_nationality_are_required(cohort):
    student = first(cohort)
    ApplicantProfile.objects.filter(user=student.user).update(
        birth_date=None,
        birth_date_presumed=False,
        nationality=ApplicantProfile.Nationality.OTHER,
        nationality_other="",
    )
    assert verdict(cohort, student).reason == reason_missing(
        _("date of birth (or presumed year)"), _("nationality")
    )
    ApplicantProfile.objects.filter(user=student.user).update(
        birth_date_presumed=True, birth_year=1990, nationality_other="Tunisienne"
    )
    assert verdict(cohort, student).ok  # « né(e) présumé(e) en 1990 »


def test_a_student_without_a_profile_misses_everything(cohort):
    student = first(cohort)
    ApplicantProfile.objects.filter(user=student.user).delete()
    reason = verdict(cohort, student).reason
    assert reason.startswith(reason_missing(_("Latin surname"), _("Latin given names")))
    assert _("nationality") in reason


def test_a_name_in_the_wrong_script_is_refused(cohort):
    student = first(cohort)
    ApplicantProfile.objects.filter(user=student.user).update(
        surname_latin="بن علي", given_names_ar="Amina"
    )
    assert verdict(cohort, student).reason == "; ".join(
        [
            _("%(field)s: Latin letters only") % {"field": _("Latin surname")},
            _("%(field)s: Arabic letters only") % {"field": _("Arabic given names")},
        ]
    )


def test_a_name_longer_than_the_document_prints_is_refused(cohort):
    student = first(cohort)
    ApplicantProfile.objects.filter(user=student.user).update(given_names_latin="Amina " * 25)
    assert verdict(cohort, student, Kind.TRANSCRIPT).reason.endswith(
        _("%(field)s: longer than %(max)d characters, more than the document prints")
        % {"field": _("Latin given names"), "max": 100}
    )


def test_every_kind_checks_the_identity_and_says_both_reasons(cohort):
    student = first(cohort)
    ApplicantProfile.objects.filter(user=student.user).update(surname_ar="")
    reason = verdict(cohort, student, Kind.TRANSCRIPT).reason
    assert reason == _("choose a semester") + "; " + reason_missing(_("Arabic surname"))


def test_a_student_asking_is_told_what_is_missing(cohort):
    student = first(cohort)
    ApplicantProfile.objects.filter(user=student.user).update(birth_place_latin="")
    response = logged_in(student.user).post(
        reverse("certificates:mine"), {"kind": "enrollment"}, follow=True
    )
    assert escape(reason_missing(_("birth place (Latin)"))) in response.content.decode()
    assert not student.certificates.exists()


# --- Completed by the coordination ------------------------------------------------------------
def identity_form(**changes: object) -> dict[str, object]:
    return {
        "surname_latin": "Benali",
        "given_names_latin": "Amina",
        "surname_ar": "بن علي",
        "given_names_ar": "أمينة",
        "birth_date": "1994-03-12",
        "birth_year": "",
        "birth_place_latin": "Béjaïa",
        "birth_place_ar": "بجاية",
        "nationality": "DZ",
        "nationality_other": "",
        **changes,
    }


def test_the_cohort_page_links_each_student_to_their_identity(cohort, coordinator):
    html = logged_in(coordinator).get(reverse("studies:cohort", args=[cohort.slug])).content
    for student in cohort.students.all():
        assert identity_url(student) in html.decode()


def test_the_coordination_completes_the_identity_and_the_student_becomes_eligible(
    cohort, coordinator
):
    student = first(cohort)
    ApplicantProfile.objects.filter(user=student.user).update(
        surname_ar="", given_names_ar="", birth_place_ar="", birth_date=None, birth_year=None
    )
    assert not verdict(cohort, student).ok
    client = logged_in(coordinator)
    page = client.get(identity_url(student))
    assert page.status_code == 200
    assert 'data-testid="identity-problems"' in page.content.decode()

    response = client.post(identity_url(student), identity_form())
    assert response.status_code == 302
    profile = ApplicantProfile.objects.get(user=student.user)
    assert (profile.surname_ar, profile.birth_place_ar, profile.birth_year) == (
        "بن علي",
        "بجاية",
        1994,
    )
    assert verdict(cohort, student).ok


def test_the_identity_page_refuses_with_a_message_by_each_field(cohort, coordinator):
    student = first(cohort)
    before = ApplicantProfile.objects.get(user=student.user)
    client = logged_in(coordinator)
    response = client.post(
        identity_url(student),
        identity_form(
            surname_latin="بن علي",
            given_names_ar="Amina",
            birth_place_ar="",
            given_names_latin="A" * 120,
        ),
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["surname_latin"] == [
        _("Use Latin letters only (spaces, hyphens and apostrophes allowed).")
    ]
    assert errors["given_names_ar"] == [
        _("Use Arabic letters only (spaces, hyphens and apostrophes allowed).")
    ]
    assert errors["birth_place_ar"] == [_("Required: the documents print it.")]
    assert errors["given_names_latin"] == [
        _("At most %(max)d characters: the documents print no more.") % {"max": 100}
    ]
    after = ApplicantProfile.objects.get(user=student.user)
    assert (after.surname_latin, after.given_names_ar) == (
        before.surname_latin,
        before.given_names_ar,
    )


def test_a_200_character_name_is_refused_and_nothing_is_saved(cohort, coordinator):
    student = first(cohort)
    before = ApplicantProfile.objects.get(user=student.user).surname_latin
    response = logged_in(coordinator).post(
        identity_url(student), identity_form(surname_latin="B" * 200)
    )
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["surname_latin"]
    assert ApplicantProfile.objects.get(user=student.user).surname_latin == before


def test_a_presumed_year_is_given_without_a_date(cohort, coordinator):
    student = first(cohort)
    client = logged_in(coordinator)
    both = client.post(
        identity_url(student),
        identity_form(birth_date_presumed="on", birth_year="1990", birth_date="1990-01-01"),
    )
    assert both.status_code == 400
    assert list(both.context["form"].errors) == ["birth_date"]
    year_only = client.post(
        identity_url(student),
        identity_form(birth_date_presumed="on", birth_year="1990", birth_date=""),
    )
    assert year_only.status_code == 302
    profile = ApplicantProfile.objects.get(user=student.user)
    assert (profile.birth_date, profile.birth_year, profile.birth_date_presumed) == (
        None,
        1990,
        True,
    )
    assert verdict(cohort, student).ok


@pytest.mark.parametrize("role", ["student", "lecturer"])
def test_only_the_coordination_edits_an_identity(cohort, make_user, role):
    student = first(cohort)
    other = logged_in(student.user if role == "student" else make_user(role))
    assert other.get(identity_url(student)).status_code == 403
    assert other.post(identity_url(student), identity_form(surname_latin="X")).status_code == 403
    with pytest.raises(PermissionDenied):  # the service refuses too
        identity_complete(
            profile=ApplicantProfile.objects.get(user=student.user),
            actor=student.user,
            data={"surname_latin": "X"},
        )
    assert ApplicantProfile.objects.get(user=student.user).surname_latin != "X"


def test_a_student_of_another_cohort_is_not_found_there(cohort, coordinator):
    student = first(cohort)
    url = reverse("studies:student_identity", args=["another-cohort", student.pk])
    assert logged_in(coordinator).get(url).status_code == 404
