"""Django admin for administrators: accounts and reference data, never case content.

Access is by role, not Django's superuser flag: the demo ``admin`` is an
administrator and not a superuser (docs/roles.md). People, cases and notes are
deliberately not registered here.
"""

from django.contrib import admin, messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from iom.audit import audit_record
from iom.models import AuditAction, AuditEvent, Cohort, Flag, Organisation, Scheme, Team, User
from iom.policy import ADMINISTER
from iom.services.two_factor import two_factor_reset


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


class UserChangeForm(auth_forms.UserChangeForm):
    class Meta(auth_forms.UserChangeForm.Meta):  # type: ignore[name-defined]  # the stubs omit the auth forms' Meta
        model = User


@admin.register(User)
class UserAdmin(AdministratorAccess, BaseUserAdmin):
    form = UserChangeForm
    list_display = ["username", "first_name", "last_name", "role", "organisation", "is_active", "second_factor"]
    list_filter = ["role", "organisation__type", "is_active", "teams"]
    list_select_related = ["organisation"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("Person", {"fields": ["first_name", "last_name", "email"]}),
        ("Role", {"fields": ["role", "organisation", "teams", "is_active", "is_staff"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]
    filter_horizontal = ["teams"]
    actions = ["reset_second_factor"]
    # Access is changed on the Staff pages, where widening it needs a second person and every step is audited
    # (iom/services/staff.py); people join by invitation. Here an administrator corrects names and addresses.
    ACCESS_FIELDS = ("role", "organisation", "teams", "is_active", "is_staff", "is_superuser")

    def has_add_permission(self, request):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), *self.ACCESS_FIELDS]

    def get_queryset(self, request):
        app = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return super().get_queryset(request).annotate(has_second_factor=Exists(app))

    @admin.display(boolean=True, description="Second factor", ordering="has_second_factor")
    def second_factor(self, user: User) -> bool:
        return bool(getattr(user, "has_second_factor", False))

    @admin.action(description="Reset second factor", permissions=["change"])
    def reset_second_factor(self, request, queryset) -> None:
        """A lost or replaced phone: the service removes the app and backup codes, audits it, ends sessions."""
        users = list(queryset)
        try:
            for user in users:
                two_factor_reset(acting_user=request.user, user=user)
        except PermissionDenied as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
            return
        names = ", ".join(user.get_username() for user in users)
        self.message_user(
            request,
            f"Second factor reset for {names}. They set it up again at their next sign-in; their sessions and API "
            "tokens have ended.",
            messages.SUCCESS,
        )


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


# API tokens are listed and revoked through the API (iom/services/tokens.py), where it is audited; knox's own admin
# would let an administrator mint a token for anyone, that is, act as them.
admin.site.unregister(AuthToken)
# Second-factor devices likewise: their admin would show an app's secret (anyone could make that user's codes) and
# change devices unaudited. Resets are the user list's audited action.
admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)
