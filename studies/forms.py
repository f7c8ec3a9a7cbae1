from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.numbers import LocalDecimalField
from enrollment.forms import DATE, DATETIME
from partners.models import Organisation
from studies.models import ClassSession, Internship


class ClassSessionForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DATETIME)
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=DATETIME)
    kind = forms.ChoiceField(label=_("Kind"), choices=ClassSession.Kind.choices)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    host = forms.ModelChoiceField(
        label=_("Host organisation"), queryset=Organisation.objects.all(), required=False
    )


class InternshipForm(forms.ModelForm[Internship]):
    agreement = forms.FileField(label=_("Tripartite agreement (signed PDF)"), required=False)

    class Meta:
        model = Internship
        fields = [
            "host",
            "host_name",
            "subject",
            "starts_on",
            "ends_on",
            "host_tutor",
            "host_tutor_email",
            "supervisor",
            "agreement_signed_on",
        ]
        widgets = {"starts_on": DATE, "ends_on": DATE, "agreement_signed_on": DATE}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supervisor"].queryset = User.objects.filter(is_lecturer=True)  # type: ignore[attr-defined]


class DefenceScheduleForm(forms.Form):
    scheduled_at = forms.DateTimeField(label=_("Date and time"), widget=DATETIME)
    room = forms.CharField(label=_("Room"), max_length=120)
    members = forms.CharField(
        label=_("Jury"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "One member per line: role, name, e-mail — role is president, supervisor, "
            "examiner or invited."
        ),
    )


class DefenceMarkForm(forms.Form):
    written = LocalDecimalField(
        label=_("Written thesis /20"), min_value=0, max_value=20, decimal_places=2
    )
    oral = LocalDecimalField(label=_("Defence /20"), min_value=0, max_value=20, decimal_places=2)
    tutor = LocalDecimalField(
        label=_("Tutor's appraisal /20"), min_value=0, max_value=20, decimal_places=2
    )
