from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from celery.signals import worker_process_init
from django.db import DatabaseError
from kombu.exceptions import OperationalError as BrokerError

from certificates import pdf, services
from core import workers

logger = logging.getLogger(__name__)

#: A database restarting, a broker blip: the chunk is tried again, with back-off.
TRANSIENT = (DatabaseError, BrokerError)


@worker_process_init.connect
def warm_up_renderer(**_kwargs: Any) -> None:
    """Each new worker process loads fonts and styles before its first task, not during it."""
    try:
        pdf.warm_up()
    except Exception:  # a broken warm-up must not stop the worker; the real render will say why
        logger.exception("Certificate renderer warm-up failed")


def backoff(retries: int) -> int:
    """2, 4, 8 … seconds, at most a minute."""
    return int(min(60, 2 ** (retries + 1)))


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=12)
def render_certificates(self: Any, ids: list[int], abandoned_by: str = "") -> int:
    """Render a chunk of certificates (one worker process reuses its fonts and styles).
    On a transient error the chunk is retried, and the retry may take over the claims this
    attempt leaves behind (``abandoned_by``), whichever process runs it."""
    try:
        return services.render_many(ids, abandoned_by=abandoned_by)
    except TRANSIENT as exc:
        logger.warning("Certificates %s: transient error, retrying: %s", ids, exc)
        raise self.retry(
            exc=exc,
            countdown=backoff(self.request.retries),
            args=[ids],
            kwargs={"abandoned_by": workers.process_name()},
        ) from exc


@shared_task
def requeue_stuck_certificates() -> int:
    """Every 30 s (beat): claims of dead workers and rows the broker never took go out."""
    return services.requeue_stuck()
