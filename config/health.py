"""What /healthz reports: can the site reach its database and its Celery broker?"""

from __future__ import annotations

import logging

from django.db import connection

from accounts.queueing import broker_reachable

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
    return broker_reachable()
