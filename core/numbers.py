"""Numbers typed in a query string or a form field, in the reader's language."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db import models

INT_MAX = 2**31 - 1  # PostgreSQL's integer


def amount_text(value: Decimal) -> str:
    """An amount of money as the reader's locale writes it, two decimals and grouped:
    "1 234 567,00" in French and Arabic, "1,234,567.00" in English (messages, pages and
    the ``money`` template filter alike)."""
    from django.utils import formats

    return formats.number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)


def positive_int(text: str | None) -> int | None:
    """``text`` as a positive integer that fits a database column, else None: rejects signs,
    spaces, other scripts' digits ('٣', '²' pass ``str.isdigit`` and break ``int``), and
    numbers too long for the column."""
    if not text or not text.isascii() or not text.isdigit() or len(text) > 10:
        return None
    value = int(text)
    return value if 0 < value <= INT_MAX else None


#: Decimal separators as people type them: the comma (French, Arabic as printed in
#: Algeria), the Arabic decimal separator U+066B, the point.
TYPED_SEPARATORS = str.maketrans({"\u066b": ".", ",": "."})


def typed_decimal(text: str) -> str:
    """A decimal as typed ("12,5", "12.5", "12٫5", "١٢٫٥") with a point for ``Decimal``;
    Python's ``Decimal`` reads the Arabic-Indic digits itself. Several separators (a
    thousands separator) are left for the field to refuse: marks never need one."""
    text = text.strip().replace("\u00a0", "").replace(" ", "")
    if text.count(",") + text.count(".") + text.count("\u066b") > 1:
        return text
    return text.translate(TYPED_SEPARATORS)


class LocalDecimalField(forms.DecimalField):
    """A decimal shown as the page shows numbers — with the language's separator, "12,50"
    on a French or Arabic page, "12.50" on an English one — in a text box that brings up
    the numeric keyboard, and read with whichever separator the person types (a browser's
    ``type="number"`` box would show the browser's own separator, not the page's)."""

    widget = forms.TextInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs["localize"] = True
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {**super().widget_attrs(widget), "inputmode": "decimal"}

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if isinstance(value, str):
            value = typed_decimal(value)
        return super().to_python(value)


def local_decimals(field: models.Field[Any, Any], **kwargs: Any) -> forms.Field | None:
    """``Meta.formfield_callback`` of a model form: its decimal columns as
    :class:`LocalDecimalField`, the other fields as Django makes them."""
    if isinstance(field, models.DecimalField):
        return field.formfield(form_class=LocalDecimalField, **kwargs)
    return field.formfield(**kwargs)
