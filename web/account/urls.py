from django.urls import path

from iom.policy import SIGNED_IN
from web.access import page, public_page
from web.account import passwords, views

urlpatterns = [
    path("account/", views.account, name="account"),
    path("account/sign-out-everywhere/", views.sign_out_everywhere, name="account-sign-out-everywhere"),
    path(
        "account/password/",
        page(SIGNED_IN, methods=("GET", "POST"))(passwords.PasswordChangeView.as_view()),
        name="password-change",
    ),
    path("account/tokens/<str:key>/revoke/", views.revoke_token, name="account-token-revoke"),
    path("session/keep-alive/", views.keep_alive, name="session-keep-alive"),
    # A forgotten password (Django's names: its views and the email refer to them).
    path("password-reset/", public_page(passwords.PasswordResetView.as_view()), name="password_reset"),
    path("password-reset/sent/", public_page(passwords.PasswordResetDoneView.as_view()), name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        public_page(passwords.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        public_page(passwords.PasswordResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
]
