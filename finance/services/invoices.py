"""Invoices and credit notes: issued once, never edited; a correction is a credit note."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import AnyUser
from enrollment.models import Cohort, Student
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
from finance.services.documents import credit_note_documented, invoices_documented
from finance.services.locks import lock_invoice, lock_lines, lock_payer
from finance.services.schedules import HUNDRED, adjustment_reduction
from partners.models import Organisation

CENT = Decimal("0.01")


@dataclass(frozen=True)
class SkippedShare:
    """A share left out because it is already invoiced (on invoice ``number``)."""

    student: Student
    instalment: Instalment
    sponsor: Organisation | None
    number: str

    @property
    def registration_number(self) -> str:
        return self.student.registration_number


@dataclass
class PlannedInvoice:
    """An invoice as it would be issued: its payer and its (unsaved) lines."""

    payer_student: Student | None
    payer_organisation: Organisation | None
    lines: list[InvoiceLine]

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)


@dataclass
class InvoicePlan:
    cohort: Cohort
    invoices: list[PlannedInvoice]
    skipped: list[SkippedShare]


class IssuedInvoices(list[Invoice]):
    """The invoices issued, in order, and the shares skipped because already invoiced."""

    def __init__(self, invoices: list[Invoice], skipped: list[SkippedShare]) -> None:
        super().__init__(invoices)
        self.skipped = skipped


def invoice_preview(
    *, actor: AnyUser, students: list[Student], instalments: list[Instalment]
) -> InvoicePlan:
    """What ``invoice_issue`` would issue now, with the same rules and errors, issuing
    nothing: the page shows it before finance confirms."""
    require_finance(actor)
    cohort, students = _checked(students, instalments)
    return _plan(cohort, students, sorted(instalments, key=lambda i: i.pk))


def invoice_issue(
    *, actor: AnyUser, students: list[Student], instalments: list[Instalment]
) -> IssuedInvoices:
    """Invoice the instalments to the students: each student's share on an invoice to the
    student, each sponsor's share on one invoice to the organisation grouping its students.
    A share already invoiced is skipped, so issuing twice issues nothing more."""
    user = require_finance(actor)
    cohort, students = _checked(students, instalments)
    with transaction.atomic():
        # The instalments' rows serialise two finance users invoicing the same fees.
        locked = list(
            Instalment.objects.select_for_update(of=("self",))
            .filter(pk__in=[i.pk for i in instalments])
            .order_by("pk")
        )
        plan = _plan(cohort, students, locked)
        if not plan.invoices:
            return IssuedInvoices([], plan.skipped)
        now = timezone.now()
        numbers = take_numbers("FAC", len(plan.invoices))
        invoices = [
            Invoice(
                number=number,
                cohort=cohort,
                payer_student=planned.payer_student,
                payer_organisation=planned.payer_organisation,
                issued_at=now,
                issued_by=user,
            )
            for number, planned in zip(numbers, plan.invoices, strict=True)
        ]
        Invoice.objects.bulk_create(invoices)
        lines = []
        for invoice, planned in zip(invoices, plan.invoices, strict=True):
            for line in planned.lines:
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
                after=event_values(number=invoice.number, total=planned.total),
            )
            for invoice, planned in zip(invoices, plan.invoices, strict=True)
        )
        invoices_documented(invoices)
    return IssuedInvoices(invoices, plan.skipped)


def _checked(
    students: list[Student], instalments: list[Instalment]
) -> tuple[Cohort, list[Student]]:
    """The cohort of the instalments and the students without repeats, or why not."""
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
    return cohort, students


def _plan(cohort: Cohort, students: list[Student], instalments: list[Instalment]) -> InvoicePlan:
    """The invoices the shares not yet invoiced make, per payer, and the shares skipped."""
    student_ids = [s.pk for s in students]
    sponsorships = defaultdict(list)
    for sponsorship in (
        Sponsorship.objects.filter(student__in=student_ids)
        .select_related("organisation", "student")
        .order_by("pk")
    ):
        if sponsorship.confirmed_at is None:
            raise ValidationError(
                {
                    "students": _("The sponsorship of %(student)s is not confirmed yet.")
                    % {"student": sponsorship.student.registration_number}
                }
            )
        sponsorships[sponsorship.student_id].append(sponsorship)
    done: dict[tuple[int | None, int | None, int | None], str] = {
        (student, instalment, sponsor): number
        for student, instalment, sponsor, number in InvoiceLine.objects.filter(
            student__in=student_ids, instalment__in=instalments
        ).values_list("student_id", "instalment_id", "sponsor_id", "invoice__number")
    }
    adjustments = defaultdict(list)
    for adjustment in Adjustment.objects.filter(
        student__in=student_ids, instalment__in=instalments
    ):
        adjustments[adjustment.student_id, adjustment.instalment_id].append(adjustment)
    groups: dict[tuple[str, int], PlannedInvoice] = {}
    skipped: list[SkippedShare] = []

    def share(
        student: Student, instalment: Instalment, amount: Decimal, sponsor: Organisation | None
    ) -> None:
        number = done.get((student.pk, instalment.pk, sponsor.pk if sponsor else None))
        if number is not None:
            skipped.append(SkippedShare(student, instalment, sponsor, number))
        elif amount > 0:
            key = ("o", sponsor.pk) if sponsor else ("s", student.pk)
            if key not in groups:
                groups[key] = PlannedInvoice(None if sponsor else student, sponsor, [])
            groups[key].lines.append(_line(student, instalment, amount, sponsor))

    for student in sorted(students, key=lambda s: s.registration_number):
        for instalment in instalments:
            due = instalment.amount - adjustment_reduction(
                instalment, adjustments[student.pk, instalment.pk]
            )
            remaining = due
            for sponsorship in sponsorships[student.pk]:
                part = (due * sponsorship.share / HUNDRED).quantize(CENT)
                remaining -= part
                share(student, instalment, part, sponsorship.organisation)
            share(student, instalment, remaining, None)
    return InvoicePlan(cohort, list(groups.values()), skipped)


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
            student_id=invoice.payer_student_id,
            organisation_id=invoice.payer_organisation_id,
            application_id=invoice.payer_application_id,
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
        credit_note_documented(note)
    return note
