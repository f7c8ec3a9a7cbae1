from __future__ import annotations

from typing import Any

from celery import shared_task
from django.db import DatabaseError

from core import queueing
from enrollment import receipt
from enrollment.services import decisions, reminders, retention


@shared_task
def expire_offers() -> int:
    """Every quarter of an hour (beat): close late offers, offer their seats to the next."""
    return decisions.offers_expire()


@shared_task
def purge_documents() -> int:
    """Daily (beat): delete the documents of applicants not admitted once they are due."""
    return retention.documents_purge()


@shared_task
def send_reminders() -> int:
    """Hourly (beat): remind applicants of their deadlines (an offer to answer, documents to
    add or replace), each reminder once."""
    return reminders.reminders_send()


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=6)
def render_receipt(self: Any, application_id: int) -> bool:
    """After a submission commits: render the application's printable receipt and keep it.
    Running it twice keeps one receipt; a database blip is retried with back-off."""
    try:
        return receipt.receipt_store(application_id=application_id)
    except DatabaseError as exc:
        raise self.retry(exc=exc, countdown=min(60, 2 ** (self.request.retries + 1))) from exc


@shared_task
def requeue_receipts() -> int:
    """Every few minutes (beat): receipts whose task never ran (the broker was down at the
    submission, a worker died with it) are queued again."""
    sent = 0
    for application_id in receipt.receipts_missing():
        sent += queueing.send(render_receipt, application_id)
    return sent
