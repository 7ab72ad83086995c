from django.urls import path

from web.apidocs import views

urlpatterns = [
    path("api/docs/", views.swagger_ui, name="api-docs"),
    path("api/redoc/", views.redoc, name="api-redoc"),
]
