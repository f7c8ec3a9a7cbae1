from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.numbers import LocalDecimalField
from enrollment.models import Student
from finance.models import Payment
from partners.models import Organisation


class PaymentForm(forms.Form):
    """A payment as finance records it; the rules on amounts, dates and references are the
    service's (``finance.services.payments.payment_record``), shown next to their fields."""

    student = forms.CharField(
        label=_("Student (registration number)"),
        required=False,
        max_length=30,
        help_text=_("For example MCRT-2026-0001. Leave empty when an organisation paid."),
    )
    organisation = forms.ModelChoiceField(
        label=_("Or organisation"),
        queryset=Organisation.objects.order_by("name_fr"),
        required=False,
    )
    method = forms.ChoiceField(label=_("Method"), choices=Payment.Method.choices)
    reference = forms.CharField(
        label=_("Reference"),
        required=False,
        max_length=80,
        help_text=_("The transfer, CCP or cheque number; may be empty for cash."),
    )
    paid_on = forms.DateField(
        label=_("Date of payment"), widget=forms.DateInput(attrs={"type": "date"})
    )
    amount = LocalDecimalField(label=_("Amount (DZD)"), max_digits=12)
    proof = forms.FileField(
        label=_("Proof (PDF or image)"),
        required=False,
        help_text=_("A scan of the transfer order, the cheque or the receipt; kept private."),
    )

    def clean_student(self) -> Student | None:
        number = self.cleaned_data["student"].strip().upper()
        if not number:
            return None
        student = (
            Student.objects.filter(registration_number=number).select_related("cohort").first()
        )
        if student is None:
            raise forms.ValidationError(
                _("No student has the registration number %(number)s."), params={"number": number}
            )
        return student

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and (data.get("student") is None) == (data.get("organisation") is None):
            self.add_error(
                "student",
                _(
                    "Give the registration number of the student or choose the organisation, "
                    "not both."
                ),
            )
        return data
