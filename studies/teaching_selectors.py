"""Reads of the teaching operations (#14): rooms, a cohort's timetable, one session."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from enrollment.models import Cohort
from studies.models import ClassSession, HoursAlert, Room, SessionLecturer
from studies.teaching_filters import RoomFilter, SessionFilter


def room_list(*, filters: dict[str, Any] | None = None) -> tuple[RoomFilter, QuerySet[Room]]:
    queryset = Room.objects.select_related("organisation")
    filterset = RoomFilter(filters or {}, queryset=queryset)
    return filterset, filterset.qs


def room_get(*, pk: int) -> Room:
    try:
        return Room.objects.select_related("organisation").get(pk=pk)
    except Room.DoesNotExist as exc:
        raise Http404 from exc


def _with_people(queryset: QuerySet[ClassSession]) -> QuerySet[ClassSession]:
    return queryset.select_related(
        "offering__module", "offering__cohort", "room__organisation"
    ).prefetch_related(
        Prefetch(
            "session_lecturers",
            queryset=SessionLecturer.objects.select_related("lecturer", "organisation").order_by(
                "pk"
            ),
        )
    )


def session_list(
    *, cohort: Cohort, filters: dict[str, Any] | None = None
) -> tuple[SessionFilter, QuerySet[ClassSession]]:
    """A cohort's timetable, oldest first, with rooms and lecturers."""
    queryset = _with_people(ClassSession.objects.filter(offering__cohort=cohort)).order_by(
        "starts_at", "pk"
    )
    filterset = SessionFilter(filters or {}, queryset=queryset)
    return filterset, filterset.qs


def session_get(*, pk: int) -> ClassSession:
    try:
        return _with_people(ClassSession.objects.all()).get(pk=pk)
    except ClassSession.DoesNotExist as exc:
        raise Http404 from exc


def hours_alerts_recent(limit: int = 20) -> list[HoursAlert]:
    """The latest co-teaching alerts sent to the coordinators, newest first."""
    return list(HoursAlert.objects.select_related("agreement")[:limit])
