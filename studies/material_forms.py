from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from studies.models import Material, MaterialSection, Offering

FILE_HELP = _(
    "A PDF, an image (PNG, JPEG, WebP) or an office document (Word, Excel, PowerPoint, "
    "OpenDocument), 30 MB at most."
)


class SectionForm(forms.Form):
    title_fr = forms.CharField(label=_("Title (French)"), max_length=200)
    title_ar = forms.CharField(
        label=_("Title (Arabic)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"dir": "rtl", "lang": "ar"}),
    )
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)


class MaterialForm(forms.Form):
    """A link or a file in one of the offering's sections."""

    section = forms.ModelChoiceField(label=_("Section"), queryset=MaterialSection.objects.none())
    kind = forms.ChoiceField(
        label=_("Kind"), choices=Material.Kind.choices, widget=forms.RadioSelect
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    url = forms.URLField(
        label=_("Address"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("For a link."),
    )
    file = forms.FileField(label=_("File"), required=False, help_text=FILE_HELP)

    def __init__(self, *args: Any, offering: Offering, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["section"].queryset = MaterialSection.objects.filter(  # type: ignore[attr-defined]
            offering=offering
        ).order_by("position", "pk")
        self.fields["section"].label_from_instance = lambda s: s.tr("title")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind == Material.Kind.LINK:
            if not data.get("url"):
                self.add_error("url", _("Give the address of the link."))
            data["file"] = None
        elif kind == Material.Kind.FILE:
            if not data.get("file"):
                self.add_error("file", _("Choose the file to share."))
            data["url"] = ""
        return data


class VersionForm(forms.Form):
    file = forms.FileField(label=_("New version of the file"), help_text=FILE_HELP)
