from django.contrib.auth import views as auth_views
from django.urls import path

from iom.pages import audit, cases, cohorts, health, home, people

urlpatterns = [
    path("", home.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("sign-in/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("notifications/", home.notifications, name="notifications"),
    # People and their cases
    path("people/", people.search, name="people"),
    path("people/new/", people.create, name="person-new"),
    path("people/<int:pk>/", people.detail, name="person"),
    path("people/<int:pk>/edit/", people.edit, name="person-edit"),
    path("people/<int:pk>/cases/new/", cases.open_case, name="case-new"),
    path("cases/<int:pk>/", cases.detail, name="case"),
    path("cases/<int:pk>/allocate/", cases.allocate, name="case-allocate"),
    path("cases/<int:pk>/assess/", cases.assess, name="case-assess"),
    path("cases/<int:pk>/actions/new/", cases.action_new, name="action-new"),
    path("cases/<int:pk>/notes/new/", cases.note_new, name="note-new"),
    path("cases/<int:pk>/access/", cases.access_grants, name="case-access"),
    path("actions/<int:pk>/edit/", cases.action_edit, name="action-edit"),
    path("actions/<int:pk>/complete/", cases.action_complete, name="action-complete"),
    path("actions/<int:pk>/cancel/", cases.action_cancel, name="action-cancel"),
    # Cohorts and panel decisions
    path("cohorts/", cohorts.cohort_list, name="cohorts"),
    path("cohorts/<slug:slug>/", cohorts.cohort_detail, name="cohort"),
    path("cohorts/<slug:slug>/adopt/", cohorts.adopt, name="cohort-adopt"),
    path("memberships/<int:pk>/exit/", cohorts.exit_member, name="membership-exit"),
    # Audit
    path("audit/", audit.audit_list, name="audit"),
]
