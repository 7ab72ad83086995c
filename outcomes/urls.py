from django.urls import path

from outcomes.pages import dashboard, imports, interventions
from outcomes.pages import plan as plan_pages

urlpatterns = [
    path("cases/<int:pk>/interventions/new/", interventions.intervention_new, name="intervention-new"),
    path("plan/", plan_pages.scorecard, name="plan"),
    path("plan/framework/", plan_pages.framework, name="plan-framework"),
    path("plan/measures/<slug:code>/edit/", plan_pages.measure_edit, name="plan-measure-edit"),
    path("plan/measures/<slug:code>/actuals/new/", plan_pages.actual_new, name="plan-actual-new"),
    path("plan/measures/<slug:code>/actuals/<str:period>/edit/", plan_pages.actual_edit, name="plan-actual-edit"),
    path("outcomes/dashboard/", dashboard.dashboard, name="outcomes-dashboard"),
    path("imports/", imports.import_list, name="imports"),
    path("imports/<int:pk>/", imports.import_detail, name="import-detail"),
]
