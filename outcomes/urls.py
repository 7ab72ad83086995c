from django.urls import path

from outcomes import pages

urlpatterns = [
    path("cases/<int:pk>/interventions/new/", pages.intervention_new, name="intervention-new"),
]
