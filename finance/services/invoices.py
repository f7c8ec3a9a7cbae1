"""Invoices and credit notes: issued once, never edited; a correction is a credit note."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import AnyUser
from enrollment.models import Student
from finance import selectors
from finance.models import (
    ZERO,
    Adjustment,
    Allocation,
    CreditNote,
    Instalment,
    Invoice,
    InvoiceLine,
    MoneyEvent,
    Sponsorship,
)
from finance.services.common import event_values, money, require_finance, take_numbers
from finance.services.locks import lock_invoice, lock_lines, lock_payer
from finance.services.schedules import HUNDRED, adjustment_reduction
from partners.models import Organisation

CENT = Decimal("0.01")


def invoice_issue(
    *, actor: AnyUser, students: list[Student], instalments: list[Instalment]
) -> list[Invoice]:
    """Invoice the instalments to the students: each student's share on an invoice to the
    student, each sponsor's share on one invoice to the organisation grouping its students.
    A share already invoiced is skipped, so issuing twice issues nothing more."""
    user = require_finance(actor)
    students = list({s.pk: s for s in students}.values())
    if not students or not instalments:
        raise ValidationError({"students": _("Choose the students and the instalments.")})
    schedules = {i.schedule_id for i in instalments}
    if len(schedules) != 1:
        raise ValidationError(
            {"instalments": _("Invoice the instalments of one cohort at a time.")}
        )
    cohort = instalments[0].schedule.cohort
    strangers = [s.registration_number for s in students if s.cohort_id != cohort.pk]
    if strangers:
        raise ValidationError(
            {
                "students": _("Not in the cohort %(cohort)s: %(students)s.")
                % {"cohort": cohort, "students": ", ".join(strangers)}
            }
        )
    with transaction.atomic():
        # The instalments' rows serialise two finance users invoicing the same fees.
        locked = list(
            Instalment.objects.select_for_update(of=("self",))
            .filter(pk__in=[i.pk for i in instalments])
            .order_by("pk")
        )
        student_ids = [s.pk for s in students]
        sponsorships = defaultdict(list)
        for sponsorship in Sponsorship.objects.filter(student__in=student_ids).select_related(
            "organisation"
        ):
            if sponsorship.confirmed_at is None:
                raise ValidationError(
                    {
                        "students": _("The sponsorship of %(student)s is not confirmed yet.")
                        % {"student": sponsorship.student.registration_number}
                    }
                )
            sponsorships[sponsorship.student_id].append(sponsorship)
        done = set(
            InvoiceLine.objects.filter(student__in=student_ids, instalment__in=locked).values_list(
                "student_id", "instalment_id", "sponsor_id"
            )
        )
        adjustments = defaultdict(list)
        for adjustment in Adjustment.objects.filter(student__in=student_ids, instalment__in=locked):
            adjustments[adjustment.student_id, adjustment.instalment_id].append(adjustment)
        groups: dict[tuple[str, int], list[InvoiceLine]] = defaultdict(list)
        for student in sorted(students, key=lambda s: s.registration_number):
            for instalment in locked:
                due = instalment.amount - adjustment_reduction(
                    instalment, adjustments[student.pk, instalment.pk]
                )
                remaining = due
                for sponsorship in sponsorships[student.pk]:
                    part = (due * sponsorship.share / HUNDRED).quantize(CENT)
                    remaining -= part
                    key = (student.pk, instalment.pk, sponsorship.organisation_id)
                    if part > 0 and key not in done:
                        groups["o", sponsorship.organisation_id].append(
                            _line(student, instalment, part, sponsorship.organisation)
                        )
                if remaining > 0 and (student.pk, instalment.pk, None) not in done:
                    groups["s", student.pk].append(_line(student, instalment, remaining, None))
        if not groups:
            return []
        now = timezone.now()
        numbers = take_numbers("FAC", len(groups))
        invoices = [
            Invoice(
                number=number,
                cohort=cohort,
                payer_student_id=pk if kind == "s" else None,
                payer_organisation_id=pk if kind == "o" else None,
                issued_at=now,
                issued_by=user,
            )
            for number, (kind, pk) in zip(numbers, groups, strict=True)
        ]
        Invoice.objects.bulk_create(invoices)
        lines = []
        for invoice, group in zip(invoices, groups.values(), strict=True):
            for line in group:
                line.invoice = invoice
                lines.append(line)
        InvoiceLine.objects.bulk_create(lines)
        MoneyEvent.objects.bulk_create(
            MoneyEvent(
                kind=MoneyEvent.Kind.INVOICE,
                actor=user,
                invoice=invoice,
                student_id=invoice.payer_student_id,
                organisation_id=invoice.payer_organisation_id,
                before={},
                after=event_values(
                    number=invoice.number, total=sum((line.amount for line in group), ZERO)
                ),
            )
            for invoice, group in zip(invoices, groups.values(), strict=True)
        )
    return invoices


def _line(
    student: Student, instalment: Instalment, amount: Decimal, sponsor: Organisation | None
) -> InvoiceLine:
    label = f"{instalment.label_fr} — {student.registration_number}"
    if sponsor is not None:
        label = f"{label} ({sponsor})"
    return InvoiceLine(
        student=student,
        instalment=instalment,
        sponsor=sponsor,
        amount=amount,
        label=label[:250],
        due_on=instalment.due_date,
    )


def credit_note_issue(
    *, actor: AnyUser, invoice: Invoice, amount: Decimal, reason: str
) -> CreditNote:
    """Take ``amount`` off an invoice, at most what is left to pay on it; it settles the
    invoice's lines from the last one."""
    user = require_finance(actor)
    value = money(amount)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the invoice is corrected.")})
    with transaction.atomic():
        lock_payer(
            student_id=invoice.payer_student_id, organisation_id=invoice.payer_organisation_id
        )
        locked = lock_invoice(invoice.pk)
        lock_lines(InvoiceLine.objects.filter(invoice=locked))
        left = selectors.invoice_left(locked)
        if value > left:
            raise ValidationError(
                {
                    "amount": _("Only %(left)s DZD are left to pay on %(number)s.")
                    % {"left": left, "number": locked.number}
                }
            )
        note = CreditNote.objects.create(
            number=take_numbers("AVO", 1)[0],
            invoice=locked,
            amount=value,
            reason=reason.strip(),
            issued_at=timezone.now(),
            issued_by=user,
        )
        remaining = value
        open_lines = selectors.invoice_lines_open(locked.lines.all()).filter(open__gt=0)  # type: ignore[misc]
        allocations = []
        for line in open_lines.order_by("-pk"):
            part = min(remaining, line.open)  # type: ignore[attr-defined]
            allocations.append(Allocation(line=line, credit_note=note, amount=part))
            remaining -= part
            if remaining == 0:
                break
        Allocation.objects.bulk_create(allocations)
        MoneyEvent.objects.create(
            kind=MoneyEvent.Kind.CREDIT_NOTE,
            actor=user,
            invoice=locked,
            student_id=locked.payer_student_id,
            organisation_id=locked.payer_organisation_id,
            before=event_values(left=left),
            after=event_values(left=left - value, number=note.number),
            why=note.reason[:4000],
        )
    return note
