from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """One row per running Celery process, touched every few seconds by a thread of that
    process. A claim names the process that made it; when the row of that process stops
    moving (or its pid is gone on this host), the claim is orphaned and may be taken over."""

    name = models.CharField(max_length=200, unique=True)
    hostname = models.CharField(max_length=150)
    pid = models.PositiveIntegerField()
    #: "main" (the worker's parent, which runs beat) or "child" (a process that runs tasks).
    role = models.CharField(max_length=10, default="child")
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return self.name
