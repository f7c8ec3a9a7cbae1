from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from core.numbers import LocalDecimalField, amount_text
from enrollment.models import Application, Cohort, Student
from finance.models import Adjustment, Instalment, Payment
from finance.services.common import money
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
    application = forms.CharField(
        label=_("Or applicant (application number)"),
        required=False,
        max_length=20,
        help_text=_("For an application fee paid before admission, e.g. APP-2026-0001."),
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

    def clean_application(self) -> Application | None:
        number = self.cleaned_data["application"].strip().upper()
        if not number:
            return None
        application = Application.objects.filter(number=number).first()
        if application is None:
            raise forms.ValidationError(
                _("No application has the number %(number)s."), params={"number": number}
            )
        return application

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        payers = [data.get(name) for name in ("student", "organisation", "application")]
        if not self.errors and payers.count(None) != 2:
            self.add_error(
                "student",
                _(
                    "Give the registration number of the student, choose the organisation or "
                    "give the application number of the applicant: one of them."
                ),
            )
        return data


STATEMENT_METHODS = [
    (Payment.Method.TRANSFER.value, Payment.Method.TRANSFER.label),
    (Payment.Method.CCP.value, Payment.Method.CCP.label),
]


class StatementMethodForm(forms.Form):
    """How the payments of a statement were made: a bank statement's are transfers, a CCP
    statement's are CCP payments."""

    method = forms.ChoiceField(
        label=_("The payments of this statement are"),
        choices=STATEMENT_METHODS,
        initial=Payment.Method.TRANSFER.value,
    )


class StatementUploadForm(StatementMethodForm):
    """A bank or CCP statement; what makes it readable is checked by
    ``finance.services.statements.statement_upload``, its message shown next to the file."""

    file = forms.FileField(label=_("Statement (CSV or Excel)"))

    field_order = ["file", "method"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "Columns of the first line: date, amount, reference, payer (or date, montant, "
            "référence, payeur). At most %(rows)s lines and %(size)s."
        ) % {
            "rows": formats.number_format(settings.IMPORT_MAX_ROWS, force_grouping=True),
            "size": filesizeformat(settings.IMPORT_MAX_BYTES),
        }


# --- The billing pages (finance.views.billing) ------------------------------------------------
class ScheduleForm(forms.Form):
    """A cohort's fee schedule; the rules on amounts and the deposit's deadline are
    ``finance.services.schedules.schedule_set``'s, shown next to their fields."""

    tuition_per_year = LocalDecimalField(label=_("Tuition per academic year (DZD)"), max_digits=12)
    application_fee = LocalDecimalField(
        label=_("Application fee (DZD)"),
        required=False,
        max_digits=12,
        help_text=_("Leave empty when applying is free."),
    )
    deposit = LocalDecimalField(
        label=_("Deposit confirming an accepted offer (DZD)"),
        required=False,
        max_digits=12,
        help_text=_("Leave empty when no deposit is asked."),
    )
    deposit_days = forms.IntegerField(
        label=_("Days to pay the deposit"), required=False, max_value=32767
    )


class InstalmentForm(forms.Form):
    """One instalment of a year's plan; that the plan adds up to the tuition is the
    service's rule (``instalments_plan``)."""

    label_fr = forms.CharField(label=_("Label (French)"), max_length=120)
    label_ar = forms.CharField(
        label=_("Label (Arabic)"),
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"dir": "rtl", "lang": "ar"}),
    )
    label_en = forms.CharField(label=_("Label (English)"), max_length=120, required=False)
    amount = LocalDecimalField(label=_("Amount (DZD)"), max_digits=12)
    due_date = forms.DateField(
        label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def clean_amount(self) -> Decimal:
        try:
            return money(self.cleaned_data["amount"])
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from None


InstalmentFormSet = forms.formset_factory(InstalmentForm, extra=2, can_delete=True, max_num=24)


class PlanForm(forms.Form):
    """Which academic year the instalments are for; the service's refusals of the plan as a
    whole (the total, a year already invoiced) are this form's errors, shown beside the
    plan's total."""

    year = forms.TypedChoiceField(label=_("Academic year"), coerce=int, widget=forms.HiddenInput)

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, y) for y in years]  # type: ignore[attr-defined]


class InvoiceIssueForm(forms.Form):
    """The instalments and students to invoice, as the issue page's checkboxes send them.
    Any student is accepted here: one of another cohort is refused by the service, which
    names them."""

    instalments = forms.ModelMultipleChoiceField(
        label=_("Instalments"),
        queryset=Instalment.objects.none(),
        error_messages={"required": _("Choose at least one instalment.")},
    )
    students = forms.ModelMultipleChoiceField(
        label=_("Students"),
        queryset=Student.objects.all(),
        error_messages={"required": _("Choose at least one student.")},
    )

    def __init__(self, *args: Any, cohort: Cohort, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["instalments"].queryset = Instalment.objects.filter(  # type: ignore[attr-defined]
            schedule__cohort=cohort
        ).select_related("schedule__cohort")


class CreditNoteForm(forms.Form):
    """A credit note on an invoice, checked before the confirmation page as
    ``credit_note_issue`` checks it again when it issues: at most what is left to pay
    (``left``), with a reason."""

    amount = LocalDecimalField(label=_("Amount (DZD)"), max_digits=12)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Printed on the credit note and kept in the invoice's history."),
        error_messages={"required": _("Say why the invoice is corrected.")},
    )

    def __init__(self, *args: Any, left: Decimal, number: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.left, self.number = left, number

    def clean_amount(self) -> Decimal:
        try:
            amount = money(self.cleaned_data["amount"])
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from None
        if amount > self.left:
            raise forms.ValidationError(
                _("Only %(left)s DZD are left to pay on %(number)s."),
                params={
                    "left": amount_text(self.left),
                    "number": self.number,
                },
            )
        return amount


class AdjustmentForm(forms.Form):
    """A discount, scholarship or waiver on one instalment of one student of the cohort;
    ``adjustment_grant`` decides (amount or percentage, before invoicing)."""

    student = forms.ModelChoiceField(label=_("Student"), queryset=Student.objects.none())
    instalment = forms.ModelChoiceField(label=_("Instalment"), queryset=Instalment.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=Adjustment.Kind.choices)
    amount = LocalDecimalField(
        label=_("Amount (DZD)"),
        required=False,
        max_digits=12,
        help_text=_("Either an amount or a percentage of the instalment."),
    )
    percent = LocalDecimalField(label=_("Or percentage"), required=False, max_digits=12)
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    approver_name = forms.CharField(label=_("Approved by (name)"), required=False, max_length=150)

    def __init__(self, *args: Any, cohort: Cohort, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        student = self.fields["student"]
        student.queryset = (  # type: ignore[attr-defined]
            Student.objects.filter(cohort=cohort)
            .select_related("user")
            .order_by("registration_number")
        )
        student.label_from_instance = _student_choice  # type: ignore[attr-defined]
        self.fields["instalment"].queryset = (  # type: ignore[attr-defined]
            Instalment.objects.filter(schedule__cohort=cohort)
            .select_related("schedule")
            .order_by("year", "position")
        )


def _student_choice(student: Student) -> str:
    return f"{student.registration_number} — {student.user.get_full_name()}".strip(" —")


class SponsorContactForm(forms.Form):
    """A sponsor's contact person (``finance.services.contacts.contact_add`` checks the
    rest: an address listed once per organisation)."""

    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("E-mail"))
    language = forms.ChoiceField(
        label=_("Language of correspondence"),
        choices=settings.LANGUAGES,
        initial="fr",
        help_text=_("The invoices, reminders and statements are sent in this language."),
    )


# --- Admissions: sponsorships, deposits, application fees ------------------------------------
class SponsorshipForm(forms.Form):
    """A sponsorship to confirm: the student (of the page's cohort), the organisation of the
    partners' list and its share; the rules are the service's
    (``finance.services.sponsorships``)."""

    student = forms.ModelChoiceField(label=_("Student"), queryset=Student.objects.none())
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.order_by("name_fr")
    )
    share = LocalDecimalField(label=_("Share (%)"), max_digits=5, decimal_places=2)

    def __init__(self, *args: Any, cohort: Cohort, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["student"].queryset = Student.objects.filter(  # type: ignore[attr-defined]
            cohort=cohort
        ).select_related("user", "application")


class DepositIssueForm(forms.Form):
    """The students chosen on the deposits page (none chosen: all of those listed)."""

    students = forms.ModelMultipleChoiceField(
        label=_("Students"), queryset=Student.objects.none(), required=False
    )

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["students"].queryset = candidates  # type: ignore[attr-defined]


class ApplicationFeeIssueForm(forms.Form):
    """The applications chosen on the application fees page (none chosen: all listed)."""

    applications = forms.ModelMultipleChoiceField(
        label=_("Applications"), queryset=Application.objects.none(), required=False
    )

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["applications"].queryset = candidates  # type: ignore[attr-defined]


class StatementRequestForm(forms.Form):
    """A sponsor's statement for a cohort (the organisation and the cohort by id, as the
    sponsor's page and finance's pages post them)."""

    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.all()
    )
    cohort = forms.ModelChoiceField(label=_("Cohort"), queryset=Cohort.objects.all())


class JournalForm(forms.Form):
    """The period (both days included) and the cohort of the accounting export."""

    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    cohort = forms.ModelChoiceField(
        label=_("Cohort"), queryset=Cohort.objects.order_by("-start_date"), required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end of the period comes before its start."))
        return data
