from django.urls import path

from web.plan import views

urlpatterns = [
    path("plan/", views.scorecard, name="plan"),
    path("plan/framework/", views.framework, name="plan-framework"),
    path("plan/measures/<slug:code>/edit/", views.measure_edit, name="plan-measure-edit"),
    path("plan/measures/<slug:code>/actuals/new/", views.actual_new, name="plan-actual-new"),
    path("plan/measures/<slug:code>/actuals/<str:period>/edit/", views.actual_edit, name="plan-actual-edit"),
]
