from django.urls import path

from web.cases import interventions, views

urlpatterns = [
    path("people/<int:pk>/cases/new/", views.open_case, name="case-new"),
    path("cases/<int:pk>/", views.detail, name="case"),
    path("cases/<int:pk>/allocate/", views.allocate, name="case-allocate"),
    path("cases/<int:pk>/assess/", views.assess, name="case-assess"),
    path("cases/<int:pk>/actions/new/", views.action_new, name="action-new"),
    path("cases/<int:pk>/notes/new/", views.note_new, name="note-new"),
    path("cases/<int:pk>/access/", views.access_grants, name="case-access"),
    path("cases/<int:pk>/interventions/new/", interventions.intervention_new, name="intervention-new"),
    path("actions/<int:pk>/edit/", views.action_edit, name="action-edit"),
    path("actions/<int:pk>/complete/", views.action_complete, name="action-complete"),
    path("actions/<int:pk>/cancel/", views.action_cancel, name="action-cancel"),
]
