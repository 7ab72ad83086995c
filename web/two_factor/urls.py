from django.urls import path

from web.two_factor import views

urlpatterns = [
    # The sign-in's second step, and setting up the app at a first sign-in: open pages that know only the
    # sign-in pending in the session (web/two_factor/pending.py).
    path("sign-in/code/", views.sign_in_code, name="sign-in-code"),
    path("sign-in/set-up/", views.sign_in_set_up, name="sign-in-set-up"),
    path("account/two-factor/set-up/", views.account_set_up, name="account-two-factor-set-up"),
    path("account/two-factor/backup-codes/", views.account_backup_codes, name="account-backup-codes"),
]
