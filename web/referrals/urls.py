from django.urls import path

from web.referrals import views

urlpatterns = [
    # Officers on a person; partners on their organisation's referrals.
    path("people/<int:pk>/consents/new/", views.consent_new, name="consent-new"),
    path("consents/<int:pk>/withdraw/", views.consent_withdraw, name="consent-withdraw"),
    path("cases/<int:pk>/referrals/new/", views.referral_new, name="referral-new"),
    path("referrals/", views.referral_list, name="referrals"),
    path("referrals/<int:pk>/", views.referral_detail, name="referral"),
    path("referrals/<int:pk>/move/", views.referral_move, name="referral-move"),
    path("referrals/<int:pk>/update/", views.referral_update, name="referral-update"),
    path("referrals/<int:pk>/disclosure/", views.referral_disclosure, name="referral-disclosure"),
]
