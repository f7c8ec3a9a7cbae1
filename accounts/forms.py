from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.access import Role


class RoleChangeForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[
            (r.value, r.label)
            for r in (Role.STUDENT, Role.LECTURER, Role.COORDINATOR, Role.FINANCE)
        ],
    )
    granted = forms.TypedChoiceField(
        label=_("Action"),
        choices=(("1", _("Grant")), ("0", _("Revoke"))),
        coerce=lambda v: v == "1",
    )
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)

    def role_value(self) -> Role:
        return Role(self.cleaned_data["role"])
