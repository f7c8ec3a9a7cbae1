"""The row locks of admissions and studies, in one module and in one order.

Taken in this order when a transaction needs several: cohort → application → offer →
document or review, or application → interview slots (by id), or cohort → application →
student (a seat released: ``decisions.seat_release``, whose student row finance then holds
as the payer); a mark sheet, a jury, a student or a counter alone. Each lock takes only its
own row (``of=("self",)``): the rows read with it (the intake, the programme) stay free for
everyone else. On SQLite, which has no row locks, ``IMMEDIATE`` transactions serialise the
writers instead (config/settings.py).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from enrollment.models import (
    Application,
    ApplicationDocument,
    Cohort,
    Counter,
    InterviewSlot,
    Offer,
    Review,
    Student,
)

SELF = ("self",)


def lock_cohort(pk: int) -> Cohort:
    """The seats of a cohort, its students' numbers and its batches are decided under it."""
    return Cohort.objects.select_for_update(of=SELF).select_related("programme").get(pk=pk)


def applications_for_update(*related: str) -> QuerySet[Application]:
    return Application.objects.select_for_update(of=SELF).select_related(*related)


def lock_application(pk: int, *related: str) -> Application:
    return applications_for_update(*related).get(pk=pk)


def lock_offer(pk: int) -> Offer:
    return Offer.objects.select_for_update(of=SELF).get(pk=pk)


def lock_document(pk: int) -> ApplicationDocument:
    return (
        ApplicationDocument.objects.select_for_update(of=SELF)
        .select_related("application__intake", "requirement")
        .get(pk=pk)
    )


def lock_review(pk: int) -> Review:
    return Review.objects.select_for_update(of=SELF).select_related("application").get(pk=pk)


def lock_slots(pks: list[int]) -> list[InterviewSlot]:
    """Interview slots, in id order (an applicant moving from one slot to another holds both)."""
    return list(InterviewSlot.objects.select_for_update(of=SELF).filter(pk__in=pks).order_by("pk"))


def lock_student(pk: int) -> Student:
    return Student.objects.select_for_update(of=SELF).get(pk=pk)


def lock_counter(key: str) -> Counter:
    return Counter.objects.select_for_update(of=SELF).get(key=key)


__all__: list[Any] = [
    "applications_for_update",
    "lock_application",
    "lock_cohort",
    "lock_counter",
    "lock_document",
    "lock_offer",
    "lock_review",
    "lock_slots",
    "lock_student",
]
