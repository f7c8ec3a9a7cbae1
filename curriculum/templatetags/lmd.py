"""The words for lmd's decision and mention codes (docs/academic-rules.md §1.12)."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

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
