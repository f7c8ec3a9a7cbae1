"""Filters of finance's PDF templates: amounts in figures and words, dates, in French and
Arabic (``finance/documents.py`` holds the rules; the bidi filters are core's)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import template
from django.utils.safestring import SafeString, mark_safe

from finance import documents

register = template.Library()


@register.filter
def dzd_fr(value: Decimal) -> str:
    return documents.dzd_fr(value)


@register.filter
def dzd_ar(value: Decimal) -> SafeString:
    return mark_safe(documents.dzd_ar(value))  # noqa: S308 - digits, spaces and isolates


@register.filter
def figures(value: Decimal) -> str:
    return documents.figures(value)


@register.filter
def figures_ar(value: Decimal, suffix: str = "") -> SafeString:
    """The figures inside an Arabic line, isolated left to right together with what follows
    them ("13,25/20" with the suffix "/20": isolated apart, "/20" would come first)."""
    return documents.ltr(f"{documents.figures(value)}{suffix}")


@register.filter
def words_fr(value: Decimal) -> str:
    return documents.words_fr(value)


@register.filter
def words_ar(value: Decimal) -> str:
    return documents.words_ar(value)


@register.filter
def long_date_fr(value: dt.date | dt.datetime) -> str:
    return documents.long_date_fr(value)


@register.filter
def long_date_ar(value: dt.date | dt.datetime) -> SafeString:
    return mark_safe(documents.long_date_ar(value))  # noqa: S308 - babel's words, isolated


@register.filter
def short_date(value: dt.date | dt.datetime) -> str:
    return documents.short_date(value)
