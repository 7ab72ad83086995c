from django.urls import path

from web.imports import views

urlpatterns = [
    path("imports/", views.import_list, name="imports"),
    path("imports/<int:pk>/", views.import_detail, name="import-detail"),
]
