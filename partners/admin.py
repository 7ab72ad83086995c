"""Reference data for administrators: partner services. Employers and pledges are the coordinators' (pages/API)."""

from django.contrib import admin

from iom.admin import AdministratorAccess
from partners.models import Service


@admin.register(Service)
class ServiceAdmin(AdministratorAccess, admin.ModelAdmin):
    list_display = ["name", "organisation", "service_type", "consent_required", "active"]
    list_filter = ["service_type", "consent_required", "active"]
    search_fields = ["name", "organisation__name"]
