from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from core.uploads import check_image, check_pdf
from partners.models import MAX_AGREEMENT_BYTES, MAX_LOGO_BYTES, Agreement, Contact, Organisation


class OrganisationForm(forms.ModelForm[Organisation]):
    # A website typed without its scheme is taken as https (Django 6's default).
    website = forms.URLField(label=_("website"), required=False, assume_scheme="https")

    class Meta:
        model = Organisation
        fields = [
            "name_fr",
            "name_ar",
            "name_en",
            "acronym",
            "slug",
            "kind",
            "sector",
            "wilaya",
            "city",
            "website",
            "logo",
            "description_fr",
            "description_ar",
            "description_en",
        ]
        widgets = {
            "name_ar": forms.TextInput(attrs={"dir": "rtl", "lang": "ar"}),
            "description_ar": forms.Textarea(attrs={"dir": "rtl", "lang": "ar", "rows": 4}),
            "description_fr": forms.Textarea(attrs={"rows": 4}),
            "description_en": forms.Textarea(attrs={"rows": 4}),
            "logo": forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
        }
        help_texts = {"logo": _("PNG, JPEG or WebP, 1 MB at most.")}

    def clean_logo(self) -> Any:
        logo = self.cleaned_data.get("logo")
        if isinstance(logo, UploadedFile):
            check_image(logo, max_bytes=MAX_LOGO_BYTES)
        return logo


class ContactForm(forms.ModelForm[Contact]):
    class Meta:
        model = Contact
        fields = ["full_name", "role", "email", "phone", "user"]
        help_texts = {"user": _("Link the contact to an account when the person teaches.")}


class AgreementForm(forms.ModelForm[Agreement]):
    parties = forms.ModelMultipleChoiceField(
        label=_("Parties"),
        queryset=Organisation.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Two organisations at least."),
    )
    signed_pdf = forms.FileField(
        label=_("Signed copy (PDF)"),
        required=False,
        help_text=_("PDF, 10 MB at most; kept private."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )

    class Meta:
        model = Agreement
        fields = [
            "title",
            "parties",
            "signed_on",
            "valid_from",
            "valid_until",
            "scope_teaching",
            "scope_internships",
            "scope_site_visits",
            "scope_research",
            "scope_recruitment",
            "summary",
        ]
        widgets = {
            "signed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "valid_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "valid_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "summary": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_parties(self) -> Any:
        parties = self.cleaned_data["parties"]
        if len(parties) < 2:
            raise forms.ValidationError(_("An agreement has two parties at least."))
        return parties

    def clean_signed_pdf(self) -> Any:
        upload = self.cleaned_data.get("signed_pdf")
        if isinstance(upload, UploadedFile):
            check_pdf(upload, max_bytes=MAX_AGREEMENT_BYTES)
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("An agreement cannot end before it starts."))
        signed = data.get("signed_on")
        if signed and end and signed > end:
            self.add_error("signed_on", _("The signature cannot come after the end of validity."))
        return data
