from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from enrollment.models import (
    ApplicantProfile,
    Application,
    Cohort,
    DocumentRequirement,
    Education,
    Experience,
    Intake,
    Review,
)
from enrollment.services.decisions import Decision

AR = {"dir": "rtl", "lang": "ar"}
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ProfileForm(forms.ModelForm[ApplicantProfile]):
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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["consent"].initial = self.instance.consent_at is not None


class EducationForm(forms.ModelForm[Education]):
    class Meta:
        model = Education
        fields = ["degree", "field", "institution", "year", "average"]


class ExperienceForm(forms.ModelForm[Experience]):
    class Meta:
        model = Experience
        fields = ["employer", "position", "start", "end", "description"]
        widgets = {"start": DATE, "end": DATE, "description": forms.Textarea(attrs={"rows": 2})}


class MotivationForm(forms.ModelForm[Application]):
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


class DocumentReviewForm(forms.Form):
    accept = forms.TypedChoiceField(
        label=_("Decision"),
        choices=(("1", _("Accept")), ("0", _("Reject"))),
        coerce=lambda v: v == "1",
    )
    reason = forms.CharField(label=_("Reason (when rejected)"), required=False, max_length=1000)


class EligibilityForm(forms.Form):
    eligible = forms.TypedChoiceField(
        label=_("Eligibility"),
        choices=(("1", _("Eligible")), ("0", _("Not eligible"))),
        coerce=lambda v: v == "1",
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)


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


class InterviewForm(forms.Form):
    scheduled_at = forms.DateTimeField(label=_("Date and time"), widget=DATETIME)
    place = forms.CharField(label=_("Place"), required=False, max_length=200)
    link = forms.URLField(label=_("Video link"), required=False, assume_scheme="https")
    panel = forms.ModelMultipleChoiceField(label=_("Panel"), queryset=User.objects.none())

    def __init__(self, *args: Any, reviewers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["panel"].queryset = reviewers  # type: ignore[attr-defined]


class InterviewMarkForm(forms.Form):
    mark = forms.DecimalField(
        label=_("Interview mark /20"), min_value=0, max_value=20, max_digits=4, decimal_places=2
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=(
            (Decision.ADMIT, _("Admit")),
            (Decision.WAITLIST, _("Waiting list")),
            (Decision.REJECT, _("Reject")),
        ),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)


class BulkActionForm(forms.Form):
    ACTIONS = (
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
