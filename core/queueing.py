"""Queue a Celery task once the transaction commits, without ever failing the caller:
when the broker is unreachable the row the task would work on stays pending, a periodic
job queues it again later, and the caller can say so."""

from __future__ import annotations

import logging
from typing import Any

from celery import Task
from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def send(task: Task, *args: Any) -> bool:
    """Send now; False (logged) when the broker cannot be reached."""
    try:
        task.delay(*args)
    except (OperationalError, OSError):
        logger.warning(
            "Broker unreachable: %s%r stays pending and will be queued again", task.name, args
        )
        return False
    return True


def after_commit(task: Task, *args: Any) -> None:
    transaction.on_commit(lambda: send(task, *args))


def is_redis_url(url: str) -> bool:
    return url.startswith(("redis://", "rediss://", "redis+socket://"))


def broker_reachable() -> bool:
    """Can the broker of CELERY_BROKER_URL be reached right now (2 s at most)?"""
    from django.conf import settings
    from kombu import Connection

    url = settings.CELERY_BROKER_URL
    try:
        with Connection(
            url, connect_timeout=2, transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS
        ) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            if is_redis_url(url):
                return bool(conn.default_channel.client.ping())  # type: ignore[attr-defined]
            return True
    except Exception:  # any transport error means "unreachable"; the reason goes to the log
        logger.warning("Broker unreachable", exc_info=True)
        return False
