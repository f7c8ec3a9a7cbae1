"""The application fee: invoiced to the applicant (their application is the payer, since
they are not a student yet), due ``APPLICATION_FEE_DAYS`` days after the invoice is issued.

Why a fixed delay rather than the intake's closing date: finance often invoices once the
files are in, when the call may be closed already; a fixed delay gives every applicant the
same time to pay, whenever they applied.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import AnyUser
from enrollment import locks
from enrollment.models import Application, Intake
from finance import selectors
from finance.models import FeeSchedule, Invoice, InvoiceLine, MoneyEvent
from finance.services.common import event_values, require_finance, take_numbers

#: Days an applicant has to pay the application fee, from the day it is invoiced.
APPLICATION_FEE_DAYS = 15
#: The line of an application fee invoice, as printed (in French, like the instalments').
APPLICATION_FEE_LABEL = "Frais de dossier de candidature — {number}"


def application_fee_invoices_issue(
    *, actor: AnyUser, intake: Intake, applications: list[Application] | None = None
) -> list[Invoice]:
    """One invoice per submitted application of the intake without an application fee line
    (``applications``: only these), to the applicant. An application already invoiced is
    skipped, so issuing twice issues nothing more."""
    user = require_finance(actor)
    schedule = FeeSchedule.objects.filter(cohort_id=intake.cohort_id).first()
    if schedule is None or schedule.application_fee is None:
        raise ValidationError(
            {
                "applications": _("The fee schedule of %(cohort)s has no application fee.")
                % {"cohort": intake.cohort}
            }
        )
    if applications is not None:
        strangers = [a.number for a in applications if a.intake_id != intake.pk]
        if strangers:
            raise ValidationError(
                {
                    "applications": _("Not applications to %(intake)s: %(numbers)s.")
                    % {"intake": intake, "numbers": ", ".join(strangers)}
                }
            )
        if not applications:
            raise ValidationError({"applications": _("Choose the applications to invoice.")})
    with transaction.atomic():
        # The cohort's row serialises two finance users invoicing the same intake.
        locks.lock_cohort(intake.cohort_id)
        candidates = selectors.application_fee_candidates(intake=intake)
        if applications is not None:
            candidates = candidates.filter(pk__in=[a.pk for a in applications])
        chosen = list(candidates)
        if not chosen:
            return []
        now = timezone.now()
        due_on = timezone.localdate(now) + dt.timedelta(days=APPLICATION_FEE_DAYS)
        numbers = take_numbers("FAC", len(chosen))
        invoices = [
            Invoice(
                number=number,
                cohort_id=intake.cohort_id,
                payer_application=application,
                issued_at=now,
                issued_by=user,
            )
            for number, application in zip(numbers, chosen, strict=True)
        ]
        Invoice.objects.bulk_create(invoices)
        InvoiceLine.objects.bulk_create(
            InvoiceLine(
                invoice=invoice,
                kind=InvoiceLine.Kind.APPLICATION_FEE,
                application=application,
                amount=schedule.application_fee,
                label=APPLICATION_FEE_LABEL.format(number=application.number),
                due_on=due_on,
            )
            for invoice, application in zip(invoices, chosen, strict=True)
        )
        MoneyEvent.objects.bulk_create(
            MoneyEvent(
                kind=MoneyEvent.Kind.INVOICE,
                actor=user,
                invoice=invoice,
                before={},
                after=event_values(
                    number=invoice.number,
                    total=schedule.application_fee,
                    kind=InvoiceLine.Kind.APPLICATION_FEE.value,
                    application=application.number,
                    due_on=due_on.isoformat(),
                ),
            )
            for invoice, application in zip(invoices, chosen, strict=True)
        )
    return invoices
