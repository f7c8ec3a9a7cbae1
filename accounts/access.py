"""Who may do what: the one place that decides, used by every view.

Roles: ``applicant`` (any signed-in person: sign-in requires a verified address),
``student``, ``lecturer``, ``coordinator`` and ``admin`` (the superuser). Staff roles
(lecturer, coordinator, admin) reach staff pages only with two-factor authentication
enabled; without it they are led to set it up.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar

from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from accounts.models import User


class Role(enum.StrEnum):
    APPLICANT = "applicant"
    STUDENT = "student"
    LECTURER = "lecturer"
    COORDINATOR = "coordinator"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.APPLICANT: _("Applicant"),
    Role.STUDENT: _("Student"),
    Role.LECTURER: _("Lecturer"),
    Role.COORDINATOR: _("Coordinator"),
    Role.ADMIN: _("Administrator"),
}

STAFF_ROLES = frozenset({Role.LECTURER, Role.COORDINATOR, Role.ADMIN})
# Roles a coordinator may grant or revoke; coordinator and admin are the superuser's.
GRANTABLE_BY_COORDINATOR = frozenset({Role.LECTURER})

AnyUser = User | AnonymousUser


class AuthenticatedHttpRequest(HttpRequest):
    """The request of a view behind ``login_required`` or ``role_required``: typed so."""

    user: User


def roles_of(user: AnyUser) -> frozenset[Role]:
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    assert isinstance(user, User)
    roles = {Role.APPLICANT}
    if user.is_student:
        roles.add(Role.STUDENT)
    if user.is_lecturer:
        roles.add(Role.LECTURER)
    if user.is_coordinator:
        roles.add(Role.COORDINATOR)
    if user.is_superuser:
        roles.add(Role.ADMIN)
    return frozenset(roles)


def has_role(user: AnyUser, *roles: Role) -> bool:
    """True when the user holds any of ``roles``; the admin holds every staff role."""
    held = roles_of(user)
    if Role.ADMIN in held:
        held = held | STAFF_ROLES
    return bool(held & set(roles))


def is_staff_member(user: AnyUser) -> bool:
    return has_role(user, *STAFF_ROLES)


def needs_mfa(user: AnyUser) -> bool:
    """A staff member who has not enabled two-factor authentication yet."""
    return is_staff_member(user) and not is_mfa_enabled(user)


def may_grant(actor: AnyUser, role: Role) -> bool:
    if has_role(actor, Role.ADMIN):
        return role != Role.APPLICANT
    return has_role(actor, Role.COORDINATOR) and role in GRANTABLE_BY_COORDINATOR


class MFARequired(Exception):
    """Raised by ``check_access`` when a staff member must first enable MFA."""


def check_access(user: AnyUser, roles: Iterable[Role]) -> None:
    """Raise ``PermissionDenied`` or ``MFARequired``; return when access is allowed."""
    wanted = set(roles)
    if not has_role(user, *wanted):
        raise PermissionDenied
    if wanted & STAFF_ROLES and not wanted & {Role.APPLICANT, Role.STUDENT} and needs_mfa(user):
        raise MFARequired


ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponseBase])


def role_required(*roles: Role) -> Callable[[ViewFunc], ViewFunc]:
    """Decorate a view: anonymous → log in; wrong role → 403; staff without MFA → set-up."""

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            try:
                check_access(request.user, roles)
            except MFARequired:
                messages.warning(
                    request,
                    _(
                        "Staff pages require two-factor authentication. Set up an "
                        "authenticator app to continue."
                    ),
                )
                return redirect("mfa_activate_totp")
            return view(request, *args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator
