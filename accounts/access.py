"""Who may do what: the one place that decides, used by every view.

Roles: ``applicant`` (any signed-in person: sign-in requires a verified address),
``student``, ``lecturer``, ``coordinator``, ``finance`` (fees, invoices and payments) and
``admin`` (the superuser). Staff roles (lecturer, coordinator, finance, admin) reach staff
pages only with two-factor authentication enabled *and passed in this session*: without it
enabled they are led to set it up; a session signed in with the password alone (or before
it was enabled) is asked for a code.
Dangerous actions (role changes, revocations, a jury reopened) also need an authentication
of the last ``ACCOUNT_REAUTHENTICATION_TIMEOUT`` seconds (``fresh_authentication_required``).
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar

from allauth.account import app_settings as account_settings
from allauth.account.authentication import get_authentication_records
from allauth.account.decorators import reauthentication_required
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from accounts.models import User


class Role(enum.StrEnum):
    APPLICANT = "applicant"
    STUDENT = "student"
    LECTURER = "lecturer"
    COORDINATOR = "coordinator"
    FINANCE = "finance"
    SPONSOR = "sponsor"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.APPLICANT: _("Applicant"),
    Role.STUDENT: _("Student"),
    Role.LECTURER: _("Lecturer"),
    Role.COORDINATOR: _("Coordinator"),
    Role.FINANCE: _("Finance"),
    Role.SPONSOR: _("Sponsor contact"),
    Role.ADMIN: _("Administrator"),
}

STAFF_ROLES = frozenset({Role.LECTURER, Role.COORDINATOR, Role.FINANCE, Role.ADMIN})
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
    if user.is_finance:
        roles.add(Role.FINANCE)
    if user.is_sponsor:
        roles.add(Role.SPONSOR)
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


def _mfa_records(request: HttpRequest) -> list[dict[str, Any]]:
    """The second-factor steps this session went through, as allauth recorded them (at the
    log-in, or when re-authenticating with a code)."""
    user = request.user
    if not user.is_authenticated:
        return []
    return [r for r in get_authentication_records(request, user) if r.get("method") == "mfa"]


def session_passed_mfa(request: HttpRequest) -> bool:
    """True when this session itself passed two-factor authentication: having it enabled
    on the account is not enough (a session opened with the password alone, or before it
    was enabled, has no such record)."""
    return bool(_mfa_records(request))


def passed_mfa_recently(request: HttpRequest) -> bool:
    timeout = account_settings.REAUTHENTICATION_TIMEOUT
    now = time.time()
    return any(now - float(r.get("at", 0)) < timeout for r in _mfa_records(request))


def admin_session_ok(request: HttpRequest) -> bool:
    """The Django admin's own rule on top of ``is_staff``: MFA enabled and passed by this
    session (whatever the roles: the admin is the superuser's)."""
    user = request.user
    return bool(user.is_authenticated and is_mfa_enabled(user) and session_passed_mfa(request))


class MFARequired(Exception):
    """Raised by ``check_access`` when a staff member must first enable MFA."""


class MFANotPassed(Exception):
    """Raised when a staff member's session has not passed its second factor."""


def check_access(user: AnyUser, roles: Iterable[Role]) -> None:
    """Raise ``PermissionDenied`` or ``MFARequired``; return when the roles allow access
    (``role_required`` also checks the session: ``require_staff_session``)."""
    wanted = set(roles)
    if not has_role(user, *wanted):
        raise PermissionDenied
    if wanted & STAFF_ROLES and not wanted & {Role.APPLICANT, Role.STUDENT} and needs_mfa(user):
        raise MFARequired


def require_staff_session(request: HttpRequest) -> None:
    """For a staff use of any view: raise ``MFARequired`` (not enabled) or ``MFANotPassed``
    (not passed by this session). Inside a ``role_required`` view, these lead to the step."""
    if not is_staff_member(request.user):
        raise PermissionDenied
    if needs_mfa(request.user):
        raise MFARequired
    if not session_passed_mfa(request):
        raise MFANotPassed


def mfa_step_response(request: HttpRequest, exc: MFARequired | MFANotPassed) -> HttpResponseBase:
    """Where a staff member goes who may not be served yet: the set-up page, or allauth's
    "enter a code" page that brings them back here once this session has passed it."""
    if isinstance(exc, MFARequired):
        messages.warning(
            request,
            _(
                "Staff pages require two-factor authentication. Set up an "
                "authenticator app to continue."
            ),
        )
        return redirect("mfa_activate_totp")
    messages.warning(
        request,
        _("Staff pages require the code of your authenticator app in this session."),
    )
    back = request.get_full_path() if request.method == "GET" else reverse("staff_home")
    return redirect(f"{reverse('mfa_reauthenticate')}?{urlencode({'next': back})}")


ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponseBase])


def role_required(*roles: Role) -> Callable[[ViewFunc], ViewFunc]:
    """Decorate a view: anonymous → log in; wrong role → 403; staff without MFA → set-up;
    staff whose session did not pass MFA → the code. A view open to non-staff roles may
    call ``require_staff_session`` in its staff branch: it is answered the same way."""
    wanted = set(roles)
    staff_only = bool(wanted & STAFF_ROLES) and not wanted & {Role.APPLICANT, Role.STUDENT}

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            try:
                check_access(request.user, roles)
                if staff_only:
                    require_staff_session(request)
                return view(request, *args, **kwargs)
            except (MFARequired, MFANotPassed) as exc:
                return mfa_step_response(request, exc)

        return wrapped  # type: ignore[return-value]

    return decorator


def fresh_authentication_required(
    view: ViewFunc | None = None, *, when: Callable[[HttpRequest], bool] | None = None
) -> Any:
    """For dangerous actions, inside ``role_required``: a second factor passed within
    ``ACCOUNT_REAUTHENTICATION_TIMEOUT`` seconds (at the log-in or since), else allauth's
    re-authentication, which then replays the request. ``when``: only for some requests."""

    def enabled(request: HttpRequest) -> bool:
        return (when is None or when(request)) and not passed_mfa_recently(request)

    decorator = reauthentication_required(enabled=enabled)
    return decorator(view) if view is not None else decorator
