from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

FUNNEL_LABELS = {
    "submitted": _("Submitted"),
    "eligible": _("Eligible"),
    "shortlisted": _("Shortlisted"),
    "interviewed": _("Interviewed"),
    "admitted": _("Admitted"),
    "accepted": _("Accepted"),
}
BAR_MAX = 230


@register.simple_tag
def funnel_label(step: str) -> str:
    return str(FUNNEL_LABELS.get(step, step))


@register.inclusion_tag("enrollment/staff/_bars.html")
def funnel_chart(
    rows: list[tuple[str, int]], top: int, chart_id: object, title: str
) -> dict[str, Any]:
    """A horizontal bar chart drawn as SVG on the server: no script, nothing from a CDN."""
    bars = [
        (funnel_label(step), count, int(BAR_MAX * count / top) if top else 0, i * 26)
        for i, (step, count) in enumerate(rows)
    ]
    return {
        "bars": bars,
        "height": len(bars) * 26 + 4,
        "chart_id": f"chart-{chart_id}",
        "chart_title": title,
    }


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


DECISIONS = {
    "ADMIS": _("Passed"),
    "ADMIS_COMP": _("Passed by compensation"),
    "ADMIS_RATT": _("Passed after the resit"),
    "ADMIS_DETTES": _("Passed with debts"),
    "AJOURNE": _("Not passed (ajourné)"),
    "EXCLU": _("Excluded"),
    "ABANDON": _("Dropped out"),
    "PASSABLE": _("Passable"),
    "ASSEZ_BIEN": _("Assez bien"),
    "BIEN": _("Bien"),
    "TRES_BIEN": _("Très bien"),
    "EXCELLENT": _("Excellent"),
}


@register.filter
def decision(code: str | None) -> str:
    """The words for lmd's decision and mention codes."""
    if not code:
        return ""
    return str(DECISIONS.get(code, code))
