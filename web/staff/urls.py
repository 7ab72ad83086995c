from django.urls import path

from web.staff import views

urlpatterns = [
    path("staff/", views.staff_list, name="staff"),
    path("staff/<int:pk>/", views.staff_detail, name="staff-detail"),
    path("staff/<int:pk>/active/", views.staff_active, name="staff-active"),
    path("staff/<int:pk>/sign-out/", views.staff_sign_out, name="staff-sign-out"),
    path("staff/<int:pk>/second-factor/reset/", views.staff_second_factor_reset, name="staff-second-factor-reset"),
    path("staff/<int:pk>/access/", views.staff_access, name="staff-access"),
    path("staff/access-changes/<int:pk>/decide/", views.access_change_decide, name="access-change-decide"),
    path("staff/invitations/", views.invitation_list, name="invitations"),
    path("staff/invitations/new/", views.invite, name="invite"),
    path("staff/invitations/<int:pk>/resend/", views.invitation_resend, name="invitation-resend"),
    path("staff/invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation-revoke"),
    path("join/<str:token>/", views.join, name="invitation-accept"),
]
