"""The Django admin, for the superuser: signed in through allauth (password, then the TOTP
code, with allauth's rate limits) and only with a session that passed the second factor;
roles are changed on the staff pages (which record them), never here."""

from __future__ import annotations

from functools import wraps
from typing import Any

from allauth.account.decorators import secure_admin_login
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext_lazy as _

from accounts.access import MFANotPassed, MFARequired, admin_session_ok, mfa_step_response
from accounts.models import OutgoingEmail, RoleChange, User

#: Changed only through ``accounts.services.user_set_role``, which writes the role history.
ROLE_FLAG_FIELDS = (
    "is_student",
    "is_lecturer",
    "is_coordinator",
    "is_finance",
    "is_superuser",
    "is_staff",
)

_django_has_permission = admin.site.has_permission


def _has_permission(request: HttpRequest) -> bool:
    return _django_has_permission(request) and admin_session_ok(request)


def _mfa_before_admin_login(view: Any) -> Any:
    """Django's login page is never shown to a signed-in superuser whose session has not
    passed the second factor: they are sent to it (and Django's page then goes to the
    index). ``secure_admin_login`` sends everyone else to allauth's log-in."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and not admin_session_ok(request):
            error = MFANotPassed() if is_mfa_enabled(request.user) else MFARequired()
            return mfa_step_response(request, error)
        return view(request, *args, **kwargs)

    return wrapped


admin.site.has_permission = _has_permission  # type: ignore[method-assign]
admin.site.login = secure_admin_login(_mfa_before_admin_login(admin.site.login))  # type: ignore[method-assign]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ("email",)
    list_display = (
        "email",
        "first_name",
        "last_name",
        "is_student",
        "is_lecturer",
        "is_coordinator",
        "is_superuser",
        "is_active",
    )
    list_filter = ("is_student", "is_lecturer", "is_coordinator", "is_superuser", "is_active")
    search_fields = ("email", "first_name", "last_name")
    readonly_fields = (*ROLE_FLAG_FIELDS, "last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Identity"), {"fields": ("first_name", "last_name", "preferred_language")}),
        (
            _("Roles"),
            {
                "fields": (
                    "is_student",
                    "is_lecturer",
                    "is_coordinator",
                    "is_finance",
                    "is_active",
                ),
                "description": _(
                    "Roles are granted and revoked on the person's staff page, which keeps "
                    "their history."
                ),
            },
        ),
        (
            _("Django administration"),
            {"fields": ("is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(RoleChange)
class RoleChangeAdmin(admin.ModelAdmin[RoleChange]):
    list_display = ("user", "role", "granted", "changed_by", "changed_at")
    list_filter = ("role", "granted")
    search_fields = ("user__email",)
    readonly_fields = ("user", "role", "granted", "changed_by", "changed_at", "reason")


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin[OutgoingEmail]):
    list_display = ("subject", "status", "attempts", "created_at", "sent_at")
    list_filter = ("status",)
    search_fields = ("subject",)
    readonly_fields = tuple(f.name for f in OutgoingEmail._meta.fields)
