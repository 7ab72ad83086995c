from django.contrib.auth import views as auth_views
from django.urls import path

from iom.pages import health, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("sign-in/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("people/<int:pk>/edit/", views.person_edit, name="person-edit"),
    path("cases/<int:pk>/access/", views.case_access, name="case-access"),
    path("notifications/", views.notifications, name="notifications"),
]
