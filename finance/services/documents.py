"""Finance's PDFs: a row per issued invoice, credit note and recorded payment, created in the
transaction of what it documents; a sponsor's statement on request. Celery renders them
(``finance.tasks.render_finance_documents``), queued after commit; a row still pending a
minute later (the broker was down, a worker died with the message) is queued again by the
beat (``finance.tasks.requeue_finance_documents``).

Rendering is safe to run twice: the file is written under a temporary name before any
lock, moved to its name — the document's identity (``finance/invoices/FAC-2026-0001.pdf``),
so a retry writes the same name — inside the transaction that marks the row ready, and that
update is conditional on the row still pending: of two runs, one marks it ready, the other
discards its file. A failure keeps its error on the row (status failed) and leaves no file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import AnyUser, Role, has_role
from core import queueing
from core.storage import stage_file
from enrollment.models import Cohort
from finance import documents, selectors
from finance.models import CreditNote, FinanceDocument, Invoice, Payment, Sponsorship
from partners.models import Organisation

logger = logging.getLogger(__name__)

Status = FinanceDocument.Status
Kind = FinanceDocument.Kind
#: Rows per rendering task: one worker process renders them with its fonts loaded once.
CHUNK = 25
#: A pending row older than this is queued again by the beat.
REQUEUE_AFTER = dt.timedelta(minutes=1)
ERROR_MAX = 2000


def _queue(ids: list[int]) -> None:
    """Chunks of rows sent after commit; a chunk the broker refuses stays pending, and the
    beat sends it again (``documents_requeue``)."""
    from finance.tasks import render_finance_documents

    for start in range(0, len(ids), CHUNK):
        queueing.after_commit(render_finance_documents, ids[start : start + CHUNK])


def invoices_documented(invoices: list[Invoice]) -> list[FinanceDocument]:
    """Inside the transaction that issues them: a pending PDF per invoice."""
    rows = FinanceDocument.objects.bulk_create(
        FinanceDocument(kind=Kind.INVOICE, invoice=invoice, requested_by_id=invoice.issued_by_id)
        for invoice in invoices
    )
    _queue([row.pk for row in rows])
    return rows


def credit_note_documented(note: CreditNote) -> FinanceDocument:
    row = FinanceDocument.objects.create(
        kind=Kind.CREDIT_NOTE, credit_note=note, requested_by_id=note.issued_by_id
    )
    _queue([row.pk])
    return row


def payment_documented(payment: Payment) -> FinanceDocument:
    """Inside the transaction that records it: the payment's pending receipt."""
    row = FinanceDocument.objects.create(
        kind=Kind.RECEIPT, payment=payment, requested_by_id=payment.recorded_by_id
    )
    _queue([row.pk])
    return row


def statement_request(
    *, actor: AnyUser, organisation: Organisation, cohort: Cohort
) -> FinanceDocument:
    """A sponsor's statement for a cohort, asked by finance (any organisation) or by the
    organisation's contact person (their own only). While one is being prepared for the
    same organisation and cohort, that one is given back rather than a second."""
    own = selectors.sponsor_organisation_of(actor)
    if not has_role(actor, Role.FINANCE) and (own is None or own.pk != organisation.pk):
        raise PermissionDenied
    if not Sponsorship.objects.filter(organisation=organisation, student__cohort=cohort).exists():
        raise ValidationError(
            {
                "cohort": _("%(organisation)s sponsors no participant of the cohort %(cohort)s.")
                % {"organisation": organisation, "cohort": cohort}
            }
        )
    with transaction.atomic():
        # The organisation's row serialises two requests at once: one statement is prepared.
        Organisation.objects.select_for_update(of=("self",)).get(pk=organisation.pk)
        pending = FinanceDocument.objects.filter(
            kind=Kind.STATEMENT, organisation=organisation, cohort=cohort, status=Status.PENDING
        ).first()
        if pending is not None:
            return pending
        row = FinanceDocument.objects.create(
            kind=Kind.STATEMENT,
            organisation=organisation,
            cohort=cohort,
            requested_by=actor if actor.is_authenticated else None,
        )
        _queue([row.pk])
    return row


def document_retry(*, actor: AnyUser, document: FinanceDocument) -> FinanceDocument:
    """Finance renders a failed document again (under the same name)."""
    if not has_role(actor, Role.FINANCE):
        raise PermissionDenied
    with transaction.atomic():
        updated = FinanceDocument.objects.filter(pk=document.pk, status=Status.FAILED).update(
            status=Status.PENDING, error=""
        )
        if not updated:
            raise ValidationError(_("Only a document that failed can be prepared again."))
        _queue([document.pk])
    document.refresh_from_db()
    return document


def _fail(document_id: int, exc: BaseException) -> None:
    FinanceDocument.objects.filter(pk=document_id, status=Status.PENDING).update(
        status=Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:ERROR_MAX]
    )


def document_render(document_id: int) -> bool:
    """Render, store and mark ready one pending document; False when there is nothing to
    do (no such row, not pending: already ready, failed, or another run won). A database
    error is not caught here: the task retries with back-off."""
    document = (
        FinanceDocument.objects.select_related(
            "invoice__cohort__programme",
            "invoice__payer_student__user__applicant_profile",
            "invoice__payer_organisation",
            "invoice__payer_application__applicant__applicant_profile",
            "credit_note__invoice__cohort__programme",
            "payment__payer_student__user__applicant_profile",
            "payment__payer_student__cohort__programme",
            "payment__payer_organisation",
            "organisation",
            "cohort__programme",
        )
        .filter(pk=document_id, status=Status.PENDING)
        .first()
    )
    if document is None:
        return False
    try:
        content = documents.render_pdf(document)
    except Exception as exc:  # kept on the row (status failed), retried by finance
        logger.exception("Finance document %s failed to render", document_id)
        _fail(document_id, exc)
        return False
    name = documents.storage_name(document)
    try:
        # Written and flushed before the transaction: no lock is held while the disk works.
        staged = stage_file(document.file.storage, name, content)
    except OSError as exc:  # storage full or unwritable: nothing was kept
        logger.exception("Finance document %s could not be stored", document_id)
        _fail(document_id, exc)
        return False
    try:
        with transaction.atomic():
            updated = FinanceDocument.objects.filter(pk=document_id, status=Status.PENDING).update(
                status=Status.READY,
                file=name,
                sha256=hashlib.sha256(content).hexdigest(),
                error="",
                rendered_at=timezone.now(),
            )
            if updated:
                # Renamed into place before the commit: no ready row without its file.
                staged.publish()
    except OSError as exc:  # the rename failed: the ready mark was rolled back
        logger.exception("Finance document %s could not be stored", document_id)
        _fail(document_id, exc)
        return False
    finally:
        staged.discard()
    return bool(updated)


def documents_render(ids: list[int]) -> int:
    """Render a chunk; returns how many became ready."""
    return sum(document_render(pk) for pk in ids)


def _document_missing(*, before: dt.datetime) -> None:
    """A safety net: invoices, credit notes and payments issued before ``before`` by a
    service that did not ask for their PDF get one now (pending, sent below)."""
    FinanceDocument.objects.bulk_create(
        [
            *(
                FinanceDocument(kind=Kind.INVOICE, invoice_id=pk)
                for pk in Invoice.objects.filter(
                    document__isnull=True, issued_at__lt=before
                ).values_list("pk", flat=True)[:1000]
            ),
            *(
                FinanceDocument(kind=Kind.CREDIT_NOTE, credit_note_id=pk)
                for pk in CreditNote.objects.filter(
                    document__isnull=True, issued_at__lt=before
                ).values_list("pk", flat=True)[:1000]
            ),
            *(
                FinanceDocument(kind=Kind.RECEIPT, payment_id=pk)
                for pk in Payment.objects.filter(
                    receipt__isnull=True, recorded_at__lt=before
                ).values_list("pk", flat=True)[:1000]
            ),
        ],
        ignore_conflicts=True,  # one made meanwhile by its own service stays the one
    )


def documents_requeue(*, older_than: dt.timedelta = REQUEUE_AFTER) -> int:
    """Every minute (beat): pending documents older than ``older_than`` are queued again
    (the broker was down when they were created, or a worker died with their message);
    rendering stays once (the conditional ready mark). Returns how many were sent. Invoices,
    credit notes and payments without a document row get theirs first."""
    from finance.tasks import render_finance_documents

    _document_missing(before=timezone.now() - older_than)
    ids = list(
        FinanceDocument.objects.filter(
            status=Status.PENDING, created_at__lt=timezone.now() - older_than
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:2000]
    )
    sent = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        if queueing.send(render_finance_documents, chunk):
            sent += len(chunk)
    return sent
