"""What /healthz reports: can the site reach its database and its Celery broker?"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection
from kombu import Connection

logger = logging.getLogger(__name__)


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # any driver error means "down"; the reason goes to the log
        logger.exception("Health check: database unreachable")
        return False


def broker_ok() -> bool:
    url = settings.CELERY_BROKER_URL
    try:
        with Connection(
            url,
            connect_timeout=2,
            transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        ) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            if url.startswith(("redis://", "rediss://")):
                client = conn.default_channel.client  # type: ignore[attr-defined]
                return bool(client.ping())
            return True
    except Exception:  # any transport error means "down"; the reason goes to the log
        logger.warning("Health check: broker unreachable", exc_info=True)
        return False
