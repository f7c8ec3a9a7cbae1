"""Forms of the teaching operations (#14): rooms, booking and moving sessions, hours."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from enrollment.forms import DATETIME
from enrollment.models import Cohort, Student
from partners.models import Organisation
from studies.models import ClassSession, Offering, Room
from studies.services.sessions import LecturerChoice

#: How many lecturers a session may name on the booking page.
LECTURER_ROWS = 3
DEFAULT_ORGANISATION = ""
NO_ORGANISATION = "none"


class RoomForm(forms.ModelForm[Room]):
    class Meta:
        model = Room
        fields = ["name", "site", "organisation", "capacity", "address", "active"]
        help_texts = {"organisation": _("Only for a room at a partner's site.")}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("site") == Room.Site.PARTNER:
            if not data.get("organisation"):
                self.add_error("organisation", _("Choose the partner whose site this is."))
        else:
            data["organisation"] = None  # a room at TEMA or the WTC belongs to no partner
        return data


class LecturerChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        name = obj.get_full_name()
        return f"{name} ({obj.email})" if name else obj.email


class OfferingChoiceField(forms.ModelChoiceField[Offering]):
    def label_from_instance(self, obj: Offering) -> str:
        return f"S{obj.semester} · {obj.module.code} — {obj.module.tr('title')}"


class RoomChoiceField(forms.ModelChoiceField[Room]):
    def label_from_instance(self, obj: Room) -> str:
        where = obj.organisation.display_name if obj.organisation else obj.get_site_display()
        return f"{obj.name} — {where} ({obj.capacity})"


def lecturers() -> QuerySet[User]:
    return User.objects.filter(is_lecturer=True, is_active=True).order_by(
        "last_name", "first_name", "email"
    )


def _organisation_choices() -> list[tuple[str, str]]:
    return [
        (DEFAULT_ORGANISATION, str(_("The organisation of their contact record, if any"))),
        (NO_ORGANISATION, str(_("No partner organisation"))),
        *((str(o.pk), o.display_name) for o in Organisation.objects.order_by("name_fr")),
    ]


def group_choices(cohort: Cohort) -> list[tuple[str, str]]:
    groups = (
        Student.objects.filter(cohort=cohort, status=Student.Status.ACTIVE)
        .exclude(group="")
        .values_list("group", flat=True)
        .distinct()
        .order_by("group")
    )
    return [("", str(_("The whole cohort"))), *((g, g) for g in groups)]


class SessionBookForm(forms.Form):
    offering = OfferingChoiceField(label=_("Module"), queryset=Offering.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=ClassSession.Kind.choices)
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DATETIME)
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=DATETIME)
    group = forms.ChoiceField(label=_("Group"), required=False)
    room = RoomChoiceField(label=_("Room"), queryset=Room.objects.none(), required=False)

    def __init__(self, *args: Any, cohort: Cohort, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offerings = self.fields["offering"]
        assert isinstance(offerings, forms.ModelChoiceField)
        offerings.queryset = Offering.objects.filter(cohort=cohort).select_related("module")
        self.fields["group"].choices = group_choices(cohort)  # type: ignore[attr-defined]
        room = self.fields["room"]
        assert isinstance(room, forms.ModelChoiceField)
        room.queryset = Room.objects.filter(active=True).select_related("organisation")
        choices = _organisation_choices()
        people = lecturers()
        for n in range(1, LECTURER_ROWS + 1):
            self.fields[f"lecturer_{n}"] = LecturerChoiceField(
                label=_("Lecturer %(n)s") % {"n": n}, queryset=people, required=False
            )
            self.fields[f"organisation_{n}"] = forms.ChoiceField(
                label=_("Lecturer %(n)s teaches for") % {"n": n},
                choices=choices,
                required=False,
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen: list[LecturerChoice] = []
        for n in range(1, LECTURER_ROWS + 1):
            user = data.get(f"lecturer_{n}")
            if user is None:
                continue
            organisation = data.get(f"organisation_{n}") or DEFAULT_ORGANISATION
            if organisation == DEFAULT_ORGANISATION:
                chosen.append(user)
            elif organisation == NO_ORGANISATION:
                chosen.append((user, None))
            else:
                chosen.append((user, Organisation.objects.get(pk=organisation)))
        data["lecturers"] = chosen
        return data

    def booking(self) -> dict[str, Any]:
        """The arguments of ``session_book``."""
        data = self.cleaned_data
        return {
            "offering": data["offering"],
            "kind": data["kind"],
            "starts_at": data["starts_at"],
            "ends_at": data["ends_at"],
            "group": data.get("group") or "",
            "room": data.get("room"),
            "lecturers": data["lecturers"],
        }


class SessionMoveForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DATETIME)
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=DATETIME)
    room = RoomChoiceField(label=_("Room"), queryset=Room.objects.none(), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        room = self.fields["room"]
        assert isinstance(room, forms.ModelChoiceField)
        room.queryset = Room.objects.filter(active=True).select_related("organisation")


class HoursPeriodForm(forms.Form):
    """The period of the hours page: a month, or a semester, or the current academic year."""

    month = forms.DateField(
        label=_("Month"),
        required=False,
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )
    semester = forms.IntegerField(label=_("Semester"), required=False, min_value=1, max_value=12)
    cohort = forms.ModelChoiceField(
        label=_("Cohort"), queryset=Cohort.objects.all(), required=False, to_field_name="slug"
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("month") and data.get("semester"):
            self.add_error("semester", _("Choose a month or a semester, not both."))
        return data
