"""The row locks of studies, taken after those of ``enrollment.locks`` when a transaction
needs both (cohort → student → mark sheet → jury), each of its own row only."""

from __future__ import annotations

from enrollment.locks import SELF
from studies.models import ClassSession, Jury, MarkSheet


def lock_mark_sheet(pk: int, *related: str) -> MarkSheet:
    return MarkSheet.objects.select_for_update(of=SELF).select_related(*related).get(pk=pk)


def lock_jury(pk: int, *related: str) -> Jury:
    return Jury.objects.select_for_update(of=SELF).select_related(*related).get(pk=pk)


def lock_class_session(pk: int, *related: str) -> ClassSession:
    """A session being moved or cancelled, after its cohort's lock (enrollment.locks)."""
    return ClassSession.objects.select_for_update(of=SELF).select_related(*related).get(pk=pk)
