from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import Role, has_role
from accounts.models import User
from core.scripts_check import is_arabic, is_latin
from enrollment.models import ApplicantProfile, Education, Experience


def profile_get_or_create(*, user: User) -> ApplicantProfile:
    profile, _created = ApplicantProfile.objects.get_or_create(user=user)
    return profile


@transaction.atomic
def profile_save(*, profile: ApplicantProfile, consent: bool) -> ApplicantProfile:
    if consent and profile.consent_at is None:
        profile.consent_at = timezone.now()
    if not consent:
        profile.consent_at = None
    if profile.birth_date is not None:
        profile.birth_year = profile.birth_date.year
    profile.full_clean()
    profile.save()
    return profile


@transaction.atomic
def education_save(*, education: Education) -> Education:
    education.full_clean()
    education.save()
    return education


@transaction.atomic
def experience_save(*, experience: Experience) -> Experience:
    experience.full_clean()
    experience.save()
    return experience


@transaction.atomic
def education_delete(*, education: Education) -> None:
    education.delete()


@transaction.atomic
def experience_delete(*, experience: Experience) -> None:
    experience.delete()


def profile_missing(profile: ApplicantProfile) -> list[str]:
    """What still prevents the profile from being complete, in the reader's words."""
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
    if not profile.education.exists():
        missing.append(_("at least one degree"))
    return missing


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
        if not value:
            problems.append(IdentityProblem(field, "missing", labels[field]))
        elif len(value) > IDENTITY_PRINTED_MAX:
            problems.append(IdentityProblem(field, "too_long", labels[field]))
        elif field in LATIN_FIELDS and not is_latin(value):
            problems.append(IdentityProblem(field, "latin", labels[field]))
        elif field in ARABIC_FIELDS and not is_arabic(value):
            problems.append(IdentityProblem(field, "arabic", labels[field]))
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
    if problem.code == "too_long":
        return _("At most %(max)d characters: the documents print no more.") % {
            "max": IDENTITY_PRINTED_MAX
        }
    if problem.code == "latin":
        return _("Use Latin letters only (spaces, hyphens and apostrophes allowed).")
    if problem.code == "arabic":
        return _("Use Arabic letters only (spaces, hyphens and apostrophes allowed).")
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
