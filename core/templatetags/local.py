"""Values kept as text (JSON snapshots, histories) shown as the page shows its own: a
decimal with the language's separator, an ISO date in the language's order."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django import template
from django.utils import formats

from core.numbers import amount_text

register = template.Library()


@register.filter
def decimal_text(value: object) -> object:
    """``{{ change.after.mark|decimal_text }}``: "12.50" → "12,50" on a French page; anything
    that is not a number is shown as it is."""
    if value is None or value == "" or isinstance(value, bool):
        return value
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return value
    return formats.number_format(number, use_l10n=True) if number.is_finite() else value


@register.filter
def money(value: object) -> object:
    """``{{ invoice.total|money }}``: an amount with two decimals and the locale's grouping —
    "1 234 567,00" on a French page, "1,234,567.00" on an English one; anything that is not
    a number is shown as it is."""
    if value is None or value == "" or isinstance(value, bool):
        return value
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return value
    return amount_text(number) if number.is_finite() else value


@register.filter
def iso_date(value: object) -> object:
    """``{{ snapshot.birth_date|iso_date }}``: "1998-04-12" → "12/04/1998"."""
    if isinstance(value, dt.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if not isinstance(value, str) or not value:
        return value
    try:
        day = dt.date.fromisoformat(value[:10])
    except ValueError:
        return value
    return formats.date_format(day, "SHORT_DATE_FORMAT")
