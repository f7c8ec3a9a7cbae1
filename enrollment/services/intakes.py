from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from enrollment.models import Cohort, DocumentRequirement, Intake


@transaction.atomic
def cohort_save(*, cohort: Cohort) -> Cohort:
    cohort.full_clean()
    cohort.save()
    return cohort


@transaction.atomic
def intake_save(*, intake: Intake) -> Intake:
    intake.full_clean()
    intake.save()
    return intake


@transaction.atomic
def requirement_save(*, requirement: DocumentRequirement) -> DocumentRequirement:
    requirement.full_clean()
    requirement.save()
    return requirement


@transaction.atomic
def requirement_delete(*, requirement: DocumentRequirement) -> None:
    if requirement.documents.exists():
        raise ValidationError(
            _("Applicants have already uploaded this document; make it optional instead.")
        )
    requirement.delete()
