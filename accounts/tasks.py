from __future__ import annotations

from typing import Any

from celery import shared_task
from django.db import DatabaseError

from accounts import services
from core import queueing


@shared_task(
    bind=True,
    # The mail server or the database unreachable for a while: tried again, with back-off.
    autoretry_for=(services.TransientEmailError, DatabaseError),
    retry_backoff=30,
    retry_backoff_max=1800,
    retry_jitter=True,
    max_retries=8,
)
def send_outgoing_email(self: Any, email_id: int) -> bool:
    try:
        return services.outgoing_email_send(email_id=email_id)
    except services.TransientEmailError as exc:
        if self.request.retries >= self.max_retries:
            services.outgoing_email_give_up(email_id=email_id, error=str(exc))
            return False
        raise


@shared_task
def send_outgoing_emails(email_ids: list[int]) -> int:
    """Send several queued e-mails in one task (a batch of certificates tells its holders).
    When the mail server is unreachable, the rest go to ``send_outgoing_email`` one by one,
    which retries with back-off."""
    sent = 0
    for position, email_id in enumerate(email_ids):
        try:
            sent += services.outgoing_email_send(email_id=email_id)
        except services.TransientEmailError:
            for pending_id in email_ids[position:]:
                queueing.send(send_outgoing_email, pending_id)
            break
    return sent


@shared_task
def requeue_pending_emails() -> int:
    """Every five minutes (beat): e-mails that could not be queued go out now."""
    return services.emails_requeue()
