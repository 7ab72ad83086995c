"""The programme catalogue is reference data: administrators keep it in the Django admin."""

from django.contrib import admin

from iom.admin import AdministratorAccess
from outcomes.models import Programme


@admin.register(Programme)
class ProgrammeAdmin(AdministratorAccess, admin.ModelAdmin):
    list_display = ["name", "provider", "programme_type", "active"]
    list_filter = ["programme_type", "active"]
    search_fields = ["name", "provider__name"]
