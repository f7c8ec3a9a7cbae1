"""What /healthz reports: can the site reach its database, its Celery broker and its cache,
is a worker alive (a heartbeat of the last WORKER_HEARTBEAT_STALE seconds), and how many
tasks wait in the queue?"""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from core import workers
from core.queueing import broker_reachable, is_redis_url

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


def cache_ok() -> bool:
    """The cache server itself (the site goes on without it: core/cache.py)."""
    ping = getattr(cache, "ping", None)
    if ping is not None:
        return bool(ping())
    try:
        cache.set("healthz", "1", 5)
        return cache.get("healthz") == "1"
    except Exception:  # a cache backend without a fallback: down, the reason in the log
        logger.exception("Health check: cache unreachable")
        return False


def workers_alive() -> int | None:
    try:
        return workers.alive_count()
    except Exception:  # the database is down: said by its own check
        return None


def queue_depth() -> int | None:
    """Tasks waiting in the default queue, or None when it cannot be read."""
    from kombu import Connection

    url = settings.CELERY_BROKER_URL
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    try:
        if url.startswith("filesystem://"):
            folder = Path(str(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]))
            return sum(1 for p in folder.glob(f"*.{queue}.msg")) if folder.is_dir() else 0
        if is_redis_url(url):
            with Connection(url, connect_timeout=2) as conn:
                client = conn.default_channel.client  # type: ignore[attr-defined]
                return int(client.llen(queue))
    except Exception:  # the broker is down: said by its own check
        logger.warning("Health check: queue depth unreadable", exc_info=True)
    return None
