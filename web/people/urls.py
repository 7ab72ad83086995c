from django.urls import path

from web.people import views

urlpatterns = [
    path("people/", views.search, name="people"),
    path("people/new/", views.create, name="person-new"),
    path("people/<int:pk>/", views.detail, name="person"),
    path("people/<int:pk>/edit/", views.edit, name="person-edit"),
    path("people/<int:pk>/corrections/", views.corrections, name="person-corrections"),
]
