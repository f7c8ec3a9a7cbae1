from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.access import Role, has_role
from accounts.models import User
from enrollment.models import Cohort
from studies.models import Offering


class OfferingChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Offering) -> str:
        return f"{obj.module.code} – {obj.module} ({obj.cohort})"


class AnnouncementForm(forms.Form):
    """To whom (a cohort, one of its groups, or a module's students) and what. A lecturer
    chooses among the modules they teach; a coordinator among every cohort and module."""

    cohort = forms.ModelChoiceField(
        label=_("Cohort"), queryset=Cohort.objects.none(), required=False
    )
    group = forms.CharField(
        label=_("Group"),
        max_length=30,
        required=False,
        help_text=_("Empty: the whole cohort."),
    )
    offering = OfferingChoice(
        label=_("Module"),
        queryset=Offering.objects.none(),
        required=False,
        help_text=_("To write to the students of one module only."),
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        label=_("Message"), max_length=10000, widget=forms.Textarea(attrs={"rows": 8})
    )
    attachment = forms.FileField(
        label=_("Attachment"),
        required=False,
        help_text=_(
            "Optional: a PDF, an image (PNG, JPEG, WebP) or an office document (Word, Excel, "
            "PowerPoint, OpenDocument), 10 MB at most."
        ),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offerings: QuerySet[Offering] = Offering.objects.select_related("module", "cohort")
        if has_role(user, Role.COORDINATOR):
            self.fields["cohort"].queryset = Cohort.objects.order_by("-start_date")  # type: ignore[attr-defined]
        else:
            # A lecturer writes to the students of a module they teach: no cohort, no group.
            del self.fields["cohort"]
            del self.fields["group"]
            offerings = offerings.filter(lecturers=user)
            self.fields["offering"].required = True
            self.fields["offering"].help_text = ""
        self.fields["offering"].queryset = offerings.order_by(  # type: ignore[attr-defined]
            "cohort__start_date", "semester", "module__code"
        )

    def send_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "cohort": data.get("cohort"),
            "group": data.get("group", ""),
            "offering": data.get("offering"),
            "subject": data["subject"],
            "body": data["body"],
        }

    def hidden_values(self) -> dict[str, str]:
        """The values the confirmation page posts back (the file is staged apart)."""
        return {
            name: str(self.data.get(name, ""))
            for name in ("cohort", "group", "offering", "subject", "body")
            if name in self.fields
        }
