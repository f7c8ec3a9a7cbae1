from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.files.storage import storages

from core import storage, workers


@shared_task
def sweep_files() -> dict[str, int]:
    """Hourly (beat): report files no row names and partial files, and remove those older
    than FILES_ORPHAN_GRACE; forget the heartbeats of workers silent for an hour."""
    counts: dict[str, int] = {}
    for alias in ("private", "default"):
        report = storage.sweep(
            storages[alias], grace_seconds=settings.FILES_ORPHAN_GRACE, remove=True
        )
        counts[f"{alias}_orphans"] = len(report.orphans)
        counts[f"{alias}_partial"] = len(report.partial)
    counts["heartbeats_forgotten"] = workers.forget_dead()
    return counts
