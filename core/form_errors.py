"""A service's ValidationError shown on the form that called it, never a 500."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.forms import BaseForm


def attach(form: BaseForm, exc: ValidationError) -> None:
    """Put the errors on their fields when the form has them, on the form otherwise."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)
