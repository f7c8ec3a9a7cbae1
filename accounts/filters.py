from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Notification, OutgoingEmail, User

ROLE_CHOICES = (
    ("student", _("Student")),
    ("lecturer", _("Lecturer")),
    ("coordinator", _("Coordinator")),
    ("finance", _("Finance")),
    ("none", _("Applicant only")),
)


class PeopleFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name or e-mail"), method="search")
    role = django_filters.ChoiceFilter(label=_("Role"), choices=ROLE_CHOICES, method="by_role")
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = User
        fields = ["q", "role", "is_active"]

    def search(self, queryset: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        for word in value.split()[:5]:
            queryset = queryset.filter(
                Q(email__icontains=word)
                | Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
            )
        return queryset

    def by_role(self, queryset: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        if value == "none":
            return queryset.filter(
                is_student=False, is_lecturer=False, is_coordinator=False, is_finance=False
            )
        return queryset.filter(**{f"is_{value}": True})


EMAIL_STATE_CHOICES = (
    ("problem", _("Not sent: failed, or waiting for more than 10 minutes")),
    ("failed", _("Failed")),
    ("waiting", _("Waiting to be sent")),
    ("sent", _("Sent")),
)


class OutgoingEmailFilter(django_filters.FilterSet):
    """The coordinators' view of the e-mails: by default those that did not leave."""

    state = django_filters.ChoiceFilter(
        label=_("State"), choices=EMAIL_STATE_CHOICES, method="by_state", empty_label=None
    )
    q = django_filters.CharFilter(label=_("Recipient or subject"), method="search")

    class Meta:
        model = OutgoingEmail
        fields = ["state", "q"]

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        data = data.copy() if data is not None else {}
        data.setdefault("state", "problem")
        super().__init__(data, *args, **kwargs)

    def by_state(
        self, queryset: QuerySet[OutgoingEmail], name: str, value: str
    ) -> QuerySet[OutgoingEmail]:
        from accounts.services import EMAIL_LATE_AFTER

        late = timezone.now() - EMAIL_LATE_AFTER
        waiting = Q(status__in=(OutgoingEmail.Status.PENDING, OutgoingEmail.Status.SENDING))
        if value == "failed":
            return queryset.filter(status=OutgoingEmail.Status.FAILED)
        if value == "waiting":
            return queryset.filter(waiting)
        if value == "sent":
            return queryset.filter(status=OutgoingEmail.Status.SENT)
        return queryset.filter(
            Q(status=OutgoingEmail.Status.FAILED) | (waiting & Q(created_at__lt=late))
        )

    def search(
        self, queryset: QuerySet[OutgoingEmail], name: str, value: str
    ) -> QuerySet[OutgoingEmail]:
        for word in value.split()[:5]:
            queryset = queryset.filter(Q(subject__icontains=word) | Q(to__icontains=word))
        return queryset


class NotificationFilter(django_filters.FilterSet):
    """A person's own notifications: by kind, the unread only."""

    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Notification.Kind.choices)
    unread = django_filters.BooleanFilter(
        label=_("Unread only"),
        method="only_unread",
        widget=forms.CheckboxInput,
    )

    class Meta:
        model = Notification
        fields = ["kind", "unread"]

    def only_unread(
        self, queryset: QuerySet[Notification], name: str, value: bool
    ) -> QuerySet[Notification]:
        return queryset.filter(read_at__isnull=True) if value else queryset
