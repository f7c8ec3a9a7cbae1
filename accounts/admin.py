from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import OutgoingEmail, RoleChange, User


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
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Identity"), {"fields": ("first_name", "last_name", "preferred_language")}),
        (
            _("Roles"),
            {"fields": ("is_student", "is_lecturer", "is_coordinator", "is_active")},
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
