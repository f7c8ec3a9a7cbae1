from __future__ import annotations

from celery import shared_task

from enrollment.services import decisions, retention


@shared_task
def expire_offers() -> int:
    """Every quarter of an hour (beat): close late offers, offer their seats to the next."""
    return decisions.offers_expire()


@shared_task
def purge_documents() -> int:
    """Daily (beat): delete the documents of applicants not admitted once they are due."""
    return retention.documents_purge()
