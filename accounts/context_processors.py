from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from accounts.access import Role, has_role, is_staff_member


def roles(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {
            "is_staff_member": False,
            "is_coordinator": False,
            "is_lecturer": False,
            "is_student": False,
        }
    return {
        "is_staff_member": is_staff_member(user),
        "is_coordinator": has_role(user, Role.COORDINATOR),
        "is_lecturer": has_role(user, Role.LECTURER),
        "is_student": has_role(user, Role.STUDENT),
    }
