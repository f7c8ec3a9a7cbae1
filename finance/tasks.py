"""Finance's Celery tasks: the rendering of its PDFs and its periodic work (reminders, unpaid
deposits). Each task re-reads its rows and is safe to run twice."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.db import DatabaseError
from kombu.exceptions import OperationalError as BrokerError

from finance.services import deposits, reminders, statements
from finance.services import documents as finance_documents


@shared_task
def release_unpaid_deposits() -> int:
    """Hourly (beat): the seats whose deposit is unpaid past its due date go back to the
    waiting list (``finance.services.deposits``); a seat released is released once."""
    return deposits.deposits_release_unpaid()


@shared_task
def send_payment_reminders() -> int:
    """Daily (beat): e-mail the payers of open invoices before and after their due dates
    (``settings.FINANCE_REMINDER_DAYS``), each reminder once."""
    return reminders.reminders_send()


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=8)
def render_finance_documents(self: Any, ids: list[int]) -> int:
    """After an invoice, a credit note or a payment commits, or a statement is asked: render
    the PDFs (``finance.services.documents``). A row already ready is left alone, so a task
    run twice renders once; a database or broker blip is retried with back-off."""
    try:
        return finance_documents.documents_render(ids)
    except (DatabaseError, BrokerError) as exc:
        raise self.retry(exc=exc, countdown=min(60, 2 ** (self.request.retries + 1))) from exc


@shared_task
def requeue_finance_documents() -> int:
    """Every minute (beat): documents still pending a minute after they were asked for (the
    broker was down, a worker died with the message) are queued again."""
    return finance_documents.documents_requeue()


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=8)
def confirm_statement(self: Any, pk: int) -> bool:
    """A large statement confirmed on its page: record its payments
    (``finance.services.statements.statement_confirm_queued``), once whatever the number of
    runs; a database or broker blip is retried with back-off."""
    try:
        return statements.statement_confirm_queued(pk=pk)
    except (DatabaseError, BrokerError) as exc:
        raise self.retry(exc=exc, countdown=min(60, 2 ** (self.request.retries + 1))) from exc


@shared_task
def requeue_statements() -> int:
    """Every minute (beat): statements queued long ago and not recorded are queued again."""
    return statements.statements_requeue()
