from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class JustificationForm(forms.Form):
    """A student's justification of one absence: why, and optionally a document."""

    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 5})
    )
    file = forms.FileField(
        label=_("Supporting document"),
        required=False,
        help_text=_("Optional: a PDF or an image (PNG, JPEG, WebP), 10 MB at most."),
    )


class RefusalForm(forms.Form):
    """Why a justification is refused (required: it is e-mailed to the student)."""

    refusal_reason = forms.CharField(
        label=_("Reason for the refusal"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
