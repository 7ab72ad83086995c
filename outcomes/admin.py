"""The programme catalogue is reference data: administrators keep it in the Django admin."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from iom.admin import AdministratorAccess
from outcomes.models import CrimeUnitCost, Programme
from outcomes.models import plan as plan_models


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


# --- The Plan scorecard ------------------------------------------------------------------------------------------
# Objectives and measures are the Plan's reference data. A measure's baseline, target and periods are edited
# on the scorecard pages (or the API), which lock against a concurrent edit (version) and check every rule
# against the actuals; here they can only be set when a measure is added. Actuals are read only: managers
# enter them on the scorecard, audited there.


@admin.register(plan_models.PlanObjective)
class PlanObjectiveAdmin(AdministratorAccess, admin.ModelAdmin):
    list_display = ["position", "title", "code"]
    ordering = ["position", "code"]


class PlanMeasureAdminForm(forms.ModelForm):
    def validate_unique(self) -> None:
        """The last step of model validation: after it, check every constraint of the measure too."""
        super().validate_unique()
        # Django skips constraints on fields not in the form (the read-only ones): check them all, so a change
        # that breaks one (a kind that needs a target, say) is a form error rather than a database error.
        if not self.errors:
            try:
                self.instance.validate_constraints()
            except ValidationError as exc:
                self.add_error(None, exc)


@admin.register(plan_models.PlanMeasure)
class PlanMeasureAdmin(AdministratorAccess, admin.ModelAdmin):
    form = PlanMeasureAdminForm
    list_display = ["title", "objective", "kind", "unit", "target", "period_from", "period_to", "computed"]
    list_filter = ["objective", "kind", "computed"]
    list_select_related = ["objective"]
    search_fields = ["title", "code"]
    LOCKED_FIELDS = ("baseline", "baseline_period", "target", "period_from", "period_to")

    def get_readonly_fields(self, request, obj=None):
        extra = self.LOCKED_FIELDS if obj is not None else ()
        return [*extra, "version", "updated_at", "updated_by"]

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        if change:
            obj.version += 1  # a manager's form opened before this change now gets a conflict, not a silent save
        super().save_model(request, obj, form, change)


@admin.register(plan_models.PlanActual)
class PlanActualAdmin(AdministratorAccess, admin.ModelAdmin):
    list_display = ["measure", "period", "value", "updated_at"]
    list_filter = ["measure"]
    list_select_related = ["measure"]
    readonly_fields = ["measure", "period", "value", "note", "entered_by", "version", "created_at", "updated_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
