from __future__ import annotations

from celery import shared_task

from certificates import services


@shared_task(acks_late=True, reject_on_worker_lost=True)
def render_certificates(ids: list[int]) -> int:
    """Render a chunk of certificates (one worker process reuses its fonts and styles)."""
    return sum(1 for pk in ids if services.render_one(pk))


@shared_task
def requeue_stuck_certificates() -> int:
    """Every five minutes (beat): rows a dead worker left behind go back to the queue."""
    return services.requeue_stuck()
