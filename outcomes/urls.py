from django.urls import path

from outcomes.pages import interventions

urlpatterns = [
    path("cases/<int:pk>/interventions/new/", interventions.intervention_new, name="intervention-new"),
]
