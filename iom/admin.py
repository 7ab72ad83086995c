"""Django admin for administrators: accounts and reference data, never case content.

Access is by role, not Django's superuser flag: the demo ``admin`` is an
administrator and not a superuser (docs/roles.md). People, cases and notes are
deliberately not registered here.
"""

from typing import Any

from django.contrib import admin
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from iom.audit import audit_record
from iom.models import AuditAction, AuditEvent, Cohort, Flag, Organisation, Scheme, Team, User
from iom.policy import ADMINISTER
from iom.services.accounts import role_validate


def _is_administrator(request) -> bool:
    user = request.user
    return bool(user.is_active and user.is_staff and (ADMINISTER.covers(user) or user.is_superuser))


class AdministratorAccess(admin.ModelAdmin):
    """Every permission on these models follows the administrator role (the first base of each admin here)."""

    def has_module_permission(self, request):
        return _is_administrator(request)

    def has_view_permission(self, request, obj=None):
        return _is_administrator(request)

    def has_add_permission(self, request):
        return _is_administrator(request)

    def has_change_permission(self, request, obj=None):
        return _is_administrator(request)

    def has_delete_permission(self, request, obj=None):
        # Reference rows are referenced by history; retire them (active = False) instead.
        return False

    # Admin edits go to the s.62 audit log too, not only to Django's LogEntry.
    def log_addition(self, request, obj, message):
        audit_record(user=request.user, action=AuditAction.CREATE, obj=obj, details={"via": "admin"})
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        audit_record(
            user=request.user, action=AuditAction.CHANGE, obj=obj, details={"via": "admin", "message": str(message)}
        )
        return super().log_change(request, obj, message)


def _check_role_fits_organisation(cleaned_data: dict[str, Any]) -> None:
    role_validate(role=cleaned_data.get("role"), organisation=cleaned_data.get("organisation"))


class UserChangeForm(auth_forms.UserChangeForm):
    class Meta(auth_forms.UserChangeForm.Meta):  # type: ignore[name-defined]  # the stubs omit the auth forms' Meta
        model = User

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        _check_role_fits_organisation(self.cleaned_data)
        return cleaned


class UserCreationForm(auth_forms.UserCreationForm):
    class Meta(auth_forms.UserCreationForm.Meta):  # type: ignore[name-defined]  # the stubs omit the auth forms' Meta
        model = User
        fields = ("username", "role", "organisation", "email")

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        _check_role_fits_organisation(self.cleaned_data)
        return cleaned


@admin.register(User)
class UserAdmin(AdministratorAccess, BaseUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    list_display = ["username", "first_name", "last_name", "role", "organisation", "is_active"]
    list_filter = ["role", "organisation__type", "is_active", "teams"]
    list_select_related = ["organisation"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("Person", {"fields": ["first_name", "last_name", "email"]}),
        ("Role", {"fields": ["role", "organisation", "teams", "is_active", "is_staff"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["username", "password1", "password2", "role", "organisation", "email"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]
    filter_horizontal = ["teams"]


@admin.register(Organisation)
class OrganisationAdmin(AdministratorAccess, admin.ModelAdmin):
    list_display = ["name", "type"]
    list_filter = ["type"]
    search_fields = ["name"]


@admin.register(Scheme)
class SchemeAdmin(AdministratorAccess, admin.ModelAdmin):
    list_display = ["name", "force_area"]


@admin.register(Team)
class TeamAdmin(AdministratorAccess, admin.ModelAdmin):
    list_display = ["name", "scheme"]
    list_filter = ["scheme"]


@admin.register(Flag)
class FlagAdmin(AdministratorAccess, admin.ModelAdmin):
    list_display = ["name", "code", "built_in", "active"]
    readonly_fields = ["built_in"]


@admin.register(Cohort)
class CohortAdmin(AdministratorAccess, admin.ModelAdmin):
    list_display = ["name", "slug", "scheme", "active"]
    prepopulated_fields = {"slug": ["name"]}


AUDIT_EVENT_FIELDS = (
    "occurred_at",
    "username",
    "action",
    "outcome",
    "object_type",
    "object_id",
    "person_id",
    "request_id",
)


@admin.register(AuditEvent)
class AuditEventAdmin(AdministratorAccess, admin.ModelAdmin):
    """Read-only, and without changed values or details: administrators see who did what, not case content."""

    list_display = ["occurred_at", "username", "action", "outcome", "object_type", "object_id", "person_id"]
    list_filter = ["action", "outcome", "object_type"]
    search_fields = ["username", "object_id", "request_id"]
    fields = AUDIT_EVENT_FIELDS
    readonly_fields = AUDIT_EVENT_FIELDS
    date_hierarchy = "occurred_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
