from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils import formats
from django.utils.translation import gettext_lazy as _

register = template.Library()


@register.simple_tag
def grid_value(data: Any, name: str, student: Any, mark: Any) -> str:
    """What a grid cell shows: what was typed (after an error) or what is stored."""
    if data is not None:
        return str(data.get(f"{name}-{student.pk}", ""))
    if mark is None:
        return ""
    value = getattr(mark, name)
    if isinstance(value, bool):
        return "1" if value else ""
    if isinstance(value, Decimal):  # "12,50" on a French page, as the marks beside it
        return formats.number_format(value, use_l10n=True)
    return "" if value is None else str(value)


@register.simple_tag
def grid_error(cell_errors: dict[str, str], name: str, student: Any) -> str:
    return cell_errors.get(f"{name}-{student.pk}", "")


JURY_EVENTS = {
    "closed": _("closed"),
    "published": _("published"),
    "reopened": _("reopened"),
}


@register.filter
def jury_event(action: str) -> str:
    return str(JURY_EVENTS.get(action, action))


@register.filter
def acquired(code: str | None) -> str:
    """How credits were acquired, in words (academic-rules.md §8)."""
    from studies.models import AcquiredBy

    return str(AcquiredBy(code or "").label) if code in AcquiredBy.values or not code else code


@register.filter
def divide_by_two(value: int) -> int:
    """The year a semester number ends (S2 → 1, S4 → 2)."""
    return int(value) // 2
