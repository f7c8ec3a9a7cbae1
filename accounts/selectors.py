from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from accounts.filters import OutgoingEmailFilter, PeopleFilter
from accounts.models import OutgoingEmail, RoleChange, User


def people_list(*, filters: dict[str, Any] | None = None) -> tuple[PeopleFilter, QuerySet[User]]:
    """People with accounts, filtered; returns the bound FilterSet for the form."""
    filterset = PeopleFilter(filters or {}, queryset=User.objects.order_by("email"))
    return filterset, filterset.qs


def role_history(*, user: User, limit: int = 20) -> QuerySet[RoleChange]:
    return RoleChange.objects.filter(user=user).select_related("changed_by")[:limit]


def outgoing_email_list(
    *, filters: dict[str, Any] | None = None
) -> tuple[OutgoingEmailFilter, QuerySet[OutgoingEmail]]:
    """E-mails for the coordinators, newest first (by default those that did not leave)."""
    filterset = OutgoingEmailFilter(
        filters, queryset=OutgoingEmail.objects.order_by("-created_at", "-pk")
    )
    return filterset, filterset.qs


def outgoing_email_problems() -> int:
    """How many e-mails did not leave: shown on the staff home."""
    return outgoing_email_list(filters={})[1].count()
