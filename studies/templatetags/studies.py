from __future__ import annotations

from typing import Any

from django import template

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
    return "" if value is None else str(value)


@register.simple_tag
def grid_error(cell_errors: dict[str, str], name: str, student: Any) -> str:
    return cell_errors.get(f"{name}-{student.pk}", "")
