from django.urls import path

from web.cohorts import views

urlpatterns = [
    path("cohorts/", views.cohort_list, name="cohorts"),
    path("cohorts/<slug:slug>/", views.cohort_detail, name="cohort"),
    path("cohorts/<slug:slug>/adopt/", views.adopt, name="cohort-adopt"),
    path("memberships/<int:pk>/exit/", views.exit_member, name="membership-exit"),
]
