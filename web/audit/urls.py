from django.urls import path

from web.audit import views

urlpatterns = [
    path("audit/", views.audit_list, name="audit"),
]
