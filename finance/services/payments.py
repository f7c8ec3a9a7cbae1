"""Payments recorded by finance, allocated to the payer's oldest open lines."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import AnyUser
from core.numbers import amount_text
from core.uploads import check_image, check_pdf, get_private_storage, random_name
from enrollment.models import Application, Student
from finance import selectors
from finance.models import ZERO, Allocation, InvoiceLine, MoneyEvent, Payment
from finance.services.common import event_values, money, require_finance
from finance.services.documents import payment_documented
from finance.services.locks import lock_lines, lock_payer
from partners.models import Organisation

MAX_PROOF_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class PaymentResult:
    payment: Payment
    allocated: Decimal
    credit: Decimal
    message: str


def normalise_reference(reference: str) -> str:
    return " ".join(reference.split()).upper()


def payment_record(
    *,
    actor: AnyUser,
    method: str,
    paid_on: dt.date,
    amount: Decimal,
    reference: str = "",
    student: Student | None = None,
    organisation: Organisation | None = None,
    lines: list[InvoiceLine] | None = None,
    proof: UploadedFile | None = None,
    application: Application | None = None,
) -> PaymentResult:
    """Record a payment of a student, an organisation or an applicant (``application``: an
    application fee) and allocate it to the chosen lines, else to the payer's oldest open
    lines; what is left is kept as the payer's credit. The same payer, reference and amount
    twice is a duplicate, refused."""
    user = require_finance(actor)
    if [student, organisation, application].count(None) != 2:
        raise ValidationError(
            {"payer": _("Choose who paid: a student, an organisation or an applicant.")}
        )
    value = money(amount)
    if method not in Payment.Method.values:
        raise ValidationError({"method": _("Choose how it was paid.")})
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": _("A payment cannot be dated in the future.")})
    reference = normalise_reference(reference)
    if method != Payment.Method.CASH and not reference:
        raise ValidationError({"reference": _("Give the reference of the payment.")})
    extension = _check_proof(proof) if proof is not None else ""
    payer = {
        "payer_student": student,
        "payer_organisation": organisation,
        "payer_application": application,
    }
    stored = ""
    saved = False
    try:
        with transaction.atomic():
            lock_payer(
                student_id=student.pk if student else None,
                organisation_id=organisation.pk if organisation else None,
                application_id=application.pk if application else None,
            )
            if (
                reference
                and Payment.objects.filter(**payer, reference=reference, amount=value).exists()
            ):
                duplicate = _(
                    "A payment of %(amount)s DZD with the reference %(reference)s is already "
                    "recorded for this payer."
                ) % {"amount": amount_text(value), "reference": reference}
                raise ValidationError({"reference": ValidationError(duplicate, code="duplicate")})
            before = _balance(student, organisation, application)
            payer_lines = InvoiceLine.objects.filter(
                invoice__payer_student=student,
                invoice__payer_organisation=organisation,
                invoice__payer_application=application,
            )
            lock_lines(payer_lines)
            candidates = selectors.open_lines_of_payer(
                student=student, organisation=organisation, application=application
            )
            if lines is not None:
                chosen = {line.pk for line in lines}
                if not chosen or payer_lines.filter(pk__in=chosen).count() != len(chosen):
                    raise ValidationError({"lines": _("Choose lines of this payer's invoices.")})
                candidates = candidates.filter(pk__in=chosen)
            payment = Payment(
                **payer,
                method=method,
                reference=reference,
                paid_on=paid_on,
                amount=value,
                recorded_by=user,
            )
            if proof is not None:
                stored = get_private_storage().save(random_name("payments", extension), proof)
                payment.proof.name = stored
            payment.full_clean(validate_constraints=False)
            payment.save()
            remaining = value
            allocations = []
            for line in candidates:
                if remaining == 0:
                    break
                part = min(remaining, line.open)  # type: ignore[attr-defined]
                allocations.append(Allocation(line=line, payment=payment, amount=part))
                remaining -= part
            Allocation.objects.bulk_create(allocations)
            allocated = value - remaining
            MoneyEvent.objects.create(
                kind=MoneyEvent.Kind.PAYMENT,
                actor=user,
                payment=payment,
                student=student,
                organisation=organisation,
                before=event_values(balance=before),
                after=event_values(
                    balance=before - value,
                    allocated=allocated,
                    credit=remaining,
                    **({"application": application.number} if application else {}),
                ),
                why=reference,
            )
            payment_documented(payment)
        saved = True
    finally:
        if stored and not saved:
            get_private_storage().delete(stored)
    if remaining > 0:
        message = _(
            "Payment of %(amount)s DZD recorded: %(allocated)s DZD settle open invoices and "
            "%(credit)s DZD, more than what was due, are kept as the payer's credit."
        ) % {
            "amount": amount_text(value),
            "allocated": amount_text(allocated),
            "credit": amount_text(remaining),
        }
    else:
        message = _("Payment of %(amount)s DZD recorded and allocated to open invoices.") % {
            "amount": amount_text(value)
        }
    return PaymentResult(payment=payment, allocated=allocated, credit=remaining, message=message)


def _balance(
    student: Student | None,
    organisation: Organisation | None,
    application: Application | None = None,
) -> Decimal:
    if application is not None:
        totals = selectors.payer_totals(selectors.APPLICATION, [application.pk])
        return totals[application.pk].balance if application.pk in totals else ZERO
    if student is not None:
        totals = selectors.payer_totals(selectors.STUDENT, [student.pk])
        return totals[student.pk].balance if student.pk in totals else ZERO
    assert organisation is not None
    totals = selectors.payer_totals(selectors.ORGANISATION, [organisation.pk])
    return totals[organisation.pk].balance if organisation.pk in totals else ZERO


def _check_proof(proof: UploadedFile) -> str:
    """A scanned proof: a PDF or an image, checked by its content."""
    head = proof.read(5)
    proof.seek(0)
    try:
        if head == b"%PDF-":
            check_pdf(proof, max_bytes=MAX_PROOF_BYTES)
            return "pdf"
        return check_image(proof, max_bytes=MAX_PROOF_BYTES)
    except ValidationError as exc:
        raise ValidationError({"proof": exc.messages}) from None
