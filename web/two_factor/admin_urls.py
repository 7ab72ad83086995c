"""``/django-admin/login/``, taken from the admin site (iom/urls.py puts it first): sign in with the service."""

from django.urls import path

from web.two_factor import views

urlpatterns = [path("", views.admin_sign_in, name="admin-sign-in")]
