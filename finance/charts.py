"""The dashboard's bar charts, drawn on the server as inline SVG (no JavaScript): one group
of horizontal bars per cohort or sponsor, one bar per figure. Only geometry is computed
here; the figures come from ``finance.selectors``. Right to left, the bars grow from the
right edge and every text is anchored at its start, so the same template serves both
directions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from finance import selectors
from finance.models import ZERO

WIDTH = 640
#: Room left after the longest bar for its value.
VALUE_ROOM = 130
LEGEND_HEIGHT = 28
LEGEND_STEP = 150
LABEL_HEIGHT = 20
BAR_HEIGHT = 14
BAR_GAP = 3
GROUP_GAP = 14


@dataclass(frozen=True)
class Series:
    key: str
    label: str | Promise
    colour: str


EXPECTED = Series("expected", _("Expected"), "#7a7a7a")
INVOICED = Series("invoiced", _("Invoiced"), "#1f5fa8")
RECEIVED = Series("received", _("Received"), "#2e7d32")
OVERDUE = Series("overdue", _("Overdue"), "#b3261e")


@dataclass(frozen=True)
class Bar:
    series: Series
    value: Decimal
    x: float
    y: float
    width: float
    text_x: float
    text_y: float


@dataclass(frozen=True)
class Group:
    label: str
    x: float
    y: float
    bars: list[Bar]


@dataclass(frozen=True)
class LegendItem:
    series: Series
    x: float
    text_x: float


@dataclass(frozen=True)
class Chart:
    key: str
    title: str | Promise
    width: int
    height: int
    rtl: bool
    legend: list[LegendItem]
    groups: list[Group]


def _start(x: float, width: float, rtl: bool) -> float:
    """The left edge of a box ``width`` wide starting ``x`` from the chart's start side."""
    return WIDTH - x - width if rtl else x


def bar_chart(
    *,
    key: str,
    title: str | Promise,
    series: Sequence[Series],
    groups: Sequence[tuple[str, Sequence[Decimal]]],
    rtl: bool,
) -> Chart:
    """One group per ``(label, values)``, the values in the order of ``series``; every bar
    on the same scale (the largest value spans the chart less the room for its figure)."""
    largest = max((value for _label, values in groups for value in values), default=ZERO)
    span = WIDTH - VALUE_ROOM
    legend = [
        LegendItem(
            s,
            _start(n * LEGEND_STEP, 12, rtl),
            WIDTH - n * LEGEND_STEP - 16 if rtl else n * LEGEND_STEP + 16,
        )
        for n, s in enumerate(series)
    ]
    result = []
    y = float(LEGEND_HEIGHT)
    for label, values in groups:
        label_y = y + LABEL_HEIGHT - 6
        y += LABEL_HEIGHT
        bars = []
        for s, value in zip(series, values, strict=True):
            width = float(value / largest * span) if largest > 0 and value > 0 else 0.0
            text_x = WIDTH - width - 4 if rtl else width + 4
            bars.append(Bar(s, value, _start(0, width, rtl), y, width, text_x, y + BAR_HEIGHT - 3))
            y += BAR_HEIGHT + BAR_GAP
        result.append(Group(label, WIDTH if rtl else 0, label_y, bars))
        y += GROUP_GAP
    return Chart(key, title, WIDTH, int(y), rtl, legend, result)


def dashboard_charts(
    *,
    cohorts: Sequence[selectors.CohortFigures],
    sponsors: Sequence[selectors.SponsorRow],
    rtl: bool,
) -> list[Chart]:
    """Per cohort: expected, invoiced, received, overdue; per sponsor: invoiced, received,
    overdue (a sponsor has no fee schedule of its own to expect from)."""
    charts = [
        bar_chart(
            key="cohorts",
            title=_("Per cohort"),
            series=(EXPECTED, INVOICED, RECEIVED, OVERDUE),
            groups=[
                (
                    str(row.cohort),
                    (row.expected, row.totals.invoiced, row.totals.paid, row.totals.overdue),
                )
                for row in cohorts
            ],
            rtl=rtl,
        )
    ]
    if sponsors:
        charts.append(
            bar_chart(
                key="sponsors",
                title=_("Per sponsor"),
                series=(INVOICED, RECEIVED, OVERDUE),
                groups=[
                    (
                        str(row.organisation),
                        (row.totals.invoiced, row.totals.paid, row.totals.overdue),
                    )
                    for row in sponsors
                ],
                rtl=rtl,
            )
        )
    return charts
