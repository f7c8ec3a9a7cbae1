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
