"""Validation at entry of the applicant's profile: each name in its script and length, an age
the intake accepts, degrees and jobs not in the future; each error on its own field and in the
summary at the top of the step; the service refuses the same (one truth), so the submit page
never calls an invalid profile complete."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from core.scripts_check import is_arabic, is_latin
from enrollment.models import ApplicantProfile, Application, Education, Experience, Intake
from enrollment.services.applications import (
    application_problems,
    application_start,
    application_submit,
)
from enrollment.services.profiles import (
    education_save,
    experience_save,
    profile_missing,
    profile_save,
)
from tests.factories.enrollment import IntakeFactory, ready_application
from tests.helpers import logged_in

pytestmark = pytest.mark.django_db

LATIN = _("Use Latin letters only (spaces, hyphens and apostrophes allowed).")
ARABIC = _("Use Arabic letters only (spaces, hyphens and apostrophes allowed).")


def too_long() -> str:
    return _("At most %(max)d characters: the documents print no more.") % {"max": 100}


def opening(intake: Intake) -> dt.date:
    return timezone.localdate(intake.opens_at)


def born_aged(intake: Intake, age: int) -> dt.date:
    """A date of birth that gives exactly ``age`` on the day the intake opens."""
    day = opening(intake)
    return dt.date(day.year - age, day.month, min(day.day, 28))


def age_message(intake: Intake, age: int) -> str:
    from django.utils import formats

    return _(
        "This date gives an age of %(age)d on %(date)s, when the call opens; "
        "it is open to applicants aged %(min)d to %(max)d."
    ) % {
        "age": age,
        "date": formats.date_format(opening(intake)),
        "min": intake.min_age,
        "max": intake.max_age,
    }


def year_message(intake: Intake, age: int) -> str:
    return _(
        "This year gives an age of %(age)d in %(year)d, when the call opens; "
        "it is open to applicants aged %(min)d to %(max)d."
    ) % {"age": age, "year": opening(intake).year, "min": intake.min_age, "max": intake.max_age}


NEXT_YEAR = timezone.localdate().year + 1


def profile_data(**overrides: str) -> dict[str, str]:
    data = {
        "surname_latin": "Aït-Saïd",
        "given_names_latin": "Sofiane",
        "surname_ar": "آيت سعيد",
        "given_names_ar": "سفيان",
        "birth_date": "1990-03-14",
        "birth_year": "",
        "birth_place_latin": "Bordj Bou Arréridj",
        "birth_place_ar": "برج بوعريريج",
        "nationality": "DZ",
        "nin": "119900000000000001",
        "phone": "0550 00 00 00",
        "address": "Cité 500 logements, Biskra",
        "wilaya": "Biskra",
        "sector": "agro_food",
        "consent": "on",
    }
    data.update(overrides)
    return data


def field_block(html: str, name: str) -> str:
    """The markup of one field of a step: from its wrapper to the next field's."""
    start = html.index(f'data-field="{name}"')
    end = html.find('data-field="', start + 1)
    return html[start : end if end != -1 else len(html)]


def summary(html: str) -> str:
    start = html.rindex("<div", 0, html.index('data-testid="error-summary"'))
    return html[start : html.index("</div>", start)]


def assert_shown_on(html: str, name: str, message: str) -> None:
    """The message is under the field's own input (after it, inside its block) and in the
    summary, as a link to that input."""
    block = field_block(html, name)
    field_id = f"id_{name}"
    assert escape(message) in block
    assert block.index(f'id="{field_id}"') < block.index(f'id="{field_id}_error"')
    assert 'aria-invalid="true"' in block
    top = summary(html)
    assert f'href="#{field_id}"' in top
    assert escape(message) in top


@pytest.fixture
def intake():
    return IntakeFactory.create()


@pytest.fixture
def applicant(make_user):
    return make_user()


@pytest.fixture
def draft(applicant, intake) -> Application:
    return application_start(applicant=applicant, intake=intake)


@pytest.fixture
def as_applicant(applicant) -> Client:
    return logged_in(applicant)


def step_url(application: Application, step: str) -> str:
    return reverse("enrollment:step", args=[application.number, step])


# --- The names: their script, digits, length -------------------------------------------------
NAME_CASES = [
    pytest.param("surname_latin", "بن علي", LATIN, id="arabic-in-latin-surname"),
    pytest.param("given_names_latin", "أمينة", LATIN, id="arabic-in-latin-given-names"),
    pytest.param("birth_place_latin", "سطيف", LATIN, id="arabic-in-latin-birth-place"),
    pytest.param("surname_ar", "Benali", ARABIC, id="latin-in-arabic-surname"),
    pytest.param("given_names_ar", "Amina", ARABIC, id="latin-in-arabic-given-names"),
    pytest.param("birth_place_ar", "Sétif", ARABIC, id="latin-in-arabic-birth-place"),
    pytest.param("surname_latin", "Benali2", LATIN, id="digit-in-latin"),
    pytest.param("given_names_ar", "أمينة ٢", ARABIC, id="arabic-indic-digit-in-arabic"),
    pytest.param("birth_place_ar", "سطيف 19", ARABIC, id="ascii-digits-in-arabic"),
    pytest.param("surname_latin", "B" * 101, None, id="101-latin-characters"),
    pytest.param("given_names_latin", "Amina " * 17, None, id="101-characters-of-given-names"),
    pytest.param("given_names_ar", "ب" * 101, None, id="101-arabic-characters"),
]


@pytest.mark.parametrize(("field", "value", "message"), NAME_CASES)
def test_a_name_outside_its_script_or_length_is_refused_on_its_field(
    as_applicant, draft, applicant, field, value, message
):
    message = message or too_long()
    response = as_applicant.post(step_url(draft, "profile"), profile_data(**{field: value}))
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    assert_shown_on(response.content.decode(), field, message)
    assert not ApplicantProfile.objects.get(user=applicant).surname_latin  # nothing saved


@pytest.mark.parametrize(("field", "value", "message"), NAME_CASES)
def test_the_service_refuses_the_same_names(applicant, intake, field, value, message):
    profile = ApplicantProfile(user=applicant, **{field: value})  # 101 characters fit no column
    with pytest.raises(ValidationError) as exc:
        profile_save(profile=profile, consent=True, intake=intake)
    assert exc.value.message_dict == {field: [message or too_long()]}
    assert not ApplicantProfile.objects.exists()


def test_names_in_their_scripts_with_accents_hyphens_and_apostrophes_are_saved(
    as_applicant, draft, applicant
):
    data = profile_data(surname_latin="N'Diaye-Ouédraogo", given_names_ar="عبد الله")
    response = as_applicant.post(step_url(draft, "profile"), data)
    assert response.status_code == 302
    profile = ApplicantProfile.objects.get(user=applicant)
    assert (profile.surname_latin, profile.given_names_ar) == ("N'Diaye-Ouédraogo", "عبد الله")


def test_exactly_100_characters_are_accepted(as_applicant, draft, applicant):
    response = as_applicant.post(step_url(draft, "profile"), profile_data(surname_latin="B" * 100))
    assert response.status_code == 302
    assert len(ApplicantProfile.objects.get(user=applicant).surname_latin) == 100


@pytest.mark.parametrize("text", ["Ali3", "Ali ٣", "Ali ۳", "Ali²", "علي ٣", "علي 3", "علي ۳"])
def test_the_script_checker_refuses_every_kind_of_digit(text):
    assert not is_latin(text)
    assert not is_arabic(text)


# --- The age the intake accepts --------------------------------------------------------------
@pytest.mark.parametrize("age", [6, 120])
def test_a_date_of_birth_out_of_the_intakes_ages_is_refused_under_the_date(
    as_applicant, draft, intake, applicant, age
):
    born = born_aged(intake, age)
    response = as_applicant.post(
        step_url(draft, "profile"), profile_data(birth_date=born.isoformat())
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["birth_date"] == [age_message(intake, age)]
    assert list(form.errors) == ["birth_date"]  # under the date, not another field
    assert_shown_on(response.content.decode(), "birth_date", age_message(intake, age))
    assert ApplicantProfile.objects.get(user=applicant).birth_date is None


@pytest.mark.parametrize("age", [6, 120])
def test_a_presumed_year_out_of_the_intakes_ages_is_refused_under_the_year(
    as_applicant, draft, intake, age
):
    year = opening(intake).year - age
    data = profile_data(birth_date="", birth_date_presumed="on", birth_year=str(year))
    response = as_applicant.post(step_url(draft, "profile"), data)
    assert response.status_code == 400
    assert response.context["form"].errors == {"birth_year": [year_message(intake, age)]}
    assert_shown_on(response.content.decode(), "birth_year", year_message(intake, age))


def test_the_intakes_own_bounds_are_the_ones_applied(as_applicant, draft, intake, applicant):
    intake.min_age, intake.max_age = 23, 40
    intake.save()
    too_young = as_applicant.post(
        step_url(draft, "profile"), profile_data(birth_date=born_aged(intake, 22).isoformat())
    )
    assert too_young.context["form"].errors["birth_date"] == [age_message(intake, 22)]
    youngest = as_applicant.post(
        step_url(draft, "profile"), profile_data(birth_date=born_aged(intake, 23).isoformat())
    )
    assert youngest.status_code == 302
    assert ApplicantProfile.objects.get(user=applicant).birth_date == born_aged(intake, 23)


@pytest.mark.parametrize("age", [6, 120])
def test_the_service_refuses_an_age_out_of_bounds(applicant, intake, age):
    profile = ApplicantProfile.objects.create(user=applicant, birth_date=born_aged(intake, age))
    with pytest.raises(ValidationError) as exc:
        profile_save(profile=profile, consent=True, intake=intake)
    assert exc.value.message_dict == {"birth_date": [age_message(intake, age)]}


def test_a_date_with_a_presumed_year_is_refused_on_the_date(as_applicant, draft):
    data = profile_data(birth_date="1990-01-01", birth_date_presumed="on", birth_year="1990")
    response = as_applicant.post(step_url(draft, "profile"), data)
    assert response.status_code == 400
    message = _("Leave the date empty when only the presumed year is known.")
    assert response.context["form"].errors == {"birth_date": [message]}


# --- Degrees and jobs ------------------------------------------------------------------------
def education_data(**overrides: str) -> dict[str, str]:
    data = {
        "section": "education",
        "edu-degree": "licence",
        "edu-field": "Sciences économiques",
        "edu-institution": "Université d'Alger 3",
        "edu-year": "2016",
        "edu-average": "13.40",
    }
    data.update(overrides)
    return data


def experience_data(**overrides: str) -> dict[str, str]:
    data = {
        "section": "experience",
        "exp-employer": "Cluster numérique d'Alger",
        "exp-position": "Chargée de projets",
        "exp-start": "2019-09-01",
        "exp-end": "2022-06-30",
        "exp-description": "",
    }
    data.update(overrides)
    return data


FUTURE_DEGREE = _("A degree cannot be obtained in the future: give the year it was awarded.")
AVERAGE = _("The average is out of %(scale)d: between 0 and %(scale)d.") % {"scale": 20}
FUTURE_START = _("A job cannot start in the future.")
FUTURE_END = _("A job cannot end in the future: leave the end empty if it goes on.")
END_BEFORE_START = _("A job cannot end before it starts.")

ITEM_CASES = [
    pytest.param(education_data(**{"edu-year": str(NEXT_YEAR)}), "edu-year", FUTURE_DEGREE,
                 id="degree-next-year"),
    pytest.param(education_data(**{"edu-average": "20.50"}), "edu-average", AVERAGE,
                 id="average-above-20"),
    pytest.param(experience_data(**{"exp-start": f"{NEXT_YEAR}-01-15", "exp-end": ""}),
                 "exp-start", FUTURE_START, id="job-starting-next-year"),
    pytest.param(experience_data(**{"exp-end": f"{NEXT_YEAR}-06-30"}), "exp-end", FUTURE_END,
                 id="job-ending-next-year"),
    pytest.param(experience_data(**{"exp-start": "2020-05-01", "exp-end": "2019-01-01"}),
                 "exp-end", END_BEFORE_START, id="job-ending-before-it-starts"),
]  # fmt: skip


@pytest.mark.parametrize(("data", "name", "message"), ITEM_CASES)
def test_a_degree_or_job_breaking_a_rule_is_refused_on_its_field(
    as_applicant, draft, applicant, data, name, message
):
    response = as_applicant.post(step_url(draft, "education"), data)
    assert response.status_code == 400
    form = response.context[f"{'education' if name.startswith('edu') else 'experience'}_form"]
    assert form.errors == {name.split("-", 1)[1]: [message]}
    assert_shown_on(response.content.decode(), name, message)
    profile = ApplicantProfile.objects.get(user=applicant)
    assert not profile.education.exists()
    assert not profile.experience.exists()


def test_a_degree_of_this_year_and_a_current_job_are_accepted(as_applicant, draft, applicant):
    this_year = str(timezone.localdate().year)
    today = timezone.localdate().isoformat()
    step = step_url(draft, "education")
    assert as_applicant.post(step, education_data(**{"edu-year": this_year})).status_code == 302
    assert (
        as_applicant.post(step, experience_data(**{"exp-start": today, "exp-end": ""})).status_code
        == 302
    )
    profile = ApplicantProfile.objects.get(user=applicant)
    assert profile.education.get().year == int(this_year)
    assert profile.experience.get().end is None


def test_the_services_refuse_future_degrees_and_jobs(applicant):
    profile = ApplicantProfile.objects.create(user=applicant)
    degree = Education(
        profile=profile, degree="licence", field="Droit", institution="Alger 1", year=NEXT_YEAR
    )
    with pytest.raises(ValidationError) as exc:
        education_save(education=degree)
    assert exc.value.message_dict == {"year": [FUTURE_DEGREE]}
    job = Experience(
        profile=profile, employer="ADC", position="Stagiaire", start=dt.date(NEXT_YEAR, 1, 15)
    )
    with pytest.raises(ValidationError) as exc:
        experience_save(experience=job)
    assert exc.value.message_dict == {"start": [FUTURE_START]}
    backwards = Experience(
        profile=profile,
        employer="ADC",
        position="Stagiaire",
        start=dt.date(2020, 5, 1),
        end=dt.date(2019, 1, 1),
    )
    with pytest.raises(ValidationError) as exc:
        experience_save(experience=backwards)
    assert exc.value.message_dict == {"end": [END_BEFORE_START]}  # once, on the end
    assert not Experience.objects.exists()
    assert not Education.objects.exists()


# --- The summary, the marks of required fields ----------------------------------------------
def test_the_summary_takes_the_focus_and_lists_every_error(as_applicant, draft):
    response = as_applicant.post(
        step_url(draft, "profile"), profile_data(surname_latin="بن علي", given_names_ar="Amina")
    )
    html = response.content.decode()
    top = summary(html)
    assert 'tabindex="-1"' in top
    assert "autofocus" in top
    assert top.count("<li>") == 2
    assert top.index('href="#id_surname_latin"') < top.index('href="#id_given_names_ar"')
    assert html.index('data-testid="error-summary"') < html.index('data-field="surname_latin"')
    assert '<script src="/static/js/error-summary.js" defer></script>' in html


def test_a_step_without_errors_has_no_summary(as_applicant, draft):
    html = as_applicant.get(step_url(draft, "profile")).content.decode()
    assert 'data-testid="error-summary"' not in html


@pytest.mark.parametrize(
    ("step", "name", "attribute"),
    [
        ("profile", "surname_latin", 'aria-required="true"'),
        ("profile", "given_names_ar", 'aria-required="true"'),
        ("profile", "birth_date", 'aria-required="true"'),
        ("profile", "consent", 'aria-required="true"'),
        ("education", "edu-year", "required"),
        ("education", "exp-start", "required"),
        ("motivation", "motivation", 'aria-required="true"'),
    ],
)
def test_required_fields_are_marked_on_every_step(as_applicant, draft, step, name, attribute):
    html = as_applicant.get(step_url(draft, step)).content.decode()
    block = field_block(html, name)
    assert 'class="required-mark"' in block
    assert attribute in block
    assert 'class="muted required-note"' in html


def test_an_optional_field_is_not_marked(as_applicant, draft):
    block = field_block(as_applicant.get(step_url(draft, "profile")).content.decode(), "birth_year")
    assert "required" not in block


def test_a_required_document_is_marked(as_applicant, draft):
    html = as_applicant.get(step_url(draft, "documents")).content.decode()
    cv = html[html.index('data-testid="requirement-cv"') :]
    assert 'class="required-mark"' in cv[: cv.index("</td>")]


# --- The submit page and the submission agree with the forms ---------------------------------
def _break_name(user, intake) -> None:
    ApplicantProfile.objects.filter(user=user).update(surname_latin="بن علي")


def _break_length(user, intake) -> None:
    ApplicantProfile.objects.filter(user=user).update(given_names_ar="ب" * 101)


def _break_age(user, intake) -> None:
    ApplicantProfile.objects.filter(user=user).update(birth_date=born_aged(intake, 6))


def _break_degree(user, intake) -> None:
    Education.objects.filter(profile__user=user).update(year=NEXT_YEAR)


def _break_job(user, intake) -> None:
    Experience.objects.create(
        profile=ApplicantProfile.objects.get(user=user),
        employer="ADC",
        position="Chargée de mission",
        start=dt.date(NEXT_YEAR, 1, 15),
    )


BREAKS = [
    pytest.param(_break_name, _("surname (Latin script)"), LATIN, id="arabic-in-latin"),
    pytest.param(_break_length, _("given names (Arabic script)"), None, id="101-characters"),
    pytest.param(_break_age, _("date of birth"), "age", id="age-6"),
    pytest.param(_break_degree, None, FUTURE_DEGREE, id="degree-next-year"),
    pytest.param(_break_job, None, FUTURE_START, id="job-starting-next-year"),
]


@pytest.mark.parametrize(("spoil", "label", "message"), BREAKS)
def test_an_invalid_profile_is_not_complete_and_cannot_be_submitted(
    applicant, intake, as_applicant, spoil, label, message
):
    application = ready_application(applicant, intake)
    assert application_problems(application) == []  # complete before
    spoil(applicant, intake)
    if message is None:
        message = too_long()
    elif message == "age":
        message = age_message(intake, 6)
    profile = ApplicantProfile.objects.get(user=applicant)
    missing = profile_missing(profile, intake=intake)
    assert len(missing) == 1
    assert missing[0].endswith(message)
    if label is not None:
        assert missing[0].startswith(label)
    [problem] = application_problems(application)
    assert problem.endswith(message)

    page = as_applicant.get(step_url(application, "submit")).content.decode()
    complete = _("Your application is complete. Once submitted it can no longer be changed.")
    assert escape(complete) not in page
    assert escape(problem) in page
    with pytest.raises(ValidationError) as exc:
        application_submit(application=application, actor=applicant)
    assert exc.value.messages == [problem]
    response = as_applicant.post(reverse("enrollment:submit", args=[application.number]))
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.DRAFT


def test_a_valid_profile_says_complete(applicant, intake, as_applicant):
    application = ready_application(applicant, intake)
    page = as_applicant.get(step_url(application, "submit")).content.decode()
    complete = _("Your application is complete. Once submitted it can no longer be changed.")
    assert escape(complete) in page


def test_the_average_scale_is_checked_for_a_saved_degree_too(applicant, intake):
    application = ready_application(applicant, intake)
    Education.objects.filter(profile__user=applicant).update(average=Decimal("25"))
    [problem] = application_problems(application)
    assert problem.endswith(AVERAGE)
