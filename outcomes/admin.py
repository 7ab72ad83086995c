"""The programme catalogue is reference data: administrators keep it in the Django admin."""

from django.contrib import admin

from iom.admin import AdministratorAccess
from outcomes.models import CrimeUnitCost, Programme


@admin.register(Programme)
class ProgrammeAdmin(AdministratorAccess, admin.ModelAdmin):
    list_display = ["name", "provider", "programme_type", "active"]
    list_filter = ["programme_type", "active"]
    search_fields = ["name", "provider__name"]


@admin.register(CrimeUnitCost)
class CrimeUnitCostAdmin(AdministratorAccess, admin.ModelAdmin):
    """Unit costs feed the pre/post cost of crime; each keeps its price year and source."""

    list_display = ["category", "unit_cost", "price_year", "source", "updated_at"]
    readonly_fields = ["updated_at", "updated_by"]

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
