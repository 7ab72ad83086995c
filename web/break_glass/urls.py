from django.urls import path

from web.break_glass import views

urlpatterns = [
    path("outside-teams/", views.open_record, name="break-glass"),
    path("outside-teams/reviews/", views.review_list, name="break-glass-reviews"),
    path("outside-teams/reviews/<int:pk>/", views.review, name="break-glass-review"),
]
