from django.urls import path

from web.subject_access import views

urlpatterns = [
    path("people/<int:pk>/subject-access/", views.person_exports, name="subject-access"),
    path("subject-access/<int:pk>/", views.export_detail, name="subject-access-export"),
    path("subject-access/<int:pk>/progress/", views.export_progress, name="subject-access-progress"),
    path("subject-access/<int:pk>/download/", views.export_download, name="subject-access-download"),
]
