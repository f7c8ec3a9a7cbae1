"""Sponsorships confirmed by finance: what an applicant declared (the organisation, its share,
the consent to show it attendance and results), or one finance adds."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.access import AnyUser
from enrollment.models import Cohort, Student
from finance.models import Sponsorship
from finance.services.common import require_finance
from finance.services.schedules import sponsorship_confirm
from partners.models import Organisation


def sponsorship_confirm_for_cohort(
    *,
    actor: AnyUser,
    cohort: Cohort,
    student: Student,
    organisation: Organisation | None,
    share: Decimal | None,
) -> Sponsorship:
    """Confirm an organisation's share of the fees of a student of ``cohort``: the one the
    application declared (finance chooses the organisation in the partners' list when the
    applicant typed a name) or one finance adds. The sponsor may see the student's
    attendance and published results only if the application consented to it."""
    require_finance(actor)
    if student.cohort_id != cohort.pk:
        raise ValidationError(
            {
                "student": _("%(student)s is not a student of %(cohort)s.")
                % {"student": student.registration_number, "cohort": cohort}
            }
        )
    if organisation is None:
        raise ValidationError({"organisation": _("Choose the organisation in the partners' list.")})
    if share is None:
        raise ValidationError({"share": _("Give the organisation's share, in percent.")})
    application = student.application
    consent = bool(application is not None and application.sponsor_consent)
    return sponsorship_confirm(
        actor=actor,
        student=student,
        organisation=organisation,
        share=share,
        shares_progress=consent,
    )
