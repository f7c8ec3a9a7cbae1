from __future__ import annotations

from celery import shared_task

from partners import services


@shared_task
def notify_expiring_agreements() -> int:
    """Daily (beat): remind the coordinators of agreements entering their last 60 days."""
    return services.agreements_notify_expiring()
