from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.numbers import local_decimals
from curriculum.models import Module, ModuleLecturer, ModulePartner, Programme, TeachingUnit

AR = {"dir": "rtl", "lang": "ar"}


class ProgrammeForm(forms.ModelForm[Programme]):
    class Meta:
        model = Programme
        fields = [
            "title_fr", "title_ar", "title_en", "domain_fr", "domain_ar", "domain_en",
            "speciality_fr", "speciality_ar", "speciality_en", "description_fr",
            "description_ar", "description_en", "diploma_authority", "semester_count",
            "ruleset_name", *Programme.RULESET_FIELDS,
            "arrears_withhold_attestation_days", "arrears_withhold_transcript_days",
        ]  # fmt: skip
        formfield_callback = local_decimals
        widgets = {
            "title_ar": forms.TextInput(attrs=AR),
            "domain_ar": forms.TextInput(attrs=AR),
            "speciality_ar": forms.TextInput(attrs=AR),
            "description_ar": forms.Textarea(attrs={**AR, "rows": 3}),
            "description_fr": forms.Textarea(attrs={"rows": 3}),
            "description_en": forms.Textarea(attrs={"rows": 3}),
        }


class UnitForm(forms.ModelForm[TeachingUnit]):
    class Meta:
        model = TeachingUnit
        fields = [
            "semester",
            "code",
            "kind",
            "title_fr",
            "title_ar",
            "title_en",
            "credits",
            "coefficient",
        ]
        widgets = {"title_ar": forms.TextInput(attrs=AR)}

    def __init__(self, *args: object, programme: Programme, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        cast(
            forms.ModelChoiceField, self.fields["semester"]
        ).queryset = programme.semesters.order_by("number")
        self.instance.programme = programme


class ModuleForm(forms.ModelForm[Module]):
    class Meta:
        model = Module
        fields = [
            "unit", "code", "title_fr", "title_ar", "title_en", "credits", "coefficient",
            "hours_lecture", "hours_tutorial", "hours_practical", "student_work_hours",
            "w_cc", "w_exam", "description_fr", "description_ar", "description_en",
            "outcomes_fr", "outcomes_ar", "outcomes_en", "is_thesis",
        ]  # fmt: skip
        formfield_callback = local_decimals
        widgets = {
            "title_ar": forms.TextInput(attrs=AR),
            "description_ar": forms.Textarea(attrs={**AR, "rows": 3}),
            "outcomes_ar": forms.Textarea(attrs={**AR, "rows": 3}),
            "description_fr": forms.Textarea(attrs={"rows": 3}),
            "description_en": forms.Textarea(attrs={"rows": 3}),
            "outcomes_fr": forms.Textarea(attrs={"rows": 3}),
            "outcomes_en": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: object, programme: Programme, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        units = TeachingUnit.objects.filter(programme=programme).select_related("semester")
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = units.order_by(
            "semester__number", "position"
        )
        self.instance.programme = programme


class ModuleLecturerForm(forms.ModelForm[ModuleLecturer]):
    lecturer = forms.ModelChoiceField(
        label=_("Lecturer"),
        queryset=User.objects.filter(is_lecturer=True, is_active=True).order_by(
            "last_name", "email"
        ),
    )

    class Meta:
        model = ModuleLecturer
        fields = ["lecturer", "role"]


class ModulePartnerForm(forms.ModelForm[ModulePartner]):
    class Meta:
        model = ModulePartner
        fields = ["organisation", "role"]
