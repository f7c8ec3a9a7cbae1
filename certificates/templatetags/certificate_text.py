"""Filters for the PDF templates: codes, numbers and dates that the bidirectional algorithm
cannot scramble, long dates and decimal commas per language, and the project's words for the
academic record's codes in a given language (whatever language the worker runs in).

The isolating filters (``ltr``, ``arabic``, ``rtl``) are core's (``core/templatetags/bidi.py``),
registered here too so that these templates load one library.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal
from django import template
from django.utils import translation
from django.utils.safestring import SafeString

from core.templatetags.bidi import arabic, ltr, rtl

register = template.Library()

#: The locales of the long dates and numbers. Arabic is ``ar_DZ``: the Maghreb month names
#: (جانفي، فيفري، أفريل، جوان، جويلية، أوت…) of Algerian administrative texts, Western
#: digits and the decimal comma, as Algerian documents print them ("12,50").
LOCALES = {"fr": "fr", "ar": "ar_DZ", "en": "en"}

# The isolating filters live in core (the finance documents print French and Arabic too).
register.filter("ltr", ltr)
register.filter("arabic", arabic)
register.filter("rtl", rtl)


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _long_date(value: Any, language: str) -> str:
    if value is None or value == "":
        return ""
    day = _date(value)
    if day is None:
        return str(value)
    text = format_date(day, "d MMMM y", locale=LOCALES[language])
    if language == "fr" and day.day == 1:
        text = "1er" + text[1:]  # "1er décembre 2026": French writes the first day so
    return text


@register.filter
def long_date_fr(value: Any) -> str:
    """An ISO date (or a date) in words: "1er décembre 2026", "15 janvier 2027"."""
    return _long_date(value, "fr")


@register.filter
def long_date_en(value: Any) -> str:
    """An ISO date (or a date) in words, British order: "1 December 2026"."""
    return _long_date(value, "en")


@register.filter
def long_date_ar(value: Any) -> SafeString:
    """An ISO date in words, Algerian month names, right-to-left isolated so that it reads
    "1 ديسمبر 2026" inside a French line too."""
    return rtl(_long_date(value, "ar"))


def _number(value: Any, language: str) -> str:
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    # As many decimals as stored (at least two): printing never rounds a mark again.
    return str(format_decimal(number, "0.00", locale=LOCALES[language], decimal_quantization=False))


@register.filter
def number_fr(value: Any) -> str:
    """A mark or an average as French documents print it: "12,50"."""
    return _number(value, "fr")


@register.filter
def number_ar(value: Any, suffix: str = "") -> SafeString:
    """A mark or an average in an Arabic line: Western digits and the decimal comma, as
    Algerian administrations print them ("12,50"), isolated left-to-right together with
    what follows it ("12,50/20" with the suffix "/20": isolated apart, the "/20" would be
    put before the mark)."""
    number = _number(value, "ar")
    return ltr(f"{number}{suffix}" if number else "")


@register.filter
def number_en(value: Any) -> str:
    """A mark or an average in the English edition: "12.50"."""
    return _number(value, "en")


@register.filter
def of(value: Any, total: Any) -> str:
    """Credits out of a total: "30/30" (isolate it with ``ltr`` inside Arabic text)."""
    if value is None or value == "":
        return ""
    return f"{value}/{total}" if total not in (None, "") else str(value)


@register.filter
def half(value: Any) -> int:
    """The year a semester ends (S2 → 1, S4 → 2)."""
    return int(value) // 2


@register.filter
def rows_of(items: Any, most: int) -> list[list[Any]]:
    """Items in rows of at most ``most``, as even as possible (5 by 4: 3 and 2, not 4 and
    1), for the signature cells."""
    items = list(items or [])
    if not items:
        return []
    count = -(-len(items) // int(most))
    size = -(-len(items) // count)
    return [items[i : i + size] for i in range(0, len(items), size)]


def _in_language(language: str, words: Any, code: Any) -> str:
    with translation.override(language):
        return str(words(code))


@register.filter
def decision_in(code: str | None, language: str) -> str:
    """A decision or mention code (academic-rules.md §1.12) in the project's words for that
    language, whatever language is active."""
    from curriculum.templatetags.lmd import decision

    return _in_language(language, decision, code)


@register.filter
def acquired_in(code: str | None, language: str) -> str:
    """How credits were acquired, in words of that language ("" when acquired on their own,
    which needs no words on a document)."""
    from studies.templatetags.studies import acquired

    if not code or code == "direct":
        return ""
    return _in_language(language, acquired, code)


@register.filter
def unit_kind_in(code: str | None, language: str) -> str:
    """The type of a teaching unit (UEF …) in words of that language, without the code."""
    from curriculum.models import TeachingUnit

    if code not in TeachingUnit.Kind.values:
        return str(code or "")
    with translation.override(language):
        label = str(TeachingUnit.Kind(code).label)
    return label.split(" (")[0]
