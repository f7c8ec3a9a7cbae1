"""The row locks of finance, in one order: payer (student or organisation) → invoice →
its lines. Every service that moves money on a payer's lines takes the payer first."""

from __future__ import annotations

from django.db.models import QuerySet

from enrollment import locks
from finance.models import Invoice, InvoiceLine
from partners.models import Organisation

SELF = ("self",)


def lock_payer(
    *, student_id: int | None, organisation_id: int | None, application_id: int | None = None
) -> None:
    """The payer's row: a student, an organisation, or an applicant's application (an
    application fee)."""
    if student_id is not None:
        locks.lock_student(student_id)
    elif application_id is not None:
        locks.lock_application(application_id)
    else:
        assert organisation_id is not None
        Organisation.objects.select_for_update(of=SELF).get(pk=organisation_id)


def lock_invoice(pk: int) -> Invoice:
    return Invoice.objects.select_for_update(of=SELF).get(pk=pk)


def lock_lines(lines: QuerySet[InvoiceLine]) -> list[int]:
    return list(lines.select_for_update(of=SELF).order_by("pk").values_list("pk", flat=True))
