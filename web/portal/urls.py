from django.urls import path

from web.portal import views

urlpatterns = [
    path("portal/", views.candidates, name="portal"),
    path("portal/candidates/<int:pk>/", views.candidate, name="portal-candidate"),
    path("portal/candidates/<int:pk>/record/", views.record_event, name="portal-record"),
    path("portal/opportunities/", views.opportunities, name="portal-opportunities"),
    path("portal/pledge/", views.pledge, name="portal-pledge"),
]
