from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
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
