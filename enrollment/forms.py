from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.form_errors import attach
from core.numbers import LocalDecimalField, local_decimals
from enrollment.lifecycles import APPLICATION, DOCUMENT
from enrollment.models import (
    ApplicantProfile,
    Application,
    ApplicationDocument,
    Cohort,
    DocumentRequirement,
    Education,
    Experience,
    Intake,
    InterviewSlot,
    Review,
)
from enrollment.services import applications, profiles
from enrollment.services.decisions import Decision
from partners.models import Organisation

AR = {"dir": "rtl", "lang": "ar"}
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _refuse(form: forms.BaseForm, errors: dict[str, list[str]]) -> None:
    """The rules of ``enrollment.services.profiles`` (the services apply the same ones), each
    message on its field."""
    if errors:
        attach(form, ValidationError(errors))


def _mark_needed(form: forms.BaseForm, names: tuple[str, ...]) -> None:
    """Fields a submission needs though a draft may be saved without them: announced as
    required (the step's templates draw the asterisk from ``form.needed``)."""
    for name in names:
        if name in form.fields:
            form.fields[name].widget.attrs["aria-required"] = "true"


class ProfileForm(forms.ModelForm[ApplicantProfile]):
    #: What a submission needs (``profiles.profile_check``); the NIN only of Algerians.
    needed = (
        "surname_latin",
        "given_names_latin",
        "surname_ar",
        "given_names_ar",
        "birth_date",
        "birth_place_latin",
        "birth_place_ar",
        "nationality",
        "phone",
        "address",
        "wilaya",
        "sector",
        "consent",
    )
    #: The intake applied to, whose age bounds the date of birth must meet (None: no bounds).
    intake: Intake | None = None
    #: Apply the rules of entry (``profiles.identity_errors``) in the form. A subclass whose
    #: service reports them itself, with what is missing, all at once, turns this off.
    entry_rules = True

    consent = forms.BooleanField(
        label=_(
            "I consent to TEMA processing the personal data of this application to select the "
            "cohort, as law 18-07 on the protection of personal data provides."
        ),
        required=False,
    )

    class Meta:
        model = ApplicantProfile
        fields = [
            "surname_latin",
            "given_names_latin",
            "surname_ar",
            "given_names_ar",
            "birth_date",
            "birth_date_presumed",
            "birth_year",
            "birth_place_latin",
            "birth_place_ar",
            "nationality",
            "nationality_other",
            "nin",
            "phone",
            "address",
            "wilaya",
            "sector",
        ]
        widgets = {
            "surname_ar": forms.TextInput(attrs=AR),
            "given_names_ar": forms.TextInput(attrs=AR),
            "birth_place_ar": forms.TextInput(attrs=AR),
            "birth_date": DATE,
            "address": forms.Textarea(attrs={"rows": 2}),
            "nin": forms.TextInput(
                attrs={"inputmode": "numeric", "autocomplete": "off", "dir": "ltr"}
            ),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "dir": "ltr"}),
        }
        help_texts = {
            "birth_date": _("Or tick “presumed” below and give the year only."),
            "birth_year": _("Only when the date is presumed."),
            "nin": _("Required for Algerian nationals."),
            "nationality_other": _("Required when the nationality is “Other”."),
        }

    def __init__(self, *args: Any, intake: Intake | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.intake = intake
        self.fields["consent"].initial = self.instance.consent_at is not None
        for name in (*profiles.LATIN_FIELDS, *profiles.ARABIC_FIELDS):
            field = self.fields[name]
            field.widget.attrs["maxlength"] = str(profiles.IDENTITY_PRINTED_MAX)
            if self.entry_rules:  # the rule (a hundred) says it, in the same words everywhere
                field.validators = [
                    v for v in field.validators if not isinstance(v, MaxLengthValidator)
                ]
        self.fields["address"].widget.attrs["maxlength"] = str(profiles.ADDRESS_MAX)
        _mark_needed(self, self.needed)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.entry_rules:
            _refuse(self, profiles.identity_errors(cleaned, intake=self.intake))
        return cleaned

    def _post_clean(self) -> None:
        # A refused value is not copied onto the instance, so the model's own checks see the
        # old one there (a presumed year refused for the age would be "missing" too): what
        # they say of a field already refused is beside the point and would confuse.
        refused = {name: list(errors) for name, errors in self.errors.items()}
        super()._post_clean()  # type: ignore[misc]  # ModelForm's, absent from the stubs
        for name, errors in refused.items():
            self.errors[name][:] = errors


class EducationForm(forms.ModelForm[Education]):
    class Meta:
        model = Education
        fields = ["degree", "field", "institution", "year", "average"]
        formfield_callback = local_decimals

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].widget.attrs.update(min=1950, max=timezone.localdate().year)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _refuse(self, profiles.education_errors(cleaned))
        return cleaned


class ExperienceForm(forms.ModelForm[Experience]):
    class Meta:
        model = Experience
        fields = ["employer", "position", "start", "end", "description"]
        widgets = {"start": DATE, "end": DATE, "description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate().isoformat()
        for name in ("start", "end"):
            self.fields[name].widget.attrs["max"] = today

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _refuse(self, profiles.experience_errors(cleaned))
        return cleaned


class MotivationForm(forms.ModelForm[Application]):
    """The motivation, the project and who pays the fees (the declaration's rules are
    ``applications.financing_clean``, which the service applies too)."""

    needed = ("motivation", "financing")

    financing = forms.ChoiceField(
        label=_("Who pays your fees?"),
        choices=Application.Financing.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    sponsor_organisation = forms.ModelChoiceField(
        label=_("Organisation that pays"),
        queryset=Organisation.objects.order_by("name_fr"),
        required=False,
        help_text=_("Among the partners of the master. Not in the list? Type its name below."),
    )
    sponsor_name = forms.CharField(
        label=_("Or its name, if it is not in the list"), max_length=200, required=False
    )
    sponsor_share = LocalDecimalField(
        label=_("Part paid by the organisation (%)"),
        max_digits=5,
        decimal_places=2,
        required=False,
        help_text=_(
            "In a split only: 1 to 99 (for example 70). An organisation that pays everything "
            "pays 100 %: leave it empty."
        ),
    )
    sponsor_consent = forms.BooleanField(
        label=_("The organisation that pays may see my attendance and my published results"),
        required=False,
        help_text=_(
            "Its statement of account then lists them beside the fees. Without your consent "
            "it shows only the fees, the invoices and the payments. Finance confirms the "
            "financing once you are a student."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in applications.FINANCING_FIELDS:
            self.fields[name].initial = getattr(self.instance, name)
        _mark_needed(self, self.needed)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not any(name in self.errors for name in applications.FINANCING_FIELDS):
            values, errors = applications.financing_clean(cleaned)
            _refuse(self, errors)
            if not errors:
                cleaned.update(values)
        return cleaned

    @property
    def financing_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in applications.FINANCING_FIELDS}

    class Meta:
        model = Application
        fields = ["motivation", "project"]
        widgets = {
            "motivation": forms.Textarea(attrs={"rows": 8, "maxlength": 6000}),
            "project": forms.Textarea(attrs={"rows": 6, "maxlength": 6000}),
        }
        help_texts = {
            "motivation": _("Why this master, why now: 6,000 characters at most."),
            "project": _("What you want to do with it, in a cluster or a territory."),
        }


class DocumentUploadForm(forms.Form):
    requirement = forms.ModelChoiceField(
        queryset=DocumentRequirement.objects.none(), widget=forms.HiddenInput
    )
    file = forms.FileField(label=_("File"), max_length=300, allow_empty_file=False)

    def __init__(self, *args: Any, intake: Intake, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["requirement"].queryset = intake.requirements.all()  # type: ignore[attr-defined]


#: The first choice of every consequential select: nothing is decided until someone chooses.
CHOOSE = ("", _("— choose —"))


def _choose(choices: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [CHOOSE, *choices]


class DocumentReviewForm(forms.Form):
    """Accept or reject one document: only the moves its state allows, none preselected."""

    ACTIONS = (("1", "accept", _("Accept")), ("0", "reject", _("Reject")))
    accept = forms.TypedChoiceField(
        label=_("Decision"),
        choices=_choose([(value, label) for value, _action, label in ACTIONS]),
        coerce=lambda v: v == "1",
        empty_value=None,
    )
    reason = forms.CharField(label=_("Reason (when rejected)"), required=False, max_length=1000)

    def __init__(self, *args: Any, document: ApplicationDocument | None = None, **kwargs: Any):
        if document is not None:
            kwargs.setdefault("auto_id", f"id_doc{document.pk}_%s")
        super().__init__(*args, **kwargs)
        self.document = document
        if document is not None:
            self.fields["accept"].choices = _choose(  # type: ignore[attr-defined]
                [
                    (value, label)
                    for value, action, label in self.ACTIONS
                    if DOCUMENT.allows(document.status, action)
                ]
            )


class EligibilityForm(forms.Form):
    ACTIONS = (("1", "eligible", _("Eligible")), ("0", "ineligible", _("Not eligible")))
    eligible = forms.TypedChoiceField(
        label=_("Eligibility"),
        choices=_choose([(value, label) for value, _action, label in ACTIONS]),
        coerce=lambda v: v == "1",
        empty_value=None,
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)

    def __init__(self, *args: Any, status: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if status is not None:
            self.fields["eligible"].choices = _choose(  # type: ignore[attr-defined]
                [
                    (value, label)
                    for value, action, label in self.ACTIONS
                    if APPLICATION.allows(status, action)
                ]
            )


class ReviewerAssignForm(forms.Form):
    reviewer = forms.ModelChoiceField(label=_("Reviewer"), queryset=User.objects.none())

    def __init__(self, *args: Any, reviewers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = reviewers  # type: ignore[attr-defined]


class ReviewForm(forms.ModelForm[Review]):
    class Meta:
        model = Review
        fields = ["conflict_of_interest", "academic", "experience", "motivation", "comment"]
        widgets = {"comment": forms.Textarea(attrs={"rows": 3})}
        formfield_callback = local_decimals


class InterviewForm(forms.Form):
    scheduled_at = forms.DateTimeField(label=_("Date and time"), widget=DATETIME)
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=5, max_value=480, initial=30
    )
    place = forms.CharField(label=_("Place"), required=False, max_length=200)
    link = forms.URLField(label=_("Video link"), required=False, assume_scheme="https")
    panel = forms.ModelMultipleChoiceField(label=_("Panel"), queryset=User.objects.none())

    def __init__(self, *args: Any, reviewers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["panel"].queryset = reviewers  # type: ignore[attr-defined]


class InterviewMarkForm(forms.Form):
    mark = LocalDecimalField(
        label=_("Interview mark /20"), min_value=0, max_value=20, max_digits=4, decimal_places=2
    )


DECISION_LABELS = {
    Decision.ADMIT: _("Admit"),
    Decision.WAITLIST: _("Waiting list"),
    Decision.REJECT: _("Reject"),
}


class DecisionForm(forms.Form):
    """The decisions offered now (by default all three), none preselected; with
    ``override``, the reason for deciding although mandatory documents are not accepted."""

    decision = forms.ChoiceField(
        label=_("Decision"), choices=_choose(list(DECISION_LABELS.items()))
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)
    override_reason = forms.CharField(
        label=_("Reason for deciding although mandatory documents are not accepted"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the history. Leave empty to wait for the documents."),
    )

    def __init__(
        self,
        *args: Any,
        decisions: Any = None,
        override: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if decisions is not None:
            self.fields["decision"].choices = _choose(  # type: ignore[attr-defined]
                [(d, DECISION_LABELS[d]) for d in Decision.CHOICES if d in decisions]
            )
        if not override:
            del self.fields["override_reason"]


class BulkActionForm(forms.Form):
    ACTIONS = (
        CHOOSE,
        ("eligible", _("Mark eligible")),
        ("shortlist", _("Shortlist")),
        (Decision.ADMIT, _("Admit")),
        (Decision.WAITLIST, _("Put on the waiting list")),
        (Decision.REJECT, _("Reject")),
    )
    action = forms.ChoiceField(label=_("With the selected applications"), choices=ACTIONS)
    selected = forms.ModelMultipleChoiceField(
        queryset=Application.objects.all(), widget=forms.MultipleHiddenInput
    )


class SlotForm(forms.ModelForm[InterviewSlot]):
    """An interview slot the coordination publishes (``Intake.interview_booking``)."""

    link = forms.URLField(label=_("Video link"), required=False, assume_scheme="https")

    class Meta:
        model = InterviewSlot
        fields = ["starts_at", "duration_minutes", "place", "link", "panel"]
        widgets = {"starts_at": DATETIME}

    def __init__(self, *args: Any, reviewers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["panel"].queryset = reviewers  # type: ignore[attr-defined]


class SlotChoiceField(forms.ModelChoiceField):
    """A slot named by its local date and time and where it takes place."""

    def label_from_instance(self, obj: Any) -> str:
        when = formats.date_format(timezone.localtime(obj.starts_at), "DATETIME_FORMAT")
        return f"{when} — {obj.place or obj.link}"


class SlotBookForm(forms.Form):
    slot = SlotChoiceField(
        label=_("Interview slot"),
        queryset=InterviewSlot.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
    )

    def __init__(self, *args: Any, slots: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slot"].queryset = slots  # type: ignore[attr-defined]


class CohortForm(forms.ModelForm[Cohort]):
    class Meta:
        model = Cohort
        fields = ["programme", "name_fr", "name_ar", "name_en", "slug", "start_date", "seats"]
        widgets = {"start_date": DATE, "name_ar": forms.TextInput(attrs=AR)}


class IntakeForm(forms.ModelForm[Intake]):
    class Meta:
        model = Intake
        fields = [
            "cohort",
            "title_fr",
            "title_ar",
            "title_en",
            "slug",
            "opens_at",
            "closes_at",
            "seats",
            "eligibility_fr",
            "eligibility_ar",
            "eligibility_en",
            "weight_academic",
            "weight_experience",
            "weight_motivation",
            "weight_dossier",
            "weight_interview",
            "shortlist_factor",
            "offer_reply_days",
            "replacement_days",
            "retention_months",
            # What a decision waits for, and how interviews are reviewed and booked.
            "reviews_required",
            "interview_required",
            "documents_accepted_required",
            "blind_review",
            "interview_booking",
        ]
        widgets = {
            "opens_at": DATETIME,
            "closes_at": DATETIME,
            "title_ar": forms.TextInput(attrs=AR),
            "eligibility_ar": forms.Textarea(attrs={**AR, "rows": 3}),
            "eligibility_fr": forms.Textarea(attrs={"rows": 3}),
            "eligibility_en": forms.Textarea(attrs={"rows": 3}),
        }


class RequirementForm(forms.ModelForm[DocumentRequirement]):
    class Meta:
        model = DocumentRequirement
        fields = ["kind", "label_fr", "label_ar", "label_en", "required", "accepts", "max_size_mb"]
        widgets = {"label_ar": forms.TextInput(attrs=AR)}


class StudentAddForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"))
    surname_latin = forms.CharField(label=_("Surname (Latin script)"), max_length=100)
    given_names_latin = forms.CharField(label=_("Given names (Latin script)"), max_length=100)
    surname_ar = forms.CharField(
        label=_("Surname (Arabic script)"), max_length=100, widget=forms.TextInput(attrs=AR)
    )
    given_names_ar = forms.CharField(
        label=_("Given names (Arabic script)"), max_length=100, widget=forms.TextInput(attrs=AR)
    )
    level = forms.ChoiceField(label=_("Level"), choices=(("M1", "M1"), ("M2", "M2")))
    group = forms.CharField(label=_("Group"), max_length=30, required=False)
