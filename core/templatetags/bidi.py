"""Codes, numbers and Arabic text that the bidirectional algorithm cannot scramble, for the
PDF templates (certificates, finance documents) that print French and Arabic on one page.

Isolates (U+2066 LRI, U+2067 RLI … U+2069 PDI) are used rather than ``<bdi>`` or
``<span dir>``: WeasyPrint (through Pango and FriBidi) honours all of them alike — checked by
rendering and reading back with ``pdftotext`` (tests/certificates/test_layout.py) — but an
isolate is only two characters of the text run, where an element is one more box to lay out.
"""

from __future__ import annotations

import re
from typing import Any

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, SafeString, mark_safe

register = template.Library()

LRI, RLI, PDI = "\u2066", "\u2067", "\u2069"
#: Every bidi control a value could carry (marks, embeddings, overrides, isolates): removed
#: from what is isolated, so a value can neither close our isolate early nor reorder its
#: neighbours.
BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _isolated(value: Any, opening: str) -> SafeString:
    if value is None or value == "":
        return SafeString("")
    text = BIDI_CONTROLS.sub("", str(value))
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
    text = BIDI_CONTROLS.sub("", str(value))
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
