"""The deposit that confirms an accepted offer: invoiced to the student alone, due
``FeeSchedule.deposit_days`` after the acceptance (or after the day it is issued, if later);
unpaid past that day, the seat is released to the waiting list through enrollment's seat
lock, and a credit note takes the unpaid deposit off the student's balance.

The deposit is a charge of its own, on top of the tuition: when the institute deducts it
from the tuition, finance grants an adjustment on the first instalment.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.access import AnyUser
from enrollment import locks
from enrollment.models import Cohort, Student
from enrollment.services.decisions import seat_release
from finance import selectors
from finance.models import (
    ZERO,
    Allocation,
    CreditNote,
    FeeSchedule,
    Invoice,
    InvoiceLine,
    MoneyEvent,
)
from finance.services.common import event_values, require_finance, take_numbers
from finance.services.locks import lock_invoice, lock_lines

logger = logging.getLogger(__name__)

#: The line of a deposit invoice, as printed (in French, like the instalments' labels).
DEPOSIT_LABEL = "Acompte de confirmation de la place — {number}"


def deposit_due_on(*, accepted_on: dt.date | None, issued_on: dt.date, days: int) -> dt.date:
    """``days`` after the acceptance, or after the day of issue if that is later (an
    invoice issued late still gives the whole time to pay)."""
    start = max(accepted_on, issued_on) if accepted_on else issued_on
    return start + dt.timedelta(days=days)


def deposit_invoices_issue(
    *, actor: AnyUser, cohort: Cohort, students: list[Student] | None = None
) -> list[Invoice]:
    """One deposit invoice per accepted student of the cohort without one (``students``: only
    these): the student pays it alone, whoever sponsors the tuition. A student already
    invoiced is skipped, so issuing twice issues nothing more."""
    user = require_finance(actor)
    schedule = FeeSchedule.objects.filter(cohort=cohort).first()
    if schedule is None or schedule.deposit is None or schedule.deposit_days is None:
        raise ValidationError(
            {
                "students": _("The fee schedule of %(cohort)s asks for no deposit.")
                % {"cohort": cohort}
            }
        )
    if students is not None:
        strangers = [s.registration_number for s in students if s.cohort_id != cohort.pk]
        if strangers:
            raise ValidationError(
                {
                    "students": _("Not in the cohort %(cohort)s: %(students)s.")
                    % {"cohort": cohort, "students": ", ".join(strangers)}
                }
            )
        if not students:
            raise ValidationError({"students": _("Choose the students to invoice.")})
    with transaction.atomic():
        # The cohort's row serialises two finance users issuing its deposits.
        locks.lock_cohort(cohort.pk)
        candidates = selectors.deposit_candidates(cohort=cohort)
        if students is not None:
            candidates = candidates.filter(pk__in=[s.pk for s in students])
        chosen = list(candidates)
        if not chosen:
            return []
        now = timezone.now()
        today = timezone.localdate(now)
        numbers = take_numbers("FAC", len(chosen))
        invoices = [
            Invoice(
                number=number, cohort=cohort, payer_student=student, issued_at=now, issued_by=user
            )
            for number, student in zip(numbers, chosen, strict=True)
        ]
        Invoice.objects.bulk_create(invoices)
        lines = []
        for invoice, student in zip(invoices, chosen, strict=True):
            offer = getattr(student.application, "offer", None)
            answered = offer.answered_at if offer is not None else None
            lines.append(
                InvoiceLine(
                    invoice=invoice,
                    kind=InvoiceLine.Kind.DEPOSIT,
                    student=student,
                    amount=schedule.deposit,
                    label=DEPOSIT_LABEL.format(number=student.registration_number),
                    due_on=deposit_due_on(
                        accepted_on=timezone.localdate(answered) if answered else None,
                        issued_on=today,
                        days=schedule.deposit_days,
                    ),
                )
            )
        InvoiceLine.objects.bulk_create(lines)
        MoneyEvent.objects.bulk_create(
            MoneyEvent(
                kind=MoneyEvent.Kind.INVOICE,
                actor=user,
                invoice=invoice,
                student=line.student,
                before={},
                after=event_values(
                    number=invoice.number,
                    total=line.amount,
                    kind=InvoiceLine.Kind.DEPOSIT.value,
                    due_on=line.due_on.isoformat(),
                ),
            )
            for invoice, line in zip(invoices, lines, strict=True)
        )
    return invoices


def deposit_release(*, line_id: int, today: dt.date | None = None) -> bool:
    """Release the seat of a deposit unpaid past its due date: the student withdrawn and the
    seat offered to the next waiting (``enrollment.services.decisions.seat_release``), a
    credit note for what is left of the deposit (so the balance owes nothing for a seat
    given back), and a ``seat_released`` money event. False, and nothing done, when the
    deposit is paid, not yet due, or the seat already released.

    A payment arriving at the same moment queues on the student's row: either it is
    recorded first and the deposit is paid (the seat kept), or the seat is released first
    and the payment, finding nothing left on the deposit, is kept as the payer's credit."""
    today = today or timezone.localdate()
    line = InvoiceLine.objects.select_related("invoice").get(pk=line_id, kind="deposit")
    assert line.student_id is not None
    cohort_id, application_id = (
        Student.objects.filter(pk=line.student_id).values_list("cohort_id", "application_id").get()
    )
    with transaction.atomic():
        # enrollment's order (cohort → application → student), then finance's (payer →
        # invoice → lines): the student's row is the payer's.
        locks.lock_cohort(cohort_id)
        if application_id is not None:
            locks.lock_application(application_id)
        status_before = locks.lock_student(line.student_id).status  # the payer's row
        invoice = lock_invoice(line.invoice_id)
        lock_lines(InvoiceLine.objects.filter(invoice=invoice))
        left = selectors.line_left(line.pk)
        if left <= 0 or line.due_on >= today:
            return False
        released = seat_release(
            student_id=line.student_id,
            code="deposit_unpaid",
            params={"due_on": line.due_on.isoformat()},
        )
        if not released:
            return False
        with translation.override(settings.LANGUAGE_CODE):
            reason = _("Deposit not paid by %(due_on)s: the seat is released.") % {
                "due_on": line.due_on.strftime("%d/%m/%Y")
            }
        # Issued without anyone acting, in the name of who issued the deposit invoice.
        note = CreditNote.objects.create(
            number=take_numbers("AVO", 1)[0],
            invoice=invoice,
            amount=left,
            reason=reason,
            issued_at=timezone.now(),
            issued_by_id=invoice.issued_by_id,
        )
        Allocation.objects.create(line=line, credit_note=note, amount=left)
        MoneyEvent.objects.bulk_create(
            [
                MoneyEvent(
                    kind=MoneyEvent.Kind.CREDIT_NOTE,
                    actor=None,
                    invoice=invoice,
                    student_id=line.student_id,
                    before=event_values(left=left),
                    after=event_values(left=ZERO, number=note.number),
                    why=reason,
                ),
                MoneyEvent(
                    kind=MoneyEvent.Kind.SEAT_RELEASED,
                    actor=None,
                    invoice=invoice,
                    student_id=line.student_id,
                    before=event_values(student_status=status_before, deposit_left=left),
                    after=event_values(
                        student_status=Student.Status.WITHDRAWN.value,
                        deposit_left=ZERO,
                        credit_note=note.number,
                    ),
                    why=reason,
                ),
            ]
        )
    return True


def deposits_release_unpaid(*, today: dt.date | None = None) -> int:
    """Periodic: release the seat of every deposit unpaid past its due date; a deposit that
    cannot be released (its application is no longer an accepted offer) is logged and left
    for finance."""
    released = 0
    for line_id in selectors.deposits_unpaid_past_due(today=today):
        try:
            released += deposit_release(line_id=line_id, today=today)
        except ValidationError as exc:
            logger.warning("deposit line %s: seat not released: %s", line_id, exc.messages)
    return released
