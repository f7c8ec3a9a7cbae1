"""Filters for the PDF templates: codes, numbers and dates that the bidirectional algorithm
cannot scramble, long dates and decimal commas per language, and the project's words for the
academic record's codes in a given language (whatever language the worker runs in).

Isolates (U+2066 LRI, U+2067 RLI … U+2069 PDI) are used rather than ``<bdi>`` or
``<span dir>``: WeasyPrint (through Pango and FriBidi) honours all of them alike — checked by
rendering and reading back with ``pdftotext`` (tests/certificates/test_layout.py) — but an
isolate is only two characters of the text run, where an element is one more box to lay out.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal
from django import template
from django.utils import translation
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, SafeString, mark_safe

register = template.Library()

LRI, RLI, PDI = "\u2066", "\u2067", "\u2069"
#: Every bidi control a value could carry (marks, embeddings, overrides, isolates): removed
#: from what is isolated, so a value can neither close our isolate early nor reorder its
#: neighbours.
_BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
#: The locales of the long dates and numbers. Arabic is ``ar_DZ``: the Maghreb month names
#: (جانفي، فيفري، أفريل، جوان، جويلية، أوت…) of Algerian administrative texts, Western
#: digits and the decimal comma, as Algerian documents print them ("12,50").
LOCALES = {"fr": "fr", "ar": "ar_DZ", "en": "en"}


def _isolated(value: Any, opening: str) -> SafeString:
    if value is None or value == "":
        return SafeString("")
    text = _BIDI_CONTROLS.sub("", str(value))
    escaped = text if isinstance(value, SafeData) else str(conditional_escape(text))
    return mark_safe(f"{opening}{escaped}{PDI}")  # noqa: S308 - escaped above


@register.filter
def ltr(value: Any) -> SafeString:
    """A code, number or date inside Arabic (or mixed) text, isolated left-to-right: without
    it the bidi algorithm turns 2026-2027 into 2027-2026 after Arabic letters, and moves the
    leading digit of a code such as 8GXX-3AKA-EZMN-SV to the other side of its label. Empty
    for None or ""; escaped, unless already safe."""
    return _isolated(value, LRI)


#: A run of Latin letters and digits holding a digit, with the separators inside it: a year
#: range, a mark, a code, a module number ("2025-2027", "12,50/20", "F1.1.1", "16212").
_LTR_RUN = re.compile(r"[0-9A-Za-z]*[0-9][0-9A-Za-z]*(?:[-‐–/.,:][0-9A-Za-z]+)*")


@register.filter
def arabic(value: Any) -> SafeString:
    """Arabic text from the data (a cohort's or a module's name, an address) with every run
    of digits in it isolated left-to-right: after Arabic letters the digits become "Arabic
    numbers" and the hyphen a neutral, so "دفعة 2025-2027" would print "2027-2025"."""
    if value is None or value == "":
        return SafeString("")
    text = _BIDI_CONTROLS.sub("", str(value))
    parts, last = [], 0
    for run in _LTR_RUN.finditer(text):
        parts += [str(conditional_escape(text[last : run.start()])), LRI]
        parts += [str(conditional_escape(run.group())), PDI]
        last = run.end()
    parts.append(str(conditional_escape(text[last:])))
    return mark_safe("".join(parts))  # noqa: S308 - every part escaped above


@register.filter
def rtl(value: Any) -> SafeString:
    """Arabic text (a name, an Arabic date) inside a left-to-right line, isolated."""
    return _isolated(value, RLI)


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
