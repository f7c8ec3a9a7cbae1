from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from celery.signals import worker_process_init

from certificates import pdf, services

logger = logging.getLogger(__name__)


@worker_process_init.connect
def warm_up_renderer(**_kwargs: Any) -> None:
    """Each new worker process loads fonts and styles before its first task, not during it."""
    try:
        pdf.warm_up()
    except Exception:  # a broken warm-up must not stop the worker; the real render will say why
        logger.exception("Certificate renderer warm-up failed")


@shared_task(acks_late=True, reject_on_worker_lost=True)
def render_certificates(ids: list[int]) -> int:
    """Render a chunk of certificates (one worker process reuses its fonts and styles)."""
    return services.render_many(ids)


@shared_task
def requeue_stuck_certificates() -> int:
    """Every five minutes (beat): rows a dead worker left behind go back to the queue."""
    return services.requeue_stuck()
