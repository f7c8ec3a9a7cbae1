"""Fields kept in French, Arabic and English (``name_fr``, ``name_ar``, ``name_en``), shown in
the reader's language with French as the fallback.

Three fixed languages and explicit columns: a ten-line helper rather than a library that
patches managers and migrations.
"""

from __future__ import annotations

from django.utils import translation

FALLBACK = "fr"


def localized(obj: object, field: str, language: str | None = None) -> str:
    language = (language or translation.get_language() or FALLBACK)[:2]
    value = getattr(obj, f"{field}_{language}", "") or ""
    if not value and language != FALLBACK:
        value = getattr(obj, f"{field}_{FALLBACK}", "") or ""
    return str(value)


class TranslatedMixin:
    def tr(self, field: str) -> str:
        return localized(self, field)
