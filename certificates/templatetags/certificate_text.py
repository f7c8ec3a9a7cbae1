"""Filters for the PDF templates."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def ltr(value: Any) -> SafeString:
    """A date, year or code inside Arabic text, isolated left-to-right (U+2066 … U+2069):
    without it the bidi algorithm turns 2026-2027 into 2027-2026 after Arabic letters. An
    isolate costs nothing to lay out, where a <span dir="ltr"> is one more box."""
    return mark_safe(f"\u2066{conditional_escape(value)}\u2069")  # noqa: S308 - escaped above
