"""Fee schedules, instalment plans, sponsorships and adjustments."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import AnyUser
from core.numbers import amount_text
from enrollment import locks
from enrollment.models import Cohort, Student
from finance.models import (
    ZERO,
    Adjustment,
    FeeSchedule,
    Instalment,
    InvoiceLine,
    MoneyEvent,
    Sponsorship,
)
from finance.services.common import event, event_values, money, require_finance
from partners.models import Organisation

HUNDRED = Decimal("100")


@dataclass(frozen=True)
class PlannedInstalment:
    label_fr: str
    amount: Decimal
    due_date: dt.date
    label_ar: str = ""
    label_en: str = ""


def schedule_set(
    *,
    actor: AnyUser,
    cohort: Cohort,
    tuition_per_year: Decimal,
    application_fee: Decimal | None = None,
    deposit: Decimal | None = None,
    deposit_days: int | None = None,
) -> FeeSchedule:
    user = require_finance(actor)
    tuition = money(tuition_per_year, field="tuition_per_year")
    fee = money(application_fee, field="application_fee") if application_fee is not None else None
    deposit_amount = money(deposit, field="deposit") if deposit is not None else None
    if (deposit_amount is None) != (deposit_days is None) or (
        deposit_days is not None and deposit_days < 1
    ):
        raise ValidationError(
            {"deposit_days": _("A deposit needs a reply deadline of at least one day.")}
        )
    with transaction.atomic():
        locks.lock_cohort(cohort.pk)
        schedule = FeeSchedule.objects.filter(cohort=cohort).first()
        before = {} if schedule is None else _schedule_values(schedule)
        schedule = schedule or FeeSchedule(cohort=cohort)
        schedule.tuition_per_year = tuition
        schedule.application_fee = fee
        schedule.deposit = deposit_amount
        schedule.deposit_days = deposit_days
        schedule.full_clean()
        schedule.save()
        event(
            MoneyEvent.Kind.SCHEDULE,
            actor=user,
            before=before,
            after=_schedule_values(schedule),
            why=cohort.slug,
        )
    return schedule


def _schedule_values(schedule: FeeSchedule) -> dict[str, object]:
    return event_values(
        tuition_per_year=schedule.tuition_per_year,
        application_fee=schedule.application_fee,
        deposit=schedule.deposit,
        deposit_days=schedule.deposit_days,
    )


def instalments_plan(
    *, actor: AnyUser, schedule: FeeSchedule, year: int, instalments: list[PlannedInstalment]
) -> list[Instalment]:
    """The instalments of one academic year, replacing its plan while nothing of it is
    invoiced; they add up to the tuition of the year."""
    user = require_finance(actor)
    if not instalments:
        raise ValidationError({"instalments": _("Give at least one instalment.")})
    amounts = [money(i.amount, field="instalments") for i in instalments]
    if sum(amounts) != schedule.tuition_per_year:
        raise ValidationError(
            {
                "instalments": _(
                    "The instalments add up to %(total)s DZD; the tuition of a year is "
                    "%(tuition)s DZD."
                )
                % {
                    "total": amount_text(sum(amounts, ZERO)),
                    "tuition": amount_text(schedule.tuition_per_year),
                }
            }
        )
    with transaction.atomic():
        locks.lock_cohort(schedule.cohort_id)
        existing = Instalment.objects.filter(schedule=schedule, year=year)
        if InvoiceLine.objects.filter(instalment__in=existing).exists():
            raise ValidationError(
                {"instalments": _("This year is already invoiced: its plan cannot change.")}
            )
        before = {str(i.position): str(i.amount) for i in existing}
        existing.delete()
        created = [
            Instalment(
                schedule=schedule,
                year=year,
                position=position,
                label_fr=planned.label_fr,
                label_ar=planned.label_ar,
                label_en=planned.label_en,
                amount=amount,
                due_date=planned.due_date,
            )
            for position, (planned, amount) in enumerate(zip(instalments, amounts, strict=True), 1)
        ]
        for instalment in created:
            instalment.full_clean()
        Instalment.objects.bulk_create(created)
        event(
            MoneyEvent.Kind.INSTALMENTS,
            actor=user,
            before=before,
            after={str(i.position): str(i.amount) for i in created},
            why=f"{schedule.cohort.slug} {year}",
        )
    return created


def sponsorship_confirm(
    *,
    actor: AnyUser,
    student: Student,
    organisation: Organisation,
    share: Decimal,
    shares_progress: bool | None = None,
) -> Sponsorship:
    """Record (or change) and confirm an organisation's share of a student's fees; the
    shares of a student add up to 100 % at most. ``shares_progress``: the participant's
    consent to show the sponsor attendance and results (None keeps what is recorded)."""
    user = require_finance(actor)
    try:
        share = Decimal(str(share))
    except ArithmeticError:
        raise ValidationError({"share": _("Enter a percentage.")}) from None
    if (
        not share.is_finite()
        or not 0 < share <= HUNDRED
        or share != share.quantize(Decimal("0.01"))
    ):
        raise ValidationError(
            {"share": _("The share is a percentage above 0 and up to 100, two decimals at most.")}
        )
    with transaction.atomic():
        locks.lock_student(student.pk)
        others = Sponsorship.objects.filter(student=student).exclude(organisation=organisation)
        if sum(s.share for s in others) + share > HUNDRED:
            raise ValidationError(
                {"share": _("The sponsors' shares of this student would exceed 100 %.")}
            )
        sponsorship = Sponsorship.objects.filter(student=student, organisation=organisation).first()
        before = {} if sponsorship is None else event_values(share=sponsorship.share)
        sponsorship = sponsorship or Sponsorship(student=student, organisation=organisation)
        sponsorship.share = share
        if shares_progress is not None:
            sponsorship.shares_progress = shares_progress
        sponsorship.confirmed_by = user
        sponsorship.confirmed_at = timezone.now()
        sponsorship.full_clean()
        sponsorship.save()
        event(
            MoneyEvent.Kind.SPONSORSHIP,
            actor=user,
            student=student,
            organisation=organisation,
            before=before,
            after=event_values(share=share, shares_progress=sponsorship.shares_progress),
        )
    return sponsorship


def adjustment_grant(
    *,
    actor: AnyUser,
    student: Student,
    instalment: Instalment,
    kind: str,
    reason: str,
    approver_name: str,
    amount: Decimal | None = None,
    percent: Decimal | None = None,
) -> Adjustment:
    """A discount, scholarship or waiver on an instalment not yet invoiced to the student
    (after that, a correction is a credit note)."""
    user = require_finance(actor)
    if (amount is None) == (percent is None):
        raise ValidationError({"amount": _("Give either an amount or a percentage.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why.")})
    if not approver_name.strip():
        raise ValidationError({"approver_name": _("Name the person who approved it.")})
    is_amount = amount is not None
    value = money(amount if is_amount else percent, field="amount" if is_amount else "percent")  # type: ignore[arg-type]
    if not is_amount and value > HUNDRED:
        raise ValidationError({"percent": _("A percentage is 100 at most.")})
    if student.cohort_id != instalment.schedule.cohort_id:
        raise ValidationError(
            {"student": _("This student is not in the cohort of this instalment.")}
        )
    adjustment = Adjustment(
        student=student,
        instalment=instalment,
        kind=kind,
        amount=value if is_amount else None,
        percent=None if is_amount else value,
        reason=reason.strip(),
        approver_name=approver_name.strip(),
        approved_by=user,
    )
    with transaction.atomic():
        locks.lock_student(student.pk)
        if InvoiceLine.objects.filter(student=student, instalment=instalment).exists():
            raise ValidationError(
                {
                    "instalment": _(
                        "This instalment is already invoiced: issue a credit note instead."
                    )
                }
            )
        granted = list(Adjustment.objects.filter(student=student, instalment=instalment))
        if adjustment_reduction(instalment, [*granted, adjustment]) > instalment.amount:
            raise ValidationError(
                {"amount": _("The adjustments would exceed the amount of the instalment.")}
            )
        adjustment.full_clean()
        adjustment.save()
        event(
            MoneyEvent.Kind.ADJUSTMENT,
            actor=user,
            student=student,
            before={},
            after=event_values(kind=kind, amount=adjustment.amount, percent=adjustment.percent),
            why=f"{adjustment.reason} ({adjustment.approver_name})",
        )
    return adjustment


def adjustment_reduction(instalment: Instalment, adjustments: list[Adjustment]) -> Decimal:
    """How much the adjustments take off the instalment, to the centime."""
    total = Decimal("0.00")
    for adjustment in adjustments:
        if adjustment.amount is not None:
            total += adjustment.amount
        elif adjustment.percent is not None:
            total += (instalment.amount * adjustment.percent / HUNDRED).quantize(Decimal("0.01"))
    return total
