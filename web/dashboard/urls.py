from django.urls import path

from web.dashboard import views

urlpatterns = [
    path("outcomes/dashboard/", views.dashboard, name="outcomes-dashboard"),
]
