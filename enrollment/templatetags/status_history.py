"""The history of the students' statuses on a cohort's page: one query for the cohort."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django import template

from enrollment.models import Cohort, StudentStatusChange

register = template.Library()


@register.simple_tag
def status_changes(cohort: Cohort) -> dict[int, list[StudentStatusChange]]:
    """Every status change of the cohort's students, newest first, per student (one query)."""
    found: dict[int, list[StudentStatusChange]] = defaultdict(list)
    for change in (
        StudentStatusChange.objects.filter(student__cohort=cohort)
        .select_related("changed_by")
        .order_by("-changed_at", "-pk")
    ):
        found[change.student_id].append(change)
    return dict(found)


@register.filter
def changes_of(changes: dict[int, list[StudentStatusChange]], student: Any) -> list[Any]:
    """``{{ changes|changes_of:student }}``: that student's changes (a student or its id)."""
    return changes.get(getattr(student, "pk", student), []) if changes else []
