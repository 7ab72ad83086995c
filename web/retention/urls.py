from django.urls import path

from web.retention import views

urlpatterns = [
    path("retention/", views.queue, name="retention"),
    path("retention/decisions/", views.decisions, name="retention-decisions"),
    path("retention/people/<int:pk>/", views.review, name="retention-review"),
    path("retention/people/<int:pk>/dispose/", views.dispose, name="retention-dispose"),
]
