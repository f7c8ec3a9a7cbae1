from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from accounts.filters import PeopleFilter
from accounts.models import RoleChange, User


def people_list(*, filters: dict[str, Any] | None = None) -> tuple[PeopleFilter, QuerySet[User]]:
    """People with accounts, filtered; returns the bound FilterSet for the form."""
    filterset = PeopleFilter(filters or {}, queryset=User.objects.order_by("email"))
    return filterset, filterset.qs


def role_history(*, user: User, limit: int = 20) -> QuerySet[RoleChange]:
    return RoleChange.objects.filter(user=user).select_related("changed_by")[:limit]
