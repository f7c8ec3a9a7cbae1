from __future__ import annotations

from celery import shared_task

from studies.services import hours_alerts


@shared_task
def alert_co_teaching_hours() -> int:
    """Weekly (beat): tell the coordinators of agreements whose partners are behind or
    beyond the co-teaching hours promised, once per agreement, academic year and state."""
    return hours_alerts.hours_alerts_send()
