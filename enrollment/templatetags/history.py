"""``{% describe_event event as e %}``: an application's history event in the reader's words."""

from __future__ import annotations

from django import template

from enrollment import history
from enrollment.models import ApplicationEvent, Education

register = template.Library()


@register.simple_tag
def describe_event(event: ApplicationEvent) -> history.Described:
    return history.describe(event)


@register.filter
def degree_label(code: str) -> str:
    """A degree of a frozen profile (``snapshot.education``) in the reader's words."""
    return str(Education.Degree(code).label) if code in Education.Degree.values else code
