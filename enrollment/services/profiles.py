from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.access import Role, has_role
from accounts.models import User
from core.scripts_check import is_arabic, is_latin
from enrollment.models import ApplicantProfile, Education, Experience, Intake


def profile_get_or_create(*, user: User) -> ApplicantProfile:
    profile, _created = ApplicantProfile.objects.get_or_create(user=user)
    return profile


@transaction.atomic
def profile_save(
    *, profile: ApplicantProfile, consent: bool, intake: Intake | None = None
) -> ApplicantProfile:
    """Save what the applicant typed, refused field by field unless ``profile_errors`` finds
    nothing wrong (with ``intake``: the age its call accepts) and the model agrees."""
    if consent and profile.consent_at is None:
        profile.consent_at = timezone.now()
    if not consent:
        profile.consent_at = None
    if profile.birth_date is not None:
        profile.birth_year = profile.birth_date.year
    _refuse_unless_valid(profile, profile_errors(profile, intake=intake))
    profile.save()
    return profile


@transaction.atomic
def education_save(*, education: Education) -> Education:
    _refuse_unless_valid(education, education_errors(_values(education, EDUCATION_CHECKED)))
    education.save()
    return education


@transaction.atomic
def experience_save(*, experience: Experience) -> Experience:
    _refuse_unless_valid(experience, experience_errors(_values(experience, EXPERIENCE_CHECKED)))
    experience.save()
    return experience


def _refuse_unless_valid(instance: models.Model, errors: dict[str, list[str]]) -> None:
    """Raise the rules' ``errors`` together with the model's own checks of the other fields
    (a field the rules refused is not checked again, so no field gets the same fault twice)."""
    try:
        instance.full_clean(exclude=list(errors))
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def education_delete(*, education: Education) -> None:
    education.delete()


@transaction.atomic
def experience_delete(*, experience: Experience) -> None:
    experience.delete()


@dataclass(frozen=True)
class ProfileCheck:
    """Why a profile is not complete yet: the labels of what is ``missing``, and what is
    ``invalid`` as (label, message) pairs. Complete only when both are empty."""

    missing: list[str]
    invalid: list[tuple[str, str]]


def profile_check(profile: ApplicantProfile, *, intake: Intake | None = None) -> ProfileCheck:
    """What is missing from the profile and what in it breaks the rules of entry (the same
    ``*_errors`` functions the forms use), degrees and jobs included; with ``intake``, the
    age its call accepts too."""
    missing = []
    for field in (
        "surname_latin",
        "given_names_latin",
        "surname_ar",
        "given_names_ar",
        "birth_place_latin",
        "birth_place_ar",
        "phone",
        "address",
        "wilaya",
        "sector",
    ):
        if not getattr(profile, field):
            missing.append(_label(field))
    if profile.birth_date is None and not (profile.birth_date_presumed and profile.birth_year):
        missing.append(_("date of birth (or the presumed year)"))
    if profile.nationality == ApplicantProfile.Nationality.ALGERIAN and not profile.nin:
        missing.append(_label("nin"))
    if profile.nationality == ApplicantProfile.Nationality.OTHER and not profile.nationality_other:
        missing.append(_label("nationality_other"))
    if profile.consent_at is None:
        missing.append(_("consent to the processing of personal data"))
    education = list(profile.education.all())
    if not education:
        missing.append(_("at least one degree"))
    invalid = [
        (_label(field), message)
        for field, messages in profile_errors(profile, intake=intake).items()
        for message in messages
    ]
    for degree in education:
        for messages in education_errors(_values(degree, EDUCATION_CHECKED)).values():
            invalid.extend((str(degree), message) for message in messages)
    for job in profile.experience.all():
        for messages in experience_errors(_values(job, EXPERIENCE_CHECKED)).values():
            invalid.extend((str(job), message) for message in messages)
    return ProfileCheck(missing=missing, invalid=invalid)


def profile_missing(profile: ApplicantProfile, *, intake: Intake | None = None) -> list[str]:
    """What still prevents the profile from being complete, in the reader's words: what is
    missing, then what must be corrected."""
    check = profile_check(profile, intake=intake)
    return [
        *check.missing,
        *(
            _("%(field)s: %(error)s") % {"field": label, "error": error}
            for label, error in check.invalid
        ),
    ]


def _label(field: str) -> str:
    return str(getattr(ApplicantProfile._meta.get_field(field), "verbose_name", field))


# --- The identity the documents print (academic-rules.md §3) --------------------------------
#: The identity fields a coordinator completes from a student's page.
IDENTITY_FIELDS = (
    "surname_latin",
    "given_names_latin",
    "surname_ar",
    "given_names_ar",
    "birth_date",
    "birth_date_presumed",
    "birth_year",
    "birth_place_latin",
    "birth_place_ar",
    "nationality",
    "nationality_other",
)
#: The longest a name or a place may be to fit its line of a document.
IDENTITY_PRINTED_MAX = 100
LATIN_FIELDS = ("surname_latin", "given_names_latin", "birth_place_latin")
ARABIC_FIELDS = ("surname_ar", "given_names_ar", "birth_place_ar")


# --- The rules of entry: what the applicant may type -----------------------------------------
# One truth for the profile, degree and job forms and for the services behind them (so the
# submit page never calls "complete" what a form would refuse). Each ``*_errors`` function
# takes the values typed (a form's cleaned data, or a saved row's) and returns the messages
# per field; an empty or absent value is not an error here: it is missing, which
# ``profile_check`` reports, since a draft may be saved half filled.
#: The longest an address may be.
ADDRESS_MAX = 300
#: What a degree's average is out of (the Algerian scale).
AVERAGE_SCALE = Decimal(20)
PROFILE_CHECKED = (
    *LATIN_FIELDS,
    *ARABIC_FIELDS,
    "address",
    "birth_date",
    "birth_date_presumed",
    "birth_year",
)
EDUCATION_CHECKED = ("year", "average")
EXPERIENCE_CHECKED = ("start", "end")


def _values(instance: models.Model, fields: tuple[str, ...]) -> dict[str, Any]:
    return {field: getattr(instance, field) for field in fields}


def _name_problem(field: str, value: str) -> str | None:
    """``too_long``, ``latin`` or ``arabic`` when ``value`` (not empty) cannot be the name or
    place ``field`` holds; None when it can."""
    if len(value) > IDENTITY_PRINTED_MAX:
        return "too_long"
    if field in LATIN_FIELDS and not is_latin(value):
        return "latin"
    if field in ARABIC_FIELDS and not is_arabic(value):
        return "arabic"
    return None


def _name_message(code: str) -> str:
    if code == "too_long":
        return _("At most %(max)d characters: the documents print no more.") % {
            "max": IDENTITY_PRINTED_MAX
        }
    if code == "latin":
        return _("Use Latin letters only (spaces, hyphens and apostrophes allowed).")
    return _("Use Arabic letters only (spaces, hyphens and apostrophes allowed).")


def age_on(born: dt.date, day: dt.date) -> int:
    """Full years from ``born`` to ``day`` (someone born on 29 February is a year older on
    1 March)."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def identity_errors(
    values: Mapping[str, Any], *, intake: Intake | None = None
) -> dict[str, list[str]]:
    """What is wrong with the identity typed: each name and birth place in its own script
    (``is_latin`` / ``is_arabic``) and at most ``IDENTITY_PRINTED_MAX`` characters, the
    address at most ``ADDRESS_MAX``, a date of birth left empty when only the presumed year is
    known, and — with ``intake`` — an age within its bounds when the call opens: from the date
    of birth, or (only the presumed year known) the age reached in the year it opens. A date
    or year in the future is the model's to refuse."""
    errors: dict[str, list[str]] = {}
    for field in (*LATIN_FIELDS, *ARABIC_FIELDS):
        value = (values.get(field) or "").strip()
        code = _name_problem(field, value) if value else None
        if code:
            errors[field] = [_name_message(code)]
    if len(values.get("address") or "") > ADDRESS_MAX:
        errors["address"] = [
            _("At most %(max)d characters for the address.") % {"max": ADDRESS_MAX}
        ]
    born, presumed, year = (
        values.get("birth_date"),
        values.get("birth_date_presumed"),
        values.get("birth_year"),
    )
    today = timezone.localdate()
    if presumed and born is not None:
        errors["birth_date"] = [_("Leave the date empty when only the presumed year is known.")]
    elif intake is not None:
        opening = timezone.localdate(intake.opens_at)
        bounds = {"min": intake.min_age, "max": intake.max_age}
        if born is not None and born < today:
            age = age_on(born, opening)
            if not intake.min_age <= age <= intake.max_age:
                errors["birth_date"] = [
                    _(
                        "This date gives an age of %(age)d on %(date)s, when the call opens; "
                        "it is open to applicants aged %(min)d to %(max)d."
                    )
                    % {"age": age, "date": formats.date_format(opening), **bounds}
                ]
        elif born is None and presumed and year and year <= today.year:
            age = opening.year - year
            if not intake.min_age <= age <= intake.max_age:
                errors["birth_year"] = [
                    _(
                        "This year gives an age of %(age)d in %(year)d, when the call opens; "
                        "it is open to applicants aged %(min)d to %(max)d."
                    )
                    % {"age": age, "year": opening.year, **bounds}
                ]
    return errors


def profile_errors(
    profile: ApplicantProfile, *, intake: Intake | None = None
) -> dict[str, list[str]]:
    """``identity_errors`` of a profile as it stands."""
    return identity_errors(_values(profile, PROFILE_CHECKED), intake=intake)


def education_errors(values: Mapping[str, Any]) -> dict[str, list[str]]:
    """A degree is obtained this year at the latest, its average within 0–20."""
    errors: dict[str, list[str]] = {}
    year, average = values.get("year"), values.get("average")
    if year is not None and year > timezone.localdate().year:
        errors["year"] = [
            _("A degree cannot be obtained in the future: give the year it was awarded.")
        ]
    if average is not None and not 0 <= average <= AVERAGE_SCALE:
        errors["average"] = [
            _("The average is out of %(scale)d: between 0 and %(scale)d.")
            % {"scale": AVERAGE_SCALE}
        ]
    return errors


def experience_errors(values: Mapping[str, Any]) -> dict[str, list[str]]:
    """A job started by today, ended by today (or goes on: no end) and not before it started."""
    errors: dict[str, list[str]] = {}
    start, end = values.get("start"), values.get("end")
    today = timezone.localdate()
    if start is not None and start > today:
        errors["start"] = [_("A job cannot start in the future.")]
    if end is not None and end > today:
        errors["end"] = [_("A job cannot end in the future: leave the end empty if it goes on.")]
    elif start is not None and end is not None and end < start:
        errors["end"] = [_("A job cannot end before it starts.")]
    return errors


@dataclass(frozen=True)
class IdentityProblem:
    """Why one field of the identity cannot be printed: ``missing``, ``too_long``, or
    written in the wrong script (``latin``: Latin letters expected, ``arabic``: Arabic)."""

    field: str
    code: str
    label: str


def _identity_labels() -> dict[str, str]:
    return {
        "surname_latin": _("Latin surname"),
        "given_names_latin": _("Latin given names"),
        "surname_ar": _("Arabic surname"),
        "given_names_ar": _("Arabic given names"),
        "birth_date": _("date of birth (or presumed year)"),
        "birth_place_latin": _("birth place (Latin)"),
        "birth_place_ar": _("birth place (Arabic)"),
        "nationality_other": _("nationality"),
    }


def identity_problems(profile: ApplicantProfile | None) -> list[IdentityProblem]:
    """What keeps the identity from being printed on a document, field by field: each name
    and the birth place in Latin and in Arabic script (at most 100 characters each), the date
    of birth or the presumed year, and the nationality. No profile: everything is missing."""
    labels = _identity_labels()
    if profile is None:
        return [IdentityProblem(field, "missing", label) for field, label in labels.items()]
    problems = []
    for field in (*LATIN_FIELDS, *ARABIC_FIELDS):
        value = (getattr(profile, field) or "").strip()
        code = _name_problem(field, value) if value else "missing"
        if code:
            problems.append(IdentityProblem(field, code, labels[field]))
    if profile.birth_date is None and not (profile.birth_date_presumed and profile.birth_year):
        problems.append(IdentityProblem("birth_date", "missing", labels["birth_date"]))
    if (
        profile.nationality != ApplicantProfile.Nationality.ALGERIAN
        and not profile.nationality_other.strip()
    ):
        problems.append(
            IdentityProblem("nationality_other", "missing", labels["nationality_other"])
        )
    order = list(labels)
    return sorted(problems, key=lambda p: order.index(p.field))


def _identity_message(problem: IdentityProblem) -> str:
    if problem.code != "missing":
        return _name_message(problem.code)
    if problem.field == "birth_date":
        return _("Give the date of birth, or tick “presumed” and give the year.")
    return _("Required: the documents print it.")


@transaction.atomic
def identity_complete(
    *, profile: ApplicantProfile, actor: User, data: dict[str, Any]
) -> ApplicantProfile:
    """The coordination completes or corrects the identity a student's documents print: the
    fields of ``IDENTITY_FIELDS`` taken from ``data``; refused, with a message per field,
    unless the whole identity can then be printed."""
    if not has_role(actor, Role.COORDINATOR):
        raise PermissionDenied
    for field in IDENTITY_FIELDS:
        if field in data:
            value = data[field]
            setattr(profile, field, value.strip() if isinstance(value, str) else value)
    errors: dict[str, list[str]] = {}
    if profile.birth_date_presumed and profile.birth_date is not None:
        errors["birth_date"] = [_("Leave the date empty when only the presumed year is known.")]
    elif profile.birth_date is not None:
        profile.birth_year = profile.birth_date.year
    if profile.nationality == ApplicantProfile.Nationality.ALGERIAN:
        profile.nationality_other = ""
    for problem in identity_problems(profile):
        errors.setdefault(problem.field, []).append(_identity_message(problem))
    if errors:
        raise ValidationError(errors)
    others = [f.name for f in ApplicantProfile._meta.fields if f.name not in IDENTITY_FIELDS]
    profile.full_clean(exclude=others)
    profile.save()
    return profile
